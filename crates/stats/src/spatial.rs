//! Row-standardised spatial weights, the spatial lag, and each unit's
//! difference from the mean of its neighbours.
//!
//! [`SpatialWeights`] is built once from an adjacency list — neighbour
//! indices ([`SpatialWeights::from_neighbours`], every link weighing 1) or
//! (index, weight) pairs ([`SpatialWeights::from_weighted`], e.g. shared
//! border lengths) — and **row-standardised**: wᵢⱼ / Σⱼ wᵢⱼ, libpysal's
//! `transform = "r"`. The lists need not be symmetric. A unit may not list
//! itself or the same neighbour twice, and indices must be in range.
//!
//! **Units with no neighbours** ("islands") are allowed and kept: their row
//! is all zero, so their spatial lag is 0 and S₀ = n − (number of islands),
//! exactly as libpysal/esda treat islands. [`neighbour_differences`] leaves
//! them out and lists them; [`local_moran`](crate::local_moran) gives them
//! Iᵢ = 0 and no quadrant.
//!
//! The constants S₀ = Σᵢⱼ wᵢⱼ, S₁ = ½ Σᵢⱼ (wᵢⱼ + wⱼᵢ)² and
//! S₂ = Σᵢ (wᵢ. + w.ᵢ)² of the row-standardised weights are computed at
//! construction for Moran's moments.
//!
//! Reference: libpysal `W(...)`, `transform = "r"`, `s0`, `s1`, `s2`,
//! `lag_spatial`.

use crate::{check_finite, check_len, StatsError};

/// Row-standardised spatial weights over n units.
#[derive(Debug, Clone, PartialEq)]
pub struct SpatialWeights {
    rows: Vec<Vec<(usize, f64)>>,
    /// The same weights flattened (compressed sparse rows) for the hot
    /// loops: row i is `cols[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    islands: Vec<usize>,
    s0: f64,
    s1: f64,
    s2: f64,
}

impl SpatialWeights {
    /// Binary contiguity: unit i's neighbours `neighbours[i]` each get
    /// weight 1/|N(i)|.
    pub fn from_neighbours(neighbours: &[Vec<usize>]) -> Result<Self, StatsError> {
        let rows: Vec<Vec<(usize, f64)>> = neighbours
            .iter()
            .map(|nb| nb.iter().map(|&j| (j, 1.0)).collect())
            .collect();
        Self::from_weighted(&rows)
    }

    /// General weights: `rows[i]` lists (neighbour, weight) pairs with
    /// finite positive weights, row-standardised to sum to 1.
    pub fn from_weighted(rows: &[Vec<(usize, f64)>]) -> Result<Self, StatsError> {
        let n = rows.len();
        let mut seen = vec![usize::MAX; n];
        let mut out = Vec::with_capacity(n);
        let mut islands = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let mut total = 0.0;
            for &(j, w) in row {
                if j >= n || j == i || seen[j] == i {
                    return Err(StatsError::Neighbour {
                        unit: i,
                        neighbour: j,
                    });
                }
                seen[j] = i;
                if !(w.is_finite() && w > 0.0) {
                    return Err(StatsError::BadWeight { index: i });
                }
                total += w;
            }
            if row.is_empty() {
                islands.push(i);
            }
            out.push(row.iter().map(|&(j, w)| (j, w / total)).collect::<Vec<_>>());
        }
        // S1 over unordered pairs {i, j}: (wᵢⱼ + wⱼᵢ)², each pair once
        // (½ Σ over ordered pairs counts every unordered pair twice).
        let mut pairs: Vec<(usize, usize, f64)> = out
            .iter()
            .enumerate()
            .flat_map(|(i, row)| row.iter().map(move |&(j, w)| (i.min(j), i.max(j), w)))
            .collect();
        pairs.sort_by_key(|a| (a.0, a.1));
        let mut s1 = 0.0;
        let mut p = 0;
        while p < pairs.len() {
            let mut s = pairs[p].2;
            let mut q = p + 1;
            while q < pairs.len() && (pairs[q].0, pairs[q].1) == (pairs[p].0, pairs[p].1) {
                s += pairs[q].2;
                q += 1;
            }
            s1 += s * s;
            p = q;
        }
        let mut col = vec![0.0; n];
        for row in &out {
            for &(j, w) in row {
                col[j] += w;
            }
        }
        let row_sum = |i: usize| out[i].iter().map(|(_, w)| w).sum::<f64>();
        let s0: f64 = (0..n).map(row_sum).sum();
        let s2 = (0..n).map(|i| (row_sum(i) + col[i]).powi(2)).sum();
        let mut starts = Vec::with_capacity(n + 1);
        let (mut cols, mut vals) = (Vec::new(), Vec::new());
        starts.push(0);
        for row in &out {
            for &(j, w) in row {
                cols.push(u32::try_from(j).expect("fewer than 2^32 units"));
                vals.push(w);
            }
            starts.push(cols.len());
        }
        Ok(SpatialWeights {
            rows: out,
            starts,
            cols,
            vals,
            islands,
            s0,
            s1,
            s2,
        })
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.rows.len()
    }

    /// Units with no neighbours, ascending.
    pub fn islands(&self) -> &[usize] {
        &self.islands
    }

    /// Unit `i`'s (neighbour, row-standardised weight) pairs.
    pub fn row(&self, i: usize) -> &[(usize, f64)] {
        &self.rows[i]
    }

    /// S₀ = Σᵢⱼ wᵢⱼ (n minus the islands).
    pub fn s0(&self) -> f64 {
        self.s0
    }

    /// S₁ = ½ Σᵢⱼ (wᵢⱼ + wⱼᵢ)².
    pub fn s1(&self) -> f64 {
        self.s1
    }

    /// S₂ = Σᵢ (Σⱼ wᵢⱼ + Σⱼ wⱼᵢ)².
    pub fn s2(&self) -> f64 {
        self.s2
    }

    /// (Wz)ᵢ = Σⱼ wᵢⱼ zⱼ (0 for an island). `z.len()` must be `n`.
    #[inline]
    pub(crate) fn lag_at(&self, z: &[f64], i: usize) -> f64 {
        let (a, b) = (self.starts[i], self.starts[i + 1]);
        self.cols[a..b]
            .iter()
            .zip(&self.vals[a..b])
            .map(|(&j, w)| w * z[j as usize])
            .sum()
    }

    /// The spatial lag Wz of every unit: the (weighted) mean of its
    /// neighbours' values, 0 for an island. Errors if lengths differ.
    pub fn lag(&self, z: &[f64]) -> Result<Vec<f64>, StatsError> {
        check_len(self.n(), z.len())?;
        Ok((0..self.n()).map(|i| self.lag_at(z, i)).collect())
    }
}

