//! The qbank linter: pure rules over the parsed bank model.
//!
//! Each rule lives in its own file under `rules/`, with a stable code, a
//! kebab-case name, a default severity and its documentation. Question rules
//! run in parallel; bank rules see the whole bank and run alongside them. [`lint`] applies the
//! configuration (severity overrides) and the authors' exceptions, then sorts
//! the findings by file, line and code.

pub mod context;
pub mod docs;
pub mod exceptions;
pub mod rules;
pub mod terms;
pub mod text;

use qbank_parser::codes::{CodeDoc, PARSE_CODES};
use qbank_parser::config::Level;
use qbank_parser::{Bank, Diagnostic, Severity};
use rayon::prelude::*;

pub use context::Ctx;
pub use rules::{warm_up, Check, Rule, RULES};

/// Documentation for a code or name: parse codes and lint rules alike.
pub fn find_doc(code_or_name: &str) -> Option<&'static CodeDoc> {
    let key = code_or_name.trim();
    all_docs().find(|d| d.code.eq_ignore_ascii_case(key) || d.name.eq_ignore_ascii_case(key))
}

/// Every documented code, parse codes first, in code order.
pub fn all_docs() -> impl Iterator<Item = &'static CodeDoc> {
    PARSE_CODES.iter().chain(RULES.iter().map(|r| &r.doc))
}

/// Lint the bank. Returns parse diagnostics and lint findings together,
/// with configured severities and exceptions applied, sorted.
pub fn lint(bank: &Bank) -> Vec<Diagnostic> {
    run(bank, false)
}

/// The errors [`lint`] finds, and nothing else, without running the rules
/// that cannot report an error at their configured level (most item-writing
/// and bank-statistics rules). For callers that act on errors only:
/// `qbank build` refuses a bank with errors, and prints findings only then
/// (from a full [`lint`]).
pub fn lint_errors(bank: &Bank) -> Vec<Diagnostic> {
    let mut all = run(bank, true);
    all.retain(|d| d.severity == Severity::Error);
    all
}

fn run(bank: &Bank, errors_only: bool) -> Vec<Diagnostic> {
    let mut setup = Vec::new();
    // Every pattern is compiled, so an invalid one is reported (QB014) in
    // every run.
    let terms = terms::compile(bank.blueprint.as_ref(), &mut setup);
    let ctx = Ctx::new(bank, terms, errors_only);

    // Question rules run per question on every core; bank rules need no
    // question findings, so they run alongside, each as one task.
    // The enabled question rules, looked up once rather than per question.
    let checks: Vec<_> = RULES
        .iter()
        .filter_map(|rule| match rule.check {
            Check::Question(f) if ctx.runs(rule) => Some(f),
            _ => None,
        })
        .collect();
    let question_rules = || -> Vec<Vec<Diagnostic>> {
        bank.questions
            .par_iter()
            .map(|q| {
                let mut out = Vec::new();
                for f in &checks {
                    f(&ctx, q, &mut out);
                }
                out
            })
            .collect()
    };
    let bank_rules = || -> Vec<Vec<Diagnostic>> {
        RULES
            .par_iter()
            .filter_map(|rule| match rule.check {
                Check::Bank(f) if ctx.runs(rule) => {
                    let mut out = Vec::new();
                    f(&ctx, &mut out);
                    Some(out)
                }
                _ => None,
            })
            .collect()
    };
    let (per_question, per_bank) = rayon::join(question_rules, bank_rules);
    let mut findings: Vec<Diagnostic> =
        per_question.into_iter().chain(per_bank).flatten().collect();
    exceptions::apply(&ctx, &mut findings);
    apply_levels(&ctx, &mut findings);

    let mut all = bank.diagnostics.clone();
    all.extend(setup);
    all.extend(ctx.config_findings());
    all.extend(findings);
    sort(bank, &mut all);
    all
}

/// Sort by file name, line, column, code, then message: deterministic output.
pub fn sort(bank: &Bank, diags: &mut [Diagnostic]) {
    diags.sort_by_cached_key(|d| {
        let (name, start) = match &d.primary {
            Some(l) => (bank.file(l.file).name.clone(), l.span.start),
            None => (String::new(), 0),
        };
        (name, start, d.code, d.message.clone())
    });
}

fn apply_levels(ctx: &Ctx<'_>, findings: &mut Vec<Diagnostic>) {
    findings.retain_mut(|d| match ctx.level(d.code) {
        Some(Level::Off) => false,
        Some(Level::Info) => {
            d.severity = Severity::Info;
            true
        }
        Some(Level::Warning) => {
            d.severity = Severity::Warning;
            true
        }
        Some(Level::Error) => {
            d.severity = Severity::Error;
            true
        }
        None => true,
    });
}
