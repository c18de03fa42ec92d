//! The recipe engine's long layout (`[source.long]`: one row per area and
//! category, indicators as shares of categories), on tiny hand-made files
//! with invented counts, placed on the test observatory's seats
//! (`tests/observatory/`: E14001401 Northam North, E14001402 Northam
//! South, W07000101 Bryn Môr, ...).

use stemgap_core::{BoundarySet, Marker, Method};
use stemgap_ingest::recipe::engine::{place, read_declared, Declared, Value};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::Collector;
use stemgap_sources::{Encoding, SourceError};

use common::observatory_registry as registry;

/// A recipe for a long table of the invented "Travel to study" classification.
const RECIPE: &str = r#"format = 1
[source]
id = "test_travel"
geography = "pcon2024"
code_column = "seat"
header = ["seat", "name", "mode code", "mode", "count"]
period = { fixed = "2021" }

[source.long]
category_column = "mode code"
value_column = "count"
categories = [-8, 1, 2, 3]
denominator_excludes = [-8]

[[indicator]]
id = "walk_share"
title = "Walks"
definition = "Invented: walkers over everyone but -8."
unit = "share"
direction = "neutral"
categories = [1]
nations = ["england", "wales"]

[[indicator]]
id = "wheels_share"
title = "On wheels"
definition = "Invented: cyclists and drivers over everyone but -8."
unit = "share"
direction = "neutral"
categories = [3, 2]
nations = ["england", "wales"]

[[indicator]]
id = "drive_of_wheels_share"
title = "Drives, of those on wheels"
definition = "Invented: drivers over cyclists and drivers."
unit = "share"
direction = "neutral"
categories = [3]
denominator_categories = [2, 3]
nations = ["england"]
"#;

const HEADER: &str = "seat,name,mode code,mode,count\n";

/// Two seats, every category, rows out of order.
fn good_data() -> String {
    format!(
        "{HEADER}\
E14001402,Northam South,1,Walk,10\n\
E14001401,Northam North,-8,Does not apply,500\n\
E14001401,Northam North,1,Walk,30\n\
E14001401,Northam North,2,Cycle,20\n\
E14001401,Northam North,3,Drive,50\n\
E14001402,Northam South,-8,Does not apply,0\n\
E14001402,Northam South,2,Cycle,0\n\
E14001402,Northam South,3,Drive,30\n\
W07000101,Bryn Môr,-8,Does not apply,1\n\
W07000101,Bryn Môr,1,Walk,0\n\
W07000101,Bryn Môr,2,Cycle,0\n\
W07000101,Bryn Môr,3,Drive,0\n"
    )
}

fn run(recipe: &str, data: &str) -> Result<Collector, SourceError> {
    common::read_csv(recipe, data, |d, parsed, reg| {
        let mut out = Collector::default();
        place(d, parsed, reg, None, &mut out)?;
        Ok(out)
    })
}

fn value(out: &Collector, seat: &str, id: &str) -> Option<Result<f64, Marker>> {
    out.observations()
        .iter()
        .find(|o| o.code.as_str() == seat && o.indicator == id)
        .map(|o| o.value.ok_or_else(|| o.flag.unwrap()))
}

fn error(recipe: &str, data: &str) -> String {
    run(recipe, data).expect_err("an error").to_string()
}

#[test]
fn shares_are_categories_over_the_denominator_set() {
    let out = run(RECIPE, &good_data()).unwrap();
    // Northam North: 30 walk, 20 cycle, 50 drive; -8 left out.
    assert_eq!(value(&out, "E14001401", "walk_share"), Some(Ok(0.3)));
    assert_eq!(value(&out, "E14001401", "wheels_share"), Some(Ok(0.7)));
    assert_eq!(
        value(&out, "E14001401", "drive_of_wheels_share"),
        Some(Ok(50.0 / 70.0))
    );
    // Northam South: 10 walk, 0 cycle, 30 drive.
    assert_eq!(value(&out, "E14001402", "walk_share"), Some(Ok(0.25)));
    assert_eq!(
        value(&out, "E14001402", "drive_of_wheels_share"),
        Some(Ok(1.0))
    );
    // Bryn Môr: nobody in the denominator: not applicable, never zero;
    // and not in the nations of the third indicator.
    assert_eq!(
        value(&out, "W07000101", "walk_share"),
        Some(Err(Marker::NotAvailable))
    );
    assert_eq!(value(&out, "W07000101", "drive_of_wheels_share"), None);
    // Seats in code order, each seat's shares in recipe order.
    let order: Vec<(String, String)> = out
        .observations()
        .iter()
        .map(|o| (o.code.to_string(), o.indicator.to_string()))
        .collect();
    assert_eq!(order[0], ("E14001401".into(), "walk_share".into()));
    assert_eq!(order[1], ("E14001401".into(), "wheels_share".into()));
    assert_eq!(order[3], ("E14001402".into(), "walk_share".into()));
    assert_eq!(order.len(), 3 + 3 + 2);
    let o = &out.observations()[0];
    assert_eq!(o.boundary, Some(BoundarySet::Pcon2024));
    assert_eq!((o.period.as_str(), o.method), ("2021", Method::Measured));
    let def = &out.definitions()[1];
    assert_eq!(
        (def.id.as_str(), def.unit.as_str()),
        ("wheels_share", "share")
    );
}

