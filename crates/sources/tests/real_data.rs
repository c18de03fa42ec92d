//! Readers on the real sources in `../shared/data` (skipped with a message
//! when absent).

use std::path::PathBuf;
use stemgap_core::Cell;
use stemgap_sources::{nomis_blocks, Catalogue, CsvOptions, CsvTable, SourceDir, Workbook};

fn dir() -> Option<SourceDir> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !p.join("SOURCES.md").is_file() {
        eprintln!("skipped: real data not found at {}", p.display());
        return None;
    }
    Some(SourceDir::new(p, Catalogue::embedded()))
}

#[test]
fn nomis_aps_occupation_has_a_block_per_year_with_soc21() {
    let Some(dir) = dir() else { return };
    let loaded = dir
        .load("nomis_aps_employment_by_occupation_soc2010_lad_2017_2022")
        .unwrap();
    let location = loaded.location.clone();
    let mut book = Workbook::open(loaded.bytes, location).unwrap();
    let grid = book.sheet("Data").unwrap();
    let blocks = nomis_blocks(&grid).unwrap();
    let periods: Vec<&str> = blocks.iter().map(|b| b.period.as_str()).collect();
    assert_eq!(
        periods,
        // SOURCES.md says 2017-2022, but the file stops at 2021.
        [
            "Jan 2017-Dec 2017",
            "Jan 2018-Dec 2018",
            "Jan 2019-Dec 2019",
            "Jan 2020-Dec 2020",
            "Jan 2021-Dec 2021"
        ]
    );
    for b in &blocks {
        let soc21 = b
            .measure("Science, Research, Engineering and Technology Professionals")
            .expect("SOC 21 in every year");
        let (row, area) = &b.rows[0];
        assert_eq!(area, "country:England");
        let v = b.value(&grid, *row, soc21).unwrap();
        assert!(
            matches!(v.value, Cell::Value(x) if x > 1_000_000.0),
            "{v:?}"
        );
        assert!(
            b.rows
                .iter()
                .filter(|(_, a)| a.starts_with("ladu:"))
                .count()
                > 300
        );
        // Suppressed cells come back as markers, not numbers.
        let suppressed = b
            .rows
            .iter()
            .filter(|(r, _)| matches!(b.value(&grid, *r, soc21).unwrap().value, Cell::Missing(_)))
            .count();
        assert!(suppressed < b.rows.len());
    }
}

#[test]
fn nomis_aps_industry_and_business_counts_parse() {
    let Some(dir) = dir() else { return };
    let grid = |id: &str| {
        let loaded = dir.load(id).unwrap();
        let location = loaded.location.clone();
        Workbook::open(loaded.bytes, location)
            .unwrap()
            .sheet("Data")
            .unwrap()
    };
    let g = grid("nomis_aps_employment_by_industry_sic2007_lad_2018_2022");
    let blocks = nomis_blocks(&g).unwrap();
    assert_eq!(blocks.len(), 5);
    assert_eq!(blocks[4].period, "Jan 2022-Dec 2022");
    assert!(blocks
        .iter()
        .all(|b| b.measures.iter().all(|m| m.conf_col.is_some())));
    let g = grid("nomis_ukbc_enterprises_by_industry_sizeband_lad_2018_2022");
    let blocks = nomis_blocks(&g).unwrap();
    // One block per year and broad industry group: 5 years x 18 groups.
    assert_eq!(blocks.len(), 90);
    assert!(blocks
        .iter()
        .all(|b| b.metadata.iter().any(|(k, _)| k == "industry")));
    assert_eq!(blocks[0].measures[0].label, "Total");
}

#[test]
fn every_catalogued_csv_parses_with_its_header() {
    let Some(dir) = dir() else { return };
    // Nomis CSVs have title lines; the BRES one is read by its own reader.
    for e in dir
        .catalogue()
        .entries()
        .iter()
        .filter(|e| e.format == "csv" && !e.path.contains("bres2024"))
    {
        let loaded = dir.load(&e.id).unwrap();
        let t = CsvTable::parse(
            &loaded,
            CsvOptions {
                flexible: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|err| panic!("{}: {err}", e.id));
        assert!(!t.headers().is_empty() && !t.is_empty(), "{}", e.id);
    }
}

#[test]
fn boundary_geojson_has_650_closed_features_per_set() {
    let Some(dir) = dir() else { return };
    for (id, prop, first) in [
        ("pcon2024_uk_buc", "PCON24CD", "E14001063"),
        ("pcon2010set_dec2022_uk_buc", "PCON22CD", "E14000530"),
    ] {
        let loaded = dir.load(id).unwrap();
        let features = stemgap_sources::read_geojson(&loaded, prop).unwrap();
        assert_eq!(features.len(), 650, "{id}");
        assert_eq!(features[0].id, first);
        let uk = |p: &[f64; 2]| (-8.7..=1.8).contains(&p[0]) && (49.8..=60.9).contains(&p[1]);
        assert!(
            features
                .iter()
                .all(|f| f.polygons.iter().flatten().flatten().all(uk)),
            "{id}: a point outside the UK"
        );
    }
}

/// The plain-sheet fast path gives calamine's cells on every sheet it
/// reads, and it reads the three Nomis workbooks (the bulk of the XLSX the
/// build decodes); the other workbooks (Scotland's census tables, the
/// Employer Skills Survey) may go to calamine.
#[test]
fn plain_sheets_read_as_calamine_reads_them() {
    let Some(dir) = dir() else { return };
    let mut plain = Vec::new();
    for e in Catalogue::embedded().entries() {
        if !e.path.ends_with(".xlsx") {
            continue;
        }
        let Ok(loaded) = dir.load(&e.id) else {
            continue;
        };
        let location = loaded.location.clone();
        let mut book = Workbook::open(loaded.bytes, location).unwrap();
        for name in book.sheet_names() {
            if let Some(agrees) = book.plain_sheet_agrees(&name) {
                assert!(
                    agrees,
                    "{}, sheet {name}: the fast path differs from calamine",
                    e.id
                );
                plain.push(format!("{}:{name}", e.id));
            }
        }
    }
    for id in [
        "nomis_aps_employment_by_industry_sic2007_lad_2018_2022:Data",
        "nomis_aps_employment_by_occupation_soc2010_lad_2017_2022:Data",
        "nomis_ukbc_enterprises_by_industry_sizeband_lad_2018_2022:Data",
    ] {
        assert!(
            plain.iter().any(|p| p == id),
            "{id} is not read by the fast path: {plain:?}"
        );
    }
    eprintln!(
        "{} sheets read by the fast path, as calamine reads them",
        plain.len()
    );
}
