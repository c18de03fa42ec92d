//! Quantiles with a named definition, and population-weighted quantile
//! groups (quintiles, deciles).
//!
//! # Unweighted quantiles
//! [`quantile`] and [`quantiles`] implement Hyndman and Fan's (1996)
//! continuous definitions 4–9, named by [`QuantileMethod`]. With the sorted
//! values x₀ ≤ … ≤ xₙ₋₁ and the method's (α, β), the 0-based virtual index of
//! probability p is
//!
//! h = n·p + α + p·(1 − α − β) − 1  (type 7: h = (n − 1)·p),
//!
//! and the quantile is x₀ if h < 0, xₙ₋₁ if h ≥ n − 1, and otherwise the
//! linear interpolation between x⌊h⌋ and x⌊h⌋₊₁ with weight h − ⌊h⌋. This is
//! exactly `numpy.quantile(x, p, method=...)`, whose interpolation is copied
//! too (for weight ≥ ½ it interpolates from the upper value). **Type 7** is R's
//! and numpy's default (`method="linear"`); stemgap uses it unless a caller
//! says otherwise.
//!
//! # Weighted groups
//! [`weighted_groups`] splits units, already in the caller's order, into k
//! groups each holding (as nearly as possible) 1/k of the total weight, e.g.
//! population-weighted deciles of seats ordered by deprivation. **The rule:**
//! with total weight T and the weights before unit i summing to Cᵢ, unit i
//! goes to group
//!
//! gᵢ = min(⌊k · (Cᵢ + wᵢ/2) / T⌋ + 1, k),
//!
//! i.e. to the group whose share of the cumulative weight contains the
//! **midpoint of the unit's own weight**. Groups are numbered 1..=k, never
//! decrease along the order, and each group's weight differs from T/k by at
//! most the largest single weight. A unit heavier than T/k can make the
//! next group empty; with equal weights and n divisible by k every group has
//! n/k units. [`weighted_quantile_groups`] sorts by a value first (ascending,
//! ties by input index) and reports each group's weight.
//!
//! Reference: numpy `quantile` with methods `interpolated_inverted_cdf`,
//! `hazen`, `weibull`, `linear`, `median_unbiased`, `normal_unbiased`; the
//! group rule against an independent numpy implementation of the same rule.

use crate::{check_finite, check_len, StatsError};

/// A Hyndman–Fan quantile definition (the continuous ones, 4–9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantileMethod {
    /// Type 4: linear interpolation of the empirical CDF (numpy `interpolated_inverted_cdf`).
    Type4,
    /// Type 5: piecewise linear with knots at (k − ½)/n (numpy `hazen`).
    Type5,
    /// Type 6: p(k) = k/(n + 1) (numpy `weibull`, SPSS, Minitab).
    Type6,
    /// Type 7: p(k) = (k − 1)/(n − 1) (R's and numpy's default, `linear`).
    Type7,
    /// Type 8: approximately median-unbiased (numpy `median_unbiased`; Hyndman and Fan's recommendation).
    Type8,
    /// Type 9: approximately unbiased for normal data (numpy `normal_unbiased`).
    Type9,
}

impl QuantileMethod {
    /// E.g. `"Hyndman-Fan type 7 (R default; numpy method='linear')"`.
    pub fn name(self) -> &'static str {
        match self {
            QuantileMethod::Type4 => {
                "Hyndman-Fan type 4 (numpy method='interpolated_inverted_cdf')"
            }
            QuantileMethod::Type5 => "Hyndman-Fan type 5 (numpy method='hazen')",
            QuantileMethod::Type6 => "Hyndman-Fan type 6 (numpy method='weibull')",
            QuantileMethod::Type7 => "Hyndman-Fan type 7 (R default; numpy method='linear')",
            QuantileMethod::Type8 => "Hyndman-Fan type 8 (numpy method='median_unbiased')",
            QuantileMethod::Type9 => "Hyndman-Fan type 9 (numpy method='normal_unbiased')",
        }
    }

    /// 0-based virtual index h for probability `p` among `n` sorted values.
    fn virtual_index(self, n: usize, p: f64) -> f64 {
        let n = n as f64;
        let (alpha, beta) = match self {
            QuantileMethod::Type7 => return (n - 1.0) * p,
            QuantileMethod::Type4 => (0.0, 1.0),
            QuantileMethod::Type5 => (0.5, 0.5),
            QuantileMethod::Type6 => (0.0, 0.0),
            QuantileMethod::Type8 => (1.0 / 3.0, 1.0 / 3.0),
            QuantileMethod::Type9 => (3.0 / 8.0, 3.0 / 8.0),
        };
        n * p + (alpha + p * (1.0 - alpha - beta)) - 1.0
    }
}

