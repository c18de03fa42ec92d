//! The recipe engine's tables of counts by local authority (DfE's layout):
//! a long table whose listed categories are summed, row filters, codes
//! placed nowhere (`skip_codes`), periods from a column with exclusions,
//! suppressed cells as bounds carried through the apportioner
//! (`suppressed_range`, `interval = "always"`), and rates per 1,000 of a
//! population given by the build (`x / p * 1000`). Tiny hand-made files
//! with invented values, on invented authority → seat shares; and the
//! built-in DfE recipes on the test observatory, checked against the
//! figures the hand-written reader gave.

use std::path::Path;
use stemgap_core::{BoundarySet, GssCode, Method};
use stemgap_ingest::build::Inputs;
use stemgap_ingest::recipe::engine::{place_with, Given, Population};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::{Collector, Registry};
use stemgap_sources::SourceError;

mod common;
use common::observatory_sources as source_dir;

const NORTH: &str = "E14001401";
const SOUTH: &str = "E14001402";

fn seat(s: &str) -> GssCode {
    GssCode::parse(s).unwrap()
}

/// Invented shares: Northam (E06000091) a quarter in the north seat, three
/// quarters in the south; Somerset (E06000066, which Mendip's 2019 code
/// E07000187 is carried to) wholly in the south.
fn shares() -> [(BoundarySet, stemgap_geography::apportion::Shares); 1] {
    let mut s = stemgap_geography::apportion::Shares::new();
    s.insert(
        "E06000091".into(),
        vec![(seat(NORTH), 0.25), (seat(SOUTH), 0.75)],
    );
    s.insert("E06000066".into(), vec![(seat(SOUTH), 1.0)]);
    [(BoundarySet::Pcon2024, s)]
}

/// Invented residents aged 19+ by seat.
const P_NORTH: f64 = 3.0e3 + 7.0;
const P_SOUTH: f64 = 4.9e3 + 3.0;

fn population(with_south: bool) -> Population {
    let mut p = Population::default();
    let m = p.entry(BoundarySet::Pcon2024).or_default();
    m.insert(seat(NORTH), P_NORTH);
    if with_south {
        m.insert(seat(SOUTH), P_SOUTH);
    }
    p
}

fn run_with(recipe: &str, data: &str, pop: &Population) -> Result<Collector, SourceError> {
    common::read_csv(recipe, data, |d, parsed, reg| {
        let shares = shares();
        let populations = [("population_19_plus", pop)];
        let given = Given {
            lad_shares: Some(&shares),
            populations: &populations,
            ..Default::default()
        };
        let mut out = Collector::default();
        place_with(d, parsed, reg, given, &mut out)?;
        Ok(out)
    })
}

fn run(recipe: &str, data: &str) -> Result<Collector, SourceError> {
    run_with(recipe, data, &population(true))
}

fn error(recipe: &str, data: &str) -> String {
    run(recipe, data).expect_err("an error").to_string()
}

/// (value, lower, upper) of one seat's figure.
fn figure(
    out: &Collector,
    code: &str,
    id: &str,
    period: &str,
) -> Option<(f64, Option<f64>, Option<f64>)> {
    out.observations()
        .iter()
        .find(|o| o.code.as_str() == code && o.indicator == id && o.period == period)
        .map(|o| (o.value.expect("a value"), o.lower, o.upper))
}

/// A long table of counts: subjects summed, some suppressed.
const LONG: &str = r#"format = 1
[source]
id = "test_courses"
geography = "lad"
vintage = 2023
code_column = "lad"
skip_codes = ["z"]
period = { column = "year", academic = true, exclude = ["2021/22"] }
filter = { level = "District", sex = "Total" }

[source.long]
category_column = "subject"
value_column = "done"
markers = ["~", "low"]
categories = ["Total", "Maths", "Welding", "Pottery"]

[[indicator]]
id = "stem_done_per_1000"
title = "STEM courses done per 1,000"
definition = "Invented: maths and welding courses done, per 1,000 residents aged 19+."
unit = "rate_per_1000"
direction = "higher_is_better"
categories = ["Maths", "Welding"]
suppressed_range = [0, 4]
interval = "always"
per_1000_of = "population_19_plus"
nations = ["england"]
caveats = "Invented."

[[indicator]]
id = "courses_done"
title = "Courses done"
definition = "Invented: every course done."
unit = "count"
direction = "neutral"
categories = ["Total"]
suppressed_range = [0, 4]
nations = ["england"]
"#;

const LONG_HEADER: &str = "lad,level,sex,year,subject,done\n";

