//! CSV downloads with GSS codes, each with a CSVW metadata document beside
//! it (`<file>.csv-metadata.json`, W3C "Metadata Vocabulary for Tabular
//! Data"), linked from the CSV by a `Link: rel="describedby"` header.
//!
//! The set-wide files (`/download/2024.csv`, `.parquet`, `.xlsx`,
//! `.geojson`, and `2024-long.*`) are written from one table model
//! ([`table`]) in every format ([`formats`], [`geojson`]; names in
//! [`files`]); their metadata names its terms on the vocabulary page
//! ([`vocab`], `/vocab`). Values are rounded to the significant figures
//! their unit's sources support ([`table::round`]); shares and rates are
//! fractions between 0 and 1.
//!
//! File names in the URL are matched against the boundary sets and the
//! indicator catalogue in memory; nothing here opens a file.

pub mod files;
pub mod formats;
pub mod geojson;
pub mod table;
pub mod vocab;
pub mod xlsx;

use crate::error::{Audience, HttpError};
use crate::{Shared, P};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use stemgap_core::BoundarySet;

const PAGE: Audience = Audience::Page;

enum Kind {
    Csv,
    Metadata,
}

/// `name.csv` or `name.csv-metadata.json` → (name, kind).
fn split(file: &str) -> Option<(&str, Kind)> {
    if let Some(n) = file.strip_suffix(".csv-metadata.json") {
        Some((n, Kind::Metadata))
    } else {
        file.strip_suffix(".csv").map(|n| (n, Kind::Csv))
    }
}

fn not_found(file: &str) -> HttpError {
    HttpError::not_found(
        PAGE,
        format!("There is no download {file:?}. The downloads are listed on /sources."),
    )
}

fn csv_response(body: Vec<u8>, file: &str) -> Response {
    let link =
        format!("<{file}-metadata.json>; rel=\"describedby\"; type=\"application/csvm+json\"");
    let disposition = format!("attachment; filename=\"stemgap-{file}\"");
    let mut r = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    // Both are built from a set id or a catalogued indicator id, which are
    // plain ASCII; a value that is not a valid header is left out.
    if let Ok(v) = HeaderValue::from_str(&link) {
        r.headers_mut().insert(header::LINK, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn metadata_response(doc: &Value) -> Response {
    match serde_json::to_string_pretty(doc) {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/csvm+json"),
            )],
            text,
        )
            .into_response(),
        Err(e) => HttpError::internal(PAGE, e.to_string()).into_response(),
    }
}

fn csv_error(e: impl std::fmt::Display) -> HttpError {
    HttpError::internal(PAGE, format!("cannot write the CSV: {e}"))
}

/// `/download/{file}`: the set-wide files of [`files`] (wide and long
/// tables of each set, every format).
pub async fn set_file(State(app): State<Shared>, P(file): P) -> Result<Response, HttpError> {
    files::answer(&app, &file).unwrap_or_else(|| Err(not_found(&file)))
}

/// A stored value rounded for its unit, as the CSVs print it.
fn num(v: Option<f64>, unit: &str) -> String {
    table::rounded(v, unit).csv().into_owned()
}

/// `/download/indicators/{id}.csv` and its metadata: every observation of
/// one indicator on both sets, all periods, with provenance.
pub async fn indicator_file(State(app): State<Shared>, P(file): P) -> Result<Response, HttpError> {
    let (id, kind) = split(&file).ok_or_else(|| not_found(&file))?;
    let (k, _) = app.atlas.indicator(id).ok_or_else(|| not_found(&file))?;
    match kind {
        Kind::Csv => Ok(csv_response(indicator_csv(&app, k)?, &format!("{id}.csv"))),
        Kind::Metadata => Ok(metadata_response(&indicator_metadata(&app, k))),
    }
}

const INDICATOR_COLUMNS: [(&str, &str, &str); 12] = [
    ("boundaries", "Boundary set (2010 or 2024)", "string"),
    ("code", "GSS code of the constituency", "string"),
    ("name", "Constituency name", "string"),
    ("nation", "Nation", "string"),
    ("period", "Period of the figure", "string"),
    ("value", "Value (empty when missing)", "number"),
    ("lower", "Lower bound of the interval", "number"),
    ("upper", "Upper bound of the interval", "number"),
    (
        "flag",
        "Why the value is missing, as the source marked it",
        "string",
    ),
    (
        "method",
        "measured, apportioned, converted or derived",
        "string",
    ),
    ("source", "Source id (see /sources)", "string"),
    (
        "rank_in_nation",
        "Rank within the nation, latest period (1 = highest)",
        "integer",
    ),
];

