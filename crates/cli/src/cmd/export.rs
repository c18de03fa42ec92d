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
///
/// CSV, Parquet, XLSX and GeoJSON are written by the web atlas's download
/// writers (`stemgap_web::download::files`), so they are the same bytes as
/// `/download/SET.EXT` (values rounded to the figures their sources
/// support); JSON is written here from the store.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    if args.format != ExportFormat::Json {
        return through_atlas(&args);
    }
    let store = Store::open(&args.db.path())?;
    let set: BoundarySet = args.boundaries.into();
    let seats = store.seats(set)?;
    let indicators = store.indicators()?;
    let regions: HashMap<String, String> = store
        .areas(stemgap_core::AreaKind::Region)?
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
        long(&mut out, &observations, &names)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    // Observations are ordered by indicator, code, period: the last one
    // seen for a pair is its latest period.
    let mut latest: HashMap<(String, String), Option<f64>> = HashMap::new();
    for o in observations {
        latest.insert((o.indicator.to_string(), o.code.to_string()), o.value);
    }
    let value = |ind: &str, code: &str| {
        latest
            .get(&(ind.to_owned(), code.to_owned()))
            .copied()
            .flatten()
    };
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
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A download file written by the web atlas's writers.
fn through_atlas(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    use stemgap_web::download::{files::Format, table::Shape};
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Parquet => Format::Parquet,
        ExportFormat::Xlsx => Format::Xlsx,
        ExportFormat::Geojson => Format::GeoJson,
        ExportFormat::Json => unreachable!("JSON is written from the store"),
    };
    let shape = if args.long { Shape::Long } else { Shape::Wide };
    if !format.offered(shape) {
        return Err(crate::cmd::UsageProblem(
            "--format geojson is one feature per seat: it has no --long layout".into(),
        )
        .into());
    }
    let db = args.db.path();
    let app = stemgap_web::App::open(&db)
        .with_context(|| format!("cannot load the atlas from {}", db.display()))?;
    let body = stemgap_web::download::files::bytes(&app, args.boundaries.into(), shape, format)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    match &args.out {
        Some(p) => {
            std::fs::write(p, &body).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&body)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The long layout as JSON: one record per observation, with its provenance.
fn long(
    out: &mut dyn Write,
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
            o.indicator.to_string(),
            o.period.to_string(),
            num(o.value),
            num(o.lower),
            num(o.upper),
            o.flag.map_or(String::new(), |f| f.id().to_owned()),
            o.method.id().to_owned(),
            o.source.to_string(),
            o.boundary.map_or(String::new(), |b| b.id().to_owned()),
        ]
    };
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
    Ok(())
}
