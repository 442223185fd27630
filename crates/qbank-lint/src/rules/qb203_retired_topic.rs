//! QB203 retired-topic: a retired topic names its successor.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB203",
        name: "retired-topic",
        severity: Severity::Error,
        summary: "A topic was retired by the current exam guide",
        why: "Questions on retired topics teach what the exam no longer tests (or what the platform no longer does). The finding names the topic that replaced it.",
        example: concat!("---\nid: example-question\ndomain: mlops\ntopics: [registry-webhooks]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\n---\n\n", stem!(), opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let Some(bp) = ctx.blueprint else { return };
    for t in &q.front.topics {
        if let Some(r) = bp.retired_topic(&t.value) {
            out.push(
                finding(
                    "QB203",
                    format!(
                        "topic `{}` ({}) is retired; its successor is `{}`",
                        t.value, r.name, r.successor
                    ),
                )
                .at(q.file, t.span, "retired topic")
                .with_help(format!(
                    "{} Re-tag the question with `{}` and update its content.",
                    r.reason, r.successor
                )),
            );
        }
    }
}
