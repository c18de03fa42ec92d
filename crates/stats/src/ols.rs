use crate::{t_critical, t_p_value, StatsError};
use nalgebra::{DMatrix, DVector};

/// Which covariance matrix drives standard errors and intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cov {
    /// σ²(X'X)⁻¹.
    Classical,
    /// White's heteroskedasticity-robust estimator.
    HC0,
    /// HC0 × n / (n − k).
    HC1,
    /// Residuals scaled by 1 / (1 − hᵢ).
    HC2,
    /// Residuals scaled by 1 / (1 − hᵢ)² (MacKinnon and White).
    HC3,
}

impl Cov {
    pub const ALL: [Cov; 5] = [Cov::Classical, Cov::HC0, Cov::HC1, Cov::HC2, Cov::HC3];

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

/// A fitted linear model. Coefficient 0 is the intercept.
#[derive(Debug, Clone)]
pub struct Ols {
    pub n: usize,
    /// Number of coefficients, intercept included.
    pub k: usize,
    pub coef: Vec<f64>,
    /// Standard errors under each [`Cov`], in [`Cov::ALL`] order.
    se: [Vec<f64>; 5],
    pub r2: f64,
    pub adj_r2: f64,
    pub df_resid: f64,
    /// `"OLS"` or `"WLS"`.
    pub method: &'static str,
}

impl Ols {
    pub fn se(&self, cov: Cov) -> &[f64] {
        &self.se[Cov::ALL.iter().position(|c| *c == cov).expect("listed")]
    }

    /// t statistic of coefficient `j`.
    pub fn t(&self, j: usize, cov: Cov) -> f64 {
        self.coef[j] / self.se(cov)[j]
    }

    /// Two-sided p-value of coefficient `j` (Student's t, `df_resid`).
    pub fn p_value(&self, j: usize, cov: Cov) -> f64 {
        t_p_value(self.t(j, cov), self.df_resid)
    }

    /// The `level` (e.g. 0.95) confidence interval of coefficient `j`,
    /// t-based with `df_resid` degrees of freedom for every [`Cov`].
    pub fn conf_int(&self, j: usize, cov: Cov, level: f64) -> (f64, f64) {
        let h = t_critical(level, self.df_resid) * self.se(cov)[j];
        (self.coef[j] - h, self.coef[j] + h)
    }
}

fn check(v: &[f64], n: usize) -> Result<(), StatsError> {
    if v.len() != n {
        return Err(StatsError::Length(n, v.len()));
    }
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(StatsError::NotFinite(i)),
        None => Ok(()),
    }
}

/// Least squares of `y` on an intercept and the columns `x`, by Householder
/// QR. With `weights`, weighted least squares: every row is scaled by the
/// square root of its weight and the unweighted formulas are applied to the
/// scaled rows (as statsmodels' WLS does), R² included.
pub fn ols(y: &[f64], x: &[&[f64]], weights: Option<&[f64]>) -> Result<Ols, StatsError> {
    let n = y.len();
    let k = x.len() + 1;
    check(y, n)?;
    for c in x {
        check(c, n)?;
    }
    if n <= k {
        return Err(StatsError::TooFew { n, needed: k });
    }
    let sw: Vec<f64> = match weights {
        Some(w) => {
            check(w, n)?;
            if let Some(i) = w.iter().position(|v| *v <= 0.0) {
                return Err(StatsError::BadWeight(i));
            }
            w.iter().map(|v| v.sqrt()).collect()
        }
        None => vec![1.0; n],
    };
    let xm = DMatrix::from_fn(n, k, |i, j| sw[i] * if j == 0 { 1.0 } else { x[j - 1][i] });
    let yv = DVector::from_fn(n, |i, _| sw[i] * y[i]);
    let qr = xm.clone().qr();
    let (q, r) = (qr.q(), qr.r());
    let scale = r.diagonal().amax().max(f64::MIN_POSITIVE);
    if r.diagonal().iter().any(|d| d.abs() <= 1e-12 * scale) {
        return Err(StatsError::Singular);
    }
    let qty = q.transpose() * &yv;
    let beta = r.solve_upper_triangular(&qty).ok_or(StatsError::Singular)?;
    let rinv = r.clone().try_inverse().ok_or(StatsError::Singular)?;
    let xtx_inv = &rinv * rinv.transpose();
    let resid = &yv - &xm * &beta;
    let df = (n - k) as f64;
    let ssr = resid.norm_squared();
    let sigma2 = ssr / df;
    // Leverage hᵢ = ‖row i of thin Q‖².
    let h: Vec<f64> = (0..n).map(|i| q.row(i).norm_squared()).collect();
    // Centred total sum of squares, of the scaled model as statsmodels does
    // for WLS: the weighted mean is removed.
    let tss = match weights {
        None => {
            let mean = y.iter().sum::<f64>() / n as f64;
            y.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
        }
        Some(w) => {
            let sw_sum: f64 = w.iter().sum();
            let mean = y.iter().zip(w).map(|(v, w)| v * w).sum::<f64>() / sw_sum;
            y.iter()
                .zip(w)
                .map(|(v, w)| w * (v - mean).powi(2))
                .sum::<f64>()
        }
    };
    let r2 = 1.0 - ssr / tss;
    let adj_r2 = 1.0 - (1.0 - r2) * (n as f64 - 1.0) / df;
    let sandwich = |omega: &dyn Fn(usize) -> f64| -> Vec<f64> {
        // (X'X)⁻¹ X' diag(ω) X (X'X)⁻¹
        let mut meat = DMatrix::<f64>::zeros(k, k);
        for i in 0..n {
            let xi = xm.row(i);
            meat += omega(i) * xi.transpose() * xi;
        }
        let v = &xtx_inv * meat * &xtx_inv;
        (0..k).map(|j| v[(j, j)].sqrt()).collect()
    };
    let e2 = |i: usize| resid[i] * resid[i];
    let classical: Vec<f64> = (0..k).map(|j| (sigma2 * xtx_inv[(j, j)]).sqrt()).collect();
    let hc0 = sandwich(&e2);
    let hc1 = hc0.iter().map(|s| s * (n as f64 / df).sqrt()).collect();
    let hc2 = sandwich(&|i| e2(i) / (1.0 - h[i]));
    let hc3 = sandwich(&|i| e2(i) / (1.0 - h[i]).powi(2));
    Ok(Ols {
        n,
        k,
        coef: beta.iter().copied().collect(),
        se: [classical, hc0, hc1, hc2, hc3],
        r2,
        adj_r2,
        df_resid: df,
        method: if weights.is_some() { "WLS" } else { "OLS" },
    })
}

