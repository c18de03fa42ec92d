//! Apprenticeship starts by where learners live (DfE apprenticeships provider
//! dashboard, ILR), apportioned from local authorities to seats.
//!
//! `dfe_apps_lad_map_data_0` gives starts by academic year, provider, learner
//! home authority and delivery authority, with authorities as 2023 **names**.
//! Starts are summed over providers and delivery areas by home authority and
//! year; the names are matched to 2023 authority codes through the registry
//! ([`name_key`]); every name that matches no English authority is an error,
//! except DfE's "Outside of England and unknown", which cannot be placed: its
//! starts are counted and reported in the caveat. Counts are shared among seats
//! by the share of each authority's population living in each seat, built
//! from small areas ([`stemgap_geography::apportion::population_shares`]; the
//! Open Innovations authority lookups hold *area* shares, not population
//! shares), and divided by residents aged 16 and over (mid-2022):
//! apprenticeships start from 16 with no upper age limit.
//!
//! The STEM version is an **estimate**: DfE publishes starts by provider and
//! sector subject area only nationally (`dfe_apps_subjects_and_standards_0`),
//! so each provider's starts in an authority are split by that provider's
//! national STEM share of starts in the same year (providers matched by
//! UKPRN). It assumes each provider's national subject mix holds in every area
//! it recruits from. Starts of a provider with no subject mix would count as 0
//! to all of them STEM (the stored interval), at the national STEM share.
//!
//! The file has no suppressed cells: a missing (null) count is an error, never
//! a zero. The latest year (2025/26, August to April, provisional) is a part
//! year and is left out, so the latest period is the latest full year.

use super::{Collector, Def};
use crate::build::Inputs;
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{AreaKind, BoundarySet, Cell, Direction, GssCode, Method, Nation};
use stemgap_geography::apportion::{to_seats, Amount, Shares, LSOA_LAD};
use stemgap_geography::registry::name_key;
use stemgap_geography::Registry;
use stemgap_sources::{IntColumn, Location, ParquetTable, Problem, SourceError, StrColumn};

const MAP: &str = "dfe_apps_lad_map_data_0";
const SUBJECTS: &str = "dfe_apps_subjects_and_standards_0";
const OVERLAP_2024: &str = "small_area11_to_pcon2024_overlap_mysociety";
const BESTFIT_2010: &str = "small_area11_to_pcon2010_bestfit_postcodes";
pub(super) const POP: &str = "population_16_plus";
const POP_SOURCE: &str = "mid2022_population_single_year_age_pcon2024";
const POP_CONVERSION: &str = "pcon2024_to_pcon2010_overlap_mysociety";
const STARTS: &str = "apprenticeship_starts_per_1000";
const STEM: &str = "apprenticeship_stem_starts_per_1000";

/// DfE's home area for learners it cannot place.
const OUTSIDE: &str = "Outside of England and unknown";
/// A provider row that is a total (SOURCES.md mentions them; left out so
/// nothing is counted twice).
const ALL_PROVIDERS: &str = "Total (All providers)";

/// Sector subject areas (tier 1) counted as STEM in apprenticeship starts:
/// science, technology, engineering, construction, digital and maths, as DfE
/// describes its STEM apprenticeships. "Digital Technology" is the current
/// name of "Information and Communication Technology". Health, Public
/// Services and Care is left out: its starts are mostly care, nursing
/// support and public-service standards, not STEM, and would make up more
/// than half of the total. Each must occur in the subjects file (a renamed
/// area is an error, not a silent gap).
pub const STEM_SSA_T1: [&str; 4] = [
    "Science and Mathematics",
    "Engineering and Manufacturing Technologies",
    "Digital Technology",
    "Construction, Planning and the Built Environment",
];

/// A count, or an estimate known to lie in `lo..=hi`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Est {
    lo: f64,
    mid: f64,
    hi: f64,
}

impl Est {
    fn exact(v: f64) -> Est {
        Est {
            lo: v,
            mid: v,
            hi: v,
        }
    }
}

impl Amount for Est {
    fn add(self, o: Est) -> Est {
        Est {
            lo: self.lo + o.lo,
            mid: self.mid + o.mid,
            hi: self.hi + o.hi,
        }
    }
    fn scale(self, f: f64) -> Est {
        Est {
            lo: self.lo * f,
            mid: self.mid * f,
            hi: self.hi * f,
        }
    }
}

