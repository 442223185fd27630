//! QB110 duplicate-id: ids are unique across the bank.

use std::collections::HashMap;

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB110",
        name: "duplicate-id",
        severity: Severity::Error,
        summary: "Two questions share an id",
        why: "The id is a question's identity: exports and Anki updates match questions by id. Two files with one id would overwrite each other. Both places are labelled.",
        example: concat!("==> a.md <==\n", fm!(), stem!(), opts!(), expl!(),
            "==> b.md <==\n", fm!(), "A nightly job loads `models:/ml.fraud.model@champion`. Which change makes it score with version 3 tomorrow?\n\n", opts!(), expl!()),
        fix: concat!("==> a.md <==\n", fm!(), stem!(), opts!(), expl!(),
            "==> b.md <==\n", "---\nid: example-question-fraud\ndomain: mlops\ntopics: [lifecycle-promotion]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\n---\n\n",
            "A nightly job loads `models:/ml.fraud.model@champion`. Which change makes it score with version 3 tomorrow?\n\n", opts!(), expl!()),
    },
    check: Check::Bank(check),
};

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, (qbank_parser::FileId, qbank_parser::Span)> = HashMap::new();
    for q in &ctx.bank.questions {
        let Some(id) = &q.front.id else { continue };
        match first.get(id.value.as_str()) {
            None => {
                first.insert(&id.value, (q.file, id.span));
            }
            Some(&(f, s)) => out.push(
                finding(
                    "QB110",
                    format!(
                        "id `{}` is already used by {}",
                        id.value,
                        ctx.bank.file(f).name
                    ),
                )
                .at(q.file, id.span, "duplicate id")
                .also(f, s, "first used here")
                .with_help("give this question a new, unique id"),
            ),
        }
    }
}
