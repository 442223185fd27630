//! Loading a bank: configuration, blueprint, retired-id ledger and every question file.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::blueprint::{parse_blueprint, Blueprint};
use crate::config::{parse_config, Config};
use crate::diagnostic::{Diagnostic, FileId};
use crate::parse::parse_shared_with;
use crate::question::{Question, Spanned};
use crate::source::{decode_owned, decode_shared, display_name, is_separator_byte, SourceFile};
use crate::span::Span;
use crate::yaml;

/// Name of the configuration file at the bank root.
pub const CONFIG_FILE: &str = "qbank.toml";

/// A loaded bank: everything the linter and the exporters read.
#[derive(Debug)]
pub struct Bank {
    /// The bank root (the folder that holds `qbank.toml`).
    pub root: PathBuf,
    pub config: Config,
    /// The configuration file, when there is one.
    pub config_file: Option<FileId>,
    /// Every file read: configuration, blueprint, ledger and questions.
    pub files: Vec<SourceFile>,
    /// Parsed questions in path order.
    pub questions: Vec<Question>,
    pub blueprint: Option<Blueprint>,
    /// Ids in the retired-id ledger.
    pub retired_ids: Vec<Spanned<String>>,
    pub retired_file: Option<FileId>,
    /// Parse diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of question files found (including unreadable ones).
    pub question_files: usize,
}

impl Bank {
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
}

/// A problem that stops loading: the path, the configuration or the blueprint
/// cannot be used. `qbank` exits with status 2.
#[derive(Debug)]
pub struct Fatal {
    pub diagnostic: Diagnostic,
    /// Files the diagnostic points into.
    pub files: Vec<SourceFile>,
}

impl Fatal {
    fn plain(code: &'static str, message: String, help: &str) -> Fatal {
        Fatal {
            diagnostic: Diagnostic::error(code, message).with_help(help),
            files: Vec::new(),
        }
    }
}

/// Codes whose diagnostics are I/O problems rather than content problems.
pub fn is_io_code(code: &str) -> bool {
    matches!(code, "QB011" | "QB015" | "QB016")
}

/// Question files one loading task reads at most (about a millisecond's work).
const LOAD_TASK: usize = 32;

/// What [`load_with`] reads besides the files' text.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Each question file's modification time ([`SourceFile::modified`]),
    /// from the file already open: for exports that date their records.
    pub modified_times: bool,
    /// The HTML of each question's parts ([`Question::rendered`]; not for
    /// questions with images), written while the Markdown is parsed: for
    /// exports, so they do not parse it again.
    pub html: bool,
}

/// Load the bank at `path`: the folder with `qbank.toml`, or a folder of
/// questions with a `blueprint.yaml`.
pub fn load(path: &Path) -> Result<Bank, Fatal> {
    load_with(path, LoadOptions::default())
}

