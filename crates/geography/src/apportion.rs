//! The apportioner: figures for local authorities and small areas carried
//! to seats (method `apportioned`).
//!
//! A count for a local authority is shared among seats in proportion to the
//! share of the authority's population living in each seat ([`shares`]:
//! built from small areas in England, from mySociety's seat × authority
//! overlap elsewhere). This assumes the rate is the same everywhere in the
//! authority; an interval carried with a figure covers suppressed cells
//! only, not that assumption.
//!
//! Sources use each year's own authorities: codes are carried forward
//! through the 2019-2023 reorganisations to the 2023 authorities the shares
//! are keyed by, and summed ([`successor`], [`REORGANISATIONS`]). DfE's row
//! `z` ("outside of England and unknown") cannot be placed and is left out.
//!
//! [`to_seats`] is the one authority → seat loop: every apportioned count,
//! bound or estimate goes through it (anything that adds and scales,
//! [`Amount`]).

use crate::{Link, Registry, Relation, Sources};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{AreaKind, BoundarySet, GssCode, Nation};
use stemgap_sources::{CsvOptions, CsvTable, Location, Problem, SourceError};

/// ONS's LSOA 2011 → 2019 district lookup (the IMD 2019 ranks file): the
/// authority of each English small area.
pub const LSOA_LAD: &str = "ons_imd2019_lsoa11_rank_england";

/// Local government reorganisations in England since 2019 (ONS): a
/// district code, its successor, and the year of the change. DfE files use
/// each year's own codes; the 2010-2024 seat shares use 2022 authorities and
/// the 2024 seat shares 2024 authorities, so codes are carried forward to
/// the vintage each lookup uses and their counts summed.
pub const REORGANISATIONS: [(&str, &str, u16); 38] = [
    ("E06000028", "E06000058", 2019), // Bournemouth → Bournemouth, Christchurch and Poole
    ("E06000029", "E06000058", 2019), // Poole
    ("E07000048", "E06000058", 2019), // Christchurch
    ("E07000049", "E06000059", 2019), // East Dorset → Dorset
    ("E07000050", "E06000059", 2019), // North Dorset
    ("E07000051", "E06000059", 2019), // Purbeck
    ("E07000052", "E06000059", 2019), // West Dorset
    ("E07000053", "E06000059", 2019), // Weymouth and Portland
    ("E07000190", "E07000246", 2019), // Taunton Deane → Somerset West and Taunton
    ("E07000191", "E07000246", 2019), // West Somerset
    ("E07000201", "E07000245", 2019), // Forest Heath → West Suffolk
    ("E07000204", "E07000245", 2019), // St Edmundsbury
    ("E07000205", "E07000244", 2019), // Suffolk Coastal → East Suffolk
    ("E07000206", "E07000244", 2019), // Waveney
    ("E07000004", "E06000060", 2020), // Aylesbury Vale → Buckinghamshire
    ("E07000005", "E06000060", 2020), // Chiltern
    ("E07000006", "E06000060", 2020), // South Bucks
    ("E07000007", "E06000060", 2020), // Wycombe
    ("E07000150", "E06000061", 2021), // Corby → North Northamptonshire
    ("E07000152", "E06000061", 2021), // East Northamptonshire
    ("E07000153", "E06000061", 2021), // Kettering
    ("E07000156", "E06000061", 2021), // Wellingborough
    ("E07000151", "E06000062", 2021), // Daventry → West Northamptonshire
    ("E07000154", "E06000062", 2021), // Northampton
    ("E07000155", "E06000062", 2021), // South Northamptonshire
    ("E07000026", "E06000063", 2023), // Allerdale → Cumberland
    ("E07000028", "E06000063", 2023), // Carlisle
    ("E07000029", "E06000063", 2023), // Copeland
    ("E07000027", "E06000064", 2023), // Barrow-in-Furness → Westmorland and Furness
    ("E07000030", "E06000064", 2023), // Eden
    ("E07000031", "E06000064", 2023), // South Lakeland
    ("E07000163", "E06000065", 2023), // Craven → North Yorkshire
    ("E07000164", "E06000065", 2023), // Hambleton
    ("E07000165", "E06000065", 2023), // Harrogate
    ("E07000166", "E06000065", 2023), // Richmondshire
    ("E07000167", "E06000065", 2023), // Ryedale
    ("E07000168", "E06000065", 2023), // Scarborough
    ("E07000169", "E06000065", 2023), // Selby
];

