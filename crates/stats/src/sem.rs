//! The spatial error model fitted by maximum likelihood.
//!
//! y = Xβ + u, u = λWu + ε, ε ~ N(0, σ²I), with W the row-standardised
//! weights of a [`SpatialWeights`]. A column of ones is always added in front
//! of the regressors, so `beta[0]` is the intercept and `beta[j]` belongs to
//! `columns[j - 1]` (as spreg adds its constant).
//!
//! **Estimation** (Anselin 1988; spreg's `ML_Error(method="full")`). For a
//! given λ the filtered variables y* = y − λWy and X* = X − λWX give
//! β(λ) by least squares (Householder QR of X*) and σ²(λ) = e*ᵀe*/n. The
//! concentrated log-likelihood, without constants, is
//! −n/2 · ln σ²(λ) + ln|I − λW|, and ln|I − λW| = Σᵢ ln(1 − λμᵢ) over the
//! eigenvalues μᵢ of W, computed once. λ is searched on (−1, 1), spreg's
//! bounds: a grid of 199 interior points finds the best cell (so a second
//! local maximum cannot capture the search), then the root of the analytic
//! derivative d/dλ = n·e*ᵀ(Wy − WXβ)/e*ᵀe* − Σᵢ μᵢ/(1 − λμᵢ) is bisected
//! to machine precision (golden-section on the likelihood itself if the
//! derivative does not change sign in that cell, e.g. at a bound). The
//! log-likelihood reported includes the constants:
//! −n/2 · ln(2π) − n/2 + the concentrated value at λ̂.
//!
//! **Standard errors** come from the information matrix, as spreg's `vm`:
//! Var β = σ²(X*ᵀX*)⁻¹; for (λ, σ²) the 2 × 2 information
//! [[tr(W_A²) + tr(W_AᵀW_A), tr(W_A)/σ²], [tr(W_A)/σ², n/(2σ⁴)]] with
//! W_A = W(I − λW)⁻¹ (dense inverse), whose inverse's (λ, λ) element is
//! Var λ; the β–λ covariance is zero (block-diagonal information). z = θ/se,
//! two-sided p-values and intervals from the standard normal (spreg reports
//! z, not t).
//!
//! **What W must be.** The eigenvalues of W must be real, which holds when
//! W = D⁻¹A with A symmetric (binary contiguity, or symmetric general
//! weights such as shared border lengths): then W is similar to the
//! symmetric S = D^½ W D^-½, Sᵢⱼ = √(wᵢⱼ wⱼᵢ), whose eigenvalues are found by
//! nalgebra's symmetric eigensolver. This is checked: every link must be
//! reciprocated and the weights must satisfy dᵢwᵢⱼ = dⱼwⱼᵢ for some positive
//! d (to 1e-9); asymmetric weights such as k-nearest-neighbour lists are
//! refused with [`StatsError::Argument`]. Islands (units with no
//! neighbours) are kept as all-zero rows of W (eigenvalue 0; their filtered
//! values equal the raw ones), as libpysal and spreg treat them. The dense
//! n × n matrices make this suitable for n up to a few thousand (the
//! constituencies are 650).
//!
//! Reference: PySAL spreg `ML_Error(y, x, w, method="full")`
//! (`tests/sem_reference.rs`, to 1e-6 — spreg stops its optimiser at
//! λ tolerance 1e-7).

use crate::{
    check_finite, check_len, check_level, z_critical, z_p_value, SpatialWeights, StatsError,
};
use nalgebra::{DMatrix, DVector};

/// A fitted spatial error model.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialError {
    /// Number of units.
    pub n: usize,
    /// Number of coefficients in β, the intercept included (λ excluded).
    pub k: usize,
    /// λ, the spatial autoregressive coefficient of the errors.
    pub lambda: f64,
    /// β: intercept first, then one per regressor column.
    pub beta: Vec<f64>,
    /// σ² = e*ᵀe*/n, the ML variance of the filtered errors.
    pub sigma2: f64,
    /// Standard errors of β (information matrix).
    pub se_beta: Vec<f64>,
    /// Standard error of λ (information matrix).
    pub se_lambda: f64,
    /// z = βⱼ / se.
    pub z_beta: Vec<f64>,
    /// z = λ / se.
    pub z_lambda: f64,
    /// Two-sided standard-normal p-values of `z_beta`.
    pub p_beta: Vec<f64>,
    /// Two-sided standard-normal p-value of `z_lambda`.
    pub p_lambda: f64,
    /// Maximised log-likelihood, constants included (spreg's `logll`).
    pub log_likelihood: f64,
    /// How the model was fitted.
    pub method: &'static str,
}

