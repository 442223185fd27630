//! The typed question model. Every element carries the byte span it came from.

use std::ops::{Deref, Range};
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::FileId;
use crate::span::Span;

/// A value with the span of its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Draft,
    Review,
    Published,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
        }
    }
}

/// A lint exception from the front matter `allow:` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    pub rule: Spanned<String>,
    pub reason: String,
}

/// Typed front matter. Fields that are missing or invalid are `None` or empty;
/// the parser has reported them already.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub id: Option<Spanned<String>>,
    pub domain: Option<Spanned<String>>,
    pub topics: Vec<Spanned<String>>,
    pub difficulty: Option<Difficulty>,
    pub status: Option<Status>,
    pub references: Vec<Spanned<String>>,
    pub allow: Vec<Allow>,
    /// The whole block, from the opening `---` to the closing `---`.
    pub span: Span,
}

/// One answer option: a task-list item.
#[derive(Debug, Clone)]
pub struct AnswerOption {
    /// The whole list item.
    pub span: Span,
    /// `[x]` or `[ ]`.
    pub marker: Span,
    pub is_key: bool,
    /// The option's Markdown (without the marker and the rationale): the
    /// file's text itself when it is one line, else de-indented.
    pub text: Text,
    pub text_span: Span,
    pub rationale: Option<Section>,
}

/// A region of Markdown with its source span.
#[derive(Debug, Clone)]
pub struct Section {
    pub span: Span,
    /// Markdown source. For the stem and explanation this is exactly the
    /// source text of `span`; option texts and rationales are de-indented and
    /// unquoted, with `\n` line endings.
    pub markdown: Text,
}

/// Text held by the model: its own string, or a range of the file's text
/// when it is that text verbatim (a stem, an explanation), so a bank does
/// not keep it twice. Reads as a `str`.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Owned(String),
    Shared(Arc<str>, u32, u32),
}

impl Text {
    /// `range` of the shared file text `source`.
    pub fn shared(source: &Arc<str>, range: Range<usize>) -> Text {
        match (u32::try_from(range.start), u32::try_from(range.end)) {
            (Ok(a), Ok(b)) if source.get(range.clone()).is_some() => {
                Text(Repr::Shared(Arc::clone(source), a, b))
            }
            _ => Text(Repr::Owned(
                source.get(range).unwrap_or_default().to_string(),
            )),
        }
    }

    // Inline across crates: the rules read option text through this on
    // every question, and a call per read showed in profiles.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Owned(s) => s,
            Repr::Shared(src, a, b) => src.get(*a as usize..*b as usize).unwrap_or_default(),
        }
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Repr::Owned(s))
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// As a string: the model's debug output does not show how text is held.
impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[derive(Debug, Clone)]
pub struct Explanation {
    /// The `## Explanation` heading.
    pub heading: Span,
    /// The body; `None` when the heading has nothing under it.
    pub body: Option<Section>,
}

/// Where in a question an element sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Stem,
    /// Option text, by index.
    Option(usize),
    /// Option rationale, by index.
    Rationale(usize),
    Explanation,
    /// Anywhere else (misplaced content).
    Other,
}

#[derive(Debug, Clone)]
pub struct CodeBlock {
    pub lang: Option<String>,
    /// The block's code, with `\n` line endings.
    pub code: Text,
    pub span: Span,
    pub part: Part,
}

#[derive(Debug, Clone)]
pub struct Image {
    pub url: String,
    pub span: Span,
    pub part: Part,
    /// The file on disk, for local images that exist.
    pub resolved: Option<PathBuf>,
}

/// Raw HTML in the Markdown (a block or inline tag, or a comment).
#[derive(Debug, Clone)]
pub struct RawHtml {
    pub html: String,
    pub span: Span,
    pub part: Part,
}

/// An inline lint exception: `<!-- qbank-allow QB403: reason -->`.
/// It covers findings of that rule on the next non-blank line.
#[derive(Debug, Clone)]
pub struct InlineAllow {
    pub rule: String,
    pub reason: String,
    pub span: Span,
    /// One-based line the exception applies to.
    pub target_line: usize,
}

/// A parsed question file.
#[derive(Debug, Clone)]
pub struct Question {
    pub file: FileId,
    pub front: FrontMatter,
    pub stem: Option<Section>,
    pub options: Vec<AnswerOption>,
    pub options_span: Option<Span>,
    pub explanation: Option<Explanation>,
    pub code_blocks: Vec<CodeBlock>,
    pub images: Vec<Image>,
    pub html: Vec<RawHtml>,
    pub inline_allows: Vec<InlineAllow>,
    /// Where the Markdown body starts (after the front matter).
    pub body_start: usize,
    /// The HTML of the parts, when the parser was asked for it
    /// ([`LoadOptions::html`](crate::LoadOptions::html)) and the question has
    /// no images (each export renders those with its own image URLs).
    pub rendered: Option<Arc<crate::html::QuestionHtml>>,
}

impl Question {
    pub fn id(&self) -> Option<&str> {
        self.front.id.as_ref().map(|s| s.value.as_str())
    }

    pub fn status(&self) -> Status {
        self.front.status.unwrap_or(Status::Draft)
    }

    pub fn is_published(&self) -> bool {
        self.status() == Status::Published
    }

    pub fn keys(&self) -> impl Iterator<Item = (usize, &AnswerOption)> {
        self.options.iter().enumerate().filter(|(_, o)| o.is_key)
    }

    #[inline]
    pub fn key_count(&self) -> usize {
        self.options.iter().filter(|o| o.is_key).count()
    }

    /// The regions of text a reader sees, with their part: stem, each option,
    /// each rationale, the explanation.
    pub fn parts(&self) -> Vec<(Part, Span)> {
        let mut v = Vec::with_capacity(2 + 2 * self.options.len());
        if let Some(s) = &self.stem {
            v.push((Part::Stem, s.span));
        }
        for (i, o) in self.options.iter().enumerate() {
            v.push((Part::Option(i), o.text_span));
            if let Some(r) = &o.rationale {
                v.push((Part::Rationale(i), r.span));
            }
        }
        if let Some(Explanation { body: Some(b), .. }) = &self.explanation {
            v.push((Part::Explanation, b.span));
        }
        v
    }

    /// The part that contains a byte offset.
    pub fn part_at(&self, offset: usize) -> Part {
        part_in(&self.parts(), offset)
    }
}

/// The part of `parts` (as from [`Question::parts`]) that contains a byte offset.
pub fn part_in(parts: &[(Part, Span)], offset: usize) -> Part {
    parts
        .iter()
        .find(|(_, s)| s.contains(offset))
        .map_or(Part::Other, |(p, _)| *p)
}

/// Option letter for an index: A, B, … Z, then AA, AB, …
pub fn letter(index: usize) -> String {
    let mut s = String::new();
    push_letter(&mut s, index);
    s
}

/// [`letter`], written at the end of `out` (bijective base 26: the letters
/// before the last are the letter of `index / 26 - 1`).
pub fn push_letter(out: &mut String, index: usize) {
    if index >= 26 {
        push_letter(out, index / 26 - 1);
    }
    out.push(char::from(b'A' + (index % 26) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_count_in_bijective_base_26() {
        let cases = [
            (0, "A"),
            (1, "B"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (51, "AZ"),
            (52, "BA"),
            (701, "ZZ"),
            (702, "AAA"),
        ];
        for (i, l) in cases {
            assert_eq!(letter(i), l, "{i}");
        }
        let mut s = String::from("x");
        push_letter(&mut s, 27);
        assert_eq!(s, "xAB", "written after what is there");
    }
}
