//! Nearest neighbours on characteristics ("similar areas", as ONS's and
//! CIPFA's nearest-neighbour models): each characteristic is standardised
//! to z-scores over the units compared (mean 0, population standard
//! deviation 1), multiplied by its weight, and units are ranked by the
//! Euclidean distance between their weighted z-score vectors.
//!
//! d(i, j) = √ Σₖ wₖ² (zᵢₖ − zⱼₖ)²
//!
//! A characteristic with no spread (every unit equal) contributes nothing.
//! Ties in distance are broken by the unit's index, so the answer never
//! depends on sort stability.

/// Standardises `column` to z-scores (population sd). A column whose values
/// are all equal gives zeros; `None` for an empty column or a non-finite
/// value.
pub fn z_scores(column: &[f64]) -> Option<Vec<f64>> {
    if column.is_empty() || column.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = column.len() as f64;
    let mean = column.iter().sum::<f64>() / n;
    let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    Some(
        column
            .iter()
            .map(|v| if sd > 0.0 { (v - mean) / sd } else { 0.0 })
            .collect(),
    )
}

/// Units as rows of weighted z-scores: `columns[k][i]` is unit i's value of
/// characteristic k, `weights[k]` its weight. `None` when the columns are
/// ragged, a weight is negative or not finite, or a value is not finite.
pub fn weighted_z(columns: &[Vec<f64>], weights: &[f64]) -> Option<Vec<Vec<f64>>> {
    if columns.len() != weights.len() || weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return None;
    }
    let n = columns.first().map_or(0, Vec::len);
    if columns.iter().any(|c| c.len() != n) {
        return None;
    }
    let mut rows = vec![Vec::with_capacity(columns.len()); n];
    for (c, w) in columns.iter().zip(weights) {
        let z = z_scores(c)?;
        for (row, zi) in rows.iter_mut().zip(z) {
            row.push(w * zi);
        }
    }
    Some(rows)
}

/// Euclidean distance between two rows of equal length.
pub fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// The `k` rows nearest row `i` (itself excluded), nearest first, as
/// (index, distance); ties by index.
pub fn nearest(rows: &[Vec<f64>], i: usize, k: usize) -> Vec<(usize, f64)> {
    let Some(me) = rows.get(i) else {
        return Vec::new();
    };
    let mut d: Vec<(usize, f64)> = rows
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(j, r)| (j, distance(me, r)))
        .collect();
    d.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    d.truncate(k);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_scores_by_hand() {
        // mean 4, population variance (4 + 0 + 4)/3 = 8/3, sd 1.632993.
        let z = z_scores(&[2.0, 4.0, 6.0]).unwrap();
        let s = (8.0f64 / 3.0).sqrt();
        assert!((z[0] + 2.0 / s).abs() < 1e-12 && z[1].abs() < 1e-12);
        assert!((z[2] - 1.224_744_871_391_589).abs() < 1e-12);
        assert_eq!(z_scores(&[5.0, 5.0]).unwrap(), vec![0.0, 0.0]);
        assert!(z_scores(&[]).is_none());
        assert!(z_scores(&[1.0, f64::NAN]).is_none());
    }

    /// Four units, two characteristics, worked by hand.
    ///
    /// x = [0, 1, 2, 5]: mean 2, population variance (4+1+0+9)/4 = 3.5.
    /// y = [10, 10, 30, 30]: mean 20, sd 10, z = [-1, -1, 1, 1].
    /// With weights (1, 1), zx = [-2, -1, 0, 3]/√3.5 = [-1.069045,
    /// -0.534522, 0, 1.603567]. Unit 0's distances: to 1, √(0.534522²) =
    /// 0.534522; to 2, √(1.069045² + 2²) = 2.267787; to 3, √(2.672612² +
    /// 2²) = 3.338092. With weights (1, 0) unit 2 is nearer unit 1 (0.534522)
    /// than unit 0 (1.069045), and with weights (0, 1) unit 1 is at 0 from
    /// unit 0 while units 2 and 3 tie at 2, broken by index.
    #[test]
    fn nearest_by_hand() {
        let cols = vec![vec![0.0, 1.0, 2.0, 5.0], vec![10.0, 10.0, 30.0, 30.0]];
        let rows = weighted_z(&cols, &[1.0, 1.0]).unwrap();
        let n = nearest(&rows, 0, 3);
        let want = [(1, 0.534_522_483_8), (2, 2.267_786_838), (3, 3.338_091_842)];
        for (got, want) in n.iter().zip(want) {
            assert_eq!(got.0, want.0);
            assert!((got.1 - want.1).abs() < 1e-9, "{got:?} {want:?}");
        }
        let rows = weighted_z(&cols, &[1.0, 0.0]).unwrap();
        let n = nearest(&rows, 2, 2);
        assert_eq!(n.iter().map(|p| p.0).collect::<Vec<_>>(), vec![1, 0]);
        assert!((n[0].1 - 0.534_522_483_8).abs() < 1e-9);
        let rows = weighted_z(&cols, &[0.0, 1.0]).unwrap();
        let n = nearest(&rows, 1, 2);
        assert_eq!(n, vec![(0, 0.0), (2, 2.0)]);
        // k larger than the others: all of them.
        assert_eq!(nearest(&rows, 1, 10).len(), 3);
    }

    #[test]
    fn weights_scale_distances() {
        // Weight 1/√2 on each of two identical columns gives the distance of
        // one column with weight 1.
        let one = weighted_z(&[vec![1.0, 2.0, 4.0]], &[1.0]).unwrap();
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let two = weighted_z(&[vec![1.0, 2.0, 4.0], vec![1.0, 2.0, 4.0]], &[h, h]).unwrap();
        assert!((distance(&one[0], &one[2]) - distance(&two[0], &two[2])).abs() < 1e-12);
        assert!(weighted_z(&[vec![1.0], vec![1.0, 2.0]], &[1.0, 1.0]).is_none());
        assert!(weighted_z(&[vec![1.0]], &[-1.0]).is_none());
    }
}
