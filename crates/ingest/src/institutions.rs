//! Higher-education providers and teaching locations, placed in the seats of
//! both boundary sets, tagged as teaching STEM or not, and counted per seat.
//!
//! **Providers** (`discoveruni_institution`, one per PUBUKPRN: a provider
//! listed once per registering UKPRN appears once) are placed by the
//! postcode that ends PROVADDRESS, normalised and checked by
//! [`Postcode::parse`], through mySociety's GB range lookup (2024 seats).
//! The lookup does not cover Northern Ireland, and 13 providers have no
//! postcode: these are placed by their own teaching locations instead, when
//! all of those (placed by coordinates) lie in one seat, and are otherwise
//! left unplaced with the reason. A provider's COUNTRY code is not trusted
//! over its postcode; a disagreement is flagged.
//!
//! A provider has no coordinates (the sources hold no position for a
//! postcode, only the range lookup to 2024 seats), so its **2010-set** seat
//! comes from its 2024 seat:
//!
//! * through mySociety's population overlap, when at least 99% of that
//!   seat's population lies in one 2010-set seat ("postcode, via its 2024
//!   seat");
//! * otherwise (a split seat) by the teaching locations the provider teaches
//!   at (LOCUKPRN, else the listing UKPRN) inside that same 2024 seat, when
//!   every one of them is placed, all in one 2010-set seat, and that seat is
//!   one the 2024 seat overlaps ("postcode, then its teaching locations in
//!   its 2024 seat"). This takes the address to be at or beside the sites
//!   the provider itself teaches at in the seat of its address: the sites
//!   are point-in-polygon on the 2010-set boundaries, so the provider is
//!   only ever put in an old seat its own sites are in;
//! * otherwise (no such site in its 2024 seat, or sites in several 2010-set
//!   seats) it is left unplaced in the 2010 set ("split", saying which),
//!   and `hei_count` for each 2010-set seat its 2024 seat overlaps carries
//!   an upper bound that includes it.
//!
//! **Physical teaching presence** (`hei_teaching_count`,
//! `he_teaching_presence`) counts teaching, not registration. A *physical
//! teaching site* is a placed teaching location whose name has none of the
//! whole words in [`NOT_A_SITE`] (online, distance, virtual, various,
//! office: "National Delivery Various Locations", head offices); the
//! provider teaching there is its LOCUKPRN, else the UKPRN listing it.
//! `hei_teaching_count` is the number of distinct such providers teaching
//! at a physical teaching site in the seat; `he_teaching_presence` is 1
//! when the seat has at least one physical teaching site (of any provider)
//! and 0 otherwise. A provider's address counts only through a site: nothing
//! in the sources says students are taught at an address other than a
//! teaching location there. So these are listed with why (`stemgap
//! institutions --no-teaching`, and in `--unplaced`) but never counted:
//! providers teaching at no physical teaching site ("no teaching presence":
//! no location in the LOCATION file as UKPRN or LOCUKPRN, as for online and
//! distance providers, or only offices and unplaced points), providers whose
//! sites all lie outside their address's 2024 seat ("no teaching at its
//! address"; counted where they teach), and the non-sites themselves ("not a
//! teaching site"; still in `he_locations`, never in `he_stem_locations`).
//! `hei_count` is unchanged: providers by their address.
//! `hei_teaching_at_address` is `hei_count` restricted to the providers
//! that teach at a physical teaching site in the same seat as their address
//! (on the 2010 set, in the same 2010-set seat; a provider left unplaced
//! there whose split 2024 seat holds its sites in several 2010-set seats
//! adds to the upper bound of each of those).
//!
//! **Teaching locations** (`discoveruni_location_2025`) are placed by their
//! coordinates, point in polygon on the generalised (20 m) TopoJSON
//! boundaries of each set ([`SeatMap`]), after these checks:
//!
//! * the point must be inside a box around the UK ([`UK_BOUNDS`]) and not
//!   the placeholder (54, -4) some providers supply;
//! * it must lie within [`NEAR_KM`] (50 km) of its provider's postcode seat
//!   (the provider teaching there, LOCUKPRN, when that one has a GB
//!   postcode, else the listing UKPRN). Half of all sites lie within 2 km of
//!   that seat and 50 km spans a provider's own town and its hinterland; a
//!   longitude with its sign flipped moves a site by 2·|lon|·cos(lat)·111 km,
//!   over 50 km wherever |lon| > 0.37° at English latitudes, so only flips
//!   close to the Greenwich meridian (London) escape this test, and there
//!   both positions are plausible anyway;
//! * a point outside every seat, or too far from its provider, whose
//!   negated longitude lies within 50 km of the provider's seat is placed
//!   there: "corrected: longitude sign";
//! * where the Unistats 2018/19 LOCATION table has the same (UKPRN, LOCID)
//!   under a matching name but more than [`SAME_SITE_KM`] away, one of the
//!   two is wrong: the candidate (as given, sign-flipped, or 2018/19) that
//!   lies nearest the provider's seat, within 50 km, is placed ("corrected:
//!   2018/19 coordinates" when that is the old one);
//! * a point inside a seat but more than 50 km from its provider is kept
//!   when another provider lists a site within [`CORROBORATE_KM`] of it or
//!   the 2018/19 table has it within 5 km ("coordinates, corroborated":
//!   franchise and partner campuses, such as Leeds or Manchester sites of
//!   London-registered providers, are real and common); otherwise it is
//!   kept but flagged, because in this file such points are far more often
//!   genuine distant campuses than errors, and the distance alone cannot
//!   tell them apart;
//! * a point outside every seat after all this is left unplaced, never
//!   snapped to the nearest seat. Where the provider has no GB postcode,
//!   nothing can be checked: the point is placed as given ("coordinates,
//!   unchecked") or left unplaced.
//!
//! **STEM**: Unistats 2018/19 links courses to teaching locations
//! (COURSELOCATION) and to CAH level-1 subjects (SBJ). SBJ has no provider
//! column: its rows for one course are consecutive, and a course id used by
//! several providers appears once per provider, so such an id counts only
//! when all its entries agree. A 2025 location teaches STEM when its own
//! (UKPRN, LOCID) — the same site in 2018/19, by name or within 5 km — has a
//! course in a [`STEM_CAH1`] group ("location 2018/19"); failing that, when
//! its provider (LOCUKPRN, else UKPRN) has one anywhere ("provider
//! 2018/19"). Neither in 2018/19: unknown, not "no".

use crate::build::Inputs;
use crate::indicators::{Collector, Def};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Method, Nation, Postcode};
use stemgap_geography::seatmap::{haversine_km, SeatMap};
use stemgap_geography::Registry;
use stemgap_geography::Relation;
use stemgap_sources::{CsvOptions, CsvTable, Loaded, Location, Problem, Row, SourceError};
use stemgap_store::Institution;

/// CAH level-1 groups counted as STEM: HESA's "science" subject grouping
/// (CAH01 to CAH13) as far as level 1 can express it. HESA excludes only
/// human geography (CAH12-01-13), but the 2018/19 file gives level 1 alone,
/// where CAH12 mixes human and physical geography, so CAH12 is left out.
pub const STEM_CAH1: [&str; 12] = [
    "CAH01", // medicine and dentistry
    "CAH02", // subjects allied to medicine
    "CAH03", // biological and sport sciences
    "CAH04", // psychology
    "CAH05", // veterinary sciences
    "CAH06", // agriculture, food and related studies
    "CAH07", // physical sciences
    "CAH08", // general and others in sciences
    "CAH09", // mathematical sciences
    "CAH10", // engineering and technology
    "CAH11", // computing
    "CAH13", // architecture, building and planning
];

/// A box around the UK, `(south, west, north, east)` in degrees: Scilly to
/// Shetland, Fermanagh to Lowestoft.
pub const UK_BOUNDS: (f64, f64, f64, f64) = (49.8, -8.7, 60.9, 1.8);

/// The placeholder position some providers give for an unknown site.
pub const PLACEHOLDER: (f64, f64) = (54.0, -4.0);

/// Furthest a site may lie from its provider's postcode seat without
/// corroboration, in km.
pub const NEAR_KM: f64 = 50.0;

/// Two published positions of one site further apart than this disagree;
/// closer, they agree (a campus), in km.
pub const SAME_SITE_KM: f64 = 5.0;

/// Another provider's listing this close corroborates a site, in km.
pub const CORROBORATE_KM: f64 = 1.0;

/// Share of a 2024 seat's population that must lie in one 2010-set seat for
/// a provider placed by postcode to be given that 2010-set seat.
pub const WHOLLY: f64 = 0.99;

const SRC_PROVIDERS: &str = "discoveruni_institution";
const SRC_LOCATIONS: &str = "discoveruni_location_2025";
const SRC_L1819: &str = "unistats1819_location";
const SRC_CL1819: &str = "unistats1819_courselocation";
const SRC_SBJ1819: &str = "unistats1819_sbj";
const SRC_CAH: &str = "unistats1819_cah";

/// Placement routes.
pub mod route {
    pub const POSTCODE: &str = "postcode";
    pub const POSTCODE_VIA_2024: &str = "postcode, via its 2024 seat";
    /// 2010 set: its 2024 seat (by postcode) is split, and every teaching
    /// location it teaches at inside that 2024 seat lies in one 2010-set seat.
    pub const VIA_2024_LOCATIONS: &str = "postcode, then its teaching locations in its 2024 seat";
    pub const OWN_LOCATIONS: &str = "teaching locations";
    pub const COORDINATES: &str = "coordinates";
    pub const CORROBORATED: &str = "coordinates, corroborated";
    pub const UNCHECKED: &str = "coordinates, unchecked";
    pub const SIGN: &str = "corrected: longitude sign";
    pub const OLD: &str = "corrected: 2018/19 coordinates";
}

/// The source files, loaded on the build's thread (loading is not thread
/// safe) to be placed on another.
pub struct Files<'d> {
    providers: Loaded<'d>,
    locations: Loaded<'d>,
    l1819: Loaded<'d>,
    cl1819: Loaded<'d>,
    sbj1819: Loaded<'d>,
    cah: Loaded<'d>,
}

/// Loads (and checksums) the six source files.
pub fn load<'d>(inputs: &Inputs<'d>) -> Result<Files<'d>, SourceError> {
    Ok(Files {
        providers: inputs.load(SRC_PROVIDERS)?,
        locations: inputs.load(SRC_LOCATIONS)?,
        l1819: inputs.load(SRC_L1819)?,
        cl1819: inputs.load(SRC_CL1819)?,
        sbj1819: inputs.load(SRC_SBJ1819)?,
        cah: inputs.load(SRC_CAH)?,
    })
}

/// Index of a set in per-set arrays.
fn ix(set: BoundarySet) -> usize {
    match set {
        BoundarySet::Pcon2010 => 0,
        BoundarySet::Pcon2024 => 1,
    }
}

