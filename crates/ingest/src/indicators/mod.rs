//! Indicators measured at constituency level, one module per source family.
//!
//! Each module defines its indicators (id, definition, unit, direction,
//! sources, period, nations, method, caveats) and pushes one observation per
//! seat and period. A withheld value is stored as missing with its marker;
//! nothing is ever filled with zero.

mod apportion;
mod aps;
pub(crate) use aps::ALIASES as NOMIS_ALIASES;
pub use aps::{authority_figures as aps_authority_figures, Lad as ApsAuthority};
mod convert;
mod deprivation;
pub(crate) mod ess;
mod fe_et;
mod industry;
pub mod msoa;
mod starts;

pub(crate) use apportion::denominators;
/// The one apportioner (the geography crate's), shared with declared
/// sources ([`crate::recipe`]).
pub(crate) use stemgap_geography::apportion::{
    shares, successor, to_seats, with_share_sources, Bounds, Shares,
};

use crate::build::Inputs;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use stemgap_core::{
    BoundarySet, Cell, Direction, GssCode, IndicatorDef, Marker, Method, Nation, Observation,
    Symbol,
};
use stemgap_geography::Registry;
use stemgap_sources::{Location, Problem, SourceError};

/// The Census 2021 tables for England and Wales (declared sources,
/// `catalogue/recipes/census21_pcon2024_*.toml`), in catalogue order.
const CENSUS21: [&str; 7] = [
    "census21_pcon2024_quals",
    "census21_pcon2024_industry",
    "census21_pcon2024_nssec",
    "census21_pcon2024_econact",
    "census21_pcon2024_age",
    "census21_pcon2024_sex",
    "census21_pcon2024_ethnicity5",
];

/// Scotland's Census 2022 tables by 2024 seat (declared sources,
/// `catalogue/recipes/sc_census22_pcon2024_*.toml`): the same share ids as
/// the England and Wales census, extended to Scotland.
const SCOTLAND22: [&str; 2] = [
    "sc_census22_pcon2024_agebysex",
    "sc_census22_pcon2024_ethnicity",
];

/// The MSOA 2021 placement the built-in BRES and TS063 sources use, with
/// the lookups it reads (the small-area population read as the deprivation
/// reads it): what declared sources of `geography = "msoa21"` are placed
/// with (`recipe::engine::Given::msoa`).
pub fn msoa_placer(inputs: &Inputs<'_>, reg: &Registry) -> Result<msoa::MsoaPlacer, SourceError> {
    let population = deprivation::read_population(inputs, reg)?;
    msoa::MsoaPlacer::read(inputs, reg, &population)
}

