//! Anki package (`<exam-id>.apkg`).
//!
//! Writes a *legacy* package: a zip with `collection.anki2` (SQLite, schema 11,
//! `col.ver = 11`), the media files as members `0`, `1`, … and the `media`
//! map, which Anki 2.1 and later import. What makes re-imports update notes
//! instead of duplicating them:
//!
//! * the note **guid** comes from the exam id and the question id only
//!   ([`note_guid`]), never from the content;
//! * the note type has a fixed id, fixed field and template ids and names
//!   ([`NOTETYPE_ID`], [`FIELDS`], [`TEMPLATE_ID`]);
//! * a note's `mod` is the time of the question file's last content change
//!   ([`ChangeTimes`]): the last git commit touching the file, or the file's
//!   mtime when it has uncommitted changes or git is unavailable, clamped to
//!   `SOURCE_DATE_EPOCH` and to now. Same content gives the same `mod`, so Anki
//!   leaves the note (and the user's edits) alone; an edit gives a larger `mod`
//!   and Anki updates the note.
//!
//! Everything else (collection, deck and note-type timestamps, ids, zip entry
//! times, row and member order) is fixed, so the same input gives a
//! byte-identical package.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use qbank_parser::{push_letter, Question, SourceFile};
use serde_json::{json, Value};

use crate::{ExportError, Exporter, FormatId, Input};
use qbank_parser::html::QuestionHtml;
use rayon::prelude::*;

/// The note type's id. Fixed forever: changing it makes Anki add a second
/// note type and stop updating existing notes.
pub const NOTETYPE_ID: i64 = 1_691_735_411;

/// Name of the note type.
pub const NOTETYPE_NAME: &str = "qbank multiple choice";

/// The note type's `mod` (seconds). **Bump it (to the date of the change, never
/// a future date) whenever the templates or the CSS change**, otherwise Anki
/// keeps the old templates in users' collections. History:
/// * 1767225600 (2026-01-01): first version.
pub const NOTETYPE_MOD: i64 = 1_767_225_600;

/// Fields: (name, fixed id). The first field (`Id`) is also the sort field
/// and the one Anki's duplicate check (`csum`) keys on. Never rename, reorder,
/// add or remove fields without planning a migration.
pub const FIELDS: [(&str, i64); 6] = [
    ("Id", 4_617_230_911_204_587_001),
    ("Question", 4_617_230_911_204_587_002),
    ("Answer", 4_617_230_911_204_587_003),
    ("Domain", 4_617_230_911_204_587_004),
    ("Topics", 4_617_230_911_204_587_005),
    ("References", 4_617_230_911_204_587_006),
];

/// The single card template: (name, fixed id).
pub const TEMPLATE_NAME: &str = "Question";
pub const TEMPLATE_ID: i64 = 4_617_230_911_204_588_001;

/// Collection timestamps (seconds) when `SOURCE_DATE_EPOCH` is not set:
/// 2025-01-01T00:00:00Z.
pub const DEFAULT_EPOCH: i64 = 1_735_689_600;

/// Note and card ids are `ID_BASE_MS + position` (ms since the epoch,
/// 2024-01-01). Anki matches notes by guid, not by id; ids only need to be
/// unique in the file and not in the future.
const ID_BASE_MS: i64 = 1_704_067_200_000;

const FRONT_TEMPLATE: &str = "<div class=\"qbank qb-front\">{{Question}}</div>";

const BACK_TEMPLATE: &str = "<div class=\"qbank qb-front\">{{Question}}</div>\n\
<hr id=\"answer\">\n\
<div class=\"qbank qb-back\">{{Answer}}\n\
<div class=\"qb-meta\">\n\
<div class=\"qb-id\">{{Id}}</div>\n\
{{#Domain}}<div class=\"qb-domain\">Domain: {{Domain}}</div>{{/Domain}}\n\
{{#Topics}}<div class=\"qb-topics\">Topics: {{Topics}}</div>{{/Topics}}\n\
{{#References}}<div class=\"qb-refs\">References: {{References}}</div>{{/References}}\n\
</div>\n</div>";

