//! QB109 empty-option: every option has text.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB109",
        name: "empty-option",
        severity: Severity::Error,
        summary: "An option has a box but no text",
        why: "An empty option renders as a blank choice in every export.",
        example: concat!(
            fm!(),
            stem!(),
            "- [ ]\n  > This needs a code change for every release.\n",
            opt_b!(),
            opt_c!(),
            opt_d!(),
            expl!()
        ),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    for (i, o) in q.options.iter().enumerate() {
        if o.text.trim().is_empty() {
            out.push(
                finding("QB109", format!("option {} is empty", letter(i)))
                    .at(q.file, o.span, "no text after the box")
                    .with_help("write the option's text after `[ ]` on the same line"),
            );
        }
    }
}