/// Runs every indicator module, on two threads: the modules that share
/// local-authority counts out by population (they need the population
/// figures first) on one, the rest on the other. Each module's definitions
/// keep their place in the catalogue (its section number), whichever thread
/// made them, so the catalogue order does not depend on the threads.
pub fn collect_all(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    // Each thread reports the section it failed in: when both fail (two
    // modules reading the same broken file), the error is the one the
    // modules run in catalogue order would have met first.
    type Outcome = Result<Collector, (u16, SourceError)>;
    fn run(f: impl FnOnce(&mut Collector) -> Result<(), SourceError>) -> Outcome {
        let mut c = Collector::default();
        match f(&mut c) {
            Ok(()) => Ok(c),
            Err(e) => Err((c.section, e)),
        }
    }
    let (local, rest) = std::thread::scope(|scope| {
        let rest = scope.spawn(|| {
            run(|c| {
                c.section(1);
                for src in CENSUS21 {
                    crate::recipe::collect_builtin(inputs, reg, src, c)?;
                }
                for src in SCOTLAND22 {
                    crate::recipe::collect_builtin(inputs, reg, src, c)?;
                }
                crate::recipe::collect_builtin(
                    inputs,
                    reg,
                    "ucas_entry_rates_18yo_pcon2024_2006_2024",
                    c,
                )?;
                crate::recipe::collect_builtin(
                    inputs,
                    reg,
                    "ks4_attainment_pcon2010_2011_2022",
                    c,
                )?;
                crate::recipe::collect_builtin(
                    inputs,
                    reg,
                    "ofsted_inspection_outcomes_pcon2024",
                    c,
                )?;
                for src in [
                    "mysociety_composite_uk_imd_pcon2010",
                    "mysociety_composite_uk_imd_pcon2024",
                ] {
                    crate::recipe::collect_builtin(inputs, reg, src, c)?;
                }
                // Read once, for the deprivation and the MSOA weights.
                let population = deprivation::read_population(inputs, reg)?;
                deprivation::collect(inputs, reg, &population, c)?;
                c.section(4);
                msoa::collect(inputs, reg, &population, c)
            })
        });
        let local = run(|c| {
            c.section(0);
            crate::recipe::collect_builtin(
                inputs,
                reg,
                "mid2022_population_single_year_age_pcon2024",
                c,
            )?;
            c.section(2);
            // Includes apprenticeship starts, which share its population shares.
            apportion::collect(inputs, reg, c)
        });
        (
            local,
            rest.join().expect("an indicator thread does not panic"),
        )
    });
    match (local, rest) {
        (Ok(a), Ok(b)) => {
            out.merge(a)?;
            out.merge(b)?;
        }
        (Err((_, e)), Ok(_)) | (Ok(_), Err((_, e))) => return Err(e),
        (Err((sa, ea)), Err((sb, eb))) => return Err(if sa <= sb { ea } else { eb }),
    }
    // Contributions (`build --contrib`), after every catalogued source.
    out.section(6);
    crate::recipe::collect_contributions(inputs, reg, out)?;
    // Last: converts what exists in one boundary set only.
    out.section(5);
    convert::collect(reg, out)?;
    out.sort_definitions();
    Ok(())
}

/// `f` of every item, computed on as many threads as the machine has (items
/// taken in turn), in the items' order.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let done: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                *done[i].lock().expect("no item panics holding it") = Some(r);
            });
        }
    });
    done.into_iter()
        .map(|d| {
            d.into_inner()
                .expect("no item panics holding it")
                .expect("every item mapped")
        })
        .collect()
}

/// A source's indicators made into a collector of its own (see [`run_jobs`]).
pub(crate) type Job<'a> = Box<dyn FnOnce(&mut Collector) -> Result<(), SourceError> + Send + 'a>;

/// Runs independent jobs on as many threads as the machine has, taking them
/// in the order `start` gives (costliest first), and returns their
/// collectors (their definitions in catalogue `section`) in the jobs' own
/// order, so that merging them gives what running them one after another
/// would. If jobs fail, the error is the first failure in the jobs' order
/// (the one a serial run would have met).
pub(crate) fn run_jobs<const N: usize>(
    jobs: [Job<'_>; N],
    start: &[usize; N],
    section: u16,
) -> Result<Vec<Collector>, SourceError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let jobs: Vec<Mutex<Option<Job<'_>>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let done: Vec<Mutex<Option<Result<Collector, SourceError>>>> =
        (0..N).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, N.max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(&i) = start.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let job = jobs[i].lock().expect("no job panics holding it").take();
                    let Some(job) = job else { continue };
                    let mut c = Collector::default();
                    c.section(section);
                    let r = job(&mut c).map(|()| c);
                    *done[i].lock().expect("no job panics holding it") = Some(r);
                }
            });
        }
    });
    done.into_iter()
        .map(|d| {
            d.into_inner()
                .expect("no job panics holding it")
                .expect("every job ran")
        })
        .collect()
}

/// Indicator definitions and observations, with duplicates refused.
#[derive(Debug, Default)]
pub struct Collector {
    defs: Vec<IndicatorDef>,
    /// The catalogue section of each definition (see [`collect_all`]).
    sections: Vec<u16>,
    section: u16,
    obs: Vec<Observation>,
    /// Seat, indicator and period of every observation, to refuse a second;
    /// indicator ids and periods by their number in `names` (a few hundred
    /// strings for ~200,000 keys).
    keys: HashSet<(Option<BoundarySet>, u32, GssCode, u32)>,
    /// Indicator ids, periods and sources, each stored once and shared by
    /// the observations (`symbols[n]` is the string numbered `n`).
    names: HashMap<Symbol, u32>,
    symbols: Vec<Symbol>,
    /// Set by [`Collector::finish`]: the keys are gone, so a push could not
    /// be checked.
    finished: bool,
}

