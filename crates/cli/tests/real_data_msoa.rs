//! The MSOA 2021 indicators (BRES 2024 employees by workplace, Census 2021
//! TS063 occupation) on the real sources in `../shared/data` (skipped, with
//! a message, when they are absent): coverage of both boundary sets, counts
//! that add back up to the files, known places, the placement routes, and
//! the check of the apportioned census totals against the census's own
//! seat counts. The store is built once, with the module's log captured.

use crate::common::{real_data, stderr, stdout};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;
use stemgap_core::{BoundarySet, Method, Nation};
use stemgap_store::Store;

struct Built {
    /// Holds the store's directory for the whole run.
    _dir: tempfile::TempDir,
    db: PathBuf,
    /// The build's log from the MSOA module, without colours.
    log: String,
}

fn built() -> Option<&'static Built> {
    static BUILT: OnceLock<Option<Built>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let data = real_data()?;
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("real.db");
            let o = crate::common::stemgap()
                .env("STEMGAP_LOG", "stemgap_ingest::indicators::msoa=info")
                .args([
                    "build",
                    "--sources",
                    data.to_str().unwrap(),
                    "--db",
                    db.to_str().unwrap(),
                ])
                .output()
                .unwrap();
            assert!(o.status.success(), "real build failed: {}", stderr(&o));
            assert!(stdout(&o).contains("650 seats (2010) + 650 seats (2024)"));
            Some(Built {
                _dir: dir,
                db,
                log: strip_ansi(&stderr(&o)),
            })
        })
        .as_ref()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `key=value` fields of the log lines containing `message`.
fn log_fields(log: &str, message: &str) -> Vec<HashMap<String, String>> {
    log.lines()
        .filter(|l| l.contains(message))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
                .collect()
        })
        .collect()
}

const BRES_IDS: [&str; 20] = [
    "employees_total",
    "stem_jobs_share",
    "jobs_share_agriculture_forestry_fishing",
    "jobs_share_mining_utilities",
    "jobs_share_manufacturing",
    "jobs_share_construction",
    "jobs_share_motor_trades",
    "jobs_share_wholesale",
    "jobs_share_retail",
    "jobs_share_transport_storage",
    "jobs_share_accommodation_food",
    "jobs_share_information_communication",
    "jobs_share_financial_insurance",
    "jobs_share_property",
    "jobs_share_professional_scientific",
    "jobs_share_business_administration_support",
    "jobs_share_public_administration_defence",
    "jobs_share_education",
    "jobs_share_health",
    "jobs_share_arts_recreation_other",
];
const TS063_IDS: [&str; 3] = [
    "employed_residents_16plus",
    "professional_occupations_share",
    "technical_occupations_share",
];

/// Values of one indicator on one set, by seat code.
fn values(store: &Store, set: BoundarySet, id: &str) -> BTreeMap<String, f64> {
    store
        .observations(Some(set), Some(id))
        .unwrap()
        .into_iter()
        .map(|o| {
            let v = o
                .value
                .unwrap_or_else(|| panic!("{id} of {} is missing", o.code));
            (o.code.to_string(), v)
        })
        .collect()
}

fn seat_names(store: &Store, set: BoundarySet) -> HashMap<String, String> {
    store
        .seats(set)
        .unwrap()
        .into_iter()
        .map(|a| (a.code, a.name))
        .collect()
}