/// The 2023 authority that holds `lad`'s area: the population shares of both
/// boundary sets are keyed by 2023 authorities (see [`shares`]), so every
/// count is carried forward to them first. (Somerset's 2023 merger is listed
/// for its four districts below.) `_set` is kept for the callers' clarity.
pub fn successor(lad: &str, _set: BoundarySet) -> &str {
    let mut code = lad;
    while let Some((_, new, _)) = REORGANISATIONS.iter().find(|(old, _, _)| *old == code) {
        code = new;
    }
    if SOMERSET_2023.contains(&code) {
        return "E06000066";
    }
    code
}

/// Somerset's four districts, merged into Somerset (E06000066) in April 2023.
const SOMERSET_2023: [&str; 4] = ["E07000187", "E07000188", "E07000189", "E07000246"];

/// What [`to_seats`] shares out: a quantity that adds up and scales by a
/// population share (a count, bounds around one, an estimate with bounds).
pub trait Amount: Copy + Default {
    /// The sum of two amounts.
    fn add(self, other: Self) -> Self;
    /// The amount times a share.
    fn scale(self, share: f64) -> Self;
}

impl Amount for f64 {
    fn add(self, other: f64) -> f64 {
        self + other
    }
    fn scale(self, share: f64) -> f64 {
        self * share
    }
}

/// A count known to lie in `lo..=hi`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    pub lo: f64,
    pub hi: f64,
}

impl Amount for Bounds {
    fn add(self, o: Bounds) -> Bounds {
        Bounds {
            lo: self.lo + o.lo,
            hi: self.hi + o.hi,
        }
    }
    fn scale(self, f: f64) -> Bounds {
        Bounds {
            lo: self.lo * f,
            hi: self.hi * f,
        }
    }
}

/// LAD → [(seat, share of the LAD's population)], shares normalised to 1.
pub type Shares = BTreeMap<String, Vec<(GssCode, f64)>>;

/// The sources behind [`shares`], to list beside a source apportioned with them.
pub fn with_share_sources(src: &str) -> [&str; 6] {
    [
        src,
        "ons_imd2019_lsoa11_rank_england",
        "small_area_population_2019",
        "small_area11_to_pcon2024_overlap_mysociety",
        "small_area11_to_pcon2010_bestfit_postcodes",
        "pcon2024_to_lad23_overlap_mysociety",
    ]
}

