//! QB504 near-duplicate: two questions say nearly the same thing.
//!
//! MinHash signatures over word shingles, bucketed by bands (locality-sensitive
//! hashing), so candidate pairs are found in near-linear time; each candidate
//! pair is then confirmed with its exact Jaccard similarity.

use std::collections::{HashMap, HashSet};

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};
use rayon::prelude::*;

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::{plain, words};

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB504",
        name: "near-duplicate",
        severity: Severity::Warning,
        summary: "Two questions are near-duplicates (stem and options)",
        why: "Near-duplicates inflate coverage counts and give learners the same item twice on a form. Questions are compared on their normalised stem and option text as sets of word shingles (`shingle_size` words, default 3); every pair with a Jaccard similarity of at least `near_duplicate` (default 0.75) is reported with both places. MinHash with banding keeps the check near-linear, so it stays fast on 100,000 questions.",
        example: "Two files whose stems differ only in a model name and whose options are the same.",
        fix: "Rewrite one question to test a different fact, or delete it and retire its id.",
    },
    check: Check::Bank(check),
};

const HASHES: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = HASHES / BANDS;
/// Bigger buckets (templated questions) are compared only with neighbours, to stay linear.
const MAX_BUCKET: usize = 64;

fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashed word shingles of a question's stem and options.
pub fn shingles(q: &Question, k: usize) -> HashSet<u64> {
    let mut text = q
        .stem
        .as_ref()
        .map(|s| plain(&s.markdown))
        .unwrap_or_default();
    for o in &q.options {
        text.push(' ');
        text.push_str(&plain(&o.text));
    }
    let w = words(&text);
    let k = k.max(1);
    if w.len() < k {
        return w.iter().map(|x| fnv(x.as_bytes(), 0)).collect();
    }
    w.windows(k)
        .map(|win| {
            let mut h = 0u64;
            for x in win {
                h = mix(h ^ fnv(x.as_bytes(), 0));
            }
            h
        })
        .collect()
}

fn signature(sh: &HashSet<u64>) -> [u64; HASHES] {
    let mut sig = [u64::MAX; HASHES];
    for &x in sh {
        for (i, s) in sig.iter_mut().enumerate() {
            let h = mix(x ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            if h < *s {
                *s = h;
            }
        }
    }
    sig
}

/// Pairs `(i, j, similarity)` with `i < j` at or above `threshold`, sorted.
pub fn near_duplicates(
    questions: &[Question],
    k: usize,
    threshold: f64,
) -> Vec<(usize, usize, f64)> {
    let sh: Vec<HashSet<u64>> = questions.par_iter().map(|q| shingles(q, k)).collect();
    let sigs: Vec<[u64; HASHES]> = sh.par_iter().map(signature).collect();
    let mut candidates: HashSet<(usize, usize)> = HashSet::new();
    for band in 0..BANDS {
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, sig) in sigs.iter().enumerate() {
            if sh[i].is_empty() {
                continue;
            }
            let mut h = band as u64;
            for r in 0..ROWS {
                h = mix(h ^ sig[band * ROWS + r]);
            }
            buckets.entry(h).or_default().push(i);
        }
        for members in buckets.values() {
            if members.len() <= MAX_BUCKET {
                for (a, &i) in members.iter().enumerate() {
                    for &j in &members[a + 1..] {
                        candidates.insert((i, j));
                    }
                }
            } else {
                for w in members.windows(2) {
                    candidates.insert((w[0], w[1]));
                }
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = candidates.into_iter().collect();
    pairs.sort_unstable();
    pairs
        .into_par_iter()
        .filter_map(|(i, j)| {
            let s = exact(&sh[i], &sh[j]);
            (s >= threshold).then_some((i, j, s))
        })
        .collect()
}

fn exact(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let qs = &ctx.bank.questions;
    let t = ctx.thresholds;
    for (i, j, s) in near_duplicates(qs, t.shingle_size, t.near_duplicate) {
        let (a, b) = (&qs[i], &qs[j]);
        let (Some(sa), Some(sb)) = (&a.stem, &b.stem) else {
            continue;
        };
        let name = |q: &Question| {
            q.id()
                .map_or_else(|| ctx.bank.file(q.file).name.clone(), str::to_string)
        };
        out.push(
            finding(
                "QB504",
                format!(
                    "questions `{}` and `{}` are {:.0}% similar",
                    name(b),
                    name(a),
                    s * 100.0
                ),
            )
            .at(b.file, sb.span, "this stem")
            .also(a.file, sa.span, "is nearly the same as this one")
            .with_help("make one question test something else, or delete it and retire its id"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;

    #[test]
    fn near_duplicates_are_paired_and_distinct_questions_are_not() {
        let b = GOOD
            .replace("promote-with-alias", "promote-with-alias-2")
            .replace("ml.churn.model", "ml.fraud.model");
        let d = lint_files(
            &[("a.md".into(), GOOD.into()), ("b.md".into(), b)],
            &["QB504"],
            "",
        );
        assert_eq!(codes(&d), vec!["QB504"], "{d:#?}");
        assert_eq!(d[0].secondary.len(), 1);
        let c = crate::rules::qb106_missing_explanation::RULE
            .doc
            .fix
            .replace("example-question", "other");
        let d = lint_files(
            &[("a.md".into(), GOOD.into()), ("c.md".into(), c)],
            &["QB504"],
            "",
        );
        assert!(d.iter().all(|d| d.code != "QB504"), "{d:#?}");
    }
}
