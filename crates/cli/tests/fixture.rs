//! End to end on the test observatory (`tests/observatory/`, zola's
//! `test_site` idea): one tiny invented file for every source the build
//! reads, in the published layout, pinned by its own catalogue. Unlike
//! `real_data`, these tests always run, and the values they check are
//! computed by hand from the fixture files (see the comments and
//! `tests/observatory/README.md`).

use crate::common::{repo, run, stderr, stdout};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

/// The observatory's sources directory.
pub fn observatory() -> PathBuf {
    repo().join("tests/observatory")
}

/// Its catalogue (ids as in `catalogue/sources.toml`, checksums of the fixtures).
pub fn observatory_catalogue() -> PathBuf {
    observatory().join("catalogue.toml")
}

/// `stemgap build` of a sources directory through a catalogue into `db`.
pub fn build_with(sources: &Path, catalogue: &Path, db: &Path) -> Output {
    run(&[
        "build",
        "--sources",
        sources.to_str().unwrap(),
        "--catalogue",
        catalogue.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ])
}

fn build(db: &Path) -> Output {
    build_with(&observatory(), &observatory_catalogue(), db)
}

/// The observatory built once for the tests of this module.
struct Built {
    /// Holds the store's directory for the whole run (statics are never dropped).
    _dir: tempfile::TempDir,
    db: PathBuf,
    summary: String,
}

fn store() -> &'static Built {
    static STORE: OnceLock<Built> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("observatory.db");
        let o = build(&db);
        assert!(
            o.status.success(),
            "building the test observatory failed (exit {:?}):\n{}",
            o.status.code(),
            stderr(&o)
        );
        Built {
            _dir: dir,
            db,
            summary: stdout(&o),
        }
    })
}

/// Number of `[[source]]` entries in the observatory's catalogue.
fn catalogued() -> usize {
    std::fs::read_to_string(observatory_catalogue())
        .unwrap()
        .lines()
        .filter(|l| l.trim() == "[[source]]")
        .count()
}

fn export_raw(db: &Path, set: &str, format: &str) -> Vec<u8> {
    let o = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        set,
        "--format",
        format,
    ]);
    assert!(o.status.success(), "export {set} {format}: {}", stderr(&o));
    o.stdout
}

/// A CSV export: its header, and each row as column → cell, by seat code;
/// with the JSON export's numbers, which are the stored values unrounded
/// (the CSV rounds them to the figures their sources support), for the
/// checks against values computed by hand.
struct Export {
    header: Vec<String>,
    rows: BTreeMap<String, BTreeMap<String, String>>,
    order: Vec<String>,
    json: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

impl Export {
    fn of(db: &Path, set: &str) -> Export {
        let bytes = export_raw(db, set, "csv");
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
        let mut rows = BTreeMap::new();
        let mut order = Vec::new();
        for rec in r.records() {
            let rec = rec.unwrap();
            let row: BTreeMap<String, String> = header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect();
            let code = row["code"].clone();
            assert!(
                rows.insert(code.clone(), row).is_none(),
                "{set}: seat {code} exported twice"
            );
            order.push(code);
        }
        let json: Vec<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_slice(&export_raw(db, set, "json")).unwrap();
        let json = json
            .into_iter()
            .map(|row| (row["code"].as_str().unwrap().to_owned(), row))
            .collect();
        Export {
            header,
            rows,
            order,
            json,
        }
    }

    /// The raw cell of a seat and indicator.
    fn cell(&self, code: &str, indicator: &str) -> &str {
        let row = self
            .rows
            .get(code)
            .unwrap_or_else(|| panic!("no exported row for seat {code}"));
        row.get(indicator)
            .unwrap_or_else(|| panic!("no column {indicator:?} in the export"))
    }

