use crate::cli::StoreArgs;
use std::io::Write;
use std::process::ExitCode;
use stemgap_store::Store;

/// Prints the indicator catalogue.
pub fn run(args: StoreArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let store = Store::open(&args.db.path())?;
    writeln!(
        out,
        "{:<40} {:<12} {:<10} {:<14} {:<30} title",
        "id", "unit", "method", "period", "nations"
    )?;
    for d in store.indicators()? {
        let nations: Vec<&str> = d.nations.iter().map(|n| n.id()).collect();
        writeln!(
            out,
            "{:<40} {:<12} {:<10} {:<14} {:<30} {}",
            d.id,
            d.unit,
            d.method.id(),
            d.period,
            nations.join(","),
            d.title
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
