//! A strict GeoJSON reader for boundary files: a `FeatureCollection` of
//! `Polygon`/`MultiPolygon` features, each with an identifying property.
//! Coordinates must be finite longitude/latitude pairs and every ring must
//! be closed with at least four positions.

use crate::{Loaded, Location, Problem, SourceError};
use serde::Deserialize;
use serde_json::Value;

/// A ring: closed list of `[lon, lat]`.
pub type Ring = Vec<[f64; 2]>;
/// A polygon: outer ring then holes.
pub type Polygon = Vec<Ring>;

/// One boundary feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The value of the identifying property (e.g. `PCON24CD`).
    pub id: String,
    /// All properties, for names and other labels.
    pub properties: serde_json::Map<String, Value>,
    /// Polygons (a `Polygon` feature has one).
    pub polygons: Vec<Polygon>,
}

#[derive(Deserialize)]
struct RawCollection {
    #[serde(rename = "type")]
    kind: String,
    features: Vec<RawFeature>,
}

#[derive(Deserialize)]
struct RawFeature {
    #[serde(default)]
    properties: Option<serde_json::Map<String, Value>>,
    geometry: Option<RawGeometry>,
}

#[derive(Deserialize)]
struct RawGeometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Value,
}

fn ring(v: &Value, loc: &Location, what: &str) -> Result<Ring, SourceError> {
    let bad = |m: &str| SourceError::new(loc.clone(), Problem::Invalid(format!("{what}: {m}")));
    let points = v.as_array().ok_or_else(|| bad("a ring is not an array"))?;
    let ring: Ring = points
        .iter()
        .map(|p| match p.as_array().map(Vec::as_slice) {
            Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y))
                    if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) =>
                {
                    Ok([x, y])
                }
                _ => Err(bad(&format!(
                    "position {p} is not a longitude/latitude pair"
                ))),
            },
            _ => Err(bad(&format!("position {p} is not an array of two numbers"))),
        })
        .collect::<Result<_, _>>()?;
    if ring.len() < 4 || ring.first() != ring.last() {
        return Err(bad(
            "a ring must be closed and have at least four positions",
        ));
    }
    Ok(ring)
}

fn polygon(v: &Value, loc: &Location, what: &str) -> Result<Polygon, SourceError> {
    v.as_array()
        .filter(|rings| !rings.is_empty())
        .ok_or_else(|| {
            SourceError::new(
                loc.clone(),
                Problem::Invalid(format!("{what}: a polygon has no rings")),
            )
        })?
        .iter()
        .map(|r| ring(r, loc, what))
        .collect()
}

/// Reads a boundary `FeatureCollection`, identifying features by `id_property`.
pub fn read_geojson(loaded: &Loaded<'_>, id_property: &str) -> Result<Vec<Feature>, SourceError> {
    let raw: RawCollection = crate::parse_json(loaded)?;
    let loc = &loaded.location;
    if raw.kind != "FeatureCollection" {
        return Err(SourceError::new(
            loc.clone(),
            Problem::Invalid(format!(
                "type is {:?}, expected \"FeatureCollection\"",
                raw.kind
            )),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    raw.features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let what = format!("feature {}", i + 1);
            let properties = f.properties.unwrap_or_default();
            let id = properties
                .get(id_property)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    SourceError::new(
                        loc.at_column(id_property),
                        Problem::Invalid(format!("{what} has no {id_property} property")),
                    )
                })?
                .to_owned();
            if !seen.insert(id.clone()) {
                return Err(SourceError::new(
                    loc.at_column(id_property),
                    Problem::Duplicate(id),
                ));
            }
            let what = format!("{what} ({id})");
            let g = f.geometry.ok_or_else(|| {
                SourceError::new(
                    loc.clone(),
                    Problem::Invalid(format!("{what} has no geometry")),
                )
            })?;
            let polygons = match g.kind.as_str() {
                "Polygon" => vec![polygon(&g.coordinates, loc, &what)?],
                "MultiPolygon" => g
                    .coordinates
                    .as_array()
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| {
                        SourceError::new(
                            loc.clone(),
                            Problem::Invalid(format!("{what}: empty MultiPolygon")),
                        )
                    })?
                    .iter()
                    .map(|p| polygon(p, loc, &what))
                    .collect::<Result<_, _>>()?,
                other => {
                    return Err(SourceError::new(
                        loc.clone(),
                        Problem::Invalid(format!(
                            "{what}: geometry {other:?} is not a Polygon or MultiPolygon"
                        )),
                    ))
                }
            };
            Ok(Feature {
                id,
                properties,
                polygons,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalogue, SourceEntry};

    fn entry() -> SourceEntry {
        Catalogue::embedded()
            .get("pcon2024_uk_buc")
            .unwrap()
            .clone()
    }

    fn read(text: &str) -> Result<Vec<Feature>, SourceError> {
        let e = entry();
        let loaded = Loaded {
            entry: &e,
            bytes: text.as_bytes().to_vec(),
            location: Location::file("b.geojson"),
        };
        read_geojson(&loaded, "CODE")
    }

    const SQUARE: &str = "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]";

    #[test]
    fn reads_polygons_and_multipolygons() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","properties":{{"CODE":"A","NAME":"Northam"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}},
              {{"type":"Feature","properties":{{"CODE":"B"}},"geometry":{{"type":"MultiPolygon","coordinates":[{SQUARE},{SQUARE}]}}}}]}}"#
        );
        let f = read(&text).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].properties["NAME"], "Northam");
        assert_eq!(f[1].polygons.len(), 2);
        assert_eq!(f[0].polygons[0][0][2], [1.0, 1.0]);
    }

    #[test]
    fn refuses_open_rings_missing_ids_and_points() {
        let open = r#"{"type":"FeatureCollection","features":[{"properties":{"CODE":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}"#;
        assert!(read(open)
            .unwrap_err()
            .to_string()
            .contains("feature 1 (A): a ring must be closed"));
        let no_id = format!(
            r#"{{"type":"FeatureCollection","features":[{{"properties":{{}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}]}}"#
        );
        assert_eq!(
            read(&no_id).unwrap_err().to_string(),
            "b.geojson, column \"CODE\": feature 1 has no CODE property"
        );
        let point = r#"{"type":"FeatureCollection","features":[{"properties":{"CODE":"A"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
        assert!(read(point)
            .unwrap_err()
            .to_string()
            .contains("is not a Polygon or MultiPolygon"));
        assert!(read("{\"type\":\"Feature\"")
            .unwrap_err()
            .to_string()
            .starts_with("b.geojson, row 1: malformed JSON"));
    }
}
