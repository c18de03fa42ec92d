//! stemgap's geography: every area the observatory knows, how areas relate,
//! and the one way figures move from authorities and small areas to seats.
//!
//! * [`registry`]: both seat sets (names, nations, regions, hexes), regions,
//!   local authorities (2019 and 2023), small areas and the links between
//!   them, read from the lookup files and cross-checked; [`upper_tier`]
//!   adds each English district's 2019 upper-tier authority.
//! * [`relation`]: the typed relations between areas ([`Relation`]), with
//!   their string form used only at the store boundary, and [`Link`].
//! * [`topology`]: TopoJSON boundaries decoded once, and the contiguity
//!   graph of each set built from their shared arcs.
//! * [`shapes`]: each seat's outline for the boundary map.
//! * [`seatmap`]: point-in-polygon and point-to-seat distances.
//! * [`postcodes`]: the postcode range → 2024 seat lookup.
//! * [`apportion`]: authority codes followed through reorganisations,
//!   population shares of authorities among seats (from small areas), small
//!   areas' shares and population weights in seats, each seat's authority
//!   parts, and [`apportion::to_seats`], the one authority → seat loop.
//!
//! Files are read through [`Sources`], so the build can record what it read.

pub mod apportion;
pub mod postcodes;
pub mod registry;
pub mod relation;
pub mod seatmap;
pub mod shapes;
pub mod topology;
pub mod upper_tier;

pub use registry::{name_key, Registry, Seat};
pub use relation::{Link, Relation};

use stemgap_sources::{Loaded, SourceError};

/// Where the geography's files come from: loaded and checksummed by the
/// caller (the build's inputs record which files a build read).
pub trait Sources {
    /// Loads and checksums a catalogued source.
    fn load(&self, id: &str) -> Result<Loaded<'_>, SourceError>;
    /// Whether the catalogue in use lists a source.
    fn catalogued(&self, id: &str) -> bool;
}

/// Why geography read from elsewhere (a store) cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GeographyError {
    /// A relation name that is none of [`Relation`]'s.
    #[error("unknown relation {0:?} between areas (known: {known})", known = Relation::names().join(", "))]
    UnknownRelation(String),
}
