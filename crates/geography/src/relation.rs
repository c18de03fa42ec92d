//! Relations between areas, typed.
//!
//! A [`Link`] joins two areas by a [`Relation`]. The store keeps a relation
//! as its name (`small_area->pcon2024`, `border:pcon2010`, …): that string
//! form exists only at the store boundary ([`Link::to_store`],
//! [`Link::from_store`]; [`Relation::from_str`] refuses an unknown name with
//! [`GeographyError::UnknownRelation`]). Everywhere else code matches on the
//! enum, so a misspelt relation is a compile error, not an empty filter.

use crate::GeographyError;
use std::fmt;
use std::str::FromStr;
use stemgap_core::BoundarySet;

/// How two areas are linked (the `from` area first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// A seat's population overlap with a seat of the other set (weight:
    /// the share of `from`'s population in `to`; population: the overlap's
    /// people, mid-2019). `pcon2010->pcon2024`, `pcon2024->pcon2010`.
    SeatOverlap { from: BoundarySet },
    /// A 2024 seat's population overlap with a 2023 local authority.
    /// `pcon2024->lad23`.
    SeatToLad23,
    /// A 2023 local authority (district) and its 2019 upper-tier authority
    /// (local education authority). `lad23->utla19`.
    Lad23ToUtla19,
    /// A small area (LSOA 2011, data zone 2011, NI SOA 2001) and a seat: its
    /// postcode best fit for the 2010-2024 set, its population overlap for
    /// the 2024 set. `small_area->pcon2010`, `small_area->pcon2024`.
    SmallAreaToSeat(BoundarySet),
    /// Two seats of a set sharing a border (weight: its length in metres),
    /// stored both ways. `border:pcon2010`, `border:pcon2024`.
    Border(BoundarySet),
    /// A seat without a land border and its nearest seat (weight: the
    /// distance in metres), stored both ways. `nearest:pcon2010`,
    /// `nearest:pcon2024`.
    Nearest(BoundarySet),
}

use BoundarySet::{Pcon2010, Pcon2024};

impl Relation {
    /// Every relation, in the order of their names.
    pub const ALL: [Relation; 10] = [
        Relation::Border(Pcon2010),
        Relation::Border(Pcon2024),
        Relation::Lad23ToUtla19,
        Relation::Nearest(Pcon2010),
        Relation::Nearest(Pcon2024),
        Relation::SeatOverlap { from: Pcon2010 },
        Relation::SeatToLad23,
        Relation::SeatOverlap { from: Pcon2024 },
        Relation::SmallAreaToSeat(Pcon2010),
        Relation::SmallAreaToSeat(Pcon2024),
    ];

    /// The relation's name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::SeatOverlap { from: Pcon2010 } => "pcon2010->pcon2024",
            Relation::SeatOverlap { from: Pcon2024 } => "pcon2024->pcon2010",
            Relation::SeatToLad23 => "pcon2024->lad23",
            Relation::Lad23ToUtla19 => "lad23->utla19",
            Relation::SmallAreaToSeat(Pcon2010) => "small_area->pcon2010",
            Relation::SmallAreaToSeat(Pcon2024) => "small_area->pcon2024",
            Relation::Border(Pcon2010) => "border:pcon2010",
            Relation::Border(Pcon2024) => "border:pcon2024",
            Relation::Nearest(Pcon2010) => "nearest:pcon2010",
            Relation::Nearest(Pcon2024) => "nearest:pcon2024",
        }
    }

    /// Every relation's name, in order.
    pub fn names() -> Vec<&'static str> {
        Relation::ALL.iter().map(|r| r.as_str()).collect()
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Relation {
    type Err = GeographyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Relation::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| GeographyError::UnknownRelation(s.to_owned()))
    }
}

/// A weighted link between two areas.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub relation: Relation,
    pub from: String,
    pub to: String,
    /// Share of `from`'s population that lies in `to` (0..1), or a border's
    /// length or an island's distance in metres (see [`Relation`]).
    pub weight: f64,
    /// Population in the overlap, where known.
    pub population: Option<f64>,
}

impl Link {
    /// The link as the store keeps it (the relation by name).
    pub fn to_store(&self) -> stemgap_store::Link {
        stemgap_store::Link {
            relation: self.relation.as_str().to_owned(),
            from: self.from.clone(),
            to: self.to.clone(),
            weight: self.weight,
            population: self.population,
        }
    }

    /// A link read back from the store; an unknown relation name is an error.
    pub fn from_store(l: stemgap_store::Link) -> Result<Link, GeographyError> {
        Ok(Link {
            relation: l.relation.parse()?,
            from: l.from,
            to: l.to,
            weight: l.weight,
            population: l.population,
        })
    }
}

/// Links as the store keeps them.
pub fn to_store(links: &[Link]) -> Vec<stemgap_store::Link> {
    links.iter().map(Link::to_store).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_relation_round_trips_through_its_name_and_names_are_distinct() {
        let mut names = Relation::names();
        for r in Relation::ALL {
            assert_eq!(r.as_str().parse::<Relation>(), Ok(r));
            assert_eq!(r.to_string(), r.as_str());
        }
        let n = names.len();
        // ALL is listed in name order (the store's order of relations).
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn an_unknown_relation_is_an_error_naming_it_and_the_known_ones() {
        let e = "lad23->utla23".parse::<Relation>().unwrap_err();
        assert_eq!(e, GeographyError::UnknownRelation("lad23->utla23".into()));
        let msg = e.to_string();
        assert!(msg.contains("\"lad23->utla23\""), "{msg}");
        assert!(msg.contains("lad23->utla19"), "{msg}");
        assert!(msg.contains("border:pcon2024"), "{msg}");
        let stored = stemgap_store::Link {
            relation: "Border:pcon2024".into(),
            from: "E14001001".into(),
            to: "E14001002".into(),
            weight: 1.0,
            population: None,
        };
        assert!(Link::from_store(stored).is_err());
    }

    #[test]
    fn links_go_to_the_store_and_back_unchanged() {
        let l = Link {
            relation: Relation::SmallAreaToSeat(Pcon2024),
            from: "E01000001".into(),
            to: "E14001172".into(),
            weight: 0.25,
            population: Some(400.0),
        };
        let stored = l.to_store();
        assert_eq!(stored.relation, "small_area->pcon2024");
        assert_eq!(Link::from_store(stored), Ok(l));
    }
}
