use super::{catalogue, DataProblem};
use crate::cli::FetchArgs;
use crate::progress::FetchBar;
use std::io::Write;
use std::process::ExitCode;
use stemgap_sources::{fetch_all, FetchOutcome, Origin};

/// Fetches every catalogued file into --to, verifying each checksum.
pub fn run(args: FetchArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let cat = catalogue(&args.catalogue)?;
    let origin = args
        .from
        .as_deref()
        .map_or(Origin::Published, Origin::parse);
    let bar = FetchBar::new(cat.entries().iter().map(|e| e.bytes).sum());
    let report = fetch_all(&cat, &args.to, &origin, &bar);
    bar.finish();
    let mut counts = [0usize; 4];
    for (id, outcome) in &report.outcomes {
        match outcome {
            FetchOutcome::AlreadyPresent => counts[0] += 1,
            FetchOutcome::Fetched { .. } => counts[1] += 1,
            FetchOutcome::NoLocation => {
                counts[2] += 1;
                eprintln!("no published location: {id} (fetch it from a mirror with --from)");
            }
            FetchOutcome::Failed(why) => {
                counts[3] += 1;
                eprintln!("failed: {id}: {why}");
            }
            FetchOutcome::Recorded { .. } => unreachable!("only optional sources are recorded"),
        }
    }
    // Optional, unpinned sources: their checksum is recorded, not checked
    // against the catalogue; a failure is said but is not fatal.
    for (id, outcome) in &report.optional {
        match outcome {
            FetchOutcome::Recorded { sha256, bytes } => writeln!(
                out,
                "optional {id}: SHA-256 {sha256} ({bytes} bytes) recorded in {}: not pinned by the catalogue; a later fetch refuses a different file",
                report.lock.display()
            )?,
            FetchOutcome::AlreadyPresent => writeln!(
                out,
                "optional {id}: already present, matching {}",
                report.lock.display()
            )?,
            FetchOutcome::Failed(why) => eprintln!("optional {id} not fetched: {why}"),
            FetchOutcome::Fetched { .. } | FetchOutcome::NoLocation => {
                unreachable!("optional sources are recorded or fail")
            }
        }
    }
    let [present, fetched, no_location, failed] = counts;
    writeln!(out, "{fetched} fetched, {present} already present, {no_location} without a published location, {failed} failed, into {}", args.to.display())?;
    if !report.all_ok() {
        return Err(DataProblem(format!(
            "{} sources could not be fetched",
            no_location + failed
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}
