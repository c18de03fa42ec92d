use crate::StatsError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Global Moran's I with row-standardised weights, as PySAL's `esda.Moran`.
#[derive(Debug, Clone, PartialEq)]
pub struct Moran {
    pub n: usize,
    pub i: f64,
    /// E[I] = −1/(n−1).
    pub expected: f64,
    /// Variance under the normality assumption (esda `VI_norm`).
    pub variance_norm: f64,
    pub z_norm: f64,
    /// Two-sided p-value under normality.
    pub p_norm: f64,
    /// Pseudo p-value from random permutations: (larger + 1)/(permutations + 1),
    /// `larger` counting the permutations at least as extreme on the
    /// observed side (esda `p_sim`).
    pub p_sim: f64,
    pub permutations: usize,
    pub seed: u64,
}

/// A unit's local Moran quadrant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quadrant {
    HighHigh,
    LowHigh,
    LowLow,
    HighLow,
}

/// Local Moran (LISA) for one unit, as `esda.Moran_Local`.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalMoran {
    pub i: f64,
    pub quadrant: Quadrant,
    /// Conditional-permutation pseudo p-value.
    pub p_sim: f64,
}

/// Row-standardised weights from neighbour lists: unit `i`'s neighbours
/// each weigh 1/|N(i)|. Every unit must have at least one neighbour
/// (stemgap links islands to their nearest seat).
fn check(y: &[f64], neighbours: &[Vec<usize>]) -> Result<(), StatsError> {
    if y.len() != neighbours.len() {
        return Err(StatsError::Length(y.len(), neighbours.len()));
    }
    if y.len() < 3 {
        return Err(StatsError::TooFew {
            n: y.len(),
            needed: 2,
        });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite(i));
    }
    if let Some(i) = (0..neighbours.len()).find(|&i| {
        neighbours[i].is_empty() || neighbours[i].iter().any(|&j| j >= y.len() || j == i)
    }) {
        return Err(StatsError::BadWeight(i));
    }
    Ok(())
}

fn lag(z: &[f64], neighbours: &[Vec<usize>], i: usize) -> f64 {
    neighbours[i].iter().map(|&j| z[j]).sum::<f64>() / neighbours[i].len() as f64
}

fn moran_i(z: &[f64], neighbours: &[Vec<usize>]) -> f64 {
    // S0 = n for row-standardised weights.
    let num: f64 = (0..z.len()).map(|i| z[i] * lag(z, neighbours, i)).sum();
    num / z.iter().map(|v| v * v).sum::<f64>()
}

/// Global Moran's I with `permutations` seeded random permutations.
pub fn moran(
    y: &[f64],
    neighbours: &[Vec<usize>],
    permutations: usize,
    seed: u64,
) -> Result<Moran, StatsError> {
    check(y, neighbours)?;
    let n = y.len();
    let nf = n as f64;
    let mean = y.iter().sum::<f64>() / nf;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    if z.iter().all(|v| *v == 0.0) {
        return Err(StatsError::Constant);
    }
    let i = moran_i(&z, neighbours);
    // Normality variance (Cliff and Ord), from the row-standardised weights.
    let w = |a: usize, b: usize| -> f64 {
        if neighbours[a].contains(&b) {
            1.0 / neighbours[a].len() as f64
        } else {
            0.0
        }
    };
    let s0 = nf;
    let mut s1 = 0.0;
    for a in 0..n {
        for &b in &neighbours[a] {
            s1 += (w(a, b) + w(b, a)).powi(2);
        }
        for b in (0..n).filter(|b| !neighbours[a].contains(b) && neighbours[*b].contains(&a)) {
            s1 += (w(a, b) + w(b, a)).powi(2);
        }
    }
    s1 /= 2.0;
    let mut col = vec![0.0; n];
    for (a, nb) in neighbours.iter().enumerate() {
        for &b in nb {
            col[b] += w(a, b);
        }
    }
    let s2: f64 = (0..n).map(|a| (1.0 + col[a]).powi(2)).sum();
    let expected = -1.0 / (nf - 1.0);
    let variance_norm = (nf * nf * s1 - nf * s2 + 3.0 * s0 * s0) / ((nf * nf - 1.0) * s0 * s0)
        - expected * expected;
    let z_norm = (i - expected) / variance_norm.sqrt();
    use statrs::distribution::{ContinuousCDF, Normal};
    let p_norm = 2.0
        * Normal::new(0.0, 1.0)
            .expect("standard normal")
            .sf(z_norm.abs());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm = z.clone();
    let mut above = 0usize;
    for _ in 0..permutations {
        perm.shuffle(&mut rng);
        if moran_i(&perm, neighbours) >= i {
            above += 1;
        }
    }
    let larger = above.min(permutations - above);
    Ok(Moran {
        n,
        i,
        expected,
        variance_norm,
        z_norm,
        p_norm,
        p_sim: (larger as f64 + 1.0) / (permutations as f64 + 1.0),
        permutations,
        seed,
    })
}

/// Local Moran for every unit: Iᵢ = (n − 1) zᵢ (Wz)ᵢ / Σz² with z the
/// deviations standardised by the population standard deviation, quadrant
/// from the signs of zᵢ and (Wz)ᵢ, and a conditional-permutation pseudo
/// p-value (unit i fixed, the others' values drawn without replacement).
pub fn local_moran(
    y: &[f64],
    neighbours: &[Vec<usize>],
    permutations: usize,
    seed: u64,
) -> Result<Vec<LocalMoran>, StatsError> {
    check(y, neighbours)?;
    let n = y.len();
    let nf = n as f64;
    let mean = y.iter().sum::<f64>() / nf;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / nf).sqrt();
    if sd == 0.0 {
        return Err(StatsError::Constant);
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let den: f64 = z.iter().map(|v| v * v).sum();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut others: Vec<f64> = Vec::with_capacity(n);
    Ok((0..n)
        .map(|i| {
            let l = lag(&z, neighbours, i);
            let local = (nf - 1.0) * z[i] * l / den;
            let quadrant = match (z[i] > 0.0, l > 0.0) {
                (true, true) => Quadrant::HighHigh,
                (false, true) => Quadrant::LowHigh,
                (false, false) => Quadrant::LowLow,
                (true, false) => Quadrant::HighLow,
            };
            others.clear();
            others.extend((0..n).filter(|&j| j != i).map(|j| z[j]));
            let k = neighbours[i].len();
            let mut above = 0usize;
            for _ in 0..permutations {
                let (drawn, _) = others.partial_shuffle(&mut rng, k);
                let lag_p = drawn.iter().sum::<f64>() / k as f64;
                if (nf - 1.0) * z[i] * lag_p / den >= local {
                    above += 1;
                }
            }
            let larger = above.min(permutations - above);
            LocalMoran {
                i: local,
                quadrant,
                p_sim: (larger as f64 + 1.0) / (permutations as f64 + 1.0),
            }
        })
        .collect())
}
