//! Higher-education providers and teaching locations placed in seats, end
//! to end: on the test observatory (always; hand-computed expectations, see
//! `tests/observatory/README.md`) and on the real sources in
//! `../shared/data` (skipped, with a message, when they are absent). Each
//! store is built once for this module.

use crate::common::{run, stderr, stdout};
use crate::fixture::{build_with, observatory, observatory_catalogue};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use stemgap_core::BoundarySet;
use stemgap_store::{Institution, Store};

fn observatory_store() -> &'static Path {
    static STORE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("observatory.db");
            let o = build_with(&observatory(), &observatory_catalogue(), &db);
            assert!(
                o.status.success(),
                "observatory build failed: {}",
                stderr(&o)
            );
            (dir, db)
        })
        .1
}

use crate::real_data::real_store;

/// `stemgap institutions ARGS --format json --db DB`, parsed.
fn institutions(db: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["institutions"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--db", db.to_str().unwrap()]);
    let o = run(&all);
    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
    match serde_json::from_slice(&o.stdout).unwrap() {
        Value::Array(rows) => rows,
        other => panic!("not an array: {other}"),
    }
}

fn find<'r>(rows: &'r [Value], ukprn: &str, locid: Option<&str>) -> &'r Value {
    rows.iter()
        .find(|r| r["ukprn"] == ukprn && r["locid"].as_str() == locid)
        .unwrap_or_else(|| panic!("{ukprn} {locid:?} not listed"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// One indicator's exported value by seat code.
fn export(db: &Path, set: &str, indicator: &str) -> BTreeMap<String, String> {
    let o = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        set,
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let headers = r.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == indicator).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_owned(), rec[col].to_owned())
        })
        .collect()
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn observatory_seats_count_their_placed_institutions() {
    let db = observatory_store();
    assert_eq!(
        export(db, "2024", "hei_count"),
        map(&[
            ("E14001401", "1"),
            ("E14001402", "2"),
            ("E14001403", "0"),
            ("N05000011", "1"),
            ("S14000031", "1"),
            ("W07000101", "1"),
        ])
    );
    // Northam South's 2024 seat is split 34/66 between Northam East and
    // West. Northam South College teaches at both its sites there (NS, OW),
    // both in Northam West: placed there. Northam Distance Learning lists
    // no site at all: in neither 2010-set count (only in their bounds).
    assert_eq!(
        export(db, "2010", "hei_count"),
        map(&[
            ("E14000801", "1"),
            ("E14000802", "1"),
            ("E14000803", "0"),
            ("N06000011", "1"),
            ("S14000031", "1"),
            ("W07000061", "1"),
        ])
    );
    // 12 locations: 9 placed (one an office, not a teaching site) (one by a flipped sign, one by its 2018/19
    // position, one far away but corroborated, one far and flagged), and a
    // placeholder, one in Paris and one in the sea not counted.
    assert_eq!(
        export(db, "2024", "he_locations"),
        map(&[
            ("E14001401", "2"),
            ("E14001402", "2"),
            ("E14001403", "0"),
            ("N05000011", "1"),
            ("S14000031", "3"),
            ("W07000101", "1"),
        ])
    );
    assert_eq!(
        export(db, "2024", "he_stem_locations"),
        map(&[
            ("E14001401", "1"),
            ("E14001402", "1"),
            ("E14001403", "0"),
            ("N05000011", "0"),
            ("S14000031", "2"),
            ("W07000101", "0"),
        ])
    );
    assert_eq!(
        export(db, "2010", "he_locations"),
        map(&[
            ("E14000801", "2"),
            ("E14000802", "2"),
            ("E14000803", "0"),
            ("N06000011", "1"),
            ("S14000031", "3"),
            ("W07000061", "1"),
        ])
    );
    // Physical teaching: Northam University's head office is no teaching
    // site and Northam Distance Learning teaches nowhere, so Northam South
    // has one provider teaching (two registered); Glenbrae has three
    // providers teaching at its sites (two of them registered elsewhere).
    // Every seat's registered providers teach there, but for Northam
    // Distance Learning.
    let teaching = |set: &str| {
        (
            export(db, set, "hei_teaching_count"),
            export(db, set, "he_teaching_presence"),
            export(db, set, "hei_teaching_at_address"),
        )
    };
    let both = |codes: [&str; 6], counts: [&str; 6], presence: [&str; 6]| {
        let zip = |v: [&str; 6]| -> BTreeMap<String, String> {
            codes
                .iter()
                .zip(v)
                .map(|(c, v)| (c.to_string(), v.to_string()))
                .collect()
        };
        (zip(counts), zip(presence), zip(presence))
    };
    let counts = ["1", "1", "0", "1", "3", "1"];
    let presence = ["1", "1", "0", "1", "1", "1"];
    assert_eq!(
        teaching("2024"),
        both(
            [
                "E14001401",
                "E14001402",
                "E14001403",
                "N05000011",
                "S14000031",
                "W07000101"
            ],
            counts,
            presence
        )
    );
    assert_eq!(
        teaching("2010"),
        both(
            [
                "E14000801",
                "E14000802",
                "E14000803",
                "N06000011",
                "S14000031",
                "W07000061"
            ],
            counts,
            presence
        )
    );
}

