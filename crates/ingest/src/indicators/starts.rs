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
//! from small areas ([`population_shares`]; the Open Innovations authority
//! lookups that [`super::apportion`] reads hold *area* shares, not population
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

use super::apportion::successor;
use super::{Collector, Def};
use crate::build::Inputs;
use crate::registry::name_key;
use crate::Registry;
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Method, Nation};
use stemgap_sources::{
    CsvOptions, CsvTable, IntColumn, Location, ParquetTable, Problem, SourceError, StrColumn,
};
use stemgap_store::Link;

const MAP: &str = "dfe_apps_lad_map_data_0";
const SUBJECTS: &str = "dfe_apps_subjects_and_standards_0";
const LSOA_LAD: &str = "ons_imd2019_lsoa11_rank_england";
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
                .filter(|a| a.kind == "lad23" && a.nation == Some(Nation::England))
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

/// Each 2023 authority's seats, with the share of its population living
/// in each: [`Shares`].
use super::apportion::Shares;

/// Population shares of each English 2023 authority among the seats of both
/// sets, built from small areas: each LSOA 2011 lies in one 2019 district
/// (`ons_imd2019_lsoa11_rank_england`), carried forward to its 2023
/// authority; its mid-2019 population is in 2024 seats by mySociety's
/// overlap and in one 2010-2024 seat by the postcode best fit (the
/// registry's small-area links). Only English seats count: an English small
/// area's sliver in a Welsh seat (a boundary artefact) is left out, so an
/// authority's count stays in England.
pub(super) fn population_shares(
    inputs: &Inputs<'_>,
    reg: &Registry,
) -> Result<[(BoundarySet, Shares); 2], SourceError> {
    let loaded = inputs.load(LSOA_LAD)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let (lsoa_col, lad_col) = (t.column("LSOA11CD")?, t.column("LAD19CD")?);
    // Small area → index of its 2023 authority in `lads` (successors are
    // looked up once per 2019 district).
    let mut lads: Vec<String> = Vec::new();
    let mut index: HashMap<GssCode, usize> = HashMap::default();
    let mut lad_of: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(t.len(), Default::default());
    for row in t.rows() {
        let lsoa = row.str(lsoa_col).trim();
        let lad = row.code(lad_col)?;
        if lad.nation() != Some(Nation::England) {
            return Err(row.error(
                lad_col,
                Problem::UnknownCode(format!("{lad}: not an English local authority")),
            ));
        }
        let i = *index.entry(lad).or_insert_with(|| {
            let lad23 = successor(lad.as_str(), BoundarySet::Pcon2024);
            match lads.iter().position(|l| l == lad23) {
                Some(i) => i,
                None => {
                    lads.push(lad23.to_owned());
                    lads.len() - 1
                }
            }
        });
        if lad_of.insert(lsoa, i).is_some() {
            return Err(row.error(lsoa_col, Problem::Duplicate(lsoa.to_owned())));
        }
    }
    // Every English small area has an authority, and nothing else does
    // (counted first; the slow search only finds the culprit).
    let english = reg
        .small_areas
        .iter()
        .filter(|(_, n)| **n == Nation::England);
    if let Some((code, _)) = english
        .clone()
        .find(|(c, _)| !lad_of.contains_key(c.as_str()))
    {
        return Err(SourceError::new(
            loaded.location.clone(),
            Problem::Invalid(format!(
                "no local authority for small area {code} (truncated file?)"
            )),
        ));
    }
    if english.count() != lad_of.len() {
        let row = t
            .rows()
            .find(|r| reg.small_areas.get(r.str(lsoa_col).trim()) != Some(&Nation::England))
            .expect("a row names a small area that is not English");
        return Err(row.error(
            lsoa_col,
            Problem::UnknownCode(format!(
                "{:?}: not an English small area",
                row.str(lsoa_col).trim()
            )),
        ));
    }
    Ok(small_area_shares(&lad_of, &lads, &reg.links))
}

