//! QB404 combination-option: options that combine other options.

use std::sync::LazyLock;

use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Question, Severity};
use regex::Regex;

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::{first_visible_char, plain, re};

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB404",
        name: "combination-option",
        severity: Severity::Warning,
        summary: "An option combines other options (\"Both A and B\", \"A and C\")",
        why: "Combination options depend on option order, break when options are shuffled (Anki, LMS exports), and reward elimination. Use a multiple-response question (\"Choose two.\") instead.",
        example: concat!(fm!(), stem!(),
            opt_a!(),
            opt_b!(),
            opt_c!(),
            "- [ ] Both A and C.\n  > Neither moves the alias.\n",
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

pub(super) static COMBO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:both|either|neither)\s+(?:options?\s+)?[A-F]\b|^\s*(?:options?\s+)?[A-F]\s*(?:,\s*[A-F]\s*)*(?:and|or|&)\s+[A-F]\b\s*\.?\s*$",
    )
});

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    for (i, o) in q.options.iter().enumerate() {
        // A match starts with "both", "either", "neither", "option" or a
        // letter A to F: most options are settled by their first letter.
        let may = first_visible_char(&o.text)
            .is_some_and(|c| matches!(c.to_ascii_lowercase(), 'a'..='f' | 'n' | 'o'));
        if may && COMBO.is_match(&plain(&o.text)) {
            out.push(
                finding("QB404", format!("option {} combines other options", letter(i)))
                    .at(q.file, o.text_span, "combination option")
                    .with_help("make it a multiple-response question (\"Choose two.\") or write an independent distractor"),
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
            "QB404",
            &[
                "**Both** A and B",
                "`Either` option A or C",
                "neither B nor D",
                "Options A and C",
                "*c* or d",
                "B, C and D",
            ],
        );
    }
}
