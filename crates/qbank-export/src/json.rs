//! `bank.json`: the whole bank as data, described by `schema/bank.schema.json`.

use std::path::{Path, PathBuf};

use qbank_parser::{letter, Question};
use std::io::Write;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use std::borrow::Cow;

use crate::{ExportError, Exporter, FormatId, Input};

/// Version of the `bank.json` layout; bumped on incompatible changes.
pub const FORMAT_VERSION: u32 = 1;

pub struct JsonExporter;

/// Markdown as written (line endings normalised) and as rendered.
#[derive(Serialize)]
struct Md<'a> {
    markdown: Cow<'a, str>,
    html: &'a str,
}

fn md<'a>(markdown: &'a str, html: &'a str) -> Md<'a> {
    Md {
        markdown: qbank_parser::source::lf(markdown),
        html,
    }
}

#[derive(Serialize)]
struct OptionJson<'a> {
    #[serde(flatten)]
    text: Md<'a>,
    letter: String,
    is_key: bool,
    rationale: Option<Md<'a>>,
}

#[derive(Serialize)]
struct Named<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct Key {
    indices: Vec<usize>,
    letters: Vec<String>,
}

#[derive(Serialize)]
struct Source<'a> {
    path: &'a str,
    line: usize,
}

/// One question of `bank.json`, borrowing the model and the rendered HTML.
/// Field order is the document's.
#[derive(Serialize)]
struct QuestionJson<'a> {
    id: &'a str,
    domain: Named<'a>,
    topics: Vec<Named<'a>>,
    difficulty: Option<&'static str>,
    status: &'static str,
    multiple_response: bool,
    stem: Md<'a>,
    options: Vec<OptionJson<'a>>,
    key: Key,
    explanation: Option<Md<'a>>,
    references: Vec<&'a str>,
    source: Source<'a>,
}

/// Build one question's JSON view and hand it to `f` (the view borrows
/// locals, so it cannot be returned).
fn with_question<R>(input: &Input<'_>, q: &Question, f: impl FnOnce(&QuestionJson<'_>) -> R) -> R {
    let keep = |u: &str| u.to_string();
    let r = input.html(q, &keep);
    let (domain_id, domain_name) = input.domain_of(q);
    let domain_name = domain_name.unwrap_or_default();
    let topics = input
        .topics_of(q)
        .into_iter()
        .map(|(id, name)| Named {
            id,
            name: name.unwrap_or_default(),
        })
        .collect();
    let options = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| OptionJson {
            text: md(&o.text, &r.options[i]),
            letter: letter(i),
            is_key: o.is_key,
            rationale: o
                .rationale
                .as_ref()
                .zip(r.rationales[i].as_deref())
                .map(|(ra, h)| md(&ra.markdown, h)),
        })
        .collect();
    let indices: Vec<usize> = q.keys().map(|(i, _)| i).collect();
    let letters = indices.iter().map(|&i| letter(i)).collect();
    let src = input.bank.file(q.file);
    let view = QuestionJson {
        id: q.id().unwrap_or_default(),
        domain: Named {
            id: &domain_id,
            name: &domain_name,
        },
        topics,
        difficulty: q.front.difficulty.map(|d| d.as_str()),
        status: q.status().as_str(),
        multiple_response: indices.len() > 1,
        stem: md(q.stem.as_ref().map_or("", |s| s.markdown.as_str()), &r.stem),
        options,
        key: Key { indices, letters },
        explanation: q
            .explanation
            .as_ref()
            .and_then(|e| e.body.as_ref())
            .zip(r.explanation.as_deref())
            .map(|(b, h)| md(&b.markdown, h)),
        references: q
            .front
            .references
            .iter()
            .map(|r| r.value.as_str())
            .collect(),
        source: Source {
            path: &src.name,
            line: src.line_of(q.front.span.start),
        },
    };
    f(&view)
}

/// One question as JSON.
pub fn question_json(input: &Input<'_>, q: &Question) -> Value {
    with_question(input, q, |v| serde_json::to_value(v).unwrap_or_default())
}