const CSS: &str = r#".card {
  font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 18px;
  line-height: 1.45;
  text-align: left;
  color: #1b1b1b;
  background: #ffffff;
}
.nightMode .card, .card.nightMode { color: #e6e6e6; background: #1e1e1e; }
.qbank { max-width: 46em; margin: 0 auto; }
.qb-options { list-style: none; padding-left: 0; }
.qb-option { display: flex; gap: 0.6em; margin: 0.45em 0; padding: 0.35em 0.5em; border-radius: 6px; }
.qb-option p { margin: 0; }
.qb-letter { font-weight: 700; min-width: 1.4em; }
.qb-choose { font-style: italic; }
.qb-key { font-size: 1.1em; }
.qb-correct { background: rgba(40, 167, 69, 0.15); border-left: 4px solid #28a745; }
.qb-incorrect { border-left: 4px solid rgba(128, 128, 128, 0.4); }
.qb-mark { font-weight: 700; min-width: 1.2em; }
.qb-correct .qb-mark { color: #1e7e34; }
.qb-incorrect .qb-mark { color: #b02a37; }
.qb-rationale { margin-top: 0.25em; font-size: 0.92em; opacity: 0.9; }
.qb-explanation { margin-top: 1em; }
.qb-meta { margin-top: 1.2em; font-size: 0.8em; opacity: 0.75; }
.qb-meta ul { margin: 0.2em 0; }
pre {
  background: #f5f5f5;
  color: #1b1b1b;
  padding: 0.6em 0.8em;
  border-radius: 6px;
  overflow-x: auto;
  text-align: left;
  white-space: pre;
}
.nightMode pre { background: #2b2b2b; color: #e6e6e6; }
code { font-family: "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
img { max-width: 100%; height: auto; }
"#;

/// Schema 11 tables, as Anki and genanki write them; [`INDEXES`] follow.
const SCHEMA: &str = "
CREATE TABLE col (
    id              integer primary key,
    crt             integer not null,
    mod             integer not null,
    scm             integer not null,
    ver             integer not null,
    dty             integer not null,
    usn             integer not null,
    ls              integer not null,
    conf            text not null,
    models          text not null,
    decks           text not null,
    dconf           text not null,
    tags            text not null
);
CREATE TABLE notes (
    id              integer primary key,
    guid            text not null,
    mid             integer not null,
    mod             integer not null,
    usn             integer not null,
    tags            text not null,
    flds            text not null,
    sfld            integer not null,
    csum            integer not null,
    flags           integer not null,
    data            text not null
);
CREATE TABLE cards (
    id              integer primary key,
    nid             integer not null,
    did             integer not null,
    ord             integer not null,
    mod             integer not null,
    usn             integer not null,
    type            integer not null,
    queue           integer not null,
    due             integer not null,
    ivl             integer not null,
    factor          integer not null,
    reps            integer not null,
    lapses          integer not null,
    left            integer not null,
    odue            integer not null,
    odid            integer not null,
    flags           integer not null,
    data            text not null
);
CREATE TABLE revlog (
    id              integer primary key,
    cid             integer not null,
    usn             integer not null,
    ease            integer not null,
    ivl             integer not null,
    lastIvl         integer not null,
    factor          integer not null,
    time            integer not null,
    type            integer not null
);
CREATE TABLE graves (
    usn             integer not null,
    oid             integer not null,
    type            integer not null
);
";

/// Schema 11 indexes, created once the notes and cards are in: an index
/// built from a full table is sorted once, where one kept up to date row by
/// row takes an insert at a random place of `ix_notes_csum` for every note.
/// At 10,000 questions the collection is written about 12 ms sooner.
const INDEXES: &str = "
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

pub struct AnkiExporter;

impl Exporter for AnkiExporter {
    fn id(&self) -> FormatId {
        FormatId::Anki
    }

    fn export(&self, input: &Input<'_>, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        let now = now_secs();
        let epoch = source_date_epoch().map_or(DEFAULT_EPOCH, |e| e.min(now));
        let content = input.bank.root.join(&input.bank.config.content_dir);
        // Looked up as each note is prepared, on every core, while the
        // previous notes go into the database.
        let times = ChangeTimes::new(&input.bank.root, &content);
        let sde = source_date_epoch();
        let mod_time = |src: &SourceFile| clamp_mod(times.of(src), now, sde, epoch.min(now));
        let path = dir.join(format!("{}.apkg", safe_file_stem(&input.blueprint.exam.id)));
        write_package(input, epoch, &mod_time, &path)?;
        Ok(vec![path])
    }
}

fn err(msg: impl std::fmt::Display) -> ExportError {
    ExportError::Format(FormatId::Anki, msg.to_string())
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| *v >= 0)
}

// ---------------------------------------------------------------------------
// Identity

/// Anki's base91 alphabet (the one it uses for random guids).
const BASE91: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~";

fn base91(mut n: u64) -> String {
    let mut out = Vec::new();
    loop {
        out.push(BASE91[(n % 91) as usize]);
        n /= 91;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn sha1_u64(s: &str) -> u64 {
    let d = sha1_smol::Sha1::from(s).digest().bytes();
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    u64::from_be_bytes(b)
}

/// The note guid: base91 of the first 8 bytes of
/// `sha1("qbank:<exam id>:<question id>")`. It depends on the question's
/// identity only, so edits update the existing note.
pub fn note_guid(exam_id: &str, question_id: &str) -> String {
    base91(sha1_u64(&format!("qbank:{exam_id}:{question_id}")))
}

/// A deck id in genanki's 31-bit range, derived from a stable key.
fn deck_id(key: &str) -> i64 {
    (1 << 30) + (sha1_u64(&format!("qbank-deck:{key}")) % (1 << 30)) as i64
}

fn deck_component(name: &str) -> String {
    let n = name.replace("::", ":");
    let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
    if n.is_empty() {
        "qbank".into()
    } else {
        n
    }
}

/// ASCII letters, digits, `-`, `_` and `.` kept; everything else becomes `_`.
fn safe_chars(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn safe_file_stem(id: &str) -> String {
    let s = safe_chars(id).trim_start_matches('.').to_string();
    if s.is_empty() {
        "bank".into()
    } else {
        s
    }
}

// ---------------------------------------------------------------------------
// Change times

/// When question files last changed, in seconds: the commit time of the last
/// git commit touching a file, or its mtime when it has uncommitted changes,
/// is not committed, or git is unavailable. Not clamped.
pub struct ChangeTimes {
    git: Option<GitTimes>,
}

impl ChangeTimes {
    /// Reads the git history of `content` (under `root`) once, if there is one.
    pub fn new(root: &Path, content: &Path) -> ChangeTimes {
        ChangeTimes {
            git: git_times(root, content),
        }
    }

    /// The last change of file `f`: its commit time from the history (one
    /// file-system call, canonicalize), else its modification time as loaded
    /// ([`SourceFile::modified`]), else one more call for it.
    pub fn of(&self, f: &SourceFile) -> Option<i64> {
        self.of_path(&f.path)
            .or(f.modified)
            .or_else(|| mtime(&f.path))
    }

    /// The commit time of file `f`, if it is committed and unchanged.
    fn of_path(&self, f: &Path) -> Option<i64> {
        self.git.as_ref().and_then(|(top, log, dirty)| {
            let rel = std::fs::canonicalize(f).ok()?;
            let rel = rel.strip_prefix(top).ok()?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            if dirty.contains(&rel) {
                None
            } else {
                log.get(&rel).copied()
            }
        })
    }
}

fn mtime(p: &Path) -> Option<i64> {
    qbank_parser::bank::unix_seconds(std::fs::metadata(p).ok()?.modified().ok()?)
}

type GitTimes = (PathBuf, HashMap<String, i64>, HashSet<String>);

/// `(top level, repo path -> last commit time, repo paths with uncommitted changes)`.
fn git_times(root: &Path, content: &Path) -> Option<GitTimes> {
    let run = |args: &[&str]| -> Option<Vec<u8>> {
        let out = Command::new("git")
            .current_dir(root)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    };
    let top = run(&["rev-parse", "--show-toplevel"])?;
    let top = std::fs::canonicalize(String::from_utf8(top).ok()?.trim()).ok()?;
    let dir = std::fs::canonicalize(content).ok()?;
    let dir = dir.to_str()?;

    let log = run(&[
        "-c",
        "core.quotePath=false",
        "log",
        "--format=%x01%ct",
        "--name-only",
        "--no-renames",
        "--",
        dir,
    ])?;
    let times = parse_git_log(&String::from_utf8_lossy(&log));

    let status = run(&[
        "status",
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--",
        dir,
    ])?;
    let dirty = parse_git_status(&status);
    Some((top, times, dirty))
}

/// Parse `git log --format=%x01%ct --name-only`: repo path -> time of the
/// newest commit that touched it (git lists newest commits first).
fn parse_git_log(log: &str) -> HashMap<String, i64> {
    let mut times = HashMap::new();
    let mut current = None;
    for line in log.lines() {
        if let Some(t) = line.strip_prefix('\u{1}') {
            current = t.trim().parse::<i64>().ok();
        } else if !line.is_empty() {
            if let Some(t) = current {
                times.entry(line.to_string()).or_insert(t);
            }
        }
    }
    times
}

/// Parse `git status --porcelain -z`: every path with uncommitted changes
/// (including untracked files and both sides of a rename).
fn parse_git_status(status: &[u8]) -> HashSet<String> {
    let mut dirty = HashSet::new();
    let mut entries = status.split(|b| *b == 0);
    while let Some(e) = entries.next() {
        if e.len() < 4 {
            continue;
        }
        dirty.insert(String::from_utf8_lossy(&e[3..]).into_owned());
        if matches!(e[0], b'R' | b'C') {
            // The original path of a rename or copy follows.
            if let Some(orig) = entries.next() {
                dirty.insert(String::from_utf8_lossy(orig).into_owned());
            }
        }
    }
    dirty
}

/// A note's `mod`: the change time clamped to `SOURCE_DATE_EPOCH` and to
/// now (never in the future); `fallback` when the time is unknown.
fn clamp_mod(changed: Option<i64>, now: i64, sde: Option<i64>, fallback: i64) -> i64 {
    changed.map_or(fallback, |t| {
        let t = t.min(now);
        sde.map_or(t, |e| t.min(e))
    })
}

// ---------------------------------------------------------------------------
// Text helpers

/// `s` HTML-escaped onto the end of `o`.
fn esc_into(o: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find(['&', '<', '>', '"']) {
        o.push_str(&rest[..i]);
        o.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&quot;",
        });
        rest = &rest[i + 1..];
    }
    o.push_str(rest);
}

/// What Anki keeps of a field: no ASCII control characters except `\n` and
/// `\t` (this also keeps the `\x1f` field separator out of field values).
/// The field starts at byte `start` of `s` and runs to its end: fields are
/// written one after another into a note's string, and each is cleaned
/// where it stands.
fn clean_from(s: &mut String, start: usize) {
    // Bitwise, over blocks, so the scan of a clean field (nearly all) vectorises.
    let bad = |b: u8| (b < 0x20) & (b != b'\n') & (b != b'\t') | (b == 0x7f);
    let dirty = s.as_bytes()[start..]
        .chunks(64)
        .any(|block| block.iter().fold(false, |acc, &b| acc | bad(b)));
    if dirty {
        let kept: String = s[start..]
            .chars()
            .filter(|&c| !c.is_ascii_control() || c == '\n' || c == '\t')
            .collect();
        s.truncate(start);
        s.push_str(&kept);
    }
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

/// The value of attribute `name` in the inside of a tag (`img src="x" ...`).
fn attr_value(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let vstart = tag.len() - rest.len() + 1;
        let v = tag[vstart..].trim_start();
        return Some(match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or_default().to_string(),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default()
                .to_string(),
        });
    }
    None
}

/// Anki's `strip_html_preserving_media_filenames`: media tags become
/// ` <file name> `, comments, `<style>` and `<script>` blocks and all other
/// tags are removed, then entities are decoded.
pub fn strip_html_preserving_media(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let lower_head: String = tail
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        if tail.starts_with("<!--") {
            match tail.find("-->") {
                Some(e) => rest = &tail[e + 3..],
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
            continue;
        }
        let block = ["style", "script"]
            .into_iter()
            .find(|b| lower_head[1..].starts_with(b));
        if let Some(b) = block {
            if let Some(e) = find_ci(tail, &format!("</{b}")) {
                if let Some(g) = tail[e..].find('>') {
                    rest = &tail[e + g + 1..];
                    continue;
                }
            }
        }
        match tail.find('>') {
            Some(e) => {
                let inner = &tail[1..e];
                let name: String = inner
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if matches!(
                    name.as_str(),
                    "img" | "audio" | "video" | "object" | "source"
                ) {
                    if let Some(v) = attr_value(inner, "src").or_else(|| attr_value(inner, "data"))
                    {
                        out.push(' ');
                        out.push_str(&v);
                        out.push(' ');
                    }
                }
                rest = &tail[e + 1..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|e| e + 1);
        let decoded = match end {
            Some(e) if tail[e..].starts_with(';') => {
                let name = &tail[1..e];
                let c = match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    _ => name.strip_prefix('#').and_then(|n| {
                        let v = match n.strip_prefix(['x', 'X']) {
                            Some(h) => u32::from_str_radix(h, 16).ok(),
                            None => n.parse::<u32>().ok(),
                        };
                        v.and_then(char::from_u32)
                    }),
                };
                c.map(|c| (c, e + 1))
            }
            _ => None,
        };
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Anki's first-field checksum: the first 4 bytes of
/// `sha1(strip_html_preserving_media(field))` as a big-endian u32.
pub fn field_checksum(field: &str) -> i64 {
    let d = sha1_smol::Sha1::from(strip_html_preserving_media(field))
        .digest()
        .bytes();
    i64::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
}

// ---------------------------------------------------------------------------
// Deck model

struct Media {
    name: String,
    bytes: Vec<u8>,
}

struct NoteRow {
    guid: String,
    /// The fields, cleaned and joined with Anki's `\x1f` separator.
    flds: String,
    /// Sort field and checksum of the first field, as Anki computes them.
    sfld: String,
    csum: i64,
    /// Space-separated with a space at each end, as Anki stores them.
    tags: String,
    modified: i64,
}

/// The deck tree: a root deck for the exam and one subdeck per domain, with
/// ids derived from the exam and domain ids (so they stay fixed).
struct Decks {
    exam_id: String,
    exam_name: String,
    used: HashSet<i64>,
    by_domain: HashMap<String, i64>,
    root: i64,
    /// (id, full name), in order of creation.
    list: Vec<(i64, String)>,
}

impl Decks {
    fn new(input: &Input<'_>) -> Decks {
        let bp = input.blueprint;
        let mut d = Decks {
            exam_id: bp.exam.id.clone(),
            exam_name: deck_component(&bp.exam.name),
            used: HashSet::from([1]),
            by_domain: HashMap::new(),
            root: 0,
            list: Vec::new(),
        };
        d.root = d.unique(deck_id(&bp.exam.id));
        d.list.push((d.root, d.exam_name.clone()));
        for dom in &bp.domains {
            d.for_domain(&dom.id, &dom.name);
        }
        d
    }

    fn unique(&mut self, mut id: i64) -> i64 {
        while !self.used.insert(id) {
            id += 1;
        }
        id
    }

    /// The deck of a domain (the root deck when the domain is empty).
    fn for_domain(&mut self, id: &str, name: &str) -> i64 {
        if id.is_empty() {
            return self.root;
        }
        if let Some(d) = self.by_domain.get(id) {
            return *d;
        }
        let did = self.unique(deck_id(&format!("{}:{id}", self.exam_id)));
        self.list
            .push((did, format!("{}::{}", self.exam_name, deck_component(name))));
        self.by_domain.insert(id.to_string(), did);
        did
    }
}

/// A media name that is safe and flat: `<first 10 hex of sha1>-<basename>`.
fn media_name(bytes: &[u8], path: &Path) -> String {
    let hash = sha1_smol::Sha1::from(bytes).digest().to_string();
    let base = path
        .file_name()
        .map_or_else(|| "image".into(), |n| n.to_string_lossy().into_owned());
    let base = safe_chars(&base);
    format!("{}-{}", &hash[..10], base.trim_start_matches('.'))
}

/// A tag's value: its words joined by `_` (Anki splits tags on spaces).
fn push_tag(out: &mut String, s: &str) {
    for (i, w) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push('_');
        }
        out.push_str(w);
    }
}

/// One note, built independently of the others (its deck is numbered when it is inserted).
struct Prepared {
    identity: String,
    domain_id: String,
    domain_name: String,
    note: NoteRow,
    media: Vec<(String, Vec<u8>)>,
}

fn prepare_note(
    input: &Input<'_>,
    q: &Question,
    mod_time: &(dyn Fn(&SourceFile) -> i64 + Sync),
) -> Result<Prepared, ExportError> {
    let src = input.bank.file(q.file);
    let identity = q
        .id()
        .map_or_else(|| format!("file:{}", src.name), str::to_string);
    let guid = note_guid(&input.blueprint.exam.id, &identity);
    let (domain_id, domain_name) = input.domain_of(q);
    let domain_name = domain_name.unwrap_or_else(|| domain_id.clone());

    // The fields, written one after another into the note's string, each
    // cleaned where it stands, joined by Anki's `\x1f`.
    let Html { media, r } = question_html(input, q)?;
    let mut flds = String::with_capacity(field_size(&r) + 256);
    esc_into(&mut flds, &identity);
    clean_from(&mut flds, 0);
    let id_end = flds.len();
    let rest: [&dyn Fn(&mut String); 5] = [
        &|s| question_field(s, q, &r),
        &|s| answer_field(s, q, &r),
        &|s| esc_into(s, &domain_name),
        &|s| topics_field(s, input, q),
        &|s| references_field(s, q),
    ];
    for write in rest {
        flds.push('\u{1f}');
        let start = flds.len();
        write(&mut flds);
        clean_from(&mut flds, start);
    }
    let sfld = strip_html_preserving_media(&flds[..id_end]);
    let csum = field_checksum(&flds[..id_end]);

    // Space-separated, with a space at each end (none when there are no tags).
    let mut tags = String::new();
    let mut add = |kind: &str, value: &str| {
        if tags.is_empty() {
            tags.push(' ');
        }
        tags.push_str(kind);
        tags.push_str("::");
        push_tag(&mut tags, value);
        tags.push(' ');
    };
    if !domain_id.is_empty() {
        add("domain", &domain_id);
    }
    for t in &q.front.topics {
        add("topic", &t.value);
    }
    if let Some(d) = q.front.difficulty {
        add("difficulty", d.as_str());
    }

    Ok(Prepared {
        identity,
        domain_id,
        domain_name,
        note: NoteRow {
            guid,
            flds,
            sfld,
            csum,
            tags,
            modified: mod_time(src),
        },
        media,
    })
}

/// A question's HTML, with its images under their packaged names, and those
/// media files.
struct Html {
    media: Vec<(String, Vec<u8>)>,
    r: std::sync::Arc<QuestionHtml>,
}

fn question_html(input: &Input<'_>, q: &Question) -> Result<Html, ExportError> {
    // Images: package local files under safe flat names.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut media = Vec::new();
    for img in &q.images {
        if let Some(p) = &img.resolved {
            let bytes = std::fs::read(p).map_err(|e| ExportError::Io(p.clone(), e))?;
            let name = media_name(&bytes, p);
            names.insert(img.url.clone(), name.clone());
            media.push((name, bytes));
        }
    }
    let image = |u: &str| names.get(u).cloned().unwrap_or_else(|| u.to_string());
    Ok(Html {
        media,
        r: input.html(q, &image),
    })
}

/// About the length of the Question and Answer fields: each part's HTML
/// plus the markup [`question_field`] and [`answer_field`] put around it (keep
/// the allowances in step with them). Only a capacity hint.
fn field_size(r: &QuestionHtml) -> usize {
    let options: usize = r.options.iter().map(|o| 2 * o.len() + 290).sum();
    let rationales: usize = r.rationales.iter().flatten().map(|h| h.len() + 40).sum();
    r.stem.len() + options + rationales + r.explanation.as_ref().map_or(0, |h| h.len() + 70)
}

fn question_field(s: &mut String, q: &Question, r: &QuestionHtml) {
    s.push_str("<div class=\"qb-stem\">");
    s.push_str(&r.stem);
    s.push_str("</div>\n");
    let keys = q.key_count();
    if keys > 1 {
        s.push_str("<p class=\"qb-choose\">Choose ");
        s.push_str(&keys.to_string());
        s.push_str(".</p>\n");
    }
    s.push_str("<ol class=\"qb-options\">\n");
    for (i, text) in r.options.iter().enumerate() {
        s.push_str("<li class=\"qb-option\"><span class=\"qb-letter\">");
        push_letter(s, i);
        s.push_str(".</span><div class=\"qb-option-text\">");
        s.push_str(text);
        s.push_str("</div></li>\n");
    }
    s.push_str("</ol>");
}

fn answer_field(s: &mut String, q: &Question, r: &QuestionHtml) {
    s.push_str("<p class=\"qb-key\">");
    s.push_str(if q.key_count() > 1 {
        "Answers"
    } else {
        "Answer"
    });
    s.push_str(": <strong>");
    for (n, (i, _)) in q.keys().enumerate() {
        if n > 0 {
            s.push_str(", ");
        }
        push_letter(s, i);
    }
    s.push_str("</strong></p>\n<ol class=\"qb-options qb-answers\">\n");
    for (i, o) in q.options.iter().enumerate() {
        let (class, mark) = if o.is_key {
            ("qb-correct", "\u{2713}")
        } else {
            ("qb-incorrect", "\u{2717}")
        };
        s.push_str("<li class=\"qb-option ");
        s.push_str(class);
        s.push_str("\"><span class=\"qb-mark\">");
        s.push_str(mark);
        s.push_str("</span><span class=\"qb-letter\">");
        push_letter(s, i);
        s.push_str(".</span><div><div class=\"qb-option-text\">");
        s.push_str(&r.options[i]);
        s.push_str("</div>");
        if let Some(h) = &r.rationales[i] {
            s.push_str("<div class=\"qb-rationale\">");
            s.push_str(h);
            s.push_str("</div>");
        }
        s.push_str("</div></li>\n");
    }
    s.push_str("</ol>");
    if let Some(h) = &r.explanation {
        s.push_str("\n<div class=\"qb-explanation\"><h4>Explanation</h4>");
        s.push_str(h);
        s.push_str("</div>");
    }
}

fn topics_field(s: &mut String, input: &Input<'_>, q: &Question) {
    for (i, (id, name)) in input.topics_of(q).into_iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        esc_into(s, name.unwrap_or(id));
    }
}

fn references_field(s: &mut String, q: &Question) {
    if q.front.references.is_empty() {
        return;
    }
    s.push_str("<ul>");
    for r in &q.front.references {
        let v = &r.value;
        s.push_str("<li>");
        if v.starts_with("https://") || v.starts_with("http://") {
            s.push_str("<a href=\"");
            esc_into(s, v);
            s.push_str("\">");
            esc_into(s, v);
            s.push_str("</a>");
        } else {
            esc_into(s, v);
        }
        s.push_str("</li>");
    }
    s.push_str("</ul>");
}

// ---------------------------------------------------------------------------
// Collection JSON

fn models_json(first_deck: i64) -> Value {
    let flds: Vec<Value> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, (name, id))| {
            json!({
                "name": name, "ord": i, "sticky": false, "rtl": false,
                "font": "Arial", "size": 20, "media": [], "description": "",
                "plainText": false, "collapsed": false, "excludeFromSearch": false,
                "id": id,
            })
        })
        .collect();
    json!({
        NOTETYPE_ID.to_string(): {
            "id": NOTETYPE_ID,
            "name": NOTETYPE_NAME,
            "type": 0,
            "mod": NOTETYPE_MOD,
            "usn": -1,
            "sortf": 0,
            "did": first_deck,
            "tmpls": [{
                "name": TEMPLATE_NAME, "ord": 0, "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE,
                "bqfmt": "", "bafmt": "", "did": null, "bfont": "", "bsize": 0, "id": TEMPLATE_ID,
            }],
            "flds": flds,
            "css": CSS,
            "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
            "latexPost": "\\end{document}",
            "latexsvg": false,
            "req": [[0, "any", [1]]],
            "tags": [],
            "vers": [],
        }
    })
}

fn deck_json(id: i64, name: &str, modified: i64) -> Value {
    json!({
        "id": id, "name": name, "mod": modified, "usn": -1,
        "lrnToday": [0, 0], "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0],
        "collapsed": false, "browserCollapsed": false, "desc": "", "dyn": 0, "conf": 1,
        "extendNew": 0, "extendRev": 0,
    })
}

fn dconf_json() -> Value {
    json!({ "1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": { "bury": true, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 7],
                 "order": 1, "perDay": 20, "separate": true },
        "rev": { "bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1.0, "maxIvl": 36500,
                 "minSpace": 1, "perDay": 200, "hardFactor": 1.2 },
        "lapse": { "delays": [10.0], "leechAction": 0, "leechFails": 8, "minInt": 1, "mult": 0.0 },
    }})
}

fn conf_json(first_deck: i64, next_pos: usize) -> Value {
    json!({
        "activeDecks": [1], "addToCur": true, "collapseTime": 1200, "curDeck": first_deck,
        "curModel": NOTETYPE_ID.to_string(), "dueCounts": true, "estTimes": true,
        "newBury": true, "newSpread": 0, "nextPos": next_pos, "sortBackwards": false,
        "sortType": "noteFld", "timeLim": 0,
    })
}

// ---------------------------------------------------------------------------
// Writing

fn sql_err(e: rusqlite::Error) -> ExportError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
        return err(format!(
            "the collection would exceed {} MiB, the most one package can hold here; \
             export fewer questions per bank",
            MEMDB_LIMIT >> 20
        ));
    }
    err(format!("sqlite: {e}"))
}

