//! The static site: every page, the API's JSON and the downloads, rendered
//! by driving [`crate::router`] in-process (no network) and written as
//! files with relative links, so any static server can host them.
//!
//! Pages are found by crawling from a list of seeds (both home maps, every
//! indicator's map per set, every profile, every indicator page per set,
//! the lists, the API documents): each internal `href`, `src` or `action`
//! in a page is fetched too and rewritten to the relative path of its file.
//! Query strings become part of the file name ([`file_name`]); the
//! indicator pages' table-sorting and x-axis parameters and compare's seat
//! list are dropped (a static page cannot re-sort), so those links open the
//! page in its default order. Every response depends only on its URL, so
//! the output is byte-identical from run to run.
//!
//! Beside the crawled files the site gets what only a static copy needs:
//! `static/search.js` and `search-index.json` (the search box, in the
//! browser; [`search`]), `404.html`, and the shared assets of [`assets`]
//! (seat outlines, large shapes and profiles' caveats written once and
//! pointed at). Pages of the default boundary set are written once
//! (`/indicator/x` is `/indicator/x?boundaries=2024`). The per-seat and
//! per-indicator CSVs stay with the server: the pages point at their rows
//! of the whole tables instead ([`slices`]).

pub mod assets;
pub mod lean;
pub mod search;
pub mod slices;

use crate::{router, Shared};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tower::ServiceExt;

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{url}: the atlas answered {status}")]
    Status { url: String, status: StatusCode },
    #[error("{url}: {message}")]
    Render { url: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteSummary {
    pub pages: usize,
    pub json: usize,
    pub downloads: usize,
    pub other: usize,
    pub bytes: u64,
}

impl SiteSummary {
    pub fn files(&self) -> usize {
        self.pages + self.json + self.downloads + self.other
    }
}

/// Paths that need the server (a query typed by the reader): links to them
/// are left as they are.
const DYNAMIC: [&str; 2] = ["/api/v1/explore", "/download/explore.csv"];

/// Pages that answer a query and have a static stand-in saying they need
/// the server: links to them lead there.
const OFFLINE: [(&str, &str); 2] = [
    ("/explore", "/explore/offline"),
    ("/search", "/search/offline"),
];

/// Documents the static site leaves to the server, with what links to them
/// lead to instead, and whether `boundaries` is kept: one seat's API
/// document (~150 KB each, 1,300 of them) leads to the set's list of seats,
/// one indicator's (~165 KB each, 230) to the catalogue; every figure in
/// them is in the site's downloads (`download/{set}-long.csv`).
const SERVER_ONLY: [(&str, &str, bool); 2] = [
    ("/api/v1/constituencies/", "/api/v1/constituencies", true),
    ("/api/v1/indicators/", "/api/v1/indicators", false),
];

/// Paths whose answer without `boundaries` is their answer on the default
/// set (2024): the static site writes them once, as `?boundaries=2024`.
const DEFAULT_SET: [&str; 1] = ["/indicator/"];

/// Query parameters kept in the static site, in file-name order; any other
/// parameter is dropped from links.
const KEPT: [&str; 2] = ["indicator", "boundaries"];

/// The canonical form of an internal URL (`/path?k=v&…`, parameters in
/// [`KEPT`] order, fragment removed), or `None` for an external link, a
/// fragment, or something that is not a site URL.
pub fn canonical(url: &str) -> Option<String> {
    if !url.starts_with('/') || url.starts_with("//") {
        return None;
    }
    let url = url.split('#').next().unwrap_or("");
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, q),
        None => (url, ""),
    };
    if DYNAMIC.contains(&path) {
        return None;
    }
    if let Some(table) = slices::instead(path) {
        return Some(table);
    }
    if let Some((_, stand_in)) = OFFLINE.iter().find(|(p, _)| *p == path) {
        return Some((*stand_in).to_owned());
    }
    let mut params: BTreeMap<&str, &str> = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        params.insert(k, v);
    }
    let path = match SERVER_ONLY.iter().find(|(p, _, _)| path.starts_with(p)) {
        Some((_, instead, keep)) => {
            if !keep {
                params.clear();
            }
            (*instead).to_owned()
        }
        // The home map coloured by an indicator is the map that opens the
        // indicator's page: the static site writes it once, there.
        None if path == "/" && params.contains_key("indicator") => {
            let id = params.remove("indicator").unwrap_or_default();
            format!("/indicator/{id}")
        }
        None => path.to_owned(),
    };
    let path = path.as_str();
    if DEFAULT_SET.iter().any(|p| path.starts_with(p)) {
        params.entry("boundaries").or_insert("2024");
    }
    let kept: Vec<String> = KEPT
        .iter()
        .filter_map(|k| params.get(k).map(|v| format!("{k}={v}")))
        .collect();
    Some(if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    })
}