pub fn indicator_csv(app: &crate::App, k: usize) -> Result<Vec<u8>, HttpError> {
    let atlas = &app.atlas;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(INDICATOR_COLUMNS.iter().map(|c| c.0))
        .map_err(csv_error)?;
    let unit = atlas.indicators[k].unit.as_str();
    let num = |v: Option<f64>| num(v, unit);
    for set in BoundarySet::ALL {
        let s = atlas.set(set);
        let series = &s.series[k];
        for (i, seat) in s.seats.iter().enumerate() {
            let n = series.obs[i].len();
            for (j, o) in series.obs[i].iter().enumerate() {
                let rank = if j + 1 == n { series.rank[i] } else { None };
                w.write_record([
                    set.id(),
                    seat.code.as_str(),
                    &seat.name,
                    seat.nation.map_or("", |n| n.name()),
                    &o.period,
                    &num(o.value),
                    &num(o.lower),
                    &num(o.upper),
                    o.flag.map_or("", |f| f.id()),
                    o.method.id(),
                    &o.source,
                    &rank.map_or(String::new(), |r| r.to_string()),
                ])
                .map_err(csv_error)?;
            }
        }
    }
    w.into_inner().map_err(csv_error)
}

pub fn indicator_metadata(app: &crate::App, k: usize) -> Value {
    let d = &app.atlas.indicators[k];
    let columns: Vec<Value> = INDICATOR_COLUMNS
        .iter()
        .map(|(name, title, datatype)| {
            let mut c = json!({"name": name, "titles": title, "datatype": datatype});
            if *datatype != "string" || matches!(*name, "flag") {
                c["null"] = json!("");
            }
            if matches!(
                *name,
                "boundaries" | "code" | "period" | "method" | "source"
            ) {
                c["required"] = json!(true);
            }
            c
        })
        .collect();
    let ids = d.sources.iter().map(String::as_str);
    let mut doc = json!({
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": format!("{}.csv", d.id),
        "dc:title": d.title,
        "dc:creator": format!("stemgap {}", app.atlas.built_by),
        "dc:source": formats::sources(app, ids),
        "dc:conformsTo": {"@id": formats::vocab_url(2, "")},
        "dialect": {"header": true, "encoding": "utf-8"},
        "tableSchema": {
            "columns": columns,
            "primaryKey": ["boundaries", "code", "period"],
        },
    });
    if let Some(m) = doc.as_object_mut() {
        m.extend(formats::indicator_annotations(d, &d.period, 2));
    }
    doc
}

/// `/download/constituency/{code}-{set}.csv` and its metadata: one row per
/// indicator for one seat, with the comparisons its page shows.
pub async fn seat_file(State(app): State<Shared>, P(file): P) -> Result<Response, HttpError> {
    let (name, kind) = split(&file).ok_or_else(|| not_found(&file))?;
    let (code, set) = name.rsplit_once('-').ok_or_else(|| not_found(&file))?;
    let set = match set {
        "2010" => BoundarySet::Pcon2010,
        "2024" => BoundarySet::Pcon2024,
        _ => return Err(not_found(&file)),
    };
    let (_, i) = crate::api::find_seat(&app, code, Some(set), PAGE)?;
    match kind {
        Kind::Csv => Ok(csv_response(
            seat_csv(&app, set, i)?,
            &format!("{name}.csv"),
        )),
        Kind::Metadata => Ok(metadata_response(&seat_metadata(&app, set, i))),
    }
}

