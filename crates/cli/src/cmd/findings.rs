use super::{DataProblem, NotFound};
use crate::cli::{FindingsArgs, FindingsFormat};
use std::io::Write;
use std::process::ExitCode;
use stemgap_findings::{Finding, Findings};
use stemgap_store::Store;

/// Reads the findings the build stored (never recomputes them).
pub fn load(store: &Store) -> anyhow::Result<Findings> {
    let body = store.document(stemgap_findings::DOCUMENT)?.ok_or_else(|| {
        anyhow::anyhow!(
            "{}: the store holds no findings; rebuild it with `stemgap build`",
            store.path()
        )
    })?;
    serde_json::from_str(&body).map_err(|e| {
        anyhow::anyhow!(
            "{}: the stored findings cannot be read ({e}); rebuild the store with this version of stemgap",
            store.path()
        )
    })
}

/// Prints the findings: every finding, or the one asked for with `--id`
/// (which may name a part, e.g. `F1/2010/level4_share`).
pub fn run(args: FindingsArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.db.path())?;
    let all = load(&store)?;
    if args.check {
        let again = stemgap_ingest::findings::recompute(&store)?;
        let (stored, fresh) = (serde_json::to_string(&all)?, serde_json::to_string(&again)?);
        if stored != fresh {
            return Err(DataProblem(format!(
                "{}: the stored findings differ from a recomputation from the stored figures",
                store.path()
            ))
            .into());
        }
        let parts: usize = all.findings.iter().map(|f| f.walk().len()).sum();
        println!(
            "{}: {} findings ({parts} with their parts) and {} register rows recomputed: identical",
            store.path(),
            all.findings.len(),
            all.gaps.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let chosen: Vec<&Finding> = match &args.id {
        None => all.findings.iter().collect(),
        Some(id) => {
            let found: Vec<&Finding> = all
                .findings
                .iter()
                .flat_map(|f| f.walk())
                .filter(|f| f.id.eq_ignore_ascii_case(id))
                .collect();
            if found.is_empty() {
                return Err(NotFound(format!(
                    "no finding {id:?}; the findings are {}",
                    all.findings
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
            found
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        FindingsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &chosen)?;
            writeln!(out)?;
        }
        FindingsFormat::Text => {
            ledger(&mut out, &chosen)?;
            for f in chosen {
                text(&mut out, f, 0, args.id.is_some() || args.all)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The reproduction ledger first: the 2023 report's claims and today's verdicts.
fn ledger(out: &mut impl Write, chosen: &[&Finding]) -> std::io::Result<()> {
    let rows: Vec<&Finding> = chosen
        .iter()
        .copied()
        .filter(|f| f.report.is_some())
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "Reproduction ledger: {} against today's public data",
        stemgap_findings::REPORT_CITATION
    )?;
    for f in rows {
        let l = f.report.as_ref().expect("filtered");
        let value = l
            .report_value
            .map_or_else(|| "no figure".to_owned(), |v| format!("figure {v}"));
        writeln!(
            out,
            "  {}  {}: {}",
            f.id,
            l.verdict.label().to_uppercase(),
            f.title
        )?;
        writeln!(out, "      report ({value}): {}", l.claim)?;
        writeln!(out, "      today: {}", l.rule)?;
        writeln!(out, "      comparable: {}", l.comparable)?;
    }
    writeln!(out)
}

fn text(out: &mut impl Write, f: &Finding, depth: usize, parts: bool) -> std::io::Result<()> {
    let pad = "  ".repeat(depth);
    writeln!(out, "{pad}{}  {}", f.id, f.title)?;
    writeln!(out, "{pad}  {}", f.statement)?;
    if let Some(e) = f.estimate {
        let interval = match (f.ci_low, f.ci_high) {
            (Some(lo), Some(hi)) => format!(" ({:.0}% CI {lo:.4} to {hi:.4})", f.level * 100.0),
            _ => String::new(),
        };
        let clusters = f
            .clusters
            .map_or(String::new(), |g| format!(", {g} clusters"));
        writeln!(
            out,
            "{pad}  estimate {e:.4}{interval} {}; n = {}{clusters}",
            f.unit, f.n
        )?;
        if let (Some(lo), Some(hi)) = (f.bound_low, f.bound_high) {
            writeln!(out, "{pad}  suppressed cells alone: {lo:.4} to {hi:.4}")?;
        }
    }
    if !f.inference.is_empty() {
        writeln!(out, "{pad}  inference: {}", f.inference)?;
    }
    if !f.method.is_empty() {
        writeln!(out, "{pad}  method: {}", f.method)?;
    }
    if let (Some(seed), Some(r)) = (f.seed, f.replicates) {
        writeln!(out, "{pad}  seed {seed}, {r} replicates")?;
    }
    if !f.indicators.is_empty() {
        writeln!(out, "{pad}  indicators: {}", f.indicators.join(", "))?;
    }
    for x in &f.excluded {
        writeln!(out, "{pad}  excluded: {} seats, {}", x.count, x.reason)?;
    }
    if parts {
        for p in &f.parts {
            text(out, p, depth + 1, true)?;
        }
    } else if !f.parts.is_empty() {
        writeln!(
            out,
            "{pad}  ({} parts: `stemgap findings --id {}` shows them)",
            f.parts.len(),
            f.id
        )?;
    }
    writeln!(out)
}