    /// A seat's value of an indicator, which must be present.
    fn value(&self, code: &str, indicator: &str) -> f64 {
        let cell = self.cell(code, indicator);
        assert!(
            !cell.is_empty(),
            "{indicator} of {code} is empty, expected a value"
        );
        let csv: f64 = cell
            .parse()
            .unwrap_or_else(|e| panic!("{indicator} of {code}: {cell:?} is not a number ({e})"));
        let stored = self.json[code][indicator]
            .as_f64()
            .unwrap_or_else(|| panic!("{indicator} of {code}: no number in the JSON export"));
        assert!(
            rounded_to_some_figures(stored, csv),
            "{indicator} of {code}: the CSV's {cell} is not {stored} rounded"
        );
        stored
    }
}

/// Whether `csv` is `stored` rounded to 3 to 6 significant figures (the
/// downloads round by unit; whole numbers are kept).
fn rounded_to_some_figures(stored: f64, csv: f64) -> bool {
    (3..=6).any(|f| stemgap_web::download::table::round(stored, f) == csv)
}

fn exports() -> &'static (Export, Export) {
    static EXPORTS: OnceLock<(Export, Export)> = OnceLock::new();
    EXPORTS.get_or_init(|| {
        let db = &store().db;
        (Export::of(db, "2010"), Export::of(db, "2024"))
    })
}

/// The fixture's seats: (code, name, nation, region).
#[rustfmt::skip]
const SEATS_2010: [(&str, &str, &str, &str); 6] = [
    ("E14000801", "Northam East", "England", "North East"),
    ("E14000802", "Northam West", "England", "North East"),
    ("E14000803", "Southam, Vale and Downs", "England", "South West"),
    ("N06000011", "Loughmore", "Northern Ireland", "Northern Ireland"),
    ("S14000031", "Glenbrae", "Scotland", "Scotland"),
    ("W07000061", "Afon Valley", "Wales", "Wales"),
];
#[rustfmt::skip]
const SEATS_2024: [(&str, &str, &str, &str); 6] = [
    ("E14001401", "Northam North", "England", "North East"),
    ("E14001402", "Northam South", "England", "North East"),
    ("E14001403", "Southam and Vale", "England", "South West"),
    ("N05000011", "Loughmore", "Northern Ireland", "Northern Ireland"),
    ("S14000031", "Glenbrae, Kyle and Strathannan", "Scotland", "Scotland"),
    ("W07000101", "Bryn Môr", "Wales", "Wales"),
];

/// `actual` equals `expected` to 1e-12, with a readable message.
#[track_caller]
fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-12,
        "{what}: exported {actual}, computed by hand {expected} (difference {:e})",
        actual - expected
    );
}

#[test]
fn the_build_summary_counts_every_fixture_seat_and_source() {
    let Built { db, summary, .. } = store();
    let expected = format!("built {}: 6 seats (2010) + 6 seats (2024), ", db.display());
    assert!(
        summary.starts_with(&expected),
        "summary line {summary:?} does not start with {expected:?}"
    );
    // The observatory holds exactly the sources the build reads.
    let sources = format!(" from {} sources in ", catalogued());
    assert!(
        summary.contains(&sources),
        "summary line {summary:?} does not say{sources:?}: the build reads a \
         source the observatory lacks, or no longer reads one it has"
    );
    // 12 seats, 12 regions and nations, 5 + 5 authorities (2019, 2023), 16 small areas.
    assert!(
        summary.contains(", 50 areas, "),
        "summary line {summary:?}: expected 50 areas"
    );
}