#[test]
fn msoa_indicators_cover_england_and_wales_on_both_sets() {
    let Some(b) = built() else { return };
    let store = Store::open(&b.db).unwrap();
    let defs = store.indicators().unwrap();
    for (set, england, wales) in [
        (BoundarySet::Pcon2010, 533, 40),
        (BoundarySet::Pcon2024, 543, 32),
    ] {
        for id in BRES_IDS.iter().chain(&TS063_IDS) {
            let def = defs.iter().find(|d| d.id == *id).expect(id);
            assert_eq!(def.method, Method::Apportioned, "{id}");
            assert_eq!(def.nations, [Nation::England, Nation::Wales], "{id}");
            let obs = store.observations(Some(set), Some(id)).unwrap();
            let mut by_nation: BTreeMap<Option<Nation>, usize> = BTreeMap::new();
            for o in &obs {
                *by_nation.entry(o.code.nation()).or_default() += 1;
                assert_eq!(o.method, Method::Apportioned);
                let v = o.value.expect("no gaps: every seat gets MSOAs");
                if id.contains("share") {
                    assert!((0.0..=1.0).contains(&v), "{id} {}: {v}", o.code);
                } else {
                    assert!(v > 10_000.0, "{id} {}: {v}", o.code);
                }
            }
            assert_eq!(
                by_nation,
                BTreeMap::from([
                    (Some(Nation::England), england),
                    (Some(Nation::Wales), wales)
                ]),
                "{set:?} {id}: England and Wales only ({} seats)",
                england + wales
            );
        }
        // The 18 groups partition all employees.
        let shares: Vec<_> = BRES_IDS[2..]
            .iter()
            .map(|id| values(&store, set, id))
            .collect();
        for code in shares[0].keys() {
            let sum: f64 = shares.iter().map(|s| s[code]).sum();
            assert!((sum - 1.0).abs() < 1e-9, "{set:?} {code}: {sum}");
        }
    }
    let stem = defs.iter().find(|d| d.id == "stem_jobs_share").unwrap();
    for group in [
        "Mining, quarrying & utilities (B,D and E)",
        "Manufacturing (C)",
        "Information & communication (J)",
        "Professional, scientific & technical (M)",
    ] {
        assert!(stem.definition.contains(group), "{}", stem.definition);
    }
    for words in [
        "by workplace",
        "provisional",
        "rounds the counts",
        "England and Wales only",
        "2011 LSOAs",
    ] {
        assert!(stem.caveats.contains(words), "{words}: {}", stem.caveats);
    }
}

/// Sums of the counts block of the BRES file and of TS063's totals, read
/// here independently of the product's readers.
fn file_totals() -> (f64, f64) {
    let data = real_data().unwrap();
    let text = std::fs::read_to_string(
        data.join("skills/nomis_bres2024_employees_broad_industry_msoa21_ew.csv"),
    )
    .unwrap();
    let mut employees = 0.0;
    let mut areas = 0;
    // Block 1 (counts) ends at the first blank line after its data.
    for line in text.lines().skip(10).take_while(|l| !l.trim().is_empty()) {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        assert!(rec[0].contains(" : "), "{line}");
        areas += 1;
        for i in (1..rec.len()).step_by(2) {
            employees += rec[i].parse::<f64>().unwrap();
        }
    }
    assert_eq!(areas, 7264);
    let mut r = csv::Reader::from_path(data.join("skills/census21_ts063_occupation_msoa21_ew.csv"))
        .unwrap();
    let residents: f64 = r
        .records()
        .map(|rec| rec.unwrap()[3].parse::<f64>().unwrap())
        .sum();
    (employees, residents)
}

#[test]
fn apportioned_counts_add_up_to_the_msoa_files() {
    let Some(b) = built() else { return };
    let store = Store::open(&b.db).unwrap();
    let (employees, residents) = file_totals();
    for set in BoundarySet::ALL {
        let e: f64 = values(&store, set, "employees_total").values().sum();
        let r: f64 = values(&store, set, "employed_residents_16plus")
            .values()
            .sum();
        // Nothing is dropped: every MSOA is shared out in full.
        assert!(
            (e - employees).abs() < 1e-6 * employees,
            "{set:?}: {e} vs {employees}"
        );
        assert!(
            (r - residents).abs() < 1e-6 * residents,
            "{set:?}: {r} vs {residents}"
        );
    }
}

