//! QB104 duplicate-option: no two options are identical or nearly so.

use std::cell::OnceCell;

use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::{sorted_jaccard, word_set, WordSketch};

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB104",
        name: "duplicate-option",
        severity: Severity::Error,
        summary: "Two options are identical or nearly identical",
        why: "A repeated option is a wasted distractor, and learners can eliminate both copies at once. Options are compared as sets of whitespace-separated tokens (case and sentence punctuation ignored, code kept as written, so `x` and `'x'` differ); a pair is flagged at a similarity of `option_similarity` (default 0.9) or more.",
        example: concat!(fm!(), stem!(),
            opt_a!(),
            opt_b!(),
            "- [ ] Edit the job to load version 7 explicitly!\n  > Same as the first option.\n",
            opt_d!(),
            expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let limit = ctx.thresholds.option_similarity;
    // Most pairs of options share few words, which their sketches show
    // without building and sorting the word sets; sets are built only for
    // the pairs that could reach the limit.
    let sketches: Vec<WordSketch> = q.options.iter().map(|o| WordSketch::of(&o.text)).collect();
    let sets: Vec<OnceCell<Vec<u64>>> = q.options.iter().map(|_| OnceCell::new()).collect();
    let set = |k: usize| sets[k].get_or_init(|| word_set(&q.options[k].text));
    for j in 1..q.options.len() {
        if sketches[j].is_empty() {
            continue;
        }
        for i in 0..j {
            if !sketches[i].may_reach(&sketches[j], limit) {
                continue;
            }
            let sim = sorted_jaccard(set(i), set(j));
            if sim >= limit {
                out.push(
                    finding(
                        "QB104",
                        format!(
                            "options {} and {} are nearly identical",
                            letter(i),
                            letter(j)
                        ),
                    )
                    .at(
                        q.file,
                        q.options[j].text_span,
                        format!("{:.0}% the same words as option {}", sim * 100.0, letter(i)),
                    )
                    .also(q.file, q.options[i].text_span, "this option")
                    .with_help("replace one of them with a different plausible distractor"),
                );
                break;
            }
        }
    }
}
