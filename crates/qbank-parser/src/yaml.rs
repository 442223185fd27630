//! YAML to JSON with source spans.
//!
//! Front matter and the blueprint are YAML. They are converted to
//! `serde_json::Value` (for JSON Schema validation) while the byte span of
//! every key and value is recorded under its JSON pointer, so each schema
//! error can point at the exact place in the author's file.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

use crate::diagnostic::{Diagnostic, FileId};
use crate::span::Span;

mod flat;

/// Deepest nesting accepted in YAML documents.
const MAX_DEPTH: usize = 64;

/// Spans of one node: its key (when it is a mapping value) and its value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeSpans {
    pub key: Option<Span>,
    pub value: Span,
}

/// JSON pointer (`/topics/0`) to spans.
///
/// The pointers are written one after another into one string, and the
/// records sorted by pointer once the document is read: a front matter has a
/// few dozen nodes, and this costs less than a string or a hash per node.
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    text: Vec<u8>,
    entries: Vec<(Ptr, NodeSpans)>,
}

/// A pointer written into a [`SpanMap`]'s text.
#[derive(Debug, Clone, Copy, Default)]
struct Ptr {
    start: u32,
    end: u32,
}

impl Ptr {
    /// The pointer's bytes in `text`.
    fn of(self, text: &[u8]) -> &[u8] {
        &text[self.start as usize..self.end as usize]
    }
}

/// One step down from a node: an item's index or a key.
enum Step<'a> {
    Index(usize),
    Key(&'a str),
}

impl SpanMap {
    fn text_of(&self, p: Ptr) -> &[u8] {
        p.of(&self.text)
    }

    /// Write the pointer to `step` below `parent`.
    fn child(&mut self, parent: Ptr, step: Step<'_>) -> Ptr {
        let start = self.text.len();
        self.text
            .extend_from_within(parent.start as usize..parent.end as usize);
        self.text.push(b'/');
        match step {
            Step::Index(i) => self
                .text
                .extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
            Step::Key(k) => self.text.extend_from_slice(escape_pointer(k).as_bytes()),
        }
        Ptr {
            start: start as u32,
            end: self.text.len() as u32,
        }
    }

    /// Record `pointer`; a later record of the same pointer replaces it.
    fn insert(&mut self, pointer: Ptr, spans: NodeSpans) {
        self.entries.push((pointer, spans));
    }

    /// The latest record of `pointer`, while the document is read.
    fn latest(&self, pointer: Ptr) -> Option<NodeSpans> {
        let want = self.text_of(pointer);
        self.entries
            .iter()
            .rev()
            .find(|(p, _)| self.text_of(*p) == want)
            .map(|(_, n)| *n)
    }

