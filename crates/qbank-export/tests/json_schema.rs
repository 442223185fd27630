//! The JSON export validates against schema/bank.schema.json, for the fixture
//! banks and for the shipped content.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn export(bank_dir: &Path) -> serde_json::Value {
    let bank = qbank_parser::load(bank_dir).expect("bank loads");
    let opts = qbank_export::BuildOptions {
        include_drafts: true,
        ..qbank_export::BuildOptions::new("unused", vec![qbank_export::FormatId::Json])
    };
    let input = qbank_export::input(&bank, &opts).expect("input");
    // What `qbank build` writes, read back.
    let mut written = Vec::new();
    qbank_export::json::write_bank_json(&input, &mut written).expect("write");
    serde_json::from_slice(&written).expect("bank.json is JSON")
}

#[test]
fn exports_validate_against_the_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/bank.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for bank in ["tests/fixtures/clean-bank", "content"] {
        let doc = export(&root().join(bank));
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path().as_str()))
            .collect();
        assert!(errors.is_empty(), "{bank}: {errors:#?}");
        assert!(!doc["questions"].as_array().expect("questions").is_empty());
    }
}

#[test]
fn key_is_given_as_indices_and_letters() {
    let doc = export(&root().join("tests/fixtures/clean-bank"));
    let q = &doc["questions"][0];
    assert_eq!(q["id"], "promote-with-alias");
    assert_eq!(q["key"]["indices"], serde_json::json!([1]));
    assert_eq!(q["key"]["letters"], serde_json::json!(["B"]));
    assert!(q["stem"]["html"]
        .as_str()
        .expect("html")
        .contains("<code>models:/ml.churn.model@champion</code>"));
}
