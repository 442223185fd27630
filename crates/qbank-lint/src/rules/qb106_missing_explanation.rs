//! QB106 missing-explanation: the `## Explanation` section exists and has text.

use qbank_parser::codes::CodeDoc;
use qbank_parser::question::Explanation;
use qbank_parser::{Diagnostic, Question, Severity, Span};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB106",
        name: "missing-explanation",
        severity: Severity::Error,
        summary: "The `## Explanation` section is missing or empty",
        why: "The explanation is what a learner reads after answering: the concept behind the key. Answer keys and study editions print it.",
        example: concat!(fm!(), stem!(), opts!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    match &q.explanation {
        Some(Explanation { body: Some(_), .. }) => {}
        Some(Explanation {
            heading,
            body: None,
        }) => out.push(
            finding("QB106", "the explanation is empty")
                .at(q.file, *heading, "nothing under this heading")
                .with_help("explain why the key is right and what to remember"),
        ),
        None => {
            let end = ctx.source(q).text.len();
            let at = q
                .options_span
                .map_or(Span::new(end, end), |s| Span::new(s.end, s.end));
            out.push(
                finding("QB106", "the question has no `## Explanation` section")
                    .at(q.file, at, "expected after the options")
                    .with_help(
                        "add `## Explanation` after the options, followed by why the key is right",
                    ),
            );
        }
    }
}