fn long_data() -> String {
    format!(
        "{LONG_HEADER}\
E92000001,Country,Total,202223,Total,9999\n\
E06000091,District,Total,202223,Total,130\n\
E06000091,District,Total,202223,Maths,40\n\
E06000091,District,Total,202223,Welding,~\n\
E06000091,District,Total,202223,Pottery,low\n\
E06000091,District,Female,202223,Maths,999\n\
E06000091,District,Total,202122,Total,x\n\
E06000091,District,Total,202122,Total,x\n\
z,District,Total,202223,Total,7\n\
z,District,Total,202223,Maths,low\n\
E07000187,District,Total,202223,Total,21\n\
E07000187,District,Total,202223,Maths,8\n\
E07000187,District,Total,202223,Welding,6\n\
E07000187,District,Total,202223,Pottery,7\n"
    )
}

#[test]
fn listed_categories_are_summed_with_suppressed_cells_as_bounds() {
    let out = run(LONG, &long_data()).unwrap();
    // Northam: maths 40 + welding `~` (0 to 4) = 40 to 44, a quarter of
    // it in the north seat: 10 to 11, per 1,000 of its 19+ residents,
    // computed as x / p * 1000 (not x * (1000 / p)).
    let r = |x: f64, p: f64| x / p * 1000.0;
    let (v, lo, hi) = figure(&out, NORTH, "stem_done_per_1000", "2022/23").unwrap();
    assert_eq!(v.to_bits(), r((10.0 + 11.0) / 2.0, P_NORTH).to_bits());
    assert_eq!(lo.unwrap().to_bits(), r(10.0, P_NORTH).to_bits());
    assert_eq!(hi.unwrap().to_bits(), r(11.0, P_NORTH).to_bits());
    // The order of operations shows in the bits for these numbers.
    assert_ne!(
        r(10.0, P_NORTH).to_bits(),
        (10.0 * (1000.0 / P_NORTH)).to_bits()
    );
    // South: three quarters of Northam (30 to 33) and all of Mendip,
    // carried to Somerset (8 + 6, exact): 44 to 47.
    let (v, lo, hi) = figure(&out, SOUTH, "stem_done_per_1000", "2022/23").unwrap();
    let (a, b) = (40.0 * 0.75 + 14.0, 44.0 * 0.75 + 14.0);
    assert_eq!(v.to_bits(), r((a + b) / 2.0, P_SOUTH).to_bits());
    assert_eq!((lo.unwrap(), hi.unwrap()), (r(a, P_SOUTH), r(b, P_SOUTH)));
    // A count with nothing suppressed has no interval unless the recipe
    // asks for one always (the rate above does).
    assert_eq!(
        figure(&out, NORTH, "courses_done", "2022/23"),
        Some((130.0 * 0.25, None, None))
    );
    // Filtered rows (the country, women only), `z` and the excluded
    // 2021/22 (with its unreadable `x`, duplicated) are not read.
    assert_eq!(out.observations().len(), 4);
    assert!(out.observations().iter().all(|o| o.period == "2022/23"));
    assert!(out
        .observations()
        .iter()
        .all(|o| o.method == Method::Apportioned));
    let def = &out.definitions()[0];
    assert_eq!(def.period, "2022/23");
    assert!(def
        .sources
        .contains(&"mid2022_population_single_year_age_pcon2024".to_owned()));
    // The engine's sentence on how authority rows were shared out.
    assert!(def
        .caveats
        .starts_with("Invented. Shared out from local authorities"));
}

#[test]
fn method_caveat_false_keeps_the_recipe_caveats_as_written() {
    let recipe = LONG.replace("filter = {", "method_caveat = false\nfilter = {");
    let e = error(&recipe, &long_data());
    assert!(
        e.contains("indicator courses_done: with method_caveat = false each indicator's caveats say how its rows were shared out"),
        "{e}"
    );
    let recipe = recipe.replace(
        "categories = [\"Total\"]\n",
        "categories = [\"Total\"]\ncaveats = \"Shared out by population (invented).\"\n",
    );
    let out = run(&recipe, &long_data()).unwrap();
    assert_eq!(out.definitions()[0].caveats, "Invented.");
    assert_eq!(
        out.definitions()[1].caveats,
        "Shared out by population (invented)."
    );
}