/// Population shares from small areas: `lad_of` gives each English small
/// area's 2023 authority (an index into `lads`); `links` the registry's
/// small-area links (to 2024 seats with the overlap population, to 2010-2024
/// seats by best fit).
fn small_area_shares(
    lad_of: &HashMap<&str, usize>,
    lads: &[String],
    links: &[Link],
) -> [(BoundarySet, Shares); 2] {
    let english = |seat: &str| {
        GssCode::parse(seat)
            .ok()
            .filter(|c| c.nation() == Some(Nation::England))
    };
    // Small area → (authority, population), filled from the 2024 links.
    let mut areas: HashMap<&str, (usize, f64)> =
        lad_of.iter().map(|(a, &i)| (*a, (i, 0.0))).collect();
    let mut acc: [HashMap<(usize, GssCode), f64>; 2] = Default::default();
    for l in links
        .iter()
        .filter(|l| l.relation == "small_area->pcon2024")
    {
        let (Some((lad, pop)), Some(p)) = (areas.get_mut(l.from.as_str()), l.population) else {
            continue;
        };
        *pop += p;
        if let Some(seat) = english(&l.to) {
            *acc[1].entry((*lad, seat)).or_default() += p;
        }
    }
    for l in links
        .iter()
        .filter(|l| l.relation == "small_area->pcon2010")
    {
        let (Some(&(lad, p)), Some(seat)) = (areas.get(l.from.as_str()), english(&l.to)) else {
            continue;
        };
        *acc[0].entry((lad, seat)).or_default() += p;
    }
    let shares = |acc: &HashMap<(usize, GssCode), f64>| {
        // Summed in key order, so the floating-point totals do not depend
        // on the hash map's iteration order.
        let sorted: BTreeMap<_, _> = acc.iter().collect();
        let mut totals = vec![0.0; lads.len()];
        for ((lad, _), p) in &sorted {
            totals[*lad] += *p;
        }
        let mut out: Shares = Shares::new();
        for ((lad, seat), p) in sorted {
            if totals[*lad] > 0.0 && *p > 0.0 {
                out.entry(lads[*lad].clone())
                    .or_default()
                    .push((*seat, p / totals[*lad]));
            }
        }
        out
    };
    [
        (BoundarySet::Pcon2010, shares(&acc[0])),
        (BoundarySet::Pcon2024, shares(&acc[1])),
    ]
}

