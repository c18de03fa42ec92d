//! The set-wide downloads (wide and long tables as CSV, Parquet and XLSX,
//! GeoJSON of each set), the vocabulary page, and the static site's own
//! files (404.html, search-index.json, shared assets), on the test
//! observatory. Every binary file is read back with another library than
//! the one that wrote it: the parquet crate's record reader, calamine for
//! the workbooks, serde_json and a geometry check for the GeoJSON; each is
//! compared cell by cell with the CSV.

mod common;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use common::app;
use http_body_util::BodyExt;
use serde_json::Value;
use stemgap_web::download::files;
use stemgap_web::router;
use tower::ServiceExt;

struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8")
    }
}

async fn get(uri: &str) -> Got {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let res = router(app()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Got {
        status,
        headers,
        body,
    }
}

/// The CSV as a header and rows of cells.
fn csv_rows(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(body);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// A cell of another format, as the CSV writes it.
fn same_cell(csv: &str, other: Option<String>, what: &str) {
    match other {
        None => assert_eq!(csv, "", "{what}: null in the file, {csv:?} in the CSV"),
        Some(v) => match (csv.parse::<f64>(), v.parse::<f64>()) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
            _ => assert_eq!(csv, v, "{what}"),
        },
    }
}

#[tokio::test]
async fn every_set_file_is_served_with_validators_caching_and_cors() {
    let names = files::names();
    assert_eq!(names.len(), 18);
    for name in &names {
        let g = get(&format!("/download/{name}")).await;
        assert_eq!(g.status, StatusCode::OK, "{name}");
        let (_, _, format) = files::parse(name).unwrap();
        assert_eq!(
            g.header(header::CONTENT_TYPE),
            format.content_type(),
            "{name}"
        );
        assert!(
            g.header(header::ETAG).starts_with('"'),
            "{name} has an ETag"
        );
        assert_eq!(
            g.header(header::CACHE_CONTROL),
            "public, max-age=3600",
            "{name}"
        );
        assert_eq!(g.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*", "{name}");
        assert!(!g.body.is_empty(), "{name}");
        if name.ends_with(".csv") {
            assert_eq!(
                g.header(header::LINK),
                format!(
                    "<{name}-metadata.json>; rel=\"describedby\"; type=\"application/csvm+json\""
                )
            );
        }
    }
    for bad in [
        "2024-long.geojson",
        "2019.parquet",
        "2024.txt",
        "2024-wide.xlsx",
    ] {
        assert_eq!(
            get(&format!("/download/{bad}")).await.status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn parquet_reads_back_as_the_csv() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    for stem in ["2024", "2010", "2024-long", "2010-long"] {
        let (header, rows) = csv_rows(&get(&format!("/download/{stem}.csv")).await.body);
        let body = get(&format!("/download/{stem}.parquet")).await.body;
        assert_eq!(&body[..4], b"PAR1");
        let reader = SerializedFileReader::new(axum::body::Bytes::from(body)).unwrap();
        let meta = reader.metadata().file_metadata();
        assert_eq!(meta.num_rows() as usize, rows.len(), "{stem}");
        let names: Vec<String> = meta
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        assert_eq!(names, header, "{stem}: columns");
        let kv = meta.key_value_metadata().unwrap();
        let columns = kv.iter().find(|k| k.key == "stemgap:columns").unwrap();
        let columns: Value = serde_json::from_str(columns.value.as_deref().unwrap()).unwrap();
        assert_eq!(columns.as_array().unwrap().len(), header.len());
        for (r, row) in reader.get_row_iter(None).unwrap().enumerate() {
            let row = row.unwrap();
            for (c, (_, field)) in row.get_column_iter().enumerate() {
                use parquet::record::Field;
                let v = match field {
                    Field::Null => None,
                    Field::Str(s) => Some(s.clone()),
                    Field::Double(x) => Some(x.to_string()),
                    other => panic!("{stem}: unexpected {other:?}"),
                };
                same_cell(&rows[r][c], v, &format!("{stem} row {r} {}", header[c]));
            }
        }
    }
}

#[tokio::test]
async fn xlsx_reads_back_as_the_csv_with_its_column_notes() {
    use calamine::{Data, Reader, Xlsx};
    for stem in ["2024", "2010-long"] {
        let (header, rows) = csv_rows(&get(&format!("/download/{stem}.csv")).await.body);
        let body = get(&format!("/download/{stem}.xlsx")).await.body;
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).unwrap();
        assert_eq!(book.sheet_names(), ["data", "columns", "about"]);
        let data = book.worksheet_range("data").unwrap();
        let mut it = data.rows();
        let head: Vec<String> = it.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(head, header, "{stem}");
        let mut n = 0;
        for (r, row) in it.enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let v = match cell {
                    Data::Empty => None,
                    Data::String(s) => Some(s.clone()),
                    Data::Float(x) => Some(x.to_string()),
                    Data::Int(x) => Some(x.to_string()),
                    other => panic!("{stem}: unexpected {other:?}"),
                };
                same_cell(&rows[r][c], v, &format!("{stem} row {r} {}", header[c]));
            }
            n += 1;
        }
        assert_eq!(n, rows.len(), "{stem}: rows");
        let notes = book.worksheet_range("columns").unwrap();
        assert_eq!(
            notes.height(),
            header.len() + 1,
            "{stem}: a note per column"
        );
    }
    // The wide workbook's notes give each indicator's unit and period.
    let body = get("/download/2024.xlsx").await.body;
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body)).unwrap();
    let notes = book.worksheet_range("columns").unwrap();
    let row = notes
        .rows()
        .find(|r| r[0] == "he_entry_rate_18")
        .expect("a note for he_entry_rate_18");
    assert_eq!(row[2].to_string(), "rate");
    assert!(!row[3].to_string().is_empty(), "its period");
}

