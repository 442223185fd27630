//! QB503 fixed-key-count: multiple-response questions vary their key count.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Severity};

use super::bankstat::at_exam;
use super::{finding, Check, Rule};
use crate::context::Ctx;

/// Multiple-response questions needed before the rule applies.
const MIN_MULTI: usize = 5;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB503",
        name: "fixed-key-count",
        severity: Severity::Warning,
        summary: "Every multiple-response question has the same number of keys",
        why: "If every \"Choose N\" question is \"Choose two\", learners stop reading the instruction, and the bank never practises the other forms the exam may use. Applies from five published multiple-response questions.",
        example: "Six published multiple-response questions, each \"Choose two.\" with two keys.",
        fix: "Turn one of them into \"Choose three.\" with three keys.",
    },
    check: Check::Bank(check),
};

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let counts: Vec<usize> = ctx
        .bank
        .questions
        .iter()
        .filter(|q| q.is_published() && q.key_count() > 1)
        .map(|q| q.key_count())
        .collect();
    if counts.len() < MIN_MULTI {
        return;
    }
    if counts.iter().all(|&c| c == counts[0]) {
        out.push(at_exam(
            ctx,
            finding(
                "QB503",
                format!(
                    "all {} multiple-response questions have {} keys",
                    counts.len(),
                    counts[0]
                ),
            )
            .with_help("vary the number of keys (\"Choose two.\", \"Choose three.\")"),
            "bank statistics",
        ));
    }
}
