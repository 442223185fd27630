//! `lint_errors` finds exactly the errors `lint` finds, on every rule fixture,
//! whatever the configured levels: it may skip only rules that cannot report
//! an error.

mod common;

use common::{bank, entries, fixtures, read_case};

use qbank_parser::{Diagnostic, Severity};

/// Every case under tests/fixtures/lint/<CODE>/: a file, or a folder of files.
fn cases() -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for dir in entries(&fixtures(), true) {
        let cases = entries(&dir, false);
        for case in cases {
            let files = read_case(&case);
            out.push((case.display().to_string(), files));
        }
    }
    out
}

/// A question whose front-matter exception (for a warning-only rule)
/// suppresses nothing.
const UNUSED_ALLOW: &str = "---
id: unused-allow
domain: mlops
topics: [lifecycle-promotion]
difficulty: easy
status: published
references: [https://docs.databricks.com/]
allow:
  - rule: QB403
    reason: The stem quotes an absolute on purpose.
---

Which alias does a batch job load to get the approved model version?

- [x] `@champion`.
  > The alias points at the approved version.
- [ ] `@challenger`.
  > That alias marks the candidate.
- [ ] `@latest`.
  > There is no such alias by default.
- [ ] `@staging`.
  > Stages are not aliases.

## Explanation

Aliases name versions in Unity Catalog.
";

fn errors(all: Vec<Diagnostic>) -> Vec<String> {
    all.into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{d:?}"))
        .collect()
}

#[test]
fn errors_only_finds_the_same_errors_as_a_full_lint() {
    let every_rule_an_error: String = qbank_lint::RULES
        .iter()
        .map(|r| format!("{} = \"error\"\n", r.doc.code))
        .collect();
    let configs = [
        ("default levels", String::new()),
        ("every rule raised to error", every_rule_an_error),
        (
            "unused exceptions are errors",
            "QB902 = \"error\"\n".to_string(),
        ),
        (
            "an error rule lowered, a warning rule raised",
            "QB104 = \"warning\"\nQB403 = \"error\"\n".to_string(),
        ),
        // Every legacy-term finding an error, warning terms too (errors-only
        // runs otherwise search for the error terms only).
        (
            "legacy terms raised to error",
            "QB301 = \"error\"\n".to_string(),
        ),
    ];
    let mut cases = cases();
    assert!(cases.len() >= 60, "{} fixture cases", cases.len());
    cases.push((
        "unused exception".into(),
        vec![("q.md".to_string(), UNUSED_ALLOW.to_string())],
    ));
    let mut with_errors = 0;
    for (name, files) in &cases {
        for (label, rules) in &configs {
            let (_dir, bank) = bank(files, rules);
            let full = errors(qbank_lint::lint(&bank));
            let only = errors(qbank_lint::lint_errors(&bank));
            assert_eq!(only, full, "{name}, {label}");
            if !full.is_empty() {
                with_errors += 1;
            }
        }
    }
    // The comparison has errors to compare, and not only from raised levels.
    assert!(with_errors >= 40, "{with_errors} runs with errors");

    // The unused exception is a warning by default, an error when raised
    // (coverage off: one question cannot cover the blueprint).
    let quiet = "QB204 = \"off\"\nQB205 = \"off\"\n";
    let (_d, b) = bank(&cases[cases.len() - 1].1, quiet);
    let e = qbank_lint::lint_errors(&b);
    assert!(e.is_empty(), "{e:#?}");
    assert!(qbank_lint::lint(&b).iter().any(|d| d.code == "QB902"));
    let (_d, b) = bank(
        &cases[cases.len() - 1].1,
        &format!("{quiet}QB902 = \"error\"\n"),
    );
    assert!(qbank_lint::lint_errors(&b)
        .iter()
        .any(|d| d.code == "QB902"));
}
