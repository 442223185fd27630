//! What a rule can see: the bank, its blueprint, thresholds and compiled terms.

use std::collections::HashMap;
use std::sync::OnceLock;

use qbank_parser::coverage::{self, Coverage};

use qbank_parser::config::{Level, Thresholds};
use qbank_parser::{Bank, Blueprint, Diagnostic, Question, SourceFile};

use crate::rules::{Rule, LEGACY_TERM, RULES, UNUSED_EXCEPTION};
use crate::terms::{Term, Terms};
use qbank_parser::blueprint::TermSeverity;

pub struct Ctx<'a> {
    pub bank: &'a Bank,
    pub blueprint: Option<&'a Blueprint>,
    pub thresholds: &'a Thresholds,
    pub terms: Terms,
    /// Only rules that can report an error run ([`Ctx::runs`]).
    errors_only: bool,
    levels: HashMap<&'static str, Level>,
    config_findings: Vec<Diagnostic>,
    coverage: OnceLock<Option<Coverage>>,
}

impl<'a> Ctx<'a> {
    /// The context of one lint run. With `errors_only`, the run covers only
    /// what can be reported as an error: the rules that can report one, and
    /// of the legacy terms those whose severity is error (all of them when
    /// `qbank.toml` makes every legacy-term finding an error). An unused
    /// exception is judged against the findings of its rule, so when it
    /// counts as an error everything runs.
    pub fn new(bank: &'a Bank, terms: Vec<Term>, errors_only: bool) -> Self {
        let mut levels = HashMap::new();
        let mut config_findings = Vec::new();
        for (key, level) in &bank.config.lint.rules {
            let name = key.get_ref();
            let found = RULES.iter().find(|r| {
                r.doc.code.eq_ignore_ascii_case(name) || r.doc.name.eq_ignore_ascii_case(name)
            });
            match found {
                Some(r) => {
                    levels.insert(r.doc.code, *level);
                }
                None => {
                    let mut d =
                        Diagnostic::error("QB901", format!("unknown rule `{name}` in qbank.toml"));
                    if let Some(f) = bank.config_file {
                        let s = key.span();
                        d = d.at(
                            f,
                            qbank_parser::Span::new(s.start, s.end),
                            "no rule has this code or name",
                        );
                    }
                    config_findings.push(d.with_help("`qbank rules` lists every rule"));
                }
            }
        }
        let errors_only = errors_only && !can_error(&levels, &UNUSED_EXCEPTION);
        let terms = if errors_only && levels.get(LEGACY_TERM.doc.code) != Some(&Level::Error) {
            terms
                .into_iter()
                .filter(|t| t.severity == TermSeverity::Error)
                .collect()
        } else {
            terms
        };
        Ctx {
            bank,
            blueprint: bank.blueprint.as_ref(),
            thresholds: &bank.config.lint.thresholds,
            terms: Terms::new(terms),
            errors_only,
            levels,
            config_findings,
            coverage: OnceLock::new(),
        }
    }

    /// Coverage of the bank against its blueprint, computed once for every rule that needs it.
    pub fn coverage(&self) -> Option<&Coverage> {
        self.coverage
            .get_or_init(|| {
                self.blueprint
                    .map(|bp| coverage::compute(self.bank, bp, self.bank.config.coverage.forms))
            })
            .as_ref()
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        self.levels.get(rule.doc.code) != Some(&Level::Off)
    }

    /// Whether `rule` can report an error: its configured level is `error`,
    /// or it has none and the rule's own severity (the highest it reports)
    /// is error.
    pub fn can_error(&self, rule: &Rule) -> bool {
        can_error(&self.levels, rule)
    }

    /// Whether `rule` runs: it is enabled, and can report an error when the
    /// run is for errors only.
    pub fn runs(&self, rule: &Rule) -> bool {
        self.enabled(rule) && (!self.errors_only || self.can_error(rule))
    }

    pub fn level(&self, code: &str) -> Option<Level> {
        self.levels.get(code).copied()
    }

    pub fn config_findings(&self) -> Vec<Diagnostic> {
        self.config_findings.clone()
    }

    pub fn source(&self, q: &Question) -> &'a SourceFile {
        self.bank.file(q.file)
    }

    /// Source text of a span in a question's file.
    pub fn text(&self, q: &Question, span: qbank_parser::Span) -> &'a str {
        let t = &self.bank.file(q.file).text;
        t.get(span.start..span.end).unwrap_or_default()
    }

    /// Number of options the blueprint asks for (4 when there is no blueprint).
    pub fn options_per_question(&self) -> usize {
        self.blueprint
            .map_or(4, |b| b.exam.options_per_question as usize)
    }
}

/// [`Ctx::can_error`] from the configured levels.
fn can_error(levels: &HashMap<&'static str, Level>, rule: &Rule) -> bool {
    match levels.get(rule.doc.code) {
        Some(level) => *level == Level::Error,
        None => rule.doc.severity == qbank_parser::Severity::Error,
    }
}
