//! QB502 longest-key-share: over the bank, the key is not usually the longest option.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Severity};

use super::bankstat::{at_exam, single_answer};
use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::visible_len;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB502",
        name: "longest-key-share",
        severity: Severity::Warning,
        summary: "Too many single-answer questions have the key as their strictly longest option",
        why: "With four options, the key should be the longest in about a quarter of questions. A higher share across the bank teaches \"pick the longest\". The rule warns above `longest_key_share` (default 0.4) once there are `min_sample` (default 20) published single-answer questions.",
        example: "A bank of 40 published single-answer questions in which the key is the longest option in 24 (60%).",
        fix: "Lengthen distractors or tighten keys until the share is near 25%.",
    },
    check: Check::Bank(check),
};

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let (mut n, mut longest) = (0usize, 0usize);
    for q in single_answer(ctx) {
        n += 1;
        let Some((ki, key)) = q.keys().next() else {
            continue;
        };
        let kl = visible_len(&key.text);
        if q.options
            .iter()
            .enumerate()
            .all(|(i, o)| i == ki || visible_len(&o.text) < kl)
        {
            longest += 1;
        }
    }
    if n < ctx.thresholds.min_sample || n == 0 {
        return;
    }
    let share = longest as f64 / n as f64;
    if share > ctx.thresholds.longest_key_share {
        out.push(at_exam(
            ctx,
            finding("QB502", format!("the key is the longest option in {longest} of {n} single-answer questions ({:.0}%)", share * 100.0))
                .with_help("aim for about one question in four; give distractors the same level of detail as keys"),
            "bank statistics",
        ));
    }
}
