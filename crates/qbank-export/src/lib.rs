//! qbank exporters: JSON, printable HTML and Anki.
//!
//! Every format implements [`Exporter`] and reads only the bank model.
//! [`build`] writes all requested formats into a temporary folder beside the
//! output folder and renames it into place, so a failed build leaves the
//! previous output untouched.

pub mod anki;
pub mod html;
pub mod json;
pub mod markdown;

use std::path::{Path, PathBuf};

use qbank_parser::coverage::Coverage;
use std::sync::Arc;

use qbank_parser::html::QuestionHtml;
use qbank_parser::{Bank, Blueprint, Question};
use rayon::prelude::*;

/// Questions an exporter turns into output at a time, every core working on
/// one chunk: memory for the output stays bounded by the chunk, not the bank.
pub(crate) const CHUNK: usize = 256;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum FormatId {
    Json,
    Html,
    Anki,
}

impl FormatId {
    /// Rank of the time this format takes to write (higher is slower), to
    /// start the slowest first.
    fn expected_cost(self) -> u8 {
        match self {
            FormatId::Json => 0,
            FormatId::Html => 1,
            FormatId::Anki => 2,
        }
    }
}

impl std::fmt::Display for FormatId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FormatId::Json => "json",
            FormatId::Html => "html",
            FormatId::Anki => "anki",
        })
    }
}

/// Where the HTML booklet shows answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Answers {
    /// An answer key after the questions, starting on a new page.
    End,
    /// Each question followed by its key, rationales and explanation (study edition).
    Inline,
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub out: PathBuf,
    pub formats: Vec<FormatId>,
    pub include_drafts: bool,
    pub answers: Answers,
    /// Templates overriding the built-in ones.
    pub templates: Option<PathBuf>,
    /// Test hook: fail after writing this format (`json`, `html`, `anki`).
    pub fail_after: Option<String>,
}

impl BuildOptions {
    /// Write `formats` into `out`: published questions only, answers at the
    /// end of the booklet, built-in templates.
    pub fn new(out: impl Into<PathBuf>, formats: Vec<FormatId>) -> BuildOptions {
        BuildOptions {
            out: out.into(),
            formats,
            include_drafts: false,
            answers: Answers::End,
            templates: None,
            fail_after: None,
        }
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub files: Vec<PathBuf>,
    pub questions: usize,
}

#[derive(Debug)]
pub enum ExportError {
    Io(PathBuf, std::io::Error),
    /// The output folder is not acceptable.
    Refused(String),
    /// A format failed.
    Format(FormatId, String),
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            ExportError::Refused(m) => f.write_str(m),
            ExportError::Format(id, m) => write!(f, "{id} export failed: {m}"),
        }
    }
}

impl std::error::Error for ExportError {}

/// What exporters read: the bank, the questions to export, and options.
pub struct Input<'a> {
    pub bank: &'a Bank,
    pub blueprint: &'a Blueprint,
    /// Questions to export, in bank order.
    pub questions: Vec<&'a Question>,
    pub coverage: Coverage,
    pub answers: Answers,
    pub templates: Option<&'a Path>,
    /// HTML of every exported question without images, rendered once for all
    /// formats; indexed by [`FileId`](qbank_parser::FileId).
    pub rendered: Vec<Option<Arc<QuestionHtml>>>,
}

impl Input<'_> {
    pub fn source_text(&self, q: &Question) -> &str {
        &self.bank.file(q.file).text
    }

    /// A question's topic ids with their names in the blueprint.
    pub fn topics_of<'q>(&self, q: &'q Question) -> Vec<(&'q str, Option<&str>)> {
        q.front
            .topics
            .iter()
            .map(|t| {
                (
                    t.value.as_str(),
                    self.blueprint.topic(&t.value).map(|(_, t)| t.name.as_str()),
                )
            })
            .collect()
    }

    /// A question's domain id (empty when missing) and its name in the blueprint.
    pub fn domain_of(&self, q: &Question) -> (String, Option<String>) {
        let id = q
            .front
            .domain
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or_default();
        let name = self.blueprint.domain(&id).map(|d| d.name.clone());
        (id, name)
    }

    /// A question's rendered HTML, with image URLs mapped by `image`.
    ///
    /// Questions without images share the HTML rendered once in [`input`];
    /// a question with images is rendered here, with this format's image URLs.
    pub fn html(&self, q: &Question, image: &dyn Fn(&str) -> String) -> Arc<QuestionHtml> {
        match self.rendered.get(q.file.0 as usize) {
            Some(Some(r)) => Arc::clone(r),
            _ => markdown::render(q, self.source_text(q), image),
        }
    }
}