#[test]
fn every_category_is_required_unless_the_recipe_says_otherwise() {
    // Mendip without its pottery row.
    let data = long_data().replace("E07000187,District,Total,202223,Pottery,7\n", "");
    let e = error(LONG, &data);
    assert!(
        e.contains("data.csv, row 12, column \"done\": local authority E07000187 has no row for category Pottery"),
        "{e}"
    );
    let lenient = LONG.replace(
        "categories = [\"Total\", \"Maths\", \"Welding\", \"Pottery\"]",
        "categories = [\"Total\", \"Maths\", \"Welding\", \"Pottery\"]\nevery_category = false",
    );
    let out = run(&lenient, &data).unwrap();
    assert!(figure(&out, SOUTH, "stem_done_per_1000", "2022/23").is_some());
    // Mendip with no maths or welding row: no STEM figure for Mendip, so
    // the south seat has Northam's part only — not zero from Mendip, and
    // never a figure where no authority has one.
    let data = long_data()
        .replace("E07000187,District,Total,202223,Maths,8\n", "")
        .replace("E07000187,District,Total,202223,Welding,6\n", "");
    let out = run(&lenient, &data).unwrap();
    let (_, lo, hi) = figure(&out, SOUTH, "stem_done_per_1000", "2022/23").unwrap();
    let r = |x: f64| x / P_SOUTH * 1000.0;
    assert_eq!((lo.unwrap(), hi.unwrap()), (r(30.0), r(33.0)));
    // A category's second row is still an error.
    let data = format!("{}E07000187,District,Total,202223,Maths,1\n", long_data());
    let e = error(&lenient, &data);
    assert!(
        e.contains(
            "row 16, column \"subject\": duplicate row for E07000187, 2022/23, category Maths"
        ),
        "{e}"
    );
}

#[test]
fn a_seat_without_the_population_is_an_error() {
    let e = run_with(LONG, &long_data(), &population(false))
        .expect_err("no population for the south seat")
        .to_string();
    assert!(
        e.contains("seat E14001402 has no population_19_plus to make stem_done_per_1000 a rate of"),
        "{e}"
    );
}

#[test]
fn z_is_an_unknown_code_unless_skipped() {
    let e = error(&LONG.replace("skip_codes = [\"z\"]\n", ""), &long_data());
    assert!(e.contains("row 10, column \"lad\""), "{e}");
}

/// One row per authority and year (DfE's apprenticeship table).
const WIDE: &str = r#"format = 1
[source]
id = "test_achievements"
geography = "lad"
vintage = 2023
code_column = "location_code"
skip_codes = ["z"]
period = { column = "time_period", academic = true, exclude = ["2021/22"] }
filter = { geographic_level = "localAuthorityDistrict", level_or_type = "All: Total" }

[[indicator]]
id = "achieved_per_1000"
title = "Achievements per 1,000"
definition = "Invented: achievements per 1,000 residents aged 19+."
unit = "rate_per_1000"
direction = "higher_is_better"
value = "achievements"
markers = ["~", "low"]
suppressed_range = [0, 4]
interval = "always"
per_1000_of = "population_19_plus"
nations = ["england"]
"#;

fn wide_data() -> String {
    "location_code,geographic_level,time_period,level_or_type,achievements\n\
E06000091,localAuthorityDistrict,201920,All: Total,400\n\
E06000091,localAuthorityDistrict,202021,All: Total,low\n\
E06000091,localAuthorityDistrict,202021,Other: Total,5\n\
E06000091,localAuthorityDistrict,202122,All: Total,10\n\
E06000091,localAuthorityDistrict,202122,All: Total,11\n\
z,localAuthorityDistrict,202021,All: Total,~\n\
E06000066,localAuthorityDistrict,201920,All: Total,100\n\
E06000066,localAuthorityDistrict,202021,All: Total,90\n"
        .to_owned()
}

#[test]
fn periods_come_from_a_column_with_exclusions() {
    let out = run(WIDE, &wide_data()).unwrap();
    let def = &out.definitions()[0];
    assert_eq!(def.period, "2019/20-2020/21");
    // Every figure stores its interval, exact ones too.
    let (v, lo, hi) = figure(&out, NORTH, "achieved_per_1000", "2019/20").unwrap();
    assert_eq!((lo, hi), (Some(v), Some(v)));
    assert_eq!(v, 100.0 / P_NORTH * 1000.0);
    // `low` is 0 to 4.
    let (_, lo, hi) = figure(&out, NORTH, "achieved_per_1000", "2020/21").unwrap();
    assert_eq!((lo, hi), (Some(0.0), Some(1.0 / P_NORTH * 1000.0)));
    assert!(figure(&out, NORTH, "achieved_per_1000", "2021/22").is_none());
}

#[test]
fn an_authority_twice_in_a_period_is_an_error() {
    let data = format!(
        "{}E06000066,localAuthorityDistrict,202021,All: Total,1\n",
        wide_data()
    );
    let e = error(WIDE, &data);
    assert!(
        e.contains(
            "data.csv, row 10, column \"location_code\": duplicate row for E06000066, 2020/21"
        ),
        "{e}"
    );
}

