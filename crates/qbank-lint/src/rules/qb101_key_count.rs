//! QB101 key-count: a question has the right number of keys.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::choose_count;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB101",
        name: "key-count",
        severity: Severity::Error,
        summary: "A single-answer question has exactly one key; no question is without a key",
        why: "A question with no `[x]` cannot be scored. A question with several `[x]` whose stem does not say how many to choose is ambiguous for the learner: they expect one answer.",
        example: concat!(fm!(), stem!(),
            "- [x] Edit the job to load version 7 explicitly.\n  > This needs a code change for every release.\n",
            opt_b!(),
            opt_c!(),
            opt_d!(),
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    if q.options.is_empty() {
        return; // QB103 reports missing options
    }
    let keys = q.key_count();
    let Some(span) = q.options_span else { return };
    // The stem's "Choose two." matters only when there are several keys.
    let asked = || q.stem.as_ref().and_then(|s| choose_count(&s.markdown));
    if keys == 0 {
        out.push(
            finding("QB101", "the question has no key")
                .at(q.file, span, "no option is marked `[x]`")
                .with_help("mark the correct option with `- [x]`"),
        );
    } else if keys > 1 && asked().is_none() {
        let mut d = finding("QB101", format!("{keys} options are marked as keys, but the stem does not say how many to choose"))
            .with_help("keep one `[x]`, or make it a multiple-response question by ending the stem with \"Choose two.\"");
        let mut keys_iter = q.keys();
        if let Some((_, first)) = keys_iter.next() {
            d = d.at(q.file, first.marker, "a key");
        }
        for (_, o) in keys_iter {
            d = d.also(q.file, o.marker, "another key");
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn no_key_fires() {
        let q = GOOD.replace("- [x]", "- [ ]");
        assert_eq!(codes(&lint_one(&q)), vec!["QB101"]);
    }
}