#[test]
fn the_reads_are_ratios_of_the_summed_counts() {
    let reg = registry();
    let recipe = Recipe::parse(RECIPE, "recipe.toml", &Limits::DEFAULT).unwrap();
    let data = good_data();
    let d = Declared {
        recipe: &recipe,
        bytes: data.as_bytes(),
        file: "data.csv",
        encoding: Encoding::Utf8,
        contributed: true,
    };
    let parsed = read_declared(&d, &reg, &Limits::DEFAULT).unwrap();
    assert_eq!(parsed.rows.len(), 3);
    assert_eq!(parsed.periods, vec![vec!["2021".to_string()]; 3]);
    let north = &parsed.rows[0];
    assert_eq!(north.area, "E14001401");
    use stemgap_core::Cell::Value as V;
    assert_eq!(north.values[1][0].1, Value::Ratio(V(70.0), V(100.0)));
    assert_eq!(north.values[2][0].1, Value::Ratio(V(50.0), V(70.0)));
}

#[test]
fn a_withheld_count_makes_the_shares_using_it_missing() {
    let recipe = RECIPE.replace(
        "denominator_excludes = [-8]",
        "denominator_excludes = [-8]\nmarkers = [\"c\"]",
    );
    let data = good_data().replace("Northam North,2,Cycle,20", "Northam North,2,Cycle,c");
    let out = run(&recipe, &data).unwrap();
    // Cycle is in every denominator but the walk share's numerator is not:
    // still withheld (the denominator is unknown).
    assert_eq!(
        value(&out, "E14001401", "walk_share"),
        Some(Err(Marker::Confidential))
    );
    assert_eq!(
        value(&out, "E14001401", "drive_of_wheels_share"),
        Some(Err(Marker::Confidential))
    );
    assert_eq!(value(&out, "E14001402", "walk_share"), Some(Ok(0.25)));
    // Without the marker declared, it is an error naming the cell.
    let e = error(RECIPE, &data);
    assert!(
        e.contains(
            "data.csv, row 5, column \"count\": a value is required here, found the marker \"c\""
        ),
        "{e}"
    );
}

#[test]
fn bad_long_tables_are_refused_with_row_and_column() {
    let cases = [
        (
            good_data().replace("Northam North,2,Cycle,20", "Northam North,4,Bus,20"),
            "data.csv, row 5, column \"mode code\": unexpected category code \"4\": not one of the recipe's categories",
        ),
        (
            good_data().replace("E14001401,Northam North,2,Cycle,20\n", ""),
            "data.csv, row 3, column \"count\": seat E14001401 has no row for category 2",
        ),
        (
            good_data().replace("Northam North,2,Cycle,20", "Northam North,1,Walk,20"),
            "data.csv, row 5, column \"mode code\": duplicate row for E14001401, category 1",
        ),
        (
            good_data().replace("Northam North,2,Cycle,20", "Northam North,2,Cycle,-20"),
            "data.csv, row 5, column \"count\": negative count -20",
        ),
        (
            good_data().replace("Northam North,2,Cycle,20", "Northam North,2,Cycle,lots"),
            "data.csv, row 5, column \"count\": not a number: \"lots\"",
        ),
        (
            good_data().replace("mode,count", "mode,persons"),
            "data.csv, row 1: header is \"seat,name,mode code,mode,persons\", expected \"seat,name,mode code,mode,count\"",
        ),
        (
            format!("{}S14000031,Glenbrae,1,Walk,3\n", good_data()),
            "data.csv, row 14, column \"seat\": S14000031 is in Scotland, which the recipe does not cover",
        ),
    ];
    for (data, want) in cases {
        let e = error(RECIPE, &data);
        assert!(e.contains(want), "expected {want:?}\n     got {e:?}");
    }
}

