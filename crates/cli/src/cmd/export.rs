use crate::cli::{ExportArgs, ExportFormat};
use anyhow::Context;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use stemgap_core::BoundarySet;
use stemgap_store::Store;

/// One row per seat of the chosen set: `code,name,nation,region`, then one
/// column per indicator in catalogue order holding its latest published
/// period's value (empty when missing or not available for the set).
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.db.path())?;
    let set: BoundarySet = args.boundaries.into();
    let seats = store.seats(set)?;
    let indicators = store.indicators()?;
    let regions: HashMap<String, String> = store
        .areas("region")?
        .into_iter()
        .map(|a| (a.code, a.name))
        .collect();
    // Observations are ordered by indicator, code, period: the last one
    // seen for a pair is its latest period.
    let mut latest: HashMap<(String, String), Option<f64>> = HashMap::new();
    for o in store.observations(Some(set), None)? {
        latest.insert((o.indicator, o.code.to_string()), o.value);
    }
    let mut out: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let value = |ind: &str, code: &str| {
        latest
            .get(&(ind.to_owned(), code.to_owned()))
            .copied()
            .flatten()
    };
    match args.format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut header = vec![
                "code".to_owned(),
                "name".into(),
                "nation".into(),
                "region".into(),
            ];
            header.extend(indicators.iter().map(|d| d.id.clone()));
            w.write_record(&header)?;
            for s in &seats {
                let mut rec = vec![
                    s.code.clone(),
                    s.name.clone(),
                    s.nation.map_or("", |n| n.name()).to_owned(),
                    s.region
                        .as_ref()
                        .and_then(|r| regions.get(r))
                        .cloned()
                        .unwrap_or_default(),
                ];
                rec.extend(
                    indicators
                        .iter()
                        .map(|d| value(&d.id, &s.code).map_or(String::new(), |v| v.to_string())),
                );
                w.write_record(&rec)?;
            }
            w.flush()?;
        }
        ExportFormat::Json => {
            let rows: Vec<serde_json::Value> = seats
                .iter()
                .map(|s| {
                    let mut m = serde_json::Map::new();
                    m.insert("code".into(), s.code.clone().into());
                    m.insert("name".into(), s.name.clone().into());
                    m.insert("nation".into(), s.nation.map(|n| n.name()).into());
                    m.insert(
                        "region".into(),
                        s.region
                            .as_ref()
                            .and_then(|r| regions.get(r))
                            .cloned()
                            .into(),
                    );
                    for d in &indicators {
                        m.insert(d.id.clone(), value(&d.id, &s.code).into());
                    }
                    serde_json::Value::Object(m)
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
