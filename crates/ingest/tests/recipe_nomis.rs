//! The Nomis reader of declared sources (`reader = "nomis"`): a hand-made
//! Nomis report-layout workbook (two period blocks, a metadata row, a
//! measure with confidence columns and one without, suppressed `!` and `~`
//! cells, a `country:` row and `ladu:` rows of the test observatory's
//! authorities, a note below the blocks) read through a recipe gives
//! exactly the figures, missing markers and periods written in it, the same
//! observations as the same long table written as CSV, and the same from a
//! CSV export of the layout; errors name the sheet's own row and column.
//! On the real APS workbook (skipped, with a message, when
//! `../shared/data` is absent) and on the observatory's invented copy, a
//! recipe reads the authority figures the hand-written reader
//! (`indicators::aps`) reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use stemgap_core::{BoundarySet, Cell, GssCode, Marker, Nation};
use stemgap_ingest::build::Inputs;
use stemgap_ingest::recipe::engine::{place_with, read_declared, Declared, Given, Parsed, Value};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::{Collector, Registry};
use stemgap_sources::{Catalogue, Encoding, Location, SourceDir, SourceError};

mod common;

/// The workbook's rows (numbers as numbers, the rest shared strings).
const ROWS: &[&[&str]] = &[
    &["annual population survey - invented test data"],
    &[],
    &["date", "Jan 2021-Dec 2021"],
    &["industry", "All industries"],
    &[],
    &[
        "Area",
        "T09a:21 (Science professionals)",
        "",
        "",
        "T09a:all (All occupations)",
        "",
    ],
    &["", "number", "Flags", "conf", "number", "Flags"],
    &["country:England", "5000", "", "400", "90000", ""],
    &["ladu:Northam", "1200", "", "300", "20000", ""],
    &["ladu:Somerset", "!", "", "*", "30000", ""],
    &["ladu:Afon", "~", "", "~", "8000", ""],
    &[],
    &["date", "Jan 2022-Dec 2022"],
    &["industry", "All industries"],
    &[
        "Area",
        "T09a:21 (Science professionals)",
        "",
        "",
        "T09a:all (All occupations)",
        "",
    ],
    &["", "number", "Flags", "conf", "number", "Flags"],
    &["country:England", "5100", "", "410", "91000", ""],
    &["ladu:Northam", "1300.5", "", "310", "21000", ""],
    &["ladu:Somerset", "2000", "", "500", "31000", ""],
    &["ladu:Afon", "150", "", "60", "8100", ""],
    &[],
    &["Source: invented for the test; notes below a blank row are not data"],
];

const RECIPE: &str = r#"format = 1

[source]
id = "contrib_nomis_test"
title = "SOC 21 professionals by local authority, a Nomis export (invented test data)"
data = "data.xlsx"
reader = "nomis"
sheet = "Data"
geography = "lad"
vintage = 2023
name_column = "area"
filter = { area_type = "ladu" }
period = { column = "period", map = { "Jan 2021-Dec 2021" = "2021", "Jan 2022-Dec 2022" = "2022" } }
contributor = "Test Contributor"
licence = "OGL-3.0"

[[indicator]]
id = "test_soc21_count"
title = "SOC 21 professionals"
definition = "Residents in employment in SOC 2010 group 21 (invented test data)."
unit = "count"
direction = "higher_is_better"
value = "T09a:21 (Science professionals)"
markers = ["!", "~"]
nations = ["england", "wales"]

[[indicator]]
id = "test_soc21_conf"
title = "SOC 21 professionals, 95% half-width"
definition = "The survey's 95% confidence half-width of the count (invented test data)."
unit = "count"
direction = "neutral"
value = "T09a:21 (Science professionals) conf"
markers = ["*", "~"]
nations = ["england", "wales"]

[[indicator]]
id = "test_soc21_share"
title = "SOC 21 share"
definition = "SOC 21 over all occupations (invented test data)."
unit = "share"
direction = "higher_is_better"
numerator = "T09a:21 (Science professionals)"
denominator = "T09a:all (All occupations)"
markers = ["!", "~"]
nations = ["england", "wales"]
"#;

fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let (sheet, strings) = common::shared_sheet_xml(rows);
    common::workbook_with(&[("Data", sheet)], Some(&strings))
}

fn read(recipe: &str, file: &str, data: &[u8], reg: &Registry) -> Result<Parsed, SourceError> {
    let r = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)?;
    read_declared(
        &Declared {
            recipe: &r,
            bytes: data,
            file,
            encoding: Encoding::Utf8,
            contributed: true,
        },
        reg,
        &Limits::DEFAULT,
    )
}

#[track_caller]
fn error(recipe: &str, file: &str, data: &[u8]) -> String {
    let reg = common::observatory_registry();
    match read(recipe, file, data, &reg) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// One row as read: the area, its nation and per indicator (period,
/// value, where).
type ReadRow = (String, Nation, Vec<Vec<(String, Value, String)>>);

/// One seat observation: (indicator, period, seat, value, flag).
type Obs = (String, String, String, Option<f64>, Option<Marker>);

/// What was read, row by row.
fn table(p: &Parsed) -> Vec<ReadRow> {
    p.rows
        .iter()
        .map(|r| {
            let v = r
                .values
                .iter()
                .map(|ind| {
                    ind.iter()
                        .map(|(p, v, at)| (p.clone(), *v, at.to_string()))
                        .collect()
                })
                .collect();
            (r.area.clone(), r.nation, v)
        })
        .collect()
}

const NORTH: &str = "E14001401";
const SOUTH: &str = "E14001402";
const WALES: &str = "W07000101";

fn seat(s: &str) -> GssCode {
    GssCode::parse(s).unwrap()
}

/// Invented shares: Northam a quarter in the north seat, three quarters in
/// the south; Somerset wholly in the south; Afon wholly in the Welsh seat.
fn shares() -> [(BoundarySet, stemgap_geography::apportion::Shares); 1] {
    let mut s = stemgap_geography::apportion::Shares::new();
    s.insert(
        "E06000091".into(),
        vec![(seat(NORTH), 0.25), (seat(SOUTH), 0.75)],
    );
    s.insert("E06000066".into(), vec![(seat(SOUTH), 1.0)]);
    s.insert("W06000099".into(), vec![(seat(WALES), 1.0)]);
    [(BoundarySet::Pcon2024, s)]
}

/// The seat observations, as (indicator, period, seat, value, flag).
fn observations(recipe: &str, file: &str, data: &[u8]) -> Result<Vec<Obs>, SourceError> {
    let reg = common::observatory_registry();
    let r = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)?;
    let d = Declared {
        recipe: &r,
        bytes: data,
        file,
        encoding: Encoding::Utf8,
        contributed: true,
    };
    let parsed = read_declared(&d, &reg, &Limits::DEFAULT)?;
    let shares = shares();
    let given = Given {
        lad_shares: Some(&shares),
        ..Default::default()
    };
    let mut out = Collector::default();
    place_with(&d, &parsed, &reg, given, &mut out)?;
    let mut v: Vec<_> = out
        .observations()
        .iter()
        .map(|o| {
            (
                o.indicator.to_string(),
                o.period.to_string(),
                o.code.to_string(),
                o.value,
                o.flag,
            )
        })
        .collect();
    v.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    Ok(v)
}