impl SpatialError {
    /// Normal-based `level` confidence interval for coefficient `j`:
    /// `j < k` is `beta[j]`, `j == k` is λ.
    pub fn ci(&self, j: usize, level: f64) -> Result<(f64, f64), StatsError> {
        check_level(level)?;
        let (est, se) = if j < self.k {
            (self.beta[j], self.se_beta[j])
        } else if j == self.k {
            (self.lambda, self.se_lambda)
        } else {
            return Err(StatsError::Argument(
                "coefficient index beyond k (use k for lambda)",
            ));
        };
        let h = z_critical(level) * se;
        Ok((est - h, est + h))
    }
}

const METHOD: &str =
    "spatial error model, maximum likelihood (log|I - lambda W| from the eigenvalues of W)";

/// Least squares of y* on X* for one λ: (β, e*, QR pieces). `None` when X*
/// is rank-deficient.
struct Filtered {
    beta: DVector<f64>,
    resid: DVector<f64>,
    r: DMatrix<f64>,
}

struct Problem {
    n: usize,
    x: DMatrix<f64>,
    wx: DMatrix<f64>,
    y: DVector<f64>,
    wy: DVector<f64>,
    eig: Vec<f64>,
}

impl Problem {
    fn fit(&self, lambda: f64) -> Option<Filtered> {
        let xs = &self.x - &self.wx * lambda;
        let ys = &self.y - &self.wy * lambda;
        let norms: Vec<f64> = xs.column_iter().map(|c| c.norm()).collect();
        let qr = xs.clone().qr();
        let r = qr.r();
        // As in `ols`: a pivot not clearly above 1e-10 × its column's norm
        // (or NaN) means X* is rank-deficient.
        let singular = norms.iter().enumerate().any(|(j, nj)| {
            r[(j, j)].abs().partial_cmp(&(1e-10 * nj)) != Some(std::cmp::Ordering::Greater)
        });
        if singular {
            return None;
        }
        let qty = qr.q().transpose() * &ys;
        let beta = r.solve_upper_triangular(&qty)?;
        let resid = ys - xs * &beta;
        Some(Filtered { beta, resid, r })
    }

    /// Negative concentrated log-likelihood (no constants): n/2 ln σ² − ln|I − λW|.
    fn neg_conc(&self, lambda: f64) -> f64 {
        let Some(f) = self.fit(lambda) else {
            return f64::INFINITY;
        };
        let sig2 = f.resid.norm_squared() / self.n as f64;
        let logdet: f64 = self.eig.iter().map(|m| (1.0 - lambda * m).ln()).sum();
        0.5 * self.n as f64 * sig2.ln() - logdet
    }

    /// Derivative of `neg_conc`.
    fn d_neg_conc(&self, lambda: f64) -> f64 {
        let Some(f) = self.fit(lambda) else {
            return f64::NAN;
        };
        let lagres = &self.wy - &self.wx * &f.beta;
        let ssr = f.resid.norm_squared();
        let jac: f64 = self.eig.iter().map(|m| m / (1.0 - lambda * m)).sum();
        -(self.n as f64) * f.resid.dot(&lagres) / ssr + jac
    }
}

