//! The atlas: everything the pages and the API show, read from the store
//! once at startup and never changed. Requests read it through an `Arc`;
//! none of them runs SQL (the postcode lookup is held here too).

use crate::error::LoadError;
use std::collections::{BTreeMap, HashMap};
use stemgap_core::{
    AreaKind, BoundarySet, Direction, GssCode, IndicatorDef, Marker, Method, Nation, Postcode,
};
use stemgap_findings::Findings;
use stemgap_store::{seat_kind, SourceRow, Store};

/// One seat of a boundary set.
#[derive(Debug, Clone)]
pub struct Seat {
    pub code: GssCode,
    pub name: String,
    pub nation: Option<Nation>,
    /// Region code (E12…, or the nation's code outside England).
    pub region: Option<String>,
}

/// How two seats are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighbourKind {
    /// They share a land border (`metres` is its length).
    Border,
    /// The seat has no land border (or is an island): its nearest seat
    /// (`metres` is the distance between centres).
    Nearest,
}

#[derive(Debug, Clone, Copy)]
pub struct Neighbour {
    /// Index into the set's seats.
    pub seat: usize,
    pub kind: NeighbourKind,
    pub metres: f64,
}

/// One observation of one indicator for one seat.
#[derive(Debug, Clone, PartialEq)]
pub struct Obs {
    /// Shared by every observation of the same period (interned on load).
    pub period: std::sync::Arc<str>,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub flag: Option<Marker>,
    pub method: Method,
    /// Shared by every observation of the same source (interned on load).
    pub source: std::sync::Arc<str>,
}

/// One indicator on one boundary set: each seat's observations and the
/// comparisons the pages show, all from each seat's latest period.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Every observation per seat, periods in ascending order; the last is
    /// the latest, the one shown, ranked and averaged.
    pub obs: Vec<Vec<Obs>>,
    /// Rank within the seat's nation (1 = highest value; ties share the
    /// best rank), for seats with a value.
    pub rank: Vec<Option<usize>>,
    /// Seats with a value, per nation (indexed like [`Nation::ALL`]).
    pub nation_count: [usize; 4],
    /// Unweighted mean of the seats' values, per nation.
    pub nation_mean: [Option<f64>; 4],
    /// Unweighted mean of the seats' values, per region code.
    pub region_mean: BTreeMap<String, f64>,
    /// Unweighted mean of the seat's border neighbours' values (the nearest
    /// seat for a seat with no land border).
    pub neighbour_mean: Vec<Option<f64>>,
    /// Seats with a value.
    pub coverage: usize,
}

impl Series {
    /// The latest observation of seat `i`.
    pub fn latest(&self, i: usize) -> Option<&Obs> {
        self.obs.get(i).and_then(|v| v.last())
    }

    /// The latest value of seat `i`.
    pub fn value(&self, i: usize) -> Option<f64> {
        self.latest(i).and_then(|o| o.value)
    }

    /// Smallest and largest latest value.
    pub fn range(&self) -> Option<(f64, f64)> {
        let mut it = (0..self.obs.len()).filter_map(|i| self.value(i));
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }
}

/// One boundary set: its seats (by code), hexes, neighbours and every
/// indicator's series.
#[derive(Debug, Clone)]
pub struct SetAtlas {
    pub set: BoundarySet,
    pub seats: Vec<Seat>,
    index: HashMap<GssCode, usize>,
    /// Hex cartogram position (q, r) of each seat, odd-r layout.
    pub hexes: Vec<Option<(i32, i32)>>,
    /// Neighbours of each seat, longest border first.
    pub neighbours: Vec<Vec<Neighbour>>,
    /// Indexed like [`Atlas::indicators`].
    pub series: Vec<Series>,
    /// Seats of the other boundary set that each seat's population overlaps,
    /// with the share of its population in each, largest first.
    pub overlaps: Vec<Vec<(usize, f64)>>,
    /// Seat outlines for the boundary map (`None` in a store without them).
    pub outlines: Option<Outlines>,
    /// HE providers and teaching locations placed in each seat (for the
    /// brief), as `Store::institutions` returns them.
    pub institutions: Vec<Vec<stemgap_store::Institution>>,
}

