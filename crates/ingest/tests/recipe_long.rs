//! The recipe engine's long layout (`[source.long]`: one row per area and
//! category, indicators as shares of categories), on tiny hand-made files
//! with invented counts, placed on the test observatory's seats
//! (`tests/observatory/`: E14001401 Northam North, E14001402 Northam
//! South, W07000101 Bryn Môr, ...).

use std::path::{Path, PathBuf};
use stemgap_core::{BoundarySet, Marker, Method};
use stemgap_ingest::build::Inputs;
use stemgap_ingest::recipe::engine::{place, read_declared, Declared, Value};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::{Collector, Registry};
use stemgap_sources::{Catalogue, Encoding, SourceDir, SourceError};

fn observatory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/observatory")
}

fn registry() -> Registry {
    let obs = observatory();
    let cat = Catalogue::parse(
        &std::fs::read_to_string(obs.join("catalogue.toml")).unwrap(),
        "catalogue.toml",
    )
    .unwrap();
    let dir = SourceDir::new(&obs, cat);
    let inputs = Inputs::new(&dir, &());
    Registry::load(&inputs).unwrap()
}

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
    let reg = registry();
    let recipe = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)?;
    let d = Declared {
        recipe: &recipe,
        bytes: data.as_bytes(),
        file: "data.csv",
        encoding: Encoding::Utf8,
        contributed: false,
    };
    let parsed = read_declared(&d, &reg, &Limits::DEFAULT)?;
    let mut out = Collector::default();
    place(&d, &parsed, &reg, None, &mut out)?;
    Ok(out)
}

fn value(out: &Collector, seat: &str, id: &str) -> Option<Result<f64, Marker>> {
    out.observations()
        .iter()
        .find(|o| o.code.as_str() == seat && o.indicator == id)
        .map(|o| o.value.ok_or_else(|| o.flag.unwrap()))
}

fn error(recipe: &str, data: &str) -> String {
    run(recipe, data).err().expect("an error").to_string()
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
        .map(|o| (o.code.to_string(), o.indicator.clone()))
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
        .map(|o| (o.period.clone(), o.value))
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
            RECIPE.replacen("unit = \"share\"", "unit = \"count\"", 1),
            "indicator walk_share: an indicator of a long table is a share",
        ),
        (
            RECIPE.replacen("categories = [1]", "value = \"count\"", 1),
            "indicator walk_share: an indicator of a long table is a share of categories",
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
    for (recipe, want) in cases {
        let e = Recipe::parse(&recipe, "recipe.toml", &Limits::DEFAULT)
            .err()
            .unwrap_or_else(|| panic!("accepted:\n{recipe}"))
            .to_string();
        assert!(e.contains(want), "expected {want:?}\n     got {e:?}");
    }
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