/// Largest collection the in-memory database may grow to. memdb keeps it in
/// one allocation, and SQLite allocates at most just under 2 GiB at once
/// (`SQLITE_MAX_ALLOCATION_SIZE`); with this limit a larger collection fails
/// with SQLITE_FULL (reported by [`sql_err`]) rather than an allocation
/// error. That is about 400,000 questions of 2 KB.
const MEMDB_LIMIT: i64 = 0x7FFF_0000;

/// The collection's page size: SQLite's largest. A note (its two HTML fields)
/// is about 4.5 KB for a question of 2 KB, more than a 4 KiB page holds, so
/// with small pages every note spills into an overflow page and leaves the
/// rest of its leaf page unused. With 64 KiB pages a dozen notes share a page:
/// at 10,000 questions the collection is 47.1 MB instead of 50.7 MB and is
/// built and compressed faster. The empty pages of a small bank's tables
/// compress to almost nothing.
const PAGE_SIZE: usize = 65536;

/// Length of a SQLite database header.
const HEADER: usize = 100;

/// The database header without the fields SQLite stamps when it writes a
/// file: the change counter (bytes 24..28), and the counter and library
/// version the header was last valid for (92..100). Zeroed, as in a database
/// that was never written, so the package does not change when the bundled
/// SQLite does. Counter and valid-for stay equal, so SQLite still trusts the
/// page count in the header.
fn stable_header(db: &[u8]) -> Vec<u8> {
    let mut h = db.get(..HEADER).unwrap_or(db).to_vec();
    for range in [24..28, 92..100] {
        if let Some(b) = h.get_mut(range) {
            b.fill(0);
        }
    }
    h
}

