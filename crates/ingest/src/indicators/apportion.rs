//! Local-authority statistics carried down to seats (`apportioned`).
//!
//! A count for a local authority is shared among seats in proportion to the
//! share of the authority's population living in each seat (Open
//! Innovations' LAD → seat population shares: 2022 authorities for the
//! 2010-2024 seats, 2024 authorities for the 2024 seats). This assumes the
//! rate is the same everywhere in the authority; the interval stored with
//! each figure covers suppressed cells only, not that assumption.
//!
//! DfE files use each year's own authorities: codes are carried forward
//! through the 2019-2023 reorganisations to the lookup's vintage and summed
//! (see [`REORGANISATIONS`]).
//! DfE's row `z` ("outside of England and unknown") cannot be placed and is
//! left out. Suppressed cells (`~`, `low`: fewer than 5) count as 0 to 4, so
//! a sum over them is an interval; the stored value is its midpoint.
//!
//! Rates are per 1,000 residents aged 19 and over at mid-2022; on 2010-2024
//! seats that denominator is converted from the 2024 seats through the
//! population overlap of the two sets.

use super::{Collector, Def};
use crate::build::Inputs;
use crate::Registry;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Marker, Method, Nation};

use stemgap_sources::{CsvOptions, CsvTable, Problem, Row, SourceError};

const SSA: &str = "dfe_fe_et_aim_achievements_by_ssa_t1_lad_202122";
const BY_TYPE: &str = "dfe_fes_achievements_by_type_lad_201617_202122";
const POP: &str = "population_19_plus";

/// Local government reorganisations in England since 2019 (ONS): a
/// district code, its successor, and the year of the change. DfE files use
/// each year's own codes; the 2010-2024 seat shares use 2022 authorities and
/// the 2024 seat shares 2024 authorities, so codes are carried forward to
/// the vintage each lookup uses and their counts summed.
const REORGANISATIONS: [(&str, &str, u16); 38] = [
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
pub(crate) fn successor(lad: &str, _set: BoundarySet) -> &str {
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

/// Sector subject areas (tier 1) counted as STEM.
pub const STEM_SSAS: [&str; 3] = [
    "Science and Mathematics",
    "Engineering and Manufacturing Technologies",
    "Information and Communication Technology",
];
/// The broad definition adds construction.
pub const STEM_BROAD_EXTRA: &str = "Construction, Planning and the Built Environment";

/// A count known to lie in `lo..=hi`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Bounds {
    pub lo: f64,
    pub hi: f64,
}

impl Bounds {
    pub fn add(self, o: Bounds) -> Bounds {
        Bounds {
            lo: self.lo + o.lo,
            hi: self.hi + o.hi,
        }
    }
    pub fn scale(self, f: f64) -> Bounds {
        Bounds {
            lo: self.lo * f,
            hi: self.hi * f,
        }
    }
}

/// A DfE count cell: a number, or `~`/`low` meaning fewer than 5.
fn count(row: &Row<'_>, col: usize) -> Result<Bounds, SourceError> {
    match row.cell(col)? {
        Cell::Value(v) if v >= 0.0 => Ok(Bounds { lo: v, hi: v }),
        Cell::Missing(Marker::Tilde | Marker::Low) => Ok(Bounds { lo: 0.0, hi: 4.0 }),
        _ => Err(row.error(
            col,
            Problem::Invalid(format!(
                "expected a count, `~` or `low`, found {:?}",
                row.str(col)
            )),
        )),
    }
}

/// `202122` → `2021/22`.
fn academic_year(row: &Row<'_>, col: usize) -> Result<String, SourceError> {
    let s = row.str(col).trim();
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("{}/{}", &s[..4], &s[4..]))
    } else {
        Err(row.error(
            col,
            Problem::Invalid(format!(
                "expected an academic year like 202122, found {s:?}"
            )),
        ))
    }
}

/// LAD → [(seat, share of the LAD's population)], shares normalised to 1.
pub(crate) type Shares = BTreeMap<String, Vec<(GssCode, f64)>>;