#[test]
fn a_nomis_workbook_reads_exactly_what_it_holds() {
    let reg = common::observatory_registry();
    let data = workbook(ROWS);
    let p = read(RECIPE, "data.xlsx", &data, &reg).unwrap();
    let at =
        |row: u64, col: &str| format!("data.xlsx, sheet \"Data\", row {row}, column \"{col}\"");
    let v = |x: f64| Value::Cell(Cell::Value(x));
    let m = |k: Marker| Value::Cell(Cell::Missing(k));
    let r = |n: f64, d: f64| Value::Ratio(Cell::Value(n), Cell::Value(d));
    // The `country:` row is filtered out; the periods are mapped; every
    // value is where the sheet has it.
    let want = vec![
        (
            "E06000091".to_owned(),
            Nation::England,
            vec![
                vec![("2021".to_owned(), v(1200.0), at(9, "B"))],
                vec![("2021".to_owned(), v(300.0), at(9, "D"))],
                vec![("2021".to_owned(), r(1200.0, 20000.0), at(9, "B"))],
            ],
        ),
        (
            "E06000066".to_owned(),
            Nation::England,
            vec![
                vec![("2021".to_owned(), m(Marker::Star), at(10, "B"))],
                vec![("2021".to_owned(), m(Marker::Star), at(10, "D"))],
                vec![(
                    "2021".to_owned(),
                    Value::Ratio(Cell::Missing(Marker::Star), Cell::Value(30000.0)),
                    at(10, "B"),
                )],
            ],
        ),
        (
            "W06000099".to_owned(),
            Nation::Wales,
            vec![
                vec![("2021".to_owned(), m(Marker::Tilde), at(11, "B"))],
                vec![("2021".to_owned(), m(Marker::Tilde), at(11, "D"))],
                vec![(
                    "2021".to_owned(),
                    Value::Ratio(Cell::Missing(Marker::Tilde), Cell::Value(8000.0)),
                    at(11, "B"),
                )],
            ],
        ),
        (
            "E06000091".to_owned(),
            Nation::England,
            vec![
                vec![("2022".to_owned(), v(1300.5), at(18, "B"))],
                vec![("2022".to_owned(), v(310.0), at(18, "D"))],
                vec![("2022".to_owned(), r(1300.5, 21000.0), at(18, "B"))],
            ],
        ),
        (
            "E06000066".to_owned(),
            Nation::England,
            vec![
                vec![("2022".to_owned(), v(2000.0), at(19, "B"))],
                vec![("2022".to_owned(), v(500.0), at(19, "D"))],
                vec![("2022".to_owned(), r(2000.0, 31000.0), at(19, "B"))],
            ],
        ),
        (
            "W06000099".to_owned(),
            Nation::Wales,
            vec![
                vec![("2022".to_owned(), v(150.0), at(20, "B"))],
                vec![("2022".to_owned(), v(60.0), at(20, "D"))],
                vec![("2022".to_owned(), r(150.0, 8100.0), at(20, "B"))],
            ],
        ),
    ];
    assert_eq!(table(&p), want);
    assert_eq!(p.periods, vec![vec!["2021", "2022"]; 3]);

    // On seats: suppressed authorities make the seats they reach missing,
    // never zero.
    let obs = observations(RECIPE, "data.xlsx", &data).unwrap();
    let count = |period: &str, s: &str| {
        obs.iter()
            .find(|o| o.0 == "test_soc21_count" && o.1 == period && o.2 == s)
            .map(|o| (o.3, o.4))
            .unwrap_or_else(|| panic!("{period} {s}: {obs:#?}"))
    };
    assert_eq!(count("2021", NORTH), (Some(300.0), None));
    assert_eq!(count("2021", SOUTH), (None, Some(Marker::Star)));
    assert_eq!(count("2021", WALES), (None, Some(Marker::Tilde)));
    assert_eq!(count("2022", NORTH), (Some(1300.5 * 0.25), None));
    assert_eq!(count("2022", SOUTH), (Some(1300.5 * 0.75 + 2000.0), None));
    assert_eq!(count("2022", WALES), (Some(150.0), None));
}

/// The long table the reader makes of `ROWS`, written by hand as CSV.
const LONG_CSV: &str = "\
period,industry,area_type,area,T09a:21 (Science professionals),T09a:21 (Science professionals) conf,T09a:all (All occupations),T09a:all (All occupations) conf
Jan 2021-Dec 2021,All industries,country,England,5000,400,90000,
Jan 2021-Dec 2021,All industries,ladu,Northam,1200,300,20000,
Jan 2021-Dec 2021,All industries,ladu,Somerset,!,*,30000,
Jan 2021-Dec 2021,All industries,ladu,Afon,~,~,8000,
Jan 2022-Dec 2022,All industries,country,England,5100,410,91000,
Jan 2022-Dec 2022,All industries,ladu,Northam,1300.5,310,21000,
Jan 2022-Dec 2022,All industries,ladu,Somerset,2000,500,31000,
Jan 2022-Dec 2022,All industries,ladu,Afon,150,60,8100,
";

