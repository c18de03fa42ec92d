//! Comparing an area's figure with a benchmark (its nation's value) the way
//! OHID's Fingertips profiles do (and `PHEindicatormethods`, the package
//! behind them): the area's confidence interval is set against the
//! benchmark's value, not against the benchmark's own interval.
//!
//! * the benchmark lies inside the interval (ends included) → **similar**;
//! * the whole interval lies above the benchmark → **higher**;
//! * the whole interval lies below it → **lower**.
//!
//! Fingertips shows the test at 95% and, for some profiles, at 99.8%
//! (about three standard errors). A published survey interval is usually
//! only given at 95%; when it is a normal-theory interval (value ± z·se,
//! symmetric about the value) [`rescale`] turns it into another level by
//! scaling the half-width by z₂/z₁. An asymmetric interval (one widened by
//! bounds for suppressed counts, say) is not normal-theory and is not
//! rescaled.
//!
//! Fingertips builds its intervals from counts (Wilson score intervals for
//! proportions, Byar's method for counts and rates); this module takes the
//! interval as given, so the caller decides whether the interval it has is
//! a sampling interval at all. Bounds that cover suppressed cells or
//! rounding are not: no test applies to them.

/// Two-sided 95% normal critical value, Φ⁻¹(0.975).
pub const Z95: f64 = 1.959_963_984_540_054;
/// Two-sided 99.8% normal critical value, Φ⁻¹(0.999).
pub const Z998: f64 = 3.090_232_306_167_813_5;

/// Where an interval lies against a benchmark value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// The whole interval is above the benchmark.
    Higher,
    /// The benchmark lies inside the interval (ends included).
    Similar,
    /// The whole interval is below the benchmark.
    Lower,
}

impl Comparison {
    pub fn id(self) -> &'static str {
        match self {
            Comparison::Higher => "higher",
            Comparison::Similar => "similar",
            Comparison::Lower => "lower",
        }
    }
}

/// Compares the interval `[lower, upper]` with `benchmark`; `None` when an
/// input is not finite or `lower > upper`.
pub fn compare(lower: f64, upper: f64, benchmark: f64) -> Option<Comparison> {
    if !(lower.is_finite() && upper.is_finite() && benchmark.is_finite()) || lower > upper {
        return None;
    }
    Some(if lower > benchmark {
        Comparison::Higher
    } else if upper < benchmark {
        Comparison::Lower
    } else {
        Comparison::Similar
    })
}

/// Is `[lower, upper]` symmetric about `value` to within `tol` of its
/// half-width (a normal-theory interval value ± z·se)?
pub fn is_symmetric(value: f64, lower: f64, upper: f64, tol: f64) -> bool {
    let (a, b) = (value - lower, upper - value);
    a >= 0.0 && b >= 0.0 && (a - b).abs() <= tol * a.max(b).max(f64::MIN_POSITIVE)
}

/// A normal-theory interval at critical value `from` (e.g. [`Z95`]) carried
/// to critical value `to` (e.g. [`Z998`]): value ± (half-width · to/from).
/// `None` unless the interval is symmetric about the value (relative
/// tolerance 1e-6, see [`is_symmetric`]) and the critical values positive.
pub fn rescale(value: f64, lower: f64, upper: f64, from: f64, to: f64) -> Option<(f64, f64)> {
    if !(from > 0.0 && to > 0.0 && is_symmetric(value, lower, upper, 1e-6)) {
        return None;
    }
    let half = (upper - lower) / 2.0 * to / from;
    Some((value - half, value + half))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_benchmark_inside_the_interval_is_similar_ends_included() {
        assert_eq!(compare(0.10, 0.20, 0.15), Some(Comparison::Similar));
        assert_eq!(compare(0.10, 0.20, 0.10), Some(Comparison::Similar));
        assert_eq!(compare(0.10, 0.20, 0.20), Some(Comparison::Similar));
        assert_eq!(compare(0.10, 0.20, 0.0999), Some(Comparison::Higher));
        assert_eq!(compare(0.10, 0.20, 0.2001), Some(Comparison::Lower));
        assert_eq!(compare(0.2, 0.1, 0.15), None);
        assert_eq!(compare(f64::NAN, 0.1, 0.15), None);
    }

    #[test]
    fn critical_values_are_the_normal_quantiles() {
        use statrs::distribution::{ContinuousCDF, Normal};
        let n = Normal::new(0.0, 1.0).unwrap();
        assert!((n.inverse_cdf(0.975) - Z95).abs() < 1e-12);
        assert!((n.inverse_cdf(0.999) - Z998).abs() < 1e-9);
    }

    #[test]
    fn a_95_interval_rescaled_to_99_8_by_hand() {
        // A share of 0.12 with a 95% half-width of 0.02: se = 0.02 / 1.959964
        // = 0.010204269; at 99.8% the half-width is 3.090232 × se =
        // 0.031533562, so the interval is 0.088466438 to 0.151533562.
        let (lo, hi) = rescale(0.12, 0.10, 0.14, Z95, Z998).unwrap();
        assert!((lo - 0.088_466_438).abs() < 1e-8, "{lo}");
        assert!((hi - 0.151_533_562).abs() < 1e-8, "{hi}");
        // A benchmark of 0.095 is outside the 95% interval (higher) but
        // inside the 99.8% one (similar).
        assert_eq!(compare(0.10, 0.14, 0.095), Some(Comparison::Higher));
        assert_eq!(compare(lo, hi, 0.095), Some(Comparison::Similar));
    }

    #[test]
    fn asymmetric_intervals_are_not_rescaled() {
        assert!(rescale(0.12, 0.05, 0.14, Z95, Z998).is_none());
        assert!(rescale(0.12, 0.13, 0.14, Z95, Z998).is_none());
        assert!(is_symmetric(0.12, 0.10, 0.14, 1e-6));
        assert!(!is_symmetric(0.12, 0.10, 0.1401, 1e-6));
        // A point interval is symmetric and rescales to itself.
        assert_eq!(rescale(0.3, 0.3, 0.3, Z95, Z998), Some((0.3, 0.3)));
    }
}