/// An academic year as the dashboard writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Year {
    /// `2024/25`.
    Full(String),
    /// `2025/26 (Aug to Apr)`: a part year.
    Part,
}

fn academic_year(s: &str) -> Option<Year> {
    let (year, rest) = s.split_at_checked(7)?;
    let b = year.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'/' && digits(5..7)) {
        return None;
    }
    let first: u32 = year[..4].parse().ok()?;
    let second: u32 = year[5..].parse().ok()?;
    if (first + 1) % 100 != second {
        return None;
    }
    match rest {
        "" => Some(Year::Full(year.to_owned())),
        r if r.starts_with(" (") && r.ends_with(')') && r.len() > 3 => Some(Year::Part),
        _ => None,
    }
}

/// The UKPRN in a provider name written `NAME (UKPRN)`.
fn ukprn(provider: &str) -> Option<u32> {
    let inner = provider.strip_suffix(')')?;
    let open = inner.rfind(" (")?;
    let digits = &inner[open + 2..];
    (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// A learner's home as the dashboard names it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Home {
    Lad(String),
    Outside,
}

/// England's 2023 authorities by loosely compared name.
#[derive(Debug, Default)]
struct LadNames {
    /// `None` where two authorities share a key.
    by_key: HashMap<String, Option<String>>,
}

impl LadNames {
    fn new<'a>(lads: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut by_key: HashMap<String, Option<String>> = HashMap::default();
        for (code, name) in lads {
            by_key
                .entry(name_key(name))
                .and_modify(|c| {
                    if c.as_deref() != Some(code) {
                        *c = None;
                    }
                })
                .or_insert_with(|| Some(code.to_owned()));
        }
        LadNames { by_key }
    }

    fn from_registry(reg: &Registry) -> Self {
        Self::new(
            reg.areas
                .iter()
                .filter(|a| a.kind == AreaKind::Lad23 && a.nation == Some(Nation::England))
                .map(|a| (a.code.as_str(), a.name.as_str())),
        )
    }

    /// The authorities' codes, in order.
    fn codes(&self) -> impl Iterator<Item = &str> {
        let set: BTreeSet<&str> = self.by_key.values().flatten().map(String::as_str).collect();
        set.into_iter()
    }

    fn resolve(&self, name: &str) -> Result<Home, String> {
        if name.trim() == OUTSIDE {
            return Ok(Home::Outside);
        }
        match self.by_key.get(&name_key(name)) {
            Some(Some(code)) => Ok(Home::Lad(code.clone())),
            Some(None) => Err(format!(
                "{name:?} matches more than one English local authority (2023)"
            )),
            None => Err(format!(
                "{name:?} is not the name of an English local authority (2023)"
            )),
        }
    }
}

/// The columns of the local-authority file this module needs.
struct MapColumns {
    year: StrColumn,
    provider: StrColumn,
    home: StrColumn,
    starts: IntColumn,
}

impl MapColumns {
    fn read(t: &ParquetTable) -> Result<Self, SourceError> {
        Ok(MapColumns {
            year: t.strings("year")?,
            provider: t.strings("provider_name")?,
            home: t.strings("learner_home_lad")?,
            starts: t.integers("starts")?,
        })
    }
}

/// The columns of the subjects file this module needs.
struct SubjectColumns {
    year: StrColumn,
    ssa: StrColumn,
    provider: StrColumn,
    measure: StrColumn,
    values: IntColumn,
}

impl SubjectColumns {
    fn read(t: &ParquetTable) -> Result<Self, SourceError> {
        Ok(SubjectColumns {
            year: t.strings("year")?,
            ssa: t.strings("ssa_t1_desc")?,
            provider: t.strings("provider_name")?,
            measure: t.strings("measure")?,
            values: t.integers("values")?,
        })
    }
}

/// Resolves each distinct value of a column once, at the first row that has
/// it (so an error names that row).
struct Resolver<T> {
    done: Vec<Option<T>>,
}

impl<T: Clone> Resolver<T> {
    fn new(col: &StrColumn) -> Self {
        Resolver {
            done: vec![None; col.values().len()],
        }
    }

    /// The value resolved for a dictionary code, if it was.
    fn resolved(&self, code: u32) -> Option<&T> {
        self.done[code as usize].as_ref()
    }

