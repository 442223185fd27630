//! Text helpers shared by rules.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// A Markdown link or image: its text is what a reader sees.
static LINK: LazyLock<Regex> = LazyLock::new(|| re(r"!?\[([^\]]*)\]\([^)]*\)"));

/// "Choose two." and its kin, with the number.
static CHOOSE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(?:choose|select|pick|mark)\s+(two|three|four|five|2|3|4|5)\b"));

/// Compile the patterns above now rather than on first use.
pub(crate) fn warm_up() {
    LazyLock::force(&LINK);
    LazyLock::force(&CHOOSE);
}

/// Markdown reduced to what a reader sees, roughly: no code ticks, emphasis or link targets.
/// Borrows when there is nothing to remove (most options are plain prose).
pub fn plain(md: &str) -> Cow<'_, str> {
    // Bytes, not characters: the three marks are ASCII.
    if !md.bytes().any(|b| matches!(b, b'`' | b'*' | b'[')) {
        return Cow::Borrowed(md.trim());
    }
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

/// The characters of [`plain`]`(md)`, read in place: `None` when `md` has a
/// link, which only `plain` resolves. Without links, `plain` drops every
/// tick and star and trims whitespace: the same characters as trimming both
/// from the ends and skipping the marks in between.
fn visible_chars(md: &str) -> Option<impl Iterator<Item = char> + '_> {
    if md.contains('[') {
        return None;
    }
    let mark = |c: char| c == '`' || c == '*';
    Some(
        md.trim_matches(move |c: char| c.is_whitespace() || mark(c))
            .chars()
            .filter(move |&c| !mark(c)),
    )
}

/// An ASCII byte that [`plain`] trims or drops wherever it is: whitespace
/// (as `str::trim` sees it) or one of the [`MARKS`].
fn is_space_or_mark(b: u8) -> bool {
    b.is_ascii() && (char::from(b).is_whitespace() || MARKS.contains(&char::from(b)))
}

/// The first character a reader sees (of [`plain`]).
pub fn first_visible_char(md: &str) -> Option<char> {
    // Most options start with a plain ASCII letter after at most a few
    // spaces, ticks or stars: that byte is the answer, whatever follows it.
    // A link can only change the first character when it starts there
    // (`[` or `!`), and other whitespace is not ASCII.
    if let Some(&b) = md.as_bytes().iter().find(|&&b| !is_space_or_mark(b)) {
        if b.is_ascii() && b != b'[' && b != b'!' {
            return Some(char::from(b));
        }
    }
    match visible_chars(md) {
        Some(mut chars) => chars.next(),
        None => plain(md).chars().next(),
    }
}

/// Length in characters of what a reader sees.
pub fn visible_len(md: &str) -> usize {
    // ASCII without links (almost every option): the bytes between the
    // first and last visible ones, less the marks among them (counted
    // without a branch per byte).
    if md.is_ascii() && !md.contains('[') {
        let b = md.as_bytes();
        let Some(start) = b.iter().position(|&c| !is_space_or_mark(c)) else {
            return 0;
        };
        let end = b
            .iter()
            .rposition(|&c| !is_space_or_mark(c))
            .map_or(start, |e| e + 1);
        let marks: usize = b[start..end]
            .iter()
            .map(|&c| usize::from(c == b'`') + usize::from(c == b'*'))
            .sum();
        return end - start - marks;
    }
    match visible_chars(md) {
        Some(chars) => chars.count(),
        None => plain(md).chars().count(),
    }
}

/// The hash of one word, fed a byte at a time (the duplicate-option and
/// near-duplicate rules hash words with it). Bytes are packed eight to a
/// `u64` and each full `u64` is folded in with one multiply (as FxHash does),
/// so a byte costs a shift and an or. Two words of the same length up to
/// eight bytes never collide (each step is a bijection for a given length).
#[derive(Default)]
pub struct WordHash {
    h: u64,
    pack: u64,
    len: u64,
}

impl WordHash {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    #[inline]
    fn fold(h: u64, pack: u64) -> u64 {
        (h.rotate_left(5) ^ pack).wrapping_mul(Self::K)
    }