#[tokio::test]
async fn geojson_has_a_closed_wgs84_outline_and_the_row_of_every_seat() {
    let app = app();
    for set in ["2024", "2010"] {
        let g = get(&format!("/download/{set}.geojson")).await;
        let v: Value = serde_json::from_slice(&g.body).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        let (header, rows) = csv_rows(&get(&format!("/download/{set}.csv")).await.body);
        let features = v["features"].as_array().unwrap();
        let seats = &app.atlas.sets[usize::from(set == "2024")];
        assert_eq!(features.len(), seats.seats.len());
        assert_eq!(features.len(), rows.len());
        for (f, row) in features.iter().zip(&rows) {
            let code = f["properties"]["code"].as_str().unwrap();
            assert_eq!(f["id"], code);
            for (h, cell) in header.iter().zip(row) {
                let p = &f["properties"][h.as_str()];
                let v = match p {
                    Value::Null => None,
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    other => panic!("{code} {h}: {other}"),
                };
                same_cell(cell, v, &format!("{set} {code} {h}"));
            }
            assert_eq!(f["geometry"]["type"], "MultiPolygon", "{code}");
            for polygon in f["geometry"]["coordinates"].as_array().unwrap() {
                for ring in polygon.as_array().unwrap() {
                    let pts: Vec<[f64; 2]> = serde_json::from_value(ring.clone()).unwrap();
                    assert!(
                        pts.len() >= 4,
                        "{code}: a ring has 3 points and its closing one"
                    );
                    assert_eq!(pts.first(), pts.last(), "{code}: closed ring");
                    for [lon, lat] in pts {
                        assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
                    }
                }
            }
        }
    }
}

#[test]
fn the_inverse_projection_matches_the_ingest_projection() {
    // The constants the GeoJSON inverts are those the outlines were drawn with.
    assert_eq!(stemgap_ingest::shapes::LON0, -9.0);
    assert_eq!(stemgap_ingest::shapes::LAT0, 61.0);
    assert_eq!(stemgap_ingest::shapes::UNITS_PER_DEGREE, 100.0);
    // A square drawn 1 unit (tenths: 10) east and south of the frame corner.
    let g = stemgap_web::download::geojson::lon_lat((10, 10));
    assert_eq!(g[1], 60.99);
    assert!((g[0] - (-9.0 + 0.01 / 54.5f64.to_radians().cos())).abs() < 1e-4);
}

#[tokio::test]
async fn values_are_rounded_shares_are_fractions_and_columns_have_periods() {
    let app = app();
    let (header, rows) = csv_rows(&get("/download/2024-long.csv").await.body);
    let ind = header.iter().position(|h| h == "indicator").unwrap();
    for row in &rows {
        let (_, d) = app.atlas.indicator(&row[ind]).unwrap();
        let figures = stemgap_web::download::table::significant_figures(&d.unit);
        for c in ["value", "lower", "upper"] {
            let cell = &row[header.iter().position(|h| h == c).unwrap()];
            let Ok(v) = cell.parse::<f64>() else { continue };
            if v.fract() != 0.0 {
                let digits: String = cell
                    .trim_start_matches('-')
                    .replace('.', "")
                    .trim_start_matches('0')
                    .to_owned();
                assert!(
                    digits.len() <= figures as usize,
                    "{} {c} = {cell}: more than {figures} figures",
                    row[ind]
                );
            }
            if matches!(d.unit.as_str(), "share" | "rate") {
                assert!(
                    (0.0..=1.0).contains(&v),
                    "{} {c} = {cell} is not a fraction",
                    row[ind]
                );
            }
        }
    }
    assert!(
        app.atlas.indicators.iter().all(|d| d.unit != "percent"),
        "no indicator is in percent"
    );
    let meta: Value =
        serde_json::from_slice(&get("/download/2024.csv-metadata.json").await.body).unwrap();
    let columns = meta["tableSchema"]["columns"].as_array().unwrap();
    let he = columns
        .iter()
        .find(|c| c["name"] == "he_entry_rate_18")
        .unwrap();
    assert!(!he["dc:temporal"].as_str().unwrap().is_empty());
    assert_eq!(he["propertyUrl"], "../vocab#he_entry_rate_18");
    assert_eq!(he["schema:unitText"], "rate");
    assert!(
        !meta.to_string().contains("example.invalid"),
        "no placeholder namespace"
    );
}

