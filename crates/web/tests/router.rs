//! Router-level tests on the test observatory (`tests/observatory`, six
//! invented seats per boundary set), built once per run: every route's
//! status, content type and key content, the hardening, the OpenAPI
//! document against real responses, and small JSON snapshots. Expected
//! numbers are worked out by hand from the fixture files.

mod common;
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use common::app;
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use stemgap_web::{router, App, Shared};
use tower::ServiceExt;

/// A fresh app (empty cache) on the observatory's atlas.
fn fresh_app() -> Shared {
    Arc::new(App::new(app().atlas.clone()))
}

struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Got {
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn ok_html(&self) -> &str {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert_eq!(self.content_type(), "text/html; charset=utf-8");
        assert!(self.body.starts_with("<!doctype html>"));
        &self.body
    }

    fn ok_json(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert_eq!(self.content_type(), "application/json");
        self.json()
    }

    /// An error as an API client sees it.
    fn api_error(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type(), "application/json");
        let v = self.json();
        assert_eq!(v["error"]["status"], status.as_u16());
        v["error"]["message"].as_str().unwrap().to_owned()
    }

    /// An error as a browser sees it.
    fn page_error(&self, status: StatusCode) -> &str {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type(), "text/html; charset=utf-8");
        assert!(
            self.body.contains(&format!("<h1>{}", status.as_u16())),
            "{}",
            self.body
        );
        &self.body
    }
}

