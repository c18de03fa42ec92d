//! The observatory fixture's atlas, shared by the router, view, download
//! and HTTP tests: its store is built once per test binary into a temporary
//! directory and the app loaded from it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use stemgap_web::{App, Shared};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The observatory's store, built once, and the app loaded from it.
fn shared() -> &'static (tempfile::TempDir, Shared) {
    static APP: OnceLock<(tempfile::TempDir, Shared)> = OnceLock::new();
    APP.get_or_init(|| {
        let root = repo().join("tests/observatory");
        let cat_path = root.join("catalogue.toml");
        let text = std::fs::read_to_string(&cat_path).unwrap();
        let cat =
            stemgap_sources::Catalogue::parse(&text, &cat_path.display().to_string()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("observatory.db");
        stemgap_ingest::build(&stemgap_sources::SourceDir::new(&root, cat), &db, &())
            .expect("the observatory builds");
        let app = App::open(&db).expect("the atlas loads");
        (dir, Arc::new(app))
    })
}

/// The observatory's app (its cache shared by the tests that use it).
#[allow(dead_code)]
pub fn app() -> Shared {
    shared().1.clone()
}

/// The observatory's atlas, for tests that build apps of their own (each
/// with an empty cache).
#[allow(dead_code)]
pub fn atlas() -> &'static stemgap_web::Atlas {
    &shared().1.atlas
}