/// Everything but the questions.
fn head_json(input: &Input<'_>) -> Value {
    let bp = input.blueprint;
    let e = &bp.exam;
    json!({
        "format_version": FORMAT_VERSION,
        "generator": format!("qbank {}", env!("CARGO_PKG_VERSION")),
        "exam": {
            "id": e.id, "name": e.name, "guide_version": e.guide_version, "guide_date": e.guide_date,
            "questions": e.questions, "minutes": e.minutes, "passing_score": e.passing_score,
            "options_per_question": e.options_per_question, "url": e.url,
        },
        "domains": bp.domains.iter().map(|d| json!({
            "id": d.id, "name": d.name, "weight": d.weight,
            "topics": d.topics.iter().map(|t| json!({"id": t.id, "name": t.name, "min": t.min})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "coverage": input.coverage,
    })
}

/// The complete document as one value (what `bank.json` holds).
pub fn bank_json(input: &Input<'_>) -> Value {
    let mut doc = head_json(input);
    doc["questions"] = input
        .questions
        .par_iter()
        .map(|q| question_json(input, q))
        .collect::<Vec<_>>()
        .into();
    doc
}

/// serde_json's pretty layout (two-space indent), written straight into a
/// buffer: how each question of `bank.json` is streamed.
///
/// The questions' Markdown and HTML are most of the document (60 MB at 10,000
/// questions), and serde_json escapes a string one byte at a time; here
/// strings are escaped by `json-escape-simd`, sixteen or thirty-two bytes at a
/// time, with the same output. [`QuestionJson`]'s `Serialize` stays the
/// reference: [`bank_json`] uses it, and the tests check that both give the
/// same document byte for byte.
struct Pretty<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    /// No member written yet in the innermost open object or array.
    empty: bool,
}

impl<'o> Pretty<'o> {
    /// A writer for a value that starts `depth` levels deep.
    fn new(out: &'o mut Vec<u8>, depth: usize) -> Pretty<'o> {
        Pretty {
            out,
            depth,
            empty: false,
        }
    }

    /// A line break, indented to the current depth.
    fn indent(&mut self) {
        self.out.push(b'\n');
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// The start of the next member: after a comma unless it is the first.
    fn new_line(&mut self) {
        if !self.empty {
            self.out.push(b',');
        }
        self.indent();
        self.empty = false;
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.empty = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.empty {
            self.indent();
        }
        self.out.push(bracket);
        // The enclosing object or array has this value as a member.
        self.empty = false;
    }

    /// The next member's key (a plain identifier: written as it is).
    fn key(&mut self, key: &str) {
        self.new_line();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// Start this value as an item of an array: after a comma unless it is
    /// the `first`, on its own line.
    fn item(mut self, first: bool) -> Self {
        self.empty = first;
        self.new_line();
        self
    }

    fn str(&mut self, s: &str) {
        json_escape_simd::escape_into(s, self.out);
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    fn bool(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    fn usize(&mut self, n: usize) {
        let _ = write!(self.out, "{n}");
    }

    fn md(&mut self, m: &Md<'_>) {
        self.key("markdown");
        self.str(&m.markdown);
        self.key("html");
        self.str(m.html);
    }

    fn md_object(&mut self, m: &Md<'_>) {
        self.open(b'{');
        self.md(m);
        self.close(b'}');
    }

    fn opt_md(&mut self, m: Option<&Md<'_>>) {
        match m {
            Some(m) => self.md_object(m),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    fn named(&mut self, n: &Named<'_>) {
        self.open(b'{');
        self.key("id");
        self.str(n.id);
        self.key("name");
        self.str(n.name);
        self.close(b'}');
    }

    /// An array of `items`, each written by `each`.
    fn list<T>(&mut self, items: &[T], each: impl Fn(&mut Self, &T)) {
        self.open(b'[');
        for x in items {
            self.new_line();
            each(self, x);
        }
        self.close(b']');
    }

    /// One question, member by member in [`QuestionJson`]'s order.
    fn question(&mut self, q: &QuestionJson<'_>) {
        self.open(b'{');
        self.key("id");
        self.str(q.id);
        self.key("domain");
        self.named(&q.domain);
        self.key("topics");
        self.list(&q.topics, Self::named);
        self.key("difficulty");
        self.opt_str(q.difficulty);
        self.key("status");
        self.str(q.status);
        self.key("multiple_response");
        self.bool(q.multiple_response);
        self.key("stem");
        self.md_object(&q.stem);
        self.key("options");
        self.list(&q.options, |w, o| {
            w.open(b'{');
            w.md(&o.text);
            w.key("letter");
            w.str(&o.letter);
            w.key("is_key");
            w.bool(o.is_key);
            w.key("rationale");
            w.opt_md(o.rationale.as_ref());
            w.close(b'}');
        });
        self.key("key");
        self.open(b'{');
        self.key("indices");
        self.list(&q.key.indices, |w, &i| w.usize(i));
        self.key("letters");
        self.list(&q.key.letters, |w, l| w.str(l));
        self.close(b'}');
        self.key("explanation");
        self.opt_md(q.explanation.as_ref());
        self.key("references");
        self.list(&q.references, |w, r| w.str(r));
        self.key("source");
        self.open(b'{');
        self.key("path");
        self.str(q.source.path);
        self.key("line");
        self.usize(q.source.line);
        self.close(b'}');
        self.close(b'}');
    }
}

/// Write `bank.json` exactly as `serde_json::to_writer_pretty(bank_json(..))`
/// would, streaming the questions chunk by chunk, each chunk on every core.
pub fn write_bank_json(input: &Input<'_>, w: &mut dyn Write) -> std::io::Result<()> {
    write_in_chunks(input, w, crate::CHUNK)
}

fn write_in_chunks(input: &Input<'_>, w: &mut dyn Write, chunk_len: usize) -> std::io::Result<()> {
    let head = serde_json::to_string_pretty(&head_json(input))?;
    // The head ends with "\n}"; the questions array is the last member.
    let head = head.strip_suffix("\n}").unwrap_or(&head);
    w.write_all(head.as_bytes())?;
    if input.questions.is_empty() {
        return w.write_all(b",\n  \"questions\": []\n}\n");
    }
    w.write_all(b",\n  \"questions\": [")?;
    for (c, chunk) in input.questions.chunks(chunk_len).enumerate() {
        let items: Vec<Vec<u8>> = chunk
            .par_iter()
            .enumerate()
            .map(|(i, q)| {
                // The Markdown and its HTML, escaped, are about twice the
                // file; the escaper wants room for six times a string.
                let mut out = Vec::with_capacity(2 * input.source_text(q).len() + (8 << 10));
                // Each item carries its separator and indentation: an item
                // of the `questions` array, two levels deep.
                let mut item = Pretty::new(&mut out, 2).item(c == 0 && i == 0);
                with_question(input, q, |v| item.question(v));
                out
            })
            .collect();
        write_all_vectored(w, &items)?;
    }
    w.write_all(b"\n  ]\n}\n")
}

/// Write every buffer in `bufs`, in order, in as few calls as the writer
/// takes: a file gets them in one `writev` each time (a `BufWriter` passes
/// writes larger than its buffer straight through), so the items are not
/// copied into a buffer first.
fn write_all_vectored(w: &mut dyn Write, bufs: &[Vec<u8>]) -> std::io::Result<()> {
    use std::io::IoSlice;
    // At most this many slices per call (Linux takes up to 1024).
    const MAX: usize = 512;
    for group in bufs.chunks(MAX) {
        let mut slices: Vec<IoSlice<'_>> = group
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| IoSlice::new(b))
            .collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match w.write_vectored(rest) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

impl Exporter for JsonExporter {
    fn id(&self) -> FormatId {
        FormatId::Json
    }

    fn export(&self, input: &Input<'_>, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        let path = dir.join("bank.json");
        let io = |e| ExportError::Io(path.clone(), e);
        let file = std::fs::File::create(&path).map_err(io)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        write_bank_json(input, &mut w).map_err(io)?;
        w.flush().map_err(io)?;
        Ok(vec![path])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes a few bytes per call, of the first slice only,
    /// and is interrupted every third call.
    struct Trickle {
        out: Vec<u8>,
        calls: usize,
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(5);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn vectored_writes_survive_short_and_interrupted_writes() {
        let bufs: Vec<Vec<u8>> = (0..700u32)
            .map(|i| format!("item {i};").repeat(i as usize % 4).into_bytes())
            .collect();
        let mut w = Trickle {
            out: Vec::new(),
            calls: 0,
        };
        write_all_vectored(&mut w, &bufs).expect("write");
        assert_eq!(w.out, bufs.concat());

        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Ok(0)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let err = write_all_vectored(&mut Full, &bufs).expect_err("a writer that takes nothing");
        assert_eq!(err.kind(), std::io::ErrorKind::WriteZero);
        // Nothing to write is not an error, even for that writer.
        write_all_vectored(&mut Full, &[Vec::new(), Vec::new()]).expect("empty buffers");
    }

    /// Every bank in the repository: the shipped content and the fixtures
    /// (the hostile bank has raw HTML, entities, quotes and backslashes).
    fn banks() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut banks = vec![root.join("content")];
        for b in ["clean-bank", "export-bank", "hostile-bank", "anki-bank"] {
            banks.push(root.join("tests/fixtures").join(b));
        }
        banks
    }

    #[test]
    fn chunks_join_into_the_whole_document() {
        for dir in banks() {
            let bank = qbank_parser::load(&dir).expect("bank loads");
            let opts = crate::BuildOptions {
                include_drafts: true,
                ..crate::BuildOptions::new("unused", vec![crate::FormatId::Json])
            };
            let input = crate::input(&bank, &opts).expect("input");
            assert!(!input.questions.is_empty(), "{}", dir.display());
            // serde_json's own rendering of the document is the reference.
            let whole = serde_json::to_string_pretty(&bank_json(&input)).expect("json") + "\n";
            // Chunks of one, of a few (the last one short), and all in one.
            for chunk_len in [1, 7, input.questions.len()] {
                let mut streamed = Vec::new();
                write_in_chunks(&input, &mut streamed, chunk_len).expect("write");
                let streamed = String::from_utf8(streamed).expect("utf-8");
                assert!(
                    streamed == whole,
                    "{} in chunks of {chunk_len}:\n{}",
                    dir.display(),
                    first_difference(&streamed, &whole)
                );
            }
        }
    }

    /// Where two documents part, with some context.
    fn first_difference(a: &str, b: &str) -> String {
        let at = a
            .bytes()
            .zip(b.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        let from = at.saturating_sub(80);
        format!(
            "streamed: {:?}\nserde:    {:?}",
            a.get(from..(at + 80).min(a.len())),
            b.get(from..(at + 80).min(b.len()))
        )
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut tricky: String = (0u8..0x80).map(char::from).collect();
        tricky.push_str("é ü ß Σ 中文 \u{2028}\u{2029} \u{feff} 😀 \\\\ \"\" </script>");
        // Every length around the escaper's block sizes, escapes at every
        // position of a block.
        for len in 0..tricky.len() {
            let Some(s) = tricky.get(..len) else { continue };
            for s in [s.to_string(), "a".repeat(len) + s, s.repeat(3)] {
                let mut out = Vec::new();
                Pretty::new(&mut out, 0).str(&s);
                assert_eq!(
                    String::from_utf8(out).expect("utf-8"),
                    serde_json::to_string(&s).expect("json"),
                    "{s:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in "\\PC*|[\\x00-\\x7f]{0,300}") {
            let mut out = Vec::new();
            Pretty::new(&mut out, 0).str(&s);
            proptest::prop_assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                serde_json::to_string(&s).expect("json")
            );
        }
    }

    #[test]
    fn empty_lists_and_missing_parts_are_laid_out_as_serde_json_does() {
        let md = Md {
            markdown: Cow::Borrowed("Which *one*?"),
            html: "<p>Which <em>one</em>?</p>",
        };
        let q = QuestionJson {
            id: "q",
            domain: Named { id: "", name: "" },
            topics: Vec::new(),
            difficulty: None,
            status: "draft",
            multiple_response: false,
            stem: md,
            options: Vec::new(),
            key: Key {
                indices: Vec::new(),
                letters: Vec::new(),
            },
            explanation: None,
            references: Vec::new(),
            source: Source {
                path: "q.md",
                line: 1,
            },
        };
        for depth in [0, 2] {
            let mut out = Vec::new();
            Pretty::new(&mut out, depth).question(&q);
            let reference = serde_json::to_string_pretty(&q)
                .expect("json")
                .replace('\n', &format!("\n{}", "  ".repeat(depth)));
            assert_eq!(String::from_utf8(out).expect("utf-8"), reference);
        }
    }
}
