//! Declared sources: a recipe (TOML) says how a file becomes indicators,
//! and one engine ([`engine`]) reads any declared file and places its rows
//! on seats.
//!
//! A recipe names the reader (CSV), the geography of the rows (a 2024 or
//! 2010-2024 seat, a local authority of a stated vintage, an LSOA 2011),
//! the code column (or a name column, matched through the registry's name
//! matching), the period (fixed, a column, or in the value columns' names)
//! and, per indicator, its id, title, definition, unit, direction, value
//! column(s), allowed suppression markers, nations, caveats and
//! aggregation. Authority and small-area rows go to seats through the one
//! apportioner ([`crate::indicators`]' `to_seats`).
//!
//! Recipes serve two kinds of source: **built-in** ones (`catalogue/recipes`,
//! compiled in: the catalogued one-row-per-seat tables) and **contributions**
//! (a folder holding `recipe.toml` and the data file it names, given to
//! `stemgap build --contrib DIR`). Contributions are untrusted input: the
//! data file must be a plain file name in the recipe's own folder, nothing
//! in it is evaluated (cells are numbers, markers or text), and every size
//! is bounded ([`Limits`]) with an error naming the file, row and column.
//!
//! The format is documented field by field in `docs/contributing-data.md`.

pub mod check;
pub mod engine;
pub mod located;
pub mod nomis;
pub mod records;
pub mod template;
pub mod xlsx;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use stemgap_core::{BoundarySet, Direction, Nation};
use stemgap_sources::{Location, Problem, SourceError};

pub use engine::{
    collect_builtin, collect_builtin_with, collect_contributions, collect_located_contributions,
    read_declared, Declared, Given, Placed,
};

/// The recipe format version this build reads.
pub const FORMAT: u32 = 1;

/// Bounds on a declared file and its recipe (contributions are untrusted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Bytes of the data file.
    pub file_bytes: usize,
    /// Bytes of the recipe.
    pub recipe_bytes: usize,
    /// Data rows.
    pub rows: usize,
    /// Columns of the header.
    pub columns: usize,
    /// Characters of one cell.
    pub cell_chars: usize,
    /// Indicators in one recipe.
    pub indicators: usize,
    /// Bytes a spreadsheet may unpack to (as its ZIP directory declares).
    pub unpacked_bytes: usize,
}

impl Limits {
    /// A table's size against the limits: `columns` (a problem reported at
    /// `columns_at`) and `rows` (at `rows_at`).
    pub fn check_table(
        &self,
        columns: usize,
        rows: usize,
        columns_at: Location,
        rows_at: Location,
    ) -> Result<(), SourceError> {
        if columns > self.columns {
            return Err(invalid(
                columns_at,
                format!("{columns} columns; at most {} are read", self.columns),
            ));
        }
        if rows > self.rows {
            return Err(invalid(
                rows_at,
                format!("{rows} rows; at most {} are read", self.rows),
            ));
        }
        Ok(())
    }

    /// What a build and `stemgap contribute check` accept: room for every
    /// LSOA of England and Wales (35,000) with years as rows.
    pub const DEFAULT: Limits = Limits {
        file_bytes: 64 << 20,
        recipe_bytes: 256 << 10,
        rows: 500_000,
        columns: 1_000,
        cell_chars: 2_000,
        indicators: 100,
        unpacked_bytes: 256 << 20,
    };
}

/// A recipe: one source file and the indicators it gives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The recipe format version ([`FORMAT`]).
    pub format: u32,
    pub source: SourceSpec,
    #[serde(rename = "indicator", default)]
    pub indicators: Vec<IndicatorSpec>,
}

/// The file and how its rows are read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// A catalogued source id (built-in) or the contribution's own id
    /// (snake_case, letters, digits and `_`).
    pub id: String,
    /// What the file is (contributions; catalogued sources have theirs).
    #[serde(default)]
    pub title: String,
    /// A contribution's data file: a plain file name in the recipe's folder.
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub reader: Reader,
    /// JSON: the key of the document's object holding the array of records
    /// (absent: the document is that array).
    #[serde(default)]
    pub json_records: Option<String>,
    /// The sheet to read (XLSX).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Or every sheet whose name matches this pattern (`#` one or more
    /// digits, `*` any text, anything else itself), each holding one area's
    /// table (XLSX; seats).
    #[serde(default)]
    pub sheets: Option<String>,
    /// With `sheets`: the cell (`A11`) holding each sheet's area, by name.
    #[serde(default)]
    pub name_cell: Option<String>,
    /// Lines above the header row (titles, notes) to skip.
    #[serde(default)]
    pub skip_lines: usize,
    /// Header rows below the first (a second label row, a `---` row). A
    /// column is then named `first / second` (e.g. `Further education and
    /// skills / Good or outstanding`) when the first row alone does not name it.
    #[serde(default)]
    pub extra_header_rows: usize,
    /// Rows in a nation no indicator covers: `error` (the default) or
    /// `skip` (the file covers more than the recipe reads).
    #[serde(default)]
    pub other_nations: OtherNations,
    pub geography: Geography,
    /// Local authorities: the year of their codes (2019-2024). Earlier
    /// districts are followed through the 2019-2023 reorganisations.
    #[serde(default)]
    pub vintage: Option<u16>,
    /// The column holding each row's GSS code ...
    #[serde(default)]
    pub code_column: Option<String>,
    /// Codes in the code column that name no area and are left out with
    /// their rows (DfE's `z`: "outside of England and unknown"). Any other
    /// code the registry does not know is an error.
    #[serde(default)]
    pub skip_codes: Vec<String>,
    /// The code column holds mySociety's `UKPARL.2025.XXX` short codes of
    /// the 2024 seats instead of GSS codes.
    #[serde(default)]
    pub short_codes: bool,
    /// ... or its name, matched like the registry matches names (case,
    /// `&`/`and`, punctuation and spacing ignored).
    #[serde(default)]
    pub name_column: Option<String>,
    /// Located rows (`geography = "postcode"`): the column holding each
    /// row's postcode, placed on its 2024 seat by the GB range lookup.
    #[serde(default)]
    pub postcode_column: Option<String>,
    /// Located rows (`geography = "point"`): the columns holding each row's
    /// longitude and latitude (WGS84 degrees), placed by point in polygon.
    #[serde(default)]
    pub longitude_column: Option<String>,
    #[serde(default)]
    pub latitude_column: Option<String>,
    /// Located rows: a column naming each row (a club, a college), which
    /// must then be unique.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Where periods come from; may be left out when every indicator has
    /// its own `columns_prefix`.
    #[serde(default)]
    pub period: PeriodSpec,
    /// Columns the file has that the recipe does not read (allowed with
    /// `strict_columns`).
    #[serde(default)]
    pub other_columns: Vec<String>,
    /// A year column with no value in any row (only blanks) was not
    /// published: it is left out rather than stored as blanks.
    #[serde(default)]
    pub skip_empty_periods: bool,
    /// Rows kept: only those where each named column has the given text
    /// (e.g. `geographic_level = "Parliamentary constituency"`).
    #[serde(default)]
    pub filter: BTreeMap<String, String>,
    /// Every area of the geography in the covered nations must have a row
    /// (a missing one is a truncated file).
    #[serde(default)]
    pub complete: bool,
    /// The table ends at its first blank row (notes below it are not read).
    #[serde(default)]
    pub stop_at_blank_row: bool,
    /// Every column must be one the recipe reads (a renamed year column
    /// must not drop a year silently).
    #[serde(default)]
    pub strict_columns: bool,
    /// Authority and small-area rows: the engine adds a sentence saying
    /// how they were shared out to every indicator's caveats; `false`
    /// leaves it out when the indicators' own caveats say it (each
    /// indicator must then have caveats).
    #[serde(default = "yes")]
    pub method_caveat: bool,
    /// Who contributed the data (contributions).
    #[serde(default)]
    pub contributor: Option<String>,
    /// The licence the contributor grants (contributions).
    #[serde(default)]
    pub licence: Option<String>,
    /// Where the data can be found, if published.
    #[serde(default)]
    pub url: Option<String>,
    /// The header row, exactly and in order (a renamed, added or moved
    /// column is an error).
    #[serde(default)]
    pub header: Option<Vec<String>>,
    /// A long table: one row per area and category, the categories in a
    /// column ([`LongSpec`]); indicators are then shares of categories.
    #[serde(default)]
    pub long: Option<LongSpec>,
}

fn yes() -> bool {
    true
}

/// A code or period as a recipe lists it: text of at most 20 bytes,
/// without surrounding spaces.
fn is_short_label(s: &str) -> bool {
    !s.is_empty() && s.trim() == s && s.len() <= 20
}

