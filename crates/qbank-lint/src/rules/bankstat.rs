//! Shared helpers for bank statistics rules.

use qbank_parser::{Diagnostic, Question};

use crate::context::Ctx;

/// Published single-answer questions with the blueprint's number of options.
pub fn single_answer<'a>(ctx: &'a Ctx<'_>) -> impl Iterator<Item = &'a Question> + 'a {
    let n = ctx.options_per_question();
    ctx.bank
        .questions
        .iter()
        .filter(move |q| q.is_published() && q.key_count() == 1 && q.options.len() == n)
}

/// Attach a bank-level finding to the blueprint's exam block.
pub fn at_exam(ctx: &Ctx<'_>, d: Diagnostic, label: &str) -> Diagnostic {
    match ctx.blueprint {
        Some(bp) => d.at(bp.file, bp.span("/exam"), label),
        None => d,
    }
}
