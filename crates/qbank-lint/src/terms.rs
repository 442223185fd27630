//! Legacy terms from the blueprint, compiled once per run.

use qbank_parser::blueprint::TermSeverity;
use qbank_parser::{Blueprint, Diagnostic};
use rayon::prelude::*;
use std::sync::OnceLock;

use regex::RegexSet;
use regex_automata::meta;

#[derive(Debug, Clone)]
pub struct Term {
    pub id: String,
    /// The blueprint's pattern, as written.
    pub pattern: String,
    /// The pattern with the `regex` crate's semantics ([`compile_one`]).
    pub regex: meta::Regex,
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
    // Unicode case folding makes each pattern cost about 0.1 ms to compile:
    // on every core, then taken in blueprint order.
    let compiled: Vec<_> = bp
        .legacy_terms
        .par_iter()
        .map(|t| (t.severity != TermSeverity::Off).then(|| compile_one(&t.pattern)))
        .collect();
    let mut list = Vec::new();
    for (i, (t, compiled)) in bp.legacy_terms.iter().zip(compiled).enumerate() {
        let Some(compiled) = compiled else { continue };
        match compiled {
            Ok(regex) => list.push(Term {
                id: t.id.clone(),
                pattern: t.pattern.clone(),
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
                    last_line(&e.message),
                )
                .with_help(if e.too_large {
                    "the pattern compiles to too large a matcher: use a shorter repetition (`{0,40}`, not `{500}`) or a narrower class than `\\w`"
                } else {
                    "patterns use Rust regex syntax (no look-around or back-references)"
                }),
            ),
        }
    }
    list
}

/// One pattern as `regex::Regex::new` compiles it (the same syntax, match
/// semantics and size limit) but without trying a full DFA. A term's regex
/// searches only parts where the fast pass of [`Terms::any`] and the set have
/// found the term, so the full DFA's speed never pays for building it, which
/// a check of a small bank would do at every start (a fifth of the time of
/// compiling the shipped patterns). The literal prefilter, the one-pass DFA
/// and the backtracker stay: where the lazy DFA gives up on a Unicode word
/// boundary (text with non-ASCII characters), they find the matches; without
/// them a bank with 30,000 findings in such text took 1.05 s to check instead
/// of 0.79 s. Errors read as the `regex` crate writes them.
fn compile_one(pattern: &str) -> Result<meta::Regex, PatternError> {
    use regex_automata::{util::syntax, MatchKind};
    meta::Regex::builder()
        .configure(
            meta::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .utf8_empty(true)
                .nfa_size_limit(Some(10 << 20))
                .hybrid_cache_capacity(2 << 20)
                .dfa(false),
        )
        .syntax(syntax::Config::new().utf8(true))
        .build(pattern)
        .map_err(|e| match (e.size_limit(), e.syntax_error()) {
            (Some(limit), _) => PatternError {
                message: format!("Compiled regex exceeds size limit of {limit} bytes."),
                too_large: true,
            },
            (None, Some(syntax)) => PatternError {
                message: syntax.to_string(),
                too_large: false,
            },
            (None, None) => PatternError {
                message: e.to_string(),
                too_large: false,
            },
        })
}

/// Why a legacy-term pattern does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PatternError {
    /// As the `regex` crate words it (a syntax error shows the pattern and a caret).
    message: String,
    /// It parses, but compiles to more than the size limit.
    too_large: bool,
}

/// The last line of a `regex` error: the message without the pattern and caret.
fn last_line(s: &str) -> String {
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
            .build_many(&list.iter().map(|t| t.pattern.as_str()).collect::<Vec<_>>())
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
            RegexSet::new(self.list.iter().map(|t| t.pattern.as_str()))
                .unwrap_or_else(|_| RegexSet::empty())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Patterns in the styles blueprints use: word boundaries, (?i) in part
    /// or whole, classes, bounded gaps, alternations, Unicode classes.
    const PATTERNS: &[&str] = &[
        r"\btransition_model_version_stage\b",
        r"models:/[^\s/@'`]+/(?i:production|staging|archived|none)\b",
        r"(?i)\b(?:staging|production|archived)[`']?\s+stage\b|\btransition(?:ed|s|ing)?\s+(?:the\s+)?(?:model|version)[^.\n]{0,40}\bto\s+(?:staging|production)\b",
        r"(?i)\bonline tables?\b|\bOnlineTableSpec\b",
        r"(?i)\bσ\w*|\bkelvin\b|\bstraße\b",
        r"\p{Greek}+",
        r"x*",
    ];

    fn spans(re: &meta::Regex, hay: &str) -> Vec<(usize, usize)> {
        re.find_iter(hay).map(|m| (m.start(), m.end())).collect()
    }

    fn reference(p: &str, hay: &str) -> Vec<(usize, usize)> {
        regex::Regex::new(p)
            .expect("the pattern compiles")
            .find_iter(hay)
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    #[test]
    fn terms_match_as_the_regex_crate_does() {
        let hays = [
            "Move it with transition_model_version_stage, not transition_model_version_stages.",
            "Load models:/churn/Production or models:/churn/PRODUCTION; models:/ml.a.b@champion is fine.",
            "The PRODUCTION stage. They transitioned the model version 7 to Staging. Staging  stage",
            "ONLINE TABLES and an online table; OnlineTableSpec but not onlinetablespec.",
            // Unicode case folding: final sigma, the Kelvin sign, sharp s.
            "ΣΟΦΙΑ and σοφία; the \u{212A}ELVIN scale; STRASSE is not straße but STRAẞE is.",
            "αβγ abc δ",
            "é and an empty match between every character: ñ",
        ];
        for p in PATTERNS {
            let re = compile_one(p).expect("the pattern compiles");
            for hay in hays {
                assert_eq!(spans(&re, hay), reference(p, hay), "{p} on {hay:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn terms_match_as_the_regex_crate_does_on_any_text(hay in "[a-zA-Z_ .:/@`'\n\u{3c3}\u{3a3}\u{212a}\u{df}\u{1e9e}é]{0,60}") {
            for p in PATTERNS {
                let re = compile_one(p).expect("the pattern compiles");
                prop_assert_eq!(spans(&re, &hay), reference(p, &hay), "{}", p);
            }
        }
    }

    #[test]
    fn bad_patterns_are_reported_as_the_regex_crate_words_them() {
        // A syntax error, and a pattern over the compiled-size limit.
        for p in [r"\bget_latest_versions(", r"(?i)\w{500}"] {
            let ours = compile_one(p).expect_err("ours fails");
            let theirs = regex::Regex::new(p).expect_err("regex fails").to_string();
            assert_eq!(ours.message, theirs, "{p}");
        }
        assert!(
            !compile_one(r"\bget_latest_versions(")
                .expect_err("fails")
                .too_large
        );
        assert!(compile_one(r"(?i)\w{500}").expect_err("fails").too_large);
    }
}
