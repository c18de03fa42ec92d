//! `stemgap contribute check`: a contribution validated against the
//! registry, with a report of what it covers.

use super::engine::{place_with, read_declared, Given};
use super::{Contribution, Geography, Limits};
use crate::build::Inputs;
use crate::{Collector, Registry};
use std::fmt::Write;
use stemgap_core::{BoundarySet, Nation};
use stemgap_sources::{Location, Problem, SourceError};

/// How many unplaced rows the report lists per set.
const FIRST: usize = 5;

/// The seat maps of both sets, from the sources' boundaries.
fn seat_maps(
    inputs: &Inputs<'_>,
    reg: &Registry,
) -> Result<Vec<stemgap_geography::seatmap::SeatMap>, SourceError> {
    let mut maps = Vec::new();
    for (set, loaded) in stemgap_geography::topology::load(inputs)? {
        let seats: Vec<_> = reg.seats(set).iter().map(|s| s.code).collect();
        let topology = stemgap_geography::topology::parse(&loaded, set, &seats)?;
        maps.push(stemgap_geography::seatmap::SeatMap::from_topology(
            &topology,
        ));
    }
    Ok(maps)
}

/// Checks a contribution: reads it as a build would and places it on
/// seats. `Err` names the file, row and column of the first problem;
/// `Ok` is the report.
pub fn check(c: &Contribution, inputs: &Inputs<'_>, reg: &Registry) -> Result<String, SourceError> {
    let d = c.declared();
    let parsed = read_declared(&d, reg, &Limits::DEFAULT)?;
    let shares = if c.recipe.source.geography == Geography::Lad {
        Some(crate::indicators::shares(inputs, reg)?)
    } else {
        None
    };
    let mut out = Collector::default();
    if c.recipe.indicators.iter().any(|i| i.per_1000_of.is_some()) {
        // The populations a count is made a rate of, as a build has them.
        super::collect_builtin(
            inputs,
            reg,
            "mid2022_population_single_year_age_pcon2024",
            &mut out,
        )?;
    }
    // Located rows: the postcode lookup or the seat maps, from --sources.
    let needs = |what: &str, e: SourceError| {
        SourceError::new(
            Location::file(c.data_file.clone()),
            Problem::Invalid(format!(
                "{} contributions need --sources for {what}: {e}",
                c.recipe.source.geography.id()
            )),
        )
    };
    let ranges = match c.recipe.source.geography {
        Geography::Postcode => Some(
            stemgap_geography::postcodes::read(inputs, reg)
                .map_err(|e| needs("the postcode lookup", e))?,
        ),
        _ => None,
    };
    let maps = match c.recipe.source.geography {
        Geography::Point => {
            Some(seat_maps(inputs, reg).map_err(|e| needs("the seat boundaries", e))?)
        }
        _ => None,
    };
    let msoa = match c.recipe.source.geography {
        Geography::Msoa21 => Some(
            crate::indicators::msoa_placer(inputs, reg)
                .map_err(|e| needs("the MSOA placement's lookups", e))?,
        ),
        _ => None,
    };
    let given = Given {
        lad_shares: shares.as_ref().map(|s| &s[..]),
        msoa: msoa.as_ref(),
        seat_maps: maps.as_deref(),
        postcode_ranges: ranges.as_deref(),
        ..Given::default()
    };
    let placed = place_with(&d, &parsed, reg, given, &mut out)?;
    let src = &c.recipe.source;
    let mut r = String::new();
    let _ = writeln!(
        r,
        "{}: valid contribution `{}` ({} rows of {}, from {}, licence {})",
        c.data_file,
        src.id,
        parsed.rows.len(),
        src.geography.id(),
        src.contributor.as_deref().unwrap_or("no contributor named"),
        src.licence.as_deref().unwrap_or("no licence named"),
    );
    if src.geography.is_located() {
        for (k, set) in BoundarySet::ALL.into_iter().enumerate() {
            let left: Vec<_> = placed.unplaced_in(set).collect();
            let _ = writeln!(
                r,
                "{} set: {} rows placed, {} could not be placed{}",
                set.id(),
                placed.rows_placed[k],
                left.len(),
                if left.is_empty() {
                    ""
                } else {
                    " (a build leaves them out of the seats' figures and logs them):"
                }
            );
            for (at, _, why) in left.iter().take(FIRST) {
                let _ = writeln!(r, "  {at}: {why}");
            }
            if left.len() > FIRST {
                let _ = writeln!(r, "  … and {} more", left.len() - FIRST);
            }
        }
    }
    for (i, ind) in c.recipe.indicators.iter().enumerate() {
        let periods = parsed.periods[i].join(", ");
        let _ = writeln!(
            r,
            "\n{} — {} ({}; {periods})",
            ind.id,
            ind.title,
            ind.unit.id()
        );
        let sets: &[BoundarySet] = match src.geography.seat_set() {
            Some(s) => &[s][..],
            None => &BoundarySet::ALL[..],
        };
        for &set in sets {
            for nation in Nation::ALL {
                let total = reg.seats(set).iter().filter(|s| s.nation == nation).count();
                let declared = ind.nations().contains(&nation);
                if !declared {
                    let _ = writeln!(
                        r,
                        "  {} seats, {}: not covered (the recipe does not declare it)",
                        set.id(),
                        nation.name()
                    );
                    continue;
                }
                for period in &parsed.periods[i] {
                    let (with, withheld) = placed
                        .seats
                        .get(&(ind.id.clone(), period.clone(), set, nation))
                        .copied()
                        .unwrap_or((0, 0));
                    let what = match with + withheld {
                        0 => "declared but no seat reached: missing".to_owned(),
                        _ if with == total => format!("all {total} seats"),
                        _ => format!(
                            "{with} of {total} seats with a figure{}",
                            if withheld > 0 {
                                format!(", {withheld} withheld")
                            } else {
                                String::new()
                            }
                        ),
                    };
                    let when = if parsed.periods[i].len() > 1 {
                        format!(", {period}")
                    } else {
                        String::new()
                    };
                    let _ = writeln!(r, "  {} seats, {}{when}: {what}", set.id(), nation.name());
                }
            }
        }
        if src.geography.seat_set().is_some() {
            let _ = writeln!(
                r,
                "  the other boundary set gets it converted through the seats' population overlaps"
            );
        }
        let nations: Vec<&str> = ind.nations().iter().map(|n| n.name()).collect();
        let _ = writeln!(
            r,
            "  gap register: a new row `{}` with figures for {} (method contributed)",
            ind.id,
            nations.join(", ")
        );
        if let Some(f) = &ind.replaces {
            let _ = writeln!(
                r,
                "  replaces {f}'s measure: {f} would be recomputed on this file and its ledger would say so"
            );
        }
    }
    Ok(r)
}
