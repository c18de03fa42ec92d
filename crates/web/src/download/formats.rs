//! A [`Table`] written as CSV (with its CSVW metadata), Parquet or XLSX,
//! all in memory.
//!
//! - **CSV**: RFC 4180, UTF-8, a header row; missing cells empty.
//! - **CSVW** ([`csvw`]): W3C "Metadata Vocabulary for Tabular Data". Each
//!   column links to its term in the atlas's vocabulary page (`/vocab`,
//!   [`super::vocab`]) by a URL relative to the metadata file, so the
//!   namespace is wherever the atlas is served; the annotations use the
//!   prefixes CSVW predefines (`dc:`, `schema:`, `skos:`, `rdfs:`).
//! - **Parquet** ([`parquet`]): one row group, ZSTD-compressed; text as
//!   UTF-8 byte arrays, numbers as doubles, missing cells null. The file's
//!   key-value metadata holds the title, description, build and, under
//!   `stemgap:columns`, each column's title, unit, period and method (JSON).
//! - **XLSX** ([`xlsx`], streamed by [`super::xlsx`]): a `data` sheet
//!   (header row frozen, numbers as numbers, missing cells blank), a
//!   `columns` sheet describing each column (title, unit, period, method,
//!   definition, caveats, sources) and an `about` sheet; the same store
//!   gives the same bytes.

use super::table::{Kind, Shape, Table, Value};
use crate::error::{Audience, HttpError};
use crate::App;
use serde_json::{json, Value as Json};
use std::sync::Arc;

/// A failure to write a download (never expected: everything is in memory).
fn failed(format: &str, e: impl std::fmt::Display) -> HttpError {
    HttpError::internal(Audience::Page, format!("cannot write the {format}: {e}"))
}

pub fn csv(table: &Table<'_>) -> Result<Vec<u8>, HttpError> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(table.rows.len() * 64));
    w.write_record(table.columns.iter().map(|c| c.name))
        .map_err(|e| failed("CSV", e))?;
    for row in &table.rows {
        w.write_record(row.iter().map(|v| v.csv().into_owned()))
            .map_err(|e| failed("CSV", e))?;
    }
    w.into_inner().map_err(|e| failed("CSV", e))
}

/// The vocabulary page as seen from a file `depth` directories below the
/// site's root (`/download/2024.csv-metadata.json` is at depth 1).
pub fn vocab_url(depth: usize, term: &str) -> String {
    format!("{}vocab#{term}", "../".repeat(depth))
}

/// The CSVW annotations of an indicator's column: definition, unit, period,
/// method, caveats, and the link to its vocabulary term.
pub fn indicator_annotations(
    d: &stemgap_core::IndicatorDef,
    period: &str,
    depth: usize,
) -> serde_json::Map<String, Json> {
    let mut m = serde_json::Map::new();
    m.insert("dc:description".into(), json!(d.definition));
    m.insert("schema:unitText".into(), json!(d.unit));
    m.insert("dc:temporal".into(), json!(period));
    m.insert(
        "dc:type".into(),
        json!({"@id": vocab_url(depth, d.method.id())}),
    );
    m.insert("skos:note".into(), json!(d.caveats));
    m.insert(
        "rdfs:seeAlso".into(),
        json!({"@id": vocab_url(depth, &d.id)}),
    );
    m
}

/// Sources of some indicators, once each, as CSVW `dc:source` entries.
pub fn sources<'a>(app: &App, ids: impl Iterator<Item = &'a str>) -> Vec<Json> {
    let mut seen = std::collections::BTreeSet::new();
    ids.filter(|id| seen.insert(*id))
        .filter_map(|id| app.atlas.source(id))
        .map(|s| {
            json!({
                "@id": s.url,
                "dc:title": s.title,
                "dc:publisher": s.publisher,
                "dc:license": s.licence,
            })
        })
        .collect()
}

