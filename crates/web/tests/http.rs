//! The HTTP layer on the test observatory: compression negotiated and done
//! once, validators and 304s, Cache-Control, CORS, and the cache keyed on
//! the parameters a route reads.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use std::io::Read;
use std::sync::Arc;
use stemgap_web::{router, App, Shared};
use tower::ServiceExt;

mod common;
use common::atlas;

fn fresh() -> Shared {
    Arc::new(App::new(atlas().clone()))
}

async fn send(app: &Shared, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Bytes) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = router(app.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body)
}

fn h(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn text_is_sent_as_brotli_or_gzip_as_the_client_accepts() {
    let app = fresh();
    for uri in [
        "/constituency/W07000101",
        "/api/v1/constituencies/W07000101",
        "/download/2024.csv",
        "/static/style.css",
    ] {
        let (status, plain_h, plain) = send(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(plain_h.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(h(&plain_h, header::VARY), "accept-encoding", "{uri}");
        assert_eq!(h(&plain_h, header::CONTENT_LENGTH), plain.len().to_string());

        let (_, gz_h, gz) = send(&app, uri, &[("accept-encoding", "gzip")]).await;
        assert_eq!(h(&gz_h, header::CONTENT_ENCODING), "gzip", "{uri}");
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, plain, "{uri}: gzip body");
        assert!(
            gz.len() * 2 < plain.len(),
            "{uri}: {} -> {}",
            plain.len(),
            gz.len()
        );

        let (_, br_h, br) = send(&app, uri, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(h(&br_h, header::CONTENT_ENCODING), "br", "{uri}");
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, plain, "{uri}: brotli body");
        assert_eq!(
            h(&br_h, header::CONTENT_TYPE),
            h(&plain_h, header::CONTENT_TYPE)
        );

        // One strong validator per representation, from the build id.
        let tags = [
            h(&plain_h, header::ETAG),
            h(&gz_h, header::ETAG),
            h(&br_h, header::ETAG),
        ];
        assert!(
            tags[0].starts_with(&format!("\"{}-", atlas().build_id)),
            "{tags:?}"
        );
        assert!(
            tags[1].ends_with("-gzip\"") && tags[2].ends_with("-br\""),
            "{tags:?}"
        );
    }
    // The cache holds the compressed bodies only: less than the plain page.
    let (_, _, plain) = send(&app, "/constituency/W07000101", &[]).await;
    let fresh_app = fresh();
    send(&fresh_app, "/constituency/W07000101", &[]).await;
    assert!(
        fresh_app.cache.bytes() < plain.len() / 2,
        "{} kept for {}",
        fresh_app.cache.bytes(),
        plain.len()
    );
}

#[tokio::test]
async fn a_matching_if_none_match_is_answered_304() {
    let app = fresh();
    let uri = "/indicator/level4_share";
    let (_, first, _) = send(&app, uri, &[("accept-encoding", "br")]).await;
    let tag = h(&first, header::ETAG).to_owned();
    let (status, headers, body) = send(
        &app,
        uri,
        &[("accept-encoding", "br"), ("if-none-match", &tag)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(h(&headers, header::ETAG), tag);
    assert_eq!(h(&headers, header::CACHE_CONTROL), "public, max-age=300");
    // The gzip representation has another tag: the brotli one does not match it.
    let (status, _, body) = send(
        &app,
        uri,
        &[("accept-encoding", "gzip"), ("if-none-match", &tag)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.is_empty());
    // Another page's tag does not match.
    let (status, _, _) = send(
        &app,
        "/gaps",
        &[("accept-encoding", "br"), ("if-none-match", &tag)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn cache_control_everywhere_and_cors_on_the_api_and_downloads() {
    let app = fresh();
    for (uri, control, cors) in [
        ("/", "public, max-age=300", false),
        ("/constituency/E14001403", "public, max-age=300", false),
        ("/api/v1/constituencies", "public, max-age=300", true),
        ("/api/openapi.json", "public, max-age=300", true),
        ("/download/2024.csv", "public, max-age=3600", true),
        (
            "/download/2024.csv-metadata.json",
            "public, max-age=3600",
            true,
        ),
        ("/static/style.css", "public, max-age=3600", false),
        ("/api/v1/constituencies/X99999999", "no-cache", true),
        ("/constituency/X99999999", "no-cache", false),
    ] {
        let (_, headers, _) = send(&app, uri, &[]).await;
        assert_eq!(h(&headers, header::CACHE_CONTROL), control, "{uri}");
        assert_eq!(
            h(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            if cors { "*" } else { "" },
            "{uri}"
        );
    }
}

#[tokio::test]
async fn parameters_a_route_does_not_read_do_not_fill_the_cache() {
    let app = fresh();
    let (_, _, first) = send(&app, "/", &[]).await;
    let (len, bytes) = (app.cache.len(), app.cache.bytes());
    for n in 0..20 {
        let (status, _, body) = send(&app, &format!("/?junk={n}"), &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, first);
    }
    assert_eq!((app.cache.len(), app.cache.bytes()), (len, bytes));
    // Parameters the route reads still count, in any order.
    let (_, _, a) = send(&app, "/?boundaries=2010&indicator=level4_share&utm=1", &[]).await;
    assert_eq!(app.cache.len(), len + 1);
    let (_, _, b) = send(&app, "/?indicator=level4_share&boundaries=2010", &[]).await;
    assert_eq!((a, app.cache.len()), (b, len + 1));
}

#[tokio::test]
async fn errors_are_compressed_but_not_kept() {
    let app = fresh();
    let (status, headers, _) = send(
        &app,
        "/constituency/X99999999",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(h(&headers, header::CONTENT_ENCODING), "gzip");
    assert!(headers.get(header::ETAG).is_none());
    assert!(app.cache.is_empty());
}

#[tokio::test]
async fn the_brotli_body_is_made_once_on_first_demand() {
    let app = fresh();
    send(&app, "/findings", &[]).await;
    let gzip_only = app.cache.bytes();
    let (_, _, first) = send(&app, "/findings", &[("accept-encoding", "br")]).await;
    let with_br = app.cache.bytes();
    assert!(with_br > gzip_only, "the brotli body is kept");
    let (_, _, second) = send(&app, "/findings", &[("accept-encoding", "br")]).await;
    assert_eq!((app.cache.bytes(), first), (with_br, second));
}

#[tokio::test]
async fn no_data_says_why() {
    let app = fresh();
    // Bryn Môr is in Wales: DfE's FE figures cover England only.
    let (_, _, body) = send(&app, "/constituency/W07000101", &[]).await;
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(html.contains("England only (DfE)"), "{html}");
    assert!(!html.contains(">missing<"), "{html}");
}

#[tokio::test]
async fn the_brief_is_a_page_of_the_atlas_linked_from_every_profile() {
    let app = fresh();
    let (_, _, body) = send(&app, "/constituency/E14001403", &[]).await;
    let profile = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        profile.contains("href=\"/brief/E14001403?boundaries=2024\""),
        "{profile}"
    );
    let (status, headers, body) = send(&app, "/brief/e14001403?boundaries=2024", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        h(&headers, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    let html = String::from_utf8(body.to_vec()).unwrap();
    // The policy forbids inline styles: the stylesheet is linked.
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/print.css\">"));
    assert!(!html.contains("<style>"));
    assert!(
        html.contains("<th>Method</th>") && html.contains("Sources (publishers): "),
        "{html}"
    );
    let (status, headers, css) = send(&app, "/static/print.css", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h(&headers, header::CONTENT_TYPE), "text/css; charset=utf-8");
    assert_eq!(css, stemgap_web::brief::PRINT_CSS.as_bytes());
    let (status, _, _) = send(&app, "/brief/X99999999", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn trends_one_period_for_every_seat_and_every_period_for_one_seat() {
    use stemgap_core::BoundarySet;
    let app = fresh();
    let atlas = atlas();
    let (k, _) = atlas.indicator("he_entry_rate_18").unwrap();
    let s = atlas.set(BoundarySet::Pcon2024);
    let periods = stemgap_web::trend::periods(s, k);
    assert!(periods.len() > 1, "{periods:?}");
    let first = periods[0];
    let (status, _, body) = send(
        &app,
        &format!("/api/v1/indicators/he_entry_rate_18?period={first}"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let values = v["values"].as_array().unwrap();
    for (i, seat) in values.iter().enumerate() {
        let o = s.series[k].obs[i].iter().find(|o| &*o.period == first);
        assert_eq!(seat["value"].as_f64(), o.and_then(|o| o.value), "{seat}");
        if o.is_some() {
            assert_eq!(seat["period"], first);
        }
    }
    // Ranks within a nation for that period: 1 is the highest value.
    for seat in values {
        let (Some(x), Some(r)) = (seat["value"].as_f64(), seat["rank_in_nation"].as_u64()) else {
            continue;
        };
        let higher = values
            .iter()
            .filter(|o| o["nation"] == seat["nation"] && o["value"].as_f64().is_some_and(|y| y > x))
            .count();
        assert_eq!(r as usize, higher + 1, "{seat}");
    }
    // The series of one seat: every period, in order, with its nation's mean.
    let (status, _, body) = send(
        &app,
        "/api/v1/constituencies/e14001401/series/he_entry_rate_18",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let i = s
        .seat_index(stemgap_core::GssCode::parse("E14001401").unwrap())
        .unwrap();
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), s.series[k].obs[i].len());
    for (p, o) in points.iter().zip(&s.series[k].obs[i]) {
        assert_eq!(
            (p["period"].as_str(), p["value"].as_f64()),
            (Some(&*o.period), o.value)
        );
        let peers: Vec<f64> = (0..s.seats.len())
            .filter(|&j| s.seats[j].nation == s.seats[i].nation)
            .filter_map(|j| {
                s.series[k].obs[j]
                    .iter()
                    .find(|x| x.period == o.period)
                    .and_then(|x| x.value)
            })
            .collect();
        assert_eq!(p["nation_seats"].as_u64(), Some(peers.len() as u64));
        if !peers.is_empty() {
            let mean = peers.iter().sum::<f64>() / peers.len() as f64;
            assert!((p["nation_mean"].as_f64().unwrap() - mean).abs() < 1e-12);
        }
    }
    // An unknown period says which there are.
    let (status, _, body) =
        send(&app, "/api/v1/indicators/he_entry_rate_18?period=1066", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains(first));
}

#[tokio::test]
async fn the_profile_charts_each_series_with_a_text_alternative_and_its_data() {
    use stemgap_core::BoundarySet;
    let app = fresh();
    let atlas = atlas();
    let s = atlas.set(BoundarySet::Pcon2024);
    let i = s
        .seat_index(stemgap_core::GssCode::parse("E14001401").unwrap())
        .unwrap();
    let (k, d) = atlas.indicator("he_entry_rate_18").unwrap();
    let with_values = s.series[k].obs[i]
        .iter()
        .filter(|o| o.value.is_some())
        .count();
    assert!(with_values > 1);
    let (_, _, body) = send(&app, "/constituency/E14001401", &[]).await;
    let html = String::from_utf8(body.to_vec()).unwrap();
    let at = html
        .find("aria-labelledby=\"trend-he_entry_rate_18\"")
        .expect("a chart");
    let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
    // The chart is named by its caption (no second copy in a <title>).
    assert!(
        figure.contains("<figcaption id=\"trend-he_entry_rate_18\">"),
        "{figure}"
    );
    assert!(!figure.contains("<title"), "{figure}");
    // The text alternative: first and last values, and the nation's.
    assert!(
        figure.contains(&format!("{}</a>: Northam North from ", d.title)),
        "{figure}"
    );
    assert!(figure.contains("; the England mean from "), "{figure}");
    assert!(figure.contains("<summary>Data table</summary>"));
    // One table row per period with a value.
    assert_eq!(
        figure.matches("<tr><th scope=\"row\">").count(),
        with_values,
        "{figure}"
    );
}