async fn request(method: Method, uri: &str, body: Body) -> Got {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .unwrap();
    let res = router(app()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Got {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get(uri: &str) -> Got {
    request(Method::GET, uri, Body::empty()).await
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

// ------------------------------------------------------------------ pages

#[tokio::test]
async fn home_draws_every_seat_with_a_legend_and_the_findings() {
    let g = get("/").await;
    let html = g.ok_html();
    assert!(html.contains("<svg class=\"hexmap\""), "no map");
    assert_eq!(html.matches("<polygon").count(), 6, "one hex per 2024 seat");
    assert!(html.contains("Legend:"));
    assert!(html.contains("Northam North"));
    // The default indicator is the first headline one the store has.
    assert!(html.contains("<option value=\"level4_share\" selected>"));
    assert!(html.contains("<option value=\"2024\" selected>"));
    for f in &app().atlas.findings.findings {
        assert!(
            html.contains(&format!("href=\"/findings#{}\"", f.id)),
            "{}",
            f.id
        );
    }
    // Loughmore (Northern Ireland) has no level4_share: grey, said in the legend.
    assert!(
        html.contains("no data (2 seats)"),
        "Scotland and NI have no census level 4"
    );
    let g = get("/?indicator=he_entry_rate_18&boundaries=2010").await;
    let html = g.ok_html();
    assert!(html.contains("<option value=\"he_entry_rate_18\" selected>"));
    assert!(html.contains("Northam East"), "2010 seat names");
    assert_eq!(html.matches("<polygon").count(), 6);
}

#[tokio::test]
async fn bad_query_values_are_400_pages_with_a_message() {
    let html = get("/?indicator=nope")
        .await
        .page_error(StatusCode::BAD_REQUEST)
        .to_owned();
    assert!(
        html.contains("There is no indicator &#34;nope&#34;")
            || html.contains("There is no indicator &quot;nope&quot;"),
        "{html}"
    );
    let html = get("/?boundaries=1999")
        .await
        .page_error(StatusCode::BAD_REQUEST)
        .to_owned();
    assert!(html.contains("boundaries must be 2010 or 2024"), "{html}");
    get("/indicator/level4_share?sort=colour")
        .await
        .page_error(StatusCode::BAD_REQUEST);
    get("/indicator/level4_share?order=up")
        .await
        .page_error(StatusCode::BAD_REQUEST);
    get("/indicator/level4_share?x=level4_share")
        .await
        .page_error(StatusCode::BAD_REQUEST);
    get("/compare?codes=banana")
        .await
        .page_error(StatusCode::BAD_REQUEST);
    get("/search?q=").await.page_error(StatusCode::BAD_REQUEST);
    // A malformed query string (a repeated parameter) is a 400 page too.
    get("/?boundaries=2010&boundaries=2024")
        .await
        .page_error(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_profile_shows_every_indicator_with_its_comparisons() {
    let g = get("/constituency/E14001401").await;
    let html = g.ok_html();
    assert!(html.contains("<h1>Northam North</h1>"));
    assert!(html.contains("Westminster constituencies from July 2024"));
    // HE entry rate 2024: 34.5%, third of three English seats.
    let row = html
        .split("<tr id=\"i-he_entry_rate_18\">")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("a row for every indicator");
    assert!(row.contains("34.5%"), "{row}");
    assert!(row.contains("3 of 3"), "{row}");
    assert!(
        row.contains("37.3%"),
        "England mean (34.5+37.1+40.2)/3: {row}"
    );
    assert!(
        row.contains("35.8%"),
        "North East mean (34.5+37.1)/2: {row}"
    );
    assert!(
        row.contains("36.1%"),
        "neighbours' mean (37.1+40.2+30.9)/3: {row}"
    );
    assert!(row.contains("2006: 20.0%"), "history: {row}");
    for d in &app().atlas.indicators {
        assert!(
            html.contains(&format!("id=\"i-{}\"", d.id))
                || d.id.starts_with("imd_")
                || d.id.starts_with("uk_imd"),
            "{}",
            d.id
        );
    }
    assert!(html.contains("Deprivation context"));
    assert!(html.contains("<svg class=\"locator\""));
    // Its three border neighbours, linked, with the shared border.
    for n in ["E14001402", "E14001403", "S14000031"] {
        assert!(
            html.contains(&format!("/constituency/{n}?boundaries=2024")),
            "{n}"
        );
    }
    assert!(html.contains("shared border 139.9 km") || html.contains("shared border 140.0 km"));
    assert!(
        html.contains("/api/v1/constituencies/E14001401?boundaries=2024"),
        "download links"
    );
    assert!(
        html.contains("In the 2010 boundaries"),
        "overlaps with the other set"
    );

    // The island seat's only link is its nearest seat.
    let html = get("/constituency/N05000011").await.ok_html().to_owned();
    assert!(
        html.contains("nearest seat (no land border), 459 km"),
        "{html}"
    );
    // The Scottish code is in both sets; ?boundaries picks.
    let html = get("/constituency/S14000031?boundaries=2010")
        .await
        .ok_html()
        .to_owned();
    assert!(html.contains("<h1>Glenbrae</h1>"));
}

#[tokio::test]
async fn unknown_or_malformed_codes_and_ids_are_404_pages() {
    let html = get("/constituency/E14009999")
        .await
        .page_error(StatusCode::NOT_FOUND)
        .to_owned();
    assert!(
        html.contains("No constituency has the code E14009999"),
        "{html}"
    );
    let html = get("/constituency/E14001401?boundaries=2010")
        .await
        .page_error(StatusCode::NOT_FOUND)
        .to_owned();
    assert!(
        html.contains("It is a seat of the 2024 boundaries"),
        "{html}"
    );
    get("/constituency/not-a-code")
        .await
        .page_error(StatusCode::NOT_FOUND);
    get("/indicator/nope")
        .await
        .page_error(StatusCode::NOT_FOUND);
    get("/compare?codes=E14009999")
        .await
        .page_error(StatusCode::NOT_FOUND);
    get("/no/such/page").await.page_error(StatusCode::NOT_FOUND);
    get("/download/1999.csv")
        .await
        .page_error(StatusCode::NOT_FOUND);
    get("/download/indicators/nope.csv")
        .await
        .page_error(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_indicator_page_sorts_by_the_url_and_draws_its_charts() {
    let g = get("/indicator/he_entry_rate_18?sort=value&order=desc").await;
    let html = g.ok_html();
    let table = html.split("id=\"table\"").nth(1).unwrap();
    let pos = |name: &str| {
        table
            .find(&format!(">{name}</a>"))
            .unwrap_or_else(|| panic!("{name}"))
    };
    // 40.2% > 37.1% > 34.5% > 30.9% > 29.8%, and Loughmore (missing) last.
    let order = [
        "Southam and Vale",
        "Northam South",
        "Northam North",
        "Glenbrae, Kyle and Strathannan",
        "Bryn Môr",
        "Loughmore",
    ];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
    }
    assert!(html.contains("aria-sort=\"descending\""));
    // The boundary map draws the six seats from the fixture's TopoJSON, in
    // the hex map's colours: Southam and Vale in the top fifth, Loughmore
    // (no value) grey.
    let map = html.split("<svg class=\"boundarymap\"").nth(1).unwrap();
    let map = &map[..map.find("</svg>").unwrap()];
    assert_eq!(map.matches("<path d=\"M").count(), 6);
    let fill_of = |code: &str| {
        let at = map.find(&format!("/constituency/{code}?")).unwrap();
        let fill = &map[at..][map[at..].find("fill=\"").unwrap() + 6..];
        fill[..7].to_owned()
    };
    assert_eq!(fill_of("E14001403"), "#fde725");
    assert_eq!(fill_of("N05000011"), "#e6e6e6");
    // The heading link reverses the order.
    assert!(unescape(html).contains("x=uk_imd_score&sort=value&order=asc#table"));
    let asc = get("/indicator/he_entry_rate_18?sort=value&order=asc").await;
    let t = asc
        .ok_html()
        .split("id=\"table\"")
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(t.find(">Bryn Môr</a>").unwrap() < t.find(">Southam and Vale</a>").unwrap());
    assert!(
        t.find(">Southam and Vale</a>").unwrap() < t.find(">Loughmore</a>").unwrap(),
        "missing still last"
    );
    // Map, histogram with its table, scatter against deprivation with its fit.
    assert!(html.contains("<svg class=\"hexmap\""));
    assert!(html.contains("id=\"hist-title\""));
    assert!(html.contains("Data table for the distribution"));
    assert!(html.contains("<option value=\"uk_imd_score\" selected>"));
    assert!(html.contains("/download/indicators/he_entry_rate_18.csv"));
}

#[tokio::test]
async fn findings_gaps_compare_sources_and_indicators_pages() {
    let atlas = &app().atlas;
    let html = get("/findings").await.ok_html().to_owned();
    for f in &atlas.findings.findings {
        assert!(
            html.contains(&format!("<article id=\"{}\"", f.id)),
            "{}",
            f.id
        );
        assert!(unescape(&html).contains(&f.statement), "{} statement", f.id);
    }
    let html = get("/gaps").await.ok_html().to_owned();
    for n in ["England", "Wales", "Scotland", "Northern Ireland"] {
        assert!(html.contains(&format!("<th scope=\"col\">{n}</th>")), "{n}");
    }
    let rows = html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .matches("<tr>")
        .count();
    assert_eq!(rows, atlas.indicators.len(), "one row per indicator");
    let html = get("/compare?codes=E14001401,e14001403")
        .await
        .ok_html()
        .to_owned();
    assert!(
        html.contains(">Northam North</a></th>") && html.contains(">Southam and Vale</a></th>")
    );
    assert_eq!(
        html.split("<tbody>")
            .nth(1)
            .unwrap()
            .matches("<tr>")
            .count(),
        3 + 1 + atlas.indicators.len(),
        "the MP, majority and turnout, the most similar seats, then one row per indicator"
    );
    get("/compare").await.ok_html();
    let many = (1..=9)
        .map(|i| format!("E1400140{i}"))
        .collect::<Vec<_>>()
        .join(",");
    get(&format!("/compare?codes={many}"))
        .await
        .page_error(StatusCode::BAD_REQUEST);
    let html = get("/sources").await.ok_html().to_owned();
    for s in &atlas.sources {
        assert!(html.contains(&format!("<tr id=\"{}\">", s.id)), "{}", s.id);
    }
    assert!(html.contains("OGL-3.0"));
    let html = get("/indicators").await.ok_html().to_owned();
    for d in &atlas.indicators {
        assert!(
            html.contains(&format!("href=\"/indicator/{}\"", d.id)),
            "{}",
            d.id
        );
    }
}

/// HTML text with the character references askama writes decoded.
fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn search_goes_to_a_seat_by_code_postcode_or_name() {
    let location = |g: &Got| {
        assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.body);
        g.headers[header::LOCATION].to_str().unwrap().to_owned()
    };
    assert_eq!(
        location(&get("/search?q=e14001402").await),
        "/constituency/E14001402?boundaries=2024"
    );
    assert_eq!(
        location(&get("/search?q=ne1+5ab").await),
        "/constituency/E14001401?boundaries=2024"
    );
    assert_eq!(
        location(&get("/search?q=bryn%20m%C3%B4r").await),
        "/constituency/W07000101?boundaries=2024"
    );
    assert_eq!(
        location(&get("/search?q=Northam+East&boundaries=2010").await),
        "/constituency/E14000801?boundaries=2010"
    );
    let g = get("/search?q=northam").await;
    let html = g.ok_html();
    // Both sets' seats, the set asked for (2024) first; a 2010 seat with
    // the seats that took over its population.
    assert!(html.contains("4 constituencies"), "{html}");
    let north = html.find("Northam North</a>").unwrap();
    let east = html.find("Northam East</a>").unwrap();
    assert!(north < east, "{html}");
    assert!(
        html.contains("its population is now in Northam North (64%), Northam South (36%)"),
        "{html}"
    );
    // Case, accents, punctuation and hyphens do not matter; codes in any case.
    for q in ["NORTHAM+north", "northam-north", "Northam,+North."] {
        assert_eq!(
            location(&get(&format!("/search?q={q}")).await),
            "/constituency/E14001401?boundaries=2024",
            "{q}"
        );
    }
    assert_eq!(
        location(&get("/search?q=bryn+mor").await),
        "/constituency/W07000101?boundaries=2024"
    );
    get("/constituency/e14001401").await.ok_html();
    // Compare takes names, codes and postcodes.
    let g = get("/compare?codes=northam+north,+w07000101,+NE1+5AB").await;
    let html = g.ok_html();
    assert!(html.contains("Compare Northam North, Bryn Môr"), "{html}");
    let g = get("/compare?codes=northam").await;
    assert!(
        g.page_error(StatusCode::BAD_REQUEST)
            .contains("matches 2 constituencies"),
        "{}",
        g.body
    );
    // An outward code lists the seats its postcodes fall in.
    let g = get("/search?q=ne1").await;
    assert!(
        g.ok_html().contains("postcodes in NE1 fall in this seat"),
        "{}",
        g.body
    );
    let g = get("/search?q=atlantis").await;
    assert_eq!(g.status, StatusCode::NOT_FOUND);
    assert!(
        g.body.contains("No constituency of either boundary set"),
        "{}",
        g.body
    );
    // A postcode in no seat, and one in Northern Ireland.
    get("/search?q=TA1+9ZZ")
        .await
        .page_error(StatusCode::NOT_FOUND);
    assert!(get("/search?q=BT1+1AA")
        .await
        .page_error(StatusCode::NOT_FOUND)
        .contains("Northern Ireland"));
}

// ------------------------------------------------------------------ API

#[tokio::test]
async fn api_constituencies_list_and_one() {
    let v = get("/api/v1/constituencies").await.ok_json();
    assert_eq!(v["boundaries"], "2024");
    assert_eq!(v["count"], 6);
    let codes: Vec<&str> = v["constituencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "E14001401",
            "E14001402",
            "E14001403",
            "N05000011",
            "S14000031",
            "W07000101"
        ]
    );
    let v = get("/api/v1/constituencies?boundaries=2010")
        .await
        .ok_json();
    assert_eq!(v["constituencies"][0]["code"], "E14000801");
    let msg = get("/api/v1/constituencies?boundaries=2030")
        .await
        .api_error(StatusCode::BAD_REQUEST);
    assert!(msg.contains("2010 or 2024"), "{msg}");

    let v = get("/api/v1/constituencies/E14001401").await.ok_json();
    assert_eq!(v["name"], "Northam North");
    assert_eq!(v["region"]["name"], "North East");
    let inds = v["indicators"].as_array().unwrap();
    assert_eq!(inds.len(), app().atlas.indicators.len(), "every indicator");
    let he = inds.iter().find(|i| i["id"] == "he_entry_rate_18").unwrap();
    assert_eq!(he["value"], 0.345);
    assert_eq!(he["period"], "2024");
    assert_eq!(he["method"], "measured");
    assert_eq!(he["rank_in_nation"], 3);
    assert_eq!(he["nation_count"], 3);
    assert!(close(
        he["nation_mean"].as_f64().unwrap(),
        (0.345 + 0.371 + 0.402) / 3.0
    ));
    assert!(close(
        he["region_mean"].as_f64().unwrap(),
        (0.345 + 0.371) / 2.0
    ));
    assert!(close(
        he["neighbour_mean"].as_f64().unwrap(),
        (0.371 + 0.402 + 0.309) / 3.0
    ));
    assert_eq!(he["history"].as_array().unwrap().len(), 19);
    assert!(he["source"]["licence"].is_string());
    let nb: Vec<&str> = v["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert_eq!(nb.len(), 3);
    assert_eq!(nb[0], "E14001403", "longest border first");
    // Loughmore: its 2024 value is blank in the source, so missing with its flag.
    let v = get("/api/v1/constituencies/N05000011").await.ok_json();
    let he = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "he_entry_rate_18")
        .unwrap()
        .clone();
    assert_eq!(he["value"], Value::Null);
    assert_eq!(he["flag"], "blank");
    assert_eq!(he["rank_in_nation"], Value::Null);
    assert_eq!(he["neighbour_mean"], 0.298, "the nearest seat, Bryn Môr");
    let l4 = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "level4_share")
        .unwrap()
        .clone();
    assert_eq!(
        l4["period"],
        Value::Null,
        "not published for Northern Ireland"
    );

    let msg = get("/api/v1/constituencies/E14009999")
        .await
        .api_error(StatusCode::NOT_FOUND);
    assert!(msg.contains("E14009999"), "{msg}");
    get("/api/v1/constituencies/xyz")
        .await
        .api_error(StatusCode::NOT_FOUND);
    get("/api/v1/constituencies/E14001401?boundaries=2010")
        .await
        .api_error(StatusCode::NOT_FOUND);
    get("/api/v1/nothing")
        .await
        .api_error(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_indicators_findings_gaps_locate() {
    let atlas = &app().atlas;
    let v = get("/api/v1/indicators").await.ok_json();
    assert_eq!(v["count"], atlas.indicators.len());
    let he = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "he_entry_rate_18")
        .unwrap()
        .clone();
    assert_eq!(he["coverage"]["2024"], 5, "Loughmore's 2024 rate is blank");
    let v = get("/api/v1/indicators/he_entry_rate_18?boundaries=2024")
        .await
        .ok_json();
    assert_eq!(v["values"].as_array().unwrap().len(), 6);
    assert_eq!(v["summary"]["n"], 5);
    assert_eq!(v["summary"]["max"], 0.402);
    assert_eq!(v["summary"]["median"], 0.345);
    get("/api/v1/indicators/nope")
        .await
        .api_error(StatusCode::NOT_FOUND);
    get("/api/v1/indicators/level4_share?boundaries=x")
        .await
        .api_error(StatusCode::BAD_REQUEST);

    let v = get("/api/v1/findings").await.ok_json();
    assert_eq!(v["count"], atlas.findings.findings.len());
    let first_part = &atlas.findings.findings[0].parts[0].id;
    assert!(first_part.contains('/'));
    let v = get(&format!("/api/v1/findings/{first_part}"))
        .await
        .ok_json();
    assert_eq!(&v["id"], first_part.as_str());
    get("/api/v1/findings/F99")
        .await
        .api_error(StatusCode::NOT_FOUND);
    let v = get("/api/v1/gaps").await.ok_json();
    assert_eq!(v["count"], atlas.indicators.len() * 4);

    let v = get("/api/v1/locate?postcode=ne15ab").await.ok_json();
    assert_eq!(v["postcode"], "NE1 5AB");
    assert_eq!(v["constituency"]["code"], "E14001401");
    let v = get("/api/v1/locate?postcode=CF10%202XY").await.ok_json();
    assert_eq!(v["constituency"]["name"], "Bryn Môr");
    assert!(get("/api/v1/locate")
        .await
        .api_error(StatusCode::BAD_REQUEST)
        .contains("postcode is required"));
    assert!(get("/api/v1/locate?postcode=12345")
        .await
        .api_error(StatusCode::BAD_REQUEST)
        .contains("not a UK postcode"));
    assert!(get("/api/v1/locate?postcode=BT1+1AA")
        .await
        .api_error(StatusCode::NOT_FOUND)
        .contains("Northern Ireland"));
    for gap in ["TA1 9ZZ", "CF10 9ZZ"] {
        get(&format!(
            "/api/v1/locate?postcode={}",
            gap.replace(' ', "+")
        ))
        .await
        .api_error(StatusCode::NOT_FOUND);
    }
}

/// Every path of the OpenAPI document answers, and its 200 and error
/// responses have the documented shape (required fields, types, enums, no
/// undocumented fields).
#[tokio::test]
async fn responses_match_the_openapi_document() {
    let doc = stemgap_web::schema::document().unwrap();
    let served = get("/api/openapi.json").await.ok_json();
    assert_eq!(served, doc);
    let first_part = app().atlas.findings.findings[0].parts[0].id.clone();
    let cases: Vec<(&str, String, u16)> = vec![
        (
            "/api/v1/constituencies",
            "/api/v1/constituencies".into(),
            200,
        ),
        (
            "/api/v1/constituencies",
            "/api/v1/constituencies?boundaries=2010".into(),
            200,
        ),
        (
            "/api/v1/constituencies",
            "/api/v1/constituencies?boundaries=9".into(),
            400,
        ),
        (
            "/api/v1/constituencies/{code}",
            "/api/v1/constituencies/E14001401".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}",
            "/api/v1/constituencies/N05000011".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}",
            "/api/v1/constituencies/S14000031?boundaries=2010".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}",
            "/api/v1/constituencies/E14000000".into(),
            404,
        ),
        ("/api/v1/indicators", "/api/v1/indicators".into(), 200),
        (
            "/api/v1/indicators/{id}",
            "/api/v1/indicators/he_entry_rate_18".into(),
            200,
        ),
        (
            "/api/v1/indicators/{id}",
            "/api/v1/indicators/stem_professionals_share?boundaries=2010".into(),
            200,
        ),
        (
            "/api/v1/indicators/{id}",
            "/api/v1/indicators/nope".into(),
            404,
        ),
        (
            "/api/v1/indicators/{id}",
            "/api/v1/indicators/he_entry_rate_18?period=2019".into(),
            200,
        ),
        (
            "/api/v1/indicators/{id}",
            "/api/v1/indicators/he_entry_rate_18?period=1066".into(),
            400,
        ),
        (
            "/api/v1/constituencies/{code}/series/{id}",
            "/api/v1/constituencies/E14001401/series/he_entry_rate_18".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}/series/{id}",
            "/api/v1/constituencies/E14001401/series/nope".into(),
            404,
        ),
        (
            "/api/v1/constituencies/{code}/series/{id}",
            "/api/v1/constituencies/E14001401/series/he_entry_rate_18?boundaries=7".into(),
            400,
        ),
        (
            "/api/v1/constituencies/{code}/benchmark",
            "/api/v1/constituencies/E14001401/benchmark".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}/benchmark",
            "/api/v1/constituencies/S14000031/benchmark?boundaries=2010".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}/benchmark",
            "/api/v1/constituencies/E14000000/benchmark".into(),
            404,
        ),
        (
            "/api/v1/constituencies/{code}/benchmark",
            "/api/v1/constituencies/E14001401/benchmark?boundaries=x".into(),
            400,
        ),
        (
            "/api/v1/constituencies/{code}/similar",
            "/api/v1/constituencies/E14001401/similar".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}/similar",
            "/api/v1/constituencies/N05000011/similar".into(),
            200,
        ),
        (
            "/api/v1/constituencies/{code}/similar",
            "/api/v1/constituencies/E14000000/similar".into(),
            404,
        ),
        (
            "/api/v1/constituencies/{code}/similar",
            "/api/v1/constituencies/E14001401/similar?boundaries=x".into(),
            400,
        ),
        ("/api/v1/findings", "/api/v1/findings".into(), 200),
        ("/api/v1/findings/{id}", "/api/v1/findings/F1".into(), 200),
        (
            "/api/v1/findings/{id}",
            format!("/api/v1/findings/{first_part}"),
            200,
        ),
        ("/api/v1/findings/{id}", "/api/v1/findings/nope".into(), 404),
        ("/api/v1/gaps", "/api/v1/gaps".into(), 200),
        (
            "/api/v1/explore",
            format!(
                "/api/v1/explore?{THREE}&cols=mp_name,mp_majority,level4_share,he_entry_rate_18"
            ),
            200,
        ),
        (
            "/api/v1/explore",
            "/api/v1/explore?boundaries=2010&f=he_entry_rate_18:top_fifth".into(),
            200,
        ),
        ("/api/v1/explore", "/api/v1/explore?f=x:lt:1".into(), 400),
        (
            "/api/v1/locate",
            "/api/v1/locate?postcode=NE1+5AB".into(),
            200,
        ),
        ("/api/v1/locate", "/api/v1/locate?postcode=x".into(), 400),
        (
            "/api/v1/locate",
            "/api/v1/locate?postcode=BT1+1AA".into(),
            404,
        ),
    ];
    let documented: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    for path in &documented {
        assert!(
            cases.iter().any(|c| c.0 == path),
            "{path} is documented but not exercised"
        );
    }
    for (template, uri, status) in &cases {
        assert!(
            documented.iter().any(|p| p == template),
            "{template} is not documented"
        );
        let g = get(uri).await;
        assert_eq!(g.status.as_u16(), *status, "{uri}: {}", g.body);
        assert_eq!(g.content_type(), "application/json", "{uri}");
        let schema = stemgap_web::schema::response_schema(&doc, template, *status)
            .unwrap_or_else(|| panic!("{template}: no {status} response documented"));
        let errors = stemgap_web::schema::validate(&doc, schema, &g.json());
        assert!(errors.is_empty(), "{uri}:\n{}", errors.join("\n"));
    }
}

