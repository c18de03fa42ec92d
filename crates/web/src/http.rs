//! HTTP around the handlers: the response cache's key, compression,
//! validators and caching headers, in one middleware ([`layer`]).
//!
//! - **Key.** A route's answer depends on its path and on the query
//!   parameters it reads ([`PARAMS`]); the request is rewritten to that
//!   canonical target (other parameters dropped, the rest in name order)
//!   before the handler sees it, so the handler and the cache key can never
//!   disagree and `/?junk=1` is the cached `/`. Routes not in the table keep
//!   their query as sent.
//! - **Compression.** A text answer (HTML, JSON, CSV, CSS, SVG) is
//!   compressed once with gzip when it is made, and once with brotli when a
//!   client first accepts it; the cache keeps only the compressed bodies (a client that accepts neither gets the
//!   gzip body inflated). `Accept-Encoding` picks the body (brotli, then
//!   gzip, then plain) and every text answer says `Vary: Accept-Encoding`.
//! - **Validators.** A 200 answer has a strong `ETag`: the store's build id
//!   ([`crate::Atlas::build_id`]), a hash of the plain body and the content
//!   coding, so it changes with the data, the code and the representation;
//!   `If-None-Match` with it is answered 304 without a body.
//! - **Caching and CORS.** `Cache-Control` on every answer ([`cache_control`]);
//!   `Access-Control-Allow-Origin: *` on the API and the downloads.

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io::{Read, Write};
use std::sync::Arc;

/// Bodies smaller than this are sent as they are (compression saves
/// less than its headers cost).
pub const MIN_COMPRESS: usize = 512;
/// Bodies larger than this are not kept, nor given an ETag (the biggest
/// pages are ~0.7 MB plain; the long table of a set as CSV ~15 MB plain,
/// ~2 MB gzip-compressed, and the workbook of it ~4 MB).
pub const MAX_ENTRY: usize = 32 << 20;
/// gzip level: 6 is zlib's default (level 9 saves ~1% more, at twice the time).
const GZIP_LEVEL: u32 = 6;
/// brotli quality: 5 compresses a profile ~15% better than gzip 6, at ~5x
/// its time (measured: 23 vs 27 KB); 11 would take ~50x longer. The brotli
/// body is made on the first request that accepts it; the server primes
/// its hot pages' brotli bodies in the background as it starts
/// ([`crate::serve`]), so browsers' first visits find them made.
const BROTLI_QUALITY: i32 = 5;

/// The query parameters each route reads, by path prefix (`*` ends a
/// prefix match; otherwise the path must be equal; the first match wins).
/// The table is the contract between the handlers' query structs and the
/// cache key. `["*"]` keeps the whole query as sent: Explore reads any
/// number of conditions and refuses unknown parameters itself, with a 400
/// naming them, so nothing may be dropped before it sees them.
pub const PARAMS: &[(&str, &[&str])] = &[
    ("/", &["boundaries", "indicator"]),
    ("/search", &["boundaries", "q"]),
    ("/search/offline", &[]),
    ("/constituency/*", &["boundaries"]),
    ("/brief/*", &["boundaries"]),
    ("/indicator/*", &["boundaries", "order", "sort", "x"]),
    ("/indicators", &[]),
    ("/findings", &[]),
    ("/gaps", &[]),
    ("/sources", &[]),
    ("/vocab", &[]),
    ("/compare", &["boundaries", "codes"]),
    ("/static/*", &[]),
    ("/api/openapi.json", &[]),
    ("/api/v1/constituencies", &["boundaries"]),
    ("/api/v1/constituencies/*", &["boundaries"]),
    ("/api/v1/indicators", &[]),
    ("/api/v1/indicators/*", &["boundaries", "period"]),
    ("/api/v1/findings", &[]),
    ("/api/v1/findings/*", &[]),
    ("/api/v1/gaps", &[]),
    ("/api/v1/locate", &["postcode"]),
    ("/download/explore.csv", &["*"]),
    ("/download/*", &[]),
];

