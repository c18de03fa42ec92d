use crate::cli::{BuildArgs, DbArg, ServeArgs};
use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// Serves the web atlas and the JSON API from a store, read into memory
/// once. A missing store, or a stemgap store of another schema version, is
/// built first when `--sources` is given; otherwise the error says how to
/// build it. (A file that is not a stemgap store is never overwritten.)
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let db = args.db.path();
    let stale = match stemgap_store::Store::open(&db) {
        Err(stemgap_store::StoreError::Schema {
            found: Some(found),
            expected,
            ..
        }) => Some(format!(
            "the store at {} has schema {found}, this stemgap reads schema {expected}",
            db.display()
        )),
        _ => None,
    };
    if !db.is_file() || stale.is_some() {
        let Some(sources) = args.sources else {
            anyhow::bail!(
                "{}: build one with `stemgap build --sources DIR --db {1}`, or give `stemgap serve` the sources with `--sources DIR` to build it first",
                stale.unwrap_or_else(|| format!("no store at {}", db.display())),
                db.display()
            );
        };
        eprintln!(
            "{}: building it from {}",
            stale.unwrap_or_else(|| format!("no store at {}", db.display())),
            sources.display()
        );
        super::build::run(BuildArgs {
            sources,
            contrib: None,
            db: DbArg {
                db: Some(db.clone()),
            },
            catalogue: args.catalogue,
        })?;
    }
    crate::return_freed_memory_at_once();
    let started = std::time::Instant::now();
    let app = stemgap_web::App::open(&db)
        .with_context(|| format!("cannot load the atlas from {}", db.display()))?;
    let seats: usize = app.atlas.sets.iter().map(|s| s.seats.len()).sum();
    let summary = format!(
        "loaded {}: {} seats, {} indicators, {} findings, {} postcode ranges in {:.2} s",
        db.display(),
        seats,
        app.atlas.indicators.len(),
        app.atlas.findings.findings.len(),
        app.atlas.postcode_ranges(),
        started.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(stemgap_web::serve(Arc::new(app), args.addr, |addr| {
        let mut out = std::io::stdout().lock();
        // The address line is what scripts and tests read: flush it now.
        let _ = writeln!(out, "{summary}");
        let _ = writeln!(out, "serving on http://{addr}/ (Ctrl-C stops)");
        let _ = out.flush();
    }))?;
    Ok(ExitCode::SUCCESS)
}
