//! Annual Population Survey (Nomis table T09a): residents in employment by
//! occupation, per local authority and year, carried down to seats.
//!
//! `stem_professionals_share` is SOC 2010 sub-major group 21 (science,
//! research, engineering and technology professionals) over all 25
//! sub-major groups. Counts are apportioned to seats by the authorities'
//! population shares (see [`stemgap_geography::apportion`]) and the share is taken of
//! the apportioned sums.
//!
//! Survey uncertainty: the published 95% half-widths of the SOC 21 counts are
//! combined across authorities as independent (root of the sum of squares)
//! and divided by the seat's apportioned total; the total's own uncertainty
//! is not included. `~` (an estimate under 500) counts as 0 to 500. `!`
//! (sample too small to publish) and `-` (missing) have no bound: a seat
//! drawing on such an authority gets a missing value, flagged.

use super::{Collector, Def};
use crate::build::Inputs;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{AreaKind, BoundarySet, Cell, Direction, Marker, Method, Nation};
use stemgap_geography::apportion::{seat_parts, successor, Shares};
use stemgap_geography::registry::{name_key, NEW_AUTHORITIES};
use stemgap_geography::Registry;
use stemgap_sources::{
    nomis_blocks, Grid, Location, NomisBlock, NomisMeasure, Problem, SourceError, Workbook,
};

const SRC: &str = "nomis_aps_employment_by_occupation_soc2010_lad_2017_2022";
const ID: &str = "stem_professionals_share";
const SOC21: &str = "Science, Research, Engineering and Technology Professionals";

/// Nomis spells one Welsh authority differently from ONS (declared sources
/// matching authorities by name know it too).
pub(crate) const ALIASES: [(&str, &str); 1] = [("Rhondda Cynon Taff", "W06000016")];

/// An authority's figures for one year: SOC 21 count (bounds and survey
/// half-width) and all occupations, or `None` when SOC 21 is unpublished.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lad {
    pub lo: f64,
    pub hi: f64,
    pub ci: f64,
    pub total: f64,
}

/// A Nomis block's year: `Jan 2018-Dec 2018` or `2018` → `2018`.
pub(super) fn year(block: &NomisBlock, at: &Location) -> Result<String, SourceError> {
    let p = block.period.strip_prefix("Jan ").unwrap_or(&block.period);
    let y = p.split('-').next().unwrap_or_default();
    if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
        Ok(y.to_owned())
    } else {
        Err(SourceError::new(
            at.clone(),
            Problem::Invalid(format!("unexpected period {:?}", block.period)),
        ))
    }
}

/// The block's measure whose label contains `needle`, or an error naming it.
pub(super) fn measure<'b>(
    block: &'b NomisBlock,
    needle: &str,
    at: &Location,
) -> Result<&'b NomisMeasure, SourceError> {
    block.measure(needle).ok_or_else(|| {
        SourceError::new(
            at.in_sheet("Data"),
            Problem::MissingColumn {
                found: format!("no {needle:?} in the {} block", block.period),
            },
        )
    })
}

/// The code of a `ladu:` row's authority, or an error at that row.
pub(super) fn code_of<'c>(
    codes: &'c HashMap<String, String>,
    grid: &Grid,
    row: usize,
    name: &str,
) -> Result<&'c String, SourceError> {
    codes.get(&name_key(name)).ok_or_else(|| {
        grid.error(
            row,
            0,
            Problem::UnknownCode(format!("{name:?}: no local authority has this name")),
        )
    })
}

/// Authority names (2019 districts, the authorities created since, and
/// Nomis's own spellings) → codes.
pub(super) fn authority_codes(reg: &Registry) -> HashMap<String, String> {
    reg.areas
        .iter()
        .filter(|a| a.kind == AreaKind::Lad19)
        .map(|a| (name_key(&a.name), a.code.clone()))
        .chain(
            NEW_AUTHORITIES
                .iter()
                .map(|(code, name)| (name_key(name), code.to_string())),
        )
        .chain(
            ALIASES
                .iter()
                .map(|(name, code)| (name_key(name), code.to_string())),
        )
        .collect()
}

pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares)],
) -> Result<(), SourceError> {
    let codes = authority_codes(reg);
    let loaded = inputs.load(SRC)?;
    let location = loaded.location.clone();
    let mut book = Workbook::open(loaded.bytes, location.clone())?;
    let grid = book.sheet("Data")?;
    let blocks = nomis_blocks(&grid)?;
    out.define(
        Def {
            id: ID,
            title: "Science, research, engineering and technology professionals",
            definition: "Share of residents in employment whose occupation is in SOC 2010 sub-major group 21 (science, research, engineering and technology professionals), of all 25 sub-major groups; Annual Population Survey, calendar year, by place of residence.",
            unit: "share",
            direction: Direction::HigherIsBetter,
            sources: &stemgap_geography::apportion::with_share_sources(SRC),
            period: "2017-2021",
            nations: &[Nation::England, Nation::Wales, Nation::Scotland],
            method: Method::Apportioned,
            caveats: "A survey estimate for local authorities, apportioned to seats by the share of each authority's mid-2019 population living in the seat (from small areas), which assumes the same share across each authority. The interval is the survey's 95% confidence interval for the SOC 21 count (authorities combined as independent) over the seat's total; it leaves out the apportionment. Seats drawing on an authority whose SOC 21 estimate Nomis does not publish (sample too small) are missing. Great Britain only: the extract has no Northern Ireland authorities.",
        }
        .build(),
    );
    for block in &blocks {
        let period = year(block, &location)?;
        let lads = block_lads(&grid, block, &codes, &location)?;
        apportion_lads(out, shares, &lads, ID, &period, SRC, &grid.location(0, 0))?;
    }
    Ok(())
}