#[tokio::test]
async fn the_vocabulary_defines_every_term_the_metadata_uses() {
    let g = get("/vocab").await;
    assert_eq!(g.status, StatusCode::OK);
    let html = g.text();
    let mut terms = Vec::new();
    for file in [
        "/download/2024.csv-metadata.json",
        "/download/2010-long.csv-metadata.json",
        "/download/indicators/he_entry_rate_18.csv-metadata.json",
    ] {
        let meta = get(file).await.text().to_owned();
        for part in meta.split("vocab#").skip(1) {
            let term: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !term.is_empty() {
                terms.push(term);
            }
        }
    }
    assert!(terms.len() > 10);
    for t in terms {
        assert!(html.contains(&format!("id=\"{t}\"")), "/vocab has no #{t}");
    }
    for (id, _) in stemgap_web::download::vocab::FLAGS {
        assert!(html.contains(&format!("id=\"{id}\"")));
    }
}

#[tokio::test]
async fn the_static_site_has_its_404_search_index_and_shared_assets() {
    let app = app();
    let dir = tempfile::tempdir().unwrap();
    let summary = stemgap_web::site::write_site(app.clone(), dir.path())
        .await
        .unwrap();
    assert!(summary.files() > 50);
    let read = |f: &str| {
        std::fs::read_to_string(dir.path().join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
    };
    // 404.html: the atlas's not-found page, links from the root.
    let nf = read("404.html");
    assert!(nf.contains("There is no page at this address."), "{nf}");
    assert!(nf.contains("href=\"/static/style.css\""), "{nf}");
    // The search index: every seat of both sets and every indicator.
    let index: Value = serde_json::from_str(&read("search-index.json")).unwrap();
    let entries = index["entries"].as_array().unwrap();
    let seats: usize = app.atlas.sets.iter().map(|s| s.seats.len()).sum();
    assert_eq!(entries.len(), seats + app.atlas.indicators.len());
    for e in entries {
        let file = e[1].as_str().unwrap();
        assert!(
            dir.path().join(file).is_file(),
            "the index points at {file}"
        );
    }
    assert!(read("static/search.js").contains("search-index.json"));
    // Pages load the script and their search form leads to the static list.
    let home = read("index.html");
    assert!(home.contains("<script src=\"static/search.js\" defer></script>"));
    assert!(home.contains("action=\"search/offline.html\""), "{home}");
    let offline = read("search/offline.html");
    assert!(offline.contains("Northam North"));
    // The default set's indicator pages are written once.
    let indicator_pages: Vec<String> = std::fs::read_dir(dir.path().join("indicator"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(indicator_pages
        .iter()
        .all(|f| f.ends_with("-2024.html") || f.ends_with("-2010.html")));
    // Boundary maps use the outline sprite, and it has every seat.
    let page = read("indicator/he_entry_rate_18-2024.html");
    assert!(page.contains(" href=\"../static/o2024.svg#"), "sprite used");
    // Hex maps use one hex shape, defined once in the page, at each seat.
    assert_eq!(page.matches("id=\"hx\"").count(), 1, "{page}");
    assert_eq!(
        page.matches(" href=\"#hx\"").count(),
        app.atlas.sets[1].hexes.iter().flatten().count(),
        "one hex per seat"
    );
    assert!(!page.contains("<polygon points=\""), "every hex used");
    // The maps' fills are classes of the stylesheet.
    assert!(page.contains("<use class=v"), "{page}");
    assert!(!page.contains("fill=\"#440154\"/>"), "{page}");
    // Lean markup: end tags the parser implies are left out.
    assert!(!page.contains("</td>") && !page.contains("</tr>"), "{page}");
    let sprite = read("static/o2024.svg");
    for s in &app.atlas.sets[1].seats {
        assert!(sprite.contains(&format!("id=\"{}\"", s.code)));
    }
    // The set-wide downloads are in the site, with the vocabulary.
    for name in files::names() {
        assert!(dir.path().join("download").join(&name).is_file(), "{name}");
    }
    assert!(read("vocab.html").contains("id=\"he_entry_rate_18\""));
}
