//! One file per subcommand.

pub mod brief;
mod build;
pub mod contribute;
pub mod explore;
mod export;
mod fetch;
mod findings;
mod gaps;
mod indicators;
pub mod institutions;
mod locate;
mod neighbours;
pub mod pdf;
pub mod report;
mod serve;
pub mod site;
mod sources;

use crate::cli::{CatalogueArg, Command};
use anyhow::Context;
use std::process::ExitCode;
use stemgap_sources::Catalogue;

/// A problem with input data found by the binary itself (exit code 3).
#[derive(Debug)]
pub struct DataProblem(pub String);

impl std::error::Error for DataProblem {}

/// A bad argument the parser could not catch (exit code 2).
#[derive(Debug)]
pub struct UsageProblem(pub String);

impl std::error::Error for UsageProblem {}

impl std::fmt::Display for UsageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A lookup that found nothing (exit code 1, like grep).
#[derive(Debug)]
pub struct NotFound(pub String);

impl std::error::Error for NotFound {}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for DataProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Sources(a) => sources::run(a),
        Command::Fetch(a) => fetch::run(a),
        Command::Build(a) => build::run(a),
        Command::Export(a) => export::run(a),
        Command::Explore(a) => explore::run(a),
        Command::Indicators(a) => indicators::run(a),
        Command::Locate(a) => locate::run(a),
        Command::Neighbours(a) => neighbours::run(a),
        Command::Findings(a) => findings::run(a),
        Command::Gaps(a) => gaps::run(a),
        Command::Institutions(a) => institutions::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Site(a) => site::run(a),
        Command::Brief(a) => brief::run(a),
        Command::Report(a) => report::run(a),
        Command::Contribute(a) => contribute::run(a),
    }
}

/// The catalogue given with --catalogue, or the built-in one.
pub fn catalogue(arg: &CatalogueArg) -> anyhow::Result<Catalogue> {
    match &arg.catalogue {
        None => Ok(Catalogue::embedded()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read catalogue {}", path.display()))?;
            Ok(Catalogue::parse(&text, &path.display().to_string())?)
        }
    }
}
