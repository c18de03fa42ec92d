//! Paired comparisons of differences dᵢ — typically a seat's value minus
//! the mean of its neighbours' ([`neighbour_differences`](crate::neighbour_differences)).
//!
//! * **Mean difference**: d̄ with the one-sample t interval
//!   d̄ ± t₍₁₊level₎/₂,ₙ₋₁ · s/√n, and the t test of mean 0 (scipy
//!   `ttest_1samp(d, 0)` and its `confidence_interval`).
//! * **Wilcoxon signed-rank test**, two-sided, normal approximation, matching
//!   scipy `wilcoxon(d, zero_method="wilcox", correction=..., method="approx")`:
//!   zero differences are dropped (m non-zero remain); the |dᵢ| are ranked
//!   with average ranks for ties; R⁺ and R⁻ are the rank sums of the
//!   positive and negative differences; the statistic is min(R⁺, R⁻);
//!   z = (R⁺ − m(m+1)/4) / σ with
//!   σ² = [m(m+1)(2m+1) − Σ(t³ − t)/2] / 24 over tie groups of size t;
//!   with the continuity correction z is moved ½/σ towards 0; p = 2Φ(−|z|).
//!   [`paired`] uses no continuity correction; [`wilcoxon`] lets the caller
//!   choose. The exact null distribution is not implemented (stemgap's n are
//!   in the hundreds).

use crate::{check_finite, check_level, ranks, t_critical, t_p_value, z_p_value, StatsError};

/// The Wilcoxon signed-rank test of differences.
#[derive(Debug, Clone, PartialEq)]
pub struct Wilcoxon {
    /// Non-zero differences used.
    pub n: usize,
    /// Zero differences dropped.
    pub zeros: usize,
    /// min(R⁺, R⁻), scipy's two-sided statistic.
    pub statistic: f64,
    pub r_plus: f64,
    pub r_minus: f64,
    /// (R⁺ − E R⁺)/σ, continuity-corrected if `correction`: positive when
    /// the differences lean positive. scipy's two-sided `zstatistic` is
    /// −|z| (it starts from min(R⁺, R⁻)).
    pub z: f64,
    /// Two-sided p-value, normal approximation.
    pub p: f64,
    pub correction: bool,
    pub method: &'static str,
}

/// The Wilcoxon signed-rank test of `d` (see the [module docs](self)), with
/// or without the continuity correction. Errors if a value is not finite or
/// every difference is zero.
pub fn wilcoxon(d: &[f64], correction: bool) -> Result<Wilcoxon, StatsError> {
    check_finite(d)?;
    let nz: Vec<f64> = d.iter().copied().filter(|v| *v != 0.0).collect();
    if nz.is_empty() {
        return Err(StatsError::TooFew { n: 0, needed: 1 });
    }
    let m = nz.len() as f64;
    let abs: Vec<f64> = nz.iter().map(|v| v.abs()).collect();
    let r = ranks(&abs);
    let r_plus: f64 = nz
        .iter()
        .zip(&r)
        .filter(|(v, _)| **v > 0.0)
        .map(|(_, r)| r)
        .sum();
    let r_minus: f64 = nz
        .iter()
        .zip(&r)
        .filter(|(v, _)| **v < 0.0)
        .map(|(_, r)| r)
        .sum();
    // Tie groups among |d|.
    let mut sorted = abs;
    sorted.sort_by(f64::total_cmp);
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let j = i + sorted[i..].iter().take_while(|v| **v == sorted[i]).count();
        let t = (j - i) as f64;
        tie_term += t * t * t - t;
        i = j;
    }
    let se = ((m * (m + 1.0) * (2.0 * m + 1.0) - tie_term / 2.0) / 24.0).sqrt();
    let mut z = (r_plus - m * (m + 1.0) * 0.25) / se;
    if correction {
        let sign = if z > 0.0 {
            1.0
        } else if z < 0.0 {
            -1.0
        } else {
            0.0
        };
        z -= sign * 0.5 / se;
    }
    Ok(Wilcoxon {
        n: nz.len(),
        zeros: d.len() - nz.len(),
        statistic: r_plus.min(r_minus),
        r_plus,
        r_minus,
        z,
        p: z_p_value(z),
        correction,
        method: if correction {
            "Wilcoxon signed-rank, two-sided, normal approximation with tie and continuity corrections, zeros dropped (scipy zero_method='wilcox', correction=True, method='approx')"
        } else {
            "Wilcoxon signed-rank, two-sided, normal approximation with tie correction, zeros dropped (scipy zero_method='wilcox', correction=False, method='approx')"
        },
    })
}

/// Mean paired difference with a t interval, t test, and the Wilcoxon test.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator).
    pub sd: f64,
    /// sd / √n.
    pub se: f64,
    pub df: f64,
    /// t statistic of mean 0.
    pub t: f64,
    /// Two-sided p-value of `t`.
    pub p_t: f64,
    /// t interval of the mean at `level`.
    pub ci: (f64, f64),
    pub level: f64,
    /// Signed-rank test without continuity correction.
    pub wilcoxon: Wilcoxon,
    pub method: &'static str,
}

/// Paired comparison of the differences `d` at confidence `level`. Errors if
/// n < 2, a value is not finite, the differences are all equal (no
/// variance), or all zero.
pub fn paired(d: &[f64], level: f64) -> Result<Paired, StatsError> {
    check_level(level)?;
    let n = d.len();
    if n < 2 {
        return Err(StatsError::TooFew { n, needed: 2 });
    }
    check_finite(d)?;
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    if var == 0.0 {
        return Err(StatsError::Constant);
    }
    let sd = var.sqrt();
    let se = sd / (n as f64).sqrt();
    let df = (n - 1) as f64;
    let t = mean / se;
    let h = t_critical(level, df) * se;
    Ok(Paired {
        n,
        mean,
        sd,
        se,
        df,
        t,
        p_t: t_p_value(t, df),
        ci: (mean - h, mean + h),
        level,
        wilcoxon: wilcoxon(d, false)?,
        method: "paired differences: one-sample t interval and test of mean 0; Wilcoxon signed-rank (see `wilcoxon.method`)",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_signed_ranks() {
        // |d| = 1, 2, 2, 3 (zero dropped): ranks 1, 2.5, 2.5, 4.
        let w = wilcoxon(&[1.0, -2.0, 2.0, 0.0, 3.0], false).unwrap();
        assert_eq!((w.n, w.zeros), (4, 1));
        assert_eq!((w.r_plus, w.r_minus, w.statistic), (7.5, 2.5, 2.5));
        // σ² = (4·5·9 − (8 − 2)/2)/24 = 177/24.
        let z = (7.5 - 5.0) / (177.0f64 / 24.0).sqrt();
        assert!((w.z - z).abs() < 1e-15);
        let wc = wilcoxon(&[1.0, -2.0, 2.0, 0.0, 3.0], true).unwrap();
        assert!((wc.z - (z - 0.5 / (177.0f64 / 24.0).sqrt())).abs() < 1e-15);
        assert!(wc.p > w.p);
    }

    #[test]
    fn bad_inputs() {
        assert!(wilcoxon(&[0.0, 0.0], false).is_err());
        assert_eq!(paired(&[1.0; 5], 0.95).unwrap_err(), StatsError::Constant);
        assert!(paired(&[1.0], 0.95).is_err());
        assert!(paired(&[1.0, 2.0], 1.5).is_err());
    }
}
