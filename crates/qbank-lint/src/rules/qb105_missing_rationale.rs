//! QB105 missing-rationale: every option explains why it is right or wrong.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB105",
        name: "missing-rationale",
        severity: Severity::Error,
        summary: "An option has no rationale (a `>` blockquote nested under it)",
        why: "Learners learn most from why a tempting distractor is wrong. Study editions and Anki cards show each option's rationale.",
        example: concat!(fm!(), stem!(),
            "- [ ] Edit the job to load version 7 explicitly.\n",
            opt_b!(),
            opt_c!(),
            opt_d!(),
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    for (i, o) in q.options.iter().enumerate() {
        if o.rationale
            .as_ref()
            .is_none_or(|r| r.markdown.trim().is_empty())
        {
            out.push(
                finding("QB105", format!("option {} has no rationale", letter(i)))
                    .at(q.file, o.text_span, "no `>` rationale under this option")
                    .with_help("add a line indented by two spaces: `  > Why this option is right or wrong.`"),
            );
        }
    }
}
