use crate::cli::{GapsArgs, GapsFormat};
use std::io::Write;
use std::process::ExitCode;
use stemgap_store::Store;

/// Prints the data-gap register (F6) the build stored.
pub fn run(args: GapsArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.db.path())?;
    let rows = super::findings::load(&store)?.gaps;
    let mut out = std::io::stdout().lock();
    match args.format {
        GapsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        GapsFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "indicator",
                "title",
                "nation",
                "status_2010",
                "seats_2010",
                "of_2010",
                "status_2024",
                "seats_2024",
                "of_2024",
                "period",
                "comparability",
                "reason",
            ])?;
            for r in &rows {
                w.write_record([
                    r.indicator.as_str(),
                    &r.title,
                    &r.nation,
                    &r.status_2010,
                    &r.seats_2010.to_string(),
                    &r.of_2010.to_string(),
                    &r.status_2024,
                    &r.seats_2024.to_string(),
                    &r.of_2024.to_string(),
                    &r.period,
                    r.comparability.id(),
                    &r.reason,
                ])?;
            }
            w.flush()?;
        }
        GapsFormat::Text => {
            let mut last = "";
            for r in &rows {
                if r.indicator != last {
                    writeln!(out, "{}  {}", r.indicator, r.title)?;
                    last = &r.indicator;
                }
                let cover = |status: &str, n: usize, of: usize| {
                    if status == "missing" {
                        "missing".to_owned()
                    } else {
                        format!("{status} {n}/{of}")
                    }
                };
                writeln!(
                    out,
                    "  {:<17} 2010: {:<22} 2024: {:<22} {:<15} {}",
                    r.nation,
                    cover(&r.status_2010, r.seats_2010, r.of_2010),
                    cover(&r.status_2024, r.seats_2024, r.of_2024),
                    r.comparability.id(),
                    r.reason
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