// ------------------------------------------------------------------ downloads

#[tokio::test]
async fn downloads_are_csv_with_gss_codes_and_matching_csvw_metadata() {
    let atlas = &app().atlas;
    let g = get("/download/2024.csv").await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.content_type(), "text/csv; charset=utf-8");
    assert!(g.headers[header::LINK]
        .to_str()
        .unwrap()
        .contains("<2024.csv-metadata.json>; rel=\"describedby\""));
    let mut r = csv::Reader::from_reader(g.body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[0][0], "E14001401");
    assert_eq!(header.len(), 4 + atlas.indicators.len());
    let he = header.iter().position(|h| h == "he_entry_rate_18").unwrap();
    assert_eq!(&rows[0][he], "0.345");
    assert_eq!(
        &rows[3][he], "",
        "Loughmore's missing value is empty, not zero"
    );

    let m = get("/download/2024.csv-metadata.json").await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(m.content_type(), "application/csvm+json");
    let meta = m.json();
    assert_eq!(meta["url"], "2024.csv");
    let names: Vec<&str> = meta["tableSchema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names, header,
        "the metadata describes the CSV's columns, in order"
    );
    assert_eq!(meta["tableSchema"]["primaryKey"], "code");

    let g = get("/download/indicators/he_entry_rate_18.csv").await;
    assert_eq!(g.status, StatusCode::OK);
    let mut r = csv::Reader::from_reader(g.body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let expected: usize = atlas
        .sets
        .iter()
        .map(|s| {
            s.series[atlas.indicator("he_entry_rate_18").unwrap().0]
                .obs
                .iter()
                .map(Vec::len)
                .sum::<usize>()
        })
        .sum();
    assert_eq!(
        rows.len(),
        expected,
        "every period of every seat of both sets"
    );
    assert!(rows.iter().any(|r| &r[0] == "2010") && rows.iter().any(|r| &r[0] == "2024"));
    let meta = get("/download/indicators/he_entry_rate_18.csv-metadata.json")
        .await
        .json();
    let names: Vec<&str> = meta["tableSchema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, header);
    assert_eq!(meta["url"], "he_entry_rate_18.csv");
}

#[tokio::test]
async fn a_seat_download_holds_every_indicator_with_its_comparisons() {
    let atlas = &app().atlas;
    let g = get("/download/constituency/E14001401-2024.csv").await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    assert_eq!(g.content_type(), "text/csv; charset=utf-8");
    let mut r = csv::Reader::from_reader(g.body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), atlas.indicators.len());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let he = rows.iter().find(|r| &r[0] == "he_entry_rate_18").unwrap();
    assert_eq!(&he[col("value")], "0.345");
    assert_eq!(&he[col("rank_in_nation")], "3");
    assert_eq!(&he[col("period")], "2024");
    // Rounded to a rate's four significant figures.
    assert_eq!(
        &he[col("nation_mean")],
        "0.3727",
        "(0.345 + 0.371 + 0.402) / 3"
    );
    let meta = get("/download/constituency/E14001401-2024.csv-metadata.json")
        .await
        .json();
    assert_eq!(meta["url"], "E14001401-2024.csv");
    let names: Vec<&str> = meta["tableSchema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, header);
    // The Scottish code is in both sets; a 2024 code is not in the 2010 set.
    assert_eq!(
        get("/download/constituency/S14000031-2010.csv")
            .await
            .status,
        StatusCode::OK
    );
    for bad in [
        "E14001401-2010.csv",
        "E14001401.csv",
        "E14001401-1999.csv",
        "x-2024.csv",
        "..%2F-2024.csv",
    ] {
        get(&format!("/download/constituency/{bad}"))
            .await
            .page_error(StatusCode::NOT_FOUND);
    }
}

// ------------------------------------------------------------------ hardening

#[tokio::test]
async fn only_get_and_head_are_answered() {
    for m in [
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ] {
        let g = request(m.clone(), "/", Body::empty()).await;
        g.page_error(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(g.headers[header::ALLOW], "GET, HEAD", "{m}");
        let g = request(m.clone(), "/api/v1/indicators", Body::empty()).await;
        g.api_error(StatusCode::METHOD_NOT_ALLOWED);
    }
    let g = request(Method::HEAD, "/constituency/E14001401", Body::empty()).await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.content_type(), "text/html; charset=utf-8");
    assert!(g.body.is_empty(), "HEAD has no body");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    for (method, uri) in [
        (Method::GET, "/"),
        (Method::GET, "/api/v1/indicators"),
        (Method::GET, "/download/2024.csv"),
        (Method::GET, "/static/style.css"),
        (Method::GET, "/nope"),
        (Method::GET, "/?boundaries=x"),
        (Method::POST, "/"),
    ] {
        let g = request(method.clone(), uri, Body::empty()).await;
        for (name, value) in stemgap_web::security_headers() {
            assert_eq!(
                g.headers.get(&name).map(|v| v.to_str().unwrap()),
                Some(value),
                "{method} {uri}: {name}"
            );
        }
        let csp = g.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.starts_with("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(g.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}

#[tokio::test]
async fn no_request_reaches_the_filesystem() {
    // Traversal in every shape ends at a 404 from the in-memory tables.
    for uri in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/download/..%2F..%2FCargo.toml",
        "/download/%2e%2e%2fCargo.toml.csv",
        "/download/indicators/..%2F..%2F..%2Fetc%2Fpasswd.csv",
        "/download/indicators/%2Fetc%2Fpasswd.csv",
        "/static/style.css/../../Cargo.toml",
        "/download/2024.csv%00.json",
    ] {
        let g = get(uri).await;
        assert_eq!(g.status, StatusCode::NOT_FOUND, "{uri}: {}", g.body);
        assert!(
            !g.body.contains("[workspace]") && !g.body.contains("root:"),
            "{uri}"
        );
    }
    let g = get("/static/style.css").await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.content_type(), "text/css; charset=utf-8");
}

#[tokio::test]
async fn a_large_body_is_refused() {
    let g = request(
        Method::GET,
        "/",
        Body::from(vec![b'x'; stemgap_web::BODY_LIMIT + 1]),
    )
    .await;
    assert_eq!(
        g.status,
        StatusCode::OK,
        "the handler does not read the body"
    );
    // A handler that does not read the body still answers; an oversized
    // declared length is refused before any handler runs.
    let req = Request::builder()
        .uri("/")
        .header(
            header::CONTENT_LENGTH,
            (stemgap_web::BODY_LIMIT + 1).to_string(),
        )
        .body(Body::from(vec![b'x'; stemgap_web::BODY_LIMIT + 1]))
        .unwrap();
    let res = router(app()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn successful_gets_are_served_again_from_the_cache() {
    let uri = "/indicator/he_entry_rate_18?boundaries=2010&sort=rank&order=desc";
    let before = app().cache.len();
    let first = get(uri).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(app().cache.len() > before, "kept");
    let second = get(uri).await;
    assert_eq!(second.body, first.body);
    assert_eq!(second.content_type(), first.content_type());
    for (name, value) in stemgap_web::security_headers() {
        assert_eq!(second.headers[&name], value, "a hit still carries {name}");
    }
    // HEAD of a cached page has no body; errors are never kept.
    let head = request(Method::HEAD, uri, Body::empty()).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    get("/constituency/E14000000")
        .await
        .page_error(StatusCode::NOT_FOUND);
    get("/?boundaries=cached")
        .await
        .page_error(StatusCode::BAD_REQUEST);
    assert!(app().cache.bytes() <= stemgap_web::CACHE_BYTES);
    let again = get("/?boundaries=cached").await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "not served from the cache"
    );
}

// ------------------------------------------------------------------ snapshots

#[tokio::test]
async fn json_snapshots() {
    insta::assert_json_snapshot!(
        "locate",
        get("/api/v1/locate?postcode=NE1+5AB").await.ok_json()
    );
    insta::assert_json_snapshot!(
        "constituencies_2010",
        get("/api/v1/constituencies?boundaries=2010")
            .await
            .ok_json()
    );
    let v = get("/api/v1/constituencies/W07000101").await.ok_json();
    let stem = v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "stem_professionals_share")
        .cloned();
    insta::assert_json_snapshot!("bryn_mor_stem_professionals_share", stem);
    insta::assert_json_snapshot!("bryn_mor_neighbours", v["neighbours"]);
}

#[tokio::test]
async fn priming_renders_the_hot_pages_into_the_cache() {
    let app = fresh_app();
    let targets = stemgap_web::hot_targets(&app);
    // Five site pages, and a profile and an API answer for each 2024 seat.
    let seats = app
        .atlas
        .set(stemgap_core::BoundarySet::Pcon2024)
        .seats
        .len();
    assert_eq!(targets.len(), 5 + 2 * seats);
    assert!(targets.contains(&"/constituency/E14001403?boundaries=2024".to_owned()));
    assert!(app.cache.is_empty());
    assert_eq!(
        stemgap_web::prime(app.clone(), targets.clone()).await,
        targets.len()
    );
    assert_eq!(app.cache.len(), targets.len());
    let bytes = app.cache.bytes();
    // A primed target is answered from the cache: nothing new is kept, and
    // the answer is the one a fresh app renders.
    let res = router(app.clone())
        .oneshot(
            Request::get("/api/v1/constituencies/E14001403?boundaries=2024")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cached = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!((app.cache.len(), app.cache.bytes()), (targets.len(), bytes));
    // Its brotli body was made when it was primed: a browser's request
    // gets it as kept.
    let res = router(app.clone())
        .oneshot(
            Request::get("/constituency/E14001403?boundaries=2024")
                .header("accept-encoding", "br, gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(app.cache.bytes(), bytes, "no brotli body made on request");
    let fresh = router(fresh_app())
        .oneshot(
            Request::get("/api/v1/constituencies/E14001403?boundaries=2024")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(cached, fresh);
}

// ------------------------------------------------------------------ explore

/// Three conditions on the observatory's 2024 seats (values from the
/// fixture files): deprivation score ≥ 20 (Bryn Môr, Glenbrae, Loughmore,
/// Northam North and South), Level 4 share < 0.26 (Glenbrae and Loughmore
/// have none), MP's party Labour (Loughmore, in Northern Ireland, has none):
/// Glenbrae and Loughmore are left out, and only Northam North meets all
/// three.
const THREE: &str = "f=uk_imd_score:ge:20&f=level4_share:lt:0.26&f=mp_party:eq:labour";

fn codes(v: &Value) -> Vec<&str> {
    v["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn explore_answers_three_conditions_and_counts_the_seats_left_out() {
    let v = get(&format!("/api/v1/explore?{THREE}")).await.ok_json();
    assert_eq!(v["count"], 1);
    assert_eq!(v["excluded_missing"], 2);
    assert_eq!(codes(&v), ["E14001401"]);
    let seat = &v["seats"][0];
    assert_eq!(seat["name"], "Northam North");
    assert_eq!(seat["nation"], "England");
    assert_eq!(seat["uk_imd_score"], 31.6);
    assert_eq!(seat["level4_share"], 0.25);
    assert_eq!(seat["mp_party"], "Labour");
    let cols: Vec<&str> = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["uk_imd_score", "level4_share", "mp_party"]);
    assert_eq!(v["columns"][0]["methods"][0], "measured");
    assert_eq!(v["columns"][2]["period"], "July 2024 general election");

    // The party by its code, and an MP's majority and turnout as columns.
    let v = get("/api/v1/explore?f=mp_party:eq:Lab&cols=mp_name,mp_majority,mp_turnout")
        .await
        .ok_json();
    assert_eq!(codes(&v), ["E14001401"]);
    assert_eq!(v["seats"][0]["mp_name"], "Ada Fairweather");
    assert_eq!(v["seats"][0]["mp_majority"], 6000);
    assert!(close(
        v["seats"][0]["mp_turnout"].as_f64().unwrap(),
        34000.0 / 56000.0
    ));
    assert_eq!(
        v["excluded_missing"], 1,
        "Loughmore has no MP in the sources"
    );
}

#[tokio::test]
async fn explore_relative_conditions_are_within_the_nation() {
    // England's scores 31.6, 33.12, 9.87: n = 3, the highest fifth is the
    // seats with fewer than 3/5 seats above them: only the highest.
    let v = get("/api/v1/explore?f=uk_imd_score:top_fifth&nation=england")
        .await
        .ok_json();
    assert_eq!(
        (v["count"].as_u64(), v["excluded_missing"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(codes(&v), ["E14001402"]);
    // A nation of one seat: it is its own highest and lowest fifth, and
    // neither below nor above its median.
    let v = get("/api/v1/explore?f=uk_imd_score:bottom_fifth&f=uk_imd_score:top_fifth")
        .await
        .ok_json();
    assert_eq!(codes(&v), ["W07000101", "S14000031", "N05000011"]);
    // HE entry: England's median is 0.371 (Northam South); Northern Ireland
    // has no value, so Loughmore is left out.
    let v = get("/api/v1/explore?f=he_entry_rate_18:below_median")
        .await
        .ok_json();
    assert_eq!(codes(&v), ["E14001401"]);
    assert_eq!(v["excluded_missing"], 1);
    let v = get("/api/v1/explore?f=he_entry_rate_18:above_median")
        .await
        .ok_json();
    assert_eq!(codes(&v), ["E14001403"]);
    // A region, and a plain comparison.
    let v = get("/api/v1/explore?region=E12000001&f=he_entry_rate_18:gt:0.35")
        .await
        .ok_json();
    assert_eq!(codes(&v), ["E14001402"]);
    let v = get("/api/v1/explore?region=North+East&f=he_entry_rate_18:le:0.371")
        .await
        .ok_json();
    assert_eq!(codes(&v), ["E14001401", "E14001402"]);
    // Sorted by a column, seats without a value last.
    let v = get("/api/v1/explore?cols=he_entry_rate_18&sort=he_entry_rate_18&order=desc")
        .await
        .ok_json();
    assert_eq!(
        codes(&v),
        [
            "E14001403",
            "E14001402",
            "E14001401",
            "S14000031",
            "W07000101",
            "N05000011"
        ]
    );
    assert_eq!(v["seats"][5]["he_entry_rate_18"], Value::Null);
}

#[tokio::test]
async fn explore_bad_parameters_are_400s_naming_the_parameter() {
    for (query, says) in [
        (
            "f=nope:lt:3",
            "parameter f=nope:lt:3: no indicator or field \"nope\"",
        ),
        (
            "f=uk_imd_score:between:3",
            "parameter f=uk_imd_score:between:3: unknown operator \"between\"",
        ),
        (
            "f=uk_imd_score:lt:abc",
            "parameter f=uk_imd_score:lt:abc: \"abc\" is not a number",
        ),
        (
            "f=uk_imd_score:lt",
            "parameter f=uk_imd_score:lt: lt needs a value",
        ),
        ("f=uk_imd_score:top_fifth:3", "takes no value"),
        ("f=uk_imd_score", "a condition is FIELD:OP[:VALUE]"),
        ("f=mp_party:lt:3", "mp_party is text: only eq applies"),
        ("f=mp_party:top_fifth", "mp_party is text: only eq applies"),
        ("boundaries=2010&f=mp_party:eq:Labour", "2024 seats only"),
        ("nation=mars", "parameter nation:"),
        ("region=E12999999", "parameter region:"),
        ("boundaries=2019", "parameter boundaries:"),
        ("shade=mp_party", "parameter shade:"),
        ("cols=level4_share,nope", "parameter cols:"),
        ("order=up", "parameter order:"),
        ("fi=uk_imd_score", "parameter fi: unknown parameter"),
        (
            "nation=england&nation=wales",
            "parameter nation: given more than once",
        ),
    ] {
        let m = get(&format!("/api/v1/explore?{query}"))
            .await
            .api_error(StatusCode::BAD_REQUEST);
        assert!(m.contains(says), "{query}: {m}");
        let page = get(&format!("/explore?{query}")).await;
        if !query.starts_with("fi=") {
            assert!(
                page.page_error(StatusCode::BAD_REQUEST)
                    .contains("parameter"),
                "{query}"
            );
        }
        let csv = get(&format!("/download/explore.csv?{query}")).await;
        assert_eq!(csv.status, StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test]
async fn explore_page_csv_and_api_give_the_same_seats() {
    let body = get(&format!("/explore?{THREE}")).await.ok_html().to_owned();
    assert!(
        body.contains("1 of the 6 seats in the UK (2024 boundaries) meet all 3 conditions."),
        "{body}"
    );
    assert!(body
        .contains("2 seats were left out because they have no value for at least one condition"));
    assert!(body.contains("1 seats in scope have no value (Northern Ireland&#39;s MPs are not in stemgap&#39;s sources)")
        || body.contains("1 seats in scope have no value (Northern Ireland's MPs are not in stemgap's sources)"), "{body}");
    assert!(body.contains(r#"<svg class="hexmap""#));
    assert!(body.contains("<title>Northam North: matches</title>"));
    assert!(body.contains("<title>Northam South: does not match</title>"));
    assert!(body.contains(r#"<th scope="row"><a href="/constituency/E14001401?boundaries=2024">Northam North</a></th>"#));
    assert!(body.contains(r#"aria-sort="ascending""#));
    assert!(
        body.contains("/api/v1/explore?boundaries=2024&#38;f=uk_imd_score:ge:20"),
        "{body}"
    );
    assert!(body.contains("Period: July 2024 general election"));
    // The form keeps the conditions, and two empty rows for more.
    assert_eq!(body.matches(r#"<select id="fi"#).count(), 5);

    let csv = get(&format!("/download/explore.csv?{THREE}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert_eq!(
        csv.body,
        "code,name,nation,uk_imd_score,level4_share,mp_party\nE14001401,Northam North,England,31.6,0.25,Labour\n"
    );

    // Shaded by a number: the matching seats in fifths, a legend.
    let body = get("/explore?f=he_entry_rate_18:gt:0.3&shade=level4_share")
        .await
        .ok_html()
        .to_owned();
    assert!(
        body.contains("matches, no value for the shading (1 seats)"),
        "{body}"
    );
    assert!(body.contains("coloured by Qualified to Level 4 or above"));
}

#[tokio::test]
async fn explore_form_redirects_to_the_address_of_the_query() {
    let g = get("/explore?fi=uk_imd_score&fo=top_fifth&fv=12&fi=he_entry_rate_18&fo=lt&fv=0.4&fi=&fo=&fv=&nation=england&region=&shade=&cols=")
        .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    assert_eq!(
        g.headers[header::LOCATION],
        "/explore?boundaries=2024&f=uk_imd_score:top_fifth&f=he_entry_rate_18:lt:0.4&nation=england"
    );
    let g = get("/explore?fi=nope&fo=lt&fv=1").await;
    assert!(g.page_error(StatusCode::BAD_REQUEST).contains("nope"));
    // The static site's stand-in says it cannot answer.
    let body = get("/explore/offline").await.ok_html().to_owned();
    assert!(body.contains("it cannot answer queries"));
    assert!(!body.contains("id=\"count\""));
}

#[tokio::test]
async fn the_mp_elected_in_july_2024_is_on_the_profile_compare_and_brief() {
    let body = get("/constituency/E14001402").await.ok_html().to_owned();
    assert!(
        body.contains("Bernard Stile (Conservative), elected July 2024: majority 500 votes (1.4% of valid votes); turnout 61.7% (valid votes of 60,000 electors)."),
        "{body}"
    );
    let ni = get("/constituency/N05000011").await.ok_html().to_owned();
    assert!(ni.contains("Not in stemgap&#39;s sources") || ni.contains("Not in stemgap's sources"));
    assert!(ni.contains("Great Britain only, not Northern Ireland"));
    let old = get("/constituency/E14000801?boundaries=2010")
        .await
        .ok_html()
        .to_owned();
    assert!(old.contains("MPs are given for the 2024 seats only (elected July 2024)"));

    let cmp = get("/compare?codes=E14001401,N05000011")
        .await
        .ok_html()
        .to_owned();
    assert!(cmp.contains("MP elected July 2024"));
    assert!(cmp.contains("Ada Fairweather (Labour)"));
    assert!(cmp.contains("6,000 (17.6%)"), "{cmp}");
    let cmp = get("/compare?codes=E14000801&boundaries=2010")
        .await
        .ok_html()
        .to_owned();
    assert!(cmp.contains("2024 seats only"));

    let atlas = &app().atlas;
    let brief =
        stemgap_web::brief::brief(atlas, stemgap_core::BoundarySet::Pcon2024, "W07000101", &[])
            .unwrap();
    assert!(
        brief.contains("Dafydd Morgan-Lee (Plaid Cymru), elected July 2024: majority 2,000 votes")
    );

    let sources = get("/sources").await.ok_html().to_owned();
    assert!(sources.contains("licensed CC BY-SA 4.0"));
    assert!(sources.contains(r#"<tr id="ge2024_census_constituency_summaries_v1.1">"#));
}
