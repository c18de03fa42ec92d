//! The embedded store: one SQLite file holding the geography registry, the
//! source catalogue as used, the indicator catalogue and every observation.
//!
//! This is the only crate that knows SQL. A build writes a new file beside
//! the old one ([`StoreWriter`]) and renames it over the old one only in
//! [`StoreWriter::commit`]; a build that fails or is dropped midway deletes
//! its temporary file and leaves the previous store untouched.

mod key;
mod read;
mod schema;
mod write;

pub use read::{seat_kind, Store};
pub use write::StoreWriter;

use stemgap_core::{AreaKind, Nation};

/// Errors from the store. SQL errors are wrapped with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no store at {0}: build one with `stemgap build --sources DIR --db {0}`")]
    Missing(String),
    #[error("{path}: not a stemgap store, or one from an incompatible version (schema {found:?}, expected {expected})")]
    Schema {
        path: String,
        found: Option<String>,
        expected: String,
    },
    #[error("store {path}: {what}: {source}")]
    Sql {
        path: String,
        what: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("store {path}: {what}: {source}")]
    Io {
        path: String,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("store {path}: {count} distinct {what} labels, more than the {max} an observation key holds")]
    Capacity {
        path: String,
        what: &'static str,
        count: usize,
        max: usize,
    },
    #[error("store {path}: {what} {key} given twice")]
    Duplicate {
        path: String,
        what: &'static str,
        key: String,
    },
    #[error("store {path}: corrupt value {value:?} in {what}")]
    Corrupt {
        path: String,
        what: &'static str,
        value: String,
    },
}

/// A source as recorded in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub licence: String,
    pub url: String,
    /// The publisher's own page for the data; empty where not recorded.
    pub publisher_url: String,
    pub path: String,
    pub sha256: String,
    pub format: String,
    pub geography: String,
    pub boundary: String,
    pub period: String,
    pub nations: Vec<Nation>,
    pub notes: String,
    /// Whether this build read the file.
    pub used: bool,
}

/// A geographic area of any kind: a seat of either set, a region, a local
/// authority, a small area.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// What the area is (stored by its name: `pcon2010`, `lad23`, ...).
    pub kind: AreaKind,
    pub code: String,
    pub name: String,
    pub nation: Option<Nation>,
    /// Region code (E12…, or the nation's code outside England).
    pub region: Option<String>,
}

/// A weighted link between two areas: a small area's share in a seat, a
/// seat's overlap with a seat of the other set or with a local authority.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// e.g. `small_area->pcon2024`.
    pub relation: String,
    pub from: String,
    pub to: String,
    /// Share of `from`'s population that lies in `to` (0..1).
    pub weight: f64,
    /// Population in the overlap, where known.
    pub population: Option<f64>,
}

/// Position of a seat on a hex cartogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Hex {
    pub kind: AreaKind,
    pub code: String,
    pub q: i32,
    pub r: i32,
}

/// A seat's outline for a boundary map: an SVG path (draw with
/// `fill-rule="evenodd"`) in its set's frame, whose view box is the meta
/// value [`outline_view_box_key`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    /// The seat kind: [`AreaKind::Pcon2010`] or [`AreaKind::Pcon2024`].
    pub kind: AreaKind,
    pub code: String,
    pub path: String,
}

/// The meta key holding a seat kind's outline view box, `min_x min_y width
/// height`.
pub fn outline_view_box_key(kind: AreaKind) -> String {
    format!("outline_view_box:{kind}")
}

/// The meta key holding a seat kind's inset, `name|min_x min_y width
/// height`: part of the map drawn again, enlarged (London).
pub fn outline_inset_key(kind: AreaKind) -> String {
    format!("outline_inset:{kind}")
}

/// The member of parliament elected for a 2024 seat at a general election,
/// with the result (table `member`, schema 4).
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The 2024 seat's GSS code.
    pub code: String,
    pub first_name: String,
    pub surname: String,
    /// The party as published (e.g. `Lab`) and its name (`Labour`).
    pub party_code: String,
    pub party: String,
    /// Votes between the winner and the runner-up.
    pub majority: i64,
    /// The majority as a percentage of valid votes.
    pub majority_share: f64,
    /// Valid votes as a percentage of the electorate.
    pub turnout: f64,
    pub electorate: i64,
    pub valid_votes: i64,
    /// When elected, e.g. `July 2024`.
    pub elected: String,
    /// The source id.
    pub source: String,
}

/// A higher-education provider or teaching location and the seat it was
/// placed in, in each boundary set, or why it could not be.
#[derive(Debug, Clone, PartialEq)]
pub struct Institution {
    /// `provider` (by its address) or `location` (a teaching location, by
    /// its coordinates).
    pub kind: String,
    /// Provider: its PUBUKPRN; location: the UKPRN that lists it.
    pub ukprn: String,
    /// The location's LOCID; empty for a provider.
    pub locid: String,
    pub name: String,
    /// Location: the provider teaching there (LOCUKPRN), when given.
    pub partner: Option<String>,
    /// Provider: the normalised postcode of its address, when it has one.
    pub postcode: Option<String>,
    /// Location: the coordinates as published.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Location: the point placed (the published one, or its correction).
    pub place_lat: Option<f64>,
    pub place_lon: Option<f64>,
    /// Seat and how it was found, per set (2010, 2024); `None` when not placed.
    pub seat_2010: Option<String>,
    pub route_2010: Option<String>,
    pub seat_2024: Option<String>,
    pub route_2024: Option<String>,
    /// Whether it taught a STEM subject in Unistats 2018/19; `None` when unknown.
    pub stem: Option<bool>,
    /// How the STEM flag was found (`location 2018/19`, `provider 2018/19`).
    pub stem_route: Option<String>,
    /// Why it is unplaced in a set, or what was flagged or corrected.
    pub problem: Option<String>,
}

impl Institution {
    /// The seat in one boundary set, if placed there.
    pub fn seat(&self, set: stemgap_core::BoundarySet) -> Option<&str> {
        match set {
            stemgap_core::BoundarySet::Pcon2010 => self.seat_2010.as_deref(),
            stemgap_core::BoundarySet::Pcon2024 => self.seat_2024.as_deref(),
        }
    }

    /// How it was placed in one boundary set.
    pub fn route(&self, set: stemgap_core::BoundarySet) -> Option<&str> {
        match set {
            stemgap_core::BoundarySet::Pcon2010 => self.route_2010.as_deref(),
            stemgap_core::BoundarySet::Pcon2024 => self.route_2024.as_deref(),
        }
    }
}
