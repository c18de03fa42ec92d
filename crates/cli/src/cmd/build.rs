use super::catalogue;
use crate::cli::BuildArgs;
use crate::progress::BuildBar;
use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;
use stemgap_sources::SourceDir;

/// Builds the store; on any error the previous store is left untouched.
pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let cat = catalogue(&args.catalogue)?;
    anyhow::ensure!(
        args.sources.is_dir(),
        "sources directory {} does not exist (fetch the sources with `stemgap fetch --to {}`)",
        args.sources.display(),
        args.sources.display()
    );
    let db = args.db.path();
    let dir = SourceDir::new(&args.sources, cat);
    let bar = BuildBar::new(dir.catalogue().entries().len() as u64);
    let contributions = match &args.contrib {
        Some(c) => stemgap_ingest::recipe::Contribution::find_all(
            c,
            &stemgap_ingest::recipe::Limits::DEFAULT,
        )?,
        None => Vec::new(),
    };
    let result = stemgap_ingest::build_with(&dir, &db, &bar, contributions);
    bar.finish();
    let summary =
        result.with_context(|| format!("build failed; {} was left as it was", db.display()))?;
    let seats: Vec<String> = summary
        .seats
        .iter()
        .map(|(s, n)| format!("{n} seats ({})", s.id()))
        .collect();
    writeln!(
        out,
        "built {}: {}, {} areas, {} indicators, {} observations from {} sources in {:.2} s",
        db.display(),
        seats.join(" + "),
        summary.areas,
        summary.indicators,
        summary.observations,
        summary.sources_read,
        summary.seconds
    )?;
    Ok(ExitCode::SUCCESS)
}
