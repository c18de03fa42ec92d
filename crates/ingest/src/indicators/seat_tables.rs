//! Sources that are already one row per seat: mid-2022 population, UCAS
//! entry rates, KS4 attainment (2010-2024 seats), Ofsted FE and skills
//! providers, and mySociety's composite UK deprivation index.

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

pub fn population(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    const SRC: &str = "mid2022_population_single_year_age_pcon2024";
    let loaded = inputs.load(SRC)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let (code_col, total) = (t.column("PCON24CD")?, t.column("total")?);
    let (adults16, working) = (t.column("16+")?, t.column("18-64")?);
    let under19 = (0..19)
        .map(|age| t.column(&age.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    for (id, title, definition) in [
        (
            "population",
            "Population",
            "Usual resident population at 30 June 2022 (mid-year estimate).",
        ),
        (
            "population_16_plus",
            "Population aged 16 and over",
            "Residents aged 16 and over at 30 June 2022.",
        ),
        (
            "population_18_64",
            "Population aged 18 to 64",
            "Residents aged 18 to 64 at 30 June 2022.",
        ),
        (
            "population_19_plus",
            "Population aged 19 and over",
            "Residents aged 19 and over at 30 June 2022 (all residents less single years 0 to 18): the denominator of adult further education rates.",
        ),
    ] {
        out.define(
            Def {
                id,
                title,
                definition,
                unit: "count",
                direction: Direction::Neutral,
                sources: &[SRC],
                period: "2022",
                nations: UK,
                method: Method::Measured,
                caveats: "Mid-year estimates from ONS, NRS and NISRA, as compiled by the House of Commons Library.",
            }
            .build(),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for row in t.rows() {
        let code = reg.seat_code(BoundarySet::Pcon2024, &row, code_col)?;
        seen.insert(code);
        for (id, col) in [
            ("population", total),
            ("population_16_plus", adults16),
            ("population_18_64", working),
        ] {
            let v = row.number(col)?;
            if v <= 0.0 {
                return Err(row.error(
                    col,
                    Problem::Invalid(format!("population {v} is not positive")),
                ));
            }
            out.push(
                BoundarySet::Pcon2024,
                code,
                id,
                "2022",
                Cell::Value(v),
                Method::Measured,
                SRC,
                &row.location(col),
            )?;
        }
        let young = under19
            .iter()
            .map(|&c| row.number(c))
            .sum::<Result<f64, _>>()?;
        let adults19 = row.number(total)? - young;
        if adults19 <= 0.0 {
            let why = format!("population aged 19+ would be {adults19}");
            return Err(row.error(total, Problem::Invalid(why)));
        }
        let at = row.location(total);
        let v = Cell::Value(adults19);
        out.push(
            BoundarySet::Pcon2024,
            code,
            "population_19_plus",
            "2022",
            v,
            Method::Measured,
            SRC,
            &at,
        )?;
    }
    all_seats_present(reg, BoundarySet::Pcon2024, UK, &seen, &t)
}

/// Columns named `<prefix><year>`, with their years, in file order.
/// Errors on any header that is neither one of `fixed` nor `<prefix><year>`
/// for one of `prefixes`: a renamed year column must not silently drop a year.
fn check_columns(t: &CsvTable, fixed: &[&str], prefixes: &[&str]) -> Result<(), SourceError> {
    let is_year = |h: &str| {
        prefixes.iter().any(|p| {
            h.strip_prefix(p)
                .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    match t
        .headers()
        .iter()
        .find(|h| !fixed.contains(&h.as_str()) && !is_year(h))
    {
        Some(h) => Err(SourceError::new(
            t.location().at_row(1).at_column(h.clone()),
            Problem::Invalid(format!(
                "unexpected column: expected {} or a year column like \"{}2024\"",
                fixed.join(", "),
                prefixes[0]
            )),
        )),
        None => Ok(()),
    }
}

fn year_columns(t: &CsvTable, prefix: &str) -> Vec<(usize, String)> {
    t.headers()
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let y = h.strip_prefix(prefix)?.trim();
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then(|| (i, y.to_owned()))
        })
        .collect()
}

pub fn ucas(inputs: &Inputs<'_>, reg: &Registry, out: &mut Collector) -> Result<(), SourceError> {
    const SRC: &str = "ucas_entry_rates_18yo_pcon2024_2006_2024";
    let loaded = inputs.load(SRC)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let code_col = t.column("Parliamentary constituency code")?;
    check_columns(&t, &["Parliamentary constituency code"], &["Entry rate→"])?;
    let years = year_columns(&t, "Entry rate→");
    if years.is_empty() {
        return Err(SourceError::new(
            t.location().at_row(1),
            Problem::MissingColumn {
                found: t.headers().join(", "),
            },
        ));
    }
    let period = format!("{}-{}", years[0].1, years[years.len() - 1].1);
    out.define(
        Def {
            id: "he_entry_rate_18",
            title: "Higher education entry rate at 18",
            definition: "Share of the 18-year-old population of the seat who were accepted to a UK higher education course through UCAS in that year's cycle.",
            unit: "rate",
            direction: Direction::HigherIsBetter,
            sources: &[SRC],
            period: &period,
            nations: UK,
            method: Method::Measured,
            caveats: "UCAS acceptances only: entry outside UCAS (e.g. some part-time and degree apprenticeship routes) is not counted. Not specific to STEM subjects.",
        }
        .build(),
    );
    let mut seen = std::collections::BTreeSet::new();
    for row in t.rows() {
        let code = reg.seat_code(BoundarySet::Pcon2024, &row, code_col)?;
        seen.insert(code);
        for (col, year) in &years {
            let cell = row.cell(*col)?;
            if let Cell::Value(v) = cell {
                if !(0.0..=1.0).contains(&v) {
                    return Err(row.error(
                        *col,
                        Problem::Invalid(format!("entry rate {v} is outside 0..1")),
                    ));
                }
            }
            out.push(
                BoundarySet::Pcon2024,
                code,
                "he_entry_rate_18",
                year,
                cell,
                Method::Measured,
                SRC,
                &row.location(*col),
            )?;
        }
    }
    all_seats_present(reg, BoundarySet::Pcon2024, UK, &seen, &t)
}

pub fn ks4(inputs: &Inputs<'_>, reg: &Registry, out: &mut Collector) -> Result<(), SourceError> {
    const SRC: &str = "ks4_attainment_pcon2010_2011_2022";
    let loaded = inputs.load(SRC)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let code_col = t.column("Constituency ID")?;
    check_columns(
        &t,
        &["Constituency ID", "Constituency Name", "Region"],
        &["KS4 Attainment 8 / ", "A*-C % / ", "KS2 met expected / "],
    )?;
    let specs: [(&str, &str, &str, &str, &str); 3] = [
        (
            "ks4_attainment8",
            "KS4 Attainment 8 / ",
            "Average Attainment 8 score",
            "Average Attainment 8 score per pupil at the end of key stage 4 (GCSE), state-funded schools, pupils resident in the seat.",
            "points",
        ),
        (
            "ks4_a_c_pct",
            "A*-C % / ",
            "GCSE pass in English and maths (A*-C / grade 4+)",
            "Share of pupils at the end of key stage 4 achieving A*-C (from 2017 grade 4 or above) in GCSE English and maths (the House of Commons Library's percentage divided by 100: shares are fractions between 0 and 1 everywhere in stemgap; the id keeps its historical name).",
            "share",
        ),
        (
            "ks2_expected_pct",
            "KS2 met expected / ",
            "KS2 pupils meeting the expected standard",
            "Share of pupils at the end of key stage 2 meeting the expected standard in reading, writing and maths (the published percentage divided by 100: shares are fractions between 0 and 1 everywhere in stemgap; the id keeps its historical name).",
            "share",
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut rows = Vec::new();
    for row in t.rows() {
        let code = reg.seat_code(BoundarySet::Pcon2010, &row, code_col)?;
        if code.nation() != Some(Nation::England) {
            return Err(row.error(
                code_col,
                Problem::Invalid(format!("{code} is not an English seat")),
            ));
        }
        seen.insert(code);
        rows.push((code, row));
    }
    all_seats_present(reg, BoundarySet::Pcon2010, ENGLAND, &seen, &t)?;
    for (id, prefix, title, definition, unit) in specs {
        // A year with no value for any seat was not published for this
        // measure (Attainment 8 began in 2017; no exams in 2020 and 2021):
        // it is left out rather than stored as 533 blanks.
        let years: Vec<_> = year_columns(&t, prefix)
            .into_iter()
            .filter(|(c, _)| rows.iter().any(|(_, r)| !r.str(*c).trim().is_empty()))
            .collect();
        let period = match (years.first(), years.last()) {
            (Some(a), Some(b)) if a.1 != b.1 => format!("{}-{}", a.1, b.1),
            (Some(a), _) => a.1.clone(),
            _ => {
                return Err(SourceError::new(
                    t.location().at_column(prefix),
                    Problem::Invalid("no published year for this measure".into()),
                ))
            }
        };
        out.define(
            Def {
                id,
                title,
                definition,
                unit,
                direction: Direction::HigherIsBetter,
                sources: &[SRC],
                period: &period,
                nations: ENGLAND,
                method: Method::Measured,
                caveats: "England only, 2010-2024 seats. Not subject-specific: there is no science or maths breakdown. GCSE grading changed in 2017 and exams were cancelled in 2020 and 2021 (teacher-assessed grades), so years are not comparable across those breaks.",
            }
            .build(),
        );
        for (code, row) in &rows {
            for (col, year) in &years {
                // Percentages are published; shares (0-1) are stored.
                let cell = match (unit, row.cell(*col)?) {
                    ("share", Cell::Value(v)) if !(0.0..=100.0).contains(&v) => {
                        return Err(row.error(
                            *col,
                            Problem::Invalid(format!("percentage {v} is outside 0..100")),
                        ))
                    }
                    ("share", Cell::Value(v)) => Cell::Value(v / 100.0),
                    (_, cell) => cell,
                };
                out.push(
                    BoundarySet::Pcon2010,
                    *code,
                    id,
                    year,
                    cell,
                    Method::Measured,
                    SRC,
                    &row.location(*col),
                )?;
            }
        }
    }
    Ok(())
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