/// Quantile `p` of values already sorted ascending (non-empty, finite,
/// `0 ≤ p ≤ 1`: checked by the callers).
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64, method: QuantileMethod) -> f64 {
    let n = sorted.len();
    let h = method.virtual_index(n, p);
    if h >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    if h < 0.0 {
        return sorted[0];
    }
    let lo = h.floor();
    lerp(sorted[lo as usize], sorted[lo as usize + 1], h - lo)
}

/// [`quantile_sorted`] of `values` without sorting them: the one or two
/// order statistics it interpolates between are found by selection
/// (`select_nth_unstable`, linear time), and `values` is left partly
/// reordered. The result is the sorted version's, bit for bit: the same two
/// values go through the same interpolation. (A percentile interval from
/// 10,000 bootstrap replicates needs 2 of them, not all 10,000 in order.)
pub(crate) fn quantile_selected(values: &mut [f64], p: f64, method: QuantileMethod) -> f64 {
    let n = values.len();
    let h = method.virtual_index(n, p);
    if h >= (n - 1) as f64 {
        return values
            .iter()
            .copied()
            .max_by(f64::total_cmp)
            .expect("non-empty");
    }
    if h < 0.0 {
        return values
            .iter()
            .copied()
            .min_by(f64::total_cmp)
            .expect("non-empty");
    }
    let k = h.floor() as usize;
    let (_, &mut a, above) = values.select_nth_unstable_by(k, f64::total_cmp);
    let b = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .expect("k < n - 1");
    lerp(a, b, h - k as f64)
}

/// The interpolation of [`quantile_sorted`] between neighbours `a ≤ b` at
/// fraction `t`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    // numpy's _lerp: from the nearer end, for monotonicity and exactness.
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

fn check_probability(p: f64) -> Result<(), StatsError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(StatsError::Probability(p))
    }
}

/// Quantile `p` (0 ≤ p ≤ 1) of `x` by `method` (see the [module docs](self)).
/// Errors if `x` is empty or not finite, or `p` is outside [0, 1].
pub fn quantile(x: &[f64], p: f64, method: QuantileMethod) -> Result<f64, StatsError> {
    Ok(quantiles(x, &[p], method)?[0])
}

/// Quantiles of `x` at each probability in `probs` by `method`; sorts a copy
/// of `x` once.
pub fn quantiles(x: &[f64], probs: &[f64], method: QuantileMethod) -> Result<Vec<f64>, StatsError> {
    if x.is_empty() {
        return Err(StatsError::TooFew { n: 0, needed: 1 });
    }
    check_finite(x)?;
    for p in probs {
        check_probability(*p)?;
    }
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    Ok(probs
        .iter()
        .map(|p| quantile_sorted(&s, *p, method))
        .collect())
}

fn check_weights(weights: &[f64], k: usize) -> Result<f64, StatsError> {
    if k == 0 {
        return Err(StatsError::Argument("k groups must be at least 1"));
    }
    if weights.is_empty() {
        return Err(StatsError::TooFew { n: 0, needed: 1 });
    }
    if let Some(index) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(StatsError::BadWeight { index });
    }
    let total: f64 = weights.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(StatsError::Argument(
            "weights must have a positive finite sum",
        ));
    }
    Ok(total)
}

