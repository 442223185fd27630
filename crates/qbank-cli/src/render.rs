//! Rendering diagnostics: human (miette), concise, json, github and sarif.

use std::fmt::Write as _;
use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use qbank_parser::{Diagnostic, SourceFile};
use serde_json::{json, Value};

/// Files a set of diagnostics points into.
pub trait Files {
    fn get(&self, id: qbank_parser::FileId) -> Option<&SourceFile>;
}

impl Files for qbank_parser::Bank {
    fn get(&self, id: qbank_parser::FileId) -> Option<&SourceFile> {
        self.files.as_slice().get(id.0 as usize)
    }
}

impl Files for Vec<SourceFile> {
    fn get(&self, id: qbank_parser::FileId) -> Option<&SourceFile> {
        self.as_slice().get(id.0 as usize)
    }
}

/// Path shown for a file: as opened, with `/` separators.
pub fn shown_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Where the rule documentation lives: its section in the repository's
/// generated rule reference (`qbank rule CODE` prints the same text).
pub fn rule_url(code: &str) -> Option<String> {
    let doc = qbank_lint::find_doc(code)?;
    Some(format!(
        "crates/qbank-lint/RULES.md#{}-{}",
        doc.code.to_lowercase(),
        doc.name
    ))
}

struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    url: Option<String>,
    source: Option<NamedSource<std::sync::Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn std::fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic))
                as Box<dyn Iterator<Item = &'a dyn miette::Diagnostic>>
        })
    }
}

fn span(s: qbank_parser::Span, len: usize) -> SourceSpan {
    let start = s.start.min(len);
    let end = s.end.min(len).max(start);
    SourceSpan::new(start.into(), end - start)
}

fn severity(s: qbank_parser::Severity) -> miette::Severity {
    match s {
        qbank_parser::Severity::Error => miette::Severity::Error,
        qbank_parser::Severity::Warning => miette::Severity::Warning,
        qbank_parser::Severity::Info => miette::Severity::Advice,
    }
}

fn report(d: &Diagnostic, files: &dyn Files) -> Report {
    let mut r = Report {
        message: d.message.clone(),
        code: d.code.to_string(),
        severity: severity(d.severity),
        help: d.help.clone(),
        url: rule_url(d.code),
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    };
    if let Some(p) = &d.primary {
        if let Some(f) = files.get(p.file) {
            r.source = Some(NamedSource::new(shown_path(&f.path), f.text.clone()));
            r.labels.push(LabeledSpan::new_primary_with_span(
                Some(p.message.clone()),
                span(p.span, f.text.len()),
            ));
        }
    }
    for l in &d.secondary {
        let same = d.primary.as_ref().is_some_and(|p| p.file == l.file);
        let Some(f) = files.get(l.file) else { continue };
        if same {
            r.labels.push(LabeledSpan::new_with_span(
                Some(l.message.clone()),
                span(l.span, f.text.len()),
            ));
        } else {
            r.related.push(Report {
                message: l.message.clone(),
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                url: None,
                source: Some(NamedSource::new(shown_path(&f.path), f.text.clone())),
                labels: vec![LabeledSpan::new_primary_with_span(
                    Some(l.message.clone()),
                    span(l.span, f.text.len()),
                )],
                related: Vec::new(),
            });
        }
    }
    r
}

/// Human output: miette reports with source snippets, labels, help and a link.
pub fn human(diags: &[Diagnostic], files: &dyn Files, color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let r = report(d, files);
        let mut s = String::new();
        if handler.render_report(&mut s, &r).is_err() {
            s = format!("{}[{}]: {}\n", d.severity, d.code, d.message);
        }
        out.push_str(&s);
        out.push('\n');
    }
    out
}

struct Loc {
    path: String,
    line: usize,
    col: usize,
    end_line: usize,
    end_col: usize,
}

fn loc(l: &qbank_parser::Label, files: &dyn Files) -> Option<Loc> {
    let f = files.get(l.file)?;
    let a = f.line_col(l.span.start);
    let b = f.line_col(l.span.end);
    Some(Loc {
        path: shown_path(&f.path),
        line: a.line,
        col: a.col,
        end_line: b.line,
        end_col: b.col,
    })
}

