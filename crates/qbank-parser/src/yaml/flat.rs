//! Front matter in its everyday shape, read in one pass over its bytes.
//!
//! Almost every front matter is a flat mapping: plain keys, each with a plain
//! value, a flow list (`topics: [a, b]`) or a block list (`- item` lines).
//! [`parse`] reads exactly that shape and gives the value and spans that
//! yaml-rust2's events give for it (the tests compare the two on generated
//! documents, near misses included). Anything else returns `None` and goes to
//! yaml-rust2: quotes, comments, nesting, anchors, multi-line scalars, empty
//! values, a repeated key, tabs, carriage returns or non-ASCII text.

use serde_json::{Map, Value};

use super::{resolve_plain, NodeSpans, Ptr, SpanMap, Step, YamlDoc};
use crate::span::Span;

/// `text` (which starts at byte `base` of the file), when it has the flat shape.
pub(super) fn parse(text: &str, base: usize) -> Option<YamlDoc> {
    if !text.is_ascii() || text.contains(['\r', '\t']) {
        return None;
    }
    let b = text.as_bytes();
    let at = |i: usize| base + i;
    let mut map = Map::new();
    let mut spans = SpanMap {
        text: Vec::with_capacity(96),
        entries: Vec::with_capacity(24),
    };
    let root = Ptr::default();
    // Where the root mapping starts, as yaml-rust2 marks it: the first `:`.
    let mut first_colon = None;
    // A key whose value is a block list: its items so far.
    let mut list: Option<BlockList> = None;

    let mut i = 0;
    while i < b.len() {
        let end = b[i..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |n| i + n);
        let line = &b[i..end];
        let next = end + 1;
        if line.is_empty() {
            i = next;
            continue;
        }
        let indent = line.iter().take_while(|&&c| c == b' ').count();
        if let Some(item) = line[indent..].strip_prefix(b"- ") {
            // An item of the open list, at the list's indentation.
            let l = list.as_mut()?;
            if *l.indent.get_or_insert(indent) != indent {
                return None;
            }
            let pos = i + indent + 2;
            let s = plain(item, false)?;
            if l.items.is_empty() {
                // An indented list starts at its first `-`, one at the
                // key's indentation at its first item.
                l.start = at(if indent == 0 { pos } else { i + indent });
            }
            let p = spans.child(l.pointer, Step::Index(l.items.len()));
            spans.insert(p, node(None, at(pos), at(pos + s.len())));
            l.items.push(resolve_plain(s.to_string()));
            i = next;
            continue;
        }
        if indent > 0 {
            return None;
        }
        // `key:` or `key: value`, at the start of the line.
        if let Some(l) = list.take() {
            l.close(&mut map, &mut spans, at(i))?;
        }
        let colon = line.iter().position(|&c| c == b':')?;
        let key = &line[..colon];
        // yaml-rust2 gives up on a key whose `:` is more than 1,024
        // characters on.
        let key_ok = !key.is_empty()
            && key.len() <= 1024
            && key[0] != b'-'
            && key
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
        if !key_ok {
            return None;
        }
        let key = std::str::from_utf8(key).ok()?;
        let Value::String(key) = resolve_plain(key.to_string()) else {
            return None;
        };
        if map.contains_key(&key) {
            return None; // reported by the full reader
        }
        first_colon.get_or_insert(i + colon);
        let kspan = Span::new(at(i), at(i + colon));
        let pointer = spans.child(root, Step::Key(&key));
        let rest = &line[colon + 1..];
        if rest.is_empty() {
            list = Some(BlockList {
                key,
                kspan,
                pointer,
                indent: None,
                start: 0,
                items: Vec::new(),
            });
            i = next;
            continue;
        }
        let value = rest.strip_prefix(b" ")?;
        let vpos = i + colon + 2;
        if value.first() == Some(&b'[') {
            let (items, close) = flow_list(value)?;
            let mut values = Vec::with_capacity(items.len());
            for (n, (from, s)) in items.into_iter().enumerate() {
                let p = spans.child(pointer, Step::Index(n));
                spans.insert(p, node(None, at(vpos + from), at(vpos + from + s.len())));
                values.push(resolve_plain(s.to_string()));
            }
            // From `[` up to (not including) `]`.
            spans.insert(pointer, node(Some(kspan), at(vpos), at(vpos + close)));
            map.insert(key, Value::Array(values));
        } else {
            let s = plain(value, false)?;
            spans.insert(pointer, node(Some(kspan), at(vpos), at(vpos + s.len())));
            map.insert(key, resolve_plain(s.to_string()));
        }
        i = next;
    }
    if let Some(l) = list.take() {
        l.close(&mut map, &mut spans, at(b.len()))?;
    }
    let first_colon = first_colon?;
    spans.insert(root, node(None, at(first_colon), at(b.len())));
    spans.finish();
    Some(YamlDoc {
        value: Value::Object(map),
        spans,
    })
}

