//! GeoJSON (RFC 7946) of a boundary set: one Feature per seat, its
//! outline as a MultiPolygon in WGS84 longitude/latitude, and the wide
//! table's row (code, name, nation, region by name, every indicator's
//! latest value, rounded) as its properties.
//!
//! **Geometry.** The store keeps each seat's outline as the SVG path the
//! atlas's boundary maps draw (`stemgap_ingest::shapes`), not the source
//! boundaries: Douglas–Peucker simplified per shared border with a
//! tolerance of 0.5 map units (about 550 m), vertices rounded to tenths of
//! a unit, islets under about 0.6 km² dropped (a seat keeps its largest
//! polygon). Here the path's projection — a plate carrée stretched by
//! cos 54.5°, 100 units per degree of latitude, north up — is inverted:
//! latitude comes back exact to 0.001°, longitude to 0.0001° (the grid is
//! 0.001° of latitude by about 0.0017° of longitude, roughly 110 m).
//! Neighbouring seats share their simplified borders exactly, so the map
//! has no gaps or slivers; it is for mapping, not for measuring areas.
//!
//! Rings are closed (first point repeated), exteriors anticlockwise and
//! holes clockwise as RFC 7946 asks; a ring is a hole when it lies inside
//! the polygon drawn just before it (the path writes each polygon's
//! exterior, then its holes).

use super::table::{Table, Value};
use serde_json::{json, Map, Value as Json};

/// The map projection of `stemgap_ingest::shapes` (checked against it in
/// the tests): longitude at the frame's left, latitude at its top, units
/// per degree of latitude, and the latitude whose cosine stretches
/// longitude.
const LON0: f64 = -9.0;
const LAT0: f64 = 61.0;
const UNITS_PER_DEGREE: f64 = 100.0;
const MIDDLE_LATITUDE: f64 = 54.5;

/// Tenths of a map unit.
type Point = (i64, i64);

/// The rings of a stored outline path (`M x y l dx dy … z`, numbers in
/// units with at most one decimal, a minus sign separating numbers by
/// itself), in tenths of a unit, without the closing point. `None` for a
/// path this module does not understand.
pub fn rings(path: &str) -> Option<Vec<Vec<Point>>> {
    let b = path.as_bytes();
    let mut i = 0;
    let mut out: Vec<Vec<Point>> = Vec::new();
    let number = |i: &mut usize| -> Option<i64> {
        while *i < b.len() && b[*i] == b' ' {
            *i += 1;
        }
        let neg = b.get(*i) == Some(&b'-');
        if neg {
            *i += 1;
        }
        let start = *i;
        let mut whole: i64 = 0;
        while *i < b.len() && b[*i].is_ascii_digit() {
            whole = whole
                .checked_mul(10)?
                .checked_add(i64::from(b[*i] - b'0'))?;
            *i += 1;
        }
        if *i == start {
            return None;
        }
        let mut tenths = whole.checked_mul(10)?;
        if b.get(*i) == Some(&b'.') {
            let d = *b.get(*i + 1)?;
            if !d.is_ascii_digit() {
                return None;
            }
            tenths += i64::from(d - b'0');
            *i += 2;
        }
        Some(if neg { -tenths } else { tenths })
    };
    while i < b.len() {
        match b[i] {
            b'M' => {
                i += 1;
                let x = number(&mut i)?;
                let y = number(&mut i)?;
                let mut ring = vec![(x, y)];
                if b.get(i) == Some(&b'l') {
                    i += 1;
                    let (mut x, mut y) = (x, y);
                    while i < b.len() && b[i] != b'z' {
                        x += number(&mut i)?;
                        y += number(&mut i)?;
                        ring.push((x, y));
                    }
                }
                if b.get(i) != Some(&b'z') {
                    return None;
                }
                i += 1;
                out.push(ring);
            }
            b' ' => i += 1,
            _ => return None,
        }
    }
    Some(out)
}

/// Whether `p` lies inside `ring` (ray casting; on the edge counts either way).
fn inside(p: Point, ring: &[Point]) -> bool {
    let mut hit = false;
    let n = ring.len();
    for k in 0..n {
        let (a, b) = (ring[k], ring[(k + 1) % n]);
        if (a.1 > p.1) != (b.1 > p.1) {
            // x where the edge crosses the horizontal line through p.
            let t = (p.1 - a.1) as f64 / (b.1 - a.1) as f64;
            let x = a.0 as f64 + t * (b.0 - a.0) as f64;
            if (p.0 as f64) < x {
                hit = !hit;
            }
        }
    }
    hit
}

/// Longitude and latitude of a point given in tenths of a map unit.
pub fn lon_lat((x, y): Point) -> [f64; 2] {
    let k = MIDDLE_LATITUDE.to_radians().cos();
    let lon = LON0 + (x as f64 / 10.0) / (k * UNITS_PER_DEGREE);
    let lat = LAT0 - (y as f64 / 10.0) / UNITS_PER_DEGREE;
    [
        (lon * 10_000.0).round() / 10_000.0,
        (lat * 1_000.0).round() / 1_000.0,
    ]
}