/// A reason (short, for counting) and its details.
type Note = (&'static str, String);

/// The note on a location whose name says it is not a physical teaching site.
pub const NOT_TEACHING_SITE: &str = "not a teaching site";
/// The note on a provider teaching at no placed physical teaching site.
pub const NO_TEACHING: &str = "no teaching presence";
/// The note on a provider teaching only outside its address's seat.
pub const NOT_AT_ADDRESS: &str = "no teaching at its address";

/// Separates notes in the stored `problem` text.
pub const NOTE_SEPARATOR: &str = " | ";

fn join(notes: &[Note]) -> Option<String> {
    (!notes.is_empty()).then(|| {
        notes
            .iter()
            .map(|(k, d)| format!("{k}: {d}"))
            .collect::<Vec<_>>()
            .join(NOTE_SEPARATOR)
    })
}

#[derive(Debug, Clone)]
struct Provider {
    code: String,
    name: String,
    /// HESA country codes of its rows (one per registering UKPRN).
    countries: Vec<String>,
    postcode: Option<Postcode>,
    seats: [Option<(GssCode, &'static str)>; 2],
    /// Why it has no seat in each set (a reason key).
    unplaced: [Option<&'static str>; 2],
    /// 2010-set seats its split 2024 seat overlaps.
    candidates_2010: Vec<GssCode>,
    /// Of those, the ones holding a physical teaching site it teaches at
    /// inside its split 2024 seat (when there are several).
    teaching_candidates_2010: Vec<GssCode>,
    notes: Vec<Note>,
    stem: Option<bool>,
    /// Whether it teaches at a placed physical teaching site anywhere.
    teaches: Option<bool>,
}

#[derive(Debug, Clone)]
struct Site {
    ukprn: String,
    locid: String,
    name: String,
    partner: Option<String>,
    given: Option<(f64, f64)>,
    placed: Option<(f64, f64)>,
    seats: [Option<(GssCode, &'static str)>; 2],
    unplaced: [Option<&'static str>; 2],
    notes: Vec<Note>,
    stem: Option<bool>,
    stem_route: Option<&'static str>,
    /// The word of its name saying it is not a physical teaching site
    /// ([`NOT_A_SITE`]), if any.
    not_a_site: Option<&'static str>,
}

impl Site {
    /// The provider teaching at the site: LOCUKPRN when given, else the
    /// UKPRN listing it.
    fn teacher(&self) -> &str {
        self.partner.as_deref().unwrap_or(&self.ukprn)
    }

    /// Placed in a seat of set `i` and a physical teaching site.
    fn teaching_in(&self, i: usize) -> Option<GssCode> {
        self.seats[i]
            .filter(|_| self.not_a_site.is_none())
            .map(|(c, _)| c)
    }
}

/// Words (whole, any case) in a location's name that mark it as no physical
/// teaching site: online or distance delivery, a virtual campus, "various
/// locations", an office. In the 2025/26 file they pick out "National
/// Delivery Various Locations", "... (Oxford Virtual Education Group)", a
/// "Head Office" and an "Office Bristol"; "Headquarters" (a dance academy's
/// studios) and "House" (many real campuses) are not among them.
pub const NOT_A_SITE: [&str; 5] = ["online", "distance", "virtual", "various", "office"];

/// The first [`NOT_A_SITE`] word of a location's name.
pub fn not_a_site(name: &str) -> Option<&'static str> {
    let words: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_owned)
        .collect();
    NOT_A_SITE
        .into_iter()
        .find(|w| words.iter().any(|x| x == w))
}

/// Counts of an outcome by its route or reason.
pub type Tally = BTreeMap<String, usize>;

/// What placing found, for the log, the caveats and the tests.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub providers: usize,
    pub locations: usize,
    /// Providers placed, by route, per set (2010, 2024).
    pub provider_routes: [Tally; 2],
    /// Providers not placed, by reason, per set.
    pub provider_unplaced: [Tally; 2],
    pub location_routes: [Tally; 2],
    pub location_unplaced: [Tally; 2],
    /// Placed locations kept with a flag, by reason.
    pub location_flagged: Tally,
    /// Locations by STEM route (`unknown` when in neither 2018/19 route).
    pub stem_routes: Tally,
    /// Providers teaching at no placed physical teaching site.
    pub no_teaching: usize,
    /// Providers teaching, but none of it in their address's 2024 seat.
    pub not_at_address: usize,
    /// Placed locations whose name says they are no physical teaching site.
    pub not_a_site: usize,
    /// Distinct providers (LOCUKPRN, else UKPRN) teaching at a placed
    /// physical teaching site, per set.
    pub teachers: [usize; 2],
    /// Of those (2024 set), the ones not in the provider file (partners
    /// named only as a LOCUKPRN).
    pub teachers_unlisted: usize,
    /// Names of the placed locations that are no physical teaching site.
    pub not_a_site_names: Vec<String>,
    /// Names of the providers teaching at no physical teaching site.
    pub no_teaching_names: Vec<String>,
}

/// Every provider and location, placed, with the report.
pub struct Placed {
    providers: Vec<Provider>,
    sites: Vec<Site>,
    pub report: Report,
    /// The seats of each set, to count in.
    seats: [Vec<GssCode>; 2],
    at: [Location; 2],
}

impl Placed {
    /// Rows for the store's `institution` table.
    pub fn rows(&self) -> Vec<Institution> {
        let seat = |s: &Option<(GssCode, &str)>| s.map(|(c, _)| c.to_string());
        let route = |s: &Option<(GssCode, &str)>| s.map(|(_, r)| r.to_owned());
        let mut rows: Vec<Institution> = self
            .providers
            .iter()
            .map(|p| Institution {
                kind: "provider".into(),
                ukprn: p.code.clone(),
                locid: String::new(),
                name: p.name.clone(),
                partner: None,
                postcode: p.postcode.as_ref().map(|c| c.to_string()),
                lat: None,
                lon: None,
                place_lat: None,
                place_lon: None,
                seat_2010: seat(&p.seats[0]),
                route_2010: route(&p.seats[0]),
                seat_2024: seat(&p.seats[1]),
                route_2024: route(&p.seats[1]),
                stem: p.stem,
                stem_route: p.stem.map(|_| "provider 2018/19".to_owned()),
                problem: join(&p.notes),
            })
            .collect();
        rows.extend(self.sites.iter().map(|s| Institution {
            kind: "location".into(),
            ukprn: s.ukprn.clone(),
            locid: s.locid.clone(),
            name: s.name.clone(),
            partner: s.partner.clone(),
            postcode: None,
            lat: s.given.map(|p| p.0),
            lon: s.given.map(|p| p.1),
            place_lat: s.placed.map(|p| p.0),
            place_lon: s.placed.map(|p| p.1),
            seat_2010: seat(&s.seats[0]),
            route_2010: route(&s.seats[0]),
            seat_2024: seat(&s.seats[1]),
            route_2024: route(&s.seats[1]),
            stem: s.stem,
            stem_route: s.stem_route.map(str::to_owned),
            problem: join(&s.notes),
        }));
        rows
    }
}

/// Reads an 8-digit UKPRN from a cell.
fn ukprn(row: &Row<'_>, col: usize) -> Result<String, SourceError> {
    let s = row.str(col).trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(row.error(col, Problem::MalformedCode(s.to_owned())))
    }
}

/// An optional UKPRN (blank allowed).
fn optional_ukprn(row: &Row<'_>, col: usize) -> Result<Option<String>, SourceError> {
    if row.str(col).trim().is_empty() {
        Ok(None)
    } else {
        ukprn(row, col).map(Some)
    }
}

/// The postcode at the end of an address: its last comma-separated part,
/// or failing that its last two words.
pub fn address_postcode(address: &str) -> Result<Postcode, String> {
    let a = address.trim().trim_end_matches([',', '.', ' ']);
    if a.is_empty() {
        return Err("PROVADDRESS is blank".into());
    }
    let last = a.rsplit(',').next().unwrap_or(a).trim();
    if let Ok(p) = Postcode::parse(last) {
        return Ok(p);
    }
    let words: Vec<&str> = a
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() >= 2 {
        if let Ok(p) = Postcode::parse(&words[words.len() - 2..].join(" ")) {
            return Ok(p);
        }
    }
    Err(format!(
        "PROVADDRESS {a:?} does not end with a valid postcode"
    ))
}

/// The 2024 seat of a GB postcode in the decoded range lookup.
pub(crate) fn postcode_seat(ranges: &[(u64, Option<String>)], p: &Postcode) -> Option<GssCode> {
    let i = ranges.partition_point(|(k, _)| *k <= p.key());
    ranges[..i]
        .last()
        .and_then(|(_, s)| s.as_deref())
        .and_then(|s| GssCode::parse(s).ok())
}

/// Nation of a HESA country code.
fn hesa_country(code: &str) -> Option<Nation> {
    Some(match code {
        "XF" => Nation::England,
        "XG" => Nation::NorthernIreland,
        "XH" => Nation::Scotland,
        "XI" => Nation::Wales,
        _ => return None,
    })
}

/// Words that do not identify a site on their own.
const GENERIC: [&str; 22] = [
    "the",
    "and",
    "amp",
    "for",
    "campus",
    "college",
    "colleges",
    "university",
    "centre",
    "center",
    "main",
    "site",
    "school",
    "building",
    "institute",
    "group",
    "london",
    "city",
    "road",
    "street",
    "house",
    "education",
];

fn name_words(name: &str) -> BTreeSet<String> {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && !GENERIC.contains(w))
        .map(str::to_owned)
        .collect()
}

/// Whether two names of a site share a distinctive word.
pub fn same_name(a: &str, b: &str) -> bool {
    !name_words(a).is_disjoint(&name_words(b))
}

pub(crate) fn in_uk(lat: f64, lon: f64) -> bool {
    let (s, w, n, e) = UK_BOUNDS;
    (s..=n).contains(&lat) && (w..=e).contains(&lon)
}

fn is_placeholder(lat: f64, lon: f64) -> bool {
    (lat - PLACEHOLDER.0).abs() < 1e-9 && (lon - PLACEHOLDER.1).abs() < 1e-9
}

/// Unistats 2018/19 site of one (UKPRN, LOCID).
struct OldSite {
    name: String,
    point: Option<(f64, f64)>,
}

/// Whether courses teach STEM, tallied.
#[derive(Debug, Default, Clone, Copy)]
struct Evidence {
    stem: usize,
    other: usize,
    unknown: usize,
}

impl Evidence {
    fn add(&mut self, tag: Option<bool>) {
        match tag {
            Some(true) => self.stem += 1,
            Some(false) => self.other += 1,
            None => self.unknown += 1,
        }
    }

    /// STEM if any course is; not STEM only if every course is known not to be.
    fn tag(self) -> Option<bool> {
        if self.stem > 0 {
            Some(true)
        } else if self.other > 0 && self.unknown == 0 {
            Some(false)
        } else {
            None
        }
    }
}

/// STEM evidence from Unistats 2018/19.
#[derive(Default)]
struct Stem {
    at_location: HashMap<(String, String), Evidence>,
    at_provider: HashMap<String, Evidence>,
    old_sites: HashMap<(String, String), OldSite>,
    /// Course ids whose subjects cannot be attributed (shared, disagreeing).
    ambiguous_courses: usize,
}

fn read_stem(files: &Files<'_>) -> Result<Stem, SourceError> {
    // CAH level-1 labels: every STEM group must be one.
    let t = CsvTable::parse(&files.cah, CsvOptions::default())?;
    t.expect_headers(&["CODE", "TITLE"])?;
    let cah: BTreeSet<String> = t.rows().map(|r| r.str(0).trim().to_owned()).collect();
    if let Some(g) = STEM_CAH1.iter().find(|g| !cah.contains(**g)) {
        return Err(SourceError::new(
            files.cah.location.at_column("CODE"),
            Problem::Invalid(format!("the STEM group {g} is not a CAH level-1 code here")),
        ));
    }
    // Course → providers, from the course-location table.
    let cl = CsvTable::parse(&files.cl1819, CsvOptions::default())?;
    let (pub_col, uk_col, course_col, loc_col) = (
        cl.column("PUBUKPRN")?,
        cl.column("UKPRN")?,
        cl.column("KISCOURSEID")?,
        cl.column("LOCID")?,
    );
    // Course id → (a provider using it, whether several do).
    let mut providers_of: HashMap<&str, (&str, bool)> = HashMap::default();
    for row in cl.rows() {
        let course = row.str(course_col).trim();
        if course.is_empty() {
            return Err(row.error(course_col, Problem::Invalid("no course id".into())));
        }
        let publisher = row.str(pub_col).trim();
        let e = providers_of.entry(course).or_insert((publisher, false));
        e.1 |= e.0 != publisher;
    }
    // Subjects: consecutive rows of one course id are one course's entry.
    let sbj = CsvTable::parse(&files.sbj1819, CsvOptions::default())?;
    sbj.expect_headers(&["KISCOURSEID", "CODE"])?;
    let stem_codes: BTreeSet<&str> = STEM_CAH1.into_iter().collect();
    let mut entries: HashMap<&str, Vec<bool>> = HashMap::default();
    let mut run: Option<(&str, bool)> = None;
    for row in sbj.rows() {
        let (course, code) = (row.str(0).trim(), row.str(1).trim());
        if !cah.contains(code) {
            return Err(row.error(
                1,
                Problem::UnknownCode(format!("{code:?}: not a CAH level-1 code")),
            ));
        }
        let stem = stem_codes.contains(code);
        match &mut run {
            Some((c, s)) if *c == course => *s |= stem,
            _ => {
                if let Some((c, s)) = run.replace((course, stem)) {
                    entries.entry(c).or_default().push(s);
                }
            }
        }
    }
    if let Some((c, s)) = run {
        entries.entry(c).or_default().push(s);
    }
    let mut out = Stem::default();
    let course_tag: HashMap<&str, Option<bool>> = providers_of
        .iter()
        .map(|(course, &(_, shared))| {
            let e = entries.get(course).map(Vec::as_slice).unwrap_or_default();
            let tag = if e.is_empty() {
                None
            } else if !shared {
                Some(e.iter().any(|s| *s))
            } else if e.iter().all(|s| *s == e[0]) {
                Some(e[0])
            } else {
                out.ambiguous_courses += 1;
                None
            };
            (*course, tag)
        })
        .collect();
    let mut at_location: HashMap<(&str, &str), Evidence> = HashMap::default();
    let mut at_provider: HashMap<&str, Evidence> = HashMap::default();
    for row in cl.rows() {
        let tag = course_tag[row.str(course_col).trim()];
        let (publisher, registrar) = (row.str(pub_col).trim(), row.str(uk_col).trim());
        let loc = row.str(loc_col).trim();
        if !loc.is_empty() {
            at_location.entry((registrar, loc)).or_default().add(tag);
        }
        at_provider.entry(registrar).or_default().add(tag);
        if publisher != registrar {
            at_provider.entry(publisher).or_default().add(tag);
        }
    }
    out.at_location = at_location
        .into_iter()
        .map(|((u, l), e)| ((u.to_owned(), l.to_owned()), e))
        .collect();
    out.at_provider = at_provider
        .into_iter()
        .map(|(u, e)| (u.to_owned(), e))
        .collect();
    // 2018/19 sites, to recognise the same site in 2025.
    let t = CsvTable::parse(&files.l1819, CsvOptions::default())?;
    let (u, l, n, la, lo) = (
        t.column("UKPRN")?,
        t.column("LOCID")?,
        t.column("LOCNAME")?,
        t.column("LATITUDE")?,
        t.column("LONGITUDE")?,
    );
    for row in t.rows() {
        let point = match (row.cell(la)?, row.cell(lo)?) {
            (Cell::Value(a), Cell::Value(b)) => Some((a, b)),
            _ => None,
        };
        out.old_sites.insert(
            (ukprn(&row, u)?, row.str(l).trim().to_owned()),
            OldSite {
                name: row.str(n).trim().to_owned(),
                point,
            },
        );
    }
    Ok(out)
}

fn read_providers(files: &Files<'_>) -> Result<Vec<Provider>, SourceError> {
    let t = CsvTable::parse(&files.providers, CsvOptions::default())?;
    let (legal, trading, address, pubukprn, country) = (
        t.column("LEGAL_NAME")?,
        t.column("FIRST_TRADING_NAME")?,
        t.column("PROVADDRESS")?,
        t.column("PUBUKPRN")?,
        t.column("COUNTRY")?,
    );
    t.column("UKPRN")?;
    let mut by_code: BTreeMap<String, Provider> = BTreeMap::new();
    for row in t.rows() {
        let code = ukprn(&row, pubukprn)?;
        let name = [row.str(trading).trim(), row.str(legal).trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .ok_or_else(|| row.error(legal, Problem::Invalid("no name".into())))?
            .to_owned();
        let country = row.str(country).trim().to_owned();
        if hesa_country(&country).is_none() {
            return Err(row.error(
                t.column("COUNTRY")?,
                Problem::UnknownCode(format!("{country:?}: not a HESA country code")),
            ));
        }
        let mut notes = Vec::new();
        let postcode = match address_postcode(row.str(address)) {
            Ok(p) => Some(p),
            Err(why) => {
                notes.push(("no postcode", why));
                None
            }
        };
        // One row per registering UKPRN: the same provider, the same address.
        if let Some(seen) = by_code.get_mut(&code) {
            if !seen.countries.contains(&country) {
                seen.countries.push(country);
            }
            if seen.postcode != postcode {
                seen.notes.push((
                    "addresses differ",
                    format!("row {} gives another address; the first is used", row.line),
                ));
            }
            continue;
        }
        by_code.insert(
            code.clone(),
            Provider {
                code,
                name,
                countries: vec![country],
                postcode,
                seats: [None, None],
                unplaced: [None, None],
                candidates_2010: Vec::new(),
                teaching_candidates_2010: Vec::new(),
                notes,
                stem: None,
                teaches: None,
            },
        );
    }
    Ok(by_code.into_values().collect())
}

fn read_sites(files: &Files<'_>) -> Result<Vec<Site>, SourceError> {
    let t = CsvTable::parse(&files.locations, CsvOptions::default())?;
    let (u, l, n, la, lo, lu) = (
        t.column("UKPRN")?,
        t.column("LOCID")?,
        t.column("LOCNAME")?,
        t.column("LATITUDE")?,
        t.column("LONGITUDE")?,
        t.column("LOCUKPRN")?,
    );
    let mut seen = BTreeSet::new();
    let mut sites = Vec::new();
    for row in t.rows() {
        let ukprn = ukprn(&row, u)?;
        let locid = row.str(l).trim().to_owned();
        if locid.is_empty() {
            return Err(row.error(l, Problem::Invalid("no LOCID".into())));
        }
        if !seen.insert((ukprn.clone(), locid.clone())) {
            return Err(row.error(l, Problem::Duplicate(format!("{ukprn} {locid}"))));
        }
        let mut notes = Vec::new();
        let given = match (row.cell(la)?, row.cell(lo)?) {
            (Cell::Value(a), Cell::Value(b)) => Some((a, b)),
            _ => {
                notes.push(("no coordinates", "LATITUDE or LONGITUDE is blank".into()));
                None
            }
        };
        sites.push(Site {
            partner: optional_ukprn(&row, lu)?.filter(|p| *p != ukprn),
            ukprn,
            locid,
            name: row.str(n).trim().to_owned(),
            given,
            placed: None,
            seats: [None, None],
            unplaced: [None, None],
            not_a_site: not_a_site(row.str(n)),
            notes,
            stem: None,
            stem_route: None,
        });
    }
    Ok(sites)
}

/// One position a site might be at, evaluated.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    route: &'static str,
    lat: f64,
    lon: f64,
    seat: Option<GssCode>,
    /// Km from the provider's postcode seat.
    km: Option<f64>,
}

struct SiteContext<'a> {
    map24: &'a SeatMap,
    /// Provider code → its 2024 seat by postcode.
    reference: HashMap<&'a str, GssCode>,
    old_sites: &'a HashMap<(String, String), OldSite>,
    /// Every published point, with its listing UKPRN.
    points: Vec<(String, (f64, f64))>,
}

fn place_site(site: &mut Site, cx: &SiteContext<'_>) {
    let Some((lat, lon)) = site.given else {
        site.unplaced = ["no coordinates"; 2].map(Some);
        return;
    };
    if is_placeholder(lat, lon) {
        site.notes.push((
            "placeholder coordinates",
            format!("({lat}, {lon}) is the placeholder some providers give for an unknown site"),
        ));
        site.unplaced = ["placeholder coordinates"; 2].map(Some);
        return;
    }
    let provider = site
        .partner
        .as_deref()
        .filter(|p| cx.reference.contains_key(p))
        .unwrap_or(&site.ukprn);
    let reference = cx.reference.get(provider).copied();
    let eval = |route, lat: f64, lon: f64| {
        let seat = in_uk(lat, lon).then(|| cx.map24.locate(lon, lat)).flatten();
        Candidate {
            route,
            lat,
            lon,
            seat,
            km: seat
                .and(reference)
                .and_then(|r| cx.map24.distance_km(r, lon, lat)),
        }
    };
    let given = eval(route::COORDINATES, lat, lon);
    let flipped = (lon > 0.0).then(|| eval(route::SIGN, lat, -lon));
    let old = cx.old_sites.get(&(site.ukprn.clone(), site.locid.clone()));
    let witness = old
        .filter(|o| same_name(&o.name, &site.name))
        .and_then(|o| o.point)
        .filter(|p| haversine_km(*p, (lat, lon)) > SAME_SITE_KM)
        .map(|p| eval(route::OLD, p.0, p.1));
    let near = |c: &&Candidate| c.seat.is_some() && c.km.is_some_and(|k| k <= NEAR_KM);
    let describe = |c: &Candidate| match c.seat {
        None if !in_uk(c.lat, c.lon) => "outside the UK".to_owned(),
        None => "outside every seat".to_owned(),
        Some(s) => match c.km {
            Some(k) => format!("in {s}, {k:.1} km from its provider's postcode seat"),
            None => format!("in {s}"),
        },
    };
    let choice: Option<Candidate> = match reference {
        None => given.seat.map(|_| Candidate {
            route: route::UNCHECKED,
            ..given
        }),
        Some(_) if witness.is_some() => [Some(&given), flipped.as_ref(), witness.as_ref()]
            .into_iter()
            .flatten()
            .filter(near)
            .min_by(|a, b| {
                a.km.unwrap_or(f64::MAX)
                    .total_cmp(&b.km.unwrap_or(f64::MAX))
            })
            .copied(),
        Some(_) if near(&&given) => Some(given),
        Some(_) => flipped.filter(|f| near(&f)),
    };
    let reference_text = reference.map_or_else(String::new, |r| format!(" ({provider}: {r})"));
    let chosen = match choice {
        Some(c) => {
            if c.route != route::COORDINATES && c.route != route::UNCHECKED {
                site.notes.push((
                    c.route,
                    format!(
                        "published ({lat}, {lon}) is {}; placed at ({}, {}), {:.1} km from its provider's postcode seat{reference_text}",
                        describe(&given),
                        c.lat,
                        c.lon,
                        c.km.unwrap_or(0.0),
                    ),
                ));
            }
            c
        }
        None if given.seat.is_some() => {
            // Inside a seat, far from the provider, no better candidate.
            let km = given.km.unwrap_or(0.0);
            let by_other = cx
                .points
                .iter()
                .any(|(u, p)| *u != site.ukprn && haversine_km(*p, (lat, lon)) <= CORROBORATE_KM);
            let by_old = old
                .and_then(|o| o.point)
                .is_some_and(|p| haversine_km(p, (lat, lon)) <= SAME_SITE_KM);
            if by_other || by_old {
                Candidate {
                    route: route::CORROBORATED,
                    ..given
                }
            } else {
                site.notes.push((
                    "far from its provider",
                    format!(
                        "({lat}, {lon}) is {km:.0} km from its provider's postcode seat{reference_text}, and no other listing has a site there; kept, unverified"
                    ),
                ));
                given
            }
        }
        None => {
            let reason = if in_uk(lat, lon) {
                "outside every seat"
            } else {
                "outside the UK"
            };
            let mut detail = format!("({lat}, {lon})");
            if let Some(f) = flipped.filter(|f| f.seat.is_some()) {
                detail.push_str(&format!(
                    "; with the longitude negated it would be {}{}",
                    describe(&f),
                    if reference.is_none() {
                        ", but its provider has no GB postcode to check that against"
                    } else {
                        ""
                    }
                ));
            }
            site.notes.push((reason, detail));
            site.unplaced = [reason; 2].map(Some);
            return;
        }
    };
    site.placed = Some((chosen.lat, chosen.lon));
    site.seats[1] = chosen.seat.map(|s| (s, chosen.route));
}

/// What placing needs from the geography registry.
#[derive(Debug, Clone, Default)]
pub struct Geography {
    /// The seats of each set (2010, 2024).
    pub seats: [Vec<GssCode>; 2],
    /// The nation of each 2024 seat.
    pub nations: HashMap<GssCode, Nation>,
    /// Each 2024 seat's 2010-set seats with their share of its population.
    pub overlaps: HashMap<GssCode, Vec<(GssCode, f64)>>,
}

impl Geography {
    pub fn of(reg: &Registry) -> Geography {
        let mut overlaps: HashMap<GssCode, Vec<(GssCode, f64)>> = HashMap::default();
        for l in reg.links_of(Relation::SeatOverlap {
            from: BoundarySet::Pcon2024,
        }) {
            if let (Ok(a), Ok(b)) = (GssCode::parse(&l.from), GssCode::parse(&l.to)) {
                overlaps.entry(a).or_default().push((b, l.weight));
            }
        }
        Geography {
            seats: BoundarySet::ALL.map(|set| reg.seats(set).iter().map(|s| s.code).collect()),
            nations: reg
                .seats(BoundarySet::Pcon2024)
                .iter()
                .map(|s| (s.code, s.nation))
                .collect(),
            overlaps,
        }
    }
}

/// Places everything. `maps` holds one [`SeatMap`] per boundary set; the
/// postcode ranges are the decoded GB lookup (2024 seats).
pub fn place(
    files: &Files<'_>,
    reg: &Registry,
    postcode_ranges: &[(u64, Option<String>)],
    maps: &[SeatMap],
) -> Result<Placed, SourceError> {
    place_in(files, &Geography::of(reg), postcode_ranges, maps)
}

fn place_in(
    files: &Files<'_>,
    geo: &Geography,
    postcode_ranges: &[(u64, Option<String>)],
    maps: &[SeatMap],
) -> Result<Placed, SourceError> {
    let map = |set: BoundarySet| {
        maps.iter().find(|m| m.set() == set).ok_or_else(|| {
            SourceError::new(
                Location::file(format!("boundaries ({set})")),
                Problem::Invalid(format!("no boundaries for the {set} set")),
            )
        })
    };
    let (map10, map24) = (map(BoundarySet::Pcon2010)?, map(BoundarySet::Pcon2024)?);
    let stem = read_stem(files)?;
    let mut providers = read_providers(files)?;
    let mut sites = read_sites(files)?;

    // Providers with a GB postcode: 2024 seat by the range lookup.
    for p in &mut providers {
        let Some(pc) = p.postcode.clone() else {
            continue;
        };
        if pc.is_northern_ireland() {
            continue;
        }
        match postcode_seat(postcode_ranges, &pc) {
            Some(seat) => p.seats[1] = Some((seat, route::POSTCODE)),
            None => p.notes.push((
                "postcode not in the lookup",
                format!("{pc} falls in a gap of the GB postcode range lookup"),
            )),
        }
    }

    // Locations, checked against their provider's postcode seat.
    let cx = SiteContext {
        map24,
        reference: providers
            .iter()
            .filter_map(|p| Some((p.code.as_str(), p.seats[1]?.0)))
            .collect(),
        old_sites: &stem.old_sites,
        points: sites
            .iter()
            .filter_map(|s| Some((s.ukprn.clone(), s.given?)))
            .collect(),
    };
    for s in &mut sites {
        place_site(s, &cx);
        if let Some((lat, lon)) = s.placed {
            match map10.locate(lon, lat) {
                Some(seat) => {
                    let route = s.seats[1].map_or(route::COORDINATES, |(_, r)| r);
                    s.seats[0] = Some((seat, route));
                }
                None => {
                    s.notes.push((
                        "outside every 2010-set seat",
                        format!("({lat}, {lon}) is in no 2010-set seat (boundaries generalised differently)"),
                    ));
                    s.unplaced[0] = Some("outside every 2010-set seat");
                }
            }
        }
    }

    // Providers: 2010 set by overlap, or both sets by their own locations.
    for p in &mut providers {
        match p.seats[1] {
            Some((seat, _)) => {
                let mut parts = geo.overlaps.get(&seat).cloned().unwrap_or_default();
                parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                match parts.first() {
                    Some(&(s10, share)) if share >= WHOLLY => {
                        p.seats[0] = Some((s10, route::POSTCODE_VIA_2024));
                    }
                    _ => {
                        // Split: the provider's own teaching locations inside
                        // its 2024 seat say which part its address is in.
                        let there: Vec<&Site> = sites
                            .iter()
                            .filter(|s| s.teacher() == p.code)
                            .filter(|s| s.seats[1].is_some_and(|(c, _)| c == seat))
                            .collect();
                        let in10: BTreeSet<GssCode> = there
                            .iter()
                            .filter_map(|s| s.seats[0].map(|(c, _)| c))
                            .collect();
                        let all_placed = there.iter().all(|s| s.seats[0].is_some());
                        let possible: BTreeSet<GssCode> = parts.iter().map(|(c, _)| *c).collect();
                        match in10.first() {
                            Some(&s10)
                                if in10.len() == 1 && all_placed && possible.contains(&s10) =>
                            {
                                p.seats[0] = Some((s10, route::VIA_2024_LOCATIONS));
                            }
                            _ => {
                                let split = parts
                                    .iter()
                                    .map(|(c, w)| format!("{c} {:.0}%", w * 100.0))
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                let n = there.len();
                                let plural = if n == 1 { "" } else { "s" };
                                let why = if there.is_empty() {
                                    "none of the teaching locations it teaches at is in that seat to say which part its address is in".to_owned()
                                } else if !all_placed {
                                    format!("of the {n} teaching location{plural} it teaches at in that seat, not all are in a 2010-set seat")
                                } else {
                                    format!(
                                        "the {n} teaching location{plural} it teaches at in that seat lie in {} 2010-set seats ({})",
                                        in10.len(),
                                        in10.iter().map(GssCode::to_string).collect::<Vec<_>>().join(", ")
                                    )
                                };
                                p.notes.push((
                                    "2010 set: split",
                                    format!(
                                        "its 2024 seat {seat} lies in {} 2010-set seats ({split}); {why}",
                                        parts.len(),
                                    ),
                                ));
                                p.unplaced[0] = Some("2010 set: split");
                                // Its address may be anywhere in the split seat.
                                p.candidates_2010 = parts.iter().map(|(c, _)| *c).collect();
                                p.teaching_candidates_2010 = there
                                    .iter()
                                    .filter_map(|s| s.teaching_in(0))
                                    .filter(|c| possible.contains(c))
                                    .collect::<BTreeSet<_>>()
                                    .into_iter()
                                    .collect();
                            }
                        }
                    }
                }
                if let Some(&nation) = geo.nations.get(&seat) {
                    let wrong: Vec<String> = p
                        .countries
                        .iter()
                        .filter_map(|c| Some((c, hesa_country(c)?)))
                        .filter(|(_, n)| *n != nation)
                        .map(|(c, n)| format!("{c} ({n})"))
                        .collect();
                    if !wrong.is_empty() {
                        p.notes.push((
                            "country code disagrees",
                            format!(
                                "COUNTRY {} but the postcode {} is in {nation}; the postcode is trusted",
                                wrong.join(", "),
                                p.postcode.as_ref().map_or_else(String::new, |pc| pc.to_string())
                            ),
                        ));
                    }
                }
            }
            None => {
                let why = match &p.postcode {
                    Some(pc) if pc.is_northern_ireland() => "Northern Ireland postcode",
                    Some(_) => "postcode not in the lookup",
                    None => "no postcode",
                };
                let own: Vec<&Site> = sites
                    .iter()
                    .filter(|s| s.ukprn == p.code && s.partner.is_none())
                    .collect();
                for set in BoundarySet::ALL {
                    let i = ix(set);
                    let seats: BTreeSet<GssCode> = own
                        .iter()
                        .filter_map(|s| s.seats[i].map(|(c, _)| c))
                        .collect();
                    let all_placed = own.iter().all(|s| s.seats[i].is_some());
                    match seats.first() {
                        Some(&seat) if seats.len() == 1 && all_placed => {
                            p.seats[i] = Some((seat, route::OWN_LOCATIONS));
                        }
                        _ => p.unplaced[i] = Some(why),
                    }
                }
                let n = own.len();
                let detail = match (p.seats[1], p.seats[0]) {
                    (Some((s24, _)), Some((s10, _))) => format!(
                        "placed by its {n} own teaching location{} in {s24} (2010 set: {s10})",
                        if n == 1 { "" } else { "s, all" }
                    ),
                    (Some((s24, _)), None) => format!(
                        "placed by its {n} own teaching locations, all in {s24}; in the 2010 set they are not all in one seat"
                    ),
                    _ if n == 0 => "it lists no teaching location of its own".into(),
                    _ => format!("its {n} own teaching locations are not all placed in one seat"),
                };
                match p.notes.iter_mut().find(|(k, _)| *k == why) {
                    Some(note) => note.1 = format!("{}; {detail}", note.1),
                    None => {
                        let pc = p.postcode.as_ref().map_or_else(String::new, |pc| {
                            format!("{pc} is not in the range lookup (Great Britain only); ")
                        });
                        p.notes.push((why, format!("{pc}{detail}")));
                    }
                }
            }
        }
        p.stem = stem.at_provider.get(&p.code).and_then(|e| e.tag());
    }

    // Physical teaching presence: sites that are not, and providers that
    // teach at no physical site, or none in their address's seat.
    for s in &mut sites {
        if let Some(word) = s.not_a_site {
            s.notes.push((
                NOT_TEACHING_SITE,
                format!("its name says \"{word}\": not a physical teaching site; counted in he_locations, not as teaching presence"),
            ));
        }
    }
    for p in &mut providers {
        let listed: Vec<&Site> = sites.iter().filter(|s| s.teacher() == p.code).collect();
        let teaching: Vec<&&Site> = listed
            .iter()
            .filter(|s| s.teaching_in(1).is_some())
            .collect();
        if teaching.is_empty() {
            let detail = if listed.is_empty() {
                "it lists no teaching location (as UKPRN or LOCUKPRN) in the 2025/26 LOCATION file: an online, distance or office-only registration, or one whose sites the file lacks".to_owned()
            } else {
                format!(
                    "none of the {} location{} it teaches at is a placed physical teaching site ({})",
                    listed.len(),
                    if listed.len() == 1 { "" } else { "s" },
                    listed.iter().map(|s| format!("{} {}", s.locid, s.name)).collect::<Vec<_>>().join(", ")
                )
            };
            p.notes.push((
                NO_TEACHING,
                format!(
                    "{detail}; {}never in hei_teaching_count or he_teaching_presence",
                    if p.seats[1].is_some() {
                        "counted in hei_count where its address is, "
                    } else {
                        ""
                    }
                ),
            ));
            p.teaches = Some(false);
        } else if let Some((seat, _)) = p.seats[1] {
            if teaching.iter().all(|s| s.teaching_in(1) != Some(seat)) {
                let elsewhere: BTreeSet<GssCode> =
                    teaching.iter().filter_map(|s| s.teaching_in(1)).collect();
                p.notes.push((
                    NOT_AT_ADDRESS,
                    format!(
                        "none of the {} physical teaching site{} it teaches at is in its address's 2024 seat {seat} (they are in {}); counted in hei_count there, in hei_teaching_count only where it teaches",
                        teaching.len(),
                        if teaching.len() == 1 { "" } else { "s" },
                        elsewhere.iter().map(GssCode::to_string).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            p.teaches = Some(true);
        } else {
            p.teaches = Some(true);
        }
    }

    // STEM tags for locations.
    for s in &mut sites {
        let key = (s.ukprn.clone(), s.locid.clone());
        let same_site = stem.old_sites.get(&key).is_some_and(|o| {
            same_name(&o.name, &s.name)
                || o.point
                    .zip(s.placed.or(s.given))
                    .is_some_and(|(a, b)| haversine_km(a, b) <= SAME_SITE_KM)
        });
        let at_location = same_site
            .then(|| stem.at_location.get(&key).and_then(|e| e.tag()))
            .flatten();
        let provider = s.partner.as_ref().unwrap_or(&s.ukprn);
        (s.stem, s.stem_route) = match at_location {
            Some(t) => (Some(t), Some("location 2018/19")),
            None => match stem.at_provider.get(provider).and_then(|e| e.tag()) {
                Some(t) => (Some(t), Some("provider 2018/19")),
                None => (None, None),
            },
        };
    }

    let report = report(&providers, &sites, stem.ambiguous_courses);
    Ok(Placed {
        providers,
        sites,
        report,
        seats: geo.seats.clone(),
        at: [
            files.providers.location.clone(),
            files.locations.location.clone(),
        ],
    })
}

fn report(providers: &[Provider], sites: &[Site], ambiguous_courses: usize) -> Report {
    let mut r = Report {
        providers: providers.len(),
        locations: sites.len(),
        ..Report::default()
    };
    for set in BoundarySet::ALL {
        let i = ix(set);
        for p in providers {
            match (p.seats[i], p.unplaced[i]) {
                (Some((_, route)), _) => {
                    *r.provider_routes[i].entry(route.into()).or_default() += 1
                }
                (None, why) => {
                    *r.provider_unplaced[i]
                        .entry(why.unwrap_or("unplaced").into())
                        .or_default() += 1
                }
            }
        }
        for s in sites {
            match (s.seats[i], s.unplaced[i]) {
                (Some((_, route)), _) => {
                    *r.location_routes[i].entry(route.into()).or_default() += 1
                }
                (None, why) => {
                    *r.location_unplaced[i]
                        .entry(why.unwrap_or("unplaced").into())
                        .or_default() += 1
                }
            }
        }
    }
    r.no_teaching = providers
        .iter()
        .filter(|p| p.teaches == Some(false))
        .count();
    r.not_at_address = providers
        .iter()
        .filter(|p| p.notes.iter().any(|(k, _)| *k == NOT_AT_ADDRESS))
        .count();
    r.not_a_site_names = sites
        .iter()
        .filter(|s| s.placed.is_some() && s.not_a_site.is_some())
        .map(|s| s.name.clone())
        .collect();
    r.not_a_site = r.not_a_site_names.len();
    r.no_teaching_names = providers
        .iter()
        .filter(|p| p.teaches == Some(false))
        .map(|p| p.name.clone())
        .collect();
    let listed: BTreeSet<&str> = providers.iter().map(|p| p.code.as_str()).collect();
    r.teachers_unlisted = sites
        .iter()
        .filter(|s| s.teaching_in(1).is_some())
        .map(Site::teacher)
        .filter(|t| !listed.contains(t))
        .collect::<BTreeSet<_>>()
        .len();
    r.teachers = [0, 1].map(|i| {
        sites
            .iter()
            .filter(|s| s.teaching_in(i).is_some())
            .map(Site::teacher)
            .collect::<BTreeSet<_>>()
            .len()
    });
    for s in sites.iter().filter(|s| s.placed.is_some()) {
        for (k, _) in &s.notes {
            if *k == "far from its provider" {
                *r.location_flagged.entry((*k).into()).or_default() += 1;
            }
        }
    }
    for s in sites {
        let key = match (s.stem_route, s.stem) {
            (Some(route), Some(true)) => format!("STEM by {route}"),
            (Some(route), _) => format!("not STEM by {route}"),
            (None, _) => "unknown (not in 2018/19)".into(),
        };
        *r.stem_routes.entry(key).or_default() += 1;
    }
    if ambiguous_courses > 0 {
        r.stem_routes.insert(
            "(course ids ignored: shared, subjects disagree)".into(),
            ambiguous_courses,
        );
    }
    r
}

fn tally(t: &Tally) -> String {
    t.iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Logs the report.
pub fn log(r: &Report) {
    for set in BoundarySet::ALL {
        let i = ix(set);
        tracing::info!(
            set = set.id(),
            providers = r.providers,
            placed = %tally(&r.provider_routes[i]),
            unplaced = %tally(&r.provider_unplaced[i]),
            "HE providers placed"
        );
        tracing::info!(
            set = set.id(),
            locations = r.locations,
            placed = %tally(&r.location_routes[i]),
            unplaced = %tally(&r.location_unplaced[i]),
            "HE teaching locations placed"
        );
    }
    tracing::info!(flagged = %tally(&r.location_flagged), stem = %tally(&r.stem_routes), "HE teaching locations flagged and tagged");
    tracing::info!(
        providers_teaching_2010 = r.teachers[0],
        providers_teaching_2024 = r.teachers[1],
        no_teaching = r.no_teaching,
        not_at_address = r.not_at_address,
        not_a_site = r.not_a_site,
        "HE physical teaching presence"
    );
}

const PERIOD_PROVIDERS: &str = "2024/25";
const PERIOD_LOCATIONS: &str = "2025/26";

/// Defines `hei_count`, `he_locations`, `he_stem_locations`,
/// `hei_teaching_count`, `he_teaching_presence` and `hei_teaching_at_address`
/// and adds one observation
/// per seat of each set (a count of placed institutions: zero where none was
/// placed).
pub fn collect(placed: &Placed, out: &mut Collector) -> Result<(), SourceError> {
    let r = &placed.report;
    let unplaced = |t: &Tally| t.values().sum::<usize>();
    let routed = |route: &str| r.provider_routes[0].get(route).copied().unwrap_or(0);
    let provider_caveat = format!(
        "Counts the providers (one per PUBUKPRN) whose address is in the seat: {} of {} are placed in a 2024 seat, by the postcode of their address or, lacking a Great Britain postcode (Northern Ireland, or none given), by their own teaching locations when all lie in one seat; {} cannot be placed and are not counted anywhere ({}). The sources give no position for a postcode, so a provider's 2010-set seat is its 2024 seat's when 99% or more of that seat's population is in one 2010-set seat ({} providers); when its 2024 seat is split, it is the 2010-set seat holding every teaching location the provider teaches at inside that 2024 seat ({} providers: this takes the address to be at or beside those sites); {} providers in split seats with no such sites, or sites in several 2010-set seats, are left out of the 2010-set value, and each 2010-set seat they could be in carries them in its upper bound. Head offices: {} providers teach at no physical teaching site in the 2025/26 file (online, distance or office-only registrations, or sites the file lacks) and {} teach only outside their address's seat, yet each counts here; hei_teaching_count and he_teaching_presence count teaching instead. A zero is a real count of placed providers.",
        r.providers - unplaced(&r.provider_unplaced[1]),
        r.providers,
        unplaced(&r.provider_unplaced[1]),
        tally(&r.provider_unplaced[1]),
        routed(route::POSTCODE_VIA_2024),
        routed(route::VIA_2024_LOCATIONS),
        r.provider_unplaced[0].get("2010 set: split").copied().unwrap_or(0),
        r.no_teaching,
        r.not_at_address,
    );
    let location_caveat = format!(
        "Counts the Discover Uni teaching locations (one per UKPRN and LOCID: a site used by several registering providers is listed, and counted, once for each) placed in the seat by their coordinates. {} of {} are placed in a 2024 seat ({}); {} are not counted ({}). Coordinates are provider-supplied: points outside the UK, placeholders and points outside every seat are never snapped to a seat, sign-flipped longitudes are corrected only when the corrected point lies within 50 km of the provider's postcode seat, and {} distant sites no other listing corroborates are counted but flagged (`stemgap institutions --unplaced`). A zero is a real count of placed locations.",
        r.locations - unplaced(&r.location_unplaced[1]),
        r.locations,
        tally(&r.location_routes[1]),
        unplaced(&r.location_unplaced[1]),
        tally(&r.location_unplaced[1]),
        r.location_flagged.values().sum::<usize>(),
    );
    let unknown = r
        .stem_routes
        .get("unknown (not in 2018/19)")
        .copied()
        .unwrap_or(0);
    let stem_caveat = format!(
        "STEM means a course in CAH level-1 groups {} (HESA's science grouping; CAH12 geography is left out because level 1 mixes human and physical geography) in Unistats 2018/19, at the same site or, failing that, anywhere at the location's provider, so partner and franchise sites are tagged by what their provider teaches. {} locations are in neither route and are not counted as STEM (unknown, not zero STEM); locations whose name says they are no physical teaching site (see he_teaching_presence) are not counted either. Tags: {}. {}",
        STEM_CAH1.join(", "),
        unknown,
        tally(&r.stem_routes),
        location_caveat,
    );
    let quoted = |names: &[String], most: usize| -> String {
        let mut q: Vec<String> = names
            .iter()
            .take(most)
            .map(|n| format!("\"{n}\""))
            .collect();
        if names.len() > most {
            q.push(format!("and {} more", names.len() - most));
        }
        q.join(", ")
    };
    let teaching_rule = format!(
        "A physical teaching site is a Discover Uni 2025/26 teaching location placed in the seat by its coordinates (see he_locations) whose name has none of the whole words {} ({} placed location{} do{}{}); the provider teaching there is its LOCUKPRN, else the UKPRN listing it. A provider address counts only through such a site: the sources give no position for a postcode, and nothing else says students are taught at an address. {} providers teach at no physical teaching site in the file and count nowhere here ({}: online and distance registrations, and any whose sites the file does not list; `stemgap institutions --no-teaching` lists them with why); {} providers teach only outside their address's seat and count where they teach. {} distinct providers teach at a placed physical site in a 2024 seat, {} of them partners named only as a location's LOCUKPRN. A zero is a real absence of placed physical teaching sites.",
        NOT_A_SITE.map(|w| format!("\"{w}\"")).join(", "),
        r.not_a_site,
        if r.not_a_site == 1 { "" } else { "s" },
        if r.not_a_site == 1 { "es" } else { "" },
        if r.not_a_site > 0 {
            format!(": {}", quoted(&r.not_a_site_names, 6))
        } else {
            String::new()
        },
        r.no_teaching,
        quoted(&r.no_teaching_names, 5),
        r.not_at_address,
        r.teachers[1],
        r.teachers_unlisted,
    );
    let nations: &[Nation] = &Nation::ALL;
    let defs = [
        (
            "hei_count",
            "Higher-education providers",
            "Number of higher-education providers (Discover Uni, one per PUBUKPRN) whose address is in the seat.",
            SRC_PROVIDERS,
            PERIOD_PROVIDERS,
            provider_caveat,
        ),
        (
            "he_locations",
            "Higher-education teaching locations",
            "Number of Discover Uni higher-education teaching locations (UKPRN and LOCID) whose coordinates are in the seat.",
            SRC_LOCATIONS,
            PERIOD_LOCATIONS,
            location_caveat,
        ),
        (
            "he_stem_locations",
            "Higher-education teaching locations teaching STEM",
            "Number of Discover Uni higher-education teaching locations in the seat where a STEM subject (CAH level 1) was taught in Unistats 2018/19, at the site or else at its provider.",
            SRC_LOCATIONS,
            PERIOD_LOCATIONS,
            stem_caveat,
        ),
        (
            "hei_teaching_count",
            "Higher-education providers teaching in the seat",
            "Number of distinct higher-education providers (a location's LOCUKPRN, else the UKPRN listing it) teaching at a physical Discover Uni teaching location whose coordinates are in the seat; online-only and office-only registrations are not counted.",
            SRC_LOCATIONS,
            PERIOD_LOCATIONS,
            teaching_rule.clone(),
        ),
        (
            "he_teaching_presence",
            "Higher-education teaching presence",
            "1 when the seat holds a physical Discover Uni higher-education teaching location (of any provider), 0 when it holds none: a seat with a university or college teaching higher education, by where the teaching is, not where a provider is registered.",
            SRC_LOCATIONS,
            PERIOD_LOCATIONS,
            teaching_rule.clone(),
        ),
        (
            "hei_teaching_at_address",
            "Higher-education providers registered and teaching in the seat",
            "Number of higher-education providers (Discover Uni, one per PUBUKPRN) whose address is in the seat and which teach at a physical teaching location in the same seat: hei_count without online-only and office-only registrations, or providers teaching only elsewhere.",
            SRC_PROVIDERS,
            PERIOD_PROVIDERS,
            format!("Providers are placed as for hei_count (2010 set: an upper bound where a provider's split 2024 seat holds its sites in several 2010-set seats). {teaching_rule}"),
        ),
    ];
    for (id, title, definition, src, period, caveats) in &defs {
        let sources: Vec<&str> = if *id == "he_stem_locations" {
            vec![src, SRC_L1819, SRC_CL1819, SRC_SBJ1819, SRC_CAH]
        } else if *id == "hei_teaching_at_address" {
            vec![src, SRC_LOCATIONS]
        } else {
            vec![src]
        };
        out.define(
            Def {
                id,
                title,
                definition,
                unit: "count",
                direction: Direction::HigherIsBetter,
                sources: &sources,
                period,
                nations,
                method: Method::Derived,
                caveats,
            }
            .build(),
        );
    }
    // Six figures per seat of each set.
    out.reserve(6 * placed.seats.iter().map(Vec::len).sum::<usize>());
    for set in BoundarySet::ALL {
        let i = ix(set);
        let zero =
            || -> BTreeMap<GssCode, f64> { placed.seats[i].iter().map(|&s| (s, 0.0)).collect() };
        let (mut heis, mut upper, mut locs, mut stem) = (zero(), zero(), zero(), zero());
        let mut teachers: BTreeMap<GssCode, BTreeSet<&str>> = BTreeMap::new();
        // Seats each provider teaches at a physical site in.
        let mut teaches_in: BTreeMap<&str, BTreeSet<GssCode>> = BTreeMap::new();
        for s in &placed.sites {
            if let Some(seat) = s.teaching_in(i) {
                teaches_in.entry(s.teacher()).or_default().insert(seat);
            }
        }
        let (mut at_address, mut at_address_upper) = (zero(), zero());
        for p in &placed.providers {
            if let Some((seat, _)) = p.seats[i] {
                *heis
                    .get_mut(&seat)
                    .ok_or_else(|| unknown_seat(&placed.at[0], set, seat))? += 1.0;
                *upper.get_mut(&seat).expect("same seats") += 1.0;
                if teaches_in
                    .get(p.code.as_str())
                    .is_some_and(|t| t.contains(&seat))
                {
                    *at_address.get_mut(&seat).expect("same seats") += 1.0;
                    *at_address_upper.get_mut(&seat).expect("same seats") += 1.0;
                }
            } else if i == 0 {
                for c in &p.candidates_2010 {
                    if let Some(u) = upper.get_mut(c) {
                        *u += 1.0;
                    }
                }
                for c in &p.teaching_candidates_2010 {
                    if let Some(u) = at_address_upper.get_mut(c) {
                        *u += 1.0;
                    }
                }
            }
        }
        for s in &placed.sites {
            if let Some((seat, _)) = s.seats[i] {
                *locs
                    .get_mut(&seat)
                    .ok_or_else(|| unknown_seat(&placed.at[1], set, seat))? += 1.0;
                if s.stem == Some(true) && s.not_a_site.is_none() {
                    *stem.get_mut(&seat).expect("same seats") += 1.0;
                }
            }
            if let Some(seat) = s.teaching_in(i) {
                teachers.entry(seat).or_default().insert(s.teacher());
            }
        }
        let teaching = zero()
            .into_keys()
            .map(|c| (c, teachers.get(&c).map_or(0.0, |t| t.len() as f64)))
            .collect::<BTreeMap<_, _>>();
        let presence = teaching
            .iter()
            .map(|(&c, &n)| (c, if n > 0.0 { 1.0 } else { 0.0 }))
            .collect::<BTreeMap<_, _>>();
        for (id, counts, uppers) in [
            ("hei_count", &heis, &upper),
            ("hei_teaching_at_address", &at_address, &at_address_upper),
        ] {
            for (&code, &n) in counts {
                let hi = uppers[&code];
                if hi > n {
                    out.push_bounded(
                        set,
                        code,
                        id,
                        PERIOD_PROVIDERS,
                        (n, n, hi),
                        Method::Derived,
                        SRC_PROVIDERS,
                        &placed.at[0],
                    )?;
                } else {
                    out.push(
                        set,
                        code,
                        id,
                        PERIOD_PROVIDERS,
                        Cell::Value(n),
                        Method::Derived,
                        SRC_PROVIDERS,
                        &placed.at[0],
                    )?;
                }
            }
        }
        for (id, counts) in [
            ("he_locations", &locs),
            ("he_stem_locations", &stem),
            ("hei_teaching_count", &teaching),
            ("he_teaching_presence", &presence),
        ] {
            for (&code, &n) in counts {
                out.push(
                    set,
                    code,
                    id,
                    PERIOD_LOCATIONS,
                    Cell::Value(n),
                    Method::Derived,
                    SRC_LOCATIONS,
                    &placed.at[1],
                )?;
            }
        }
    }
    Ok(())
}

fn unknown_seat(at: &Location, set: BoundarySet, seat: GssCode) -> SourceError {
    SourceError::new(
        at.clone(),
        Problem::UnknownCode(format!("{seat}: placed in a seat the {set} registry lacks")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemgap_sources::Catalogue;

    fn code(s: &str) -> GssCode {
        GssCode::parse(s).unwrap()
    }

    const INSTITUTION: &str = "LEGAL_NAME,FIRST_TRADING_NAME,OTHER_NAMES,PROVADDRESS,PROVTEL,PROVURL,PUBUKPRN,UKPRN,COUNTRY,PUBUKPRNCOUNTRY,QAA_Report_Type,QAA_URL,SUURL,SUURLW
Alpha University Ltd,Alpha University,,\"1 High Street, Northam, NE1 5AB\",,,10000001,10000001,XF,XF,,,,
Beta College,,,\"Beta Lane, ne21ab\",,,10000002,10000002,XF,XF,,,,
Gamma College,,,\"Gamma Road, Belfast, BT1 1AA\",,,10000003,10000003,XG,XG,,,,
Delta School,,,,,,10000004,10000004,XF,XF,,,,
Epsilon Academy,,,\"Epsilon Way, Northam, NE1 7XY\",,,10000005,10000001,XG,XF,,,,
Epsilon Academy,,,\"Epsilon Way, Northam, NE1 7XY\",,,10000005,10000005,XF,XF,,,,
";

    const LOCATION: &str = "UKPRN,ACCOMURL,ACCOMURLW,LOCID,LOCNAME,LOCNAMEW,LATITUDE,LONGITUDE,LOCUKPRN,LOCCOUNTRY,SUURL,SUURLW
10000001,,,M,Alpha Main Campus,,52.5,-1.5,10000001,XF,,
10000001,,,F,Alpha Fenside,,52.6,1.5,,XF,,
10000001,,,P,Alpha Placeholder,,54.0,-4.0,,XF,,
10000001,,,X,Alpha Paris,,48.86,2.31,,XF,,
10000001,,,S,Alpha Sea,,52.5,-3.0,,XF,,
10000001,,,BL,Alpha Blank,,,,,XF,,
10000002,,,B,Beta Campus,,52.5,-0.5,,XF,,
10000002,,,OLD,Beta Old Mill,,52.5,-1.9,,XF,,
10000002,,,FAR,Beta Far Site,,52.4,-1.8,,XF,,
10000009,,,C,Shared Hall,,52.5,-1.95,,XF,,
10000002,,,C2,Shared Hall,,52.5,-1.951,,XF,,
10000003,,,N,Gamma Campus,,54.5,-6.5,,XG,,
";

    const L1819: &str = "UKPRN,ACCOMURL,ACCOMURLW,LOCID,LOCNAME,LOCNAMEW,LATITUDE,LONGITUDE,LOCUKPRN,LOCCOUNTRY,SUURL,SUURLW
10000001,,,M,Alpha Main Campus,,52.5,-1.5,,XF,,
10000002,,,B,Beta Campus,,52.5,-0.5,,XF,,
10000002,,,OLD,Beta Old Mill,,52.5,-0.5,,XF,,
";

    /// C1 is engineering (STEM) at Alpha's M; C2 business at Beta's B; SH
    /// is an id both use, physics at one and business at the other, so it
    /// cannot be attributed.
    const COURSELOCATION: &str = "PUBUKPRN,UKPRN,KISCOURSEID,KISMODE,LOCID
10000001,10000001,C1,1,M
10000001,10000001,SH,1,M
10000002,10000002,C2,1,B
10000002,10000002,SH,1,OLD
";

    const SBJ: &str = "KISCOURSEID,CODE\nC1,CAH10\nSH,CAH07\nC2,CAH17\nSH,CAH17\n";

    fn cah() -> String {
        let mut s = String::from("CODE,TITLE\n");
        for i in 1..=23 {
            s.push_str(&format!("CAH{i:02},\"group {i}\"\n"));
        }
        s
    }

    fn loaded<'c>(cat: &'c Catalogue, id: &str, text: &str) -> Loaded<'c> {
        let entry = cat.get(id).unwrap();
        Loaded {
            entry,
            bytes: text.as_bytes().to_vec(),
            location: Location::file(entry.path.clone()),
        }
    }

    fn files<'c>(cat: &'c Catalogue, location: &str) -> Files<'c> {
        Files {
            providers: loaded(cat, SRC_PROVIDERS, INSTITUTION),
            locations: loaded(cat, SRC_LOCATIONS, location),
            l1819: loaded(cat, SRC_L1819, L1819),
            cl1819: loaded(cat, SRC_CL1819, COURSELOCATION),
            sbj1819: loaded(cat, SRC_SBJ1819, SBJ),
            cah: loaded(cat, SRC_CAH, &cah()),
        }
    }

    fn square(x0: f64, y0: f64) -> Vec<Vec<Vec<[f64; 2]>>> {
        let (x1, y1) = (x0 + 1.0, y0 + 1.0);
        vec![vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]]
    }

    /// Seats A (-2..-1 °E), B (-1..0 °E) at 52-53 °N and a Northern Irish
    /// seat N (-7..-6 °E, 54-55 °N), the same shapes in both sets; B's
    /// population is split 30/70 between two 2010-set seats.
    type Ranges = Vec<(u64, Option<String>)>;

    fn world() -> (Geography, Vec<SeatMap>, Ranges) {
        let [a, b, n] = ["E14001001", "E14001002", "N05000001"].map(code);
        let [a10, b10, n10] = ["E14000001", "E14000002", "N06000001"].map(code);
        let geo = Geography {
            seats: [vec![a10, b10, n10], vec![a, b, n]],
            nations: [
                (a, Nation::England),
                (b, Nation::England),
                (n, Nation::NorthernIreland),
            ]
            .into_iter()
            .collect(),
            overlaps: [
                (a, vec![(a10, 1.0)]),
                (b, vec![(a10, 0.3), (b10, 0.7)]),
                (n, vec![(n10, 1.0)]),
            ]
            .into_iter()
            .collect(),
        };
        let shapes = |codes: [GssCode; 3]| {
            vec![
                (codes[0], square(-2.0, 52.0)),
                (codes[1], square(-1.0, 52.0)),
                (codes[2], square(-7.0, 54.0)),
            ]
        };
        let maps = vec![
            SeatMap::new(BoundarySet::Pcon2010, shapes([a10, b10, n10])),
            SeatMap::new(BoundarySet::Pcon2024, shapes([a, b, n])),
        ];
        let key = |p: &str| Postcode::parse(p).unwrap().key();
        let ranges = vec![
            (key("NE1 1AA"), Some(a.to_string())),
            (key("NE2 1AA"), Some(b.to_string())),
            (key("NE3 1AA"), None),
        ];
        (geo, maps, ranges)
    }

    fn run(location: &str) -> Result<Placed, SourceError> {
        let cat = Catalogue::embedded();
        let (geo, maps, ranges) = world();
        place_in(&files(&cat, location), &geo, &ranges, &maps)
    }

    fn row<'r>(rows: &'r [Institution], kind: &str, ukprn: &str, locid: &str) -> &'r Institution {
        rows.iter()
            .find(|r| r.kind == kind && r.ukprn == ukprn && r.locid == locid)
            .unwrap_or_else(|| panic!("no {kind} {ukprn} {locid}"))
    }

    #[test]
    fn addresses_end_with_postcodes() {
        let p = |a: &str| address_postcode(a).map(|p| p.to_string());
        assert_eq!(p("1 High Street, Northam, NE1 5AB").unwrap(), "NE1 5AB");
        assert_eq!(p("Beta Lane, ne21ab").unwrap(), "NE2 1AB");
        assert_eq!(p("Gamma Road, Belfast BT1 1AA.").unwrap(), "BT1 1AA");
        assert_eq!(p("  ").unwrap_err(), "PROVADDRESS is blank");
        assert!(p("Park Lane Campus, Park Lane, Leeds")
            .unwrap_err()
            .contains("does not end with a valid postcode"));
        assert!(p("Somewhere, ZZ9 9ZZ").is_err(), "no such postcode area");
    }

    #[test]
    fn site_names_match_on_a_distinctive_word() {
        assert!(same_name("Goldsmiths College", "Goldsmiths"));
        assert!(same_name(
            "Bishop Auckland College Main Campus",
            "Bishop Auckland College"
        ));
        assert!(!same_name("London Campus", "Kendal College"));
        assert!(!same_name("Main Campus", "City Campus"));
    }

    #[test]
    fn providers_are_placed_by_postcode_or_their_own_locations() {
        let placed = run(LOCATION).unwrap();
        let rows = placed.rows();
        assert_eq!(
            rows.iter().filter(|r| r.kind == "provider").count(),
            5,
            "Epsilon once"
        );
        let alpha = row(&rows, "provider", "10000001", "");
        assert_eq!(alpha.postcode.as_deref(), Some("NE1 5AB"));
        assert_eq!(alpha.seat_2024.as_deref(), Some("E14001001"));
        assert_eq!(alpha.route_2024.as_deref(), Some(route::POSTCODE));
        assert_eq!(alpha.seat_2010.as_deref(), Some("E14000001"));
        assert_eq!(alpha.route_2010.as_deref(), Some(route::POSTCODE_VIA_2024));
        assert_eq!((alpha.stem, alpha.problem.as_deref()), (Some(true), None));
        // Beta's seat is split between two 2010-set seats; both sites it
        // teaches at inside that seat (B, OLD) are in one of them.
        let beta = row(&rows, "provider", "10000002", "");
        assert_eq!(beta.seat_2024.as_deref(), Some("E14001002"));
        assert_eq!(beta.seat_2010.as_deref(), Some("E14000002"));
        assert_eq!(beta.route_2010.as_deref(), Some(route::VIA_2024_LOCATIONS));
        assert_eq!(beta.problem, None);
        // Northern Ireland: no range lookup; placed by its one location.
        let gamma = row(&rows, "provider", "10000003", "");
        assert_eq!(gamma.seat_2024.as_deref(), Some("N05000001"));
        assert_eq!(gamma.seat_2010.as_deref(), Some("N06000001"));
        assert_eq!(gamma.route_2024.as_deref(), Some(route::OWN_LOCATIONS));
        assert!(gamma.problem.as_deref().unwrap().starts_with(
            "Northern Ireland postcode: BT1 1AA is not in the range lookup (Great Britain only); placed by its 1 own teaching location in N05000001"
        ), "{:?}", gamma.problem);
        // No address at all, and no location of its own.
        let delta = row(&rows, "provider", "10000004", "");
        assert_eq!(
            (delta.seat_2010.as_deref(), delta.seat_2024.as_deref()),
            (None, None)
        );
        assert_eq!(
            delta.problem.as_deref(),
            Some("no postcode: PROVADDRESS is blank; it lists no teaching location of its own | no teaching presence: it lists no teaching location (as UKPRN or LOCUKPRN) in the 2025/26 LOCATION file: an online, distance or office-only registration, or one whose sites the file lacks; never in hei_teaching_count or he_teaching_presence")
        );
        // Two rows (two registering UKPRNs), one coded Northern Ireland.
        let eps = row(&rows, "provider", "10000005", "");
        assert_eq!(eps.seat_2024.as_deref(), Some("E14001001"));
        assert_eq!(
            eps.problem.as_deref(),
            Some("country code disagrees: COUNTRY XG (Northern Ireland) but the postcode NE1 7XY is in England; the postcode is trusted | no teaching presence: it lists no teaching location (as UKPRN or LOCUKPRN) in the 2025/26 LOCATION file: an online, distance or office-only registration, or one whose sites the file lacks; counted in hei_count where its address is, never in hei_teaching_count or he_teaching_presence")
        );
    }

    #[test]
    fn locations_are_checked_corrected_or_flagged() {
        let placed = run(LOCATION).unwrap();
        let rows = placed.rows();
        let at = |locid: &str| {
            rows.iter()
                .find(|r| r.kind == "location" && r.locid == locid)
                .unwrap()
        };
        let placed_in = |locid: &str| {
            let r = at(locid);
            (
                r.seat_2024.as_deref(),
                r.route_2024.as_deref(),
                r.seat_2010.as_deref(),
            )
        };
        assert_eq!(
            placed_in("M"),
            (
                Some("E14001001"),
                Some(route::COORDINATES),
                Some("E14000001")
            )
        );
        assert_eq!(at("M").problem, None);
        assert_eq!(
            placed_in("B"),
            (
                Some("E14001002"),
                Some(route::COORDINATES),
                Some("E14000002")
            )
        );
        // 1.5 °E is in no seat; negated, it is in Alpha's own seat.
        assert_eq!(
            placed_in("F"),
            (Some("E14001001"), Some(route::SIGN), Some("E14000001"))
        );
        assert_eq!(
            (at("F").place_lat, at("F").place_lon),
            (Some(52.6), Some(-1.5))
        );
        assert_eq!((at("F").lat, at("F").lon), (Some(52.6), Some(1.5)));
        assert!(at("F").problem.as_deref().unwrap().starts_with(
            "corrected: longitude sign: published (52.6, 1.5) is outside every seat; placed at (52.6, -1.5), 0.0 km"
        ));
        // 61 km from Beta's seat, but 2018/19 has the same named site in it.
        assert_eq!(
            placed_in("OLD"),
            (Some("E14001002"), Some(route::OLD), Some("E14000002"))
        );
        // 54 km from Beta's seat, nothing corroborates it: kept, flagged.
        assert_eq!(
            placed_in("FAR"),
            (
                Some("E14001001"),
                Some(route::COORDINATES),
                Some("E14000001")
            )
        );
        assert!(at("FAR").problem.as_deref().unwrap().starts_with(
            "far from its provider: (52.4, -1.8) is 54 km from its provider's postcode seat (10000002: E14001002)"
        ), "{:?}", at("FAR").problem);
        // As far, but another provider lists a site 70 m away.
        assert_eq!(
            placed_in("C2"),
            (
                Some("E14001001"),
                Some(route::CORROBORATED),
                Some("E14000001")
            )
        );
        assert_eq!(at("C2").problem, None);
        // No provider postcode to check against.
        assert_eq!(placed_in("C").1, Some(route::UNCHECKED));
        assert_eq!(
            placed_in("N"),
            (Some("N05000001"), Some(route::UNCHECKED), Some("N06000001"))
        );
        // Never placed.
        for (locid, problem) in [
            ("P", "placeholder coordinates: (54, -4) is the placeholder some providers give for an unknown site"),
            ("X", "outside the UK: (48.86, 2.31)"),
            ("S", "outside every seat: (52.5, -3)"),
            ("BL", "no coordinates: LATITUDE or LONGITUDE is blank"),
        ] {
            assert_eq!(placed_in(locid), (None, None, None), "{locid}");
            assert_eq!(at(locid).problem.as_deref(), Some(problem), "{locid}");
        }
        let r = &placed.report;
        let t = |pairs: &[(&str, usize)]| -> Tally {
            pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        assert_eq!(
            r.location_routes[1],
            t(&[
                (route::COORDINATES, 3),
                (route::CORROBORATED, 1),
                (route::UNCHECKED, 2),
                (route::OLD, 1),
                (route::SIGN, 1),
            ])
        );
        assert_eq!(
            r.location_unplaced[1],
            t(&[
                ("no coordinates", 1),
                ("outside every seat", 1),
                ("outside the UK", 1),
                ("placeholder coordinates", 1),
            ])
        );
        assert_eq!(r.location_flagged, t(&[("far from its provider", 1)]));
        assert_eq!(
            r.provider_routes[1],
            t(&[(route::POSTCODE, 3), (route::OWN_LOCATIONS, 1)])
        );
        assert_eq!(r.provider_unplaced[1], t(&[("no postcode", 1)]));
        assert_eq!(r.provider_unplaced[0], t(&[("no postcode", 1)]));
        assert_eq!(
            r.provider_routes[0],
            t(&[
                (route::POSTCODE_VIA_2024, 2),
                (route::VIA_2024_LOCATIONS, 1),
                (route::OWN_LOCATIONS, 1)
            ])
        );
    }

    #[test]
    fn stem_is_tagged_by_location_then_provider_and_shared_ids_are_ignored() {
        let placed = run(LOCATION).unwrap();
        let rows = placed.rows();
        let stem = |locid: &str| {
            let r = row(
                &rows,
                "location",
                if locid == "C" {
                    "10000009"
                } else if ["M", "F"].contains(&locid) {
                    "10000001"
                } else {
                    "10000002"
                },
                locid,
            );
            (r.stem, r.stem_route.as_deref())
        };
        // M: engineering there (SH cannot count, C1 does).
        assert_eq!(stem("M"), (Some(true), Some("location 2018/19")));
        // F: not in 2018/19; Alpha teaches engineering.
        assert_eq!(stem("F"), (Some(true), Some("provider 2018/19")));
        // B: business only.
        assert_eq!(stem("B"), (Some(false), Some("location 2018/19")));
        // OLD: only the unattributable SH there, and Beta has nothing else
        // known but business plus SH: unknown, not "no".
        assert_eq!(stem("OLD"), (None, None));
        assert_eq!(stem("C"), (None, None));
        assert_eq!(
            placed.report.stem_routes["(course ids ignored: shared, subjects disagree)"],
            1
        );
    }

    #[test]
    fn counts_per_seat_are_zero_where_nothing_was_placed() {
        let placed = run(LOCATION).unwrap();
        let mut out = Collector::default();
        collect(&placed, &mut out).unwrap();
        let v = |set, id: &str, period: &str| {
            let m = out.values(set, id, period);
            let mut pairs: Vec<(String, f64)> =
                m.into_iter().map(|(c, v)| (c.to_string(), v)).collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs
        };
        let pairs = |p: &[(&str, f64)]| -> Vec<(String, f64)> {
            p.iter().map(|(c, v)| (c.to_string(), *v)).collect()
        };
        use BoundarySet::{Pcon2010, Pcon2024};
        assert_eq!(
            v(Pcon2024, "hei_count", "2024/25"),
            pairs(&[("E14001001", 2.0), ("E14001002", 1.0), ("N05000001", 1.0)])
        );
        assert_eq!(
            v(Pcon2024, "he_locations", "2025/26"),
            pairs(&[("E14001001", 5.0), ("E14001002", 2.0), ("N05000001", 1.0)])
        );
        assert_eq!(
            v(Pcon2024, "he_stem_locations", "2025/26"),
            pairs(&[("E14001001", 2.0), ("E14001002", 0.0), ("N05000001", 0.0)])
        );
        assert_eq!(
            v(Pcon2010, "hei_count", "2024/25"),
            pairs(&[("E14000001", 2.0), ("E14000002", 1.0), ("N06000001", 1.0)])
        );
        // Every provider placed in both sets: no bounds.
        assert!(out
            .observations()
            .iter()
            .all(|o| o.lower.is_none() && o.upper.is_none()));
        // Physical teaching: Alpha, Beta (FAR, C2) and 10000009 in A.
        for set in [Pcon2010, Pcon2024] {
            let a = if set == Pcon2010 {
                "E14000001"
            } else {
                "E14001001"
            };
            let b = if set == Pcon2010 {
                "E14000002"
            } else {
                "E14001002"
            };
            let n = if set == Pcon2010 {
                "N06000001"
            } else {
                "N05000001"
            };
            assert_eq!(
                v(set, "hei_teaching_count", "2025/26"),
                pairs(&[(a, 3.0), (b, 1.0), (n, 1.0)])
            );
            assert_eq!(
                v(set, "he_teaching_presence", "2025/26"),
                pairs(&[(a, 1.0), (b, 1.0), (n, 1.0)])
            );
            // Alpha, Beta and Gamma teach where they are registered;
            // Epsilon (also in A) lists no site.
            assert_eq!(
                v(set, "hei_teaching_at_address", "2024/25"),
                pairs(&[(a, 1.0), (b, 1.0), (n, 1.0)])
            );
        }
        assert_eq!(
            v(Pcon2010, "he_locations", "2025/26"),
            pairs(&[("E14000001", 5.0), ("E14000002", 2.0), ("N06000001", 1.0)])
        );
        let def = out
            .definitions()
            .iter()
            .find(|d| d.id == "he_locations")
            .unwrap();
        assert_eq!(def.method, Method::Derived);
        assert_eq!(def.nations, Nation::ALL);
        assert!(
            def.caveats.contains("8 of 12 are placed in a 2024 seat"),
            "{}",
            def.caveats
        );
        assert!(def.caveats.contains("4 are not counted"), "{}", def.caveats);
    }

    fn rect(x0: f64, x1: f64, y0: f64) -> Vec<Vec<Vec<[f64; 2]>>> {
        let y1 = y0 + 1.0;
        vec![vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]]
    }

    /// [`world`] with the 2010-set border between A and B moved east to
    /// -0.75 °E, so that B's western quarter lies in the old seat A.
    fn run_split(location: &str) -> Placed {
        let cat = Catalogue::embedded();
        let (geo, mut maps, ranges) = world();
        let [a10, b10, n10] = ["E14000001", "E14000002", "N06000001"].map(code);
        maps[0] = SeatMap::new(
            BoundarySet::Pcon2010,
            vec![
                (a10, rect(-2.0, -0.75, 52.0)),
                (b10, rect(-0.75, 0.0, 52.0)),
                (n10, square(-7.0, 54.0)),
            ],
        );
        place_in(&files(&cat, location), &geo, &ranges, &maps).unwrap()
    }

    #[test]
    fn a_provider_in_a_split_seat_is_placed_only_where_its_sites_there_agree() {
        let beta = |placed: &Placed| row(&placed.rows(), "provider", "10000002", "").clone();
        // B and OLD (corrected to -0.5 °E) are both in the old seat B.
        let placed = run_split(LOCATION);
        let b = beta(&placed);
        assert_eq!(
            (b.seat_2010.as_deref(), b.route_2010.as_deref()),
            (Some("E14000002"), Some(route::VIA_2024_LOCATIONS))
        );
        // A third site of Beta's in its 2024 seat, west of the old border:
        // its sites there are in two 2010-set seats, so it is not placed.
        let more = format!("{LOCATION}10000002,,,B2,Beta West Wing,,52.5,-0.9,,XF,,\n");
        let placed = run_split(&more);
        let b = beta(&placed);
        assert_eq!((b.seat_2010, b.route_2010), (None, None));
        assert_eq!(
            b.problem.as_deref(),
            Some("2010 set: split: its 2024 seat E14001002 lies in 2 2010-set seats (E14000002 70%, E14000001 30%); the 3 teaching locations it teaches at in that seat lie in 2 2010-set seats (E14000001, E14000002)")
        );
        let mut out = Collector::default();
        collect(&placed, &mut out).unwrap();
        let bounds: Vec<_> = out
            .observations()
            .iter()
            .filter(|o| o.indicator == "hei_count" && o.boundary == Some(BoundarySet::Pcon2010))
            .map(|o| (o.code.to_string(), o.lower, o.upper))
            .collect();
        assert!(
            bounds.contains(&("E14000001".into(), Some(2.0), Some(3.0))),
            "{bounds:?}"
        );
        assert!(
            bounds.contains(&("E14000002".into(), Some(0.0), Some(1.0))),
            "{bounds:?}"
        );
        // Registered and teaching there: Beta could be in either old seat,
        // both holding a site it teaches at.
        let bounds: Vec<_> = out
            .observations()
            .iter()
            .filter(|o| {
                o.indicator == "hei_teaching_at_address"
                    && o.boundary == Some(BoundarySet::Pcon2010)
            })
            .map(|o| (o.code.to_string(), o.lower, o.upper))
            .collect();
        assert_eq!(
            bounds,
            [
                ("E14000001".into(), Some(1.0), Some(2.0)),
                ("E14000002".into(), Some(0.0), Some(1.0)),
                ("N06000001".into(), None, None),
            ]
        );
        // No site of its own in its 2024 seat: nothing says where it is.
        let none = LOCATION
            .lines()
            .filter(|l| !l.starts_with("10000002,,,B,") && !l.starts_with("10000002,,,OLD,"))
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        let b = beta(&run_split(&none));
        assert_eq!(b.seat_2010, None);
        assert!(b.problem.as_deref().unwrap().ends_with(
            "none of the teaching locations it teaches at is in that seat to say which part its address is in | no teaching at its address: none of the 2 physical teaching sites it teaches at is in its address's 2024 seat E14001002 (they are in E14001001); counted in hei_count there, in hei_teaching_count only where it teaches"
        ), "{:?}", b.problem);
    }

    #[test]
    fn online_and_office_registrations_are_listed_but_not_counted_as_teaching() {
        assert_eq!(not_a_site("Epsilon Online Office"), Some("online"));
        assert_eq!(
            not_a_site("National Delivery Various Locations"),
            Some("various")
        );
        assert_eq!(not_a_site("RAD Headquarters"), None);
        assert_eq!(
            not_a_site("Officers' Mess Campus"),
            None,
            "whole words only"
        );
        let office = format!("{LOCATION}10000005,,,O,Epsilon Online Office,,52.5,-1.2,,XF,,\n");
        let placed = run(&office).unwrap();
        let rows = placed.rows();
        let o = row(&rows, "location", "10000005", "O");
        assert_eq!(o.seat_2024.as_deref(), Some("E14001001"));
        assert_eq!(
            o.problem.as_deref(),
            Some("not a teaching site: its name says \"online\": not a physical teaching site; counted in he_locations, not as teaching presence")
        );
        // Epsilon's only location is an office: no teaching presence.
        let eps = row(&rows, "provider", "10000005", "");
        assert_eq!(eps.seat_2024.as_deref(), Some("E14001001"), "still placed");
        assert!(eps.problem.as_deref().unwrap().ends_with(
            "no teaching presence: none of the 1 location it teaches at is a placed physical teaching site (O Epsilon Online Office); counted in hei_count where its address is, never in hei_teaching_count or he_teaching_presence"
        ), "{:?}", eps.problem);
        let r = &placed.report;
        assert_eq!((r.no_teaching, r.not_at_address, r.not_a_site), (2, 0, 1));
        assert_eq!(r.teachers, [4, 4], "Alpha, Beta, Gamma, 10000009");
        let mut out = Collector::default();
        collect(&placed, &mut out).unwrap();
        let v = |id: &str| -> Vec<(String, f64)> {
            let mut p: Vec<_> = out
                .values(BoundarySet::Pcon2024, id, PERIOD_LOCATIONS)
                .into_iter()
                .map(|(c, v)| (c.to_string(), v))
                .collect();
            p.sort_by(|a, b| a.0.cmp(&b.0));
            p
        };
        // The office is a location, but no teacher is added by it.
        assert_eq!(v("he_locations")[0], ("E14001001".into(), 6.0));
        assert_eq!(v("hei_teaching_count")[0], ("E14001001".into(), 3.0));
        let def = out
            .definitions()
            .iter()
            .find(|d| d.id == "he_teaching_presence")
            .unwrap();
        assert!(
            def.caveats
                .contains("(1 placed location does: \"Epsilon Online Office\")"),
            "{}",
            def.caveats
        );
        assert!(
            def.caveats
                .contains("2 providers teach at no physical teaching site"),
            "{}",
            def.caveats
        );
    }

    #[test]
    fn a_coordinate_that_is_not_a_number_names_file_row_and_column() {
        let bad = LOCATION.replace("52.5,-1.5,10000001", "fifty-two,-1.5,10000001");
        let e = run(&bad).err().unwrap();
        assert_eq!(
            e.to_string(),
            "skills/discoveruni_LOCATION_2025.csv, row 2, column \"LATITUDE\": not a number: \"fifty-two\""
        );
        let dup = format!("{LOCATION}10000001,,,M,Again,,52.5,-1.5,,XF,,\n");
        assert!(run(&dup)
            .err()
            .unwrap()
            .to_string()
            .contains("duplicate row for 10000001 M"));
    }

    #[test]
    fn a_stem_group_missing_from_the_cah_table_is_an_error() {
        let cat = Catalogue::embedded();
        let (geo, maps, ranges) = world();
        let mut f = files(&cat, LOCATION);
        f.cah = loaded(&cat, SRC_CAH, &cah().replace("CAH13,", "CAH99,"));
        let e = place_in(&f, &geo, &ranges, &maps).err().unwrap();
        assert!(
            e.to_string()
                .contains("the STEM group CAH13 is not a CAH level-1 code here"),
            "{e}"
        );
    }
}
