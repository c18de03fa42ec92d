//! Located rows (`geography = "postcode"` and `"point"`): things located
//! somewhere, placed exactly on both boundary sets of the test observatory
//! and summed per seat. The hand-made contributions
//! `tests/fixtures/contrib/postcode` and `tests/fixtures/contrib/point`
//! (invented values), with their per-seat sums computed by hand here.

use stemgap_core::{BoundarySet, Marker, Method};
use stemgap_ingest::recipe::engine::{place_with, read_declared, Declared, Given, Placed};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::Collector;
use stemgap_sources::{Encoding, SourceError};

mod common;

const B10: BoundarySet = BoundarySet::Pcon2010;
const B24: BoundarySet = BoundarySet::Pcon2024;

/// Reads `recipe` and `data` as a contribution and places it with the
/// observatory's seat maps and postcode lookup (`with_located`), or without.
fn place(recipe: &str, data: &str, with_located: bool) -> Result<(Collector, Placed), SourceError> {
    let reg = common::observatory_registry();
    let (maps, ranges) = common::observatory_located(&reg);
    let recipe = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)?;
    let d = Declared {
        recipe: &recipe,
        bytes: data.as_bytes(),
        file: "data.csv",
        encoding: Encoding::Utf8,
        contributed: true,
    };
    let parsed = read_declared(&d, &reg, &Limits::DEFAULT)?;
    let given = if with_located {
        Given {
            seat_maps: Some(&maps),
            postcode_ranges: Some(&ranges),
            ..Given::default()
        }
    } else {
        Given::default()
    };
    let mut out = Collector::default();
    let placed = place_with(&d, &parsed, &reg, given, &mut out)?;
    Ok((out, placed))
}

/// The message of an error that must happen.
fn fails<T>(r: Result<T, SourceError>) -> String {
    match r {
        Ok(_) => panic!("an error was expected"),
        Err(e) => e.to_string(),
    }
}

fn fixture(name: &str) -> (Collector, Placed) {
    let (recipe, data) = common::contribution(name);
    place(&recipe, &data, true).unwrap()
}

/// One seat's figure: (value, lower, upper, flag); `None` when the seat has
/// no observation at all.
type Figure = (Option<f64>, Option<f64>, Option<f64>, Option<Marker>);

fn figure(out: &Collector, set: BoundarySet, code: &str, id: &str) -> Option<Figure> {
    let found: Vec<_> = out
        .observations()
        .iter()
        .filter(|o| o.boundary == Some(set) && o.code.as_str() == code && &*o.indicator == id)
        .collect();
    assert!(
        found.len() <= 1,
        "{set} {code} {id}: {} figures",
        found.len()
    );
    found.first().map(|o| {
        assert_eq!(o.method, Method::Contributed, "placed exactly, contributed");
        (o.value, o.lower, o.upper, o.flag)
    })
}

fn value(v: f64) -> Option<Figure> {
    Some((Some(v), None, None, None))
}

fn close(got: Option<Figure>, want: (f64, f64, f64)) {
    let (v, lo, hi, flag) = got.expect("a figure");
    assert_eq!(flag, None);
    for (g, w) in [(v, want.0), (lo, want.1), (hi, want.2)] {
        assert!((g.unwrap() - w).abs() < 1e-9, "{got:?} vs {want:?}");
    }
}

#[test]
fn postcodes_are_summed_in_their_seats_of_both_sets() {
    let (out, _) = fixture("postcode");
    let m = "stem_club_members";
    // 2024: NE1 → Northam North (12 + 8), NE2 → Northam South, TA1 →
    // Southam and Vale (a `c` of 0..4 and 6: bounds 6..10, the midpoint
    // its value), CF10 → Bryn Môr.
    assert_eq!(figure(&out, B24, "E14001401", m), value(20.0));
    assert_eq!(figure(&out, B24, "E14001402", m), value(10.0));
    close(figure(&out, B24, "E14001403", m), (8.0, 6.0, 10.0));
    assert_eq!(figure(&out, B24, "W07000101", m), value(7.0));
    // 2010-2024: Northam North lies wholly in Northam East; Northam South
    // is split 34/66 between Northam East and West, so its club is in
    // neither and widens both upper bounds.
    close(figure(&out, B10, "E14000801", m), (25.0, 20.0, 30.0));
    close(figure(&out, B10, "E14000802", m), (5.0, 0.0, 10.0));
    close(figure(&out, B10, "E14000803", m), (8.0, 6.0, 10.0));
    assert_eq!(figure(&out, B10, "W07000061", m), value(7.0));
    // Shares: numerator and denominator summed, then divided.
    let g = "stem_club_girls_share";
    assert_eq!(figure(&out, B24, "E14001401", g), value(8.0 / 20.0));
    assert_eq!(figure(&out, B24, "E14001403", g), value(3.0 / 11.0));
    assert_eq!(figure(&out, B24, "W07000101", g), value(4.0 / 7.0));
    // Northam East: 8..14 girls of 20..30.
    close(
        figure(&out, B10, "E14000801", g),
        (11.0 / 25.0, 8.0 / 30.0, 14.0 / 20.0),
    );
}

