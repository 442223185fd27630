//! QB501 key-position-skew: keys are spread evenly over the option positions.

use qbank_parser::codes::CodeDoc;
use qbank_parser::{letter, Diagnostic, Severity};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::bankstat::{at_exam, single_answer};
use super::{finding, Check, Rule};
use crate::context::Ctx;

pub const RULE: Rule = Rule {
    doc: CodeDoc {
        code: "QB501",
        name: "key-position-skew",
        severity: Severity::Warning,
        summary: "Keys of single-answer questions are not spread evenly over positions A, B, C, …",
        why: "Authors tend to hide the key in B or C. Over a bank, a skew lets learners guess better than chance. The rule runs a chi-square goodness-of-fit test of the key positions of published single-answer questions against a uniform distribution and warns when p < `key_position_p` (default 0.01), once there are at least `min_sample` (default 20) such questions.",
        example: "A bank of 40 published single-answer questions with four options whose keys are A 4, B 22, C 10, D 4 (chi-square 21.6, p < 0.001).",
        fix: "Move keys so each position holds about a quarter of them (10/10/10/10).",
    },
    check: Check::Bank(check),
};

/// Counts per position, the chi-square statistic and its p-value.
pub fn key_position_test(counts: &[u64]) -> Option<(f64, f64)> {
    let n: u64 = counts.iter().sum();
    let k = counts.len();
    if n == 0 || k < 2 {
        return None;
    }
    let expected = n as f64 / k as f64;
    let stat: f64 = counts
        .iter()
        .map(|&o| (o as f64 - expected).powi(2) / expected)
        .sum();
    let dist = ChiSquared::new((k - 1) as f64).ok()?;
    Some((stat, dist.sf(stat)))
}

fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let k = ctx.options_per_question();
    let mut counts = vec![0u64; k];
    for q in single_answer(ctx) {
        if let Some((i, _)) = q.keys().next() {
            counts[i] += 1;
        }
    }
    let n: u64 = counts.iter().sum();
    if (n as usize) < ctx.thresholds.min_sample {
        return;
    }
    let Some((stat, p)) = key_position_test(&counts) else {
        return;
    };
    if p < ctx.thresholds.key_position_p {
        let dist: Vec<String> = counts
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} {c}", letter(i)))
            .collect();
        out.push(at_exam(
            ctx,
            finding(
                "QB501",
                format!(
                    "key positions are skewed: {} (chi-square {stat:.1}, p = {p:.4})",
                    dist.join(", ")
                ),
            )
            .with_help("move keys so that each position holds about the same number"),
            "key positions of the bank",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::key_position_test;

    #[test]
    fn chi_square() {
        let (stat, p) = key_position_test(&[4, 22, 10, 4]).expect("test");
        assert!((stat - 21.6).abs() < 1e-9);
        assert!(p < 0.001);
        let (_, p) = key_position_test(&[10, 11, 9, 10]).expect("test");
        assert!(p > 0.9);
    }
}