/// The parameters `path` reads, or `None` for a route not in [`PARAMS`].
fn params_of(path: &str) -> Option<&'static [&'static str]> {
    PARAMS.iter().find_map(|(route, params)| {
        let hit = match route.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix) && path.len() > prefix.len(),
            None => path == *route,
        };
        hit.then_some(*params)
    })
}

/// The canonical request target: the path and only the parameters the
/// route reads, ordered by name (each parameter's own values keep their
/// order). A route not in [`PARAMS`] keeps its query as sent.
pub fn canonical_target(uri: &Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return path.to_owned();
    };
    let Some(allowed) = params_of(path).filter(|p| *p != ["*"]) else {
        return format!("{path}?{query}");
    };
    let mut kept: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| (p.split('=').next().unwrap_or(p), p))
        .filter(|(name, _)| allowed.contains(name))
        .collect();
    kept.sort_by_key(|(name, _)| *name);
    if kept.is_empty() {
        return path.to_owned();
    }
    let query: Vec<&str> = kept.into_iter().map(|(_, pair)| pair).collect();
    format!("{path}?{}", query.join("&"))
}

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    fn token(self) -> Option<&'static str> {
        match self {
            Coding::Brotli => Some("br"),
            Coding::Gzip => Some("gzip"),
            Coding::Identity => None,
        }
    }
}

/// The coding to send for an `Accept-Encoding` header: brotli, else gzip,
/// else none. `q=0` refuses a coding; `*` stands for any not named.
pub fn negotiate(accept: Option<&str>) -> Coding {
    let Some(accept) = accept else {
        return Coding::Identity;
    };
    let mut br = None;
    let mut gzip = None;
    let mut star = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let accepted = q > 0.0;
        match name.as_str() {
            "br" => br = Some(accepted),
            "gzip" | "x-gzip" => gzip = Some(accepted),
            "*" => star = Some(accepted),
            _ => {}
        }
    }
    if br.or(star).unwrap_or(false) {
        Coding::Brotli
    } else if gzip.or(star).unwrap_or(false) {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// Whether a content type is text worth compressing.
fn compressible(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("text/") || t.contains("json") || t.contains("xml") || t.contains("svg")
        })
}

pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::new(GZIP_LEVEL),
    );
    // Writing to a Vec cannot fail.
    let _ = e.write_all(body);
    let mut out = e.finish().unwrap_or_default();
    // The cache keeps this allocation for the life of the server: give
    // back the unused quarter-of-the-plain-body reserve (a profile's gzip
    // body is ~15% of its plain size).
    out.shrink_to_fit();
    out
}

pub fn gunzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() * 6);
    flate2::read::GzDecoder::new(body).read_to_end(&mut out)?;
    Ok(out)
}

pub fn brotli(body: &[u8]) -> Vec<u8> {
    // A window no larger than the body (and the size said up front): the
    // encoder's buffers are sized by them, and a 4 MiB window for a 300 KB
    // page only costs memory the allocator then keeps.
    let bits = (usize::BITS - body.len().max(1).leading_zeros()) as i32;
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: bits.clamp(16, 22),
        size_hint: body.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(body.len() / 5);
    // Reading a slice and writing a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &body[..], &mut out, &params);
    out.shrink_to_fit();
    out
}

/// 64-bit FNV-1a: stable across builds and platforms (std's hasher is not),
/// so an ETag survives a restart of the same server on the same store.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The body of an answer as it is kept.
enum Stored {
    /// Not text, or too small to compress.
    Plain(Bytes),
    /// Compressed once (brotli on first demand); the plain body is the gzip
    /// one inflated.
    Packed {
        gzip: Bytes,
        br: std::sync::OnceLock<Bytes>,
    },
}

/// One answer: headers (without `Content-Length`), the body as kept and,
/// for a 200, the validator's base (`build-bodyhash`).
pub struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Stored,
    etag: Option<String>,
}

impl Entry {
    /// Packs a plain answer: compresses text, hashes a 200's body.
    fn new(status: StatusCode, mut headers: HeaderMap, body: Bytes, build_id: &str) -> Entry {
        headers.remove(header::CONTENT_LENGTH);
        let etag = (status == StatusCode::OK)
            .then(|| format!("{build_id}-{:016x}", fnv1a(&[body.as_ref()])));
        let body = if body.len() >= MIN_COMPRESS && compressible(&headers) {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            Stored::Packed {
                gzip: gzip(&body).into(),
                br: std::sync::OnceLock::new(),
            }
        } else {
            Stored::Plain(body)
        };
        Entry {
            status,
            headers,
            body,
            etag,
        }
    }

