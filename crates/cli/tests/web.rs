//! The web atlas: `stemgap serve` end to end (on the test observatory,
//! always), and the router on the real store (skipped, with a message,
//! when `../shared/data` is absent): every page and API route, the OpenAPI
//! document against real responses, and the downloads against `stemgap
//! export` and `stemgap locate`.

use crate::common::{repo, run, stderr, stdout};
use crate::real_data::real_store;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, OnceLock};
use stemgap_web::{router, App, Shared};
use tower::ServiceExt;

/// The real store's atlas, loaded once.
fn real_app() -> Option<Shared> {
    static APP: OnceLock<Option<Shared>> = OnceLock::new();
    APP.get_or_init(|| {
        let db = real_store()?;
        Some(Arc::new(App::open(&db).expect("the real atlas loads")))
    })
    .clone()
}

struct Got {
    status: StatusCode,
    content_type: String,
    body: String,
}

fn get(app: &Shared, uri: &str) -> Got {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let req = Request::get(uri).body(Body::empty()).unwrap();
        let res = router(app.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let content_type = res
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Got {
            status,
            content_type,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    })
}

fn html(app: &Shared, uri: &str) -> String {
    let g = get(app, uri);
    assert_eq!(g.status, StatusCode::OK, "{uri}: {}", g.body);
    assert_eq!(g.content_type, "text/html; charset=utf-8", "{uri}");
    g.body
}

fn json(app: &Shared, uri: &str) -> Value {
    let g = get(app, uri);
    assert_eq!(g.status, StatusCode::OK, "{uri}: {}", g.body);
    assert_eq!(g.content_type, "application/json", "{uri}");
    serde_json::from_str(&g.body).unwrap()
}

/// Seats drawn on a page's boundary map.
fn boundary_seats(h: &str) -> usize {
    let map = h.split("<svg class=\"boundarymap\"").nth(1).unwrap_or("");
    let map = &map[..map.find("</svg>").unwrap_or(0)];
    map.matches("<path d=\"M").count()
}

#[test]
fn real_pages_draw_650_seats_and_every_indicator_page_renders() {
    let Some(app) = real_app() else { return };
    for set in ["2010", "2024"] {
        let h = html(&app, &format!("/?boundaries={set}"));
        assert_eq!(
            h.matches("<polygon").count(),
            650,
            "{set}: one hex per seat"
        );
        assert!(h.contains("Data table for this map (650 seats)"));
    }
    // Every indicator's page, on both sets, with its map and its table.
    for d in &app.atlas.indicators {
        for set in ["2010", "2024"] {
            let h = html(&app, &format!("/indicator/{}?boundaries={set}", d.id));
            assert_eq!(h.matches("<polygon").count(), 650, "{} {set}", d.id);
            assert!(h.contains("id=\"table\""), "{} {set}", d.id);
            assert_eq!(boundary_seats(&h), 650, "{} {set}: boundary map", d.id);
        }
        let g = get(&app, &format!("/?indicator={}", d.id));
        assert_eq!(g.status, StatusCode::OK, "home with {}", d.id);
    }
    let h = html(&app, "/indicator/level4_share");
    assert!(
        h.contains("Fitted line"),
        "scatter against the composite UK index"
    );
    assert!(h.contains("<option value=\"uk_imd_score\" selected>"));
    let h = html(&app, "/findings");
    for id in ["F1", "F2", "F3", "F4", "F5", "F6", "spatial", "sensitivity"] {
        assert!(h.contains(&format!("<article id=\"{id}\"")), "{id}");
    }
    assert!(h.matches("<svg class=\"chart\"").count() >= 4, "CI charts");
    let h = html(&app, "/gaps");
    assert_eq!(
        h.split("<tbody>").nth(1).unwrap().matches("<tr>").count(),
        app.atlas.indicators.len()
    );
    html(&app, "/sources");
    html(&app, "/indicators");
    let h = html(&app, "/compare?codes=E14001172,S14000078,W07000091");
    assert!(
        h.contains("Cities of London and Westminster") && h.contains("Cardiff South and Penarth")
    );
}

