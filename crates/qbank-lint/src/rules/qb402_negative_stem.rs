//! QB402 negative-stem: a negative question is emphasised.

use std::sync::LazyLock;

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity, Span};
use regex::Regex;

use super::{finding, Check, Rule};
use crate::context::Ctx;
use crate::text::{question_sentence, re};

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB402",
        name: "negative-stem",
        severity: Severity::Warning,
        summary: "The question sentence asks a negative (NOT, EXCEPT) without emphasis",
        why: "Readers skim past a lower-case \"not\" and answer the opposite question. If a negative question is unavoidable, write the word in capitals and bold: **NOT**. Only the question sentence (the last one ending in `?`) is checked; scenario text may say \"not\" freely.",
        example: concat!(fm!(),
            "A batch job loads `models:/ml.churn.model@champion`. Which change would not make it use version 7 on its next run?\n\n",
            neg_opts!(),
            expl!()),
        fix: concat!(fm!(),
            "A batch job loads `models:/ml.churn.model@champion`. Which change would **NOT** make it use version 7 on its next run?\n\n",
            neg_opts!(),
            expl!()),
    },
    check: Check::Question(check),
};

pub(super) static NEG: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(not|except|least|cannot)\b|n't\b"));

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let Some(stem) = &q.stem else { return };
    let md = &stem.markdown;
    let Some(range) = question_sentence(md) else {
        return;
    };
    let sentence = &md[range.clone()];
    for m in NEG.find_iter(sentence) {
        let word = m.as_str();
        let before = &sentence[..m.start()];
        let after = &sentence[m.end()..];
        let emphasised = word.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
            && (before.ends_with("**") || before.ends_with('*') || before.ends_with('_'))
            && (after.starts_with("**") || after.starts_with('*') || after.starts_with('_'));
        if emphasised {
            continue;
        }
        let start = stem.span.start + range.start + m.start();
        let span = if start + word.len() <= stem.span.end {
            Span::new(start, start + word.len())
        } else {
            stem.span
        };
        out.push(
            finding(
                "QB402",
                format!("negative question word `{word}` is not emphasised"),
            )
            .at(q.file, span, "easy to miss")
            .with_help("ask a positive question, or write the negative as **NOT** / **EXCEPT**"),
        );
    }
}