/// LAD (2023 authorities) → seats with the share of the authority's mid-2019
/// population living in each, for both boundary sets.
///
/// England: from small areas (each LSOA's authority and its population in
/// each seat; see [`population_shares`]). Wales, Scotland and
/// Northern Ireland: 2024 seats from mySociety's seat × authority population
/// overlap; 2010-2024 seats by carrying those shares through each 2024 seat's
/// population overlap with the old seats (which assumes the authority's part
/// of a 2024 seat is spread like the seat's population).
///
/// (The Open Innovations LAD → seat lookups hold **area** shares, which put
/// far too much of an authority into its rural seats, so they are not used.)
pub fn shares(
    inputs: &impl Sources,
    reg: &Registry,
) -> Result<[(BoundarySet, Shares); 2], SourceError> {
    let [(_, mut s10), (_, mut s24)] = population_shares(inputs, reg)?;
    // Other nations, 2024 seats: seat → authority links with the overlap population.
    let mut totals: HashMap<&str, f64> = HashMap::default();
    let links: Vec<_> = reg
        .links_of(Relation::SeatToLad23)
        .filter(|l| !l.to.starts_with('E'))
        .collect();
    for l in &links {
        *totals.entry(l.to.as_str()).or_default() += l.population.unwrap_or(0.0);
    }
    let mut other24: BTreeMap<&str, Vec<(GssCode, f64)>> = BTreeMap::new();
    for l in &links {
        let (Ok(seat), Some(p)) = (GssCode::parse(&l.from), l.population) else {
            continue;
        };
        let total = totals[l.to.as_str()];
        if total > 0.0 && p > 0.0 {
            other24
                .entry(l.to.as_str())
                .or_default()
                .push((seat, p / total));
        }
    }
    // ... and carried to 2010-2024 seats through the seat overlaps.
    let mut overlap: HashMap<&str, Vec<(&str, f64)>> = HashMap::default();
    for l in reg.links_of(Relation::SeatOverlap {
        from: BoundarySet::Pcon2024,
    }) {
        overlap
            .entry(l.from.as_str())
            .or_default()
            .push((l.to.as_str(), l.population.unwrap_or(0.0)));
    }
    for (lad, v24) in other24 {
        let mut acc: BTreeMap<GssCode, f64> = BTreeMap::new();
        for (seat24, f) in &v24 {
            let parts = overlap.get(seat24.as_str()).map_or(&[][..], Vec::as_slice);
            let total: f64 = parts.iter().map(|(_, p)| p).sum();
            for (seat10, p) in parts.iter().filter(|_| total > 0.0) {
                if let Ok(code) = GssCode::parse(seat10) {
                    *acc.entry(code).or_default() += f * p / total;
                }
            }
        }
        s10.insert(lad.to_owned(), acc.into_iter().collect());
        s24.insert(lad.to_owned(), v24);
    }
    Ok([(BoundarySet::Pcon2010, s10), (BoundarySet::Pcon2024, s24)])
}

/// Population shares of each English 2023 authority among the seats of both
/// sets, built from small areas: each LSOA 2011 lies in one 2019 district
/// (`ons_imd2019_lsoa11_rank_england`), carried forward to its 2023
/// authority; its mid-2019 population is in 2024 seats by mySociety's
/// overlap and in one 2010-2024 seat by the postcode best fit (the
/// registry's small-area links). Only English seats count: an English small
/// area's sliver in a Welsh seat (a boundary artefact) is left out, so an
/// authority's count stays in England.
pub fn population_shares(
    inputs: &impl Sources,
    reg: &Registry,
) -> Result<[(BoundarySet, Shares); 2], SourceError> {
    let loaded = inputs.load(LSOA_LAD)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let (lsoa_col, lad_col) = (t.column("LSOA11CD")?, t.column("LAD19CD")?);
    // Small area → index of its 2023 authority in `lads` (successors are
    // looked up once per 2019 district).
    let mut lads: Vec<String> = Vec::new();
    let mut index: HashMap<GssCode, usize> = HashMap::default();
    let mut lad_of: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(t.len(), Default::default());
    for row in t.rows() {
        let lsoa = row.str(lsoa_col).trim();
        let lad = row.code(lad_col)?;
        if lad.nation() != Some(Nation::England) {
            return Err(row.error(
                lad_col,
                Problem::UnknownCode(format!("{lad}: not an English local authority")),
            ));
        }
        let i = *index.entry(lad).or_insert_with(|| {
            let lad23 = successor(lad.as_str(), BoundarySet::Pcon2024);
            match lads.iter().position(|l| l == lad23) {
                Some(i) => i,
                None => {
                    lads.push(lad23.to_owned());
                    lads.len() - 1
                }
            }
        });
        if lad_of.insert(lsoa, i).is_some() {
            return Err(row.error(lsoa_col, Problem::Duplicate(lsoa.to_owned())));
        }
    }
    // Every English small area has an authority, and nothing else does
    // (counted first; the slow search only finds the culprit).
    let english = reg
        .small_areas
        .iter()
        .filter(|(_, n)| **n == Nation::England);
    if let Some((code, _)) = english
        .clone()
        .find(|(c, _)| !lad_of.contains_key(c.as_str()))
    {
        return Err(SourceError::new(
            loaded.location.clone(),
            Problem::Invalid(format!(
                "no local authority for small area {code} (truncated file?)"
            )),
        ));
    }
    if english.count() != lad_of.len() {
        let row = t
            .rows()
            .find(|r| reg.small_areas.get(r.str(lsoa_col).trim()) != Some(&Nation::England))
            .expect("a row names a small area that is not English");
        return Err(row.error(
            lsoa_col,
            Problem::UnknownCode(format!(
                "{:?}: not an English small area",
                row.str(lsoa_col).trim()
            )),
        ));
    }
    Ok(authority_shares_from_small_areas(
        &lad_of, &lads, &reg.links,
    ))
}

