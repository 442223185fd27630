//! QB403 absolute-terms: absolute words only in distractors give them away.

use std::sync::LazyLock;

use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Question, Severity, Span};
use regex::Regex;

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::re;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB403",
        name: "absolute-terms",
        severity: Severity::Warning,
        summary: "Absolute words (always, never, guaranteed, …) appear in distractors but in no key",
        why: "Test-wise learners know that options with absolute claims are usually wrong. When only distractors use them, the question can be answered without the knowledge it tests.",
        example: concat!(fm!(), stem!(),
            opt_a!(),
            opt_b!(),
            "- [ ] Delete the older versions, which always forces a reload.\n  > Deleting versions does not move the alias.\n",
            opt_d!(),
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

pub(super) static ABSOLUTE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(always|never|guaranteed?|guarantees|impossible|under no circumstances|in every case|in all cases|none whatsoever)\b",
    )
});

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let in_key = q
        .options
        .iter()
        .filter(|o| o.is_key)
        .any(|o| ABSOLUTE.is_match(&o.text));
    if in_key {
        return;
    }
    for (i, o) in q.options.iter().enumerate().filter(|(_, o)| !o.is_key) {
        let hay = ctx.text(q, o.text_span);
        if let Some(m) = ABSOLUTE.find(hay) {
            let s = o.text_span.start + m.start();
            out.push(
                finding("QB403", format!("distractor {} uses the absolute word `{}`; no key does", letter(i), m.as_str()))
                    .at(q.file, Span::new(s, s + m.len()), "gives the distractor away")
                    .with_help("state the distractor without the absolute word, or qualify the key in the same way"),
            );
        }
    }
}
