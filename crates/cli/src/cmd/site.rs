//! `stemgap site`: the whole web atlas as static files with relative links
//! (every page, the API's JSON, the downloads), rendered in-process by the
//! same router `stemgap serve` runs.

use crate::cli::DbArg;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct SiteArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Directory to write the site into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: SiteArgs) -> anyhow::Result<ExitCode> {
    let db = args.db.path();
    let started = std::time::Instant::now();
    let app = stemgap_web::App::open(&db)
        .with_context(|| format!("cannot load the atlas from {}", db.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let summary = runtime
        .block_on(stemgap_web::site::write_site(Arc::new(app), &args.out))
        .with_context(|| format!("cannot write the site to {}", args.out.display()))?;
    println!(
        "wrote {} files ({} pages, {} JSON documents, {} downloads, {} other; {:.1} MB) to {} in {:.2} s",
        summary.files(),
        summary.pages,
        summary.json,
        summary.downloads,
        summary.other,
        summary.bytes as f64 / 1e6,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
