//! QB108 missing-reference: a published question cites its source.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB108",
        name: "missing-reference",
        severity: Severity::Warning,
        summary: "A published question has no `references`",
        why: "A reference lets reviewers check the key against documentation and lets learners read further. Platforms change; a question without a source cannot be re-verified.",
        example: concat!("---\nid: example-question\ndomain: mlops\ntopics: [lifecycle-promotion]\ndifficulty: medium\nstatus: published\n---\n\n",
            stem!(), opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    if q.is_published() && q.front.references.is_empty() {
        out.push(
            finding("QB108", "the question cites no reference")
                .at(q.file, q.front.span, "no `references` here")
                .with_help("add `references:` with the URL of documentation that backs the key"),
        );
    }
}
