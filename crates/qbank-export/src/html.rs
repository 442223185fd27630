//! Printable HTML booklet (minijinja templates under `templates/`).
//!
//! The booklet is one self-contained file, `booklet.html`: the CSS is inline,
//! local images are embedded as `data:` URLs, remote images are dropped (so
//! printing never touches the network) and the page carries no script. All
//! question text goes through [`crate::markdown::clean`], which sanitises it.
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
use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use qbank_parser::{letter, Part, Question};
use std::sync::Arc;

use crate::{Answers, ExportError, Exporter, FormatId, Input};
use qbank_parser::html::QuestionHtml;
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

/// A template record: fixed keys, values built once. Field lookups clone a
/// [`Value`] (a reference count); rendered HTML is copied out of the shared
/// [`QuestionHtml`] only when the template reads it, and dropped once printed, so
/// the booklet never holds a second copy of every question's HTML.
#[derive(Debug)]
enum Record {
    Fields {
        keys: &'static [&'static str],
        values: Vec<Field>,
    },
    /// An option: `letter`, `html`, `is_key`, `rationale_html`. Built for
    /// every option of the booklet, so it holds only its place and a
    /// reference to the question's HTML (no vector of fields).
    Option {
        html: Arc<QuestionHtml>,
        index: usize,
        is_key: bool,
    },
}

#[derive(Debug)]
enum Field {
    Value(Value),
    /// A part of a question's rendered HTML: printed as is, or `none` when absent.
    Html(Arc<QuestionHtml>, Part),
}

impl From<Value> for Field {
    fn from(v: Value) -> Field {
        Field::Value(v)
    }
}

const OPTION_KEYS: &[&str] = &["letter", "html", "is_key", "rationale_html"];

impl Record {
    fn value(keys: &'static [&'static str], values: Vec<impl Into<Field>>) -> Value {
        debug_assert_eq!(keys.len(), values.len());
        let values = values.into_iter().map(Into::into).collect();
        Value::from_object(Record::Fields { keys, values })
    }
}

impl Object for Record {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    /// Attribute lookups (`q.id`) come here directly, without a key value.
    fn get_value_by_str(self: &Arc<Self>, k: &str) -> Option<Value> {
        match &**self {
            Record::Fields { keys, values } => {
                let i = keys.iter().position(|x| *x == k)?;
                Some(match values.get(i)? {
                    Field::Value(v) => v.clone(),
                    Field::Html(r, part) => html_value(r, *part),
                })
            }
            Record::Option {
                html,
                index,
                is_key,
            } => Some(match k {
                "letter" => Value::from(letter(*index)),
                "html" => html_value(html, Part::Option(*index)),
                "is_key" => Value::from(*is_key),
                "rationale_html" => html_value(html, Part::Rationale(*index)),
                _ => return None,
            }),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(match &**self {
            Record::Fields { keys, .. } => keys,
            Record::Option { .. } => OPTION_KEYS,
        })
    }
}

/// A part of a question's rendered HTML, which qbank rendered and sanitised:
/// safe to print without escaping; `none` when the question lacks the part.
fn html_value(r: &QuestionHtml, part: Part) -> Value {
    r.part(part)
        .map_or(Value::from(()), |s| Value::from_safe_string(s.to_string()))
}

/// One question as template context. `number` is its position in the booklet.
/// `topics` holds the blueprint's topics as context, shared by every
/// question that names them.
pub fn question_context(
    input: &Input<'_>,
    q: &Question,
    number: usize,
    topics: &BTreeMap<&str, Value>,
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
    let html = |part| Field::Html(Arc::clone(&r), part);
    let options: Vec<Value> = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            Value::from_object(Record::Option {
                html: Arc::clone(&r),
                index: i,
                is_key: o.is_key,
            })
        })
        .collect();
    let key_letters: Vec<Value> = q.keys().map(|(i, _)| Value::from(letter(i))).collect();
    let topics: Vec<Value> = input
        .topics_of(q)
        .into_iter()
        .map(|(id, name)| {
            // A blueprint topic is shared; an unknown one has no name.
            topics
                .get(id)
                .cloned()
                .unwrap_or_else(|| topic_value(id, name.unwrap_or_default()))
        })
        .collect();
    Ok(Record::value(
        &[
            "number",
            "id",
            "difficulty",
            "status",
            "topics",
            "multiple_response",
            "stem_html",
            "options",
            "key_letters",
            "explanation_html",
        ],
        vec![
            Value::from(number).into(),
            Value::from(q.id().unwrap_or_default()).into(),
            Value::from(q.front.difficulty.map(|d| d.as_str())).into(),
            Value::from(q.status().as_str()).into(),
            Value::from(topics).into(),
            Value::from(key_letters.len() > 1).into(),
            html(Part::Stem),
            Value::from(options).into(),
            Value::from(key_letters).into(),
            html(Part::Explanation),
        ],
    ))
}