#[test]
fn a_complete_list_gives_a_real_zero_in_covered_nations_only() {
    let (out, placed) = fixture("postcode");
    let m = "stem_club_members";
    // Glenbrae (Scotland, covered) has no club: 0 on both sets.
    assert_eq!(figure(&out, B24, "S14000031", m), value(0.0));
    assert_eq!(figure(&out, B10, "S14000031", m), value(0.0));
    // A share of no members is no figure, not zero.
    assert_eq!(
        figure(&out, B24, "S14000031", "stem_club_girls_share"),
        Some((None, None, None, Some(Marker::NotAvailable)))
    );
    // Northern Ireland is not covered: no figure at all.
    assert_eq!(figure(&out, B24, "N05000011", m), None);
    assert_eq!(figure(&out, B10, "N06000011", m), None);
    let key = |set| {
        (
            m.to_owned(),
            "2024".to_owned(),
            set,
            stemgap_core::Nation::Scotland,
        )
    };
    assert_eq!(placed.seats[&key(B24)], (1, 0));
}

#[test]
fn unplaceable_postcodes_are_reported_with_their_rows() {
    let (_, placed) = fixture("postcode");
    assert_eq!(placed.rows_placed, [5, 6]);
    let rows = |set| -> Vec<(u64, String)> {
        placed
            .unplaced_in(set)
            .map(|(at, _, why)| (at.row.unwrap(), why.clone()))
            .collect()
    };
    let r24 = rows(B24);
    assert_eq!(r24.iter().map(|r| r.0).collect::<Vec<_>>(), [8, 9]);
    assert!(r24[0].1.contains("Northern Ireland postcode"), "{r24:?}");
    assert!(r24[1].1.contains("NE1 9ZZ is in no seat"), "{r24:?}");
    let r10 = rows(B10);
    assert_eq!(r10.iter().map(|r| r.0).collect::<Vec<_>>(), [4, 8, 9]);
    assert!(
        r10[0].1.contains(
            "E14001402, which is split between 2010-2024 seats E14000801 (34%), E14000802 (66%)"
        ),
        "{r10:?}"
    );
    let at = placed.unplaced_in(B24).next().unwrap().0.clone();
    assert_eq!(at.column.as_deref(), Some("postcode"));
}

#[test]
fn points_are_summed_in_the_seat_holding_them_on_each_set() {
    let (out, placed) = fixture("point");
    let v = "stem_ambassador_visits";
    for (set, north, south, ni, wales) in [
        (B24, "E14001401", "E14001402", "N05000011", "W07000101"),
        (B10, "E14000801", "E14000802", "N06000011", "W07000061"),
    ] {
        assert_eq!(figure(&out, set, north, v), value(10.0), "{set}");
        assert_eq!(figure(&out, set, south, v), value(3.0), "{set}");
        assert_eq!(figure(&out, set, ni, v), value(5.0), "{set}");
        // A withheld count without a range withholds the seat: never zero.
        assert_eq!(
            figure(&out, set, wales, v),
            Some((None, None, None, Some(Marker::Confidential))),
            "{set}"
        );
        // Not declared complete: a seat without a row has no figure.
        assert_eq!(figure(&out, set, "S14000031", v), None, "{set}");
    }
    assert_eq!(placed.rows_placed, [5, 5]);
    for set in [B10, B24] {
        let why: Vec<(u64, &str)> = placed
            .unplaced_in(set)
            .map(|(at, _, why)| (at.row.unwrap(), why.as_str()))
            .collect();
        assert_eq!(why.len(), 2, "{why:?}");
        assert_eq!(why[0].0, 7);
        assert!(why[0].1.ends_with("is outside the UK"), "{why:?}");
        assert_eq!(why[1].0, 8);
        assert!(why[1].1.contains("outside every seat"), "{why:?}");
    }
}

