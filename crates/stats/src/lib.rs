//! Statistics for stemgap's findings. Pure functions over slices: no I/O, no
//! printing, no global state, and no randomness without an explicit `u64`
//! seed (ChaCha8, so the same seed gives bit-identical results on every
//! platform).
//!
//! Every estimator is checked against a trusted reference on the same numbers
//! to 1e-9 (`tests/reference.rs`; the expected values in
//! `tests/fixtures/reference.json` are written by
//! `dev/reference/stats_reference.py` with statsmodels, scipy, numpy and
//! esda/libpysal, whose versions are recorded in the file), plus property
//! tests (`tests/properties.rs`). The spatial error model is checked against
//! spreg to 1e-6, the precision at which spreg's own optimiser stops.
//!
//! | module | what | reference |
//! | --- | --- | --- |
//! | [`ols`] | least squares by Householder QR, optional weights (WLS), classical and HC0–HC3 standard errors, t-based intervals | statsmodels `OLS`/`WLS`, `cov_type="HC0".."HC3"`, `use_t=True` |
//! | [`transform`] | [`log`], [`log2`] refusing non-positive values and listing them; [`per_doubling`] (log2–log2 slope as a % change per doubling) | numpy, statsmodels |
//! | [`quantile`] | Hyndman–Fan quantiles types 4–9 (type 7 is R's and numpy's default), named by [`QuantileMethod`]; population-weighted groups (quintiles, deciles) | `numpy.quantile(method=...)` |
//! | [`bootstrap`] | ratio or difference of two groups' means with a seeded percentile bootstrap | numpy (estimate); scipy `bootstrap` (Monte-Carlo agreement) |
//! | [`paired`] | mean paired difference with a t interval; Wilcoxon signed-rank | scipy `ttest_1samp`, `wilcoxon(zero_method="wilcox", method="approx")` |
//! | [`correlation`] | Pearson and Spearman with Fisher-z intervals | scipy `pearsonr`, `spearmanr` |
//! | [`spatial`] | row-standardised spatial weights, spatial lag, seat-minus-neighbours differences | libpysal `W`, `lag_spatial` |
//! | [`cluster`] | CR1 and CR2 (Bell–McCaffrey, Satterthwaite df) cluster-robust standard errors; cluster bootstrap of two groups' means | statsmodels `cov_type="cluster"`; R clubSandwich `vcovCR`/`coef_test` |
//! | [`permutation`] | relabelling permutation test; Benjamini–Hochberg q-values | statsmodels `multipletests(method="fdr_bh")` |
//! | [`sem`] | spatial error model y = Xβ + u, u = λWu + ε by maximum likelihood (log-determinant from W's eigenvalues), information-matrix standard errors, normal z and p | spreg `ML_Error(method="full")`, to 1e-6 (`tests/sem_reference.rs`) |
//! | [`benchmark`] | an area's interval against a benchmark value (Fingertips: higher / similar / lower); a symmetric 95% interval rescaled to 99.8% | hand-computed (unit tests) |
//! | [`similarity`] | z-scores, weighted Euclidean distance, k nearest units (similar seats) | hand-computed (unit tests) |
//! | [`moran`] | global Moran's I (normality and randomisation moments, permutation pseudo p) and local Moran (LISA) | esda `Moran`, `Moran_Local` |
//!
//! Every result struct carries `n`, a `method` name and, where there is one,
//! its confidence interval and level. The structs are plain Rust: the wire
//! format belongs to another crate.

pub mod benchmark;
pub mod bootstrap;
pub mod cluster;
pub mod correlation;
pub mod moran;
pub mod ols;
pub mod paired;
pub mod permutation;
pub mod quantile;
pub mod sem;
pub mod similarity;
pub mod spatial;
pub mod transform;