/// The CSVW metadata of a table written as `{stem}.csv` under `/download/`.
pub fn csvw(app: &App, table: &Table<'_>) -> Json {
    let columns: Vec<Json> = table
        .columns
        .iter()
        .map(|c| {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), json!(c.name));
            m.insert("titles".into(), json!(c.title));
            m.insert(
                "datatype".into(),
                json!(match c.kind {
                    Kind::Text => "string",
                    Kind::Number => "number",
                }),
            );
            if c.required {
                m.insert("required".into(), json!(true));
            } else {
                m.insert("null".into(), json!(""));
            }
            if let Some(d) = c.indicator {
                m.insert("propertyUrl".into(), json!(vocab_url(1, &d.id)));
                m.extend(indicator_annotations(
                    d,
                    c.period.as_deref().unwrap_or(""),
                    1,
                ));
            }
            match c.name {
                "indicator" => {
                    m.insert("valueUrl".into(), json!("../vocab#{indicator}"));
                }
                "method" => {
                    m.insert("valueUrl".into(), json!("../vocab#{method}"));
                }
                "flag" => {
                    m.insert("valueUrl".into(), json!("../vocab#{flag}"));
                }
                _ => {}
            }
            Json::Object(m)
        })
        .collect();
    let atlas = &app.atlas;
    let ids = atlas
        .indicators
        .iter()
        .flat_map(|d| d.sources.iter().map(String::as_str));
    let primary_key = match table.shape {
        Shape::Wide => json!("code"),
        Shape::Long => json!(["code", "indicator", "period"]),
    };
    json!({
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": format!("{}.csv", table.stem()),
        "dc:title": table.title(),
        "dc:description": table.description(),
        "dc:creator": format!("stemgap {}", atlas.built_by),
        "dc:created": atlas.built_at,
        "dc:conformsTo": {"@id": "../vocab"},
        "dc:source": sources(app, ids),
        "dialect": {"header": true, "encoding": "utf-8"},
        "tableSchema": {
            "columns": columns,
            "primaryKey": primary_key,
            "aboutUrl": "#{code}",
        },
    })
}

/// Each column's description, for the Parquet and XLSX files.
fn column_notes(table: &Table<'_>) -> Vec<Json> {
    table
        .columns
        .iter()
        .map(|c| match c.indicator {
            Some(d) => json!({
                "name": c.name,
                "title": c.title,
                "unit": d.unit,
                "period": c.period,
                "method": d.method.id(),
                "definition": d.definition,
                "caveats": d.caveats,
                "sources": d.sources,
            }),
            None => json!({"name": c.name, "title": c.title}),
        })
        .collect()
}

pub fn parquet(app: &App, table: &Table<'_>) -> Result<Vec<u8>, HttpError> {
    use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical, ZstdLevel};
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;
    let err = |e: parquet::errors::ParquetError| failed("Parquet file", e);

    let fields = table
        .columns
        .iter()
        .map(|c| {
            let repetition = if c.required {
                Repetition::REQUIRED
            } else {
                Repetition::OPTIONAL
            };
            let t = match c.kind {
                Kind::Text => Type::primitive_type_builder(c.name, Physical::BYTE_ARRAY)
                    .with_logical_type(Some(LogicalType::String)),
                Kind::Number => Type::primitive_type_builder(c.name, Physical::DOUBLE),
            };
            t.with_repetition(repetition).build().map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let schema = Arc::new(
        Type::group_type_builder("stemgap")
            .with_fields(fields)
            .build()
            .map_err(err)?,
    );
    let atlas = &app.atlas;
    let meta = [
        ("title", table.title()),
        ("description", table.description().to_owned()),
        ("creator", format!("stemgap {}", atlas.built_by)),
        ("created", atlas.built_at.clone()),
        ("build_id", atlas.build_id.clone()),
        (
            "stemgap:columns",
            serde_json::to_string(&column_notes(table)).unwrap_or_default(),
        ),
    ];
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_created_by(format!("stemgap {}", atlas.built_by))
        .set_key_value_metadata(Some(
            meta.into_iter()
                .map(|(k, v)| KeyValue::new(k.to_owned(), v))
                .collect(),
        ))
        .build();
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, Arc::new(props)).map_err(err)?;
    let mut group = writer.next_row_group().map_err(err)?;
    let mut c = 0;
    while let Some(mut column) = group.next_column().map_err(err)? {
        let col = &table.columns[c];
        let cells = table.rows.iter().map(|r| r[c]);
        let defs: Vec<i16> = cells.clone().map(|v| i16::from(v != Value::Null)).collect();
        let defs = (!col.required).then_some(defs.as_slice());
        match col.kind {
            Kind::Text => {
                let values: Vec<ByteArray> = cells
                    .filter_map(|v| match v {
                        Value::Text(s) => Some(ByteArray::from(s)),
                        _ => None,
                    })
                    .collect();
                column
                    .typed::<ByteArrayType>()
                    .write_batch(&values, defs, None)
                    .map_err(err)?;
            }
            Kind::Number => {
                let values: Vec<f64> = cells
                    .filter_map(|v| match v {
                        Value::Number(x) => Some(x),
                        _ => None,
                    })
                    .collect();
                column
                    .typed::<DoubleType>()
                    .write_batch(&values, defs, None)
                    .map_err(err)?;
            }
        }
        column.close().map_err(err)?;
        c += 1;
    }
    group.close().map_err(err)?;
    writer.into_inner().map_err(err)
}

pub fn xlsx(app: &App, table: &Table<'_>) -> Result<Vec<u8>, HttpError> {
    super::xlsx::workbook(app, table).map_err(|e| failed("XLSX workbook", e))
}
