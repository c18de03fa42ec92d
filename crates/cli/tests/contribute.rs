//! Declared sources and contributions: `stemgap contribute template|check`
//! and `stemgap build --contrib` on the test observatory with hand-made
//! contributions at seat, authority and small-area level
//! (`tests/fixtures/contrib/`), every invalid contribution with the error
//! it must produce (`tests/fixtures/contrib-invalid/`), the declared
//! population and UCAS sources byte-identical to the figures the Rust
//! readers made (`tests/fixtures/declared/`), and a made-up seat-level
//! apprenticeship-starts file recomputing F3 (observatory, and real data
//! when present).

use crate::common::{repo, run, stderr, stdout};
use crate::fixture::{observatory, observatory_catalogue};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

fn obs_args() -> [String; 4] {
    [
        "--sources".into(),
        observatory().display().to_string(),
        "--catalogue".into(),
        observatory_catalogue().display().to_string(),
    ]
}

fn check(recipe: &Path, data: Option<&Path>) -> std::process::Output {
    let mut args: Vec<String> = vec![
        "contribute".into(),
        "check".into(),
        "--recipe".into(),
        recipe.display().to_string(),
    ];
    if let Some(d) = data {
        args.extend(["--data".into(), d.display().to_string()]);
    }
    args.extend(obs_args());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

fn build(db: &Path, contrib: Option<&Path>) -> std::process::Output {
    let mut args: Vec<String> = vec!["build".into(), "--db".into(), db.display().to_string()];
    args.extend(obs_args());
    if let Some(c) = contrib {
        args.extend(["--contrib".into(), c.display().to_string()]);
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

fn export_long(db: &Path, set: &str) -> String {
    let o = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        set,
        "--long",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// (indicator, code) → (value, lower, upper, flag, method, source) from a long export.
type Long = BTreeMap<(String, String), [String; 6]>;

fn parse_long(text: &str) -> Long {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut out = Long::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let g = |i: usize| rec.get(i).unwrap().to_owned();
        out.insert((g(3), g(0)), [g(5), g(6), g(7), g(8), g(9), g(10)]);
    }
    out
}

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

#[test]
fn every_hand_made_contribution_passes_check() {
    for (case, expect) in [
        ("seat", "2 of 3 seats with a figure, 1 withheld"),
        ("lad", "2024 seats, Scotland: all 1 seats"),
        ("lsoa", "2024 seats, Wales: all 1 seats"),
        ("dz11", "2024 seats, Scotland: all 1 seats"),
        ("soa01", "2010 seats, Northern Ireland: all 1 seats"),
        ("msoa21", "2024 seats, England: all 3 seats"),
        ("xlsx", "2 of 3 seats with a figure, 1 withheld"),
        // A Nomis export: two period blocks (mapped to years), `!` and `~`
        // withheld, the `country:` row filtered out.
        (
            "nomis",
            "valid contribution `contrib_soc21_nomis` (8 rows of lad",
        ),
        (
            "nomis",
            "2024 seats, Wales, 2022: 0 of 1 seats with a figure, 1 withheld",
        ),
        ("nomis", "2024 seats, England, 2023: all 3 seats"),
        (
            "lad_mean",
            "2024 seats, Wales: 0 of 1 seats with a figure, 1 withheld",
        ),
        ("f3", "replaces F3's measure"),
        // Located rows: placed on both sets, the unplaceable ones listed
        // with their rows and why.
        ("postcode", "2024 set: 6 rows placed, 2 could not be placed"),
        (
            "postcode",
            "row 4, column \"postcode\": NE2 4EF is in 2024 seat E14001402, which is split",
        ),
        (
            "postcode",
            "row 8, column \"postcode\": BT1 1AA is a Northern Ireland postcode",
        ),
        ("postcode", "2024 seats, Scotland: all 1 seats"),
        (
            "point",
            "row 7, column \"lon\": longitude 2.35, latitude 48.85 is outside the UK",
        ),
        (
            "point",
            "2010 seats, Wales: 0 of 1 seats with a figure, 1 withheld",
        ),
    ] {
        let o = check(
            &fixtures().join("contrib").join(case).join("recipe.toml"),
            None,
        );
        assert!(o.status.success(), "{case}: {}", stderr(&o));
        assert!(stdout(&o).contains(expect), "{case}: {}", stdout(&o));
    }
}

/// Every folder of `tests/fixtures/contrib-invalid/` exits 3 with its
/// message (file, row and column); all failing cases are reported at once.
#[test]
fn every_invalid_contribution_fails_with_its_error() {
    let root = fixtures().join("contrib-invalid");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected = fs::read_to_string(case.join("expected_error.txt")).unwrap();
        let expected = expected.trim();
        let o = check(&case.join("recipe.toml"), None);
        let err = stderr(&o);
        if o.status.code() != Some(3) || !err.contains(expected) || err.lines().count() != 1 {
            failures.push(format!(
                "{}: exit {:?}\n  expected: {expected}\n  got: {err}",
                case.file_name().unwrap().to_string_lossy(),
                o.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every one-row-per-seat source (mid-2022 population, UCAS, KS4, the
/// composite IMD, Ofsted), now declared, gives the bytes
/// the Rust readers gave (both boundary sets). The golden files were the
/// readers' exports; they were rewritten once when the long CSV began
/// rounding to significant figures and KS4/KS2 percentages became shares,
/// after checking every value against the old file (÷ 100, within the
/// rounding).
#[test]
fn declared_sources_give_the_figures_the_readers_gave() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let o = build(&db, None);
    assert!(o.status.success(), "{}", stderr(&o));
    let ids = [
        "population",
        "population_16_plus",
        "population_18_64",
        "population_19_plus",
        "he_entry_rate_18",
        "ks4_attainment8",
        "ks4_a_c_pct",
        "ks2_expected_pct",
        "uk_imd_score",
        "uk_imd_high_deprivation_share",
        "uk_imd_pop_decile",
        "fe_providers",
        "fe_providers_good_share",
    ];
    // The census tables (England and Wales 2021, Scotland 2022), declared
    // later: their figures as the readers of cd3ba6a gave them.
    let census: &[&str] = &[
        "age_0_15_share",
        "age_16_24_share",
        "age_25_49_share",
        "age_50_64_share",
        "age_65_plus_share",
        "economically_active_share",
        "in_employment_share",
        "unemployed_share",
        "inactive_retired_share",
        "inactive_student_share",
        "inactive_long_term_sick_share",
        "ethnicity_asian_share",
        "ethnicity_black_share",
        "ethnicity_mixed_share",
        "ethnicity_white_share",
        "ethnicity_other_share",
        "industry_a_share",
        "industry_b_share",
        "industry_c_share",
        "industry_d_share",
        "industry_e_share",
        "industry_f_share",
        "industry_g_share",
        "industry_h_share",
        "industry_i_share",
        "industry_j_share",
        "industry_k_share",
        "industry_l_share",
        "industry_m_share",
        "industry_n_share",
        "industry_o_share",
        "industry_p_share",
        "industry_q_share",
        "industry_rstu_share",
        "nssec_higher_managerial_share",
        "nssec_higher_professional_share",
        "nssec_lower_managerial_share",
        "nssec_intermediate_share",
        "nssec_small_employers_share",
        "nssec_lower_supervisory_technical_share",
        "nssec_semi_routine_share",
        "nssec_routine_share",
        "nssec_never_worked_share",
        "nssec_long_term_unemployed_share",
        "nssec_students_share",
        "level4_share",
        "no_quals_share",
        "level3_share",
        "level2_share",
        "level1_share",
        "apprenticeship_qual_share",
        "other_quals_share",
        "female_share",
    ];
    for (ids, name) in [(&ids[..], "observatory"), (census, "observatory-census")] {
        for set in ["2010", "2024"] {
            let text = export_long(&db, set);
            let mut lines = text.split_inclusive('\n');
            let mut got = lines.next().unwrap().to_owned();
            for line in lines {
                let rec = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(line.as_bytes())
                    .records()
                    .next()
                    .unwrap()
                    .unwrap();
                if ids.contains(&rec.get(3).unwrap()) {
                    got.push_str(line);
                }
            }
            let before =
                fs::read_to_string(fixtures().join(format!("declared/{name}-{set}.csv"))).unwrap();
            assert!(before.lines().count() > 100, "{name} {set}");
            assert_eq!(got, before, "{name} {set}: the declared build differs");
        }
    }
}

#[test]
fn a_build_with_contributions_adds_them_flagged_and_changes_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, with) = (dir.path().join("plain.db"), dir.path().join("with.db"));
    let o = build(&plain, None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = build(&with, Some(&fixtures().join("contrib")));
    assert!(o.status.success(), "{}", stderr(&o));
    for set in ["2010", "2024"] {
        let (a, b) = (
            parse_long(&export_long(&plain, set)),
            parse_long(&export_long(&with, set)),
        );
        // Every catalogued figure is as it was (a replacement changes the
        // findings' view only, not the stored figures).
        for (k, v) in &a {
            assert_eq!(b.get(k), Some(v), "{set} {k:?}");
        }
        let get = |id: &str, code: &str| {
            b.get(&(id.to_owned(), code.to_owned()))
                .unwrap_or_else(|| panic!("{set}: no {id} for {code}"))
                .clone()
        };
        let seats: Vec<String> = b
            .keys()
            .filter(|(i, _)| i == "population")
            .map(|(_, c)| c.clone())
            .collect();
        assert_eq!(seats.len(), 6);
        let total = |id: &str| -> [f64; 3] {
            let mut t = [0.0; 3];
            for s in &seats {
                let Some(r) = b.get(&(id.to_owned(), s.clone())) else {
                    continue;
                };
                let v: f64 = r[0].parse().unwrap();
                t[0] += v;
                t[1] += r[1].parse().unwrap_or(v);
                t[2] += r[2].parse().unwrap_or(v);
            }
            t
        };
        // Authorities: 120 + 40 (a 2019 Somerset district, carried to
        // Somerset) + 60 + 20 + `~` (0 to 4) shared out, the total kept;
        // the withheld cell is a range, never zero.
        let t = total("adult_stem_courses");
        for (got, want) in t.iter().zip([242.0, 240.0, 244.0]) {
            assert!((got - want).abs() < 1e-9, "{set}: {t:?}");
        }
        let w = seats.iter().find(|c| c.starts_with('W')).unwrap();
        let wales = get("adult_stem_courses", w);
        assert_eq!(
            [&wales[0][..], &wales[1][..], &wales[2][..]],
            ["2", "0", "4"]
        );
        // A share from numerator and denominator: Scotland 24 / 60.
        let s = seats.iter().find(|c| c.starts_with('S')).unwrap();
        assert_eq!(get("adult_stem_courses_women_share", s)[0], "0.4");
        // Wales's share is 0-4 over 0-4: no figure, flagged, not zero.
        let ws = get("adult_stem_courses_women_share", w);
        assert_eq!((ws[0].as_str(), ws[3].as_str()), ("", "not_available"));
        // Small areas: the makerspace count is kept (8 in England, 2 in
        // Wales), and a mean lies within the small areas' values.
        let t = total("makerspaces");
        assert!((t[0] - 10.0).abs() < 1e-9, "{set}: {t:?}");
        for c in seats.iter().filter(|c| c.starts_with(['E', 'W'])) {
            let v: f64 = get("green_space_score", c)[0].parse().unwrap();
            assert!((10.0..=100.0).contains(&v), "{set} {c}: {v}");
            assert_eq!(get("green_space_score", c)[4], "contributed");
        }
        // An authority mean (matched by name): population-weighted, so a
        // seat inside one authority has its value, and English seats lie
        // between Northam's 60 and Somerset's 80; Wales's `x` is kept.
        let n = seats.iter().find(|c| c.starts_with('N')).unwrap();
        assert_eq!(get("course_satisfaction_score", n)[0], "50");
        assert_eq!(get("course_satisfaction_score", s)[0], "70");
        assert_eq!(get("course_satisfaction_score", w)[3], "not_available");
        for c in seats.iter().filter(|c| c.starts_with('E')) {
            let v: f64 = get("course_satisfaction_score", c)[0].parse().unwrap();
            assert!((60.0..=80.0).contains(&v), "{set} {c}: {v}");
        }
        for (k, v) in b.iter().filter(|(k, _)| {
            [
                "adult_stem_courses",
                "makerspaces",
                "green_space_score",
                "course_satisfaction_score",
            ]
            .contains(&k.0.as_str())
        }) {
            assert_eq!(v[4], "contributed", "{set} {k:?}");
        }
    }
    // Seat rows: as given on 2024 seats, the `c` kept as a flag.
    let b = parse_long(&export_long(&with, "2024"));
    let r = &b[&("stem_outreach_events".to_owned(), "E14001403".to_owned())];
    assert_eq!((r[0].as_str(), r[3].as_str()), ("", "confidential"));
    // Located rows, placed on both sets by the build (never converted):
    // summed per seat; a complete list's empty covered seat is 0; a split
    // 2024 seat's club widens its 2010-2024 seats' upper bounds; a `c`
    // without a range withholds the seat.
    let b10 = parse_long(&export_long(&with, "2010"));
    let at = |m: &Long, id: &str, code: &str| {
        m.get(&(id.to_owned(), code.to_owned()))
            .unwrap_or_else(|| panic!("no {id} for {code}"))
            .clone()
    };
    let r = at(&b, "stem_club_members", "E14001401");
    assert_eq!(
        (r[0].as_str(), r[4].as_str(), r[5].as_str()),
        ("20", "contributed", "contrib_stem_clubs_postcode_2024")
    );
    assert_eq!(at(&b, "stem_club_members", "S14000031")[0], "0");
    assert_eq!(at(&b10, "stem_club_members", "S14000031")[0], "0");
    assert!(!b.contains_key(&("stem_club_members".to_owned(), "N05000011".to_owned())));
    let r = at(&b10, "stem_club_members", "E14000801");
    assert_eq!([&r[0][..], &r[1][..], &r[2][..]], ["25", "20", "30"]);
    assert_eq!(at(&b, "stem_ambassador_visits", "E14001401")[0], "10");
    assert_eq!(at(&b10, "stem_ambassador_visits", "E14000801")[0], "10");
    assert_eq!(at(&b10, "stem_ambassador_visits", "N06000011")[0], "5");
    let r = at(&b, "stem_ambassador_visits", "W07000101");
    assert_eq!((r[0].as_str(), r[3].as_str()), ("", "confidential"));
    assert!(!b.contains_key(&("stem_ambassador_visits".to_owned(), "S14000031".to_owned())));
    // A workbook's sheet, read like a CSV (a title and a blank row skipped).
    let r = &b[&("stem_clubs".to_owned(), "E14001402".to_owned())];
    assert_eq!((r[0].as_str(), r[4].as_str()), ("2.5", "contributed"));
    let r = &b[&("stem_clubs".to_owned(), "E14001403".to_owned())];
    assert_eq!((r[0].as_str(), r[3].as_str()), ("", "confidential"));
    let r = &b[&("stem_outreach_events".to_owned(), "E14001401".to_owned())];
    assert_eq!(
        (r[0].as_str(), r[4].as_str(), r[5].as_str()),
        ("12", "contributed", "contrib_stem_outreach_2024")
    );
    // Data zones, NI SOAs and MSOAs 2021, carried to both sets (the
    // figures are worked out in crates/ingest/tests/recipe_small_areas.rs).
    assert_eq!(at(&b, "coding_clubs_dz", "S14000031")[0], "8");
    assert_eq!(at(&b10, "coding_clubs_soa", "N06000011")[0], "10");
    assert_eq!(at(&b, "lab_jobs_msoa", "E14001401")[0], "48");
    assert_eq!(at(&b10, "lab_jobs_msoa", "E14000801")[0], "100");
    assert_eq!(at(&b, "lab_jobs_msoa", "E14001401")[4], "contributed");
    // The contributor and licence are the source's publisher and licence
    // on the sources page; the method is `contributed` in the API and on
    // the profile.
    let app = std::sync::Arc::new(stemgap_web::App::open(&with).unwrap());
    let page = html(&app, "/sources");
    assert!(
        page.contains("Test STEM Network (contributed)"),
        "the sources page"
    );
    let one = api(&app, "/api/v1/constituencies/E14001401?boundaries=2024");
    let ind = one["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "stem_outreach_events")
        .unwrap_or_else(|| panic!("{one}"));
    assert!(ind.to_string().contains("\"contributed\""), "{ind}");
    let profile = html(&app, "/constituency/E14001401?boundaries=2024");
    assert!(profile.contains("STEM outreach events"), "the profile");
    assert!(
        profile.contains("contributed"),
        "the profile's method column"
    );
    // The contribute page: the register's gaps, templates, the example.
    let page = html(&app, "/contribute");
    assert!(page.contains("What is missing"), "the contribute page");
    assert!(
        page.contains("replaces = &#34;F3&#34;"),
        "the example recipe"
    );
    let t = get(&app, "/contribute/template-2024.csv");
    assert_eq!(t.lines().count(), 7, "{t}");
    assert!(
        t.starts_with("code,name,value\nE14001401,Northam North,\n"),
        "{t}"
    );
    assert!(t.contains("\"Glenbrae, Kyle and Strathannan\""), "{t}");
    assert!(get(&app, "/contribute/recipe-example.toml").contains("[[indicator]]"));
    // F3 reads the contributed measure and says so; the check recomputes it.
    let o = run(&["findings", "--db", with.to_str().unwrap(), "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "findings",
        "--db",
        with.to_str().unwrap(),
        "--id",
        "F3",
        "--format",
        "json",
    ]);
    let f3 = stdout(&o);
    assert!(
        f3.contains("Data used: the contributed seat-level measure"),
        "{f3}"
    );
    assert!(
        f3.contains("apprenticeship_starts_per_1000 (2025/26)"),
        "{f3}"
    );
    let o = run(&[
        "findings",
        "--db",
        plain.to_str().unwrap(),
        "--id",
        "F3",
        "--format",
        "json",
    ]);
    assert!(!stdout(&o).contains("contributed"));
}

fn api(app: &stemgap_web::Shared, uri: &str) -> serde_json::Value {
    serde_json::from_str(&get(app, uri)).unwrap()
}

fn html(app: &stemgap_web::Shared, uri: &str) -> String {
    get(app, uri)
}

fn get(app: &stemgap_web::Shared, uri: &str) -> String {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let req = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let res = stemgap_web::router(app.clone()).oneshot(req).await.unwrap();
        assert_eq!(res.status(), 200, "{uri}");
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    })
}

#[test]
fn a_contribution_cannot_redefine_a_catalogued_indicator() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c");
    fs::create_dir(&c).unwrap();
    let recipe = fs::read_to_string(fixtures().join("contrib/seat/recipe.toml"))
        .unwrap()
        .replace("id = \"stem_outreach_events\"", "id = \"population\"");
    fs::write(c.join("recipe.toml"), recipe).unwrap();
    fs::copy(fixtures().join("contrib/seat/data.csv"), c.join("data.csv")).unwrap();
    let db = dir.path().join("s.db");
    let o = build(&db, Some(&c));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("indicator population is already made from the catalogued sources"),
        "{}",
        stderr(&o)
    );
    assert!(!db.exists(), "no store is written");
}

/// `stemgap contribute template` for indicator `stem_clubs` on the test
/// observatory.
fn template(geography: &str, out: &Path) -> Output {
    let mut args = vec![
        "contribute".to_owned(),
        "template".into(),
        "--geography".into(),
        geography.into(),
        "--indicator".into(),
        "stem_clubs".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(obs_args());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

#[test]
fn a_template_is_valid_once_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    for geography in ["pcon2024", "pcon2010", "lad", "lsoa11", "dz11", "soa01"] {
        let out = dir.path().join(geography);
        let o = template(geography, &out);
        assert!(o.status.success(), "{geography}: {}", stderr(&o));
        // As written, the values are empty: the check says where.
        let o = check(&out.join("recipe.toml"), None);
        assert_eq!(o.status.code(), Some(3), "{geography}");
        assert!(
            stderr(&o).contains(
                "row 2, column \"stem_clubs\": the marker \"\" is not one the recipe allows"
            ),
            "{geography}: {}",
            stderr(&o)
        );
        // Filled in (every row a number, one `c`), it passes.
        let csv = fs::read_to_string(out.join("data.csv")).unwrap();
        let mut filled = String::new();
        for (i, line) in csv.lines().enumerate() {
            filled.push_str(line);
            match i {
                0 => {}
                1 => filled.push('c'),
                _ => filled.push_str(&i.to_string()),
            }
            filled.push('\n');
        }
        fs::write(out.join("data.csv"), filled).unwrap();
        let o = check(&out.join("recipe.toml"), None);
        assert!(o.status.success(), "{geography}: {}", stderr(&o));
        assert!(stdout(&o).contains("valid contribution"), "{}", stdout(&o));
    }
    // Data zones: every code of the registry, named by its code (the
    // registry has no other small-area names), for Scotland.
    let dz = fs::read_to_string(dir.path().join("dz11/data.csv")).unwrap();
    assert!(
        dz.starts_with("code,name,stem_clubs\nS01010001,S01010001,c\nS01010002,S01010002,2\n"),
        "{dz}"
    );
    assert_eq!(dz.lines().count(), 3, "{dz}");
    let recipe = fs::read_to_string(dir.path().join("dz11/recipe.toml")).unwrap();
    assert!(recipe.contains("geography = \"dz11\""), "{recipe}");
    assert!(recipe.contains("nations = [\"scotland\"]"), "{recipe}");
    // MSOAs 2021: no list of them in the registry, so no template.
    let o = template("msoa21", &dir.path().join("msoa21"));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("msoa21 templates are not available: stemgap's registry has no list of MSOA 2021 codes and names"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("msoa21").exists());
    let o = run(&[
        "contribute",
        "template",
        "--geography",
        "pcon2024",
        "--indicator",
        "../evil",
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `contribute template --geography postcode|point`: a header with the
/// location columns and the value column, no rows, and a recipe that is
/// valid once rows are added.
#[test]
fn a_located_template_is_valid_once_rows_are_added() {
    let dir = tempfile::tempdir().unwrap();
    for (geography, header, row) in [
        ("postcode", "name,postcode,stem_clubs", "Club,NE1 1AB,3"),
        (
            "point",
            "name,longitude,latitude,stem_clubs",
            "Club,1.5,51.5,3",
        ),
    ] {
        let out = dir.path().join(geography);
        let o = template(geography, &out);
        assert!(o.status.success(), "{geography}: {}", stderr(&o));
        let csv = fs::read_to_string(out.join("data.csv")).unwrap();
        assert_eq!(csv, format!("{header}\n"), "{geography}");
        let recipe = fs::read_to_string(out.join("recipe.toml")).unwrap();
        assert!(
            recipe.contains(&format!("geography = \"{geography}\"")),
            "{recipe}"
        );
        // With no rows, the check says so.
        let o = check(&out.join("recipe.toml"), None);
        assert_eq!(o.status.code(), Some(3), "{geography}");
        assert!(stderr(&o).contains("no data rows"), "{}", stderr(&o));
        fs::write(out.join("data.csv"), format!("{header}\n{row}\n")).unwrap();
        let o = check(&out.join("recipe.toml"), None);
        assert!(o.status.success(), "{geography}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("2024 set: 1 rows placed, 0 could not be placed"),
            "{}",
            stdout(&o)
        );
    }
}

/// Real data: `contribute template --geography dz11|soa01` writes every
/// data zone 2011 (6,976) or Northern Ireland SOA 2001 (890) of the
/// registry, and the filled-in template (invented values) passes the check
/// with every Scottish or Northern Irish seat of both sets reached.
#[test]
fn real_small_area_templates_list_every_data_zone_and_soa() {
    let Some(sources) = crate::common::real_data() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (geography, areas, prefix, nation, seats) in [
        ("dz11", 6976, "S01", "Scotland", [59, 57]),
        ("soa01", 890, "95", "Northern Ireland", [18, 18]),
    ] {
        let out = dir.path().join(geography);
        let mut args = vec![
            "contribute".to_owned(),
            "template".into(),
            "--geography".into(),
            geography.into(),
            "--indicator".into(),
            "stem_clubs".into(),
            "--out".into(),
            out.display().to_string(),
            "--sources".into(),
            sources.display().to_string(),
        ];
        let o = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{geography}: {}", stderr(&o));
        let csv = fs::read_to_string(out.join("data.csv")).unwrap();
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(rows.len(), areas, "{geography}");
        assert!(rows.iter().all(|r| r.starts_with(prefix)), "{geography}");
        let filled: String = std::iter::once("code,name,stem_clubs".to_owned())
            .chain(
                rows.iter()
                    .enumerate()
                    .map(|(i, r)| format!("{r}{}", i % 7)),
            )
            .map(|l| l + "\n")
            .collect();
        fs::write(out.join("data.csv"), filled).unwrap();
        args = vec![
            "contribute".to_owned(),
            "check".into(),
            "--recipe".into(),
            out.join("recipe.toml").display().to_string(),
            "--sources".into(),
            sources.display().to_string(),
        ];
        let o = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{geography}: {}", stderr(&o));
        for (set, n) in ["2010", "2024"].into_iter().zip(seats) {
            let want = format!("{set} seats, {nation}: all {n} seats");
            assert!(stdout(&o).contains(&want), "{want}: {}", stdout(&o));
        }
    }
}

/// Real data: a made-up seat-level starts rate for every English 2024 seat
/// (higher where the IMD score is higher) replaces F3's measure; F3 is
/// recomputed on it and its ledger says so.
#[test]
fn real_a_made_up_seat_level_file_recomputes_f3() {
    let Some(real) = crate::real_data::real_store() else {
        return;
    };
    let Some(sources) = crate::common::real_data() else {
        return;
    };
    let o = run(&[
        "export",
        "--db",
        real.to_str().unwrap(),
        "--boundaries",
        "2024",
        "--format",
        "csv",
    ]);
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, imd) = (col("code"), col("imd_score"));
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("f3");
    fs::create_dir(&c).unwrap();
    let mut data = String::from("pcon_code,pcon_name,starts_per_1000\n");
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        if rec[code].starts_with('E') {
            if let Ok(score) = rec[imd].parse::<f64>() {
                // Invented: 5 starts per 1,000 plus a fifth of the score.
                data.push_str(&format!("{},x,{}\n", &rec[code], 5.0 + score / 5.0));
                n += 1;
            }
        }
    }
    assert_eq!(n, 543);
    fs::write(c.join("data.csv"), data).unwrap();
    fs::copy(
        fixtures().join("contrib/f3/recipe.toml"),
        c.join("recipe.toml"),
    )
    .unwrap();
    let db = dir.path().join("f3.db");
    let o = run(&[
        "build",
        "--sources",
        sources.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--contrib",
        c.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["findings", "--db", db.to_str().unwrap(), "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let part = |db: &Path| -> serde_json::Value {
        let o = run(&[
            "findings",
            "--db",
            db.to_str().unwrap(),
            "--id",
            "F3/2024/apprenticeship_starts_per_1000",
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        if v.is_array() {
            v[0].clone()
        } else {
            v
        }
    };
    let (before, after) = (part(&real), part(&db));
    let est = after["estimate"]
        .as_f64()
        .expect("F3 estimated on the contribution");
    // Most deprived fifth over least: higher scores, more starts.
    assert!(est > 1.0, "{after}");
    assert_ne!(before["estimate"], after["estimate"]);
    assert!(after.to_string().contains("2025/26"), "{after}");
    let o = run(&["findings", "--db", db.to_str().unwrap(), "--id", "F3"]);
    assert!(
        stdout(&o).contains("Data used: the contributed seat-level measure"),
        "{}",
        stdout(&o)
    );
}

/// The optional DfE constituency recipes (`catalogue/recipes/optional/`)
/// on hand-made files in Explore Education Statistics layout: only the
/// constituency rows, counts made rates per 1,000 of the seat's population,
/// DfE's markers kept, and the apprenticeship file standing in for F3.
#[test]
fn the_optional_dfe_constituency_recipes_read_ees_files() {
    let dir = tempfile::tempdir().unwrap();
    let contrib = dir.path().join("contrib");
    for name in ["dfe_apprenticeships_pcon", "dfe_fe_skills_pcon"] {
        let d = contrib.join(name);
        fs::create_dir_all(&d).unwrap();
        fs::copy(
            repo().join(format!("catalogue/recipes/optional/{name}.toml")),
            d.join("recipe.toml"),
        )
        .unwrap();
        fs::copy(
            fixtures().join(format!("ees/{name}.csv")),
            d.join(format!("{name}.csv")),
        )
        .unwrap();
        let o = check(&d.join("recipe.toml"), None);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
    }
    let db = dir.path().join("s.db");
    let o = build(&db, Some(&contrib));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = export_long(&db, "2024");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut by: BTreeMap<(String, String, String), (String, String, String)> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        by.insert(
            (rec[3].to_owned(), rec[0].to_owned(), rec[4].to_owned()),
            (rec[5].to_owned(), rec[8].to_owned(), rec[9].to_owned()),
        );
    }
    let value = |id: &str, code: &str, period: &str| {
        by.get(&(id.to_owned(), code.to_owned(), period.to_owned()))
            .unwrap_or_else(|| panic!("no {id} {code} {period}"))
            .clone()
    };
    let pop16: f64 = value("population_16_plus", "E14001401", "2022")
        .0
        .parse()
        .unwrap();
    let pop19: f64 = value("population_19_plus", "E14001403", "2022")
        .0
        .parse()
        .unwrap();
    let (v, _, method) = value(
        "apprenticeship_starts_pcon_per_1000",
        "E14001401",
        "2024/25",
    );
    let v: f64 = v.parse().unwrap();
    // The long CSV rounds to 4 significant figures (counts to 6).
    let expected = 130.0 / pop16 * 1000.0;
    assert!((v - expected).abs() <= 5e-4 * expected, "{v} vs {expected}");
    assert_eq!(method, "contributed");
    let (v, flag, _) = value(
        "apprenticeship_starts_pcon_per_1000",
        "E14001402",
        "2023/24",
    );
    assert_eq!((v.as_str(), flag.as_str()), ("", "confidential"));
    let (v, _, _) = value("fe_participation_pcon_per_1000", "E14001403", "2023/24");
    let v: f64 = v.parse().unwrap();
    let expected = 1500.0 / pop19 * 1000.0;
    assert!((v - expected).abs() <= 5e-4 * expected, "{v} vs {expected}");
    let (v, flag, _) = value("fe_achievements_pcon_per_1000", "E14001402", "2023/24");
    assert_eq!((v.as_str(), flag.as_str()), ("", "not_available"));
    // Only England's constituencies: no rows for other seats.
    assert!(!by
        .keys()
        .any(|(id, code, _)| id.starts_with("fe_participation_pcon") && !code.starts_with('E')));
    let o = run(&["findings", "--db", db.to_str().unwrap(), "--id", "F3"]);
    let f3 = stdout(&o);
    assert!(f3.contains("dfe_apprenticeships_pcon"), "{f3}");
    assert!(
        f3.contains("apprenticeship_starts_per_1000 (2024/25)"),
        "{f3}"
    );
    let o = run(&["findings", "--db", db.to_str().unwrap(), "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The indicator ids the findings and the web name are among those the
/// build (declared sources included) produces, on the real sources.
#[test]
fn real_indicator_ids_used_by_findings_and_web_are_produced() {
    let Some(db) = crate::real_data::real_store() else {
        return;
    };
    let app = stemgap_web::App::open(&db).unwrap();
    let made: std::collections::BTreeSet<&str> =
        app.atlas.indicators.iter().map(|d| d.id.as_str()).collect();
    let mut missing = Vec::new();
    let web = stemgap_web::pages::HEADLINE
        .iter()
        .chain(&stemgap_web::brief::BRIEF_INDICATORS)
        .chain(std::iter::once(&stemgap_web::pages::DEPRIVATION_AXIS));
    for id in web {
        if !made.contains(id) {
            missing.push(format!("web: {id}"));
        }
    }
    let mut named = 0;
    for f in &app.atlas.findings.findings {
        for part in f.walk() {
            for used in &part.indicators {
                // "id (period)" or "id (not available)".
                let id = used.split(" (").next().unwrap();
                named += 1;
                if !made.contains(id) || used.ends_with("(not available)") {
                    missing.push(format!("{}: {used}", part.id));
                }
            }
        }
    }
    assert!(named > 100, "{named}");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Copies a folder tree (the test observatory is small).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The optional DfE constituency files, found in the sources directory as
/// `stemgap fetch` leaves them (recorded in `sources.lock`), are read
/// without `--contrib` and as the public sources they are: method
/// measured, DfE named as the publisher, F3 recomputed on the starts with
/// its ledger saying so (not "contributed"). A file that is not the one
/// the lock recorded stops the build, naming it, and leaves the store.
#[test]
fn optional_sources_in_the_sources_directory_are_read_as_published() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("sources");
    copy_tree(&observatory(), &src);
    // The observatory's catalogue with the real catalogue's optional entries.
    let real = fs::read_to_string(repo().join("catalogue/sources.toml")).unwrap();
    let optional = &real[real.find("\n[[optional]]").expect("optional entries")..];
    let catalogue = dir.path().join("catalogue.toml");
    let mut text = fs::read_to_string(observatory_catalogue()).unwrap();
    text.push_str(optional);
    fs::write(&catalogue, text).unwrap();
    fs::create_dir_all(src.join("optional")).unwrap();
    let mut lock = String::new();
    for name in ["dfe_apprenticeships_pcon", "dfe_fe_skills_pcon"] {
        let bytes = fs::read(fixtures().join(format!("ees/{name}.csv"))).unwrap();
        fs::write(src.join(format!("optional/{name}.csv")), &bytes).unwrap();
        lock.push_str(&format!(
            "[[source]]\nid = \"{name}\"\nurl = \"https://example.invalid/{name}\"\npath = \"optional/{name}.csv\"\nsha256 = \"{}\"\nbytes = {}\n\n",
            stemgap_sources::sha256_hex(&bytes),
            bytes.len()
        ));
    }
    fs::write(src.join("sources.lock"), &lock).unwrap();
    let db = dir.path().join("s.db");
    let args = |db: &Path| -> Vec<String> {
        vec![
            "build".into(),
            "--db".into(),
            db.display().to_string(),
            "--sources".into(),
            src.display().to_string(),
            "--catalogue".into(),
            catalogue.display().to_string(),
        ]
    };
    let refs = args(&db);
    let o = run(&refs.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = export_long(&db, "2024");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (ind, method) = (col("indicator"), col("method"));
    let methods: std::collections::BTreeSet<String> = r
        .records()
        .map(|rec| rec.unwrap())
        .filter(|rec| rec[ind].ends_with("_pcon_per_1000"))
        .map(|rec| rec[method].to_owned())
        .collect();
    assert_eq!(
        methods.into_iter().collect::<Vec<_>>(),
        ["measured"],
        "the optional sources are published, not contributed"
    );
    let o = run(&["findings", "--db", db.to_str().unwrap(), "--id", "F3"]);
    let f3 = stdout(&o);
    assert!(
        f3.contains("Data used: the seat-level measure") && f3.contains("Department for Education"),
        "{f3}"
    );
    assert!(!f3.contains("contributed seat-level"), "{f3}");
    // A changed file (the lock recorded another) stops the build.
    let kept = fs::read(&db).unwrap();
    fs::write(
        src.join("optional/dfe_fe_skills_pcon.csv"),
        b"time_period,geographic_level\n202324,National\n",
    )
    .unwrap();
    let o = run(&refs.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("optional/dfe_fe_skills_pcon.csv") && err.to_lowercase().contains("sha"),
        "{err}"
    );
    assert_eq!(fs::read(&db).unwrap(), kept, "the store is left as it was");
}
