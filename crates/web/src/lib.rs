//! stemgap's web atlas and JSON API.
//!
//! [`Atlas::load`] reads everything the site shows from the store once;
//! [`App`] adds what is drawn or serialised once (hex layouts, the larger
//! JSON bodies); [`router`] answers every request from memory. No request
//! runs SQL or touches the filesystem: the stylesheet and the OpenAPI
//! document are compiled in, and downloads are written from the atlas.
//!
//! | path | what |
//! | --- | --- |
//! | `/api/v1/constituencies/{code}/benchmark` | the seat against its nation, indicator by indicator ([`benchmark`]) |
//! | `/api/v1/constituencies/{code}/similar` | the seat's 15 most similar seats of its nation ([`similar`]) |
//! | `/brief/{code}` | the seat's one-page brief ([`brief`]) |
//! | `/`, `/constituency/{code}`, `/indicators`, `/indicator/{id}`, `/findings`, `/gaps`, `/compare`, `/sources`, `/search` | HTML pages ([`pages`]) |
//! | `/api/v1/…`, `/api/openapi.json` | JSON ([`api`], wire format in [`wire`]) |
//! | `/explore`, `/api/v1/explore`, `/download/explore.csv` | Explore ([`explore_page`], engine in [`explore`]) |
//! | `/download/{2010,2024}.csv`, `/download/indicators/{id}.csv`, `/download/constituency/{code}-{set}.csv`, each with `.csv-metadata.json` (CSVW) | downloads ([`download`]) |
//! | `/download/{2010,2024}{,-long}.{csv,parquet,xlsx}`, `/download/{2010,2024}.geojson` | the wide and long tables of each set ([`download::files`]) |
//! | `/vocab` | the downloads' vocabulary, their metadata's namespace ([`download::vocab`]) |
//!
//! Every answer depends only on the request target, so successful GET
//! responses are kept, compressed, in a bounded [`cache`]; [`http`] keys
//! it, negotiates the coding and sets ETag, Cache-Control and CORS. Only GET and HEAD are
//! answered (405 otherwise); every response carries
//! the security headers of [`security_headers`]; request bodies are limited
//! to [`BODY_LIMIT`] bytes and requests to [`TIMEOUT`].

pub mod api;
pub mod atlas;
pub mod benchmark;
pub mod brief;
pub mod cache;
pub mod contribute;
pub mod download;
pub mod error;
pub mod explore;
pub mod explore_page;
pub mod format;
pub mod http;
pub mod pages;
pub mod report;
pub mod schema;
pub mod search;
pub mod similar;
pub mod site;
pub mod svg;
pub mod trend;
pub mod why;
pub mod wire;

pub use atlas::Atlas;
pub use error::{Audience, HttpError, LoadError, ServeError};

