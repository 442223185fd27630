//! QB901–QB903: exceptions and configuration. Emitted by the lint driver
//! (see `exceptions.rs`), documented here like every other rule.

use qbank_parser::codes::CodeDoc;
use qbank_parser::Severity;

use super::{Check, Rule};

pub const UNKNOWN_RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB901",
        name: "unknown-rule",
        severity: Severity::Error,
        summary: "An exception or a qbank.toml setting names a rule that does not exist",
        why: "A misspelt code would silently allow nothing (or configure nothing). `qbank rules` lists the codes.",
        example: concat!("---\nid: example-question\ndomain: mlops\ntopics: [lifecycle-promotion]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\nallow:\n  - rule: QB999\n    reason: The stem quotes a legacy call on purpose.\n---\n\n", stem!(), opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Driver,
};

pub const UNUSED: Rule = Rule {
    doc: CodeDoc {
        code: "QB902",
        name: "unused-exception",
        severity: Severity::Warning,
        summary: "An exception suppresses nothing",
        why: "Exceptions outlive the problem they were written for. An exception that matches no finding hides future problems of that rule, so it is reported until it is removed.",
        example: concat!("---\nid: example-question\ndomain: mlops\ntopics: [lifecycle-promotion]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\nallow:\n  - rule: QB301\n    reason: The stem quotes a legacy call on purpose.\n---\n\n", stem!(), opts!(), expl!()),
        fix: concat!(fm!(), stem!(), opts!(), expl!()),
    },
    check: Check::Driver,
};

pub const NO_REASON: Rule = Rule {
    doc: CodeDoc {
        code: "QB903",
        name: "exception-without-reason",
        severity: Severity::Error,
        summary: "An inline `qbank-allow` comment gives no reason",
        why: "Reviewers must be able to judge an exception. Front-matter exceptions need a `reason` of at least ten characters; inline ones need text after the code: `<!-- qbank-allow QB402: the negative is the point of the question -->`.",
        example: concat!(fm!(),
            "A batch job loads `models:/ml.churn.model@champion`.\n<!-- qbank-allow QB402 -->\nWhich change would not make it use version 7 on its next run?\n\n",
            neg_opts!(),
            expl!()),
        fix: concat!(fm!(),
            "A batch job loads `models:/ml.churn.model@champion`.\n<!-- qbank-allow QB402: the lower-case negative is tested on purpose -->\nWhich change would not make it use version 7 on its next run?\n\n",
            neg_opts!(),
            expl!()),
    },
    check: Check::Driver,
};