/// A key's block list while its items are read.
struct BlockList {
    key: String,
    kspan: Span,
    pointer: Ptr,
    indent: Option<usize>,
    /// Where the list starts in the file (set by its first item).
    start: usize,
    items: Vec<Value>,
}

impl BlockList {
    /// The finished list, ending where the next key starts (or the text
    /// ends). `None` for a key with no items: an empty value, which
    /// yaml-rust2 decides what it is.
    fn close(self, map: &mut Map<String, Value>, spans: &mut SpanMap, end: usize) -> Option<()> {
        if self.items.is_empty() {
            return None;
        }
        spans.insert(self.pointer, node(Some(self.kspan), self.start, end));
        map.insert(self.key, Value::Array(self.items));
        Some(())
    }
}

fn node(key: Option<Span>, start: usize, end: usize) -> NodeSpans {
    NodeSpans {
        key,
        value: Span::new(start, end),
    }
}

/// A plain scalar that is the whole of `s`, in the shape this reader takes:
/// it starts with a letter, digit, `.`, `/` or `_`, does not end in a space
/// or `:`, and holds no `#`, no `: ` and no brackets, braces or commas (and,
/// in a flow list, no `:` at all and no last word `-`, which YAML forbids
/// before `,` or `]`).
fn plain(s: &[u8], in_flow: bool) -> Option<&str> {
    let first = *s.first()?;
    let last = *s.last()?;
    if !(first.is_ascii_alphanumeric() || matches!(first, b'.' | b'/' | b'_'))
        || last == b' '
        || last == b':'
        || (in_flow && s.ends_with(b" -"))
    {
        return None;
    }
    for (n, &c) in s.iter().enumerate() {
        let bad = matches!(c, b'#' | b',' | b'[' | b']' | b'{' | b'}')
            || (c == b':' && (in_flow || s.get(n + 1) == Some(&b' ')));
        if bad || c.is_ascii_control() {
            return None;
        }
    }
    std::str::from_utf8(s).ok()
}

/// `[a, b]` (exactly that spacing) or `[]`, as the whole of `s`: each item's
/// offset in `s` and text, and the offset of `]`.
fn flow_list(s: &[u8]) -> Option<(Vec<(usize, &str)>, usize)> {
    let close = s.len() - 1;
    if s.get(close) != Some(&b']') || close == 0 {
        return None;
    }
    let inner = &s[1..close];
    let mut items = Vec::new();
    if inner.is_empty() {
        return Some((items, close));
    }
    let mut off = 1;
    for (n, part) in inner.split(|&c| c == b',').enumerate() {
        // Every item after the first follows `, `.
        let item = if n == 0 {
            part
        } else {
            part.strip_prefix(b" ")?
        };
        items.push((off + part.len() - item.len(), plain(item, true)?));
        off += part.len() + 1;
    }
    Some((items, close))
}

#[cfg(test)]
mod tests {
    use super::super::{parse_events, YamlDoc};
    use crate::diagnostic::FileId;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    /// Where the flat reader takes a document, it must give what the event
    /// reader gives.
    fn agree(text: &str) -> Result<bool, TestCaseError> {
        let Some(flat) = super::parse(text, 7) else {
            return Ok(false);
        };
        let mut diags = Vec::new();
        let full: Option<YamlDoc> = parse_events(text, 7, FileId(0), &mut diags);
        let full = full.ok_or_else(|| TestCaseError::fail(format!("{text:?}: not YAML")))?;
        prop_assert!(diags.is_empty(), "{text:?}: {diags:?}");
        prop_assert_eq!(&flat.value, &full.value, "{:?}", text);
        prop_assert_eq!(flat.spans.pairs(), full.spans.pairs(), "{:?}", text);
        Ok(true)
    }

