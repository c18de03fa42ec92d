//! The build pipeline: catalogued sources in, a complete store out.
//!
//! 1. [`stemgap_geography::Registry`]: the geography registry (both seat
//!    sets, regions, local authorities, small areas and the links between
//!    them), validated against each other: a file naming a seat the registry
//!    does not know is an error, never a silently dropped row.
//! 2. [`indicators`]: one module per source family, each turning a
//!    per-seat table into indicator definitions and observations.
//! 3. The store is written to a temporary file and swapped in at the end.
//!
//! Every source file is read from disk once, checksummed once and parsed once.

pub mod indicators;
pub mod institutions;
pub mod members;
pub mod recipe;

pub mod build;
mod error;
pub mod findings;

pub use build::{build, build_with, Progress, Summary};
pub use error::IngestError;
pub use indicators::Collector;
/// The seat outlines' projection, re-exported for the web crate's
/// GeoJSON tests (`stemgap_ingest::shapes::LON0`).
pub use stemgap_geography::shapes;
pub use stemgap_geography::{Registry, Seat};

/// The geography reads its lookups through the build's inputs, so they are
/// recorded as read like every other source.
impl stemgap_geography::Sources for build::Inputs<'_> {
    fn load(&self, id: &str) -> Result<stemgap_sources::Loaded<'_>, stemgap_sources::SourceError> {
        build::Inputs::load(self, id)
    }
    fn catalogued(&self, id: &str) -> bool {
        build::Inputs::catalogued(self, id)
    }
}