    #[inline]
    pub fn byte(&mut self, b: u8) {
        // The length is folded in at the end, so a partly filled pack is unambiguous.
        self.pack = self.pack << 8 | u64::from(b);
        self.len += 1;
        if self.len % 8 == 0 {
            self.h = Self::fold(self.h, self.pack);
            self.pack = 0;
        }
    }

    /// [`WordHash::byte`] for each of `bytes` mapped through `map`, with one
    /// multiply per eight bytes and none in between.
    #[inline]
    pub fn bytes(&mut self, bytes: &[u8], map: impl Fn(u8) -> u8) {
        let mut rest = bytes;
        while self.len % 8 != 0 {
            let Some((&b, tail)) = rest.split_first() else {
                return;
            };
            self.byte(map(b));
            rest = tail;
        }
        let mut chunks = rest.chunks_exact(8);
        for c in &mut chunks {
            let pack = c.iter().fold(0, |p, &b| p << 8 | u64::from(map(b)));
            self.h = Self::fold(self.h, pack);
            self.len += 8;
        }
        // Fewer than eight, from a boundary: the pack does not fill.
        for &b in chunks.remainder() {
            self.pack = self.pack << 8 | u64::from(map(b));
            self.len += 1;
        }
    }

    /// The word's hash, if it has any byte; resets for the next word.
    #[inline]
    pub fn finish(&mut self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let h = Self::fold(self.h, self.pack ^ self.len << 56);
        *self = WordHash::default();
        Some(h)
    }
}

/// The words a reader sees in Markdown `md`: whitespace-separated, lower-cased,
/// without trailing sentence punctuation, as hashes, sorted and de-duplicated.
/// A set that [`sorted_jaccard`] compares without a string per word. Equal to
/// the words of [`plain`]`(md)`; code ticks and emphasis stars are skipped in
/// place rather than copied out.
pub fn word_set(md: &str) -> Vec<u64> {
    let mut v = Vec::with_capacity(md.len() / 6 + 1);
    each_word(md, |w| v.push(w));
    v.sort_unstable();
    v.dedup();
    v
}

/// A summary of [`word_set`]`(md)` that bounds how similar two sets can be
/// without building either: no allocation and no sort.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordSketch {
    /// For every word hash `h`, the bit numbered by its top six bits (the
    /// hash is a product, whose low bits depend only on the word's last
    /// bytes).
    mask: u64,
    /// Words counted with repeats: at least the size of the set.
    words: usize,
}

impl WordSketch {
    pub fn of(md: &str) -> WordSketch {
        let mut s = WordSketch::default();
        each_word(md, |w| {
            s.mask |= 1 << (w >> 58);
            s.words += 1;
        });
        s
    }

    /// Whether the text has no words (its word set is empty).
    pub fn is_empty(&self) -> bool {
        self.words == 0
    }

    /// Whether the Jaccard similarity of the two word sets can reach
    /// `threshold`. When it is `false`, [`sorted_jaccard`] of the sets is
    /// below `threshold`. A bit set in one mask only stands for a word in
    /// one set only, so the bits that differ are at most the words in one
    /// set only, which a similarity of `t` limits to `(1 - t)` of the union,
    /// at most `(1 - t)` of both counts together.
    pub fn may_reach(&self, other: &WordSketch, threshold: f64) -> bool {
        let differ = f64::from((self.mask ^ other.mask).count_ones());
        // The slack keeps a pair exactly at the threshold from being lost
        // to rounding.
        differ <= (1.0 - threshold) * (self.words + other.words) as f64 + 1e-9
    }
}

/// Calls `f` with the hash of each word of [`word_set`], in text order,
/// repeats included.
fn each_word(md: &str, f: impl FnMut(u64)) {
    // One look at the bytes for both questions (`str::contains` on a short
    // option costs as much as the words themselves).
    let (ascii, link) = md.bytes().fold((true, false), |(a, l), c| {
        (a & c.is_ascii(), l | (c == b'['))
    });
    let plain_md;
    let (text, ascii) = if link {
        plain_md = plain(md);
        (&*plain_md, plain_md.is_ascii())
    } else {
        (md, ascii)
    };
    if ascii {
        ascii_words(text.as_bytes(), f)
    } else {
        words(text, f)
    }
}