/// Characters kept in file names; anything else becomes `_`.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The file (relative to the site's root, `/`-separated) a canonical URL is
/// written to: `/` is `index.html`, `/?indicator=X&boundaries=2010`
/// `index-X-2010.html`, `/constituency/C?boundaries=2024`
/// `constituency/C-2024.html`, `/api/v1/gaps` `api/v1/gaps.json`; a path
/// ending in a file name keeps its extension (`download/2024.csv`).
pub fn file_name(canonical: &str) -> String {
    let (path, query) = canonical.split_once('?').unwrap_or((canonical, ""));
    let suffix: String = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| format!("-{}", safe(p.split_once('=').map_or(p, |(_, v)| v))))
        .collect();
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(safe)
        .collect();
    let (dirs, last) = match segments.split_last() {
        Some((last, dirs)) => (dirs.to_vec(), last.clone()),
        None => (Vec::new(), "index".to_owned()),
    };
    let is_api = path.starts_with("/api/");
    let known_ext = [
        ".csv", ".json", ".css", ".js", ".svg", ".parquet", ".xlsx", ".geojson",
    ];
    let leaf = if let Some(ext) = known_ext.iter().find(|e| last.ends_with(*e)) {
        // `.csv-metadata.json` keeps its whole double extension.
        let stem = &last[..last.len() - ext.len()];
        format!("{stem}{suffix}{ext}")
    } else if is_api {
        format!("{last}{suffix}.json")
    } else {
        format!("{last}{suffix}.html")
    };
    let mut parts = dirs;
    parts.push(leaf);
    parts.join("/")
}

/// The relative path from the file `from` to the file `to` (both relative
/// to the site's root, `/`-separated).
pub fn relative(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    let mut s = "../".repeat(depth);
    s.push_str(to);
    s
}