#[test]
fn a_complete_long_table_needs_every_seat() {
    let recipe = RECIPE.replace("period = ", "complete = true\nperiod = ");
    let e = error(&recipe, &good_data());
    assert!(
        e.contains("data.csv: no row for seat E14001403 Southam and Vale (truncated file?)"),
        "{e}"
    );
}

#[test]
fn periods_may_come_from_a_column() {
    let recipe = RECIPE
        .replace(
            "header = [\"seat\", \"name\", \"mode code\", \"mode\", \"count\"]",
            "header = [\"seat\", \"name\", \"year\", \"mode code\", \"mode\", \"count\"]",
        )
        .replace(
            "period = { fixed = \"2021\" }",
            "period = { column = \"year\" }",
        );
    let mut data = String::from("seat,name,year,mode code,mode,count\n");
    for (year, walk) in [("2011", 1), ("2021", 3)] {
        for (code, n) in [(-8, 0), (1, walk), (2, 1), (3, 0)] {
            data.push_str(&format!("E14001401,Northam North,{year},{code},m,{n}\n"));
        }
    }
    let out = run(&recipe, &data).unwrap();
    let walk: Vec<(String, Option<f64>)> = out
        .observations()
        .iter()
        .filter(|o| o.indicator == "walk_share")
        .map(|o| (o.period.to_string(), o.value))
        .collect();
    assert_eq!(
        walk,
        [("2011".into(), Some(0.5)), ("2021".into(), Some(0.75))]
    );
    assert_eq!(out.definitions()[0].period, "2011-2021");
    // A category twice in one year names the year.
    let dup = data.replacen("2021,2,m,1", "2021,1,m,1", 1);
    let e = error(&recipe, &dup);
    assert!(
        e.contains("duplicate row for E14001401, 2021, category 1"),
        "{e}"
    );
}

/// Each recipe is refused when parsed, with a message containing its text.
fn assert_refused(cases: &[(String, &str)]) {
    for (recipe, want) in cases {
        let e = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{recipe}"))
            .to_string();
        assert!(e.contains(want), "expected {want:?}\n     got {e:?}");
    }
}

#[test]
fn long_recipes_are_validated() {
    let cases = [
        (
            RECIPE.replace("categories = [3, 2]", "categories = [3, 4]"),
            "indicator[1].categories\": indicator wheels_share: category 4 is not one of the table's categories (-8, 1, 2, 3)",
        ),
        (
            RECIPE.replace("categories = [3, 2]", "categories = [3, -8]"),
            "indicator wheels_share: category -8 is not in the share's denominator",
        ),
        (
            RECIPE.replace("categories = [3, 2]", "categories = [3, 3]"),
            "indicator wheels_share: category 3 is listed twice",
        ),
        (
            RECIPE.replace("categories = [-8, 1, 2, 3]", "categories = [-8, 1, 2, 3, 1]"),
            "source.long.categories\": category 1 is listed twice",
        ),
        (
            RECIPE.replace("denominator_excludes = [-8]", "denominator_excludes = [-9]"),
            "category -9 is not one of the table's categories",
        ),
        (
            RECIPE.replacen("unit = \"share\"", "unit = \"score\"", 1),
            "indicator walk_share: an indicator of a long table is a share (unit = \"share\") or a count of its categories",
        ),
        (
            RECIPE.replacen("categories = [1]", "value = \"count\"", 1),
            "indicator walk_share: an indicator of a long table is a share or a count of categories",
        ),
        (
            RECIPE.replacen(
                "categories = [1]\n",
                "categories = [1]\nmarkers = [\"c\"]\n",
                1,
            ),
            "a long table's markers are declared once, in [source.long]",
        ),
        (
            RECIPE.replace("categories = [-8, 1, 2, 3]", "categories = [\" 1\"]"),
            "is not a category code",
        ),
    ];
    assert_refused(&cases);
    // Categories outside a long table.
    let wide = r#"format = 1
[source]
id = "t"
geography = "pcon2024"
code_column = "seat"
period = { fixed = "2021" }
[[indicator]]
id = "walk_share"
title = "W"
definition = "Invented."
unit = "share"
direction = "neutral"
categories = [1]
nations = ["england"]
"#;
    let e = Recipe::parse(wide, "recipe.toml", &Limits::DEFAULT)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("categories are read from a long table: declare [source.long]"),
        "{e}"
    );
}