/// Population shares from small areas: `lad_of` gives each English small
/// area's 2023 authority (an index into `lads`); `links` the registry's
/// small-area links (to 2024 seats with the overlap population, to 2010-2024
/// seats by best fit).
fn authority_shares_from_small_areas(
    lad_of: &HashMap<&str, usize>,
    lads: &[String],
    links: &[Link],
) -> [(BoundarySet, Shares); 2] {
    let english = |seat: &str| {
        GssCode::parse(seat)
            .ok()
            .filter(|c| c.nation() == Some(Nation::England))
    };
    // Small area → (authority, population), filled from the 2024 links.
    let mut areas: HashMap<&str, (usize, f64)> =
        lad_of.iter().map(|(a, &i)| (*a, (i, 0.0))).collect();
    let mut acc: [HashMap<(usize, GssCode), f64>; 2] = Default::default();
    for l in links
        .iter()
        .filter(|l| l.relation == Relation::SmallAreaToSeat(BoundarySet::Pcon2024))
    {
        let (Some((lad, pop)), Some(p)) = (areas.get_mut(l.from.as_str()), l.population) else {
            continue;
        };
        *pop += p;
        if let Some(seat) = english(&l.to) {
            *acc[1].entry((*lad, seat)).or_default() += p;
        }
    }
    for l in links
        .iter()
        .filter(|l| l.relation == Relation::SmallAreaToSeat(BoundarySet::Pcon2010))
    {
        let (Some(&(lad, p)), Some(seat)) = (areas.get(l.from.as_str()), english(&l.to)) else {
            continue;
        };
        *acc[0].entry((lad, seat)).or_default() += p;
    }
    let shares = |acc: &HashMap<(usize, GssCode), f64>| {
        // Summed in key order, so the floating-point totals do not depend
        // on the hash map's iteration order.
        let sorted: BTreeMap<_, _> = acc.iter().collect();
        let mut totals = vec![0.0; lads.len()];
        for ((lad, _), p) in &sorted {
            totals[*lad] += *p;
        }
        let mut out: Shares = Shares::new();
        for ((lad, seat), p) in sorted {
            if totals[*lad] > 0.0 && *p > 0.0 {
                out.entry(lads[*lad].clone())
                    .or_default()
                    .push((*seat, p / totals[*lad]));
            }
        }
        out
    };
    [
        (BoundarySet::Pcon2010, shares(&acc[0])),
        (BoundarySet::Pcon2024, shares(&acc[1])),
    ]
}

/// Shares authority counts (`z`, outside England or unknown, left out) out
/// among the seats of one set: codes carried forward to the 2023
/// authorities and summed, then each authority's count shared in proportion
/// to its population in each seat. An authority without seat shares is an
/// error at `at`. The one authority → seat loop: every apportioned count
/// goes through it.
pub fn to_seats<'a, A: Amount + 'a>(
    lads: impl IntoIterator<Item = (&'a String, &'a A)>,
    set: BoundarySet,
    shares: &Shares,
    at: &Location,
) -> Result<BTreeMap<GssCode, A>, SourceError> {
    // Sum predecessor districts into their successors.
    let mut by_lad: BTreeMap<&str, A> = BTreeMap::new();
    for (lad, b) in lads {
        if lad == "z" {
            continue;
        }
        let lad = successor(lad, set);
        let e = by_lad.entry(lad).or_default();
        *e = e.add(*b);
    }
    let mut seats: BTreeMap<GssCode, A> = BTreeMap::new();
    for (lad, b) in by_lad {
        let targets = shares.get(lad).filter(|v| !v.is_empty()).ok_or_else(|| {
            SourceError::new(
                at.clone(),
                Problem::UnknownCode(format!(
                    "{lad:?}: a local authority with no seat shares for the {} set",
                    set.id()
                )),
            )
        })?;
        for (seat, f) in targets {
            let e = seats.entry(*seat).or_default();
            *e = e.add(b.scale(*f));
        }
    }
    Ok(seats)
}

