use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use stemgap_core::BoundarySet;

/// stemgap: an open, reproducible observatory of regional STEM skills
/// inequity across the UK's Westminster constituencies.
#[derive(Parser, Debug)]
#[command(name = "stemgap", version, about, max_term_width = 100)]
pub struct Cli {
    /// Log what each stage does (or set STEMGAP_LOG, e.g. STEMGAP_LOG=debug).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every catalogued source with its status in a sources directory.
    Sources(SourcesArgs),
    /// Download (or copy from a mirror) every catalogued source, verifying checksums.
    Fetch(FetchArgs),
    /// Build the store from a sources directory.
    Build(BuildArgs),
    /// Write one row per seat with every indicator, as CSV or JSON.
    Export(ExportArgs),
    /// The seats that meet several conditions (the answer of /api/v1/explore, or its CSV).
    Explore(crate::cmd::explore::ExploreArgs),
    /// List the indicator catalogue of a store.
    Indicators(StoreArgs),
    /// Find the 2024 constituency of a postcode (Great Britain), offline.
    Locate(LocateArgs),
    /// List the seats that share a border with a seat (islands: the nearest seat).
    Neighbours(NeighboursArgs),
    /// Print the report's findings (F1-F6, spatial, sensitivity) as computed at build.
    Findings(FindingsArgs),
    /// Print the data-gap register: every indicator by nation, with comparability.
    Gaps(GapsArgs),
    /// List the HE providers and teaching locations in a seat (--unplaced: those not placed, or flagged; --no-teaching: those not counted as physical teaching presence).
    Institutions(crate::cmd::institutions::InstitutionsArgs),
    /// Serve the web atlas and the JSON API (builds the store first if it is
    /// missing and --sources is given).
    Serve(ServeArgs),
    /// Write the whole web atlas as a static site with relative links (pages, API JSON, downloads).
    Site(crate::cmd::site::SiteArgs),
    /// Write a one-page A4 brief (HTML, or PDF for an --out ending in .pdf) for a seat, or --all seats.
    Brief(crate::cmd::brief::BriefArgs),
    /// Write the printable report (self-contained HTML; --pdf also prints it to PDF).
    Report(crate::cmd::report::ReportArgs),
    /// Add data stemgap lacks without code: a CSV template and recipe for a
    /// geography, and a check of a filled-in contribution.
    Contribute(crate::cmd::contribute::ContributeArgs),
}

#[derive(Args, Debug)]
pub struct CatalogueArg {
    /// Source catalogue to use instead of the one built in (catalogue/sources.toml).
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SourcesArgs {
    /// Directory holding the source files, laid out as in the catalogue.
    #[arg(long, value_name = "DIR")]
    pub sources: PathBuf,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Directory to download into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub to: PathBuf,
    /// A mirror to fetch from instead of the published locations: an
    /// http(s) base URL or a directory, laid out as in the catalogue.
    #[arg(long, value_name = "URL-or-DIR")]
    pub from: Option<String>,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

/// Where the store lives when --db is not given.
pub fn default_db() -> PathBuf {
    dirs::data_dir()
        .map(|d| d.join("stemgap").join("stemgap.db"))
        .unwrap_or_else(|| PathBuf::from("stemgap.db"))
}

#[derive(Args, Debug)]
pub struct DbArg {
    /// The store file [default: stemgap/stemgap.db under the user's data
    /// directory, e.g. ~/.local/share/stemgap/stemgap.db; ./stemgap.db when
    /// the system has no data directory].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

impl DbArg {
    pub fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(default_db)
    }
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Directory holding the source files (e.g. ../shared/data).
    #[arg(long, value_name = "DIR")]
    pub sources: PathBuf,
    /// Contributions to add: a folder holding recipe.toml and its data, or
    /// folders of them (each flagged `contributed`, with its contributor and licence).
    #[arg(long, value_name = "DIR")]
    pub contrib: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArg,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

#[derive(Args, Debug)]
pub struct StoreArgs {
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// CSV, the same bytes as /download/SET.csv (or SET-long.csv with --long).
    Csv,
    Json,
    /// Parquet (ZSTD), as /download/SET.parquet (or SET-long.parquet).
    Parquet,
    /// Excel workbook: data, column descriptions, about; as /download/SET.xlsx.
    Xlsx,
    /// GeoJSON of the set's outlines (WGS84) with every indicator as properties; wide only.
    Geojson,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Boundaries {
    #[value(name = "2010")]
    B2010,
    #[value(name = "2024")]
    B2024,
}

impl From<Boundaries> for BoundarySet {
    fn from(b: Boundaries) -> Self {
        match b {
            Boundaries::B2010 => BoundarySet::Pcon2010,
            Boundaries::B2024 => BoundarySet::Pcon2024,
        }
    }
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Which constituency boundaries: 2010 (2010-2024 seats) or 2024.
    #[arg(long)]
    pub boundaries: Boundaries,
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// One row per seat, indicator and period, with the interval, the
    /// missing-value flag, the method (measured, apportioned, converted,
    /// derived) and the source, instead of one wide row per seat.
    #[arg(long)]
    pub long: bool,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct LocateArgs {
    /// A postcode in any common spelling, e.g. "SW1A 0AA" or sw1a0aa.
    pub postcode: String,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Args, Debug)]
pub struct NeighboursArgs {
    /// The seat's GSS code, e.g. E14001172.
    pub code: String,
    /// Which constituency boundaries: 2010 (2010-2024 seats) or 2024.
    #[arg(long, default_value = "2024")]
    pub boundaries: Boundaries,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct FindingsArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
    pub format: FindingsFormat,
    /// Only this finding or part, e.g. F1 or F1/2010/level4_share (with its parts).
    #[arg(long)]
    pub id: Option<String>,
    /// Show every part of every finding (text format).
    #[arg(long)]
    pub all: bool,
    /// Recompute the findings from the store's figures and check they are
    /// bit-identical to the stored ones (exit 3 if not).
    #[arg(long, conflicts_with_all = ["id", "all"])]
    pub check: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GapsFormat {
    Text,
    Csv,
    Json,
}

#[derive(Args, Debug)]
pub struct GapsArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[arg(long, value_enum, default_value_t = GapsFormat::Text)]
    pub format: GapsFormat,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Build the store from this sources directory first, if it is missing.
    #[arg(long, value_name = "DIR")]
    pub sources: Option<PathBuf>,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}
