//! `stemgap contribute template|check`: data stemgap lacks, added without
//! code (a recipe and a CSV; see docs/contributing-data.md).

use super::{catalogue, DataProblem, UsageProblem};
use crate::cli::CatalogueArg;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use stemgap_geography::Registry;
use stemgap_ingest::build::Inputs;
use stemgap_ingest::recipe::{self, Contribution, Geography, Limits, Recipe};
use stemgap_sources::SourceDir;

#[derive(Args, Debug)]
pub struct ContributeArgs {
    #[command(subcommand)]
    pub command: ContributeCommand,
}

#[derive(Subcommand, Debug)]
pub enum ContributeCommand {
    /// Write a CSV template (every code and name of a geography, an empty
    /// value column) and a recipe that is valid once the values are filled in.
    Template(TemplateArgs),
    /// Validate a contribution against the registry and report what it covers
    /// (exit 3 naming the file, row and column of anything wrong).
    Check(CheckArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GeographyArg {
    Pcon2024,
    Pcon2010,
    Lad,
    Lsoa11,
    /// Scottish data zones 2011.
    Dz11,
    /// Northern Ireland super output areas 2001.
    Soa01,
    /// MSOAs 2021 (no template: the registry has no list of them).
    Msoa21,
    /// Things located by postcode (Great Britain).
    Postcode,
    /// Things located by longitude and latitude.
    Point,
}

impl From<GeographyArg> for Geography {
    fn from(g: GeographyArg) -> Geography {
        match g {
            GeographyArg::Pcon2024 => Geography::Pcon2024,
            GeographyArg::Pcon2010 => Geography::Pcon2010,
            GeographyArg::Lad => Geography::Lad,
            GeographyArg::Lsoa11 => Geography::Lsoa11,
            GeographyArg::Dz11 => Geography::Dz11,
            GeographyArg::Soa01 => Geography::Soa01,
            GeographyArg::Msoa21 => Geography::Msoa21,
            GeographyArg::Postcode => Geography::Postcode,
            GeographyArg::Point => Geography::Point,
        }
    }
}

#[derive(Args, Debug)]
pub struct TemplateArgs {
    /// The geography of the rows.
    #[arg(long, value_enum)]
    pub geography: GeographyArg,
    /// The new indicator's id (lower-case letters, digits and `_`).
    #[arg(long, value_name = "ID")]
    pub indicator: String,
    /// Folder to write data.csv and recipe.toml into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The sources directory (the registry's lookups give the codes and names).
    #[arg(long, value_name = "DIR", default_value = "../shared/data")]
    pub sources: PathBuf,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The contribution's recipe.
    #[arg(long, value_name = "FILE.toml")]
    pub recipe: PathBuf,
    /// Its data [default: the file the recipe names, beside it].
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<PathBuf>,
    /// The sources directory (the registry to check codes against).
    #[arg(long, value_name = "DIR", default_value = "../shared/data")]
    pub sources: PathBuf,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

pub fn run(args: ContributeArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ContributeCommand::Template(a) => template(a),
        ContributeCommand::Check(a) => check(a),
    }
}

fn registry(sources: &std::path::Path, cat: &CatalogueArg) -> anyhow::Result<(SourceDir, ())> {
    anyhow::ensure!(
        sources.is_dir(),
        "sources directory {} does not exist (fetch the sources with `stemgap fetch --to {}`)",
        sources.display(),
        sources.display()
    );
    Ok((SourceDir::new(sources, catalogue(cat)?), ()))
}

fn template(a: TemplateArgs) -> anyhow::Result<ExitCode> {
    if !recipe::is_id(&a.indicator) {
        return Err(UsageProblem(format!(
            "--indicator {:?}: an id is lower-case letters, digits and `_`, starting with a letter",
            a.indicator
        ))
        .into());
    }
    let geography = Geography::from(a.geography);
    if let Some(why) = recipe::template::unavailable(geography) {
        return Err(UsageProblem(why.to_owned()).into());
    }
    let (dir, ()) = registry(&a.sources, &a.catalogue)?;
    let inputs = Inputs::new(&dir, &());
    let reg = Registry::load(&inputs)?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let csv = recipe::template::csv(&reg, geography, &a.indicator);
    let rows = csv.lines().count() - 1;
    let what = if geography.is_located() {
        "a header: add one row per thing".to_owned()
    } else {
        format!("{rows} rows of {}", geography.id())
    };
    for (name, text) in [
        ("data.csv", csv),
        (
            "recipe.toml",
            recipe::template::recipe(geography, &a.indicator),
        ),
    ] {
        let path = a.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    writeln!(
        std::io::stdout().lock(),
        "wrote {}/data.csv ({what}, column {} to fill) and {}/recipe.toml (edit its title, definition, unit, period, contributor and licence); then: stemgap contribute check --recipe {}/recipe.toml",
        a.out.display(),
        a.indicator,
        a.out.display(),
        a.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn check(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let limits = Limits::DEFAULT;
    let contribution = match &a.data {
        None => Contribution::read(&a.recipe, &limits)?,
        Some(data) => {
            let shown = a.recipe.display().to_string();
            let text = std::fs::read(&a.recipe).with_context(|| format!("cannot read {shown}"))?;
            if text.len() > limits.recipe_bytes {
                return Err(DataProblem(format!(
                    "{shown}: the recipe is over {} bytes",
                    limits.recipe_bytes
                ))
                .into());
            }
            let text = String::from_utf8(text)
                .map_err(|_| DataProblem(format!("{shown}: the recipe is not UTF-8")))?;
            let r = Recipe::parse(&text, &shown, &limits)?;
            Contribution::with_data(r, &shown, data, &limits)?
        }
    };
    let (dir, ()) = registry(&a.sources, &a.catalogue)?;
    let inputs = Inputs::new(&dir, &());
    let reg = Registry::load(&inputs)?;
    let report = recipe::check::check(&contribution, &inputs, &reg)?;
    write!(std::io::stdout().lock(), "{report}")?;
    Ok(ExitCode::SUCCESS)
}