/// Assigns units, already in the caller's order (e.g. most deprived first),
/// to groups 1..=`k` of equal total weight by the cumulative-weight midpoint
/// rule in the [module docs](self). Weights must be finite and ≥ 0 with a
/// positive sum; `k ≥ 1`.
pub fn weighted_groups(weights: &[f64], k: usize) -> Result<Vec<usize>, StatsError> {
    let total = check_weights(weights, k)?;
    let mut cum = 0.0;
    Ok(weights
        .iter()
        .map(|w| {
            cum += w;
            let mid = cum - w / 2.0;
            ((k as f64 * mid / total).floor() as usize + 1).min(k)
        })
        .collect())
}

/// Population-weighted quantile groups of a variable.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedGroups {
    /// Units.
    pub n: usize,
    /// Number of groups.
    pub k: usize,
    /// Group of each unit (input order), 1 = lowest values, k = highest.
    pub group: Vec<usize>,
    /// Total weight in each group (index 0 is group 1).
    pub group_weight: Vec<f64>,
    /// Units in each group (index 0 is group 1).
    pub group_size: Vec<usize>,
    pub method: &'static str,
}

/// Orders units by `values` (ascending; ties keep input order) and assigns
/// them to `k` groups of equal total `weights` by the midpoint rule of
/// [`weighted_groups`]: k = 5 gives population-weighted quintiles, k = 10
/// deciles, group 1 holding the lowest values.
pub fn weighted_quantile_groups(
    values: &[f64],
    weights: &[f64],
    k: usize,
) -> Result<WeightedGroups, StatsError> {
    check_len(values.len(), weights.len())?;
    check_finite(values)?;
    check_weights(weights, k)?;
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let sorted_w: Vec<f64> = order.iter().map(|&i| weights[i]).collect();
    let g = weighted_groups(&sorted_w, k)?;
    let mut group = vec![0; values.len()];
    let mut group_weight = vec![0.0; k];
    let mut group_size = vec![0; k];
    for (pos, &i) in order.iter().enumerate() {
        group[i] = g[pos];
        group_weight[g[pos] - 1] += weights[i];
        group_size[g[pos] - 1] += 1;
    }
    Ok(WeightedGroups {
        n: values.len(),
        k,
        group,
        group_weight,
        group_size,
        method: "weighted quantile groups: ascending value (ties by input order), unit assigned by the midpoint of its cumulative weight",
    })
}