/// A long table (`[source.long]`): each row one category of one area,
/// e.g. the Census 2021 tables (`seat, category code, label, count`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongSpec {
    /// The column holding each row's category code.
    pub category_column: String,
    /// The column holding each row's count ...
    #[serde(default)]
    pub value_column: Option<String>,
    /// ... or several count columns (e.g. all people, female, male): a
    /// category then means its count in the first, and `category / column`
    /// its count in another (`"All people / Female"`).
    #[serde(default)]
    pub value_columns: Vec<String>,
    /// Every category code of the table: each area has exactly one row for
    /// each (unless `every_category = false`), and a row with any other
    /// code is an error.
    pub categories: Vec<CategoryCode>,
    /// Each area must have a row for every category (the default). `false`
    /// (tables of counts only): a category without a row counts nothing,
    /// and an area with no row for any of an indicator's categories has no
    /// figure for it. A category's second row is still an error.
    #[serde(default = "yes")]
    pub every_category: bool,
    /// Categories left out of every share's denominator (e.g. the census's
    /// `-8`, "does not apply"); by default the denominator is every category.
    #[serde(default)]
    pub denominator_excludes: Vec<CategoryCode>,
    /// Suppression markers the value column may hold (as an indicator's
    /// `markers`): a share using a withheld count has no figure.
    #[serde(default)]
    pub markers: Vec<String>,
}

impl LongSpec {
    /// The count columns (the first is a category's own).
    pub fn columns(&self) -> Vec<&str> {
        self.value_column
            .iter()
            .chain(&self.value_columns)
            .map(String::as_str)
            .collect()
    }

    /// A category as an indicator names it (`5`, or `All people / Female`
    /// with several count columns): (category, count column) indices.
    pub fn resolve(&self, name: &str) -> Option<(usize, usize)> {
        if let Some(i) = self.categories.iter().position(|c| c.0 == name) {
            return Some((i, 0));
        }
        let (cat, col) = name.rsplit_once(" / ")?;
        let j = self.columns().iter().position(|c| *c == col)?;
        let i = self.categories.iter().position(|c| c.0 == cat)?;
        Some((i, j))
    }

    /// The categories of a share's denominator: the indicator's own, or
    /// every category but the excluded ones (in the first count column).
    pub fn denominator<'a>(&'a self, ind: &'a IndicatorSpec) -> Vec<&'a str> {
        if !ind.denominator_categories.is_empty() {
            return ind
                .denominator_categories
                .iter()
                .map(|c| c.0.as_str())
                .collect();
        }
        self.categories
            .iter()
            .filter(|c| !self.denominator_excludes.contains(c))
            .map(|c| c.0.as_str())
            .collect()
    }
}

/// One column, or several summed (`numerator = "a"` or `["a", "b"]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "ColumnsToml")]
pub struct Columns(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum ColumnsToml {
    One(String),
    Many(Vec<String>),
}

impl TryFrom<ColumnsToml> for Columns {
    type Error = &'static str;
    fn try_from(c: ColumnsToml) -> Result<Columns, &'static str> {
        match c {
            ColumnsToml::One(s) => Ok(Columns(vec![s])),
            ColumnsToml::Many(v) if v.is_empty() => Err("an empty list of columns"),
            ColumnsToml::Many(v) => Ok(Columns(v)),
        }
    }
}

/// A category code, written as a number (`-8`, `5`) or as text (`"A"`),
/// matched against the category column's text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "CategoryToml")]
pub struct CategoryCode(pub String);

#[derive(Deserialize)]
#[serde(untagged)]
enum CategoryToml {
    Int(i64),
    Text(String),
}

impl TryFrom<CategoryToml> for CategoryCode {
    type Error = String;
    fn try_from(c: CategoryToml) -> Result<CategoryCode, String> {
        match c {
            CategoryToml::Int(i) => Ok(CategoryCode(i.to_string())),
            CategoryToml::Text(s) if !s.trim().is_empty() && s.len() <= 100 && s.trim() == s => {
                Ok(CategoryCode(s))
            }
            CategoryToml::Text(s) => Err(format!(
                "{s:?} is not a category code (a number, or text without surrounding spaces, at most 100 bytes)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtherNations {
    #[default]
    Error,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reader {
    #[default]
    Csv,
    /// One sheet of an XLSX workbook (stored cell values; nothing evaluated).
    Xlsx,
    /// A flat Parquet file, one row per record (text, integer and
    /// floating-point columns).
    Parquet,
    /// A JSON array of flat objects (records), or an object with one key
    /// holding it (`json_records`).
    Json,
    /// A Nomis "report layout" export (XLSX, or the same layout as CSV):
    /// its period blocks read as one long table (`period`, metadata
    /// labels, `area_type`, `area`, and per measure `<label>` and
    /// `<label> conf`; see [`nomis`]).
    Nomis,
}

impl Reader {
    pub fn id(self) -> &'static str {
        match self {
            Reader::Csv => "csv",
            Reader::Xlsx => "xlsx",
            Reader::Parquet => "parquet",
            Reader::Json => "json",
            Reader::Nomis => "nomis",
        }
    }
}

/// The geography of a file's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Geography {
    /// July 2024 Westminster constituencies.
    Pcon2024,
    /// 2010-2024 Westminster constituencies.
    Pcon2010,
    /// Local authority districts (of the recipe's `vintage`).
    Lad,
    /// Lower-layer super output areas, 2011 (England and Wales).
    Lsoa11,
    /// Data zones, 2011 (Scotland).
    Dz11,
    /// Super output areas, 2001 (Northern Ireland).
    Soa01,
    /// Middle-layer super output areas, 2021 (England and Wales), matched
    /// by code and name and placed as the built-in MSOA sources are
    /// (`indicators::msoa`).
    Msoa21,
    /// Things located by postcode (one row each; Great Britain).
    Postcode,
    /// Things located by longitude and latitude (one row each).
    Point,
}

impl Geography {
    pub const ALL: [Geography; 9] = [
        Geography::Pcon2024,
        Geography::Pcon2010,
        Geography::Lad,
        Geography::Lsoa11,
        Geography::Dz11,
        Geography::Soa01,
        Geography::Msoa21,
        Geography::Postcode,
        Geography::Point,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Geography::Pcon2024 => "pcon2024",
            Geography::Pcon2010 => "pcon2010",
            Geography::Lad => "lad",
            Geography::Lsoa11 => "lsoa11",
            Geography::Dz11 => "dz11",
            Geography::Soa01 => "soa01",
            Geography::Msoa21 => "msoa21",
            Geography::Postcode => "postcode",
            Geography::Point => "point",
        }
    }

    /// The small-area kind of a small-area geography (`lsoa11`, `dz11`,
    /// `soa01`): rows carried to seats by the registry's small-area links.
    pub fn small_area_kind(self) -> Option<stemgap_core::AreaKind> {
        match self {
            Geography::Lsoa11 => Some(stemgap_core::AreaKind::Lsoa11),
            Geography::Dz11 => Some(stemgap_core::AreaKind::Dz11),
            Geography::Soa01 => Some(stemgap_core::AreaKind::Soa01),
            _ => None,
        }
    }

    /// Rows are things located somewhere (a postcode, a point), not areas:
    /// many may fall in one seat, and they are placed exactly on each set.
    pub fn is_located(self) -> bool {
        matches!(self, Geography::Postcode | Geography::Point)
    }

    pub fn from_id(s: &str) -> Option<Geography> {
        Geography::ALL.into_iter().find(|g| g.id() == s)
    }

    /// The seat set, for seat geographies.
    pub fn seat_set(self) -> Option<BoundarySet> {
        match self {
            Geography::Pcon2024 => Some(BoundarySet::Pcon2024),
            Geography::Pcon2010 => Some(BoundarySet::Pcon2010),
            _ => None,
        }
    }

    /// The catalogue's geography word (`pcon`, `lad`, `lsoa11`).
    pub fn catalogue_word(self) -> &'static str {
        match self {
            Geography::Pcon2024 | Geography::Pcon2010 => "pcon",
            Geography::Lad => "lad",
            Geography::Lsoa11 => "lsoa11",
            Geography::Dz11 => "dz11",
            Geography::Soa01 => "soa01",
            Geography::Msoa21 => "msoa21",
            Geography::Postcode => "postcode",
            Geography::Point => "point",
        }
    }
}

/// Where each row's period comes from: exactly one of the three.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodSpec {
    /// One period for the whole file (`2022`, `2021/22`).
    #[serde(default)]
    pub fixed: Option<String>,
    /// A column holding each row's period.
    #[serde(default)]
    pub column: Option<String>,
    /// Value columns named `<prefix><year>` (one recipe indicator).
    #[serde(default)]
    pub columns_prefix: Option<String>,
    /// Periods written `202122` are academic years, stored as `2021/22`.
    #[serde(default)]
    pub academic: bool,
    /// Periods left out, with their rows (as stored: `2021/22`), e.g. a
    /// part year. Period column only.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The period column's text (as written, e.g. Nomis's
    /// `Jan 2021-Dec 2021`) → the period stored (`2021`). When given, every
    /// period read must be a key here (or be listed in `exclude`, as
    /// written or as stored). Period column only.
    #[serde(default)]
    pub map: BTreeMap<String, String>,
}

