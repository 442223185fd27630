//! QB301 legacy-term: content teaches the legacy platform.

use qbank_parser::blueprint::TermSeverity;
use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Part, Question, Severity, Span};

use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB301",
        name: "legacy-term",
        severity: Severity::Error,
        summary: "A legacy term from the blueprint appears in the stem, a key or the explanation",
        why: "Exam guides move on: the current guide manages models in Unity Catalog with aliases, not stages. The blueprint lists legacy terms (a pattern, why it is outdated, its replacement, a severity). A finding in the stem, a key, a key's rationale or the explanation has the term's severity. A legacy approach offered as a wrong option is good teaching, so matches in a distractor or its rationale are not reported. Each finding labels the exact phrase and gives the replacement as help.",
        example: concat!(fm!(),
            "A team's release script calls `transition_model_version_stage` after validating version 7. Which change makes a batch job use version 7 on its next run?\n\n",
            opts!(), expl!()),
        fix: concat!(fm!(), stem!(),
            "- [ ] Call `transition_model_version_stage` to move version 7 forward.\n  > Models in Unity Catalog have no stages; this call fails.\n",
            opt_b!(),
            opt_c!(),
            opt_d!(),
            expl!()),
    },
    check: Check::Question(check),
};

fn check(ctx: &Ctx<'_>, q: &Question, out: &mut Vec<Diagnostic>) {
    if ctx.terms.list.is_empty() {
        return;
    }
    let text = &ctx.source(q).text;
    // Distractors may mention the legacy way (their rationale says why it is
    // outdated), so only the other parts are searched.
    let mut regions = q.parts();
    regions.retain(|(part, _)| match part {
        Part::Option(i) | Part::Rationale(i) => q.options[*i].is_key,
        _ => true,
    });
    // Content outside the known parts (misplaced text) is checked at full severity too.
    if q.stem.is_none() && q.options.is_empty() {
        regions.push((Part::Other, Span::new(q.body_start, text.len())));
    }
    for (part, span) in regions {
        let Some(hay) = text.get(span.start..span.end) else {
            continue;
        };
        // One fast pass first: most parts mention no legacy term.
        if !ctx.terms.any(hay) {
            continue;
        }
        let matches = ctx.terms.set().matches(hay);
        if !matches.matched_any() {
            continue;
        }
        for ti in matches.iter() {
            let term = &ctx.terms.list[ti];
            for m in term.regex.find_iter(hay) {
                let at = Span::new(span.start + m.start(), span.start + m.end());
                let phrase = hay.get(m.range()).unwrap_or_default();
                let severity = {
                    match term.severity {
                        TermSeverity::Error => Severity::Error,
                        TermSeverity::Warning => Severity::Warning,
                        TermSeverity::Info | TermSeverity::Off => Severity::Info,
                    }
                };
                let where_ = match part {
                    Part::Stem => "in the stem".to_string(),
                    Part::Option(i) => format!("in option {}", letter(i)),
                    Part::Rationale(i) => format!("in the rationale of option {}", letter(i)),
                    Part::Explanation => "in the explanation".to_string(),
                    Part::Other => "in the question".to_string(),
                };
                let mut d = finding(
                    "QB301",
                    format!("legacy term `{phrase}` {where_}: {}", term.why),
                )
                .at(q.file, at, format!("legacy ({})", term.id));
                d.severity = severity;
                let mut help = match &term.replace {
                    Some(r) => format!("use instead: {r}"),
                    None => "rewrite this for the current platform".to_string(),
                };
                help.push_str(" (a legacy approach is fine in a wrong option whose rationale says why it is outdated)");
                if let Some(src) = &term.source {
                    help.push_str(&format!("; see {src}"));
                }
                out.push(d.with_help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testkit::*;
    use qbank_parser::Severity;

    #[test]
    fn distractors_pass_and_keys_are_errors() {
        let q = GOOD.replace(
            "- [ ] Delete the older versions of the model.",
            "- [ ] Call `transition_model_version_stage` for version 7.",
        );
        assert!(lint_one(&q).is_empty());
        let q = GOOD.replace(
            "Point the `champion` alias at version 7.",
            "Load `models:/churn/Production` instead.",
        );
        let d = lint_one(&q);
        assert_eq!(d[0].severity, Severity::Error, "{d:#?}");
    }

    #[test]
    fn current_usage_is_not_flagged() {
        let q = GOOD.replace(
            "## Explanation\n",
            "## Explanation\n\n```python\nmlflow.set_registry_uri(\"databricks-uc\")\nmodel = mlflow.pyfunc.load_model(\"models:/ml.churn.model@champion\")\n```\n",
        );
        assert!(lint_one(&q).is_empty(), "{:#?}", lint_one(&q));
    }

    #[test]
    fn terms_in_code_blocks_are_found() {
        let q = GOOD.replace(
            "What should they do?",
            "What should they do?\n\n```python\nclient.transition_model_version_stage(\"m\", 7, \"Production\")\n```",
        );
        let d = lint_one(&q);
        assert!(
            d.iter()
                .any(|d| d.code == "QB301" && d.severity == Severity::Error),
            "{d:#?}"
        );
    }
}
