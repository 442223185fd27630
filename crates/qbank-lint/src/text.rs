//! Text helpers shared by rules.

use std::sync::LazyLock;

use regex::Regex;

/// Markdown reduced to what a reader sees, roughly: no code ticks, emphasis or link targets.
pub fn plain(md: &str) -> String {
    static LINK: LazyLock<Regex> = LazyLock::new(|| re(r"!?\[([^\]]*)\]\([^)]*\)"));
    let s = if md.contains('[') {
        LINK.replace_all(md, "$1")
    } else {
        std::borrow::Cow::Borrowed(md)
    };
    s.chars()
        .filter(|c| !matches!(c, '`' | '*'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Length in characters of what a reader sees.
pub fn visible_len(md: &str) -> usize {
    plain(md).chars().count()
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
}
