use crate::{t_p_value, StatsError};

/// A correlation with its Fisher-z interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    pub n: usize,
    /// r (Pearson) or ρ (Spearman).
    pub estimate: f64,
    /// Two-sided p-value from t = r·√((n−2)/(1−r²)) with n − 2 df (as scipy).
    pub p: f64,
    /// tanh(atanh r ± z_{(1+level)/2} / √(n−3)).
    pub ci: (f64, f64),
    /// `"pearson"` or `"spearman"`.
    pub method: &'static str,
}

fn pearson_raw(x: &[f64], y: &[f64]) -> Result<f64, StatsError> {
    if x.len() != y.len() {
        return Err(StatsError::Length(x.len(), y.len()));
    }
    if let Some(i) = x.iter().chain(y).position(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite(i % x.len().max(1)));
    }
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
    Ok((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

fn with_interval(r: f64, n: usize, level: f64, method: &'static str) -> Correlation {
    use statrs::distribution::{ContinuousCDF, Normal};
    let df = n as f64 - 2.0;
    let t = r * (df / (1.0 - r * r)).sqrt();
    let z = Normal::new(0.0, 1.0)
        .expect("standard normal")
        .inverse_cdf(0.5 + level / 2.0);
    let half = z / (n as f64 - 3.0).sqrt();
    Correlation {
        n,
        estimate: r,
        p: if r.abs() >= 1.0 {
            0.0
        } else {
            t_p_value(t, df)
        },
        ci: ((r.atanh() - half).tanh(), (r.atanh() + half).tanh()),
        method,
    }
}

/// Pearson's r with a Fisher-z interval at `level`.
pub fn pearson(x: &[f64], y: &[f64], level: f64) -> Result<Correlation, StatsError> {
    if x.len() < 4 {
        return Err(StatsError::TooFew {
            n: x.len(),
            needed: 3,
        });
    }
    Ok(with_interval(pearson_raw(x, y)?, x.len(), level, "pearson"))
}

/// Ranks 1..n with ties given their average rank (scipy's `rankdata`).
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

/// Spearman's ρ (Pearson on average ranks), with the same Fisher-z interval
/// as Pearson's r (SE 1/√(n−3)) and scipy's t-based p-value.
pub fn spearman(x: &[f64], y: &[f64], level: f64) -> Result<Correlation, StatsError> {
    if x.len() < 4 {
        return Err(StatsError::TooFew {
            n: x.len(),
            needed: 3,
        });
    }
    let r = pearson_raw(&ranks(x), &ranks(y))?;
    Ok(with_interval(r, x.len(), level, "spearman"))
}
