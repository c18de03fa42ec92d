//! Permutation tests and multiple-testing control.
//!
//! # Relabelling test ([`relabel_test`])
//!
//! Some units carry a label (e.g. "this seat has a university") and a
//! statistic is computed from the labelled units and their surroundings
//! (e.g. each labelled seat minus its unlabelled neighbours). When the
//! surroundings overlap, the statistic's null distribution need not be
//! centred on zero, so a t test on it is not centred on its null either.
//! The relabelling test draws, `permutations` times, a random set of units
//! of the same size among the eligible ones (a seeded Fisher–Yates shuffle
//! of the labels, ChaCha8), recomputes the statistic, and reports
//!
//! * the null distribution's mean and standard deviation (`null_mean`,
//!   `null_sd`), so the observed value can be read against them
//!   (`observed − null_mean` is the effect net of the design);
//! * z = (observed − null_mean) / null_sd;
//! * the two-sided p-value 2·min(#{T ≥ t}+1, #{T ≤ t}+1)/(P + 1), capped at
//!   1 (the +1 counts the observed labelling, so p is never 0).
//!
//! A permutation for which the statistic cannot be computed (`None`) is
//! counted in `failed` and left out.
//!
//! # Benjamini–Hochberg ([`benjamini_hochberg`])
//!
//! Adjusted p-values (q-values) controlling the false discovery rate: sort
//! the m p-values, q₍ᵢ₎ = min over j ≥ i of m·p₍ⱼ₎/j, capped at 1, returned in
//! input order. A test is a discovery at FDR α when q ≤ α, as statsmodels'
//! `multipletests(method="fdr_bh")` rejects. Reference: statsmodels
//! `multipletests`.

use crate::StatsError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The result of a relabelling permutation test.
#[derive(Debug, Clone, PartialEq)]
pub struct RelabelTest {
    pub observed: f64,
    pub null_mean: f64,
    pub null_sd: f64,
    pub z: f64,
    pub p: f64,
    pub permutations: usize,
    /// Permutations whose statistic could not be computed.
    pub failed: usize,
    pub seed: u64,
    pub method: &'static str,
}

/// Tests `stat(labels, labelled)` against random relabellings that keep
/// the number of labelled units, drawn among the units where `eligible` is
/// true (the others keep `false`); `labelled` lists the labelled units'
/// indices, so a statistic can visit them alone. See the [module
/// docs](self). Each relabelling draws the labelled units by a partial
/// Fisher–Yates shuffle of the eligible ones (as many draws as labels).
///
/// Errors: lengths differ, a labelled unit is not eligible, the observed
/// statistic cannot be computed, fewer than 2 permutations, or fewer than
/// half the permutations computable.
pub fn relabel_test<F>(
    labels: &[bool],
    eligible: &[bool],
    mut stat: F,
    permutations: usize,
    seed: u64,
) -> Result<RelabelTest, StatsError>
where
    F: FnMut(&[bool], &[usize]) -> Option<f64>,
{
    crate::check_len(labels.len(), eligible.len())?;
    if labels.iter().zip(eligible).any(|(l, e)| *l && !*e) {
        return Err(StatsError::Argument("a labelled unit is not eligible"));
    }
    if permutations < 2 {
        return Err(StatsError::Argument("at least 2 permutations"));
    }
    let observed_set: Vec<usize> = (0..labels.len()).filter(|&i| labels[i]).collect();
    let observed = stat(labels, &observed_set).ok_or(StatsError::Argument(
        "the statistic cannot be computed on the observed labels",
    ))?;
    let mut slots: Vec<usize> = (0..labels.len()).filter(|&i| eligible[i]).collect();
    let m = observed_set.len();
    let mut current = vec![false; labels.len()];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut values = Vec::with_capacity(permutations);
    let mut failed = 0;
    let mut chosen: Vec<usize> = Vec::with_capacity(m);
    for _ in 0..permutations {
        let (drawn, _) = slots.partial_shuffle(&mut rng, m);
        chosen.clear();
        chosen.extend_from_slice(drawn);
        for &i in &chosen {
            current[i] = true;
        }
        match stat(&current, &chosen) {
            Some(v) if v.is_finite() => values.push(v),
            _ => failed += 1,
        }
        for &i in &chosen {
            current[i] = false;
        }
    }
    if values.len() * 2 < permutations {
        return Err(StatsError::Argument(
            "fewer than half the permutations give a statistic",
        ));
    }
    let count = values.len() as f64;
    let null_mean = values.iter().sum::<f64>() / count;
    let null_sd =
        (values.iter().map(|v| (v - null_mean).powi(2)).sum::<f64>() / (count - 1.0)).sqrt();
    let ge = values.iter().filter(|v| **v >= observed).count();
    let le = values.iter().filter(|v| **v <= observed).count();
    let p = (2.0 * (ge.min(le) as f64 + 1.0) / (count + 1.0)).min(1.0);
    Ok(RelabelTest {
        observed,
        null_mean,
        null_sd,
        z: (observed - null_mean) / null_sd,
        p,
        permutations,
        failed,
        seed,
        method: "relabelling permutation test (labels shuffled among eligible units, ChaCha8 seeded; two-sided p = 2 min(#≥, #≤ + 1)/(P + 1))",
    })
}

