//! Test helpers shared by the ingest crate's integration tests: the test
//! observatory (`tests/observatory/`) as sources and a registry, and
//! workbooks written from hand-made cells (stored ZIP entries, inline
//! strings).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use stemgap_ingest::build::Inputs;
use stemgap_ingest::recipe::engine::{read_declared, Declared, Parsed};
use stemgap_ingest::recipe::{Limits, Recipe};
use stemgap_ingest::Registry;
use stemgap_sources::{Catalogue, Encoding, SourceDir, SourceError};

/// The test observatory's folder.
pub fn observatory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/observatory")
}

/// The test observatory's catalogue.
pub fn observatory_catalogue() -> Catalogue {
    Catalogue::parse(
        &std::fs::read_to_string(observatory().join("catalogue.toml")).unwrap(),
        "catalogue.toml",
    )
    .unwrap()
}

/// The test observatory's files as a sources directory.
pub fn observatory_sources() -> SourceDir {
    SourceDir::new(observatory(), observatory_catalogue())
}

/// The registry built from the test observatory's lookups.
pub fn observatory_registry() -> Registry {
    let dir = observatory_sources();
    Registry::load(&Inputs::new(&dir, &())).unwrap()
}

/// A recipe and its CSV data (`data.csv`) parsed and read as the engine
/// reads a built-in source, on the observatory's registry; `then` places
/// what was read.
pub fn read_csv<T>(
    recipe: &str,
    data: &str,
    then: impl FnOnce(&Declared<'_>, &Parsed, &Registry) -> Result<T, SourceError>,
) -> Result<T, SourceError> {
    let reg = observatory_registry();
    let recipe = Recipe::parse(recipe, "recipe.toml", &Limits::DEFAULT)?;
    let d = Declared {
        recipe: &recipe,
        bytes: data.as_bytes(),
        file: "data.csv",
        encoding: Encoding::Utf8,
        contributed: false,
    };
    let parsed = read_declared(&d, &reg, &Limits::DEFAULT)?;
    then(&d, &parsed, &reg)
}

/// CRC-32 (IEEE), for the stored ZIP entries below.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A ZIP archive of uncompressed (stored) entries.
pub fn stored_zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dir = Vec::new();
    for (name, data) in files {
        let (crc, n, at) = (crc32(data), data.len() as u32, out.len() as u32);
        let head = |sig: &[u8], central: bool| {
            let mut h = sig.to_vec();
            if central {
                h.extend(20u16.to_le_bytes());
            }
            for v in [20u16, 0, 0, 0, 0] {
                h.extend(v.to_le_bytes());
            }
            h.extend(crc.to_le_bytes());
            h.extend(n.to_le_bytes());
            h.extend(n.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                for v in [0u16, 0, 0] {
                    h.extend(v.to_le_bytes());
                }
                h.extend(0u32.to_le_bytes());
                h.extend(at.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(head(b"PK\x03\x04", false));
        out.extend(data);
        dir.extend(head(b"PK\x01\x02", true));
    }
    let (cd_at, cd_len) = (out.len() as u32, dir.len() as u32);
    out.extend(dir);
    out.extend(b"PK\x05\x06");
    for v in [0u16, 0, files.len() as u16, files.len() as u16] {
        out.extend(v.to_le_bytes());
    }
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A workbook whose sheet `Clubs` is `sheet_xml`.
pub fn workbook(sheet_xml: &[u8]) -> Vec<u8> {
    workbook_of(&[("Clubs", sheet_xml.to_vec())])
}

/// A workbook of named sheets, in order.
pub fn workbook_of(sheets: &[(&str, Vec<u8>)]) -> Vec<u8> {
    workbook_with(sheets, None)
}

/// A table as a spreadsheet application writes it: text in a shared
/// strings table (`t="s"` cells), numbers as numbers. Returns the sheet XML
/// and the shared strings XML, for [`workbook_with`].
pub fn shared_sheet_xml(rows: &[&[&str]]) -> (Vec<u8>, Vec<u8>) {
    let mut strings: Vec<&str> = Vec::new();
    let mut s = String::from("<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
    for (r, row) in rows.iter().enumerate() {
        s.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, v) in row.iter().enumerate() {
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            if v.is_empty() {
                s.push_str(&format!("<c r=\"{at}\" s=\"0\"/>"));
            } else if v.parse::<f64>().is_ok() {
                s.push_str(&format!("<c r=\"{at}\" s=\"0\"><v>{v}</v></c>"));
            } else {
                let i = strings.iter().position(|x| x == v).unwrap_or_else(|| {
                    strings.push(v);
                    strings.len() - 1
                });
                s.push_str(&format!("<c r=\"{at}\" t=\"s\"><v>{i}</v></c>"));
            }
        }
        s.push_str("</row>");
    }
    s.push_str("</sheetData></worksheet>");
    let items: String = strings
        .iter()
        .map(|v| {
            format!(
                "<si><t xml:space=\"preserve\">{}</t></si>",
                v.replace('&', "&amp;")
            )
        })
        .collect();
    let sst = format!("<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{n}\" uniqueCount=\"{n}\">{items}</sst>", n = strings.len());
    (s.into_bytes(), sst.into_bytes())
}

/// A workbook of named sheets, in order, with a shared strings table.
pub fn workbook_with(sheets: &[(&str, Vec<u8>)], shared_strings: Option<&[u8]>) -> Vec<u8> {
    let ns = "http://schemas.openxmlformats.org";
    let overrides: String = (1..=sheets.len())
        .map(|i| format!("<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
        .collect();
    let names: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(
                "<sheet name=\"{name}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
                i + 1,
                i + 1
            )
        })
        .collect();
    let rels: String = (1..=sheets.len())
        .map(|i| format!("<Relationship Id=\"rId{i}\" Type=\"{ns}/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
        .collect();
    let mut files = vec![
        ("[Content_Types].xml".to_owned(), format!("<?xml version=\"1.0\"?><Types xmlns=\"{ns}/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>{overrides}</Types>").into_bytes()),
        ("_rels/.rels".to_owned(), format!("<?xml version=\"1.0\"?><Relationships xmlns=\"{ns}/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>").into_bytes()),
        ("xl/workbook.xml".to_owned(), format!("<?xml version=\"1.0\"?><workbook xmlns=\"{ns}/spreadsheetml/2006/main\" xmlns:r=\"{ns}/officeDocument/2006/relationships\"><sheets>{names}</sheets></workbook>").into_bytes()),
        ("xl/_rels/workbook.xml.rels".to_owned(), format!("<?xml version=\"1.0\"?><Relationships xmlns=\"{ns}/package/2006/relationships\">{rels}</Relationships>").into_bytes()),
    ];
    for (i, (_, xml)) in sheets.iter().enumerate() {
        files.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml.clone()));
    }
    if let Some(sst) = shared_strings {
        files.push(("xl/sharedStrings.xml".to_owned(), sst.to_vec()));
    }
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    stored_zip(&files)
}

/// The sheet XML of a table (numbers as numbers, the rest inline text).
pub fn sheet_xml(rows: &[&[&str]]) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
    for (r, row) in rows.iter().enumerate() {
        s.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let at = format!("{}{}", (b'A' + c as u8) as char, r + 1);
            if v.parse::<f64>().is_ok() {
                s.push_str(&format!("<c r=\"{at}\"><v>{v}</v></c>"));
            } else {
                s.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{v}</t></is></c>"
                ));
            }
        }
        s.push_str("</row>");
    }
    s.push_str("</sheetData></worksheet>");
    s.into_bytes()
}