/// How `y` changes when `x` doubles, from the regression of log2 y on
/// log2 x: y is multiplied by 2^b, a change of (2^b − 1) × 100 per cent.
#[derive(Debug, Clone)]
pub struct PerDoubling {
    pub fit: Ols,
    /// Per cent change of y per doubling of x.
    pub pct: f64,
    /// Its confidence interval (the slope's interval, transformed).
    pub ci: (f64, f64),
    /// Indices left out because x or y was not positive.
    pub excluded: Vec<usize>,
    pub cov: Cov,
}

/// Fits log2(y) = a + b·log2(x); pairs where either is not positive are
/// left out and listed. The interval uses `cov` at `level`.
pub fn per_doubling(y: &[f64], x: &[f64], cov: Cov, level: f64) -> Result<PerDoubling, StatsError> {
    if y.len() != x.len() {
        return Err(StatsError::Length(y.len(), x.len()));
    }
    let mut excluded = Vec::new();
    let (mut ly, mut lx) = (Vec::new(), Vec::new());
    for (i, (a, b)) in y.iter().zip(x).enumerate() {
        if *a > 0.0 && *b > 0.0 && a.is_finite() && b.is_finite() {
            ly.push(a.log2());
            lx.push(b.log2());
        } else {
            excluded.push(i);
        }
    }
    let fit = ols(&ly, &[&lx], None)?;
    let pct = |b: f64| (b.exp2() - 1.0) * 100.0;
    let (lo, hi) = fit.conf_int(1, cov, level);
    Ok(PerDoubling {
        pct: pct(fit.coef[1]),
        ci: (pct(lo), pct(hi)),
        fit,
        excluded,
        cov,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_line_and_errors() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0];
        let f = ols(&y, &[&x], None).unwrap();
        assert!((f.coef[0] - 1.0).abs() < 1e-12 && (f.coef[1] - 2.0).abs() < 1e-12);
        assert!((f.r2 - 1.0).abs() < 1e-12);
        assert_eq!(ols(&y, &[&x, &x], None).unwrap_err(), StatsError::Singular);
        assert_eq!(
            ols(&y[..2], &[&x[..2]], None).unwrap_err(),
            StatsError::TooFew { n: 2, needed: 2 }
        );
        assert_eq!(
            ols(&y, &[&x], Some(&[1.0, 0.0, 1.0, 1.0])).unwrap_err(),
            StatsError::BadWeight(1)
        );
    }

    #[test]
    fn per_doubling_reports_exclusions() {
        let x = [1.0, 2.0, 4.0, 8.0, 0.0, 16.0];
        let y = [10.0, 8.1, 6.4, 5.2, 3.0, 4.1];
        let d = per_doubling(&y, &x, Cov::HC3, 0.95).unwrap();
        assert_eq!(d.excluded, [4]);
        assert!(d.pct < 0.0 && d.ci.0 < d.pct && d.pct < d.ci.1);
    }
}