#[test]
fn observatory_institutions_are_listed_by_seat_with_routes_and_reasons() {
    let db = observatory_store();
    let rows = institutions(db, &["E14001402"]);
    assert_eq!(rows.len(), 4, "{rows:?}");
    let college = find(&rows, "10090002", None);
    assert_eq!(college["kind"], "provider");
    assert_eq!(college["postcode"], "NE2 3AB");
    assert_eq!(college["route_2024"], "postcode");
    // Split seat: placed in the 2010 set by its sites there.
    assert_eq!(college["seat_2010"], "E14000802");
    assert_eq!(
        college["route_2010"],
        "postcode, then its teaching locations in its 2024 seat"
    );
    let online = find(&rows, "10090007", None);
    assert_eq!(online["seat_2010"], Value::Null);
    assert!(text(&online["problem"]).starts_with(
        "2010 set: split: its 2024 seat E14001402 lies in 2 2010-set seats (E14000802 66%, E14000801 34%); none of the teaching locations it teaches at is in that seat"
    ), "{online}");
    let old = find(&rows, "10090002", Some("OW"));
    assert_eq!(old["route_2024"], "corrected: 2018/19 coordinates");
    assert_eq!(
        (old["lat"].as_f64(), old["lon"].as_f64()),
        (Some(50.5), Some(1.5))
    );
    assert_eq!(
        (old["place_lat"].as_f64(), old["place_lon"].as_f64()),
        (Some(51.4), Some(0.5))
    );
    assert_eq!(
        (old["stem"].as_bool(), text(&old["stem_route"])),
        (Some(true), "location 2018/19")
    );
    let campus = find(&rows, "10090002", Some("NS"));
    assert_eq!(
        (campus["stem"].as_bool(), campus["problem"].is_null()),
        (Some(false), true)
    );
    // Text: the 2010-set view names the provider that may lie in the seat.
    let o = run(&["institutions", "E14000802", "--db", db.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("E14000802\tNortham West\t(Westminster constituencies 2010-2024)"),
        "{out}"
    );
    assert!(out.contains("higher-education providers: 1\n  10090002\tNortham South College\tNE2 3AB\tpostcode, then its teaching locations in its 2024 seat\t"), "{out}");
    assert!(out.contains("  and 1 provider whose 2024 seat is split, which may lie here:\n  ? 10090007\tNortham Distance Learning Ltd\tNE2 8ZZ"), "{out}");
    assert!(
        out.contains("teaching locations: 2 (1 teaching STEM)\nphysical teaching presence: 1 provider teaches at a physical site here (10090002)\n"),
        "{out}"
    );
    // The Welsh college coded England is placed by its postcode, flagged.
    let rows = institutions(db, &["W07000101", "--boundaries", "2024"]);
    let coleg = find(&rows, "10090003", None);
    assert_eq!(
        coleg["problem"],
        "country code disagrees: COUNTRY XF (England) but the postcode CF10 3XY is in Wales; the postcode is trusted"
    );
    assert_eq!(
        find(&rows, "10090003", Some("CM"))["route_2024"],
        "corrected: longitude sign"
    );
}

#[test]
fn observatory_unplaced_lists_every_problem_with_its_reason() {
    let db = observatory_store();
    let rows = institutions(db, &["--unplaced"]);
    let listed: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let reason = text(&r["problem"]).split(':').next().unwrap().to_owned();
            (
                text(&r["ukprn"]).to_owned(),
                text(&r["locid"]).to_owned(),
                reason,
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("10090003", "", "country code disagrees"),
        ("10090004", "", "Northern Ireland postcode"),
        ("10090005", "", "no postcode"),
        ("10090007", "", "2010 set"),
        ("10090001", "HO", "not a teaching site"),
        ("10090001", "PH", "placeholder coordinates"),
        ("10090002", "FAR", "far from its provider"),
        ("10090002", "OW", "corrected"),
        ("10090003", "CM", "corrected"),
        ("10090006", "PA", "outside the UK"),
        ("10090006", "SE", "outside every seat"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(listed, expected);
    let o = run(&[
        "institutions",
        "--unplaced",
        "--format",
        "csv",
        "--db",
        db.to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert!(out.starts_with("kind,ukprn,locid,name,partner,postcode,lat,lon,place_lat,place_lon,seat_2010,route_2010,seat_2024,route_2024,stem,stem_route,problem\n"), "{out}");
    assert_eq!(out.lines().count(), 12);
}

#[test]
fn observatory_no_teaching_lists_online_and_office_registrations_with_why() {
    let db = observatory_store();
    let rows = institutions(db, &["--no-teaching"]);
    let listed: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (text(&r["ukprn"]), text(&r["locid"])))
        .collect();
    assert_eq!(
        listed,
        [("10090005", ""), ("10090007", ""), ("10090001", "HO")]
    );
    assert!(text(&find(&rows, "10090007", None)["problem"]).contains(
        "no teaching presence: it lists no teaching location (as UKPRN or LOCUKPRN) in the 2025/26 LOCATION file"
    ));
    let o = run(&[
        "institutions",
        "--no-teaching",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("2 providers and 1 location not counted as physical teaching presence (hei_teaching_count, he_teaching_presence)\n"), "{out}");
    assert!(out.contains("location\t10090001 HO\tNortham University Head Office\t2024: E14001401 (coordinates); 2010: E14000801 (coordinates)\tnot a teaching site: its name says \"office\""), "{out}");
    let o = run(&[
        "institutions",
        "--no-teaching",
        "--unplaced",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "one list at a time");
}

#[test]
fn institutions_refuses_unknown_seats_and_missing_arguments() {
    let db = observatory_store().to_str().unwrap().to_owned();
    let o = run(&["institutions", "E14009999", "--db", &db]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("E14009999 is not a seat of either boundary set"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "institutions",
        "E14001401",
        "--boundaries",
        "2010",
        "--db",
        &db,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("E14001401 is not a seat of the 2010 boundaries"));
    let o = run(&["institutions", "--db", &db]);
    assert_eq!(o.status.code(), Some(2), "a code or --unplaced is required");
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Seat names of a set by code, from the store.
fn seat_names(db: &Path, set: BoundarySet) -> BTreeMap<String, String> {
    Store::open(db)
        .unwrap()
        .seats(set)
        .unwrap()
        .into_iter()
        .map(|a| (a.code, a.name))
        .collect()
}

#[test]
fn real_universities_land_in_their_seats() {
    let Some(db) = real_store() else { return };
    let store = Store::open(&db).unwrap();
    let all = store.all_institutions().unwrap();
    let names = [BoundarySet::Pcon2010, BoundarySet::Pcon2024].map(|s| seat_names(&db, s));
    // The seat a provider is placed in, by name, and the route.
    let seat = |ukprn: &str, set: BoundarySet| -> (String, String) {
        let p = all
            .iter()
            .find(|i| i.kind == "provider" && i.ukprn == ukprn)
            .unwrap_or_else(|| panic!("no provider {ukprn}"));
        let names = &names[usize::from(set == BoundarySet::Pcon2024)];
        (
            p.seat(set).map(|c| names[c].clone()).unwrap_or_default(),
            p.route(set).unwrap_or_default().to_owned(),
        )
    };
    use BoundarySet::{Pcon2010, Pcon2024};
    let by = |s: &str, r: &str| (s.to_owned(), r.to_owned());
    // By the postcode of the address; for the 2010 set through a 2024 seat
    // lying wholly in one 2010-set seat.
    assert_eq!(
        seat("10007795", Pcon2024),
        by("Leeds Central and Headingley", "postcode")
    );
    assert_eq!(seat("10007788", Pcon2024), by("Cambridge", "postcode"));
    assert_eq!(
        seat("10007788", Pcon2010),
        by("Cambridge", "postcode, via its 2024 seat")
    );
    assert_eq!(
        seat("10007792", Pcon2010),
        by("Exeter", "postcode, via its 2024 seat")
    );
    // Leeds Central and Headingley is split between 2010-set seats; the
    // university's own campus in it is in Leeds Central.
    assert_eq!(
        seat("10007795", Pcon2010),
        by(
            "Leeds Central",
            "postcode, then its teaching locations in its 2024 seat"
        )
    );
    // Northern Ireland (not in the GB postcode lookup): by its own site.
    assert_eq!(
        seat("10005343", Pcon2024),
        by("Belfast South and Mid Down", "teaching locations")
    );
    assert_eq!(
        seat("10005343", Pcon2010),
        by("Belfast South", "teaching locations")
    );
    // No address at all: by its own teaching location.
    assert_eq!(
        seat("10007786", Pcon2024),
        by("Bristol Central", "teaching locations")
    );
    // Ulster University's seven own sites are in several seats: unplaced.
    assert_eq!(seat("10007807", Pcon2024), by("", ""));
    let ulster = all
        .iter()
        .find(|i| i.ukprn == "10007807" && i.kind == "provider")
        .unwrap();
    assert!(ulster
        .problem
        .as_deref()
        .unwrap()
        .starts_with("Northern Ireland postcode: BT52 1SA"));
    // The London campus coded Northern Ireland is placed by its postcode.
    assert_eq!(
        seat("10037353", Pcon2024),
        by("Holborn and St Pancras", "postcode")
    );
    let qa = all.iter().find(|i| i.ukprn == "10037353").unwrap();
    assert!(qa
        .problem
        .as_deref()
        .unwrap()
        .starts_with("country code disagrees: COUNTRY XG (Northern Ireland)"));
    // The CLI lists a seat's institutions: Leeds's own campus is there.
    let code = names[1]
        .iter()
        .find(|(_, n)| *n == "Leeds Central and Headingley")
        .unwrap()
        .0;
    let rows = institutions(&db, &[code]);
    assert_eq!(
        find(&rows, "10007795", Some("A"))["route_2024"],
        "coordinates"
    );
}

#[test]
fn real_known_bad_coordinates_are_corrected_or_flagged() {
    let Some(db) = real_store() else { return };
    let all = institutions(&db, &["--unplaced"]);
    let route =
        |ukprn: &str, locid: &str| text(&find(&all, ukprn, Some(locid))["route_2024"]).to_owned();
    let problem =
        |ukprn: &str, locid: &str| text(&find(&all, ukprn, Some(locid))["problem"]).to_owned();
    // Sign-flipped longitudes (SOURCES.md names these three).
    assert_eq!(
        route("10000720", "MC"),
        "corrected: longitude sign",
        "Bishop Auckland College"
    );
    assert_eq!(
        route("10003863", "H_BRCBD71AY"),
        "corrected: longitude sign",
        "Bradford College"
    );
    // Goldsmiths' 0.35401 (for -0.035401) lands in Thurrock, 23 km away,
    // under 50 km: only the 2018/19 position of the same site gives it away.
    assert_eq!(
        route("10002718", "AA"),
        "corrected: 2018/19 coordinates",
        "Goldsmiths"
    );
    assert!(problem("10002718", "AA").contains("placed at (51.474143, -0.035401)"));
    // Mis-scaled: -0.77209 for -0.177209 (Imperial's Prince Consort Road).
    assert_eq!(route("10007778", "PC"), "corrected: 2018/19 coordinates");
    // Never placed: the placeholder, Paris, and points outside every seat.
    assert_eq!(problem("10041295", "14"), "placeholder coordinates: (54, -4) is the placeholder some providers give for an unknown site");
    assert_eq!(
        problem("10007812", "03"),
        "outside the UK: (48.859593, 2.314796)"
    );
    for (u, l) in [("10041295", "14"), ("10007812", "03")] {
        let r = find(&all, u, Some(l));
        assert!(
            r["seat_2024"].is_null() && r["seat_2010"].is_null(),
            "{u} {l}"
        );
    }
}

#[test]
fn real_placements_counted_by_route_and_reason() {
    let Some(db) = real_store() else { return };
    let all = Store::open(&db).unwrap().all_institutions().unwrap();
    let of = |kind: &'static str| all.iter().filter(move |i| i.kind == kind);
    let reason = |i: &&Institution| -> String {
        i.problem
            .as_deref()
            .unwrap_or_default()
            .split(':')
            .next()
            .unwrap()
            .to_owned()
    };
    let tally = |rows: Vec<String>| -> BTreeMap<String, usize> {
        let mut t = BTreeMap::new();
        for r in rows {
            *t.entry(r).or_insert(0) += 1;
        }
        t
    };
    let placed = |kind, set| {
        tally(
            of(kind)
                .filter_map(|i| i.route(set).map(str::to_owned))
                .collect(),
        )
    };
    let unplaced = |kind, set| {
        tally(
            of(kind)
                .filter(|i| i.seat(set).is_none())
                .map(|i| reason(&i))
                .collect(),
        )
    };
    use BoundarySet::{Pcon2010, Pcon2024};
    assert_eq!(of("provider").count(), 477, "one per PUBUKPRN");
    assert_eq!(
        placed("provider", Pcon2024),
        counts(&[("postcode", 460), ("teaching locations", 9)])
    );
    assert_eq!(
        unplaced("provider", Pcon2024),
        counts(&[("Northern Ireland postcode", 1), ("no postcode", 7)])
    );
    assert_eq!(
        placed("provider", Pcon2010),
        counts(&[
            (
                "postcode, then its teaching locations in its 2024 seat",
                258
            ),
            ("postcode, via its 2024 seat", 145),
            ("teaching locations", 9)
        ])
    );
    assert_eq!(
        unplaced("provider", Pcon2010),
        counts(&[
            ("2010 set", 57),
            ("Northern Ireland postcode", 1),
            ("no postcode", 7)
        ])
    );
    assert_eq!(of("location").count(), 986);
    assert_eq!(
        placed("location", Pcon2024),
        counts(&[
            ("coordinates", 792),
            ("coordinates, corroborated", 134),
            ("coordinates, unchecked", 30),
            ("corrected: 2018/19 coordinates", 4),
            ("corrected: longitude sign", 22),
        ])
    );
    assert_eq!(
        unplaced("location", Pcon2024),
        counts(&[
            ("outside every seat", 2),
            ("outside the UK", 1),
            ("placeholder coordinates", 1)
        ])
    );
    assert_eq!(placed("location", Pcon2010), placed("location", Pcon2024));
    let flagged = of("location")
        .filter(|i| i.seat_2024.is_some() && reason(i) == "far from its provider")
        .count();
    assert_eq!(flagged, 40);
    // The indicators count exactly the placed ones; a zero is a zero.
    let sum = |m: &BTreeMap<String, String>| -> f64 {
        m.values().map(|v| v.parse::<f64>().unwrap()).sum()
    };
    let heis = export(&db, "2024", "hei_count");
    assert_eq!(heis.len(), 650);
    assert_eq!(sum(&heis), 469.0);
    assert!(heis.values().any(|v| v == "0"));
    let locs = export(&db, "2024", "he_locations");
    assert_eq!(sum(&locs), 982.0);
    let stem = export(&db, "2024", "he_stem_locations");
    assert!(stem
        .iter()
        .all(|(c, v)| v.parse::<f64>().unwrap() <= locs[c].parse::<f64>().unwrap()));
    // STEM-tagged placed locations, offices and the like ("not a teaching
    // site") left out.
    let tagged = of("location")
        .filter(|i| i.seat_2024.is_some() && i.stem == Some(true))
        .filter(|i| {
            !i.problem
                .as_deref()
                .is_some_and(|p| p.contains("not a teaching site:"))
        })
        .count();
    assert_eq!(sum(&stem), tagged as f64);
    let h10 = export(&db, "2010", "hei_count");
    assert_eq!(h10.len(), 650);
    assert!(
        h10.values().all(|v| !v.is_empty()),
        "every 2010-set seat has a count"
    );
    assert_eq!(sum(&h10), 412.0);
    // Seats with a provider: 2010 set close to the 2024 set's now.
    let with = |m: &BTreeMap<String, String>| m.values().filter(|v| *v != "0").count();
    assert_eq!((with(&h10), with(&heis)), (249, 272));
    // Physical teaching presence: a seat with a physical teaching site.
    let p10 = export(&db, "2010", "he_teaching_presence");
    let p24 = export(&db, "2024", "he_teaching_presence");
    assert_eq!((with(&p10), with(&p24)), (405, 404));
    assert!(p24.values().all(|v| v == "0" || v == "1"));
    let t24 = export(&db, "2024", "hei_teaching_count");
    assert!(t24.iter().all(|(c, v)| (v != "0") == (p24[c] == "1")));
    assert_eq!(sum(&t24), 845.0);
    // Registered and teaching in the same seat: hei_count without online,
    // office-only and elsewhere-teaching registrations.
    let a10 = export(&db, "2010", "hei_teaching_at_address");
    let a24 = export(&db, "2024", "hei_teaching_at_address");
    assert_eq!((with(&a10), with(&a24)), (240, 246));
    assert_eq!((sum(&a10), sum(&a24)), (387.0, 393.0));
    assert!(a24
        .iter()
        .all(|(c, v)| v.parse::<f64>().unwrap() <= heis[c].parse::<f64>().unwrap()));
}

#[test]
fn real_providers_in_split_seats_are_placed_by_their_own_sites_there() {
    let Some(db) = real_store() else { return };
    let store = Store::open(&db).unwrap();
    let all = store.all_institutions().unwrap();
    let names = seat_names(&db, BoundarySet::Pcon2010);
    // Bournemouth West (2010 set): both universities' addresses are in the
    // split 2024 seat Bournemouth West, and their campuses in the old one.
    let code = names
        .iter()
        .find(|(_, n)| *n == "Bournemouth West")
        .unwrap()
        .0;
    let here: Vec<(String, String)> = store
        .institutions(BoundarySet::Pcon2010, code)
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == "provider")
        .map(|i| (i.name, i.route_2010.unwrap()))
        .collect();
    let route = "postcode, then its teaching locations in its 2024 seat".to_owned();
    assert_eq!(
        here,
        [
            ("Bournemouth University".to_owned(), route.clone()),
            ("The Arts University Bournemouth".to_owned(), route.clone()),
        ]
    );
    // Never placed in a 2010-set seat its sites are not in: every provider
    // placed this way teaches at a site in its 2024 seat, every such site is
    // in its 2010-set seat, and that seat overlaps its 2024 seat.
    let overlaps: std::collections::BTreeSet<(String, String)> = store
        .links("pcon2024->pcon2010")
        .unwrap()
        .into_iter()
        .map(|l| (l.from, l.to))
        .collect();
    let teacher = |l: &Institution| l.partner.clone().unwrap_or_else(|| l.ukprn.clone());
    let mut checked = 0;
    for p in all
        .iter()
        .filter(|i| i.kind == "provider" && i.route_2010.as_deref() == Some(route.as_str()))
    {
        let (s10, s24) = (p.seat_2010.clone().unwrap(), p.seat_2024.clone().unwrap());
        let sites: Vec<&Institution> = all
            .iter()
            .filter(|l| l.kind == "location" && teacher(l) == p.ukprn)
            .filter(|l| l.seat_2024.as_deref() == Some(s24.as_str()))
            .collect();
        assert!(!sites.is_empty(), "{}", p.name);
        assert!(
            sites
                .iter()
                .all(|l| l.seat_2010.as_deref() == Some(s10.as_str())),
            "{}",
            p.name
        );
        assert!(overlaps.contains(&(s24, s10)), "{}", p.name);
        checked += 1;
    }
    assert_eq!(checked, 258);
    // Leeds Beckett's two sites in its 2024 seat are in two old seats.
    let lb = all
        .iter()
        .find(|i| i.kind == "provider" && i.ukprn == "10003861")
        .unwrap();
    assert_eq!(lb.seat_2010, None);
    assert!(lb
        .problem
        .as_deref()
        .unwrap()
        .contains("the 2 teaching locations it teaches at in that seat lie in 2 2010-set seats"));
}

#[test]
fn real_online_and_office_registrations_are_listed_not_counted() {
    let Some(db) = real_store() else { return };
    let rows = institutions(&db, &["--no-teaching"]);
    let why = |ukprn: &str| text(&find(&rows, ukprn, None)["problem"]).to_owned();
    // The Open University and University of Essex Online list no site.
    for u in ["10007773", "10021682"] {
        assert!(
            why(u).contains("no teaching presence: it lists no teaching location"),
            "{u}"
        );
    }
    let kind = |k: &str, note: &str| {
        rows.iter()
            .filter(|r| r["kind"] == k && text(&r["problem"]).contains(note))
            .count()
    };
    assert_eq!(kind("provider", "no teaching presence:"), 36);
    assert_eq!(kind("provider", "no teaching at its address:"), 41);
    assert_eq!(kind("location", "not a teaching site:"), 4);
    let named: Vec<&str> = rows
        .iter()
        .filter(|r| r["kind"] == "location")
        .map(|r| text(&r["name"]))
        .collect();
    assert!(
        named.contains(&"National Delivery Various Locations"),
        "{named:?}"
    );
}
