use crate::StatsError;

/// The unweighted quantile definition stemgap uses: Hyndman and Fan's type 7
/// (R's default, numpy's `method="linear"`): h = (n − 1)p, interpolating
/// between the order statistics around h.
pub const QUANTILE_DEFINITION: &str =
    "Hyndman-Fan type 7 (linear interpolation, R and numpy default)";

/// Type-7 quantiles of `x` at each probability in `probs` (0..=1).
pub fn quantiles(x: &[f64], probs: &[f64]) -> Result<Vec<f64>, StatsError> {
    if x.is_empty() {
        return Err(StatsError::TooFew { n: 0, needed: 0 });
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite(i));
    }
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    Ok(probs
        .iter()
        .map(|p| {
            let h = (s.len() - 1) as f64 * p.clamp(0.0, 1.0);
            let (lo, frac) = (h.floor() as usize, h - h.floor());
            let hi = (lo + 1).min(s.len() - 1);
            s[lo] + frac * (s[hi] - s[lo])
        })
        .collect())
}

/// Assigns units, already in order (most deprived first, say), to `k`
/// groups holding equal shares of the total weight: a unit goes to the group
/// containing the midpoint of its weight in the cumulative sum, group
/// ⌊k · midpoint / total⌋ + 1, so groups are 1..=k and never skip backwards.
pub fn weighted_groups(weights: &[f64], k: usize) -> Result<Vec<usize>, StatsError> {
    if let Some(i) = weights.iter().position(|w| !w.is_finite() || *w < 0.0) {
        return Err(StatsError::BadWeight(i));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 || k == 0 {
        return Err(StatsError::TooFew {
            n: weights.len(),
            needed: 0,
        });
    }
    let mut before = 0.0;
    Ok(weights
        .iter()
        .map(|w| {
            let mid = before + w / 2.0;
            before += w;
            ((k as f64 * mid / total).floor() as usize + 1).clamp(1, k)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_weights_make_equal_groups() {
        let g = weighted_groups(&[1.0; 20], 10).unwrap();
        assert_eq!(
            g,
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]
        );
        // Total 10: midpoints 0.5, 5 (the heavy unit), 9.5 → groups 1, 3, 5.
        assert_eq!(weighted_groups(&[1.0, 8.0, 1.0], 5).unwrap(), [1, 3, 5]);
    }

    proptest! {
        #[test]
        fn groups_are_monotone_and_in_range(w in proptest::collection::vec(0.1f64..100.0, 1..200), k in 1usize..12) {
            let g = weighted_groups(&w, k).unwrap();
            prop_assert!(g.windows(2).all(|p| p[0] <= p[1]));
            prop_assert!(g.iter().all(|&x| (1..=k).contains(&x)));
            if k == 1 { prop_assert!(g.iter().all(|&x| x == 1)); }
        }

        #[test]
        fn quantiles_are_monotone(x in proptest::collection::vec(-1e3f64..1e3, 1..100)) {
            let q = quantiles(&x, &[0.0, 0.2, 0.5, 0.8, 1.0]).unwrap();
            prop_assert!(q.windows(2).all(|p| p[0] <= p[1]));
        }
    }
}
