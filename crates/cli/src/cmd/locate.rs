use super::{NotFound, UsageProblem};
use crate::cli::LocateArgs;
use std::io::Write;
use std::process::ExitCode;
use stemgap_core::{BoundarySet, Postcode};
use stemgap_store::Store;

/// Postcode → 2024 seat, offline, from the range lookup in the store.
/// A malformed postcode exits 2; one the lookup does not cover exits 1.
pub fn run(args: LocateArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let postcode = Postcode::parse(&args.postcode).map_err(|e| UsageProblem(e.to_string()))?;
    if postcode.is_northern_ireland() {
        return Err(NotFound(format!(
            "{postcode} is in Northern Ireland, which the postcode lookup does not cover (it is built from Ordnance Survey Code-Point Open, Great Britain only)"
        ))
        .into());
    }
    let store = Store::open(&args.db.path())?;
    let seat = store
        .postcode_range(postcode.key())?
        .flatten()
        .ok_or_else(|| {
            NotFound(format!(
                "{postcode} is not in any constituency in the postcode lookup"
            ))
        })?;
    let name = store
        .seats(BoundarySet::Pcon2024)?
        .into_iter()
        .find(|s| s.code == seat)
        .map(|s| s.name)
        .unwrap_or_default();
    writeln!(out, "{postcode}\t{seat}\t{name}\t(July 2024 boundaries)")?;
    Ok(ExitCode::SUCCESS)
}