#[test]
fn stem_jobs_are_where_the_city_and_the_science_parks_are() {
    let Some(b) = built() else { return };
    let store = Store::open(&b.db).unwrap();
    for (set, science) in [
        // Harwell Campus and Milton Park.
        (BoundarySet::Pcon2024, "Didcot and Wantage"),
        (BoundarySet::Pcon2010, "Wantage"),
    ] {
        let names = seat_names(&store, set);
        let rank = |id: &str, name: &str| {
            let v = values(&store, set, id);
            let mut seats: Vec<_> = v.iter().collect();
            seats.sort_by(|a, b| b.1.total_cmp(a.1));
            1 + seats
                .iter()
                .position(|(c, _)| names[*c] == name)
                .unwrap_or_else(|| panic!("{name} not found"))
        };
        // The City and Westminster have by far the most jobs (1.4 million
        // employees seen), with a STEM share (mostly J and M) in the top
        // 30 (26th of 575 and of 573 seen; the median seat is near 0.20).
        assert_eq!(
            rank("employees_total", "Cities of London and Westminster"),
            1,
            "{set:?}"
        );
        let e = values(&store, set, "employees_total");
        let city = names
            .iter()
            .find(|(_, n)| *n == "Cities of London and Westminster")
            .unwrap()
            .0;
        assert!(e[city] > 1_000_000.0, "{set:?}: {}", e[city]);
        let r = rank("stem_jobs_share", "Cities of London and Westminster");
        assert!(r <= 30, "{set:?}: the City ranks {r}");
        // Seen: 8th (2024) and 13th (2010).
        let r = rank("stem_jobs_share", science);
        assert!(r <= 20, "{set:?}: {science} ranks {r}");
        // Cambridge has the largest share of residents in professional
        // occupations on both sets.
        assert_eq!(
            rank("professional_occupations_share", "Cambridge"),
            1,
            "{set:?}"
        );
        let stem = values(&store, set, "stem_jobs_share");
        let mut v: Vec<f64> = stem.values().copied().collect();
        v.sort_by(f64::total_cmp);
        let median = v[v.len() / 2];
        assert!((0.15..0.25).contains(&median), "{set:?}: median {median}");
    }
}

#[test]
fn every_msoa_is_placed_and_the_routes_are_reported() {
    let Some(b) = built() else { return };
    let routes: BTreeMap<String, usize> = log_fields(&b.log, "MSOA placement route=")
        .into_iter()
        .map(|f| (f["route"].clone(), f["msoas"].parse().unwrap()))
        .collect();
    eprintln!("MSOA placement routes: {routes:?}");
    // Seen with the pinned files: 6,343 by name, 14 by the Shepway →
    // Folkestone and Hythe alias, 499 changed (in merged authorities or
    // with new 2021 codes) and all 408 Welsh MSOAs by authority.
    assert_eq!(
        routes,
        BTreeMap::from([
            ("name".to_owned(), 6343),
            ("alias".to_owned(), 14),
            ("changed".to_owned(), 499),
            ("authority".to_owned(), 408),
        ]),
        "{}",
        b.log
    );
    let done = &log_fields(&b.log, "MSOA placement done")[0];
    assert_eq!(done["msoas"], "7264");
    assert_eq!(done["welsh_by_authority"], "408");
    // The caveats say how many went each way.
    let store = Store::open(&b.db).unwrap();
    let defs = store.indicators().unwrap();
    for id in ["stem_jobs_share", "professional_occupations_share"] {
        let d = defs.iter().find(|d| d.id == id).unwrap();
        assert!(
            d.caveats
                .contains("Routes for the 7264 MSOAs: name 6343 MSOAs")
                && d.caveats.contains("authority 408 MSOAs"),
            "{}",
            d.caveats
        );
    }
}

#[test]
fn ts063_totals_match_the_census_seat_counts() {
    let Some(b) = built() else { return };
    let store = Store::open(&b.db).unwrap();
    let ours = values(&store, BoundarySet::Pcon2024, "employed_residents_16plus");
    let names = seat_names(&store, BoundarySet::Pcon2024);
    // Residents in employment by seat, from the census's own seat table:
    // economic activity categories 1, 2, 3 (employees and self-employed)
    // and 5 (full-time students in employment).
    let data = real_data().unwrap();
    let mut r = csv::Reader::from_path(data.join("census/census21_pcon2024_econact.csv")).unwrap();
    let mut census: BTreeMap<String, f64> = BTreeMap::new();
    for rec in r.records().map(Result::unwrap) {
        if ["1", "2", "3", "5"].contains(&&rec[2]) {
            *census.entry(rec[0].to_owned()).or_default() += rec[4].parse::<f64>().unwrap();
        }
    }
    assert_eq!(census.len(), 575);
    let mut rel: Vec<(f64, &str)> = census
        .iter()
        .map(|(c, n)| (ours[c] / n - 1.0, c.as_str()))
        .collect();
    rel.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    for (r, c) in rel.iter().take(5) {
        eprintln!("worst mismatch: {c} {} {:+.1}%", names[*c], 100.0 * r);
    }
    let mut abs: Vec<f64> = rel.iter().map(|(r, _)| r.abs()).collect();
    abs.sort_by(f64::total_cmp);
    let n = abs.len();
    let median = if n % 2 == 1 {
        abs[n / 2]
    } else {
        (abs[n / 2 - 1] + abs[n / 2]) / 2.0
    };
    eprintln!("median absolute mismatch {:.2}%", 100.0 * median);
    // Seen: a median of 0.39%; 574 of 575 seats within 10%; the worst are
    // Christchurch +13.1% (BCP and Dorset MSOAs were renumbered, so they
    // are shared across the authority), Swansea West +9.2% and Cardiff
    // North -5.6% (Wales goes by authority), Newcastle upon Tyne Central
    // and West +7.1% (MSOAs changed in 2021) and Mid Buckinghamshire -5.9%.
    assert!(median < 0.01, "median absolute mismatch {median}");
    assert!(abs[abs.len() - 1] < 0.2, "worst {:?}", rel[0]);
    let within = abs.iter().filter(|a| **a <= 0.10).count();
    assert!(within >= 570, "{within} of 575 seats within 10%");
    // The build logs the same check.
    let logged = log_fields(&b.log, "against the census seat counts (2024 seats)");
    let m: f64 = logged[0]["median_abs_mismatch"].parse().unwrap();
    assert!((m - median).abs() < 1e-9, "{m} vs {median}");
    assert_eq!(
        log_fields(&b.log, "worst MSOA-apportioned").len(),
        5,
        "{}",
        b.log
    );
}