/// Fits the spatial error model by maximum likelihood. `columns` are the
/// regressors (each of length n, an intercept is added); `w` gives W.
///
/// Errors: lengths differing from `w.n()`, non-finite values, n ≤ k + 1
/// (β and λ need that many units), collinear regressors
/// ([`StatsError::Singular`]), or weights that are not symmetric before
/// row-standardisation ([`StatsError::Argument`], see the module docs).
pub fn spatial_error(
    y: &[f64],
    columns: &[&[f64]],
    w: &SpatialWeights,
) -> Result<SpatialError, StatsError> {
    let n = w.n();
    check_len(n, y.len())?;
    check_finite(y)?;
    for c in columns {
        check_len(n, c.len())?;
        check_finite(c)?;
    }
    let k = columns.len() + 1;
    if n <= k + 1 {
        return Err(StatsError::TooFew { n, needed: k + 2 });
    }
    if w.islands().len() == n {
        return Err(StatsError::Argument(
            "no unit has a neighbour, so the spatial error coefficient is not identified",
        ));
    }
    let wd = dense(w);
    let p = problem(y, columns, w, &wd)?;
    if p.fit(0.0).is_none() {
        return Err(StatsError::Singular);
    }
    let lambda = maximise(&p);
    if !lambda.is_finite() {
        return Err(StatsError::Argument(
            "the spatial error likelihood has no finite maximum on (-1, 1)",
        ));
    }
    let f = p.fit(lambda).ok_or(StatsError::Singular)?;
    let nf = n as f64;
    let sigma2 = f.resid.norm_squared() / nf;
    let log_likelihood =
        -p.neg_conc(lambda) - 0.5 * nf * (2.0 * std::f64::consts::PI).ln() - 0.5 * nf;
    // (X*ᵀX*)⁻¹ = R⁻¹R⁻ᵀ.
    let rinv =
        f.r.solve_upper_triangular(&DMatrix::identity(k, k))
            .ok_or(StatsError::Singular)?;
    let xtx_inv = &rinv * rinv.transpose();
    let se_beta: Vec<f64> = (0..k).map(|j| (sigma2 * xtx_inv[(j, j)]).sqrt()).collect();
    // W_A = W (I − λW)⁻¹.
    let a = DMatrix::identity(n, n) - &wd * lambda;
    let ainv = a.lu().try_inverse().ok_or(StatsError::Argument(
        "I - lambda W is singular at the estimate",
    ))?;
    // W_A = W A⁻¹ row by row over W's sparse rows.
    let mut wa = DMatrix::<f64>::zeros(n, n);
    for i in 0..n {
        for &(j, wij) in w.row(i) {
            for c in 0..n {
                wa[(i, c)] += wij * ainv[(j, c)];
            }
        }
    }
    let tr1 = wa.trace();
    let tr2 = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| wa[(i, j)] * wa[(j, i)])
        .sum::<f64>();
    let tr3 = wa.norm_squared();
    // Inverse of [[tr2 + tr3, tr1/σ²], [tr1/σ², n/(2σ⁴)]], element (λ, λ).
    let s4 = sigma2 * sigma2;
    let i11 = tr2 + tr3;
    let i12 = tr1 / sigma2;
    let i22 = nf / (2.0 * s4);
    let var_lambda = i22 / (i11 * i22 - i12 * i12);
    let se_lambda = var_lambda.sqrt();
    let beta: Vec<f64> = f.beta.iter().copied().collect();
    let z_beta: Vec<f64> = beta.iter().zip(&se_beta).map(|(b, s)| b / s).collect();
    let p_beta = z_beta.iter().map(|&z| z_p_value(z)).collect();
    let z_lambda = lambda / se_lambda;
    let out = SpatialError {
        n,
        k,
        lambda,
        beta,
        sigma2,
        se_beta,
        se_lambda,
        z_beta,
        z_lambda,
        p_beta,
        p_lambda: z_p_value(z_lambda),
        log_likelihood,
        method: METHOD,
    };
    let finite = out.sigma2.is_finite()
        && out.se_lambda.is_finite()
        && out.log_likelihood.is_finite()
        && out.se_beta.iter().all(|s| s.is_finite());
    if !finite {
        return Err(StatsError::Argument(
            "the spatial error fit is degenerate (non-finite variance or likelihood)",
        ));
    }
    Ok(out)
}

fn problem(
    y: &[f64],
    columns: &[&[f64]],
    w: &SpatialWeights,
    wd: &DMatrix<f64>,
) -> Result<Problem, StatsError> {
    let n = w.n();
    let k = columns.len() + 1;
    let x = DMatrix::from_fn(n, k, |i, j| if j == 0 { 1.0 } else { columns[j - 1][i] });
    let mut wx = DMatrix::zeros(n, k);
    for j in 0..k {
        let col: Vec<f64> = x.column(j).iter().copied().collect();
        wx.set_column(j, &DVector::from_vec(w.lag(&col)?));
    }
    Ok(Problem {
        n,
        x,
        wx,
        y: DVector::from_column_slice(y),
        wy: DVector::from_vec(w.lag(y)?),
        eig: eigenvalues(w, wd)?,
    })
}

fn dense(w: &SpatialWeights) -> DMatrix<f64> {
    let n = w.n();
    let mut m = DMatrix::zeros(n, n);
    for i in 0..n {
        for &(j, v) in w.row(i) {
            m[(i, j)] = v;
        }
    }
    m
}