    /// The row's value, resolved by `f` the first time it is seen; and its
    /// dictionary code.
    fn get(
        &mut self,
        col: &StrColumn,
        row: usize,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<(&T, usize), SourceError> {
        let code = col
            .code(row)
            .ok_or_else(|| col.error(row, Problem::Invalid("empty (null) cell".into())))?
            as usize;
        let slot = &mut self.done[code];
        if slot.is_none() {
            let v =
                f(col.values()[code].as_ref()).map_err(|m| col.error(row, Problem::Invalid(m)))?;
            *slot = Some(v);
        }
        Ok((slot.as_ref().expect("just set"), code))
    }
}

fn year_of(s: &str) -> Result<Year, String> {
    academic_year(s).ok_or_else(|| {
        format!("expected an academic year like 2024/25 or 2025/26 (Aug to Apr), found {s:?}")
    })
}

/// A provider's UKPRN; `None` for a row of totals.
fn provider_of(s: &str) -> Result<Option<u32>, String> {
    if s.trim() == ALL_PROVIDERS {
        return Ok(None);
    }
    ukprn(s)
        .map(Some)
        .ok_or_else(|| format!("expected a provider written \"NAME (UKPRN)\", found {s:?}"))
}

/// Each provider's starts in a full year, in all subjects and in STEM ones.
#[derive(Debug, Default)]
struct ProviderMix {
    by_provider: HashMap<(String, u32), (u64, u64)>,
    /// National starts by year: (all, STEM).
    national: BTreeMap<String, (u64, u64)>,
}

impl ProviderMix {
    fn read(c: &SubjectColumns) -> Result<Self, SourceError> {
        let (mut years, mut providers) = (Resolver::new(&c.year), Resolver::new(&c.provider));
        let mut measures = Resolver::new(&c.measure);
        let mut ssas: Resolver<Option<usize>> = Resolver::new(&c.ssa);
        let mut seen = [false; STEM_SSA_T1.len()];
        // (year, provider) as dictionary codes → (all, STEM) starts.
        let mut sums: HashMap<(usize, usize), (u64, u64)> = HashMap::default();
        for row in 0..c.year.len() {
            let (&starts, _) = measures.get(&c.measure, row, |m| match m {
                "Starts" => Ok(true),
                "Enrolments" | "Achievements" => Ok(false),
                _ => Err(format!(
                    "expected Starts, Enrolments or Achievements, found {m:?}"
                )),
            })?;
            let (year, y) = years.get(&c.year, row, year_of)?;
            let full = matches!(year, Year::Full(_));
            let (&area, _) = ssas.get(&c.ssa, row, |s| {
                Ok(STEM_SSA_T1.iter().position(|a| *a == s.trim()))
            })?;
            let (provider, p) = providers.get(&c.provider, row, provider_of)?;
            let v = c.values.count(row)?;
            if !full || provider.is_none() {
                continue;
            }
            if let Some(i) = area {
                seen[i] = true;
            }
            if starts {
                let e = sums.entry((y, p)).or_default();
                *e = (e.0 + v, e.1 + if area.is_some() { v } else { 0 });
            }
        }
        if let Some((missing, _)) = STEM_SSA_T1.iter().zip(seen).find(|(_, seen)| !seen) {
            return Err(SourceError::new(
                c.ssa.location().clone(),
                Problem::Invalid(format!(
                    "no rows for the STEM sector subject area {missing:?} in any full year (renamed?)"
                )),
            ));
        }
        let mut mix = ProviderMix::default();
        for ((y, p), (all, stem)) in sums {
            let (Some(Year::Full(year)), Some(Some(ukprn))) =
                (years.resolved(y as u32), providers.resolved(p as u32))
            else {
                unreachable!("only full years and providers are summed");
            };
            let e = mix.by_provider.entry((year.clone(), *ukprn)).or_default();
            *e = (e.0 + all, e.1 + stem);
            let n = mix.national.entry(year.clone()).or_default();
            *n = (n.0 + all, n.1 + stem);
        }
        Ok(mix)
    }