/// A declared source of `geography = "msoa21"` goes through the same
/// placement: a contribution written at test time from the real TS063 file
/// (every MSOA's code, name and total residents in employment; nothing is
/// kept) gives every seat of both sets the figure the built-in reader gives
/// `employed_residents_16plus`, and its caveats the same routes.
#[test]
fn an_msoa21_contribution_is_placed_as_the_builtin_ts063_is() {
    let Some(b) = built() else { return };
    let data = real_data().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let contrib = dir.path().join("ts063");
    std::fs::create_dir(&contrib).unwrap();
    let mut r = csv::Reader::from_path(data.join("skills/census21_ts063_occupation_msoa21_ew.csv"))
        .unwrap();
    let mut out = String::from("msoa,name,residents\n");
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        out.push_str(&format!("{},\"{}\",{}\n", &rec[2], &rec[1], &rec[3]));
        n += 1;
    }
    assert_eq!(n, 7264);
    std::fs::write(contrib.join("data.csv"), out).unwrap();
    std::fs::write(
        contrib.join("recipe.toml"),
        r#"format = 1

[source]
id = "contrib_ts063_again"
title = "TS063 totals again, as a contribution (test)"
data = "data.csv"
geography = "msoa21"
code_column = "msoa"
name_column = "name"
period = { fixed = "2021" }
contributor = "Test"
licence = "OGL-UK-3.0"

[[indicator]]
id = "ts063_residents_again"
title = "Residents in employment (test)"
definition = "TS063 totals placed through a declared source (test)."
unit = "count"
direction = "neutral"
value = "residents"
nations = ["england", "wales"]
"#,
    )
    .unwrap();
    let db = dir.path().join("with.db");
    let o = crate::common::stemgap()
        .args([
            "build",
            "--sources",
            data.to_str().unwrap(),
            "--contrib",
            contrib.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "build with the contribution: {}",
        stderr(&o)
    );
    let (base, with) = (Store::open(&b.db).unwrap(), Store::open(&db).unwrap());
    for set in BoundarySet::ALL {
        let want = values(&base, set, "employed_residents_16plus");
        let got = values(&with, set, "ts063_residents_again");
        assert_eq!(
            want.keys().collect::<Vec<_>>(),
            got.keys().collect::<Vec<_>>(),
            "{set:?}"
        );
        for (code, w) in &want {
            let g = got[code];
            assert!((g - w).abs() <= 1e-9 * w, "{set:?} {code}: {g} vs {w}");
        }
        // The built-in figures are unchanged by the contribution.
        assert_eq!(want, values(&with, set, "employed_residents_16plus"));
    }
    let defs = with.indicators().unwrap();
    let d = defs
        .iter()
        .find(|d| d.id == "ts063_residents_again")
        .unwrap();
    assert_eq!(d.method, Method::Contributed);
    assert!(
        d.caveats.contains(
            "Routes for the 7264 MSOAs: name 6343 MSOAs, alias 14 MSOAs, changed 499 MSOAs, authority 408 MSOAs."
        ),
        "{}",
        d.caveats
    );
}
