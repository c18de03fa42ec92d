//! Pearson and Spearman correlations with Fisher-z confidence intervals.
//!
//! * **Pearson's r**: Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²).
//! * **Spearman's ρ**: Pearson's r of the ranks, ties given their average
//!   rank ([`ranks`], scipy's `rankdata(method="average")`).
//! * **p-value** (both): two-sided, t = r·√((n − 2)/(1 − r²)) on n − 2 df.
//!   For Pearson this is exactly scipy's `pearsonr` p (its beta distribution
//!   is the same law); for Spearman it is scipy's `spearmanr` p.
//! * **Interval** (both): the Fisher z interval
//!   tanh(atanh r ± z₍₁₊level₎/₂ / √(n − 3)). For Spearman this is the same
//!   formula with SE 1/√(n − 3) applied to ρ — an approximation (Fieller et
//!   al. suggest a larger SE); the method name says so.
//!
//! Reference: scipy `pearsonr`, `spearmanr`, `rankdata`, and the interval
//! with scipy's normal quantile.

use crate::{check_finite, check_len, check_level, t_p_value, z_critical, StatsError};

/// A correlation with its p-value and Fisher-z interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    pub n: usize,
    /// r (Pearson) or ρ (Spearman).
    pub estimate: f64,
    /// Two-sided p-value from t = r·√((n−2)/(1−r²)) with n − 2 df.
    pub p: f64,
    /// tanh(atanh r ± z / √(n − 3)).
    pub ci: (f64, f64),
    pub level: f64,
    /// `"pearson"` or `"spearman (average ranks for ties)"`.
    pub method: &'static str,
    /// `"Fisher z, SE 1/sqrt(n-3)"`.
    pub ci_method: &'static str,
}

fn pearson_raw(x: &[f64], y: &[f64]) -> Result<f64, StatsError> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(StatsError::Constant);
    }
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

fn check(x: &[f64], y: &[f64], level: f64) -> Result<(), StatsError> {
    check_len(x.len(), y.len())?;
    check_level(level)?;
    if x.len() < 4 {
        return Err(StatsError::TooFew {
            n: x.len(),
            needed: 4,
        });
    }
    check_finite(x)?;
    check_finite(y)
}

fn with_interval(r: f64, n: usize, level: f64, method: &'static str) -> Correlation {
    let df = n as f64 - 2.0;
    let half = z_critical(level) / (n as f64 - 3.0).sqrt();
    let p = if r.abs() >= 1.0 {
        0.0
    } else {
        t_p_value(r * (df / ((1.0 - r) * (1.0 + r))).sqrt(), df)
    };
    Correlation {
        n,
        estimate: r,
        p,
        ci: ((r.atanh() - half).tanh(), (r.atanh() + half).tanh()),
        level,
        method,
        ci_method: "Fisher z, SE 1/sqrt(n-3)",
    }
}

/// Pearson's r of `x` and `y` with a Fisher-z interval at `level`.
/// Errors: lengths differ, n < 4, a value is not finite, or a variable is
/// constant.
pub fn pearson(x: &[f64], y: &[f64], level: f64) -> Result<Correlation, StatsError> {
    check(x, y, level)?;
    Ok(with_interval(pearson_raw(x, y)?, x.len(), level, "pearson"))
}

/// Pearson's r from the sums of a sample: its size `n` and the sums of x,
/// y, x², y² and xy (`None` when a variable is constant: its sum of squared
/// deviations is not above 1e-12 of its sum of squares). For the sums of a
/// bootstrap resample (see [`sums_bootstrap`](crate::sums_bootstrap)),
/// accumulate values centred at their full-sample means: the resample's
/// means are then near zero and the one-pass deviations lose no precision
/// (agrees with [`pearson`] on the gathered values to about 1e-15).
pub fn pearson_from_sums(n: f64, sx: f64, sy: f64, sxx: f64, syy: f64, sxy: f64) -> Option<f64> {
    let vx = sxx - sx * sx / n;
    let vy = syy - sy * sy / n;
    if vx <= 1e-12 * sxx || vy <= 1e-12 * syy {
        return None;
    }
    let cxy = sxy - sx * sy / n;
    Some((cxy / (vx.sqrt() * vy.sqrt())).clamp(-1.0, 1.0))
}

/// Ranks 1..=n, ties given their average rank (scipy's `rankdata`).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut out = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            out[k] = avg;
        }
        i = j + 1;
    }
    out
}

/// Spearman's ρ (Pearson's r of average ranks) with the Fisher-z interval
/// (SE 1/√(n − 3)) at `level` and scipy's t-based p-value. Errors as
/// [`pearson`].
pub fn spearman(x: &[f64], y: &[f64], level: f64) -> Result<Correlation, StatsError> {
    check(x, y, level)?;
    let r = pearson_raw(&ranks(x), &ranks(y))?;
    Ok(with_interval(
        r,
        x.len(),
        level,
        "spearman (average ranks for ties)",
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pearson_from_centred_sums_is_pearson_on_the_gathered_values() {
        let x: Vec<f64> = (0..40)
            .map(|i| (i as f64 * 0.731).sin() * 3.0 + 0.1 * i as f64 + 1e4)
            .collect();
        let y: Vec<f64> = (0..40)
            .map(|i| (i as f64 * 1.37).cos() + 0.05 * i as f64)
            .collect();
        let (mx, my) = (x.iter().sum::<f64>() / 40.0, y.iter().sum::<f64>() / 40.0);
        let sums = |idx: &[usize]| {
            let mut s = [0.0; 6];
            for &i in idx {
                let (a, b) = (x[i] - mx, y[i] - my);
                s[0] += 1.0;
                s[1] += a;
                s[2] += b;
                s[3] += a * a;
                s[4] += b * b;
                s[5] += a * b;
            }
            pearson_from_sums(s[0], s[1], s[2], s[3], s[4], s[5])
        };
        for idx in [
            (0..40).collect::<Vec<usize>>(),
            vec![3, 3, 7, 1, 39, 0, 12, 12, 12, 25],
            vec![5, 9, 2, 30],
        ] {
            let gx: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
            let gy: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
            let full = pearson(&gx, &gy, 0.95).unwrap().estimate;
            let r = sums(&idx).unwrap();
            assert!((r - full).abs() < 1e-13, "{r} vs {full}");
        }
        // A constant resample has no correlation.
        assert_eq!(sums(&[4, 4, 4, 4]), None);
    }

    use super::*;

    #[test]
    fn perfect_and_degenerate() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.0, 4.0, 6.0, 8.0, 10.0];
        let p = pearson(&x, &y, 0.95).unwrap();
        // Exact up to rounding in the sums of squares.
        assert!((p.estimate - 1.0).abs() < 1e-12 && p.p < 1e-12);
        assert!(p.ci.0 > 1.0 - 1e-12 && p.ci.1 <= 1.0);
        let s = spearman(&x, &[5.0, 4.0, 3.0, 2.0, 1.0], 0.95).unwrap();
        assert!((s.estimate + 1.0).abs() < 1e-12);
        assert_eq!(
            pearson(&x, &[1.0; 5], 0.95).unwrap_err(),
            StatsError::Constant
        );
        assert_eq!(
            pearson(&x, &[1.0, 2.0, f64::NAN, 3.0, 4.0], 0.95).unwrap_err(),
            StatsError::NotFinite { index: 2 }
        );
        assert!(pearson(&x[..3], &y[..3], 0.95).is_err());
    }

    #[test]
    fn average_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }
}