/// One indicator a declared file gives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Stable snake_case id.
    pub id: String,
    pub title: String,
    /// What exactly is counted, over which denominator.
    pub definition: String,
    pub unit: Unit,
    pub direction: DirectionSpec,
    /// The column holding the value ...
    #[serde(default)]
    pub value: Option<String>,
    /// ... or a sum of columns (less `minus`) ...
    #[serde(default)]
    pub sum: Vec<String>,
    #[serde(default)]
    pub minus: Vec<String>,
    /// ... or one value column per year, named `<prefix><year>` ...
    #[serde(default)]
    pub columns_prefix: Option<String>,
    /// ... or a share, numerator over denominator (counts): each a column
    /// or a list of columns summed.
    #[serde(default)]
    pub numerator: Option<Columns>,
    #[serde(default)]
    pub denominator: Option<Columns>,
    /// Suppression markers the file may use in the value column (`~`, `c`,
    /// `x`, `..`, `low`, `[c]`, blank as `""`, or `"*"` for any recognised
    /// marker). A marker not listed is an error; a marker is never zero.
    #[serde(default)]
    pub markers: Vec<String>,
    /// Suppressed authority or small-area counts lie in this range (e.g.
    /// `[0, 4]` for DfE's `~`): shared out as bounds instead of making the
    /// seats they touch missing.
    #[serde(default)]
    pub suppressed_range: Option<[f64; 2]>,
    /// `always`: every figure shared out from authorities or small areas
    /// stores its interval, the same number at both ends when no
    /// suppressed cell reached it; `when_suppressed` (the default): only
    /// figures a suppressed cell reached. Needs `suppressed_range`.
    #[serde(default)]
    pub interval: Interval,
    /// The nations the figures cover (ids: `england`, `wales`, `scotland`,
    /// `northern_ireland`); a row elsewhere is an error.
    pub nations: Vec<String>,
    #[serde(default)]
    pub caveats: String,
    /// How authority and small-area rows become seat figures; by default
    /// from the unit (counts shared, the rest population-weighted means,
    /// numerator/denominator pairs as ratios).
    #[serde(default)]
    pub aggregation: Option<Aggregation>,
    /// Allowed values (inclusive); shares and rates default to [0, 1],
    /// percentages to [0, 100].
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// Values must be above zero.
    #[serde(default)]
    pub positive: bool,
    /// The file gives this share as a percentage: each value is checked to
    /// lie in 0..100 and stored divided by 100 (shares are fractions
    /// between 0 and 1 everywhere in stemgap). Unit `share`, one value
    /// column or a column per year only.
    #[serde(default)]
    pub percent_as_share: bool,
    /// What a value is called in errors ("entry rate 1.2 is outside 0..1").
    #[serde(default)]
    pub label: Option<String>,
    /// A count made a rate per 1,000 of a stemgap population of the seat:
    /// `population_16_plus` or `population_19_plus` (mid-2022). Unit
    /// `rate_per_1000`.
    #[serde(default)]
    pub per_1000_of: Option<String>,
    /// A finding whose measure this replaces when present (`F3`).
    #[serde(default)]
    pub replaces: Option<String>,
    /// Long tables: the categories counted (the share's numerator) ...
    #[serde(default)]
    pub categories: Vec<CategoryCode>,
    /// ... over these categories (by default every category of the table
    /// but its `denominator_excludes`).
    #[serde(default)]
    pub denominator_categories: Vec<CategoryCode>,
}

/// Which figures store an interval (`interval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    #[default]
    WhenSuppressed,
    Always,
}

/// The populations a count may be made a rate of (`per_1000_of`).
pub const PER_1000_OF: [&str; 2] = ["population_16_plus", "population_19_plus"];

/// An indicator's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    /// 0..1.
    Share,
    /// 0..1 (a rate such as an entry rate).
    Rate,
    #[serde(rename = "rate_per_1000")]
    RatePer1000,
    Score,
    Points,
    Rank,
    Decile,
    /// 0..100.
    Percent,
    /// Pounds.
    Money,
}

