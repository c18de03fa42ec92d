//! The set-wide downloads on the real store (skipped, with a message, when
//! `../shared/data` is absent), read back with other libraries than the
//! ones that wrote them: 650 GeoJSON features per set with closed rings
//! inside the UK's longitude/latitude box, the Parquet files through the
//! parquet crate's record reader and the workbooks through calamine, each
//! against the CSV; and `stemgap export` writing the same bytes.

use crate::common::{run, stderr};
use crate::real_data::real_store;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use stemgap_web::{router, App, Shared};
use tower::ServiceExt;

fn real_app() -> Option<Shared> {
    static APP: OnceLock<Option<Shared>> = OnceLock::new();
    APP.get_or_init(|| {
        let db = real_store()?;
        Some(Arc::new(App::open(&db).expect("the real atlas loads")))
    })
    .clone()
}

fn get(app: &Shared, uri: &str) -> Vec<u8> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let req = Request::get(uri).body(Body::empty()).unwrap();
        let res = router(app.clone()).oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        res.into_body().collect().await.unwrap().to_bytes().to_vec()
    })
}

fn csv_len(body: &[u8]) -> (Vec<String>, usize) {
    let mut r = csv::Reader::from_reader(body);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    (header, r.records().count())
}

#[test]
fn real_geojson_has_650_closed_features_inside_the_uk() {
    let Some(app) = real_app() else { return };
    for set in ["2010", "2024"] {
        let v: Value =
            serde_json::from_slice(&get(&app, &format!("/download/{set}.geojson"))).unwrap();
        let features = v["features"].as_array().unwrap();
        assert_eq!(features.len(), 650, "{set}");
        let (mut rings, mut points) = (0, 0);
        for f in features {
            let code = f["properties"]["code"].as_str().unwrap();
            assert!(f["properties"]["name"].is_string(), "{code}");
            let polygons = f["geometry"]["coordinates"]
                .as_array()
                .unwrap_or_else(|| panic!("{set} {code} has no outline"));
            assert!(!polygons.is_empty(), "{code}");
            for polygon in polygons {
                for ring in polygon.as_array().unwrap() {
                    let pts: Vec<[f64; 2]> = serde_json::from_value(ring.clone()).unwrap();
                    assert!(pts.len() >= 4, "{code}");
                    assert_eq!(pts.first(), pts.last(), "{set} {code}: ring not closed");
                    for [lon, lat] in &pts {
                        assert!(
                            (-8.7..=1.8).contains(lon) && (49.8..=60.9).contains(lat),
                            "{set} {code}: ({lon}, {lat}) is outside the UK"
                        );
                    }
                    rings += 1;
                    points += pts.len();
                }
            }
        }
        eprintln!("{set}.geojson: 650 features, {rings} rings, {points} points");
    }
}

#[test]
fn real_parquet_and_xlsx_read_back_with_the_csvs_rows_and_columns() {
    use calamine::{Reader, Xlsx};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let Some(app) = real_app() else { return };
    for stem in ["2024", "2010", "2024-long", "2010-long"] {
        let csv = get(&app, &format!("/download/{stem}.csv"));
        let (header, rows) = csv_len(&csv);
        if !stem.ends_with("-long") {
            assert_eq!(rows, 650, "{stem}");
        }
        let parquet = get(&app, &format!("/download/{stem}.parquet"));
        let reader = SerializedFileReader::new(axum::body::Bytes::from(parquet.clone())).unwrap();
        let meta = reader.metadata().file_metadata();
        assert_eq!(meta.num_rows() as usize, rows, "{stem}: Parquet rows");
        let names: Vec<&str> = meta
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name())
            .collect();
        assert_eq!(names, header, "{stem}: Parquet columns");
        assert_eq!(reader.get_row_iter(None).unwrap().count(), rows);
        let xlsx = get(&app, &format!("/download/{stem}.xlsx"));
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.clone())).unwrap();
        let data = book.worksheet_range("data").unwrap();
        assert_eq!(data.height(), rows + 1, "{stem}: workbook rows");
        assert_eq!(data.width(), header.len(), "{stem}: workbook columns");
        eprintln!(
            "{stem}: {rows} rows; CSV {} KB, Parquet {} KB, XLSX {} KB",
            csv.len() / 1000,
            parquet.len() / 1000,
            xlsx.len() / 1000
        );
    }
    // Shares are fractions: no value of a share or rate above 1.
    let csv = get(&app, "/download/2010-long.csv");
    let mut r = csv::Reader::from_reader(csv.as_slice());
    for rec in r.records() {
        let rec = rec.unwrap();
        let (_, d) = app.atlas.indicator(&rec[3]).unwrap();
        if let (true, Ok(v)) = (
            matches!(d.unit.as_str(), "share" | "rate"),
            rec[5].parse::<f64>(),
        ) {
            assert!((0.0..=1.0).contains(&v), "{} {} = {v}", &rec[0], &rec[3]);
        }
    }
}

#[test]
fn real_export_writes_the_downloads_bytes() {
    let Some(app) = real_app() else { return };
    let db = real_store().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (format, file, long) in [
        ("parquet", "2024.parquet", false),
        ("xlsx", "2010-long.xlsx", true),
        ("geojson", "2010.geojson", false),
        ("csv", "2024-long.csv", true),
    ] {
        let out = dir.path().join(file);
        let set = &file[..4];
        let mut args = vec![
            "export",
            "--db",
            db.to_str().unwrap(),
            "--boundaries",
            set,
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
        ];
        if long {
            args.push("--long");
        }
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            std::fs::read(&out).unwrap() == get(&app, &format!("/download/{file}")),
            "{file}: stemgap export differs from the download"
        );
    }
    let o = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        "2024",
        "--format",
        "geojson",
        "--long",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