/// Seat outlines as SVG paths, drawn at build time (see
/// `stemgap_ingest::shapes`).
#[derive(Debug, Clone)]
pub struct Outlines {
    /// `[min_x, min_y, width, height]`.
    pub view_box: [f64; 4],
    /// A part of the map drawn again, enlarged: its name and view box.
    pub inset: Option<(String, [f64; 4])>,
    /// Indexed like [`SetAtlas::seats`].
    pub paths: Vec<Option<String>>,
}

impl SetAtlas {
    pub fn seat_index(&self, code: GssCode) -> Option<usize> {
        self.index.get(&code).copied()
    }

    pub fn seat(&self, code: GssCode) -> Option<(usize, &Seat)> {
        let i = self.seat_index(code)?;
        Some((i, &self.seats[i]))
    }
}

/// Where a postcode lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// Index of a 2024 seat.
    Seat(usize),
    /// Northern Ireland: the lookup (Great Britain only) does not cover it.
    NorthernIreland,
    /// A well-formed postcode the lookup has no seat for.
    NotFound,
}

/// Everything the web atlas serves, in memory.
#[derive(Debug, Clone)]
pub struct Atlas {
    /// The stemgap version that built the store.
    pub built_by: String,
    /// The git commit of that build ("unknown" outside a checkout; empty in
    /// a store from before it was recorded).
    pub commit: String,
    /// When the store was built, UTC RFC 3339 (empty when not recorded).
    pub built_at: String,
    /// Identifies what the store was built from (stemgap version, schema,
    /// catalogue and every source's SHA-256; builds are reproducible, so
    /// equal ids mean equal figures): 16 hex digits, the base of ETags.
    pub build_id: String,
    /// The day the store file was written (UTC, `YYYY-MM-DD`), when the
    /// file system says.
    pub built_on: Option<String>,
    pub indicators: Vec<IndicatorDef>,
    indicator_index: HashMap<String, usize>,
    pub sources: Vec<SourceRow>,
    source_index: HashMap<String, usize>,
    /// Region (and nation) codes to names.
    pub regions: BTreeMap<String, String>,
    pub sets: [SetAtlas; 2],
    pub findings: Findings,
    /// The MP elected in July 2024 for each 2024 seat (indexed like the 2024
    /// set's seats); `None` for Northern Ireland, which the source lacks.
    pub members: Vec<Option<stemgap_store::Member>>,
    /// Postcode range starts (keys as [`Postcode::key`]) with the index of
    /// the 2024 seat they map to, ordered by key.
    postcodes: Vec<(u64, Option<u32>)>,
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (Howard Hinnant's
/// civil-from-days).
pub fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Index of a nation in [`Nation::ALL`].
pub fn nation_slot(n: Nation) -> usize {
    match n {
        Nation::England => 0,
        Nation::Wales => 1,
        Nation::Scotland => 2,
        Nation::NorthernIreland => 3,
    }
}

impl Atlas {
    /// Reads everything from an open store.
    pub fn load(store: &Store) -> Result<Atlas, LoadError> {
        let path = store.path().to_owned();
        let corrupt = |what: &str| LoadError::Corrupt {
            path: path.clone(),
            what: what.to_owned(),
        };
        let indicators = store.indicators()?;
        let indicator_index = indicators
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.clone(), i))
            .collect::<HashMap<_, _>>();
        let sources = store.sources()?;
        let source_index = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let regions = store
            .areas(AreaKind::Region)?
            .into_iter()
            .map(|a| (a.code, a.name))
            .collect();
        let mut sets = Vec::with_capacity(2);
        for set in BoundarySet::ALL {
            sets.push(load_set(
                store,
                set,
                &indicators,
                &indicator_index,
                &corrupt,
            )?);
        }
        let [mut s2010, mut s2024]: [SetAtlas; 2] =
            sets.try_into().map_err(|_| corrupt("boundary sets"))?;
        s2010.overlaps = overlaps(store, &s2010, &s2024, &corrupt)?;
        for s in [&mut s2010, &mut s2024] {
            s.institutions = s
                .seats
                .iter()
                .map(|seat| store.institutions(s.set, seat.code.as_str()))
                .collect::<Result<_, _>>()?;
        }
        s2024.overlaps = overlaps(store, &s2024, &s2010, &corrupt)?;
        let body = store
            .document(stemgap_findings::DOCUMENT)?
            .ok_or_else(|| LoadError::NoFindings(path.clone()))?;
        let findings: Findings = serde_json::from_str(&body).map_err(|e| LoadError::Findings {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut members = vec![None; s2024.seats.len()];
        for m in store.members()? {
            let i = GssCode::parse(&m.code)
                .ok()
                .and_then(|c| s2024.seat_index(c))
                .ok_or_else(|| corrupt(&format!("member for unknown seat {}", m.code)))?;
            members[i] = Some(m);
        }
        let mut postcodes = Vec::new();
        for (key, seat) in store.postcode_ranges()? {
            let seat = match seat {
                None => None,
                Some(code) => {
                    let c = GssCode::parse(&code)
                        .ok()
                        .and_then(|c| s2024.seat_index(c))
                        .ok_or_else(|| corrupt(&format!("postcode range seat {code}")))?;
                    Some(c as u32)
                }
            };
            postcodes.push((key, seat));
        }
        postcodes.sort_by_key(|p| p.0);
        let built_by = store.meta("stemgap_version")?.unwrap_or_default();
        let mut id_parts = vec![
            built_by.clone(),
            store.meta("schema_version")?.unwrap_or_default(),
            store.meta("catalogue")?.unwrap_or_default(),
        ];
        for s in &sources {
            id_parts.push(format!("{}={}", s.id, s.sha256));
        }
        let id_bytes: Vec<&[u8]> = id_parts.iter().map(|p| p.as_bytes()).collect();
        let build_id = format!("{:016x}", crate::http::fnv1a(&id_bytes));
        let built_on = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| civil_date(d.as_secs() / 86_400));
        Ok(Atlas {
            built_by,
            build_id,
            built_on,
            commit: store.meta("stemgap_commit")?.unwrap_or_default(),
            built_at: store.meta("built_at")?.unwrap_or_default(),
            indicators,
            indicator_index,
            sources,
            source_index,
            regions,
            sets: [s2010, s2024],
            findings,
            members,
            postcodes,
        })
    }

    /// The MP elected in July 2024 for seat `i` of `set`: only the 2024 set
    /// has them.
    pub fn member(&self, set: BoundarySet, i: usize) -> Option<&stemgap_store::Member> {
        match set {
            BoundarySet::Pcon2024 => self.members.get(i).and_then(Option::as_ref),
            BoundarySet::Pcon2010 => None,
        }
    }

    pub fn set(&self, set: BoundarySet) -> &SetAtlas {
        match set {
            BoundarySet::Pcon2010 => &self.sets[0],
            BoundarySet::Pcon2024 => &self.sets[1],
        }
    }

    pub fn indicator(&self, id: &str) -> Option<(usize, &IndicatorDef)> {
        let i = *self.indicator_index.get(id)?;
        Some((i, &self.indicators[i]))
    }

    pub fn source(&self, id: &str) -> Option<&SourceRow> {
        self.source_index.get(id).map(|&i| &self.sources[i])
    }

    pub fn region_name(&self, code: &str) -> Option<&str> {
        self.regions.get(code).map(String::as_str)
    }

    /// The boundary set a seat code belongs to when none is asked for: the
    /// 2024 set if it has the seat (some Scottish codes are in both), else
    /// the 2010 set.
    pub fn home_set(&self, code: GssCode) -> Option<BoundarySet> {
        [BoundarySet::Pcon2024, BoundarySet::Pcon2010]
            .into_iter()
            .find(|&s| self.set(s).seat_index(code).is_some())
    }

    /// The 2024 seat of a postcode: the range with the largest start at or
    /// below its key, as `Store::postcode_range`.
    pub fn locate(&self, postcode: &Postcode) -> Located {
        if postcode.is_northern_ireland() {
            return Located::NorthernIreland;
        }
        let key = postcode.key();
        let after = self.postcodes.partition_point(|(k, _)| *k <= key);
        match after.checked_sub(1).and_then(|i| self.postcodes[i].1) {
            Some(seat) => Located::Seat(seat as usize),
            None => Located::NotFound,
        }
    }

    /// Indexes of the 2024 seats that postcodes of an outward code
    /// (`LS1`, `E14`; upper case, no space) fall in: the range covering the
    /// code's first possible postcode and every range starting inside it.
    pub fn outcode_seats(&self, outward: &str) -> Vec<usize> {
        let key = |s: String| Postcode::parse(&s).map(|p| p.key());
        let (Ok(lo), Ok(hi)) = (key(format!("{outward}0AA")), key(format!("{outward}9ZZ"))) else {
            return Vec::new();
        };
        let start = self.postcodes.partition_point(|(k, _)| *k <= lo);
        let end = self.postcodes.partition_point(|(k, _)| *k <= hi);
        let mut seats: Vec<usize> = self.postcodes[start.saturating_sub(1)..end]
            .iter()
            .filter_map(|(_, s)| s.map(|s| s as usize))
            .collect();
        seats.sort_unstable();
        seats.dedup();
        seats
    }

    /// Number of postcode ranges held.
    pub fn postcode_ranges(&self) -> usize {
        self.postcodes.len()
    }

    /// Seats of a set whose name contains `text` (case-insensitive), in
    /// name order, exact matches first.
    pub fn search(&self, set: BoundarySet, text: &str) -> Vec<usize> {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let s = self.set(set);
        let mut hits: Vec<(bool, &str, usize)> = s
            .seats
            .iter()
            .enumerate()
            .filter_map(|(i, seat)| {
                let name = seat.name.to_lowercase();
                name.contains(&needle)
                    .then(|| (name != needle, seat.name.as_str(), i))
            })
            .collect();
        hits.sort();
        hits.into_iter().map(|h| h.2).collect()
    }

    /// Ids of the deprivation indicators (`imd_*`), in catalogue order.
    pub fn deprivation_indicators(&self) -> Vec<&IndicatorDef> {
        self.indicators
            .iter()
            .filter(|d| is_deprivation(&d.id))
            .collect()
    }
}

/// Whether an indicator describes deprivation (the context shown beside
/// the skills figures, and the x axis of the indicator scatter).
pub fn is_deprivation(id: &str) -> bool {
    id.starts_with("imd_") || id.starts_with("uk_imd") || id.contains("deprivation")
}

/// Whether a higher value of this indicator is worse.
pub fn higher_is_worse(d: &IndicatorDef) -> bool {
    d.direction == Direction::HigherIsWorse
}

fn load_set(
    store: &Store,
    set: BoundarySet,
    indicators: &[IndicatorDef],
    indicator_index: &HashMap<String, usize>,
    corrupt: &dyn Fn(&str) -> LoadError,
) -> Result<SetAtlas, LoadError> {
    let kind = seat_kind(set);
    let mut seats = Vec::new();
    for a in store.seats(set)? {
        let code =
            GssCode::parse(&a.code).map_err(|_| corrupt(&format!("seat code {}", a.code)))?;
        seats.push(Seat {
            code,
            name: a.name,
            nation: a.nation.or_else(|| code.nation()),
            region: a.region,
        });
    }
    seats.sort_by_key(|s| s.code);
    let index: HashMap<GssCode, usize> =
        seats.iter().enumerate().map(|(i, s)| (s.code, i)).collect();
    let lookup = |code: &str| {
        GssCode::parse(code)
            .ok()
            .and_then(|c| index.get(&c).copied())
    };

    let mut hexes = vec![None; seats.len()];
    for h in store.hexes(kind)? {
        let i = lookup(&h.code).ok_or_else(|| corrupt(&format!("hex for {}", h.code)))?;
        hexes[i] = Some((h.q, h.r));
    }

    let mut neighbours: Vec<Vec<Neighbour>> = vec![Vec::new(); seats.len()];
    for (relation, nk) in [
        (format!("border:{kind}"), NeighbourKind::Border),
        (format!("nearest:{kind}"), NeighbourKind::Nearest),
    ] {
        for l in store.links(&relation)? {
            let (Some(a), Some(b)) = (lookup(&l.from), lookup(&l.to)) else {
                return Err(corrupt(&format!("{relation} link {} -> {}", l.from, l.to)));
            };
            neighbours[a].push(Neighbour {
                seat: b,
                kind: nk,
                metres: l.weight,
            });
        }
    }
    for n in &mut neighbours {
        n.sort_by(|x, y| {
            (x.kind == NeighbourKind::Nearest)
                .cmp(&(y.kind == NeighbourKind::Nearest))
                .then(y.metres.total_cmp(&x.metres))
        });
    }

    let mut series: Vec<Series> = indicators
        .iter()
        .map(|_| Series {
            obs: vec![Vec::new(); seats.len()],
            ..Series::default()
        })
        .collect();
    // Periods and sources are a few dozen strings among ~250,000
    // observations: each is kept once.
    let mut interned: HashMap<stemgap_core::Symbol, std::sync::Arc<str>> = HashMap::new();
    let mut intern = |s: stemgap_core::Symbol| -> std::sync::Arc<str> {
        interned
            .entry(s)
            .or_insert_with_key(|k| std::sync::Arc::from(k.as_str()))
            .clone()
    };
    // Ordered by indicator, code, period: periods arrive in ascending order.
    for o in store.observations(Some(set), None)? {
        let Some(&k) = indicator_index.get(o.indicator.as_str()) else {
            return Err(corrupt(&format!(
                "observation of unknown indicator {}",
                o.indicator
            )));
        };
        let Some(&i) = index.get(&o.code) else {
            return Err(corrupt(&format!("observation for unknown seat {}", o.code)));
        };
        series[k].obs[i].push(Obs {
            period: intern(o.period),
            value: o.value,
            lower: o.lower,
            upper: o.upper,
            flag: o.flag,
            method: o.method,
            source: intern(o.source),
        });
    }
    for s in &mut series {
        // Most seats have one period of an indicator, and a pushed-to Vec
        // holds room for four: give the slack back (~40 MB on the real
        // store, for the server's life).
        for o in &mut s.obs {
            o.shrink_to_fit();
        }
        compare(s, &seats, &neighbours);
    }

    let mut paths = vec![None; seats.len()];
    for o in store.outlines(kind)? {
        let i = lookup(&o.code).ok_or_else(|| corrupt(&format!("outline for {}", o.code)))?;
        paths[i] = Some(o.path);
    }
    // View boxes are four numbers, width and height positive.
    let view_box = |key: &str, text: &str| -> Result<[f64; 4], LoadError> {
        let n: Vec<f64> = text
            .split(' ')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| corrupt(&format!("{key} {text:?}")))?;
        match n[..] {
            [x, y, w, h] if [x, y, w, h].iter().all(|v| v.is_finite()) && w > 0.0 && h > 0.0 => {
                Ok([x, y, w, h])
            }
            _ => Err(corrupt(&format!("{key} {text:?}"))),
        }
    };
    let box_key = stemgap_store::outline_view_box_key(kind);
    let outlines = match store.meta(&box_key)? {
        Some(text) if paths.iter().any(Option::is_some) => {
            let inset_key = stemgap_store::outline_inset_key(kind);
            let inset = match store.meta(&inset_key)? {
                Some(v) => {
                    let (name, vb) = v
                        .split_once('|')
                        .ok_or_else(|| corrupt(&format!("{inset_key} {v:?}")))?;
                    Some((name.to_owned(), view_box(&inset_key, vb)?))
                }
                None => None,
            };
            Some(Outlines {
                view_box: view_box(&box_key, &text)?,
                inset,
                paths,
            })
        }
        _ => None,
    };
    Ok(SetAtlas {
        set,
        outlines,
        overlaps: vec![Vec::new(); seats.len()],
        institutions: vec![Vec::new(); seats.len()],
        seats,
        index,
        hexes,
        neighbours,
        series,
    })
}

