//! Parser fixtures: every file in tests/fixtures/parse/valid parses without a
//! diagnostic; every file in tests/fixtures/parse/invalid is named
//! `QBxxx-L<line>-<what>.md` and must give that code at that line.

use std::path::{Path, PathBuf};

fn dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/parse")
        .join(kind)
}

fn files(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir(kind))
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    v.sort();
    v
}

#[test]
fn valid_fixtures_have_no_diagnostics() {
    let all = files("valid");
    assert!(all.len() >= 5);
    for p in all {
        let bytes = std::fs::read(&p).expect("read");
        let (_, q, d) = qbank_parser::parse_bytes(&p, &bytes);
        assert!(d.is_empty(), "{}: {d:#?}", p.display());
        assert_eq!(q.options.len(), 4, "{}", p.display());
        assert!(q.explanation.is_some(), "{}", p.display());
    }
}

#[test]
fn crlf_and_bom_keep_line_numbers() {
    let lf = std::fs::read(dir("valid").join("basic.md")).expect("read");
    for name in ["crlf.md", "bom.md"] {
        let other = std::fs::read(dir("valid").join(name)).expect("read");
        let (s1, q1, _) = qbank_parser::parse_bytes(Path::new("a.md"), &lf);
        let (s2, q2, _) = qbank_parser::parse_bytes(Path::new("b.md"), &other);
        for (a, b) in q1.options.iter().zip(&q2.options) {
            assert_eq!(
                s1.line_col(a.text_span.start),
                s2.line_col(b.text_span.start),
                "{name}"
            );
            assert_eq!(a.text, b.text, "{name}");
        }
    }
}

#[test]
fn invalid_fixtures_give_their_code_at_their_line() {
    let all = files("invalid");
    assert!(all.len() >= 12);
    let mut codes = std::collections::BTreeSet::new();
    for p in all {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        let mut parts = name.splitn(3, '-');
        let code = parts.next().expect("code");
        let line: usize = parts
            .next()
            .and_then(|l| l.strip_prefix('L'))
            .and_then(|l| l.parse().ok())
            .expect("line in name");
        let bytes = std::fs::read(&p).expect("read");
        let (src, _, d) = qbank_parser::parse_bytes(&p, &bytes);
        let hit = d.iter().find(|d| d.code == code);
        let Some(hit) = hit else {
            panic!("{name}: expected {code}, got {d:#?}")
        };
        let at = src.line_col(hit.primary.as_ref().expect("span").span.start);
        assert_eq!(at.line, line, "{name}: {hit:#?}");
        codes.insert(code.to_string());
    }
    // Every code the parser itself can emit on a single file has a fixture
    // (QB010, QB011, QB014-QB016 concern files on disk and are tested by the CLI corpus).
    for c in [
        "QB001", "QB002", "QB003", "QB004", "QB005", "QB006", "QB007", "QB008", "QB009", "QB012",
        "QB013",
    ] {
        assert!(codes.contains(c), "no fixture for {c}");
    }
}