mod common;
use common::{sheet_xml, workbook_of};

fn run_xlsx(recipe: &str, book: &[u8]) -> Result<Collector, SourceError> {
    let reg = registry();
    let recipe = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)?;
    let d = Declared {
        recipe: &recipe,
        bytes: book,
        file: "data.xlsx",
        encoding: Encoding::Utf8,
        contributed: false,
    };
    let parsed = read_declared(&d, &reg, &Limits::DEFAULT)?;
    let mut out = Collector::default();
    place(&d, &parsed, &reg, None, &mut out)?;
    Ok(out)
}

/// A wide sheet laid out like a table builder's: title lines, a header row
/// whose seat column is named only in the second header row, notes after
/// a blank row; shares whose numerator and denominator are sums of columns.
const WIDE_RECIPE: &str = r#"format = 1
[source]
id = "test_clubs_wide"
reader = "xlsx"
sheet = "Data"
skip_lines = 2
extra_header_rows = 1
stop_at_blank_row = true
geography = "pcon2024"
name_column = "Constituency"
period = { fixed = "2022" }

[[indicator]]
id = "science_share"
title = "Science clubs"
definition = "Invented: physics and chemistry clubs over all clubs."
unit = "share"
direction = "neutral"
numerator = ["Physics", "Chemistry"]
denominator = ["Physics", "Chemistry", "Art"]
nations = ["england", "wales"]

[[indicator]]
id = "art_share"
title = "Art clubs"
definition = "Invented: art clubs over all clubs."
unit = "share"
direction = "neutral"
numerator = "Art"
denominator = ["Physics", "Chemistry", "Art"]
nations = ["england", "wales"]
"#;

fn wide_sheet(extra: &[&[&str]]) -> Vec<u8> {
    let mut rows: Vec<&[&str]> = vec![
        &["Clubs by seat (invented)"],
        &[],
        &["Club", "", "All", "Physics", "Chemistry", "Art"],
        &["", "Constituency"],
        &["", "Northam North", "10", "2", "3", "5"],
        &["", "Bryn Môr", "4", "0", "1", "3"],
    ];
    rows.extend_from_slice(extra);
    rows.push(&[]);
    rows.push(&["INFO", "Figures are invented"]);
    sheet_xml(&rows)
}

#[test]
fn a_wide_sheet_sums_columns_and_stops_at_its_notes() {
    let book = workbook_of(&[("Data", wide_sheet(&[]))]);
    let out = run_xlsx(WIDE_RECIPE, &book).unwrap();
    assert_eq!(value(&out, "E14001401", "science_share"), Some(Ok(0.5)));
    assert_eq!(value(&out, "W07000101", "science_share"), Some(Ok(0.25)));
    assert_eq!(value(&out, "W07000101", "art_share"), Some(Ok(0.75)));
    assert_eq!(out.observations().len(), 4);
    // A bad count in a summed column is named by its header.
    let book = workbook_of(&[(
        "Data",
        wide_sheet(&[&["", "Northam South", "1", "1", "c", "0"]]),
    )]);
    let e = run_xlsx(WIDE_RECIPE, &book).unwrap_err().to_string();
    assert!(
        e.contains("data.xlsx, sheet \"Data\", row 7, column \"Chemistry\": a value is required here, found the marker \"c\""),
        "{e}"
    );
}

/// A sheet per seat (named `N. <seat>`), the seat's name in A3, a long
/// table of ages with counts for everyone, girls and boys.
const SHEETS_RECIPE: &str = r##"format = 1
[source]
id = "test_pupils_by_age"
reader = "xlsx"
sheets = "#.*"
name_cell = "A3"
skip_lines = 3
extra_header_rows = 1
header = ["Sex", "", "All", "Girls", "Boys"]
stop_at_blank_row = true
geography = "pcon2024"
period = { fixed = "2022" }
complete = true

[source.long]
category_column = "Age"
value_columns = ["All", "Girls", "Boys"]
categories = ["All ages", 11, 12, "13 and over"]
denominator_excludes = ["All ages"]