/// Trailing punctuation a word sheds, and the [`MARKS`] skipped inside it.
const TRAILING: [char; 7] = ['.', '!', '?', ',', ';', '`', '*'];

/// Code ticks and emphasis stars: not part of a word wherever they are.
const MARKS: [char; 2] = ['`', '*'];

/// The word hashes of [`word_set`], unsorted, for any text.
fn words(text: &str, f: impl FnMut(u64)) {
    text.split_whitespace()
        .map(|t| t.trim_end_matches(TRAILING))
        .filter_map(|t| {
            if t.is_ascii() {
                return ascii_word(t.as_bytes());
            }
            // `str::to_lowercase`, not per character: a word-final Σ becomes ς.
            let word: String = t.chars().filter(|c| !MARKS.contains(c)).collect();
            let mut h = WordHash::default();
            word.to_lowercase().bytes().for_each(|b| h.byte(b));
            h.finish()
        })
        .for_each(f);
}

/// The hash of one ASCII word (trailing punctuation already shed): lower-cased,
/// code ticks and emphasis stars skipped; `None` when nothing is left.
fn ascii_word(word: &[u8]) -> Option<u64> {
    let mut h = WordHash::default();
    for &c in word {
        if !MARKS.contains(&char::from(c)) {
            h.byte(c.to_ascii_lowercase());
        }
    }
    h.finish()
}