/// [`load`], reading what `opts` asks for as well.
pub fn load_with(path: &Path, opts: LoadOptions) -> Result<Bank, Fatal> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Fatal::plain(
            "QB016",
            format!("cannot open `{}`: {e}", path.display()),
            "pass the folder that holds qbank.toml, for example `qbank check content`",
        )
    })?;
    if !meta.is_dir() {
        return Err(Fatal::plain(
            "QB016",
            format!("`{}` is a file, not a bank folder", path.display()),
            "pass the folder that holds qbank.toml (the bank root), for example `qbank check content`",
        ));
    }
    let root = path.to_path_buf();
    let mut files: Vec<SourceFile> = Vec::new();

    // Configuration.
    let config_path = root.join(CONFIG_FILE);
    let (config, config_file) = if config_path.is_file() {
        let text = read_text(&config_path)?;
        let id = FileId(files.len() as u32);
        files.push(SourceFile::new(
            config_path.clone(),
            display_name(&root, &config_path),
            text,
        ));
        match parse_config(id, &files[id.0 as usize].text) {
            Ok(c) => (c, Some(id)),
            Err(diagnostic) => return Err(Fatal { diagnostic, files }),
        }
    } else {
        (Config::default(), None)
    };

    let exclude = build_exclude(&config, config_file, &files)?;

    // Blueprint.
    let mut diagnostics = Vec::new();
    let bp_path = root.join(&config.blueprint);
    if !bp_path.is_file() {
        return Err(Fatal::plain(
            "QB016",
            format!("blueprint `{}` not found", bp_path.display()),
            "every bank needs a blueprint; set `blueprint = \"...\"` in qbank.toml or add blueprint.yaml",
        ));
    }
    let bp_id = FileId(files.len() as u32);
    let bp_bytes = std::fs::read(&bp_path).map_err(|e| {
        Fatal::plain(
            "QB016",
            format!("cannot read `{}`: {e}", bp_path.display()),
            "check the file's permissions",
        )
    })?;
    let bp_text = decode_owned(bp_bytes, bp_id, &mut diagnostics);
    files.push(SourceFile::new(
        bp_path.clone(),
        display_name(&root, &bp_path),
        bp_text,
    ));
    let blueprint = parse_blueprint(bp_id, &files[bp_id.0 as usize].text, &mut diagnostics);

    // Retired-id ledger.
    let mut retired_ids = Vec::new();
    let mut retired_file = None;
    if let Some(rel) = &config.retired_ids {
        let p = root.join(rel);
        let text = read_text(&p)?;
        let id = FileId(files.len() as u32);
        files.push(SourceFile::new(p.clone(), display_name(&root, &p), text));
        retired_file = Some(id);
        retired_ids = parse_ledger(id, &files[id.0 as usize].text, &mut diagnostics);
    }

    // Questions.
    let content = root.join(&config.content_dir);
    if !content.is_dir() {
        return Err(Fatal::plain(
            "QB016",
            format!("content folder `{}` not found", content.display()),
            "set `content_dir` in qbank.toml to the folder with the question files",
        ));
    }
    // The walk itself is unsorted: sorting every directory's entries cost
    // more than reading them. The paths are sorted afterwards, component by
    // component, which is the order of a walk sorted by name.
    let skip: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    // The walk runs on one core; the other compiles the question schema
    // meanwhile, which every parse needs at once.
    let ((mut found, mut walk_errors), _) = rayon::join(
        || walk_questions(&root, &content, &skip),
        || std::sync::LazyLock::force(&crate::schema::QUESTION),
    );
    sort_paths(&mut found);
    walk_errors.sort_by(|a, b| a.0.cmp(&b.0));
    // Exclusion patterns see the path relative to the content folder; the
    // kept paths stay in order.
    let paths: Vec<PathBuf> = found
        .into_par_iter()
        .filter(|p| {
            let rel = display_name(&content, p);
            !(exclude.is_match(&rel) || p.file_name().is_some_and(|n| exclude.is_match(n)))
        })
        .collect();

    // Each file's number is its place in that order; files are read and
    // parsed on every core, and the results come back in order.
    let base = files.len();
    let max = config.max_file_size;
    // Unzipped on the fly into one vector per part: no vector of whole
    // results to copy out of (about 60 MB at 100,000 questions).
    #[allow(clippy::type_complexity)]
    let (sources, (questions, found_diags)): (
        Vec<SourceFile>,
        (Vec<Option<Question>>, Vec<Vec<Diagnostic>>),
    ) = paths
        .par_iter()
        .enumerate()
        // Small tasks: rayon's own split leaves pieces of hundreds of files,
        // and one core waits for the other to finish the last of them.
        .with_max_len(LOAD_TASK)
        .map(|(i, p)| {
            let (src, q, d) = load_question(FileId((base + i) as u32), &root, p, max, opts);
            (src, (q, d))
        })
        .unzip();
    let question_files = sources.len();
    files.reserve_exact(sources.len());
    files.extend(sources);
    // `filter_map` (unlike `flatten`) collects in place, in the vector's own
    // memory: an `Option<Question>` is the size of a `Question`.
    #[allow(clippy::filter_map_identity)]
    let questions: Vec<Question> = questions.into_iter().filter_map(|q| q).collect();
    diagnostics.extend(found_diags.into_iter().flatten());
    diagnostics.extend(walk_errors.into_iter().map(|(_, d)| d));

    Ok(Bank {
        root,
        config,
        config_file,
        files,
        questions,
        blueprint,
        retired_ids,
        retired_file,
        diagnostics,
        question_files,
    })
}

