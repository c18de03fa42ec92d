//! `stemgap report`: the printable report as one self-contained HTML file
//! (`DIR/report.html`), and with `--pdf` also `DIR/report.pdf` printed by
//! headless Chromium.

use crate::cli::DbArg;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use stemgap_store::Store;
use stemgap_web::Atlas;

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Directory to write report.html (and report.pdf) into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print report.pdf too, with headless Chromium.
    #[arg(long)]
    pub pdf: bool,
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let db = args.db.path();
    let store = Store::open(&db)?;
    let atlas = Atlas::load(&store)
        .with_context(|| format!("cannot load the atlas from {}", db.display()))?;
    let html = stemgap_web::report::report(&atlas)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let path = args.out.join("report.html");
    std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))?;
    println!("wrote {}", path.display());
    if args.pdf {
        let pdf = args.out.join("report.pdf");
        super::pdf::print(&path, &pdf)?;
        println!("wrote {}", pdf.display());
    }
    Ok(ExitCode::SUCCESS)
}