/// The URLs every site starts from.
fn seeds(app: &Shared) -> Vec<String> {
    let atlas = &app.atlas;
    let mut v: Vec<String> = [
        "/",
        "/indicators",
        "/findings",
        "/gaps",
        "/sources",
        "/compare",
        "/vocab",
        "/search/offline",
        "/static/style.css",
        "/api/openapi.json",
        "/api/v1/indicators",
        "/api/v1/findings",
        "/api/v1/gaps",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for f in &atlas.findings.findings {
        v.push(format!("/api/v1/findings/{}", f.id));
    }
    for s in &atlas.sets {
        let set = s.set.id();
        v.push(format!("/?boundaries={set}"));
        v.push(format!("/api/v1/constituencies?boundaries={set}"));
        v.push(format!("/download/{set}.csv"));
        v.push(format!("/download/{set}.csv-metadata.json"));
        for d in &atlas.indicators {
            v.push(format!("/indicator/{}?boundaries={set}", d.id));
        }
        for seat in &s.seats {
            v.push(format!("/constituency/{}?boundaries={set}", seat.code));
        }
    }
    for name in crate::download::files::names() {
        v.push(format!("/download/{name}"));
    }
    v
}

/// Internal URLs in a page's `href`, `src` and `action` attributes (as
/// written, entity-encoded), with the byte range of each value.
fn links(html: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "action=\""] {
        let mut from = 0;
        while let Some(at) = html[from..].find(attr) {
            let start = from + at + attr.len();
            // An attribute name, not the end of another word (`data-href`).
            let before = html[..from + at].chars().next_back();
            let Some(len) = html[start..].find('"') else {
                break;
            };
            let end = start + len;
            if before.is_some_and(|c| c.is_ascii_whitespace()) {
                out.push((start..end, unescape(&html[start..end])));
            }
            from = end;
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// An attribute value as the URL it stands for (askama writes `&` as
/// `&#38;`; templates as `&amp;`).
fn unescape(v: &str) -> String {
    v.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x26;", "&")
}

/// The internal targets of a page's links (canonical URLs).
pub fn page_targets(html: &str) -> Vec<String> {
    links(html)
        .into_iter()
        .filter_map(|(_, url)| canonical(&url))
        .collect()
}

/// `html` (the page at file `file`) with every internal link made relative.
fn rewrite(html: &str, file: &str) -> String {
    rewrite_to(html, file, false)
}

/// [`rewrite`], or with every internal link to its file from the site's
/// root (`/static/style.css`) when `absolute`: for `404.html`, which a
/// static host serves at any path.
fn rewrite_to(html: &str, file: &str, absolute: bool) -> String {
    let link = |to: &str| {
        if absolute {
            format!("/{to}")
        } else {
            relative(file, to)
        }
    };
    let mut out = String::with_capacity(html.len());
    let mut last = 0;
    for (range, url) in links(html) {
        let Some(c) = canonical(&url) else { continue };
        let fragment = url.find('#').map_or("", |i| &url[i..]);
        out.push_str(&html[last..range.start]);
        out.push_str(&link(&file_name(&c)));
        out.push_str(fragment);
        last = range.end;
    }
    out.push_str(&html[last..]);
    // The search box works in the browser (static/search.js).
    if let Some(at) = out.find("</head>") {
        let script = format!(
            "<script src=\"{}\" defer></script>\n",
            link("static/search.js")
        );
        out.insert_str(at, &script);
    }
    out
}

async fn fetch(app: axum::Router, url: &str) -> Result<(String, Vec<u8>), SiteError> {
    let req = Request::get(url)
        .body(Body::empty())
        .map_err(|e| SiteError::Render {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
    let res = app.oneshot(req).await.map_err(|e| SiteError::Render {
        url: url.to_owned(),
        message: e.to_string(),
    })?;
    if res.status() != StatusCode::OK {
        return Err(SiteError::Status {
            url: url.to_owned(),
            status: res.status(),
        });
    }
    let kind = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .map_err(|e| SiteError::Render {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
    Ok((kind, body.to_vec()))
}

/// What one written file was.
#[derive(Clone, Copy)]
enum Kind {
    Page,
    Json,
    Download,
    Other,
}

/// Fetches `url`, writes its file under `out` (a page with its links made
/// relative) and returns what it was, its size and, for a page, the
/// canonical URLs it links to.
async fn render_one(
    service: axum::Router,
    out: &Path,
    url: &str,
    shared: &assets::Shared,
    written: &std::sync::Mutex<BTreeSet<String>>,
) -> Result<(Kind, u64, Vec<String>, Vec<u64>), SiteError> {
    let (content_type, body) = fetch(service, url).await?;
    let file = file_name(url);
    let path = out.join(&file);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| SiteError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let mut extra = Vec::new();
    let (kind, targets, bytes) = if content_type.starts_with("text/html") {
        let html = String::from_utf8_lossy(&body);
        let html = slices::point_to_tables(&html);
        let (page, files) = shared.apply(&rewrite(&html, &file), &file);
        let page = lean::lean(&page);
        for (name, contents) in files {
            let new = written
                .lock()
                .map(|mut w| w.insert(name.clone()))
                .unwrap_or(true);
            if new {
                extra.push(write_file(out, &name, contents.as_bytes())?);
            }
        }
        (Kind::Page, page_targets(&html), page.into_bytes())
    } else if url.starts_with("/download/") {
        (Kind::Download, Vec::new(), body)
    } else if file.ends_with(".json") {
        (Kind::Json, Vec::new(), body)
    } else {
        (Kind::Other, Vec::new(), body)
    };
    std::fs::write(&path, &bytes).map_err(|source| SiteError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok((kind, bytes.len() as u64, targets, extra))
}

/// Writes `bytes` to `name` under `out` (directories made); returns its size.
fn write_file(out: &Path, name: &str, bytes: &[u8]) -> Result<u64, SiteError> {
    let path = out.join(name);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| SiteError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    std::fs::write(&path, bytes).map_err(|source| SiteError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(bytes.len() as u64)
}

/// The atlas's "no such page" answer as `404.html`, its links from the
/// site's root.
async fn not_found_page(service: axum::Router) -> Result<Vec<u8>, SiteError> {
    let url = "/404";
    let req = Request::get(url)
        .body(Body::empty())
        .map_err(|e| SiteError::Render {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
    let res = service.oneshot(req).await.map_err(|e| SiteError::Render {
        url: url.to_owned(),
        message: e.to_string(),
    })?;
    if res.status() != StatusCode::NOT_FOUND {
        return Err(SiteError::Status {
            url: url.to_owned(),
            status: res.status(),
        });
    }
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .map_err(|e| SiteError::Render {
            url: url.to_owned(),
            message: e.to_string(),
        })?;
    let html = String::from_utf8_lossy(&body).replace(
        "There is no page at /404.",
        "There is no page at this address.",
    );
    Ok(lean::lean(&rewrite_to(&html, "404.html", true)).into_bytes())
}

/// Renders the whole site into `out` (created if needed; files already
/// there are overwritten, others left alone). Pages are fetched, rewritten
/// and written in parallel, one wave of newly linked URLs at a time; each
/// file depends only on its URL, so the order does not matter.
pub async fn write_site(app: Shared, out: &Path) -> Result<SiteSummary, SiteError> {
    let service = router(app.clone());
    let out: std::sync::Arc<PathBuf> = std::sync::Arc::new(out.to_path_buf());
    std::fs::create_dir_all(out.as_path()).map_err(|source| SiteError::Io {
        path: out.display().to_string(),
        source,
    })?;
    let mut queued: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for s in seeds(&app) {
        if let Some(c) = canonical(&s) {
            if queued.insert(c.clone()) {
                todo.push(c);
            }
        }
    }
    let mut summary = SiteSummary::default();
    let shared = std::sync::Arc::new(assets::Shared::new(&app));
    let written = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let mut extra_files: Vec<(String, Vec<u8>)> = assets::Shared::sprites(&app)
        .into_iter()
        .map(|(name, svg)| (name, svg.into_bytes()))
        .collect();
    extra_files.push((
        "static/search.js".into(),
        search::SCRIPT.as_bytes().to_vec(),
    ));
    extra_files.push(("search-index.json".into(), search::index(&app)));
    extra_files.push(("404.html".into(), not_found_page(service.clone()).await?));
    for (name, bytes) in &extra_files {
        summary.bytes += write_file(&out, name, bytes)?;
        summary.other += 1;
    }
    while !todo.is_empty() {
        let mut tasks = tokio::task::JoinSet::new();
        for url in std::mem::take(&mut todo) {
            let service = service.clone();
            let out = out.clone();
            let shared = shared.clone();
            let written = written.clone();
            tasks.spawn(async move { render_one(service, &out, &url, &shared, &written).await });
        }
        let mut found: BTreeSet<String> = BTreeSet::new();
        while let Some(joined) = tasks.join_next().await {
            let (kind, bytes, targets, extra) = joined.map_err(|e| SiteError::Render {
                url: String::new(),
                message: e.to_string(),
            })??;
            summary.other += extra.len();
            summary.bytes += extra.iter().sum::<u64>();
            match kind {
                Kind::Page => summary.pages += 1,
                Kind::Json => summary.json += 1,
                Kind::Download => summary.downloads += 1,
                Kind::Other => summary.other += 1,
            }
            summary.bytes += bytes;
            found.extend(targets);
        }
        for t in found {
            if queued.insert(t.clone()) {
                todo.push(t);
            }
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_deterministic_and_flat() {
        assert_eq!(file_name("/"), "index.html");
        assert_eq!(
            file_name("/?indicator=stem_share&boundaries=2010"),
            "index-stem_share-2010.html"
        );
        assert_eq!(
            file_name("/constituency/E14001063?boundaries=2024"),
            "constituency/E14001063-2024.html"
        );
        assert_eq!(file_name("/api/v1/gaps"), "api/v1/gaps.json");
        assert_eq!(
            file_name("/api/v1/constituencies/E14001063?boundaries=2010"),
            "api/v1/constituencies/E14001063-2010.json"
        );
        assert_eq!(file_name("/download/2024.csv"), "download/2024.csv");
        assert_eq!(
            file_name("/download/2024.csv-metadata.json"),
            "download/2024.csv-metadata.json"
        );
        assert_eq!(file_name("/static/style.css"), "static/style.css");
        assert_eq!(
            file_name("/api/v1/findings/F1/2024/x"),
            "api/v1/findings/F1/2024/x.json"
        );
    }

    #[test]
    fn explore_leads_to_its_static_stand_in_and_its_answers_stay_dynamic() {
        assert_eq!(
            canonical("/explore?f=level4_share:lt:0.3&nation=england").as_deref(),
            Some("/explore/offline")
        );
        assert_eq!(canonical("/explore").as_deref(), Some("/explore/offline"));
        assert_eq!(file_name("/explore/offline"), "explore/offline.html");
        assert_eq!(canonical("/api/v1/explore?f=x:lt:1"), None);
        assert_eq!(canonical("/download/explore.csv?f=x:lt:1"), None);
    }

    #[test]
    fn the_static_site_writes_default_set_pages_once_and_leaves_seat_documents_to_the_server() {
        assert_eq!(
            canonical("/indicator/a").as_deref(),
            Some("/indicator/a?boundaries=2024")
        );
        assert_eq!(
            canonical("/indicator/a?boundaries=2010").as_deref(),
            Some("/indicator/a?boundaries=2010")
        );
        assert_eq!(canonical("/indicators").as_deref(), Some("/indicators"));
        assert_eq!(
            canonical("/api/v1/constituencies/E14001063?boundaries=2010").as_deref(),
            Some("/api/v1/constituencies?boundaries=2010")
        );
        assert_eq!(
            canonical("/api/v1/indicators/x?boundaries=2010").as_deref(),
            Some("/api/v1/indicators")
        );
        assert_eq!(
            canonical("/?indicator=x&boundaries=2010").as_deref(),
            Some("/indicator/x?boundaries=2010")
        );
        assert_eq!(
            canonical("/?indicator=x").as_deref(),
            Some("/indicator/x?boundaries=2024")
        );
        assert_eq!(
            canonical("/?boundaries=2010").as_deref(),
            Some("/?boundaries=2010")
        );
        assert_eq!(
            canonical("/search?q=leeds").as_deref(),
            Some("/search/offline")
        );
        assert_eq!(
            file_name("/download/2024-long.parquet"),
            "download/2024-long.parquet"
        );
        assert_eq!(file_name("/download/2010.geojson"), "download/2010.geojson");
    }

    #[test]
    fn canonical_drops_sorting_and_fragments() {
        assert_eq!(
            canonical("/indicator/a?boundaries=2010&x=b&sort=value&order=desc#table").unwrap(),
            "/indicator/a?boundaries=2010"
        );
        assert_eq!(canonical("https://example.org/"), None);
        assert_eq!(canonical("#main"), None);
        assert_eq!(canonical("//cdn/x"), None);
    }

    #[test]
    fn links_are_made_relative_with_fragments_kept() {
        let html = r##"<a href="/">m</a><link rel="stylesheet" href="/static/style.css"><a href="/indicator/a?boundaries=2010&amp;sort=value#table">t</a><a href="/indicator/b?boundaries=2024&#38;x=c&#38;sort=name&#38;order=asc#table">u</a><a href="#main">s</a><a href="https://x.org/">e</a>"##;
        let out = rewrite(html, "constituency/C-2024.html");
        assert_eq!(
            out,
            r##"<a href="../index.html">m</a><link rel="stylesheet" href="../static/style.css"><a href="../indicator/a-2010.html#table">t</a><a href="../indicator/b-2024.html#table">u</a><a href="#main">s</a><a href="https://x.org/">e</a>"##
        );
    }
}
