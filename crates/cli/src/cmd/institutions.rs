//! `stemgap institutions`: the higher-education providers and teaching
//! locations placed in a seat, or (`--unplaced`) every one that could not
//! be placed in a set, or was placed with a correction or a flag, with why,
//! or (`--no-teaching`) the providers and locations that are not counted as
//! physical teaching presence, with why.

use super::NotFound;
use crate::cli::{Boundaries, DbArg};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::process::ExitCode;
use stemgap_core::BoundarySet;
use stemgap_ingest::institutions::{
    NOTE_SEPARATOR, NOT_AT_ADDRESS, NOT_TEACHING_SITE, NO_TEACHING,
};
use stemgap_store::{Institution, Store};

#[derive(Args, Debug)]
pub struct InstitutionsArgs {
    /// The seat's GSS code, e.g. E14001172.
    #[arg(
        required_unless_present_any = ["unplaced", "no_teaching"],
        conflicts_with_all = ["unplaced", "no_teaching"]
    )]
    pub code: Option<String>,
    /// List every provider and teaching location unplaced in either set, or
    /// placed with a correction or a flag, with the reason.
    #[arg(long, conflicts_with = "no_teaching")]
    pub unplaced: bool,
    /// List the providers that teach at no physical teaching site (online,
    /// distance and office-only registrations) or none in their address's
    /// seat, and the locations that are no physical teaching site: those
    /// `hei_teaching_count` and `he_teaching_presence` do not count.
    #[arg(long)]
    pub no_teaching: bool,
    /// Which constituency boundaries [default: the set the code is a seat
    /// of; 2024 for a code that is a seat in both].
    #[arg(long)]
    pub boundaries: Option<Boundaries>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Csv,
    Json,
}

const COLUMNS: [&str; 17] = [
    "kind",
    "ukprn",
    "locid",
    "name",
    "partner",
    "postcode",
    "lat",
    "lon",
    "place_lat",
    "place_lon",
    "seat_2010",
    "route_2010",
    "seat_2024",
    "route_2024",
    "stem",
    "stem_route",
    "problem",
];

fn fields(i: &Institution) -> [String; 17] {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    [
        i.kind.clone(),
        i.ukprn.clone(),
        i.locid.clone(),
        i.name.clone(),
        s(&i.partner),
        s(&i.postcode),
        f(i.lat),
        f(i.lon),
        f(i.place_lat),
        f(i.place_lon),
        s(&i.seat_2010),
        s(&i.route_2010),
        s(&i.seat_2024),
        s(&i.route_2024),
        i.stem.map(|b| b.to_string()).unwrap_or_default(),
        s(&i.stem_route),
        s(&i.problem),
    ]
}

fn json(i: &Institution) -> serde_json::Value {
    serde_json::json!({
        "kind": i.kind,
        "ukprn": i.ukprn,
        "locid": (!i.locid.is_empty()).then_some(&i.locid),
        "name": i.name,
        "partner": i.partner,
        "postcode": i.postcode,
        "lat": i.lat,
        "lon": i.lon,
        "place_lat": i.place_lat,
        "place_lon": i.place_lon,
        "seat_2010": i.seat_2010,
        "route_2010": i.route_2010,
        "seat_2024": i.seat_2024,
        "route_2024": i.route_2024,
        "stem": i.stem,
        "stem_route": i.stem_route,
        "problem": i.problem,
    })
}

fn stem_text(i: &Institution) -> String {
    match (i.stem, &i.stem_route) {
        (Some(true), Some(r)) => format!("STEM ({r})"),
        (Some(false), Some(r)) => format!("no STEM ({r})"),
        _ => "STEM unknown".into(),
    }
}

/// The notes of a problem that concern a set: those about the 2010 set
/// only when listing it, and every other.
fn notes_for(problem: &str, set: BoundarySet) -> Vec<&str> {
    problem
        .split(NOTE_SEPARATOR)
        .filter(|n| {
            set == BoundarySet::Pcon2010
                || !(n.starts_with("2010 set") || n.starts_with("outside every 2010-set seat"))
        })
        .collect()
}

/// The notes saying why a provider or location is not counted as physical
/// teaching presence (none when it is).
fn not_teaching(i: &Institution) -> Vec<&str> {
    i.problem
        .as_deref()
        .unwrap_or_default()
        .split(NOTE_SEPARATOR)
        .filter(|n| {
            [NO_TEACHING, NOT_AT_ADDRESS, NOT_TEACHING_SITE]
                .iter()
                .any(|k| n.starts_with(&format!("{k}:")))
        })
        .collect()
}

fn id(i: &Institution) -> String {
    if i.locid.is_empty() {
        i.ukprn.clone()
    } else {
        format!("{} {}", i.ukprn, i.locid)
    }
}

