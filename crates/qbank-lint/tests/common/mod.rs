//! Helpers shared by the rule-fixture tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// tests/fixtures/lint: one folder per rule code, holding `fail-*` and
/// `pass-*` cases, and the blueprint they are checked against.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/lint")
}

/// The entries of `dir`, sorted; only folders when `dirs_only`.
pub fn entries(dir: &Path, dirs_only: bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| !dirs_only || p.is_dir())
        .collect();
    v.sort();
    v
}

/// A case's files: a folder of files, or one file named `question.md`.
pub fn read_case(p: &Path) -> Vec<(String, String)> {
    if p.is_dir() {
        let mut v: Vec<(String, String)> = std::fs::read_dir(p)
            .expect("dir")
            .map(|e| {
                let e = e.expect("entry");
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).expect("read"),
                )
            })
            .collect();
        v.sort();
        v
    } else {
        vec![(
            "question.md".into(),
            std::fs::read_to_string(p).expect("read"),
        )]
    }
}

/// A bank in a temporary folder: the fixture blueprint, `files` under `q/`,
/// and `rules` as the `[lint.rules]` table of its qbank.toml.
pub fn bank(files: &[(String, String)], rules: &str) -> (tempfile::TempDir, qbank_parser::Bank) {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::copy(
        fixtures().join("blueprint.yaml"),
        root.join("blueprint.yaml"),
    )
    .expect("blueprint");
    std::fs::write(
        root.join("qbank.toml"),
        format!("content_dir = \"q\"\n[lint.rules]\n{rules}"),
    )
    .expect("config");
    std::fs::create_dir(root.join("q")).expect("mkdir");
    for (name, text) in files {
        std::fs::write(root.join("q").join(name), text).expect("write");
    }
    let bank = qbank_parser::load(root).expect("load");
    (dir, bank)
}
