//! TopoJSON boundaries decoded once ([`Topology`]: absolute arc positions,
//! each seat's polygons as rings of arc references), and which seats touch
//! which.
//!
//! TopoJSON stores each border once, as an arc shared by the two polygons on
//! either side: two seats are neighbours when they use a common arc, and the
//! length of their shared border is the summed length of those arcs
//! (haversine on a sphere of radius 6,371,008.8 m, the mean Earth radius,
//! on the dequantised longitude/latitude positions). Touching at a single
//! point is not a border (nor is a degenerate arc under 100 m used by three
//! seats where they meet, which each file has once).
//!
//! Seats with no land neighbour (islands such as Orkney and Shetland or Na
//! h-Eileanan an Iar) are linked to their nearest seat instead, by the
//! distance between the centroids of their arc vertices, and flagged so.
//! Both kinds of link are stored in both directions.

use crate::Sources;
use crate::{Link, Relation};
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, GssCode};
use stemgap_sources::{parse_json, Loaded, Problem, SourceError};

const EARTH_RADIUS_M: f64 = 6_371_008.8;

#[derive(Deserialize)]
struct RawTopology {
    #[serde(rename = "type")]
    kind: String,
    transform: Option<Transform>,
    /// Positions as pairs: a third coordinate would be refused by serde.
    arcs: Vec<Vec<[f64; 2]>>,
    objects: BTreeMap<String, Collection>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Collection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    arcs: serde_json::Value,
    #[serde(default)]
    properties: serde_json::Map<String, serde_json::Value>,
}

/// A Polygon's or MultiPolygon's arc references, as polygons of rings
/// (`~i`, i.e. `-i - 1`, is arc `i` reversed).
fn polygon_arcs(g: &Geometry) -> Result<PolygonArcs, String> {
    fn list<'v>(v: &'v serde_json::Value, what: &str) -> Result<&'v [serde_json::Value], String> {
        v.as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| format!("{what} is {v}, not an array"))
    }
    fn ring(v: &serde_json::Value) -> Result<Vec<i64>, String> {
        list(v, "a ring")?
            .iter()
            .map(|n| match n {
                serde_json::Value::Number(n) => n
                    .as_i64()
                    .ok_or_else(|| format!("arc index {n} is not an integer")),
                other => Err(format!("unexpected {other} among arc indices")),
            })
            .collect()
    }
    fn polygon(v: &serde_json::Value) -> Result<Vec<Vec<i64>>, String> {
        list(v, "a polygon")?.iter().map(ring).collect()
    }
    match g.kind.as_str() {
        "Polygon" => Ok(vec![polygon(&g.arcs)?]),
        "MultiPolygon" => list(&g.arcs, "a MultiPolygon")?
            .iter()
            .map(polygon)
            .collect(),
        other => Err(format!(
            "geometry type {other:?} is not a Polygon or MultiPolygon"
        )),
    }
}

fn haversine(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let (dla, dlo) = (la2 - la1, (b[0] - a[0]).to_radians());
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// The TopoJSON source of each boundary set's contiguity.
pub fn source(set: BoundarySet) -> &'static str {
    match set {
        BoundarySet::Pcon2010 => "pcon2010set_dec2022_uk_bgc",
        BoundarySet::Pcon2024 => "pcon2024_uk_bgc",
    }
}

/// Loads (and checksums) both sets' boundaries, to be parsed by [`links`]
/// on another thread.
pub fn load<'s>(inputs: &'s impl Sources) -> Result<Vec<(BoundarySet, Loaded<'s>)>, SourceError> {
    BoundarySet::ALL
        .iter()
        .map(|&set| Ok((set, inputs.load(source(set))?)))
        .collect()
}

/// A decoded TopoJSON boundary file: absolute arc positions and, for each
/// seat, its polygons as rings of arc references (`~i` is arc `i` reversed).
/// Parsed once and used both for contiguity ([`Topology::links`]) and for
/// point-in-polygon ([`Topology::polygons`]).
pub struct Topology {
    set: BoundarySet,
    location: stemgap_sources::Location,
    arcs: Vec<Vec<[f64; 2]>>,
    /// Seat, its polygons (rings of arc references), and the arcs it uses.
    seats: Vec<(GssCode, PolygonArcs, Vec<usize>)>,
}

/// A ring assembled from arc references (`~i` is arc `i` reversed); an arc
/// after the first drops its first position, which repeats the previous
/// arc's last.
pub fn ring<P: Copy>(arcs: &[Vec<P>], refs: &[i64]) -> Vec<P> {
    let mut ring: Vec<P> = Vec::new();
    for &r in refs {
        let arc = &arcs[if r < 0 { !r } else { r } as usize];
        let skip = usize::from(!ring.is_empty());
        if r < 0 {
            ring.extend(arc.iter().rev().skip(skip));
        } else {
            ring.extend(arc.iter().skip(skip));
        }
    }
    ring
}