fn write_rows(
    out: &mut dyn Write,
    format: Format,
    rows: &[Institution],
    text: impl Fn(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match format {
        Format::Text => text(out)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(COLUMNS)?;
            for r in rows {
                w.write_record(fields(r))?;
            }
            w.flush()?;
        }
        Format::Json => {
            let all: Vec<_> = rows.iter().map(json).collect();
            serde_json::to_writer_pretty(&mut *out, &all)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

pub fn run(args: InstitutionsArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.db.path())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.unplaced || args.no_teaching {
        let mut rows = store.unplaced_institutions()?;
        if args.no_teaching {
            rows.retain(|r| !not_teaching(r).is_empty());
        }
        write_rows(&mut out, args.format, &rows, |out| {
            let n = |kind: &str| rows.iter().filter(|r| r.kind == kind).count();
            if args.no_teaching {
                let (p, l) = (n("provider"), n("location"));
                writeln!(
                    out,
                    "{p} provider{} and {l} location{} not counted as physical teaching presence (hei_teaching_count, he_teaching_presence)",
                    if p == 1 { "" } else { "s" },
                    if l == 1 { "" } else { "s" },
                )?;
            } else {
                writeln!(
                    out,
                    "{} providers and {} teaching locations unplaced in a set, corrected or flagged",
                    n("provider"),
                    n("location")
                )?;
            }
            for r in &rows {
                let placed = |set: BoundarySet| match (r.seat(set), r.route(set)) {
                    (Some(s), Some(route)) => format!("{set}: {s} ({route})"),
                    _ => format!("{set}: unplaced"),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}; {}\t{}",
                    r.kind,
                    id(r),
                    r.name,
                    placed(BoundarySet::Pcon2024),
                    placed(BoundarySet::Pcon2010),
                    if args.no_teaching {
                        not_teaching(r).join("; ")
                    } else {
                        r.problem
                            .as_deref()
                            .unwrap_or_default()
                            .replace(NOTE_SEPARATOR, "; ")
                    }
                )?;
            }
            Ok(())
        })?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let code = args.code.unwrap_or_default().trim().to_uppercase();
    let in_set = |set: BoundarySet| -> anyhow::Result<Option<String>> {
        Ok(store
            .seats(set)?
            .into_iter()
            .find(|s| s.code == code)
            .map(|s| s.name))
    };
    let (set, name) = match args.boundaries {
        Some(b) => {
            let set: BoundarySet = b.into();
            (set, in_set(set)?)
        }
        None => match in_set(BoundarySet::Pcon2024)? {
            Some(n) => (BoundarySet::Pcon2024, Some(n)),
            None => (BoundarySet::Pcon2010, in_set(BoundarySet::Pcon2010)?),
        },
    };
    let Some(name) = name else {
        return Err(NotFound(match args.boundaries {
            Some(_) => format!("{code} is not a seat of the {} boundaries", set.id()),
            None => format!("{code} is not a seat of either boundary set"),
        })
        .into());
    };
    let rows = store.institutions(set, &code)?;
    // Providers unplaced in the 2010 set whose split 2024 seat overlaps this one.
    let possible: Vec<Institution> = if set == BoundarySet::Pcon2010 {
        store
            .unplaced_institutions()?
            .into_iter()
            .filter(|r| r.kind == "provider" && r.seat_2010.is_none())
            .filter(|r| {
                r.problem.as_deref().is_some_and(|p| {
                    p.split(NOTE_SEPARATOR)
                        .any(|n| n.starts_with("2010 set: split") && n.contains(code.as_str()))
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    write_rows(&mut out, args.format, &rows, |out| {
        writeln!(out, "{code}\t{name}\t({})", set.title())?;
        let providers: Vec<_> = rows.iter().filter(|r| r.kind == "provider").collect();
        let locations: Vec<_> = rows.iter().filter(|r| r.kind == "location").collect();
        writeln!(out, "higher-education providers: {}", providers.len())?;
        for r in &providers {
            writeln!(
                out,
                "  {}\t{}\t{}\t{}\t{}",
                id(r),
                r.name,
                r.postcode.as_deref().unwrap_or("-"),
                r.route(set).unwrap_or_default(),
                stem_text(r)
            )?;
            for n in r
                .problem
                .as_deref()
                .map(|p| notes_for(p, set))
                .unwrap_or_default()
            {
                writeln!(out, "      {n}")?;
            }
        }
        if !possible.is_empty() {
            writeln!(
                out,
                "  and {} provider{} whose 2024 seat is split, which may lie here:",
                possible.len(),
                if possible.len() == 1 { "" } else { "s" }
            )?;
            for r in &possible {
                writeln!(
                    out,
                    "  ? {}\t{}\t{}",
                    id(r),
                    r.name,
                    r.postcode.as_deref().unwrap_or("-"),
                )?;
            }
        }
        writeln!(
            out,
            "teaching locations: {} ({} teaching STEM)",
            locations.len(),
            locations.iter().filter(|r| r.stem == Some(true)).count()
        )?;
        // Providers teaching at a physical site here (LOCUKPRN, else UKPRN).
        let teachers: std::collections::BTreeSet<&str> = locations
            .iter()
            .filter(|r| not_teaching(r).is_empty())
            .map(|r| r.partner.as_deref().unwrap_or(&r.ukprn))
            .collect();
        match teachers.len() {
            0 => writeln!(out, "physical teaching presence: none")?,
            n => writeln!(
                out,
                "physical teaching presence: {n} provider{} teach{} at a physical site here ({})",
                if n == 1 { "" } else { "s" },
                if n == 1 { "es" } else { "" },
                teachers.into_iter().collect::<Vec<_>>().join(", ")
            )?,
        }
        for r in &locations {
            writeln!(
                out,
                "  {}\t{}\t{}\t{}",
                id(r),
                r.name,
                r.route(set).unwrap_or_default(),
                stem_text(r)
            )?;
            for n in r
                .problem
                .as_deref()
                .map(|p| notes_for(p, set))
                .unwrap_or_default()
            {
                writeln!(out, "      {n}")?;
            }
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
