//! QB504 near-duplicate: two questions say nearly the same thing.
//!
//! MinHash signatures over word shingles, bucketed by bands (locality-sensitive
//! hashing), so candidate pairs are found in near-linear time; each candidate
//! pair is then confirmed with its exact Jaccard similarity.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};
use rayon::prelude::*;

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::{sorted_jaccard, WordHash};

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

/// Signature slots (one-permutation MinHash: each shingle hash falls in one slot).
const SLOTS: usize = 64;
const BANDS: usize = 16;
const ROWS: usize = SLOTS / BANDS;
/// Bigger buckets (templated questions) are compared only with neighbours, to stay linear.
const MAX_BUCKET: usize = 64;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Per ASCII byte: its lower-case form when it belongs to a word, 0 when it
/// separates words; 0xFF marks the start of a non-ASCII character.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            0xFF
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            c.to_ascii_lowercase()
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Lower-case word hashes of Markdown text, without allocating per word.
/// Words are runs of letters, digits and `_`; Markdown punctuation separates them.
fn word_hashes(md: &str, out: &mut Vec<u64>) {
    if md.is_ascii() {
        ascii_word_hashes(md.as_bytes(), out);
    } else {
        any_word_hashes(md, out);
    }
}

/// [`word_hashes`] of ASCII text: each run of word bytes is a word, and no
/// byte starts a longer character. One pass: each byte is looked up once and
/// goes straight into the word's hash.
fn ascii_word_hashes(b: &[u8], out: &mut Vec<u64>) {
    let mut word = WordHash::default();
    for &x in b {
        let c = CLASS[usize::from(x)];
        if c != 0 {
            word.byte(c);
        } else if let Some(h) = word.finish() {
            out.push(h);
        }
    }
    out.extend(word.finish());
}

/// [`word_hashes`] of any text: letters of other scripts belong to words,
/// lower-cased.
fn any_word_hashes(md: &str, out: &mut Vec<u64>) {
    let mut word = WordHash::default();
    let bytes = md.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let class = CLASS[usize::from(bytes[i])];
        if class != 0 && class != 0xFF {
            // A run of ASCII word bytes, hashed in one go.
            let start = i;
            while i < bytes.len() && !matches!(CLASS[usize::from(bytes[i])], 0 | 0xFF) {
                i += 1;
            }
            word.bytes(&bytes[start..i], |b| CLASS[usize::from(b)]);
            continue;
        }
        if class == 0xFF {
            let c = md[i..].chars().next().unwrap_or(' ');
            i += c.len_utf8();
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    let mut buf = [0u8; 4];
                    for &x in l.encode_utf8(&mut buf).as_bytes() {
                        word.byte(x);
                    }
                }
                continue;
            }
        } else {
            i += 1;
        }
        out.extend(word.finish());
    }
    out.extend(word.finish());
}

/// Calls `f` with the hash of every word shingle of a question's stem and
/// options (a shingle may repeat). `words` is scratch space.
fn each_shingle(q: &Question, k: usize, words: &mut Vec<u64>, mut f: impl FnMut(u64)) {
    words.clear();
    if let Some(s) = &q.stem {
        word_hashes(&s.markdown, words);
    }
    for o in &q.options {
        word_hashes(&o.text, words);
    }
    let k = k.max(1);
    if words.len() < k {
        words.iter().for_each(|&x| f(mix(x)));
    } else {
        for win in words.windows(k) {
            // Rotations keep the word order; one mix per shingle.
            f(mix(win.iter().fold(0u64, |h, &x| h.rotate_left(23) ^ x)));
        }
    }
}

/// Sorted, de-duplicated hashes of the word shingles of a question's stem and options.
pub fn shingles(q: &Question, k: usize) -> Vec<u64> {
    let mut sh = Vec::with_capacity(256);
    each_shingle(q, k, &mut Vec::with_capacity(256), |h| sh.push(h));
    sh.sort_unstable();
    sh.dedup();
    sh
}

