//! Ordinary and weighted least squares by Householder QR.
//!
//! The design matrix is given as columns (`&[&[f64]]`, each of length n). By
//! default ([`OlsOptions::intercept`] `= true`) a column of ones is added in
//! front, so `coef[0]` is the intercept and `coef[j]` belongs to
//! `columns[j - 1]`. With `intercept = false` the columns are used as given
//! (the caller may supply their own constant column, or fit through the
//! origin).
//!
//! The fit never forms the normal equations: X = QR (nalgebra's Householder
//! QR), β = R⁻¹Qᵀy. With A = R⁻¹Qᵀ = (XᵀX)⁻¹Xᵀ every covariance needed here is
//! a weighted sum over A's rows:
//!
//! * classical: Var βⱼ = σ̂² Σᵢ Aⱼᵢ², σ̂² = Σeᵢ² / (n − k);
//! * HC0 (White): Σᵢ Aⱼᵢ² eᵢ²;
//! * HC1: HC0 · n / (n − k);
//! * HC2: Σᵢ Aⱼᵢ² eᵢ² / (1 − hᵢ);
//! * HC3 (MacKinnon–White): Σᵢ Aⱼᵢ² eᵢ² / (1 − hᵢ)²;
//!
//! with leverage hᵢ = ‖row i of Q‖². Intervals and p-values use Student's t
//! with n − k degrees of freedom for every covariance (statsmodels'
//! `use_t=True`). A unit with leverage 1 makes HC2/HC3 infinite.
//!
//! **Weights** (WLS): every row of X and y is multiplied by √wᵢ and the
//! formulas above are applied to the scaled rows, as statsmodels' `WLS` does
//! (its robust covariances use the whitened residuals too). Weights must be
//! finite and positive.
//!
//! **R²** follows statsmodels: centred (about the weighted mean of y, for
//! WLS) when the model contains a constant — the added intercept, a constant
//! column, or columns whose span contains the constant — and uncentred
//! (1 − SSR/Σwy²) otherwise. Adjusted R² = 1 − (n − c)/(n − k) · (1 − R²),
//! c = 1 with a constant, 0 without.
//!
//! Reference: statsmodels `OLS`/`WLS` with `cov_type="nonrobust"`, `"HC0"` …
//! `"HC3"` and `use_t=True` (`tests/reference.rs`).

use crate::{check_finite, check_len, check_level, t_critical, t_p_value, StatsError};
use nalgebra::{DMatrix, DVector};

/// Which covariance matrix drives the standard errors, t statistics,
/// p-values and confidence intervals reported in [`Ols::se`] etc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cov {
    /// σ̂²(XᵀX)⁻¹ (homoskedastic errors).
    Classical,
    /// White's heteroskedasticity-consistent estimator.
    HC0,
    /// HC0 × n / (n − k).
    HC1,
    /// Squared residuals scaled by 1 / (1 − hᵢ).
    HC2,
    /// Squared residuals scaled by 1 / (1 − hᵢ)² (MacKinnon and White).
    HC3,
}

impl Cov {
    /// Every covariance, in a fixed order.
    pub const ALL: [Cov; 5] = [Cov::Classical, Cov::HC0, Cov::HC1, Cov::HC2, Cov::HC3];

    /// `"classical"`, `"HC0"`, … `"HC3"` (statsmodels' names, with
    /// `"classical"` for its `"nonrobust"`).
    pub fn name(self) -> &'static str {
        match self {
            Cov::Classical => "classical",
            Cov::HC0 => "HC0",
            Cov::HC1 => "HC1",
            Cov::HC2 => "HC2",
            Cov::HC3 => "HC3",
        }
    }
}

/// How to fit: weights, intercept, and which covariance and level drive the
/// reported intervals. `OlsOptions::default()` is unweighted, adds an
/// intercept, HC3, 95 %.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OlsOptions<'a> {
    /// Positive weights for WLS (`None`: OLS).
    pub weights: Option<&'a [f64]>,
    /// Add a column of ones in front of the given columns (`coef[0]`).
    pub intercept: bool,
    /// The covariance behind [`Ols::se`], [`Ols::t`], [`Ols::p`], [`Ols::ci`].
    pub cov: Cov,
    /// Confidence level of [`Ols::ci`], strictly between 0 and 1.
    pub level: f64,
}

