//! [`AreaKind`]: what an area in the registry and the store is.

use crate::BoundarySet;
use std::fmt;

/// The kinds of area stemgap knows: seats of each boundary set, and the
/// geographies sources are published on. Stored as its [`as_str`](Self::as_str)
/// name (`area.kind`); anything else in a store is an error, not a string
/// that silently matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaKind {
    /// A Westminster seat of 2010-2024 (`pcon2010`).
    Pcon2010,
    /// A Westminster seat from July 2024 (`pcon2024`).
    Pcon2024,
    /// An English region, or a nation outside England (`region`).
    Region,
    /// A local authority district of 2019 (`lad19`), the vintage of the
    /// small-area lookups.
    Lad19,
    /// A local authority district of 2023 (`lad23`), the authorities
    /// figures are carried forward to.
    Lad23,
    /// An upper-tier local authority of 2019 (`utla19`).
    Utla19,
    /// A lower-layer super output area, 2011 (England and Wales: `lsoa11`).
    Lsoa11,
    /// A data zone, 2011 (Scotland: `dz11`).
    Dz11,
    /// A super output area, 2001 (Northern Ireland: `soa01`).
    Soa01,
}

impl AreaKind {
    pub const ALL: [AreaKind; 9] = [
        AreaKind::Pcon2010,
        AreaKind::Pcon2024,
        AreaKind::Region,
        AreaKind::Lad19,
        AreaKind::Lad23,
        AreaKind::Utla19,
        AreaKind::Lsoa11,
        AreaKind::Dz11,
        AreaKind::Soa01,
    ];

    /// The name stored in `area.kind` and used in link relations
    /// (`pcon2024->pcon2010`).
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Pcon2010 => "pcon2010",
            AreaKind::Pcon2024 => "pcon2024",
            AreaKind::Region => "region",
            AreaKind::Lad19 => "lad19",
            AreaKind::Lad23 => "lad23",
            AreaKind::Utla19 => "utla19",
            AreaKind::Lsoa11 => "lsoa11",
            AreaKind::Dz11 => "dz11",
            AreaKind::Soa01 => "soa01",
        }
    }

    /// The kind named `s`, if stemgap knows it.
    pub fn parse(s: &str) -> Option<AreaKind> {
        AreaKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The seats of a boundary set.
    pub fn seats(set: BoundarySet) -> AreaKind {
        match set {
            BoundarySet::Pcon2010 => AreaKind::Pcon2010,
            BoundarySet::Pcon2024 => AreaKind::Pcon2024,
        }
    }

    /// A local authority district of either vintage.
    pub fn is_district(self) -> bool {
        matches!(self, AreaKind::Lad19 | AreaKind::Lad23)
    }
}

impl fmt::Display for AreaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for k in AreaKind::ALL {
            assert_eq!(AreaKind::parse(k.as_str()), Some(k));
        }
        let mut names: Vec<_> = AreaKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AreaKind::ALL.len());
        assert_eq!(AreaKind::parse("lad21"), None);
        assert_eq!(AreaKind::parse("LAD19"), None);
    }

    #[test]
    fn seats_of_each_set() {
        assert_eq!(AreaKind::seats(BoundarySet::Pcon2010).as_str(), "pcon2010");
        assert_eq!(AreaKind::seats(BoundarySet::Pcon2024).as_str(), "pcon2024");
    }
}
