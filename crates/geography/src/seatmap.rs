//! Point-in-polygon on one boundary set's seats.
//!
//! The polygons come from the TopoJSON boundaries already decoded for
//! contiguity ([`crate::topology::Topology::polygons`]). Each polygon's
//! bounding box goes into an R-tree (rstar), so a point is tested exactly
//! (geo's `Intersects`: inside or on the boundary) only against the few
//! polygons whose box holds it. A point on a border shared by two seats
//! belongs to the seat with the lower code, so the answer never depends on
//! file order.
//!
//! Distances are for plausibility checks, not geodesy: a point's distance to
//! a seat is the shortest distance to the seat's boundary segments on a local
//! equirectangular projection centred on the point (mean Earth radius), which
//! is within about 1% of the great-circle distance over the few hundred
//! kilometres that matter here.

use crate::topology::{SeatPolygons, Topology};
use geo::{Coord, Intersects, LineString, Point, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use stemgap_core::{BoundarySet, GssCode};

const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// Kilometres per degree of latitude on the mean-radius sphere.
const KM_PER_DEGREE: f64 = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;

/// One polygon's bounding box, with the polygon's index.
type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// The seats of one boundary set, indexed for point lookups.
pub struct SeatMap {
    set: BoundarySet,
    /// Every polygon of every seat, with its seat.
    polygons: Vec<(GssCode, Polygon<f64>)>,
    tree: RTree<Boxed>,
}

impl SeatMap {
    /// Indexes a decoded boundary file.
    pub fn from_topology(topo: &Topology) -> SeatMap {
        SeatMap::new(topo.set(), topo.polygons())
    }

    /// Indexes seats given as polygons of closed `[lon, lat]` rings (outer
    /// ring first, then holes).
    pub fn new(set: BoundarySet, seats: Vec<(GssCode, SeatPolygons)>) -> SeatMap {
        let ring = |r: &Vec<[f64; 2]>| {
            LineString::from(
                r.iter()
                    .map(|p| Coord { x: p[0], y: p[1] })
                    .collect::<Vec<_>>(),
            )
        };
        let mut polygons = Vec::new();
        for (code, polys) in &seats {
            for rings in polys {
                let Some((outer, holes)) = rings.split_first() else {
                    continue;
                };
                if outer.is_empty() {
                    continue;
                }
                polygons.push((
                    *code,
                    Polygon::new(ring(outer), holes.iter().map(ring).collect()),
                ));
            }
        }
        let boxes = polygons
            .iter()
            .enumerate()
            .map(|(i, (_, p))| {
                let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
                for c in p.exterior().coords() {
                    lo = [lo[0].min(c.x), lo[1].min(c.y)];
                    hi = [hi[0].max(c.x), hi[1].max(c.y)];
                }
                GeomWithData::new(Rectangle::from_corners(lo, hi), i)
            })
            .collect();
        SeatMap {
            set,
            polygons,
            tree: RTree::bulk_load(boxes),
        }
    }

    pub fn set(&self) -> BoundarySet {
        self.set
    }

    /// The seat containing the point (inside or on its boundary); on a
    /// shared border, the lower code. `None` when no seat contains it (the
    /// sea, abroad, or a gap in generalised boundaries).
    pub fn locate(&self, lon: f64, lat: f64) -> Option<GssCode> {
        if !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        let point = Point::new(lon, lat);
        self.tree
            .locate_all_at_point(&[lon, lat])
            .map(|b| &self.polygons[b.data])
            .filter(|(_, p)| p.intersects(&point))
            .map(|(code, _)| *code)
            .min()
    }

    /// Kilometres from the point to the nearest part of the seat: 0 inside
    /// it; `None` when the set has no such seat.
    pub fn distance_km(&self, seat: GssCode, lon: f64, lat: f64) -> Option<f64> {
        let point = Point::new(lon, lat);
        let mut parts = self.polygons.iter().filter(|(c, _)| *c == seat).peekable();
        parts.peek()?;
        let cos = lat.to_radians().cos();
        // Projected position of a vertex relative to the point, in km.
        let xy = |c: &Coord<f64>| {
            [
                (c.x - lon) * cos * KM_PER_DEGREE,
                (c.y - lat) * KM_PER_DEGREE,
            ]
        };
        let mut best = f64::INFINITY;
        for (_, p) in parts {
            if p.intersects(&point) {
                return Some(0.0);
            }
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    best = best.min(origin_to_segment(xy(&w[0]), xy(&w[1])));
                }
            }
        }
        Some(best)
    }

    /// The seats whose polygons' bounding boxes meet a box, for tests and
    /// diagnostics.
    pub fn candidates(&self, lo: [f64; 2], hi: [f64; 2]) -> Vec<GssCode> {
        let mut codes: Vec<GssCode> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners(lo, hi))
            .map(|b| self.polygons[b.data].0)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }
}

