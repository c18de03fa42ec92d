//! Seat outlines for the web atlas's boundary maps, drawn once at build time
//! from the same TopoJSON the neighbours come from.
//!
//! Projection: a plate carrée stretched by cos 54.5° (the UK's middle
//! latitude), so that near the middle of the UK a unit east is as long as a
//! unit north; [`UNITS_PER_DEGREE`] units per degree of latitude (one unit is
//! about 1.1 km). North is up (y grows southwards, as in SVG). This is a map
//! for seeing where things are, not for measuring: distances and areas are
//! not preserved.
//!
//! Simplification is done per *arc*, before the rings are assembled: an arc
//! is a border shared by two seats, so both seats get exactly the same
//! simplified border and the map has no gaps or slivers. Douglas–Peucker
//! (geo's `Simplify`) with a tolerance of [`TOLERANCE`] units keeps each arc's
//! end points, which is what makes neighbouring rings meet. Polygons whose
//! outer ring encloses less than [`MIN_AREA`] square units after
//! simplification (islets) are dropped, except a seat's largest polygon, so
//! every seat keeps a shape; holes that small are dropped too.
//!
//! The result is an SVG path per seat (absolute first point, then relative
//! moves in tenths of a unit, `z` closing each ring; draw with
//! `fill-rule="evenodd"`) and the view box enclosing all of a set's seats.

use crate::topology::{ring, Topology};
use geo::{Coord, LineString, Simplify};
use std::fmt::Write as _;
use stemgap_core::GssCode;

/// The London region, drawn again enlarged in an inset.
pub const LONDON: &str = "E12000007";

/// Units per degree of latitude.
pub const UNITS_PER_DEGREE: f64 = 100.0;
/// Longitude at the left of the frame, and latitude at its top, before the
/// view box is fitted to the seats.
pub const LON0: f64 = -9.0;
pub const LAT0: f64 = 61.0;
/// Douglas–Peucker tolerance, in units (about 550 m: under a pixel on a
/// map of the UK 600 pixels wide).
pub const TOLERANCE: f64 = 0.5;
/// Smallest polygon kept besides a seat's largest, in square units
/// (about 0.6 km²).
pub const MIN_AREA: f64 = 0.5;

/// One seat's outline as an SVG path.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub code: GssCode,
    pub path: String,
    /// Smallest and largest x and y of the drawn points, in tenths of a
    /// unit: `[min_x, min_y, max_x, max_y]`.
    pub bounds: [i64; 4],
}

/// The view box (`min_x min_y width height`, in units) around some shapes
/// with a margin of `margin` units, or `None` for no shapes.
pub fn frame<'s>(shapes: impl IntoIterator<Item = &'s Shape>, margin: f64) -> Option<[f64; 4]> {
    let b = shapes.into_iter().map(|s| s.bounds).reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })?;
    let [x0, y0, x1, y1] = b.map(|t| t as f64 / 10.0);
    Some([
        x0 - margin,
        y0 - margin,
        x1 - x0 + 2.0 * margin,
        y1 - y0 + 2.0 * margin,
    ])
}

/// All of one boundary set's outlines and the view box around them
/// (`min_x min_y width height`, whole units).
#[derive(Debug, Clone, PartialEq)]
pub struct Shapes {
    pub view_box: [i64; 4],
    pub shapes: Vec<Shape>,
}

fn project([lon, lat]: [f64; 2]) -> Coord<f64> {
    let k = (54.5f64).to_radians().cos();
    Coord {
        x: (lon - LON0) * k * UNITS_PER_DEGREE,
        y: (LAT0 - lat) * UNITS_PER_DEGREE,
    }
}

/// Twice the signed area of a ring (shoelace), in square units.
fn area2(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum::<f64>()
        + ring
            .last()
            .zip(ring.first())
            .map_or(0.0, |(a, b)| a.x * b.y - b.x * a.y)
}

/// Tenths of a unit, rounded.
fn tenths(c: Coord<f64>) -> (i64, i64) {
    ((c.x * 10.0).round() as i64, (c.y * 10.0).round() as i64)
}

/// Writes tenths as a short decimal: `12`, `-0.4`, `3.5`.
fn number(out: &mut String, t: i64) {
    if t < 0 {
        out.push('-');
    }
    let a = t.unsigned_abs();
    let _ = write!(out, "{}", a / 10);
    if a % 10 != 0 {
        let _ = write!(out, ".{}", a % 10);
    }
}

/// Appends `x y` or `x-y` (a minus sign separates numbers by itself).
fn pair(out: &mut String, (x, y): (i64, i64), first: bool) {
    if !first && x >= 0 {
        out.push(' ');
    }
    number(out, x);
    if y >= 0 {
        out.push(' ');
    }
    number(out, y);
}

