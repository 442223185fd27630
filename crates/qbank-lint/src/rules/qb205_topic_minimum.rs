//! QB205 topic-minimum: every topic has its minimum of published questions.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB205",
        name: "topic-minimum",
        severity: Severity::Error,
        summary: "A topic has fewer published questions than its `min` in the blueprint",
        why: "Domain totals can hide a topic nobody wrote about. Each topic's `min` is the number of published questions the bank must hold on it.",
        example: "A topic `lifecycle-promotion` with `min: 3` and two published questions tagged with it.",
        fix: "Publish a third question on the topic.",
    },
    check: Check::Bank(check),
};

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(bp) = ctx.blueprint else { return };
    let Some(cov) = ctx.coverage() else { return };
    for (i, d) in cov.domains.iter().enumerate() {
        for (j, t) in d.topics.iter().enumerate() {
            if t.shortfall > 0 {
                out.push(
                    finding(
                        "QB205",
                        format!(
                            "topic `{}` has {} published questions; its minimum is {}",
                            t.id, t.published, t.minimum
                        ),
                    )
                    .at(
                        bp.file,
                        bp.span(&format!("/domains/{i}/topics/{j}/id")),
                        format!("{} short", t.shortfall),
                    )
                    .with_help("publish more questions tagged with this topic"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn topic_below_minimum() {
        // lifecycle-promotion has min 1 in the test blueprint.
        let q = GOOD.replace("[lifecycle-promotion]", "[drift-detection]");
        let d = lint_files(&[("a.md".into(), q)], &["QB205"], "");
        assert_eq!(codes(&d), vec!["QB205"], "{d:#?}");
        let d = lint_files(&[("a.md".into(), GOOD.into())], &["QB205"], "");
        assert!(d.is_empty(), "{d:#?}");
    }
}
