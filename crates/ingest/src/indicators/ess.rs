//! Skills shortages: DfE's Employer Skills Survey (IFF Research) by local
//! education authority — the 2019 summary tables (sheet `ALL_LEAS`) and
//! the 2017 standard tables (T63, skills-shortage vacancies by occupation).
//!
//! The survey publishes England's 152 local education authorities of its
//! year (upper-tier: counties, unitary authorities, metropolitan districts
//! and London boroughs) by **name**, without codes. Names are matched to
//! ONS's 2019 ward → upper-tier authority lookup (`UTLA19NM`, or the
//! district's own name where ONS's upper tier is a metropolitan county or
//! Inner/Outer London), through a short list of the survey's spellings
//! ([`ALIASES`]); a name matching nothing is an error naming its cell, and
//! so is an authority with no column. Bournemouth and Poole, published
//! separately, are summed into Bournemouth, Christchurch and Poole.
//!
//! Each indicator is a ratio of two survey counts (skills-shortage vacancies
//! and staff, …). Both counts are shared to seats through the one
//! authority → seat loop ([`stemgap_geography::apportion::to_seats`]): an authority's
//! count is first split among its districts (2023 authorities) by their
//! population (mySociety's seat × authority overlap, summed per district),
//! then among seats by the share of each district's population living in
//! each. A seat inside one authority so carries the authority's ratio; a
//! seat spanning authorities a blend of theirs. Suppressed authorities
//! (`**`: a small unweighted base) are missing, never zero; a seat gets a
//! figure only where authorities with one hold at least 95% of its
//! population (the conversion's rule), and is otherwise missing with the
//! survey's marker.
//!
//! The upper tier of each 2023 district is also kept in the registry (links
//! `lad23->utla19`, areas `utla19`): the findings cluster these figures by
//! it, as one observation per authority.

use super::{Collector, Def};
use crate::build::Inputs;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Marker, Method, Nation};
use stemgap_geography::apportion::{to_seats, with_share_sources, Bounds, Shares};
use stemgap_geography::registry::{name_key, Registry};
use stemgap_geography::upper_tier::{UPPER_TIER_KIND, UTLA};
use stemgap_geography::Relation;
use stemgap_sources::{Grid, Location, Problem, SourceError, Workbook, XCell};

pub const ESS19: &str = "ess_2019_lea_summary";
pub const ESS17: &str = "ess_2017_lea_standard";
/// The survey's spellings that differ from ONS's names (compared by
/// [`name_key`]).
pub const ALIASES: [(&str, &str); 6] = [
    ("Bristol", "Bristol, City of"),
    ("Kingston upon Hull", "Kingston upon Hull, City of"),
    ("Herefordshire", "Herefordshire, County of"),
    ("Durham", "County Durham"),
    // Published separately (the authorities of 2018); merged in April 2019
    // with Christchurch, which the survey counts in Dorset.
    ("Bournemouth", "Bournemouth, Christchurch and Poole"),
    ("Poole", "Bournemouth, Christchurch and Poole"),
];

/// Where authorities with a figure must hold at least this share of a
/// seat's population for the seat to get one.
const COVERAGE: f64 = 0.95;

/// One authority's figure for one indicator: numerator and denominator
/// counts, or the survey's marker.
type Ratio = Result<(f64, f64), Marker>;

/// What one survey file gives: indicator → authority code → ratio, and the
/// smallest unweighted base among authorities with figures.
#[derive(Debug, Default)]
struct Read {
    ratios: BTreeMap<&'static str, BTreeMap<String, Ratio>>,
    smallest_base: Option<(f64, String)>,
}

/// A survey cell: a number, `**` (suppressed: a small base), or an error.
fn survey_cell(g: &Grid, row: usize, col: usize) -> Result<Result<f64, Marker>, SourceError> {
    match g.get(row, col) {
        XCell::Number(v) if v.is_finite() && *v >= 0.0 => Ok(Ok(*v)),
        XCell::Text(s) if s.trim() == "**" => Ok(Err(Marker::Star)),
        other => Err(g.error(
            row,
            col,
            Problem::Invalid(format!(
                "expected a non-negative number or `**`, found {other}"
            )),
        )),
    }
}

/// The row labelled `label` in the first column at or after `from`.
fn labelled(g: &Grid, from: usize, label: &str) -> Result<usize, SourceError> {
    g.find_row(from, 0, label).ok_or_else(|| {
        SourceError::new(
            g.column_location(0),
            Problem::Invalid(format!("no row labelled {label:?}")),
        )
    })
}