/// An empty database on SQLite's `memdb` VFS: the database is one buffer,
/// which `serialize` lends out without a copy (a plain `:memory:` database is
/// copied, 50 MB for 10,000 questions). The name carries no leading `/`, so
/// the database is private to this connection.
fn open_memdb() -> Result<rusqlite::Connection, ExportError> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        "file:collection.anki2?vfs=memdb",
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql_err)?;
    // memdb caps a database at 1 GiB unless told otherwise.
    let mut limit = MEMDB_LIMIT;
    conn.file_control(
        Some(rusqlite::MAIN_DB),
        rusqlite::FileControl::SizeLimit(&mut limit),
    )
    .map_err(sql_err)?;
    Ok(conn)
}

/// The collection database, built in memory ([`open_memdb`]); [`write_package`]
/// compresses its bytes from there (no temporary file, no copy). Notes are
/// prepared a chunk at a time on every core while this thread inserts the
/// previous chunk. Returns the connection and the media files, sorted by name.
fn write_collection(
    input: &Input<'_>,
    epoch: i64,
    mod_time: &(dyn Fn(&SourceFile) -> i64 + Sync),
) -> Result<(rusqlite::Connection, Vec<Media>), ExportError> {
    let mut conn = open_memdb()?;
    conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE};"))
        .map_err(sql_err)?;
    let tx = conn.transaction().map_err(sql_err)?;
    tx.execute_batch(SCHEMA).map_err(sql_err)?;

    let mut decks = Decks::new(input);
    let mut media: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut guids = HashSet::new();
    let prepare = |chunk: &[&Question]| -> Result<Vec<Prepared>, ExportError> {
        chunk
            .par_iter()
            .map(|q| prepare_note(input, q, mod_time))
            .collect()
    };
    {
        let mut note_stmt = tx
            .prepare("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')")
            .map_err(sql_err)?;
        let mut card_stmt = tx
            .prepare(
                "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, -1, 0, 0, ?5, 0, 0, 0, 0, 0, 0, 0, 0, '')",
            )
            .map_err(sql_err)?;
        let chunks: Vec<&[&Question]> = input.questions.chunks(crate::CHUNK).collect();
        let mut next = chunks.first().map(|c| prepare(c));
        let mut i = 0i64;
        for k in 0..chunks.len() {
            let Some(current) = next.take() else { break };
            let current = current?;
            // Prepare the next chunk on the thread pool while this one is inserted.
            let following = chunks.get(k + 1).copied();
            // `in_place_scope` runs this closure on the current thread (the
            // statements cannot leave it) and, while it waits for the spawned
            // job at the end, works on the pool itself: no deadlock on one thread.
            let mut ahead: Option<Result<Vec<Prepared>, ExportError>> = None;
            let inserted = rayon::in_place_scope(|scope| {
                if let Some(c) = following {
                    let ahead = &mut ahead;
                    let prepare = &prepare;
                    scope.spawn(move |_| *ahead = Some(prepare(c)));
                }
                let insert = || -> Result<(), ExportError> {
                    for p in current {
                        if !guids.insert(p.note.guid.clone()) {
                            return Err(err(format!(
                                "question id `{}` appears twice; Anki notes need unique ids",
                                p.identity
                            )));
                        }
                        for (name, bytes) in p.media {
                            media.entry(name).or_insert(bytes);
                        }
                        let n = p.note;
                        let deck = decks.for_domain(&p.domain_id, &p.domain_name);
                        let id = ID_BASE_MS + i;
                        i += 1;
                        note_stmt
                            .execute(rusqlite::params![
                                id,
                                n.guid,
                                NOTETYPE_ID,
                                n.modified,
                                n.tags,
                                n.flds,
                                n.sfld,
                                n.csum,
                            ])
                            .map_err(sql_err)?;
                        card_stmt
                            .execute(rusqlite::params![id, id, deck, n.modified, i])
                            .map_err(sql_err)?;
                    }
                    Ok(())
                };
                insert()
            });
            next = ahead;
            inserted?;
        }
    }

    tx.execute_batch(INDEXES).map_err(sql_err)?;

    decks.list.sort();
    let first_deck = decks.list.first().map_or(1, |d| d.0);
    let mut deck_map = serde_json::Map::new();
    deck_map.insert("1".into(), deck_json(1, "Default", epoch));
    for (id, name) in &decks.list {
        deck_map.insert(id.to_string(), deck_json(*id, name, epoch));
    }
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        rusqlite::params![
            epoch - epoch.rem_euclid(86_400),
            epoch * 1000,
            conf_json(first_deck, input.questions.len() + 1).to_string(),
            models_json(first_deck).to_string(),
            Value::Object(deck_map).to_string(),
            dconf_json().to_string(),
        ],
    )
    .map_err(sql_err)?;
    tx.commit().map_err(sql_err)?;
    let media = media
        .into_iter()
        .map(|(name, bytes)| Media { name, bytes })
        .collect();
    Ok((conn, media))
}

