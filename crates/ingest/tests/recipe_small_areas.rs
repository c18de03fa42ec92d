//! Small-area rows carried to seats of both boundary sets of the test
//! observatory: Scottish data zones 2011 (`dz11`), Northern Ireland super
//! output areas 2001 (`soa01`) and Welsh LSOAs (`lsoa11`) through the
//! registry's small-area links, and MSOAs 2021 (`msoa21`) through the
//! placement of the built-in BRES and TS063 sources. The hand-made
//! contributions `tests/fixtures/contrib/{dz11,soa01,lsoa,msoa21}`
//! (invented values), with their per-seat figures worked out by hand here
//! from the observatory's lookups (`tests/observatory/lookups/`,
//! `deprivation/small_area/`).

use stemgap_core::{BoundarySet, Method};
use stemgap_ingest::build::Inputs;
use stemgap_ingest::recipe::engine::{place_with, read_declared, Declared, Given};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::Collector;
use stemgap_sources::{Encoding, SourceError};

mod common;

const B10: BoundarySet = BoundarySet::Pcon2010;
const B24: BoundarySet = BoundarySet::Pcon2024;

/// Reads `recipe` and `data` as a contribution and places it with the
/// observatory's MSOA placement (`with_msoa`), or without.
fn place(recipe: &str, data: &str, with_msoa: bool) -> Result<Collector, SourceError> {
    let reg = common::observatory_registry();
    let dir = common::observatory_sources();
    let inputs = Inputs::new(&dir, &());
    let placer = stemgap_ingest::indicators::msoa_placer(&inputs, &reg)?;
    let recipe = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)?;
    let d = Declared {
        recipe: &recipe,
        bytes: data.as_bytes(),
        file: "data.csv",
        encoding: Encoding::Utf8,
        contributed: true,
    };
    let parsed = read_declared(&d, &reg, &Limits::DEFAULT)?;
    let given = Given {
        msoa: with_msoa.then_some(&placer),
        ..Given::default()
    };
    let mut out = Collector::default();
    place_with(&d, &parsed, &reg, given, &mut out)?;
    Ok(out)
}

fn fixture(name: &str) -> Collector {
    let (recipe, data) = common::contribution(name);
    place(&recipe, &data, true).unwrap()
}

/// The message of an error that must happen.
fn fails<T>(r: Result<T, SourceError>) -> String {
    match r {
        Ok(_) => panic!("an error was expected"),
        Err(e) => e.to_string(),
    }
}

/// One seat's value (no bounds, no flag); `None` when the seat has no
/// observation.
fn value(out: &Collector, set: BoundarySet, code: &str, id: &str) -> Option<f64> {
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
        assert_eq!(o.method, Method::Contributed);
        assert_eq!((o.lower, o.upper, o.flag), (None, None, None), "{o:?}");
        o.value.expect("a value")
    })
}

fn close(got: Option<f64>, want: f64) {
    let v = got.expect("a figure");
    assert!((v - want).abs() < 1e-9, "{v} vs {want}");
}

/// The seats of `set` with a figure for `id`.
fn seats_with(out: &Collector, set: BoundarySet, id: &str) -> Vec<String> {
    let mut v: Vec<String> = out
        .observations()
        .iter()
        .filter(|o| o.boundary == Some(set) && &*o.indicator == id)
        .map(|o| o.code.to_string())
        .collect();
    v.sort();
    v
}

fn caveats(out: &Collector, id: &str) -> String {
    out.definitions()
        .iter()
        .find(|d| d.id == id)
        .expect("a definition")
        .caveats
        .clone()
}

fn sources(out: &Collector, id: &str) -> Vec<String> {
    out.definitions()
        .iter()
        .find(|d| d.id == id)
        .expect("a definition")
        .sources
        .clone()
}

