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
    let observations = store.observations(Some(set), None)?;
    let mut out: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if args.long {
        let names: HashMap<&str, (&str, &str)> = seats
            .iter()
            .map(|s| {
                (
                    s.code.as_str(),
                    (s.name.as_str(), s.nation.map_or("", |n| n.name())),
                )
            })
            .collect();
        long(&mut out, args.format, &observations, &names)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    // Observations are ordered by indicator, code, period: the last one
    // seen for a pair is its latest period.
    let mut latest: HashMap<(String, String), Option<f64>> = HashMap::new();
    for o in observations {
        latest.insert((o.indicator, o.code.to_string()), o.value);
    }
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

/// The long layout: one record per observation, with its provenance.
fn long(
    out: &mut dyn Write,
    format: ExportFormat,
    observations: &[stemgap_core::Observation],
    names: &HashMap<&str, (&str, &str)>,
) -> anyhow::Result<()> {
    const HEADER: [&str; 12] = [
        "code",
        "name",
        "nation",
        "indicator",
        "period",
        "value",
        "lower",
        "upper",
        "flag",
        "method",
        "source",
        "boundaries",
    ];
    let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let record = |o: &stemgap_core::Observation| -> [String; 12] {
        let code = o.code.to_string();
        let (name, nation) = names.get(code.as_str()).copied().unwrap_or(("", ""));
        [
            code.clone(),
            name.to_owned(),
            nation.to_owned(),
            o.indicator.clone(),
            o.period.clone(),
            num(o.value),
            num(o.lower),
            num(o.upper),
            o.flag.map_or(String::new(), |f| f.id().to_owned()),
            o.method.id().to_owned(),
            o.source.clone(),
            o.boundary.map_or(String::new(), |b| b.id().to_owned()),
        ]
    };
    match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(HEADER)?;
            for o in observations {
                w.write_record(record(o))?;
            }
            w.flush()?;
        }
        ExportFormat::Json => {
            let rows: Vec<serde_json::Value> = observations
                .iter()
                .map(|o| {
                    let mut m = serde_json::Map::new();
                    for (k, v) in HEADER.iter().zip(record(o)) {
                        let value = match *k {
                            "value" | "lower" | "upper" => v
                                .parse::<f64>()
                                .ok()
                                .map_or(serde_json::Value::Null, Into::into),
                            _ if v.is_empty() => serde_json::Value::Null,
                            _ => v.into(),
                        };
                        m.insert((*k).to_owned(), value);
                    }
                    serde_json::Value::Object(m)
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
}