/// As [`weighted_quantile_groups`], but independent of the input order:
/// units are ordered by `values`, then by `tiebreak` (a declared secondary
/// key, e.g. the deprivation score behind a share of deprived areas), and
/// units equal on both keys form one block that goes whole into the group
/// of the block's cumulative-weight midpoint. Permuting the input permutes
/// the groups with it; no unit's group depends on its position.
pub fn weighted_quantile_groups_by(
    values: &[f64],
    tiebreak: &[f64],
    weights: &[f64],
    k: usize,
) -> Result<WeightedGroups, StatsError> {
    check_len(values.len(), weights.len())?;
    check_len(values.len(), tiebreak.len())?;
    check_finite(values)?;
    check_finite(tiebreak)?;
    let total = check_weights(weights, k)?;
    let key = |i: usize| (values[i], tiebreak[i]);
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values[a]
            .total_cmp(&values[b])
            .then(tiebreak[a].total_cmp(&tiebreak[b]))
            .then(a.cmp(&b))
    });
    let mut group = vec![0; values.len()];
    let mut group_weight = vec![0.0; k];
    let mut group_size = vec![0; k];
    let mut cum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && key(order[end]) == key(order[start]) {
            end += 1;
        }
        let block: f64 = order[start..end].iter().map(|&i| weights[i]).sum();
        let mid = cum + block / 2.0;
        cum += block;
        let g = ((k as f64 * mid / total).floor() as usize + 1).min(k);
        for &i in &order[start..end] {
            group[i] = g;
            group_weight[g - 1] += weights[i];
            group_size[g - 1] += 1;
        }
        start = end;
    }
    Ok(WeightedGroups {
        n: values.len(),
        k,
        group,
        group_weight,
        group_size,
        method: "weighted quantile groups: ascending value, then the declared tie-break key; units tied on both go together, by the midpoint of their block's cumulative weight",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const METHODS: [QuantileMethod; 6] = [
        QuantileMethod::Type4,
        QuantileMethod::Type5,
        QuantileMethod::Type6,
        QuantileMethod::Type7,
        QuantileMethod::Type8,
        QuantileMethod::Type9,
    ];

    proptest! {
        // Selection gives the sorted answer bit for bit, ties and signed
        // zeros included, at every probability and for every method.
        #[test]
        fn selection_is_sorting(
            x in prop::collection::vec(prop_oneof![
                -3i8..4,
                Just(0),
            ], 1..60),
            scale in prop_oneof![Just(1.0f64), Just(-0.5), Just(1e-300)],
            p in 0.0f64..=1.0,
            m in 0usize..6,
        ) {
            let values: Vec<f64> = x.iter().map(|v| f64::from(*v) * scale).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let mut scratch = values.clone();
            for p in [p, 0.0, 1.0, 0.025, 0.975] {
                let want = quantile_sorted(&sorted, p, METHODS[m]);
                let got = quantile_selected(&mut scratch, p, METHODS[m]);
                prop_assert_eq!(got.to_bits(), want.to_bits(), "p {} method {}", p, m);
            }
        }
    }

    #[test]
    fn ties_go_together_whatever_the_order() {
        // Four units at 0 (a third of the weight) with equal tie-break keys,
        // then distinct values: the tied block goes whole to one group.
        let v = [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let t = [1.0; 12];
        let w = [1.0; 12];
        let g = weighted_quantile_groups_by(&v, &t, &w, 5).unwrap();
        // Block midpoint 2 of 12 → group ⌊5·2/12⌋ + 1 = 1.
        assert_eq!(&g.group[..4], &[1, 1, 1, 1]);
        let mut rev_v = v;
        rev_v.reverse();
        let r = weighted_quantile_groups_by(&rev_v, &t, &w, 5).unwrap();
        let mut back = r.group.clone();
        back.reverse();
        assert_eq!(back, g.group);
        // A tie-break key splits the block in its own order.
        let t2 = [4.0, 3.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let g2 = weighted_quantile_groups_by(&v, &t2, &w, 6).unwrap();
        assert_eq!(&g2.group[..4], &[2, 2, 1, 1]);
    }

    #[test]
    fn equal_weights_make_equal_groups() {
        let g = weighted_groups(&[1.0; 20], 10).unwrap();
        assert_eq!(
            g,
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]
        );
        // Total 10: midpoints 0.5, 5 (the heavy unit), 9.5 → groups 1, 3, 5.
        assert_eq!(weighted_groups(&[1.0, 8.0, 1.0], 5).unwrap(), [1, 3, 5]);
        // A zero-weight unit at the very end has its midpoint at T: group k.
        assert_eq!(weighted_groups(&[1.0, 1.0, 0.0], 2).unwrap(), [1, 2, 2]);
    }

    #[test]
    fn bad_inputs() {
        assert!(weighted_groups(&[1.0], 0).is_err());
        assert!(weighted_groups(&[], 5).is_err());
        assert_eq!(
            weighted_groups(&[1.0, -1.0], 2).unwrap_err(),
            StatsError::BadWeight { index: 1 }
        );
        assert!(weighted_groups(&[0.0, 0.0], 2).is_err());
        assert_eq!(
            quantiles(&[1.0, 2.0], &[1.5], QuantileMethod::Type7).unwrap_err(),
            StatsError::Probability(1.5)
        );
        assert!(quantile(&[], 0.5, QuantileMethod::Type7).is_err());
    }

    #[test]
    fn one_value_is_every_quantile() {
        for m in [
            QuantileMethod::Type4,
            QuantileMethod::Type7,
            QuantileMethod::Type9,
        ] {
            assert_eq!(quantiles(&[3.5], &[0.0, 0.3, 1.0], m).unwrap(), [3.5; 3]);
        }
    }
}
