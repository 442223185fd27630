//! Printable HTML booklet (minijinja templates under `templates/`).
//!
//! The booklet is one self-contained file, `booklet.html`: the CSS is inline,
//! local images are embedded as `data:` URLs, remote images are dropped (so
//! printing never touches the network) and the page carries no script. All
//! question text goes through [`crate::markdown::to_html`], which sanitises it.
//!
//! Templates: `booklet.html.jinja` and `style.css` are built in. A folder given
//! as [`Input::templates`] overrides them file by file: a file there with the
//! same name replaces the built-in one. Undefined template variables are
//! errors ([`UndefinedBehavior::Strict`]).
//!
//! Page numbers: `style.css` declares an `@page` `@bottom-center` margin box
//! ("page / pages"), which Chromium 131+ prints (checked with Chromium 148).
//! Chromium's own print header and footer also show page numbers (and the
//! file URL and date) unless turned off with `--no-pdf-header-footer` or the
//! print dialog's "Headers and footers" option; turn them off for a clean
//! booklet. `tests/chromium/print_check.py` prints the booklet and checks it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use qbank_parser::{letter, Question};
use serde_json::{json, Value};

use crate::{Answers, ExportError, Exporter, FormatId, Input};
use rayon::prelude::*;

/// The output file name.
pub const BOOKLET: &str = "booklet.html";
/// The template rendered into [`BOOKLET`].
pub const MAIN_TEMPLATE: &str = "booklet.html.jinja";

/// Built-in templates, by name.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "booklet.html.jinja",
        include_str!("../../../templates/booklet.html.jinja"),
    ),
    ("style.css", include_str!("../../../templates/style.css")),
];

pub struct HtmlExporter;

fn err(msg: impl std::fmt::Display) -> ExportError {
    ExportError::Format(FormatId::Html, msg.to_string())
}

/// MIME type for an embedded image, by file extension.
fn mime(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "avif" => "image/avif",
        _ => "application/octet-stream",
    }
}

/// `data:` URLs for the question's local images, by their Markdown URL.
fn image_urls(q: &Question) -> Result<BTreeMap<String, String>, ExportError> {
    let mut map = BTreeMap::new();
    for img in &q.images {
        let Some(path) = &img.resolved else { continue };
        if map.contains_key(&img.url) {
            continue;
        }
        let bytes = std::fs::read(path).map_err(|e| ExportError::Io(path.clone(), e))?;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        map.insert(
            img.url.clone(),
            format!("data:{};base64,{data}", mime(path)),
        );
    }
    Ok(map)
}

/// One question as template context. `number` is its position in the booklet.
pub fn question_context(
    input: &Input<'_>,
    q: &Question,
    number: usize,
) -> Result<Value, ExportError> {
    let images = image_urls(q)?;
    // Local images become data URLs; anything else (remote or missing) is
    // dropped so the booklet stays self-contained.
    let image = |u: &str| {
        if u.starts_with("data:") {
            u.to_string()
        } else {
            images.get(u).cloned().unwrap_or_default()
        }
    };
    let r = input.html(q, &image);
    let options: Vec<Value> = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            json!({
                "letter": letter(i),
                "html": r.options[i],
                "is_key": o.is_key,
                "rationale_html": r.rationales[i],
            })
        })
        .collect();
    let key_letters: Vec<String> = q.keys().map(|(i, _)| letter(i)).collect();
    let topics = input.topics_json(q);
    Ok(json!({
        "number": number,
        "id": q.id().unwrap_or_default(),
        "difficulty": q.front.difficulty.map(|d| d.as_str()),
        "status": q.status().as_str(),
        "topics": topics,
        "multiple_response": key_letters.len() > 1,
        "stem_html": r.stem,
        "options": options,
        "key_letters": key_letters,
        "explanation_html": r.explanation,
    }))
}

/// A score as JSON: `70`, not `70.0`, when it is whole.
fn score(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// The whole template context: questions grouped by domain in blueprint
/// order (questions of unknown domains last), numbered in booklet order.
pub fn booklet_context(input: &Input<'_>) -> Result<Value, ExportError> {
    let bp = input.blueprint;
    let domain_of = |q: &Question| {
        q.front
            .domain
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or_default()
    };
    let mut groups: Vec<(String, String, Vec<&Question>)> = bp
        .domains
        .iter()
        .map(|d| (d.id.clone(), d.name.clone(), Vec::new()))
        .collect();
    let mut other = Vec::new();
    for q in &input.questions {
        let d = domain_of(q);
        match groups.iter_mut().find(|g| g.0 == d) {
            Some(g) => g.2.push(q),
            None => other.push(*q),
        }
    }
    if !other.is_empty() {
        groups.push(("other".into(), "Other questions".into(), other));
    }
    let mut number = 0;
    let mut domains = Vec::new();
    for (id, name, qs) in groups {
        if qs.is_empty() {
            continue;
        }
        let first = number + 1;
        number += qs.len();
        // Rendering is per question and independent: use every core, keep the order.
        let questions = qs
            .par_iter()
            .enumerate()
            .map(|(i, q)| question_context(input, q, first + i))
            .collect::<Result<Vec<_>, _>>()?;
        domains.push(json!({ "id": id, "name": name, "questions": questions }));
    }
    let e = &bp.exam;
    Ok(json!({
        "exam": {
            "id": e.id, "name": e.name, "guide_version": e.guide_version, "guide_date": e.guide_date,
            "questions": e.questions, "minutes": e.minutes, "passing_score": score(e.passing_score),
            "url": e.url,
        },
        "answers": match input.answers { Answers::End => "end", Answers::Inline => "inline" },
        "questions_count": number,
        "domains": domains,
    }))
}

/// The template environment: built-in templates, overridden by files of the
/// same name in `overrides`.
pub fn environment(overrides: Option<&Path>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.jinja") || name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_keep_trailing_newline(true);
    let dir = overrides.map(Path::to_path_buf);
    env.set_loader(move |name| {
        // Plain file names only: no paths out of the override folder.
        let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
        if let (Some(dir), true) = (&dir, plain) {
            let p = dir.join(name);
            if p.is_file() {
                return std::fs::read_to_string(&p).map(Some).map_err(|e| {
                    minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("cannot read template {}: {e}", p.display()),
                    )
                });
            }
        }
        Ok(BUILTIN_TEMPLATES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| (*t).to_string()))
    });
    env
}

/// Render the booklet to a string.
pub fn render(input: &Input<'_>) -> Result<String, ExportError> {
    let ctx = booklet_context(input)?;
    let env = environment(input.templates);
    let tmpl = env
        .get_template(MAIN_TEMPLATE)
        .map_err(|e| err(format_err(&e)))?;
    tmpl.render(&ctx).map_err(|e| err(format_err(&e)))
}

fn format_err(e: &minijinja::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(&format!(": {inner}"));
        src = inner.source();
    }
    s
}

impl Exporter for HtmlExporter {
    fn id(&self) -> FormatId {
        FormatId::Html
    }

    fn export(&self, input: &Input<'_>, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        let text = render(input)?;
        let path = dir.join(BOOKLET);
        std::fs::write(&path, text).map_err(|e| ExportError::Io(path.clone(), e))?;
        Ok(vec![path])
    }
}