pub use bootstrap::{
    case_bootstrap, group_contrast, sums_bootstrap, CaseBootstrap, Contrast, GroupContrast,
};
pub use cluster::{
    cluster_contrast, cluster_robust, ClusterContrast, ClusterCov, ClusterRobust, ClusteredGroup,
};
pub use correlation::{pearson, pearson_from_sums, ranks, spearman, Correlation};
pub use moran::{local_moran, moran, LisaCluster, LocalMoran, LocalMoranUnit, Moran, Quadrant};
pub use ols::{ols, Cov, Ols, OlsOptions, StdErrors};
pub use paired::{paired, wilcoxon, Paired, Wilcoxon};
pub use permutation::{benjamini_hochberg, relabel_test, RelabelTest};
pub use quantile::{
    quantile, quantiles, weighted_groups, weighted_quantile_groups, weighted_quantile_groups_by,
    QuantileMethod, WeightedGroups,
};
pub use sem::{spatial_error, SpatialError};
pub use spatial::{neighbour_differences, NeighbourDifferences, SpatialWeights};
pub use transform::{log, log2, per_doubling, LogTransformed, PerDoubling};

/// A seed for one named analysis, derived from a base seed: FNV-1a (64-bit)
/// of `label`, mixed with `base` by SplitMix64's finaliser. Distinct labels
/// get unrelated streams; the same label always gets the same seed.
pub fn derive_seed(base: u64, label: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = base ^ h;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Why an estimate could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// Fewer observations than the method needs.
    #[error("too few observations: {n}, need at least {needed}")]
    TooFew { n: usize, needed: usize },
    /// Two inputs that must pair up differ in length.
    #[error("inputs differ in length: expected {expected}, got {got}")]
    Length { expected: usize, got: usize },
    /// A value is NaN or infinite (index into the offending input).
    #[error("value at index {index} is not finite")]
    NotFinite { index: usize },
    /// A value that must be positive is not (e.g. a ratio's denominator group).
    #[error("value at index {index} is not positive")]
    NonPositive { index: usize },
    /// A weight is negative, zero where that is not allowed, or not finite.
    #[error("weight at index {index} is not valid (must be finite and positive)")]
    BadWeight { index: usize },
    /// The design matrix does not have full column rank.
    #[error("the regressors are collinear (the design matrix is singular)")]
    Singular,
    /// A variable has no variation, so the statistic is undefined.
    #[error("a variable is constant, so the statistic is undefined")]
    Constant,
    /// A confidence level outside (0, 1).
    #[error("confidence level {0} is not strictly between 0 and 1")]
    Level(f64),
    /// A probability outside [0, 1].
    #[error("probability {0} is not between 0 and 1")]
    Probability(f64),
    /// A neighbour list entry that is out of range, the unit itself, or repeated.
    #[error(
        "unit {unit} lists an invalid neighbour {neighbour} (out of range, itself, or repeated)"
    )]
    Neighbour { unit: usize, neighbour: usize },
    /// Some other argument is out of its domain (the message says which).
    #[error("invalid argument: {0}")]
    Argument(&'static str),
}

/// Errors unless every value is finite.
pub(crate) fn check_finite(x: &[f64]) -> Result<(), StatsError> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NotFinite { index }),
        None => Ok(()),
    }
}

/// Errors unless `got == expected`.
pub(crate) fn check_len(expected: usize, got: usize) -> Result<(), StatsError> {
    if expected == got {
        Ok(())
    } else {
        Err(StatsError::Length { expected, got })
    }
}

/// Errors unless `0 < level < 1`.
pub(crate) fn check_level(level: f64) -> Result<(), StatsError> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(StatsError::Level(level))
    }
}

/// Two-sided `level` critical value of Student's t with `df` degrees of
/// freedom (`df > 0`, `0 < level < 1`, checked by the callers).
pub(crate) fn t_critical(level: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df)
        .expect("df > 0")
        .inverse_cdf(0.5 + level / 2.0)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub(crate) fn t_p_value(t: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    2.0 * StudentsT::new(0.0, 1.0, df).expect("df > 0").sf(t.abs())
}

/// Two-sided `level` critical value of the standard normal.
pub(crate) fn z_critical(level: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(0.5 + level / 2.0)
}

/// Two-sided p-value of a standard-normal statistic.
pub(crate) fn z_p_value(z: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    (2.0 * Normal::standard().sf(z.abs())).min(1.0)
}
