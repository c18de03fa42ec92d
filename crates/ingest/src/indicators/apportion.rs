//! DfE's adult FE and apprenticeship achievements by local authority,
//! carried down to seats (`apportioned`) through the geography crate's
//! apportioner ([`stemgap_geography::apportion`]): each authority's count
//! shared among seats in proportion to the share of its population living
//! in each seat, which assumes the rate is the same everywhere in the
//! authority; the interval stored with each figure covers suppressed cells
//! only, not that assumption. DfE files use each year's own authorities:
//! the apportioner carries them forward to the 2023 authorities and sums.
//! DfE's row `z` ("outside of England and unknown") cannot be placed and is
//! left out. Suppressed cells (`~`, `low`: fewer than 5) count as 0 to 4, so
//! a sum over them is an interval; the stored value is its midpoint.
//!
//! Rates are per 1,000 residents aged 19 and over at mid-2022; on 2010-2024
//! seats that denominator is converted from the 2024 seats through the
//! population overlap of the two sets ([`denominators`]).

use super::{Collector, Def};
use crate::build::Inputs;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Marker, Method, Nation};
use stemgap_geography::apportion::{shares, to_seats, with_share_sources, Amount, Bounds, Shares};
use stemgap_geography::{Registry, Relation};

use stemgap_sources::{CsvOptions, CsvTable, Problem, Row, SourceError};

const SSA: &str = "dfe_fe_et_aim_achievements_by_ssa_t1_lad_202122";
const BY_TYPE: &str = "dfe_fes_achievements_by_type_lad_201617_202122";
const POP: &str = "population_19_plus";

/// Sector subject areas (tier 1) counted as STEM.
pub const STEM_SSAS: [&str; 3] = [
    "Science and Mathematics",
    "Engineering and Manufacturing Technologies",
    "Information and Communication Technology",
];
/// The broad definition adds construction.
pub const STEM_BROAD_EXTRA: &str = "Construction, Planning and the Built Environment";

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
        .links_of(Relation::SeatOverlap {
            from: BoundarySet::Pcon2024,
        })
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