[[indicator]]
id = "girls_share"
title = "Girls"
definition = "Invented: girls over girls and boys."
unit = "share"
direction = "neutral"
categories = ["All ages / Girls"]
denominator_categories = ["All ages / Girls", "All ages / Boys"]
nations = ["scotland"]

[[indicator]]
id = "older_share"
title = "Aged 12 and over"
definition = "Invented: pupils aged 12 and over, over the single ages."
unit = "share"
direction = "neutral"
categories = [12, "13 and over"]
nations = ["scotland"]
"##;

fn seat_sheet(seat: &str, ages: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut rows: Vec<Vec<&str>> = vec![
        vec!["Pupils by age and sex (invented)"],
        vec![],
        vec![seat],
        vec!["Sex", "", "All", "Girls", "Boys"],
        vec!["", "Age"],
    ];
    for (label, all, girls, boys) in ages {
        rows.push(vec!["", label, all, girls, boys]);
    }
    rows.push(vec![]);
    rows.push(vec!["INFO", "Invented"]);
    let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    sheet_xml(&rows)
}

const AGES: [(&str, &str, &str, &str); 4] = [
    ("All ages", "100", "40", "60"),
    ("11", "20", "8", "12"),
    ("12", "30", "12", "18"),
    ("13 and over", "50", "20", "30"),
];

#[test]
fn a_sheet_per_seat_reads_a_long_table_with_several_counts() {
    let book = workbook_of(&[
        (
            "0. Glenbrae, Kyle and Strathann",
            seat_sheet("Glenbrae, Kyle and Strathannan", &AGES),
        ),
        ("notes", sheet_xml(&[&["About these tables"]])),
    ]);
    let out = run_xlsx(SHEETS_RECIPE, &book).unwrap();
    assert_eq!(value(&out, "S14000031", "girls_share"), Some(Ok(0.4)));
    assert_eq!(value(&out, "S14000031", "older_share"), Some(Ok(0.8)));
    assert_eq!(out.observations().len(), 2);

    let err = |book: &[u8]| run_xlsx(SHEETS_RECIPE, book).unwrap_err().to_string();
    // The seat's name is checked where it is.
    let e = err(&workbook_of(&[(
        "0. Nowhere",
        seat_sheet("Nowhere", &AGES),
    )]));
    assert!(
        e.contains("data.xlsx, sheet \"0. Nowhere\", row 3, column \"A\": unknown code \"Nowhere\": not the name of a seat of the 2024 set"),
        "{e}"
    );
    // A missing age, a renamed header, no sheet matching.
    let e = err(&workbook_of(&[(
        "0. Glenbrae",
        seat_sheet("Glenbrae, Kyle and Strathannan", &AGES[..3]),
    )]));
    assert!(
        e.contains("sheet \"0. Glenbrae\", row 6, column \"All\": seat S14000031 has no row for category 13 and over"),
        "{e}"
    );
    let renamed = String::from_utf8(seat_sheet("Glenbrae, Kyle and Strathannan", &AGES))
        .unwrap()
        .replace(">Girls<", ">Female<");
    let e = err(&workbook_of(&[("0. Glenbrae", renamed.into_bytes())]));
    assert!(
        e.contains("sheet \"0. Glenbrae\", row 4: header is \"Sex,,All,Female,Boys\", expected \"Sex,,All,Girls,Boys\""),
        "{e}"
    );
    let e = err(&workbook_of(&[(
        "Glenbrae",
        seat_sheet("Glenbrae, Kyle and Strathannan", &AGES),
    )]));
    assert!(
        e.contains("data.xlsx: no sheet's name matches \"#.*\""),
        "{e}"
    );
    // Two sheets for one seat.
    let e = err(&workbook_of(&[
        (
            "0. Glenbrae",
            seat_sheet("Glenbrae, Kyle and Strathannan", &AGES),
        ),
        (
            "1. Glenbrae again",
            seat_sheet("Glenbrae, Kyle and Strathannan", &AGES),
        ),
    ]));
    assert!(
        e.contains("sheet \"1. Glenbrae again\", row 6, column \"Age\": duplicate row for S14000031, category All ages"),
        "{e}"
    );
}