/// Each seat's parts: the authorities (the keys of `shares`) overlapping
/// it, with the share of each authority's population living in the seat,
/// in authority order. For rules that need all of a seat's parts at once
/// (a survey estimate is missing unless every authority it draws on is
/// published; see `stemgap_ingest`'s APS reader).
pub fn seat_parts(shares: &Shares) -> BTreeMap<GssCode, Vec<(&str, f64)>> {
    let mut parts: BTreeMap<GssCode, Vec<(&str, f64)>> = BTreeMap::new();
    for (lad, targets) in shares {
        for (seat, f) in targets {
            parts.entry(*seat).or_default().push((lad.as_str(), *f));
        }
    }
    parts
}

/// A small area's population weight in a seat, by the one rule every
/// small-area aggregation uses (deprivation, the MSOA apportioner): on the
/// 2010-2024 seats a small area lies whole in its postcode best-fit seat,
/// weighted by its mid-2019 population (`population`); on the 2024 seats
/// by the population of its overlap with the seat (mySociety's, on the
/// link). `None` when `population` has none for the small area, or for a
/// link that is not a small area's.
pub fn small_area_weight(link: &Link, population: impl FnOnce(&str) -> Option<f64>) -> Option<f64> {
    match link.relation {
        Relation::SmallAreaToSeat(BoundarySet::Pcon2010) => population(&link.from),
        Relation::SmallAreaToSeat(BoundarySet::Pcon2024) => Some(link.population.unwrap_or(0.0)),
        _ => None,
    }
}

/// Whether `code` is a small area of `kind`, by the form of its code as
/// the registry checked it: LSOA 2011 (`E01`, `W01`), data zone 2011
/// (`S01`), Northern Ireland SOA 2001 (eight characters from `95`). Any
/// other kind has no small areas.
pub fn is_small_area_of(code: &str, kind: AreaKind) -> bool {
    match kind {
        AreaKind::Lsoa11 => code.starts_with("E01") || code.starts_with("W01"),
        AreaKind::Dz11 => code.starts_with("S01"),
        AreaKind::Soa01 => code.len() == 8 && code.starts_with("95"),
        _ => false,
    }
}