#[test]
fn data_zones_are_carried_to_their_scottish_seat_on_both_sets() {
    let out = fixture("dz11");
    // Both data zones (750 and 850 residents) lie wholly in Glenbrae,
    // Kyle and Strathannan (S14000031) on both sets: 3 + 5 clubs; the
    // score weighted by population, (10 × 750 + 20 × 850) / 1600.
    for set in [B10, B24] {
        close(value(&out, set, "S14000031", "coding_clubs_dz"), 8.0);
        close(
            value(&out, set, "S14000031", "club_score_dz"),
            24500.0 / 1600.0,
        );
        assert_eq!(seats_with(&out, set, "coding_clubs_dz"), ["S14000031"]);
    }
    let c = caveats(&out, "coding_clubs_dz");
    assert!(c.contains("Carried from data zones (2011)"), "{c}");
    assert!(c.contains("mySociety's small-area overlap"), "{c}");
    assert_eq!(
        sources(&out, "coding_clubs_dz"),
        [
            "contrib_coding_clubs_dz",
            "small_area11_to_pcon2024_overlap_mysociety",
            "small_area11_to_pcon2010_bestfit_postcodes"
        ]
    );
}

#[test]
fn a_complete_data_zone_file_must_have_every_data_zone() {
    let (recipe, _) = common::contribution("dz11");
    let e = fails(place(
        &recipe,
        "DataZone,clubs,score\nS01010002,5,20\n",
        true,
    ));
    assert!(e.contains("no row for data zone S01010001"), "{e}");
}

#[test]
fn ni_super_output_areas_are_carried_to_their_seat_on_both_sets() {
    let out = fixture("soa01");
    // 95ZZ01S1 is unpopulated (shared by area: wholly in Loughmore) and
    // 95ZZ01S2 lies in Loughmore: 4 + 6 clubs in N05000011 (2024) and in
    // the best-fit N06000011 (2010-2024).
    close(value(&out, B24, "N05000011", "coding_clubs_soa"), 10.0);
    close(value(&out, B10, "N06000011", "coding_clubs_soa"), 10.0);
    assert_eq!(seats_with(&out, B24, "coding_clubs_soa"), ["N05000011"]);
    let c = caveats(&out, "coding_clubs_soa");
    assert!(
        c.contains("Northern Ireland super output areas (2001)"),
        "{c}"
    );
}

#[test]
fn welsh_lsoas_land_in_welsh_seats() {
    let out = fixture("lsoa");
    // W01000901 and W01000902 (one makerspace each) lie wholly in Bryn Môr
    // (W07000101, 2024) and best fit W07000061 (2010-2024).
    close(value(&out, B24, "W07000101", "makerspaces"), 2.0);
    close(value(&out, B10, "W07000061", "makerspaces"), 2.0);
    // The English small areas' eight stay in England: E01020010's sliver
    // in Bryn Môr (90 of 1,800 residents) carries 0 of its 0 makerspaces.
    let english: f64 = ["E14001401", "E14001402", "E14001403"]
        .iter()
        .map(|s| value(&out, B24, s, "makerspaces").unwrap_or(0.0))
        .sum();
    assert!((english - 8.0).abs() < 1e-9, "{english}");
}

