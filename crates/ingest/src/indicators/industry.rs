//! Industry by local authority, carried down to seats by population share:
//! the Annual Population Survey's residents in employment by industry
//! (Nomis T13a, with survey intervals) and UK Business Counts' enterprises
//! by industry (IDBR).
//!
//! * `aps_manufacturing_share`, `aps_energy_water_share`: residents in
//!   employment in SIC 2007 section C, and in sections B, D and E, over all
//!   nine T13a industry groups. By residence; Great Britain (the extract has no Northern Ireland authorities).
//! * `stem_enterprises_share`: enterprises in the STEM-heavy broad industry
//!   groups [`STEM_BUSINESS_GROUPS`] over all enterprises. A count of
//!   businesses, not of jobs: a one-person company weighs as much as a
//!   factory.
//!
//! Apportionment, bounds and intervals as in [`super::aps`]: `~` (fewer than
//! 500) counts as 0 to 500; `!` and `-` make the seats drawing on that
//! authority missing; an unreliable interval (`*`) counts as no interval.

use super::aps::{apportion_lads, authority_codes, code_of, measure, year, Lad};
use super::{Collector, Def};
use crate::build::Inputs;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Cell, Direction, Marker, Method, Nation};
use stemgap_geography::apportion::Shares;
use stemgap_geography::Registry;
use stemgap_sources::{nomis_blocks, Problem, SourceError, Workbook};

const APS: &str = "nomis_aps_employment_by_industry_sic2007_lad_2018_2022";
const UKBC: &str = "nomis_ukbc_enterprises_by_industry_sizeband_lad_2018_2022";

/// (indicator, title, T13a measure label fragment, definition)
const APS_INDICATORS: [(&str, &str, &str, &str); 2] = [
    (
        "aps_manufacturing_share",
        "Residents working in manufacturing (APS)",
        "C Manufacturing",
        "Share of residents in employment working in manufacturing (SIC 2007 section C), of all nine T13a industry groups; Annual Population Survey, calendar year, by place of residence.",
    ),
    (
        "aps_energy_water_share",
        "Residents working in energy and water (APS)",
        "B,D,E Energy & water",
        "Share of residents in employment working in mining, energy and water (SIC 2007 sections B, D and E), of all nine T13a industry groups; Annual Population Survey, calendar year, by place of residence.",
    ),
];

/// UK Business Counts broad industry groups counted as STEM-heavy (the same
/// groups as the BRES `stem_jobs_share`): mining, quarrying and utilities;
/// manufacturing; information and communication; professional, scientific
/// and technical.
pub const STEM_BUSINESS_GROUPS: [&str; 4] = [
    "2 : Mining, quarrying & utilities (B,D and E)",
    "3 : Manufacturing (C)",
    "10 : Information & communication (J)",
    "13 : Professional, scientific & technical (M)",
];

fn bounds(cell: Cell) -> Option<(f64, f64)> {
    match cell {
        Cell::Value(x) => Some((x, x)),
        Cell::Missing(Marker::Tilde) => Some((0.0, 500.0)),
        Cell::Missing(_) => None,
    }
}

pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares)],
) -> Result<(), SourceError> {
    let codes = authority_codes(reg);
    let caveat = "A local-authority figure apportioned to seats by population share, which assumes the same mix across each authority. Bounds cover suppressed counts; the interval is the survey's 95% confidence interval where published (authorities combined as independent), not the apportionment. Great Britain: the extract has no Northern Ireland authorities. Small counts are often unpublished (`!`), so many seats are missing for energy and water.";
    aps_industry(inputs, out, shares, &codes, caveat)?;
    business_counts(inputs, out, shares, &codes)
}

