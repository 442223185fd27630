//! Arbitrary bytes as one question file: decode, split front matter, parse
//! YAML and Markdown. Must never panic, and every span must be in bounds.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (src, _question, diags) = qbank_parser::parse_bytes(Path::new("fuzz.md"), data);
    let text = &src.text;
    for d in &diags {
        for l in d.primary.iter().chain(&d.secondary) {
            let s = l.span;
            assert!(s.start <= s.end, "{}: inverted span {s:?}", d.code);
            assert!(
                s.end <= text.len(),
                "{}: span {s:?} past end {}",
                d.code,
                text.len()
            );
            assert!(
                text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
                "{}: span {s:?} splits a character",
                d.code
            );
        }
    }
});
