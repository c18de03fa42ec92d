//! The observation table's key and labels.
//!
//! An observation is identified by (boundary set, indicator, area code,
//! period). Those are stored once, in the `label` table (kind `indicator`,
//! `code`, `period` and `source`, each numbered in sorted string order), and
//! the observation row carries them packed into its integer primary key:
//!
//! ```text
//! key = boundary · 2⁴⁸ + indicator · 2³⁴ + code · 2¹² + period
//!        (2 bits)        (14 bits)         (22 bits)    (12 bits)
//! ```
//!
//! with boundary 0 for areas that are not seats, 1 for the 2010 set and 2
//! for the 2024 set. Because the labels are numbered in string order, key
//! order is (boundary, indicator, code, period) order, so one boundary
//! set's rows, or one indicator's, are a single range of keys, read in the
//! order the readers want. Integer keys inserted in increasing order are
//! appends to SQLite's table B-tree: the text primary key this replaces
//! spent most of the build's insert time comparing strings.

use stemgap_core::BoundarySet;

const PERIOD_BITS: u32 = 12;
const CODE_BITS: u32 = 22;
const INDICATOR_BITS: u32 = 14;
const CODE_SHIFT: u32 = PERIOD_BITS;
const INDICATOR_SHIFT: u32 = CODE_SHIFT + CODE_BITS;
const BOUNDARY_SHIFT: u32 = INDICATOR_SHIFT + INDICATOR_BITS;

/// The kinds of label, as stored in `label.kind`.
pub(crate) const KINDS: [&str; 4] = ["indicator", "code", "period", "source"];

/// How many labels of each kind a key can hold, in `KINDS` order (sources
/// are not in the key; their number is a column).
pub(crate) const CAPACITY: [usize; 4] = [
    1 << INDICATOR_BITS,
    1 << CODE_BITS,
    1 << PERIOD_BITS,
    i64::MAX as usize,
];

pub(crate) fn boundary_number(b: Option<BoundarySet>) -> i64 {
    match b {
        None => 0,
        Some(BoundarySet::Pcon2010) => 1,
        Some(BoundarySet::Pcon2024) => 2,
    }
}

/// Packs a key; the numbers must be below their `CAPACITY`.
pub(crate) fn pack(boundary: Option<BoundarySet>, indicator: u32, code: u32, period: u32) -> i64 {
    debug_assert!((indicator as usize) < CAPACITY[0]);
    debug_assert!((code as usize) < CAPACITY[1]);
    debug_assert!((period as usize) < CAPACITY[2]);
    (boundary_number(boundary) << BOUNDARY_SHIFT)
        | (i64::from(indicator) << INDICATOR_SHIFT)
        | (i64::from(code) << CODE_SHIFT)
        | i64::from(period)
}

/// (indicator, code, period) numbers of a key.
pub(crate) fn unpack(key: i64) -> (usize, usize, usize) {
    let field = |shift: u32, bits: u32| ((key >> shift) & ((1 << bits) - 1)) as usize;
    (
        field(INDICATOR_SHIFT, INDICATOR_BITS),
        field(CODE_SHIFT, CODE_BITS),
        field(0, PERIOD_BITS),
    )
}

/// The half-open range of keys of one boundary set, or of one indicator in
/// it.
pub(crate) fn range(boundary: Option<BoundarySet>, indicator: Option<u32>) -> (i64, i64) {
    let b = boundary_number(boundary) << BOUNDARY_SHIFT;
    match indicator {
        None => (b, b + (1 << BOUNDARY_SHIFT)),
        Some(i) => {
            let lo = b | (i64::from(i) << INDICATOR_SHIFT);
            (lo, lo + (1 << INDICATOR_SHIFT))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_as_their_parts_and_unpack() {
        let a = pack(Some(BoundarySet::Pcon2024), 3, 7, 2);
        let b = pack(Some(BoundarySet::Pcon2024), 3, 8, 0);
        let c = pack(Some(BoundarySet::Pcon2024), 4, 0, 0);
        let d = pack(None, 16_383, 4_194_303, 4_095);
        assert!(d < a && a < b && b < c);
        assert_eq!(unpack(a), (3, 7, 2));
        assert_eq!(unpack(d), (16_383, 4_194_303, 4_095));
        let (lo, hi) = range(Some(BoundarySet::Pcon2024), Some(3));
        assert!(lo <= a && b < hi && c >= hi);
        let (lo, hi) = range(None, None);
        assert!(lo <= d && d < hi && a >= hi);
        let (lo, hi) = range(Some(BoundarySet::Pcon2010), None);
        assert!(hi <= a && lo > d);
    }
}
