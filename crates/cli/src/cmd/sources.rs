use super::{catalogue, DataProblem};
use crate::cli::SourcesArgs;
use std::io::Write;
use std::process::ExitCode;
use stemgap_sources::{optional_status, OptionalStatus, SourceDir, Status, LOCK_FILE};

/// Lists every source with its status; fails (exit 3) unless all are present.
pub fn run(args: SourcesArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let dir = SourceDir::new(&args.sources, catalogue(&args.catalogue)?);
    let mut counts = [0usize; 3];
    writeln!(out, "{:<12} {:<48} {:<10} path", "status", "id", "format")?;
    for e in dir.catalogue().entries() {
        let status = dir.status(e);
        let detail = match &status {
            Status::Present => {
                counts[0] += 1;
                String::new()
            }
            Status::Missing => {
                counts[1] += 1;
                String::new()
            }
            Status::ChecksumMismatch { found } => {
                counts[2] += 1;
                format!("  (sha256 {found}, catalogue pins {})", e.sha256)
            }
            Status::Unreadable(why) => {
                counts[1] += 1;
                format!("  ({why})")
            }
        };
        writeln!(
            out,
            "{:<12} {:<48} {:<10} {}{detail}",
            status.label(),
            e.id,
            e.format,
            e.path
        )?;
    }
    let [present, missing, mismatched] = counts;
    writeln!(out, "{present} present, {missing} missing, {mismatched} checksum mismatch ({} catalogued, from {})", dir.catalogue().entries().len(), dir.catalogue().origin)?;
    // Optional, unpinned sources: said, never required.
    for e in dir.catalogue().optional() {
        let lock = args.sources.join(LOCK_FILE);
        let status = match optional_status(&args.sources, e) {
            OptionalStatus::Absent => {
                "not fetched (`stemgap fetch` gets it and records its SHA-256)".to_owned()
            }
            OptionalStatus::Recorded { sha256 } => format!(
                "present, SHA-256 {sha256} as recorded in {}",
                lock.display()
            ),
            OptionalStatus::Unrecorded { sha256 } => format!(
                "present, SHA-256 {sha256}, not recorded in {} (`stemgap fetch` records it)",
                lock.display()
            ),
            OptionalStatus::Changed { sha256, recorded } => format!(
                "present, but SHA-256 {sha256}, not the {recorded} recorded in {}",
                lock.display()
            ),
            OptionalStatus::BadLock(why) => format!("lock unreadable: {why}"),
        };
        writeln!(out, "optional, not pinned: {} ({}): {status}", e.id, e.path)?;
    }
    if missing + mismatched > 0 {
        return Err(DataProblem(format!(
            "{} of the catalogued sources are not usable in {}",
            missing + mismatched,
            args.sources.display()
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}