#[test]
fn the_long_table_is_what_the_csv_path_reads() {
    let data = workbook(ROWS);
    let t = stemgap_ingest::recipe::nomis::read(&data, "data.xlsx", Some("Data"), &Limits::DEFAULT)
        .unwrap();
    assert_eq!(String::from_utf8(t.csv.clone()).unwrap(), LONG_CSV);
    let from_nomis = observations(RECIPE, "data.xlsx", &data).unwrap();
    let csv_recipe = RECIPE
        .replace("data = \"data.xlsx\"", "data = \"data.csv\"")
        .replace("reader = \"nomis\"\nsheet = \"Data\"\n", "");
    let from_csv = observations(&csv_recipe, "data.csv", LONG_CSV.as_bytes()).unwrap();
    assert_eq!(from_nomis.len(), 18, "{from_nomis:#?}");
    assert_eq!(from_nomis, from_csv);
}

/// `ROWS` as a Nomis CSV export writes them: every field quoted text.
fn as_csv(rows: &[&[&str]]) -> String {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(",")
                + "\r\n"
        })
        .collect()
}

#[test]
fn a_nomis_csv_export_reads_as_the_workbook() {
    let csv_recipe = RECIPE
        .replace("data = \"data.xlsx\"", "data = \"data.csv\"")
        .replace("sheet = \"Data\"\n", "");
    let csv = as_csv(ROWS);
    let want = observations(RECIPE, "data.xlsx", &workbook(ROWS)).unwrap();
    assert_eq!(
        observations(&csv_recipe, "data.csv", csv.as_bytes()).unwrap(),
        want
    );
    // Errors name the CSV line and the column's letter.
    let bad = csv.replace("\"1200\"", "\"12x\"");
    assert_eq!(
        error(&csv_recipe, "data.csv", bad.as_bytes()),
        "data.csv, row 9, column \"B\": not a number: \"12x\""
    );
    // A sheet is XLSX only.
    assert!(error(RECIPE, "data.csv", csv.as_bytes()).contains("not an XLSX workbook"));
}