/// Matches the authority names of a header row to upper-tier codes.
/// `leas` are the upper-tier authorities (code → ONS name). Returns each
/// authority column with its code; a name matching nothing, a name given
/// twice, or an authority without a column is an error naming the cell.
fn match_names(
    g: &Grid,
    header: usize,
    columns: &[usize],
    leas: &BTreeMap<String, String>,
) -> Result<Vec<(usize, String)>, SourceError> {
    let mut by_key: BTreeMap<String, &str> = leas
        .iter()
        .map(|(code, name)| (name_key(name), code.as_str()))
        .collect();
    for (alias, name) in ALIASES {
        if let Some(code) = by_key.get(&name_key(name)).copied() {
            by_key.insert(name_key(alias), code);
        }
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for &col in columns {
        let name = g.get(header, col).to_string();
        let key = name_key(&name);
        let code = by_key.get(&key).ok_or_else(|| {
            g.error(
                header,
                col,
                Problem::UnknownCode(format!(
                    "{name:?}: matches no 2019 upper-tier authority of {UTLA} (nor an alias)"
                )),
            )
        })?;
        if !seen.insert(key) {
            return Err(g.error(header, col, Problem::Duplicate(name)));
        }
        out.push((col, (*code).to_owned()));
    }
    let matched: BTreeSet<&str> = out.iter().map(|(_, c)| c.as_str()).collect();
    let missing: Vec<String> = leas
        .iter()
        .filter(|(c, _)| !matched.contains(c.as_str()))
        .map(|(c, n)| format!("{n} ({c})"))
        .collect();
    if !missing.is_empty() {
        return Err(SourceError::new(
            g.location(header, 0),
            Problem::Invalid(format!(
                "no column for the upper-tier authorit{} {}",
                if missing.len() == 1 { "y" } else { "ies" },
                missing.join(", ")
            )),
        ));
    }
    Ok(out)
}

/// The authority columns of a header row: every non-empty cell right of
/// `first`, up to (not including) a cell reading `stop`.
fn authority_columns(g: &Grid, header: usize, first: usize, stop: Option<&str>) -> Vec<usize> {
    let width = g.row(header).len();
    (first..width)
        .take_while(|&c| stop.is_none_or(|s| g.get(header, c).text().map(str::trim) != Some(s)))
        .filter(|&c| !matches!(g.get(header, c), XCell::Empty))
        .collect()
}

/// Adds `ratio` for `code`, summing with a ratio already there (two
/// published authorities merged into one); a marker on either side wins.
fn add(map: &mut BTreeMap<String, Ratio>, code: &str, ratio: Ratio) {
    let merged = match (map.get(code), ratio) {
        (None, r) => r,
        (Some(Ok((n, d))), Ok((n2, d2))) => Ok((n + n2, d + d2)),
        (Some(Err(m)), _) => Err(*m),
        (Some(Ok(_)), Err(m)) => Err(m),
    };
    map.insert(code.to_owned(), merged);
}

/// The smallest unweighted base (row `base`) among the columns whose
/// figures are published (`published`), with the authority's name as the
/// file gives it.
fn smallest_named(
    g: &Grid,
    header: usize,
    base: usize,
    published: &[usize],
) -> Result<Option<(f64, String)>, SourceError> {
    let mut best: Option<(f64, usize)> = None;
    for &col in published {
        let v = g.number(base, col)?;
        if best.is_none_or(|(b, _)| v < b) {
            best = Some((v, col));
        }
    }
    Ok(best.map(|(v, col)| (v, g.get(header, col).to_string())))
}

/// ESS 2019, sheet `ALL_LEAS`.
fn read_2019(g: &Grid, leas: &BTreeMap<String, String>) -> Result<Read, SourceError> {
    let header = g.find_row(0, 1, "England Total").ok_or_else(|| {
        SourceError::new(
            g.column_location(1),
            Problem::Invalid("no header row with \"England Total\" in column B".into()),
        )
    })?;
    let cols = match_names(g, header, &authority_columns(g, header, 2, None), leas)?;
    let row = |label: &str| labelled(g, header + 1, label);
    let base = row("Unweighted row")?;
    let establishments = row("Total (establishments)")?;
    let staff = row("Total number of staff")?;
    let htf = row("Have at least one vacancy that is hard to fill")?;
    let vacancies = row("Number of vacancies")?;
    let ssv = row("Number of skill-shortage vacancies")?;
    let gaps = row("Number of skills gaps")?;
    let mut read = Read::default();
    let mut published = Vec::new();
    for (col, code) in &cols {
        let cell = |r: usize| survey_cell(g, r, *col);
        let (e, s, h, v, q, k) = (
            cell(establishments)?,
            cell(staff)?,
            cell(htf)?,
            cell(vacancies)?,
            cell(ssv)?,
            cell(gaps)?,
        );
        let pair = |n: Result<f64, Marker>, d: Result<f64, Marker>| Ok((n?, d?));
        let ratios = [
            ("ess_ssv_per_1000_staff", pair(q.map(|q| q * 1000.0), s)),
            ("ess_ssv_share_of_vacancies", pair(q, v)),
            ("ess_skills_gap_share", pair(k, s)),
            (
                "ess_hard_to_fill_share",
                pair(h.and_then(|h| e.map(|e| h * e)), e),
            ),
        ];
        if ratios[0].1.is_ok() {
            published.push(*col);
        }
        for (id, r) in ratios {
            add(read.ratios.entry(id).or_default(), code, r);
        }
    }
    read.smallest_base = smallest_named(g, header, base, &published)?;
    Ok(read)
}

/// Occupations counted as middle-skill (associate professional and
/// technical, skilled trades, machine operatives) in the 2017 T63 rows.
pub const MIDDLE_SKILL: [&str; 3] = [
    "Associate professionals",
    "Skilled trades occupations",
    "Machine operatives",
];

/// ESS 2017, table T63: skills-shortage vacancies by occupation.
fn read_2017(g: &Grid, leas: &BTreeMap<String, String>) -> Result<Read, SourceError> {
    let header = g.find_row(0, 1, "Total").ok_or_else(|| {
        SourceError::new(
            g.column_location(1),
            Problem::Invalid("no header row with \"Total\" in column B".into()),
        )
    })?;
    let cols = match_names(
        g,
        header,
        &authority_columns(g, header, 2, Some("Not in England")),
        leas,
    )?;
    let base = labelled(g, header + 1, "Unweighted row")?;
    let total = labelled(g, base + 1, "Total")?;
    let parts: Vec<usize> = MIDDLE_SKILL
        .iter()
        .map(|l| labelled(g, total + 1, l))
        .collect::<Result<_, _>>()?;
    let mut read = Read::default();
    let mut published = Vec::new();
    for (col, code) in &cols {
        let t = survey_cell(g, total, *col)?;
        let mut n: Result<f64, Marker> = Ok(0.0);
        for &r in &parts {
            let v = survey_cell(g, r, *col)?;
            n = n.and_then(|n| v.map(|v| n + v));
        }
        let r = n.and_then(|n| t.map(|t| (n, t)));
        if r.is_ok() {
            published.push(*col);
        }
        add(
            read.ratios.entry("ess_ssv_middle_skill_share").or_default(),
            code,
            r,
        );
    }
    read.smallest_base = smallest_named(g, header, base, &published)?;
    Ok(read)
}

/// Each upper-tier authority's 2023 districts with their populations
/// (mySociety's seat × authority overlap, summed per district).
fn districts(reg: &Registry) -> BTreeMap<String, Vec<(String, f64)>> {
    let mut pop: BTreeMap<&str, f64> = BTreeMap::new();
    for l in reg.links_of(Relation::SeatToLad23) {
        *pop.entry(l.to.as_str()).or_default() += l.population.unwrap_or(0.0);
    }
    let mut out: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for l in reg.links_of(Relation::Lad23ToUtla19) {
        let p = pop.get(l.from.as_str()).copied().unwrap_or(0.0);
        out.entry(l.to.clone())
            .or_default()
            .push((l.from.clone(), p));
    }
    out
}

/// Shares authority ratios to the seats of one set: numerator and
/// denominator split among each authority's districts by population and
/// carried to seats by [`to_seats`]; a seat whose population lies less
/// than [`COVERAGE`] in authorities with a figure gets the marker of the
/// missing ones.
fn ratios_to_seats(
    ratios: &BTreeMap<String, Ratio>,
    districts: &BTreeMap<String, Vec<(String, f64)>>,
    set: BoundarySet,
    shares: &Shares,
    at: &Location,
) -> Result<BTreeMap<GssCode, Cell>, SourceError> {
    let mut num: BTreeMap<String, Bounds> = BTreeMap::new();
    let mut den: BTreeMap<String, Bounds> = BTreeMap::new();
    let mut covered: BTreeMap<String, Bounds> = BTreeMap::new();
    let mut all: BTreeMap<String, Bounds> = BTreeMap::new();
    let mut marker = Marker::Star;
    for (code, r) in ratios {
        let parts = districts.get(code).ok_or_else(|| {
            SourceError::new(
                at.clone(),
                Problem::UnknownCode(format!("{code}: an upper-tier authority with no districts")),
            )
        })?;
        let total: f64 = parts.iter().map(|(_, p)| p).sum();
        for (lad, p) in parts {
            let f = if total > 0.0 { p / total } else { 0.0 };
            let exact = |v: f64| Bounds { lo: v, hi: v };
            all.insert(lad.clone(), exact(*p));
            match r {
                Ok((n, d)) => {
                    num.insert(lad.clone(), exact(n * f));
                    den.insert(lad.clone(), exact(d * f));
                    covered.insert(lad.clone(), exact(*p));
                }
                Err(m) => marker = *m,
            }
        }
    }
    let [num, den, covered, all] =
        [&num, &den, &covered, &all].map(|m| to_seats(m.iter(), set, shares, at));
    let (num, den, covered, all) = (num?, den?, covered?, all?);
    let mut out = BTreeMap::new();
    for (seat, p) in all {
        let c = covered.get(&seat).map_or(0.0, |b| b.lo);
        let cell = if p.lo <= 0.0 || c / p.lo < COVERAGE {
            Cell::Missing(marker)
        } else {
            let d = den.get(&seat).map_or(0.0, |b| b.lo);
            let n = num.get(&seat).map_or(0.0, |b| b.lo);
            super::share(n, d)
        };
        out.insert(seat, cell);
    }
    Ok(out)
}

struct Indicator {
    id: &'static str,
    title: &'static str,
    definition: &'static str,
    unit: &'static str,
    direction: Direction,
    src: &'static str,
    period: &'static str,
}

const INDICATORS: [Indicator; 5] = [
    Indicator {
        id: "ess_ssv_per_1000_staff",
        title: "Skills-shortage vacancies per 1,000 staff (employer survey)",
        definition: "Vacancies that employers found hard to fill for want of applicants' skills, qualifications or experience (skills-shortage vacancies), per 1,000 staff employed at establishments in the authority, Employer Skills Survey 2019.",
        unit: "rate_per_1000",
        direction: Direction::HigherIsWorse,
        src: ESS19,
        period: "2019",
    },
    Indicator {
        id: "ess_ssv_share_of_vacancies",
        title: "Skills-shortage vacancies as a share of all vacancies (employer survey)",
        definition: "Skills-shortage vacancies as a share of all vacancies at establishments in the authority, Employer Skills Survey 2019.",
        unit: "share",
        direction: Direction::HigherIsWorse,
        src: ESS19,
        period: "2019",
    },
    Indicator {
        id: "ess_skills_gap_share",
        title: "Staff not fully proficient (skills gaps, employer survey)",
        definition: "Staff whom their employers describe as not fully proficient in their job (skills gaps), as a share of all staff at establishments in the authority, Employer Skills Survey 2019.",
        unit: "share",
        direction: Direction::HigherIsWorse,
        src: ESS19,
        period: "2019",
    },
    Indicator {
        id: "ess_hard_to_fill_share",
        title: "Establishments with a hard-to-fill vacancy (employer survey)",
        definition: "Share of establishments in the authority with at least one vacancy they found hard to fill, for any reason, Employer Skills Survey 2019.",
        unit: "share",
        direction: Direction::HigherIsWorse,
        src: ESS19,
        period: "2019",
    },
    Indicator {
        id: "ess_ssv_middle_skill_share",
        title: "Middle-skill share of skills-shortage vacancies (employer survey, 2017)",
        definition: "Skills-shortage vacancies in associate professional and technical, skilled trades and machine-operative occupations as a share of all skills-shortage vacancies at establishments in the authority (occupations of up to six vacancies per establishment followed up), Employer Skills Survey 2017, table T63.",
        unit: "share",
        direction: Direction::Neutral,
        src: ESS17,
        period: "2017",
    },
];

/// The caveat of every ESS indicator, with the file's smallest base.
fn caveat(src: &str, smallest: Option<&(f64, String)>) -> String {
    let (year, base) = if src == ESS19 {
        ("2019", "establishments")
    } else {
        ("2017", "skills-shortage vacancies followed up")
    };
    let small = smallest.map_or(String::new(), |(v, name)| {
        format!(" The smallest published authority base is {v:.0} {base} ({name}), so authority figures carry wide, unpublished sampling error.")
    });
    format!(
        "A survey of establishments (employers' sites), weighted to all establishments: figures are by workplace, not where staff live, and no confidence intervals are published with these tables.{small} Published for the 152 local education authorities of {year} (upper-tier authorities) by name, matched to ONS's 2019 upper-tier lookup; Bournemouth and Poole are summed into Bournemouth, Christchurch and Poole, and the survey's Dorset includes Christchurch. Apportioned to seats: each authority's counts are split among its districts by population and then among seats by the share of each district's population living in the seat, so every seat of an authority carries the authority's figure (one observation per authority: the findings cluster by upper-tier authority) and a seat spanning authorities a blend. `**` (suppressed for a small unweighted base: under 25 establishments in 2019; in 2017's T63 every authority with fewer than 30 skills-shortage vacancies followed up) is missing, never zero; a seat gets a figure only where authorities with one hold at least 95% of its population. England only: the survey's devolved-nation tables are not in the sources."
    )
}

/// Defines and pushes the five ESS indicators on both sets.
pub(super) fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares); 2],
) -> Result<(), SourceError> {
    if !inputs.catalogued(ESS19) || !inputs.catalogued(ESS17) || !inputs.catalogued(UTLA) {
        tracing::warn!("the Employer Skills Survey or the upper-tier lookup is not in the catalogue: the skills-shortage indicators are not built");
        return Ok(());
    }
    let leas: BTreeMap<String, String> = reg
        .areas
        .iter()
        .filter(|a| a.kind == UPPER_TIER_KIND)
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    let districts = districts(reg);
    for (src, sheet) in [(ESS19, "ALL_LEAS"), (ESS17, "T63")] {
        let loaded = inputs.load(src)?;
        let location = loaded.location.clone();
        let mut book = Workbook::open(loaded.bytes, location)?;
        let g = book.sheet(sheet)?;
        let read = if src == ESS19 {
            read_2019(&g, &leas)?
        } else {
            read_2017(&g, &leas)?
        };
        let caveats = caveat(src, read.smallest_base.as_ref());
        let at = Location::file(inputs.path_of(src));
        let mut sources = with_share_sources(src).to_vec();
        sources.insert(1, UTLA);
        for ind in INDICATORS.iter().filter(|i| i.src == src) {
            out.define(
                Def {
                    id: ind.id,
                    title: ind.title,
                    definition: ind.definition,
                    unit: ind.unit,
                    direction: ind.direction,
                    sources: &sources,
                    period: ind.period,
                    nations: &[Nation::England],
                    method: Method::Apportioned,
                    caveats: &caveats,
                }
                .build(),
            );
            let ratios = read.ratios.get(ind.id).cloned().unwrap_or_default();
            for (set, set_shares) in shares {
                let cells = ratios_to_seats(&ratios, &districts, *set, set_shares, &at)?;
                for seat in reg
                    .seats(*set)
                    .iter()
                    .filter(|s| s.nation == Nation::England)
                {
                    let cell = cells.get(&seat.code).copied().ok_or_else(|| {
                        SourceError::new(
                            at.clone(),
                            Problem::Invalid(format!(
                                "seat {} gets no share of any upper-tier authority",
                                seat.code
                            )),
                        )
                    })?;
                    out.push(
                        *set,
                        seat.code,
                        ind.id,
                        ind.period,
                        cell,
                        Method::Apportioned,
                        src,
                        &at,
                    )?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> XCell {
        XCell::Text(s.into())
    }
    fn n(v: f64) -> XCell {
        XCell::Number(v)
    }

    /// Four upper-tier authorities (codes real, names as ONS spells them).
    fn leas() -> BTreeMap<String, String> {
        [
            ("E06000023", "Bristol, City of"),
            ("E06000053", "Isles of Scilly"),
            ("E06000058", "Bournemouth, Christchurch and Poole"),
            ("E09000007", "Camden"),
        ]
        .into_iter()
        .map(|(c, n)| (c.to_owned(), n.to_owned()))
        .collect()
    }

    /// An `ALL_LEAS` sheet of the 2019 layout with invented figures:
    /// England, Camden, Bristol, Bournemouth, Poole, Isles of Scilly.
    fn sheet_2019(names: &[&str], scilly: XCell) -> Grid {
        let mut header = vec![XCell::Empty, t("England Total")];
        header.extend(names.iter().map(|s| t(s)));
        let row = |label: &str, values: [f64; 5]| -> Vec<XCell> {
            let mut r = vec![t(label), n(9999.0)];
            r.extend(values[..4].iter().map(|v| n(*v)));
            r.push(if values[4] < 0.0 {
                scilly.clone()
            } else {
                n(values[4])
            });
            r
        };
        let rows = vec![
            vec![t("30-September-2020")],
            vec![t("Employer Skills Survey (ESS) 2019")],
            vec![XCell::Empty, XCell::Empty, t("LEA")],
            header,
            row("Unweighted row", [300.0, 120.0, 40.0, 30.0, 9.0]),
            row(
                "Total (establishments)",
                [1000.0, 800.0, 200.0, 100.0, 50.0],
            ),
            row(
                "Total number of staff",
                [20000.0, 10000.0, 4000.0, 1000.0, -1.0],
            ),
            vec![t("Vacancies")],
            row(
                "Have at least one vacancy that is hard to fill",
                [0.1, 0.05, 0.2, 0.1, -1.0],
            ),
            row("Number of vacancies", [400.0, 100.0, 50.0, 30.0, -1.0]),
            row(
                "Number of skill-shortage vacancies",
                [100.0, 20.0, 10.0, 5.0, -1.0],
            ),
            vec![t("Skills gaps")],
            row("Number of skills gaps ", [1000.0, 300.0, 100.0, 60.0, -1.0]),
        ];
        Grid::from_rows(Location::file("ess.xlsx").in_sheet("ALL_LEAS"), rows)
    }

    const NAMES: [&str; 5] = [
        "Camden",
        "Bristol",
        "Bournemouth",
        "Poole",
        "Isles of Scilly",
    ];

    #[test]
    fn names_match_through_aliases_and_merged_authorities_are_summed() {
        let r = read_2019(&sheet_2019(&NAMES, t("**")), &leas()).unwrap();
        let ssv = &r.ratios["ess_ssv_per_1000_staff"];
        assert_eq!(ssv["E09000007"], Ok((100_000.0, 20000.0)));
        assert_eq!(ssv["E06000023"], Ok((20_000.0, 10000.0)));
        // Bournemouth and Poole summed into Bournemouth, Christchurch and Poole.
        assert_eq!(ssv["E06000058"], Ok((15_000.0, 5000.0)));
        assert_eq!(
            r.ratios["ess_ssv_share_of_vacancies"]["E06000058"],
            Ok((15.0, 80.0))
        );
        assert_eq!(
            r.ratios["ess_skills_gap_share"]["E09000007"],
            Ok((1000.0, 20000.0))
        );
        // Establishments with a hard-to-fill vacancy: share × establishments.
        let htf = r.ratios["ess_hard_to_fill_share"]["E06000058"].unwrap();
        assert!((htf.0 - 50.0).abs() < 1e-9 && htf.1 == 300.0, "{htf:?}");
        // `**` is missing with the survey's marker, never zero.
        for id in ["ess_ssv_per_1000_staff", "ess_hard_to_fill_share"] {
            assert_eq!(r.ratios[id]["E06000053"], Err(Marker::Star));
        }
        // The smallest base among published authorities (Scilly's 9 is not).
        assert_eq!(r.smallest_base, Some((30.0, "Poole".to_owned())));
    }

    /// The hand-made workbooks (`dev/fixtures/make_xlsx.py`, invented
    /// figures in the published layouts).
    fn fixture(name: &str, bytes: &[u8], sheet: &str) -> Grid {
        let mut book = Workbook::open(bytes.to_vec(), Location::file(name)).unwrap();
        book.sheet(sheet).unwrap()
    }

    #[test]
    fn the_xlsx_fixtures_read_like_the_published_tables() {
        let g = fixture(
            "ess_2019.xlsx",
            include_bytes!("../../tests/data/ess/ess_2019.xlsx"),
            "ALL_LEAS",
        );
        let r = read_2019(&g, &leas()).unwrap();
        let ssv = &r.ratios["ess_ssv_per_1000_staff"];
        assert_eq!(ssv["E09000007"], Ok((100_000.0, 20000.0)));
        assert_eq!(ssv["E06000058"], Ok((15_000.0, 5000.0)));
        assert_eq!(ssv["E06000053"], Err(Marker::Star));
        assert_eq!(r.smallest_base, Some((30.0, "Poole".to_owned())));
        let g = fixture(
            "ess_2017.xlsx",
            include_bytes!("../../tests/data/ess/ess_2017.xlsx"),
            "T63",
        );
        let m = &read_2017(&g, &leas()).unwrap().ratios["ess_ssv_middle_skill_share"];
        assert_eq!(m["E09000007"], Ok((70.0, 200.0)));
        assert_eq!(m["E06000058"], Err(Marker::Star));
        // A name matching nothing: the error names the file, sheet and cell.
        let g = fixture(
            "ess_2019_unmatched.xlsx",
            include_bytes!("../../tests/data/ess/ess_2019_unmatched.xlsx"),
            "ALL_LEAS",
        );
        let msg = read_2019(&g, &leas()).unwrap_err().to_string();
        assert!(
            msg.starts_with("ess_2019_unmatched.xlsx, sheet \"ALL_LEAS\", row 4, column \"C\": unknown code \"Camdem\": matches no 2019 upper-tier authority"),
            "{msg}"
        );
    }

    #[test]
    fn a_suppressed_half_of_a_merged_authority_makes_it_missing() {
        let mut ratios = BTreeMap::new();
        add(&mut ratios, "E06000058", Ok((1.0, 2.0)));
        add(&mut ratios, "E06000058", Err(Marker::Star));
        assert_eq!(ratios["E06000058"], Err(Marker::Star));
    }

    #[test]
    fn an_unmatched_name_is_an_error_naming_its_cell() {
        let names = [
            "Camdem",
            "Bristol",
            "Bournemouth",
            "Poole",
            "Isles of Scilly",
        ];
        let e = read_2019(&sheet_2019(&names, t("**")), &leas()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("\"Camdem\": matches no 2019 upper-tier authority"),
            "{msg}"
        );
        assert!(msg.contains("sheet \"ALL_LEAS\", row 4"), "{msg}");
    }

    #[test]
    fn an_authority_without_a_column_is_an_error_listing_it() {
        let names = ["Camden", "Bristol", "Bournemouth", "Poole"];
        let mut g = sheet_2019(&names, t("**"));
        // Drop the Scilly column's header: its figures are then unread.
        g = Grid::from_rows(
            Location::file("ess.xlsx").in_sheet("ALL_LEAS"),
            (0..g.height())
                .map(|r| g.row(r).iter().take(6).cloned().collect())
                .collect(),
        );
        let msg = read_2019(&g, &leas()).unwrap_err().to_string();
        assert!(
            msg.contains("no column for the upper-tier authority Isles of Scilly (E06000053)"),
            "{msg}"
        );
    }

    #[test]
    fn a_name_given_twice_and_stray_text_are_errors() {
        let names = [
            "Camden",
            "Camden",
            "Bournemouth",
            "Poole",
            "Isles of Scilly",
        ];
        let msg = read_2019(&sheet_2019(&names, t("**")), &leas())
            .unwrap_err()
            .to_string();
        assert!(msg.contains("duplicate row for Camden"), "{msg}");
        let msg = read_2019(&sheet_2019(&NAMES, t("n/a")), &leas())
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("expected a non-negative number or `**`, found n/a"),
            "{msg}"
        );
    }

    #[test]
    fn t63_gives_the_middle_skill_share_of_ssvs() {
        let mut header = vec![XCell::Empty, t("Total")];
        header.extend(
            [
                "Camden",
                "Bristol",
                "Bournemouth",
                "Poole",
                "Isles of Scilly",
                "Not in England",
            ]
            .map(t),
        );
        let row = |label: Option<&str>, v: [XCell; 6]| -> Vec<XCell> {
            let mut r = vec![label.map_or(XCell::Empty, t), n(0.0)];
            r.extend(v);
            r
        };
        let s = || t("**");
        let rows = vec![
            vec![t("Table T63/ 1")],
            header,
            row(
                Some("Unweighted row"),
                [n(40.0), n(30.0), n(26.0), n(12.0), n(3.0), n(0.0)],
            ),
            row(
                Some("Total"),
                [n(200.0), n(100.0), n(50.0), n(20.0), s(), s()],
            ),
            row(
                Some("Managers"),
                [n(10.0), n(5.0), n(5.0), n(1.0), s(), s()],
            ),
            row(None, [n(0.05), n(0.05), n(0.1), n(0.05), s(), s()]),
            row(
                Some("Associate professionals"),
                [n(40.0), n(10.0), n(5.0), n(2.0), s(), s()],
            ),
            row(
                Some("Skilled trades occupations"),
                [n(20.0), n(30.0), n(5.0), n(2.0), s(), s()],
            ),
            row(
                Some("Machine operatives"),
                [n(10.0), n(0.0), n(0.0), s(), s(), s()],
            ),
        ];
        let g = Grid::from_rows(Location::file("ess17.xlsx").in_sheet("T63"), rows);
        let r = read_2017(&g, &leas()).unwrap();
        let m = &r.ratios["ess_ssv_middle_skill_share"];
        assert_eq!(m["E09000007"], Ok((70.0, 200.0)));
        assert_eq!(m["E06000023"], Ok((40.0, 100.0)));
        // Poole's machine operatives are suppressed: so is the merged authority.
        assert_eq!(m["E06000058"], Err(Marker::Star));
        assert_eq!(m["E06000053"], Err(Marker::Star));
        assert!(!m.contains_key("Not in England"));
        assert_eq!(r.smallest_base, Some((26.0, "Bournemouth".to_owned())));
    }

    #[test]
    fn ratios_reach_seats_by_district_population_with_the_coverage_rule() {
        let code = |s: &str| GssCode::parse(s).unwrap();
        // Upper tier E10000001 = districts E07000001 (300) and E07000002 (100);
        // unitary E06000053 (suppressed) = E06000053 (10).
        let districts: BTreeMap<String, Vec<(String, f64)>> = [
            (
                "E10000001",
                vec![("E07000001", 300.0), ("E07000002", 100.0)],
            ),
            ("E06000053", vec![("E06000053", 10.0)]),
        ]
        .into_iter()
        .map(|(u, v)| {
            (
                u.to_owned(),
                v.into_iter().map(|(d, p)| (d.to_owned(), p)).collect(),
            )
        })
        .collect();
        // Seat 1: all of E07000001; seat 2: all of E07000002 and all of the
        // suppressed authority (10 of its 110 people: under 95% covered);
        // seat 3: nothing but... (none).
        let shares: Shares = [
            ("E07000001", vec![(code("E14001001"), 1.0)]),
            ("E07000002", vec![(code("E14001002"), 1.0)]),
            ("E06000053", vec![(code("E14001002"), 1.0)]),
        ]
        .into_iter()
        .map(|(d, v)| (d.to_owned(), v))
        .collect();
        let ratios: BTreeMap<String, Ratio> = [
            ("E10000001".to_owned(), Ok((80.0, 400.0))),
            ("E06000053".to_owned(), Err(Marker::Star)),
        ]
        .into_iter()
        .collect();
        let at = Location::file("ess.xlsx");
        let cells =
            ratios_to_seats(&ratios, &districts, BoundarySet::Pcon2024, &shares, &at).unwrap();
        // The authority's ratio, not a share of it.
        let Cell::Value(v) = cells[&code("E14001001")] else {
            panic!("{cells:?}")
        };
        assert!((v - 0.2).abs() < 1e-12, "{v}");
        assert_eq!(cells[&code("E14001002")], Cell::Missing(Marker::Star));
        // With the suppressed part at 1 in 101 (99% covered) the seat keeps
        // its authority's figure.
        let mut small = districts.clone();
        small.insert("E06000053".into(), vec![("E06000053".into(), 1.0)]);
        let cells = ratios_to_seats(&ratios, &small, BoundarySet::Pcon2024, &shares, &at).unwrap();
        let Cell::Value(v) = cells[&code("E14001002")] else {
            panic!("{cells:?}")
        };
        assert!((v - 0.2).abs() < 1e-12, "{v}");
        // An authority the districts do not know is an error.
        let mut unknown = ratios.clone();
        unknown.insert("E10000099".into(), Ok((1.0, 1.0)));
        let msg = ratios_to_seats(&unknown, &districts, BoundarySet::Pcon2024, &shares, &at)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("E10000099: an upper-tier authority with no districts"),
            "{msg}"
        );
    }
}
