//! Invariants that hold for any data.

use proptest::prelude::*;
use stemgap_stats::{
    ols, pearson, quantiles, spearman, weighted_quantile_groups, Cov, OlsOptions, QuantileMethod,
};

fn data() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (8usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec(-100.0f64..100.0, n),
            proptest::collection::vec(-100.0f64..100.0, n),
        )
    })
}

fn fit(y: &[f64], x: &[f64]) -> Option<stemgap_stats::Ols> {
    ols(y, &[x], &OlsOptions::default()).ok()
}

proptest! {
    #[test]
    fn scaling_y_scales_the_coefficients((x, y) in data(), c in 0.1f64..50.0) {
        let Some(a) = fit(&y, &x) else { return Ok(()) };
        let yc: Vec<f64> = y.iter().map(|v| v * c).collect();
        let b = fit(&yc, &x).unwrap();
        for j in 0..2 {
            prop_assert!((b.coef[j] - c * a.coef[j]).abs() <= 1e-8 * (1.0 + (c * a.coef[j]).abs()));
            let (sa, sb) = (a.std_errors.get(Cov::HC3)[j], b.std_errors.get(Cov::HC3)[j]);
            prop_assert!((sb - c * sa).abs() <= 1e-8 * (1.0 + c * sa));
        }
    }

    #[test]
    fn shifting_y_moves_only_the_intercept((x, y) in data(), s in -1000.0f64..1000.0) {
        let Some(a) = fit(&y, &x) else { return Ok(()) };
        let ys: Vec<f64> = y.iter().map(|v| v + s).collect();
        let b = fit(&ys, &x).unwrap();
        prop_assert!((b.coef[0] - a.coef[0] - s).abs() <= 1e-7 * (1.0 + s.abs()));
        prop_assert!((b.coef[1] - a.coef[1]).abs() <= 1e-8 * (1.0 + a.coef[1].abs()));
    }

    #[test]
    fn row_order_does_not_matter((x, y) in data()) {
        let Some(a) = fit(&y, &x) else { return Ok(()) };
        let (xr, yr): (Vec<f64>, Vec<f64>) = x.iter().rev().zip(y.iter().rev()).map(|(a, b)| (*a, *b)).unzip();
        let b = fit(&yr, &xr).unwrap();
        for cov in Cov::ALL {
            let (sa, sb) = (a.std_errors.get(cov)[1], b.std_errors.get(cov)[1]);
            prop_assert!((sa - sb).abs() <= 1e-8 * (1.0 + sa));
        }
    }

    #[test]
    fn correlations_are_bounded_and_symmetric((x, y) in data()) {
        if let (Ok(a), Ok(b)) = (pearson(&x, &y, 0.95), pearson(&y, &x, 0.95)) {
            prop_assert!((-1.0..=1.0).contains(&a.estimate));
            prop_assert!((a.estimate - b.estimate).abs() < 1e-12);
            prop_assert!(a.ci.0 <= a.estimate && a.estimate <= a.ci.1);
        }
        if let Ok(s) = spearman(&x, &y, 0.95) {
            prop_assert!((-1.0..=1.0).contains(&s.estimate));
        }
    }

    #[test]
    fn quantiles_are_monotone_and_within_range((x, _) in data(), mut p in proptest::collection::vec(0.0f64..=1.0, 1..12)) {
        p.sort_by(f64::total_cmp);
        let (lo, hi) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
        for m in [QuantileMethod::Type4, QuantileMethod::Type5, QuantileMethod::Type6, QuantileMethod::Type7, QuantileMethod::Type8, QuantileMethod::Type9] {
            let q = quantiles(&x, &p, m).unwrap();
            prop_assert!(q.windows(2).all(|w| w[0] <= w[1]), "{:?} not monotone: {:?}", m, q);
            prop_assert!(q.iter().all(|v| (lo..=hi).contains(v)));
        }
    }

    #[test]
    fn weighted_groups_are_ordered_and_balanced(
        (v, w) in (5usize..80).prop_flat_map(|n| (
            proptest::collection::vec(-50.0f64..50.0, n),
            proptest::collection::vec(1.0f64..100.0, n),
        )),
        k in 1usize..11,
    ) {
        let g = weighted_quantile_groups(&v, &w, k).unwrap();
        // A higher value never lands in a lower group.
        for i in 0..v.len() {
            for j in 0..v.len() {
                if v[i] < v[j] {
                    prop_assert!(g.group[i] <= g.group[j]);
                }
            }
        }
        // Each group's weight is within one unit's weight of a k-th share.
        let total: f64 = w.iter().sum();
        let biggest = w.iter().cloned().fold(0.0, f64::max);
        for gw in &g.group_weight {
            prop_assert!((gw - total / k as f64).abs() <= biggest + 1e-9);
        }
    }
}
