//! Two MSOA 2021 tables (England and Wales) carried down to the seats of
//! both boundary sets:
//!
//! * BRES 2024 **employees by workplace** in 18 broad industry groups
//!   (Nomis layout: metadata lines, a header, the counts block, then a
//!   percentages block and footnotes, which are not read). Indicators:
//!   `employees_total`, `stem_jobs_share` (the groups in [`STEM_GROUPS`])
//!   and one `jobs_share_<group>` for each of the 18 groups.
//! * Census 2021 TS063, **residents** aged 16 and over in employment by
//!   SOC 2020 major group: `employed_residents_16plus`,
//!   `professional_occupations_share` (major group 2) and
//!   `technical_occupations_share` (major group 3).
//!
//! # From MSOA 2021 to seats
//!
//! No source gives an MSOA → constituency lookup, and none gives MSOA 2011
//! codes (so there is no matching by code). What the sources do give is
//! every 2011 LSOA's population in each seat (mid-2019; the best-fit seat
//! for the 2010-2024 set, the population overlap for the 2024 set: the
//! weights of [`super::deprivation`]) and, for England, the ONS LSOA 2011
//! name, which is its MSOA 2011 name plus a letter ("Hartlepool 001A" lies
//! in "Hartlepool 001"). An MSOA's counts are shared among seats in
//! proportion to the population of the 2011 LSOAs it stands for
//! (`apportioned`: assumes jobs and workers are spread like residents
//! within the MSOA). Each MSOA 2021 is placed by the first route that
//! applies:
//!
//! 1. `name`: its name equals a 2011 MSOA name (compared as
//!    [`name_key`]s, with ", City of" / ", County of" dropped from authority
//!    names). MSOAs changed in 2021 got new codes and new numbers, so a
//!    namesake is the same area.
//! 2. `alias`: the same after an authority was only renamed (its LSOAs
//!    all carry one old name, e.g. Shepway → Folkestone and Hythe): the
//!    2011 MSOA "<old name> NNN" is also "<2019 name> NNN".
//! 3. `changed`: no namesake (split or merged in 2021, or renumbered in an
//!    authority merged since 2011: Dorset, Bournemouth, Christchurch and
//!    Poole, East and West Suffolk, Somerset West and Taunton,
//!    Buckinghamshire, North and West Northamptonshire). The 2021 MSOAs
//!    without a namesake tile the 2011 MSOAs without a namesake in the
//!    same authority, so the MSOA is shared by the population of those
//!    "orphaned" 2011 MSOAs of its authority (named in the MSOA's name;
//!    the 2020-2021 unitary authorities through [`MERGED`]).
//! 4. `authority`: by the population of the whole authority. This is the
//!    route of every Welsh MSOA: the Welsh LSOA names in the sources are
//!    the Welsh Government's ("Rhyl West 2"), not ONS names, so Welsh MSOAs
//!    cannot be matched to LSOAs at all.
//!
//! The placement is [`MsoaPlacer`]: its lookups read once, then
//! [`MsoaPlacer::place`] takes a file's MSOA codes and names and returns
//! per-set [`Shares`] (as the apportioner uses) and each MSOA's route. The
//! two tables here and declared sources of `geography = "msoa21"`
//! (`recipe::engine`, given the placer through `Given::msoa`) all go
//! through it. The `changed` route is relative to the MSOAs placed
//! together: the 2011 MSOAs no MSOA of the same file is named after.
//!
//! An MSOA whose authority is not known is an error: nothing is dropped.
//! The number of MSOAs, employees and residents placed by each route is
//! logged and written into the caveats.
//!
//! The TS063 totals are checked against the census counts of residents in
//! employment on 2024 seats (`census21_pcon2024_econact`): the worst
//! mismatches are logged and the median is stated in the caveats.

use super::{share, Collector, Def, Shares};
use crate::build::Inputs;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Method, Nation};
use stemgap_geography::apportion::small_area_weight;
use stemgap_geography::registry::name_key;
use stemgap_geography::Registry;
use stemgap_geography::Relation;
use stemgap_sources::{CsvOptions, CsvTable, Encoding, Loaded, Location, Problem, SourceError};

const BRES: &str = "nomis_bres2024_employees_broad_industry_msoa21_ew";
const TS063: &str = "census21_ts063_occupation_msoa21_ew";
const NAMES_ENGLAND: &str = "ons_imd2019_lsoa11_rank_england";
const NAMES_WALES: &str = "ons_wimd2019_lsoa11_rank_wales";
const POPULATION: &str = "small_area_population_2019";
const BESTFIT: &str = "small_area11_to_pcon2010_bestfit_postcodes";
const OVERLAP: &str = "small_area11_to_pcon2024_overlap_mysociety";
const ECONACT: &str = "census21_pcon2024_econact";
const EW: &[Nation] = &[Nation::England, Nation::Wales];

/// One BRES broad industry group: its number and label as in the file's
/// header (`"3 : Manufacturing (C)"`), and the indicator id suffix.
struct Group {
    number: u8,
    label: &'static str,
    id: &'static str,
}

const fn g(number: u8, label: &'static str, id: &'static str) -> Group {
    Group { number, label, id }
}

/// The 18 broad industry groups, in the file's column order.
const GROUPS: [Group; 18] = [
    g(
        1,
        "Agriculture, forestry & fishing (A)",
        "agriculture_forestry_fishing",
    ),
    g(
        2,
        "Mining, quarrying & utilities (B,D and E)",
        "mining_utilities",
    ),
    g(3, "Manufacturing (C)", "manufacturing"),
    g(4, "Construction (F)", "construction"),
    g(5, "Motor trades (Part G)", "motor_trades"),
    g(6, "Wholesale (Part G)", "wholesale"),
    g(7, "Retail (Part G)", "retail"),
    g(
        8,
        "Transport & storage (inc postal) (H)",
        "transport_storage",
    ),
    g(9, "Accommodation & food services (I)", "accommodation_food"),
    g(
        10,
        "Information & communication (J)",
        "information_communication",
    ),
    g(11, "Financial & insurance (K)", "financial_insurance"),
    g(12, "Property (L)", "property"),
    g(
        13,
        "Professional, scientific & technical (M)",
        "professional_scientific",
    ),
    g(
        14,
        "Business administration & support services (N)",
        "business_administration_support",
    ),
    g(
        15,
        "Public administration & defence (O)",
        "public_administration_defence",
    ),
    g(16, "Education (P)", "education"),
    g(17, "Health (Q)", "health"),
    g(
        18,
        "Arts, entertainment, recreation & other services (R,S,T and U)",
        "arts_recreation_other",
    ),
];

/// The broad groups counted as STEM-heavy in `stem_jobs_share`, by group
/// number: mining, quarrying & utilities (B, D, E), manufacturing (C),
/// information & communication (J) and professional, scientific &
/// technical (M). Change the definition here.
const STEM_GROUPS: [u8; 4] = [2, 3, 10, 13];

/// Unitary authorities created in 2020-2021, whose MSOAs were renamed and
/// renumbered, with the 2019 districts they replaced (the LSOA file's
/// authorities are those of December 2019).
const MERGED: [(&str, &[&str]); 3] = [
    (
        "Buckinghamshire",
        &["E07000004", "E07000005", "E07000006", "E07000007"],
    ),
    (
        "North Northamptonshire",
        &["E07000150", "E07000152", "E07000153", "E07000156"],
    ),
    (
        "West Northamptonshire",
        &["E07000151", "E07000154", "E07000155"],
    ),
];

/// TS063's header: date, name, code, total, then major groups 1-9.
const TS063_HEADER: [&str; 13] = [
    "date",
    "geography",
    "geography code",
    "Occupation (current): Total: All usual residents aged 16 years and over in employment the week before the census",
    "Occupation (current): 1. Managers, directors and senior officials",
    "Occupation (current): 2. Professional occupations",
    "Occupation (current): 3. Associate professional and technical occupations",
    "Occupation (current): 4. Administrative and secretarial occupations",
    "Occupation (current): 5. Skilled trades occupations",
    "Occupation (current): 6. Caring, leisure and other service occupations",
    "Occupation (current): 7. Sales and customer service occupations",
    "Occupation (current): 8. Process, plant and machine operatives",
    "Occupation (current): 9. Elementary occupations",
];

