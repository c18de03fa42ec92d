use super::NotFound;
use crate::cli::NeighboursArgs;
use std::io::Write;
use std::process::ExitCode;
use stemgap_core::BoundarySet;
use stemgap_geography::Relation;
use stemgap_store::Store;

/// Lists a seat's neighbours with the length of each shared border, or, for
/// a seat with no land border, its nearest seat, said so.
pub fn run(args: NeighboursArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let set: BoundarySet = args.boundaries.into();
    let store = Store::open(&args.db.path())?;
    let seats = store.seats(set)?;
    let name = |code: &str| {
        seats
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.name.clone())
    };
    let code = args.code.trim().to_uppercase();
    let Some(own) = name(&code) else {
        return Err(NotFound(format!(
            "{code} is not a seat of the {} boundaries",
            set.id()
        ))
        .into());
    };
    writeln!(out, "{code}\t{own}\t({})", set.title())?;
    let mut border: Vec<_> = store
        .links(Relation::Border(set).as_str())?
        .into_iter()
        .filter(|l| l.from == code)
        .collect();
    border.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    for l in &border {
        writeln!(
            out,
            "  {}\t{}\tshared border {:.1} km",
            l.to,
            name(&l.to).unwrap_or_default(),
            l.weight / 1000.0
        )?;
    }
    for l in store
        .links(Relation::Nearest(set).as_str())?
        .into_iter()
        .filter(|l| l.from == code)
    {
        let why = if border.is_empty() {
            "no land border; nearest seat"
        } else {
            "nearest seat of an island"
        };
        writeln!(
            out,
            "  {}\t{}\t{why}, {:.0} km between centres",
            l.to,
            name(&l.to).unwrap_or_default(),
            l.weight / 1000.0
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