/// Every `.md` file under `content` (hidden entries skipped, links followed),
/// unsorted, and the walk's errors.
#[allow(clippy::type_complexity)]
fn walk_questions(
    root: &Path,
    content: &Path,
    skip: &[PathBuf],
) -> (Vec<PathBuf>, Vec<(PathBuf, Diagnostic)>) {
    let mut found: Vec<PathBuf> = Vec::new();
    let mut walk_errors: Vec<(PathBuf, Diagnostic)> = Vec::new();
    let walk = WalkDir::new(content)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        match entry {
            Ok(e) => {
                let p = e.path();
                let is_md = p.extension().is_some_and(|x| x.eq_ignore_ascii_case("md"));
                if e.file_type().is_file() && is_md && !skip.iter().any(|s| s == p) {
                    found.push(e.into_path());
                }
            }
            Err(e) => walk_errors.push((
                e.path().map(Path::to_path_buf).unwrap_or_default(),
                walk_error(root, &e),
            )),
        }
    }
    (found, walk_errors)
}

/// Sort the paths of one walk the way [`Path`]'s `Ord` does, component by
/// component (the order of a walk sorted by name). They share the walk's
/// root and below it are plain names joined by one separator, so the byte
/// keys in which every separator is 0 (below any byte of a name) sort the
/// same; comparing components one by one took as long as the walk itself.
fn sort_paths(paths: &mut Vec<PathBuf>) {
    let key = |p: &PathBuf| -> Vec<u8> {
        p.as_os_str()
            .as_encoded_bytes()
            .iter()
            .map(|&b| if is_separator_byte(b) { 0 } else { b })
            .collect()
    };
    let mut keyed: Vec<(Vec<u8>, PathBuf)> = std::mem::take(paths)
        .into_par_iter()
        .map(|p| (key(&p), p))
        .collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    paths.extend(keyed.into_iter().map(|(_, p)| p));
}

/// One question file as loaded: its source, the question (when it could be
/// read) and the parser's diagnostics.
type Loaded = (SourceFile, Option<Question>, Vec<Diagnostic>);

fn walk_error(root: &Path, e: &walkdir::Error) -> Diagnostic {
    let where_ = e.path().map(|p| display_name(root, p)).unwrap_or_default();
    let msg = if e.loop_ancestor().is_some() {
        format!("symbolic link loop at `{where_}`")
    } else {
        format!(
            "cannot read `{where_}`: {}",
            e.io_error()
                .map_or_else(|| e.to_string(), |i| i.to_string())
        )
    };
    Diagnostic::error("QB011", msg).with_help("remove the loop or fix the permissions")
}

fn read_text(p: &Path) -> Result<String, Fatal> {
    let bytes = std::fs::read(p).map_err(|e| {
        Fatal::plain(
            "QB016",
            format!("cannot read `{}`: {e}", p.display()),
            "check that the file exists and is readable",
        )
    })?;
    let mut d = Vec::new();
    let text = decode_owned(bytes, FileId(0), &mut d);
    if !d.is_empty() {
        return Err(Fatal::plain(
            "QB016",
            format!("`{}` is not valid UTF-8", p.display()),
            "save it as UTF-8",
        ));
    }
    Ok(text)
}

fn build_exclude(
    config: &Config,
    file: Option<FileId>,
    files: &[SourceFile],
) -> Result<GlobSet, Fatal> {
    let mut b = GlobSetBuilder::new();
    for pat in &config.exclude {
        match Glob::new(pat) {
            Ok(g) => {
                b.add(g);
            }
            Err(e) => {
                let mut d =
                    Diagnostic::error("QB015", format!("invalid exclude pattern `{pat}`: {e}"));
                if let Some(f) = file {
                    let text = &files[f.0 as usize].text;
                    let at = text.find(pat.as_str()).unwrap_or(0);
                    d = d.at(f, Span::new(at, at + pat.len()), "invalid glob");
                }
                return Err(Fatal {
                    diagnostic: d,
                    files: files.to_vec(),
                });
            }
        }
    }
    b.build().map_err(|e| {
        Fatal::plain(
            "QB015",
            format!("invalid exclude patterns: {e}"),
            "fix `exclude` in qbank.toml",
        )
    })
}

