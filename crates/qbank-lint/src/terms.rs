//! Legacy terms from the blueprint, compiled once per run.

use qbank_parser::blueprint::TermSeverity;
use qbank_parser::{Blueprint, Diagnostic};
use rayon::prelude::*;
use std::sync::OnceLock;

use regex::{Regex, RegexSet};

#[derive(Debug, Clone)]
pub struct Term {
    pub id: String,
    pub regex: Regex,
    pub severity: TermSeverity,
    pub why: String,
    pub replace: Option<String>,
    pub source: Option<String>,
}

/// All terms plus sets for a fast first pass.
#[derive(Debug, Clone)]
pub struct Terms {
    pub list: Vec<Term>,
    /// Built on first use: most runs only need the fast pass below.
    set: OnceLock<RegexSet>,
    /// The same patterns with ASCII classes and word boundaries. On ASCII
    /// text they match exactly like `set`, and run on the fast DFA.
    ascii: Option<regex_automata::meta::Regex>,
}

/// Compile the blueprint's legacy terms. A pattern that does not compile is
/// reported as `QB014` at the pattern in the blueprint and skipped.
pub fn compile(bp: Option<&Blueprint>, out: &mut Vec<Diagnostic>) -> Vec<Term> {
    let Some(bp) = bp else { return Vec::new() };
    // Unicode case folding makes each pattern cost about 0.2 ms to compile:
    // on every core, then taken in blueprint order.
    let compiled: Vec<_> = bp
        .legacy_terms
        .par_iter()
        .map(|t| (t.severity != TermSeverity::Off).then(|| Regex::new(&t.pattern)))
        .collect();
    let mut list = Vec::new();
    for (i, (t, compiled)) in bp.legacy_terms.iter().zip(compiled).enumerate() {
        let Some(compiled) = compiled else { continue };
        match compiled {
            Ok(regex) => list.push(Term {
                id: t.id.clone(),
                regex,
                severity: t.severity,
                why: t.why.clone(),
                replace: t.replace.clone(),
                source: t.source.clone(),
            }),
            Err(e) => out.push(
                Diagnostic::error(
                    "QB014",
                    format!("legacy term `{}` has an invalid pattern", t.id),
                )
                .at(
                    bp.file,
                    bp.span(&format!("/legacy_terms/{i}/pattern")),
                    first_line(&e.to_string()),
                )
                .with_help("patterns use Rust regex syntax (no look-around or back-references)"),
            ),
        }
    }
    list
}

fn first_line(s: &str) -> String {
    s.lines().last().unwrap_or(s).trim().to_string()
}

impl Terms {
    pub fn new(list: Vec<Term>) -> Terms {
        use regex_automata::{meta, util::syntax};
        // One multi-pattern regex, ASCII semantics, no literal prefilter (with
        // dozens of case-insensitive alternatives the prefilter is slower than
        // the lazy DFA itself).
        let ascii = meta::Regex::builder()
            .configure(
                meta::Config::new()
                    .auto_prefilter(false)
                    // No full DFA: with dozens of case-insensitive patterns it
                    // would not fit its size limit, and trying costs start-up time.
                    .dfa(false)
                    .hybrid_cache_capacity(16 << 20),
            )
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .build_many(&list.iter().map(|t| t.regex.as_str()).collect::<Vec<_>>())
            .ok();
        Terms {
            list,
            set: OnceLock::new(),
            ascii,
        }
    }

    /// Does any term occur in `text`?
    pub fn any(&self, text: &str) -> bool {
        match &self.ascii {
            Some(a) if text.is_ascii() => a.is_match(regex_automata::Input::new(text.as_bytes())),
            _ => self.set().is_match(text),
        }
    }

    /// All terms as one set (Unicode semantics).
    pub fn set(&self) -> &RegexSet {
        self.set.get_or_init(|| {
            RegexSet::new(self.list.iter().map(|t| t.regex.as_str()))
                .unwrap_or_else(|_| RegexSet::empty())
        })
    }
}