#[test]
fn located_rows_need_the_lookup_and_the_maps() {
    for (name, says) in [
        (
            "postcode",
            "postcode contributions need --sources for the postcode lookup",
        ),
        (
            "point",
            "point contributions need --sources for the seat boundaries",
        ),
    ] {
        let (recipe, data) = common::contribution(name);
        let e = fails(place(&recipe, &data, false));
        assert!(e.contains(says), "{e}");
    }
}

/// The point recipe with its data replaced.
fn point_error(data: &str) -> String {
    let (recipe, _) = common::contribution("point");
    fails(place(&recipe, data, true))
}

#[test]
fn malformed_positions_are_errors_at_their_cell() {
    let e = point_error("school,lon,lat,visits\nA,1.5,51.5,4\nB,east,51.5,1\n");
    assert!(
        e.contains("row 3, column \"lon\": not a longitude: \"east\""),
        "{e}"
    );
    let e = point_error("school,lon,lat,visits\nA,1.5,91,4\n");
    assert!(
        e.contains("row 2, column \"lat\": latitude 91 is not a coordinate"),
        "{e}"
    );
    let (recipe, _) = common::contribution("postcode");
    let e = fails(place(
        &recipe,
        "club,postcode,members,girls,boys\nA,NE1 1AB,1,1,0\nB,not a postcode,1,1,0\n",
        true,
    ));
    assert!(
        e.contains("row 3, column \"postcode\": \"not a postcode\" is not a UK postcode"),
        "{e}"
    );
}

#[test]
fn ids_must_be_unique_but_seats_need_not_be() {
    let e = point_error("school,lon,lat,visits\nA,1.5,51.5,4\nA,1.7,51.2,1\n");
    assert!(e.contains("row 3, column \"school\""), "{e}");
    assert!(e.contains("\"A\""), "{e}");
    // Without id_column, two rows at one place are two things.
    let (recipe, _) = common::contribution("point");
    let recipe = recipe.replace("id_column = \"school\"\n", "");
    let (out, _) = place(
        &recipe,
        "school,lon,lat,visits\nA,1.5,51.5,4\nA,1.5,51.5,1\n",
        true,
    )
    .unwrap();
    assert_eq!(
        figure(&out, B24, "E14001401", "stem_ambassador_visits"),
        value(5.0)
    );
}

#[test]
fn a_point_in_a_nation_not_covered_is_an_error_unless_skipped() {
    let (recipe, _) = common::contribution("point");
    let recipe = recipe.replace(
        r#"nations = ["england", "wales", "scotland", "northern_ireland"]"#,
        r#"nations = ["england"]"#,
    );
    let data = "school,lon,lat,visits\nA,1.5,51.5,4\nB,-8.0,52.5,5\n";
    let e = fails(place(&recipe, data, true));
    assert!(
        e.contains("row 3, column \"lon\": longitude -8, latitude 52.5 is in Northern Ireland"),
        "{e}"
    );
    let skip = recipe.replace(
        "geography = \"point\"",
        "geography = \"point\"\nother_nations = \"skip\"",
    );
    let (out, placed) = place(&skip, data, true).unwrap();
    assert_eq!(
        figure(&out, B24, "N05000011", "stem_ambassador_visits"),
        None
    );
    assert_eq!(placed.unplaced_in(B24).count(), 1);
}

/// Units that do not add up are refused when the recipe is read.
#[test]
fn only_units_that_add_up_are_allowed() {
    let (recipe, _) = common::contribution("point");
    for (unit, field) in [
        ("score", "unit"),
        ("rate_per_1000", "unit"),
        ("share", "unit"),
        ("percent", "unit"),
    ] {
        let r = recipe.replace("unit = \"count\"", &format!("unit = \"{unit}\""));
        let e = Recipe::parse(&r, "recipe.toml", &Limits::DEFAULT)
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("indicator[0].{field}")), "{unit}: {e}");
        assert!(e.contains("only units that add up"), "{unit}: {e}");
    }
    let r = recipe.replace("longitude_column = \"lon\"\n", "");
    let e = Recipe::parse(&r, "recipe.toml", &Limits::DEFAULT)
        .unwrap_err()
        .to_string();
    assert!(e.contains("longitude_column"), "{e}");
    let r = recipe.replace(
        "geography = \"point\"",
        "geography = \"pcon2024\"\ncode_column = \"code\"",
    );
    let e = Recipe::parse(&r, "recipe.toml", &Limits::DEFAULT)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("longitude_column applies to geography = \"point\" only"),
        "{e}"
    );
}
