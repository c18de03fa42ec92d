//! Readers on tiny hand-made fixtures (`tests/data/`, made by
//! `dev/fixtures/make_reader_xlsx.py` with invented values).

use stemgap_core::{Cell, Marker};
use stemgap_sources::{nomis_blocks, parse_cell, HexJson, Location, Workbook, XCell};

fn workbook() -> Workbook {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tiny.xlsx")).unwrap();
    Workbook::open(bytes, Location::file("tiny.xlsx")).unwrap()
}

#[test]
fn xlsx_keeps_absolute_positions_and_reads_numbers_text_and_markers() {
    let mut book = workbook();
    assert_eq!(book.sheet_names(), ["Data", "Notes"]);
    let g = book.sheet("Data").unwrap();
    // B3 is row 2, column 1 (0-based).
    assert_eq!(g.get(2, 1), &XCell::Text("date".into()));
    assert_eq!(g.get(0, 0), &XCell::Empty);
    assert_eq!(g.number(5, 2).unwrap(), 1250.0);
    assert_eq!(g.number(7, 2).unwrap(), 2.5);
    let e = g.number(6, 2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tiny.xlsx, sheet \"Data\", row 7, column \"C\": not a number: \"~\""
    );
    assert_eq!(
        g.get(6, 2).text().map(parse_cell),
        Some(Ok(Cell::Missing(Marker::Tilde)))
    );
    // Nomis blocks start in column A; this sheet starts in B, so it has none.
    assert!(nomis_blocks(&g).is_err());
}

#[test]
fn xlsx_missing_sheet_lists_the_sheets_found() {
    let e = workbook().sheet("Data Sheet 0").err().unwrap();
    assert_eq!(
        e.to_string(),
        "tiny.xlsx, sheet \"Data Sheet 0\": missing sheet; found sheets: Data, Notes"
    );
}

#[test]
fn hexjson_reads_tiles_of_either_vintage() {
    let text = r##"{"layout":"odd-r","hexes":{
        "E14000001":{"n":"Northam","q":3,"r":-2,"region":"E12000001","colour":"#fff"},
        "E14000002":{"n":"Southam","q":4,"r":-2,"a":"North East","p":100}}}"##;
    let h: HexJson = serde_json::from_str(text).unwrap();
    assert_eq!(h.layout, "odd-r");
    assert_eq!(h.hexes.0["E14000001"].region.as_deref(), Some("E12000001"));
    assert_eq!(h.hexes.0["E14000002"].a.as_deref(), Some("North East"));
    assert_eq!(
        (h.hexes.0["E14000002"].q, h.hexes.0["E14000002"].r),
        (4, -2)
    );
    assert!(serde_json::from_str::<HexJson>(
        r#"{"layout":"odd-r","hexes":{"X":{"n":"a","q":"1","r":0}}}"#
    )
    .is_err());
}