/// Size of the pieces the collection is deflated in, one piece per task.
/// Fixed, so the package does not depend on the number of cores.
const DEFLATE_PIECE: usize = 1 << 20;

/// Deflate's window: each piece is primed with this much of the data before it.
const WINDOW: usize = 32 << 10;

/// A zip member's data: the raw deflate stream of `parts` (concatenated), in
/// pieces, and its CRC-32: what [`add_member`] streams into the package,
/// collected (for tests).
#[cfg(test)]
struct Deflated {
    pieces: Vec<Vec<u8>>,
    crc: u32,
}

#[cfg(test)]
impl Deflated {
    /// The whole deflate stream.
    fn stream(&self) -> Vec<u8> {
        self.pieces.concat()
    }
}

/// [`deflate_each`]'s pieces and [`checksum`], collected.
#[cfg(test)]
fn deflate(parts: &[&[u8]]) -> std::io::Result<Deflated> {
    let crc = checksum(parts);
    let mut pieces = Vec::new();
    deflate_each(parts, &mut |piece| {
        pieces.push(piece.to_vec());
        Ok(())
    })?;
    Ok(Deflated { pieces, crc })
}

/// The CRC-32 of `parts`, concatenated: on every core, a piece at a time,
/// the pieces' checksums combined in order.
fn checksum(parts: &[&[u8]]) -> u32 {
    let chunks: Vec<&[u8]> = parts.iter().flat_map(|p| p.chunks(DEFLATE_PIECE)).collect();
    let crcs: Vec<crc32fast::Hasher> = chunks
        .par_iter()
        .map(|c| {
            let mut h = crc32fast::Hasher::new();
            h.update(c);
            h
        })
        .collect();
    let mut crc = crc32fast::Hasher::new();
    for h in &crcs {
        crc.combine(h);
    }
    crc.finalize()
}

/// Sets its flag when dropped while the thread unwinds from a panic.
struct StopOnPanic<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// What the cores share while deflating: the pieces done but not yet
/// written (by number), the next piece to write, and the first error.
struct Written<'w> {
    ready: BTreeMap<usize, Vec<u8>>,
    next: usize,
    write: &'w mut (dyn FnMut(&[u8]) -> std::io::Result<()> + Send),
    error: Option<std::io::Error>,
}

/// Deflate `parts`, concatenated, as pigz does, and hand the stream to
/// `write` piece by piece, in order. The data is cut into
/// [`DEFLATE_PIECE`]s compressed on every core, each primed with the
/// [`WINDOW`] before it (so matches still reach back across a cut). Every
/// piece but the last ends in a sync flush, which byte-aligns it, so the
/// pieces join into one valid deflate stream.
///
/// The pieces are compressed about in order, one job each; whichever job
/// finishes the piece that is due writes it, and every piece after it that is
/// already done. So the package is written while the rest is compressed, and
/// usually only a few pieces wait in memory (at worst, when a core stalls,
/// the whole compressed collection, as when it was written after compressing).
fn deflate_each(
    parts: &[&[u8]],
    write: &mut (dyn FnMut(&[u8]) -> std::io::Result<()> + Send),
) -> std::io::Result<()> {
    use flate2::{Compress, Compression, FlushCompress};
    use std::sync::atomic::{AtomicBool, Ordering};
    let len: usize = parts.iter().map(|p| p.len()).sum();
    // Byte ranges of the pieces; a piece's bytes may span two parts.
    let at = |range: std::ops::Range<usize>| -> std::borrow::Cow<'_, [u8]> {
        let mut offset = 0;
        let mut out: Option<Vec<u8>> = None;
        for p in parts {
            let (lo, hi) = (offset, offset + p.len());
            offset = hi;
            if hi <= range.start || lo >= range.end {
                continue;
            }
            let slice = &p[range.start.max(lo) - lo..range.end.min(hi) - lo];
            if slice.len() == range.len() {
                return std::borrow::Cow::Borrowed(slice);
            }
            out.get_or_insert_with(|| Vec::with_capacity(range.len()))
                .extend_from_slice(slice);
        }
        std::borrow::Cow::Owned(out.unwrap_or_default())
    };
    let starts: Vec<usize> = (0..len.max(1)).step_by(DEFLATE_PIECE).collect();
    let last = starts.len() - 1;
    // Each thread compresses into its own buffer, kept between pieces, and
    // copies each piece out at its exact size. (A compressor is made anew
    // for every piece: one that is reset carries state into the next piece's
    // bytes, which would then depend on how the pieces fall to threads.)
    thread_local! {
        static OUT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let compress = |i: usize| -> std::io::Result<Vec<u8>> {
        let start = starts[i];
        let input = at(start..(start + DEFLATE_PIECE).min(len));
        let mut c = Compress::new(Compression::fast(), false);
        if start > 0 {
            c.set_dictionary(&at(start.saturating_sub(WINDOW)..start))
                .map_err(std::io::Error::other)?;
        }
        let flush = if i == last {
            FlushCompress::Finish
        } else {
            FlushCompress::Sync
        };
        OUT.with_borrow_mut(|out| {
            compress_piece(&mut c, &input, flush, out)?;
            Ok(out.to_vec())
        })
    };
    let failed = AtomicBool::new(false);
    let shared = std::sync::Mutex::new(Written {
        ready: BTreeMap::new(),
        next: 0,
        write,
        error: None,
    });
    // One job per piece: compress it, then write whatever is due.
    let piece_job = |i: usize| {
        if failed.load(Ordering::Relaxed) {
            return;
        }
        // A panic here (a bug) stops the other pieces too, rather than
        // leaving them to pile up unwritten until the panic is passed on.
        let stop = StopOnPanic(&failed);
        let piece = compress(i);
        let Ok(mut w) = shared.lock() else {
            failed.store(true, Ordering::Relaxed);
            return;
        };
        let w = &mut *w;
        match piece {
            Ok(piece) => {
                w.ready.insert(i, piece);
            }
            Err(e) => {
                w.error.get_or_insert(e);
            }
        }
        while w.error.is_none() {
            let Some(piece) = w.ready.remove(&w.next) else {
                break;
            };
            if let Err(e) = (w.write)(&piece) {
                w.error = Some(e);
            }
            w.next += 1;
        }
        if w.error.is_some() {
            failed.store(true, Ordering::Relaxed);
        }
        drop(stop);
    };
    // First in, first out, on this thread and for the cores that help: the
    // pieces are compressed about in order, so few wait to be written, and a
    // core that helps while it waits for its own work takes one piece at a
    // time.
    rayon::scope_fifo(|s| {
        for i in 0..starts.len() {
            let piece_job = &piece_job;
            s.spawn_fifo(move |_| piece_job(i));
        }
    });
    let w = shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match w.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Compress all of `input` into `out` (cleared first), ending with `flush`:
/// a sync flush (byte-aligned, stream open) or the stream's end.
fn compress_piece(
    c: &mut flate2::Compress,
    input: &[u8],
    flush: flate2::FlushCompress,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    use flate2::{FlushCompress, Status};
    out.clear();
    out.reserve(input.len() / 2 + 1024);
    let mut rest = input;
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(out.capacity().max(4096));
        }
        let before = c.total_in();
        let status = c
            .compress_vec(rest, out, flush)
            .map_err(std::io::Error::other)?;
        rest = &rest[usize::try_from(c.total_in() - before).unwrap_or(rest.len())..];
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            // Flushed when all input is taken and output space is left over.
            _ => rest.is_empty() && out.len() < out.capacity(),
        };
        if done {
            return Ok(());
        }
    }
}