/// The test observatory's seat maps (both sets) and decoded postcode range
/// lookup, as a build makes them, for located rows.
pub fn observatory_located(
    reg: &Registry,
) -> (
    Vec<stemgap_geography::seatmap::SeatMap>,
    Vec<(u64, Option<String>)>,
) {
    let dir = observatory_sources();
    let inputs = Inputs::new(&dir, &());
    let mut maps = Vec::new();
    for (set, loaded) in stemgap_geography::topology::load(&inputs).unwrap() {
        let seats: Vec<_> = reg.seats(set).iter().map(|s| s.code).collect();
        let topology = stemgap_geography::topology::parse(&loaded, set, &seats).unwrap();
        maps.push(stemgap_geography::seatmap::SeatMap::from_topology(
            &topology,
        ));
    }
    let ranges = stemgap_geography::postcodes::read(&inputs, reg).unwrap();
    (maps, ranges)
}

/// A hand-made contribution of `tests/fixtures/contrib/` (its folder name).
pub fn contribution(name: &str) -> (String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/contrib")
        .join(name);
    (
        std::fs::read_to_string(dir.join("recipe.toml")).unwrap(),
        std::fs::read_to_string(dir.join("data.csv")).unwrap(),
    )
}

/// A Parquet column for [`parquet_file`]: its values, `None` a null.
pub enum PqCol {
    Text(Vec<Option<&'static str>>),
    Int(Vec<Option<i64>>),
    Double(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
}

/// A flat Parquet file (one row group, optional columns, Snappy) written
/// by the `parquet` crate from hand-made columns.
pub fn parquet_file(columns: &[(&str, PqCol)]) -> Vec<u8> {
    use parquet::basic::Compression;
    use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;
    let fields: String = columns
        .iter()
        .map(|(name, c)| {
            let t = match c {
                PqCol::Text(_) => "binary",
                PqCol::Int(_) => "int64",
                PqCol::Double(_) => "double",
                PqCol::Bool(_) => "boolean",
            };
            let note = if matches!(c, PqCol::Text(_)) {
                " (UTF8)"
            } else {
                ""
            };
            format!("optional {t} {name}{note}; ")
        })
        .collect();
    let schema = Arc::new(parse_message_type(&format!("message m {{ {fields}}}")).unwrap());
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let mut buf = Vec::new();
    let mut w = SerializedFileWriter::new(&mut buf, schema, props).unwrap();
    let mut g = w.next_row_group().unwrap();
    let mut i = 0;
    while let Some(mut col) = g.next_column().unwrap() {
        fn defs<T>(v: &[Option<T>]) -> Vec<i16> {
            v.iter().map(|c| i16::from(c.is_some())).collect()
        }
        match &columns[i].1 {
            PqCol::Text(v) => {
                let values: Vec<ByteArray> =
                    v.iter().flatten().map(|s| ByteArray::from(*s)).collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&values, Some(&defs(v)), None)
                    .unwrap();
            }
            PqCol::Int(v) => {
                let values: Vec<i64> = v.iter().flatten().copied().collect();
                col.typed::<Int64Type>()
                    .write_batch(&values, Some(&defs(v)), None)
                    .unwrap();
            }
            PqCol::Double(v) => {
                let values: Vec<f64> = v.iter().flatten().copied().collect();
                col.typed::<DoubleType>()
                    .write_batch(&values, Some(&defs(v)), None)
                    .unwrap();
            }
            PqCol::Bool(v) => {
                let values: Vec<bool> = v.iter().flatten().copied().collect();
                col.typed::<BoolType>()
                    .write_batch(&values, Some(&defs(v)), None)
                    .unwrap();
            }
        }
        col.close().unwrap();
        i += 1;
    }
    g.close().unwrap();
    w.close().unwrap();
    buf
}

/// The seat contribution (`tests/fixtures/contrib/seat`) as a Parquet file
/// (the same made-up values; `events` as text, for its marker `c`).
pub fn seat_parquet() -> Vec<u8> {
    parquet_file(&[
        (
            "code",
            PqCol::Text(vec![
                Some("E14001401"),
                Some("E14001402"),
                Some("E14001403"),
                Some("N05000011"),
                Some("S14000031"),
                Some("W07000101"),
            ]),
        ),
        (
            "name",
            PqCol::Text(vec![
                Some("Northam North"),
                Some("Northam South"),
                Some("Southam and Vale"),
                Some("Loughmore"),
                Some("Glenbrae, Kyle and Strathannan"),
                Some("Bryn Môr"),
            ]),
        ),
        (
            "events",
            PqCol::Text(vec![
                Some("12"),
                Some("7"),
                Some("c"),
                Some("3"),
                Some("0"),
                Some("5"),
            ]),
        ),
    ])
}

/// The seat contribution as JSON records (the same made-up values).
pub const SEAT_JSON: &str = r#"[
  {"code": "E14001401", "name": "Northam North", "events": 12},
  {"code": "E14001402", "name": "Northam South", "events": 7},
  {"code": "E14001403", "name": "Southam and Vale", "events": "c"},
  {"code": "N05000011", "name": "Loughmore", "events": 3},
  {"code": "S14000031", "name": "Glenbrae, Kyle and Strathannan", "events": 0},
  {"code": "W07000101", "name": "Bryn Môr", "events": 5}
]"#;
