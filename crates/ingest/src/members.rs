//! The members of parliament elected at the July 2024 general election, one
//! per 2024 seat in Great Britain, with party, majority and turnout, from
//! Ralph Scott's GE2024 census constituency summaries (the file has no
//! Northern Ireland rows). Stored in the `member` table.

use crate::build::Inputs;
use std::collections::BTreeSet;
use stemgap_core::{BoundarySet, Nation};
use stemgap_geography::Registry;
use stemgap_sources::{CsvOptions, CsvTable, Problem, SourceError};
use stemgap_store::Member;

/// The source id in the catalogue.
pub const SOURCE: &str = "ge2024_census_constituency_summaries_v1.1";
/// When the members were elected (they change at by-elections).
pub const ELECTED: &str = "July 2024";

/// The party names behind the file's codes (`Winner24`).
pub const PARTIES: &[(&str, &str)] = &[
    ("Con", "Conservative"),
    ("Green", "Green"),
    ("Ind", "Independent"),
    ("Lab", "Labour"),
    ("LD", "Liberal Democrat"),
    ("PC", "Plaid Cymru"),
    ("RUK", "Reform UK"),
    ("SNP", "Scottish National Party"),
    ("Spk", "Speaker"),
];

/// Reads the member elected for every 2024 seat in Great Britain. A seat of
/// England, Wales or Scotland without a row, a duplicate row, an unknown
/// party code, or figures that do not add up are errors naming the cell.
pub fn read(inputs: &Inputs<'_>, reg: &Registry) -> Result<Vec<Member>, SourceError> {
    let loaded = inputs.load(SOURCE)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let col = |name: &str| t.column(name);
    let (code_col, winner, majority_col) =
        (col("ONSConstID")?, col("Winner24")?, col("Majority24")?);
    let (turnout_col, electorate_col, valid_col) =
        (col("Turnout24")?, col("Electorate24")?, col("TotalVote24")?);
    let (first_col, surname_col) = (col("MPFirstName24")?, col("MPSurname24")?);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for row in t.rows() {
        let code = reg.seat_code(BoundarySet::Pcon2024, &row, code_col)?;
        if !seen.insert(code) {
            return Err(row.error(code_col, Problem::Duplicate(code.to_string())));
        }
        let party_code = row.str(winner).trim();
        let party = PARTIES
            .iter()
            .find(|p| p.0 == party_code)
            .ok_or_else(|| {
                row.error(
                    winner,
                    Problem::Invalid(format!("unknown party code {party_code:?}")),
                )
            })?
            .1;
        let text = |c: usize| -> Result<String, SourceError> {
            let s = row.str(c).trim();
            if s.is_empty() || s == "NA" {
                return Err(row.error(c, Problem::Invalid("a name is required here".into())));
            }
            Ok(s.to_owned())
        };
        let count = |c: usize| -> Result<i64, SourceError> {
            let v = row.number(c)?;
            if v < 0.0 || v.fract() != 0.0 {
                return Err(row.error(c, Problem::Invalid(format!("{v} is not a count of people"))));
            }
            Ok(v as i64)
        };
        let share = |c: usize| -> Result<f64, SourceError> {
            let v = row.number(c)?;
            if !(0.0..=100.0).contains(&v) {
                return Err(row.error(c, Problem::Invalid(format!("{v} is not a percentage"))));
            }
            Ok(v)
        };
        let (electorate, valid_votes) = (count(electorate_col)?, count(valid_col)?);
        let (majority_share, turnout) = (share(majority_col)?, share(turnout_col)?);
        if valid_votes == 0 || valid_votes > electorate {
            return Err(row.error(
                valid_col,
                Problem::Invalid(format!(
                    "{valid_votes} valid votes in an electorate of {electorate}"
                )),
            ));
        }
        // The file gives the majority as a share of valid votes; in votes it
        // is a whole number (checked: winner's minus runner-up's votes).
        let votes = majority_share * valid_votes as f64 / 100.0;
        if (votes - votes.round()).abs() > 0.01 {
            return Err(row.error(
                majority_col,
                Problem::Invalid(format!(
                    "a majority of {majority_share}% of {valid_votes} valid votes is not a whole number of votes"
                )),
            ));
        }
        let computed = valid_votes as f64 / electorate as f64 * 100.0;
        if (computed - turnout).abs() > 0.01 {
            return Err(row.error(
                turnout_col,
                Problem::Invalid(format!(
                    "turnout {turnout}% but {valid_votes} valid votes of {electorate} electors is {computed:.2}%"
                )),
            ));
        }
        out.push(Member {
            code: code.to_string(),
            first_name: text(first_col)?,
            surname: text(surname_col)?,
            party_code: party_code.to_owned(),
            party: party.to_owned(),
            majority: votes.round() as i64,
            majority_share,
            turnout,
            electorate,
            valid_votes,
            elected: ELECTED.to_owned(),
            source: SOURCE.to_owned(),
        });
    }
    if let Some(s) = reg
        .seats(BoundarySet::Pcon2024)
        .iter()
        .find(|s| s.nation != Nation::NorthernIreland && !seen.contains(&s.code))
    {
        return Err(SourceError::new(
            t.location().clone(),
            Problem::Invalid(format!(
                "no row for seat {} {} (truncated file?)",
                s.code, s.name
            )),
        ));
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}
