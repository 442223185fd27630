//! QB201 unknown-domain: the domain is in the blueprint.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB201",
        name: "unknown-domain",
        severity: Severity::Error,
        summary: "The question's domain is not a domain of the blueprint",
        why: "Coverage, exam forms and export decks are organised by domain; a question outside the blueprint is never used.",
        example: concat!("---\nid: example-question\ndomain: ml-ops\ntopics: [lifecycle-promotion]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\n---\n\n", stem!(), opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let (Some(bp), Some(domain)) = (ctx.blueprint, &q.front.domain) else {
        return;
    };
    if bp.domain(&domain.value).is_some() {
        return;
    }
    let ids: Vec<String> = bp.domains.iter().map(|d| d.id.clone()).collect();
    let help = match qbank_parser::schema::nearest(&domain.value, &ids) {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!("domains: {}", ids.join(", ")),
    };
    out.push(
        finding("QB201", format!("unknown domain `{}`", domain.value))
            .at(q.file, domain.span, "not in the blueprint")
            .with_help(help),
    );
}