impl Default for OlsOptions<'_> {
    fn default() -> Self {
        OlsOptions {
            weights: None,
            intercept: true,
            cov: Cov::HC3,
            level: 0.95,
        }
    }
}

impl<'a> OlsOptions<'a> {
    /// The same options with weights (WLS).
    pub fn weights(self, weights: &'a [f64]) -> Self {
        OlsOptions {
            weights: Some(weights),
            ..self
        }
    }
    /// The same options with or without an added intercept.
    pub fn intercept(self, intercept: bool) -> Self {
        OlsOptions { intercept, ..self }
    }
    /// The same options with another covariance.
    pub fn cov(self, cov: Cov) -> Self {
        OlsOptions { cov, ..self }
    }
    /// The same options at another confidence level.
    pub fn level(self, level: f64) -> Self {
        OlsOptions { level, ..self }
    }
}

/// Standard errors of every coefficient under every covariance.
#[derive(Debug, Clone, PartialEq)]
pub struct StdErrors {
    pub classical: Vec<f64>,
    pub hc0: Vec<f64>,
    pub hc1: Vec<f64>,
    pub hc2: Vec<f64>,
    pub hc3: Vec<f64>,
}

impl StdErrors {
    /// The standard errors under `cov`.
    pub fn get(&self, cov: Cov) -> &[f64] {
        match cov {
            Cov::Classical => &self.classical,
            Cov::HC0 => &self.hc0,
            Cov::HC1 => &self.hc1,
            Cov::HC2 => &self.hc2,
            Cov::HC3 => &self.hc3,
        }
    }
}

/// A fitted linear model. With an added intercept, `coef[0]` is the
/// intercept and `coef[j]` belongs to column `j − 1`; without, `coef[j]`
/// belongs to column `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ols {
    /// Observations.
    pub n: usize,
    /// Coefficients (intercept included).
    pub k: usize,
    /// Whether a column of ones was added (`coef[0]`).
    pub intercept: bool,
    /// Whether the model contains a constant (added, or in the columns'
    /// span): decides centred vs uncentred R².
    pub has_constant: bool,
    pub coef: Vec<f64>,
    /// Every covariance's standard errors.
    pub std_errors: StdErrors,
    /// The covariance chosen in [`OlsOptions::cov`].
    pub cov: Cov,
    /// The level of [`Ols::ci`].
    pub level: f64,
    /// Standard errors under [`Ols::cov`].
    pub se: Vec<f64>,
    /// t statistics `coef / se`.
    pub t: Vec<f64>,
    /// Two-sided p-values, Student's t with `df_resid` df.
    pub p: Vec<f64>,
    /// t-based confidence intervals at `level` under `cov`.
    pub ci: Vec<(f64, f64)>,
    pub r2: f64,
    pub adj_r2: f64,
    /// n − k.
    pub df_resid: f64,
    /// Residual sum of squares (of the √w-scaled rows for WLS).
    pub ssr: f64,
    /// `"OLS (Householder QR)"` or `"WLS (Householder QR, rows scaled by √w)"`.
    pub method: &'static str,
}

impl Ols {
    /// t statistic of coefficient `j` under `cov`.
    pub fn t_stat(&self, j: usize, cov: Cov) -> f64 {
        self.coef[j] / self.std_errors.get(cov)[j]
    }

    /// Two-sided p-value of coefficient `j` under `cov` (t, `df_resid` df).
    pub fn p_value(&self, j: usize, cov: Cov) -> f64 {
        t_p_value(self.t_stat(j, cov), self.df_resid)
    }

    /// The t-based `level` confidence interval of coefficient `j` under `cov`.
    pub fn conf_int(&self, j: usize, cov: Cov, level: f64) -> Result<(f64, f64), StatsError> {
        check_level(level)?;
        let h = t_critical(level, self.df_resid) * self.std_errors.get(cov)[j];
        Ok((self.coef[j] - h, self.coef[j] + h))
    }
}

/// The least-squares decomposition shared by [`ols`] and
/// [`crate::cluster_robust`]: inputs checked, rows scaled by √w, X = QR,
/// A = R⁻¹Qᵀ = (XᵀX)⁻¹Xᵀ, β and the (scaled) residuals.
pub(crate) struct Fit {
    pub n: usize,
    pub k: usize,
    /// √w per row (1 without weights).
    pub sw: Vec<f64>,
    /// Thin Q (n × k).
    pub q: DMatrix<f64>,
    /// A = R⁻¹Qᵀ (k × n).
    pub a: DMatrix<f64>,
    pub beta: DVector<f64>,
    /// e = √w·y − QQᵀ√w·y.
    pub resid: Vec<f64>,
}