fn aps_industry(
    inputs: &Inputs<'_>,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares)],
    codes: &HashMap<String, String>,
    caveat: &str,
) -> Result<(), SourceError> {
    let loaded = inputs.load(APS)?;
    let location = loaded.location.clone();
    let mut book = Workbook::open(loaded.bytes, location.clone())?;
    let grid = book.sheet("Data")?;
    let blocks = nomis_blocks(&grid)?;
    for (id, title, _, definition) in APS_INDICATORS {
        out.define(
            Def {
                id,
                title,
                definition,
                unit: "share",
                direction: Direction::Neutral,
                sources: &stemgap_geography::apportion::with_share_sources(APS),
                period: "2018-2022",
                nations: &[Nation::England, Nation::Wales, Nation::Scotland],
                method: Method::Apportioned,
                caveats: caveat,
            }
            .build(),
        );
    }
    for block in &blocks {
        let period = year(block, &location)?;
        for (id, _, needle, _) in APS_INDICATORS {
            let measure = measure(block, needle, &location)?;
            let mut lads: BTreeMap<String, Option<Lad>> = BTreeMap::new();
            for (row, area) in &block.rows {
                let Some(name) = area.strip_prefix("ladu:") else {
                    continue;
                };
                let code = code_of(codes, &grid, *row, name)?;
                let v = block.value(&grid, *row, measure)?;
                let mut total = 0.0;
                for m in &block.measures {
                    if let Some((lo, hi)) = bounds(block.value(&grid, *row, m)?.value) {
                        total += (lo + hi) / 2.0;
                    }
                }
                let lad = bounds(v.value).map(|(lo, hi)| Lad {
                    lo,
                    hi,
                    ci: match v.conf {
                        Some(Cell::Value(c)) => c,
                        _ => 0.0,
                    },
                    total,
                });
                if lads.insert(code.clone(), lad).is_some() {
                    return Err(grid.error(
                        *row,
                        0,
                        Problem::Duplicate(format!("{name} in {}", block.period)),
                    ));
                }
            }
            apportion_lads(out, shares, &lads, id, &period, APS, &grid.location(0, 0))?;
        }
    }
    Ok(())
}

fn business_counts(
    inputs: &Inputs<'_>,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares)],
    codes: &HashMap<String, String>,
) -> Result<(), SourceError> {
    const ID: &str = "stem_enterprises_share";
    let loaded = inputs.load(UKBC)?;
    let location = loaded.location.clone();
    let mut book = Workbook::open(loaded.bytes, location.clone())?;
    let grid = book.sheet("Data")?;
    let blocks = nomis_blocks(&grid)?;
    out.define(
        Def {
            id: ID,
            title: "Enterprises in STEM-heavy industries",
            definition: "Share of enterprises (UK Business Counts, all size bands) in the broad industry groups mining, quarrying and utilities (B, D, E); manufacturing (C); information and communication (J); professional, scientific and technical (M), of enterprises in all 18 groups; by local authority, March of each year.",
            unit: "share",
            direction: Direction::HigherIsBetter,
            sources: &stemgap_geography::apportion::with_share_sources(UKBC),
            period: "2018-2022",
            nations: &Nation::ALL,
            method: Method::Apportioned,
            caveats: "Counts businesses, not jobs: a one-person company weighs as much as a large employer, and an enterprise is counted where it is registered. Apportioned from local authorities by population share. Counts are rounded to 5 by ONS. UK-wide.",
        }
        .build(),
    );
    // year → authority → (STEM enterprises, all enterprises, industry groups seen)
    let mut years: BTreeMap<String, BTreeMap<String, (f64, f64, usize)>> = BTreeMap::new();
    for block in &blocks {
        let period = year(block, &location)?;
        let industry = block
            .metadata
            .iter()
            .find(|(k, _)| k == "industry")
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| {
                SourceError::new(
                    location.in_sheet("Data"),
                    Problem::Invalid(format!("the {} block names no industry", block.period)),
                )
            })?;
        let stem = STEM_BUSINESS_GROUPS.contains(&industry);
        let total = measure(block, "Total", &location)?;
        let by_lad = years.entry(period).or_default();
        for (row, area) in &block.rows {
            let Some(name) = area.strip_prefix("ladu:") else {
                continue;
            };
            let code = code_of(codes, &grid, *row, name)?;
            let v = match block.value(&grid, *row, total)?.value {
                Cell::Value(x) => x,
                Cell::Missing(m) => {
                    return Err(grid.error(
                        *row,
                        total.number_col,
                        Problem::Invalid(format!(
                            "business counts are published for every authority; found {m:?}"
                        )),
                    ))
                }
            };
            let e = by_lad.entry(code.clone()).or_default();
            if stem {
                e.0 += v;
            }
            e.1 += v;
            e.2 += 1;
        }
    }
    for (period, lads) in years {
        let lads: BTreeMap<String, Option<Lad>> = lads
            .into_iter()
            .map(|(code, (stem, all, groups))| {
                // An authority missing from some industry block is incomplete.
                let lad = (groups == 18).then_some(Lad {
                    lo: stem,
                    hi: stem,
                    ci: 0.0,
                    total: all,
                });
                (code, lad)
            })
            .collect();
        apportion_lads(out, shares, &lads, ID, &period, UKBC, &grid.location(0, 0))?;
    }
    Ok(())
}