#[test]
fn real_pages_carry_the_inclusion_and_shortage_themes() {
    let Some(app) = real_app() else { return };
    // Indicator pages and the catalogue name the theme.
    let h = html(&app, "/indicator/ess_ssv_per_1000_staff");
    assert!(
        h.contains("<dt>Theme</dt><dd>Skills shortages</dd>"),
        "ESS page"
    );
    let h = html(&app, "/indicator/fe_et_stem_female_share");
    assert!(
        h.contains("<dt>Theme</dt><dd>Inclusion in STEM</dd>"),
        "F7 page"
    );
    assert!(html(&app, "/indicators").contains("<td>Inclusion in STEM</td>"));
    // A seat with both figures: its profile's spine chart has both groups
    // and its brief both rows.
    let values = |id: &str| -> std::collections::BTreeMap<String, bool> {
        json(&app, &format!("/api/v1/indicators/{id}?boundaries=2024"))["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["code"].as_str().unwrap().to_owned(),
                    v["value"].is_number(),
                )
            })
            .collect()
    };
    let (women, ssv) = (
        values("fe_et_stem_female_share"),
        values("ess_ssv_per_1000_staff"),
    );
    let code = women
        .iter()
        .find(|(c, has)| **has && ssv.get(*c) == Some(&true))
        .map(|(c, _)| c.clone())
        .expect("an English seat with both figures");
    let profile = html(&app, &format!("/constituency/{code}"));
    for theme in ["Inclusion in STEM", "Skills shortages"] {
        assert!(profile.contains(theme), "{code}: profile lacks {theme}");
    }
    let brief = html(&app, &format!("/brief/{code}"));
    let def = |id: &str| {
        json(&app, &format!("/api/v1/indicators/{id}?boundaries=2024"))["indicator"]["title"]
            .as_str()
            .map(str::to_owned)
    };
    for id in ["fe_et_stem_female_share", "ess_ssv_per_1000_staff"] {
        let title = def(id).unwrap_or_else(|| panic!("{id} has a title"));
        // The part after any apostrophe (HTML escapes it).
        let tail = title.rsplit('\'').next().unwrap();
        assert!(brief.contains(tail), "{code}: brief lacks {title}");
    }
}

#[test]
fn real_profiles_render_for_every_seat_of_both_sets() {
    let Some(app) = real_app() else { return };
    for s in &app.atlas.sets {
        for seat in &s.seats {
            let uri = format!("/constituency/{}?boundaries={}", seat.code, s.set.id());
            let h = html(&app, &uri);
            assert!(h.contains("<svg class=\"locator\""), "{uri}");
            assert!(h.contains("Deprivation context"), "{uri}");
        }
    }
    let h = html(&app, "/constituency/E14001172");
    assert!(h.contains("<h1>Cities of London and Westminster</h1>"));
    assert!(h.contains("In the 2010 boundaries"));
}

