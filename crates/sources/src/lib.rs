//! Sources: the catalogue of public files stemgap reads, their checksums,
//! fetching them, and strict readers for the formats they come in (CSV,
//! XLSX, JSON, GeoJSON, Parquet).
//!
//! Every reader works on bytes already loaded (and checksummed) by
//! [`SourceDir::load`], so each file is read from disk once and parsed once.
//! Every error names the file and, where there is one, the sheet, row and
//! column ([`Location`]).

mod catalogue;
mod cell;
mod csv_table;
mod error;
mod fetch;
mod geojson;
mod json;
mod load;
mod nomis;
mod parquet;
mod xlsx;
mod xlsx_plain;

pub use self::parquet::{ColumnKind, FloatColumn, IntColumn, ParquetTable, StrColumn};
pub use catalogue::{Catalogue, OptionalEntry, SourceEntry, LOCK_FILE};
pub use cell::parse_cell;
pub use csv_table::{csv_grid, CsvOptions, CsvTable, Encoding, GridLimits, Row};
pub use error::{Location, Problem, SourceError};
pub use fetch::{
    fetch_all, optional_status, FetchOutcome, FetchProgress, FetchReport, OptionalStatus, Origin,
};
pub use geojson::{read_geojson, Feature, Polygon, Ring};
pub use json::{parse_json, HexJson, HexTile, UniqueMap};
pub use load::{sha256_hex, Loaded, SourceDir, Status};
pub use nomis::{nomis_blocks, NomisBlock, NomisMeasure, NomisValue};
pub use xlsx::{column_letters, Grid, Workbook, XCell};
