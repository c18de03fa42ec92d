//! Similar seats, the comparison with the nation (spine chart) and the
//! trend charts on the test observatory (`tests/observatory`, invented
//! values): the API and the pages, with expectations worked out by hand
//! from the fixture files.

mod common;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::app;
use http_body_util::BodyExt;
use serde_json::Value;
use stemgap_web::router;
use tower::ServiceExt;

async fn get(uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri).body(Body::empty()).unwrap();
    let res = router(app()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn json(uri: &str) -> Value {
    let (status, body) = get(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn html(uri: &str) -> String {
    let (status, body) = get(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

/// The observatory's three English 2024 seats, on its invented figures:
/// UK deprivation scores 31.6, 33.12, 9.87; populations 90,500, 101,400,
/// 72,400 over outline areas of 15,388.57, 15,388.57 and 31,381.09 km²
/// (rectangles of 116.1 × 100 and 232.2 × 100 units at latitude 51.5°:
/// 11,610 units² × 1.11195² km² × cos 51.5° / cos 54.5°, the larger twice
/// that), so log10 densities 0.769, 0.818, 0.363; the five age shares; the
/// 18 Census industry shares and the STEM enterprise shares 0.533, 0.533,
/// 0.222. Each column standardised (population sd) and weighted 1/√m
/// within its theme (1, 1, 1/√5, 1/√19); the Euclidean distances, worked
/// with numpy from those numbers: 01–02 1.938403208, 01–03 3.920805461,
/// 02–03 4.107295648.
#[tokio::test]
async fn similar_seats_by_hand_on_the_observatory() {
    let v = json("/api/v1/constituencies/E14001401/similar").await;
    let s = v["similar"].as_array().unwrap();
    let got: Vec<(&str, f64)> = s
        .iter()
        .map(|x| {
            (
                x["constituency"]["code"].as_str().unwrap(),
                x["distance"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, vec![("E14001402", 1.938), ("E14001403", 3.921)]);
    assert_eq!(s[0]["rank"], 1);
    let v = json("/api/v1/constituencies/E14001403/similar").await;
    let got: Vec<&str> = v["similar"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["constituency"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec!["E14001401", "E14001402"]);
    assert_eq!(v["similar"][1]["distance"], 4.107);
    // The characteristics and their weights.
    let c = v["characteristics"].as_array().unwrap();
    assert_eq!(c.len(), 1 + 1 + 5 + 19, "{c:?}");
    assert_eq!(c[0]["id"], "uk_imd_score");
    assert_eq!(c[1]["id"], "population_density");
    assert!((c[2]["weight"].as_f64().unwrap() - 1.0 / 5f64.sqrt()).abs() < 1e-12);
    assert!((c[20]["weight"].as_f64().unwrap() - 1.0 / 19f64.sqrt()).abs() < 1e-12);
    assert_eq!(v["none_because"], Value::Null);
    // The exact distances, unrounded, from the App.
    let app = app();
    let s = app.atlas.set(stemgap_core::BoundarySet::Pcon2024);
    let i = s
        .seat_index(stemgap_core::GssCode::parse("E14001402").unwrap())
        .unwrap();
    let near = &app.similar(stemgap_core::BoundarySet::Pcon2024).nearest[i];
    assert_eq!(near.len(), 2);
    assert!((near[0].1 - 1.938_403_208).abs() < 1e-8, "{near:?}");
    assert!((near[1].1 - 4.107_295_648).abs() < 1e-8, "{near:?}");
}

#[tokio::test]
async fn a_nation_of_one_seat_says_why_it_has_no_similar_seats() {
    for code in ["W07000081", "N05000011", "S14000031"] {
        let (status, body) = get(&format!("/api/v1/constituencies/{code}/similar")).await;
        if status == StatusCode::NOT_FOUND {
            continue; // not a 2024 seat of the observatory
        }
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["similar"].as_array().unwrap().is_empty(), "{code}");
        let why = v["none_because"].as_str().unwrap_or_default();
        assert!(why.contains("has one seat"), "{code}: {why}");
    }
    let h = html("/constituency/N05000011").await;
    assert!(
        h.contains("No similar seats: Northern Ireland has one seat."),
        "{h}"
    );
}

#[tokio::test]
async fn the_profile_shows_similar_seats_and_compares_with_the_nation() {
    let h = html("/constituency/E14001401").await;
    // Similar seats: the table, the distance, the compare link.
    let sim = &h[h.find("id=\"similar\"").expect("a similar-seats section")..];
    let sim = &sim[..sim.find("</section>").unwrap()];
    assert!(
        sim.contains("Northam South</a></th><td class=\"num\">1.94</td>"),
        "{sim}"
    );
    assert!(sim.contains("/compare?codes=E14001401,E14001402,E14001403&#38;boundaries=2024"));
    // Every indicator compared with England, in one table: the STEM
    // summary first, every row with a verdict in words, a decorative spine
    // where it has a figure and England a value, and the comparisons.
    let bench = &h[h.find("id=\"bench\"").expect("a benchmark section")..];
    let bench = &bench[..bench.find("</section>").unwrap()];
    assert_eq!(bench.matches("<table").count(), 1, "one table");
    let groups: Vec<&str> = bench
        .split("<tr class=\"theme\" id=\"spine-")
        .skip(1)
        .map(|g| {
            let g = &g[g.find("<th scope=\"rowgroup\" colspan=\"3\">").unwrap() + 33..];
            &g[..g.find("</th>").unwrap()]
        })
        .collect();
    assert_eq!(groups.first(), Some(&"STEM summary"), "{groups:?}");
    assert!(groups.contains(&"Deprivation") && groups.contains(&"Demography"));
    let rows = bench.matches("<tr id=\"i-").count();
    assert_eq!(rows, app().atlas.indicators.len(), "every indicator once");
    let spines = bench.matches("<svg class=\"spine\"").count();
    assert!(spines > 20 && spines <= rows, "{spines} of {rows}");
    assert_eq!(
        bench
            .matches("aria-hidden=\"true\" focusable=\"false\">")
            .count(),
        spines + 4,
        "every spine and the four key markers are decorative"
    );
    // The markers are uses of the shapes the key defines, once.
    assert_eq!(bench.matches("<defs>").count(), 1);
    assert_eq!(bench.matches("<use href=\"#sp-").count(), spines + 4);
    // Rows without a chart say so in each of its cells.
    assert_eq!(
        bench
            .matches("<td></td><td>–</td><td>–</td><td>–</td>")
            .count(),
        rows - spines
    );
    // Each row's source is a number in the list below the table.
    let refs = bench.matches("<a href=\"#src-").count();
    assert!(refs > 20 && refs <= rows, "{refs} of {rows}");
    let listed = bench.matches("<li id=\"src-").count();
    assert!(
        listed > 1 && listed < refs,
        "{listed} sources for {refs} rows"
    );
    for n in 1..=listed {
        assert!(
            bench.contains(&format!("<a href=\"#src-{n}\">[{n}]</a>")),
            "source {n} unused"
        );
    }
    assert!(!bench.contains(&format!("<a href=\"#src-{}\">", listed + 1)));
    assert!(bench.contains("<li id=\"src-1\"><a href=\"/sources#"));
    // The observatory's APS figure for this seat has a survey interval, so
    // it is tested; the Census shares are not.
    assert!(bench.contains("<td>not tested: complete count</td>"));
    assert!(bench.contains("Key: "));
}

#[tokio::test]
async fn compare_lists_each_seats_most_similar_seats() {
    let h = html("/compare?codes=E14001401,E14001403").await;
    let row = &h[h.find("Most similar seats").expect("the similar row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Northam South (1.94); Southam and Vale (3.92)"),
        "{row}"
    );
    assert!(
        row.contains("Northam North (3.92); Northam South (4.11)"),
        "{row}"
    );
}

#[tokio::test]
async fn trends_have_region_means_breaks_and_an_indicator_chart() {
    let v = json("/api/v1/constituencies/E14001401/series/he_entry_rate_18").await;
    assert!(v["breaks"].is_array());
    for p in v["points"].as_array().unwrap() {
        // Outside London and NE the observatory's English seats share a
        // region with each other; the region mean is a number.
        assert!(p["region_mean"].is_number() || p["region_mean"].is_null());
    }
    let h = html("/indicator/he_entry_rate_18").await;
    let t = &h[h.find("id=\"trend-h\"").expect("an over-time section")..];
    let t = &t[..t.find("</section>").unwrap()];
    assert!(t.contains("<svg class=\"trend\""));
    assert!(t.contains("<title id=\"area-trend\">"));
    assert!(t.contains("<th scope=\"col\">England</th>"));
    // An indicator with one period has no chart.
    let h = html("/indicator/level4_share").await;
    assert!(!h.contains("id=\"trend-h\""));
}

/// The observatory's APS figure for Northam North in 2021: 6.0% (4.2% to
/// 7.8%, a symmetric 95% interval); England's value is the mean of its
/// three seats, (6.0 + 6.0 + 6.5) / 3 = 6.1667%, inside the interval:
/// similar, and at 99.8% (half-width 1.8 × 3.0902 / 1.9600 = 2.838 points)
/// similar too. Census shares have no interval: not tested.
#[tokio::test]
async fn the_benchmark_api_tests_only_survey_intervals() {
    let v = json("/api/v1/constituencies/E14001401/benchmark").await;
    assert_eq!(v["nation"], "England");
    let rows = v["indicators"].as_array().unwrap();
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["indicator"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let stem = row("stem_professionals_share");
    assert_eq!(stem["period"], "2021");
    assert!((stem["nation_value"].as_f64().unwrap() - 0.185 / 3.0).abs() < 1e-12);
    assert_eq!(stem["at_95"], "similar");
    assert_eq!(stem["at_99_8"], "similar");
    assert_eq!(stem["not_tested"], Value::Null);
    assert_eq!(stem["theme"], "STEM summary");
    let l4 = row("level4_share");
    assert_eq!(l4["at_95"], Value::Null);
    assert!(l4["not_tested"]
        .as_str()
        .unwrap()
        .contains("no sampling interval"));
    // Every tested row is an APS figure.
    for r in rows {
        if !r["at_95"].is_null() {
            assert!(
                [
                    "stem_professionals_share",
                    "aps_manufacturing_share",
                    "aps_energy_water_share"
                ]
                .contains(&r["indicator"].as_str().unwrap()),
                "{r}"
            );
        }
    }
}

#[tokio::test]
async fn the_indicator_trend_has_a_small_chart_per_english_region() {
    let h = html("/indicator/he_entry_rate_18").await;
    let t = &h[h.find("id=\"trend-h\"").expect("an over-time section")..];
    let t = &t[..t.find("</section>").unwrap()];
    let regions = &t[t.find("id=\"trend-regions\"").expect("the regions' charts")..];
    let charts: Vec<&str> = regions.split("<figure class=\"trend\">").skip(1).collect();
    assert!(!charts.is_empty(), "{regions}");
    // The table's region columns: its headers after the four nations.
    let table = &t[t.find("<thead>").unwrap()..];
    let head = &table[..table.find("</thead>").unwrap()];
    for (i, c) in charts.iter().enumerate() {
        // A named image with its own title, and a caption naming a region
        // that is a column of the data table.
        assert!(
            c.contains(&format!("<title id=\"area-trend-r{i}\">")),
            "{c}"
        );
        assert!(c.contains("role=\"img\""));
        let cap = &c[c.find("<figcaption>").unwrap() + 12..];
        let name = &cap[..cap.find(" mean from ").unwrap()];
        assert!(
            head.contains(&format!("<th scope=\"col\">{name}</th>")),
            "{name} not in {head}"
        );
        assert!(c.contains(&format!("{name} mean from ")), "{c}");
        assert!(c.contains("the England mean from "), "{c}");
        // The region's line (solid) and England's (dashed).
        assert!(c.contains("class=\"ln\""), "{c}");
    }
}
