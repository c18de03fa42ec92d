//! Global and local Moran's I on row-standardised [`SpatialWeights`], as
//! PySAL's `esda.Moran` and `esda.Moran_Local` compute them.
//!
//! # Global
//! With z = y − ȳ: I = (n / S₀) · Σᵢ zᵢ(Wz)ᵢ / Σᵢ zᵢ², E[I] = −1/(n − 1), and
//! the two classical variances (Cliff and Ord):
//!
//! * normality: V = (n²S₁ − nS₂ + 3S₀²) / ((n² − 1)S₀²) − E[I]²;
//! * randomisation: with kurtosis b₂ = (Σz⁴/n) / (Σz²/n)²,
//!   V = [n((n² − 3n + 3)S₁ − nS₂ + 3S₀²) − b₂((n² − n)S₁ − 2nS₂ + 6S₀²)]
//!   / ((n − 1)(n − 2)(n − 3)S₀²) − E[I]²;
//!
//! each with z = (I − E[I])/√V and a two-sided normal p-value. The
//! **permutation pseudo p-value** shuffles z over all units `permutations`
//! times (ChaCha8 seeded with `seed`), counts the permuted I ≥ the observed
//! I, folds the count to the smaller tail (larger = min(count,
//! permutations − count)) and reports (larger + 1)/(permutations + 1) — esda's
//! `p_sim`. Folding keeps it in [1/(permutations + 1),
//! (⌊permutations/2⌋ + 1)/(permutations + 1)]; it is `None` when
//! `permutations == 0`.
//!
//! # Local (LISA)
//! With z standardised by the population standard deviation,
//! Iᵢ = (n − 1) zᵢ (Wz)ᵢ / Σⱼ zⱼ². The quadrant comes from the signs of zᵢ
//! and (Wz)ᵢ, "high" meaning strictly > 0 (esda's rule). The pseudo p-value
//! is by **conditional permutation**: unit i's value stays, |N(i)| values
//! are drawn without replacement from the other n − 1 units and placed on
//! its neighbours, and the folded count gives (larger + 1)/(permutations + 1)
//! as for the global statistic. As in esda (`crand`), the draws are made
//! once, as a table of `permutations` rows of k_max distinct indices into
//! the other n − 1 units, and shared by every unit (unit i reads index j as
//! unit j, or j + 1 when j ≥ i, and uses the first |N(i)| of each row):
//! 9,999 permutations of 650 seats then cost one table of ~10⁵ draws rather
//! than ~3·10⁷, and the same table serves every indicator on the same
//! weights. Units' p-values are therefore not independent of each other,
//! as in esda. [`LocalMoran::q_values`] adjusts them for the number of
//! units tested (Benjamini–Hochberg false discovery rate). [`LocalMoranUnit::cluster`] labels a unit
//! with its quadrant when p_sim < alpha (strictly, as esda's
//! `get_cluster_labels`) and "not significant" otherwise.
//!
//! # Units with no neighbours
//! Islands stay in n, in ȳ and in Σz² (as in esda) but contribute nothing
//! to the cross-products, S₀ = n − islands. Locally they get Iᵢ = 0, no
//! quadrant, no p-value, and the label [`LisaCluster::NoNeighbours`] — esda
//! instead files them in a "low lag" quadrant; stemgap makes the absence
//! explicit.
//!
//! Reference: esda 2.9 `Moran(y, w, permutations=0)` (I, EI, VI_norm,
//! z_norm, p_norm, VI_rand, z_rand, p_rand) and `Moran_Local` (Is, q,
//! and the cluster labels given esda's own p_sim). Permutation p-values
//! cannot match numpy's random stream and are tested by their properties.

use crate::{check_finite, check_len, z_p_value, SpatialWeights, StatsError};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;