/// The sources behind [`shares`], to list beside a source apportioned with them.
pub(crate) fn with_share_sources(src: &str) -> [&str; 6] {
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
/// each seat; see [`super::starts::population_shares`]). Wales, Scotland and
/// Northern Ireland: 2024 seats from mySociety's seat × authority population
/// overlap; 2010-2024 seats by carrying those shares through each 2024 seat's
/// population overlap with the old seats (which assumes the authority's part
/// of a 2024 seat is spread like the seat's population).
///
/// (The Open Innovations LAD → seat lookups hold **area** shares, which put
/// far too much of an authority into its rural seats, so they are not used.)
pub(crate) fn shares(
    inputs: &Inputs<'_>,
    reg: &Registry,
) -> Result<[(BoundarySet, Shares); 2], SourceError> {
    let [(_, mut s10), (_, mut s24)] = super::starts::population_shares(inputs, reg)?;
    // Other nations, 2024 seats: seat → authority links with the overlap population.
    let mut totals: HashMap<&str, f64> = HashMap::default();
    let links: Vec<_> = reg
        .links
        .iter()
        .filter(|l| l.relation == "pcon2024->lad23" && !l.to.starts_with('E'))
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
    for l in reg
        .links
        .iter()
        .filter(|l| l.relation == "pcon2024->pcon2010")
    {
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

/// LAD-level data: (indicator, period) → LAD → bounds.
type LadData = BTreeMap<(&'static str, String), BTreeMap<String, Bounds>>;

fn read_ssa(inputs: &Inputs<'_>, data: &mut LadData) -> Result<(), SourceError> {
    let loaded = inputs.load(SSA)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let cols = [
        "location_code",
        "geographic_level",
        "time_period",
        "notional_nvq_level",
        "ethnicity_group",
        "gender",
        "ssa_t1_desc",
        "e_and_t_aims_ach",
    ]
    .map(|c| t.column(c));
    let [code, level, year, nvq, eth, gender, ssa, ach] = cols;
    let (code, level, year, ach, ssa) = (code?, level?, year?, ach?, ssa?);
    let filters = [nvq?, eth?, gender?];
    let mut seen = rustc_hash::FxHashSet::default();
    for row in t.rows() {
        if row.str(level) != "localAuthorityDistrict"
            || filters.iter().any(|&c| row.str(c) != "Total")
        {
            continue;
        }
        let lad = row.str(code).trim().to_owned();
        let subject = row.str(ssa).trim();
        if !seen.insert((lad.clone(), subject.to_owned())) {
            return Err(row.error(ssa, Problem::Duplicate(format!("{lad}, {subject}"))));
        }
        let period = academic_year(&row, year)?;
        let b = count(&row, ach)?;
        let mut add = |id: &'static str| {
            let e = data
                .entry((id, period.clone()))
                .or_default()
                .entry(lad.clone())
                .or_default();
            *e = e.add(b);
        };
        if subject == "Total" {
            add("fe_achievements_per_1000");
        }
        if STEM_SSAS.contains(&subject) {
            add("fe_stem_achievements_per_1000");
            add("fe_stem_broad_achievements_per_1000");
        } else if subject == STEM_BROAD_EXTRA {
            add("fe_stem_broad_achievements_per_1000");
        }
    }
    Ok(())
}

fn read_by_type(inputs: &Inputs<'_>, data: &mut LadData) -> Result<(), SourceError> {
    let loaded = inputs.load(BY_TYPE)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let [code, level, year, age, kind, ach] = [
        "location_code",
        "geographic_level",
        "time_period",
        "age_group",
        "level_or_type",
        "achievements",
    ]
    .map(|c| t.column(c));
    let (code, level, year, age, kind, ach) = (code?, level?, year?, age?, kind?, ach?);
    let mut seen = rustc_hash::FxHashSet::default();
    for row in t.rows() {
        if row.str(level) != "localAuthorityDistrict"
            || row.str(age) != "Total"
            || row.str(kind) != "Apprenticeships: Total"
        {
            continue;
        }
        let period = academic_year(&row, year)?;
        // 2021/22 is a part year (SOURCES.md): full years only.
        if period == "2021/22" {
            continue;
        }
        let lad = row.str(code).trim().to_owned();
        if !seen.insert((lad.clone(), period.clone())) {
            return Err(row.error(code, Problem::Duplicate(format!("{lad}, {period}"))));
        }
        let b = count(&row, ach)?;
        data.entry(("apprenticeship_achievements_per_1000", period))
            .or_default()
            .insert(lad, b);
    }
    Ok(())
}

pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    let shares = shares(inputs, reg)?;
    // Residents aged 19+ (FE rates) and 16+ (starts) by seat, read from the
    // population already collected (and converted to the 2010 seats here).
    let pops_19 = denominators(reg, out, POP)?;
    let pops_16 = denominators(reg, out, super::starts::POP)?;
    // The sources apportioned through these shares are independent of one
    // another: each fills its own collector on a thread of its own, and
    // they are merged in this (catalogue) order, so the result is the
    // serial one; the first failure in this order is the error.
    let (shares, pops_19, pops_16) = (&shares, &pops_19, &pops_16);
    let jobs: [super::Job<'_>; 6] = [
        Box::new(|c| super::aps::collect(inputs, reg, c, shares)),
        Box::new(|c| super::industry::collect(inputs, reg, c, shares)),
        Box::new(|c| fe_rates(inputs, c, shares, pops_19)),
        Box::new(|c| super::starts::collect(inputs, reg, c, shares, pops_16)),
        Box::new(|c| super::fe_et::collect(inputs, c, shares, pops_19)),
        // The Employer Skills Survey's upper-tier figures, through the same
        // shares.
        Box::new(|c| super::ess::collect(inputs, reg, c, shares)),
    ];
    // Costliest first (callgrind): the FE Parquet file, the industry and
    // occupation workbooks, the starts.
    for c in super::run_jobs(jobs, &[4, 1, 3, 0, 2, 5], out.section)? {
        out.merge(c)?;
    }
    Ok(())
}

/// Adult FE achievements by sector subject area and apprenticeship
/// achievements, apportioned from authorities (DfE) as rates per 1,000
/// adults.
fn fe_rates(
    inputs: &Inputs<'_>,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares)],
    denominators: &HashMap<BoundarySet, HashMap<GssCode, f64>>,
) -> Result<(), SourceError> {
    let mut data = LadData::new();
    read_ssa(inputs, &mut data)?;
    read_by_type(inputs, &mut data)?;

    let base = "Apportioned from local authorities to seats by the share of each authority's population living in the seat, which assumes the same rate across the authority. The interval covers suppressed cells (fewer than 5, counted as 0 to 4), not the apportionment. Denominator: residents aged 19 and over at mid-2022 (converted to 2010-2024 seats through the population overlap of the two sets). Shares are of each authority's mid-2019 population, built from its small areas (2023 authorities; earlier districts are carried forward to them). England only: DfE publishes these for England; learners recorded outside England or with an unknown home are left out.";
    let part_year = " 2021/22 looks like a part year (England's totals are about a third of 2020/21's), so these rates are not full-year rates.";
    let ssa_def = |what: &str| {
        format!("Adult (19+) education and training aims achieved in 2021/22 by learners living in the seat, in {what}, per 1,000 residents aged 19 and over.")
    };
    let stem = ssa_def(&format!(
        "the STEM sector subject areas (tier 1: {})",
        STEM_SSAS.join("; ")
    ));
    let broad = ssa_def(&format!(
        "the broad STEM sector subject areas ({}; {STEM_BROAD_EXTRA})",
        STEM_SSAS.join("; ")
    ));
    let all = ssa_def("all sector subject areas");
    let defs = [
        ("fe_stem_achievements_per_1000", "Adult FE achievements in STEM subjects per 1,000 adults", stem.as_str(), SSA, "2021/22", format!("{base}{part_year}")),
        ("fe_stem_broad_achievements_per_1000", "Adult FE achievements in STEM subjects (broad, with construction) per 1,000 adults", broad.as_str(), SSA, "2021/22", format!("{base}{part_year}")),
        ("fe_achievements_per_1000", "Adult FE achievements per 1,000 adults", all.as_str(), SSA, "2021/22", format!("{base}{part_year}")),
        ("apprenticeship_achievements_per_1000", "Apprenticeship achievements per 1,000 adults", "Apprenticeship achievements (all ages and levels) in the academic year by learners living in the seat, per 1,000 residents aged 19 and over.", BY_TYPE, "2016/17-2020/21", format!("{base} The file's 2021/22 figures are a part year and are left out.")),
    ];
    for (id, title, definition, src, period, caveats) in &defs {
        let mut sources = with_share_sources(src).to_vec();
        sources.push("mid2022_population_single_year_age_pcon2024");
        out.define(
            Def {
                id,
                title,
                definition,
                unit: "rate_per_1000",
                direction: Direction::HigherIsBetter,
                sources: &sources,
                period,
                nations: &[Nation::England],
                method: Method::Apportioned,
                caveats,
            }
            .build(),
        );
    }

    for ((id, period), lads) in &data {
        let src = defs.iter().find(|d| d.0 == *id).map_or(SSA, |d| d.3);
        let at = stemgap_sources::Location::file(inputs.path_of(src));
        for (set, shares) in shares {
            let seats = to_seats(lads, *set, shares, &at)?;
            let pop = &denominators[set];
            for (seat, b) in seats
                .into_iter()
                .filter(|(s, _)| s.nation() == Some(Nation::England))
            {
                let p = pop.get(&seat).copied().ok_or_else(|| {
                    SourceError::new(
                        at.clone(),
                        Problem::Invalid(format!("seat {seat} has no population aged 19+")),
                    )
                })?;
                let rate = |x: f64| x / p * 1000.0;
                let v = (rate((b.lo + b.hi) / 2.0), rate(b.lo), rate(b.hi));
                out.push_bounded(*set, seat, id, period, v, Method::Apportioned, src, &at)?;
            }
        }
    }
    Ok(())
}

/// Shares authority counts (`z`, outside England or unknown, left out) out
/// among the seats of one set: codes carried forward to the 2023
/// authorities and summed, then each authority's count shared in proportion
/// to its population in each seat. An authority without seat shares is an
/// error at `at`. The one authority → seat loop: every apportioned DfE count
/// goes through it.
pub(crate) fn to_seats<'a>(
    lads: impl IntoIterator<Item = (&'a String, &'a Bounds)>,
    set: BoundarySet,
    shares: &Shares,
    at: &stemgap_sources::Location,
) -> Result<BTreeMap<GssCode, Bounds>, SourceError> {
    // Sum predecessor districts into their successors.
    let mut by_lad: BTreeMap<&str, Bounds> = BTreeMap::new();
    for (lad, b) in lads {
        if lad == "z" {
            continue;
        }
        let lad = successor(lad, set);
        let e = by_lad.entry(lad).or_default();
        *e = e.add(*b);
    }
    let mut seats: BTreeMap<GssCode, Bounds> = BTreeMap::new();
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

/// A population count per seat (`population_19_plus`, `population_16_plus`):
/// measured on 2024 seats; converted to 2010-2024 seats by each 2024 seat's
/// population overlap (and stored so, once).
pub(crate) fn denominators(
    reg: &Registry,
    out: &mut Collector,
    id: &str,
) -> Result<HashMap<BoundarySet, HashMap<GssCode, f64>>, SourceError> {
    let p24 = out.values(BoundarySet::Pcon2024, id, "2022");
    let done = out.values(BoundarySet::Pcon2010, id, "2022");
    if !done.is_empty() {
        return Ok(
            [(BoundarySet::Pcon2024, p24), (BoundarySet::Pcon2010, done)]
                .into_iter()
                .collect(),
        );
    }
    let mut totals: HashMap<&str, f64> = HashMap::default();
    let links: Vec<_> = reg
        .links
        .iter()
        .filter(|l| l.relation == "pcon2024->pcon2010")
        .collect();
    for l in &links {
        *totals.entry(l.from.as_str()).or_default() += l.population.unwrap_or(0.0);
    }
    let mut p10: BTreeMap<GssCode, f64> = BTreeMap::new();
    for l in &links {
        let (Ok(from), Ok(to)) = (GssCode::parse(&l.from), GssCode::parse(&l.to)) else {
            continue;
        };
        let total = totals[l.from.as_str()];
        if let (Some(p), true) = (p24.get(&from), total > 0.0) {
            *p10.entry(to).or_default() += p * l.population.unwrap_or(0.0) / total;
        }
    }
    // Defined with its title by the population recipe: this adds the
    // conversion's source and caveat.
    out.define(Def {
        id,
        title: id,
        definition: "",
        unit: "count",
        direction: Direction::Neutral,
        sources: &["pcon2024_to_pcon2010_overlap_mysociety"],
        period: "2022",
        nations: &Nation::ALL,
        method: Method::Measured,
        caveats: "On 2010-2024 seats, converted from the 2024 seats: each 2024 seat's count is shared among the old seats in proportion to their population overlap (mid-2019).",
    }.build());
    let at = stemgap_sources::Location::file("lookups/pcon2024_to_pcon2010_overlap_mysociety.csv");
    for (code, v) in &p10 {
        out.push(
            BoundarySet::Pcon2010,
            *code,
            id,
            "2022",
            Cell::Value(*v),
            Method::Converted,
            "pcon2024_to_pcon2010_overlap_mysociety",
            &at,
        )?;
    }
    Ok([
        (BoundarySet::Pcon2024, p24),
        (BoundarySet::Pcon2010, p10.into_iter().collect()),
    ]
    .into_iter()
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
