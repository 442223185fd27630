//! Test support: build a small bank on disk and lint it.

use qbank_parser::Diagnostic;

/// The blueprint of the lint fixtures (tests/fixtures/lint), shared with these unit tests.
pub const BLUEPRINT: &str = include_str!("../../../../tests/fixtures/lint/blueprint.yaml");

/// Bank rules that need many questions are off unless asked for.
const NOISY: &[&str] = &["QB204", "QB205", "QB501", "QB502", "QB503", "QB504"];

/// Split a documentation example into files: `==> name <==` headers, or one file.
pub fn example_files(example: &str) -> Vec<(String, String)> {
    if !example.starts_with("==> ") {
        return vec![("question.md".to_string(), example.to_string())];
    }
    let mut files = Vec::new();
    for chunk in example.split("==> ").skip(1) {
        let (name, body) = chunk.split_once(" <==\n").unwrap_or((chunk, ""));
        files.push((name.to_string(), body.to_string()));
    }
    files
}

/// Lint `files` in a temporary bank. `enable` turns on noisy bank rules.
pub fn lint_files(
    files: &[(String, String)],
    enable: &[&str],
    extra_config: &str,
) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("blueprint.yaml"), BLUEPRINT).expect("write");
    let mut cfg = String::from("content_dir = \"questions\"\n");
    cfg.push_str(extra_config);
    if !extra_config.contains("[lint.rules]") {
        cfg.push_str("\n[lint.rules]\n");
    }
    for code in NOISY.iter().filter(|c| !enable.contains(c)) {
        cfg.push_str(&format!("{code} = \"off\"\n"));
    }
    std::fs::write(root.join("qbank.toml"), cfg).expect("write");
    std::fs::create_dir_all(root.join("questions")).expect("mkdir");
    for (name, body) in files {
        std::fs::write(root.join("questions").join(name), body).expect("write");
    }
    let bank = qbank_parser::load(root).expect("bank loads");
    crate::lint(&bank)
}

pub fn lint_one(text: &str) -> Vec<Diagnostic> {
    lint_files(&[("question.md".into(), text.into())], &[], "")
}

pub fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
    let mut c: Vec<_> = d.iter().map(|d| d.code).collect();
    c.dedup();
    c
}

/// Each of `options`, put in place of a distractor of [`GOOD`], makes rule
/// `code` report it, and [`GOOD`] itself does not.
pub fn assert_options_flagged(code: &'static str, options: &[&str]) {
    for option in options {
        let q = GOOD.replace("Register version 7 again under a new name.", option);
        let d = lint_files(&[("a.md".into(), q)], &[code], "");
        assert_eq!(codes(&d), vec![code], "{option}: {d:#?}");
    }
    let d = lint_files(&[("a.md".into(), GOOD.into())], &[code], "");
    assert!(d.is_empty(), "{d:#?}");
}

/// A clean question to modify in tests.
pub const GOOD: &str = "---
id: promote-with-alias
domain: mlops
topics: [lifecycle-promotion]
difficulty: medium
status: published
references:
  - https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/
---

A batch job loads `models:/ml.churn.model@champion`. The team validated
version 7 and wants the job to use it on its next run without code changes.
What should they do?

- [ ] Edit the job to load version 7 explicitly.
  > This works but needs a code change for every release.
- [x] Point the `champion` alias at version 7.
  > The job resolves the alias at load time, so it picks up version 7.
- [ ] Delete the older versions of the model.
  > Deleting versions removes history and does not move the alias.
- [ ] Register version 7 again under a new name.
  > A new model name would need a code change in the job.

## Explanation

Aliases are mutable pointers to model versions. Consumers that load by alias
pick up a new version as soon as the alias moves.
";

#[cfg(test)]
mod doc_examples {
    use super::*;
    use crate::rules::{Check, RULES};

    /// Every rule's documentation example produces exactly that rule's
    /// finding, and its fix produces none.
    #[test]
    fn examples_fire_and_fixes_are_clean() {
        let mut tested = 0;
        for rule in RULES {
            if matches!(rule.check, Check::Driver) && !rule.doc.example.starts_with("---") {
                continue;
            }
            let ex = rule.doc.example;
            if !(ex.starts_with("---") || ex.starts_with("==> ")) {
                continue; // bank statistics: documented in prose, tested in their own files
            }
            let d = lint_files(&example_files(ex), &[rule.doc.code], "");
            assert_eq!(
                codes(&d),
                vec![rule.doc.code],
                "example of {} gave {:#?}",
                rule.doc.code,
                d
            );
            let d = lint_files(&example_files(rule.doc.fix), &[rule.doc.code], "");
            assert!(d.is_empty(), "fix of {} gave {:#?}", rule.doc.code, d);
            tested += 1;
        }
        assert!(tested >= 20, "only {tested} examples were checked");
    }

    #[test]
    fn the_good_question_is_clean() {
        assert!(lint_one(GOOD).is_empty(), "{:#?}", lint_one(GOOD));
    }
}