/// Lines above BRES's header row: a blank line, six metadata lines and a
/// blank line.
const BRES_METADATA_LINES: usize = 8;
const BRES_AREA_HEADER: &str = "2021 super output area - middle layer";

fn slot(set: BoundarySet) -> usize {
    match set {
        BoundarySet::Pcon2010 => 0,
        BoundarySet::Pcon2024 => 1,
    }
}

/// Population in each seat, for each boundary set (indexed by [`slot`]).
#[derive(Debug, Default, Clone)]
struct Weights([BTreeMap<GssCode, f64>; 2]);

impl Weights {
    fn add_to(&mut self, set: BoundarySet, seat: GssCode, pop: f64) {
        *self.0[slot(set)].entry(seat).or_default() += pop;
    }

    fn add(&mut self, other: &Weights) {
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            for (seat, p) in theirs {
                *mine.entry(*seat).or_default() += p;
            }
        }
    }

    /// Each seat's fraction of the population, per set; `None` when a set
    /// has no population to share by.
    fn fractions(&self) -> Option<[Vec<(GssCode, f64)>; 2]> {
        let f = |m: &BTreeMap<GssCode, f64>| {
            let total: f64 = m.values().sum();
            (total > 0.0).then(|| {
                m.iter()
                    .filter(|(_, p)| **p > 0.0)
                    .map(|(s, p)| (*s, p / total))
                    .collect::<Vec<_>>()
            })
        };
        Some([f(&self.0[0])?, f(&self.0[1])?])
    }
}

/// A 2011 small area (LSOA) as the placement needs it.
#[derive(Debug, Clone)]
struct SmallArea {
    /// Its MSOA 2011 name ("Hartlepool 001"), where the sources give an
    /// ONS-style LSOA name (England).
    msoa11: Option<String>,
    /// Its local authority (December 2019 code).
    lad: String,
    weights: Weights,
}

#[derive(Debug, Clone)]
struct Authority {
    name: String,
    nation: Nation,
}

/// How an MSOA 2021 was placed on seats (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Route {
    Name,
    Alias,
    Changed,
    Authority,
}

impl Route {
    pub const ALL: [Route; 4] = [Route::Name, Route::Alias, Route::Changed, Route::Authority];

    pub fn id(self) -> &'static str {
        match self {
            Route::Name => "name",
            Route::Alias => "alias",
            Route::Changed => "changed",
            Route::Authority => "authority",
        }
    }
}

/// An MSOA 2021 as a source row gives it: its code, its name and where
/// the row is (problems with its placement are reported there).
#[derive(Debug, Clone)]
pub struct Msoa {
    pub code: GssCode,
    pub name: String,
    pub at: Location,
}

/// An MSOA's placement: the route, and the fraction of its counts each seat
/// gets in each set (fractions sum to one per set).
#[derive(Debug, Clone)]
struct Placed {
    route: Route,
    fractions: [Vec<(GssCode, f64)>; 2],
}

/// Authority names compared loosely, without ", City of" / ", County of".
fn authority_key(name: &str) -> String {
    let n = name.trim();
    let n = n
        .strip_suffix(", City of")
        .or_else(|| n.strip_suffix(", County of"))
        .unwrap_or(n);
    name_key(n)
}

/// Splits "Hartlepool 001" into the authority and the three-digit number.
fn split_msoa_name(name: &str) -> Option<(&str, &str)> {
    let (la, number) = name.trim().rsplit_once(' ')?;
    (number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()) && !la.trim().is_empty())
        .then_some((la.trim(), number))
}

fn msoa_key(authority: &str, number: &str) -> String {
    format!("{} {number}", authority_key(authority))
}

/// The 2011 small areas grouped into MSOAs 2011 and authorities.
struct Geography {
    /// MSOA 2011 key ("hartlepool 001") → index into `weights11`.
    msoa11: HashMap<String, usize>,
    /// Renamed authorities' MSOAs under the 2019 name → index.
    aliases: HashMap<String, usize>,
    weights11: Vec<Weights>,
    /// Each small area's MSOA 2011 index (England), authority and weights.
    areas: Vec<(Option<usize>, String, Weights)>,
    authorities: BTreeMap<String, Authority>,
    /// Authority key → December 2019 codes.
    by_name: HashMap<String, Vec<String>>,
    /// Whole-authority populations.
    whole: HashMap<String, Weights>,
}

impl Geography {
    fn new(areas: Vec<SmallArea>, authorities: BTreeMap<String, Authority>) -> Geography {
        let mut msoa11: HashMap<String, usize> = HashMap::default();
        let mut weights11: Vec<Weights> = Vec::new();
        let mut number11: Vec<String> = Vec::new();
        let mut prefixes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut whole: HashMap<String, Weights> = HashMap::default();
        let mut grouped = Vec::with_capacity(areas.len());
        for a in areas {
            whole.entry(a.lad.clone()).or_default().add(&a.weights);
            let id = a
                .msoa11
                .as_deref()
                .and_then(split_msoa_name)
                .map(|(la, n)| {
                    prefixes
                        .entry(a.lad.clone())
                        .or_default()
                        .insert(authority_key(la));
                    let next = weights11.len();
                    let id = *msoa11.entry(msoa_key(la, n)).or_insert(next);
                    if id == next {
                        weights11.push(Weights::default());
                        number11.push(n.to_owned());
                    }
                    weights11[id].add(&a.weights);
                    id
                });
            grouped.push((id, a.lad, a.weights));
        }
        let mut by_name: HashMap<String, Vec<String>> = HashMap::default();
        for (code, a) in &authorities {
            by_name
                .entry(authority_key(&a.name))
                .or_default()
                .push(code.clone());
        }
        for (name, codes) in MERGED {
            by_name
                .entry(authority_key(name))
                .or_insert_with(|| codes.iter().map(|c| c.to_string()).collect());
        }
        // An authority only renamed since 2011 (one old name in its LSOA
        // names, not its 2019 name): its MSOAs answer to the new name too.
        let mut aliases = HashMap::default();
        for (lad, names) in &prefixes {
            let Some(a) = authorities.get(lad) else {
                continue;
            };
            let new = authority_key(&a.name);
            if names.len() != 1 || names.contains(&new) {
                continue;
            }
            let old = names.iter().next().expect("one name");
            tracing::info!(lad, old, new = a.name, "authority renamed since 2011");
            for (key, &id) in &msoa11 {
                if key.rsplit_once(' ').map(|(la, _)| la) == Some(old.as_str()) {
                    aliases.insert(format!("{new} {}", number11[id]), id);
                }
            }
        }
        Geography {
            msoa11,
            aliases,
            weights11,
            areas: grouped,
            authorities,
            by_name,
            whole,
        }
    }

