//! The set-wide download files, by name: `{set}` (wide) or `{set}-long`,
//! then `.csv`, `.csv-metadata.json`, `.parquet`, `.xlsx` or (wide only)
//! `.geojson`, for `set` 2010 or 2024. One function gives the bytes, so the
//! server, `stemgap site` and `stemgap export` write the same files.

use super::table::{self, Shape};
use super::{formats, geojson};
use crate::error::{Audience, HttpError};
use crate::App;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use stemgap_core::BoundarySet;

/// A download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    CsvMetadata,
    Parquet,
    Xlsx,
    GeoJson,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Csv,
        Format::CsvMetadata,
        Format::Parquet,
        Format::Xlsx,
        Format::GeoJson,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => ".csv",
            Format::CsvMetadata => ".csv-metadata.json",
            Format::Parquet => ".parquet",
            Format::Xlsx => ".xlsx",
            Format::GeoJson => ".geojson",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::CsvMetadata => "application/csvm+json",
            Format::Parquet => "application/vnd.apache.parquet",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::GeoJson => "application/geo+json",
        }
    }

    /// Whether a table of this shape is offered in this format (GeoJSON is
    /// a map: one feature per seat, so the wide table only).
    pub fn offered(self, shape: Shape) -> bool {
        self != Format::GeoJson || shape == Shape::Wide
    }
}

/// `2024.parquet` → (2024, wide, Parquet); `None` for any other name.
pub fn parse(file: &str) -> Option<(BoundarySet, Shape, Format)> {
    // The longest extension first (`.csv-metadata.json` before `.csv`).
    let (stem, format) = [
        Format::CsvMetadata,
        Format::Csv,
        Format::Parquet,
        Format::Xlsx,
        Format::GeoJson,
    ]
    .into_iter()
    .find_map(|f| file.strip_suffix(f.extension()).map(|s| (s, f)))?;
    let (set, shape) = match stem.strip_suffix("-long") {
        Some(s) => (s, Shape::Long),
        None => (stem, Shape::Wide),
    };
    let set = match set {
        "2010" => BoundarySet::Pcon2010,
        "2024" => BoundarySet::Pcon2024,
        _ => return None,
    };
    format.offered(shape).then_some((set, shape, format))
}

/// Every set-wide file name, in a stable order.
pub fn names() -> Vec<String> {
    let mut v = Vec::new();
    for set in BoundarySet::ALL {
        for shape in [Shape::Wide, Shape::Long] {
            for f in Format::ALL.into_iter().filter(|f| f.offered(shape)) {
                let stem = match shape {
                    Shape::Wide => set.id().to_owned(),
                    Shape::Long => format!("{}-long", set.id()),
                };
                v.push(format!("{stem}{}", f.extension()));
            }
        }
    }
    v
}

/// The bytes of a set-wide file.
pub fn bytes(
    app: &App,
    set: BoundarySet,
    shape: Shape,
    format: Format,
) -> Result<Vec<u8>, HttpError> {
    let t = match shape {
        Shape::Wide => table::wide(app, set),
        Shape::Long => table::long(app, set),
    };
    match format {
        Format::Csv => formats::csv(&t),
        Format::CsvMetadata => serde_json::to_vec_pretty(&formats::csvw(app, &t))
            .map_err(|e| HttpError::internal(Audience::Page, e.to_string())),
        Format::Parquet => formats::parquet(app, &t),
        Format::Xlsx => formats::xlsx(app, &t),
        Format::GeoJson => {
            let s = app.atlas.set(set);
            let paths: Vec<Option<&str>> = match &s.outlines {
                Some(o) => o.paths.iter().map(|p| p.as_deref()).collect(),
                None => vec![None; s.seats.len()],
            };
            serde_json::to_vec(&geojson::feature_collection(&t, &paths))
                .map_err(|e| HttpError::internal(Audience::Page, e.to_string()))
        }
    }
}

/// The answer for `/download/{file}` when `file` is a set-wide file.
pub fn answer(app: &App, file: &str) -> Option<Result<Response, HttpError>> {
    let (set, shape, format) = parse(file)?;
    Some(bytes(app, set, shape, format).map(|body| {
        let mut r = (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            )],
            body,
        )
            .into_response();
        if format != Format::CsvMetadata {
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"stemgap-{file}\""))
            {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
        }
        if format == Format::Csv {
            if let Ok(v) = HeaderValue::from_str(&format!(
                "<{file}-metadata.json>; rel=\"describedby\"; type=\"application/csvm+json\""
            )) {
                r.headers_mut().insert(header::LINK, v);
            }
        }
        r
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        let names = names();
        assert_eq!(names.len(), 18);
        for n in &names {
            assert!(parse(n).is_some(), "{n}");
        }
        assert_eq!(
            parse("2024-long.parquet"),
            Some((BoundarySet::Pcon2024, Shape::Long, Format::Parquet))
        );
        assert_eq!(
            parse("2010.csv-metadata.json"),
            Some((BoundarySet::Pcon2010, Shape::Wide, Format::CsvMetadata))
        );
        assert_eq!(parse("2024-long.geojson"), None);
        assert_eq!(parse("2019.csv"), None);
        assert_eq!(parse("2024.txt"), None);
    }
}
