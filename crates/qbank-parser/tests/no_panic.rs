//! Property tests: the parser never panics, whatever the bytes.

use proptest::prelude::*;

const SEED: &str = include_str!("../../../tests/fixtures/parse/valid/basic.md");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = qbank_parser::parse_bytes(std::path::Path::new("fuzz.md"), &bytes);
    }

    #[test]
    fn mutated_questions_never_panic(cut in 0usize..SEED.len(), insert in "[-\\[\\]x>#`*: \n\r\t\u{feff}a-z0-9]{0,40}") {
        let mut s = SEED.to_string();
        let cut = (0..=cut).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        s.insert_str(cut, &insert);
        let (src, _, diags) = qbank_parser::parse_bytes(std::path::Path::new("m.md"), s.as_bytes());
        for d in diags {
            if let Some(l) = d.primary {
                prop_assert!(l.span.start <= l.span.end && l.span.end <= src.text.len() + 3);
            }
        }
    }
}