    /// Places every MSOA 2021 (see the module documentation).
    fn place(&self, msoas: &[Msoa]) -> Result<Vec<Placed>, SourceError> {
        let bad = |m: &Msoa, problem: Problem| SourceError::new(m.at.clone(), problem);
        let mut matched: Vec<Option<(Route, usize)>> = Vec::with_capacity(msoas.len());
        let mut used: HashMap<usize, &Msoa> = HashMap::default();
        let mut keys = HashSet::default();
        for m in msoas {
            let (la, number) = split_msoa_name(&m.name).ok_or_else(|| {
                bad(
                    m,
                    Problem::Invalid(format!(
                        "MSOA name {:?} is not \"<local authority> NNN\"",
                        m.name
                    )),
                )
            })?;
            let key = msoa_key(la, number);
            if !keys.insert(key.clone()) {
                return Err(bad(
                    m,
                    Problem::Duplicate(format!("MSOA name {:?}", m.name)),
                ));
            }
            let hit = match (self.msoa11.get(&key), self.aliases.get(&key)) {
                (Some(&id), _) => Some((Route::Name, id)),
                (None, Some(&id)) => Some((Route::Alias, id)),
                (None, None) => None,
            };
            if let Some((_, id)) = hit {
                if let Some(other) = used.insert(id, m) {
                    return Err(bad(
                        m,
                        Problem::Duplicate(format!(
                            "{} {:?} and {} {:?} both match one 2011 MSOA",
                            other.code, other.name, m.code, m.name
                        )),
                    ));
                }
            }
            matched.push(hit);
        }
        // 2011 MSOAs that no 2021 MSOA is named after, by authority.
        let mut orphans: HashMap<&str, Weights> = HashMap::default();
        for (id, lad, w) in &self.areas {
            if id.is_some_and(|id| !used.contains_key(&id)) {
                orphans.entry(lad.as_str()).or_default().add(w);
            }
        }
        let mut placed = Vec::with_capacity(msoas.len());
        for (m, hit) in msoas.iter().zip(matched) {
            let no_population = |what: &str| {
                bad(
                    m,
                    Problem::Invalid(format!(
                        "MSOA {} {:?}: {what} has no population in a seat of England or Wales to share its counts by",
                        m.code, m.name
                    )),
                )
            };
            if let Some((route, id)) = hit {
                let fractions = self.weights11[id]
                    .fractions()
                    .ok_or_else(|| no_population("its 2011 namesake"))?;
                placed.push(Placed { route, fractions });
                continue;
            }
            let (la, _) = split_msoa_name(&m.name).expect("checked above");
            let lads = self.by_name.get(&authority_key(la)).ok_or_else(|| {
                bad(
                    m,
                    Problem::UnknownCode(format!(
                        "{la:?} (the authority of MSOA {} {:?}) is neither a December 2019 local authority nor a known merger of them",
                        m.code, m.name
                    )),
                )
            })?;
            let mut changed = Weights::default();
            let mut whole = Weights::default();
            for lad in lads {
                let a = self.authorities.get(lad).ok_or_else(|| {
                    bad(
                        m,
                        Problem::UnknownCode(format!(
                            "{lad}, a predecessor of {la:?}, has no small areas"
                        )),
                    )
                })?;
                if m.code.nation() != Some(a.nation) {
                    return Err(bad(
                        m,
                        Problem::Invalid(format!(
                            "MSOA {} is not in the nation of its authority {la:?} ({lad})",
                            m.code
                        )),
                    ));
                }
                if let Some(w) = orphans.get(lad.as_str()) {
                    changed.add(w);
                }
                if let Some(w) = self.whole.get(lad) {
                    whole.add(w);
                }
            }
            let p = match changed.fractions() {
                Some(fractions) => Placed {
                    route: Route::Changed,
                    fractions,
                },
                None => Placed {
                    route: Route::Authority,
                    fractions: whole
                        .fractions()
                        .ok_or_else(|| no_population("its authority"))?,
                },
            };
            placed.push(p);
        }
        Ok(placed)
    }
}

/// Shares each MSOA's counts among seats: per set, seat → summed counts.
fn apportion(placed: &[Placed], counts: &[Vec<f64>]) -> [BTreeMap<GssCode, Vec<f64>>; 2] {
    let mut out: [BTreeMap<GssCode, Vec<f64>>; 2] = Default::default();
    for (p, c) in placed.iter().zip(counts) {
        for (acc, fractions) in out.iter_mut().zip(&p.fractions) {
            for (seat, f) in fractions {
                let v = acc.entry(*seat).or_insert_with(|| vec![0.0; c.len()]);
                for (x, y) in v.iter_mut().zip(c) {
                    *x += f * y;
                }
            }
        }
    }
    out
}

/// The MSOA 2021 placement, reusable: the lookups it reads (the English
/// and Welsh small areas with their MSOA 2011 names, authorities and
/// population in each seat), read once; [`MsoaPlacer::place`] places the
/// MSOAs of a file. The built-in BRES and TS063 sources and declared
/// sources of `geography = "msoa21"` go through it.
pub struct MsoaPlacer {
    geo: Geography,
}

impl std::fmt::Debug for MsoaPlacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MsoaPlacer")
            .field("msoas11", &self.geo.weights11.len())
            .field("authorities", &self.geo.authorities.len())
            .finish()
    }
}

/// The sources the MSOA placement reads, to list beside a source placed
/// with it.
pub const PLACEMENT_SOURCES: [&str; 5] = [NAMES_ENGLAND, NAMES_WALES, POPULATION, BESTFIT, OVERLAP];

/// MSOAs placed on seats: for each set, each MSOA's code → its seats with
/// the fraction of its counts each gets (as the apportioner's [`Shares`],
/// fractions summing to one); and each MSOA's route, in the order given.
#[derive(Debug, Clone)]
pub struct MsoaShares {
    pub shares: [(BoundarySet, Shares); 2],
    pub routes: Vec<Route>,
}

impl MsoaShares {
    /// How many MSOAs each route placed (every route listed).
    pub fn route_counts(&self) -> BTreeMap<Route, usize> {
        let mut out: BTreeMap<Route, usize> = Route::ALL.iter().map(|r| (*r, 0)).collect();
        for r in &self.routes {
            *out.get_mut(r).expect("every route") += 1;
        }
        out
    }

    /// The routes as the caveats state them: "Routes for the N MSOAs:
    /// name a MSOAs, alias b MSOAs, changed c MSOAs, authority d MSOAs."
    pub fn route_text(&self) -> String {
        let parts: Vec<String> = self
            .route_counts()
            .iter()
            .map(|(r, n)| format!("{} {n} MSOAs", r.id()))
            .collect();
        format!(
            "Routes for the {} MSOAs: {}.",
            self.routes.len(),
            parts.join(", ")
        )
    }
}

impl MsoaPlacer {
    /// Reads the lookups. `population` is the small-area population read
    /// for the deprivation ([`super::deprivation::read_population`]).
    pub fn read(
        inputs: &Inputs<'_>,
        reg: &Registry,
        population: &HashMap<String, f64>,
    ) -> Result<MsoaPlacer, SourceError> {
        let (areas, authorities) = read_small_areas(inputs, reg, population)?;
        Ok(MsoaPlacer {
            geo: Geography::new(areas, authorities),
        })
    }

    /// Places every MSOA of a file (codes unique; see the module
    /// documentation for the routes). An MSOA that cannot be placed (a
    /// name not "<authority> NNN", an authority not known, no population)
    /// is an error at its `at`.
    pub fn place(&self, msoas: &[Msoa]) -> Result<MsoaShares, SourceError> {
        let placed = self.geo.place(msoas)?;
        Ok(shares_of(msoas, &placed))
    }
}

/// The placement as [`MsoaShares`].
fn shares_of(msoas: &[Msoa], placed: &[Placed]) -> MsoaShares {
    let mut s10 = Shares::new();
    let mut s24 = Shares::new();
    for (m, p) in msoas.iter().zip(placed) {
        let [f10, f24] = &p.fractions;
        s10.insert(m.code.to_string(), f10.clone());
        s24.insert(m.code.to_string(), f24.clone());
    }
    MsoaShares {
        shares: [(BoundarySet::Pcon2010, s10), (BoundarySet::Pcon2024, s24)],
        routes: placed.iter().map(|p| p.route).collect(),
    }
}

/// Shares each MSOA's counts among seats by its [`MsoaShares`], in the
/// MSOAs' order: per set, seat → summed counts.
fn apportion_shares(
    msoas: &[Msoa],
    shares: &MsoaShares,
    counts: &[Vec<f64>],
) -> [BTreeMap<GssCode, Vec<f64>>; 2] {
    let placed: Vec<Placed> = msoas
        .iter()
        .zip(&shares.routes)
        .map(|(m, route)| Placed {
            route: *route,
            fractions: [0, 1].map(|i| shares.shares[i].1[m.code.as_str()].clone()),
        })
        .collect();
    apportion(&placed, counts)
}

