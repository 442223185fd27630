//! Source files and decoding.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::diagnostic::{Diagnostic, FileId};
use crate::span::{LineCol, LineIndex, Span};

/// A file's text with its line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as opened.
    pub path: PathBuf,
    /// Path shown to users: relative to the directory qbank was pointed at, with `/`.
    pub name: String,
    /// Decoded text, without a UTF-8 byte-order mark. Shared with the
    /// sections of the question model that are this text verbatim.
    pub text: Arc<str>,
    /// Last modification, in seconds since the Unix epoch: read from the
    /// open file when the bank is loaded with
    /// [`LoadOptions::modified_times`](crate::bank::LoadOptions::modified_times),
    /// else `None`.
    pub modified: Option<i64>,
    /// Built on first use: most files never need line numbers.
    lines: OnceLock<LineIndex>,
}

impl SourceFile {
    pub fn new(path: PathBuf, name: String, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path,
            name,
            text: text.into(),
            modified: None,
            lines: OnceLock::new(),
        }
    }

    /// The same file with its modification time.
    pub fn with_modified(mut self, modified: Option<i64>) -> Self {
        self.modified = modified;
        self
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines().line_col(&self.text, offset)
    }

    /// One-based line of a byte offset (clamped to the text), as
    /// [`line_col`](Self::line_col) gives it. Counts the lines before it
    /// rather than indexing the whole file, unless the index exists already:
    /// for an offset near the start (a question's front matter) that reads
    /// a few bytes.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.lines.get() {
            Some(index) => index.line_col(&self.text, offset).line,
            None => {
                let end = offset.min(self.text.len());
                let before = &self.text.as_bytes()[..end];
                before.iter().filter(|&&b| b == b'\n').count() + 1
            }
        }
    }
}

/// Decode bytes as UTF-8, dropping a byte-order mark: borrowed when they are
/// valid UTF-8 (almost every file). Invalid UTF-8 is replaced (so the rest of
/// the file can still be checked) and reported as `QB001` at the first bad byte.
pub fn decode<'a>(bytes: &'a [u8], file: FileId, diags: &mut Vec<Diagnostic>) -> Cow<'a, str> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(lossy(bytes, file, diags)),
    }
}

/// [`decode`] into the shared text a [`SourceFile`] holds: one copy, from
/// `bytes` (a reused read buffer) straight into its final allocation.
pub fn decode_shared(bytes: &[u8], file: FileId, diags: &mut Vec<Diagnostic>) -> Arc<str> {
    Arc::from(decode(bytes, file, diags).as_ref())
}

/// [`decode`] for bytes the caller owns: valid UTF-8 (almost every file) becomes
/// the `String` without a copy.
pub fn decode_owned(mut bytes: Vec<u8>, file: FileId, diags: &mut Vec<Diagnostic>) -> String {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => lossy(e.as_bytes(), file, diags),
    }
}

/// `text` with CRLF line endings as LF; borrowed when it holds no CR.
pub fn lf(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Invalid UTF-8: replaced, so the rest of the file can still be checked, and
/// reported as `QB001` at the first bad byte.
fn lossy(bytes: &[u8], file: FileId, diags: &mut Vec<Diagnostic>) -> String {
    let at = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let text = String::from_utf8_lossy(bytes).into_owned();
    // The lossy text is identical up to `at`; the bad sequence became U+FFFD (3 bytes).
    diags.push(
        Diagnostic::error("QB001", "the file is not valid UTF-8")
            .at(
                file,
                Span::new(at, at + 3),
                format!("invalid byte 0x{:02X}", bytes.get(at).copied().unwrap_or(0)),
            )
            .with_help("save the file as UTF-8 (most editors offer this under \"encoding\")"),
    );
    text
}

pub fn display_name(root: &Path, path: &Path) -> String {
    let rel = below(root, path).unwrap_or_else(|| path.strip_prefix(root).unwrap_or(path));
    shown(rel, path)
}

/// `rel` with `/` separators, or `path`'s file name when `rel` is empty.
fn shown(rel: &Path, path: &Path) -> String {
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        path.file_name().map_or_else(
            || path.to_string_lossy().into_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        s
    }
}

/// Whether a byte of a path's encoded bytes is a path separator (they are
/// ASCII on every platform).
pub(crate) fn is_separator_byte(b: u8) -> bool {
    b.is_ascii() && std::path::is_separator(char::from(b))
}

/// `path` relative to `root` by bytes, for the paths a walk of `root` makes
/// (`root`, a separator, then plain names): `None` for anything else, which
/// [`Path::strip_prefix`] then handles component by component.
fn below<'a>(root: &Path, path: &'a Path) -> Option<&'a Path> {
    let (r, p) = (
        root.as_os_str().as_encoded_bytes(),
        path.as_os_str().as_encoded_bytes(),
    );
    if r.is_empty() {
        return None;
    }
    let rest = p.strip_prefix(r)?;
    let sep = |b: &u8| is_separator_byte(*b);
    let rest = if r.last().is_some_and(sep) {
        rest
    } else {
        rest.split_first().filter(|(b, _)| sep(b))?.1
    };
    // Every name plain: no empty name (a doubled or trailing separator) and
    // no `.`, which components would drop.
    if rest.split(sep).any(|name| name.is_empty() || name == b".") {
        return None;
    }
    Some(Path::new(std::str::from_utf8(rest).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition the byte fast path must agree with.
    fn by_components(root: &Path, path: &Path) -> String {
        shown(path.strip_prefix(root).unwrap_or(path), path)
    }

    #[test]
    fn display_names_agree_with_component_stripping() {
        let cases = [
            ("content", "content/q/a.md"),
            ("content/", "content/q/a.md"),
            ("./content", "./content/q/a.md"),
            ("content", "content//q/a.md"),
            ("content", "content/./q/a.md"),
            ("content", "content/q/./a.md"),
            ("content", "content/q/a.md/"),
            ("content", "content/../x.md"),
            ("content", "contents/a.md"),
            ("content", "content"),
            ("content", "content/"),
            ("/", "/a/b.md"),
            ("", "a/b.md"),
            ("", "/a.md"),
            ("a/b", "c/d.md"),
            ("bank", "bank/blueprint.yaml"),
            ("bank", "bank/./blueprint.yaml"),
        ];
        for (root, path) in cases {
            let (root, path) = (Path::new(root), Path::new(path));
            assert_eq!(
                display_name(root, path),
                by_components(root, path),
                "{root:?} {path:?}"
            );
        }
        assert!(below(Path::new("content"), Path::new("content/q/a.md")).is_some());
    }

    proptest! {
        #[test]
        fn line_of_agrees_with_line_col(
            text in "(a|ä|\r|\n|\r\n){0,40}",
            offset in 0usize..200,
        ) {
            let file = SourceFile::new(PathBuf::from("q.md"), "q.md".into(), text);
            let counted = file.line_of(offset);
            let indexed = file.line_col(offset).line;
            prop_assert_eq!(counted, indexed);
            // With the index built, the same answer from it.
            prop_assert_eq!(file.line_of(offset), indexed);
        }

        #[test]
        fn display_names_agree_on_generated_paths(
            root in "[a./]{0,6}",
            rest in "[a./ä]{0,10}",
        ) {
            let path = format!("{root}{rest}");
            let (root, path) = (Path::new(&root), Path::new(&path));
            prop_assert_eq!(display_name(root, path), by_components(root, path));
        }
    }
}