/// A topic as template context: `id` and `name`.
fn topic_value(id: &str, name: &str) -> Value {
    Record::value(&["id", "name"], vec![Value::from(id), Value::from(name)])
}

/// A score: `70`, not `70.0`, when it is whole.
fn score(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
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
    let topics: BTreeMap<&str, Value> = bp
        .domains
        .iter()
        .flat_map(|d| &d.topics)
        .map(|t| {
            // Named as `topics_of` names it (the first topic with this id).
            let name = bp.topic(&t.id).map_or("", |(_, t)| t.name.as_str());
            (t.id.as_str(), topic_value(&t.id, name))
        })
        .collect();
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
            .map(|(i, q)| question_context(input, q, first + i, &topics))
            .collect::<Result<Vec<_>, _>>()?;
        domains.push(Record::value(
            &["id", "name", "questions"],
            vec![Value::from(id), Value::from(name), Value::from(questions)],
        ));
    }
    let e = &bp.exam;
    Ok(Record::value(
        &["exam", "answers", "questions_count", "domains"],
        vec![
            Record::value(
                &[
                    "id",
                    "name",
                    "guide_version",
                    "guide_date",
                    "questions",
                    "minutes",
                    "passing_score",
                    "url",
                ],
                vec![
                    Value::from(e.id.as_str()),
                    Value::from(e.name.as_str()),
                    Value::from(e.guide_version.as_str()),
                    Value::from_serialize(&e.guide_date),
                    Value::from_serialize(e.questions),
                    Value::from_serialize(e.minutes),
                    score(e.passing_score),
                    Value::from_serialize(&e.url),
                ],
            ),
            Value::from(match input.answers {
                Answers::End => "end",
                Answers::Inline => "inline",
            }),
            Value::from(number),
            Value::from(domains),
        ],
    ))
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

/// Render the booklet into `w`.
pub fn render_to(input: &Input<'_>, w: impl std::io::Write) -> Result<(), ExportError> {
    let ctx = booklet_context(input)?;
    let env = environment(input.templates);
    let tmpl = env
        .get_template(MAIN_TEMPLATE)
        .map_err(|e| err(format_err(&e)))?;
    tmpl.render_captured_to(&ctx, w)
        .map_err(|e| err(format_err(&e)))?;
    Ok(())
}

/// The booklet as a string.
pub fn render(input: &Input<'_>) -> Result<String, ExportError> {
    let mut out = Vec::new();
    render_to(input, &mut out)?;
    String::from_utf8(out).map_err(err)
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

/// A writer that remembers the first I/O error it passed on.
struct KeepError<W> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: std::io::Write> std::io::Write for KeepError<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).map_err(|e| {
            let kind = e.kind();
            self.error.get_or_insert(e);
            std::io::Error::new(kind, "write failed")
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Exporter for HtmlExporter {
    fn id(&self) -> FormatId {
        FormatId::Html
    }

    fn export(&self, input: &Input<'_>, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        let path = dir.join(BOOKLET);
        let io = |e: std::io::Error| ExportError::Io(path.clone(), e);
        // Streamed to the file: the booklet is never held whole in memory.
        let file = std::fs::File::create(&path).map_err(io)?;
        let mut w = KeepError {
            inner: std::io::BufWriter::with_capacity(1 << 20, file),
            error: None,
        };
        let rendered = render_to(input, &mut w);
        // A failed write (a full disk) is reported as the I/O error it is,
        // not as the template error minijinja wraps it in.
        if let Some(e) = w.error.take() {
            return Err(io(e));
        }
        rendered?;
        std::io::Write::flush(&mut w.inner).map_err(io)?;
        Ok(vec![path])
    }
}