/// An MSOA row of one of the two tables, with its counts.
#[derive(Debug)]
struct MsoaRow {
    msoa: Msoa,
    counts: Vec<f64>,
}

fn msoa_code(row: &stemgap_sources::Row<'_>, col: usize, s: &str) -> Result<GssCode, SourceError> {
    GssCode::parse(s.trim())
        .ok()
        .filter(|c| matches!(c.entity(), "E02" | "W02"))
        .ok_or_else(|| {
            row.error(
                col,
                Problem::MalformedCode(format!("{s} (not an MSOA code, E02 or W02)")),
            )
        })
}

fn count(row: &stemgap_sources::Row<'_>, col: usize) -> Result<f64, SourceError> {
    let v = row.number(col)?;
    if v < 0.0 || !v.is_finite() {
        return Err(row.error(col, Problem::Invalid(format!("negative count {v}"))));
    }
    Ok(v)
}

/// Reads BRES's counts block: checks the metadata (2024, employees,
/// counts), the header (the 18 groups, each followed by a flag column),
/// and each row ("CODE : NAME", 18 counts, flags empty, `*` or `+`).
/// Returns the rows and the number of `+` flags (incomplete: farm
/// agriculture suppressed somewhere in the area).
fn read_bres(
    bytes: &[u8],
    enc: Encoding,
    loc: &Location,
) -> Result<(Vec<MsoaRow>, usize), SourceError> {
    let meta = CsvTable::from_bytes(
        bytes,
        enc,
        loc.clone(),
        CsvOptions {
            flexible: true,
            stop_at_blank_line: true,
            ..Default::default()
        },
    )?;
    for (key, want) in [
        ("Date", "2024"),
        ("Employment status", "Employees"),
        ("measure", "Count"),
    ] {
        let row = meta
            .rows()
            .find(|r| r.str(0).trim().trim_end_matches(':').trim() == key)
            .ok_or_else(|| {
                SourceError::new(
                    loc.clone(),
                    Problem::Invalid(format!(
                        "no {key:?} line among the metadata lines above the header"
                    )),
                )
            })?;
        if row.str(1).trim() != want {
            return Err(row.error(
                1,
                Problem::Invalid(format!(
                    "{key} is {:?}, expected {want:?} (a different extract?)",
                    row.str(1)
                )),
            ));
        }
    }
    let t = CsvTable::from_bytes(
        bytes,
        enc,
        loc.clone(),
        CsvOptions {
            skip_lines: BRES_METADATA_LINES,
            stop_at_blank_line: true,
            // Data rows end without the last group's (empty) flag column.
            flexible: true,
            ..Default::default()
        },
    )?;
    let labels: Vec<String> = GROUPS
        .iter()
        .map(|g| format!("{} : {}", g.number, g.label))
        .collect();
    let mut header = vec![BRES_AREA_HEADER];
    for l in &labels {
        header.push(l);
        header.push("");
    }
    t.expect_headers(&header)?;
    let mut rows = Vec::with_capacity(t.len());
    let mut incomplete = 0;
    for row in t.rows() {
        let cell = row.str(0);
        let (code, name) = cell.split_once(" : ").ok_or_else(|| {
            row.error(
                0,
                Problem::Invalid(format!("area {cell:?} is not \"CODE : NAME\"")),
            )
        })?;
        let code = msoa_code(&row, 0, code)?;
        if !row.str(header.len()).is_empty() {
            return Err(row.error(
                header.len(),
                Problem::FieldCount {
                    expected: header.len(),
                    found: header.len() + 1,
                },
            ));
        }
        let mut counts = Vec::with_capacity(GROUPS.len());
        for (i, label) in labels.iter().enumerate() {
            counts.push(count(&row, 1 + 2 * i)?);
            match row.str(2 + 2 * i).trim() {
                "" | "*" => {}
                "+" => incomplete += 1,
                other => {
                    // Flag columns have no header of their own.
                    return Err(SourceError::new(
                        row.location(0).at_column(format!("{label} (flag)")),
                        Problem::Invalid(format!("unknown flag {other:?}")),
                    ));
                }
            }
        }
        rows.push(MsoaRow {
            msoa: Msoa {
                code,
                name: name.trim().to_owned(),
                at: row.location(0),
            },
            counts,
        });
    }
    Ok((rows, incomplete))
}

/// Reads TS063: counts are [total, major groups 1-9]; the total must be
/// the sum of the groups.
fn read_ts063(bytes: &[u8], enc: Encoding, loc: &Location) -> Result<Vec<MsoaRow>, SourceError> {
    let t = CsvTable::from_bytes(bytes, enc, loc.clone(), CsvOptions::default())?;
    t.expect_headers(&TS063_HEADER)?;
    let mut rows = Vec::with_capacity(t.len());
    for row in t.rows() {
        if row.str(0).trim() != "2021" {
            return Err(row.error(
                0,
                Problem::Invalid(format!("date {:?}, expected 2021", row.str(0))),
            ));
        }
        let code = msoa_code(&row, 2, row.str(2))?;
        let counts = (3..13)
            .map(|c| count(&row, c))
            .collect::<Result<Vec<_>, _>>()?;
        let sum: f64 = counts[1..].iter().sum();
        if sum != counts[0] {
            return Err(row.error(
                3,
                Problem::Invalid(format!(
                    "total {} is not the sum of the major groups ({sum})",
                    counts[0]
                )),
            ));
        }
        rows.push(MsoaRow {
            msoa: Msoa {
                code,
                name: row.str(1).trim().to_owned(),
                at: row.location(2),
            },
            counts,
        });
    }
    Ok(rows)
}

fn encoding(loaded: &Loaded<'_>) -> Encoding {
    match loaded.entry.encoding.as_deref() {
        Some("windows-1252") => Encoding::Windows1252,
        _ => Encoding::Utf8,
    }
}