/// The columns of a seat's file. Each indicator's caveats are not repeated
/// in every seat's file: the metadata links each row's indicator to its
/// vocabulary entry, which holds them (as the indicator's own file does).
const SEAT_FILE_COLUMNS: [(&str, &str, &str); 15] = [
    ("indicator", "Indicator id", "string"),
    ("title", "Indicator", "string"),
    ("unit", "Unit", "string"),
    ("period", "Period of the figure", "string"),
    ("value", "Value (empty when missing)", "number"),
    ("lower", "Lower bound of the interval", "number"),
    ("upper", "Upper bound of the interval", "number"),
    (
        "flag",
        "Why the value is missing, as the source marked it",
        "string",
    ),
    (
        "method",
        "measured, apportioned, converted or derived",
        "string",
    ),
    ("source", "Source id (see /sources)", "string"),
    (
        "rank_in_nation",
        "Rank within the nation (1 = highest)",
        "integer",
    ),
    (
        "nation_count",
        "Seats of the nation with a value",
        "integer",
    ),
    (
        "nation_mean",
        "Unweighted mean of the nation's seats",
        "number",
    ),
    (
        "region_mean",
        "Unweighted mean of the region's seats",
        "number",
    ),
    (
        "neighbour_mean",
        "Unweighted mean of the bordering seats",
        "number",
    ),
];

pub fn seat_csv(app: &crate::App, set: BoundarySet, i: usize) -> Result<Vec<u8>, HttpError> {
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let seat = &s.seats[i];
    let slot = seat.nation.map(crate::atlas::nation_slot);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SEAT_FILE_COLUMNS.iter().map(|c| c.0))
        .map_err(csv_error)?;
    for (d, series) in atlas.indicators.iter().zip(&s.series) {
        let o = series.latest(i);
        let num = |v: Option<f64>| num(v, &d.unit);
        w.write_record([
            d.id.as_str(),
            &d.title,
            &d.unit,
            o.map_or("", |o| &*o.period),
            &num(o.and_then(|o| o.value)),
            &num(o.and_then(|o| o.lower)),
            &num(o.and_then(|o| o.upper)),
            o.and_then(|o| o.flag).map_or("", |f| f.id()),
            o.map_or("", |o| o.method.id()),
            o.map_or("", |o| &*o.source),
            &series.rank[i].map_or(String::new(), |r| r.to_string()),
            &slot.map_or(String::new(), |k| series.nation_count[k].to_string()),
            &num(slot.and_then(|k| series.nation_mean[k])),
            &num(seat
                .region
                .as_ref()
                .and_then(|r| series.region_mean.get(r).copied())),
            &num(series.neighbour_mean[i]),
        ])
        .map_err(csv_error)?;
    }
    w.into_inner().map_err(csv_error)
}

pub fn seat_metadata(app: &crate::App, set: BoundarySet, i: usize) -> Value {
    let atlas = &app.atlas;
    let seat = &atlas.set(set).seats[i];
    let columns: Vec<Value> = SEAT_FILE_COLUMNS
        .iter()
        .map(|(name, title, datatype)| {
            let mut c = json!({"name": name, "titles": title, "datatype": datatype});
            if *name == "indicator" {
                c["valueUrl"] = json!(formats::vocab_url(2, "{indicator}"));
            }
            if *name == "method" {
                c["valueUrl"] = json!(formats::vocab_url(2, "{method}"));
            }
            if *name == "source" {
                // Each row's source: its entry (title, publisher, licence)
                // on the Sources page.
                c["valueUrl"] = json!("../../sources#{source}");
            }
            if matches!(*name, "indicator" | "title" | "unit") {
                c["required"] = json!(true);
            } else {
                c["null"] = json!("");
            }
            c
        })
        .collect();
    // The sources are not listed in each of the 1,300 seats' files: each
    // row's source links to its entry on the Sources page (the set-wide
    // files' metadata lists them all).
    json!({
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": format!("{}-{}.csv", seat.code, set.id()),
        "dc:conformsTo": {"@id": formats::vocab_url(2, "")},
        "dc:title": format!("stemgap: every indicator for {} ({}, {})", seat.name, seat.code, set.title()),
        "dc:description": "One row per indicator: the latest period's value with its interval, method and source, the seat's rank within its nation, and unweighted means of the nation's, region's and bordering seats' figures. Each indicator's definition and caveats are on its vocabulary entry (the indicator column's valueUrl). Shares and rates are fractions between 0 and 1, never percentages; values are rounded to the significant figures their sources support.",
        "dc:creator": format!("stemgap {}", atlas.built_by),
        "dc:source": {"@id": "../../sources"},
        "dialect": {"header": true, "encoding": "utf-8"},
        "tableSchema": {"columns": columns, "primaryKey": "indicator"},
    })
}