/// One year's authority figures (`None`: the SOC 21 count unpublished),
/// by authority code.
pub type Authorities = BTreeMap<String, Option<Lad>>;

/// The authority figures `collect` reads from the published workbook
/// (sheet `Data`), before apportionment: per block, its year and each
/// `ladu:` row's authority (by code) with its figures, or `None` where the
/// SOC 21 estimate is unpublished. For tests comparing other readers of
/// the same file with this one.
pub fn authority_figures(
    bytes: Vec<u8>,
    location: Location,
    reg: &Registry,
) -> Result<Vec<(String, Authorities)>, SourceError> {
    let codes = authority_codes(reg);
    let mut book = Workbook::open(bytes, location.clone())?;
    let grid = book.sheet("Data")?;
    nomis_blocks(&grid)?
        .iter()
        .map(|block| {
            Ok((
                year(block, &location)?,
                block_lads(&grid, block, &codes, &location)?,
            ))
        })
        .collect()
}

/// One block's `ladu:` rows: each authority's SOC 21 count (`~` as 0 to
/// 500), its half-width and the total of every occupation published, or
/// `None` where the SOC 21 count is unpublished (`!`, `-`).
fn block_lads(
    grid: &Grid,
    block: &NomisBlock,
    codes: &HashMap<String, String>,
    location: &Location,
) -> Result<BTreeMap<String, Option<Lad>>, SourceError> {
    let soc21 = measure(block, SOC21, location)?;
    let mut lads: BTreeMap<String, Option<Lad>> = BTreeMap::new();
    for (row, area) in &block.rows {
        let Some(name) = area.strip_prefix("ladu:") else {
            continue;
        };
        let code = code_of(codes, grid, *row, name)?;
        let v = block.value(grid, *row, soc21)?;
        let (lo, hi) = match v.value {
            Cell::Value(x) => (x, x),
            Cell::Missing(Marker::Tilde) => (0.0, 500.0),
            Cell::Missing(_) => {
                lads.insert(code.clone(), None);
                continue;
            }
        };
        let ci = match v.conf {
            Some(Cell::Value(c)) => c,
            _ => 0.0,
        };
        let mut total = 0.0;
        for m in &block.measures {
            if let Cell::Value(x) = block.value(grid, *row, m)?.value {
                total += x;
            }
        }
        if lads
            .insert(code.clone(), Some(Lad { lo, hi, ci, total }))
            .is_some()
        {
            return Err(grid.error(
                *row,
                0,
                Problem::Duplicate(format!("{name} in {}", block.period)),
            ));
        }
    }
    Ok(lads)
}

/// Carries one period's authority figures (`None`: unpublished) down to the
/// seats of every set and pushes the share `numerator / total` with its
/// bounds and survey interval. A seat drawing on an unpublished authority is
/// missing (flagged); a seat drawing on no authority of the source is left
/// out (another nation).
pub(super) fn apportion_lads(
    out: &mut Collector,
    shares: &[(BoundarySet, Shares)],
    lads: &BTreeMap<String, Option<Lad>>,
    id: &str,
    period: &str,
    src: &str,
    at: &stemgap_sources::Location,
) -> Result<(), SourceError> {
    for (set, shares) in shares {
        // Carry authorities forward to the lookup's vintage, summing.
        let mut by_lad: BTreeMap<&str, Option<Lad>> = BTreeMap::new();
        for (code, lad) in lads {
            let e = by_lad.entry(successor(code, *set)).or_insert(Some(Lad {
                lo: 0.0,
                hi: 0.0,
                ci: 0.0,
                total: 0.0,
            }));
            *e = match (*e, lad) {
                (Some(a), Some(b)) => Some(Lad {
                    lo: a.lo + b.lo,
                    hi: a.hi + b.hi,
                    ci: a.ci.hypot(b.ci),
                    total: a.total + b.total,
                }),
                _ => None,
            };
        }
        // Each seat needs every authority that overlaps it.
        for (seat, parts) in seat_parts(shares) {
            if parts.iter().all(|(lad, _)| !by_lad.contains_key(lad)) {
                continue; // not covered by this source at all (e.g. Scotland)
            }
            let mut acc = Some(Lad {
                lo: 0.0,
                hi: 0.0,
                ci: 0.0,
                total: 0.0,
            });
            for (lad, f) in parts {
                acc = match (acc, by_lad.get(lad).copied().flatten()) {
                    (Some(a), Some(b)) => Some(Lad {
                        lo: a.lo + f * b.lo,
                        hi: a.hi + f * b.hi,
                        ci: a.ci.hypot(f * b.ci),
                        total: a.total + f * b.total,
                    }),
                    _ => None,
                };
            }
            match acc {
                Some(a) if a.total > 0.0 => {
                    let mid = (a.lo + a.hi) / 2.0;
                    let v = (
                        mid / a.total,
                        (a.lo - a.ci).max(0.0) / a.total,
                        (a.hi + a.ci) / a.total,
                    );
                    out.push_bounded(*set, seat, id, period, v, Method::Apportioned, src, at)?;
                }
                _ => out.push(
                    *set,
                    seat,
                    id,
                    period,
                    Cell::Missing(Marker::Confidential),
                    Method::Apportioned,
                    src,
                    at,
                )?,
            }
        }
    }
    Ok(())
}
