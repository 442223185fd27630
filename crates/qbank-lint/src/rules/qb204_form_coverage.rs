//! QB204 form-coverage: published questions fill the configured number of exam forms.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB204",
        name: "form-coverage",
        severity: Severity::Error,
        summary: "A domain has too few published questions to fill the configured number of disjoint exam forms",
        why: "One exam form has the blueprint's question count, split over domains by weight with the largest-remainder method (59 questions at 44/44/12 gives 26/26/7). A bank that must fill `[coverage] forms` disjoint forms needs that many times each domain's share. Only `status: published` questions count. `qbank coverage` prints the table.",
        example: "A blueprint with 59 questions at 44/44/12, `[coverage] forms = 2`, and 40 published MLOps questions: MLOps needs 52.",
        fix: "Publish 12 more MLOps questions, or lower `forms`.",
    },
    check: Check::Bank(check),
};

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(bp) = ctx.blueprint else { return };
    let Some(cov) = ctx.coverage() else { return };
    let forms = cov.forms;
    for (i, d) in cov.domains.iter().enumerate() {
        if d.shortfall > 0 {
            out.push(
                finding(
                    "QB204",
                    format!(
                        "domain `{}` has {} published questions; {} form(s) need {} ({} per form), {} short",
                        d.id, d.published, forms, d.target, d.per_form, d.shortfall
                    ),
                )
                .at(bp.file, bp.span(&format!("/domains/{i}/id")), format!("{} short", d.shortfall))
                .with_help("publish more questions in this domain, or lower `[coverage] forms` in qbank.toml"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn one_question_cannot_fill_a_form() {
        // The test blueprint asks for 4 questions: 2 per domain.
        let d = lint_files(&[("a.md".into(), GOOD.into())], &["QB204"], "");
        let c: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(c, vec!["QB204", "QB204"], "{d:#?}");
        assert!(d
            .iter()
            .any(|d| d.message.contains("`mlops` has 1 published")));
    }

    #[test]
    fn drafts_do_not_count_and_full_forms_pass() {
        let mk = |id: &str, domain: &str, topic: &str, status: &str| {
            GOOD.replace("promote-with-alias", id)
                .replace("domain: mlops", &format!("domain: {domain}"))
                .replace("[lifecycle-promotion]", &format!("[{topic}]"))
                .replace("status: published", &format!("status: {status}"))
                .replace("version 7", &format!("version {id}"))
        };
        let files = vec![
            (
                "a.md".to_string(),
                mk("a", "mlops", "lifecycle-promotion", "published"),
            ),
            (
                "b.md".to_string(),
                mk("b", "mlops", "drift-detection", "published"),
            ),
            (
                "c.md".to_string(),
                mk("c", "model-development", "mlflow-tracking", "published"),
            ),
            (
                "d.md".to_string(),
                mk("d", "model-development", "mlflow-tracking", "draft"),
            ),
        ];
        let d = lint_files(&files, &["QB204"], "");
        assert_eq!(codes(&d), vec!["QB204"], "{d:#?}");
        let mut files = files;
        files[3].1 = files[3].1.replace("status: draft", "status: published");
        let d = lint_files(&files, &["QB204"], "");
        assert!(d.is_empty(), "{d:#?}");
    }
}
