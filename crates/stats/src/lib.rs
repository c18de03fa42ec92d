//! Statistics for stemgap's findings. Pure functions over slices: no I/O,
//! no global state, no randomness without an explicit seed.
//!
//! Every estimator is checked against a trusted reference on the same numbers
//! (`tests/reference.rs`, expected values from statsmodels and scipy written
//! by `dev/reference/stats_reference.py`).
//!
//! * [`ols`]: least squares by Householder QR (never the normal equations),
//!   optional weights (WLS), classical and HC0–HC3 standard errors, t-based
//!   confidence intervals.
//! * [`per_doubling`]: the log2–log2 regression behind "a doubling of
//!   deprivation goes with an X% change", excluding non-positive values and
//!   saying how many.
//! * [`pearson`], [`spearman`]: correlations with Fisher-z intervals.
//! * [`quantiles`] (type 7, named in [`QUANTILE_DEFINITION`]) and
//!   [`weighted_groups`] (quintiles or deciles holding equal population).
//! * [`group_contrast`]: ratio or difference of two groups' means with a
//!   seeded percentile bootstrap (the seed and replicate count are recorded).
//! * [`paired`]: mean paired difference with a t interval, and the Wilcoxon
//!   signed-rank test.
//! * [`moran`], [`local_moran`]: global Moran's I (normality variance and a
//!   seeded permutation pseudo p-value) and LISA with quadrants.

mod bootstrap;
mod correlation;
mod moran;
mod ols;
mod paired;
mod quantile;

pub use bootstrap::{group_contrast, Contrast, GroupContrast};
pub use correlation::{pearson, ranks, spearman, Correlation};
pub use moran::{local_moran, moran, LocalMoran, Moran, Quadrant};
pub use ols::{ols, per_doubling, Cov, Ols, PerDoubling};
pub use paired::{paired, Paired};
pub use quantile::{quantiles, weighted_groups, QUANTILE_DEFINITION};

/// Why an estimate could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("too few observations: {n}, need more than {needed}")]
    TooFew { n: usize, needed: usize },
    #[error("inputs differ in length: {0} and {1}")]
    Length(usize, usize),
    #[error("a value is not finite (index {0})")]
    NotFinite(usize),
    #[error("a weight is not positive (index {0})")]
    BadWeight(usize),
    #[error("the regressors are collinear (the design matrix is singular)")]
    Singular,
    #[error("a variable is constant, so the correlation is undefined")]
    Constant,
}

/// Two-sided `level` critical value of Student's t with `df` degrees of freedom.
pub(crate) fn t_critical(level: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df)
        .expect("df > 0")
        .inverse_cdf(0.5 + level / 2.0)
}

/// Two-sided p-value of a t statistic.
pub(crate) fn t_p_value(t: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    2.0 * StudentsT::new(0.0, 1.0, df).expect("df > 0").sf(t.abs())
}