/// One-permutation MinHash: slot = top bits of the shingle hash, value = the
/// minimum of the rest. Empty slots borrow the next non-empty one (densification).
fn signature(q: &Question, k: usize, words: &mut Vec<u64>) -> Option<[u32; SLOTS]> {
    let mut sig = [u32::MAX; SLOTS];
    let mut filled = 0u64;
    // Minimums need no de-duplicated set: a repeated shingle changes nothing.
    each_shingle(q, k, words, |x| {
        let slot = (x >> 58) as usize;
        let v = (x & 0xffff_ffff) as u32;
        filled |= 1 << slot;
        if v < sig[slot] {
            sig[slot] = v;
        }
    });
    if filled == 0 {
        return None;
    }
    for i in 0..SLOTS {
        if filled & (1 << i) == 0 {
            let mut j = (i + 1) % SLOTS;
            while filled & (1 << j) == 0 {
                j = (j + 1) % SLOTS;
            }
            sig[i] = sig[j].wrapping_add(i as u32);
        }
    }
    Some(sig)
}

/// Pairs `(i, j, similarity)` with `i < j` at or above `threshold`, sorted.
///
/// Only signatures are kept for the whole bank (256 bytes a question);
/// shingles are recomputed for the few candidate pairs.
pub fn near_duplicates(
    questions: &[Question],
    k: usize,
    threshold: f64,
) -> Vec<(usize, usize, f64)> {
    let sigs: Vec<Option<[u32; SLOTS]>> = questions
        .par_iter()
        .map_init(
            || Vec::with_capacity(256),
            |words, q| signature(q, k, words),
        )
        .collect();
    // Per band: the questions' band hashes, sorted, so equal hashes (a
    // bucket) are adjacent. Bands are independent and run in parallel.
    let mut pairs: Vec<(u32, u32)> = (0..BANDS)
        .into_par_iter()
        .flat_map_iter(|band| {
            let mut keyed: Vec<(u64, u32)> = sigs
                .iter()
                .enumerate()
                .filter_map(|(i, sig)| {
                    let sig = sig.as_ref()?;
                    let mut h = band as u64;
                    for r in 0..ROWS {
                        h = mix(h ^ u64::from(sig[band * ROWS + r]));
                    }
                    Some((h, i as u32))
                })
                .collect();
            keyed.sort_unstable();
            let mut out = Vec::new();
            for bucket in keyed.chunk_by(|a, b| a.0 == b.0).filter(|m| m.len() > 1) {
                if bucket.len() <= MAX_BUCKET {
                    for (a, &(_, i)) in bucket.iter().enumerate() {
                        for &(_, j) in &bucket[a + 1..] {
                            out.push((i, j));
                        }
                    }
                } else {
                    for w in bucket.windows(2) {
                        out.push((w[0].1, w[1].1));
                    }
                }
            }
            out
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_par_iter()
        .filter_map(|(i, j)| {
            let (i, j) = (i as usize, j as usize);
            let s = sorted_jaccard(&shingles(&questions[i], k), &shingles(&questions[j], k));
            (s >= threshold).then_some((i, j, s))
        })
        .collect()
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
    fn words_are_letters_digits_and_underscores_in_any_case() {
        let words = |s: &str| {
            let mut v = Vec::new();
            super::word_hashes(s, &mut v);
            v
        };
        let a = words("Café_Déjà 42 `x-y`, **Z**!");
        assert_eq!(a.len(), 5, "café_déjà, 42, x, y, z");
        assert_eq!(a, words("CAFÉ_DÉJÀ\t42 x y z"));
        assert_ne!(words("cafe"), words("café"));
        assert!(words("-- ** `` ...").is_empty());
    }

    proptest::proptest! {
        /// The ASCII path gives the words of the general one.
        #[test]
        fn ascii_words_hash_as_any_words(text in "[ -~\t\n\r]{0,80}") {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            super::ascii_word_hashes(text.as_bytes(), &mut a);
            super::any_word_hashes(&text, &mut b);
            proptest::prop_assert_eq!(a, b);
        }
    }

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