fn write_package(
    input: &Input<'_>,
    epoch: i64,
    mod_time: &(dyn Fn(&SourceFile) -> i64 + Sync),
    path: &Path,
) -> Result<(), ExportError> {
    let (mut conn, media) = write_collection(input, epoch, mod_time)?;
    let io = |e: std::io::Error| ExportError::Io(path.to_path_buf(), e);
    let file = std::fs::File::create(path).map_err(io)?;
    let mut zip = rawzip::ZipArchiveWriter::new(std::io::BufWriter::new(file));
    {
        let db = conn.serialize(rusqlite::MAIN_DB).map_err(sql_err)?;
        let header = stable_header(&db);
        add_member(
            &mut zip,
            "collection.anki2",
            &[&header, db.get(HEADER..).unwrap_or_default()],
            &io,
        )?;
    }
    // The collection is in the package: its memory is given back on one core
    // while the other adds the media and finishes the package.
    let (_, finished) = rayon::join(move || drop(conn), || finish_package(zip, &media, &io));
    finished
}

/// The rest of the package after the collection: the media files and the
/// `media` map from their numbers to their names, then the zip's directory.
fn finish_package<W: Write + Send>(
    mut zip: rawzip::ZipArchiveWriter<W>,
    media: &[Media],
    io: &(dyn Fn(std::io::Error) -> ExportError + Sync),
) -> Result<(), ExportError> {
    let mut map = serde_json::Map::new();
    for (i, m) in media.iter().enumerate() {
        map.insert(i.to_string(), Value::String(m.name.clone()));
    }
    let media_json = Value::Object(map).to_string();
    for (i, m) in media.iter().enumerate() {
        add_member(&mut zip, &i.to_string(), &[&m.bytes], io)?;
    }
    add_member(&mut zip, "media", &[media_json.as_bytes()], io)?;
    let mut w = zip.finish().map_err(|e| err(format!("zip: {e}")))?;
    w.flush().map_err(io)?;
    Ok(())
}