#[test]
fn real_search_and_locate_agree_with_stemgap_locate() {
    let Some(app) = real_app() else { return };
    let db = real_store().unwrap();
    for postcode in [
        "SW1A 0AA", "M1 1AE", "LS1 1UR", "EH1 1YZ", "CF10 1EP", "AB10 1AB",
    ] {
        let o = run(&["locate", postcode, "--db", db.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let code = stdout(&o).split('\t').nth(1).unwrap().to_owned();
        let v = json(
            &app,
            &format!("/api/v1/locate?postcode={}", postcode.replace(' ', "+")),
        );
        assert_eq!(v["constituency"]["code"], code.as_str(), "{postcode}");
        let g = get(&app, &format!("/search?q={}", postcode.replace(' ', "+")));
        assert_eq!(g.status, StatusCode::SEE_OTHER, "{postcode}");
    }
    let g = get(&app, "/api/v1/locate?postcode=BT1+1AA");
    assert_eq!(g.status, StatusCode::NOT_FOUND);
}

#[test]
fn real_downloads_match_stemgap_export() {
    let Some(app) = real_app() else { return };
    let db = real_store().unwrap();
    for set in ["2010", "2024"] {
        let o = run(&[
            "export",
            "--db",
            db.to_str().unwrap(),
            "--boundaries",
            set,
            "--format",
            "csv",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let g = get(&app, &format!("/download/{set}.csv"));
        assert_eq!(g.status, StatusCode::OK);
        assert_eq!(g.content_type, "text/csv; charset=utf-8");
        assert!(
            g.body.as_bytes() == o.stdout.as_slice(),
            "{set}: the download differs from `stemgap export`"
        );
        let meta: Value =
            serde_json::from_str(&get(&app, &format!("/download/{set}.csv-metadata.json")).body)
                .unwrap();
        let header = g.body.lines().next().unwrap();
        let names: Vec<&str> = meta["tableSchema"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.join(","), header, "{set}: CSVW columns");
    }
}

/// Real responses against the OpenAPI document: every list, every
/// indicator's values on both sets, every tenth seat of each set.
#[test]
fn real_responses_match_the_openapi_document() {
    let Some(app) = real_app() else { return };
    let doc = stemgap_web::schema::document().unwrap();
    let check = |template: &str, uri: &str| {
        let v = json(&app, uri);
        let schema = stemgap_web::schema::response_schema(&doc, template, 200).unwrap();
        let errors = stemgap_web::schema::validate(&doc, schema, &v);
        assert!(
            errors.is_empty(),
            "{uri}:\n{}",
            errors[..errors.len().min(20)].join("\n")
        );
        v
    };
    for set in ["2010", "2024"] {
        let v = check(
            "/api/v1/constituencies",
            &format!("/api/v1/constituencies?boundaries={set}"),
        );
        assert_eq!(v["count"], 650);
        for c in v["constituencies"].as_array().unwrap().iter().step_by(10) {
            let code = c["code"].as_str().unwrap();
            let one = check(
                "/api/v1/constituencies/{code}",
                &format!("/api/v1/constituencies/{code}?boundaries={set}"),
            );
            assert_eq!(
                one["indicators"].as_array().unwrap().len(),
                app.atlas.indicators.len()
            );
        }
        for d in &app.atlas.indicators {
            let v = check(
                "/api/v1/indicators/{id}",
                &format!("/api/v1/indicators/{}?boundaries={set}", d.id),
            );
            assert_eq!(v["values"].as_array().unwrap().len(), 650);
        }
        // Every earlier period of every indicator with a history, and the
        // series of a few seats.
        let bs = if set == "2010" {
            stemgap_core::BoundarySet::Pcon2010
        } else {
            stemgap_core::BoundarySet::Pcon2024
        };
        let s = app.atlas.set(bs);
        for (k, d) in app.atlas.indicators.iter().enumerate() {
            let periods = stemgap_web::trend::periods(s, k);
            if periods.len() < 2 {
                continue;
            }
            for p in &periods {
                check(
                    "/api/v1/indicators/{id}",
                    &format!("/api/v1/indicators/{}?boundaries={set}&period={p}", d.id),
                );
            }
            for seat in s.seats.iter().step_by(100) {
                let v = check(
                    "/api/v1/constituencies/{code}/series/{id}",
                    &format!(
                        "/api/v1/constituencies/{}/series/{}?boundaries={set}",
                        seat.code, d.id
                    ),
                );
                assert!(v["points"].as_array().unwrap().len() <= periods.len());
            }
        }
    }
    check("/api/v1/indicators", "/api/v1/indicators");
    let f = check("/api/v1/findings", "/api/v1/findings");
    assert_eq!(f["count"], 10);
    check(
        "/api/v1/findings/{id}",
        "/api/v1/findings/F1/2024/level4_share",
    );
    let g = check("/api/v1/gaps", "/api/v1/gaps");
    assert_eq!(g["count"], app.atlas.indicators.len() * 4);
    check("/api/v1/locate", "/api/v1/locate?postcode=SW1A+0AA");
}

#[test]
fn real_ranks_and_means_agree_with_the_values() {
    let Some(app) = real_app() else { return };
    let v = json(&app, "/api/v1/indicators/level4_share?boundaries=2024");
    let rows: Vec<&Value> = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["nation"] == "England")
        .collect();
    let mut with: Vec<(f64, u64)> = rows
        .iter()
        .filter_map(|r| Some((r["value"].as_f64()?, r["rank_in_nation"].as_u64()?)))
        .collect();
    assert_eq!(with.len(), 543);
    with.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert_eq!(with[0].1, 1, "the highest value ranks 1");
    for w in with.windows(2) {
        assert!(w[0].1 <= w[1].1, "ranks follow the values");
    }
    let mean = with.iter().map(|p| p.0).sum::<f64>() / with.len() as f64;
    let one = json(&app, "/api/v1/constituencies/E14001172");
    let l4 = one["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "level4_share")
        .unwrap();
    assert!((l4["nation_mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert_eq!(l4["nation_count"], 543);
}

// ------------------------------------------------------------ stemgap serve

/// A `stemgap serve` child killed when dropped.
struct Server {
    child: Child,
    addr: String,
    said: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `stemgap serve` on a free loopback port and waits for its
/// address line.
fn serve(args: &[&str]) -> Server {
    let mut child = crate::common::stemgap()
        .arg("serve")
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("stemgap serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut said = String::new();
    let addr = loop {
        let line = match lines.next() {
            Some(Ok(l)) => l,
            _ => {
                let _ = child.kill();
                panic!("stemgap serve ended before serving:\n{said}");
            }
        };
        said.push_str(&line);
        said.push('\n');
        if let Some(rest) = line.strip_prefix("serving on http://") {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    Server { child, addr, said }
}

/// One HTTP/1.1 GET over a plain socket: (status line, headers+body).
fn http_get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (status, rest) = text.split_once("\r\n").unwrap();
    (status.to_owned(), rest.to_owned())
}

#[test]
fn serve_without_a_store_says_how_to_build_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let o = run(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("no store at"), "{e}");
    assert!(e.contains("stemgap build --sources DIR --db"), "{e}");
    assert!(e.contains("--sources DIR"), "{e}");
    assert!(!db.exists());
}

#[test]
fn serve_builds_a_missing_store_from_sources_then_answers_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let obs = repo().join("tests/observatory");
    let server = serve(&[
        "--db",
        db.to_str().unwrap(),
        "--sources",
        obs.to_str().unwrap(),
        "--catalogue",
        obs.join("catalogue.toml").to_str().unwrap(),
    ]);
    assert!(db.is_file(), "the store was built");
    assert!(server.said.contains("built "), "{}", server.said);
    assert!(
        server.said.contains("12 seats, 99 indicators") || server.said.contains("12 seats"),
        "{}",
        server.said
    );
    let (status, rest) = http_get(&server.addr, "/api/v1/constituencies");
    assert_eq!(status, "HTTP/1.1 200 OK", "{rest}");
    let body = rest.split_once("\r\n\r\n").unwrap().1;
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["count"], 6);
    let (status, rest) = http_get(&server.addr, "/constituency/E14001401");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(rest
        .to_lowercase()
        .contains("content-security-policy: default-src 'self'"));
    assert!(rest.contains("<h1>Northam North</h1>"));
    let (status, _) = http_get(&server.addr, "/constituency/E14009999");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
}

#[test]
fn serve_rebuilds_a_store_of_another_schema_only_when_given_sources() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let obs = repo().join("tests/observatory");
    let cat = obs.join("catalogue.toml");
    let out = run(&[
        "build",
        "--sources",
        obs.to_str().unwrap(),
        "--catalogue",
        cat.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // As if written by an earlier stemgap.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    let out = run(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has schema 1, this stemgap reads schema")
            && err.contains("`stemgap build --sources DIR --db"),
        "{err}"
    );
    let server = serve(&[
        "--db",
        db.to_str().unwrap(),
        "--sources",
        obs.to_str().unwrap(),
        "--catalogue",
        cat.to_str().unwrap(),
    ]);
    // Rebuilt (the build's summary line), then served.
    assert!(server.said.contains("built "), "{}", server.said);
    let (status, _) = http_get(&server.addr, "/constituency/E14001401");
    assert_eq!(status, "HTTP/1.1 200 OK");
    // A file that is no stemgap store is left alone, even with sources.
    let other = dir.path().join("other.db");
    std::fs::write(&other, b"not a store").unwrap();
    let out = run(&[
        "serve",
        "--db",
        other.to_str().unwrap(),
        "--sources",
        obs.to_str().unwrap(),
        "--catalogue",
        cat.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&other).unwrap(), b"not a store");
}

#[test]
fn serve_answers_the_real_store_over_http() {
    let Some(db) = real_store() else { return };
    let server = serve(&["--db", db.to_str().unwrap()]);
    assert!(server.said.contains("1300 seats"), "{}", server.said);
    let (status, rest) = http_get(&server.addr, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(rest.matches("<polygon").count(), 650);
    let (status, rest) = http_get(&server.addr, "/api/v1/locate?postcode=SW1A+0AA");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(rest.contains("E14001172"));
}

/// A bounded load test on loopback: 64 clients, 40 requests each, over
/// every seat's page and API answer (the real store when present, else the
/// test observatory). Every answer must be a 200; the latencies are
/// printed (`--nocapture`), not asserted: CI machines are noisy and this
/// is the debug build; the release figures come from `dev/bench/web.sh`.
#[test]
fn load_test_64_connections_zero_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = match real_store() {
        Some(db) => db,
        None => {
            let obs = repo().join("tests/observatory");
            let db = dir.path().join("observatory.db");
            let o = crate::fixture::build_with(&obs, &obs.join("catalogue.toml"), &db);
            assert!(o.status.success(), "{}", stderr(&o));
            db
        }
    };
    let _turn = crate::common::heavy();
    let server = serve(&["--db", db.to_str().unwrap()]);
    let (_, rest) = http_get(&server.addr, "/api/v1/constituencies");
    let list: Value = serde_json::from_str(rest.split_once("\r\n\r\n").unwrap().1).unwrap();
    let paths: Vec<String> = list["constituencies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            [
                c["page"].as_str().unwrap().to_owned(),
                c["url"].as_str().unwrap().to_owned(),
            ]
        })
        .collect();
    let paths = Arc::new(paths);
    let started = std::time::Instant::now();
    let workers: Vec<_> = (0..64)
        .map(|w| {
            let paths = paths.clone();
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        let path = &paths[(w * 40 + i) % paths.len()];
                        let t = std::time::Instant::now();
                        let (status, _) = http_get(&addr, path);
                        (status, t.elapsed())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut results = Vec::new();
    for w in workers {
        results.extend(w.join().unwrap());
    }
    let wall = started.elapsed();
    let errors: Vec<&String> = results
        .iter()
        .map(|r| &r.0)
        .filter(|s| *s != "HTTP/1.1 200 OK")
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors, e.g. {:?}",
        errors.len(),
        errors.first()
    );
    let mut ms: Vec<f64> = results.iter().map(|r| r.1.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let q = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    eprintln!(
        "load test: {} requests from 64 clients in {:.2} s ({:.0}/s), 0 errors; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (new connection per request)",
        ms.len(),
        wall.as_secs_f64(),
        ms.len() as f64 / wall.as_secs_f64(),
        q(0.5),
        q(0.99),
        q(1.0)
    );
}
