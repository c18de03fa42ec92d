//! `/contribute`: how an organisation adds data stemgap lacks — the gaps
//! (from the gap register), templates to download, the recipe format with
//! an example, and the exact commands (`stemgap contribute`).

use crate::error::{Audience, HttpError};
use crate::{Shared, P};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use stemgap_core::{BoundarySet, Nation};

/// The example recipe shown on the page and served as a file
/// (`docs/recipe-example.toml`, parsed by a test in stemgap-ingest).
pub const EXAMPLE: &str = include_str!("../../../docs/recipe-example.toml");

/// An indicator with nations that have no figures.
struct Gap {
    href: String,
    title: String,
    nations: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "contribute.html")]
struct ContributePage {
    title: String,
    nav: &'static str,
    gaps: Vec<Gap>,
    example: &'static str,
}

/// The gap register's missing cells, by indicator.
fn gaps(app: &crate::App) -> Vec<Gap> {
    use stemgap_findings::Comparability as C;
    let mut out: Vec<Gap> = Vec::new();
    for g in app
        .atlas
        .findings
        .gaps
        .iter()
        .filter(|g| g.comparability == C::Missing)
    {
        let nation = Nation::from_id(&g.nation).map_or(g.nation.clone(), |n| n.name().to_owned());
        match out.last_mut() {
            Some(last) if last.href.ends_with(&format!("/{}", g.indicator)) => {
                last.nations = format!("{}, {nation}", last.nations);
                if !g.reason.is_empty() && !last.reason.contains(&g.reason) {
                    last.reason = format!("{} {}", last.reason, g.reason).trim().to_owned();
                }
            }
            _ => out.push(Gap {
                href: format!("/indicator/{}", g.indicator),
                title: g.title.clone(),
                nations: nation,
                reason: g.reason.clone(),
            }),
        }
    }
    out
}

pub async fn page(State(app): State<Shared>) -> Response {
    let p = ContributePage {
        title: "Contribute data".into(),
        nav: "contribute",
        gaps: gaps(&app),
        example: EXAMPLE,
    };
    match p.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => HttpError::internal(Audience::Page, format!("cannot render the page: {e}"))
            .into_response(),
    }
}

/// A CSV field, quoted when it needs it.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `/contribute/template-2024.csv`, `template-2010.csv` (every seat's code
/// and name, an empty `value` column; authorities and LSOAs come from
/// `stemgap contribute template`) and `recipe-example.toml`.
pub async fn file(State(app): State<Shared>, P(file): P) -> Result<Response, HttpError> {
    let (body, kind) = match file.as_str() {
        "template-2024.csv" | "template-2010.csv" => {
            let set = if file.contains("2024") {
                BoundarySet::Pcon2024
            } else {
                BoundarySet::Pcon2010
            };
            let mut s = String::from("code,name,value\n");
            for seat in &app.atlas.set(set).seats {
                s.push_str(&format!("{},{},\n", seat.code, field(&seat.name)));
            }
            (s, "text/csv; charset=utf-8")
        }
        "recipe-example.toml" => (EXAMPLE.to_owned(), "application/toml; charset=utf-8"),
        _ => {
            return Err(HttpError::not_found(
                Audience::Page,
                format!("no contribution file {file:?}: there are template-2024.csv, template-2010.csv and recipe-example.toml"),
            ))
        }
    };
    let mut r = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(kind))],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"stemgap-{file}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