/// Global Moran's I.
#[derive(Debug, Clone, PartialEq)]
pub struct Moran {
    pub n: usize,
    /// Units with no neighbours (kept in n, see the module docs).
    pub islands: usize,
    pub i: f64,
    /// E[I] = −1/(n − 1).
    pub expected: f64,
    /// Variance under normality (esda `VI_norm`).
    pub variance_norm: f64,
    pub z_norm: f64,
    /// Two-sided p-value under normality.
    pub p_norm: f64,
    /// Variance under randomisation (esda `VI_rand`).
    pub variance_rand: f64,
    pub z_rand: f64,
    /// Two-sided p-value under randomisation.
    pub p_rand: f64,
    /// Permutation pseudo p-value (esda `p_sim`); `None` without permutations.
    pub p_sim: Option<f64>,
    /// Mean of the permuted statistics (esda `EI_sim`).
    pub mean_sim: Option<f64>,
    /// Their standard deviation, ddof 0 (esda `seI_sim`).
    pub sd_sim: Option<f64>,
    /// (I − mean_sim) / sd_sim (esda `z_sim`).
    pub z_sim: Option<f64>,
    pub permutations: usize,
    pub seed: u64,
    pub method: &'static str,
}

/// A unit's local Moran quadrant: its own value vs the mean, and its
/// neighbours' mean vs the mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quadrant {
    /// High value, high neighbours (esda q = 1).
    HighHigh,
    /// Low value, high neighbours (esda q = 2).
    LowHigh,
    /// Low value, low neighbours (esda q = 3).
    LowLow,
    /// High value, low neighbours (esda q = 4).
    HighLow,
}

impl Quadrant {
    /// The map label of a significant unit in this quadrant.
    pub fn cluster(self) -> LisaCluster {
        match self {
            Quadrant::HighHigh => LisaCluster::HighHigh,
            Quadrant::LowHigh => LisaCluster::LowHigh,
            Quadrant::LowLow => LisaCluster::LowLow,
            Quadrant::HighLow => LisaCluster::HighLow,
        }
    }
}

/// The map label of a unit at a significance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LisaCluster {
    HighHigh,
    LowHigh,
    LowLow,
    HighLow,
    /// Pseudo p-value ≥ alpha (or no permutations were run).
    NotSignificant,
    /// The unit has no neighbours.
    NoNeighbours,
}

/// Local Moran for one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMoranUnit {
    /// Iᵢ (0 for a unit with no neighbours).
    pub i: f64,
    /// The standardised value zᵢ.
    pub z: f64,
    /// Its spatial lag (Wz)ᵢ.
    pub lag: f64,
    /// `None` for a unit with no neighbours.
    pub quadrant: Option<Quadrant>,
    /// Conditional-permutation pseudo p-value; `None` for a unit with no
    /// neighbours or when no permutations were run.
    pub p_sim: Option<f64>,
}

impl LocalMoranUnit {
    /// The unit's label at significance `alpha`: its quadrant if
    /// `p_sim < alpha`, otherwise [`LisaCluster::NotSignificant`].
    pub fn cluster(&self, alpha: f64) -> LisaCluster {
        match (self.quadrant, self.p_sim) {
            (None, _) => LisaCluster::NoNeighbours,
            (Some(q), Some(p)) if p < alpha => q.cluster(),
            _ => LisaCluster::NotSignificant,
        }
    }
}

/// Local Moran (LISA) for every unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMoran {
    pub n: usize,
    /// One entry per unit, in input order.
    pub units: Vec<LocalMoranUnit>,
    pub permutations: usize,
    pub seed: u64,
    pub method: &'static str,
}

impl LocalMoran {
    /// Every unit's label at significance `alpha` (unadjusted p).
    pub fn clusters(&self, alpha: f64) -> Vec<LisaCluster> {
        self.units.iter().map(|u| u.cluster(alpha)).collect()
    }

    /// Benjamini–Hochberg q-values of the units that have a p-value (in
    /// unit order; `None` for islands), over those units.
    pub fn q_values(&self) -> Vec<Option<f64>> {
        let ps: Vec<f64> = self.units.iter().filter_map(|u| u.p_sim).collect();
        let qs = crate::benjamini_hochberg(&ps).expect("pseudo p-values lie in (0, 1]");
        let mut it = qs.into_iter();
        self.units
            .iter()
            .map(|u| u.p_sim.and_then(|_| it.next()))
            .collect()
    }