/// The `<from>-><to>` seat overlap links of a set, by seat.
fn overlaps(
    store: &Store,
    from: &SetAtlas,
    to: &SetAtlas,
    corrupt: &dyn Fn(&str) -> LoadError,
) -> Result<Vec<Vec<(usize, f64)>>, LoadError> {
    let relation = format!("{}->{}", seat_kind(from.set), seat_kind(to.set));
    let mut out = vec![Vec::new(); from.seats.len()];
    for l in store.links(&relation)? {
        let a = GssCode::parse(&l.from)
            .ok()
            .and_then(|c| from.seat_index(c));
        let b = GssCode::parse(&l.to).ok().and_then(|c| to.seat_index(c));
        let (Some(a), Some(b)) = (a, b) else {
            return Err(corrupt(&format!("{relation} link {} -> {}", l.from, l.to)));
        };
        out[a].push((b, l.weight));
    }
    for v in &mut out {
        v.sort_by(|x, y| y.1.total_cmp(&x.1));
    }
    Ok(out)
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Fills the ranks and means of a series from its latest values.
fn compare(s: &mut Series, seats: &[Seat], neighbours: &[Vec<Neighbour>]) {
    let values: Vec<Option<f64>> = (0..seats.len()).map(|i| s.value(i)).collect();
    s.coverage = values.iter().flatten().count();
    s.rank = vec![None; seats.len()];
    let mut by_nation: [Vec<(f64, usize)>; 4] = Default::default();
    let mut by_region: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for (i, seat) in seats.iter().enumerate() {
        let Some(v) = values[i] else { continue };
        if let Some(n) = seat.nation {
            by_nation[nation_slot(n)].push((v, i));
        }
        if let Some(r) = &seat.region {
            by_region.entry(r).or_default().push(v);
        }
    }
    for (slot, list) in by_nation.iter_mut().enumerate() {
        list.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut rank = 0;
        for (pos, &(v, i)) in list.iter().enumerate() {
            if pos == 0 || v != list[pos - 1].0 {
                rank = pos + 1;
            }
            s.rank[i] = Some(rank);
        }
        s.nation_count[slot] = list.len();
        s.nation_mean[slot] = mean(&list.iter().map(|p| p.0).collect::<Vec<_>>());
    }
    s.region_mean = by_region
        .into_iter()
        .filter_map(|(r, v)| Some((r.to_owned(), mean(&v)?)))
        .collect();
    s.neighbour_mean = neighbours
        .iter()
        .map(|ns| {
            let border: Vec<f64> = ns
                .iter()
                .filter(|n| n.kind == NeighbourKind::Border)
                .filter_map(|n| values[n.seat])
                .collect();
            if ns.iter().any(|n| n.kind == NeighbourKind::Border) {
                mean(&border)
            } else {
                mean(&ns.iter().filter_map(|n| values[n.seat]).collect::<Vec<_>>())
            }
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_723), "2024-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(20_429), "2025-12-07");
    }

    fn seat(code: &str, nation: Nation, region: &str) -> Seat {
        Seat {
            code: GssCode::parse(code).unwrap(),
            name: code.into(),
            nation: Some(nation),
            region: Some(region.into()),
        }
    }

    fn obs(v: Option<f64>) -> Vec<Obs> {
        vec![Obs {
            period: "2021".into(),
            value: v,
            lower: None,
            upper: None,
            flag: v.is_none().then_some(Marker::Confidential),
            method: Method::Measured,
            source: "s".into(),
        }]
    }

    #[test]
    fn ranks_share_ties_and_means_skip_missing_values() {
        let seats = vec![
            seat("E14000001", Nation::England, "E12000001"),
            seat("E14000002", Nation::England, "E12000001"),
            seat("E14000003", Nation::England, "E12000002"),
            seat("E14000004", Nation::England, "E12000002"),
            seat("W07000001", Nation::Wales, "W92000004"),
        ];
        let n = |seat, kind| Neighbour {
            seat,
            kind,
            metres: 1.0,
        };
        let neighbours = vec![
            vec![n(1, NeighbourKind::Border), n(2, NeighbourKind::Border)],
            vec![n(0, NeighbourKind::Border)],
            vec![n(0, NeighbourKind::Border), n(3, NeighbourKind::Border)],
            vec![n(2, NeighbourKind::Border)],
            vec![n(3, NeighbourKind::Nearest)],
        ];
        let mut s = Series {
            obs: vec![
                obs(Some(2.0)),
                obs(Some(5.0)),
                obs(Some(2.0)),
                obs(None),
                obs(Some(1.0)),
            ],
            ..Series::default()
        };
        compare(&mut s, &seats, &neighbours);
        assert_eq!(s.rank, vec![Some(2), Some(1), Some(2), None, Some(1)]);
        assert_eq!(s.nation_count, [3, 1, 0, 0]);
        assert_eq!(s.nation_mean[0], Some(3.0));
        assert_eq!(s.nation_mean[2], None);
        assert_eq!(s.region_mean["E12000001"], 3.5);
        assert_eq!(s.region_mean["E12000002"], 2.0);
        assert_eq!(s.coverage, 4);
        // Seat 0: neighbours 5 and 2; seat 2: neighbour 3 has no value.
        assert_eq!(s.neighbour_mean[0], Some(3.5));
        assert_eq!(s.neighbour_mean[2], Some(2.0));
        assert_eq!(s.neighbour_mean[3], Some(2.0));
        // The Welsh seat's only link is its nearest seat, which has no value.
        assert_eq!(s.neighbour_mean[4], None);
        assert_eq!(s.range(), Some((1.0, 5.0)));
    }
}
