//! What a rule can see: the bank, its blueprint, thresholds and compiled terms.

use std::collections::HashMap;
use std::sync::OnceLock;

use qbank_parser::coverage::{self, Coverage};

use qbank_parser::config::{Level, Thresholds};
use qbank_parser::{Bank, Blueprint, Diagnostic, Question, SourceFile};

use crate::rules::{Rule, RULES};
use crate::terms::Terms;

pub struct Ctx<'a> {
    pub bank: &'a Bank,
    pub blueprint: Option<&'a Blueprint>,
    pub thresholds: &'a Thresholds,
    pub terms: Terms,
    levels: HashMap<&'static str, Level>,
    config_findings: Vec<Diagnostic>,
    coverage: OnceLock<Option<Coverage>>,
}

impl<'a> Ctx<'a> {
    pub fn new(bank: &'a Bank, terms: Terms) -> Self {
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
        Ctx {
            bank,
            blueprint: bank.blueprint.as_ref(),
            thresholds: &bank.config.lint.thresholds,
            terms,
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
        match self.level(rule.doc.code) {
            Some(level) => level == Level::Error,
            None => rule.doc.severity == qbank_parser::Severity::Error,
        }
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