    /// Bytes of body held.
    pub fn size(&self) -> usize {
        match &self.body {
            Stored::Plain(b) => b.len(),
            Stored::Packed { gzip, br } => gzip.len() + br.get().map_or(0, Bytes::len),
        }
    }

    /// The answer for a request with these headers and method; `grew` is
    /// told the size of a brotli body made for it.
    fn respond(&self, req: &HeaderMap, head: bool, grew: impl FnOnce(usize)) -> Response {
        let coding = match self.body {
            Stored::Plain(_) => Coding::Identity,
            Stored::Packed { .. } => negotiate(
                req.get(header::ACCEPT_ENCODING)
                    .and_then(|v| v.to_str().ok()),
            ),
        };
        let mut headers = self.headers.clone();
        if let Some(coding) = coding.token() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        let etag = self.etag.as_ref().and_then(|base| {
            let tag = match coding.token() {
                Some(c) => format!("\"{base}-{c}\""),
                None => format!("\"{base}\""),
            };
            HeaderValue::from_str(&tag).ok()
        });
        if let Some(tag) = &etag {
            headers.insert(header::ETAG, tag.clone());
            if let Some(inm) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
                if matches(inm, tag.to_str().unwrap_or("")) {
                    headers.remove(header::CONTENT_TYPE);
                    headers.remove(header::CONTENT_ENCODING);
                    let mut r = Response::new(Body::empty());
                    *r.status_mut() = StatusCode::NOT_MODIFIED;
                    *r.headers_mut() = headers;
                    return r;
                }
            }
        }
        let body = match (&self.body, coding) {
            (Stored::Plain(b), _) => b.clone(),
            (Stored::Packed { br, gzip }, Coding::Brotli) => {
                let mut made = 0;
                let body = br.get_or_init(|| match gunzip(gzip) {
                    Ok(plain) => {
                        let packed = Bytes::from(brotli(&plain));
                        made = packed.len();
                        packed
                    }
                    Err(_) => Bytes::new(),
                });
                grew(made);
                if body.is_empty() {
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "cannot inflate a kept answer",
                    )
                        .into_response();
                }
                body.clone()
            }
            (Stored::Packed { gzip, .. }, Coding::Gzip) => gzip.clone(),
            (Stored::Packed { gzip, .. }, Coding::Identity) => match gunzip(gzip) {
                Ok(plain) => plain.into(),
                Err(e) => {
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!("cannot inflate a kept answer: {e}"),
                    )
                        .into_response()
                }
            },
        };
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let mut r = Response::new(if head {
            Body::empty()
        } else {
            Body::from(body)
        });
        *r.status_mut() = self.status;
        *r.headers_mut() = headers;
        r
    }
}

/// Whether an `If-None-Match` value matches `tag` (weak comparison, as
/// RFC 9110 asks for this header).
fn matches(if_none_match: &str, tag: &str) -> bool {
    let bare = tag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == bare)
}

/// `Cache-Control` for a 200 at `path`: pages and API answers may be reused
/// for 5 minutes, downloads and the stylesheet for an hour, and are then
/// revalidated with their ETag (cheap: a 304). Errors are not reused.
pub fn cache_control(path: &str, status: StatusCode) -> &'static str {
    if !status.is_success() && status != StatusCode::NOT_MODIFIED {
        "no-cache"
    } else if path.starts_with("/download/") || path.starts_with("/static/") {
        "public, max-age=3600"
    } else {
        "public, max-age=300"
    }
}

/// Whether `path` is answered to other origins' scripts.
fn cors(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/download/")
}