/// Small areas of one kind (`kind`: English and Welsh LSOA 2011, Scottish
/// data zones 2011 or Northern Ireland SOA 2001; see [`is_small_area_of`])
/// → seats with the share of each small area in each seat, for both sets,
/// from the registry's small-area links (population overlap for the 2024
/// set, best fit for the 2010-2024 set); and each small area's population
/// (its 2024 overlaps summed). The shares [`to_seats`] carries small-area
/// rows with.
pub fn small_area_shares(
    reg: &Registry,
    kind: AreaKind,
) -> ([(BoundarySet, Shares); 2], HashMap<String, f64>) {
    let mut s10 = Shares::new();
    let mut s24 = Shares::new();
    let mut pop: HashMap<String, f64> = HashMap::default();
    for l in &reg.links {
        let Relation::SmallAreaToSeat(set) = l.relation else {
            continue;
        };
        let shares = match set {
            BoundarySet::Pcon2024 => &mut s24,
            BoundarySet::Pcon2010 => &mut s10,
        };
        if !is_small_area_of(&l.from, kind) {
            continue;
        }
        if set == BoundarySet::Pcon2024 {
            *pop.entry(l.from.clone()).or_default() += l.population.unwrap_or(0.0);
        }
        if let (Ok(seat), true) = (GssCode::parse(&l.to), l.weight > 0.0) {
            shares
                .entry(l.from.clone())
                .or_default()
                .push((seat, l.weight));
        }
    }
    (
        [(BoundarySet::Pcon2010, s10), (BoundarySet::Pcon2024, s24)],
        pop,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> GssCode {
        GssCode::parse(s).unwrap()
    }

    #[test]
    fn successors_follow_the_chain_to_the_2023_authorities() {
        // Taunton Deane → Somerset West and Taunton (2019) → Somerset (2023),
        // for either set: both sets' shares are keyed by 2023 authorities.
        for set in BoundarySet::ALL {
            assert_eq!(successor("E07000190", set), "E06000066");
            assert_eq!(successor("E07000187", set), "E06000066");
            assert_eq!(successor("E07000163", set), "E06000065");
        }
        assert_eq!(successor("E07000026", BoundarySet::Pcon2024), "E06000063");
        assert_eq!(successor("E07000004", BoundarySet::Pcon2010), "E06000060");
        assert_eq!(successor("E09000001", BoundarySet::Pcon2024), "E09000001");
    }

    #[test]
    fn suppressed_counts_are_bounds() {
        let b = Bounds { lo: 10.0, hi: 10.0 }
            .add(Bounds { lo: 0.0, hi: 4.0 })
            .scale(0.5);
        assert_eq!(b, Bounds { lo: 5.0, hi: 7.0 });
    }

    #[test]
    fn population_shares_come_from_small_areas_in_english_seats() {
        let link = |rel: Relation, from: &str, to: &str, pop: Option<f64>| Link {
            relation: rel,
            from: from.into(),
            to: to.into(),
            weight: 1.0,
            population: pop,
        };
        // Northam: A (1,500, all in seat 1401), B (1,400: 840 in 1401, 560 in
        // 1402), C (1,700 in 1402); best fit A, B → 801 and C → 802.
        // Somerset: D (1,710 in 1403 and a sliver of 90 in a Welsh seat,
        // left out), E (unpopulated). W is Welsh, not in `lad_of`.
        let links = [
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                "A",
                "E14001401",
                Some(1500.0),
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                "B",
                "E14001401",
                Some(840.0),
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                "B",
                "E14001402",
                Some(560.0),
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                "C",
                "E14001402",
                Some(1700.0),
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                "D",
                "E14001403",
                Some(1710.0),
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                "D",
                "W07000101",
                Some(90.0),
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                "E",
                "E14001403",
                Some(0.0),
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2010),
                "A",
                "E14000801",
                None,
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2010),
                "B",
                "E14000801",
                None,
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2010),
                "C",
                "E14000802",
                None,
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2010),
                "D",
                "E14000803",
                None,
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2010),
                "E",
                "E14000803",
                None,
            ),
            link(
                Relation::SmallAreaToSeat(BoundarySet::Pcon2010),
                "W",
                "W07000061",
                None,
            ),
        ];
        let lads = ["E06000091".to_owned(), "E06000066".to_owned()];
        let lad_of = [("A", 0), ("B", 0), ("C", 0), ("D", 1), ("E", 1)]
            .into_iter()
            .collect();
        let [(_, s10), (_, s24)] = authority_shares_from_small_areas(&lad_of, &lads, &links);
        assert_eq!(
            s24["E06000091"],
            [
                (code("E14001401"), 2340.0 / 4600.0),
                (code("E14001402"), 2260.0 / 4600.0)
            ]
        );
        assert_eq!(s24["E06000066"], [(code("E14001403"), 1.0)]);
        // 2010-2024 seats: whole small areas; D's 1,800 all in 803.
        assert_eq!(
            s10["E06000091"],
            [
                (code("E14000801"), 2900.0 / 4600.0),
                (code("E14000802"), 1700.0 / 4600.0)
            ]
        );
        assert_eq!(s10["E06000066"], [(code("E14000803"), 1.0)]);
    }

    #[test]
    fn seats_list_their_authorities_with_each_authoritys_share() {
        let shares: Shares = [
            (
                "E06000066".to_owned(),
                vec![(code("E14001401"), 0.25), (code("E14001402"), 0.75)],
            ),
            ("E06000091".to_owned(), vec![(code("E14001401"), 1.0)]),
        ]
        .into();
        let parts = seat_parts(&shares);
        assert_eq!(
            parts[&code("E14001401")],
            [("E06000066", 0.25), ("E06000091", 1.0)]
        );
        assert_eq!(parts[&code("E14001402")], [("E06000066", 0.75)]);
        assert_eq!(parts.len(), 2);
    }

    #[test]
    fn small_area_shares_are_the_registrys_english_and_welsh_small_area_links() {
        let link = |relation: Relation, from: &str, to: &str, weight: f64, pop: Option<f64>| Link {
            relation,
            from: from.into(),
            to: to.into(),
            weight,
            population: pop,
        };
        let s24 = Relation::SmallAreaToSeat(BoundarySet::Pcon2024);
        let s10 = Relation::SmallAreaToSeat(BoundarySet::Pcon2010);
        let mut reg = Registry::default();
        reg.links = vec![
            link(s24, "E01000001", "E14001401", 0.6, Some(900.0)),
            link(s24, "E01000001", "E14001402", 0.4, Some(600.0)),
            // An unpopulated sliver is no share.
            link(s24, "W01000001", "W07000081", 1.0, Some(1200.0)),
            link(s24, "W01000001", "E14001402", 0.0, Some(0.0)),
            // Scottish data zones are not LSOAs.
            link(s24, "S01000001", "S14000001", 1.0, Some(800.0)),
            link(s10, "E01000001", "E14000801", 1.0, None),
            link(
                Relation::SeatToLad23,
                "E14001401",
                "E06000066",
                1.0,
                Some(5.0),
            ),
        ];
        let ([(set10, a10), (set24, a24)], pop) = small_area_shares(&reg, AreaKind::Lsoa11);
        assert_eq!(
            (set10, set24),
            (BoundarySet::Pcon2010, BoundarySet::Pcon2024)
        );
        assert_eq!(
            a24["E01000001"],
            [(code("E14001401"), 0.6), (code("E14001402"), 0.4)]
        );
        assert_eq!(a24["W01000001"], [(code("W07000081"), 1.0)]);
        assert!(!a24.contains_key("S01000001"));
        assert_eq!(a10["E01000001"], [(code("E14000801"), 1.0)]);
        assert_eq!(pop["E01000001"], 1500.0);
        assert_eq!(pop["W01000001"], 1200.0);
        assert_eq!(pop.len(), 2);
    }

    /// The registry's links of every small-area kind, for the per-kind
    /// tests: an English LSOA split between two 2024 seats, a data zone
    /// split between two Scottish seats and a Northern Ireland SOA with an
    /// unpopulated sliver.
    fn mixed_small_area_registry() -> Registry {
        let link = |relation: Relation, from: &str, to: &str, weight: f64, pop: Option<f64>| Link {
            relation,
            from: from.into(),
            to: to.into(),
            weight,
            population: pop,
        };
        let s24 = Relation::SmallAreaToSeat(BoundarySet::Pcon2024);
        let s10 = Relation::SmallAreaToSeat(BoundarySet::Pcon2010);
        let mut reg = Registry::default();
        reg.links = vec![
            link(s24, "E01000001", "E14001401", 1.0, Some(1000.0)),
            link(s24, "S01000001", "S14000021", 0.75, Some(600.0)),
            link(s24, "S01000001", "S14000022", 0.25, Some(200.0)),
            link(s24, "S01000002", "S14000022", 1.0, Some(900.0)),
            link(s24, "95AA01S1", "N05000001", 1.0, Some(1500.0)),
            link(s24, "95AA01S1", "N05000002", 0.0, Some(0.0)),
            link(s10, "E01000001", "E14000801", 1.0, None),
            link(s10, "S01000001", "S14000011", 1.0, None),
            link(s10, "S01000002", "S14000011", 1.0, None),
            link(s10, "95AA01S1", "N06000001", 1.0, None),
        ];
        reg
    }

    #[test]
    fn small_area_shares_of_data_zones_are_the_scottish_links_only() {
        let reg = mixed_small_area_registry();
        let ([(_, a10), (_, a24)], pop) = small_area_shares(&reg, AreaKind::Dz11);
        assert_eq!(
            a24["S01000001"],
            [(code("S14000021"), 0.75), (code("S14000022"), 0.25)]
        );
        assert_eq!(a24["S01000002"], [(code("S14000022"), 1.0)]);
        assert_eq!(a24.len(), 2);
        assert_eq!(a10["S01000001"], [(code("S14000011"), 1.0)]);
        assert_eq!(a10.len(), 2);
        assert_eq!(pop["S01000001"], 800.0);
        assert_eq!(pop["S01000002"], 900.0);
        assert_eq!(pop.len(), 2);
    }

    #[test]
    fn small_area_shares_of_ni_super_output_areas_are_the_ni_links_only() {
        let reg = mixed_small_area_registry();
        let ([(_, a10), (_, a24)], pop) = small_area_shares(&reg, AreaKind::Soa01);
        // The unpopulated sliver is no share.
        assert_eq!(a24["95AA01S1"], [(code("N05000001"), 1.0)]);
        assert_eq!(a24.len(), 1);
        assert_eq!(a10["95AA01S1"], [(code("N06000001"), 1.0)]);
        assert_eq!(a10.len(), 1);
        assert_eq!(pop["95AA01S1"], 1500.0);
        assert_eq!(pop.len(), 1);
        // And the LSOA kind takes the English LSOA alone from the same links.
        let ([_, (_, l24)], _) = small_area_shares(&reg, AreaKind::Lsoa11);
        assert_eq!(l24.keys().collect::<Vec<_>>(), ["E01000001"]);
        // Kinds that are not small areas have none.
        let ([(_, n10), (_, n24)], npop) = small_area_shares(&reg, AreaKind::Lad23);
        assert!(n10.is_empty() && n24.is_empty() && npop.is_empty());
    }

    #[test]
    fn small_areas_weigh_their_population_whole_or_their_overlap() {
        let link = |relation: Relation, pop: Option<f64>| Link {
            relation,
            from: "E01000001".into(),
            to: "E14001401".into(),
            weight: 0.5,
            population: pop,
        };
        let mid2019 = |a: &str| (a == "E01000001").then_some(1600.0);
        let old = link(Relation::SmallAreaToSeat(BoundarySet::Pcon2010), None);
        let new = link(
            Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
            Some(700.0),
        );
        assert_eq!(small_area_weight(&old, mid2019), Some(1600.0));
        assert_eq!(small_area_weight(&new, mid2019), Some(700.0));
        assert_eq!(small_area_weight(&old, |_| None), None);
        let unpopulated = link(Relation::SmallAreaToSeat(BoundarySet::Pcon2024), None);
        assert_eq!(small_area_weight(&unpopulated, mid2019), Some(0.0));
        assert_eq!(
            small_area_weight(&link(Relation::SeatToLad23, Some(5.0)), mid2019),
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn apportioned_counts_sum_back_to_the_authority_totals(
            lads in proptest::collection::vec(
                (0u32..5000, proptest::collection::vec(0.001f64..1.0, 1..6)),
                1..8,
            )
        ) {
            let mut shares: Shares = Shares::new();
            let mut counts: BTreeMap<String, f64> = BTreeMap::new();
            let mut seat = 1063;
            for (i, (n, weights)) in lads.iter().enumerate() {
                let total: f64 = weights.iter().sum();
                let lad = format!("E0600{i:04}");
                let v = weights.iter().map(|w| {
                    seat += 1;
                    (code(&format!("E1400{seat:04}")), w / total)
                }).collect();
                shares.insert(lad.clone(), v);
                counts.insert(lad, f64::from(*n));
            }
            let at = Location::file("t.csv");
            let seats = to_seats(&counts, BoundarySet::Pcon2024, &shares, &at).unwrap();
            let want: f64 = counts.values().sum();
            let got: f64 = seats.values().sum();
            proptest::prop_assert!((got - want).abs() <= 1e-9 * want.max(1.0));
            // And each authority's seats sum back to its own count.
            for (lad, v) in &counts {
                let own: f64 = shares[lad].iter().map(|(s, _)| seats[s]).sum();
                proptest::prop_assert!((own - v).abs() <= 1e-9 * v.max(1.0));
            }
        }
    }
}