impl Fit {
    /// Errors: lengths differ, a value or weight is not finite, a weight is
    /// not positive, n ≤ k, or the design matrix is (numerically)
    /// rank-deficient (see [`ols`]).
    pub(crate) fn new(
        y: &[f64],
        columns: &[&[f64]],
        options: &OlsOptions,
    ) -> Result<Fit, StatsError> {
        let n = y.len();
        let k = columns.len() + usize::from(options.intercept);
        if k == 0 {
            return Err(StatsError::Argument("no regressors and no intercept"));
        }
        check_finite(y)?;
        for c in columns {
            check_len(n, c.len())?;
            check_finite(c)?;
        }
        if n <= k {
            return Err(StatsError::TooFew { n, needed: k + 1 });
        }
        let sw: Vec<f64> = match options.weights {
            Some(w) => {
                check_len(n, w.len())?;
                if let Some(index) = w.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
                    return Err(StatsError::BadWeight { index });
                }
                w.iter().map(|v| v.sqrt()).collect()
            }
            None => vec![1.0; n],
        };
        let off = usize::from(options.intercept);
        let xm = DMatrix::from_fn(n, k, |i, j| {
            sw[i] * if j < off { 1.0 } else { columns[j - off][i] }
        });
        let yv = DVector::from_fn(n, |i, _| sw[i] * y[i]);
        let col_norms: Vec<f64> = (0..k).map(|j| xm.column(j).norm()).collect();
        let qr = xm.qr();
        let (q, r) = (qr.q(), qr.r());
        for j in 0..k {
            // Also true for NaN: a NaN pivot is no pivot.
            if r[(j, j)].abs().partial_cmp(&(1e-10 * col_norms[j]))
                != Some(std::cmp::Ordering::Greater)
            {
                return Err(StatsError::Singular);
            }
        }
        let a = r
            .solve_upper_triangular(&q.transpose())
            .ok_or(StatsError::Singular)?;
        let qty = q.transpose() * &yv;
        let beta = r.solve_upper_triangular(&qty).ok_or(StatsError::Singular)?;
        // e = y − QQᵀy, the residuals without going back through β.
        let fitted = &q * &qty;
        let resid: Vec<f64> = (0..n).map(|i| yv[i] - fitted[i]).collect();
        Ok(Fit {
            n,
            k,
            sw,
            q,
            a,
            beta,
            resid,
        })
    }
}

