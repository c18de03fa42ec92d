//! The build pipeline: catalogued sources in, a complete store out.
//!
//! 1. [`registry`]: the geography registry (both seat sets, regions, local
//!    authorities, small areas and the links between them), validated
//!    against each other: a file naming a seat the registry does not know
//!    is an error, never a silently dropped row.
//! 2. [`indicators`]: one module per source family, each turning a
//!    per-seat table into indicator definitions and observations.
//! 3. The store is written to a temporary file and swapped in at the end.
//!
//! Every source file is read from disk once, checksummed once and parsed once.

pub mod indicators;
pub mod institutions;
pub mod members;
pub mod neighbours;
pub mod postcodes;
pub mod recipe;
pub mod registry;
pub mod seatmap;
pub mod shapes;

pub mod build;
mod error;
pub mod findings;

pub use build::{build, build_with, Progress, Summary};
pub use error::IngestError;
pub use indicators::Collector;
pub use registry::{Registry, Seat};
