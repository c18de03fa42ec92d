//! `stemgap report`: the printable report as one self-contained HTML file
//! (`DIR/report.html`), and with `--pdf` also `DIR/report.pdf` printed by
//! headless Chromium, its contents' page numbers read back from a first
//! printing and its dates set to the store's build time (the same store
//! gives the same bytes).

use crate::cli::DbArg;
use anyhow::Context;
use clap::Args;
use std::collections::BTreeMap;
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
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let path = args.out.join("report.html");
    let write = |html: &str| {
        std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))
    };
    if !args.pdf {
        write(&stemgap_web::report::report(&atlas)?)?;
        println!("wrote {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    // The contents' page numbers: print with placeholders of a number's
    // width, read each heading's page back from the PDF's link targets,
    // print again with the numbers, until a printing agrees with the
    // numbers it shows.
    let pdf = args.out.join("report.pdf");
    let anchors = stemgap_web::report::toc_anchors(&atlas);
    let mut pages: BTreeMap<String, usize> = BTreeMap::new();
    let mut settled = false;
    for _ in 0..4 {
        write(&stemgap_web::report::report_paged(&atlas, Some(&pages))?)?;
        super::pdf::print(&path, &pdf)?;
        let bytes =
            std::fs::read(&pdf).with_context(|| format!("cannot read {}", pdf.display()))?;
        let found = super::pdf::named_destinations(&bytes)
            .with_context(|| format!("cannot read the page numbers back from {}", pdf.display()))?;
        let now: BTreeMap<String, usize> = anchors
            .iter()
            .filter_map(|a| found.get(a).map(|p| (a.clone(), *p)))
            .collect();
        if let Some(a) = anchors.iter().find(|a| !now.contains_key(*a)) {
            anyhow::bail!("{} has no page for the contents entry #{a}", pdf.display());
        }
        if now == pages {
            settled = true;
            break;
        }
        pages = now;
    }
    anyhow::ensure!(
        settled,
        "the contents' page numbers of {} did not settle after four printings",
        pdf.display()
    );
    let mut bytes =
        std::fs::read(&pdf).with_context(|| format!("cannot read {}", pdf.display()))?;
    super::pdf::set_dates(&mut bytes, &atlas.built_at);
    std::fs::write(&pdf, bytes).with_context(|| format!("cannot write {}", pdf.display()))?;
    println!("wrote {}", path.display());
    println!("wrote {}", pdf.display());
    Ok(ExitCode::SUCCESS)
}