use axum::extract::{FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use stemgap_core::BoundarySet;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// Largest request body accepted (GET and HEAD need none).
pub const BODY_LIMIT: usize = 16 * 1024;
/// Longest a request may take before it is answered 408.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of (compressed) response bodies kept for reuse ([`cache`]).
pub const CACHE_BYTES: usize = 256 << 20;

/// The atlas with what is laid out or serialised once for every request.
pub struct App {
    pub atlas: Atlas,
    /// Hex layouts, indexed like [`Atlas::sets`].
    pub hex: [svg::HexLayout; 2],
    /// `/api/v1/findings` and `/api/v1/gaps`, serialised once.
    findings_json: String,
    gaps_json: String,
    /// Successful GET responses, kept up to [`CACHE_BYTES`].
    pub cache: cache::ResponseCache,
    /// Each seat's most similar seats, indexed like [`Atlas::sets`]
    /// (computed once here, [`similar`]).
    pub similar: [similar::SetSimilar; 2],
}

impl App {
    pub fn new(atlas: Atlas) -> App {
        let hex = [
            svg::HexLayout::new(&atlas.sets[0].hexes),
            svg::HexLayout::new(&atlas.sets[1].hexes),
        ];
        let findings = wire::FindingList {
            count: atlas.findings.findings.len(),
            findings: atlas
                .findings
                .findings
                .iter()
                .map(wire::FindingOut::of)
                .collect(),
        };
        let gaps = wire::GapList {
            count: atlas.findings.gaps.len(),
            gaps: atlas.findings.gaps.iter().map(wire::GapOut::of).collect(),
        };
        // Serialising plain structs of strings and finite numbers cannot fail.
        let findings_json = serde_json::to_string(&findings).unwrap_or_default();
        let gaps_json = serde_json::to_string(&gaps).unwrap_or_default();
        let similar = [
            similar::SetSimilar::compute(&atlas, &atlas.sets[0]),
            similar::SetSimilar::compute(&atlas, &atlas.sets[1]),
        ];
        App {
            similar,
            atlas,
            hex,
            findings_json,
            gaps_json,
            cache: cache::ResponseCache::new(CACHE_BYTES),
        }
    }

    /// Loads the atlas from a store file.
    pub fn open(db: &std::path::Path) -> Result<App, LoadError> {
        let store = stemgap_store::Store::open(db)?;
        Ok(App::new(Atlas::load(&store)?))
    }

    pub fn similar(&self, set: BoundarySet) -> &similar::SetSimilar {
        match set {
            BoundarySet::Pcon2010 => &self.similar[0],
            BoundarySet::Pcon2024 => &self.similar[1],
        }
    }

    pub fn hex(&self, set: BoundarySet) -> &svg::HexLayout {
        match set {
            BoundarySet::Pcon2010 => &self.hex[0],
            BoundarySet::Pcon2024 => &self.hex[1],
        }
    }
}

pub type Shared = Arc<App>;

/// Every route, with the hardening layers.
pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/search", get(search::search))
        .route("/constituency/{code}", get(pages::constituency))
        .route("/indicators", get(pages::indicators))
        .route("/indicator/{id}", get(pages::indicator))
        .route("/findings", get(pages::findings))
        .route("/gaps", get(pages::gaps))
        .route("/compare", get(pages::compare))
        .route("/sources", get(pages::sources))
        .route("/contribute", get(contribute::page))
        .route("/contribute/{file}", get(contribute::file))
        // Explore (the engine is shared with `stemgap explore`).
        .route("/explore", get(explore_page::page))
        .route("/explore/offline", get(explore_page::offline))
        .route("/search/offline", get(site::search::offline))
        .route("/api/v1/explore", get(explore_page::api))
        .route("/download/explore.csv", get(explore_page::csv))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/brief/{code}", get(brief::page))
        .route("/static/print.css", get(brief::stylesheet))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/constituencies", get(api::constituencies))
        .route("/api/v1/constituencies/{code}", get(api::constituency))
        .route("/api/v1/indicators", get(api::indicators))
        .route("/api/v1/indicators/{id}", get(trend::indicator))
        .route(
            "/api/v1/constituencies/{code}/series/{id}",
            get(trend::series),
        )
        .route("/api/v1/constituencies/{code}/similar", get(similar::api))
        .route(
            "/api/v1/constituencies/{code}/benchmark",
            get(benchmark::api),
        )
        .route("/api/v1/findings", get(api::findings))
        .route("/api/v1/findings/{*id}", get(api::finding))
        .route("/api/v1/gaps", get(api::gaps))
        .route("/api/v1/locate", get(api::locate))
        .route("/download/{file}", get(download::set_file))
        .route("/vocab", get(download::vocab::page))
        .route("/download/indicators/{file}", get(download::indicator_file))
        .route("/download/constituency/{file}", get(download::seat_file))
        .fallback(not_found)
        .with_state(app.clone())
        .layer(axum::middleware::from_fn_with_state(app, http::layer))
        .layer(axum::middleware::from_fn(only_get_and_head))
        .layer(
            ServiceBuilder::new()
                .layer(security_headers_layer(0))
                .layer(security_headers_layer(1))
                .layer(security_headers_layer(2))
                .layer(security_headers_layer(3))
                .layer(security_headers_layer(4))
                .layer(CatchPanicLayer::custom(panicked))
                .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    TIMEOUT,
                )),
        )
}

/// The headers every response carries.
pub fn security_headers() -> [(HeaderName, &'static str); 5] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ]
}

fn security_headers_layer(i: usize) -> SetResponseHeaderLayer<HeaderValue> {
    let (name, value) = security_headers()[i].clone();
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        Audience::Page,
        "Something went wrong on our side.",
    )
    .into_response()
}

async fn only_get_and_head(req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return next.run(req).await;
    }
    let audience = Audience::of_path(req.uri().path());
    let mut r = HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        audience,
        format!(
            "{} is not allowed: this site only answers GET and HEAD",
            req.method()
        ),
    )
    .into_response();
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

async fn not_found(req: Request) -> HttpError {
    HttpError::not_found(
        Audience::of_path(req.uri().path()),
        format!("There is no page at {}.", req.uri().path()),
    )
}