#[test]
fn the_observatory_catalogue_pins_every_fixture() {
    let o = run(&[
        "sources",
        "--sources",
        observatory().to_str().unwrap(),
        "--catalogue",
        observatory_catalogue().to_str().unwrap(),
    ]);
    assert!(
        o.status.success(),
        "`stemgap sources` on the observatory failed (run dev/fixtures/observatory_catalogue.py?):\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    let n = catalogued();
    assert!(n > 0, "the observatory's catalogue is empty");
    assert!(
        stdout(&o).contains(&format!("{n} present, 0 missing, 0 checksum mismatch")),
        "{}",
        stdout(&o)
    );
    // Every file in the observatory is catalogued (nothing stray).
    fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut files = BTreeSet::new();
    walk(&observatory(), &observatory(), &mut files);
    let catalogue = std::fs::read_to_string(observatory_catalogue()).unwrap();
    for f in files {
        if f == "catalogue.toml" || f == "README.md" {
            continue;
        }
        assert!(
            catalogue.contains(&format!("path = \"{f}\"")),
            "tests/observatory/{f} is not in tests/observatory/catalogue.toml"
        );
    }
}

#[test]
fn export_has_one_row_per_fixture_seat_in_both_sets() {
    let (e10, e24) = exports();
    for (set, export, seats) in [("2010", e10, &SEATS_2010), ("2024", e24, &SEATS_2024)] {
        assert_eq!(
            export.header[..4],
            ["code", "name", "nation", "region"],
            "{set}: the export must start with code,name,nation,region"
        );
        assert!(
            export.header.len() > 4,
            "{set}: the export has no indicator columns"
        );
        let expected: Vec<&str> = seats.iter().map(|s| s.0).collect();
        assert_eq!(export.order, expected, "{set}: seats exported (in order)");
        for (code, name, nation, region) in seats.iter() {
            let row = &export.rows[*code];
            assert_eq!(
                (&row["name"][..], &row["nation"][..], &row["region"][..]),
                (*name, *nation, *region),
                "{set}: seat {code}"
            );
        }
    }
}

#[test]
fn json_export_matches_the_csv_export() {
    let (e10, e24) = exports();
    for (set, csv) in [("2010", e10), ("2024", e24)] {
        let bytes = export_raw(&store().db, set, "json");
        let rows: Vec<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_slice(&bytes).unwrap();
        assert_eq!(rows.len(), csv.rows.len(), "{set}: JSON rows");
        for row in &rows {
            let code = row["code"].as_str().unwrap();
            let keys: Vec<&String> = row.keys().collect();
            assert_eq!(keys.len(), csv.header.len(), "{set} {code}: JSON keys");
            for h in &csv.header {
                let cell = csv.cell(code, h);
                match &row[h] {
                    serde_json::Value::Null => {
                        assert_eq!(cell, "", "{set} {code} {h}: null in JSON, {cell:?} in CSV")
                    }
                    serde_json::Value::String(s) => assert_eq!(s, cell, "{set} {code} {h}"),
                    serde_json::Value::Number(n) => {
                        let v = n.as_f64().unwrap();
                        let c: f64 = cell.parse().unwrap_or_else(|_| {
                            panic!("{set} {code} {h}: {v} in JSON, {cell:?} in CSV")
                        });
                        assert!(
                            rounded_to_some_figures(v, c),
                            "{set} {code} {h}: {v} in JSON, {c} in CSV (not rounded from it)"
                        );
                    }
                    other => panic!("{set} {code} {h}: unexpected JSON value {other}"),
                }
            }
        }
    }
}

#[test]
fn census_shares_are_computed_from_the_fixture_counts() {
    let (_, e24) = exports();
    // census21_pcon2024_quals.csv, Northam North: Level 4+ (category 5) is
    // 15,000 of 60,000 residents aged 16+ (categories 0-6; -8 is under 16).
    assert_close(
        e24.value("E14001401", "level4_share"),
        15000.0 / 60000.0,
        "level4_share E14001401",
    );
    // Northam South: 13,579 of 11,000 + 8,000 + 10,000 + 3,500 + 12,000 + 13,579 + 11,921 = 70,000.
    assert_close(
        e24.value("E14001402", "level4_share"),
        13579.0 / 70000.0,
        "level4_share E14001402",
    );
    assert_close(
        e24.value("E14001402", "no_quals_share"),
        11000.0 / 70000.0,
        "no_quals_share E14001402",
    );
    // Bryn Môr (Wales): 9,500 of 40,000.
    assert_close(
        e24.value("W07000101", "level4_share"),
        9500.0 / 40000.0,
        "level4_share W07000101",
    );
    // census21_pcon2024_sex.csv, Northam North: 46,000 women, 44,500 men.
    assert_close(
        e24.value("E14001401", "female_share"),
        46000.0 / 90500.0,
        "female_share E14001401",
    );
    // census21_pcon2024_ethnicity5.csv, Northam North: White 81,900 of
    // 4,200 + 1,300 + 2,100 + 81,900 + 1,000 = 90,500 ("does not apply" is 0).
    assert_close(
        e24.value("E14001401", "ethnicity_white_share"),
        81900.0 / 90500.0,
        "ethnicity_white_share E14001401",
    );
}

#[test]
fn scottish_census_shares_are_computed_from_the_fixture_workbooks() {
    let (_, e24) = exports();
    let glenbrae = "S14000031";
    // sc_census22_pcon2024_agebysex.xlsx, sheet "0. Glenbrae, Kyle and
    // Strathann" (the seat name cut to 31 characters), "All people" row:
    // 48,851 women and 46,649 men (the perturbed totals, as published).
    assert_close(
        e24.value(glenbrae, "female_share"),
        48851.0 / (48851.0 + 46649.0),
        "female_share S14000031",
    );
    // Single years: 1,100 people at each age 0-84 and 2,000 aged 85+, so
    // 95,500 in all (not the perturbed 95,503) and 20 × 1,100 + 2,000 aged 65+.
    assert_close(
        e24.value(glenbrae, "age_65_plus_share"),
        24000.0 / 95500.0,
        "age_65_plus_share S14000031",
    );
    assert_close(
        e24.value(glenbrae, "age_0_15_share"),
        16.0 * 1100.0 / 95500.0,
        "age_0_15_share S14000031",
    );
    // sc_census22_pcon2024_ethnicity.xlsx: White 91,000 of the five groups'
    // sum 91,000 + 900 + 2,100 + (600 + 200) + 700 = 95,500.
    assert_close(
        e24.value(glenbrae, "ethnicity_white_share"),
        91000.0 / 95500.0,
        "ethnicity_white_share S14000031",
    );
    assert_close(
        e24.value(glenbrae, "ethnicity_black_share"),
        800.0 / 95500.0,
        "ethnicity_black_share S14000031",
    );
}

#[test]
fn seat_tables_give_their_published_values() {
    let (e10, e24) = exports();
    // mid2022_population_single_year_age_pcon2024.csv, Northam North: 1,000
    // at each age 0-89 and 500 aged 90+.
    assert_close(
        e24.value("E14001401", "population"),
        90500.0,
        "population E14001401",
    );
    assert_close(
        e24.value("E14001401", "population_16_plus"),
        74500.0,
        "population_16_plus E14001401",
    );
    // 19+: all residents less the single years 0-18.
    assert_close(
        e24.value("E14001401", "population_19_plus"),
        71500.0,
        "population_19_plus E14001401",
    );
    // Southam and Vale: 800 at each age 0-89, 400 aged 90+.
    assert_close(
        e24.value("E14001403", "population_19_plus"),
        57200.0,
        "population_19_plus E14001403",
    );
    // On 2010 seats, 19+ is converted through the 2024 → 2010 population overlap:
    // Northam East has all of Northam North and 2,260 of Northam South's 6,660
    // (Northam South: 1,100 + 10 × (age mod 5) at each age 0-89, 600 aged 90+: 80,140 aged 19+).
    assert_close(
        e10.value("E14000801", "population_19_plus"),
        71500.0 + 80140.0 * 2260.0 / 6660.0,
        "population_19_plus E14000801 (converted)",
    );
    // ucas_entry_rates_18yo_pcon2024_2006_2024.csv: the latest year, 2024.
    assert_close(
        e24.value("E14001401", "he_entry_rate_18"),
        0.345,
        "he_entry_rate_18 E14001401",
    );
    assert_close(
        e24.value("S14000031", "he_entry_rate_18"),
        0.309,
        "he_entry_rate_18 S14000031",
    );
    // ks4_attainment_pcon2010_2011_2022.csv (2010 seats): the latest year, 2022.
    assert_close(
        e10.value("E14000801", "ks4_attainment8"),
        47.25,
        "ks4_attainment8 E14000801",
    );
    assert_close(
        e10.value("E14000803", "ks4_a_c_pct"),
        0.71,
        "ks4_a_c_pct E14000803",
    );
    // ofsted_inspection_outcomes_pcon2024.csv: 5 open FE providers, 3 of 4
    // inspected good or outstanding.
    assert_close(
        e24.value("E14001401", "fe_providers"),
        5.0,
        "fe_providers E14001401",
    );
    assert_close(
        e24.value("E14001401", "fe_providers_good_share"),
        0.75,
        "fe_providers_good_share E14001401",
    );
    // mysociety_composite_uk_imd_pcon2010.csv.
    assert_close(
        e10.value("E14000802", "uk_imd_score"),
        37.5,
        "uk_imd_score E14000802",
    );
}

#[test]
fn small_area_deprivation_is_the_population_weighted_mean() {
    let (e10, e24) = exports();
    // Southam, Vale and Downs (2010, best fit): E01020008-10 with mid-2019
    // populations 1,600, 900, 1,800 and IMD scores 15, 10, 5.
    assert_close(
        e10.value("E14000803", "imd_score"),
        (1600.0 * 15.0 + 900.0 * 10.0 + 1800.0 * 5.0) / 4300.0,
        "imd_score E14000803",
    );
    // Southam and Vale (2024, overlap): 1,710 of E01020010's 1,800 (the other
    // 90 are a sliver in Bryn Môr, which Wales's own index covers).
    assert_close(
        e24.value("E14001403", "imd_score"),
        (1600.0 * 15.0 + 900.0 * 10.0 + 1710.0 * 5.0) / 4210.0,
        "imd_score E14001403",
    );
    // England's most deprived tenth: rank 1 of 10 small areas, E01020005
    // (1,300 people), in Northam West (4,400).
    assert_close(
        e10.value("E14000802", "imd_most_deprived_share"),
        1300.0 / 4400.0,
        "imd_most_deprived_share E14000802",
    );
    // Loughmore (2024): 95ZZ01S1 is unpopulated in the overlap, so the mean
    // rank is that of 95ZZ01S2 alone.
    assert_close(
        e24.value("N05000011", "imd_mean_rank"),
        1.0,
        "imd_mean_rank N05000011",
    );
}

#[test]
fn apportioned_rates_use_the_authority_shares_and_19_plus_population() {
    let (e10, e24) = exports();
    // DfE, "Southam, Vale of" (E07000187, which became Somerset E06000066 in
    // 2023): 420 aims achieved in 2021/22; all of Somerset is in Southam and
    // Vale (57,200 aged 19+).
    assert_close(
        e24.value("E14001403", "fe_achievements_per_1000"),
        420.0 / 57200.0 * 1000.0,
        "fe_achievements_per_1000 E14001403",
    );
    // STEM: Engineering 40 + ICT 25 + Science "~" (0 to 4, midpoint 2).
    assert_close(
        e24.value("E14001403", "fe_stem_achievements_per_1000"),
        67.0 / 57200.0 * 1000.0,
        "fe_stem_achievements_per_1000 E14001403",
    );
    // Apprenticeships: 150 in 2020/21, the latest full year (2021/22 is left out).
    assert_close(
        e24.value("E14001403", "apprenticeship_achievements_per_1000"),
        150.0 / 57200.0 * 1000.0,
        "apprenticeship_achievements_per_1000 E14001403",
    );
    // Nomis APS 2021, "ladu:Southam, Vale of": SOC 21 is 2,600 of 40,000.
    assert_close(
        e24.value("E14001403", "stem_professionals_share"),
        2600.0 / 40000.0,
        "stem_professionals_share E14001403",
    );
    assert_close(
        e10.value("E14000803", "stem_professionals_share"),
        2600.0 / 40000.0,
        "stem_professionals_share E14000803",
    );
    // APS T13a 2022, "ladu:Southam, Vale of": manufacturing 4,000 of 40,250
    // (energy and water "~" counts at its midpoint, 250, in the total).
    assert_close(
        e24.value("E14001403", "aps_manufacturing_share"),
        4000.0 / 40250.0,
        "aps_manufacturing_share E14001403",
    );
    assert_close(
        e24.value("E14001403", "aps_energy_water_share"),
        250.0 / 40250.0,
        "aps_energy_water_share E14001403",
    );
    // UK Business Counts 2022: the four STEM-heavy groups hold 400 of the
    // authority's 1,800 enterprises.
    assert_close(
        e24.value("E14001403", "stem_enterprises_share"),
        400.0 / 1800.0,
        "stem_enterprises_share E14001403",
    );
    assert_close(
        e10.value("E14000803", "stem_enterprises_share"),
        400.0 / 1800.0,
        "stem_enterprises_share E14000803",
    );
    // "ladu:Glenbrae and Strath": SOC 21 "~" (under 500: midpoint 250) of the
    // other groups' 30,000.
    assert_close(
        e24.value("S14000031", "stem_professionals_share"),
        250.0 / 30000.0,
        "stem_professionals_share S14000031",
    );
}

#[test]
fn missing_values_export_empty_never_zero() {
    let (e10, e24) = exports();
    let empty = |e: &Export, code: &str, ind: &str, why: &str| {
        assert_eq!(
            e.cell(code, ind),
            "",
            "{ind} of {code} must be empty ({why})"
        );
    };
    empty(
        e24,
        "N05000011",
        "he_entry_rate_18",
        "its 2024 UCAS cell is blank",
    );
    empty(
        e10,
        "E14000802",
        "ks4_attainment8",
        "its 2022 Attainment 8 cell is blank",
    );
    empty(
        e24,
        "E14001403",
        "fe_providers_good_share",
        "no provider was inspected",
    );
    empty(
        e24,
        "W07000101",
        "stem_professionals_share",
        "Nomis marks Afon's SOC 21 `!`",
    );
    empty(
        e24,
        "W07000101",
        "fe_providers",
        "Ofsted's Welsh rows are left out",
    );
    for code in ["S14000031", "N05000011"] {
        empty(
            e24,
            code,
            "level4_share",
            "no qualifications by seat outside England and Wales",
        );
    }
    // A true zero stays a zero.
    assert_eq!(
        e24.cell("E14001403", "fe_providers"),
        "0",
        "fe_providers of E14001403"
    );
    // No cell anywhere is a non-finite number.
    for (set, e) in [("2010", e10), ("2024", e24)] {
        for (code, row) in &e.rows {
            for (col, cell) in row.iter().skip(4) {
                if let Ok(v) = cell.parse::<f64>() {
                    assert!(v.is_finite(), "{set} {code} {col}: {cell}");
                }
            }
        }
    }
}

#[test]
fn indicators_lists_the_catalogue() {
    let (_, e24) = exports();
    let o = run(&["indicators", "--db", store().db.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    let header = lines.next().unwrap_or_default();
    for h in ["id", "unit", "method", "period", "nations", "title"] {
        assert!(header.contains(h), "header {header:?} lacks {h:?}");
    }
    let listed: Vec<&str> = lines.filter_map(|l| l.split_whitespace().next()).collect();
    let exported: Vec<&str> = e24.header[4..].iter().map(String::as_str).collect();
    assert_eq!(
        listed, exported,
        "`stemgap indicators` lists the export's indicator columns"
    );
    // Periods as the fixtures give them.
    let line = |id: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} not listed"))
            .to_owned()
    };
    assert!(
        line("he_entry_rate_18").contains("2006-2024"),
        "{}",
        line("he_entry_rate_18")
    );
    assert!(
        line("ks4_attainment8").contains("2017-2022"),
        "{}",
        line("ks4_attainment8")
    );
    assert!(
        line("female_share").contains("2021, 2022"),
        "{}",
        line("female_share")
    );
}

#[test]
fn postcodes_and_neighbours_come_from_the_fixture_lookups() {
    let db = store().db.to_str().unwrap().to_owned();
    // NE1 1AA starts Northam North's range; TA1 9ZZ's range points past the
    // end of value_values (no seat); CF10 9ZZ's is "the same as two back".
    let o = run(&["locate", "ne1 5ab", "--db", &db]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("NE1 5AB\tE14001401\tNortham North"),
        "{}",
        stdout(&o)
    );
    let o = run(&["locate", "CF10 2XY", "--db", &db]);
    assert!(
        stdout(&o).starts_with("CF10 2XY\tW07000101\tBryn Môr"),
        "{}",
        stdout(&o)
    );
    for gap in ["TA1 9ZZ", "CF10 9ZZ"] {
        let o = run(&["locate", gap, "--db", &db]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{gap}: {}{}",
            stdout(&o),
            stderr(&o)
        );
    }
    // Northam South shares an arc with four seats; Loughmore is an island.
    let o = run(&["neighbours", "E14001402", "--db", &db]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let found: BTreeSet<&str> = out
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let expected = BTreeSet::from(["E14001401", "E14001403", "S14000031", "W07000101"]);
    assert_eq!(found, expected, "neighbours of E14001402:\n{out}");
    let o = run(&["neighbours", "N05000011", "--db", &db]);
    assert!(
        stdout(&o).contains("W07000101\tBryn Môr\tno land border; nearest seat"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn building_twice_gives_identical_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for i in 0..2 {
        let db = dir.path().join(format!("twice{i}.db"));
        let o = build(&db);
        assert!(o.status.success(), "build {i}: {}", stderr(&o));
        let mut all = Vec::new();
        for set in ["2010", "2024"] {
            for format in ["csv", "json"] {
                all.push((set, format, export_raw(&db, set, format)));
            }
        }
        outputs.push(all);
    }
    for ((set, format, a), (_, _, b)) in outputs[0].iter().zip(&outputs[1]) {
        assert!(
            a == b,
            "export --boundaries {set} --format {format} differs between two builds"
        );
    }
}
