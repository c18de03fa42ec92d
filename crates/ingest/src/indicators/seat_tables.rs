//! Sources that are already one row per seat and are still code: Ofsted FE
//! and skills providers (two header rows) and mySociety's composite UK
//! deprivation index (two files, 2024 seats by short code). (Mid-2022
//! population, UCAS entry rates and KS4 attainment are declared sources:
//! `catalogue/recipes/`.)

use super::{share, Collector, Def};
use crate::build::Inputs;
use crate::Registry;
use stemgap_core::{BoundarySet, Cell, Direction, Method, Nation};
use stemgap_sources::{CsvOptions, CsvTable, Problem, SourceError};
use tracing::info;

const UK: &[Nation] = &Nation::ALL;
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

pub fn composite_imd(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    const SRC10: &str = "mysociety_composite_uk_imd_pcon2010";
    const SRC24: &str = "mysociety_composite_uk_imd_pcon2024";
    let caveat = "mySociety's composite index: each nation's index is rescaled onto the English scale through the income and employment domains, which are roughly comparable across the UK. The national indices themselves are not comparable with each other.";
    for (id, title, definition, unit, direction) in [
        ("uk_imd_score", "Deprivation score (composite UK index)", "Population-weighted mean of mySociety's UK-comparable composite deprivation score of the seat's small areas; higher is more deprived.", "score", Direction::HigherIsWorse),
        ("uk_imd_high_deprivation_share", "Population in the UK's most deprived fifth", "Share of the seat's population living in small areas in the most deprived 20% of the UK on the composite index.", "share", Direction::HigherIsWorse),
        ("uk_imd_pop_decile", "Deprivation decile of the seat (composite UK index)", "Decile of seats by composite score, each decile holding a tenth of the UK population; 1 = most deprived.", "decile", Direction::HigherIsBetter),
    ] {
        out.define(Def { id, title, definition, unit, direction, sources: &[SRC10, SRC24], period: "2019-2020", nations: UK, method: Method::Measured, caveats: caveat }.build());
    }
    for (set, src, key_col, prefix) in [
        (BoundarySet::Pcon2010, SRC10, "gss-code", "pcon"),
        (BoundarySet::Pcon2024, SRC24, "parl25", "parl25"),
    ] {
        let loaded = inputs.load(src)?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        let key = t.column(key_col)?;
        let cols = [
            (
                "uk_imd_score",
                t.column(&format!("{prefix}-deprivation-score"))?,
            ),
            (
                "uk_imd_high_deprivation_share",
                t.column("high-deprivation")?,
            ),
            (
                "uk_imd_pop_decile",
                t.column(&format!("{prefix}-imd-pop-decile"))?,
            ),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for row in t.rows() {
            let code = match set {
                BoundarySet::Pcon2010 => reg.seat_code(set, &row, key)?,
                BoundarySet::Pcon2024 => reg.short_code_cell(&row, key)?,
            };
            seen.insert(code);
            for (id, col) in cols {
                let v = row.number(col)?;
                out.push(
                    set,
                    code,
                    id,
                    "2019-2020",
                    Cell::Value(v),
                    Method::Measured,
                    src,
                    &row.location(col),
                )?;
            }
        }
        all_seats_present(reg, set, UK, &seen, &t)?;
    }
    Ok(())
}
