//! Every answer is a pure function of the request line and the immutable
//! atlas, so a successful GET response can be kept and served again as it
//! is. Bodies are `Bytes`: a hit is a reference-count increment, not a copy.
//! The cache stops taking new entries at a byte budget (no eviction), so its
//! memory is bounded whatever URLs clients invent.

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::RwLock;

/// Bodies larger than this are not kept (the biggest pages are ~0.4 MB).
pub const MAX_ENTRY: usize = 4 << 20;

struct Entry {
    headers: HeaderMap,
    body: Bytes,
}

/// Successful GET responses by request target (path and query).
pub struct ResponseCache {
    entries: RwLock<HashMap<String, Entry>>,
    bytes: AtomicUsize,
    budget: usize,
}

impl ResponseCache {
    pub fn new(budget: usize) -> Self {
        ResponseCache {
            entries: RwLock::new(HashMap::new()),
            bytes: AtomicUsize::new(0),
            budget,
        }
    }

    /// Bytes of bodies held.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.read().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, key: &str) -> Option<Response> {
        let entries = self.entries.read().ok()?;
        let e = entries.get(key)?;
        let mut r = Response::new(Body::from(e.body.clone()));
        *r.headers_mut() = e.headers.clone();
        Some(r)
    }

    fn put(&self, key: String, headers: HeaderMap, body: Bytes) {
        let size = body.len() + key.len();
        if body.len() > MAX_ENTRY || self.bytes() + size > self.budget {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if let std::collections::hash_map::Entry::Vacant(slot) = entries.entry(key) {
                self.bytes.fetch_add(size, Ordering::Relaxed);
                slot.insert(Entry { headers, body });
            }
        }
    }
}

/// Middleware: answer a GET from the cache, or run the handler and keep a
/// 200 answer.
pub async fn layer(State(app): State<crate::Shared>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    if let Some(hit) = app.cache.get(&key) {
        return hit;
    }
    let res = next.run(req).await;
    let small = res
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_ENTRY as u64);
    if res.status() != StatusCode::OK || !small {
        return res;
    }
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, MAX_ENTRY).await {
        Ok(bytes) => {
            app.cache.put(key, parts.headers.clone(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot read the response: {e}"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_bounds_what_is_kept() {
        let c = ResponseCache::new(100);
        c.put("/a".into(), HeaderMap::new(), Bytes::from(vec![0u8; 60]));
        assert_eq!((c.len(), c.bytes()), (1, 62));
        c.put("/b".into(), HeaderMap::new(), Bytes::from(vec![0u8; 60]));
        assert_eq!(c.len(), 1, "over budget: not kept");
        c.put("/a".into(), HeaderMap::new(), Bytes::from(vec![0u8; 10]));
        assert_eq!(c.bytes(), 62, "a key is kept once");
        assert!(c.get("/a").is_some() && c.get("/b").is_none());
    }
}