impl Unit {
    /// The unit as the store spells it.
    pub fn id(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Share => "share",
            Unit::Rate => "rate",
            Unit::RatePer1000 => "rate_per_1000",
            Unit::Score => "score",
            Unit::Points => "points",
            Unit::Rank => "rank",
            Unit::Decile => "decile",
            Unit::Percent => "percent",
            Unit::Money => "money",
        }
    }

    /// The range a value of this unit must lie in, where the unit has one.
    pub fn natural_range(self) -> Option<[f64; 2]> {
        match self {
            Unit::Share | Unit::Rate => Some([0.0, 1.0]),
            Unit::Percent => Some([0.0, 100.0]),
            Unit::Count | Unit::RatePer1000 => Some([0.0, f64::INFINITY]),
            Unit::Decile => Some([1.0, 10.0]),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectionSpec {
    HigherIsBetter,
    HigherIsWorse,
    Neutral,
}

impl From<DirectionSpec> for Direction {
    fn from(d: DirectionSpec) -> Direction {
        match d {
            DirectionSpec::HigherIsBetter => Direction::HigherIsBetter,
            DirectionSpec::HigherIsWorse => Direction::HigherIsWorse,
            DirectionSpec::Neutral => Direction::Neutral,
        }
    }
}

/// How authority and small-area figures become seat figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Counts shared out in proportion to population.
    Sum,
    /// Population-weighted mean of the areas overlapping the seat.
    Mean,
    /// Numerator and denominator shared out, then divided.
    Ratio,
}

impl IndicatorSpec {
    /// The aggregation used: declared, else from the columns and unit.
    pub fn aggregation(&self) -> Aggregation {
        self.aggregation.unwrap_or(if self.is_ratio() {
            Aggregation::Ratio
        } else if self.unit == Unit::Count || self.per_1000_of.is_some() {
            Aggregation::Sum
        } else {
            Aggregation::Mean
        })
    }

    /// A share of two counts: numerator and denominator columns, or
    /// categories of a long table (over other categories).
    pub fn is_ratio(&self) -> bool {
        self.numerator.is_some() || (!self.categories.is_empty() && !self.counts_categories())
    }

    /// A count of a long table: its categories' counts summed (unit
    /// `count`, or a rate per 1,000 of them with `per_1000_of`).
    pub fn counts_categories(&self) -> bool {
        !self.categories.is_empty() && (self.unit == Unit::Count || self.per_1000_of.is_some())
    }

    pub fn nations(&self) -> Vec<Nation> {
        let mut v: Vec<Nation> = self
            .nations
            .iter()
            .filter_map(|n| Nation::from_id(n).ok())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The range values must lie in.
    pub fn range(&self) -> Option<[f64; 2]> {
        self.range.or_else(|| {
            if self.is_ratio() {
                None
            } else {
                self.unit.natural_range()
            }
        })
    }
}

fn invalid(at: Location, why: impl Into<String>) -> SourceError {
    SourceError::new(at, Problem::Invalid(why.into()))
}

/// A source or indicator id: lower-case letters, digits and `_`.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

impl Recipe {
    /// The prefixes of year columns (`columns_prefix`), the source's and
    /// each indicator's.
    pub fn column_prefixes(&self) -> impl Iterator<Item = &str> {
        self.source
            .period
            .columns_prefix
            .iter()
            .chain(
                self.indicators
                    .iter()
                    .filter_map(|i| i.columns_prefix.as_ref()),
            )
            .map(String::as_str)
    }

    /// Parses and validates a recipe; `file` names it in errors.
    pub fn parse(text: &str, file: &str, limits: &Limits) -> Result<Recipe, SourceError> {
        let at = Location::file(file);
        if text.len() > limits.recipe_bytes {
            return Err(invalid(
                at,
                format!(
                    "the recipe is {} bytes; at most {} are read",
                    text.len(),
                    limits.recipe_bytes
                ),
            ));
        }
        let recipe: Recipe = toml::from_str(text).map_err(|e| {
            // TOML errors carry a byte span: give the line.
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            let at = match line {
                Some(l) => at.at_row(l),
                None => at.clone(),
            };
            invalid(at, format!("not a valid recipe: {}", e.message()))
        })?;
        recipe.validate(file, limits)?;
        Ok(recipe)
    }

    fn validate(&self, file: &str, limits: &Limits) -> Result<(), SourceError> {
        let at = |field: &str| Location::file(file).at_column(field.to_owned());
        if self.format != FORMAT {
            return Err(invalid(
                at("format"),
                format!(
                    "recipe format {} is not one this stemgap reads (it reads {FORMAT})",
                    self.format
                ),
            ));
        }
        let s = &self.source;
        if !is_id(&s.id) {
            return Err(invalid(
                at("source.id"),
                format!(
                    "{:?} is not a source id (lower-case letters, digits and `_`, starting with a letter, at most 80)",
                    s.id
                ),
            ));
        }
        match (s.reader, &s.sheet) {
            (Reader::Xlsx, None) if s.sheets.is_some() => {}
            (Reader::Xlsx, None) => {
                return Err(invalid(
                    at("source.sheet"),
                    "an XLSX source names its sheet",
                ))
            }
            (Reader::Csv | Reader::Parquet | Reader::Json, Some(_)) => {
                return Err(invalid(
                    at("source.sheet"),
                    "sheet applies to reader = \"xlsx\" and \"nomis\" only",
                ))
            }
            _ => {}
        }
        if s.json_records.is_some() && s.reader != Reader::Json {
            return Err(invalid(
                at("source.json_records"),
                "json_records applies to reader = \"json\" only",
            ));
        }
        if s.json_records
            .as_ref()
            .is_some_and(|k| k.is_empty() || k.len() > 200)
        {
            return Err(invalid(
                at("source.json_records"),
                "an empty or overlong key",
            ));
        }
        if matches!(s.reader, Reader::Parquet | Reader::Json | Reader::Nomis) {
            // Records have one header (their keys or column names) and no
            // lines around the table; a Nomis sheet is found by its blocks.
            for (field, given) in [
                ("source.skip_lines", s.skip_lines > 0),
                ("source.extra_header_rows", s.extra_header_rows > 0),
                ("source.stop_at_blank_row", s.stop_at_blank_row),
            ] {
                if given {
                    return Err(invalid(
                        at(field),
                        format!(
                            "{} applies to reader = \"csv\" and \"xlsx\" only",
                            field.trim_start_matches("source.")
                        ),
                    ));
                }
            }
        }
        self.validate_located(file)?;
        match (&s.code_column, &s.name_column) {
            (Some(_), Some(_)) if s.geography == Geography::Msoa21 => {}
            _ if s.geography == Geography::Msoa21 => {
                return Err(invalid(
                    at(if s.name_column.is_none() {
                        "source.name_column"
                    } else {
                        "source.code_column"
                    }),
                    "MSOA 2021 rows give both code_column (E02/W02 codes) and name_column (the MSOA 2021 name, e.g. \"Hartlepool 001\"): MSOAs are placed on seats by their names",
                ))
            }
            (None, None) if s.name_cell.is_some() || s.sheets.is_some() => {}
            (None, None) if s.geography.is_located() => {}
            (Some(_), Some(_)) | (None, None) => {
                return Err(invalid(
                    at("source.code_column"),
                    "give exactly one of code_column and name_column",
                ))
            }
            (None, Some(_)) if s.geography.small_area_kind().is_some() => {
                return Err(invalid(
                    at("source.name_column"),
                    "small areas are matched by code only: give code_column",
                ))
            }
            _ => {}
        }
        if !s.skip_codes.is_empty() && s.code_column.is_none() {
            return Err(invalid(
                at("source.skip_codes"),
                "skip_codes are codes of the code column: give code_column",
            ));
        }
        if let Some(c) = s.skip_codes.iter().find(|c| !is_short_label(c)) {
            return Err(invalid(
                at("source.skip_codes"),
                format!("{c:?} is not a code (text without surrounding spaces, at most 20 bytes)"),
            ));
        }
        if !s.method_caveat {
            if s.geography.seat_set().is_some() {
                return Err(invalid(
                    at("source.method_caveat"),
                    "method_caveat applies to authority and small-area rows: seat rows are not shared out",
                ));
            }
            if let Some(ind) = self.indicators.iter().find(|i| i.caveats.trim().is_empty()) {
                return Err(invalid(
                    at("source.method_caveat"),
                    format!(
                        "indicator {}: with method_caveat = false each indicator's caveats say how its rows were shared out, and its caveats are empty",
                        ind.id
                    ),
                ));
            }
        }
        if s.geography == Geography::Msoa21 {
            // No list of every MSOA 2021 is known to the engine (the
            // registry has none; they come only with the BRES and TS063
            // files), so a missing MSOA cannot be found.
            if s.complete {
                return Err(invalid(
                    at("source.complete"),
                    "complete = true cannot be checked for msoa21 rows: stemgap has no list of every MSOA 2021 to find a missing one",
                ));
            }
            if let Some(ind) = self
                .indicators
                .iter()
                .find(|i| i.aggregation() == Aggregation::Mean)
            {
                return Err(invalid(
                    at("indicator.aggregation"),
                    format!(
                        "indicator {}: a mean cannot be carried from MSOAs 2021 (no MSOA population is known to weight it by): give counts, or a share from numerator and denominator",
                        ind.id
                    ),
                ));
            }
        }
        if s.short_codes && (s.geography != Geography::Pcon2024 || s.code_column.is_none()) {
            return Err(invalid(
                at("source.short_codes"),
                "short codes name 2024 seats in code_column",
            ));
        }
        match (s.geography, s.vintage) {
            (Geography::Lad, Some(v)) if (2019..=2024).contains(&v) => {}
            (Geography::Lad, Some(v)) => {
                return Err(invalid(
                    at("source.vintage"),
                    format!("vintage {v}: local authorities of 2019 to 2024 are known"),
                ))
            }
            (Geography::Lad, None) => {
                return Err(invalid(
                    at("source.vintage"),
                    "local-authority rows need the year of their codes (vintage = 2019 ... 2024)",
                ))
            }
            (_, Some(_)) => {
                return Err(invalid(
                    at("source.vintage"),
                    "vintage applies to local authorities only",
                ))
            }
            _ => {}
        }
        let p = &s.period;
        let given = [
            p.fixed.is_some(),
            p.column.is_some(),
            p.columns_prefix.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        let own = self
            .indicators
            .iter()
            .filter(|i| i.columns_prefix.is_some())
            .count();
        let periods_ok = match (given, own) {
            (1, 0) => true,
            (0, n) => n > 0 && n == self.indicators.len(),
            _ => false,
        };
        if !periods_ok {
            return Err(invalid(
                at("source.period"),
                "give exactly one of period.fixed, period.column and period.columns_prefix, or a columns_prefix for every indicator",
            ));
        }
        if !p.exclude.is_empty() && p.column.is_none() {
            return Err(invalid(
                at("source.period.exclude"),
                "periods are excluded from a period column: give period.column",
            ));
        }
        if !p.map.is_empty() && (p.column.is_none() || p.academic) {
            return Err(invalid(
                at("source.period.map"),
                "period.map maps the text of a period column: give period.column (and not academic)",
            ));
        }
        if let Some((k, v)) = p
            .map
            .iter()
            .find(|(k, v)| k.trim().is_empty() || k.len() > 100 || !is_short_label(v))
        {
            return Err(invalid(
                at("source.period.map"),
                format!("{k:?} = {v:?}: a period as written (at most 100 bytes) and the period stored (text without surrounding spaces, at most 20 bytes)"),
            ));
        }
        if let Some(e) = p.exclude.iter().find(|e| !is_short_label(e)) {
            return Err(invalid(
                at("source.period.exclude"),
                format!("{e:?} is not a period (as stored, e.g. \"2021/22\")"),
            ));
        }
        if let Some(f) = &p.fixed {
            if f.trim().is_empty() || f.len() > 20 {
                return Err(invalid(
                    at("source.period.fixed"),
                    "an empty or overlong period",
                ));
            }
        }
        if let Some(long) = &s.long {
            if p.columns_prefix.is_some() {
                return Err(invalid(
                    at("source.long"),
                    "a long table has one count column: periods are fixed or in a column",
                ));
            }
            let mut seen = std::collections::BTreeSet::new();
            if long.categories.is_empty() {
                return Err(invalid(
                    at("source.long.categories"),
                    "a long table lists its category codes",
                ));
            }
            if let Some(c) = long.categories.iter().find(|c| !seen.insert(*c)) {
                return Err(invalid(
                    at("source.long.categories"),
                    format!("category {} is listed twice", c.0),
                ));
            }
            if let Some(c) = long
                .denominator_excludes
                .iter()
                .find(|c| !long.categories.contains(c))
            {
                return Err(invalid(
                    at("source.long.denominator_excludes"),
                    format!("category {} is not one of the table's categories", c.0),
                ));
            }
            check_markers(&long.markers, at("source.long.markers"))?;
            if long.columns().is_empty() {
                return Err(invalid(
                    at("source.long.value_column"),
                    "a long table names its count column (value_column, or value_columns)",
                ));
            }
            if let Some(ind) = self
                .indicators
                .iter()
                .find(|i| !long.every_category && !i.counts_categories())
            {
                return Err(invalid(
                    at("source.long.every_category"),
                    format!(
                        "indicator {}: a share needs every category of its area; every_category = false applies to tables of counts",
                        ind.id
                    ),
                ));
            }
            if long.value_column.is_some() && !long.value_columns.is_empty() {
                return Err(invalid(
                    at("source.long.value_columns"),
                    "give value_column or value_columns, not both",
                ));
            }
        }
        match (&s.sheets, &s.name_cell) {
            (Some(_), _) if s.reader != Reader::Xlsx || s.sheet.is_some() => {
                return Err(invalid(
                    at("source.sheets"),
                    "sheets applies to reader = \"xlsx\", instead of sheet",
                ))
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(invalid(
                    at("source.name_cell"),
                    "sheets and name_cell go together: each sheet's area is named in that cell",
                ))
            }
            (Some(p), Some(cell)) => {
                if p.trim().is_empty() || p.len() > 100 {
                    return Err(invalid(
                        at("source.sheets"),
                        "an empty or overlong sheet pattern",
                    ));
                }
                if xlsx::cell_reference(cell).is_none() {
                    return Err(invalid(
                        at("source.name_cell"),
                        format!("{cell:?} is not a cell like \"A11\""),
                    ));
                }
                if s.geography.seat_set().is_none()
                    || s.code_column.is_some()
                    || s.name_column.is_some()
                {
                    return Err(invalid(
                        at("source.name_cell"),
                        "a sheet per area names a seat in name_cell, with no code_column or name_column",
                    ));
                }
            }
            (None, None) => {}
        }
        if let Some(d) = &s.data {
            data_path_ok(d).map_err(|why| invalid(at("source.data"), why))?;
        }
        if self.indicators.is_empty() {
            return Err(invalid(at("indicator"), "the recipe declares no indicator"));
        }
        if self.indicators.len() > limits.indicators {
            return Err(invalid(
                at("indicator"),
                format!("more than {} indicators", limits.indicators),
            ));
        }
        if p.columns_prefix.is_some() && self.indicators.len() != 1 {
            return Err(invalid(
                at("source.period.columns_prefix"),
                "with periods in the column names the recipe declares exactly one indicator",
            ));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (n, ind) in self.indicators.iter().enumerate() {
            let here = |field: &str| at(&format!("indicator[{n}].{field}"));
            if !is_id(&ind.id) {
                return Err(invalid(
                    here("id"),
                    format!("{:?} is not an indicator id (lower-case letters, digits and `_`, starting with a letter)", ind.id),
                ));
            }
            if !ids.insert(ind.id.as_str()) {
                return Err(invalid(
                    here("id"),
                    format!("indicator {} is declared twice", ind.id),
                ));
            }
            for (field, text) in [("title", &ind.title), ("definition", &ind.definition)] {
                if text.trim().is_empty() {
                    return Err(invalid(
                        here(field),
                        format!("indicator {}: {field} is empty", ind.id),
                    ));
                }
            }
            let forms = [
                ind.value.is_some(),
                !ind.sum.is_empty(),
                ind.numerator.is_some() || ind.denominator.is_some(),
                p.columns_prefix.is_some() || ind.columns_prefix.is_some(),
                !ind.categories.is_empty() || !ind.denominator_categories.is_empty(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
            if let Some(long) = &s.long {
                validate_long(long, ind, &here)?;
            } else if !ind.categories.is_empty() || !ind.denominator_categories.is_empty() {
                return Err(invalid(
                    here("categories"),
                    format!("indicator {}: categories are read from a long table: declare [source.long]", ind.id),
                ));
            }
            if forms != 1 || (ind.numerator.is_some() != ind.denominator.is_some()) {
                return Err(invalid(
                    here("value"),
                    format!("indicator {}: give exactly one of value, sum (with minus), numerator with denominator, or a columns_prefix", ind.id),
                ));
            }
            if !ind.minus.is_empty() && ind.sum.is_empty() {
                return Err(invalid(
                    here("minus"),
                    format!("indicator {}: minus needs sum", ind.id),
                ));
            }
            if ind.nations.is_empty() {
                return Err(invalid(
                    here("nations"),
                    format!("indicator {}: no nations", ind.id),
                ));
            }
            for nation in &ind.nations {
                if Nation::from_id(nation).is_err() {
                    return Err(invalid(
                        here("nations"),
                        format!("{nation:?} is not a nation (england, wales, scotland, northern_ireland)"),
                    ));
                }
            }
            check_markers(&ind.markers, here("markers"))?;
            if let Some([lo, hi]) = ind.range {
                if lo.is_nan() || hi.is_nan() || lo > hi {
                    return Err(invalid(
                        here("range"),
                        format!("indicator {}: range {lo}..{hi} is empty", ind.id),
                    ));
                }
            }
            let agg = ind.aggregation();
            if let Some([lo, hi]) = ind.suppressed_range {
                if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi) {
                    return Err(invalid(
                        here("suppressed_range"),
                        format!(
                            "indicator {}: suppressed_range {lo}..{hi} is not a range of counts",
                            ind.id
                        ),
                    ));
                }
            }
            if ind.interval == Interval::Always && ind.suppressed_range.is_none() {
                return Err(invalid(
                    here("interval"),
                    format!(
                        "indicator {}: interval = \"always\" stores the interval suppressed cells make: give suppressed_range",
                        ind.id
                    ),
                ));
            }
            if agg == Aggregation::Ratio && !ind.is_ratio() {
                return Err(invalid(
                    here("aggregation"),
                    format!(
                        "indicator {}: a ratio needs numerator and denominator",
                        ind.id
                    ),
                ));
            }
            if agg == Aggregation::Sum
                && ind.unit != Unit::Count
                && ind.unit != Unit::Money
                && ind.per_1000_of.is_none()
            {
                return Err(invalid(
                    here("aggregation"),
                    format!(
                        "indicator {}: only counts (or money) can be shared out as sums",
                        ind.id
                    ),
                ));
            }
            if matches!(ind.unit, Unit::Rank | Unit::Decile) && s.geography.seat_set().is_none() {
                return Err(invalid(here("unit"), format!("indicator {}: ranks and deciles are positions among seats and cannot be carried from other areas", ind.id)));
            }
            if let Some(p) = &ind.per_1000_of {
                if !PER_1000_OF.contains(&p.as_str()) {
                    return Err(invalid(
                        here("per_1000_of"),
                        format!("{p:?}: a rate is per 1,000 of {}", PER_1000_OF.join(" or ")),
                    ));
                }
                if ind.unit != Unit::RatePer1000
                    || ind.numerator.is_some()
                    || agg == Aggregation::Mean
                {
                    return Err(invalid(here("per_1000_of"), format!("indicator {}: per_1000_of makes a count a rate: unit rate_per_1000, from a value, sum or columns_prefix of counts", ind.id)));
                }
            }
            if ind.percent_as_share
                && (ind.unit != Unit::Share
                    || ind.is_ratio()
                    || !ind.sum.is_empty()
                    || !ind.minus.is_empty())
            {
                return Err(invalid(
                    here("percent_as_share"),
                    format!("indicator {}: percent_as_share reads a percentage into a share: unit share, from `value` or `columns_prefix`", ind.id),
                ));
            }
            if let Some(r) = &ind.replaces {
                if r != "F3" {
                    return Err(invalid(
                        here("replaces"),
                        format!("{r:?}: only F3's measure (apprenticeship starts) can be replaced"),
                    ));
                }
                if ind.unit != Unit::RatePer1000 {
                    return Err(invalid(
                        here("replaces"),
                        "F3's measure is a rate per 1,000 residents: unit must be rate_per_1000",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Recipe {
    /// Located rows (`postcode`, `point`): their location columns, and only
    /// what adds up over many rows in one seat (counts, and shares from a
    /// numerator and denominator, both summed).
    fn validate_located(&self, file: &str) -> Result<(), SourceError> {
        let at = |field: &str| Location::file(file).at_column(field.to_owned());
        let s = &self.source;
        let g = s.geography;
        let columns = [
            (
                "postcode_column",
                &s.postcode_column,
                g == Geography::Postcode,
            ),
            (
                "longitude_column",
                &s.longitude_column,
                g == Geography::Point,
            ),
            ("latitude_column", &s.latitude_column, g == Geography::Point),
        ];
        for (field, value, wanted) in columns {
            match (value, wanted) {
                (None, true) => {
                    return Err(invalid(
                        at(&format!("source.{field}")),
                        format!("rows located by {} name their {field}", g.id()),
                    ))
                }
                (Some(_), false) => {
                    return Err(invalid(
                        at(&format!("source.{field}")),
                        format!(
                            "{field} applies to geography = \"{}\" only",
                            if field == "postcode_column" {
                                "postcode"
                            } else {
                                "point"
                            }
                        ),
                    ))
                }
                (Some(c), true) if c.trim().is_empty() => {
                    return Err(invalid(
                        at(&format!("source.{field}")),
                        "an empty column name",
                    ))
                }
                _ => {}
            }
        }
        if !g.is_located() {
            if s.id_column.is_some() {
                return Err(invalid(
                    at("source.id_column"),
                    "id_column applies to located rows (geography = \"postcode\" or \"point\"): area rows are unique by area already",
                ));
            }
            return Ok(());
        }
        let area_fields = [
            ("code_column", s.code_column.is_some()),
            ("name_column", s.name_column.is_some()),
            ("skip_codes", !s.skip_codes.is_empty()),
            ("short_codes", s.short_codes),
            ("long", s.long.is_some()),
            ("sheets", s.sheets.is_some()),
            ("period.columns_prefix", s.period.columns_prefix.is_some()),
        ];
        if let Some((field, _)) = area_fields.iter().find(|(_, given)| *given) {
            return Err(invalid(
                at(&format!("source.{field}")),
                format!(
                    "{field} applies to area rows; rows located by {} are placed by their {}",
                    g.id(),
                    if g == Geography::Postcode {
                        "postcode_column"
                    } else {
                        "longitude_column and latitude_column"
                    }
                ),
            ));
        }
        if !s.method_caveat {
            return Err(invalid(
                at("source.method_caveat"),
                "method_caveat applies to authority and small-area rows: located rows are not shared out",
            ));
        }
        for (n, ind) in self.indicators.iter().enumerate() {
            let here = |field: &str| at(&format!("indicator[{n}].{field}"));
            let count = ind.unit == Unit::Count && ind.numerator.is_none();
            let share = matches!(ind.unit, Unit::Share | Unit::Rate) && ind.numerator.is_some();
            if !(count || share) {
                return Err(invalid(
                    here("unit"),
                    format!(
                        "indicator {}: rows located by {} are summed per seat, so only units that add up are allowed: unit = \"count\" (from value or sum), or a share (unit = \"share\" or \"rate\") from numerator and denominator columns; {:?} does not add up",
                        ind.id,
                        g.id(),
                        ind.unit.id()
                    ),
                ));
            }
            let refused = [
                ("columns_prefix", ind.columns_prefix.is_some()),
                ("per_1000_of", ind.per_1000_of.is_some()),
                ("percent_as_share", ind.percent_as_share),
                ("replaces", ind.replaces.is_some()),
                (
                    "aggregation",
                    ind.aggregation.is_some_and(|a| a == Aggregation::Mean),
                ),
                ("suppressed_range", ind.suppressed_range.is_some() && !count),
            ];
            if let Some((field, _)) = refused.iter().find(|(_, given)| *given) {
                return Err(invalid(
                    here(field),
                    format!(
                        "indicator {}: {field} does not apply to rows located by {} (counts and shares of counts, summed per seat)",
                        ind.id,
                        g.id()
                    ),
                ));
            }
            if g == Geography::Postcode && ind.nations().contains(&Nation::NorthernIreland) {
                return Err(invalid(
                    here("nations"),
                    format!(
                        "indicator {}: the postcode lookup covers Great Britain, so rows located by postcode cannot cover northern_ireland (give coordinates with geography = \"point\" instead)",
                        ind.id
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn check_markers(markers: &[String], at: Location) -> Result<(), SourceError> {
    for m in markers {
        if m != "*" && stemgap_core::Marker::recognise(m.trim()).is_none() {
            return Err(invalid(
                at,
                format!("{m:?} is not a suppression marker stemgap knows (~, c, [c], x, [x], z, .., low, *, -, blank)"),
            ));
        }
    }
    Ok(())
}

/// An indicator of a long table: a share of some of its categories.
fn validate_long(
    long: &LongSpec,
    ind: &IndicatorSpec,
    here: &dyn Fn(&str) -> Location,
) -> Result<(), SourceError> {
    if ind.categories.is_empty() {
        return Err(invalid(
            here("categories"),
            format!(
                "indicator {}: an indicator of a long table is a share or a count of categories (categories = [...])",
                ind.id
            ),
        ));
    }
    if ind.unit != Unit::Share && !ind.counts_categories() {
        return Err(invalid(
            here("unit"),
            format!(
                "indicator {}: an indicator of a long table is a share (unit = \"share\") or a count of its categories (unit = \"count\", or \"rate_per_1000\" with per_1000_of)",
                ind.id
            ),
        ));
    }
    if ind.counts_categories() && ind.aggregation() != Aggregation::Sum {
        return Err(invalid(
            here("aggregation"),
            format!(
                "indicator {}: a count of categories is shared out as a sum (aggregation = \"sum\")",
                ind.id
            ),
        ));
    }
    if ind.counts_categories() && !ind.denominator_categories.is_empty() {
        return Err(invalid(
            here("denominator_categories"),
            format!(
                "indicator {}: a count of categories has no denominator (denominator_categories are for shares)",
                ind.id
            ),
        ));
    }
    if !ind.markers.is_empty() {
        return Err(invalid(
            here("markers"),
            format!(
                "indicator {}: a long table's markers are declared once, in [source.long]",
                ind.id
            ),
        ));
    }
    let den = long.denominator(ind);
    for (field, list) in [
        ("categories", &ind.categories),
        ("denominator_categories", &ind.denominator_categories),
    ] {
        let mut seen = std::collections::BTreeSet::new();
        for c in list {
            if long.resolve(&c.0).is_none() {
                return Err(invalid(
                    here(field),
                    format!(
                        "indicator {}: category {} is not one of the table's categories ({})",
                        ind.id,
                        c.0,
                        long.categories
                            .iter()
                            .map(|c| c.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            if !seen.insert(c) {
                return Err(invalid(
                    here(field),
                    format!("indicator {}: category {} is listed twice", ind.id, c.0),
                ));
            }
        }
    }
    // Within one count column a share's categories must be in its
    // denominator (so it lies in 0..1); across columns (girls over all
    // pupils) that is checked on the values.
    let den: Vec<(usize, usize)> = den.iter().filter_map(|c| long.resolve(c)).collect();
    let num: Vec<(usize, usize)> = ind
        .categories
        .iter()
        .filter_map(|c| long.resolve(&c.0))
        .collect();
    let one_column = !ind.counts_categories() && num.iter().chain(&den).all(|r| r.1 == 0);
    if let Some(c) = ind
        .categories
        .iter()
        .find(|c| one_column && long.resolve(&c.0).is_some_and(|r| !den.contains(&r)))
    {
        return Err(invalid(
            here("categories"),
            format!(
                "indicator {}: category {} is not in the share's denominator",
                ind.id, c.0
            ),
        ));
    }
    Ok(())
}

/// A data file named by a recipe must be a plain file name in the recipe's
/// own folder: no directories, no `..`, no absolute path.
pub fn data_path_ok(name: &str) -> Result<(), String> {
    let bad = name.is_empty()
        || name.len() > 200
        || name.contains(['/', '\\', ':', '\0'])
        || name == "."
        || name == ".."
        || name.starts_with('.')
        || Path::new(name).is_absolute();
    if bad {
        Err(format!(
            "{name:?}: the data file must be a plain file name in the recipe's folder (no path, no `..`)"
        ))
    } else {
        Ok(())
    }
}

/// A contribution found on disk: its recipe and data file.
#[derive(Debug, Clone)]
pub struct Contribution {
    /// The folder, as given (for messages).
    pub dir: PathBuf,
    pub recipe: Recipe,
    /// The recipe file, as shown in errors.
    pub recipe_file: String,
    /// The data file, as shown in errors.
    pub data_file: String,
    pub bytes: Vec<u8>,
    /// `None` for a contribution; for a catalogued optional source found
    /// in the sources directory ([`Contribution::optional_sources`]), its
    /// catalogue entry: a public source, not flagged contributed.
    pub published: Option<stemgap_sources::OptionalEntry>,
}

impl Contribution {
    /// The contribution as the engine reads it: its recipe and bytes,
    /// UTF-8, flagged contributed (a catalogued optional source is not).
    pub fn declared(&self) -> engine::Declared<'_> {
        engine::Declared {
            recipe: &self.recipe,
            bytes: &self.bytes,
            file: &self.data_file,
            encoding: stemgap_sources::Encoding::Utf8,
            contributed: self.published.is_none(),
        }
    }

    /// The catalogue's optional sources (`[[optional]]`, not pinned) that
    /// are in the sources directory, each with its compiled-in recipe
    /// (`catalogue/recipes/optional/`): a build adds them like
    /// contributions, but as the public sources they are (method measured,
    /// the publisher's name and licence). A file `stemgap fetch` recorded
    /// in `sources.lock` is used; one put there by hand and not recorded
    /// is used too, and said in the log; one that is not the file the lock
    /// recorded is an error, as a changed pinned file is.
    pub fn optional_sources(
        dir: &stemgap_sources::SourceDir,
    ) -> Result<Vec<Contribution>, SourceError> {
        use stemgap_sources::OptionalStatus;
        let mut out = Vec::new();
        for entry in dir.catalogue().optional() {
            let at = Location::file(entry.path.clone());
            match stemgap_sources::optional_status(dir.root(), entry) {
                OptionalStatus::Absent => continue,
                OptionalStatus::Recorded { .. } => {}
                OptionalStatus::Unrecorded { sha256 } => tracing::warn!(
                    source = %entry.id,
                    %sha256,
                    "optional source used, but its SHA-256 is not recorded in sources.lock (`stemgap fetch` records it)"
                ),
                OptionalStatus::Changed { sha256, recorded } => {
                    return Err(SourceError::new(
                        at,
                        Problem::Checksum {
                            expected: recorded,
                            found: sha256,
                        },
                    ))
                }
                OptionalStatus::BadLock(why) => return Err(SourceError::new(at, Problem::Io(why))),
            }
            let Some(recipe) = optional_recipe(&entry.id) else {
                return Err(invalid(
                    at,
                    format!(
                        "no recipe is compiled in for the optional source {}",
                        entry.id
                    ),
                ));
            };
            let bytes = read_bounded(
                &dir.root().join(&entry.path),
                &entry.path,
                usize::try_from(entry.max_bytes).unwrap_or(usize::MAX),
            )?;
            out.push(Contribution {
                dir: dir.root().to_path_buf(),
                recipe,
                recipe_file: format!("catalogue/recipes/optional/{}.toml", entry.id),
                data_file: entry.path.clone(),
                bytes,
                published: Some(entry.clone()),
            });
        }
        Ok(out)
    }
}

/// Reads a file that must be at most `max` bytes, without reading more.
fn read_bounded(path: &Path, shown: &str, max: usize) -> Result<Vec<u8>, SourceError> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| SourceError::new(Location::file(shown), Problem::Io(e.to_string())))?;
    if !meta.is_file() {
        return Err(invalid(
            Location::file(shown),
            "not a regular file (links and folders are not read)",
        ));
    }
    let f = std::fs::File::open(path)
        .map_err(|e| SourceError::new(Location::file(shown), Problem::Io(e.to_string())))?;
    let mut bytes = Vec::new();
    f.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::new(Location::file(shown), Problem::Io(e.to_string())))?;
    if bytes.len() > max {
        return Err(invalid(
            Location::file(shown),
            format!("the file is over {max} bytes, the most a contribution may be"),
        ));
    }
    Ok(bytes)
}

impl Contribution {
    /// Reads `recipe` and the data file it names (which must lie beside it).
    pub fn read(recipe: &Path, limits: &Limits) -> Result<Contribution, SourceError> {
        let shown = recipe.display().to_string();
        let bytes = read_bounded(recipe, &shown, limits.recipe_bytes)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            SourceError::new(Location::file(&shown), Problem::InvalidUtf8(e.to_string()))
        })?;
        let parsed = Recipe::parse(&text, &shown, limits)?;
        let data = parsed.source.data.clone().ok_or_else(|| {
            invalid(
                Location::file(&shown).at_column("source.data"),
                "a contribution names its data file (data = \"data.csv\")",
            )
        })?;
        let dir = recipe.parent().unwrap_or(Path::new(".")).to_path_buf();
        Self::with_data(parsed, &shown, &dir.join(&data), limits)
    }

    /// Reads a contribution whose data file is given separately
    /// (`stemgap contribute check --data FILE`).
    pub fn with_data(
        recipe: Recipe,
        recipe_file: &str,
        data: &Path,
        limits: &Limits,
    ) -> Result<Contribution, SourceError> {
        let data_file = data.display().to_string();
        let bytes = read_bounded(data, &data_file, limits.file_bytes)?;
        Ok(Contribution {
            dir: data.parent().unwrap_or(Path::new(".")).to_path_buf(),
            recipe,
            recipe_file: recipe_file.to_owned(),
            data_file,
            bytes,
            published: None,
        })
    }

    /// Every contribution under `dir`: each folder holding a `recipe.toml`
    /// (the folder itself, or its immediate sub-folders), in name order.
    pub fn find_all(dir: &Path, limits: &Limits) -> Result<Vec<Contribution>, SourceError> {
        let at = Location::file(dir.display().to_string());
        let mut recipes = Vec::new();
        if dir.join("recipe.toml").is_file() {
            recipes.push(dir.join("recipe.toml"));
        }
        let entries = std::fs::read_dir(dir)
            .map_err(|e| SourceError::new(at.clone(), Problem::Io(e.to_string())))?;
        let mut subs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path().join("recipe.toml"))
            .filter(|p| p.is_file())
            .collect();
        subs.sort();
        recipes.extend(subs);
        if recipes.is_empty() {
            return Err(invalid(
                at,
                "no contribution here: expected recipe.toml in this folder or in its sub-folders",
            ));
        }
        let mut out: Vec<Contribution> = Vec::new();
        for r in recipes {
            let c = Contribution::read(&r, limits)?;
            if let Some(other) = out
                .iter()
                .find(|o| o.recipe.source.id == c.recipe.source.id)
            {
                return Err(invalid(
                    Location::file(c.recipe_file.clone()).at_column("source.id"),
                    format!(
                        "source {} is also contributed by {}",
                        c.recipe.source.id, other.recipe_file
                    ),
                ));
            }
            out.push(c);
        }
        Ok(out)
    }
}

/// The store's source rows for contributions: the contributor as the
/// publisher, the licence they grant, the data file's SHA-256.
pub fn source_rows(contributions: &[Contribution]) -> Vec<stemgap_store::SourceRow> {
    contributions
        .iter()
        .map(|c| {
            let mut row = contributed_source_row(c);
            if let Some(e) = &c.published {
                row.title = e.title.clone();
                row.publisher = e.publisher.clone();
                row.licence = e.licence.clone();
                row.url = e.url.clone();
                row.publisher_url = e.publisher_url.clone();
                row.notes = format!(
                    "{} Optional source (catalogue [[optional]], not pinned): read from the sources directory, its SHA-256 as recorded by `stemgap fetch` in sources.lock; recipe {}.",
                    e.notes, c.recipe_file
                )
                .trim()
                .to_owned();
            }
            row
        })
        .collect()
}

/// A contribution's source row (see [`source_rows`]).
fn contributed_source_row(c: &Contribution) -> stemgap_store::SourceRow {
    let s = &c.recipe.source;
    let mut nations: Vec<Nation> = c
        .recipe
        .indicators
        .iter()
        .flat_map(|i| i.nations())
        .collect();
    nations.sort();
    nations.dedup();
    let mut periods: Vec<String> = c
        .recipe
        .indicators
        .iter()
        .filter_map(|_| s.period.fixed.clone())
        .collect();
    periods.dedup();
    stemgap_store::SourceRow {
        id: s.id.clone(),
        title: if s.title.is_empty() {
            s.id.clone()
        } else {
            s.title.clone()
        },
        publisher: format!(
            "{} (contributed)",
            s.contributor.as_deref().unwrap_or("unnamed contributor")
        ),
        licence: s.licence.clone().unwrap_or_else(|| "not stated".into()),
        url: s.url.clone().unwrap_or_default(),
        publisher_url: String::new(),
        path: c.data_file.clone(),
        sha256: stemgap_sources::sha256_hex(&c.bytes),
        format: s.reader.id().into(),
        geography: s.geography.catalogue_word().into(),
        boundary: match s.geography {
            Geography::Pcon2024 => "2024".into(),
            Geography::Pcon2010 => "2010".into(),
            _ => String::new(),
        },
        period: periods.join(", "),
        nations,
        notes: format!(
            "Contributed through `stemgap contribute` ({}); not a catalogued public source.",
            c.recipe_file
        ),
        used: true,
    }
}

/// (finding, indicator) for every contributed indicator declaring that it
/// replaces a finding's measure.
pub fn replacements(contributions: &[Contribution]) -> Vec<(String, String)> {
    contributions
        .iter()
        .flat_map(|c| c.recipe.indicators.iter())
        .filter_map(|i| Some((i.replaces.clone()?, i.id.clone())))
        .collect()
}

/// The built-in recipes (`catalogue/recipes/`), compiled in: each named
/// `catalogue/recipes/<source id>.toml`.
pub const BUILTIN: [(&str, &str); 17] = [
    (
        "catalogue/recipes/mid2022_population_single_year_age_pcon2024.toml",
        include_str!(
            "../../../../catalogue/recipes/mid2022_population_single_year_age_pcon2024.toml"
        ),
    ),
    (
        "catalogue/recipes/census21_pcon2024_quals.toml",
        include_str!("../../../../catalogue/recipes/census21_pcon2024_quals.toml"),
    ),
    (
        "catalogue/recipes/census21_pcon2024_industry.toml",
        include_str!("../../../../catalogue/recipes/census21_pcon2024_industry.toml"),
    ),
    (
        "catalogue/recipes/census21_pcon2024_nssec.toml",
        include_str!("../../../../catalogue/recipes/census21_pcon2024_nssec.toml"),
    ),
    (
        "catalogue/recipes/census21_pcon2024_econact.toml",
        include_str!("../../../../catalogue/recipes/census21_pcon2024_econact.toml"),
    ),
    (
        "catalogue/recipes/census21_pcon2024_age.toml",
        include_str!("../../../../catalogue/recipes/census21_pcon2024_age.toml"),
    ),
    (
        "catalogue/recipes/census21_pcon2024_sex.toml",
        include_str!("../../../../catalogue/recipes/census21_pcon2024_sex.toml"),
    ),
    (
        "catalogue/recipes/census21_pcon2024_ethnicity5.toml",
        include_str!("../../../../catalogue/recipes/census21_pcon2024_ethnicity5.toml"),
    ),
    (
        "catalogue/recipes/sc_census22_pcon2024_agebysex.toml",
        include_str!("../../../../catalogue/recipes/sc_census22_pcon2024_agebysex.toml"),
    ),
    (
        "catalogue/recipes/sc_census22_pcon2024_ethnicity.toml",
        include_str!("../../../../catalogue/recipes/sc_census22_pcon2024_ethnicity.toml"),
    ),
    (
        "catalogue/recipes/ucas_entry_rates_18yo_pcon2024_2006_2024.toml",
        include_str!("../../../../catalogue/recipes/ucas_entry_rates_18yo_pcon2024_2006_2024.toml"),
    ),
    (
        "catalogue/recipes/ks4_attainment_pcon2010_2011_2022.toml",
        include_str!("../../../../catalogue/recipes/ks4_attainment_pcon2010_2011_2022.toml"),
    ),
    (
        "catalogue/recipes/mysociety_composite_uk_imd_pcon2010.toml",
        include_str!("../../../../catalogue/recipes/mysociety_composite_uk_imd_pcon2010.toml"),
    ),
    (
        "catalogue/recipes/mysociety_composite_uk_imd_pcon2024.toml",
        include_str!("../../../../catalogue/recipes/mysociety_composite_uk_imd_pcon2024.toml"),
    ),
    (
        "catalogue/recipes/ofsted_inspection_outcomes_pcon2024.toml",
        include_str!("../../../../catalogue/recipes/ofsted_inspection_outcomes_pcon2024.toml"),
    ),
    (
        "catalogue/recipes/dfe_fe_et_aim_achievements_by_ssa_t1_lad_202122.toml",
        include_str!(
            "../../../../catalogue/recipes/dfe_fe_et_aim_achievements_by_ssa_t1_lad_202122.toml"
        ),
    ),
    (
        "catalogue/recipes/dfe_fes_achievements_by_type_lad_201617_202122.toml",
        include_str!(
            "../../../../catalogue/recipes/dfe_fes_achievements_by_type_lad_201617_202122.toml"
        ),
    ),
];

/// The built-in recipe for a catalogued source.
/// The optional sources' recipes (`catalogue/recipes/optional/`), compiled
/// in: each named `catalogue/recipes/optional/<source id>.toml`.
pub const OPTIONAL: [(&str, &str); 2] = [
    (
        "catalogue/recipes/optional/dfe_apprenticeships_pcon.toml",
        include_str!("../../../../catalogue/recipes/optional/dfe_apprenticeships_pcon.toml"),
    ),
    (
        "catalogue/recipes/optional/dfe_fe_skills_pcon.toml",
        include_str!("../../../../catalogue/recipes/optional/dfe_fe_skills_pcon.toml"),
    ),
];

/// The compiled-in recipe of an optional source.
pub fn optional_recipe(source: &str) -> Option<Recipe> {
    let file = format!("catalogue/recipes/optional/{source}.toml");
    OPTIONAL
        .iter()
        .filter(|(f, _)| *f == file)
        .find_map(|(file, text)| {
            let r =
                Recipe::parse(text, file, &Limits::DEFAULT).expect("optional recipes are valid");
            (r.source.id == source).then_some(r)
        })
}

pub fn builtin(source: &str) -> Option<Recipe> {
    let file = format!("catalogue/recipes/{source}.toml");
    BUILTIN
        .iter()
        .filter(|(f, _)| *f == file)
        .find_map(|(file, text)| {
            let r =
                Recipe::parse(text, file, &Limits::DEFAULT).expect("built-in recipes are valid");
            (r.source.id == source).then_some(r)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_recipes_parse() {
        for (file, text) in BUILTIN {
            Recipe::parse(text, file, &Limits::DEFAULT).unwrap();
        }
        assert!(builtin("mid2022_population_single_year_age_pcon2024").is_some());
        assert!(builtin("nope").is_none());
    }

    #[test]
    fn optional_recipes_parse_and_match_the_catalogue() {
        let cat = stemgap_sources::Catalogue::embedded();
        for e in cat.optional() {
            let r = optional_recipe(&e.id).expect("a compiled-in recipe");
            assert_eq!(r.source.id, e.id);
            // The recipe's data file is the catalogued file's name.
            assert_eq!(
                r.source.data.as_deref(),
                e.path.rsplit('/').next(),
                "{}",
                e.id
            );
        }
        assert_eq!(cat.optional().len(), OPTIONAL.len());
    }

    #[test]
    fn data_files_stay_in_their_folder() {
        for bad in [
            "../x.csv",
            "/etc/passwd",
            "a/b.csv",
            "a\\b.csv",
            "..",
            ".hidden",
            "",
            "C:x.csv",
        ] {
            assert!(data_path_ok(bad).is_err(), "{bad:?}");
        }
        assert!(data_path_ok("data.csv").is_ok());
        assert!(data_path_ok("starts 2024.csv").is_ok());
    }

    #[test]
    fn a_toml_error_names_its_line() {
        let e =
            Recipe::parse("format = 1\n[source\nid = 1", "r.toml", &Limits::DEFAULT).unwrap_err();
        assert_eq!(e.location.row, Some(2), "{e}");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// The Nomis example in docs/contributing-data.md parses.
    #[test]
    fn the_documented_nomis_recipe_is_valid() {
        let doc = include_str!("../../../../docs/contributing-data.md");
        let from = doc.find("## Nomis exports").expect("the section");
        let block = &doc[from..];
        let start = block.find("```toml\n").expect("an example") + 8;
        let end = start + block[start..].find("```").expect("its end");
        let r = Recipe::parse(&block[start..end], "docs", &Limits::DEFAULT).unwrap();
        assert_eq!(r.source.reader, Reader::Nomis);
        assert_eq!(r.source.period.map.len(), 5);
        assert_eq!(r.source.filter["area_type"], "ladu");
    }

    /// The long-table example in docs/contributing-data.md parses (with
    /// the format line it leaves out).
    #[test]
    fn the_documented_long_table_is_a_valid_recipe() {
        let doc = include_str!("../../../../docs/contributing-data.md");
        let from = doc.find("### `[source.long]`").expect("the section");
        let block = &doc[from..];
        let start = block.find("```toml\n").expect("an example") + 8;
        let end = start + block[start..].find("```").expect("its end");
        let text = format!("format = 1\n{}", &block[start..end]);
        let r = Recipe::parse(&text, "docs", &Limits::DEFAULT).unwrap();
        let long = r.source.long.as_ref().unwrap();
        assert_eq!(long.denominator(&r.indicators[0]).len(), 11);
    }

    /// The long table of counts in docs/contributing-data.md parses.
    #[test]
    fn the_documented_long_table_of_counts_is_a_valid_recipe() {
        let doc = include_str!("../../../../docs/contributing-data.md");
        let from = doc
            .find("A long table may also give **counts**")
            .expect("the section");
        let block = &doc[from..];
        let start = block.find("```toml\n").expect("an example") + 8;
        let end = start + block[start..].find("```").expect("its end");
        let text = format!("format = 1\n{}", &block[start..end]);
        let r = Recipe::parse(&text, "docs", &Limits::DEFAULT).unwrap();
        let ind = &r.indicators[0];
        assert!(ind.counts_categories());
        assert_eq!(ind.aggregation(), Aggregation::Sum);
        assert_eq!(ind.interval, Interval::Always);
        assert_eq!(r.source.skip_codes, ["z"]);
    }

    /// The Parquet example in docs/contributing-data.md parses, and the
    /// JSON one with the fields a whole recipe needs.
    #[test]
    fn the_documented_record_readers_are_valid_recipes() {
        let doc = include_str!("../../../../docs/contributing-data.md");
        let from = doc.find("## Parquet and JSON files").expect("the section");
        let block = &doc[from..];
        let start = block.find("```toml\n").expect("an example") + 8;
        let end = start + block[start..].find("```").expect("its end");
        let r = Recipe::parse(&block[start..end], "docs", &Limits::DEFAULT).unwrap();
        assert_eq!(r.source.reader, Reader::Parquet);
        let rest = &block[end + 3..];
        let start = rest.find("```toml\n").expect("the JSON example") + 8;
        let end = start + rest[start..].find("```").expect("its end");
        let indicators = &block[block.find("[[indicator]]").unwrap()..];
        let indicators = &indicators[..indicators.find("```").unwrap()];
        let text = format!("format = 1\n{}{indicators}", &rest[start..end]);
        let r = Recipe::parse(&text, "docs", &Limits::DEFAULT).unwrap();
        assert_eq!(r.source.reader, Reader::Json);
        assert_eq!(r.source.json_records.as_deref(), Some("records"));
    }

    /// The list located by postcode in docs/contributing-data.md parses.
    #[test]
    fn the_documented_located_list_is_a_valid_recipe() {
        let doc = include_str!("../../../../docs/contributing-data.md");
        let from = doc
            .find("## Lists of things located somewhere")
            .expect("the section");
        let block = &doc[from..];
        let start = block.find("```toml\n").expect("an example") + 8;
        let end = start + block[start..].find("```").expect("its end");
        let r = Recipe::parse(&block[start..end], "docs", &Limits::DEFAULT).unwrap();
        assert_eq!(r.source.geography, Geography::Postcode);
        assert!(r.source.complete);
        assert_eq!(r.indicators.len(), 2);
    }

    /// The example on `/contribute` and in docs/contributing-data.md parses.
    #[test]
    fn the_documented_example_is_a_valid_recipe() {
        let text = include_str!("../../../../docs/recipe-example.toml");
        let r = Recipe::parse(text, "docs/recipe-example.toml", &Limits::DEFAULT).unwrap();
        assert_eq!(r.indicators[0].replaces.as_deref(), Some("F3"));
        assert_eq!(
            r.source.filter["geographic_level"],
            "Parliamentary constituency"
        );
    }
}
