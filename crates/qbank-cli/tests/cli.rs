//! End-to-end tests of the `qbank` binary on small fixture banks.

mod common;

use common::{copy_dir, root};
use std::process::Command;

fn qbank(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qbank"))
        .args(args)
        .current_dir(root())
        .env("COLUMNS", "90")
        .env_remove("NO_COLOR")
        .output()
        .expect("run qbank");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BANK: &str = "tests/fixtures/cli-bank";

#[test]
fn clean_bank_exits_zero_with_a_summary() {
    let (code, out, err) = qbank(&["check", "tests/fixtures/clean-bank"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(
            "checked 2 files in tests/fixtures/clean-bank: 2 questions, 0 errors, 0 warnings"
        ),
        "{err}"
    );
}

#[test]
fn content_errors_exit_one() {
    let (code, _, err) = qbank(&["check", BANK, "--color", "never"]);
    assert_eq!(code, 1);
    assert!(err.contains("3 questions, 4 errors"), "{err}");
}

#[test]
fn missing_path_and_file_path_exit_two() {
    let (code, _, err) = qbank(&["check", "tests/fixtures/no-such-bank"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("QB016"), "{err}");
    let (code, _, err) = qbank(&["check", "tests/fixtures/cli-bank/qbank.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a file"), "{err}");
}

#[test]
fn usage_errors_exit_two() {
    let (code, _, _) = qbank(&["check", "--format", "xml"]);
    assert_eq!(code, 2);
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let dir = tempfile::tempdir().expect("tmp");
    copy_dir(&root().join("tests/fixtures/clean-bank"), dir.path());
    // Drop the references of one question: QB108 is a warning.
    let p = dir.path().join("questions/rollback-with-alias.md");
    let text = std::fs::read_to_string(&p).expect("read");
    let text = text.replace("references:\n  - https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/\n", "");
    std::fs::write(&p, text).expect("write");
    let d = dir.path().to_str().expect("utf-8");
    let (code, out, _) = qbank(&["check", d, "--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[QB108]"), "{out}");
    let (code, _, _) = qbank(&["check", d, "--deny", "warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn human_output_snapshot() {
    let (_, out, _) = qbank(&["check", BANK, "--color", "never"]);
    insta::assert_snapshot!("human", out);
}

#[test]
fn no_color_is_respected() {
    let out = Command::new(env!("CARGO_BIN_EXE_qbank"))
        .args(["check", BANK, "--color", "auto"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let (_, out, _) = qbank(&["check", BANK, "--color", "always"]);
    assert!(out.contains('\u{1b}'), "colours with --color always");
}

#[test]
fn machine_formats_snapshot() {
    for format in ["concise", "json", "github", "sarif"] {
        let (code, out, _) = qbank(&["check", BANK, "--format", format]);
        assert_eq!(code, 1);
        insta::assert_snapshot!(format, out);
    }
}

#[test]
fn github_annotation_points_at_the_legacy_term_line() {
    let (_, out, _) = qbank(&["check", BANK, "--format", "github"]);
    let line = out
        .lines()
        .find(|l| l.contains("QB301"))
        .expect("QB301 annotation");
    assert!(
        line.starts_with(
            "::error file=tests/fixtures/cli-bank/questions/legacy-stage-call.md,line=11,col=25,"
        ),
        "{line}"
    );
}

#[test]
fn json_output_matches_its_schema() {
    let (_, out, _) = qbank(&["check", BANK, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/diagnostics.schema.json")).expect("schema"),
    )
    .expect("schema json");
    let v = jsonschema::validator_for(&schema).expect("compile");
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn rules_and_rule_docs() {
    let (code, out, _) = qbank(&["rules"]);
    assert_eq!(code, 0);
    assert!(out.contains("QB301  legacy-term"), "{out}");
    let (code, out, _) = qbank(&["rule", "legacy-term"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("QB301 legacy-term (default: error)"),
        "{out}"
    );
    assert!(out.contains("Example") && out.contains("Fix"));
    let (code, _, _) = qbank(&["rule", "QB999"]);
    assert_eq!(code, 2);
}

#[test]
fn help_shows_examples() {
    for args in [
        vec!["--help"],
        vec!["check", "--help"],
        vec!["coverage", "--help"],
        vec!["build", "--help"],
        vec!["rule", "--help"],
        vec!["rules", "--help"],
    ] {
        let (code, out, _) = qbank(&args);
        assert_eq!(code, 0);
        assert!(out.contains("Example"), "{args:?}: {out}");
    }
}

#[test]
fn coverage_table_and_json() {
    let (code, out, _) = qbank(&["coverage", "tests/fixtures/clean-bank"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("lifecycle-promotion"), "{out}");
    let (code, out, _) = qbank(&[
        "coverage",
        "tests/fixtures/clean-bank",
        "--json",
        "--forms",
        "2",
    ]);
    assert_eq!(code, 1, "two forms need four questions");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["forms_fillable"], 1);
    assert_eq!(v["domains"][0]["shortfall"], 2);
}

#[test]
fn output_is_deterministic() {
    let a = qbank(&["check", BANK, "--format", "json"]).1;
    let b = qbank(&["check", BANK, "--format", "json"]).1;
    assert_eq!(a, b);
}