/// Each unit's value minus the (weighted) mean of its neighbours'.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighbourDifferences {
    /// Units with neighbours (the length of `d`).
    pub n: usize,
    /// Unit index of each difference.
    pub units: Vec<usize>,
    /// yᵢ − (Wy)ᵢ for each unit in `units`.
    pub d: Vec<f64>,
    /// Units left out because they have no neighbours.
    pub no_neighbours: Vec<usize>,
    pub method: &'static str,
}

/// dᵢ = yᵢ − (Wy)ᵢ for every unit with neighbours, ready for
/// [`paired`](crate::paired()). Errors if lengths differ or a value is not
/// finite.
pub fn neighbour_differences(
    y: &[f64],
    w: &SpatialWeights,
) -> Result<NeighbourDifferences, StatsError> {
    check_len(w.n(), y.len())?;
    check_finite(y)?;
    let units: Vec<usize> = (0..y.len()).filter(|&i| !w.rows[i].is_empty()).collect();
    Ok(NeighbourDifferences {
        n: units.len(),
        d: units.iter().map(|&i| y[i] - w.lag_at(y, i)).collect(),
        units,
        no_neighbours: w.islands.clone(),
        method: "value minus row-standardised spatial lag (mean of neighbours); units without neighbours excluded",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_graph_constants() {
        // 0 - 1 - 2, and an island 3.
        let w = SpatialWeights::from_neighbours(&[vec![1], vec![0, 2], vec![1], vec![]]).unwrap();
        assert_eq!(w.islands(), [3]);
        assert_eq!(w.s0(), 3.0);
        // Pairs {0,1}: 1 + ½; {1,2}: ½ + 1 → S1 = 2·(1.5)² = 4.5.
        assert_eq!(w.s1(), 4.5);
        // Columns: 0.5, 2, 0.5, 0 → S2 = 1.5² + 3² + 1.5² + 0 = 13.5.
        assert_eq!(w.s2(), 13.5);
        assert_eq!(w.lag(&[1.0, 2.0, 4.0, 9.0]).unwrap(), [2.0, 2.5, 2.0, 0.0]);
        let d = neighbour_differences(&[1.0, 2.0, 4.0, 9.0], &w).unwrap();
        assert_eq!(
            (d.units, d.d, d.no_neighbours),
            (vec![0, 1, 2], vec![-1.0, -0.5, 2.0], vec![3])
        );
    }

    #[test]
    fn invalid_lists() {
        let e = |nb: &[Vec<usize>]| SpatialWeights::from_neighbours(nb).unwrap_err();
        assert_eq!(
            e(&[vec![0]]),
            StatsError::Neighbour {
                unit: 0,
                neighbour: 0
            }
        );
        assert_eq!(
            e(&[vec![1, 1], vec![0]]),
            StatsError::Neighbour {
                unit: 0,
                neighbour: 1
            }
        );
        assert_eq!(
            e(&[vec![5], vec![0]]),
            StatsError::Neighbour {
                unit: 0,
                neighbour: 5
            }
        );
        assert!(SpatialWeights::from_weighted(&[vec![(1, -1.0)], vec![(0, 1.0)]]).is_err());
    }
}
