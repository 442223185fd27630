//! Arbitrary text as a front matter block: YAML to JSON with spans, then
//! validation against the question schema (QB004-QB007).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbank_parser::{schema, yaml, FileId, Span};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut diags = Vec::new();
    if let Some(doc) = yaml::parse(text, 0, FileId(0), &mut diags) {
        let whole = Span::new(0, text.len().min(3));
        schema::validate(
            &schema::QUESTION,
            &doc,
            FileId(0),
            whole,
            "front matter",
            &mut diags,
        );
    }
});