/// Middleware: canonical target, cache, compression, validators, caching
/// and CORS headers.
pub async fn layer(State(app): State<crate::Shared>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let key = canonical_target(req.uri());
    if let Ok(uri) = key.parse::<Uri>() {
        *req.uri_mut() = uri;
    }
    let mut res = answer(&app, req, key, next).await;
    let control = HeaderValue::from_static(cache_control(&path, res.status()));
    res.headers_mut().insert(header::CACHE_CONTROL, control);
    if cors(&path) {
        res.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    res
}

async fn answer(app: &crate::App, req: Request, key: String, next: Next) -> Response {
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return next.run(req).await;
    }
    let head = method == Method::HEAD;
    let req_headers = req.headers().clone();
    if let Some(hit) = app.cache.get(&key) {
        return hit.respond(&req_headers, head, |n| app.cache.grew(n));
    }
    // HEAD is answered like GET (the body is dropped at the end), so a HEAD
    // fills the cache too.
    let mut req = req;
    *req.method_mut() = Method::GET;
    let res = next.run(req).await;
    let known = res.body().size_hint().exact();
    if known.is_none_or(|n| n > MAX_ENTRY as u64) {
        return res;
    }
    let status = res.status();
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ENTRY).await {
        Ok(b) => b,
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("cannot read the response: {e}"),
            )
                .into_response()
        }
    };
    let entry = Arc::new(Entry::new(
        status,
        parts.headers,
        bytes,
        &app.atlas.build_id,
    ));
    let kept = status == StatusCode::OK && app.cache.put(key, entry.clone());
    let mut r = entry.respond(&req_headers, head, |n| {
        if kept {
            app.cache.grew(n);
        }
    });
    r.extensions_mut().extend(parts.extensions);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_keeps_only_what_the_route_reads() {
        let k = |t: &str| canonical_target(&t.parse::<Uri>().unwrap());
        assert_eq!(k("/?junk=1"), "/");
        assert_eq!(
            k("/?indicator=a&junk=2&boundaries=2010"),
            "/?boundaries=2010&indicator=a"
        );
        assert_eq!(
            k("/constituency/E14001172?utm_source=x"),
            "/constituency/E14001172"
        );
        assert_eq!(
            k("/indicator/x?x=imd&sort=rank&order=desc&z=1"),
            "/indicator/x?order=desc&sort=rank&x=imd"
        );
        assert_eq!(
            k("/api/v1/locate?postcode=SW1A+0AA&a"),
            "/api/v1/locate?postcode=SW1A+0AA"
        );
        // A route this table does not know keeps its query.
        assert_eq!(k("/new/route?b=1&a=2"), "/new/route?b=1&a=2");
        // Repeated values keep their order (the handler rejects them).
        assert_eq!(k("/?indicator=b&indicator=a"), "/?indicator=b&indicator=a");
    }

    #[test]
    fn accept_encoding_prefers_brotli_then_gzip() {
        assert_eq!(negotiate(None), Coding::Identity);
        assert_eq!(negotiate(Some("gzip, deflate, br, zstd")), Coding::Brotli);
        assert_eq!(negotiate(Some("gzip")), Coding::Gzip);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0.5")), Coding::Gzip);
        assert_eq!(negotiate(Some("*")), Coding::Brotli);
        assert_eq!(negotiate(Some("*, br;q=0")), Coding::Gzip);
        assert_eq!(negotiate(Some("identity")), Coding::Identity);
        assert_eq!(negotiate(Some("gzip;q=0")), Coding::Identity);
    }

    #[test]
    fn compression_round_trips() {
        let text = "<tr><td>Leeds Central and Headingley</td><td>0.41</td></tr>\n".repeat(200);
        let gz = gzip(text.as_bytes());
        assert!(gz.len() < text.len() / 10);
        assert_eq!(gunzip(&gz).unwrap(), text.as_bytes());
        let br = brotli(text.as_bytes());
        assert!(br.len() < text.len() / 10);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
    }

    #[test]
    fn if_none_match_compares_weakly() {
        assert!(matches("\"a-1-br\"", "\"a-1-br\""));
        assert!(matches("W/\"a-1-br\", \"x\"", "\"a-1-br\""));
        assert!(matches("*", "\"a-1\""));
        assert!(!matches("\"a-1\"", "\"a-1-br\""));
    }

    #[test]
    fn fnv_separates_parts() {
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
        assert_eq!(fnv1a(&[b""]), fnv1a(&[b""]));
    }
}