#[test]
fn errors_name_the_sheets_own_cells() {
    let e = |rows: &[&[&str]]| error(RECIPE, "data.xlsx", &workbook(rows));
    let with = |row: usize, col: usize, text: &'static str| {
        let mut rows: Vec<Vec<&str>> = ROWS.iter().map(|r| r.to_vec()).collect();
        rows[row][col] = text;
        rows
    };
    let run = |rows: Vec<Vec<&str>>| {
        let refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        e(&refs)
    };
    // A marker the recipe does not allow, in the second block.
    assert_eq!(
        run(with(18, 1, "x")),
        "data.xlsx, sheet \"Data\", row 19, column \"B\": the marker \"x\" is not one the recipe allows for test_soc21_count (\"!\", \"~\")"
    );
    // Not a number, in a conf column.
    assert_eq!(
        run(with(8, 3, "3OO")),
        "data.xlsx, sheet \"Data\", row 9, column \"D\": not a number: \"3OO\""
    );
    // An authority stemgap does not know.
    assert_eq!(
        run(with(9, 0, "ladu:Nowhere")),
        "data.xlsx, sheet \"Data\", row 10, column \"A\": unknown code \"Nowhere\": not the name of a local authority stemgap knows"
    );
    // A period the map does not list: at the block's `date` cell.
    assert_eq!(
        run(with(12, 1, "Jan 2023-Dec 2023")),
        "data.xlsx, sheet \"Data\", row 13, column \"B\": the period \"Jan 2023-Dec 2023\" is not in the recipe's period.map (\"Jan 2021-Dec 2021\", \"Jan 2022-Dec 2022\")"
    );
    // The same authority twice in a block.
    assert!(run(with(9, 0, "ladu:Northam"))
        .starts_with("data.xlsx, sheet \"Data\", row 10, column \"A\": duplicate row"));
    // A measure the recipe names that the file lacks.
    let renamed = RECIPE.replace("T09a:all (All occupations)\"", "T09a:all (Everyone)\"");
    let msg = error(&renamed, "data.xlsx", &workbook(ROWS));
    assert!(
        msg.starts_with(
            "data.xlsx, sheet \"Data\", column \"T09a:all (Everyone)\": missing column"
        ),
        "{msg}"
    );
    // A sheet that is not in Nomis layout.
    let plain: &[&[&str]] = &[&["code", "value"], &["E06000091", "3"]];
    assert!(
        e(plain).contains("not in Nomis report layout"),
        "{}",
        e(plain)
    );
    // A broken block: a sub-header that is not number, Flags or conf.
    assert_eq!(
        run(with(6, 3, "ci")),
        "data.xlsx, sheet \"Data\", row 7, column \"D\": header is \"ci\", expected \"number, Flags or conf\""
    );
    // A missing sheet.
    let msg = error(
        &RECIPE.replace("sheet = \"Data\"", "sheet = \"Table 1\""),
        "data.xlsx",
        &workbook(ROWS),
    );
    assert_eq!(
        msg,
        "data.xlsx, sheet \"Table 1\": missing sheet; found sheets: Data"
    );
    // Without `sheet`, the only sheet is read.
    let reg = common::observatory_registry();
    let no_sheet = RECIPE.replace("sheet = \"Data\"\n", "");
    assert_eq!(
        read(&no_sheet, "data.xlsx", &workbook(ROWS), &reg)
            .unwrap()
            .rows
            .len(),
        6
    );
}

#[test]
fn periods_can_be_stored_as_written_or_left_out() {
    // Without a map, the period is stored as written.
    let reg = common::observatory_registry();
    let as_written = RECIPE.replace(
        ", map = { \"Jan 2021-Dec 2021\" = \"2021\", \"Jan 2022-Dec 2022\" = \"2022\" }",
        "",
    );
    let p = read(&as_written, "data.xlsx", &workbook(ROWS), &reg).unwrap();
    assert_eq!(p.periods[0], ["Jan 2021-Dec 2021", "Jan 2022-Dec 2022"]);
    // A period left out as written, with a map that lists only the other.
    let one = RECIPE.replace(
        "map = { \"Jan 2021-Dec 2021\" = \"2021\", \"Jan 2022-Dec 2022\" = \"2022\" }",
        "map = { \"Jan 2022-Dec 2022\" = \"2022\" }, exclude = [\"Jan 2021-Dec 2021\"]",
    );
    let p = read(&one, "data.xlsx", &workbook(ROWS), &reg).unwrap();
    assert_eq!(p.periods[0], ["2022"]);
    assert_eq!(p.rows.len(), 3);
    // A map needs a period column.
    let bad = RECIPE.replace(
        "period = { column = \"period\", map",
        "period = { fixed = \"2021\", map",
    );
    let e = Recipe::parse(&bad, "recipe.toml", &Limits::DEFAULT).unwrap_err();
    assert!(
        e.to_string()
            .contains("period.map maps the text of a period column"),
        "{e}"
    );
}

#[test]
fn the_limits_hold() {
    let data = workbook(ROWS);
    let small = Limits {
        rows: 5,
        ..Limits::DEFAULT
    };
    let r = Recipe::parse(RECIPE, "recipe.toml", &small).unwrap();
    let reg = common::observatory_registry();
    let d = Declared {
        recipe: &r,
        bytes: &data,
        file: "data.xlsx",
        encoding: Encoding::Utf8,
        contributed: true,
    };
    let e = read_declared(&d, &reg, &small).unwrap_err().to_string();
    assert!(e.contains("8 rows") && e.contains("at most 5 rows"), "{e}");
    let narrow = Limits {
        columns: 6,
        ..Limits::DEFAULT
    };
    let e = read_declared(&d, &reg, &narrow).unwrap_err().to_string();
    assert!(e.contains("columns"), "{e}");
    let short = Limits {
        cell_chars: 10,
        ..Limits::DEFAULT
    };
    let e = read_declared(&d, &reg, &short).unwrap_err().to_string();
    assert!(
        e.starts_with("data.xlsx, sheet \"Data\", row 3, column \"B\": a cell over 10 characters"),
        "{e}"
    );
}