impl Collector {
    /// Definitions made from now on belong to catalogue section `n`.
    pub fn section(&mut self, n: u16) {
        self.section = n;
    }

    /// Takes in another collector's definitions and observations; an
    /// observation both hold is a duplicate.
    pub fn merge(&mut self, other: Collector) -> Result<(), SourceError> {
        for (def, section) in other.defs.into_iter().zip(other.sections) {
            let before = self.section;
            self.section = section;
            self.define(def);
            self.section = before;
        }
        if self.obs.is_empty() {
            // Nothing to clash with: the other's observations and keys as
            // they are.
            self.obs = other.obs;
            self.keys = other.keys;
            self.names = other.names;
            self.symbols = other.symbols;
            return Ok(());
        }
        self.obs.reserve(other.obs.len());
        self.keys.reserve(other.obs.len());
        for o in other.obs {
            let key = self.key(o.boundary, &o.indicator, o.code, &o.period);
            if !self.keys.insert(key) {
                return Err(SourceError::new(
                    Location::file(o.source.to_string()),
                    Problem::Duplicate(format!("{}, {}, {}", o.code, o.indicator, o.period)),
                ));
            }
            self.obs.push(o);
        }
        Ok(())
    }

    /// Room for `additional` more observations, exactly: a build's largest
    /// vector of figures would otherwise double past its final size when a
    /// last source (the conversions, the institutions) adds its rows.
    pub fn reserve(&mut self, additional: usize) {
        self.obs.reserve_exact(additional);
        self.keys.reserve(additional);
    }

    /// Ends the collection: the duplicate check's keys (a set as large as
    /// the observations) are freed and the observations take only the
    /// memory they need, before the findings are computed beside them.
    /// Nothing may be pushed afterwards.
    pub fn finish(&mut self) {
        self.finished = true;
        self.keys = HashSet::default();
        self.obs.shrink_to_fit();
    }

    fn name(&mut self, s: &str) -> u32 {
        if let Some(&n) = self.names.get(s) {
            return n;
        }
        let n = self.symbols.len() as u32;
        let symbol = Symbol::from(s);
        self.names.insert(symbol.clone(), n);
        self.symbols.push(symbol);
        n
    }

    /// The shared string numbered `n` by [`Collector::name`].
    fn symbol(&self, n: u32) -> Symbol {
        self.symbols[n as usize].clone()
    }

    fn key(
        &mut self,
        set: Option<BoundarySet>,
        indicator: &str,
        code: GssCode,
        period: &str,
    ) -> (Option<BoundarySet>, u32, GssCode, u32) {
        assert!(
            !self.finished,
            "an observation added to a finished collector"
        );
        (set, self.name(indicator), code, self.name(period))
    }

    /// Puts the definitions in catalogue order: by section, then in the
    /// order each section made them.
    pub fn sort_definitions(&mut self) {
        let mut order: Vec<usize> = (0..self.defs.len()).collect();
        order.sort_by_key(|&i| (self.sections[i], i));
        let defs = std::mem::take(&mut self.defs);
        let mut slots: Vec<Option<IndicatorDef>> = defs.into_iter().map(Some).collect();
        self.defs = order
            .iter()
            .map(|&i| slots[i].take().expect("each once"))
            .collect();
        self.sections = order.iter().map(|&i| self.sections[i]).collect();
    }

    pub fn definitions(&self) -> &[IndicatorDef] {
        &self.defs
    }

    pub fn observations(&self) -> &[Observation] {
        &self.obs
    }