    #[test]
    fn everyday_front_matter_is_read_flat_and_agrees() {
        for text in [
            "id: abc\ndomain: model-development\ntopics: [serving-strategy]\ndifficulty: easy\nstatus: published\nreferences:\n  - https://docs.databricks.com/aws/en/x/\n",
            "a: [x, y]\nb: []\nc:\n- p\n- q\nd: 1\n",
            "a: b\n\nc: d",
            "k:\n  - x\n  - y\n",
            "k:\n    - x\n\n    - y\nz: 2.5\n",
            "id: a-b\nn: 12\nf: 1.5e3\nt: true\nv: null\nurl: http://x.invalid/a?b=c&d=e\n",
            "topics: [a b, c]\nx: it's fine\n",
        ] {
            assert!(matches!(agree(text), Ok(true)), "{text:?}: {:?}", agree(text));
        }
        for text in [
            "",
            "a: 'quoted'\n",
            "a: b # comment\n",
            "a:\n  b: c\n",
            "a: b\na: c\n",
            "a:\nb: c\n",
            "a: b\n  continued\n",
            "a:\n  - x\n    more\n",
            "a: [x,y]\n",
            "a: x\r\n",
            "a:\tx\n",
            "é: x\n",
            "a:  x\n",
            "a: x \n",
            "v: ~\n",
        ] {
            assert!(
                matches!(agree(text), Ok(false)),
                "{text:?}: {:?}",
                agree(text)
            );
        }
    }

    /// Shapes that look flat but that YAML rejects: the flat reader must
    /// leave them to the event reader, which reports them.
    #[test]
    fn invalid_look_alikes_are_left_to_yaml_rust2() {
        for text in [
            "a: [x -]\n".to_string(),
            "a: [x -, y]\n".to_string(),
            format!("{}: x\n", "k".repeat(1025)),
            format!("id: q\n{}: x\n", "k".repeat(1025)),
        ] {
            assert!(super::parse(&text, 0).is_none(), "{text:?}");
            let mut diags = Vec::new();
            assert!(parse_events(&text, 0, FileId(0), &mut diags).is_none());
            assert_eq!(diags.first().map(|d| d.code), Some("QB004"), "{text:?}");
        }
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            12 => "[a-z0-9][a-z0-9./_-]{0,7}",
            3 => "[a-zA-Z0-9 ./_:#,'\"~!&*-]{0,10}",
            1 => Just("true".to_string()),
            1 => Just("null".to_string()),
            1 => Just("0x1f".to_string()),
            1 => Just("1e3".to_string()),
        ]
    }

    fn entry() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            20 => "[a-z][a-z0-9_-]{0,6}",
            1 => Just("1".to_string()),
            1 => Just("true".to_string()),
            1 => Just("-k".to_string()),
            1 => Just("k k".to_string()),
        ];
        let flow = (
            proptest::collection::vec(scalar(), 0..4),
            prop_oneof![8 => Just(", "), 1 => Just(","), 1 => Just(" , ")],
            prop_oneof![8 => Just(("[", "]")), 1 => Just(("[ ", " ]"))],
        )
            .prop_map(|(items, sep, (open, close))| format!("{open}{}{close}", items.join(sep)));
        let block = (
            prop_oneof![Just(0usize), Just(2), Just(4)],
            proptest::collection::vec(scalar(), 1..4),
            prop_oneof![8 => Just("- "), 1 => Just("-"), 1 => Just("-  ")],
            any::<bool>(),
        )
            .prop_map(|(indent, items, dash, blank)| {
                let pad = " ".repeat(indent);
                let mut s = String::new();
                for it in items {
                    s.push('\n');
                    if blank {
                        s.push('\n');
                    }
                    s.push_str(&format!("{pad}{dash}{it}"));
                }
                s
            });
        (
            key,
            prop_oneof![
                4 => scalar().prop_map(|s| format!(" {s}")),
                2 => flow.prop_map(|s| format!(" {s}")),
                2 => block,
                1 => Just(String::new()),
            ],
        )
            .prop_map(|(k, v)| format!("{k}:{v}"))
    }

    /// The generated documents below exercise both readers: a good share of
    /// them is read flat (else the comparison would prove little).
    #[test]
    fn generated_documents_are_often_flat() {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let docs = proptest::collection::vec(entry(), 1..6);
        let mut flat = 0;
        for _ in 0..500 {
            let text = docs
                .new_tree(&mut runner)
                .expect("a document")
                .current()
                .join("\n");
            flat += usize::from(super::parse(&text, 0).is_some());
        }
        assert!(flat > 50, "{flat} of 500 read flat");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn flat_reading_agrees_with_the_events(
            entries in proptest::collection::vec(entry(), 1..6),
            blank in any::<bool>(),
            trailing in prop_oneof![Just(""), Just("\n"), Just("\n\n"), Just(" ")],
            noise in proptest::option::of((any::<prop::sample::Index>(), "[ \\n:#\\[\\]'-a]")),
        ) {
            let mut text = entries.join(if blank { "\n\n" } else { "\n" });
            text.push_str(trailing);
            if let Some((at, c)) = noise {
                let at = at.index(text.len() + 1);
                text.insert_str(at, &c);
            }
            agree(&text)?;
        }
    }
}
