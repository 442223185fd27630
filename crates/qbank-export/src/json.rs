//! `bank.json`: the whole bank as data, described by `schema/bank.schema.json`.

use std::path::{Path, PathBuf};

use qbank_parser::{letter, Question};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::{ExportError, Exporter, FormatId, Input};

/// Version of the `bank.json` layout; bumped on incompatible changes.
pub const FORMAT_VERSION: u32 = 1;

pub struct JsonExporter;

fn md(markdown: &str, html: &str) -> Value {
    json!({ "markdown": markdown.replace("\r\n", "\n"), "html": html })
}

/// One question as JSON.
pub fn question_json(input: &Input<'_>, q: &Question) -> Value {
    let bp = input.blueprint;
    let keep = |u: &str| u.to_string();
    let r = input.html(q, &keep);
    let domain_id = q
        .front
        .domain
        .as_ref()
        .map(|d| d.value.clone())
        .unwrap_or_default();
    let domain_name = bp
        .domain(&domain_id)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let topics: Vec<Value> = q
        .front
        .topics
        .iter()
        .map(|t| json!({ "id": t.value, "name": bp.topic(&t.value).map(|(_, t)| t.name.clone()).unwrap_or_default() }))
        .collect();
    let options: Vec<Value> = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let mut v = md(&o.text, &r.options[i]);
            v["letter"] = json!(letter(i));
            v["is_key"] = json!(o.is_key);
            v["rationale"] = o
                .rationale
                .as_ref()
                .zip(r.rationales[i].as_deref())
                .map_or(Value::Null, |(ra, h)| md(&ra.markdown, h));
            v
        })
        .collect();
    let key_idx: Vec<usize> = q.keys().map(|(i, _)| i).collect();
    let key_letters: Vec<String> = key_idx.iter().map(|&i| letter(i)).collect();
    let src = input.bank.file(q.file);
    let line = src.line_col(q.front.span.start).line;
    let explanation = q
        .explanation
        .as_ref()
        .and_then(|e| e.body.as_ref())
        .zip(r.explanation.as_deref())
        .map_or(Value::Null, |(b, h)| md(&b.markdown, h));
    json!({
        "id": q.id().unwrap_or_default(),
        "domain": { "id": domain_id, "name": domain_name },
        "topics": topics,
        "difficulty": q.front.difficulty.map(|d| d.as_str()),
        "status": q.status().as_str(),
        "multiple_response": key_idx.len() > 1,
        "stem": md(q.stem.as_ref().map_or("", |s| s.markdown.as_str()), &r.stem),
        "options": options,
        "key": { "indices": key_idx, "letters": key_letters },
        "explanation": explanation,
        "references": q.front.references.iter().map(|r| r.value.clone()).collect::<Vec<_>>(),
        "source": { "path": src.name, "line": line },
    })
}

/// The complete document.
pub fn bank_json(input: &Input<'_>) -> Value {
    let bp = input.blueprint;
    let e = &bp.exam;
    json!({
        "format_version": FORMAT_VERSION,
        "generator": format!("qbank {}", env!("CARGO_PKG_VERSION")),
        "exam": {
            "id": e.id, "name": e.name, "guide_version": e.guide_version, "guide_date": e.guide_date,
            "questions": e.questions, "minutes": e.minutes, "passing_score": e.passing_score,
            "options_per_question": e.options_per_question, "url": e.url,
        },
        "domains": bp.domains.iter().map(|d| json!({
            "id": d.id, "name": d.name, "weight": d.weight,
            "topics": d.topics.iter().map(|t| json!({"id": t.id, "name": t.name, "min": t.min})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "coverage": input.coverage,
        "questions": input.questions.par_iter().map(|q| question_json(input, q)).collect::<Vec<_>>(),
    })
}

impl Exporter for JsonExporter {
    fn id(&self) -> FormatId {
        FormatId::Json
    }

    fn export(&self, input: &Input<'_>, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        let doc = bank_json(input);
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| ExportError::Format(FormatId::Json, e.to_string()))?;
        text.push('\n');
        let path = dir.join("bank.json");
        std::fs::write(&path, text).map_err(|e| ExportError::Io(path.clone(), e))?;
        Ok(vec![path])
    }
}