    /// Adds a definition, or extends one defined by an earlier source (the
    /// same indicator measured in another nation).
    pub fn define(&mut self, def: IndicatorDef) {
        if let Some(d) = self.defs.iter_mut().find(|d| d.id == def.id) {
            for s in def.sources {
                if !d.sources.contains(&s) {
                    d.sources.push(s);
                }
            }
            for n in def.nations {
                if !d.nations.contains(&n) {
                    d.nations.push(n);
                }
            }
            d.nations.sort();
            if !d.period.split(", ").any(|p| p == def.period) {
                d.period = format!("{}, {}", d.period, def.period);
            }
            if !def.caveats.is_empty() && !d.caveats.contains(&def.caveats) {
                d.caveats = format!("{} {}", d.caveats, def.caveats).trim().to_owned();
            }
        } else {
            self.defs.push(def);
            self.sections.push(self.section);
        }
    }

    /// Appends a caveat to an indicator's definition.
    pub fn add_caveat(&mut self, id: &str, caveat: &str) {
        if let Some(d) = self.defs.iter_mut().find(|d| d.id == id) {
            if !d.caveats.contains(caveat) {
                d.caveats = format!("{} {caveat}", d.caveats).trim().to_owned();
            }
        }
    }

    /// Adds an observation; a second one for the same seat, indicator and
    /// period is a duplicate row in the source.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        set: BoundarySet,
        code: GssCode,
        indicator: &str,
        period: &str,
        cell: Cell,
        method: Method,
        source: &str,
        at: &Location,
    ) -> Result<(), SourceError> {
        debug_assert!(
            self.defs.iter().any(|d| d.id == indicator),
            "undefined indicator {indicator}"
        );
        let key = self.key(Some(set), indicator, code, period);
        let source = self.name(source);
        if !self.keys.insert(key) {
            return Err(SourceError::new(
                at.clone(),
                Problem::Duplicate(format!("{code}, {indicator}, {period}")),
            ));
        }
        let (value, flag) = match cell {
            Cell::Value(v) => (Some(v), None),
            Cell::Missing(m) => (None, Some(m)),
        };
        self.obs.push(Observation {
            code,
            boundary: Some(set),
            indicator: self.symbol(key.1),
            period: self.symbol(key.3),
            value,
            lower: None,
            upper: None,
            flag,
            method,
            source: self.symbol(source),
        });
        Ok(())
    }
}

impl Collector {
    /// Like [`Collector::push`], with an interval around the value.
    #[allow(clippy::too_many_arguments)]
    pub fn push_bounded(
        &mut self,
        set: BoundarySet,
        code: GssCode,
        indicator: &str,
        period: &str,
        (value, lower, upper): (f64, f64, f64),
        method: Method,
        source: &str,
        at: &Location,
    ) -> Result<(), SourceError> {
        self.push(
            set,
            code,
            indicator,
            period,
            Cell::Value(value),
            method,
            source,
            at,
        )?;
        let o = self.obs.last_mut().expect("just pushed");
        o.lower = Some(lower);
        o.upper = Some(upper);
        Ok(())
    }

    /// Values of one indicator for one set and period, by seat.
    pub fn values(&self, set: BoundarySet, indicator: &str, period: &str) -> HashMap<GssCode, f64> {
        self.obs
            .iter()
            .filter(|o| o.boundary == Some(set) && o.indicator == indicator && o.period == period)
            .filter_map(|o| Some((o.code, o.value?)))
            .collect()
    }
}

/// A share `num / den`; missing ("not applicable") when the denominator is zero.
pub fn share(num: f64, den: f64) -> Cell {
    if den > 0.0 {
        Cell::Value(num / den)
    } else {
        Cell::Missing(Marker::NotAvailable)
    }
}

/// A compact constructor for definitions.
pub struct Def<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub definition: &'a str,
    pub unit: &'a str,
    pub direction: Direction,
    pub sources: &'a [&'a str],
    pub period: &'a str,
    pub nations: &'a [Nation],
    pub method: Method,
    pub caveats: &'a str,
}

impl Def<'_> {
    pub fn build(&self) -> IndicatorDef {
        IndicatorDef {
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            definition: self.definition.to_owned(),
            unit: self.unit.to_owned(),
            direction: self.direction,
            sources: self.sources.iter().map(|s| s.to_string()).collect(),
            period: self.period.to_owned(),
            nations: self.nations.to_vec(),
            method: self.method,
            caveats: self.caveats.to_owned(),
        }
    }
}
