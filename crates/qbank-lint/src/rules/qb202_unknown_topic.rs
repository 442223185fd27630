//! QB202 unknown-topic: every topic belongs to the question's domain.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB202",
        name: "unknown-topic",
        severity: Severity::Error,
        summary: "A topic is not in the blueprint, or belongs to another domain",
        why: "Topic minimums and coverage only count topics of the question's own domain.",
        example: concat!("---\nid: example-question\ndomain: mlops\ntopics: [uc-model-registry]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\n---\n\n", stem!(), opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let Some(bp) = ctx.blueprint else { return };
    let domain = q.front.domain.as_ref().and_then(|d| bp.domain(&d.value));
    for t in &q.front.topics {
        if bp.retired_topic(&t.value).is_some() {
            continue; // QB203
        }
        match bp.topic(&t.value) {
            Some((d, _)) => {
                if let Some(qd) = domain {
                    if qd.id != d.id {
                        out.push(
                            finding(
                                "QB202",
                                format!(
                                    "topic `{}` belongs to domain `{}`, not `{}`",
                                    t.value, d.id, qd.id
                                ),
                            )
                            .at(q.file, t.span, "topic of another domain")
                            .with_help(format!(
                                "topics of `{}`: {}",
                                qd.id,
                                qd.topics
                                    .iter()
                                    .map(|t| t.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                        );
                    }
                }
            }
            None => {
                let candidates: Vec<String> = match domain {
                    Some(d) => d.topics.iter().map(|t| t.id.clone()).collect(),
                    None => bp
                        .domains
                        .iter()
                        .flat_map(|d| d.topics.iter().map(|t| t.id.clone()))
                        .collect(),
                };
                let help = match qbank_parser::schema::nearest(&t.value, &candidates) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("topics: {}", candidates.join(", ")),
                };
                out.push(
                    finding("QB202", format!("unknown topic `{}`", t.value))
                        .at(q.file, t.span, "not in the blueprint")
                        .with_help(help),
                );
            }
        }
    }
}