/// Shares authority counts among seats; `Err` names an authority without
/// shares.
fn spread<'a>(
    lads: impl IntoIterator<Item = (&'a String, Est)>,
    mut shares_of: impl FnMut(&str) -> Option<&'a [(GssCode, f64)]>,
) -> Result<BTreeMap<GssCode, Est>, String> {
    let mut seats: BTreeMap<GssCode, Est> = BTreeMap::new();
    for (lad, v) in lads {
        let targets = shares_of(lad)
            .filter(|t| !t.is_empty())
            .ok_or(lad.clone())?;
        for (seat, f) in targets {
            let e = seats.entry(*seat).or_default();
            *e = e.add(v.scale(*f));
        }
    }
    Ok(seats)
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
            for (id, values) in [
                (
                    STARTS,
                    y.all
                        .iter()
                        .map(|(l, v)| (l, Est::exact(*v)))
                        .collect::<Vec<_>>(),
                ),
                (STEM, y.stem.iter().map(|(l, v)| (l, *v)).collect()),
            ] {
                let seats =
                    spread(values, |lad| shares.get(lad).map(Vec::as_slice)).map_err(|lad| {
                        SourceError::new(
                            map_at.clone(),
                            Problem::UnknownCode(format!(
                                "{lad:?}: a local authority with no seat shares for the {} set",
                                set.id()
                            )),
                        )
                    })?;
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
    use proptest::prelude::*;

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
    fn counts_are_shared_by_population_share() {
        // Northam: 85 starts, 37.2% / 62.8% in two seats; Somerset: 110, all
        // in one.
        let shares: HashMap<&str, Vec<(GssCode, f64)>> = [
            (
                "E06000091",
                vec![(code("E14001401"), 0.372), (code("E14001402"), 0.628)],
            ),
            ("E06000066", vec![(code("E14001403"), 1.0)]),
        ]
        .into_iter()
        .collect();
        let lads = [
            ("E06000091".to_owned(), Est::exact(85.0)),
            ("E06000066".to_owned(), Est::exact(110.0)),
        ];
        let seats = spread(lads.iter().map(|(l, v)| (l, *v)), |l| {
            shares.get(l).map(Vec::as_slice)
        })
        .unwrap();
        assert!((seats[&code("E14001401")].mid - 31.62).abs() < 1e-9);
        assert!((seats[&code("E14001402")].mid - 53.38).abs() < 1e-9);
        assert_eq!(seats[&code("E14001403")].mid, 110.0);
        let missing = [("E06000099".to_owned(), Est::exact(1.0))];
        let e = spread(missing.iter().map(|(l, v)| (l, *v)), |l| {
            shares.get(l).map(Vec::as_slice)
        });
        assert_eq!(e, Err("E06000099".to_owned()));
    }

    #[test]
    fn population_shares_come_from_small_areas_in_english_seats() {
        let link = |rel: &str, from: &str, to: &str, pop: Option<f64>| Link {
            relation: rel.into(),
            from: from.into(),
            to: to.into(),
            weight: 1.0,
            population: pop,
        };
        // Northam: A (1,500, all in seat 1401), B (1,400: 840 in 1401, 560 in
        // 1402), C (1,700 in 1402); best fit A, B → 801 and C → 802.
        // Somerset: D (1,710 in 1403 and a sliver of 90 in a Welsh seat,
        // left out), E (unpopulated). W is Welsh, not in `lad_of`.
        let links = [
            link("small_area->pcon2024", "A", "E14001401", Some(1500.0)),
            link("small_area->pcon2024", "B", "E14001401", Some(840.0)),
            link("small_area->pcon2024", "B", "E14001402", Some(560.0)),
            link("small_area->pcon2024", "C", "E14001402", Some(1700.0)),
            link("small_area->pcon2024", "D", "E14001403", Some(1710.0)),
            link("small_area->pcon2024", "D", "W07000101", Some(90.0)),
            link("small_area->pcon2024", "E", "E14001403", Some(0.0)),
            link("small_area->pcon2010", "A", "E14000801", None),
            link("small_area->pcon2010", "B", "E14000801", None),
            link("small_area->pcon2010", "C", "E14000802", None),
            link("small_area->pcon2010", "D", "E14000803", None),
            link("small_area->pcon2010", "E", "E14000803", None),
            link("small_area->pcon2010", "W", "W07000061", None),
        ];
        let lads = ["E06000091".to_owned(), "E06000066".to_owned()];
        let lad_of = [("A", 0), ("B", 0), ("C", 0), ("D", 1), ("E", 1)]
            .into_iter()
            .collect();
        let [(_, s10), (_, s24)] = small_area_shares(&lad_of, &lads, &links);
        assert_eq!(
            s24["E06000091"],
            [
                (code("E14001401"), 2340.0 / 4600.0),
                (code("E14001402"), 2260.0 / 4600.0)
            ]
        );
        assert_eq!(s24["E06000066"], [(code("E14001403"), 1.0)]);
        // 2010-2024 seats: whole small areas; D's 1,800 all in 803.
        assert_eq!(
            s10["E06000091"],
            [
                (code("E14000801"), 2900.0 / 4600.0),
                (code("E14000802"), 1700.0 / 4600.0)
            ]
        );
        assert_eq!(s10["E06000066"], [(code("E14000803"), 1.0)]);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(3805.0), "3,805");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.0), "1,234,567");
    }

    proptest! {
        #[test]
        fn apportioned_starts_sum_back_to_the_authority_totals(
            lads in prop::collection::vec(
                (0u32..5000, prop::collection::vec(0.001f64..1.0, 1..6)),
                1..8,
            )
        ) {
            let mut shares: Shares = Shares::new();
            let mut counts = Vec::new();
            let mut seat = 1063;
            for (i, (starts, weights)) in lads.iter().enumerate() {
                let total: f64 = weights.iter().sum();
                let lad = format!("E0600{i:04}");
                let v = weights.iter().map(|w| {
                    seat += 1;
                    (code(&format!("E1400{seat:04}")), w / total)
                }).collect();
                shares.insert(lad.clone(), v);
                counts.push((lad, Est::exact(f64::from(*starts))));
            }
            let seats = spread(counts.iter().map(|(l, v)| (l, *v)), |l| {
                shares.get(l).map(Vec::as_slice)
            }).unwrap();
            let want: f64 = counts.iter().map(|(_, v)| v.mid).sum();
            let got: f64 = seats.values().map(|v| v.mid).sum();
            prop_assert!((got - want).abs() <= 1e-9 * want.max(1.0));
            // And each authority's seats sum back to its own count.
            for (lad, v) in &counts {
                let own: f64 = shares[lad].iter().map(|(s, _)| seats[s].mid).sum();
                prop_assert!((own - v.mid).abs() <= 1e-9 * v.mid.max(1.0));
            }
        }
    }
}
