//! The subcommands. Each returns the process exit status.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use qbank_parser::config::Deny;
use qbank_parser::{Bank, Diagnostic, Severity};

use crate::render::{self, Files};
use crate::{DenyArg, Format, EXIT_CONTENT, EXIT_OK, EXIT_USAGE};

/// Width of human output.
fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Load the bank. A fatal problem (no such folder, bad qbank.toml, missing
/// blueprint) is printed, in the requested format for machine formats (on
/// stdout) or as a report on stderr, and gives exit status 2.
fn load(path: &Path, format: Format, color: bool) -> Result<Bank, u8> {
    load_with(path, format, color, qbank_parser::LoadOptions::default())
}

/// [`load`], reading what `opts` asks for as well.
fn load_with(
    path: &Path,
    format: Format,
    color: bool,
    opts: qbank_parser::LoadOptions,
) -> Result<Bank, u8> {
    // The rules' patterns compile on one core while the walk runs on the other.
    let (loaded, ()) = rayon::join(|| qbank_parser::load_with(path, opts), qbank_lint::warm_up);
    loaded.map_err(|f| {
        let one = std::slice::from_ref(&f.diagnostic);
        if format == Format::Human {
            eprint!("{}", render::human(one, &f.files, color, width()));
        } else {
            print!("{}", render(one, &f.files, format, color));
        }
        EXIT_USAGE
    })
}

struct Counts {
    errors: usize,
    warnings: usize,
    infos: usize,
    io: bool,
}

fn count(diags: &[Diagnostic]) -> Counts {
    Counts {
        errors: diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        warnings: diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
        infos: diags
            .iter()
            .filter(|d| d.severity == Severity::Info)
            .count(),
        io: diags
            .iter()
            .any(|d| d.severity == Severity::Error && qbank_parser::bank::is_io_code(d.code)),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn render(diags: &[Diagnostic], files: &dyn Files, format: Format, color: bool) -> String {
    match format {
        Format::Human => render::human(diags, files, color, width()),
        Format::Concise => render::concise(diags, files),
        Format::Json => render::json(diags, files),
        Format::Github => render::github(diags, files),
        Format::Sarif => render::sarif(diags, files),
    }
}

pub fn check(path: &Path, format: Format, deny: Option<DenyArg>, color: bool) -> u8 {
    let start = Instant::now();
    let bank = match load(path, format, color) {
        Ok(bank) => bank,
        Err(code) => return code,
    };
    let diags = qbank_lint::lint(&bank);
    let out = render(&diags, &bank, format, color);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    let c = count(&diags);
    eprintln!(
        "checked {} in {}: {}, {}, {}, {} in {:.2}s",
        plural(bank.question_files, "file"),
        render::shown_path(&bank.root),
        plural(bank.questions.len(), "question"),
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.infos, "info"),
        start.elapsed().as_secs_f64()
    );
    let deny = match deny {
        Some(DenyArg::Warnings) => Deny::Warnings,
        Some(DenyArg::Errors) => Deny::Errors,
        None => bank.config.lint.deny,
    };
    // The process ends next: skip freeing the bank, one allocation at a time.
    std::mem::forget(bank);
    std::mem::forget(diags);
    if c.io {
        EXIT_USAGE
    } else if c.errors > 0 || (deny == Deny::Warnings && c.warnings > 0) {
        EXIT_CONTENT
    } else {
        EXIT_OK
    }
}

pub fn coverage(path: &Path, json: bool, forms: Option<u32>, color: bool) -> u8 {
    let bank = match load(path, Format::Human, color) {
        Ok(bank) => bank,
        Err(code) => return code,
    };
    let Some(bp) = bank.blueprint.as_ref() else {
        let diags: Vec<Diagnostic> = bank.diagnostics.clone();
        eprint!("{}", render::human(&diags, &bank, color, width()));
        return EXIT_CONTENT;
    };
    let forms = forms.unwrap_or(bank.config.coverage.forms);
    let cov = qbank_parser::coverage::compute(&bank, bp, forms);
    if json {
        println!("{}", serde_json::to_string_pretty(&cov).unwrap_or_default());
    } else {
        print!("{}", coverage_table(&cov));
    }
    if cov.is_complete() {
        EXIT_OK
    } else {
        EXIT_CONTENT
    }
}

pub fn coverage_table(cov: &qbank_parser::coverage::Coverage) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} questions per form, {} form(s)",
        cov.exam, cov.questions_per_form, cov.forms
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<44} {:>9} {:>7} {:>9}",
        "domain / topic", "published", "target", "shortfall"
    );
    for d in &cov.domains {
        let _ = writeln!(
            s,
            "{:<44} {:>9} {:>7} {:>9}",
            format!("{} ({}%, {} per form)", d.id, d.weight, d.per_form),
            d.published,
            d.target,
            d.shortfall
        );
        for t in &d.topics {
            let _ = writeln!(
                s,
                "  {:<42} {:>9} {:>7} {:>9}",
                t.id, t.published, t.minimum, t.shortfall
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{} published questions; disjoint forms fillable: {} of {} required{}",
        cov.published,
        cov.forms_fillable,
        cov.forms,
        if cov.is_complete() {
            "; every topic at its minimum"
        } else {
            ""
        }
    );
    s
}

pub fn rules() -> u8 {
    let mut out = String::new();
    for d in qbank_lint::all_docs() {
        out.push_str(&format!(
            "{:<6} {:<28} {:<8} {}\n",
            d.code,
            d.name,
            d.severity.as_str(),
            d.summary
        ));
    }
    out.push_str("\n`qbank rule CODE` explains one rule; severities can be changed in qbank.toml under [lint.rules].\n");
    print!("{out}");
    EXIT_OK
}

pub fn rule(code: &str) -> u8 {
    match qbank_lint::find_doc(code) {
        Some(d) => {
            print!("{}", qbank_lint::docs::render_doc(d));
            EXIT_OK
        }
        None => {
            eprintln!("error: no rule `{code}`; `qbank rules` lists them");
            EXIT_USAGE
        }
    }
}

#[derive(clap::Args)]
pub struct BuildArgs {
    /// Bank root (folder with qbank.toml).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output folder (replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Formats to write, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = vec![qbank_export::FormatId::Json, qbank_export::FormatId::Html, qbank_export::FormatId::Anki])]
    pub format: Vec<qbank_export::FormatId>,
    /// Also export draft and review questions.
    #[arg(long)]
    pub include_drafts: bool,
    /// Where the HTML booklet shows answers: an answer key at the `end`, or `inline` (study edition).
    #[arg(long, value_enum, default_value_t = qbank_export::Answers::End)]
    pub answers: qbank_export::Answers,
    /// Folder with templates that override the built-in ones.
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

pub fn build(args: &BuildArgs, color: bool) -> u8 {
    let start = Instant::now();
    // The Anki deck dates each note by its file's last change. Every format
    // shows the questions' HTML: written while the Markdown is parsed.
    let opts = qbank_parser::LoadOptions {
        modified_times: args.format.contains(&qbank_export::FormatId::Anki),
        html: true,
    };
    let bank = match load_with(&args.path, Format::Human, color, opts) {
        Ok(bank) => bank,
        Err(code) => return code,
    };
    // Only errors stop a build, and findings are shown only then: rules that
    // cannot report an error are run only in that case.
    let diags = qbank_lint::lint_errors(&bank);
    if !diags.is_empty() {
        let diags = qbank_lint::lint(&bank);
        let c = count(&diags);
        print!("{}", render(&diags, &bank, Format::Human, color));
        eprintln!(
            "build refused: the bank has {}; nothing was written",
            plural(c.errors, "error")
        );
        return if c.io { EXIT_USAGE } else { EXIT_CONTENT };
    }
    let opts = qbank_export::BuildOptions {
        out: args.out.clone(),
        formats: args.format.clone(),
        include_drafts: args.include_drafts,
        answers: args.answers,
        templates: args.templates.clone(),
        fail_after: std::env::var("QBANK_TEST_FAIL_AFTER").ok(),
    };
    let built = qbank_export::build(&bank, &opts);
    // The process ends next: skip freeing the bank, one allocation at a time.
    std::mem::forget(bank);
    std::mem::forget(diags);
    match built {
        Ok(report) => {
            for f in &report.files {
                eprintln!("wrote {}", render::shown_path(f));
            }
            eprintln!(
                "exported {} in {:.2}s",
                plural(report.questions, "question"),
                start.elapsed().as_secs_f64()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}
