//! The `qbank` command.

mod commands;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// jemalloc, as ruff does: the checker allocates many small, short-lived strings on
/// every core, and glibc's malloc was 10-15% slower on `qbank check` of 10,000 files.
#[cfg(not(target_os = "windows"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Exit status: the content is clean.
pub const EXIT_OK: u8 = 0;
/// Exit status: the content has errors (or warnings with `--deny warnings`).
pub const EXIT_CONTENT: u8 = 1;
/// Exit status: usage, configuration or I/O error.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "qbank",
    version,
    about = "Author, check and export exam question banks written in Markdown",
    after_help = "Examples:
  qbank check content                    check the bank in ./content
  qbank check content --format github    annotations for a GitHub Actions run
  qbank coverage content                 published questions against the blueprint
  qbank rule QB301                       what a rule checks and how to fix it
  qbank build content --out dist         export JSON, printable HTML and an Anki deck

Exit status: 0 clean, 1 content errors, 2 usage, configuration or I/O errors."
)]
pub struct Cli {
    /// When to use colours (NO_COLOR is respected with `auto`).
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum Format {
    /// Source snippets with labels and help (default).
    Human,
    /// One line per finding: `path:line:col: severity[code] message`.
    Concise,
    /// JSON, described by schema/diagnostics.schema.json.
    Json,
    /// GitHub Actions workflow commands (pull-request annotations).
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum DenyArg {
    /// Fail on errors only.
    Errors,
    /// Fail on warnings too.
    Warnings,
}

#[derive(Subcommand)]
pub enum Command {
    /// Parse and lint every question of a bank.
    #[command(after_help = "Examples:
  qbank check content
  qbank check content --format concise --deny warnings
  NO_COLOR=1 qbank check content --format github

PATH is the bank root: the folder with qbank.toml (default: the current folder).
Exit status: 0 clean, 1 content errors, 2 usage, configuration or I/O errors.")]
    Check {
        /// Bank root (folder with qbank.toml).
        #[arg(default_value = ".")]
        path: std::path::PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Lowest severity that fails the run (overrides `[lint] deny`).
        #[arg(long, value_enum)]
        deny: Option<DenyArg>,
    },
    /// Published questions per domain and topic against the blueprint.
    #[command(after_help = "Examples:
  qbank coverage content
  qbank coverage content --json > coverage.json

Exit status: 0 when every domain fills the configured forms and every topic meets its minimum, 1 otherwise.")]
    Coverage {
        #[arg(default_value = ".")]
        path: std::path::PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Number of disjoint forms to check (default: `[coverage] forms` in qbank.toml).
        #[arg(long)]
        forms: Option<u32>,
    },
    /// List every rule and diagnostic code.
    #[command(after_help = "Example:\n  qbank rules")]
    Rules,
    /// Explain one rule: what it checks, why, an example and the fix.
    #[command(after_help = "Examples:\n  qbank rule QB301\n  qbank rule legacy-term")]
    Rule {
        /// A code such as QB301 or a name such as legacy-term.
        code: String,
    },
    /// Check the bank, then export it (JSON, printable HTML, Anki).
    #[command(after_help = "Examples:
  qbank build content --out dist
  qbank build content --out dist --format html --answers inline
  qbank build content --out dist --format anki --include-drafts

The bank is checked first; nothing is written while it has errors. Output is
written to a temporary folder beside DIR and moved into place, so a failed
build leaves the previous output untouched.")]
    Build(commands::BuildArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
        }
    };
    let code = match cli.command {
        Command::Check { path, format, deny } => commands::check(&path, format, deny, color),
        Command::Coverage { path, json, forms } => commands::coverage(&path, json, forms, color),
        Command::Rules => commands::rules(),
        Command::Rule { code } => commands::rule(&code),
        Command::Build(args) => commands::build(&args, color),
    };
    ExitCode::from(code)
}
