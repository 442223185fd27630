//! The exam blueprint: metadata, domains and topics, retired topics and legacy terms.

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, FileId};
use crate::schema;
use crate::span::Span;
use crate::yaml::{self, SpanMap};

#[derive(Debug, Clone, Deserialize)]
pub struct Exam {
    pub id: String,
    pub name: String,
    pub guide_version: String,
    #[serde(default)]
    pub guide_date: Option<String>,
    pub questions: u32,
    pub minutes: u32,
    pub passing_score: f64,
    #[serde(default = "default_options")]
    pub options_per_question: u32,
    #[serde(default)]
    pub url: Option<String>,
}

fn default_options() -> u32 {
    4
}

#[derive(Debug, Clone, Deserialize)]
pub struct Topic {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub min: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Domain {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub topics: Vec<Topic>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RetiredTopic {
    pub id: String,
    pub name: String,
    pub successor: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TermSeverity {
    Off,
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LegacyTerm {
    pub id: String,
    pub pattern: String,
    pub severity: TermSeverity,
    pub why: String,
    #[serde(default)]
    pub replace: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Raw {
    exam: Exam,
    domains: Vec<Domain>,
    #[serde(default)]
    retired_topics: Vec<RetiredTopic>,
    #[serde(default)]
    legacy_terms: Vec<LegacyTerm>,
}

#[derive(Debug, Clone)]
pub struct Blueprint {
    pub file: FileId,
    pub exam: Exam,
    pub domains: Vec<Domain>,
    pub retired_topics: Vec<RetiredTopic>,
    pub legacy_terms: Vec<LegacyTerm>,
    pub spans: SpanMap,
}

impl Blueprint {
    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }

    pub fn topic(&self, id: &str) -> Option<(&Domain, &Topic)> {
        self.domains
            .iter()
            .find_map(|d| d.topics.iter().find(|t| t.id == id).map(|t| (d, t)))
    }

    pub fn retired_topic(&self, id: &str) -> Option<&RetiredTopic> {
        self.retired_topics.iter().find(|t| t.id == id)
    }

    /// Span of the value at a JSON pointer (for example `/legacy_terms/3/pattern`).
    pub fn span(&self, pointer: &str) -> Span {
        self.spans.value_or_parent(pointer).unwrap_or_default()
    }
}

/// Parse and validate a blueprint file's text.
pub fn parse_blueprint(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Blueprint> {
    let before = diags.len();
    let doc = yaml::parse(text, 0, file, diags)?;
    let whole = Span::new(0, text.find('\n').unwrap_or(text.len()));
    schema::validate(
        &schema::BLUEPRINT,
        &doc,
        file,
        whole,
        "the blueprint",
        diags,
    );
    if diags.len() > before {
        return None;
    }
    let raw: Raw = match serde_json::from_value(doc.value) {
        Ok(r) => r,
        Err(e) => {
            diags.push(
                Diagnostic::error("QB005", format!("invalid blueprint: {e}"))
                    .at(file, whole, "here"),
            );
            return None;
        }
    };
    let bp = Blueprint {
        file,
        exam: raw.exam,
        domains: raw.domains,
        retired_topics: raw.retired_topics,
        legacy_terms: raw.legacy_terms,
        spans: doc.spans,
    };
    check_consistency(&bp, diags);
    Some(bp)
}

fn check_consistency(bp: &Blueprint, diags: &mut Vec<Diagnostic>) {
    let mut seen: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (di, d) in bp.domains.iter().enumerate() {
        let p = format!("/domains/{di}/id");
        if let Some(first) = seen.insert(&d.id, p.clone()) {
            diags.push(
                Diagnostic::error("QB014", format!("domain id `{}` is defined twice", d.id))
                    .at(bp.file, bp.span(&p), "defined again here")
                    .also(bp.file, bp.span(&first), "first defined here"),
            );
        }
        for (ti, t) in d.topics.iter().enumerate() {
            let p = format!("/domains/{di}/topics/{ti}/id");
            if let Some(first) = seen.insert(&t.id, p.clone()) {
                diags.push(
                    Diagnostic::error(
                        "QB014",
                        format!("id `{}` is defined twice in the blueprint", t.id),
                    )
                    .at(bp.file, bp.span(&p), "defined again here")
                    .also(bp.file, bp.span(&first), "first defined here")
                    .with_help("domain and topic ids must be unique across the blueprint"),
                );
            }
        }
    }
    let total: f64 = bp.domains.iter().map(|d| d.weight).sum();
    if (total - 100.0).abs() > 1e-6 {
        diags.push(
            Diagnostic::error(
                "QB014",
                format!("domain weights add up to {total}, not 100"),
            )
            .at(bp.file, bp.span("/domains"), "weights of these domains")
            .with_help("weights are percentages of the exam; make them sum to 100"),
        );
    }
    for (i, r) in bp.retired_topics.iter().enumerate() {
        if bp.topic(&r.successor).is_none() && bp.domain(&r.successor).is_none() {
            diags.push(
                Diagnostic::error(
                    "QB014",
                    format!(
                        "retired topic `{}` names an unknown successor `{}`",
                        r.id, r.successor
                    ),
                )
                .at(
                    bp.file,
                    bp.span(&format!("/retired_topics/{i}/successor")),
                    "not a topic or domain id",
                ),
            );
        }
        if bp.topic(&r.id).is_some() {
            diags.push(
                Diagnostic::error(
                    "QB014",
                    format!("topic `{}` is both current and retired", r.id),
                )
                .at(
                    bp.file,
                    bp.span(&format!("/retired_topics/{i}/id")),
                    "also a current topic",
                ),
            );
        }
    }
}
