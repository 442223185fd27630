//! QB107 stem-lead-in: the stem ends with a question or a lead-in.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity, Span};

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::choose_count;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB107",
        name: "stem-lead-in",
        severity: Severity::Warning,
        summary: "The stem does not end with a question (`?`) or a lead-in (`:`)",
        why: "A stem that ends in a statement leaves the learner guessing what is asked. Item-writing guides ask for a complete question before the options. \"Choose two.\" may follow the question.",
        example: concat!(fm!(),
            "A batch job loads `models:/ml.churn.model@champion` and the team validated version 7.\n\n",
            opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let Some(stem) = &q.stem else { return };
    let mut text = stem.markdown.trim_end();
    if text.ends_with(['?', ':']) {
        return; // the usual stem, settled without a search
    }
    // A trailing "Choose two." is set aside.
    if let Some((_, r)) = choose_count(text) {
        if text[r.end..]
            .trim_matches(|c: char| c == '.' || c.is_whitespace())
            .is_empty()
        {
            text = text[..r.start].trim_end();
        }
    }
    // A stem may end with a code block or table after the question: look at the last prose line.
    let last_prose = last_prose_line(text);
    if last_prose.ends_with('?')
        || last_prose.ends_with(':')
        || text.ends_with('?')
        || text.ends_with(':')
    {
        return;
    }
    if stem_has_question_before_code(text) {
        return;
    }
    let end = stem.span.end;
    let line_start = q_line_start(&stem.markdown, stem.span);
    out.push(
        finding(
            "QB107",
            "the stem does not end with a question or a lead-in",
        )
        .at(q.file, Span::new(line_start, end), "ends here")
        .with_help(
            "end the stem with the question itself, for example \"Which change fixes the job?\"",
        ),
    );
}

fn last_prose_line(text: &str) -> &str {
    let mut in_fence = false;
    let mut last = "";
    for l in text.lines() {
        let t = l.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence && !t.is_empty() && !t.starts_with('|') {
            last = t;
        }
    }
    last
}

fn stem_has_question_before_code(text: &str) -> bool {
    // "Which change fixes it?" followed only by a code block or table.
    text.trim_end().ends_with("```") && last_prose_line(text).ends_with('?')
}

fn q_line_start(md: &str, span: Span) -> usize {
    let trimmed = md.trim_end();
    let last_line = trimmed.rfind('\n').map_or(0, |i| i + 1);
    let start = span.start + last_line;
    if start < span.end {
        start
    } else {
        span.start
    }
}
