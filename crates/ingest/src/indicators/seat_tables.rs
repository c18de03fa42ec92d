//! The one-row-per-seat source that is still code: Ofsted FE and skills
//! providers (a block of columns found by its second header row). (Mid-2022
//! population, UCAS entry rates, KS4 attainment and the composite UK
//! deprivation index are declared sources: `catalogue/recipes/`.)

use super::{share, Collector, Def};
use crate::build::Inputs;
use crate::Registry;
use stemgap_core::{BoundarySet, Cell, Direction, Method, Nation};
use stemgap_sources::{CsvOptions, CsvTable, Problem, SourceError};
use tracing::info;

const ENGLAND: &[Nation] = &[Nation::England];

/// Every seat of `set` must appear in `table` (checked after reading).
fn all_seats_present(
    reg: &Registry,
    set: BoundarySet,
    nations: &[Nation],
    seen: &std::collections::BTreeSet<stemgap_core::GssCode>,
    table: &CsvTable,
) -> Result<(), SourceError> {
    match reg
        .seats(set)
        .iter()
        .find(|s| nations.contains(&s.nation) && !seen.contains(&s.code))
    {
        Some(s) => Err(SourceError::new(
            table.location().clone(),
            Problem::Invalid(format!(
                "no row for seat {} {} (truncated file?)",
                s.code, s.name
            )),
        )),
        None => Ok(()),
    }
}

pub fn ofsted(inputs: &Inputs<'_>, reg: &Registry, out: &mut Collector) -> Result<(), SourceError> {
    const SRC: &str = "ofsted_inspection_outcomes_pcon2024";
    let loaded = inputs.load(SRC)?;
    let t = CsvTable::parse(
        &loaded,
        CsvOptions {
            extra_header_rows: 2,
            ..Default::default()
        },
    )?;
    let sub = t
        .extra_headers()
        .first()
        .ok_or_else(|| SourceError::new(t.location().clone(), Problem::Empty))?;
    let col = |label: &str| -> Result<usize, SourceError> {
        (0..t.headers().len())
            .find(|&i| {
                t.headers()[i] == "Further education and skills"
                    && sub.get(i).map(str::trim) == Some(label)
            })
            .ok_or_else(|| {
                SourceError::new(
                    t.location()
                        .at_row(2)
                        .at_column(format!("Further education and skills / {label}")),
                    // List what the block's second header row does have.
                    Problem::MissingColumn {
                        found: (0..t.headers().len())
                            .filter(|&i| t.headers()[i] == "Further education and skills")
                            .filter_map(|i| sub.get(i))
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                )
            })
    };
    let code_col = t.column("PCON24CD")?;
    let (open, inspected, good) = (
        col("Number of open providers")?,
        col("Number of providers inspected")?,
        col("Good or outstanding")?,
    );
    let caveat = "Ofsted inspects in England only; the file's 14 rows for Welsh seats (providers based in England delivering there) are left out. Counts open FE and skills providers of every kind (colleges, independent training providers, employers), by registered address, not where learners study.";
    for (id, title, definition, unit, direction) in [
        ("fe_providers", "Further education and skills providers", "Number of open further education and skills providers (Ofsted remit) located in the seat, as of July 2024.", "count", Direction::HigherIsBetter),
        ("fe_providers_good_share", "FE providers rated good or outstanding", "Share of inspected FE and skills providers in the seat whose latest overall effectiveness grade is good or outstanding.", "share", Direction::HigherIsBetter),
    ] {
        out.define(Def { id, title, definition, unit, direction, sources: &[SRC], period: "2024", nations: ENGLAND, method: Method::Measured, caveats: caveat }.build());
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut dropped = 0;
    for row in t.rows() {
        if row.str(code_col).trim() == "---" {
            continue;
        }
        let code = reg.seat_code(BoundarySet::Pcon2024, &row, code_col)?;
        if code.nation() != Some(Nation::England) {
            dropped += 1;
            continue;
        }
        seen.insert(code);
        let n = row.number(open)?;
        out.push(
            BoundarySet::Pcon2024,
            code,
            "fe_providers",
            "2024",
            Cell::Value(n),
            Method::Measured,
            SRC,
            &row.location(open),
        )?;
        let good_share = share(row.number(good)?, row.number(inspected)?);
        out.push(
            BoundarySet::Pcon2024,
            code,
            "fe_providers_good_share",
            "2024",
            good_share,
            Method::Measured,
            SRC,
            &row.location(good),
        )?;
    }
    info!(dropped, "Ofsted rows outside England left out");
    all_seats_present(reg, BoundarySet::Pcon2024, ENGLAND, &seen, &t)
}
