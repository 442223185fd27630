//! Authors' exceptions: the front matter `allow:` list and inline
//! `<!-- qbank-allow CODE: reason -->` comments.

use std::collections::HashMap;

use qbank_parser::{Diagnostic, FileId, Span};

use crate::context::Ctx;
use crate::rules::{finding, Check, RULES};

struct Exception {
    rule: String,
    span: Span,
    /// `Some(line)` for inline comments: only findings on that line.
    line: Option<usize>,
    used: bool,
}

fn known(code: &str) -> bool {
    RULES
        .iter()
        .any(|r| r.doc.code == code && !matches!(r.check, Check::Driver))
}

/// Remove findings covered by an exception; report unknown, unused and unexplained exceptions.
pub fn apply(ctx: &Ctx<'_>, findings: &mut Vec<Diagnostic>) {
    let mut by_file: HashMap<FileId, Vec<Exception>> = HashMap::new();
    let mut extra = Vec::new();
    for q in &ctx.bank.questions {
        let mut list = Vec::new();
        for a in &q.front.allow {
            list.push(Exception {
                rule: a.rule.value.clone(),
                span: a.rule.span,
                line: None,
                used: false,
            });
        }
        for a in &q.inline_allows {
            if a.reason.trim().is_empty() {
                extra.push(
                    finding(
                        "QB903",
                        format!("the exception for {} gives no reason", a.rule),
                    )
                    .at(q.file, a.span, "no reason")
                    .with_help(format!(
                        "write `<!-- qbank-allow {}: why this finding is acceptable -->`",
                        a.rule
                    )),
                );
            }
            list.push(Exception {
                rule: a.rule.clone(),
                span: a.span,
                line: Some(a.target_line),
                used: false,
            });
        }
        if !list.is_empty() {
            by_file.insert(q.file, list);
        }
    }
    if by_file.is_empty() {
        findings.extend(extra);
        return;
    }
    findings.retain(|d| {
        if d.code.starts_with("QB9") {
            return true;
        }
        let Some(p) = &d.primary else { return true };
        let Some(list) = by_file.get_mut(&p.file) else {
            return true;
        };
        let line = ctx.bank.file(p.file).line_col(p.span.start).line;
        for e in list.iter_mut() {
            if e.rule == d.code && e.line.is_none_or(|l| l == line) {
                e.used = true;
                return false;
            }
        }
        true
    });
    let mut files: Vec<_> = by_file.into_iter().collect();
    files.sort_by_key(|(f, _)| *f);
    for (file, list) in files {
        for e in list {
            if !known(&e.rule) {
                extra.push(
                    finding(
                        "QB901",
                        format!("unknown rule `{}` in an exception", e.rule),
                    )
                    .at(file, e.span, "no rule has this code")
                    .with_help("`qbank rules` lists every rule code"),
                );
            } else if !e.used {
                let enabled = RULES
                    .iter()
                    .find(|r| r.doc.code == e.rule)
                    .is_some_and(|r| ctx.enabled(r));
                if enabled {
                    extra.push(
                        finding(
                            "QB902",
                            format!("the exception for {} suppresses nothing", e.rule),
                        )
                        .at(file, e.span, "unused exception")
                        .with_help("remove the exception"),
                    );
                }
            }
        }
    }
    findings.extend(extra);
}