/// One output format.
pub trait Exporter {
    fn id(&self) -> FormatId;
    /// Write this format's files into `dir`; return the paths written.
    fn export(&self, input: &Input<'_>, dir: &Path) -> Result<Vec<PathBuf>, ExportError>;
}

pub fn exporter(id: FormatId) -> Box<dyn Exporter> {
    match id {
        FormatId::Json => Box::new(json::JsonExporter),
        FormatId::Html => Box::new(html::HtmlExporter),
        FormatId::Anki => Box::new(anki::AnkiExporter),
    }
}

/// Prepare the export input: select questions (published, or all with drafts).
pub fn input<'a>(bank: &'a Bank, opts: &'a BuildOptions) -> Result<Input<'a>, ExportError> {
    let blueprint = bank
        .blueprint
        .as_ref()
        .ok_or_else(|| ExportError::Refused("the bank has no valid blueprint".into()))?;
    let questions: Vec<&Question> = bank
        .questions
        .iter()
        .filter(|q| opts.include_drafts || q.is_published())
        .collect();
    let keep = |u: &str| u.to_string();
    // Questions with images are rendered by each format, with its own image
    // URLs. The others use the HTML the loader wrote, if it was asked to.
    let html: Vec<Option<Arc<QuestionHtml>>> = questions
        .par_iter()
        .map(|q: &&Question| {
            q.images.is_empty().then(|| match &q.rendered {
                Some(h) => markdown::clean(h),
                None => markdown::render(q, &bank.file(q.file).text, &keep),
            })
        })
        .collect();
    let mut rendered = vec![None; bank.files.len()];
    for (q, r) in questions.iter().zip(html) {
        if let Some(slot) = rendered.get_mut(q.file.0 as usize) {
            *slot = r;
        }
    }
    Ok(Input {
        bank,
        blueprint,
        rendered,
        questions,
        coverage: qbank_parser::coverage::compute(bank, blueprint, bank.config.coverage.forms),
        answers: opts.answers,
        templates: opts.templates.as_deref(),
    })
}

/// Remove a folder and all it holds, its entries on every core: the kernel
/// takes milliseconds to drop a large file's cached pages.
fn remove_tree(dir: &Path) {
    // The old output may be a link (`--out` named a link to a folder): only
    // the link goes, never what it points to.
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        let _ = std::fs::remove_file(dir);
        return;
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let entries: Vec<_> = entries.flatten().collect();
        entries.par_iter().for_each(|e| {
            let _ = match e.file_type() {
                Ok(t) if t.is_dir() => std::fs::remove_dir_all(e.path()),
                _ => std::fs::remove_file(e.path()),
            };
        });
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Check the bank's output folder, write every format into a temporary
/// folder, then swap it into place.
pub fn build(bank: &Bank, opts: &BuildOptions) -> Result<BuildReport, ExportError> {
    let out = absolute(&opts.out);
    if out.is_file() {
        return Err(ExportError::Refused(format!(
            "--out {} is a file; give a folder",
            opts.out.display()
        )));
    }
    let content = absolute(&bank.root.join(&bank.config.content_dir));
    let root = absolute(&bank.root);
    if out.starts_with(&content) || content.starts_with(&out) || out == root {
        return Err(ExportError::Refused(format!(
            "--out {} overlaps the bank's content folder; write exports elsewhere (for example `dist`)",
            opts.out.display()
        )));
    }
    let parent = out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&parent).map_err(|e| ExportError::Io(parent.clone(), e))?;
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    std::fs::create_dir_all(&tmp).map_err(|e| ExportError::Io(tmp.clone(), e))?;

    let result = (|| {
        let input = input(bank, opts)?;
        let mut formats = opts.formats.clone();
        formats.sort();
        formats.dedup();
        let export_one = |f: FormatId| -> Result<Vec<PathBuf>, ExportError> {
            let written = exporter(f).export(&input, &tmp)?;
            if opts.fail_after.as_deref() == Some(&f.to_string()) {
                return Err(ExportError::Format(
                    f,
                    "simulated failure (QBANK_TEST_FAIL_AFTER)".into(),
                ));
            }
            Ok(written)
        };
        // Formats are independent: write them concurrently, slowest first, so
        // the Anki deck's serial database inserts overlap the other formats;
        // report in a fixed order.
        let mut run = formats.clone();
        run.sort_by_key(|f| std::cmp::Reverse(f.expected_cost()));
        let mut results: Vec<(FormatId, Result<Vec<PathBuf>, ExportError>)> =
            run.par_iter().map(|&f| (f, export_one(f))).collect();
        results.sort_by_key(|(f, _)| *f);
        let mut files = Vec::new();
        for (_, r) in results {
            files.extend(
                r?.into_iter()
                    .map(|p| out.join(p.strip_prefix(&tmp).unwrap_or(&p))),
            );
        }
        Ok(BuildReport {
            files,
            questions: input.questions.len(),
        })
    })();

    match result {
        Ok(report) => {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            if out.exists() {
                std::fs::rename(&out, &old).map_err(|e| ExportError::Io(out.clone(), e))?;
            }
            if let Err(e) = std::fs::rename(&tmp, &out) {
                // Put the previous output back.
                let _ = std::fs::rename(&old, &out);
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(ExportError::Io(out, e));
            }
            remove_tree(&old);
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}
