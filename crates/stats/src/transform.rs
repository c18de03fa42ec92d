//! Log transforms that refuse non-positive values, and the log2–log2
//! regression behind "a doubling of x goes with an X % change in y".
//!
//! [`log`] and [`log2`] never produce `-inf` or NaN: a value ≤ 0 is left
//! out, and its index is listed in [`LogTransformed::excluded`] so a caller
//! can report "k seats excluded because the value is ≤ 0". A non-finite
//! input is an error, not an exclusion.
//!
//! [`per_doubling`] fits log2 y = a + b · log2 x by [`ols`](crate::ols()) on
//! the pairs where both x and y are positive. Doubling x multiplies y by
//! 2ᵇ, a change of (2ᵇ − 1) · 100 %; its interval is the slope's t interval
//! (under the chosen covariance) with both endpoints transformed the same way
//! (the transform is increasing, so the interval stays ordered).
//!
//! Reference: numpy `log`/`log2` on the masked data and statsmodels OLS of
//! log2 y on log2 x (`tests/reference.rs`).

use crate::{check_finite, check_len, ols, Cov, Ols, OlsOptions, StatsError};

/// Log-transformed values with the positions that could not be transformed.
#[derive(Debug, Clone, PartialEq)]
pub struct LogTransformed {
    /// Length of the input.
    pub n: usize,
    /// The logs of the positive values, in input order (length `n − excluded.len()`).
    pub values: Vec<f64>,
    /// Input index of each entry of `values`.
    pub kept: Vec<usize>,
    /// Input indices whose value was ≤ 0, ascending.
    pub excluded: Vec<usize>,
    /// `"natural log"` or `"log2"`.
    pub method: &'static str,
}

impl LogTransformed {
    /// How many values were excluded for being ≤ 0.
    pub fn n_excluded(&self) -> usize {
        self.excluded.len()
    }
}

fn transform(
    x: &[f64],
    f: fn(f64) -> f64,
    method: &'static str,
) -> Result<LogTransformed, StatsError> {
    check_finite(x)?;
    let mut out = LogTransformed {
        n: x.len(),
        values: Vec::with_capacity(x.len()),
        kept: Vec::with_capacity(x.len()),
        excluded: Vec::new(),
        method,
    };
    for (i, v) in x.iter().enumerate() {
        if *v > 0.0 {
            out.values.push(f(*v));
            out.kept.push(i);
        } else {
            out.excluded.push(i);
        }
    }
    Ok(out)
}

/// Natural log of every positive value; values ≤ 0 are excluded and listed.
/// Errors if a value is not finite.
pub fn log(x: &[f64]) -> Result<LogTransformed, StatsError> {
    transform(x, f64::ln, "natural log")
}

/// Base-2 log of every positive value; values ≤ 0 are excluded and listed.
/// Errors if a value is not finite.
pub fn log2(x: &[f64]) -> Result<LogTransformed, StatsError> {
    transform(x, f64::log2, "log2")
}

/// The per-doubling effect of x on y from the log2–log2 regression.
#[derive(Debug, Clone, PartialEq)]
pub struct PerDoubling {
    /// Pairs used (both values positive).
    pub n: usize,
    /// Input indices left out because x or y (or both) was ≤ 0, ascending.
    pub excluded: Vec<usize>,
    /// The regression of log2 y on log2 x (coefficient 1 is the slope).
    pub fit: Ols,
    /// The slope b.
    pub slope: f64,
    /// The slope's t interval under `cov` at `level`.
    pub slope_ci: (f64, f64),
    /// (2ᵇ − 1) · 100: the per cent change of y per doubling of x.
    pub pct: f64,
    /// `slope_ci` transformed the same way.
    pub ci: (f64, f64),
    pub level: f64,
    pub cov: Cov,
    pub method: &'static str,
}

impl PerDoubling {
    /// How many pairs were excluded for a value ≤ 0.
    pub fn n_excluded(&self) -> usize {
        self.excluded.len()
    }
}

/// Regresses log2 `y` on log2 `x` (with an intercept, whatever
/// `options.intercept` says) and reports the per cent change of y per
/// doubling of x with its interval under `options.cov` at `options.level`.
/// Weights, if given, are matched to the pairs kept.
///
/// Errors: lengths differ, a value is not finite, or the regression fails
/// (e.g. fewer than 3 positive pairs, or all kept x equal).
pub fn per_doubling(y: &[f64], x: &[f64], options: &OlsOptions) -> Result<PerDoubling, StatsError> {
    check_len(y.len(), x.len())?;
    if let Some(w) = options.weights {
        check_len(y.len(), w.len())?;
    }
    let ly = log2(y)?;
    let lx = log2(x)?;
    let keep: Vec<bool> = {
        let mut k = vec![true; y.len()];
        for &i in ly.excluded.iter().chain(&lx.excluded) {
            k[i] = false;
        }
        k
    };
    let pick = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| *v)
            .collect()
    };
    let yy: Vec<f64> = pick(y).iter().map(|v| v.log2()).collect();
    let xx: Vec<f64> = pick(x).iter().map(|v| v.log2()).collect();
    let ww = options.weights.map(pick);
    let fit = ols(
        &yy,
        &[&xx],
        &OlsOptions {
            weights: ww.as_deref(),
            intercept: true,
            ..*options
        },
    )?;
    let pct = |b: f64| (b.exp2() - 1.0) * 100.0;
    let slope_ci = fit.ci[1];
    Ok(PerDoubling {
        n: fit.n,
        excluded: (0..y.len()).filter(|&i| !keep[i]).collect(),
        slope: fit.coef[1],
        slope_ci,
        pct: pct(fit.coef[1]),
        ci: (pct(slope_ci.0), pct(slope_ci.1)),
        level: options.level,
        cov: options.cov,
        fit,
        method: "OLS of log2 y on log2 x; per-doubling change (2^b - 1)*100 %, interval from the slope's t interval",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_exclude_non_positive_values() {
        let t = log2(&[4.0, 0.0, 1.0, -2.0, 0.5]).unwrap();
        assert_eq!(t.values, [2.0, 0.0, -1.0]);
        assert_eq!(t.kept, [0, 2, 4]);
        assert_eq!(t.excluded, [1, 3]);
        assert_eq!((t.n, t.n_excluded()), (5, 2));
        assert_eq!(
            log(&[1.0, f64::INFINITY]).unwrap_err(),
            StatsError::NotFinite { index: 1 }
        );
        assert_eq!(log(&[1.0]).unwrap().values, [0.0]);
    }

    #[test]
    fn exact_power_law() {
        // y = 5 x^-0.5: each doubling multiplies y by 2^-0.5.
        let x = [1.0, 2.0, 4.0, 8.0, 0.0, 16.0, 32.0];
        // The pair with x = 0 has a finite y and is excluded for its x.
        let y: Vec<f64> = x
            .iter()
            .map(|v: &f64| if *v > 0.0 { 5.0 * v.powf(-0.5) } else { 3.0 })
            .collect();
        let d = per_doubling(&y, &x, &OlsOptions::default()).unwrap();
        assert_eq!(d.excluded, [4]);
        assert_eq!(d.n, 6);
        assert!((d.slope + 0.5).abs() < 1e-12);
        assert!((d.pct - (2f64.powf(-0.5) - 1.0) * 100.0).abs() < 1e-9);
        assert!(d.ci.0 <= d.pct && d.pct <= d.ci.1);
    }
}
