//! QB405 longest-key: the key is not markedly longer than every distractor.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::visible_len;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB405",
        name: "longest-key",
        severity: Severity::Warning,
        summary: "The key of a single-answer question is markedly longer than every distractor",
        why: "Authors qualify the correct answer carefully and leave distractors short, so \"pick the longest\" becomes a winning strategy. The key is flagged when it is at least `longest_key_ratio` (default 1.5) times as long as the longest distractor and at least 20 characters longer.",
        example: concat!(fm!(), stem!(),
            "- [ ] Edit the job.\n  > This needs a code change for every release.\n",
            "- [x] Point the `champion` alias at version 7 so the job resolves it at load time.\n  > The job resolves the alias when it loads the model.\n",
            "- [ ] Delete old versions.\n  > Deleting versions does not move the alias.\n",
            "- [ ] Rename the model.\n  > A new name needs a code change in the job.\n",
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    if q.key_count() != 1 || q.options.len() < 2 {
        return;
    }
    let Some((_, key)) = q.keys().next() else {
        return;
    };
    let key_len = visible_len(&key.text);
    let longest = q
        .options
        .iter()
        .filter(|o| !o.is_key)
        .map(|o| visible_len(&o.text))
        .max()
        .unwrap_or(0);
    let ratio = ctx.thresholds.longest_key_ratio;
    if longest > 0 && key_len as f64 >= ratio * longest as f64 && key_len >= longest + 20 {
        out.push(
            finding(
                "QB405",
                format!("the key is {key_len} characters; the longest distractor is {longest}"),
            )
            .at(q.file, key.text_span, "markedly the longest option")
            .with_help("shorten the key or give the distractors the same level of detail"),
        );
    }
}
