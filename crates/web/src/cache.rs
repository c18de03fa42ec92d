//! Every answer is a pure function of the canonical request target (see
//! [`crate::http::canonical_target`]) and the immutable atlas, so a
//! successful GET answer can be kept and served again. Entries hold the
//! compressed bodies as `Bytes` behind an `Arc`: a hit is reference-count
//! increments, not a copy. The cache stops taking new entries at a byte
//! budget (no eviction), so its memory is bounded whatever URLs clients
//! invent.

use crate::http::Entry;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// Successful GET answers by canonical request target.
pub struct ResponseCache {
    entries: RwLock<HashMap<String, Arc<Entry>>>,
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

    /// Bytes of bodies (compressed, as kept) and keys held.
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

    pub(crate) fn get(&self, key: &str) -> Option<Arc<Entry>> {
        self.entries.read().ok()?.get(key).cloned()
    }

    /// An entry kept grew by `n` bytes (its brotli body was made).
    pub(crate) fn grew(&self, n: usize) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Keeps `entry` under `key` unless the budget is spent or the key is
    /// kept already; says whether this entry is now the one kept.
    pub(crate) fn put(&self, key: String, entry: Arc<Entry>) -> bool {
        let size = entry.size() + key.len();
        if self.bytes() + size > self.budget {
            return false;
        }
        if let Ok(mut entries) = self.entries.write() {
            if let std::collections::hash_map::Entry::Vacant(slot) = entries.entry(key) {
                self.bytes.fetch_add(size, Ordering::Relaxed);
                slot.insert(entry);
                return true;
            }
        }
        false
    }
}
