//! Text helpers shared by rules.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// Markdown reduced to what a reader sees, roughly: no code ticks, emphasis or link targets.
/// Borrows when there is nothing to remove (most options are plain prose).
pub fn plain(md: &str) -> Cow<'_, str> {
    if !md.contains(['`', '*', '[']) {
        return Cow::Borrowed(md.trim());
    }
    static LINK: LazyLock<Regex> = LazyLock::new(|| re(r"!?\[([^\]]*)\]\([^)]*\)"));
    let s = if md.contains('[') {
        LINK.replace_all(md, "$1")
    } else {
        Cow::Borrowed(md)
    };
    // `` ` `` and `*` are ASCII, so every byte position next to one is a
    // character boundary: copy the runs between them.
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'`' || b == b'*' {
            out.push_str(&s[last..i]);
            last = i + 1;
        }
    }
    out.push_str(&s[last..]);
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        Cow::Owned(out)
    } else {
        Cow::Owned(trimmed.to_string())
    }
}

/// Length in characters of what a reader sees.
pub fn visible_len(md: &str) -> usize {
    plain(md).chars().count()
}

/// FNV-1a over the bytes of a word, one byte at a time: start from
/// [`FNV_SEED`] and fold each byte with [`fnv`]. Word hashes of the
/// duplicate-option and near-duplicate rules use it.
pub const FNV_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// One FNV-1a step.
#[inline]
pub fn fnv(h: u64, byte: u64) -> u64 {
    (h ^ byte).wrapping_mul(0x0100_0000_01b3)
}

/// The words a reader sees in Markdown `md`: whitespace-separated, lower-cased,
/// without trailing sentence punctuation, as hashes, sorted and de-duplicated.
/// A set that [`sorted_jaccard`] compares without a string per word. Equal to
/// the words of [`plain`]`(md)`; code ticks and emphasis stars are skipped in
/// place rather than copied out.
pub fn word_set(md: &str) -> Vec<u64> {
    let plain_md;
    let text = if md.contains('[') {
        plain_md = plain(md);
        &*plain_md
    } else {
        md
    };
    let mut v = if text.is_ascii() {
        ascii_words(text.as_bytes())
    } else {
        words(text)
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// Trailing punctuation a word sheds, and the marks skipped inside it.
const TRAILING: [char; 7] = ['.', '!', '?', ',', ';', '`', '*'];

/// The word hashes of [`word_set`], unsorted, for any text.
fn words(text: &str) -> Vec<u64> {
    text.split_whitespace()
        .map(|t| t.trim_end_matches(TRAILING))
        .filter_map(|t| {
            let mut h = FNV_SEED;
            let mut empty = true;
            if t.is_ascii() {
                for b in t.bytes().filter(|b| !matches!(b, b'`' | b'*')) {
                    empty = false;
                    h = fnv(h, u64::from(b.to_ascii_lowercase()));
                }
            } else {
                // `str::to_lowercase`, not per character: a word-final Σ becomes ς.
                let word: String = t.chars().filter(|c| !matches!(c, '`' | '*')).collect();
                for l in word.to_lowercase().chars() {
                    empty = false;
                    h = fnv(h, u64::from(u32::from(l)));
                }
            }
            (!empty).then_some(h)
        })
        .collect()
}

/// [`words`] for ASCII text (almost every option), one pass over its bytes.
fn ascii_words(b: &[u8]) -> Vec<u64> {
    // `char::is_whitespace` on ASCII: tab to carriage return, and space.
    let space = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
    let mut out = Vec::with_capacity(b.len() / 6 + 1);
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && !space(b[i]) {
            i += 1;
        }
        let mut end = i;
        while end > start && TRAILING.contains(&char::from(b[end - 1])) {
            end -= 1;
        }
        let mut h = FNV_SEED;
        let mut empty = true;
        for &c in &b[start..end] {
            if c != b'`' && c != b'*' {
                empty = false;
                h = fnv(h, u64::from(c.to_ascii_lowercase()));
            }
        }
        if !empty {
            out.push(h);
        }
    }
    out
}

/// Jaccard similarity of two sorted, de-duplicated slices (0 when both are empty).
pub fn sorted_jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// How many answers the stem asks for ("Choose two."), if it says.
pub fn choose_count(stem: &str) -> Option<(usize, std::ops::Range<usize>)> {
    static CHOOSE: LazyLock<Regex> = LazyLock::new(|| {
        re(r"(?i)\b(?:choose|select|pick|mark)\s+(two|three|four|five|2|3|4|5)\b")
    });
    let m = CHOOSE.captures(stem)?;
    let n = match m.get(1)?.as_str().to_lowercase().as_str() {
        "two" | "2" => 2,
        "three" | "3" => 3,
        "four" | "4" => 4,
        _ => 5,
    };
    let whole = m.get(0)?;
    Some((n, whole.start()..whole.end()))
}

/// The question sentence of a stem: the last sentence that ends with `?`,
/// as a byte range into `stem`.
pub fn question_sentence(stem: &str) -> Option<std::ops::Range<usize>> {
    let end = stem.rfind('?')? + 1;
    let before = &stem[..end - 1];
    let start = before.rfind(['.', '?', '!', '\n']).map_or(0, |i| i + 1);
    let lead = stem[start..end].len() - stem[start..end].trim_start().len();
    Some(start + lead..end)
}

/// Compile a regex known to be valid.
pub fn re(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("built-in pattern compiles")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(
            plain("Use `@champion` and **aliases**"),
            "Use @champion and aliases"
        );
        assert_eq!(
            choose_count("Which two apply? Choose two.").map(|c| c.0),
            Some(2)
        );
        assert_eq!(choose_count("Which applies?"), None);
        let s = "A job fails. Which change fixes it? Choose two.";
        let r = question_sentence(s).expect("sentence");
        assert_eq!(&s[r], "Which change fixes it?");
    }

    /// `word_set` skips ticks and stars in place; it must agree with the
    /// words of `plain`, which copies them out.
    #[test]
    fn word_set_matches_the_words_of_plain() {
        let reference = |md: &str| {
            let p = plain(md);
            let mut v: Vec<String> = p
                .split_whitespace()
                .map(|t| t.trim_end_matches(['.', '!', '?', ',', ';']).to_lowercase())
                .filter(|t| !t.is_empty())
                .collect();
            v.sort();
            v.dedup();
            v.len()
        };
        for md in [
            "Use `@champion` and **aliases**.",
            "x.` `` ** *a*, b; `c`! Ünïcode ÉTÉ été ΟΔΟΣ οδος",
            "See [the docs](https://x.invalid/a b) and `code`.",
            "  `x`.  x  X ",
            "",
            "``",
        ] {
            assert_eq!(word_set(md).len(), reference(md), "{md:?}");
            assert_eq!(word_set(md), word_set(&plain(md)), "{md:?}");
        }
        assert_eq!(word_set("`x`."), word_set("X"));
        assert_eq!(word_set("ΟΔΟΣ."), word_set("οδος"), "final sigma");
        assert_ne!(word_set("x"), word_set("'x'"));
    }

    proptest::proptest! {
        /// The one-pass ASCII scan gives the words of the general one,
        /// whitespace of every kind included.
        #[test]
        fn ascii_words_match_words(text in "[ \t\n\r\x0b\x0c\x1c\x1fa-cA-C.!?,;`*\\[\\]()']{0,40}") {
            let mut a = ascii_words(text.as_bytes());
            let mut b = words(&text);
            a.sort_unstable();
            b.sort_unstable();
            proptest::prop_assert_eq!(a, b);
        }
    }
}