/// Add one member to the package: `parts`, concatenated, deflated and
/// written as they are compressed ([`deflate_each`]).
fn add_member<W: Write + Send>(
    zip: &mut rawzip::ZipArchiveWriter<W>,
    name: &str,
    parts: &[&[u8]],
    io: &(dyn Fn(std::io::Error) -> ExportError + Sync),
) -> Result<(), ExportError> {
    let zerr = |e: rawzip::Error| err(format!("zip: {e}"));
    // The earliest time a zip can hold, for every member: fixed, so the same
    // input gives the same package.
    let time = rawzip::time::UtcDateTime::from_components(1980, 1, 1, 0, 0, 0, 0)
        .ok_or_else(|| err("zip: bad member time"))?;
    // The CRC goes into the member's descriptor, which rawzip takes from the
    // start: computed first, in a pass of its own on every core.
    let crc = checksum(parts);
    let (mut entry, config) = zip
        .new_file(name)
        .compression_method(rawzip::CompressionMethod::Deflate)
        .last_modified(time)
        // A regular file, readable by all.
        .unix_permissions(0o100644)
        .crc32(rawzip::Crc32Option::Custom(crc))
        .start()
        .map_err(zerr)?;
    deflate_each(parts, &mut |piece| entry.write_all(piece)).map_err(io)?;
    // The data is compressed already and its CRC given above: the
    // descriptor needs only the length before compression, which rawzip
    // counts from what goes through its data writer. The parts go to a sink
    // (with the CRC given, their bytes are not read).
    let mut sizes = config.wrap(std::io::sink());
    for part in parts {
        sizes.write_all(part).map_err(io)?;
    }
    let (_, descriptor) = sizes.finish().map_err(zerr)?;
    entry.finish(descriptor).map_err(zerr)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::BuildOptions;
    use std::io::Read;

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/anki-bank")
    }

    /// Raw deflate stream back to bytes.
    fn inflate(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(data)
            .read_to_end(&mut out)
            .expect("a valid deflate stream");
        out
    }

    /// xorshift64: the test data's pseudo-random numbers, fixed by the seed.
    fn numbers(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed | 1;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// Bytes that compress somewhat, like a database: runs, repeats and noise.
    fn sample(len: usize, seed: u64) -> Vec<u8> {
        let mut next = numbers(seed);
        (0..len)
            .map(|i| {
                let x = next();
                match (i / 4096) % 3 {
                    0 => b"<li class=\"qb-option\">"[i % 22],
                    1 => 0,
                    _ => (x % 64) as u8 + b' ',
                }
            })
            .collect()
    }

    #[test]
    fn deflate_in_pieces_is_one_stream_with_the_crc_of_the_whole() {
        let header = sample(100, 7);
        for len in [
            0,
            1,
            DEFLATE_PIECE - 100,
            DEFLATE_PIECE - 99,
            3 * DEFLATE_PIECE + 12_345,
        ] {
            let body = sample(len, 11);
            let d = deflate(&[&header, &body]).expect("deflate");
            let mut whole = header.clone();
            whole.extend_from_slice(&body);
            assert_eq!(inflate(&d.stream()), whole, "len {len}");
            assert_eq!(d.crc, crc32fast::hash(&whole), "len {len}");
        }
        let d = deflate(&[]).expect("deflate");
        assert!(inflate(&d.stream()).is_empty());
        assert_eq!(d.crc, 0);
    }

    /// Text like a collection's fields: words from a small vocabulary in
    /// HTML, so matches reach back across the window.
    fn prose(len: usize, seed: u64) -> Vec<u8> {
        const WORDS: [&str; 12] = [
            "model ",
            "alias ",
            "<code>champion</code> ",
            "registry ",
            "the ",
            "Unity Catalog ",
            "version ",
            "<p>",
            "</p>\n",
            "serving ",
            "endpoint ",
            "drift ",
        ];
        let mut next = numbers(seed);
        let mut out = Vec::with_capacity(len + 32);
        while out.len() < len {
            let x = next();
            out.extend_from_slice(WORDS[(x % WORDS.len() as u64) as usize].as_bytes());
        }
        out.truncate(len);
        out
    }

    #[test]
    fn deflate_does_not_depend_on_the_number_of_threads_or_the_cut_into_parts() {
        // Ten pieces of text and of noise, more than threads: a compressor
        // reset and reused for the next piece on a thread changes the bytes
        // (this fails if `deflate` does that).
        let mut data = prose(5 * DEFLATE_PIECE, 3);
        data.extend(sample(5 * DEFLATE_PIECE + 999, 5));
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| deflate(&[&data[..100], &data[100..]]).expect("deflate"))
        };
        let (one, four) = (on(1), on(4));
        assert_eq!(one.stream(), four.stream());
        let whole = deflate(&[&data]).expect("deflate");
        assert_eq!(one.stream(), whole.stream());
        assert_eq!(one.crc, whole.crc);
    }

    #[test]
    fn a_failed_write_stops_the_deflate_and_is_returned() {
        let data = sample(6 * DEFLATE_PIECE + 123, 11);
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut written = 0;
            let result = pool.install(|| {
                deflate_each(&[&data], &mut |_| {
                    written += 1;
                    if written == 2 {
                        Err(std::io::Error::other("disk full"))
                    } else {
                        Ok(())
                    }
                })
            });
            let e = result.expect_err("the write error comes back");
            assert_eq!(e.to_string(), "disk full", "{threads} threads");
            assert_eq!(
                written, 2,
                "nothing is written after the error ({threads} threads)"
            );
        }
    }

    #[test]
    fn a_panicking_write_is_passed_on_and_nothing_more_is_written() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let data = sample(6 * DEFLATE_PIECE + 5, 13);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let writes = AtomicUsize::new(0);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| {
                deflate_each(&[&data], &mut |_| {
                    writes.fetch_add(1, Ordering::Relaxed);
                    panic!("a bug in the writer")
                })
            })
        }));
        assert!(result.is_err(), "the panic comes back");
        assert_eq!(
            writes.load(Ordering::Relaxed),
            1,
            "nothing is written after it"
        );
    }

    #[test]
    fn deflate_primes_each_piece_with_the_window_before_it() {
        // Noise that repeats every 4 KiB, across three cuts: a primed piece
        // starts with back-references into the piece before; an unprimed one
        // would spell its first 4 KiB out again (about 4 KiB more a cut, well
        // over the 5% allowed below).
        let block: Vec<u8> = sample(3 * 4096, 5).into_iter().skip(8192).collect();
        let block = [&block[..], &block[..], &block[..], &block[..]].concat();
        let data: Vec<u8> = block
            .iter()
            .copied()
            .cycle()
            .take(3 * DEFLATE_PIECE + 1000)
            .collect();
        let d = deflate(&[&data]).expect("deflate");
        let mut serial =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        serial.write_all(&data).expect("deflate");
        let serial = serial.finish().expect("deflate");
        assert!(
            d.stream().len() < serial.len() + serial.len() / 20,
            "{} bytes in pieces, {} in one",
            d.stream().len(),
            serial.len()
        );
        assert_eq!(inflate(&d.stream()), data);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        #[test]
        fn deflate_round_trips_any_parts(
            cuts in proptest::collection::vec(0usize..(2 * DEFLATE_PIECE + 5000), 0..4),
            seed in 1u64..1000,
        ) {
            let data = sample(2 * DEFLATE_PIECE + 5000, seed);
            let mut cuts = cuts;
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut at = 0;
            for c in cuts {
                parts.push(&data[at..c]);
                at = c;
            }
            parts.push(&data[at..]);
            let d = deflate(&parts).expect("deflate");
            proptest::prop_assert_eq!(inflate(&d.stream()), data.clone());
            proptest::prop_assert_eq!(d.crc, crc32fast::hash(&data));
        }
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dst = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &dst);
            } else {
                std::fs::copy(e.path(), &dst).unwrap();
            }
        }
    }

    /// A copy of the fixture bank in a temporary folder (outside git).
    fn bank_copy() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        copy_dir(&fixture(), &t.path().join("bank"));
        t
    }

    fn export(bank: &Path, out: &Path) -> Vec<u8> {
        let bank = qbank_parser::load(bank).unwrap();
        let opts = BuildOptions::new(out, vec![FormatId::Anki]);
        crate::build(&bank, &opts).unwrap();
        std::fs::read(out.join("anki-fixture.apkg")).unwrap()
    }

    /// The collection database's bytes, out of a package, which must be as
    /// long as its zip descriptor says (the length the package counts as it
    /// writes the member).
    fn collection_bytes(apkg: &[u8]) -> Vec<u8> {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(apkg)).unwrap();
        let mut member = z.by_name("collection.anki2").unwrap();
        let mut db = Vec::new();
        member.read_to_end(&mut db).unwrap();
        assert_eq!(member.size(), db.len() as u64, "descriptor length");
        db
    }

    fn open_collection(apkg: &[u8], dir: &Path) -> rusqlite::Connection {
        let db = collection_bytes(apkg);
        let path = dir.join(format!("c-{}.anki2", sha1_smol::Sha1::from(&db).digest()));
        std::fs::write(&path, db).unwrap();
        rusqlite::Connection::open(path).unwrap()
    }

    fn guids_and_fields(c: &rusqlite::Connection) -> Vec<(String, String, String)> {
        let mut st = c
            .prepare("SELECT sfld, guid, flds FROM notes ORDER BY id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn guid_is_stable_and_namespaced() {
        let g = note_guid("exam", "q1");
        assert_eq!(g, note_guid("exam", "q1"));
        assert_ne!(g, note_guid("exam", "q2"));
        assert_ne!(g, note_guid("other-exam", "q1"));
        assert!(g.bytes().all(|b| BASE91.contains(&b)), "{g}");
        assert_eq!(base91(0), "a");
        assert_eq!(base91(91), "ba");
    }

    #[test]
    fn guid_stable_when_content_changes() {
        let t = bank_copy();
        let bank = t.path().join("bank");
        let v1 = export(&bank, &t.path().join("out1"));
        let q = bank.join("questions/nested-runs-parent.md");
        let text = std::fs::read_to_string(&q).unwrap();
        std::fs::write(
            &q,
            text.replace("single\nparent run", "single parent run (edited)"),
        )
        .unwrap();
        let v2 = export(&bank, &t.path().join("out2"));
        let a = guids_and_fields(&open_collection(&v1, t.path()));
        let b = guids_and_fields(&open_collection(&v2, t.path()));
        assert_eq!(a.len(), 3);
        assert_eq!(b.len(), 3);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.0, y.0, "same question order");
            assert_eq!(x.1, y.1, "guid of {} changed", x.0);
            assert_eq!(x.1, note_guid("anki-fixture", &x.0));
        }
        let edited: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x.2 != y.2).collect();
        assert_eq!(edited.len(), 1);
        assert_eq!(edited[0].0 .0, "nested-runs-parent");
    }

    #[test]
    fn two_exports_are_byte_identical() {
        let t = bank_copy();
        let bank = t.path().join("bank");
        let a = export(&bank, &t.path().join("a"));
        let b = export(&bank, &t.path().join("b"));
        assert!(a == b, "exports differ");
        // No temporary files are left beside the package.
        let names: Vec<_> = std::fs::read_dir(t.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["anki-fixture.apkg".to_string()]);
    }

    #[test]
    fn fields_lose_control_characters_but_keep_newlines_and_tabs() {
        let clean_field = |mut s: String| {
            clean_from(&mut s, 0);
            s
        };
        let clean = "<p>a\tb\nc é ✓</p>".repeat(40);
        assert_eq!(clean_field(clean.clone()), clean);
        for bad in ['\u{0}', '\u{1f}', '\r', '\u{7f}', '\u{8}'] {
            // In the first block, the last one, and across a block boundary.
            for at in [0, 63, 64, clean.len()] {
                let mut s = clean.clone();
                s.insert(at, bad);
                assert_eq!(clean_field(s.clone()), clean, "{bad:?} at {at}");
                // A field after others: only its own bytes are cleaned.
                let mut joined = format!("id\u{1f}{s}");
                clean_from(&mut joined, 3);
                assert_eq!(joined, format!("id\u{1f}{clean}"), "{bad:?} at {at}");
            }
        }
    }

    #[test]
    fn field_text_is_escaped_for_html() {
        let mut s = String::from("<b>");
        esc_into(&mut s, "a<b & \"c\" > d é");
        assert_eq!(s, "<b>a&lt;b &amp; &quot;c&quot; &gt; d é");
    }

    #[test]
    fn the_collection_header_carries_no_write_stamps() {
        let t = bank_copy();
        let apkg = export(&t.path().join("bank"), &t.path().join("out"));
        let db = collection_bytes(&apkg);
        assert_eq!(&db[..16], b"SQLite format 3\0");
        assert_eq!(db[24..28], [0; 4], "change counter");
        assert_eq!(db[92..100], [0; 8], "version-valid-for and SQLite version");
        // Still a sound database, page count and all.
        let c = open_collection(&apkg, t.path());
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        assert_eq!(pages as usize * PAGE_SIZE, db.len());
        let size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        assert_eq!(size as usize, PAGE_SIZE);
    }

    #[test]
    fn the_collection_has_every_schema_11_index() {
        let t = bank_copy();
        let apkg = export(&t.path().join("bank"), &t.path().join("out"));
        let c = open_collection(&apkg, t.path());
        let mut stmt = c
            .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap();
        let indexes: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let indexes: Vec<(&str, &str)> = indexes
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let expected = [
            ("ix_cards_nid", "cards"),
            ("ix_cards_sched", "cards"),
            ("ix_cards_usn", "cards"),
            ("ix_notes_csum", "notes"),
            ("ix_notes_usn", "notes"),
            ("ix_revlog_cid", "revlog"),
            ("ix_revlog_usn", "revlog"),
        ];
        assert_eq!(indexes, expected);
        // Built after the rows went in, the index still holds every note.
        let notes: i64 = c
            .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .unwrap();
        let indexed: i64 = c
            .query_row(
                "SELECT count(*) FROM notes INDEXED BY ix_notes_csum WHERE csum IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(notes > 0);
        assert_eq!(indexed, notes);
    }

    #[test]
    fn memdb_is_private_with_a_raised_limit() {
        let a = open_memdb().unwrap();
        let b = open_memdb().unwrap();
        a.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        // Same name, separate databases: concurrent builds cannot meet.
        b.execute_batch("CREATE TABLE t (x);").unwrap();
        let n: i64 = b
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        // A negative limit reads the current one back.
        let mut limit = -1i64;
        a.file_control(
            Some(rusqlite::MAIN_DB),
            rusqlite::FileControl::SizeLimit(&mut limit),
        )
        .unwrap();
        assert_eq!(limit, MEMDB_LIMIT);
        let mut a = a;
        let db = a.serialize(rusqlite::MAIN_DB).unwrap();
        assert!(
            matches!(db, rusqlite::serialize::Data::Shared(_)),
            "serialized without a copy"
        );

        // Past the limit: SQLITE_FULL, reported as a collection too large.
        let c = open_memdb().unwrap();
        let mut small = 64 * 1024;
        c.file_control(
            Some(rusqlite::MAIN_DB),
            rusqlite::FileControl::SizeLimit(&mut small),
        )
        .unwrap();
        c.execute_batch("CREATE TABLE t (x)").unwrap();
        let e = c
            .execute("INSERT INTO t VALUES (zeroblob(1000000))", [])
            .unwrap_err();
        let msg = sql_err(e).to_string();
        assert!(msg.contains("would exceed 2047 MiB"), "{msg}");
    }

    #[test]
    fn zip_is_deflated_with_fixed_times_and_order() {
        let t = bank_copy();
        let apkg = export(&t.path().join("bank"), &t.path().join("out"));
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(apkg)).unwrap();
        let mut names = Vec::new();
        for i in 0..z.len() {
            let f = z.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            assert_eq!(f.compression(), zip::CompressionMethod::Deflated, "{name}");
            assert_eq!(f.last_modified(), Some(zip::DateTime::DEFAULT), "{name}");
            assert_eq!(f.unix_mode(), Some(0o100644), "{name}");
            names.push(name);
        }
        assert_eq!(names, ["collection.anki2", "0", "media"]);
        let mut media = String::new();
        z.by_name("media")
            .unwrap()
            .read_to_string(&mut media)
            .unwrap();
        let map: serde_json::Map<String, Value> = serde_json::from_str(&media).unwrap();
        let name = map["0"].as_str().unwrap();
        assert!(name.ends_with("-scoring-pipeline.png"), "{name}");
        assert!(!name.contains('/'));
    }

    #[test]
    fn collection_content() {
        let t = bank_copy();
        let apkg = export(&t.path().join("bank"), &t.path().join("out"));
        let c = open_collection(&apkg, t.path());
        let (ver, models, decks): (i64, String, String) = c
            .query_row("SELECT ver, models, decks FROM col", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(ver, 11);
        let models: Value = serde_json::from_str(&models).unwrap();
        let m = &models[NOTETYPE_ID.to_string()];
        assert_eq!(m["id"], NOTETYPE_ID);
        assert_eq!(m["mod"], NOTETYPE_MOD);
        let names: Vec<&str> = m["flds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Id", "Question", "Answer", "Domain", "Topics", "References"]
        );
        let decks: Value = serde_json::from_str(&decks).unwrap();
        let deck_names: HashSet<&str> = decks
            .as_object()
            .unwrap()
            .values()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert!(deck_names.contains("Anki Fixture Exam::Model Development"));
        assert!(deck_names.contains("Anki Fixture Exam::Model Deployment"));

        let mut st = c
            .prepare(
                "SELECT n.sfld, n.tags, n.csum, n.flds, c.due, c.did, c.ord
                 FROM notes n JOIN cards c ON c.nid = n.id ORDER BY n.id",
            )
            .unwrap();
        let rows: Vec<(String, String, i64, String, i64, i64, i64)> = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            [1, 2, 3],
            "due = bank order"
        );
        let spark = &rows[1];
        assert_eq!(spark.0, "spark-udf-batch-scoring");
        assert_eq!(
            spark.1,
            " domain::model-deployment topic::batch-streaming-inference difficulty::hard "
        );
        assert_eq!(spark.5, deck_id("anki-fixture:model-deployment"));
        assert_eq!(spark.6, 0);
        let flds: Vec<&str> = spark.3.split('\u{1f}').collect();
        assert_eq!(flds.len(), FIELDS.len());
        assert!(flds[1].contains("<pre><code"), "{}", flds[1]);
        assert!(
            flds[2].contains("a &lt; b &amp;&amp; c &gt; d"),
            "{}",
            flds[2]
        );
        assert!(flds[1].contains("-scoring-pipeline.png\""), "{}", flds[1]);
        // Checksum as computed by Anki 26.9 for this first field.
        assert_eq!(rows[0].0, "nested-runs-parent");
        assert_eq!(rows[0].2, 1_663_827_732);
    }

    #[test]
    fn strip_html_like_anki() {
        assert_eq!(
            strip_html_preserving_media(
                "<p>a &lt;b&gt; &amp;&nbsp;c</p><!-- x --><style>p{}</style><img src=\"f.png\">"
            ),
            "a <b> & c f.png "
        );
        assert_eq!(strip_html_preserving_media("x < y"), "x < y");
        assert_eq!(decode_entities("&#65;&#x42;&bogus;&"), "AB&bogus;&");
        assert_eq!(field_checksum("<b>abc</b>"), field_checksum("abc"));
    }

    #[test]
    fn change_times_and_clamping() {
        let log = "\u{1}300\n\nq/a.md\nq/b.md\n\u{1}200\n\nq/a.md\nq/c.md\n";
        let t = parse_git_log(log);
        assert_eq!(t["q/a.md"], 300);
        assert_eq!(t["q/b.md"], 300);
        assert_eq!(t["q/c.md"], 200);
        let d = parse_git_status(b" M q/a.md\0R  q/new.md\0q/old.md\0?? q/u.md\0");
        assert_eq!(
            d,
            HashSet::from(["q/a.md", "q/new.md", "q/old.md", "q/u.md"].map(String::from))
        );
        assert_eq!(clamp_mod(Some(500), 1000, None, 7), 500);
        assert_eq!(
            clamp_mod(Some(5000), 1000, None, 7),
            1000,
            "never in the future"
        );
        assert_eq!(clamp_mod(Some(500), 1000, Some(400), 7), 400);
        assert_eq!(clamp_mod(Some(300), 1000, Some(400), 7), 300);
        assert_eq!(clamp_mod(None, 1000, Some(400), 7), 7);

        // Outside git, the file's mtime is used.
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("q.md");
        std::fs::write(&f, "x").unwrap();
        let times = ChangeTimes::new(tmp.path(), tmp.path());
        assert!(mtime(&f).is_some());
        let src = SourceFile::new(f.clone(), "q.md".into(), "x");
        assert_eq!(times.of(&src), mtime(&f));
        // A time read when the bank was loaded is used as it is.
        assert_eq!(times.of(&src.with_modified(Some(123))), Some(123));

        // In git: a committed, unchanged file has its commit time, whatever
        // its loaded time; a changed one has its loaded time.
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        let g = tmp.path().join("g.md");
        std::fs::write(&g, "x").unwrap();
        let log = HashMap::from([("q.md".to_string(), 77), ("g.md".to_string(), 88)]);
        let dirty = HashSet::from(["g.md".to_string()]);
        let times = ChangeTimes {
            git: Some((top, log, dirty)),
        };
        let committed = SourceFile::new(f.clone(), "q.md".into(), "x").with_modified(Some(123));
        assert_eq!(times.of(&committed), Some(77));
        let changed = SourceFile::new(g, "g.md".into(), "x").with_modified(Some(123));
        assert_eq!(times.of(&changed), Some(123));
    }
}