#[test]
fn sheet_recipes_are_validated() {
    let cases = [
        (
            SHEETS_RECIPE.replace("name_cell = \"A3\"\n", ""),
            "sheets and name_cell go together",
        ),
        (
            SHEETS_RECIPE.replace("name_cell = \"A3\"", "name_cell = \"3A\""),
            "\"3A\" is not a cell like \"A11\"",
        ),
        (
            SHEETS_RECIPE.replace(
                "name_cell = \"A3\"",
                "name_cell = \"A3\"\nname_column = \"Seat\"",
            ),
            "a sheet per area names a seat in name_cell, with no code_column or name_column",
        ),
        (
            SHEETS_RECIPE.replace("sheets = \"#.*\"", "sheets = \"#.*\"\nsheet = \"Data\""),
            "sheets applies to reader = \"xlsx\", instead of sheet",
        ),
        (
            SHEETS_RECIPE.replace(
                "categories = [\"All ages / Girls\"]",
                "categories = [\"All ages / Women\"]",
            ),
            "category All ages / Women is not one of the table's categories",
        ),
        (
            SHEETS_RECIPE.replace(
                "value_columns = [\"All\", \"Girls\", \"Boys\"]",
                "value_column = \"All\"\nvalue_columns = [\"Girls\"]",
            ),
            "give value_column or value_columns, not both",
        ),
    ];
    assert_refused(&cases);
}

/// A cell reference that runs on into the rest of the sheet (its closing
/// quote mutated away) with a multi-byte character where the check cuts
/// it for its message: an error naming the reference, not a panic (found
/// by the long fuzz run).
#[test]
fn a_runaway_reference_cut_inside_a_character_is_an_error() {
    // 38 ASCII bytes, then a three-byte character across byte 40.
    let runaway = format!("A5{}\u{FFFD}></worksheet>", "x".repeat(36));
    let sheet = format!(
        "<worksheet><sheetData><row r=\"5\"><c r=\"{runaway}\" t=\"inlineStr\"><is><t>1</t></is></c></row></sheetData></worksheet>"
    );
    let book = common::workbook(sheet.as_bytes());
    let err =
        stemgap_ingest::recipe::xlsx::sheet_as_csv(&book, "clubs.xlsx", "Clubs", &Limits::DEFAULT)
            .unwrap_err()
            .to_string();
    assert!(
        err.contains("a cell reference \"A5xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" out of range"),
        "{err}"
    );
}

/// Shared strings declaring more strings than any sheet could hold are
/// refused before the spreadsheet reader reserves room for them (it
/// aborted the process on 4.8 TB; found by the fuzzer's shared-strings
/// workbooks).
#[test]
fn a_huge_shared_strings_count_is_refused() {
    let (sheet, sst) = common::shared_sheet_xml(&[&["code", "clubs"], &["E14001401", "4"]]);
    let sst = String::from_utf8(sst).unwrap().replacen(
        "uniqueCount=\"3\"",
        "uniqueCount=\"599999999970\"",
        1,
    );
    assert!(sst.contains("599999999970"), "{sst}");
    let book = common::workbook_with(&[("Clubs", sheet)], Some(sst.as_bytes()));
    let err =
        stemgap_ingest::recipe::xlsx::sheet_as_csv(&book, "clubs.xlsx", "Clubs", &Limits::DEFAULT)
            .unwrap_err()
            .to_string();
    assert!(
        err.contains(
            "the shared strings declare \"599999999970\" strings; at most 5000000 are read"
        ),
        "{err}"
    );
}

/// A shared-strings count below the cap but beyond what the table's bytes
/// can hold (five per `<si/>`) is refused too: the reader would reserve
/// room for every string declared. The true count, and a count the bytes
/// could hold, read.
#[test]
fn a_shared_strings_count_the_table_cannot_hold_is_refused() {
    let (sheet, sst) = common::shared_sheet_xml(&[&["code", "clubs"], &["E14001401", "4"]]);
    let sst = String::from_utf8(sst).unwrap();
    let read = |count: &str| {
        let text = sst.replacen("uniqueCount=\"3\"", &format!("uniqueCount=\"{count}\""), 1);
        let book = common::workbook_with(&[("Clubs", sheet.clone())], Some(text.as_bytes()));
        stemgap_ingest::recipe::xlsx::sheet_as_csv(&book, "clubs.xlsx", "Clubs", &Limits::DEFAULT)
    };
    assert!(read("3").is_ok());
    let room = sst.len() / 5;
    assert!(
        read(&room.to_string()).is_ok(),
        "a count the bytes can hold"
    );
    let err = read("4999999").unwrap_err().to_string();
    assert!(
        err.contains("the shared strings declare 4999999 strings in")
            && err.contains("which hold at most"),
        "{err}"
    );
}
