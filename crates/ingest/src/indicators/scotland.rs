//! Scotland's Census 2022 tables by 2024 seat (National Records of Scotland
//! custom tables). Seats are named, not coded: names are matched to the
//! registry's Scottish 2024 seats, and every Scottish seat must be found.
//!
//! Scotland publishes no qualifications, industry or occupation by seat, so
//! only sex, age and ethnic group are made here, with the same ids as the
//! England and Wales census so that maps can show all of Great Britain, and
//! a caveat that the census year (2022) and categories differ.

use super::{share, Collector, Def};
use crate::build::Inputs;
use std::collections::BTreeSet;
use stemgap_core::{BoundarySet, Direction, GssCode, Method, Nation};
use stemgap_geography::Registry;
use stemgap_sources::{Grid, Location, Problem, SourceError, Workbook, XCell};

const AGE_SEX: &str = "sc_census22_pcon2024_agebysex";
const ETHNICITY: &str = "sc_census22_pcon2024_ethnicity";
const PERIOD: &str = "2022";
const CAVEAT: &str = "Scotland's census was a year later (2022) than England and Wales's (2021). NRS perturbs small counts, so shares use the sum of the published parts as denominator.";

pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    age_and_sex(inputs, reg, out)?;
    crate::recipe::collect_builtin(inputs, reg, ETHNICITY, out)
}

/// Matches a seat name to a Scottish 2024 seat.
fn seat(
    reg: &Registry,
    grid: &Grid,
    row: usize,
    col: usize,
    seen: &mut BTreeSet<GssCode>,
) -> Result<GssCode, SourceError> {
    let name = grid.get(row, col).text().unwrap_or("").trim();
    let code = reg
        .seat_by_name(BoundarySet::Pcon2024, name)
        .filter(|c| c.nation() == Some(Nation::Scotland))
        .ok_or_else(|| {
            grid.error(
                row,
                col,
                Problem::UnknownCode(format!("{name:?}: no Scottish 2024 seat has this name")),
            )
        })?;
    if !seen.insert(code) {
        return Err(grid.error(row, col, Problem::Duplicate(format!("{name} ({code})"))));
    }
    Ok(code)
}

fn all_scottish_seats_found(
    reg: &Registry,
    seen: &BTreeSet<GssCode>,
    loc: &Location,
) -> Result<(), SourceError> {
    if let Some(s) = reg
        .seats(BoundarySet::Pcon2024)
        .iter()
        .find(|s| s.nation == Nation::Scotland && !seen.contains(&s.code))
    {
        return Err(SourceError::new(
            loc.clone(),
            Problem::Invalid(format!("no data for Scottish seat {} {}", s.code, s.name)),
        ));
    }
    Ok(())
}

/// Age label → age in years (`Under 1` → 0, `85 and over` → 85).
fn age_of(label: &str) -> Option<u32> {
    if label == "Under 1" {
        return Some(0);
    }
    label.split(' ').next()?.parse().ok()
}

const AGE_BANDS: [(&str, u32, u32); 5] = [
    ("age_0_15_share", 0, 15),
    ("age_16_24_share", 16, 24),
    ("age_25_49_share", 25, 49),
    ("age_50_64_share", 50, 64),
    ("age_65_plus_share", 65, u32::MAX),
];

fn age_and_sex(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    let loaded = inputs.load(AGE_SEX)?;
    let location = loaded.location.clone();
    let mut book = Workbook::open(loaded.bytes, location.clone())?;
    let define = |out: &mut Collector, id: &str, title: &str| {
        out.define(
            Def {
                id,
                title,
                definition: "",
                unit: "share",
                direction: Direction::Neutral,
                sources: &[AGE_SEX],
                period: PERIOD,
                nations: &[Nation::Scotland],
                method: Method::Measured,
                caveats: CAVEAT,
            }
            .build(),
        )
    };
    define(out, "female_share", "Female");
    for (id, ..) in AGE_BANDS {
        define(out, id, id);
    }
    let mut seen = BTreeSet::new();
    let sheets: Vec<String> = book
        .sheet_names()
        .into_iter()
        .filter(|n| {
            n.split('.')
                .next()
                .is_some_and(|p| p.parse::<u32>().is_ok())
        })
        .collect();
    for name in sheets {
        let g = book.sheet(&name)?;
        let header = g.find_row(0, 0, "Sex").ok_or_else(|| {
            SourceError::new(
                g.column_location(0),
                Problem::Invalid("no header row starting \"Sex\"".into()),
            )
        })?;
        for (col, want) in [(2, "All people"), (3, "Female"), (4, "Male")] {
            if g.get(header, col).text() != Some(want) {
                return Err(g.error(
                    header,
                    col,
                    Problem::WrongHeader {
                        expected: want.into(),
                        found: g.get(header, col).to_string(),
                    },
                ));
            }
        }
        let code = seat(reg, &g, header - 1, 0, &mut seen)?;
        let total_row = g
            .find_row(header, 1, "All people")
            .ok_or_else(|| g.error(header, 1, Problem::Invalid("no \"All people\" row".into())))?;
        let (female, male) = (g.number(total_row, 3)?, g.number(total_row, 4)?);
        let at = g.location(total_row, 3);
        out.push(
            BoundarySet::Pcon2024,
            code,
            "female_share",
            PERIOD,
            share(female, female + male),
            Method::Measured,
            AGE_SEX,
            &at,
        )?;
        let mut bands = [0.0f64; 5];
        let mut ages = BTreeSet::new();
        let mut r = total_row + 1;
        while let XCell::Text(label) = g.get(r, 1) {
            let age = age_of(label.trim()).ok_or_else(|| {
                g.error(
                    r,
                    1,
                    Problem::Invalid(format!("unexpected age label {label:?}")),
                )
            })?;
            if !ages.insert(age) {
                return Err(g.error(r, 1, Problem::Duplicate(label.clone())));
            }
            let n = g.number(r, 2)?;
            let band = AGE_BANDS
                .iter()
                .position(|(_, lo, hi)| (*lo..=*hi).contains(&age))
                .expect("bands cover all ages");
            bands[band] += n;
            r += 1;
        }
        if ages.len() < 86 || ages.iter().enumerate().any(|(i, a)| *a != i as u32) {
            return Err(g.error(
                r,
                1,
                Problem::Invalid(format!(
                    "expected single years of age 0 to 85+, found {} rows",
                    ages.len()
                )),
            ));
        }
        let total: f64 = bands.iter().sum();
        for ((id, ..), n) in AGE_BANDS.iter().zip(bands) {
            out.push(
                BoundarySet::Pcon2024,
                code,
                id,
                PERIOD,
                share(n, total),
                Method::Measured,
                AGE_SEX,
                &at,
            )?;
        }
    }
    all_scottish_seats_found(reg, &seen, &location)
}
