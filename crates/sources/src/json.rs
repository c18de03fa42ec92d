use crate::{Loaded, Problem, SourceError};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parses a JSON source into `T`; errors name the file and line.
pub fn parse_json<T: DeserializeOwned>(loaded: &Loaded<'_>) -> Result<T, SourceError> {
    serde_json::from_slice(&loaded.bytes).map_err(|e| {
        SourceError::new(
            loaded.location.at_row(e.line() as u64),
            Problem::Json(format!("column {}: {e}", e.column())),
        )
    })
}

/// A HexJSON hex cartogram (<https://open-innovations.org/projects/hexmaps/hexjson>).
#[derive(Debug, Clone, Deserialize)]
pub struct HexJson {
    pub layout: String,
    pub hexes: BTreeMap<String, HexTile>,
}

/// One hex: its name, axial coordinates and optional region.
#[derive(Debug, Clone, Deserialize)]
pub struct HexTile {
    pub n: String,
    pub q: i32,
    pub r: i32,
    /// Region GSS code (2024 file).
    #[serde(default)]
    pub region: Option<String>,
    /// Region name (2010 file).
    #[serde(default)]
    pub a: Option<String>,
}
