use super::{catalogue, DataProblem};
use crate::cli::SourcesArgs;
use std::io::Write;
use std::process::ExitCode;
use stemgap_sources::{SourceDir, Status};

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
