//! The Parquet and JSON readers of declared sources (`reader = "parquet"`,
//! `reader = "json"`): hand-made files with the made-up values of the CSV
//! contributions (`tests/fixtures/contrib/seat`, `lad_mean`) give exactly
//! the CSV's observations; nulls are missing; a named column of a type not
//! read, nested JSON values and duplicate keys are errors at their row and
//! column; the limits hold.

use stemgap_ingest::recipe::engine::{place_with, read_declared, Declared, Given, Value};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::{Collector, Registry};
use stemgap_sources::{Encoding, SourceError};

mod common;
use common::{parquet_file, seat_parquet, PqCol, SEAT_JSON};

/// The fixture's recipe made to read `data.<reader>`.
fn recipe_for(fixture: &str, reader: &str, extra: &str) -> String {
    let (recipe, _) = common::contribution(fixture);
    recipe.replacen(
        "data = \"data.csv\"\n",
        &format!("data = \"data.{reader}\"\nreader = \"{reader}\"\n{extra}"),
        1,
    )
}

fn parse(
    recipe: &str,
    file: &str,
    data: &[u8],
    limits: &Limits,
    reg: &Registry,
) -> Result<(Recipe, stemgap_ingest::recipe::engine::Parsed), SourceError> {
    let r = Recipe::parse(recipe, "recipe.toml", limits)?;
    let d = Declared {
        recipe: &r,
        bytes: data,
        file,
        encoding: Encoding::Utf8,
        contributed: true,
    };
    let parsed = read_declared(&d, reg, limits)?;
    Ok((r, parsed))
}

/// The seat observations a recipe and file give, as text (every field).
fn seat_observations(recipe: &str, file: &str, data: &[u8]) -> Result<Vec<String>, SourceError> {
    let reg = common::observatory_registry();
    let (r, parsed) = parse(recipe, file, data, &Limits::DEFAULT, &reg)?;
    let d = Declared {
        recipe: &r,
        bytes: data,
        file,
        encoding: Encoding::Utf8,
        contributed: true,
    };
    let mut out = Collector::default();
    place_with(&d, &parsed, &reg, Given::default(), &mut out)?;
    Ok(out
        .observations()
        .iter()
        .map(|o| format!("{o:?}"))
        .collect())
}

/// What was read, row by row, without where (the files differ).
fn values(recipe: &str, file: &str, data: &[u8]) -> Result<Vec<String>, SourceError> {
    let reg = common::observatory_registry();
    let (_, parsed) = parse(recipe, file, data, &Limits::DEFAULT, &reg)?;
    Ok(parsed
        .rows
        .iter()
        .map(|r| {
            let v: Vec<Vec<(&String, &Value)>> = r
                .values
                .iter()
                .map(|ind| ind.iter().map(|(p, v, _)| (p, v)).collect())
                .collect();
            format!("{} {:?} {v:?}", r.area, r.nation)
        })
        .collect())
}