#[test]
fn msoas_are_placed_as_the_builtin_msoa_sources_are() {
    let out = fixture("msoa21");
    let id = "lab_jobs_msoa";
    // Routes: Northam 001-005 and Southam 009 by name (each its one 2011
    // LSOA, "Northam 001A" …); Northam 008 has no 2011 namesake and is
    // shared by the 2011 MSOAs of Northam no MSOA of the file is named
    // after (006 and 007: E01020006, 1,900 residents, and E01020007,
    // 1,200, both in Northam South / Northam West); Afon 001 (Welsh) by
    // its whole authority (W01000901 and W01000902, both in Bryn Môr /
    // W07000061).
    //
    // 2010-2024 (whole LSOAs in their best-fit seats): E14000801 gets
    // 001-004 (10 + 20 + 30 + 40), E14000802 005 and 008 (50 + 60),
    // E14000803 Southam 009 (70), W07000061 Afon 001 (80).
    close(value(&out, B10, "E14000801", id), 100.0);
    close(value(&out, B10, "E14000802", id), 110.0);
    close(value(&out, B10, "E14000803", id), 70.0);
    close(value(&out, B10, "W07000061", id), 80.0);
    // 2024 (population overlap): E01020003 is 840 of 1,400 in Northam
    // North, 560 in Northam South, so Northam 003's 30 is 18 + 12.
    close(value(&out, B24, "E14001401", id), 10.0 + 20.0 + 18.0);
    close(value(&out, B24, "E14001402", id), 12.0 + 40.0 + 50.0 + 60.0);
    close(value(&out, B24, "E14001403", id), 70.0);
    close(value(&out, B24, "W07000101", id), 80.0);
    assert_eq!(seats_with(&out, B24, id).len(), 4);
    let c = caveats(&out, id);
    assert!(
        c.contains(
            "Routes for the 8 MSOAs: name 6 MSOAs, alias 0 MSOAs, changed 1 MSOAs, authority 1 MSOAs."
        ),
        "{c}"
    );
    assert!(c.contains("Apportioned from MSOA 2021 to seats"), "{c}");
    let s = sources(&out, id);
    assert_eq!(s[0], "contrib_lab_jobs_msoa");
    for lookup in [
        "ons_imd2019_lsoa11_rank_england",
        "ons_wimd2019_lsoa11_rank_wales",
        "small_area_population_2019",
        "small_area11_to_pcon2010_bestfit_postcodes",
        "small_area11_to_pcon2024_overlap_mysociety",
    ] {
        assert!(s.iter().any(|x| x == lookup), "{s:?}");
    }
}

#[test]
fn msoa_rows_need_the_placement_and_consistent_known_names() {
    let (recipe, data) = common::contribution("msoa21");
    let e = fails(place(&recipe, &data, false));
    assert!(e.contains("MSOA 2021 rows need the MSOA placement"), "{e}");
    let e = fails(place(
        &recipe,
        "MSOA21CD,MSOA21NM,lab_jobs\nE02000901,Northam 001,1\nE02009999,Atlantis 001,2\n",
        true,
    ));
    assert!(
        e.contains("data.csv, row 3, column \"MSOA21NM\"")
            && e.contains("\"Atlantis\" (the authority of MSOA E02009999 \"Atlantis 001\")"),
        "{e}"
    );
    let long = recipe.replace(
        "period = { fixed = \"2024\" }",
        "period = { column = \"year\" }",
    );
    let e = fails(place(
        &long,
        "MSOA21CD,MSOA21NM,year,lab_jobs\nE02000901,Northam 001,2023,1\nE02000901,Northam 002,2024,2\n",
        true,
    ));
    assert!(
        e.contains("row 3, column \"MSOA21NM\"")
            && e.contains(
                "MSOA E02000901 is \"Northam 002\" here and \"Northam 001\" in an earlier row"
            ),
        "{e}"
    );
    // Two periods of one MSOA are one MSOA to place.
    let out = place(
        &long,
        "MSOA21CD,MSOA21NM,year,lab_jobs\nE02000901,Northam 001,2023,1\nE02000901,Northam 001,2024,2\n",
        true,
    )
    .unwrap();
    let c = caveats(&out, "lab_jobs_msoa");
    assert!(c.contains("Routes for the 1 MSOAs: name 1 MSOAs"), "{c}");
    // A mean has no MSOA population to be weighted by.
    let mean = recipe.replace("unit = \"count\"", "unit = \"score\"");
    let e = fails(Recipe::parse(&mean, "recipe.toml", &Limits::DEFAULT));
    assert!(
        e.contains("a mean cannot be carried from MSOAs 2021"),
        "{e}"
    );
}