/// Distance from the origin to the segment a–b (plane).
fn origin_to_segment(a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 > 0.0 {
        (-(a[0] * d[0] + a[1] * d[1]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a[0] + t * d[0], a[1] + t * d[1]);
    (x * x + y * y).sqrt()
}

/// Great-circle distance in km between two `(lat, lon)` points.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let (dla, dlo) = (la2 - la1, (b.1 - a.1).to_radians());
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().asin()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn code(s: &str) -> GssCode {
        GssCode::parse(s).unwrap()
    }

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    }

    /// Two unit squares side by side (A: 0..1, B: 1..2, latitudes 51..52),
    /// A with a hole at 0.4..0.6 that is an island seat C.
    pub fn map() -> SeatMap {
        SeatMap::new(
            BoundarySet::Pcon2024,
            vec![
                (
                    code("E14001002"),
                    vec![vec![
                        square(0.0, 51.0, 1.0, 52.0),
                        square(0.4, 51.4, 0.6, 51.6),
                    ]],
                ),
                (code("E14001001"), vec![vec![square(1.0, 51.0, 2.0, 52.0)]]),
                (
                    code("E14001003"),
                    vec![
                        vec![square(0.4, 51.4, 0.6, 51.6)],
                        vec![square(5.0, 51.0, 5.1, 51.1)],
                    ],
                ),
            ],
        )
    }

    #[test]
    fn points_fall_in_their_square_holes_and_islands_included() {
        let m = map();
        assert_eq!(m.locate(0.2, 51.5), Some(code("E14001002")));
        assert_eq!(m.locate(1.5, 51.5), Some(code("E14001001")));
        assert_eq!(m.locate(0.5, 51.5), Some(code("E14001003")), "the hole");
        assert_eq!(m.locate(5.05, 51.05), Some(code("E14001003")), "its island");
        assert_eq!(m.locate(3.0, 51.5), None, "between them");
        assert_eq!(m.locate(f64::NAN, 51.5), None);
        // The shared border belongs to the lower code.
        assert_eq!(m.locate(1.0, 51.5), Some(code("E14001001")));
        assert_eq!(
            m.candidates([0.9, 51.1], [1.1, 51.2]),
            [code("E14001001"), code("E14001002")]
        );
    }

    #[test]
    fn distances_are_zero_inside_and_kilometres_outside() {
        let m = map();
        assert_eq!(m.distance_km(code("E14001001"), 1.5, 51.5), Some(0.0));
        // One degree of latitude south of the squares' bottom edge.
        let d = m.distance_km(code("E14001001"), 1.5, 50.0).unwrap();
        assert!((d - KM_PER_DEGREE).abs() < 1e-9, "{d}");
        // Half a degree of longitude east of B at 51.5°N.
        let d = m.distance_km(code("E14001001"), 2.5, 51.5).unwrap();
        let expected = haversine_km((51.5, 2.0), (51.5, 2.5));
        assert!((d - expected).abs() / expected < 1e-4, "{d} vs {expected}");
        // From inside the hole, A is 0.1° of longitude away.
        let d = m.distance_km(code("E14001002"), 0.5, 51.5).unwrap();
        assert!((d - 0.1 * 51.5f64.to_radians().cos() * KM_PER_DEGREE).abs() < 1e-9);
        assert_eq!(m.distance_km(code("E14009999"), 0.0, 51.0), None);
    }

    #[test]
    fn haversine_of_one_degree_of_latitude() {
        assert!((haversine_km((0.0, 0.0), (1.0, 0.0)) - KM_PER_DEGREE).abs() < 1e-9);
    }
}
