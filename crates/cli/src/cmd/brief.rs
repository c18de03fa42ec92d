//! `stemgap brief`: one-page (A4) HTML briefs for a seat, or for every seat
//! of a boundary set with `--all`; an `--out` ending in `.pdf` is printed
//! with headless Chromium.

use super::{NotFound, UsageProblem};
use crate::cli::{Boundaries, DbArg};
use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stemgap_core::BoundarySet;
use stemgap_store::Store;
use stemgap_web::Atlas;

#[derive(Args, Debug)]
pub struct BriefArgs {
    /// The seat: its GSS code (e.g. E14001172), its name (e.g. "Leeds
    /// Central and Headingley", found as the atlas's search finds it) or a
    /// postcode (its July 2024 seat).
    #[arg(
        required_unless_present = "all",
        conflicts_with = "all",
        value_name = "SEAT"
    )]
    pub code: Option<String>,
    /// A brief for every seat of the boundary set, written to DIR/CODE.html.
    #[arg(long)]
    pub all: bool,
    /// Which constituency boundaries [default: the set the code is a seat
    /// of, 2024 for a code of both sets and for --all].
    #[arg(long)]
    pub boundaries: Option<Boundaries>,
    /// The brief's file (a directory with --all). A file ending in .pdf is
    /// printed to PDF with headless Chromium.
    #[arg(long, value_name = "FILE-or-DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run(args: BriefArgs) -> anyhow::Result<ExitCode> {
    let db = args.db.path();
    let started = std::time::Instant::now();
    let store = Store::open(&db)?;
    let atlas = Atlas::load(&store)
        .with_context(|| format!("cannot load the atlas from {}", db.display()))?;
    match &args.code {
        Some(code) => one(&args, &store, atlas, code),
        None => all(&args, &store, &atlas, started),
    }
}

fn one(args: &BriefArgs, store: &Store, atlas: Atlas, text: &str) -> anyhow::Result<ExitCode> {
    // The seat as the atlas's search finds it: a code, a name or a postcode.
    let app = stemgap_web::App::new(atlas);
    let want: Option<BoundarySet> = args.boundaries.map(Into::into);
    let (set, i) = stemgap_web::search::one(&app, text, want, stemgap_web::Audience::Page)
        .map_err(|e| {
            if e.status.as_u16() == 404 {
                anyhow::Error::from(NotFound(e.message))
            } else {
                anyhow::Error::from(UsageProblem(e.message))
            }
        })?;
    let atlas = &app.atlas;
    let code = atlas.set(set).seats[i].code.to_string();
    let institutions = store.institutions(set, &code)?;
    let html = stemgap_web::brief::brief(atlas, set, &code, &institutions)?;
    let is_pdf = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        let html_path = args.out.with_extension("html");
        write(&html_path, &html)?;
        super::pdf::print(&html_path, &args.out)?;
        println!(
            "wrote {} and {} ({}, {} boundaries)",
            html_path.display(),
            args.out.display(),
            code,
            set.id()
        );
    } else {
        write(&args.out, &html)?;
        println!(
            "wrote {} ({}, {} boundaries)",
            args.out.display(),
            code,
            set.id()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn all(
    args: &BriefArgs,
    store: &Store,
    atlas: &Atlas,
    started: std::time::Instant,
) -> anyhow::Result<ExitCode> {
    let set: BoundarySet = args.boundaries.map_or(BoundarySet::Pcon2024, Into::into);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let seats = &atlas.set(set).seats;
    // The store is read on this thread; rendering and writing on two.
    let mut jobs = Vec::with_capacity(seats.len());
    for seat in seats {
        let code = seat.code.to_string();
        let inst = store.institutions(set, &code)?;
        jobs.push((code, inst));
    }
    let half = jobs.len().div_ceil(2);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let handles: Vec<_> = jobs
            .chunks(half.max(1))
            .map(|chunk| {
                scope.spawn(move || -> anyhow::Result<()> {
                    for (code, inst) in chunk {
                        let html = stemgap_web::brief::brief(atlas, set, code, inst)?;
                        write(&args.out.join(format!("{code}.html")), &html)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| anyhow::anyhow!("a brief-writing thread panicked"))??;
        }
        Ok(())
    })?;
    println!(
        "wrote {} briefs ({} boundaries) to {} in {:.2} s",
        seats.len(),
        set.id(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