/// Query parameters, with a malformed query answered 400 (a page or JSON,
/// by path) instead of axum's plain-text rejection.
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Q<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let audience = Audience::of_path(parts.uri.path());
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Q(v)),
            Err(e) => Err(HttpError::bad_request(
                audience,
                format!("Bad query string: {}", e.body_text()),
            )),
        }
    }
}

/// One path segment, with a rejection answered 404.
pub struct P(pub String);

impl<S: Send + Sync> FromRequestParts<S> for P {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let audience = Audience::of_path(parts.uri.path());
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(P(v)),
            Err(e) => Err(HttpError::not_found(audience, e.body_text())),
        }
    }
}

/// `?boundaries=`: 2024 when absent; anything but 2010 or 2024 is a 400.
pub fn boundaries(
    value: Option<&str>,
    audience: Audience,
) -> Result<Option<BoundarySet>, HttpError> {
    match value {
        None => Ok(None),
        Some(v) => match v {
            "2010" => Ok(Some(BoundarySet::Pcon2010)),
            "2024" => Ok(Some(BoundarySet::Pcon2024)),
            other => Err(HttpError::bad_request(
                audience,
                format!("boundaries must be 2010 or 2024, not {other:?}"),
            )),
        },
    }
}

/// The request targets rendered into the cache as the server starts (in
/// the background, [`serve`]): the most-visited pages, and every seat's
/// profile page and API answer on the 2024 boundaries (the default set). A
/// profile costs a few milliseconds to render, but a burst of first visits
/// to many seats at once (a mailing, a crawler, a load test) would
/// otherwise all miss the cache together. The 2010 set is rendered on
/// first request.
pub fn hot_targets(app: &App) -> Vec<String> {
    let mut targets: Vec<String> = ["/", "/findings", "/gaps", "/indicators", "/sources"]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    let set = BoundarySet::Pcon2024;
    for seat in &app.atlas.set(set).seats {
        targets.push(format!(
            "/constituency/{}?boundaries={}",
            seat.code,
            set.id()
        ));
        targets.push(format!(
            "/api/v1/constituencies/{}?boundaries={}",
            seat.code,
            set.id()
        ));
    }
    targets
}

/// Renders `targets` through the router (and so into its cache) on every
/// worker thread; returns how many were answered 200.
pub async fn prime(app: Shared, targets: Vec<String>) -> usize {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    prime_with(app, targets, workers).await
}

/// [`prime`] on `workers` tasks at once.
pub async fn prime_with(app: Shared, targets: Vec<String>, workers: usize) -> usize {
    let targets = Arc::new(targets);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (app, targets, next) = (app.clone(), targets.clone(), next.clone());
        tasks.spawn(async move {
            use tower::ServiceExt;
            let service = router(app);
            let mut ok = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(target) = targets.get(i) else {
                    break ok;
                };
                // Asking for brotli keeps the brotli body beside the gzip
                // one (browsers ask for brotli; made on a client's request,
                // each would stall it and the requests queued behind it),
                // and never inflates a copy for a client that takes no
                // coding.
                let Ok(req) = Request::get(target.as_str())
                    .header(axum::http::header::ACCEPT_ENCODING, "br")
                    .body(axum::body::Body::empty())
                else {
                    continue;
                };
                let Ok(res) = service.clone().oneshot(req).await;
                ok += usize::from(res.status() == StatusCode::OK);
                // The cache keeps the body as the response is built.
                let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await;
                // Let requests from clients go first.
                tokio::task::yield_now().await;
            }
        });
    }
    let mut ok = 0;
    while let Some(done) = tasks.join_next().await {
        ok += done.unwrap_or(0);
    }
    ok
}

/// Binds `addr`, tells `ready` the bound address, and serves until Ctrl-C;
/// meanwhile [`hot_targets`] are rendered into the cache in the background
/// on all but one core (one on a single core), so the server answers
/// within a second of starting and a burst of first visits still mostly
/// finds its pages kept. When the cache is primed it says so in the log
/// (`cache primed`, at info level, with the count, bytes kept and seconds).
pub async fn serve(
    app: Shared,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let started = std::time::Instant::now();
    let targets = hot_targets(&app);
    let count = targets.len();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1));
    let priming = app.clone();
    tokio::spawn(async move {
        let ok = prime_with(priming.clone(), targets, workers).await;
        tracing::info!(
            targets = count,
            ok,
            cached_bytes = priming.cache.bytes(),
            seconds = started.elapsed().as_secs_f64(),
            "cache primed"
        );
    });
    ready(listener.local_addr()?);
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
