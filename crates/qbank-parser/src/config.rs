//! `qbank.toml`, the bank configuration.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, FileId};
use crate::span::Span;

/// Default per-file size limit: 1 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Folder with the question files, relative to the bank root.
    #[serde(default = "default_content_dir")]
    pub content_dir: String,
    /// Blueprint file, relative to the bank root.
    #[serde(default = "default_blueprint")]
    pub blueprint: String,
    /// Ledger of retired question ids, relative to the bank root.
    #[serde(default)]
    pub retired_ids: Option<String>,
    /// Glob patterns of Markdown files that are not questions.
    #[serde(default = "default_exclude")]
    pub exclude: Vec<String>,
    /// Largest question file accepted, in bytes.
    #[serde(default = "default_max_size")]
    pub max_file_size: u64,
    #[serde(default)]
    pub coverage: CoverageConfig,
    #[serde(default)]
    pub lint: LintConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageConfig {
    /// Number of disjoint exam forms the published questions must fill.
    #[serde(default = "one")]
    pub forms: u32,
}

impl Default for CoverageConfig {
    fn default() -> Self {
        CoverageConfig { forms: 1 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Deny {
    /// Fail on errors only (the default).
    #[default]
    Errors,
    /// Fail on warnings and errors.
    Warnings,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Which findings fail `qbank check`.
    #[serde(default)]
    pub deny: Deny,
    /// Severity per rule, by code or name: `QB405 = "off"`.
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, Level>,
    #[serde(default)]
    pub thresholds: Thresholds,
}

/// Numbers that tune rules. Every one has a default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// QB405: a key this many times longer than the longest distractor is flagged.
    pub longest_key_ratio: f64,
    /// QB104: options whose word similarity is at least this are near-identical.
    pub option_similarity: f64,
    /// QB504: question pairs at least this similar are reported.
    pub near_duplicate: f64,
    /// QB504: words per shingle.
    pub shingle_size: usize,
    /// QB501: p-value below which the key-position distribution is skewed.
    pub key_position_p: f64,
    /// QB501/QB502/QB503: minimum number of questions before bank statistics apply.
    pub min_sample: usize,
    /// QB502: largest acceptable share of questions whose key is the longest option.
    pub longest_key_share: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            longest_key_ratio: 1.5,
            option_similarity: 0.9,
            near_duplicate: 0.75,
            shingle_size: 3,
            key_position_p: 0.01,
            min_sample: 20,
            longest_key_share: 0.4,
        }
    }
}

fn default_content_dir() -> String {
    ".".into()
}
fn default_blueprint() -> String {
    "blueprint.yaml".into()
}
fn default_exclude() -> Vec<String> {
    vec!["README.md".into()]
}
fn default_max_size() -> u64 {
    DEFAULT_MAX_FILE_SIZE
}
fn one() -> u32 {
    1
}

impl Default for Config {
    fn default() -> Self {
        Config {
            content_dir: default_content_dir(),
            blueprint: default_blueprint(),
            retired_ids: None,
            exclude: default_exclude(),
            max_file_size: default_max_size(),
            coverage: CoverageConfig::default(),
            lint: LintConfig::default(),
        }
    }
}

/// Parse `qbank.toml`. Errors are `QB015` with the span toml reports.
pub fn parse_config(file: FileId, text: &str) -> Result<Config, Diagnostic> {
    toml::from_str::<Config>(text).map_err(|e| {
        let span = e.span().map_or(Span::new(0, 0), Span::from);
        let msg = e.message().to_string();
        let mut d = Diagnostic::error("QB015", format!("invalid qbank.toml: {msg}")).at(file, span, "here");
        if msg.contains("unknown field") {
            d = d.with_help(
                "known keys: content_dir, blueprint, retired_ids, exclude, max_file_size, [coverage] forms, [lint] deny, rules, thresholds",
            );
        }
        d
    })
}
