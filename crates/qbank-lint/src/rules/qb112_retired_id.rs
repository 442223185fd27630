//! QB112 retired-id: a retired id is never reused.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB112",
        name: "retired-id",
        severity: Severity::Error,
        summary: "A question uses an id listed in the retired-id ledger",
        why: "Learners' Anki collections and other tools remember questions by id. Reusing a retired id for a different question would overwrite their old card with unrelated content. Retire ids in the ledger (`retired_ids` in qbank.toml) and pick new ones.",
        example: "A ledger `retired-ids.yaml` with `retired: [{id: example-question}]` and a question with `id: example-question`.",
        fix: "Give the question a new id.",
    },
    check: Check::Bank(check),
};

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if ctx.bank.retired_ids.is_empty() {
        return;
    }
    let ledger: std::collections::HashMap<&str, qbank_parser::Span> = ctx
        .bank
        .retired_ids
        .iter()
        .map(|r| (r.value.as_str(), r.span))
        .collect();
    for q in &ctx.bank.questions {
        let Some(id) = &q.front.id else { continue };
        if let Some(&span) = ledger.get(id.value.as_str()) {
            let mut d = finding(
                "QB112",
                format!("id `{}` was retired and must not be reused", id.value),
            )
            .at(q.file, id.span, "retired id")
            .with_help("give this question a new id");
            if let Some(f) = ctx.bank.retired_file {
                d = d.also(f, span, "retired here");
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn reused_id_fires_with_ledger() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        std::fs::write(root.join("blueprint.yaml"), BLUEPRINT).expect("w");
        std::fs::write(
            root.join("retired.yaml"),
            "retired:\n  - id: promote-with-alias\n    reason: replaced\n",
        )
        .expect("w");
        std::fs::write(
            root.join("qbank.toml"),
            "retired_ids = \"retired.yaml\"\ncontent_dir = \"q\"\n[lint.rules]\nQB204 = \"off\"\n",
        )
        .expect("w");
        std::fs::create_dir(root.join("q")).expect("mkdir");
        std::fs::write(root.join("q/a.md"), GOOD).expect("w");
        let bank = qbank_parser::load(root).expect("load");
        let d = crate::lint(&bank);
        assert_eq!(codes(&d), vec!["QB112"]);
        assert_eq!(d[0].secondary.len(), 1);
    }
}
