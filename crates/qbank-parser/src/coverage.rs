//! Blueprint coverage: how many published questions each domain and topic
//! has, against the targets of one or more exam forms.

use serde::Serialize;

use crate::bank::Bank;
use crate::blueprint::Blueprint;

/// Split `total` questions over `weights` by the largest-remainder method.
/// Ties go to the earlier domain, so the result is deterministic.
pub fn apportion(total: u32, weights: &[f64]) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let quotas: Vec<f64> = weights.iter().map(|w| w / sum * f64::from(total)).collect();
    let mut seats: Vec<u32> = quotas.iter().map(|q| q.floor() as u32).collect();
    let given: u32 = seats.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given) as usize) {
        seats[i] += 1;
    }
    seats
}

#[derive(Debug, Clone, Serialize)]
pub struct TopicCoverage {
    pub id: String,
    pub name: String,
    pub published: u32,
    /// The topic's minimum from the blueprint.
    pub minimum: u32,
    pub shortfall: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainCoverage {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub published: u32,
    /// Questions this domain contributes to one form.
    pub per_form: u32,
    /// `per_form` times the number of forms.
    pub target: u32,
    pub shortfall: u32,
    pub topics: Vec<TopicCoverage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub exam: String,
    pub questions_per_form: u32,
    pub forms: u32,
    pub published: u32,
    /// Disjoint forms the published questions can fill.
    pub forms_fillable: u32,
    pub domains: Vec<DomainCoverage>,
}

impl Coverage {
    pub fn is_complete(&self) -> bool {
        self.forms_fillable >= self.forms
            && self
                .domains
                .iter()
                .all(|d| d.topics.iter().all(|t| t.shortfall == 0))
    }
}

/// Coverage of the published questions in `bank` against `bp`.
///
/// A question counts for its domain once, and once for each of its topics.
pub fn compute(bank: &Bank, bp: &Blueprint, forms: u32) -> Coverage {
    let weights: Vec<f64> = bp.domains.iter().map(|d| d.weight).collect();
    let per_form = apportion(bp.exam.questions, &weights);
    let mut domains: Vec<DomainCoverage> = bp
        .domains
        .iter()
        .zip(&per_form)
        .map(|(d, &pf)| DomainCoverage {
            id: d.id.clone(),
            name: d.name.clone(),
            weight: d.weight,
            published: 0,
            per_form: pf,
            target: pf * forms,
            shortfall: 0,
            topics: d
                .topics
                .iter()
                .map(|t| TopicCoverage {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    published: 0,
                    minimum: t.min,
                    shortfall: 0,
                })
                .collect(),
        })
        .collect();
    let mut published = 0;
    for q in bank.questions.iter().filter(|q| q.is_published()) {
        let Some(domain) = q.front.domain.as_ref() else {
            continue;
        };
        let Some(d) = domains.iter_mut().find(|d| d.id == domain.value) else {
            continue;
        };
        published += 1;
        d.published += 1;
        for t in &q.front.topics {
            if let Some(tc) = d.topics.iter_mut().find(|tc| tc.id == t.value) {
                tc.published += 1;
            }
        }
    }
    let mut fillable = u32::MAX;
    for d in &mut domains {
        d.shortfall = d.target.saturating_sub(d.published);
        if let Some(n) = d.published.checked_div(d.per_form) {
            fillable = fillable.min(n);
        }
        for t in &mut d.topics {
            t.shortfall = t.minimum.saturating_sub(t.published);
        }
    }
    if fillable == u32::MAX {
        fillable = 0;
    }
    Coverage {
        exam: bp.exam.name.clone(),
        questions_per_form: bp.exam.questions,
        forms,
        published,
        forms_fillable: fillable,
        domains,
    }
}

#[cfg(test)]
mod tests {
    use super::apportion;

    #[test]
    fn largest_remainder_matches_the_exam() {
        assert_eq!(apportion(59, &[44.0, 44.0, 12.0]), vec![26, 26, 7]);
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(apportion(0, &[50.0, 50.0]), vec![0, 0]);
        assert_eq!(apportion(5, &[]), Vec::<u32>::new());
    }
}