// ---- The hand-written APS reader, on the observatory and the real file.

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const APS: &str = "nomis_aps_employment_by_occupation_soc2010_lad_2017_2022";
const SOC21: &str = "Science, Research, Engineering and Technology Professionals";

/// The APS workbook's SOC 21 count and half-width, and the 25 groups'
/// total (a share's denominator), read by a recipe over its `ladu:` rows, compared with what
/// `indicators::aps` reads from the same file: the count and half-width
/// for every authority and year (a published count is the same number,
/// `~` is `~` where aps counts 0 to 500, `!` and `-` missing where aps has
/// none), and the total where every group is published (aps sums the
/// published groups only, which a recipe cannot say: with any group
/// withheld the recipe's denominator is missing). Returns the
/// authority-years compared with a published count, and of them those
/// whose total was compared.
fn compare_with_aps(dir: &SourceDir, reg: &Registry) -> (usize, usize) {
    let inputs = Inputs::new(dir, &());
    let loaded = inputs.load(APS).unwrap();
    let bytes = loaded.bytes.to_vec();
    let file = loaded.location.file.clone();
    let aps = stemgap_ingest::indicators::aps_authority_figures(
        bytes.clone(),
        Location::file(file.clone()),
        reg,
    )
    .unwrap();
    let t =
        stemgap_ingest::recipe::nomis::read(&bytes, &file, Some("Data"), &Limits::DEFAULT).unwrap();
    let measure = |needle: &str| -> Vec<String> {
        t.columns
            .iter()
            .filter(|c| c.contains(needle) && !c.ends_with(" conf"))
            .cloned()
            .collect()
    };
    let soc21 = measure(SOC21);
    assert_eq!(soc21.len(), 1, "{:?}", t.columns);
    eprintln!("{file}: columns {:?}", &t.columns[..t.columns.len().min(8)]);
    let groups: Vec<String> = measure("T09a:");
    assert_eq!(groups.len(), 25, "{groups:?}");
    let periods: String = aps
        .iter()
        .map(|(y, _)| format!("\"Jan {y}-Dec {y}\" = \"{y}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let toml_list = |v: &[String]| {
        v.iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let recipe = format!(
        r#"format = 1
[source]
id = "aps_by_recipe"
reader = "nomis"
sheet = "Data"
geography = "lad"
vintage = 2023
name_column = "area"
filter = {{ area_type = "ladu" }}
period = {{ column = "period", map = {{ {periods} }} }}
other_nations = "skip"

[[indicator]]
id = "soc21"
title = "SOC 21"
definition = "SOC 21 residents in employment."
unit = "count"
direction = "neutral"
value = {soc:?}
markers = ["*"]
nations = ["england", "wales", "scotland"]

[[indicator]]
id = "soc21_conf"
title = "SOC 21 half-width"
definition = "Its 95% half-width."
unit = "count"
direction = "neutral"
value = "{soc} conf"
markers = ["*"]
nations = ["england", "wales", "scotland"]

[[indicator]]
id = "soc21_share"
title = "SOC 21 share"
definition = "SOC 21 over the 25 groups summed."
unit = "share"
direction = "neutral"
numerator = {soc:?}
denominator = [{groups}]
markers = ["*"]
nations = ["england", "wales", "scotland"]
"#,
        soc = soc21[0],
        groups = toml_list(&groups),
    );
    let p = read(&recipe, &file, &bytes, reg).unwrap();
    // (code, year) → (count, half-width, total) as the recipe read them.
    let mut by_recipe: BTreeMap<(String, String), (Cell, Cell, Cell)> = BTreeMap::new();
    let cell = |v: &Value| match v {
        Value::Cell(c) => *c,
        other => panic!("{other:?}"),
    };
    for row in &p.rows {
        let (y, count, _) = &row.values[0][0];
        let conf = cell(&row.values[1][0].1);
        let total = match row.values[2][0].1 {
            Value::Ratio(_, d) => d,
            other => panic!("{other:?}"),
        };
        let key = (row.area.clone(), y.clone());
        assert!(
            by_recipe
                .insert(key.clone(), (cell(count), conf, total))
                .is_none(),
            "{key:?} twice"
        );
    }
    let mut compared = 0;
    let mut totals = 0;
    for (year, lads) in &aps {
        for (code, lad) in lads {
            let (count, conf, total) = by_recipe
                .get(&(code.clone(), year.clone()))
                .unwrap_or_else(|| panic!("{code} {year}: not read by the recipe"));
            match (lad, count) {
                (Some(l), Cell::Value(x)) => {
                    assert_eq!((l.lo, l.hi), (*x, *x), "{code} {year}");
                    let ci = match conf {
                        Cell::Value(c) => *c,
                        _ => 0.0,
                    };
                    assert_eq!(l.ci, ci, "{code} {year}");
                    if let Cell::Value(t) = total {
                        assert!((l.total - t).abs() < 1e-6, "{code} {year}");
                        totals += 1;
                    }
                    compared += 1;
                }
                (Some(l), Cell::Missing(Marker::Tilde)) => {
                    assert_eq!((l.lo, l.hi), (0.0, 500.0), "{code} {year}")
                }
                (None, Cell::Missing(m)) => {
                    assert_ne!(*m, Marker::Tilde, "{code} {year}")
                }
                other => panic!("{code} {year}: {other:?}"),
            }
        }
    }
    let aps_rows: usize = aps.iter().map(|(_, l)| l.len()).sum();
    assert_eq!(by_recipe.len(), aps_rows, "the same authority-years");
    assert!(totals > 0, "no total compared");
    (compared, totals)
}

#[test]
fn the_observatory_aps_workbook_reads_as_aps_reads_it() {
    let dir = common::observatory_sources();
    let reg = common::observatory_registry();
    let (n, totals) = compare_with_aps(&dir, &reg);
    assert!(
        n >= 2 && totals >= 1,
        "{n} authority-years compared, {totals} totals"
    );
}

#[test]
fn the_real_aps_workbook_reads_as_aps_reads_it() {
    let data = repo().join("../shared/data");
    if !data.join("SOURCES.md").is_file() {
        eprintln!(
            "skipped: real data not found at {} (../shared/data beside the repository)",
            data.display()
        );
        return;
    }
    let dir = SourceDir::new(data, Catalogue::embedded());
    let reg = Registry::load(&Inputs::new(&dir, &())).unwrap();
    let (n, totals) = compare_with_aps(&dir, &reg);
    eprintln!(
        "{n} authority-years with a published SOC 21 count compared, {totals} of them with their total"
    );
    assert!(
        n > 1000 && totals > 100,
        "{n} authority-years compared, {totals} totals"
    );
    // The example recipe of docs/contributing-data.md reads the real file.
    let doc = include_str!("../../../docs/contributing-data.md");
    let block = &doc[doc.find("## Nomis exports").expect("the section")..];
    let start = block.find("```toml\n").expect("an example") + 8;
    let end = start + block[start..].find("```").expect("its end");
    let inputs = Inputs::new(&dir, &());
    let loaded = inputs.load(APS).unwrap();
    let p = read(
        &block[start..end],
        &loaded.location.file,
        &loaded.bytes,
        &reg,
    )
    .unwrap();
    assert_eq!(p.periods[0], ["2017", "2018", "2019", "2020", "2021"]);
    assert!(p.rows.len() > 1500, "{} rows", p.rows.len());
}
