//! QB401 all-none-of-the-above.

use std::sync::LazyLock;

use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Question, Severity};
use regex::Regex;

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::{first_visible_char, plain, re};

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB401",
        name: "all-none-of-the-above",
        severity: Severity::Warning,
        summary: "An option is \"All of the above\" or \"None of the above\"",
        why: "These options test option-elimination tricks instead of knowledge, break when options are shuffled, and are discouraged by item-writing guides.",
        example: concat!(fm!(), stem!(),
            opt_a!(),
            opt_b!(),
            opt_c!(),
            "- [ ] None of the above.\n  > One of the options works.\n",
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

pub(super) static ABOVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\s*(?:all|none|any)\s+of\s+(?:the\s+)?(?:above|these|the\s+options|the\s+answers)\b")
});

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    for (i, o) in q.options.iter().enumerate() {
        // A match starts with "all", "none" or "any": most options are
        // settled by their first letter, without the regex.
        let may = matches!(first_visible_char(&o.text), Some('a' | 'A' | 'n' | 'N'));
        if may && ABOVE.is_match(&plain(&o.text)) {
            out.push(
                finding(
                    "QB401",
                    format!("option {} refers to the other options", letter(i)),
                )
                .at(q.file, o.text_span, "all/none of the above")
                .with_help("replace it with a plausible distractor that stands on its own"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    /// Options that start with marks or spaces before the words are still
    /// caught (the first-letter shortcut looks past them).
    #[test]
    fn marked_up_openings_are_caught() {
        assert_options_flagged(
            "QB401",
            &[
                "**All** of the above.",
                "`None` of these",
                "*any* of the options",
                "[All](https://x.invalid) of the above",
                "NONE of the answers",
            ],
        );
    }
}
