use clap::{Args, ValueEnum};
use std::io::Write;
use std::process::ExitCode;
use stemgap_store::Store;
use stemgap_web::explore::Query;
use stemgap_web::Atlas;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExploreFormat {
    /// The answer of /api/v1/explore, byte for byte.
    Json,
    /// The file of /download/explore.csv, byte for byte.
    Csv,
}

/// The seats that meet every condition, as /api/v1/explore answers: the
/// same parameters, the same engine (stemgap_web::explore), the same
/// answer.
#[derive(Args, Debug)]
pub struct ExploreArgs {
    #[command(flatten)]
    pub db: crate::cli::DbArg,
    /// A condition FIELD:OP[:VALUE], repeatable: OP is lt, le, gt, ge, eq, or
    /// below_median, above_median, top_fifth, bottom_fifth (within the seat's
    /// nation, no value). FIELD is an indicator id or mp_name, mp_party,
    /// mp_majority, mp_majority_share, mp_turnout (MP elected July 2024).
    #[arg(short = 'f', long = "f", value_name = "FIELD:OP[:VALUE]")]
    pub conditions: Vec<String>,
    /// england, wales, scotland or northern_ireland.
    #[arg(long)]
    pub nation: Option<String>,
    /// A region code (E12…) or name.
    #[arg(long)]
    pub region: Option<String>,
    /// 2010 or 2024 (default 2024).
    #[arg(long)]
    pub boundaries: Option<String>,
    /// A numeric field (a default column; the web page shades its map by it).
    #[arg(long)]
    pub shade: Option<String>,
    /// Columns, comma-separated field ids.
    #[arg(long)]
    pub cols: Option<String>,
    /// name, code, nation or a field id.
    #[arg(long)]
    pub sort: Option<String>,
    /// asc or desc.
    #[arg(long)]
    pub order: Option<String>,
    #[arg(long, value_enum, default_value_t = ExploreFormat::Json)]
    pub format: ExploreFormat,
}

impl ExploreArgs {
    /// The parameters, as the URL's query string would give them.
    fn params(&self) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = self
            .conditions
            .iter()
            .map(|f| ("f".to_owned(), f.clone()))
            .collect();
        for (name, value) in [
            ("nation", &self.nation),
            ("region", &self.region),
            ("boundaries", &self.boundaries),
            ("shade", &self.shade),
            ("cols", &self.cols),
            ("sort", &self.sort),
            ("order", &self.order),
        ] {
            if let Some(v) = value {
                p.push((name.to_owned(), v.clone()));
            }
        }
        p
    }
}

pub fn run(args: ExploreArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.db.path())?;
    let atlas = Atlas::load(&store)?;
    let q = Query::parse(&atlas, &args.params()).map_err(|e| super::UsageProblem(e.to_string()))?;
    let answer = q.run(&atlas);
    let mut out = std::io::stdout().lock();
    match args.format {
        ExploreFormat::Json => {
            out.write_all(stemgap_web::explore::json(&atlas, &q, &answer).as_bytes())?
        }
        ExploreFormat::Csv => out.write_all(&stemgap_web::explore::csv(&atlas, &q, &answer)?)?,
    }
    out.flush()?;
    eprintln!(
        "{} seats match; {} left out for want of a value",
        answer.count(),
        answer.excluded_missing
    );
    Ok(ExitCode::SUCCESS)
}