    /// The STEM estimate for `starts` by a provider in a year: exact when
    /// the provider's mix is known, else 0 to all at the national share.
    fn stem(&self, year: &str, ukprn: u32, starts: f64) -> (Est, bool) {
        match self.by_provider.get(&(year.to_owned(), ukprn)) {
            Some(&(all, stem)) if all > 0 => (Est::exact(starts * stem as f64 / all as f64), true),
            _ => {
                let share = self
                    .national
                    .get(year)
                    .filter(|n| n.0 > 0)
                    .map_or(0.0, |&(all, stem)| stem as f64 / all as f64);
                (
                    Est {
                        lo: 0.0,
                        mid: starts * share,
                        hi: starts,
                    },
                    false,
                )
            }
        }
    }
}

/// Starts of one full year by home authority (2023 code).
#[derive(Debug, Default)]
struct YearStarts {
    all: BTreeMap<String, f64>,
    stem: BTreeMap<String, Est>,
    /// "Outside of England and unknown".
    outside: f64,
    outside_stem: Est,
    /// Starts whose provider has a subject mix, of all starts.
    matched: f64,
    total: f64,
}

/// Sums the local-authority file by full year and home authority. Every
/// row is checked (part years included); sums are kept in arrays indexed by
/// the columns' dictionary codes, so a row costs no hashing.
fn aggregate(
    c: &MapColumns,
    names: &LadNames,
    mix: &ProviderMix,
) -> Result<BTreeMap<String, YearStarts>, SourceError> {
    let mut years = Resolver::new(&c.year);
    let mut providers = Resolver::new(&c.provider);
    let mut homes = Resolver::new(&c.home);
    let (ny, np, nh) = (
        c.year.values().len(),
        c.provider.values().len(),
        c.home.values().len(),
    );
    let mut seen = vec![false; ny * nh];
    let mut all = vec![0u64; ny * nh];
    let mut stem = vec![Est::default(); ny * nh];
    let mut matched = vec![0u64; ny];
    // A provider's STEM estimate per start in a year, and whether its mix
    // is known: looked up once per pair.
    let mut share: Vec<Option<(Est, bool)>> = vec![None; ny * np];
    for row in 0..c.year.len() {
        let (year, y) = years.get(&c.year, row, year_of)?;
        let (&provider, p) = providers.get(&c.provider, row, provider_of)?;
        let (_, h) = homes.get(&c.home, row, |n| names.resolve(n))?;
        let starts = c.starts.count(row)?;
        let (Year::Full(year), Some(ukprn)) = (year, provider) else {
            continue;
        };
        seen[y * nh + h] = true;
        if starts == 0 {
            continue;
        }
        all[y * nh + h] += starts;
        let (per_start, known) =
            *share[y * np + p].get_or_insert_with(|| mix.stem(year, ukprn, 1.0));
        stem[y * nh + h] = stem[y * nh + h].add(per_start.scale(starts as f64));
        if known {
            matched[y] += starts;
        }
    }
    let mut out: BTreeMap<String, YearStarts> = BTreeMap::new();
    for y in 0..ny {
        let Some(Year::Full(year)) = years.resolved(y as u32) else {
            continue;
        };
        let e = out.entry(year.clone()).or_default();
        e.matched += matched[y] as f64;
        for h in (0..nh).filter(|h| seen[y * nh + h]) {
            let (n, s) = (all[y * nh + h] as f64, stem[y * nh + h]);
            e.total += n;
            match homes.resolved(h as u32).expect("seen, so resolved") {
                Home::Outside => {
                    e.outside += n;
                    e.outside_stem = e.outside_stem.add(s);
                }
                Home::Lad(lad) => {
                    *e.all.entry(lad.clone()).or_default() += n;
                    let t = e.stem.entry(lad.clone()).or_default();
                    *t = t.add(s);
                }
            }
        }
    }
    Ok(out)
}

/// Every English authority must have rows in every year (a missing one
/// would silently count as none).
fn check_complete(
    years: &BTreeMap<String, YearStarts>,
    names: &LadNames,
    at: &Location,
) -> Result<(), SourceError> {
    for (year, y) in years {
        if let Some(lad) = names.codes().find(|c| !y.all.contains_key(*c)) {
            return Err(SourceError::new(
                at.clone(),
                Problem::Invalid(format!(
                    "no rows in {year} for learners living in local authority {lad} (truncated file?)"
                )),
            ));
        }
    }
    Ok(())
}

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v);
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Starts by home authority, shared among seats by `shares` (the population
/// shares [`super::apportion::collect`] built once for every apportioned
/// source), per 1,000 of `pops` (residents aged 16 and over by seat,
/// [`denominators`] of [`POP`], made before the sources run in parallel).
pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares)],
    pops: &HashMap<BoundarySet, HashMap<GssCode, f64>>,
) -> Result<(), SourceError> {
    let names = LadNames::from_registry(reg);
    let map_at = Location::file(inputs.path_of(MAP));
    let mix = {
        let loaded = inputs.load(SUBJECTS)?;
        let t = ParquetTable::parse(&loaded)?;
        ProviderMix::read(&SubjectColumns::read(&t)?)?
    };
    let years = {
        let loaded = inputs.load(MAP)?;
        let t = ParquetTable::parse(&loaded)?;
        let c = MapColumns::read(&t)?;
        aggregate(&c, &names, &mix)?
    };
    check_complete(&years, &names, &map_at)?;
    let (Some(first), Some(last)) = (years.keys().next(), years.keys().next_back()) else {
        return Err(SourceError::new(
            map_at,
            Problem::Invalid("no starts in any full academic year".into()),
        ));
    };
    let period = if first == last {
        first.clone()
    } else {
        format!("{first}-{last}")
    };
    for (year, y) in &years {
        let (national, national_stem) = mix.national.get(year).copied().unwrap_or_default();
        let estimate: f64 = y.stem.values().map(|e| e.mid).sum::<f64>() + y.outside_stem.mid;
        tracing::info!(
            year,
            starts = y.total,
            outside = y.outside,
            matched = y.matched / y.total,
            national,
            national_stem,
            stem_estimate = estimate,
            "apprenticeship starts by home authority"
        );
    }

    let list = |f: &dyn Fn(&YearStarts) -> String| {
        years
            .iter()
            .map(|(year, y)| format!("{} in {year}", f(y)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let outside = list(&|y| {
        format!(
            "{} ({:.1}%)",
            thousands(y.outside),
            100.0 * y.outside / y.total
        )
    });
    let matched = list(&|y| format!("{:.1}%", 100.0 * y.matched / y.total));
    let base = format!(
        "DfE counts each start once, by the learner's home local authority (2023 authorities, matched by name), summed over providers and delivery areas. Apportioned from local authorities to seats by the share of each authority's population living in the seat, which assumes the same rate across the authority: the shares are built from mid-2019 small-area populations (each LSOA 2011 lies in one 2019 district, carried forward to its 2023 authority; it is placed in 2024 seats by mySociety's population overlap and in 2010-2024 seats by the postcode best fit), not from the area-weighted authority lookups. Denominator: residents aged 16 and over at mid-2022, the same for every year (converted to 2010-2024 seats through the population overlap of the two sets). England only. Learners DfE records as \"{OUTSIDE}\" cannot be placed and are left out: {outside} of the file's starts. 2025/26 (August to April, provisional) is a part year and is left out. The file has no suppressed cells."
    );
    let stem_list = STEM_SSA_T1.join("; ");
    let stem_definition = format!(
        "Estimated apprenticeship starts in STEM sector subject areas (tier 1: {stem_list}) in the academic year by learners living in the seat, per 1,000 residents aged 16 and over. An estimate, not a count: DfE publishes starts by provider and home area, and by provider and subject only nationally, so each provider's starts in an area are split by that provider's national share of STEM starts in the same year (providers matched by UKPRN)."
    );
    let stem_caveats = format!(
        "An estimate that assumes each provider's national subject mix holds in every area it recruits from; providers whose mix differs between areas make it wrong in both directions. {matched} of starts were matched to their provider's subject mix; starts of a provider without one would count at the national STEM share, with an interval of none to all of them STEM (the stored interval covers only that). Health, Public Services and Care is not counted as STEM. {base}"
    );
    let defs = [
        (
            STARTS,
            "Apprenticeship starts per 1,000 residents aged 16+",
            "Apprenticeship starts (all ages and levels) in the academic year by learners living in the seat, per 1,000 residents aged 16 and over (apprenticeships start from 16, with no upper age limit).".to_owned(),
            base.clone(),
        ),
        (
            STEM,
            "Apprenticeship starts in STEM subjects per 1,000 residents aged 16+ (estimate)",
            stem_definition,
            stem_caveats,
        ),
    ];
    for (id, title, definition, caveats) in &defs {
        let sources = [
            MAP,
            SUBJECTS,
            LSOA_LAD,
            OVERLAP_2024,
            BESTFIT_2010,
            POP_SOURCE,
            POP_CONVERSION,
        ];
        // The subjects file is a source of the STEM estimate only.
        let sources: Vec<&str> = sources
            .into_iter()
            .filter(|s| *id == STEM || *s != SUBJECTS)
            .collect();
        out.define(
            Def {
                id,
                title,
                definition,
                unit: "rate_per_1000",
                direction: Direction::HigherIsBetter,
                sources: &sources,
                period: &period,
                nations: &[Nation::England],
                method: Method::Apportioned,
                caveats,
            }
            .build(),
        );
    }

    for (set, shares) in shares {
        let pop = &pops[set];
        for (year, y) in &years {
            for id in [STARTS, STEM] {
                // Starts are exact counts; the STEM estimate carries bounds.
                let seats: BTreeMap<GssCode, Est> = if id == STEM {
                    to_seats(y.stem.iter(), *set, shares, &map_at)?
                } else {
                    to_seats(y.all.iter(), *set, shares, &map_at)?
                        .into_iter()
                        .map(|(seat, v)| (seat, Est::exact(v)))
                        .collect()
                };
                for (seat, v) in seats
                    .into_iter()
                    .filter(|(s, _)| s.nation() == Some(Nation::England))
                {
                    let p = pop.get(&seat).copied().ok_or_else(|| {
                        SourceError::new(
                            map_at.clone(),
                            Problem::Invalid(format!("seat {seat} has no population aged 16+")),
                        )
                    })?;
                    let rate = |x: f64| x / p * 1000.0;
                    if id == STARTS {
                        let v = Cell::Value(rate(v.mid));
                        out.push(*set, seat, id, year, v, Method::Apportioned, MAP, &map_at)?;
                    } else {
                        let v = (rate(v.mid), rate(v.lo), rate(v.hi));
                        out.push_bounded(
                            *set,
                            seat,
                            id,
                            year,
                            v,
                            Method::Apportioned,
                            MAP,
                            &map_at,
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(col: &str) -> Location {
        Location::file("skills/apps.parquet").at_column(col)
    }

    fn strs(col: &str, v: &[&str]) -> StrColumn {
        let v: Vec<Option<&str>> = v.iter().map(|s| Some(*s)).collect();
        StrColumn::from_values(at(col), &v)
    }

    fn code(s: &str) -> GssCode {
        GssCode::parse(s).unwrap()
    }

    fn names() -> LadNames {
        LadNames::new([
            ("E06000091", "Northam"),
            ("E06000066", "Somerset"),
            ("E08000013", "St. Helens"),
            ("E06000023", "Bristol, City of"),
        ])
    }

    #[test]
    fn academic_years_full_and_part() {
        assert_eq!(academic_year("2024/25"), Some(Year::Full("2024/25".into())));
        assert_eq!(academic_year("1999/00"), Some(Year::Full("1999/00".into())));
        assert_eq!(academic_year("2025/26 (Aug to Apr)"), Some(Year::Part));
        for bad in [
            "2024/26",
            "24/25",
            "2024-25",
            "2024/25x",
            "2024/25 ()",
            "",
            "2024/2",
        ] {
            assert_eq!(academic_year(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ukprns_come_from_the_last_brackets() {
        assert_eq!(ukprn("ACME (NORTH) LTD (10012345)"), Some(10012345));
        assert_eq!(ukprn("ACME LTD (1001234)"), None);
        assert_eq!(ukprn("ACME LTD 10012345"), None);
        assert_eq!(provider_of(ALL_PROVIDERS), Ok(None));
        assert!(provider_of("ACME").is_err());
    }

    #[test]
    fn authority_names_match_loosely_and_outside_is_kept_apart() {
        let n = names();
        assert_eq!(n.resolve("St Helens"), Ok(Home::Lad("E08000013".into())));
        assert_eq!(
            n.resolve("bristol,  City of"),
            Ok(Home::Lad("E06000023".into()))
        );
        assert_eq!(n.resolve(OUTSIDE), Ok(Home::Outside));
        assert!(n.resolve("Westham").is_err());
        let twice = LadNames::new([("E06000001", "Avon"), ("E06000002", "AVON")]);
        assert!(twice.resolve("Avon").unwrap_err().contains("more than one"));
    }

    /// A map file: (year, provider, home, starts) rows.
    fn map(rows: &[(&str, &str, &str, i64)]) -> MapColumns {
        MapColumns {
            year: strs("year", &rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            provider: strs(
                "provider_name",
                &rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            ),
            home: strs(
                "learner_home_lad",
                &rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            ),
            starts: IntColumn::from_values(at("starts"), rows.iter().map(|r| Some(r.3)).collect()),
        }
    }

    /// A subjects file: (year, provider, tier 1 area, measure, value) rows.
    type SubjectRow = (&'static str, &'static str, &'static str, &'static str, i64);

    fn subjects(rows: &[SubjectRow]) -> SubjectColumns {
        let col = |name, f: fn(&SubjectRow) -> &'static str| {
            strs(name, &rows.iter().map(f).collect::<Vec<_>>())
        };
        SubjectColumns {
            year: col("year", |r| r.0),
            provider: col("provider_name", |r| r.1),
            ssa: col("ssa_t1_desc", |r| r.2),
            measure: col("measure", |r| r.3),
            values: IntColumn::from_values(at("values"), rows.iter().map(|r| Some(r.4)).collect()),
        }
    }

    const A: &str = "Alpha College (10000001)";
    const B: &str = "Beta Care Ltd (10000002)";
    const C: &str = "Gamma Academy (10000003)";
    const ENG: &str = "Engineering and Manufacturing Technologies";
    const CARE: &str = "Health, Public Services and Care";

    /// A: 70% STEM (56 of 80); B: 10% (10 of 100); C: 25% (5 of 20); plus
    /// every other STEM area once in another year, so none looks renamed.
    fn mix() -> ProviderMix {
        let mut rows = vec![
            ("2024/25", A, ENG, "Starts", 56),
            (
                "2024/25",
                A,
                "Business, Administration and Law",
                "Starts",
                24,
            ),
            ("2024/25", A, ENG, "Enrolments", 500),
            ("2024/25", B, CARE, "Starts", 90),
            ("2024/25", B, "Digital Technology", "Starts", 10),
            (
                "2024/25",
                C,
                "Construction, Planning and the Built Environment",
                "Starts",
                5,
            ),
            (
                "2024/25",
                C,
                "Retail and Commercial Enterprise",
                "Starts",
                15,
            ),
            ("2025/26 (Aug to Apr)", A, ENG, "Starts", 1000),
        ];
        rows.push(("2023/24", C, "Science and Mathematics", "Starts", 3));
        ProviderMix::read(&subjects(&rows)).unwrap()
    }

    #[test]
    fn provider_mix_is_national_starts_by_subject() {
        let m = mix();
        assert_eq!(m.by_provider[&("2024/25".to_owned(), 10000001)], (80, 56));
        assert_eq!(m.national["2024/25"], (200, 71));
        assert!(!m.national.contains_key("2025/26 (Aug to Apr)"));
        // An unknown provider: 0 to all STEM, at the national share 71/200.
        let (e, matched) = m.stem("2024/25", 10009999, 10.0);
        assert!(!matched);
        assert_eq!(
            e,
            Est {
                lo: 0.0,
                mid: 3.55,
                hi: 10.0
            }
        );
    }

    #[test]
    fn a_renamed_stem_area_is_an_error() {
        let e = ProviderMix::read(&subjects(&[("2024/25", A, ENG, "Starts", 5)])).unwrap_err();
        assert!(e.to_string().contains("Science and Mathematics"), "{e}");
        let e = ProviderMix::read(&subjects(&[("2024/25", A, ENG, "Begins", 5)])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "skills/apps.parquet, row 1, column \"measure\": expected Starts, Enrolments or Achievements, found \"Begins\""
        );
    }

    #[test]
    fn starts_are_summed_by_home_and_split_by_provider_mix() {
        let rows = [
            ("2024/25", A, "Northam", 60),
            ("2024/25", A, "Northam", 0),
            ("2024/25", A, "Somerset", 20),
            ("2024/25", B, "Northam", 10),
            ("2024/25", B, "Somerset", 90),
            ("2024/25", C, "Northam", 15),
            ("2024/25", C, OUTSIDE, 5),
            ("2025/26 (Aug to Apr)", A, "Northam", 40),
        ];
        let years = aggregate(&map(&rows), &names(), &mix()).unwrap();
        assert_eq!(years.keys().collect::<Vec<_>>(), ["2024/25"]);
        let y = &years["2024/25"];
        assert_eq!(y.all["E06000091"], 85.0);
        assert_eq!(y.all["E06000066"], 110.0);
        assert_eq!((y.outside, y.total, y.matched), (5.0, 200.0, 200.0));
        // Northam: 60 × 0.7 + 10 × 0.1 + 15 × 0.25; Somerset: 20 × 0.7 + 90 × 0.1.
        assert!((y.stem["E06000091"].mid - 46.75).abs() < 1e-12);
        assert!((y.stem["E06000066"].mid - 23.0).abs() < 1e-12);
        assert!((y.outside_stem.mid - 1.25).abs() < 1e-12);
        // The estimate adds up to the subjects file's national STEM starts.
        let total: f64 = y.stem.values().map(|e| e.mid).sum::<f64>() + y.outside_stem.mid;
        assert!((total - 71.0).abs() < 1e-12);
    }

    #[test]
    fn every_authority_needs_rows_in_every_year() {
        let rows = [
            ("2024/25", A, "Northam", 0),
            ("2024/25", A, "Somerset", 3),
            ("2023/24", A, "Northam", 1),
        ];
        let names = LadNames::new([("E06000091", "Northam"), ("E06000066", "Somerset")]);
        let years = aggregate(&map(&rows), &names, &mix()).unwrap();
        // A row with no starts still shows the authority is there: a true zero.
        assert_eq!(years["2024/25"].all["E06000091"], 0.0);
        let e = check_complete(&years, &names, &Location::file("apps.parquet")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "apps.parquet: no rows in 2023/24 for learners living in local authority E06000066 (truncated file?)"
        );
    }

    #[test]
    fn unknown_names_and_null_counts_are_errors_at_their_row() {
        let e = aggregate(
            &map(&[("2024/25", A, "Northam", 1), ("2024/25", A, "Westham", 2)]),
            &names(),
            &mix(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "skills/apps.parquet, row 2, column \"learner_home_lad\": \"Westham\" is not the name of an English local authority (2023)"
        );
        let mut m = map(&[("2024/25", A, "Northam", 1), ("2024/25", A, "Northam", 2)]);
        m.starts = IntColumn::from_values(at("starts"), vec![Some(1), None]);
        let e = aggregate(&m, &names(), &mix()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "skills/apps.parquet, row 2, column \"starts\": empty (null) cell"
        );
        let e = aggregate(
            &map(&[("2024/25", "Alpha", "Northam", 1)]),
            &names(),
            &mix(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("row 1, column \"provider_name\""),
            "{e}"
        );
    }

    #[test]
    fn counts_and_estimates_are_shared_by_population_share() {
        // Northam: 85 starts, 37.2% / 62.8% in two seats; Somerset: 110, all
        // in one; the estimate's bounds are shared like its middle.
        let shares: Shares = [
            (
                "E06000091".to_owned(),
                vec![(code("E14001401"), 0.372), (code("E14001402"), 0.628)],
            ),
            ("E06000066".to_owned(), vec![(code("E14001403"), 1.0)]),
        ]
        .into_iter()
        .collect();
        let lads: BTreeMap<String, Est> = [
            (
                "E06000091".to_owned(),
                Est {
                    lo: 80.0,
                    mid: 85.0,
                    hi: 90.0,
                },
            ),
            ("E06000066".to_owned(), Est::exact(110.0)),
        ]
        .into_iter()
        .collect();
        let at = Location::file("skills/apps.parquet");
        let seats = to_seats(&lads, BoundarySet::Pcon2024, &shares, &at).unwrap();
        let s1 = seats[&code("E14001401")];
        assert!((s1.mid - 31.62).abs() < 1e-9);
        assert!((s1.lo - 29.76).abs() < 1e-9 && (s1.hi - 33.48).abs() < 1e-9);
        assert!((seats[&code("E14001402")].mid - 53.38).abs() < 1e-9);
        assert_eq!(seats[&code("E14001403")], Est::exact(110.0));
        let missing: BTreeMap<String, Est> = [("E06000099".to_owned(), Est::exact(1.0))].into();
        let e = to_seats(&missing, BoundarySet::Pcon2024, &shares, &at).unwrap_err();
        assert_eq!(
            e.to_string(),
            "skills/apps.parquet: unknown code \"E06000099\": a local authority with no seat shares for the 2024 set"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(3805.0), "3,805");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.0), "1,234,567");
    }
}
