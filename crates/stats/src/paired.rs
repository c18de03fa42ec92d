use crate::{ranks, t_critical, t_p_value, StatsError};

/// Paired comparison of differences dᵢ (a seat minus the mean of its
/// neighbours): mean with a t interval, and the Wilcoxon signed-rank test.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    pub n: usize,
    pub mean: f64,
    pub ci: (f64, f64),
    /// One-sample t test of mean 0.
    pub t: f64,
    pub p_t: f64,
    /// Wilcoxon signed-rank: min(W+, W−) over the non-zero differences.
    pub wilcoxon_statistic: f64,
    /// Two-sided, normal approximation with the tie correction, zeros
    /// dropped, no continuity correction — scipy's `wilcoxon(d,
    /// zero_method="wilcox", correction=False, method="approx")`.
    pub p_wilcoxon: f64,
    pub method: &'static str,
}

pub fn paired(d: &[f64], level: f64) -> Result<Paired, StatsError> {
    let n = d.len();
    if n < 3 {
        return Err(StatsError::TooFew { n, needed: 2 });
    }
    if let Some(i) = d.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite(i));
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    let df = (n - 1) as f64;
    let t = mean / se;
    let h = t_critical(level, df) * se;
    // Wilcoxon over non-zero differences.
    let nz: Vec<f64> = d.iter().copied().filter(|v| *v != 0.0).collect();
    let m = nz.len() as f64;
    let r = ranks(&nz.iter().map(|v| v.abs()).collect::<Vec<_>>());
    let w_plus: f64 = nz
        .iter()
        .zip(&r)
        .filter(|(v, _)| **v > 0.0)
        .map(|(_, r)| r)
        .sum();
    let w_minus = m * (m + 1.0) / 2.0 - w_plus;
    let stat = w_plus.min(w_minus);
    let mut ties = std::collections::HashMap::<u64, f64>::new();
    for rk in &r {
        *ties.entry(rk.to_bits()).or_default() += 1.0;
    }
    let tie_term: f64 = ties.values().map(|t| t * t * t - t).sum();
    let sd = (m * (m + 1.0) * (2.0 * m + 1.0) / 24.0 - tie_term / 48.0).sqrt();
    let z = (stat - m * (m + 1.0) / 4.0) / sd;
    use statrs::distribution::{ContinuousCDF, Normal};
    let p_w = (2.0
        * Normal::new(0.0, 1.0)
            .expect("standard normal")
            .cdf(-z.abs()))
    .min(1.0);
    Ok(Paired {
        n,
        mean,
        ci: (mean - h, mean + h),
        t,
        p_t: t_p_value(t, df),
        wilcoxon_statistic: stat,
        p_wilcoxon: p_w,
        method: "paired differences: t interval; Wilcoxon signed-rank (normal approximation, tie-corrected, zeros dropped)",
    })
}