    /// Every unit's label when significance is decided by its
    /// Benjamini–Hochberg q-value: the quadrant where q ≤ `fdr`.
    pub fn clusters_fdr(&self, fdr: f64) -> Vec<LisaCluster> {
        self.units
            .iter()
            .zip(self.q_values())
            .map(|(u, q)| match (u.quadrant, q) {
                (None, _) => LisaCluster::NoNeighbours,
                (Some(quad), Some(q)) if q <= fdr => quad.cluster(),
                _ => LisaCluster::NotSignificant,
            })
            .collect()
    }
}

fn check(y: &[f64], w: &SpatialWeights, needed: usize) -> Result<(), StatsError> {
    check_len(w.n(), y.len())?;
    if y.len() < needed {
        return Err(StatsError::TooFew { n: y.len(), needed });
    }
    check_finite(y)?;
    if w.s0() <= 0.0 {
        return Err(StatsError::Argument("every unit lacks neighbours"));
    }
    Ok(())
}

/// Σᵢ zᵢ (Wz)ᵢ.
fn cross(z: &[f64], w: &SpatialWeights) -> f64 {
    (0..z.len()).map(|i| z[i] * w.lag_at(z, i)).sum()
}

/// Folded permutation pseudo p-value from the count of permuted statistics
/// at least as large as the observed one.
fn pseudo_p(at_least: usize, permutations: usize) -> f64 {
    let larger = at_least.min(permutations - at_least);
    (larger as f64 + 1.0) / (permutations as f64 + 1.0)
}

/// Global Moran's I of `y` on `w` with `permutations` seeded random
/// permutations (see the [module docs](self)). Errors: lengths differ,
/// n < 4, a value is not finite, y is constant, or no unit has neighbours.
pub fn moran(
    y: &[f64],
    w: &SpatialWeights,
    permutations: usize,
    seed: u64,
) -> Result<Moran, StatsError> {
    check(y, w, 4)?;
    let n = y.len();
    let nf = n as f64;
    let mean = y.iter().sum::<f64>() / nf;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let z2ss: f64 = z.iter().map(|v| v * v).sum();
    if z2ss == 0.0 {
        return Err(StatsError::Constant);
    }
    let (s0, s1, s2) = (w.s0(), w.s1(), w.s2());
    let scale = nf / s0 / z2ss;
    let i = scale * cross(&z, w);
    let expected = -1.0 / (nf - 1.0);
    let s02 = s0 * s0;
    let variance_norm = (nf * nf * s1 - nf * s2 + 3.0 * s02) / ((nf - 1.0) * (nf + 1.0) * s02)
        - expected * expected;
    let kurt = (z.iter().map(|v| v.powi(4)).sum::<f64>() / nf) / (z2ss / nf).powi(2);
    let a = nf * ((nf * nf - 3.0 * nf + 3.0) * s1 - nf * s2 + 3.0 * s02);
    let b = kurt * ((nf * nf - nf) * s1 - 2.0 * nf * s2 + 6.0 * s02);
    let variance_rand =
        (a - b) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0) * s02) - expected * expected;
    let z_norm = (i - expected) / variance_norm.sqrt();
    let z_rand = (i - expected) / variance_rand.sqrt();
    let sim = (permutations > 0).then(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut perm = z.clone();
        let mut at_least = 0usize;
        let (mut sum, mut sum2) = (0.0, 0.0);
        for _ in 0..permutations {
            perm.shuffle(&mut rng);
            let ip = scale * cross(&perm, w);
            sum += ip;
            sum2 += ip * ip;
            if ip >= i {
                at_least += 1;
            }
        }
        let pf = permutations as f64;
        let mean_sim = sum / pf;
        // esda's seI_sim: the population standard deviation (ddof 0).
        let sd_sim = (sum2 / pf - mean_sim * mean_sim).max(0.0).sqrt();
        (pseudo_p(at_least, permutations), mean_sim, sd_sim)
    });
    let p_sim = sim.map(|s| s.0);
    let (mean_sim, sd_sim) = (sim.map(|s| s.1), sim.map(|s| s.2));
    let z_sim = sim.map(|(_, m, sd)| (i - m) / sd);
    Ok(Moran {
        n,
        islands: w.islands().len(),
        i,
        expected,
        variance_norm,
        z_norm,
        p_norm: z_p_value(z_norm),
        variance_rand,
        z_rand,
        p_rand: z_p_value(z_rand),
        p_sim,
        mean_sim,
        sd_sim,
        z_sim,
        permutations,
        seed,
        method: "global Moran's I, row-standardised weights; normality and randomisation moments (Cliff-Ord); permutation pseudo p (ChaCha8 seeded, folded, (larger+1)/(perms+1))",
    })
}

