//! Arbitrary bytes as the only question of a small bank: load the bank from
//! disk (config, blueprint, walk, parse) and run every lint rule.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

const CONFIG: &str =
    "content_dir = \"questions\"\n\n[lint.rules]\nQB204 = \"off\"\nQB205 = \"off\"\n";

const BLUEPRINT: &str = "exam:
  id: sample-exam
  name: Sample Exam
  guide_version: \"1\"
  questions: 10
  minutes: 30
  passing_score: 70
  options_per_question: 4
domains:
  - id: basics
    name: Basics
    weight: 100
    topics:
      - id: greetings
        name: Greetings
";

/// One bank for the whole run; each input overwrites its question file.
static BANK: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("qbank.toml"), CONFIG).expect("write config");
    std::fs::write(dir.path().join("blueprint.yaml"), BLUEPRINT).expect("write blueprint");
    std::fs::create_dir(dir.path().join("questions")).expect("mkdir");
    dir
});

fuzz_target!(|data: &[u8]| {
    let root = BANK.path();
    std::fs::write(root.join("questions/q.md"), data).expect("write question");
    let bank = qbank_parser::load(root).expect("the bank itself is valid");
    let _ = qbank_lint::lint(&bank);
});