/// Read, decode and parse one question file.
pub fn load_question(id: FileId, root: &Path, path: &Path, max: u64, opts: LoadOptions) -> Loaded {
    let name = display_name(root, path);
    let mut diags = Vec::new();
    let unreadable = |e: std::io::Error, mut diags: Vec<Diagnostic>| {
        diags.push(
            Diagnostic::error("QB011", format!("cannot read `{name}`: {e}"))
                .at(id, Span::new(0, 0), "unreadable")
                .with_help("check the file's permissions"),
        );
        (
            SourceFile::new(path.to_path_buf(), name.clone(), String::new()),
            None,
            diags,
        )
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return unreadable(e, diags),
    };
    // From the open file: no second lookup of the path.
    let modified = opts
        .modified_times
        .then(|| unix_seconds(file.metadata().ok()?.modified().ok()?))
        .flatten();
    // Read at most one byte past the limit: no separate size query, and a
    // huge file is never read whole. Most questions fit the first buffer.
    // Each thread reads into one reused buffer; the file's own copy is then
    // allocated at its exact size.
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(64 * 1024));
    }
    let read = BUF.with_borrow_mut(|buf| {
        buf.clear();
        let n = std::io::Read::read_to_end(&mut std::io::Read::take(file, max + 1), buf)?;
        let text = (n as u64 <= max).then(|| decode_shared(buf, id, &mut diags));
        // Do not keep a large file's worth of memory per thread.
        if buf.capacity() > 1 << 20 {
            *buf = Vec::with_capacity(64 * 1024);
        }
        Ok::<_, std::io::Error>(text)
    });
    let text = match read {
        Ok(Some(t)) => t,
        Err(e) => return unreadable(e, diags),
        Ok(None) => {
            let len = std::fs::metadata(path).map_or(max + 1, |m| m.len());
            diags.push(
            Diagnostic::error("QB010", format!("the file is {len} bytes; the limit is {max}"))
                .at(id, Span::new(0, 0), "file too large")
                .with_help("a question is a few kilobytes; split the file or raise `max_file_size` in qbank.toml"),
        );
            return (
                SourceFile::new(path.to_path_buf(), name, String::new()),
                None,
                diags,
            );
        }
    };
    let (q, d) = parse_shared_with(id, path, &text, opts.html);
    diags.extend(d);
    (
        SourceFile::new(path.to_path_buf(), name, text).with_modified(modified),
        Some(q),
        diags,
    )
}

/// Whole seconds since the Unix epoch; `None` for a time before it.
pub fn unix_seconds(t: std::time::SystemTime) -> Option<i64> {
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(d.as_secs()).ok()
}

fn parse_ledger(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Spanned<String>> {
    let Some(doc) = yaml::parse(text, 0, file, diags) else {
        return Vec::new();
    };
    let whole = Span::new(0, text.find('\n').unwrap_or(text.len()));
    let Some(list) = doc.value.get("retired").and_then(|v| v.as_array()) else {
        diags.push(
            Diagnostic::error("QB005", "the retired-id ledger needs a `retired:` list")
                .at(file, whole, "here")
                .with_help(
                    "write `retired: []`, then one `- id: old-id` entry per retired question",
                ),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let (value, pointer) = match e {
            serde_json::Value::String(s) => (Some(s.clone()), format!("/retired/{i}")),
            serde_json::Value::Object(m) => (
                m.get("id").and_then(|v| v.as_str()).map(str::to_string),
                format!("/retired/{i}/id"),
            ),
            _ => (None, format!("/retired/{i}")),
        };
        let span = doc.spans.value_or_parent(&pointer).unwrap_or(whole);
        match value {
            Some(v) => out.push(Spanned { value: v, span }),
            None => diags.push(
                Diagnostic::error("QB005", "a ledger entry needs an `id`")
                    .at(file, span, "no id")
                    .with_help("write `- id: old-question-id` (optionally with `reason:`)"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Paths a walk of one root makes: the root, then plain names.
        #[test]
        fn paths_sort_as_path_orders_them(
            root in "[a./]{1,5}",
            names in proptest::collection::vec(
                proptest::collection::vec("[a-c.\\-_0ä ]{1,4}", 1..4),
                0..40,
            ),
        ) {
            let mut paths: Vec<PathBuf> = names
                .iter()
                .filter(|n| n.iter().all(|x| x != "." && x != ".."))
                .map(|n| Path::new(&root).join(n.join("/")))
                .collect();
            paths.sort();
            paths.dedup();
            let expected = paths.clone();
            paths.reverse();
            sort_paths(&mut paths);
            prop_assert_eq!(paths, expected);
        }
    }
}