/// Draws one boundary set's seats.
pub fn draw(topo: &Topology) -> Shapes {
    // Each arc projected and simplified once, end points kept.
    let arcs: Vec<Vec<Coord<f64>>> = topo
        .arcs()
        .iter()
        .map(|arc| {
            let line = LineString::from(arc.iter().map(|&p| project(p)).collect::<Vec<_>>());
            line.simplify(TOLERANCE).0
        })
        .collect();
    let (mut lo, mut hi) = ((i64::MAX, i64::MAX), (i64::MIN, i64::MIN));
    let mut shapes = Vec::with_capacity(topo.seat_count());
    for (code, polygons) in topo.seat_polygons() {
        let mut rings: Vec<Vec<Vec<Coord<f64>>>> = polygons
            .iter()
            .map(|p| p.iter().map(|refs| ring(&arcs, refs)).collect())
            .collect();
        let outer_area = |p: &Vec<Vec<Coord<f64>>>| p.first().map_or(0.0, |r| area2(r).abs() / 2.0);
        let largest = (0..rings.len())
            .max_by(|&a, &b| outer_area(&rings[a]).total_cmp(&outer_area(&rings[b])));
        let mut kept = 0;
        let mut path = String::new();
        let mut bounds = [i64::MAX, i64::MAX, i64::MIN, i64::MIN];
        for (i, polygon) in rings.iter_mut().enumerate() {
            if Some(i) != largest && outer_area(polygon) < MIN_AREA {
                continue;
            }
            for (j, ring) in polygon.iter().enumerate() {
                if j > 0 && area2(ring).abs() / 2.0 < MIN_AREA {
                    continue;
                }
                // Rounded to tenths, repeated points dropped, the closing
                // point left to `z`.
                let mut pts: Vec<(i64, i64)> = ring.iter().map(|&c| tenths(c)).collect();
                pts.dedup();
                if pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
                if pts.len() < 3 {
                    continue;
                }
                kept += 1;
                path.push('M');
                pair(&mut path, pts[0], true);
                path.push('l');
                for (k, w) in pts.windows(2).enumerate() {
                    pair(&mut path, (w[1].0 - w[0].0, w[1].1 - w[0].1), k == 0);
                }
                path.push('z');
                for &(x, y) in &pts {
                    bounds = [
                        bounds[0].min(x),
                        bounds[1].min(y),
                        bounds[2].max(x),
                        bounds[3].max(y),
                    ];
                }
            }
        }
        debug_assert!(kept > 0, "{code} keeps its largest polygon");
        lo = (lo.0.min(bounds[0]), lo.1.min(bounds[1]));
        hi = (hi.0.max(bounds[2]), hi.1.max(bounds[3]));
        shapes.push(Shape { code, path, bounds });
    }
    let view_box = if shapes.is_empty() {
        [0, 0, 0, 0]
    } else {
        // Whole units, enclosing every point.
        let (x0, y0) = (lo.0.div_euclid(10), lo.1.div_euclid(10));
        let (x1, y1) = ((hi.0 + 9).div_euclid(10), (hi.1 + 9).div_euclid(10));
        [x0, y0, x1 - x0, y1 - y0]
    };
    Shapes { view_box, shapes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_squares_share_their_borders_and_the_island_is_kept() {
        let drawn = draw(&crate::topology::tests::fixture());
        let paths: Vec<&str> = drawn.shapes.iter().map(|s| s.path.as_str()).collect();
        // x = (lon + 9) cos 54.5° × 100, y = (61 − lat) × 100, in tenths:
        // longitude 0, 1, 2 → 522.6, 580.7, 638.8; latitude 51, 50 → 1000, 1100.
        assert_eq!(paths[0], "M580.7 1000l-58.1 0 0 100 58.1 0z");
        assert_eq!(paths[1], "M580.7 1100l58.1 0 0-100-58.1 0z");
        assert_eq!(drawn.shapes[3].code.to_string(), "E14000004");
        // The island, from longitude 5 (813.0) to 6 (871.1).
        assert_eq!(paths[3], "M813 1100l58.1 0 0-100-58.1 0z");
        // From longitude 0 to 6 and latitude 50 to 51, in whole units.
        assert_eq!(drawn.view_box, [522, 1000, 350, 100]);
        assert_eq!(drawn.shapes[1].bounds, [5807, 10000, 6388, 11000]);
        // A frame around A and B, with a margin of 1 unit.
        let ab = frame(&drawn.shapes[..2], 1.0).unwrap();
        let expected = [521.6, 999.0, 118.2, 102.0];
        assert!(
            ab.iter().zip(expected).all(|(a, e)| (a - e).abs() < 1e-9),
            "{ab:?}"
        );
        assert_eq!(frame(&[], 1.0), None);
    }

    #[test]
    fn numbers_are_short_and_pairs_need_no_spaces_before_minus() {
        let mut s = String::new();
        for t in [0, 5, -5, 120, -123, 10] {
            number(&mut s, t);
            s.push(',');
        }
        assert_eq!(s, "0,0.5,-0.5,12,-12.3,1,");
        let mut s = String::new();
        pair(&mut s, (12, -3), true);
        pair(&mut s, (-4, 5), false);
        pair(&mut s, (7, 0), false);
        assert_eq!(s, "1.2-0.3-0.4 0.5 0.7 0");
    }

    #[test]
    fn the_shoelace_area_of_a_unit_square_is_one() {
        let sq: Vec<Coord<f64>> = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
            .iter()
            .map(|&(x, y)| Coord { x, y })
            .collect();
        assert_eq!(area2(&sq).abs() / 2.0, 1.0);
    }

    #[test]
    fn projection_puts_north_up_and_keeps_middle_latitude_scale() {
        let a = project([-2.0, 54.5]);
        let north = project([-2.0, 55.5]);
        let east = project([-1.0, 54.5]);
        assert!(north.y < a.y, "north is up");
        let k = (54.5f64).to_radians().cos();
        assert!(((east.x - a.x) - k * UNITS_PER_DEGREE).abs() < 1e-9);
        assert!(((a.y - north.y) - UNITS_PER_DEGREE).abs() < 1e-9);
    }
}
