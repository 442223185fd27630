//! Every lint rule, one per file. Codes are grouped by family:
//!
//! * QB1xx structure, answer key and identity
//! * QB2xx tags and blueprint coverage
//! * QB3xx currency against the exam guide
//! * QB4xx item writing
//! * QB5xx bank statistics
//! * QB9xx exceptions and configuration

use qbank_parser::codes::CodeDoc;
use qbank_parser::{Diagnostic, Question};

use crate::context::Ctx;

/// Front matter used by documentation examples.
macro_rules! fm {
    () => {
        "---\nid: example-question\ndomain: mlops\ntopics: [lifecycle-promotion]\ndifficulty: medium\nstatus: published\nreferences: [https://docs.databricks.com/aws/en/machine-learning/manage-model-lifecycle/]\n---\n\n"
    };
}

/// Explanation used by documentation examples.
macro_rules! expl {
    () => {
        "\n## Explanation\n\nConsumers that load by alias pick up a new version as soon as the alias moves.\n"
    };
}

/// The four options used by documentation examples, one macro each, so an
/// example can swap one of them; `opts!()` is all four (key B).
macro_rules! opt_a {
    () => {
        "- [ ] Edit the job to load version 7 explicitly.\n  > This needs a code change for every release.\n"
    };
}

macro_rules! opt_b {
    () => {
        "- [x] Point the `champion` alias at version 7.\n  > The job resolves the alias when it loads the model.\n"
    };
}

macro_rules! opt_c {
    () => {
        "- [ ] Delete the older versions of the model.\n  > Deleting versions does not move the alias.\n"
    };
}

macro_rules! opt_d {
    () => {
        "- [ ] Register version 7 under a new model name.\n  > A new name needs a code change in the job.\n"
    };
}

macro_rules! opts {
    () => {
        concat!(opt_a!(), opt_b!(), opt_c!(), opt_d!())
    };
}

/// Options of the negative-question examples (key A).
macro_rules! neg_opts {
    () => {
        "- [x] Edit the job's schedule to run every hour.\n  > The schedule does not change which version loads.\n- [ ] Point the `champion` alias at version 7.\n  > The job resolves the alias when it loads the model.\n- [ ] Edit the job to load version 7 explicitly.\n  > This loads version 7, with a code change.\n- [ ] Change the job to load `@challenger` after pointing it at version 7.\n  > This loads version 7 through another alias.\n"
    };
}

/// Stem used by documentation examples.
macro_rules! stem {
    () => {
        "A batch job loads `models:/ml.churn.model@champion`. Which change makes it use version 7 on its next run?\n\n"
    };
}

mod bankstat;
mod qb101_key_count;
mod qb102_choose_count;
mod qb103_option_count;
mod qb104_duplicate_option;
mod qb105_missing_rationale;
pub(crate) mod qb106_missing_explanation;
mod qb107_stem_lead_in;
mod qb108_missing_reference;
mod qb109_empty_option;
mod qb110_duplicate_id;
mod qb111_id_format;
mod qb112_retired_id;
mod qb201_unknown_domain;
mod qb202_unknown_topic;
mod qb203_retired_topic;
mod qb204_form_coverage;
mod qb205_topic_minimum;
mod qb301_legacy_term;
mod qb401_all_none_of_the_above;
mod qb402_negative_stem;
mod qb403_absolute_terms;
mod qb404_combination_option;
mod qb405_longest_key;
mod qb406_raw_html;
mod qb501_key_position_skew;
mod qb502_longest_key_share;
mod qb503_fixed_key_count;
mod qb504_near_duplicate;
mod qb9xx_exceptions;

#[cfg(test)]
pub(crate) mod testkit;

/// How a rule runs.
#[derive(Clone, Copy)]
pub enum Check {
    /// Once per question, in parallel.
    Question(fn(&Ctx<'_>, &Question, &mut Vec<Diagnostic>)),
    /// Once over the whole bank.
    Bank(fn(&Ctx<'_>, &mut Vec<Diagnostic>)),
    /// Emitted by the lint driver itself (exceptions, configuration).
    Driver,
}

#[derive(Clone, Copy)]
pub struct Rule {
    pub doc: CodeDoc,
    pub check: Check,
}

/// QB902, reported by the lint driver for an exception that suppresses nothing.
pub const UNUSED_EXCEPTION: Rule = qb9xx_exceptions::UNUSED;
/// QB301, whose findings take the severity of the legacy term they match.
pub const LEGACY_TERM: Rule = qb301_legacy_term::RULE;

/// Compile the patterns the rules hold (each would otherwise be compiled by
/// the first question that needs it, while the other threads wait for it).
/// `qbank` calls this on one core while the other walks the bank.
pub fn warm_up() {
    use std::sync::LazyLock;
    crate::text::warm_up();
    LazyLock::force(&qb401_all_none_of_the_above::ABOVE);
    LazyLock::force(&qb402_negative_stem::NEG);
    LazyLock::force(&qb403_absolute_terms::ABSOLUTE);
    LazyLock::force(&qb404_combination_option::COMBO);
}

/// All rules in code order.
pub static RULES: &[Rule] = &[
    qb101_key_count::RULE,
    qb102_choose_count::RULE,
    qb103_option_count::RULE,
    qb104_duplicate_option::RULE,
    qb105_missing_rationale::RULE,
    qb106_missing_explanation::RULE,
    qb107_stem_lead_in::RULE,
    qb108_missing_reference::RULE,
    qb109_empty_option::RULE,
    qb110_duplicate_id::RULE,
    qb111_id_format::RULE,
    qb112_retired_id::RULE,
    qb201_unknown_domain::RULE,
    qb202_unknown_topic::RULE,
    qb203_retired_topic::RULE,
    qb204_form_coverage::RULE,
    qb205_topic_minimum::RULE,
    qb301_legacy_term::RULE,
    qb401_all_none_of_the_above::RULE,
    qb402_negative_stem::RULE,
    qb403_absolute_terms::RULE,
    qb404_combination_option::RULE,
    qb405_longest_key::RULE,
    qb406_raw_html::RULE,
    qb501_key_position_skew::RULE,
    qb502_longest_key_share::RULE,
    qb503_fixed_key_count::RULE,
    qb504_near_duplicate::RULE,
    qb9xx_exceptions::UNKNOWN_RULE,
    qb9xx_exceptions::UNUSED,
    qb9xx_exceptions::NO_REASON,
];

/// Severity a rule's finding starts with.
pub fn default_severity(code: &str) -> qbank_parser::Severity {
    RULES
        .iter()
        .find(|r| r.doc.code == code)
        .map_or(qbank_parser::Severity::Error, |r| r.doc.severity)
}

/// A finding of `code` with its default severity.
pub fn finding(code: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(code, default_severity(code), message)
}

#[cfg(test)]
pub(crate) fn qb_is_kebab(s: &str) -> bool {
    qb111_id_format::is_kebab(s)
}
