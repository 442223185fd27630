//! Rule fixtures under tests/fixtures/lint/<CODE>/: every `fail-*` case (a
//! file, or a folder of files for bank rules) must produce that rule's code;
//! every `pass-*` case must produce no finding at all.

mod common;

use common::{bank, entries, fixtures, read_case};

/// Bank statistics rules that need many questions are off unless under test.
const NOISY: &[&str] = &["QB204", "QB205", "QB501", "QB502", "QB503", "QB504"];

fn lint_case(code: &str, files: &[(String, String)]) -> Vec<qbank_parser::Diagnostic> {
    let mut rules = String::new();
    for n in NOISY.iter().filter(|n| **n != code) {
        rules.push_str(&format!("{n} = \"off\"\n"));
    }
    let (_dir, bank) = bank(files, &rules);
    qbank_lint::lint(&bank)
}

#[test]
fn every_fixture_behaves() {
    let mut checked = 0;
    for dir in entries(&fixtures(), true) {
        let code = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("code")
            .to_string();
        let cases = entries(&dir, false);
        let mut fails = 0;
        for case in cases {
            let name = case
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_string();
            let d = lint_case(&code, &read_case(&case));
            if name.starts_with("fail") {
                fails += 1;
                assert!(
                    d.iter().any(|d| d.code == code),
                    "{code}/{name} should give {code}, gave {d:#?}"
                );
            } else {
                assert!(d.is_empty(), "{code}/{name} should be clean, gave {d:#?}");
            }
            checked += 1;
        }
        assert!(fails > 0, "{code} has no failing fixture");
    }
    assert!(checked >= 60, "{checked} fixtures");
}

/// Bank statistics need many questions; build them here.
fn many(
    n: usize,
    key_at: impl Fn(usize) -> usize,
    long_key: impl Fn(usize) -> bool,
) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let k = key_at(i);
            let mut opts = String::new();
            for j in 0..4 {
                let text = if j == k && long_key(i) {
                    format!("Choice {j} of item {i}, written with a considerably longer wording than the others")
                } else {
                    format!("Choice {j} of item {i}")
                };
                opts.push_str(&format!("- [{}] {text}.\n  > Reason {j}.\n", if j == k { "x" } else { " " }));
            }
            let text = format!(
                "---\nid: stat-{i}\ndomain: mlops\ntopics: [lifecycle-promotion]\ndifficulty: easy\nstatus: published\nreferences: [https://docs.databricks.com/]\n---\n\nScenario {i}. Which option applies?\n\n{opts}\n## Explanation\n\nBecause {i}.\n"
            );
            (format!("q{i:03}.md"), text)
        })
        .collect()
}

#[test]
fn key_position_skew_fires_only_on_skew() {
    let skewed = many(40, |i| if i % 5 == 0 { i % 4 } else { 1 }, |_| false);
    assert!(lint_case("QB501", &skewed)
        .iter()
        .any(|d| d.code == "QB501"));
    let even = many(40, |i| i % 4, |_| false);
    assert!(lint_case("QB501", &even).iter().all(|d| d.code != "QB501"));
}

#[test]
fn longest_key_share_fires_above_threshold() {
    let long = many(40, |i| i % 4, |i| i % 2 == 0);
    assert!(lint_case("QB502", &long).iter().any(|d| d.code == "QB502"));
    let fine = many(40, |i| i % 4, |i| i % 8 == 0);
    assert!(lint_case("QB502", &fine).iter().all(|d| d.code != "QB502"));
}

#[test]
fn fixed_key_count_fires_when_all_multi_questions_match() {
    let mut qs = many(6, |i| i % 4, |_| false);
    for (_, t) in &mut qs {
        *t = t
            .replace("Which option applies?", "Which options apply? Choose two.")
            .replacen("- [ ]", "- [x]", 1);
    }
    assert!(lint_case("QB503", &qs).iter().any(|d| d.code == "QB503"));
    let mut varied = qs.clone();
    varied[0].1 = varied[0]
        .1
        .replace("Choose two.", "Choose three.")
        .replacen("- [ ]", "- [x]", 1);
    assert!(lint_case("QB503", &varied)
        .iter()
        .all(|d| d.code != "QB503"));
}
