//! Search on the static site, which has no server to ask: a small index
//! (`search-index.json`) that `static/search.js` matches in the browser,
//! and `/search/offline`, the page the search form leads to in the static
//! site (every seat of both sets, by name), so the box still leads
//! somewhere useful without JavaScript.

use crate::search::{normalise, ALIASES};
use crate::Shared;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use stemgap_core::BoundarySet;

/// The script the static site's pages load (not served by the server,
/// whose search box asks `/search`).
pub const SCRIPT: &str = include_str!("search.js");

/// `search-index.json`: `{"entries": [[label, file, key, code], …]}` for
/// every seat of both sets (`key`: its name normalised as
/// [`normalise`] does, with its alternative names) and every indicator
/// (code empty), files relative to the site's root.
pub fn index(app: &crate::App) -> Vec<u8> {
    let atlas = &app.atlas;
    let mut entries = Vec::new();
    for s in &atlas.sets {
        let set = s.set;
        for seat in &s.seats {
            let mut key = normalise(&seat.name);
            for (alias, official) in ALIASES {
                if *official == seat.name {
                    key.push(' ');
                    key.push_str(alias);
                }
            }
            let label = format!("{} ({}, {} boundaries)", seat.name, seat.code, set.id());
            let file = super::file_name(&format!(
                "/constituency/{}?boundaries={}",
                seat.code,
                set.id()
            ));
            entries.push(json!([label, file, key, seat.code.as_str()]));
        }
    }
    for d in &atlas.indicators {
        let file = super::file_name(&format!(
            "/indicator/{}?boundaries={}",
            d.id,
            BoundarySet::Pcon2024.id()
        ));
        entries.push(json!([
            format!("{} (indicator)", d.title),
            file,
            normalise(&format!("{} {}", d.title, d.id.replace('_', " "))),
            ""
        ]));
    }
    serde_json::to_vec(&json!({ "entries": entries })).unwrap_or_default()
}

struct SetList {
    id: &'static str,
    title: String,
    /// (code, name, nation), by name.
    seats: Vec<(String, String, &'static str)>,
}

#[derive(Template)]
#[template(path = "search_offline.html")]
struct OfflinePage {
    title: String,
    nav: &'static str,
    sets: Vec<SetList>,
}

/// `/search/offline`: every seat of both sets, by name (2024 first).
pub async fn offline(State(app): State<Shared>) -> Response {
    let sets = [BoundarySet::Pcon2024, BoundarySet::Pcon2010]
        .into_iter()
        .map(|set| {
            let mut seats: Vec<(String, String, &'static str)> = app
                .atlas
                .set(set)
                .seats
                .iter()
                .map(|s| {
                    (
                        s.code.to_string(),
                        s.name.clone(),
                        s.nation.map_or("", |n| n.name()),
                    )
                })
                .collect();
            seats.sort_by_cached_key(|s| normalise(&s.1));
            SetList {
                id: set.id(),
                title: set.title().to_string(),
                seats,
            }
        })
        .collect();
    let page = OfflinePage {
        title: "Find a constituency".into(),
        nav: "",
        sets,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => crate::HttpError::internal(
            crate::Audience::Page,
            format!("cannot render the page: {e}"),
        )
        .into_response(),
    }
}
