//! Parser for qbank question banks.
//!
//! Data flows one way: files → [`parse_question`] → [`Bank`] (the bank model,
//! with the blueprint and configuration) → lint and export crates. This crate
//! never prints; it returns models and [`Diagnostic`]s with byte spans.

pub mod bank;
pub mod blueprint;
pub mod codes;
pub mod config;
pub mod coverage;
pub mod diagnostic;
pub mod html;
pub mod parse;
pub mod question;
pub mod schema;
pub mod source;
pub mod span;
pub mod yaml;

pub use bank::{load, load_with, Bank, Fatal, LoadOptions};
pub use blueprint::Blueprint;
pub use config::Config;
pub use diagnostic::{Diagnostic, FileId, Label, Severity};
pub use parse::parse_question;
pub use question::{letter, push_letter, AnswerOption, Part, Question, Spanned};
pub use source::SourceFile;
pub use span::{LineCol, Span};

/// Parse one file's bytes as a question (with `FileId(0)`), decoding it first,
/// with the HTML of its parts ([`Question::rendered`]). This is the entry
/// point the fuzzers use.
pub fn parse_bytes(
    path: &std::path::Path,
    bytes: &[u8],
) -> (SourceFile, Question, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text = source::decode_shared(bytes, FileId(0), &mut diags);
    let (q, d) = parse::parse_shared_with(FileId(0), path, &text, true);
    diags.extend(d);
    let name = path.to_string_lossy().into_owned();
    (SourceFile::new(path.to_path_buf(), name, text), q, diags)
}