/// Polygons as rings of arc references (`~i` is arc `i` reversed).
type PolygonArcs = Vec<Vec<Vec<i64>>>;

/// Polygons (outer ring first, then holes) of one seat, as closed rings of
/// longitude/latitude positions.
pub type SeatPolygons = Vec<Vec<Vec<[f64; 2]>>>;

/// Neighbour links for one boundary set, from its loaded TopoJSON; `expected`
/// lists the set's seats, each of which must have exactly one geometry.
pub fn links(
    loaded: &Loaded<'_>,
    set: BoundarySet,
    expected: &[GssCode],
) -> Result<Vec<Link>, SourceError> {
    parse(loaded, set, expected)?.links()
}

/// Decodes one boundary set's TopoJSON; `expected` lists the set's seats,
/// each of which must have exactly one geometry.
pub fn parse(
    loaded: &Loaded<'_>,
    set: BoundarySet,
    expected: &[GssCode],
) -> Result<Topology, SourceError> {
    let topo: RawTopology = parse_json(loaded)?;
    let bad = |m: String| SourceError::new(loaded.location.clone(), Problem::Invalid(m));
    if topo.kind != "Topology" {
        return Err(bad(format!(
            "type is {:?}, expected \"Topology\"",
            topo.kind
        )));
    }
    // Absolute positions of every arc.
    let arcs: Vec<Vec<[f64; 2]>> = topo
        .arcs
        .iter()
        .enumerate()
        .map(|(i, arc)| {
            let mut p = [0.0, 0.0];
            arc.iter()
                .map(|pos| {
                    let [x, y] = match pos.as_slice() {
                        [x, y, ..] => [*x, *y],
                        _ => {
                            return Err(bad(format!(
                                "arc {i} has a position with fewer than two numbers"
                            )))
                        }
                    };
                    Ok(match &topo.transform {
                        Some(t) => {
                            p = [p[0] + x, p[1] + y];
                            [
                                p[0] * t.scale[0] + t.translate[0],
                                p[1] * t.scale[1] + t.translate[1],
                            ]
                        }
                        None => [x, y],
                    })
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    let collection = topo
        .objects
        .values()
        .next()
        .ok_or_else(|| bad("no objects".into()))?;
    let mut seats: Vec<(GssCode, PolygonArcs, Vec<usize>)> = Vec::new();
    for (n, g) in collection.geometries.iter().enumerate() {
        let code = g
            .properties
            .get("AREACD")
            .and_then(|v| v.as_str())
            .and_then(|c| GssCode::parse(c).ok())
            .filter(|c| expected.contains(c))
            .ok_or_else(|| {
                bad(format!(
                    "geometry {} has no AREACD of a {} seat",
                    n + 1,
                    set.id()
                ))
            })?;
        let polygons = polygon_arcs(g).map_err(|m| bad(format!("{code}: {m}")))?;
        let mut used: Vec<usize> = polygons
            .iter()
            .flatten()
            .flatten()
            .map(|&i| if i < 0 { !i } else { i } as usize)
            .collect();
        if let Some(i) = used.iter().find(|&&i| i >= arcs.len()) {
            return Err(bad(format!("{code}: arc {i} does not exist")));
        }
        used.sort_unstable();
        used.dedup();
        seats.push((code, polygons, used));
    }
    if let Some(s) = expected
        .iter()
        .find(|s| !seats.iter().any(|(c, ..)| c == *s))
    {
        return Err(bad(format!("no boundary for seat {s}")));
    }
    if seats.len() != expected.len() {
        return Err(bad(format!(
            "{} geometries for {} seats: a seat appears twice",
            seats.len(),
            expected.len()
        )));
    }
    Ok(Topology {
        set,
        location: loaded.location.clone(),
        arcs,
        seats,
    })
}

impl Topology {
    pub fn set(&self) -> BoundarySet {
        self.set
    }

    /// Every arc's absolute longitude/latitude positions.
    pub fn arcs(&self) -> &[Vec<[f64; 2]>] {
        &self.arcs
    }

    pub fn seat_count(&self) -> usize {
        self.seats.len()
    }

    /// Each seat's polygons as rings of arc references (`~i` is arc `i`
    /// reversed), in the file's order.
    pub fn seat_polygons(&self) -> impl Iterator<Item = (GssCode, &[Vec<Vec<i64>>])> {
        self.seats.iter().map(|(c, p, _)| (*c, p.as_slice()))
    }

    /// Each seat's polygons with their rings assembled from the arcs
    /// ([`ring`]), in the file's order.
    pub fn polygons(&self) -> Vec<(GssCode, SeatPolygons)> {
        self.seats
            .iter()
            .map(|(code, polygons, _)| {
                let polys = polygons
                    .iter()
                    .map(|rings| rings.iter().map(|refs| ring(&self.arcs, refs)).collect())
                    .collect();
                (*code, polys)
            })
            .collect()
    }

    /// Neighbour links: shared arcs, and each island's nearest seat.
    pub fn links(&self) -> Result<Vec<Link>, SourceError> {
        contiguity(self)
    }
}

fn contiguity(topo: &Topology) -> Result<Vec<Link>, SourceError> {
    let bad = |m: String| SourceError::new(topo.location.clone(), Problem::Invalid(m));
    let (arcs, seats, set) = (&topo.arcs, &topo.seats, topo.set);
    // Arc → the seats using it.
    let mut users: HashMap<usize, Vec<usize>> = HashMap::default();
    for (s, (_, _, used)) in seats.iter().enumerate() {
        for a in used {
            users.entry(*a).or_default().push(s);
        }
    }
    let mut border: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (a, who) in &users {
        let len: f64 = arcs[*a].windows(2).map(|w| haversine(w[0], w[1])).sum();
        match who[..] {
            [x, y] => *border.entry((x.min(y), x.max(y))).or_default() += len,
            [_] => {}
            // Each file has one two-point arc of about a metre used by three
            // seats where they meet: a point, not a border.
            _ if len < 100.0 => {}
            _ => {
                return Err(bad(format!(
                    "arc {a} ({len:.0} m) is shared by {} seats",
                    who.len()
                )))
            }
        }
    }
    let mut links = Vec::new();
    // Every link is stored in both directions.
    let mut link_both = |relation: Relation, x: usize, y: usize, weight: f64| {
        for (a, b) in [(x, y), (y, x)] {
            links.push(Link {
                relation,
                from: seats[a].0.to_string(),
                to: seats[b].0.to_string(),
                weight,
                population: None,
            });
        }
    };
    let mut has_neighbour = vec![false; seats.len()];
    for (&(x, y), &len) in &border {
        has_neighbour[x] = true;
        has_neighbour[y] = true;
        link_both(Relation::Border(set), x, y, len);
    }
    // Islands: the nearest seat by vertex centroid.
    let centroid = |s: usize| -> [f64; 2] {
        let pts: Vec<[f64; 2]> = seats[s]
            .2
            .iter()
            .flat_map(|a| arcs[*a].iter().copied())
            .collect();
        let n = pts.len().max(1) as f64;
        [
            pts.iter().map(|p| p[0]).sum::<f64>() / n,
            pts.iter().map(|p| p[1]).sum::<f64>() / n,
        ]
    };
    let centroids: Vec<[f64; 2]> = (0..seats.len()).map(centroid).collect();
    for s in (0..seats.len()).filter(|&s| !has_neighbour[s]) {
        let (t, d) = (0..seats.len())
            .filter(|&t| t != s)
            .map(|t| (t, haversine(centroids[s], centroids[t])))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .ok_or_else(|| bad("a single seat has no neighbour".into()))?;
        link_both(Relation::Nearest(set), s, t, d);
    }
    // In the store's order: by relation name, then codes.
    links.sort_by(|a, b| {
        (a.relation.as_str(), &a.from, &a.to).cmp(&(b.relation.as_str(), &b.from, &b.to))
    });
    links.dedup_by(|a, b| a.relation == b.relation && a.from == b.from && a.to == b.to);
    Ok(links)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use stemgap_sources::{Catalogue, Location};

    /// The fixture below, parsed (for other modules' tests).
    pub(crate) fn fixture() -> Topology {
        with_loaded(TOPO, |l| parse(l, BoundarySet::Pcon2024, &codes()).unwrap())
    }

    /// Three unit squares in a row (A | B | C) sharing two arcs, and an
    /// island D two degrees east of C; quantised with a transform.
    const TOPO: &str = r#"{"type":"Topology",
      "transform":{"scale":[0.001,0.001],"translate":[0,50]},
      "arcs":[
        [[1000,0],[0,1000]],
        [[2000,0],[0,1000]],
        [[1000,1000],[-1000,0],[0,-1000],[1000,0]],
        [[1000,0],[1000,0]],[[2000,1000],[-1000,0]],
        [[2000,0],[1000,0],[0,1000],[-1000,0]],
        [[5000,0],[1000,0],[0,1000],[-1000,0],[0,-1000]]
      ],
      "objects":{"data":{"type":"GeometryCollection","geometries":[
        {"type":"Polygon","arcs":[[2,0]],"properties":{"AREACD":"E14000001"}},
        {"type":"Polygon","arcs":[[3,1,4,-1]],"properties":{"AREACD":"E14000002"}},
        {"type":"Polygon","arcs":[[5,-2]],"properties":{"AREACD":"E14000003"}},
        {"type":"Polygon","arcs":[[6]],"properties":{"AREACD":"E14000004"}}
      ]}}}"#;

    fn codes() -> Vec<GssCode> {
        (1..=4)
            .map(|i| GssCode::parse(&format!("E1400000{i}")).unwrap())
            .collect()
    }

    /// `text` as the loaded 2024 boundary file `t.topo.json`, given to `f`.
    fn with_loaded<T>(text: &str, f: impl FnOnce(&Loaded<'_>) -> T) -> T {
        let entry = Catalogue::embedded()
            .get("pcon2024_uk_bgc")
            .unwrap()
            .clone();
        f(&Loaded {
            entry: &entry,
            bytes: text.as_bytes().to_vec(),
            location: Location::file("t.topo.json"),
        })
    }

    fn run(text: &str, expected: &[GssCode]) -> Result<Vec<Link>, SourceError> {
        with_loaded(text, |l| links(l, BoundarySet::Pcon2024, expected))
    }

    #[test]
    fn shared_arcs_make_symmetric_borders_and_the_island_gets_its_nearest() {
        let l = run(TOPO, &codes()).unwrap();
        let border: Vec<_> = l
            .iter()
            .filter(|l| l.relation == Relation::Border(BoundarySet::Pcon2024))
            .map(|l| (&l.from[..], &l.to[..], l.weight))
            .collect();
        assert_eq!(border.len(), 4, "{border:?}");
        // Each shared edge is one degree of latitude at longitude 1 or 2.
        let degree = 6_371_008.8 * std::f64::consts::PI / 180.0;
        for (a, b, w) in &border {
            assert!((w - degree).abs() < 1e-6, "{a}-{b}: {w}");
            assert!(border.iter().any(|(x, y, _)| x == b && y == a), "symmetric");
        }
        assert!(!border
            .iter()
            .any(|(a, b, _)| (*a, *b) == ("E14000001", "E14000003")));
        let nearest: Vec<_> = l
            .iter()
            .filter(|l| l.relation == Relation::Nearest(BoundarySet::Pcon2024))
            .map(|l| (&l.from[..], &l.to[..]))
            .collect();
        assert_eq!(
            nearest,
            [("E14000003", "E14000004"), ("E14000004", "E14000003")]
        );
    }

    #[test]
    fn missing_seats_and_bad_arcs_are_errors() {
        let e = run(
            TOPO,
            &[codes(), vec![GssCode::parse("E14000009").unwrap()]].concat(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "t.topo.json: no boundary for seat E14000009");
        let e = run(&TOPO.replace("[[6]]", "[[7]]"), &codes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.topo.json: E14000004: arc 7 does not exist"
        );
    }

    #[test]
    fn polygons_are_assembled_from_arcs_in_order_and_reversed() {
        let topo = fixture();
        let polys = topo.polygons();
        assert_eq!(polys.len(), 4);
        // A: arc 2, then arc 0 without its repeated first position.
        assert_eq!(
            polys[0].1,
            [[[
                [1.0, 51.0],
                [0.0, 51.0],
                [0.0, 50.0],
                [1.0, 50.0],
                [1.0, 51.0]
            ]]]
        );
        // B: arcs 3, 1, 4, then arc 0 reversed (~0).
        assert_eq!(
            polys[1].1,
            [[[
                [1.0, 50.0],
                [2.0, 50.0],
                [2.0, 51.0],
                [1.0, 51.0],
                [1.0, 50.0]
            ]]]
        );
        let map = crate::seatmap::SeatMap::from_topology(&topo);
        assert_eq!(map.locate(0.5, 50.5), Some(codes()[0]));
        assert_eq!(map.locate(1.5, 50.5), Some(codes()[1]));
        assert_eq!(map.locate(5.5, 50.5), Some(codes()[3]));
        assert_eq!(map.locate(4.0, 50.5), None);
    }

    #[test]
    fn haversine_of_one_degree_of_latitude() {
        // One degree of a great circle on the mean-radius sphere: 111,195.08 m.
        let d = haversine([0.0, 0.0], [0.0, 1.0]);
        assert!(
            (d - 6_371_008.8 * std::f64::consts::PI / 180.0).abs() < 1e-6,
            "{d}"
        );
    }
}
