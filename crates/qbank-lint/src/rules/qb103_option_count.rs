//! QB103 option-count: at least the blueprint's number of options.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity, Span};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB103",
        name: "option-count",
        severity: Severity::Error,
        summary: "The question has fewer options than the blueprint's `options_per_question`",
        why: "Exam forms use a fixed number of options; a question with three options is easier to guess and looks different from the real exam.",
        example: concat!(fm!(), stem!(),
            opt_a!(),
            opt_b!(),
            opt_c!(),
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let want = ctx.options_per_question();
    let have = q.options.len();
    if have >= want {
        return;
    }
    let d = if have == 0 {
        let at = q
            .stem
            .as_ref()
            .map_or(Span::new(q.body_start, q.body_start), |s| s.span);
        finding("QB103", "the question has no options")
            .at(q.file, at, "options should follow the stem")
            .with_help(
                "write the options as a task list: `- [ ] wrong option` and `- [x] right option`",
            )
    } else {
        let span = q.options_span.unwrap_or_default();
        finding(
            "QB103",
            format!("the question has {have} options; the blueprint asks for {want}"),
        )
        .at(q.file, span, format!("{have} options"))
        .with_help(format!("add {} plausible distractor(s)", want - have))
    };
    out.push(d);
}