/// Benjamini–Hochberg adjusted p-values, in input order (see the [module
/// docs](self)). Errors: a p-value outside [0, 1] or not finite.
pub fn benjamini_hochberg(p: &[f64]) -> Result<Vec<f64>, StatsError> {
    if let Some(&bad) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(StatsError::Probability(bad));
    }
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bh_by_hand() {
        // m = 4: sorted 0.01, 0.02, 0.03, 0.5 → 0.04, 0.04, 0.04, 0.5.
        let q = benjamini_hochberg(&[0.03, 0.5, 0.01, 0.02]).unwrap();
        let want = [0.04, 0.5, 0.04, 0.04];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{q:?}");
        }
        assert!(benjamini_hochberg(&[1.2]).is_err());
        assert!(benjamini_hochberg(&[]).unwrap().is_empty());
    }

    #[test]
    fn relabelling_a_null_statistic() {
        // The mean of labelled values: under relabelling its null mean is
        // the mean of the eligible values.
        let v: Vec<f64> = (0..40).map(|i| (i as f64 * 1.3).sin()).collect();
        let labels: Vec<bool> = (0..40).map(|i| i % 5 == 0).collect();
        let eligible = vec![true; 40];
        let stat = |l: &[bool], who: &[usize]| {
            let s: Vec<f64> = v
                .iter()
                .zip(l)
                .filter(|(_, l)| **l)
                .map(|(v, _)| *v)
                .collect();
            assert_eq!(s.len(), who.len());
            Some(s.iter().sum::<f64>() / s.len() as f64)
        };
        let r = relabel_test(&labels, &eligible, stat, 4999, 3).unwrap();
        let all = v.iter().sum::<f64>() / 40.0;
        assert!((r.null_mean - all).abs() < 0.02, "{} vs {all}", r.null_mean);
        assert!(r.p > 0.0 && r.p <= 1.0);
        assert_eq!(r, relabel_test(&labels, &eligible, stat, 4999, 3).unwrap());
        // A labelled unit that is not eligible is refused.
        let mut e2 = eligible.clone();
        e2[0] = false;
        assert!(relabel_test(&labels, &e2, stat, 99, 3).is_err());
    }

    #[test]
    fn an_extreme_labelling_has_the_smallest_p() {
        let v: Vec<f64> = (0..30).map(|i| i as f64).collect();
        let labels: Vec<bool> = (0..30).map(|i| i >= 27).collect();
        let stat = |_: &[bool], who: &[usize]| Some(who.iter().map(|&i| v[i]).sum::<f64>());
        let r = relabel_test(&labels, &[true; 30], stat, 999, 1).unwrap();
        assert_eq!(r.p, 2.0 / 1000.0);
        // Null: mean 3 × 14.5, sd ≈ √(3 · 74.9 · 27/29) ≈ 14.5; z ≈ (84 − 43.5)/14.5.
        assert!((r.z - 2.8).abs() < 0.1, "{}", r.z);
    }
}