#[track_caller]
fn error(recipe: &str, file: &str, data: &[u8], limits: &Limits) -> String {
    let reg = common::observatory_registry();
    match parse(recipe, file, data, limits, &reg) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn seat_csv() -> (String, Vec<u8>) {
    let (recipe, data) = common::contribution("seat");
    (recipe, data.into_bytes())
}

#[test]
fn parquet_and_json_give_the_csv_observations() {
    let (recipe, csv) = seat_csv();
    let want = seat_observations(&recipe, "data.csv", &csv).unwrap();
    assert_eq!(want.len(), 6, "{want:#?}");
    let got = seat_observations(
        &recipe_for("seat", "parquet", ""),
        "data.parquet",
        &seat_parquet(),
    )
    .unwrap();
    assert_eq!(got, want);
    let got = seat_observations(
        &recipe_for("seat", "json", ""),
        "data.json",
        SEAT_JSON.as_bytes(),
    )
    .unwrap();
    assert_eq!(got, want);
    // The records under a key of an object.
    let wrapped = format!("{{\"note\": [1, {{}}], \"records\": {SEAT_JSON}}}");
    let got = seat_observations(
        &recipe_for("seat", "json", "json_records = \"records\"\n"),
        "data.json",
        wrapped.as_bytes(),
    )
    .unwrap();
    assert_eq!(got, want);
}

#[test]
fn numbers_and_names_read_as_in_the_csv() {
    // lad_mean: authorities by name, a mean score; the Parquet file holds
    // it as DOUBLE (and the marker row as a null: missing, not zero), the
    // JSON as numbers written in other ways.
    let (recipe, csv) = common::contribution("lad_mean");
    let want = values(&recipe, "data.csv", csv.as_bytes()).unwrap();
    assert_eq!(want.len(), 5, "{want:#?}");
    let names = || {
        PqCol::Text(vec![
            Some("Northam"),
            Some("SOMERSET"),
            Some("Afon"),
            Some("Glenbrae & Strath"),
            Some("Loughmore and Moyle"),
        ])
    };
    let pq = parquet_file(&[
        ("authority", names()),
        (
            "score",
            PqCol::Text(vec![
                Some("60"),
                Some("80"),
                Some("x"),
                Some("70"),
                Some("50"),
            ]),
        ),
    ]);
    // A null is a blank cell: the marker "" must be allowed, as in a CSV.
    let blank = |r: String| r.replace("markers = [\"x\"]", "markers = [\"x\", \"\"]");
    let pq_recipe = blank(recipe_for("lad_mean", "parquet", ""));
    assert_eq!(values(&pq_recipe, "data.parquet", &pq).unwrap(), want);
    let json = r#"[{"authority": "Northam", "score": 60.0},
        {"authority": "SOMERSET", "score": 8e1},
        {"score": "x", "authority": "Afon"},
        {"authority": "Glenbrae & Strath", "score": 70},
        {"authority": "Loughmore and Moyle", "score": 50}]"#;
    let json_recipe = blank(recipe_for("lad_mean", "json", ""));
    assert_eq!(
        values(&json_recipe, "data.json", json.as_bytes()).unwrap(),
        want
    );
    // Doubles: the same numbers; a null is missing (not zero, not the marker).
    let pq = parquet_file(&[
        ("authority", names()),
        (
            "score",
            PqCol::Double(vec![Some(60.0), Some(80.0), None, Some(70.0), Some(50.0)]),
        ),
    ]);
    let got = values(&pq_recipe, "data.parquet", &pq).unwrap();
    assert_eq!(got.len(), 5);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if i == 2 {
            assert_ne!(g, w, "a null is not the marker x");
            assert!(g.contains("Missing") && !g.contains("Value("), "{g}");
        } else {
            assert_eq!(g, w);
        }
    }
    // Without "" among the markers a null is refused, as a blank CSV cell.
    let strict = recipe_for("lad_mean", "parquet", "");
    assert_eq!(
        error(&strict, "data.parquet", &pq, &Limits::DEFAULT),
        "data.parquet, row 3, column \"score\": the marker \"\" is not one the recipe allows for course_satisfaction_score (\"x\")"
    );
    // JSON null and an absent key: missing as well.
    let json_null = json.replace(r#""score": "x", "#, r#""score": null, "#);
    assert_eq!(
        values(&json_recipe, "data.json", json_null.as_bytes()).unwrap(),
        got
    );
    let json_absent = json.replace(r#""score": "x", "#, "");
    assert_eq!(
        values(&json_recipe, "data.json", json_absent.as_bytes()).unwrap(),
        got
    );
}

#[test]
fn doubles_and_integers_read_back_exactly() {
    // A share column of awkward doubles, an INT64 count: the engine reads
    // the numbers the file holds.
    let recipe = r#"format = 1
[source]
id = "contrib_exact"
data = "data.parquet"
reader = "parquet"
geography = "pcon2024"
code_column = "code"
period = { fixed = "2024" }
[[indicator]]
id = "exact_share"
title = "Share"
definition = "Invented."
unit = "share"
direction = "neutral"
value = "share"
nations = ["england"]
[[indicator]]
id = "exact_count"
title = "Count"
definition = "Invented."
unit = "count"
direction = "neutral"
value = "count"
markers = [""]
nations = ["england"]
"#;
    let shares = [0.1 + 0.2, 1.0 / 3.0, 5e-324];
    let pq = parquet_file(&[
        (
            "code",
            PqCol::Text(vec![
                Some("E14001401"),
                Some("E14001402"),
                Some("E14001403"),
            ]),
        ),
        (
            "share",
            PqCol::Double(shares.iter().map(|&s| Some(s)).collect()),
        ),
        (
            "count",
            PqCol::Int(vec![Some(9_007_199_254_740_993), Some(0), None]),
        ),
        // Not read by the recipe: any type.
        ("flag", PqCol::Bool(vec![Some(true), None, Some(false)])),
    ]);
    let got = values(recipe, "data.parquet", &pq).unwrap();
    for (row, share) in got.iter().zip(shares) {
        assert!(row.contains(&format!("Value({share:?})")), "{row}");
    }
    assert!(got[0].contains("Value(9007199254740992.0)"), "{}", got[0]);
    assert!(got[2].contains("Missing"), "{}", got[2]);
}

#[test]
fn a_named_column_of_a_type_not_read_is_an_error_naming_it() {
    let pq = parquet_file(&[
        ("code", PqCol::Text(vec![Some("E14001401")])),
        ("name", PqCol::Text(vec![Some("Northam North")])),
        ("events", PqCol::Bool(vec![Some(true)])),
    ]);
    assert_eq!(
        error(&recipe_for("seat", "parquet", ""), "data.parquet", &pq, &Limits::DEFAULT),
        "data.parquet, column \"events\": the column holds BOOLEAN; a recipe reads text, integers (INT32, INT64) or floating point (FLOAT, DOUBLE)"
    );
    // The same type in a column the recipe does not name is not decoded.
    let pq = parquet_file(&[
        ("code", PqCol::Text(vec![Some("E14001401")])),
        ("name", PqCol::Bool(vec![Some(true)])),
        ("events", PqCol::Int(vec![Some(4)])),
    ]);
    let reg = common::observatory_registry();
    let (_, parsed) = parse(
        &recipe_for("seat", "parquet", ""),
        "data.parquet",
        &pq,
        &Limits::DEFAULT,
        &reg,
    )
    .unwrap();
    assert_eq!(parsed.rows.len(), 1);
    // Errors name the file's row (the first record is row 1).
    let pq = parquet_file(&[
        (
            "code",
            PqCol::Text(vec![Some("E14001401"), Some("E14009999")]),
        ),
        ("name", PqCol::Text(vec![None, None])),
        ("events", PqCol::Int(vec![Some(4), Some(5)])),
    ]);
    let e = error(
        &recipe_for("seat", "parquet", ""),
        "data.parquet",
        &pq,
        &Limits::DEFAULT,
    );
    assert!(e.starts_with("data.parquet, row 2, column \"code\""), "{e}");
    assert!(error(
        &recipe_for("seat", "parquet", ""),
        "data.parquet",
        b"PAR1 not at all",
        &Limits::DEFAULT
    )
    .starts_with("data.parquet: malformed Parquet"),);
}

#[test]
fn json_errors_name_the_record_and_key() {
    let recipe = recipe_for("seat", "json", "");
    let e = |json: &str| error(&recipe, "data.json", json.as_bytes(), &Limits::DEFAULT);
    assert_eq!(
        e(r#"[{"code": "E14001401", "events": 1}, {"code": "E14001402", "events": {"n": 2}}]"#),
        "data.json, row 2, column \"events\": a nested object or array; a record's values are text, numbers, true, false or null"
    );
    assert_eq!(
        e(r#"[{"code": "E14001401", "events": [1]}]"#),
        "data.json, row 1, column \"events\": a nested object or array; a record's values are text, numbers, true, false or null"
    );
    assert_eq!(
        e(r#"[{"code": "E14001401", "events": 1, "code": "E14001402"}]"#),
        "data.json, row 1, column \"code\": the key is in the record twice"
    );
    assert_eq!(
        e(r#"[{"code": "E14001401", "events": 1}, 3]"#),
        "data.json, row 2: the record is not an object"
    );
    assert!(
        e(r#"{"records": []}"#).contains("the document is an object: name the key"),
        "{}",
        e(r#"{"records": []}"#)
    );
    assert!(e(r#"[{"code": "E1400"#).starts_with("data.json: not a JSON document of records"));
    assert!(e("[] []").starts_with("data.json: not a JSON document of records"));
    // Row numbers reach the engine's own errors: record 2's bad value.
    assert_eq!(
        e(r#"[{"code": "E14001401", "events": 1}, {"code": "E14001402", "events": "twelve"}]"#),
        "data.json, row 2, column \"events\": not a number: \"twelve\""
    );
    // A problem with the header (the keys) names no row.
    let strict = recipe_for("seat", "json", "strict_columns = true\n");
    let e = error(
        &strict,
        "data.json",
        br#"[{"code": "E14001401", "events": 1, "extra": 2}]"#,
        &Limits::DEFAULT,
    );
    assert!(
        e.starts_with("data.json, column \"extra\": unexpected column"),
        "{e}"
    );
    let keyed = recipe_for("seat", "json", "json_records = \"rows\"\n");
    let e = |json: &str| error(&keyed, "data.json", json.as_bytes(), &Limits::DEFAULT);
    assert_eq!(
        e(r#"{"other": []}"#),
        "data.json: the document has no key \"rows\" (json_records)"
    );
    assert!(
        e("[]").contains("the document is an array, but json_records"),
        "{}",
        e("[]")
    );
    assert!(e(r#"{"rows": [], "rows": []}"#).contains("the key \"rows\" is in the document twice"));
}

#[test]
fn limits_hold_for_records() {
    let small = Limits {
        rows: 3,
        columns: 3,
        cell_chars: 20,
        file_bytes: 4_000,
        ..Limits::DEFAULT
    };
    let (pq_recipe, json_recipe) = (
        recipe_for("seat", "parquet", ""),
        recipe_for("seat", "json", ""),
    );
    // Rows.
    assert!(
        error(&json_recipe, "data.json", SEAT_JSON.as_bytes(), &small)
            .contains("more than 3 records; at most 3 are read")
    );
    assert!(error(&pq_recipe, "data.parquet", &seat_parquet(), &small)
        .contains("6 rows; at most 3 are read"));
    // Columns.
    let json = r#"[{"code": "E14001401", "name": "N", "events": 1, "more": 2}]"#;
    assert_eq!(
        error(&json_recipe, "data.json", json.as_bytes(), &small),
        "data.json, row 1, column \"more\": a column more than the 3 read"
    );
    let pq = parquet_file(&[
        ("code", PqCol::Text(vec![Some("E14001401")])),
        ("name", PqCol::Text(vec![Some("N")])),
        ("events", PqCol::Int(vec![Some(4)])),
        ("more", PqCol::Int(vec![Some(4)])),
    ]);
    assert!(
        error(&pq_recipe, "data.parquet", &pq, &small).contains("4 columns; at most 3 are read")
    );
    // Cells.
    let json = r#"[{"code": "E14001401", "name": "a name far longer than twenty", "events": 1}]"#;
    assert_eq!(
        error(&json_recipe, "data.json", json.as_bytes(), &small),
        "data.json, row 1, column \"name\": a cell over 20 characters"
    );
    // Only the columns read are decoded (and checked): `name` is not read.
    let pq = parquet_file(&[
        (
            "code",
            PqCol::Text(vec![Some("E14001401"), Some("E14001402 and far too long")]),
        ),
        (
            "name",
            PqCol::Text(vec![Some("N"), Some("a name far longer than twenty")]),
        ),
        ("events", PqCol::Int(vec![Some(4), Some(5)])),
    ]);
    assert_eq!(
        error(&pq_recipe, "data.parquet", &pq, &small),
        "data.parquet, row 2, column \"code\": a cell over 20 characters"
    );
    // The text a table of records becomes (sparse records write blanks).
    let tight = Limits {
        unpacked_bytes: 100,
        ..Limits::DEFAULT
    };
    assert!(
        error(&json_recipe, "data.json", SEAT_JSON.as_bytes(), &tight)
            .contains("the table is more than 100 bytes as text"),
    );
    // Parquet: first what the columns read unpack to, by the footer.
    let e = error(&pq_recipe, "data.parquet", &seat_parquet(), &tight);
    assert!(
        e.contains("the columns read would unpack to") && e.ends_with("at most 100 are read"),
        "{e}"
    );
    // File bytes.
    let big = format!("[{}]", vec![r#"{"code": "E14001401"}"#; 300].join(","));
    assert!(
        error(&json_recipe, "data.json", big.as_bytes(), &small).contains("at most 4000 are read")
    );
}

#[test]
fn record_fields_apply_to_their_readers_only() {
    let e = |extra: &str, reader: &str| {
        Recipe::parse(
            &recipe_for("seat", reader, extra),
            "recipe.toml",
            &Limits::DEFAULT,
        )
        .unwrap_err()
        .to_string()
    };
    assert!(e("json_records = \"x\"\n", "parquet")
        .contains("json_records applies to reader = \"json\" only"));
    assert!(e("skip_lines = 1\n", "json")
        .contains("skip_lines applies to reader = \"csv\" and \"xlsx\" only"));
    assert!(e("stop_at_blank_row = true\n", "parquet").contains("stop_at_blank_row applies"));
    assert!(e("sheet = \"A\"\n", "json")
        .contains("sheet applies to reader = \"xlsx\" and \"nomis\" only"));
}

#[test]
fn records_become_csv_text_as_written() {
    use stemgap_ingest::recipe::records::{json_as_csv, parquet_as_csv};
    // Numbers as written, true/false as words, null and absent keys blank,
    // keys in order of first appearance, text quoted and on one line.
    let json = br#"[{"a": 1.50, "b": 1e3, "c": true},
        {"d": "x, \"y\"\nz", "a": -0, "c": false, "b": null}]"#;
    let (csv, _) = json_as_csv(json, "d.json", None, &Limits::DEFAULT).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "a,b,c,d\n1.50,1e3,true,\n-0,,false,\"x, \"\"y\"\" z\"\n"
    );
    // A byte-order mark is allowed; a key twice is an error even when
    // one of them is null.
    let (csv, _) = json_as_csv(
        "\u{feff}[{\"a\": 1}]".as_bytes(),
        "d.json",
        None,
        &Limits::DEFAULT,
    )
    .unwrap();
    assert_eq!(csv, b"a\n1\n");
    let e = json_as_csv(
        br#"[{"a": 1}, {"b": 2, "a": null, "a": 3}]"#,
        "d.json",
        None,
        &Limits::DEFAULT,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "d.json, row 2, column \"a\": the key is in the record twice"
    );
    // Parquet: doubles as Rust writes them (they read back exactly),
    // integers as integers, nulls blank, unread columns blank.
    let recipe = Recipe::parse(
        &recipe_for("seat", "parquet", "").replace("value = \"events\"", "value = \"share\""),
        "recipe.toml",
        &Limits::DEFAULT,
    )
    .unwrap();
    let pq = parquet_file(&[
        ("code", PqCol::Int(vec![Some(-7), None])),
        ("name", PqCol::Text(vec![Some("not read"), None])),
        ("share", PqCol::Double(vec![Some(0.1 + 0.2), Some(1e21)])),
    ]);
    let (csv, _) = parquet_as_csv(&pq, "d.parquet", &recipe, &Limits::DEFAULT).unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(
        text,
        "code,name,share\n-7,,0.30000000000000004\n,,1000000000000000000000\n"
    );
    assert_eq!("0.30000000000000004".parse::<f64>().unwrap(), 0.1 + 0.2);
}