/// Eigenvalues of W through the symmetric S = D^½ W D^-½ (module docs),
/// after checking that such a D exists.
fn eigenvalues(w: &SpatialWeights, wd: &DMatrix<f64>) -> Result<Vec<f64>, StatsError> {
    const ASYM: StatsError = StatsError::Argument(
        "the spatial error model needs weights that are symmetric before row-standardisation \
         (e.g. contiguity: every link reciprocated), so that W's eigenvalues are real",
    );
    let n = w.n();
    // d up to a constant per connected component, by breadth-first search.
    let mut d = vec![0.0; n];
    let mut queue = std::collections::VecDeque::new();
    for root in 0..n {
        if d[root] > 0.0 {
            continue;
        }
        d[root] = 1.0;
        queue.push_back(root);
        while let Some(i) = queue.pop_front() {
            for &(j, wij) in w.row(i) {
                let wji = wd[(j, i)];
                if wji <= 0.0 {
                    return Err(ASYM);
                }
                let dj = d[i] * wij / wji;
                if d[j] == 0.0 {
                    d[j] = dj;
                    queue.push_back(j);
                } else if (d[j] - dj).abs() > 1e-9 * d[j] {
                    return Err(ASYM);
                }
            }
        }
    }
    let s = DMatrix::from_fn(n, n, |i, j| (wd[(i, j)] * wd[(j, i)]).sqrt());
    Ok(s.symmetric_eigenvalues().iter().copied().collect())
}

