//! QB406 raw-html: questions are Markdown, not HTML.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB406",
        name: "raw-html",
        severity: Severity::Warning,
        summary: "The question contains raw HTML",
        why: "Exports sanitise question HTML (scripts, event handlers, `javascript:` links, iframes and unknown tags are removed), so raw HTML may silently disappear or render differently in HTML and Anki. Write Markdown instead. HTML comments (including `qbank-allow` exceptions) are fine.",
        example: concat!(fm!(),
            "A batch job loads <b>models:/ml.churn.model@champion</b>. Which change makes it use version 7 on its next run?\n\n",
            opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    for h in &q.html {
        let t = h.html.trim();
        if t.starts_with("<!--") || t.is_empty() {
            continue;
        }
        let first = t.lines().next().unwrap_or(t);
        let shown: String = first.chars().take(40).collect();
        out.push(
            finding("QB406", format!("raw HTML `{shown}` in the question"))
                .at(q.file, h.span, "HTML is sanitised in exports")
                .with_help("use Markdown: **bold**, `code`, lists and tables"),
        );
    }
}