/// `path:line:col: severity[code] message`, one per line.
pub fn concise(diags: &[Diagnostic], files: &dyn Files) -> String {
    let mut out = String::new();
    for d in diags {
        match d.primary.as_ref().and_then(|p| loc(p, files)) {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {}[{}] {}",
                    l.path, l.line, l.col, d.severity, d.code, d.message
                );
            }
            None => {
                let _ = writeln!(out, "qbank: {}[{}] {}", d.severity, d.code, d.message);
            }
        }
    }
    out
}

/// JSON output, described by `schema/diagnostics.schema.json`.
pub fn json(diags: &[Diagnostic], files: &dyn Files) -> String {
    let items: Vec<Value> = diags
        .iter()
        .map(|d| {
            let name = qbank_lint::find_doc(d.code).map(|x| x.name);
            let mut v = json!({
                "code": d.code,
                "name": name,
                "severity": d.severity.as_str(),
                "message": d.message,
                "help": d.help,
            });
            if let Some(l) = d.primary.as_ref().and_then(|p| loc(p, files)) {
                v["location"] = json!({
                    "path": l.path, "line": l.line, "column": l.col,
                    "end_line": l.end_line, "end_column": l.end_col,
                    "label": d.primary.as_ref().map(|p| p.message.clone()),
                });
            }
            let related: Vec<Value> = d
                .secondary
                .iter()
                .filter_map(|s| {
                    let l = loc(s, files)?;
                    Some(json!({"path": l.path, "line": l.line, "column": l.col, "end_line": l.end_line, "end_column": l.end_col, "label": s.message}))
                })
                .collect();
            v["related"] = Value::Array(related);
            v
        })
        .collect();
    let doc = json!({ "format_version": 1, "diagnostics": items });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: annotations on the exact line.
pub fn github(diags: &[Diagnostic], files: &dyn Files) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity {
            qbank_parser::Severity::Error => "error",
            qbank_parser::Severity::Warning => "warning",
            qbank_parser::Severity::Info => "notice",
        };
        let name = qbank_lint::find_doc(d.code).map_or("", |x| x.name);
        let title = gh_escape_prop(format!("{} {}", d.code, name).trim());
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        match d.primary.as_ref().and_then(|p| loc(p, files)) {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "::{kind} file={},line={},col={},endLine={},endColumn={},title={title}::{}",
                    gh_escape_prop(&l.path),
                    l.line,
                    l.col,
                    l.end_line,
                    l.end_col,
                    gh_escape_data(&msg)
                );
            }
            None => {
                let _ = writeln!(out, "::{kind} title={title}::{}", gh_escape_data(&msg));
            }
        }
    }
    out
}

/// SARIF 2.1.0 for code scanning.
pub fn sarif(diags: &[Diagnostic], files: &dyn Files) -> String {
    let rules: Vec<Value> = qbank_lint::all_docs()
        .map(|d| {
            json!({
                "id": d.code,
                "name": d.name,
                "shortDescription": {"text": d.summary},
                "fullDescription": {"text": d.why},
                "help": {"text": format!("{}\n\nWhy: {}\n\nFix: {}\n\nMore: qbank rule {}", d.summary, d.why, d.fix, d.code)},
                "defaultConfiguration": {"level": sarif_level(d.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut r = json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": {"text": match &d.help { Some(h) => format!("{}\nhelp: {h}", d.message), None => d.message.clone() }},
            });
            if let Some(l) = d.primary.as_ref().and_then(|p| loc(p, files)) {
                r["locations"] = json!([physical(&l)]);
            }
            let rel: Vec<Value> = d
                .secondary
                .iter()
                .filter_map(|s| loc(s, files).map(|l| {
                    let mut p = physical(&l);
                    p["message"] = json!({"text": s.message});
                    p
                }))
                .collect();
            if !rel.is_empty() {
                r["relatedLocations"] = Value::Array(rel);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "qbank",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn physical(l: &Loc) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": {"uri": l.path},
        "region": {"startLine": l.line, "startColumn": l.col, "endLine": l.end_line, "endColumn": l.end_col},
    }})
}

fn sarif_level(s: qbank_parser::Severity) -> &'static str {
    match s {
        qbank_parser::Severity::Error => "error",
        qbank_parser::Severity::Warning => "warning",
        qbank_parser::Severity::Info => "note",
    }
}