#[test]
fn the_new_fields_are_checked() {
    let bad = |recipe: &str, want: &str| {
        let e = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)
            .expect_err(want)
            .to_string();
        assert!(e.contains(want), "{e}\nwanted: {want}");
    };
    bad(
        &WIDE.replace("suppressed_range = [0, 4]\n", ""),
        "interval = \"always\" stores the interval suppressed cells make: give suppressed_range",
    );
    bad(
        &WIDE.replace(
            "period = { column = \"time_period\", academic = true, exclude = [\"2021/22\"] }",
            "period = { fixed = \"2021/22\", exclude = [\"2020/21\"] }",
        ),
        "periods are excluded from a period column: give period.column",
    );
    bad(
        &WIDE.replace(
            "code_column = \"location_code\"",
            "name_column = \"location\"",
        ),
        "skip_codes are codes of the code column: give code_column",
    );
    bad(
        &WIDE.replace("skip_codes = [\"z\"]", "skip_codes = [\" z\"]"),
        "\" z\" is not a code",
    );
    bad(
        &LONG.replace(
            "categories = [\"Total\", \"Maths\", \"Welding\", \"Pottery\"]",
            "categories = [\"Total\", \"Maths\", \"Welding\", \"Pottery\"]\nevery_category = false",
        ).replace("unit = \"count\"", "unit = \"share\"").replace("suppressed_range = [0, 4]\nnations", "nations"),
        "indicator courses_done: a share needs every category of its area; every_category = false applies to tables of counts",
    );
    bad(
        &LONG.replace(
            "categories = [\"Total\"]\n",
            "categories = [\"Total\"]\ndenominator_categories = [\"Total\"]\n",
        ),
        "indicator courses_done: a count of categories has no denominator",
    );
    bad(
        &LONG.replace(
            "categories = [\"Total\"]\n",
            "categories = [\"Total\"]\naggregation = \"mean\"\n",
        ),
        "indicator courses_done: a count of categories is shared out as a sum",
    );
}

/// The built-in DfE recipes on the test observatory give, bit for bit,
/// the definitions and figures the hand-written reader (`fe_rates` in
/// `indicators/apportion.rs`, main at b769da9) gave: its store's
/// `indicator` rows and `export --format json --long` rows, in
/// `tests/data/dfe/observatory-before.json`.
#[test]
fn the_dfe_recipes_give_the_figures_the_reader_gave() {
    let before: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dfe/observatory-before.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let dir = source_dir();
    let inputs = Inputs::new(&dir, &());
    let reg = Registry::load(&inputs).unwrap();
    let mut out = Collector::default();
    stemgap_ingest::indicators::collect_all(&inputs, &reg, &mut out).unwrap();
    let defs = before["definitions"].as_array().unwrap();
    assert_eq!(defs.len(), 4);
    for want in defs {
        let s = |k: &str| want[k].as_str().unwrap().to_owned();
        let got = out
            .definitions()
            .iter()
            .find(|d| d.id == s("id"))
            .unwrap_or_else(|| panic!("{} defined", s("id")));
        assert_eq!(got.title, s("title"));
        assert_eq!(got.definition, s("definition"));
        assert_eq!(got.unit, s("unit"));
        assert_eq!(got.direction.id(), s("direction"));
        assert_eq!(got.sources.join(","), s("sources"));
        assert_eq!(got.period, s("period"));
        let nations: Vec<&str> = got.nations.iter().map(|n| n.id()).collect();
        assert_eq!(nations.join(","), s("nations"));
        assert_eq!(got.method.id(), s("method"));
        assert_eq!(got.caveats, s("caveats"), "{}", s("id"));
    }
    let ids: Vec<&str> = defs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let rows = before["observations"].as_array().unwrap();
    let got: Vec<_> = out
        .observations()
        .iter()
        .filter(|o| ids.contains(&&*o.indicator))
        .collect();
    assert_eq!(got.len(), rows.len());
    assert!(rows.len() > 40);
    let bits = |v: &serde_json::Value| v.as_f64().map(f64::to_bits);
    for want in rows {
        let s = |k: &str| want[k].as_str().unwrap();
        let set = match s("boundaries") {
            "2024" => BoundarySet::Pcon2024,
            _ => BoundarySet::Pcon2010,
        };
        let o = got
            .iter()
            .find(|o| {
                o.boundary == Some(set)
                    && o.code.as_str() == s("code")
                    && &*o.indicator == s("indicator")
                    && &*o.period == s("period")
            })
            .unwrap_or_else(|| panic!("{want}"));
        assert_eq!(o.value.map(f64::to_bits), bits(&want["value"]), "{want}");
        assert_eq!(o.lower.map(f64::to_bits), bits(&want["lower"]), "{want}");
        assert_eq!(o.upper.map(f64::to_bits), bits(&want["upper"]), "{want}");
        assert!(want["flag"].is_null() && o.flag.is_none(), "{want}");
        assert_eq!(o.method.id(), s("method"));
        assert_eq!(&*o.source, s("source"));
    }
}