/// The English and Welsh small areas with their MSOA 2011 names (England),
/// authorities and population in each seat; population in seats outside
/// England and Wales (border slivers) is left out and reported.
fn read_small_areas(
    inputs: &Inputs<'_>,
    reg: &Registry,
    population: &HashMap<String, f64>,
) -> Result<(Vec<SmallArea>, BTreeMap<String, Authority>), SourceError> {
    let ew = |code: &str| {
        reg.small_areas
            .get(code)
            .is_some_and(|n| matches!(n, Nation::England | Nation::Wales))
    };
    // Mid-2019 populations (the 2010-2024 weights), England and Wales.
    let population: HashMap<&str, f64> = population
        .iter()
        .filter(|(code, _)| ew(code))
        .map(|(code, &v)| (code.as_str(), v))
        .collect();

    let mut weights: HashMap<&str, Weights> = HashMap::default();
    let mut outside = 0.0;
    for l in &reg.links {
        let Relation::SmallAreaToSeat(set) = l.relation else {
            continue;
        };
        if !ew(&l.from) {
            continue;
        }
        let seat = GssCode::parse(&l.to).expect("links hold registry codes");
        // read_population has checked every small area has one.
        let pop = small_area_weight(l, |a| population.get(a).copied()).ok_or_else(|| {
            SourceError::new(
                stemgap_sources::Location::file(POPULATION),
                Problem::Invalid(format!("no population for small area {}", l.from)),
            )
        })?;
        if matches!(seat.nation(), Some(Nation::England | Nation::Wales)) {
            weights
                .entry(l.from.as_str())
                .or_default()
                .add_to(set, seat, pop);
        } else {
            outside += pop;
        }
    }
    if outside > 0.0 {
        tracing::info!(
            population = outside,
            "English and Welsh small-area population in seats outside England and Wales left out of the MSOA weights"
        );
    }

    let mut areas = Vec::with_capacity(weights.len());
    let mut authorities: BTreeMap<String, Authority> = BTreeMap::new();
    let mut seen: HashSet<String> = HashSet::default();
    for (src, cols, nation) in [
        (
            NAMES_ENGLAND,
            ["LSOA11CD", "LSOA11NM", "LAD19CD", "LAD19NM"],
            Nation::England,
        ),
        (
            NAMES_WALES,
            ["lsoa11cd", "lsoa11nm", "ladcd", "ladnm"],
            Nation::Wales,
        ),
    ] {
        let loaded = inputs.load(src)?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        let [code, name, lad, lad_name] = cols.map(|c| t.column(c));
        let (code, name, lad, lad_name) = (code?, name?, lad?, lad_name?);
        for row in t.rows() {
            let c = row.str(code).trim();
            if reg.small_areas.get(c) != Some(&nation) {
                return Err(row.error(
                    code,
                    Problem::UnknownCode(format!("{c:?}: not a small area of {nation}")),
                ));
            }
            if !seen.insert(c.to_owned()) {
                return Err(row.error(code, Problem::Duplicate(c.to_owned())));
            }
            // ONS names ("Hartlepool 001A") in England; the Welsh file has
            // the Welsh Government's names, which say nothing of MSOAs.
            let msoa11 = match nation {
                Nation::England => {
                    let n = row.str(name).trim();
                    let stem = n
                        .strip_suffix(|ch: char| ch.is_ascii_uppercase())
                        .filter(|s| split_msoa_name(s).is_some())
                        .ok_or_else(|| {
                            row.error(
                                name,
                                Problem::Invalid(format!(
                                    "LSOA name {n:?} is not \"<authority> NNN\" and a letter"
                                )),
                            )
                        })?;
                    Some(stem.to_owned())
                }
                _ => None,
            };
            let l = row.code(lad)?;
            let lname = row.str(lad_name).trim();
            let a = authorities
                .entry(l.to_string())
                .or_insert_with(|| Authority {
                    name: lname.to_owned(),
                    nation,
                });
            if a.name != lname || l.nation() != Some(nation) {
                return Err(row.error(
                    lad_name,
                    Problem::Invalid(format!(
                        "authority {l} is {lname:?} here and {:?} above, or not in {nation}",
                        a.name
                    )),
                ));
            }
            areas.push(SmallArea {
                msoa11,
                lad: l.to_string(),
                weights: weights.remove(c).unwrap_or_default(),
            });
        }
    }
    if let Some(c) = reg.small_areas.keys().find(|c| ew(c) && !seen.contains(*c)) {
        return Err(SourceError::new(
            Location::file(inputs.path_of(if c.starts_with('W') {
                NAMES_WALES
            } else {
                NAMES_ENGLAND
            })),
            Problem::Invalid(format!("no row for small area {c}")),
        ));
    }
    Ok((areas, authorities))
}

/// MSOAs, employees and residents placed by each route.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct RouteCount {
    msoas: usize,
    employees: f64,
    residents: f64,
}

fn route_counts(
    routes: &[Route],
    employees: &[f64],
    residents: &[f64],
) -> BTreeMap<Route, RouteCount> {
    let mut out: BTreeMap<Route, RouteCount> = Route::ALL
        .iter()
        .map(|r| (*r, RouteCount::default()))
        .collect();
    for ((route, e), r) in routes.iter().zip(employees).zip(residents) {
        let c = out.get_mut(route).expect("every route");
        c.msoas += 1;
        c.employees += e;
        c.residents += r;
    }
    out
}

/// TS063's total residents in employment on 2024 seats against the
/// census's own seat counts (economic activity categories 1, 2, 3 and 5):
/// relative mismatches, worst first.
fn census_mismatch(
    inputs: &Inputs<'_>,
    reg: &Registry,
    ours: &BTreeMap<GssCode, f64>,
) -> Result<Vec<(GssCode, f64, f64, f64)>, SourceError> {
    let loaded = inputs.load(ECONACT)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let (code, cat, obs) = (
        t.column("Post-2019 Westminster Parliamentary constituencies Code")?,
        t.column("Economic activity status (12 categories) Code")?,
        t.column("Observation")?,
    );
    let mut census: BTreeMap<GssCode, f64> = BTreeMap::new();
    for row in t.rows() {
        let seat = reg.seat_code(BoundarySet::Pcon2024, &row, code)?;
        if matches!(row.str(cat).trim(), "1" | "2" | "3" | "5") {
            *census.entry(seat).or_default() += count(&row, obs)?;
        }
    }
    let mut out: Vec<(GssCode, f64, f64, f64)> = census
        .iter()
        .filter(|(_, c)| **c > 0.0)
        .filter_map(|(s, c)| Some((*s, *ours.get(s)?, *c)))
        .map(|(s, o, c)| (s, o, c, o / c - 1.0))
        .collect();
    out.sort_by(|a, b| b.3.abs().total_cmp(&a.3.abs()).then(a.0.cmp(&b.0)));
    Ok(out)
}

fn median_abs(v: &[f64]) -> f64 {
    let mut a: Vec<f64> = v.iter().map(|x| x.abs()).collect();
    a.sort_by(f64::total_cmp);
    match a.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => a[n / 2],
        n => (a[n / 2 - 1] + a[n / 2]) / 2.0,
    }
}

fn pct(x: f64, of: f64) -> String {
    format!("{:.1}%", 100.0 * x / of)
}

