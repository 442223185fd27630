//! QB111 id-format: ids are kebab-case.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question, Severity};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB111",
        name: "id-format",
        severity: Severity::Error,
        summary: "The id is not kebab-case (lower-case letters and digits joined by single hyphens)",
        why: "Ids appear in URLs, file names, Anki note ids and tags. One spelling convention avoids near-duplicates such as `Alias_Promotion` and `alias-promotion`.",
        example: concat!("---\nid: Example_Question\ndomain: mlops\ntopics: [lifecycle-promotion]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\n---\n\n", stem!(), opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Question(check),
};

pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn suggest(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn check(_ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    let Some(id) = &q.front.id else { return };
    if !is_kebab(&id.value) {
        let s = suggest(&id.value);
        let mut d = finding("QB111", format!("id `{}` is not kebab-case", id.value)).at(
            q.file,
            id.span,
            "not kebab-case",
        );
        d = if s.is_empty() {
            d.with_help("use lower-case words joined by hyphens")
        } else {
            d.with_help(format!("try `{s}`"))
        };
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn kebab() {
        assert!(super::is_kebab("a-b-3"));
        assert!(!super::is_kebab("a--b"));
        assert!(!super::is_kebab("A-b"));
        assert!(!super::is_kebab("-a"));
        assert_eq!(super::suggest("Example_Question"), "example-question");
    }
}
