//! JSON Schema validation of YAML documents, with errors mapped back to spans.

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, FileId};
use crate::span::Span;
use crate::yaml::{escape_pointer, YamlDoc};

/// The front matter schema, `schema/question.schema.json`.
pub const QUESTION_SCHEMA: &str = include_str!("../../../schema/question.schema.json");
/// The blueprint schema, `schema/blueprint.schema.json`.
pub const BLUEPRINT_SCHEMA: &str = include_str!("../../../schema/blueprint.schema.json");

pub struct CompiledSchema {
    pub json: Value,
    pub validator: Validator,
}

fn compile(text: &str) -> CompiledSchema {
    #[allow(clippy::expect_used)]
    let json: Value = serde_json::from_str(text).expect("embedded schema is valid JSON");
    #[allow(clippy::expect_used)]
    let validator = jsonschema::validator_for(&json).expect("embedded schema compiles");
    CompiledSchema { json, validator }
}

pub static QUESTION: LazyLock<CompiledSchema> = LazyLock::new(|| compile(QUESTION_SCHEMA));
pub static BLUEPRINT: LazyLock<CompiledSchema> = LazyLock::new(|| compile(BLUEPRINT_SCHEMA));

/// Validate `doc` and push one diagnostic per problem.
///
/// * unknown keys give `QB006` at the key, with the nearest known key as help;
/// * everything else gives `QB005` at the offending value (a missing key is
///   reported on the object that lacks it, or on `whole` for the top level).
pub fn validate(
    schema: &CompiledSchema,
    doc: &YamlDoc,
    file: FileId,
    whole: Span,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    if schema.validator.is_valid(&doc.value) {
        return;
    }
    let mut found = Vec::new();
    for err in schema.validator.iter_errors(&doc.value) {
        let pointer = err.instance_path().as_str().to_string();
        let schema_path = err.schema_path().as_str().to_string();
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let parent = schema_path
                    .strip_suffix("/additionalProperties")
                    .unwrap_or("");
                let known = known_keys(&schema.json, parent);
                for key in unexpected {
                    let p = format!("{pointer}/{}", escape_pointer(key));
                    let span = doc.spans.key_or_value(&p).unwrap_or(whole);
                    let mut d = Diagnostic::error(
                        "QB006",
                        format!("unknown key `{key}` in {what}"),
                    )
                    .at(file, span, "not a known key");
                    d = match nearest(key, &known) {
                        Some(best) => d.with_help(format!("did you mean `{best}`?")),
                        None => d.with_help(format!("known keys: {}", known.join(", "))),
                    };
                    found.push(d);
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string);
                let span = if pointer.is_empty() {
                    whole
                } else {
                    doc.spans.key_or_value(&pointer).unwrap_or(whole)
                };
                found.push(
                    Diagnostic::error("QB005", format!("missing required key `{name}` in {what}"))
                        .at(file, span, format!("`{name}` is required here"))
                        .with_help(required_help(&name)),
                );
            }
            _ => {
                let span = doc.spans.value_or_parent(&pointer).unwrap_or(whole);
                let place = if pointer.is_empty() {
                    what.to_string()
                } else {
                    format!("`{}`", pointer.trim_start_matches('/').replace('/', "."))
                };
                let mut d = Diagnostic::error("QB005", format!("invalid value for {place}: {err}"))
                    .at(file, span, "invalid value");
                if let Some(h) = value_help(&schema.json, &schema_path) {
                    d = d.with_help(h);
                }
                found.push(d);
            }
        }
    }
    found.sort_by_key(|d| d.primary.as_ref().map(|l| l.span));
    diags.extend(found);
}

fn known_keys(schema: &Value, parent: &str) -> Vec<String> {
    schema
        .pointer(&format!("{parent}/properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// The closest known key by edit distance, if it is close enough to be a typo.
pub fn nearest<'a>(key: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

fn required_help(name: &str) -> String {
    match name {
        "id" => "add `id: some-kebab-case-id`; it must be unique in the bank".into(),
        "domain" => "add `domain:` with a domain id from the blueprint".into(),
        "topics" => "add `topics: [topic-id]` with topic ids of the question's domain".into(),
        "difficulty" => "add `difficulty: easy`, `medium` or `hard`".into(),
        "status" => "add `status: draft`, `review` or `published`".into(),
        other => format!("add `{other}:`"),
    }
}

fn value_help(schema: &Value, schema_path: &str) -> Option<String> {
    // For enum errors, list the allowed values.
    let node = schema.pointer(schema_path)?;
    let values = node.as_array()?;
    let list: Vec<String> = values
        .iter()
        .map(|v| format!("`{}`", v.as_str().unwrap_or("?")))
        .collect();
    Some(format!("allowed values: {}", list.join(", ")))
}