/// Fits `y` on `columns` (plus an intercept unless
/// `options.intercept == false`) by Householder QR; see the [module
/// docs](self) for every formula.
///
/// Errors: lengths differ, a value or weight is not finite, a weight is not
/// positive, n ≤ k (no residual degrees of freedom), or the design matrix is
/// (numerically) rank-deficient: a column whose QR diagonal is below 1e-10 of
/// its own norm is taken to lie in the span of the earlier columns.
pub fn ols(y: &[f64], columns: &[&[f64]], options: &OlsOptions) -> Result<Ols, StatsError> {
    check_level(options.level)?;
    let Fit {
        n,
        k,
        sw,
        q,
        a,
        beta,
        resid,
    } = Fit::new(y, columns, options)?;
    let df = (n - k) as f64;
    let ssr: f64 = resid.iter().map(|e| e * e).sum();
    let sigma2 = ssr / df;
    let leverage: Vec<f64> = (0..n).map(|i| q.row(i).norm_squared()).collect();

    // Does the model contain a constant? Yes if √w (the scaled column of
    // ones) lies in the column space: its residual after projection on Q
    // vanishes (statsmodels' explicit and implicit constant checks).
    let has_constant = options.intercept || {
        let swv = DVector::from_column_slice(&sw);
        let proj = &q * (q.transpose() * &swv);
        (&swv - proj).norm() <= 1e-10 * swv.norm()
    };
    let tss = {
        let w = |i: usize| sw[i] * sw[i];
        if has_constant {
            let wsum: f64 = (0..n).map(w).sum();
            let mean = (0..n).map(|i| w(i) * y[i]).sum::<f64>() / wsum;
            (0..n).map(|i| w(i) * (y[i] - mean).powi(2)).sum::<f64>()
        } else {
            (0..n).map(|i| w(i) * y[i] * y[i]).sum::<f64>()
        }
    };
    let r2 = 1.0 - ssr / tss;
    let c = if has_constant { 1.0 } else { 0.0 };
    let adj_r2 = 1.0 - (n as f64 - c) / df * (1.0 - r2);

    let sandwich = |omega: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..k)
            .map(|j| {
                (0..n)
                    .map(|i| a[(j, i)] * a[(j, i)] * omega(i))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    };
    let e2 = |i: usize| resid[i] * resid[i];
    let classical = sandwich(&|_| sigma2);
    let hc0 = sandwich(&e2);
    let hc1 = hc0.iter().map(|s| s * (n as f64 / df).sqrt()).collect();
    let hc2 = sandwich(&|i| e2(i) / (1.0 - leverage[i]));
    let hc3 = sandwich(&|i| e2(i) / (1.0 - leverage[i]).powi(2));
    let std_errors = StdErrors {
        classical,
        hc0,
        hc1,
        hc2,
        hc3,
    };
    let coef: Vec<f64> = beta.iter().copied().collect();
    let se = std_errors.get(options.cov).to_vec();
    let t: Vec<f64> = coef.iter().zip(&se).map(|(b, s)| b / s).collect();
    let p = t.iter().map(|t| t_p_value(*t, df)).collect();
    let crit = t_critical(options.level, df);
    let ci = coef
        .iter()
        .zip(&se)
        .map(|(b, s)| (b - crit * s, b + crit * s))
        .collect();
    Ok(Ols {
        n,
        k,
        intercept: options.intercept,
        has_constant,
        coef,
        std_errors,
        cov: options.cov,
        level: options.level,
        se,
        t,
        p,
        ci,
        r2,
        adj_r2,
        df_resid: df,
        ssr,
        method: if options.weights.is_some() {
            "WLS (Householder QR, rows scaled by √w)"
        } else {
            "OLS (Householder QR)"
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_and_errors() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0];
        let o = OlsOptions::default();
        let f = ols(&y, &[&x], &o).unwrap();
        assert!((f.coef[0] - 1.0).abs() < 1e-12 && (f.coef[1] - 2.0).abs() < 1e-12);
        assert!((f.r2 - 1.0).abs() < 1e-12);
        assert_eq!(ols(&y, &[&x, &x], &o).unwrap_err(), StatsError::Singular);
        let ones = [1.0; 4];
        assert_eq!(ols(&y, &[&ones], &o).unwrap_err(), StatsError::Singular);
        assert_eq!(
            ols(&y[..2], &[&x[..2]], &o).unwrap_err(),
            StatsError::TooFew { n: 2, needed: 3 }
        );
        assert_eq!(
            ols(&y, &[&x], &o.weights(&[1.0, 0.0, 1.0, 1.0])).unwrap_err(),
            StatsError::BadWeight { index: 1 }
        );
        assert_eq!(
            ols(&y, &[&x[..3]], &o).unwrap_err(),
            StatsError::Length {
                expected: 4,
                got: 3
            }
        );
        assert_eq!(
            ols(&[1.0, f64::NAN, 2.0, 3.0], &[&x], &o).unwrap_err(),
            StatsError::NotFinite { index: 1 }
        );
        assert_eq!(
            ols(&y, &[&x], &o.level(1.0)).unwrap_err(),
            StatsError::Level(1.0)
        );
        assert!(ols(&y, &[], &o.intercept(false)).is_err());
    }

    #[test]
    fn chosen_covariance_drives_the_reported_interval() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let y = [1.2, 1.9, 3.4, 3.9, 5.3, 5.8, 7.4];
        let f = ols(&y, &[&x], &OlsOptions::default().cov(Cov::HC1).level(0.9)).unwrap();
        assert_eq!(f.se, f.std_errors.hc1);
        assert_eq!(f.ci[1], f.conf_int(1, Cov::HC1, 0.9).unwrap());
        assert_eq!(f.p[1], f.p_value(1, Cov::HC1));
        assert!(f.ci[1].0 < f.coef[1] && f.coef[1] < f.ci[1].1);
    }
}