/// `population` is the small-area population read for the deprivation
/// ([`super::deprivation::read_population`]).
pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    population: &HashMap<String, f64>,
    out: &mut Collector,
) -> Result<(), SourceError> {
    let start = std::time::Instant::now();
    let placer = MsoaPlacer::read(inputs, reg, population)?;

    let bres_src = inputs.load(BRES)?;
    let (bres, incomplete) = read_bres(&bres_src.bytes, encoding(&bres_src), &bres_src.location)?;
    let ts_src = inputs.load(TS063)?;
    let ts = read_ts063(&ts_src.bytes, encoding(&ts_src), &ts_src.location)?;

    // The two tables must list the same MSOAs under the same names: a
    // missing one is a truncated or filtered file.
    let mut by_code: HashMap<GssCode, usize> =
        HashMap::with_capacity_and_hasher(bres.len(), Default::default());
    for (i, r) in bres.iter().enumerate() {
        if by_code.insert(r.msoa.code, i).is_some() {
            return Err(SourceError::new(
                r.msoa.at.clone(),
                Problem::Duplicate(r.msoa.code.to_string()),
            ));
        }
    }
    let mut ts_counts: Vec<Option<Vec<f64>>> = vec![None; bres.len()];
    for r in &ts {
        let i = *by_code.get(&r.msoa.code).ok_or_else(|| {
            SourceError::new(
                r.msoa.at.clone(),
                Problem::UnknownCode(format!(
                    "MSOA {} is not in {}",
                    r.msoa.code,
                    inputs.path_of(BRES)
                )),
            )
        })?;
        if bres[i].msoa.name != r.msoa.name {
            return Err(SourceError::new(
                r.msoa.at.clone(),
                Problem::Invalid(format!(
                    "MSOA {} is {:?} here and {:?} in {}",
                    r.msoa.code,
                    r.msoa.name,
                    bres[i].msoa.name,
                    inputs.path_of(BRES)
                )),
            ));
        }
        if ts_counts[i].replace(r.counts.clone()).is_some() {
            return Err(SourceError::new(
                r.msoa.at.clone(),
                Problem::Duplicate(r.msoa.code.to_string()),
            ));
        }
    }
    if let Some(i) = ts_counts.iter().position(Option::is_none) {
        return Err(SourceError::new(
            bres[i].msoa.at.clone(),
            Problem::Invalid(format!(
                "MSOA {} has no row in {}",
                bres[i].msoa.code,
                inputs.path_of(TS063)
            )),
        ));
    }
    let ts_counts: Vec<Vec<f64>> = ts_counts.into_iter().flatten().collect();

    let msoas: Vec<Msoa> = bres.iter().map(|r| r.msoa.clone()).collect();
    let shares = placer.place(&msoas)?;
    let bres_counts: Vec<Vec<f64>> = bres.iter().map(|r| r.counts.clone()).collect();
    let employees: Vec<f64> = bres_counts.iter().map(|c| c.iter().sum()).collect();
    let residents: Vec<f64> = ts_counts.iter().map(|c| c[0]).collect();
    let routes = route_counts(&shares.routes, &employees, &residents);
    let (all_e, all_r) = (employees.iter().sum::<f64>(), residents.iter().sum::<f64>());
    for (route, c) in &routes {
        tracing::info!(
            route = route.id(),
            msoas = c.msoas,
            employees = c.employees,
            residents = c.residents,
            "MSOA placement"
        );
    }
    let welsh = shares
        .routes
        .iter()
        .zip(&msoas)
        .filter(|(r, m)| m.code.nation() == Some(Nation::Wales) && **r == Route::Authority)
        .count();
    tracing::info!(
        msoas = msoas.len(),
        welsh_by_authority = welsh,
        incomplete_agriculture_flags = incomplete,
        seconds = start.elapsed().as_secs_f64(),
        "MSOA placement done"
    );
    let route_text = |value: fn(&RouteCount) -> f64, total: f64, what: &str| {
        let parts: Vec<String> = Route::ALL
            .iter()
            .map(|r| {
                let c = &routes[r];
                format!(
                    "{} {} MSOAs ({} of {what})",
                    r.id(),
                    c.msoas,
                    pct(value(c), total)
                )
            })
            .collect();
        format!(
            "Routes for the {} MSOAs: {}.",
            msoas.len(),
            parts.join(", ")
        )
    };

    let bres_seats = apportion_shares(&msoas, &shares, &bres_counts);
    let ts_seats = apportion_shares(&msoas, &shares, &ts_counts);

    // Check: TS063 totals on 2024 seats against the census seat counts.
    let ours24: BTreeMap<GssCode, f64> = ts_seats[slot(BoundarySet::Pcon2024)]
        .iter()
        .map(|(s, v)| (*s, v[0]))
        .collect();
    let mismatch = census_mismatch(inputs, reg, &ours24)?;
    for (seat, o, c, rel) in mismatch.iter().take(5) {
        let name = reg
            .seat(BoundarySet::Pcon2024, *seat)
            .map_or("", |s| s.name.as_str());
        tracing::info!(
            %seat,
            name,
            apportioned = o,
            census = c,
            mismatch = rel,
            "worst MSOA-apportioned residents in employment against the census seat count"
        );
    }
    let rels: Vec<f64> = mismatch.iter().map(|m| m.3).collect();
    let median = median_abs(&rels);
    let within10 = rels.iter().filter(|r| r.abs() <= 0.10).count();
    tracing::info!(
        seats = rels.len(),
        median_abs_mismatch = median,
        within_10_percent = within10,
        "MSOA-apportioned residents in employment against the census seat counts (2024 seats)"
    );

    let method = "Apportioned from MSOA 2021 to seats: each MSOA's counts are shared among seats in proportion to the mid-2019 population of its 2011 LSOAs in each seat (2010-2024 seats: best fit of whole LSOAs; 2024 seats: population overlap). An MSOA is matched to the 2011 MSOA with the same name (LSOA names are MSOA names plus a letter; an authority only renamed keeps its numbers); MSOAs changed in 2021 or renumbered in merged authorities are shared by the population of their authority's 2011 MSOAs that have no 2021 namesake; Welsh MSOAs (no ONS LSOA names in the sources) by the population of their whole authority. This assumes counts are spread like residents within each MSOA (or authority): a strong assumption for workplaces.";
    let bres_caveats = format!(
        "Employees by workplace (where the job is), not residents; self-employed people are not counted. BRES 2024 is provisional. BRES counts employees at the local unit their employer registers, so a head office or payroll registration can put many jobs in one MSOA. Nomis rounds the counts, so small groups in small seats are approximate; employees_total is the sum of the 18 rounded group counts. Agriculture excludes farm agriculture (SIC 01000). ONS warns that Hillingdon and Hounslow are affected by geographical misreporting. England and Wales only. {method} {}",
        route_text(|c| c.employees, all_e, "employees")
    );
    let ts_caveats = format!(
        "Census 2021 (during the COVID-19 pandemic), by place of residence. SOC 2020 major groups only: science and engineering professionals (SOC 21) cannot be separated. England and Wales only. {method} {} Check: on 2024 seats the apportioned total of residents in employment differs from the census's own seat count by a median of {:.1}% ({within10} of {} seats within 10%); the 2024 seats' measured figure is in_employment_share.",
        route_text(|c| c.residents, all_r, "residents"),
        100.0 * median,
        rels.len()
    );

    let bres_sources = [
        BRES,
        NAMES_ENGLAND,
        NAMES_WALES,
        POPULATION,
        BESTFIT,
        OVERLAP,
    ];
    let ts_sources = [
        TS063,
        NAMES_ENGLAND,
        NAMES_WALES,
        POPULATION,
        BESTFIT,
        OVERLAP,
    ];
    let stem_labels: Vec<String> = STEM_GROUPS
        .iter()
        .filter_map(|n| GROUPS.iter().find(|g| g.number == *n))
        .map(|g| g.label.to_owned())
        .collect();
    let stem_def = format!(
        "Employees working in the seat in the STEM-heavy broad industry groups ({}) as a share of all employees working in the seat (BRES 2024).",
        stem_labels.join("; ")
    );
    let mut defs: Vec<(String, String, String, &str, Direction)> = vec![
        (
            "employees_total".into(),
            "Employees working in the seat".into(),
            "Employees whose workplace is in the seat, all 18 broad industry groups (BRES 2024)."
                .into(),
            "count",
            Direction::Neutral,
        ),
        (
            "stem_jobs_share".into(),
            "Jobs in STEM-heavy industries".into(),
            stem_def,
            "share",
            Direction::HigherIsBetter,
        ),
    ];
    for g in &GROUPS {
        defs.push((
            format!("jobs_share_{}", g.id),
            format!("Jobs in {}", g.label),
            format!(
                "Employees working in the seat in broad industry group {} ({}) as a share of all employees working in the seat (BRES 2024).",
                g.number, g.label
            ),
            "share",
            Direction::Neutral,
        ));
    }
    for (id, title, definition, unit, direction) in &defs {
        out.define(
            Def {
                id,
                title,
                definition,
                unit,
                direction: *direction,
                sources: &bres_sources,
                period: "2024",
                nations: EW,
                method: Method::Apportioned,
                caveats: &bres_caveats,
            }
            .build(),
        );
    }
    let ts_defs = [
        ("employed_residents_16plus", "Residents in employment (16+)", "Usual residents aged 16 and over in employment in the week before the census (Census 2021 TS063 total), apportioned from MSOAs.", "count", Direction::Neutral),
        ("professional_occupations_share", "Residents in professional occupations", "Residents aged 16+ in employment whose occupation is in SOC 2020 major group 2 (professional occupations), as a share of all residents aged 16+ in employment (Census 2021 TS063).", "share", Direction::HigherIsBetter),
        ("technical_occupations_share", "Residents in associate professional and technical occupations", "Residents aged 16+ in employment whose occupation is in SOC 2020 major group 3 (associate professional and technical occupations), as a share of all residents aged 16+ in employment (Census 2021 TS063).", "share", Direction::HigherIsBetter),
    ];
    for (id, title, definition, unit, direction) in ts_defs {
        out.define(
            Def {
                id,
                title,
                definition,
                unit,
                direction,
                sources: &ts_sources,
                period: "2021",
                nations: EW,
                method: Method::Apportioned,
                caveats: &ts_caveats,
            }
            .build(),
        );
    }

    let bres_at = Location::file(inputs.path_of(BRES));
    let ts_at = Location::file(inputs.path_of(TS063));
    for set in BoundarySet::ALL {
        let (b, t) = (&bres_seats[slot(set)], &ts_seats[slot(set)]);
        for seat in reg
            .seats(set)
            .iter()
            .filter(|s| matches!(s.nation, Nation::England | Nation::Wales))
        {
            let (Some(b), Some(t)) = (b.get(&seat.code), t.get(&seat.code)) else {
                return Err(SourceError::new(
                    bres_at.clone(),
                    Problem::Invalid(format!(
                        "seat {} {} ({} set) received no MSOA",
                        seat.code,
                        seat.name,
                        set.id()
                    )),
                ));
            };
            let total: f64 = b.iter().sum();
            let stem: f64 = GROUPS
                .iter()
                .zip(b)
                .filter(|(g, _)| STEM_GROUPS.contains(&g.number))
                .map(|(_, v)| v)
                .sum();
            let mut push = |id: &str, period: &str, cell: Cell, src: &str, at: &Location| {
                out.push(
                    set,
                    seat.code,
                    id,
                    period,
                    cell,
                    Method::Apportioned,
                    src,
                    at,
                )
            };
            push(
                "employees_total",
                "2024",
                Cell::Value(total),
                BRES,
                &bres_at,
            )?;
            push(
                "stem_jobs_share",
                "2024",
                share(stem, total),
                BRES,
                &bres_at,
            )?;
            for (g, v) in GROUPS.iter().zip(b) {
                push(
                    &format!("jobs_share_{}", g.id),
                    "2024",
                    share(*v, total),
                    BRES,
                    &bres_at,
                )?;
            }
            push(
                "employed_residents_16plus",
                "2021",
                Cell::Value(t[0]),
                TS063,
                &ts_at,
            )?;
            push(
                "professional_occupations_share",
                "2021",
                share(t[2], t[0]),
                TS063,
                &ts_at,
            )?;
            push(
                "technical_occupations_share",
                "2021",
                share(t[3], t[0]),
                TS063,
                &ts_at,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> GssCode {
        GssCode::parse(s).unwrap()
    }

    const S1: &str = "E14000001";
    const S2: &str = "E14000002";

    /// A small area with its population per seat in each set.
    fn area(
        msoa11: Option<&str>,
        lad: &str,
        p2010: &[(&str, f64)],
        p2024: &[(&str, f64)],
    ) -> SmallArea {
        let mut w = Weights::default();
        for (s, p) in p2010 {
            w.add_to(BoundarySet::Pcon2010, code(s), *p);
        }
        for (s, p) in p2024 {
            w.add_to(BoundarySet::Pcon2024, code(s), *p);
        }
        SmallArea {
            msoa11: msoa11.map(str::to_owned),
            lad: lad.to_owned(),
            weights: w,
        }
    }

    fn authorities(list: &[(&str, &str)]) -> BTreeMap<String, Authority> {
        list.iter()
            .map(|(c, n)| {
                (
                    c.to_string(),
                    Authority {
                        name: n.to_string(),
                        nation: code(c).nation().unwrap(),
                    },
                )
            })
            .collect()
    }

    fn msoa(c: &str, name: &str) -> Msoa {
        Msoa {
            code: code(c),
            name: name.to_owned(),
            at: Location::file("m.csv"),
        }
    }

    /// Five LSOAs in one authority, two seats, three MSOAs 2021:
    ///
    /// | LSOA | MSOA 2011 | pop | 2010 seat | 2024 seats |
    /// |---|---|---|---|---|
    /// | L1 | Northam 001 | 1000 | S1 | S1 1000 |
    /// | L2 | Northam 001 | 3000 | S2 | S1 1800, S2 1200 |
    /// | L3 | Northam 002 | 2000 | S1 | S2 2000 |
    /// | L4 | Northam 002 | 2000 | S2 | S2 2000 |
    /// | L5 | Northam 003 | 4000 | S2 | S1 1000, S2 3000 |
    ///
    /// "Northam 001" and "Northam 002" keep their names in 2021;
    /// "Northam 004" is new (Northam 003 changed), so it is shared by the
    /// population of Northam 003, the only 2011 MSOA without a namesake.
    fn northam() -> (Geography, Vec<Msoa>) {
        let lad = "E06000091";
        let areas = vec![
            area(Some("Northam 001"), lad, &[(S1, 1000.0)], &[(S1, 1000.0)]),
            area(
                Some("Northam 001"),
                lad,
                &[(S2, 3000.0)],
                &[(S1, 1800.0), (S2, 1200.0)],
            ),
            area(Some("Northam 002"), lad, &[(S1, 2000.0)], &[(S2, 2000.0)]),
            area(Some("Northam 002"), lad, &[(S2, 2000.0)], &[(S2, 2000.0)]),
            area(
                Some("Northam 003"),
                lad,
                &[(S2, 4000.0)],
                &[(S1, 1000.0), (S2, 3000.0)],
            ),
        ];
        let geo = Geography::new(areas, authorities(&[(lad, "Northam")]));
        let msoas = vec![
            msoa("E02000001", "Northam 001"),
            msoa("E02000002", "Northam 002"),
            msoa("E02007001", "Northam 004"),
        ];
        (geo, msoas)
    }

    #[test]
    fn population_weighted_split_checked_by_hand() {
        let (geo, msoas) = northam();
        let placed = geo.place(&msoas).unwrap();
        let routes: Vec<Route> = placed.iter().map(|p| p.route).collect();
        assert_eq!(routes, [Route::Name, Route::Name, Route::Changed]);
        // Northam 001: 2010 S1 1000 / S2 3000; 2024 S1 2800 / S2 1200.
        assert_eq!(
            placed[0].fractions,
            [
                vec![(code(S1), 0.25), (code(S2), 0.75)],
                vec![(code(S1), 0.7), (code(S2), 0.3)]
            ]
        );
        // Employees: 100, 200 and 400 in group one, and 10, 0, 40 in group two.
        let counts = vec![vec![100.0, 10.0], vec![200.0, 0.0], vec![400.0, 40.0]];
        let [s10, s24] = apportion(&placed, &counts);
        // 2010: S1 = 0.25*100 + 0.5*200 = 125; S2 = 75 + 100 + 400 = 575.
        assert_eq!(s10[&code(S1)], vec![125.0, 2.5]);
        assert_eq!(s10[&code(S2)], vec![575.0, 47.5]);
        // 2024: S1 = 70 + 0 + 0.25*400 = 170 (group two: 7 + 0 + 10);
        // S2 = 30 + 200 + 300 = 530 (group two: 3 + 0 + 30).
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9);
        assert!(
            close(&s24[&code(S1)], &[170.0, 17.0]),
            "{:?}",
            s24[&code(S1)]
        );
        assert!(
            close(&s24[&code(S2)], &[530.0, 33.0]),
            "{:?}",
            s24[&code(S2)]
        );
        let routes: Vec<Route> = placed.iter().map(|p| p.route).collect();
        let rc = route_counts(&routes, &[110.0, 200.0, 440.0], &[50.0, 60.0, 70.0]);
        assert_eq!(rc[&Route::Name].msoas, 2);
        assert_eq!(rc[&Route::Name].employees, 310.0);
        assert_eq!(rc[&Route::Changed].residents, 70.0);
        assert_eq!(rc[&Route::Authority].msoas, 0);
    }

    #[test]
    fn renamed_and_merged_authorities_and_wales() {
        let areas = vec![
            // Shepway, renamed Folkestone and Hythe: same numbering.
            area(
                Some("Shepway 001"),
                "E07000112",
                &[(S1, 10.0)],
                &[(S1, 10.0)],
            ),
            // The four districts merged into Buckinghamshire, renumbered.
            area(
                Some("Aylesbury Vale 001"),
                "E07000004",
                &[(S1, 20.0)],
                &[(S1, 20.0)],
            ),
            area(
                Some("South Bucks 001"),
                "E07000006",
                &[(S2, 20.0)],
                &[(S2, 20.0)],
            ),
            area(
                Some("Wycombe 001"),
                "E07000007",
                &[(S1, 30.0)],
                &[(S1, 30.0)],
            ),
            area(
                Some("Chiltern 001"),
                "E07000005",
                &[(S2, 10.0)],
                &[(S2, 10.0)],
            ),
            // Welsh LSOAs carry no MSOA name.
            area(
                None,
                "W06000015",
                &[("W07000001", 5.0)],
                &[("W07000001", 1.0), ("W07000002", 3.0)],
            ),
        ];
        let geo = Geography::new(
            areas,
            authorities(&[
                ("E07000112", "Folkestone and Hythe"),
                ("E07000004", "Aylesbury Vale"),
                ("E07000005", "Chiltern"),
                ("E07000006", "South Bucks"),
                ("E07000007", "Wycombe"),
                ("W06000015", "Cardiff"),
            ]),
        );
        let placed = geo
            .place(&[
                msoa("E02005102", "Folkestone and Hythe 001"),
                msoa("E02003652", "Buckinghamshire 001"),
                msoa("W02000001", "Cardiff 001"),
            ])
            .unwrap();
        assert_eq!(placed[0].route, Route::Alias);
        assert_eq!(placed[0].fractions[0], vec![(code(S1), 1.0)]);
        // Shared by all four districts' population: S1 20 + 30, S2 20 + 10.
        assert_eq!(placed[1].route, Route::Changed);
        assert_eq!(
            placed[1].fractions[1],
            vec![(code(S1), 0.625), (code(S2), 0.375)]
        );
        assert_eq!(placed[2].route, Route::Authority);
        assert_eq!(
            placed[2].fractions[1],
            vec![(code("W07000001"), 0.25), (code("W07000002"), 0.75)]
        );

        // An authority nobody knows is an error, not a dropped MSOA.
        let e = geo.place(&[msoa("E02009999", "Atlantis 001")]).unwrap_err();
        assert!(e.to_string().contains("\"Atlantis\""), "{e}");
        // A merger whose predecessors are absent is an error too.
        let e = geo
            .place(&[msoa("E02009998", "West Northamptonshire 001")])
            .unwrap_err();
        assert!(e.to_string().contains("has no small areas"), "{e}");
        // An English code in a Welsh authority.
        let e = geo.place(&[msoa("E02009997", "Cardiff 002")]).unwrap_err();
        assert!(e.to_string().contains("not in the nation"), "{e}");
    }

    #[test]
    fn names_compare_loosely() {
        assert_eq!(
            split_msoa_name("Bournemouth, Christchurch and Poole 003"),
            Some(("Bournemouth, Christchurch and Poole", "003"))
        );
        assert_eq!(split_msoa_name("Hartlepool 01"), None);
        assert_eq!(authority_key("Bristol, City of"), authority_key("Bristol"));
        assert_eq!(msoa_key("St. Helens", "001"), msoa_key("St Helens", "001"));
    }

    const BRES_FIXTURE: &[u8] = include_bytes!("../../tests/data/msoa/bres.csv");
    const TS063_FIXTURE: &[u8] = include_bytes!("../../tests/data/msoa/ts063.csv");

    #[test]
    fn reads_the_nomis_counts_block_only() {
        let (rows, incomplete) =
            read_bres(BRES_FIXTURE, Encoding::Utf8, &Location::file("b.csv")).unwrap();
        assert_eq!(rows.len(), 3, "the percentages block is not read");
        assert_eq!(rows[0].msoa.code, code("E02000001"));
        assert_eq!(rows[0].msoa.name, "Northam 001");
        // Errors carry the row (csv does not count blank lines, so rows
        // below the file's blank lines are reported a few lines early).
        assert!(rows[0].msoa.at.row.is_some());
        assert_eq!(rows[0].counts.len(), 18);
        assert_eq!(rows[0].counts[2], 1250.0);
        assert_eq!(rows[2].counts.iter().sum::<f64>(), 900.0);
        assert_eq!(incomplete, 1);
    }

    #[test]
    fn bres_metadata_and_flags_are_checked() {
        let text = std::str::from_utf8(BRES_FIXTURE).unwrap();
        let pct = text.replacen("\"Count\"", "\"Industry percentage\"", 1);
        let e = read_bres(pct.as_bytes(), Encoding::Utf8, &Location::file("b.csv")).unwrap_err();
        assert!(e.location.row.is_some(), "{e}");
        assert!(
            e.to_string().ends_with(
                "column \"#2\": measure is \"Industry percentage\", expected \"Count\" (a different extract?)"
            ),
            "{e}"
        );
        let flag = text.replacen(",\"*\",", ",\"!\",", 1);
        let e = read_bres(flag.as_bytes(), Encoding::Utf8, &Location::file("b.csv")).unwrap_err();
        assert!(
            e.location.row.is_some()
                && e.to_string().ends_with(
                    "column \"1 : Agriculture, forestry & fishing (A) (flag)\": unknown flag \"!\""
                ),
            "{e}"
        );
        let header = text.replacen("3 : Manufacturing (C)", "3 : Making things", 1);
        let e = read_bres(header.as_bytes(), Encoding::Utf8, &Location::file("b.csv")).unwrap_err();
        assert!(matches!(e.problem, Problem::WrongHeader { .. }), "{e}");
        let marker = text.replacen(
            "\"E02000002 : Northam 002\",0",
            "\"E02000002 : Northam 002\",-",
            1,
        );
        let e = read_bres(marker.as_bytes(), Encoding::Utf8, &Location::file("b.csv")).unwrap_err();
        assert!(
            e.location.row.is_some()
                && e.to_string().contains(
                    "column \"1 : Agriculture, forestry & fishing (A)\": a value is required"
                ),
            "{e}"
        );
    }

    #[test]
    fn ts063_totals_must_add_up() {
        let rows = read_ts063(TS063_FIXTURE, Encoding::Utf8, &Location::file("t.csv")).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].msoa.name, "Northam 002");
        assert_eq!(rows[1].counts[0], 1000.0);
        let text = std::str::from_utf8(TS063_FIXTURE).unwrap();
        let bad = text.replacen(",1000,", ",1001,", 1);
        let e = read_ts063(bad.as_bytes(), Encoding::Utf8, &Location::file("t.csv")).unwrap_err();
        assert!(e.to_string().starts_with("t.csv, row 3, column"), "{e}");
        assert!(e.to_string().contains("not the sum"), "{e}");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const SEATS: [&str; 4] = ["E14000001", "E14000002", "E14000003", "W07000001"];

        proptest! {
            /// Whatever the populations, every MSOA's counts are shared out
            /// in full: the seats' totals add up to the MSOAs' totals.
            #[test]
            fn apportioned_counts_sum_back_to_the_msoa_totals(
                lsoas in prop::collection::vec(
                    (0usize..5, 0usize..4, 1.0f64..5000.0, 0usize..4, 0.0f64..1.0),
                    5..40,
                ),
                counts in prop::collection::vec(prop::collection::vec(0.0f64..10_000.0, 3), 5),
            ) {
                // Each of five MSOAs 2011 gets its own LSOA first, so none is empty.
                let mut areas = Vec::new();
                let all = (0..5).map(|m| (m, m % 4, 100.0, (m + 1) % 4, 0.5)).chain(lsoas);
                for (m, s10, pop, s24, split) in all {
                    let name = format!("Northam {:03}", m + 1);
                    areas.push(area(
                        Some(&name),
                        "E06000091",
                        &[(SEATS[s10], pop)],
                        &[(SEATS[s24], pop * split), (SEATS[(s24 + 1) % 4], pop * (1.0 - split))],
                    ));
                }
                let geo = Geography::new(areas, authorities(&[("E06000091", "Northam")]));
                // MSOAs 2021: 001-004 keep their names, 006 replaces 005.
                let msoas: Vec<Msoa> = [1, 2, 3, 4, 6]
                    .iter()
                    .enumerate()
                    .map(|(i, n)| msoa(&format!("E0200000{i}"), &format!("Northam {n:03}")))
                    .collect();
                let placed = geo.place(&msoas).unwrap();
                prop_assert_eq!(placed[4].route, Route::Changed);
                for by_seat in apportion(&placed, &counts) {
                    for k in 0..3 {
                        let want: f64 = counts.iter().map(|c| c[k]).sum();
                        let got: f64 = by_seat.values().map(|v| v[k]).sum();
                        prop_assert!((got - want).abs() <= 1e-9 * want.max(1.0), "{} vs {}", got, want);
                    }
                }
            }
        }
    }
}
