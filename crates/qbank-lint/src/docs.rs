//! Rule documentation as text (for `qbank rule`) and as Markdown (RULES.md).

use qbank_parser::codes::CodeDoc;

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Plain text for the terminal.
pub fn render_doc(d: &CodeDoc) -> String {
    format!(
        "{} {} (default: {})\n\n{}\n\nWhy\n{}\n\nExample\n{}\n\nFix\n{}\n",
        d.code,
        d.name,
        d.severity,
        d.summary,
        indent(d.why),
        indent(d.example),
        indent(d.fix)
    )
}

/// The Markdown reference of every code, as committed in `crates/qbank-lint/RULES.md`.
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# qbank rules\n\nGenerated from the rule definitions (`cargo test -p qbank-lint` checks it is current; \
         regenerate with `UPDATE_RULES_MD=1 cargo test -p qbank-lint rules_md`).\n\n\
         Severities can be changed per rule in `qbank.toml`:\n\n```toml\n[lint.rules]\nQB405 = \"off\"\nnegative-stem = \"error\"\n```\n\n\
         | code | name | default | summary |\n|---|---|---|---|\n",
    );
    for d in crate::all_docs() {
        s.push_str(&format!(
            "| [{}](#{}-{}) | {} | {} | {} |\n",
            d.code,
            d.code.to_lowercase(),
            d.name,
            d.name,
            d.severity,
            d.summary.replace('|', "\\|")
        ));
    }
    for d in crate::all_docs() {
        let fence = if d.example.starts_with("---")
            || d.example.starts_with("==>")
            || d.example.contains('\n')
        {
            ("```markdown\n", "\n```")
        } else {
            ("", "")
        };
        s.push_str(&format!(
            "\n## {}-{}\n\n**{}** (default severity: {})\n\n{}\n\n### Why\n\n{}\n\n### Example\n\n{}{}{}\n\n### Fix\n\n{}{}{}\n",
            d.code.to_lowercase(),
            d.name,
            d.summary,
            d.severity,
            d.code,
            d.why,
            fence.0,
            d.example.trim_end(),
            fence.1,
            fence.0,
            d.fix.trim_end(),
            fence.1
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn rules_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/RULES.md");
        let want = super::rules_markdown();
        if std::env::var_os("UPDATE_RULES_MD").is_some() {
            std::fs::write(path, &want).expect("write RULES.md");
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "RULES.md is out of date: run UPDATE_RULES_MD=1 cargo test -p qbank-lint rules_md"
        );
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for d in crate::all_docs() {
            assert!(seen.insert(d.code), "duplicate code {}", d.code);
            assert!(seen.insert(d.name), "duplicate name {}", d.name);
            assert!(d.code.len() == 5 && d.code.starts_with("QB"));
            assert!(crate::rules::qb_is_kebab(d.name), "{}", d.name);
            assert!(!d.why.is_empty() && !d.example.is_empty() && !d.fix.is_empty());
        }
    }
}