    /// Once the document is read: sort by pointer, keeping the last record
    /// of each, for [`SpanMap::get`].
    fn finish(&mut self) {
        let text = &self.text;
        // Stable: records of one pointer stay in the order they came.
        self.entries.sort_by(|a, b| a.0.of(text).cmp(b.0.of(text)));
        self.entries.dedup_by(|later, kept| {
            let same = later.0.of(text) == kept.0.of(text);
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
    }

    /// Every pointer with its spans, in order (for tests).
    #[cfg(test)]
    fn pairs(&self) -> Vec<(String, NodeSpans)> {
        self.entries
            .iter()
            .map(|(p, n)| (String::from_utf8_lossy(self.text_of(*p)).into_owned(), *n))
            .collect()
    }

    pub fn get(&self, pointer: &str) -> Option<NodeSpans> {
        self.entries
            .binary_search_by(|(p, _)| self.text_of(*p).cmp(pointer.as_bytes()))
            .ok()
            .map(|i| self.entries[i].1)
    }

    /// The value span at `pointer`, or of its nearest recorded ancestor.
    pub fn value_or_parent(&self, pointer: &str) -> Option<Span> {
        let mut p = pointer;
        loop {
            if let Some(s) = self.get(p) {
                return Some(s.value);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// The key span at `pointer` if it has one, else the value span.
    pub fn key_or_value(&self, pointer: &str) -> Option<Span> {
        self.get(pointer)
            .map(|s| s.key.unwrap_or(s.value))
            .or_else(|| self.value_or_parent(pointer))
    }
}

/// A parsed YAML document.
#[derive(Debug, Clone)]
pub struct YamlDoc {
    pub value: Value,
    pub spans: SpanMap,
}

/// Escape one JSON pointer segment.
pub fn escape_pointer(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) {
        std::borrow::Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(segment)
    }
}

struct Collect {
    events: Vec<(Event, Marker)>,
}

impl MarkedEventReceiver for Collect {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        self.events.push((ev, mark));
    }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        pointer: Ptr,
        start: usize,
    },
    Map {
        map: Map<String, Value>,
        pointer: Ptr,
        start: usize,
        key: Option<(String, Span)>,
        /// Where each repeated key was first defined (for duplicate-key
        /// reports); empty unless a key repeats.
        key_spans: HashMap<String, Span>,
    },
}

impl Frame {
    /// The finished collection, its span (from its start to `end`) and its pointer.
    fn close(self, end: usize) -> (Value, Span, Option<Ptr>) {
        let (value, start, pointer) = match self {
            Frame::Seq {
                items,
                start,
                pointer,
            } => (Value::Array(items), start, pointer),
            Frame::Map {
                map,
                start,
                pointer,
                ..
            } => (Value::Object(map), start, pointer),
        };
        (value, Span::new(start, end.max(start)), Some(pointer))
    }
}

/// Parse `text` (which starts at byte `base` of the file) as one YAML document.
///
/// Problems are pushed to `diags` as `QB004` (syntax) or `QB007` (duplicate key).
/// Returns `None` when the text is not valid YAML.
pub fn parse(
    text: &str,
    base: usize,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Option<YamlDoc> {
    flat::parse(text, base).or_else(|| parse_events(text, base, file, diags))
}

/// [`parse`] through yaml-rust2's events: any YAML.
fn parse_events(
    text: &str,
    base: usize,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Option<YamlDoc> {
    // yaml-rust2 reports positions in characters; map them to bytes (the
    // same numbers in ASCII text, the usual case).
    let char_to_byte: Vec<usize> = if text.is_ascii() {
        Vec::new()
    } else {
        text.char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect()
    };
    let to_byte = |m: &Marker| -> usize {
        if char_to_byte.is_empty() {
            base + m.index().min(text.len())
        } else {
            base + char_to_byte.get(m.index()).copied().unwrap_or(text.len())
        }
    };
    // The first character boundary at or after `byte` (spans must never split
    // a character: a replacement character from invalid UTF-8 is 3 bytes).
    let ceil = |byte: usize| -> usize {
        let mut rel = byte.saturating_sub(base).min(text.len());
        while !text.is_char_boundary(rel) {
            rel += 1;
        }
        base + rel
    };
    let line_end = |byte: usize| -> usize {
        let rel = byte.saturating_sub(base).min(text.len());
        base + text[rel..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| rel + i)
    };

    let mut collect = Collect {
        events: Vec::with_capacity(64),
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut collect, false) {
        let at = to_byte(e.marker());
        let info = e.info().to_string();
        diags.push(
            Diagnostic::error("QB004", format!("invalid YAML: {info}"))
                .at(file, Span::new(at, ceil(at + 1).min(line_end(at))), info)
                .with_help(
                    "front matter is YAML: `key: value` pairs, lists as `[a, b]` or `- item` lines",
                ),
        );
        return None;
    }

    let mut spans = SpanMap::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    let mut ok = true;

    for (ev, mark) in collect.events {
        let at = to_byte(&mark);
        // The node produced by this event, if it completes one, and the
        // pointer a collection wrote for itself when it started.
        let node: Option<(Value, Span, Option<Ptr>)> = match ev {
            Event::Scalar(s, style, _, _) => {
                let raw_len = match style {
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => s.len() + 2,
                    _ => s.len().max(1),
                };
                let end = ceil(at + raw_len).min(line_end(at)).max(at);
                let value = if matches!(style, TScalarStyle::Plain) {
                    resolve_plain(s)
                } else {
                    Value::String(s)
                };
                Some((value, Span::new(at, end), None))
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    diags.push(Diagnostic::error("QB004", "YAML nesting is too deep").at(
                        file,
                        Span::new(at, ceil(at + 1)),
                        format!("more than {MAX_DEPTH} levels"),
                    ));
                    return None;
                }
                let pointer =
                    match child_pointer(&stack, &mut spans) {
                        Ok(p) => p,
                        Err(()) => {
                            diags.push(
                                Diagnostic::error("QB004", "a mapping key must be a plain value")
                                    .at(file, Span::new(at, ceil(at + 1)), "complex key"),
                            );
                            return None;
                        }
                    };
                if matches!(ev, Event::SequenceStart(..)) {
                    stack.push(Frame::Seq {
                        items: Vec::new(),
                        pointer,
                        start: at,
                    });
                } else {
                    stack.push(Frame::Map {
                        map: Map::new(),
                        pointer,
                        start: at,
                        key: None,
                        key_spans: HashMap::new(),
                    });
                }
                None
            }
            // The parser pairs every end with its start.
            Event::SequenceEnd | Event::MappingEnd => stack.pop().map(|f| f.close(at)),
            Event::Alias(_) => {
                diags.push(
                    Diagnostic::error("QB004", "YAML aliases are not supported")
                        .at(file, Span::new(at, line_end(at).max(ceil(at + 1))), "alias")
                        .with_help("write the value out in full instead of using `*alias`"),
                );
                ok = false;
                Some((Value::Null, Span::new(at, ceil(at + 1)), None))
            }
            _ => None,
        };

        let Some((value, span, own)) = node else {
            continue;
        };
        match stack.last_mut() {
            None => {
                spans.insert(
                    Ptr::default(),
                    NodeSpans {
                        key: None,
                        value: span,
                    },
                );
                root = Some(value);
            }
            Some(Frame::Seq { items, pointer, .. }) => {
                let p = own.unwrap_or_else(|| spans.child(*pointer, Step::Index(items.len())));
                spans.insert(
                    p,
                    NodeSpans {
                        key: None,
                        value: span,
                    },
                );
                items.push(value);
            }
            Some(Frame::Map {
                map,
                pointer,
                key,
                key_spans,
                ..
            }) => match key.take() {
                None => {
                    let k = match value {
                        Value::String(s) => s,
                        Value::Null => "null".to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => {
                            ok = false;
                            diags.push(
                                Diagnostic::error("QB004", "a mapping key must be a plain value")
                                    .at(file, span, "complex key"),
                            );
                            continue;
                        }
                    };
                    *key = Some((k, span));
                }
                Some((k, kspan)) => {
                    // A repeated key is reported; as in most YAML parsers the
                    // last value stays (its children's spans are the ones recorded).
                    let p = own.unwrap_or_else(|| spans.child(*pointer, Step::Key(&k)));
                    if map.contains_key(&k) {
                        // The first definition's key span: recorded under the
                        // pointer until this repeat replaces it, so kept aside
                        // at the first repeat.
                        let first = *key_spans.entry(k.clone()).or_insert_with(|| {
                            spans.latest(p).and_then(|n| n.key).unwrap_or(kspan)
                        });
                        diags.push(
                            Diagnostic::error("QB007", format!("duplicate key `{k}`"))
                                .at(file, kspan, "repeated here")
                                .also(file, first, "first defined here")
                                .with_help("a key may appear once; remove one of them"),
                        );
                    }
                    spans.insert(
                        p,
                        NodeSpans {
                            key: Some(kspan),
                            value: span,
                        },
                    );
                    map.insert(k, value);
                }
            },
        }
    }
    if !ok {
        return None;
    }
    spans.finish();
    Some(YamlDoc {
        value: root.unwrap_or(Value::Null),
        spans,
    })
}

/// The pointer of a collection that starts here, written into `spans`.
fn child_pointer(stack: &[Frame], spans: &mut SpanMap) -> Result<Ptr, ()> {
    Ok(match stack.last() {
        None => Ptr::default(),
        Some(Frame::Seq { items, pointer, .. }) => spans.child(*pointer, Step::Index(items.len())),
        Some(Frame::Map { pointer, key, .. }) => match key {
            Some((k, _)) => spans.child(*pointer, Step::Key(k)),
            None => return Err(()),
        },
    })
}

/// The value of a plain scalar, as yaml-rust2 resolves it (null, booleans,
/// integers, floats, else a string).
fn resolve_plain(s: String) -> Value {
    // Fast path, same result: yaml-rust2 reads a plain scalar as a number
    // only if it has a digit, and the other non-strings are these words.
    let special = matches!(
        s.as_str(),
        "" | "~"
            | "null"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    );
    if !special && !s.bytes().any(|b| b.is_ascii_digit()) {
        return Value::String(s);
    }
    resolve_with_yaml(s)
}

/// yaml-rust2's resolution of a plain scalar.
fn resolve_with_yaml(s: String) -> Value {
    match Yaml::from_str(&s) {
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(s), Value::Number),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Null => Value::Null,
        _ => Value::String(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_as_yaml_rust2_does() {
        for s in [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "FALSE",
            "yes",
            "no",
            "on",
            "off",
            "inf",
            "Infinity",
            "nan",
            "NaN",
            ".inf",
            "+.inf",
            "-.INF",
            ".nan",
            ".NaN",
            ".NAN",
            "1",
            "-1",
            "+1",
            "0x1F",
            "0o17",
            "1e5",
            "1.5",
            ".5",
            "1_000",
            "1.0.0",
            "v1",
            "mlops",
            "lifecycle-promotion",
            "https://docs.databricks.com/",
            "e",
            "E",
            "x",
            "-",
            "+",
            ".",
            "0",
            "00",
            "é",
            "1é",
        ] {
            assert_eq!(
                resolve_plain(s.to_string()),
                resolve_with_yaml(s.to_string()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_pointer_recorded_twice_keeps_the_last_record() {
        let mut m = SpanMap::default();
        let n = |a| NodeSpans {
            key: None,
            value: Span::new(a, a + 1),
        };
        let root = Ptr::default();
        let b = m.child(root, Step::Key("b"));
        m.insert(b, n(1));
        let a = m.child(root, Step::Key("a"));
        m.insert(a, n(2));
        let b2 = m.child(root, Step::Key("b"));
        m.insert(b2, n(3));
        assert_eq!(m.latest(b).map(|s| s.value.start), Some(3), "while reading");
        m.insert(b, n(4));
        let item = m.child(a, Step::Index(120));
        m.insert(item, n(5));
        let odd = m.child(root, Step::Key("x/y~z"));
        m.insert(odd, n(6));
        m.finish();
        assert_eq!(m.get("/b").map(|s| s.value.start), Some(4));
        assert_eq!(m.get("/a").map(|s| s.value.start), Some(2));
        assert_eq!(m.get("/a/120").map(|s| s.value.start), Some(5));
        assert_eq!(m.get("/x~1y~0z").map(|s| s.value.start), Some(6));
        assert_eq!(m.get("/c").map(|s| s.value.start), None);
        assert_eq!(m.entries.len(), 4);
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "id: abc\ntopics: [x, 'y']\n";
        let mut d = Vec::new();
        let doc = parse(text, 10, FileId(0), &mut d).expect("valid");
        assert!(d.is_empty());
        let id = doc.spans.get("/id").expect("id");
        assert_eq!(id.key, Some(Span::new(10, 12)));
        assert_eq!(id.value, Span::new(14, 17));
        let y = doc.spans.get("/topics/1").expect("topic");
        assert_eq!(&text[y.value.start - 10..y.value.end - 10], "'y'");
        assert_eq!(doc.value["topics"][1], "y");
    }

    /// Regression (fuzz `parse_question`): an error at a multi-byte character
    /// (here U+FFFD, which replaced an invalid byte) gave a span ending inside it.
    #[test]
    fn spans_never_split_a_character() {
        for text in [
            "a:\n  - b\n \u{fffd}- c\n",
            "\u{e9}: [\n",
            "a: \"\\u00e9\u{e9}\u{e9}\"\n",
            "- \u{1f600}\n",
        ] {
            let mut d = Vec::new();
            let doc = parse(text, 0, FileId(0), &mut d);
            let mut spans: Vec<Span> = d
                .iter()
                .filter_map(|d| d.primary.as_ref())
                .map(|l| l.span)
                .collect();
            if let Some(doc) = doc {
                spans.extend(
                    doc.spans
                        .entries
                        .iter()
                        .flat_map(|(_, s)| s.key.into_iter().chain([s.value])),
                );
            }
            for s in spans {
                assert!(
                    s.end <= text.len()
                        && text.is_char_boundary(s.start)
                        && text.is_char_boundary(s.end),
                    "{text:?}: {s:?}"
                );
            }
        }
    }

    #[test]
    fn duplicate_keys_and_syntax_errors() {
        let mut d = Vec::new();
        parse("a: 1\na: 2\n", 0, FileId(0), &mut d);
        assert_eq!(d[0].code, "QB007");
        // The last value stays, and the recorded spans are its own; the report
        // names the first definition, also for a third repeat.
        let text = "t: [a]\nt: [b, c]\nt: [d, e]\n";
        let mut d = Vec::new();
        let doc = parse(text, 0, FileId(0), &mut d).expect("parsed");
        assert_eq!(doc.value["t"], serde_json::json!(["d", "e"]));
        let e = doc.spans.get("/t/1").expect("span").value;
        assert_eq!(&text[e.start..e.end], "e");
        assert_eq!(d.len(), 2);
        for x in &d {
            let first = x.secondary[0].span;
            assert_eq!((first.start, first.end), (0, 1), "{x:?}");
        }
        let mut d = Vec::new();
        assert!(parse("a: [b\nc: d", 0, FileId(0), &mut d).is_none());
        assert_eq!(d[0].code, "QB004");
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "é: 'ü'\n";
        let mut d = Vec::new();
        let doc = parse(text, 0, FileId(0), &mut d).expect("valid");
        let s = doc.spans.get("/é").expect("key");
        assert_eq!(&text[s.value.start..s.value.end], "'ü'");
    }
}
