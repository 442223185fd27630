//! QB102 choose-count: "Choose N." matches the number of keys.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity, Span};

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::choose_count;

/// The example question, asking for `$n` answers (it has three keys).
macro_rules! alias_facts {
    ($n:literal) => {
        concat!("---\nid: alias-facts\ndomain: model-development\ntopics: [uc-model-registry]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\n---\n\nWhich statements about model aliases in Unity Catalog are true? Choose ", $n, ".\n\n- [x] An alias points at exactly one model version at a time.\n  > Moving an alias re-points it.\n- [x] Models can be loaded with a `models:/name@alias` URI.\n  > Loading by alias is the recommended way for consumers.\n- [x] Aliases can be reassigned to roll back a release.\n  > Reassigning the alias restores the previous version.\n- [ ] An alias can be attached to a registered model's run.\n  > Aliases point at model versions, not runs.\n\n## Explanation\n\nAliases are mutable, named pointers to model versions.\n")
    };
}

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB102",
        name: "choose-count",
        severity: Severity::Error,
        summary: "A multiple-response question's \"Choose N.\" equals its number of keys",
        why: "Learners rely on the stated count. If the stem says \"Choose two.\" but three options are keys, the question cannot be answered correctly.",
        example: alias_facts!("two"),
        fix: alias_facts!("three"),
    },
    check: Check::Question(check),
};

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let Some(stem) = &q.stem else { return };
    let Some((n, range)) = choose_count(&stem.markdown) else {
        return;
    };
    let keys = q.key_count();
    if keys == n || keys == 0 {
        return;
    }
    // The stem markdown is the trimmed source; offsets map directly unless CRLF was normalised.
    let start = stem.span.start + stem.markdown[..range.start].len();
    let span = locate(stem.span, start, range.len());
    out.push(
        finding(
            "QB102",
            format!("the stem asks for {n} answers but {keys} options are keys"),
        )
        .at(q.file, span, format!("asks for {n}"))
        .with_help(format!(
            "mark exactly {n} options with `[x]`, or change the stem to say how many to choose"
        )),
    );
}

fn locate(stem: Span, start: usize, len: usize) -> Span {
    if start + len <= stem.end {
        Span::new(start, start + len)
    } else {
        stem
    }
}