/// [`words`] for ASCII text (almost every option), one pass over its bytes.
/// Each byte is hashed as it is read, except sentence punctuation, which is
/// held back (as the start of a run) until a byte of the word follows it:
/// punctuation at the end of a word is dropped without a second look.
fn ascii_words(b: &[u8], mut f: impl FnMut(u64)) {
    /// What a byte is to a word.
    const SPACE: u8 = 0;
    const SKIP: u8 = 1;
    const PUNCT: u8 = 2;
    const WORD: u8 = 3;
    const CLASS: [u8; 128] = {
        let mut t = [WORD; 128];
        // `char::is_whitespace` on ASCII: tab to carriage return, and space.
        let mut c = b'\t';
        while c <= b'\r' {
            t[c as usize] = SPACE;
            c += 1;
        }
        t[b' ' as usize] = SPACE;
        // `TRAILING` is shed at the end of a word and kept inside it;
        // `MARKS` are skipped wherever they are.
        let mut i = 0;
        while i < TRAILING.len() {
            t[TRAILING[i] as usize] = PUNCT;
            i += 1;
        }
        let mut i = 0;
        while i < MARKS.len() {
            t[MARKS[i] as usize] = SKIP;
            i += 1;
        }
        t
    };
    let mut h = WordHash::default();
    // Where the punctuation not yet hashed starts.
    let mut held: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        match CLASS[usize::from(c & 0x7F)] {
            SPACE => {
                if let Some(w) = h.finish() {
                    f(w);
                }
                held = None;
            }
            SKIP => {}
            PUNCT => {
                held.get_or_insert(i);
            }
            _ => {
                if let Some(from) = held.take() {
                    for &p in &b[from..i] {
                        if CLASS[usize::from(p & 0x7F)] == PUNCT {
                            h.byte(p);
                        }
                    }
                }
                h.byte(c.to_ascii_lowercase());
            }
        }
    }
    if let Some(w) = h.finish() {
        f(w);
    }
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
        // A link or image at the start shows its text; later ones do not
        // change the first character.
        assert_eq!(first_visible_char(" ![diagram](d.png) shows"), Some('d'));
        assert_eq!(first_visible_char("`[docs](https://x.invalid)`"), Some('d'));
        assert_eq!(first_visible_char("**x** and [y](z)"), Some('x'));
        assert_eq!(visible_len(" `[docs](https://x.invalid)` "), 4);
        assert_eq!(visible_len("\t**Use** `@champion`.\n"), 14);
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

    #[test]
    fn short_words_never_collide() {
        let alphabet = [b'a', b'b', b'z', b'0', b'_', 0xC3];
        let mut seen = std::collections::HashMap::new();
        let mut word = Vec::new();
        for n in 1..=9u32 {
            for i in 0..alphabet.len().pow(n.min(5)) {
                word.clear();
                let mut x = i;
                for _ in 0..n {
                    word.push(alphabet[x % alphabet.len()]);
                    x /= alphabet.len();
                }
                let mut h = WordHash::default();
                word.iter().for_each(|&b| h.byte(b));
                let h = h.finish().expect("a word");
                if let Some(other) = seen.insert(h, word.clone()) {
                    assert_eq!(other, word, "collision");
                }
            }
        }
        assert!(WordHash::default().finish().is_none());
    }

    proptest::proptest! {
        /// Feeding a word in runs gives the hash of feeding it byte by byte.
        #[test]
        fn runs_hash_as_single_bytes(word in proptest::collection::vec(1u8.., 0..40), cuts in proptest::collection::vec(0usize..40, 0..4)) {
            let mut one = WordHash::default();
            word.iter().for_each(|&b| one.byte(b ^ 1));
            let mut runs = WordHash::default();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(word.len())).collect();
            cuts.sort_unstable();
            let mut at = 0;
            for c in cuts.into_iter().chain([word.len()]) {
                runs.bytes(&word[at..c], |b| b ^ 1);
                at = c;
            }
            proptest::prop_assert_eq!(one.finish(), runs.finish());
        }

        /// The first character found in place is the first of the copy.
        #[test]
        fn first_visible_char_is_the_first_of_plain(md in "[ \t\n\r\x0b\x0c\x1ca-cé`*\\[\\]()!]{0,30}") {
            proptest::prop_assert_eq!(first_visible_char(&md), plain(&md).chars().next());
        }

        /// Counting in place agrees with counting the copy `plain` makes.
        #[test]
        fn visible_len_counts_the_characters_of_plain(md in "[ \t\n\r\x0b\x0c\x1ca-cé`*\\[\\]()!]{0,30}") {
            proptest::prop_assert_eq!(visible_len(&md), plain(&md).chars().count());
        }

        /// A pair of word sets at or above a threshold always passes the
        /// sketches' test, so the sketch never hides a near-duplicate.
        #[test]
        fn sketches_keep_every_similar_pair(
            a in proptest::collection::vec(0usize..12, 0..14),
            edits in proptest::collection::vec((0usize..14, 0usize..16), 0..4),
            threshold in proptest::sample::select(vec![0.0, 0.5, 0.75, 0.9, 0.95, 1.0]),
        ) {
            const VOCAB: [&str; 16] = ["load", "the", "model", "`@champion`", "alias", "Version", "7", "job,",
                "**stage**", "run.", "TABLE", "ünïcode", "ΟΔΟΣ", "is", "a", "[docs](x)"];
            let mut b = a.clone();
            for (at, w) in edits {
                if at < b.len() { b[at] = w; } else { b.push(w); }
            }
            let text = |ws: &[usize]| ws.iter().map(|&w| VOCAB[w % VOCAB.len()]).collect::<Vec<_>>().join(" ");
            let (ta, tb) = (text(&a), text(&b));
            let sim = sorted_jaccard(&word_set(&ta), &word_set(&tb));
            if sim >= threshold {
                proptest::prop_assert!(WordSketch::of(&ta).may_reach(&WordSketch::of(&tb), threshold), "{ta:?} / {tb:?}: {sim}");
            }
            proptest::prop_assert_eq!(WordSketch::of(&ta).is_empty(), word_set(&ta).is_empty());
        }

        /// The one-pass ASCII scan gives the words of the general one,
        /// whitespace of every kind included.
        #[test]
        fn ascii_words_match_words(text in "[ \t\n\r\x0b\x0c\x1c\x1fa-cA-C.!?,;`*\\[\\]()']{0,40}") {
            let mut a = Vec::new();
            ascii_words(text.as_bytes(), |w| a.push(w));
            let mut b = Vec::new();
            words(&text, |w| b.push(w));
            a.sort_unstable();
            b.sort_unstable();
            proptest::prop_assert_eq!(a, b);
        }
    }
}
