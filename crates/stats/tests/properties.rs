//! Invariants that hold for any data.

use proptest::prelude::*;
use stemgap_stats::{ols, pearson, spearman, Cov};

fn data() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (8usize..40).prop_flat_map(|n| {
        (
            proptest::collection::vec(-100.0f64..100.0, n),
            proptest::collection::vec(-100.0f64..100.0, n),
        )
    })
}

proptest! {
    #[test]
    fn scaling_y_scales_the_coefficients((x, y) in data(), c in 0.1f64..50.0) {
        let Ok(a) = ols(&y, &[&x], None) else { return Ok(()) };
        let yc: Vec<f64> = y.iter().map(|v| v * c).collect();
        let b = ols(&yc, &[&x], None).unwrap();
        for j in 0..2 {
            prop_assert!((b.coef[j] - c * a.coef[j]).abs() <= 1e-8 * (1.0 + (c * a.coef[j]).abs()));
            prop_assert!((b.se(Cov::HC3)[j] - c * a.se(Cov::HC3)[j]).abs() <= 1e-8 * (1.0 + c * a.se(Cov::HC3)[j]));
        }
    }

    #[test]
    fn shifting_y_moves_only_the_intercept((x, y) in data(), s in -1000.0f64..1000.0) {
        let Ok(a) = ols(&y, &[&x], None) else { return Ok(()) };
        let ys: Vec<f64> = y.iter().map(|v| v + s).collect();
        let b = ols(&ys, &[&x], None).unwrap();
        prop_assert!((b.coef[0] - a.coef[0] - s).abs() <= 1e-7 * (1.0 + s.abs()));
        prop_assert!((b.coef[1] - a.coef[1]).abs() <= 1e-8 * (1.0 + a.coef[1].abs()));
    }

    #[test]
    fn row_order_does_not_matter((x, y) in data()) {
        let Ok(a) = ols(&y, &[&x], None) else { return Ok(()) };
        let (xr, yr): (Vec<f64>, Vec<f64>) = x.iter().rev().zip(y.iter().rev()).map(|(a, b)| (*a, *b)).unzip();
        let b = ols(&yr, &[&xr], None).unwrap();
        for cov in Cov::ALL {
            prop_assert!((a.se(cov)[1] - b.se(cov)[1]).abs() <= 1e-8 * (1.0 + a.se(cov)[1]));
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
}