/// The shared table of conditional-permutation draws: `permutations` rows
/// of k_max distinct indices into 0..n − 1 (a seeded partial Fisher–Yates
/// shuffle per row, ChaCha8), flattened row by row. It depends only on n,
/// the largest neighbour count and the seed, so every indicator mapped on
/// the same weights with the same seed reuses the same draws.
fn conditional_draws(n: usize, w: &SpatialWeights, permutations: usize, seed: u64) -> Vec<u32> {
    let k_max = (0..n).map(|i| w.row(i).len()).max().unwrap_or(0);
    if permutations == 0 || k_max == 0 {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pool: Vec<u32> = (0..u32::try_from(n - 1).expect("fewer than 2^32 units")).collect();
    let mut out = Vec::with_capacity(permutations * k_max);
    for _ in 0..permutations {
        let (drawn, _) = pool.partial_shuffle(&mut rng, k_max);
        out.extend_from_slice(drawn);
    }
    out
}

/// Local Moran's Iᵢ, quadrants and conditional-permutation pseudo
/// p-values for every unit (see the [module docs](self)). Errors: lengths
/// differ, n < 3, a value is not finite, y is constant, or no unit has
/// neighbours.
pub fn local_moran(
    y: &[f64],
    w: &SpatialWeights,
    permutations: usize,
    seed: u64,
) -> Result<LocalMoran, StatsError> {
    check(y, w, 3)?;
    let n = y.len();
    let nf = n as f64;
    let mean = y.iter().sum::<f64>() / nf;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / nf).sqrt();
    if sd == 0.0 {
        return Err(StatsError::Constant);
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let den: f64 = z.iter().map(|v| v * v).sum();
    let draws = conditional_draws(n, w, permutations, seed);
    let k_max = (0..n).map(|i| w.row(i).len()).max().unwrap_or(0);
    let (mut others, mut weights) = (Vec::with_capacity(n), Vec::with_capacity(k_max));
    let units = (0..n)
        .map(|i| {
            let row = w.row(i);
            let lag = w.lag_at(&z, i);
            let local = (nf - 1.0) * z[i] * lag / den;
            if row.is_empty() {
                return LocalMoranUnit {
                    i: local,
                    z: z[i],
                    lag,
                    quadrant: None,
                    p_sim: None,
                };
            }
            let quadrant = match (z[i] > 0.0, lag > 0.0) {
                (true, true) => Quadrant::HighHigh,
                (false, true) => Quadrant::LowHigh,
                (false, false) => Quadrant::LowLow,
                (true, false) => Quadrant::HighLow,
            };
            let p_sim = (permutations > 0).then(|| {
                // Row r of the shared table: distinct indices into the
                // other n − 1 units; index j ≥ i stands for unit j + 1, so
                // the other units' values are laid out once per unit and
                // indexed directly (no branch in the inner loop).
                others.clear();
                others.extend_from_slice(&z[..i]);
                others.extend_from_slice(&z[i + 1..]);
                weights.clear();
                weights.extend(row.iter().map(|(_, wt)| *wt));
                // (n − 1) zᵢ lagₚ / Σz² ≥ Iᵢ ⟺ zᵢ lagₚ ≥ zᵢ lagᵢ: compare
                // the lags in the direction of zᵢ's sign (every lag when
                // zᵢ = 0).
                let sign = z[i].partial_cmp(&0.0).unwrap_or(Ordering::Equal);
                let at_or_above = |lag_p: f64| -> usize {
                    usize::from(match sign {
                        Ordering::Greater => lag_p >= lag,
                        Ordering::Less => lag_p <= lag,
                        Ordering::Equal => true,
                    })
                };
                let k = weights.len();
                // Four permutations at a time: four independent sums hide
                // the latency of floating-point addition. Each sum adds its
                // terms in neighbour order, as a single sum would.
                let mut at_least = 0usize;
                let mut rows = draws.chunks_exact(4 * k_max);
                for block in &mut rows {
                    let (d0, rest) = block.split_at(k_max);
                    let (d1, rest) = rest.split_at(k_max);
                    let (d2, d3) = rest.split_at(k_max);
                    let mut sums = [0.0f64; 4];
                    for (t, &wt) in weights.iter().enumerate() {
                        sums[0] += others[d0[t] as usize] * wt;
                        sums[1] += others[d1[t] as usize] * wt;
                        sums[2] += others[d2[t] as usize] * wt;
                        sums[3] += others[d3[t] as usize] * wt;
                    }
                    at_least += sums.iter().map(|&l| at_or_above(l)).sum::<usize>();
                }
                for r in rows.remainder().chunks_exact(k_max) {
                    let lag_p: f64 = r[..k]
                        .iter()
                        .zip(weights.iter())
                        .map(|(&j, wt)| others[j as usize] * wt)
                        .sum();
                    at_least += at_or_above(lag_p);
                }
                pseudo_p(at_least, permutations)
            });
            LocalMoranUnit {
                i: local,
                z: z[i],
                lag,
                quadrant: Some(quadrant),
                p_sim,
            }
        })
        .collect();
    Ok(LocalMoran {
        n,
        units,
        permutations,
        seed,
        method: "local Moran (LISA), row-standardised weights; conditional permutation pseudo p (ChaCha8 seeded, folded); islands: I=0, no quadrant",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: usize, cols: usize) -> Vec<Vec<usize>> {
        (0..rows * cols)
            .map(|i| {
                let (r, c) = (i / cols, i % cols);
                let mut v = Vec::new();
                if r > 0 {
                    v.push(i - cols);
                }
                if c > 0 {
                    v.push(i - 1);
                }
                if c + 1 < cols {
                    v.push(i + 1);
                }
                if r + 1 < rows {
                    v.push(i + cols);
                }
                v
            })
            .collect()
    }

    #[test]
    fn checkerboard_is_perfectly_negative() {
        let nb = grid(4, 4);
        let w = SpatialWeights::from_neighbours(&nb).unwrap();
        let y: Vec<f64> = (0..16).map(|i| ((i / 4 + i % 4) % 2) as f64).collect();
        let m = moran(&y, &w, 99, 1).unwrap();
        assert!((m.i + 1.0).abs() < 1e-12, "{}", m.i);
        assert_eq!(m.p_sim, Some(0.01));
        assert_eq!(moran(&y, &w, 0, 1).unwrap().p_sim, None);
        let l = local_moran(&y, &w, 99, 1).unwrap();
        assert!(l
            .units
            .iter()
            .all(|u| matches!(u.quadrant, Some(Quadrant::HighLow | Quadrant::LowHigh))));
    }

    #[test]
    fn islands_are_explicit() {
        let mut nb = grid(3, 3);
        nb.push(vec![]);
        let w = SpatialWeights::from_neighbours(&nb).unwrap();
        let y: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let l = local_moran(&y, &w, 99, 5).unwrap();
        let island = &l.units[9];
        assert_eq!((island.i, island.quadrant, island.p_sim), (0.0, None, None));
        assert_eq!(island.cluster(0.05), LisaCluster::NoNeighbours);
        assert_eq!(moran(&y, &w, 9, 1).unwrap().islands, 1);
        let alone = SpatialWeights::from_neighbours(&[vec![], vec![], vec![], vec![]]).unwrap();
        assert!(moran(&[1.0, 2.0, 3.0, 4.0], &alone, 9, 1).is_err());
    }
}