/// Twice the signed area of a closed lon/lat ring (positive: anticlockwise).
fn area2(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum()
}

/// A closed lon/lat ring, turned anticlockwise (`ccw`) or clockwise.
fn oriented(ring: &[Point], ccw: bool) -> Vec<[f64; 2]> {
    let mut r: Vec<[f64; 2]> = ring.iter().map(|&p| lon_lat(p)).collect();
    if let Some(&first) = r.first() {
        r.push(first);
    }
    if (area2(&r) > 0.0) != ccw {
        r.reverse();
    }
    r
}

/// A stored outline as a GeoJSON MultiPolygon's `coordinates`.
pub fn multipolygon(path: &str) -> Option<Json> {
    let rings = rings(path)?;
    let mut polygons: Vec<Vec<Vec<Point>>> = Vec::new();
    for ring in rings {
        let hole = polygons
            .last()
            .is_some_and(|p: &Vec<Vec<Point>>| ring.first().is_some_and(|&q| inside(q, &p[0])));
        match polygons.last_mut() {
            Some(p) if hole => p.push(ring),
            _ => polygons.push(vec![ring]),
        }
    }
    let coordinates: Vec<Json> = polygons
        .iter()
        .map(|p| {
            json!(p
                .iter()
                .enumerate()
                .map(|(j, r)| oriented(r, j == 0))
                .collect::<Vec<_>>())
        })
        .collect();
    Some(json!(coordinates))
}

/// The FeatureCollection of a wide table (`paths` indexed like its rows;
/// a seat without an outline gets a null geometry).
pub fn feature_collection(table: &Table<'_>, paths: &[Option<&str>]) -> Json {
    let features: Vec<Json> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut properties = Map::new();
            for (c, v) in table.columns.iter().zip(row) {
                properties.insert(
                    c.name.to_owned(),
                    match v {
                        Value::Null => Json::Null,
                        Value::Text(s) => json!(s),
                        Value::Number(x) => json!(x),
                    },
                );
            }
            let geometry = paths
                .get(i)
                .copied()
                .flatten()
                .and_then(multipolygon)
                .map_or(
                    Json::Null,
                    |c| json!({"type": "MultiPolygon", "coordinates": c}),
                );
            json!({
                "type": "Feature",
                "id": properties.get("code").cloned().unwrap_or(Json::Null),
                "properties": properties,
                "geometry": geometry,
            })
        })
        .collect();
    let columns: Vec<Json> = table
        .columns
        .iter()
        .filter_map(|c| {
            c.indicator.map(|d| {
                json!({"name": c.name, "title": c.title, "unit": d.unit, "period": c.period, "method": d.method.id()})
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "name": table.title(),
        "description": format!("{} Geometry: the atlas's map outlines in WGS84 longitude/latitude, simplified (Douglas-Peucker, about 550 m, per shared border), islets under about 0.6 km2 dropped: for mapping, not for measuring areas.", table.description()),
        "columns": columns,
        "features": features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_in_tenths_with_relative_moves() {
        let r = rings("M12 3.5l10 0 0-2.5-10 0zM1 1l1 0 0 1z").unwrap();
        assert_eq!(
            r,
            vec![
                vec![(120, 35), (220, 35), (220, 10), (120, 10)],
                vec![(10, 10), (20, 10), (20, 20)]
            ]
        );
        assert_eq!(rings("M1 1l1"), None);
        assert_eq!(rings("X"), None);
    }

    #[test]
    fn holes_are_found_and_rings_closed_and_oriented() {
        // A 10x10 square with a 2x2 hole, then a separate island.
        let g =
            multipolygon("M0 0l100 0 0 100-100 0zM40 40l20 0 0 20-20 0zM200 0l10 0 0 10z").unwrap();
        let polygons = g.as_array().unwrap();
        assert_eq!(polygons.len(), 2);
        assert_eq!(polygons[0].as_array().unwrap().len(), 2, "square + hole");
        for (p, polygon) in polygons.iter().enumerate() {
            for (j, ring) in polygon.as_array().unwrap().iter().enumerate() {
                let pts: Vec<[f64; 2]> = serde_json::from_value(ring.clone()).unwrap();
                assert_eq!(pts.first(), pts.last(), "closed");
                assert_eq!(area2(&pts) > 0.0, j == 0, "polygon {p} ring {j}");
            }
        }
    }

    #[test]
    fn the_projection_is_inverted() {
        // The frame's top-left corner, and one degree of latitude south.
        assert_eq!(lon_lat((0, 0)), [-9.0, 61.0]);
        assert_eq!(lon_lat((0, 1000)), [-9.0, 60.0]);
        // One unit east at the middle latitude is 1/100 degree / cos 54.5°.
        let [lon, _] = lon_lat((10 * 58, 0));
        assert!((lon - (-9.0 + 0.58 / 54.5f64.to_radians().cos())).abs() < 1e-4);
    }
}