/// λ̂ on (−1, 1): best of a 199-point grid, then bisection on the
/// derivative (golden section if it does not change sign) inside that cell.
fn maximise(p: &Problem) -> f64 {
    const CELLS: usize = 200;
    const EDGE: f64 = 1e-9;
    let at = |g: usize| -1.0 + 2.0 * g as f64 / CELLS as f64;
    let best = (1..CELLS)
        .map(|g| (g, p.neg_conc(at(g))))
        .filter(|(_, f)| f.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let Some((g, _)) = best else {
        return f64::NAN;
    };
    let mut lo = at(g - 1).max(-1.0 + EDGE);
    let mut hi = at(g + 1).min(1.0 - EDGE);
    let (dlo, dhi) = (p.d_neg_conc(lo), p.d_neg_conc(hi));
    if dlo < 0.0 && dhi > 0.0 {
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            let dm = p.d_neg_conc(mid);
            if dm.is_nan() {
                return f64::NAN;
            }
            if dm > 0.0 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return 0.5 * (lo + hi);
    }
    // Golden section on the likelihood itself (optimum at a bound).
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = hi - r * (hi - lo);
    let mut e = lo + r * (hi - lo);
    let (mut fc, mut fe) = (p.neg_conc(c), p.neg_conc(e));
    while hi - lo > 1e-12 {
        if fc < fe {
            hi = e;
            e = c;
            fe = fc;
            c = hi - r * (hi - lo);
            fc = p.neg_conc(c);
        } else {
            lo = c;
            c = e;
            fc = fe;
            e = lo + r * (hi - lo);
            fe = p.neg_conc(e);
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ols, OlsOptions};

    fn rook(side: usize) -> Vec<Vec<usize>> {
        let mut nb = vec![Vec::new(); side * side];
        for r in 0..side {
            for c in 0..side {
                let i = r * side + c;
                if r > 0 {
                    nb[i].push(i - side);
                }
                if c > 0 {
                    nb[i].push(i - 1);
                }
                if c + 1 < side {
                    nb[i].push(i + 1);
                }
                if r + 1 < side {
                    nb[i].push(i + side);
                }
            }
        }
        nb
    }

    /// Deterministic made-up data: a smooth regressor and wiggly noise.
    fn data(n: usize) -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..n).map(|i| ((i * 7 % 11) as f64) * 0.3).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| 1.0 + 0.5 * x[i] + ((i as f64) * 1.7).sin() + 0.3 * ((i / 5) as f64).cos())
            .collect();
        (x, y)
    }

    #[test]
    fn beta_is_least_squares_on_the_filtered_data_and_the_score_is_zero() {
        let w = SpatialWeights::from_neighbours(&rook(8)).unwrap();
        let (x, y) = data(64);
        let m = spatial_error(&y, &[&x], &w).unwrap();
        let l = m.lambda;
        let wy = w.lag(&y).unwrap();
        let wx = w.lag(&x).unwrap();
        let ones = vec![1.0; 64];
        let w1 = w.lag(&ones).unwrap();
        let ys: Vec<f64> = (0..64).map(|i| y[i] - l * wy[i]).collect();
        let c0: Vec<f64> = (0..64).map(|i| 1.0 - l * w1[i]).collect();
        let c1: Vec<f64> = (0..64).map(|i| x[i] - l * wx[i]).collect();
        let o = ols(&ys, &[&c0, &c1], &OlsOptions::default().intercept(false)).unwrap();
        for j in 0..2 {
            assert!((o.coef[j] - m.beta[j]).abs() < 1e-10, "{j}");
        }
        // σ² = SSR / n.
        let ssr: f64 = (0..64)
            .map(|i| (ys[i] - m.beta[0] * c0[i] - m.beta[1] * c1[i]).powi(2))
            .sum();
        assert!((m.sigma2 - ssr / 64.0).abs() < 1e-12);
        // λ̂ maximises the likelihood: lower either side, zero score.
        let p = problem(&y, &[&x], &w, &dense(&w)).unwrap();
        let nf = 64.0;
        let ll =
            |lam: f64| -p.neg_conc(lam) - 0.5 * nf * (2.0 * std::f64::consts::PI).ln() - 0.5 * nf;
        assert!((ll(l) - m.log_likelihood).abs() < 1e-12);
        assert!(ll(l) > ll(l + 1e-4) && ll(l) > ll(l - 1e-4));
        assert!(p.d_neg_conc(l).abs() < 1e-8, "{}", p.d_neg_conc(l));
        let (lo, hi) = m.ci(m.k, 0.95).unwrap();
        assert!(lo < l && l < hi);
        assert!(m.ci(m.k + 1, 0.95).is_err());
    }

    #[test]
    fn eigenvalue_log_determinant_matches_lu_for_symmetric_general_weights() {
        // A ring of 9 with symmetric, unequal link weights (like shared
        // border lengths) plus a chord and an island: W = D⁻¹A is not
        // symmetric but its eigenvalues are real.
        let n = 10;
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let mut link = |a: usize, b: usize, v: f64| {
            rows[a].push((b, v));
            rows[b].push((a, v));
        };
        for i in 0..9 {
            link(i, (i + 1) % 9, 1.0 + (i as f64) * 0.37);
        }
        link(0, 4, 2.5);
        let w = SpatialWeights::from_weighted(&rows).unwrap();
        let wd = dense(&w);
        let eig = eigenvalues(&w, &wd).unwrap();
        for lam in [-0.9, -0.3, 0.2, 0.75] {
            let by_eig: f64 = eig.iter().map(|m| (1.0 - lam * m).ln()).sum();
            let det = (DMatrix::identity(n, n) - &wd * lam).lu().determinant();
            assert!(
                (by_eig - det.ln()).abs() < 1e-12,
                "{lam}: {by_eig} vs {}",
                det.ln()
            );
        }
        // The same links with unreciprocated weights are refused.
        let mut bad = rows.clone();
        bad[0][0].1 *= 3.0;
        let wb = SpatialWeights::from_weighted(&bad).unwrap();
        assert!(eigenvalues(&wb, &dense(&wb)).is_err());
    }

    #[test]
    fn no_links_at_all_is_refused() {
        // W = 0: λ is not identified (its information is zero).
        let w = SpatialWeights::from_neighbours(&vec![Vec::new(); 30]).unwrap();
        let (x, y) = data(30);
        assert!(matches!(
            spatial_error(&y, &[&x], &w),
            Err(StatsError::Argument(_))
        ));
    }

    #[test]
    fn deterministic_and_refuses_bad_input() {
        let w = SpatialWeights::from_neighbours(&rook(6)).unwrap();
        let (x, y) = data(36);
        let a = spatial_error(&y, &[&x], &w).unwrap();
        let b = spatial_error(&y, &[&x], &w).unwrap();
        assert_eq!(a, b);
        // Asymmetric lists (0 → 1 not reciprocated).
        let asym = SpatialWeights::from_neighbours(&[vec![1], vec![2], vec![0, 1]]).unwrap();
        assert!(matches!(
            spatial_error(&[1.0, 2.0, 4.0], &[], &asym),
            Err(StatsError::Argument(_))
        ));
        // Too few units.
        let tiny = SpatialWeights::from_neighbours(&[vec![1], vec![0], vec![]]).unwrap();
        assert!(matches!(
            spatial_error(&[1.0, 2.0, 3.0], &[&[1.0, 0.0, 2.0]], &tiny),
            Err(StatsError::TooFew { .. })
        ));
        // Collinear regressors.
        let x2: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        assert_eq!(spatial_error(&y, &[&x, &x2], &w), Err(StatsError::Singular));
        // Non-finite.
        let mut yb = y.clone();
        yb[3] = f64::NAN;
        assert_eq!(
            spatial_error(&yb, &[&x], &w),
            Err(StatsError::NotFinite { index: 3 })
        );
    }
}
