//! The one engine for declared sources: reads a file as its recipe says
//! ([`read_declared`]) and places its rows on seats ([`place`]): seat rows
//! as they are, local-authority and small-area rows through the one
//! apportioner (`stemgap_geography::apportion::to_seats`).

use super::{Aggregation, Geography, IndicatorSpec, Limits, Recipe, Unit};
use crate::build::Inputs;
use crate::indicators::{to_seats, with_share_sources, Bounds, Shares};
use crate::{Collector, Registry};
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{
    AreaKind, BoundarySet, Cell, Direction, GssCode, IndicatorDef, Marker, Method, Nation,
};
use stemgap_geography::apportion::small_area_shares;
use stemgap_geography::seatmap::SeatMap;
use stemgap_geography::Relation;
use stemgap_sources::{CsvOptions, CsvTable, Encoding, Location, Problem, Row, SourceError};

/// A declared file to read: its recipe and bytes.
#[derive(Debug, Clone, Copy)]
pub struct Declared<'a> {
    pub recipe: &'a Recipe,
    pub bytes: &'a [u8],
    /// The file as named in errors.
    pub file: &'a str,
    pub encoding: Encoding,
    /// A contribution (method `contributed`), not a catalogued source.
    pub contributed: bool,
}

/// A cell as read for one indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A value (or a withheld one).
    Cell(Cell),
    /// Numerator and denominator (each a value or withheld).
    Ratio(Cell, Cell),
    /// A count known to lie in a range: a sum of a long table's categories,
    /// some of them suppressed (`suppressed_range`).
    Range(Bounds),
}

/// Where a located row (`postcode`, `point`) is, as read (well formed,
/// not yet placed).
#[derive(Debug, Clone, PartialEq)]
pub enum Located {
    Postcode(stemgap_core::Postcode),
    /// Longitude and latitude, WGS84 degrees.
    Point(f64, f64),
}

/// One data row, read and checked.
#[derive(Debug, Clone)]
pub struct ReadRow {
    /// The area's code (a seat, an authority or a small area); empty for
    /// a located row.
    pub area: String,
    /// The area's nation (a located row's is known once it is placed).
    pub nation: Nation,
    /// A located row's position, and where it was read (its location
    /// column).
    pub located: Option<(Located, Location)>,
    /// Per indicator (recipe order): (period, value, where the value is).
    pub values: Vec<Vec<(String, Value, Location)>>,
}

/// A declared file read and checked, not yet on seats.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub rows: Vec<ReadRow>,
    /// Each indicator's periods, in the order the file gives them.
    pub periods: Vec<Vec<String>>,
    /// The file, for errors.
    pub location: Location,
    /// MSOA 2021 rows: each MSOA once (code, name and where its name is),
    /// in file order, for the placement (`indicators::msoa`).
    pub msoas: Vec<crate::indicators::msoa::Msoa>,
}

/// What [`place`] put on seats, per indicator and period: seats with a
/// value and seats with a withheld figure, by set and nation.
#[derive(Debug, Clone, Default)]
pub struct Placed {
    pub seats: BTreeMap<(String, String, BoundarySet, Nation), (usize, usize)>,
    /// Located rows left out of a set, in file order: (where, set, why).
    pub unplaced: Vec<(Location, BoundarySet, String)>,
    /// Located rows placed on each set (2010, 2024).
    pub rows_placed: [usize; 2],
}

impl Placed {
    /// Located rows left out of `set`.
    pub fn unplaced_in(
        &self,
        set: BoundarySet,
    ) -> impl Iterator<Item = &(Location, BoundarySet, String)> {
        self.unplaced.iter().filter(move |u| u.1 == set)
    }
}

fn invalid(at: Location, why: impl Into<String>) -> SourceError {
    SourceError::new(at, Problem::Invalid(why.into()))
}

fn number(v: f64) -> String {
    if v.is_infinite() {
        "∞".into()
    } else {
        v.to_string()
    }
}

/// `202122` → `2021/22`.
fn academic(s: &str) -> Option<String> {
    (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}/{}", &s[..4], &s[4..]))
}

/// Checks one value against its indicator's range and sign.
fn check_value(
    ind: &IndicatorSpec,
    v: f64,
    derived: bool,
    at: &Location,
) -> Result<(), SourceError> {
    let label = ind.label.as_deref().unwrap_or("value");
    if ind.positive && v <= 0.0 {
        let why = if derived {
            format!("{label} would be {v}")
        } else {
            format!("{label} {v} is not positive")
        };
        return Err(invalid(at.clone(), why));
    }
    if let Some([lo, hi]) = ind.range() {
        if v < lo || v > hi {
            let why = if hi.is_infinite() && v < lo {
                format!("{label} {v} is below {}", number(lo))
            } else {
                format!("{label} {v} is outside {}..{}", number(lo), number(hi))
            };
            return Err(invalid(at.clone(), why));
        }
    }
    Ok(())
}

/// A percentage read for a share (`percent_as_share`): checked to lie in
/// 0..100 and divided by 100; any other cell as it is.
fn as_share(ind: &IndicatorSpec, cell: Cell, at: &Location) -> Result<Cell, SourceError> {
    match cell {
        Cell::Value(x) if ind.percent_as_share => {
            if !(0.0..=100.0).contains(&x) {
                let label = ind.label.as_deref().unwrap_or("percentage");
                return Err(invalid(
                    at.clone(),
                    format!("{label} {x} is outside 0..100"),
                ));
            }
            Ok(Cell::Value(x / 100.0))
        }
        other => Ok(other),
    }
}

/// A cell that may be withheld with one of the indicator's markers.
fn marked_cell(ind: &IndicatorSpec, row: &Row<'_>, col: usize) -> Result<Cell, SourceError> {
    marked(&ind.markers, &ind.id, row, col)
}

/// A cell that may be withheld with one of `markers` (allowed for `owner`).
fn marked(markers: &[String], owner: &str, row: &Row<'_>, col: usize) -> Result<Cell, SourceError> {
    let cell = row.cell(col)?;
    if let Cell::Missing(m) = cell {
        let raw = row.str(col).trim();
        let allowed = markers.iter().any(|k| k == "*" || k.trim() == raw);
        if !allowed {
            let why = if markers.is_empty() {
                format!("a value is required here, found the marker {raw:?} ({m})")
            } else {
                format!(
                    "the marker {raw:?} is not one the recipe allows for {} ({})",
                    owner,
                    markers
                        .iter()
                        .map(|k| format!("{k:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(row.error(col, Problem::Invalid(why)));
        }
    }
    Ok(cell)
}

/// How one indicator reads a row.
enum Reads {
    One(usize),
    Sum(Vec<usize>, Vec<usize>),
    /// Numerator and denominator, each a sum of columns.
    Ratio(Vec<usize>, Vec<usize>),
    /// Periods in the column names: (column, period).
    Years(Vec<(usize, String)>),
    /// Categories of a long table (read per area, after every row).
    Categories,
}

/// One area and period of a long table: each category's counts as read.
struct Group {
    area: String,
    period: String,
    nation: Nation,
    /// The first row's count, for errors.
    at: Location,
    /// Category `i`'s count in count column `j` at `i × columns + j`
    /// (categories in recipe order).
    cells: Vec<Cell>,
    /// Whether category `i` has had its row.
    present: Vec<bool>,
}

/// Where an indicator's categories are in a [`Group`]'s cells.
fn cell_indices(long: &super::LongSpec, names: &[&str]) -> Vec<usize> {
    let columns = long.columns().len();
    names
        .iter()
        .map(|name| {
            let (i, j) = long
                .resolve(name)
                .expect("validated: a category of the table");
            i * columns + j
        })
        .collect()
}

/// A long table's counts summed over some categories: a value, or the
/// first withheld count's marker.
fn sum_categories(g: &Group, cells: &[usize]) -> Cell {
    let mut total = 0.0;
    for &k in cells {
        match g.cells[k] {
            Cell::Value(v) => total += v,
            missing => return missing,
        }
    }
    Cell::Value(total)
}

/// A long table's counts summed over some categories (a count
/// indicator): a value; a range when some are suppressed and the indicator
/// gives their `suppressed_range`; else the first withheld count's marker.
fn count_categories(g: &Group, cells: &[usize], suppressed: Option<[f64; 2]>) -> Value {
    let mut b = Bounds::default();
    for &k in cells {
        b = match (g.cells[k], suppressed) {
            (Cell::Value(v), _) => Bounds {
                lo: b.lo + v,
                hi: b.hi + v,
            },
            (Cell::Missing(_), Some([lo, hi])) => Bounds {
                lo: b.lo + lo,
                hi: b.hi + hi,
            },
            (missing, None) => return Value::Cell(missing),
        };
    }
    if b.lo == b.hi {
        Value::Cell(Cell::Value(b.lo))
    } else {
        Value::Range(b)
    }
}

/// What an area of a geography is called in messages.
fn area_word(g: Geography) -> &'static str {
    match g {
        Geography::Pcon2024 | Geography::Pcon2010 => "seat",
        Geography::Lad => "local authority",
        Geography::Lsoa11 | Geography::Dz11 | Geography::Soa01 => "small area",
        Geography::Msoa21 => "MSOA",
        Geography::Postcode | Geography::Point => "row",
    }
}

/// An area of a geography with its article, in messages.
fn area_word_a(g: Geography) -> &'static str {
    match g {
        Geography::Msoa21 => "an MSOA",
        Geography::Dz11 => "a data zone",
        Geography::Soa01 => "a super output area",
        _ => "a small area",
    }
}

/// A coordinate cell: a number in `-limit..=limit` (malformed text or an
/// impossible degree is an error at the cell).
fn degrees(row: &Row<'_>, col: usize, what: &str, limit: f64) -> Result<f64, SourceError> {
    let raw = row.str(col).trim();
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && (-limit..=limit).contains(&v) => Ok(v),
        Ok(v) => Err(row.error(
            col,
            Problem::Invalid(format!(
                "{what} {v} is not a coordinate (degrees within ±{limit})"
            )),
        )),
        Err(_) => Err(row.error(
            col,
            Problem::Invalid(format!(
                "not a {what}: {raw:?} (WGS84 degrees as a decimal number)"
            )),
        )),
    }
}

/// Reads and checks a declared file: every row a known area of the
/// declared geography in a covered nation, no duplicates, numbers where
/// numbers are due, only the allowed markers, values in range; with
/// `complete`, every area present. Sizes are bounded by `limits`.
pub fn read_declared(
    d: &Declared<'_>,
    reg: &Registry,
    limits: &Limits,
) -> Result<Parsed, SourceError> {
    if d.recipe.source.reader != super::Reader::Nomis {
        return read_tables(d, reg, limits, None);
    }
    // A Nomis export: its blocks as one long table, read as any table,
    // every problem and value located at the sheet's own cell.
    check_file_size(d, limits)?;
    let t = super::nomis::read(d.bytes, d.file, d.recipe.source.sheet.as_deref(), limits)?;
    let table = (t.csv.as_slice().into(), t.location.clone(), None);
    read_tables(d, reg, limits, Some(table))
        .map(|p| t.remap_parsed(p))
        .map_err(|e| t.remap_error(e))
}

fn check_file_size(d: &Declared<'_>, limits: &Limits) -> Result<(), SourceError> {
    if d.bytes.len() > limits.file_bytes {
        return Err(invalid(
            Location::file(d.file),
            format!(
                "the file is {} bytes; at most {} are read",
                d.bytes.len(),
                limits.file_bytes
            ),
        ));
    }
    Ok(())
}

/// A table read: its text, where it is, and (`sheets`) the sheet's area.
type Table<'b> = (
    std::borrow::Cow<'b, [u8]>,
    Location,
    Option<(String, Location)>,
);

/// [`read_declared`] of the file's tables, or of `given` (a table already
/// made from the file).
fn read_tables(
    d: &Declared<'_>,
    reg: &Registry,
    limits: &Limits,
    given: Option<Table<'_>>,
) -> Result<Parsed, SourceError> {
    let recipe = d.recipe;
    let src = &recipe.source;
    let loc = Location::file(d.file);
    check_file_size(d, limits)?;
    // The tables read: the file, one sheet, or (`sheets`) every sheet whose
    // name matches, each holding one area, named in its `name_cell`.
    let tables: Vec<Table<'_>> = match (src.reader, &src.sheet, &src.sheets) {
        _ if given.is_some() => given.into_iter().collect(),
        (super::Reader::Xlsx, Some(sheet), _) => {
            let (csv, at) = super::xlsx::sheet_as_csv(d.bytes, d.file, sheet, limits)?;
            vec![(csv.into(), at, None)]
        }
        (super::Reader::Xlsx, None, Some(pattern)) => {
            let cell = src
                .name_cell
                .as_deref()
                .expect("validated: sheets name their area's cell");
            super::xlsx::sheets_as_csv(d.bytes, d.file, pattern, cell, limits)?
                .into_iter()
                .map(|(csv, at, name)| (csv.into(), at, Some(name)))
                .collect()
        }
        (super::Reader::Parquet, _, _) => {
            let (csv, at) = super::records::parquet_as_csv(d.bytes, d.file, recipe, limits)?;
            vec![(csv.into(), at, None)]
        }
        (super::Reader::Json, _, _) => {
            let (csv, at) =
                super::records::json_as_csv(d.bytes, d.file, src.json_records.as_deref(), limits)?;
            vec![(csv.into(), at, None)]
        }
        _ => vec![(d.bytes.into(), loc.clone(), None)],
    };
    // Records (Parquet, JSON) are made UTF-8 text, one per line, numbered
    // from 1.
    let records = matches!(
        src.reader,
        super::Reader::Parquet | super::Reader::Json | super::Reader::Nomis
    );
    // The header line of a table of records is no row of the file: a
    // problem with it names the file (and column) only.
    let header_at = |l: &Location, row: u64| {
        if records {
            l.clone()
        } else {
            l.at_row(row)
        }
    };
    let located = src.geography.is_located();
    let nations: Vec<Vec<Nation>> = recipe.indicators.iter().map(|i| i.nations()).collect();
    let covered: BTreeSet<Nation> = nations.iter().flatten().copied().collect();
    let lad_names: HashMap<String, String> = if src.geography == Geography::Lad {
        let mut names: HashMap<String, String> = reg
            .areas
            .iter()
            .filter(|a| a.kind.is_district())
            .map(|a| {
                (
                    stemgap_geography::registry::name_key(&a.name),
                    a.code.clone(),
                )
            })
            .collect();
        // Other publishers' spellings (Nomis's), of authorities the
        // registry has, where no authority has that name.
        for (alias, code) in crate::indicators::NOMIS_ALIASES {
            if reg
                .areas
                .iter()
                .any(|a| a.kind.is_district() && a.code == code)
            {
                names
                    .entry(stemgap_geography::registry::name_key(alias))
                    .or_insert_with(|| code.to_owned());
            }
        }
        names
    } else {
        HashMap::default()
    };
    let lad_codes: BTreeSet<&str> = reg
        .areas
        .iter()
        .filter(|a| a.kind.is_district())
        .map(|a| a.code.as_str())
        .collect();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    // MSOA 2021 rows: each MSOA's name, once (index by code).
    let mut msoas: Vec<crate::indicators::msoa::Msoa> = Vec::new();
    let mut msoa_index: HashMap<String, usize> = HashMap::default();
    let mut areas_seen: BTreeSet<String> = BTreeSet::new();
    let mut periods: Vec<Vec<String>> = vec![Vec::new(); recipe.indicators.len()];
    let mut rows = Vec::new();
    // Long tables: counts by area and period, and the periods in file order.
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<(String, String), usize> = HashMap::default();
    // Rows come grouped by area: the last row's group is looked at first.
    let mut last_group: Option<usize> = None;
    let mut long_periods: Vec<String> = Vec::new();
    // Where a problem with the whole file is reported.
    let mut end_loc = loc.clone();
    for (bytes, loc, fixed) in &tables {
        let (bytes, loc) = (&bytes[..], loc.clone());
        let t = CsvTable::from_bytes(
            bytes,
            if records { Encoding::Utf8 } else { d.encoding },
            loc.clone(),
            CsvOptions {
                skip_lines: src.skip_lines,
                extra_header_rows: src.extra_header_rows,
                stop_at_blank_line: src.stop_at_blank_row,
                records_numbered: records,
                ..CsvOptions::default()
            },
        )?;
        // A column by its header, by `first / second` header rows, or by its
        // second header row alone when the first is blank there.
        let column = |name: &str| -> Result<usize, SourceError> {
            match (
                t.column(name),
                name.split_once(" / "),
                t.extra_headers().first(),
            ) {
                (Ok(c), _, _) => Ok(c),
                (Err(e), _, None) => Err(e),
                (Err(e), None, Some(subs)) => (0..t.headers().len())
                    .find(|&i| {
                        t.headers()[i].trim().is_empty() && subs.get(i).map(str::trim) == Some(name)
                    })
                    .ok_or(e),
                (Err(_), Some((top, sub)), Some(subs)) => (0..t.headers().len())
                    .find(|&i| t.headers()[i] == top && subs.get(i).map(str::trim) == Some(sub))
                    .ok_or_else(|| {
                        SourceError::new(
                            t.location().at_row(2).at_column(name),
                            Problem::MissingColumn {
                                found: (0..t.headers().len())
                                    .filter(|&i| t.headers()[i] == top)
                                    .filter_map(|i| subs.get(i))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            },
                        )
                    }),
            }
        };
        if let Some(h) = &src.header {
            if t.headers().iter().ne(h.iter()) {
                return Err(SourceError::new(
                    header_at(t.location(), src.skip_lines as u64 + 1),
                    Problem::WrongHeader {
                        expected: h.join(","),
                        found: t.headers().join(","),
                    },
                ));
            }
        }
        limits.check_table(t.headers().len(), t.len(), header_at(&loc, 1), loc.clone())?;
        let key_col = match (
            &src.code_column,
            &src.name_column,
            &src.postcode_column,
            &src.longitude_column,
        ) {
            (Some(c), _, _, _) | (None, Some(c), _, _) => column(c)?,
            // Located rows: the postcode, or the longitude.
            (None, None, Some(c), _) | (None, None, None, Some(c)) => column(c)?,
            // The area is the sheet's (`name_cell`).
            (None, None, None, None) => 0,
        };
        // MSOA 2021 rows: the name column (besides the code column).
        let msoa_name_col = match (&src.name_column, src.geography) {
            (Some(c), Geography::Msoa21) => Some(column(c)?),
            _ => None,
        };
        let lat_col = match &src.latitude_column {
            Some(c) => Some(column(c)?),
            None => None,
        };
        let id_col = match &src.id_column {
            Some(c) => Some(column(c)?),
            None => None,
        };
        let filters = src
            .filter
            .iter()
            .map(|(c, v)| Ok((column(c)?, v.as_str())))
            .collect::<Result<Vec<_>, SourceError>>()?;
        let period_col = match &src.period.column {
            Some(c) => Some(column(c)?),
            None => None,
        };
        let mut fixed_cols: Vec<&str> = [
            src.code_column.as_deref(),
            src.name_column.as_deref(),
            src.postcode_column.as_deref(),
            src.longitude_column.as_deref(),
            src.latitude_column.as_deref(),
            src.id_column.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        fixed_cols.extend(src.filter.keys().map(String::as_str));
        fixed_cols.extend(src.period.column.as_deref());
        fixed_cols.extend(src.other_columns.iter().map(String::as_str));
        let prefixes: Vec<&str> = recipe.column_prefixes().collect();
        if src.strict_columns && !prefixes.is_empty() {
            let is_year = |h: &str| {
                prefixes.iter().any(|p| {
                    h.strip_prefix(p)
                        .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                })
            };
            if let Some(h) = t
                .headers()
                .iter()
                .find(|h| !fixed_cols.contains(&h.as_str()) && !is_year(h))
            {
                return Err(SourceError::new(
                    header_at(t.location(), 1).at_column(h.clone()),
                    Problem::Invalid(format!(
                        "unexpected column: expected {} or a year column like \"{}2024\"",
                        fixed_cols.join(", "),
                        prefixes[0]
                    )),
                ));
            }
        }
        let long = match &src.long {
            Some(l) => Some((
                l,
                column(&l.category_column)?,
                l.columns()
                    .iter()
                    .map(|c| column(c))
                    .collect::<Result<Vec<_>, _>>()?,
            )),
            None => None,
        };
        let mut reads = Vec::new();
        for ind in &recipe.indicators {
            let r = if long.is_some() {
                Reads::Categories
            } else if let Some(prefix) = ind
                .columns_prefix
                .as_ref()
                .or(src.period.columns_prefix.as_ref())
            {
                let years: Vec<(usize, String)> = t
                    .headers()
                    .iter()
                    .enumerate()
                    .filter_map(|(i, h)| {
                        let y = h.strip_prefix(prefix.as_str())?.trim();
                        (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                            .then(|| (i, y.to_owned()))
                    })
                    .collect();
                if years.is_empty() {
                    return Err(SourceError::new(
                        header_at(t.location(), 1),
                        Problem::MissingColumn {
                            found: t.headers().join(", "),
                        },
                    ));
                }
                Reads::Years(years)
            } else if let Some(v) = &ind.value {
                Reads::One(column(v)?)
            } else if let (Some(n), Some(dn)) = (&ind.numerator, &ind.denominator) {
                let cols = |names: &[String]| {
                    names
                        .iter()
                        .map(|c| column(c))
                        .collect::<Result<Vec<_>, _>>()
                };
                Reads::Ratio(cols(&n.0)?, cols(&dn.0)?)
            } else {
                let cols = |names: &[String]| {
                    names
                        .iter()
                        .map(|c| column(c))
                        .collect::<Result<Vec<_>, _>>()
                };
                Reads::Sum(cols(&ind.sum)?, cols(&ind.minus)?)
            };
            reads.push(r);
        }
        if src.strict_columns && prefixes.is_empty() {
            let mut used: Vec<&str> = fixed_cols.clone();
            for ind in &recipe.indicators {
                used.extend(ind.value.as_deref());
                for cols in [&ind.numerator, &ind.denominator].into_iter().flatten() {
                    used.extend(cols.0.iter().map(String::as_str));
                }
                used.extend(ind.sum.iter().chain(&ind.minus).map(String::as_str));
            }
            if let Some(l) = &src.long {
                used.push(l.category_column.as_str());
                used.extend(l.columns());
            }
            if let Some(h) = t.headers().iter().find(|h| !used.contains(&h.as_str())) {
                return Err(SourceError::new(
                    header_at(t.location(), 1).at_column(h.clone()),
                    Problem::Invalid(format!(
                        "unexpected column: the recipe reads {}",
                        used.join(", ")
                    )),
                ));
            }
        }
        let fixed_area: Option<(String, Nation)> = match fixed {
            None => None,
            Some((name, at)) => {
                let set = src
                    .geography
                    .seat_set()
                    .expect("validated: sheets hold seats");
                let name = name.trim();
                let code = reg.seat_by_name(set, name).ok_or_else(|| {
                    SourceError::new(
                        at.clone(),
                        Problem::UnknownCode(format!(
                            "{name:?}: not the name of a seat of the {} set",
                            set.id()
                        )),
                    )
                })?;
                let nation = reg.seat(set, code).expect("a known seat").nation;
                if !covered.contains(&nation) {
                    if src.other_nations == super::OtherNations::Skip {
                        continue;
                    }
                    return Err(invalid(
                        at.clone(),
                        format!("{code} ({name}) is in {nation}, which the recipe does not cover"),
                    ));
                }
                Some((code.to_string(), nation))
            }
        };
        let ncols = t.headers().len();
        // A column found by its second header row alone has a blank header:
        // messages name it as the recipe does.
        let mut blank_named: Vec<(usize, &str)> = Vec::new();
        if let Some(name) = src.code_column.as_deref().or(src.name_column.as_deref()) {
            blank_named.push((key_col, name));
        }
        if let (Some(l), Some((_, cat_col, _))) = (&src.long, &long) {
            blank_named.push((*cat_col, l.category_column.as_str()));
        }
        blank_named.retain(|(c, _)| t.headers()[*c].trim().is_empty());
        let mut read_rows = || -> Result<(), SourceError> {
            for row in t.rows() {
                for c in 0..ncols {
                    let cell = row.str(c);
                    if cell.len() > limits.cell_chars && cell.chars().count() > limits.cell_chars {
                        return Err(row.error(
                            c,
                            Problem::Invalid(format!(
                                "a cell over {} characters",
                                limits.cell_chars
                            )),
                        ));
                    }
                }
                if filters.iter().any(|(c, v)| row.str(*c).trim() != *v) {
                    continue;
                }
                // Rows placed nowhere (DfE's `z`).
                if fixed_area.is_none()
                    && !src.skip_codes.is_empty()
                    && src.skip_codes.iter().any(|c| c == row.str(key_col).trim())
                {
                    continue;
                }
                // The area: the sheet's, or the row's.
                let mut at_point = None;
                let (area, nation) = match &fixed_area {
                    Some(a) => a.clone(),
                    // A located row: its position, well formed; placed
                    // (and its nation known) in `place`.
                    None if located => {
                        let here = if src.geography == Geography::Postcode {
                            let raw = row.str(key_col).trim();
                            let p = stemgap_core::Postcode::parse(raw)
                                .map_err(|e| row.error(key_col, Problem::Invalid(e.to_string())))?;
                            Located::Postcode(p)
                        } else {
                            let lat_col = lat_col.expect("validated: a point has a latitude");
                            Located::Point(
                                degrees(&row, key_col, "longitude", 180.0)?,
                                degrees(&row, lat_col, "latitude", 90.0)?,
                            )
                        };
                        at_point = Some((here, row.location(key_col)));
                        (String::new(), *covered.first().expect("validated: nations"))
                    }
                    None => {
                        let raw = row.str(key_col).trim();
                        if src.extra_header_rows > 0 && raw == "---" {
                            continue;
                        }
                        match src.geography {
                            Geography::Pcon2024 | Geography::Pcon2010 => {
                                let set = src.geography.seat_set().expect("a seat geography");
                                let code = if src.short_codes {
                                    reg.short_code_cell(&row, key_col)?
                                } else if src.code_column.is_some() {
                                    reg.seat_code(set, &row, key_col)?
                                } else {
                                    reg.seat_by_name(set, raw).ok_or_else(|| {
                                        row.error(
                                            key_col,
                                            Problem::UnknownCode(format!(
                                                "{raw:?}: not the name of a seat of the {} set",
                                                set.id()
                                            )),
                                        )
                                    })?
                                };
                                let nation = reg.seat(set, code).expect("checked").nation;
                                (code.to_string(), nation)
                            }
                            Geography::Lad => {
                                let code = if src.code_column.is_some() {
                                    let code = row.code(key_col)?;
                                    let known = lad_codes.contains(code.as_str())
                                        || crate::indicators::successor(
                                            code.as_str(),
                                            BoundarySet::Pcon2024,
                                        ) != code.as_str();
                                    if !known {
                                        return Err(row.error(
                                            key_col,
                                            Problem::UnknownCode(format!(
                                                "{:?}: not a local authority stemgap knows",
                                                code.as_str()
                                            )),
                                        ));
                                    }
                                    code.to_string()
                                } else {
                                    lad_names
                                        .get(&stemgap_geography::registry::name_key(raw))
                                        .cloned()
                                        .ok_or_else(|| {
                                            row.error(
                                                key_col,
                                                Problem::UnknownCode(format!(
                                        "{raw:?}: not the name of a local authority stemgap knows"
                                    )),
                                            )
                                        })?
                                };
                                let nation = GssCode::parse(&code)
                                    .ok()
                                    .and_then(|c| c.nation())
                                    .unwrap_or(Nation::England);
                                (code, nation)
                            }
                            Geography::Lsoa11 | Geography::Dz11 | Geography::Soa01 => {
                                let kind = src.geography.small_area_kind().expect("a small area");
                                let ok = stemgap_geography::apportion::is_small_area_of(raw, kind)
                                    && reg.small_areas.contains_key(raw);
                                if !ok {
                                    let what = match src.geography {
                                        Geography::Lsoa11 => "an LSOA 2011 of England or Wales",
                                        Geography::Dz11 => "a data zone 2011 of Scotland",
                                        _ => "a super output area 2001 of Northern Ireland",
                                    };
                                    return Err(row.error(
                                        key_col,
                                        Problem::UnknownCode(format!("{raw:?}: not {what}")),
                                    ));
                                }
                                (raw.to_owned(), reg.small_areas[raw])
                            }
                            Geography::Msoa21 => {
                                let code = GssCode::parse(raw)
                                    .ok()
                                    .filter(|c| matches!(c.entity(), "E02" | "W02"))
                                    .ok_or_else(|| {
                                        row.error(
                                            key_col,
                                            Problem::UnknownCode(format!(
                                                "{raw:?}: not an MSOA 2021 code of England or Wales (E02 or W02)"
                                            )),
                                        )
                                    })?;
                                let name_col = msoa_name_col.expect("validated: a name column");
                                let name = row.str(name_col).trim();
                                match msoa_index.get(code.as_str()) {
                                    Some(&i) if msoas[i].name != name => {
                                        return Err(row.error(
                                            name_col,
                                            Problem::Invalid(format!(
                                                "MSOA {code} is {name:?} here and {:?} in an earlier row",
                                                msoas[i].name
                                            )),
                                        ))
                                    }
                                    Some(_) => {}
                                    None => {
                                        msoa_index.insert(code.to_string(), msoas.len());
                                        msoas.push(crate::indicators::msoa::Msoa {
                                            code,
                                            name: name.to_owned(),
                                            at: row.location(name_col),
                                        });
                                    }
                                }
                                let nation = code.nation().expect("E02 and W02 have a nation");
                                (code.to_string(), nation)
                            }
                            Geography::Postcode | Geography::Point => {
                                unreachable!("located rows are read above")
                            }
                        }
                    }
                };
                if !covered.contains(&nation) && !located {
                    if src.other_nations == super::OtherNations::Skip {
                        continue;
                    }
                    return Err(row.error(
                        key_col,
                        Problem::Invalid(format!(
                            "{area} is in {nation}, which the recipe does not cover (nations: {})",
                            covered
                                .iter()
                                .map(|n| n.id())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    ));
                }
                // The period.
                let row_period = match (&src.period.fixed, period_col) {
                    (Some(p), _) => Some(p.clone()),
                    (None, Some(c)) => {
                        let s = row.str(c).trim();
                        let p = if src.period.academic {
                            academic(s).ok_or_else(|| {
                                row.error(
                                    c,
                                    Problem::Invalid(format!(
                                        "expected an academic year like 202122, found {s:?}"
                                    )),
                                )
                            })?
                        } else if !src.period.map.is_empty() {
                            match src.period.map.get(s) {
                                Some(p) => p.clone(),
                                // Left out as written.
                                None if src.period.exclude.iter().any(|e| e == s) => continue,
                                None => {
                                    return Err(row.error(
                                        c,
                                        Problem::Invalid(format!(
                                        "the period {s:?} is not in the recipe's period.map ({}{})",
                                        src.period
                                            .map
                                            .keys()
                                            .take(10)
                                            .map(|k| format!("{k:?}"))
                                            .collect::<Vec<_>>()
                                            .join(", "),
                                        if src.period.map.len() > 10 { ", …" } else { "" }
                                    )),
                                    ))
                                }
                            }
                        } else if s.is_empty() || s.len() > 20 {
                            return Err(
                                row.error(c, Problem::Invalid(format!("{s:?} is not a period")))
                            );
                        } else {
                            s.to_owned()
                        };
                        Some(p)
                    }
                    _ => None,
                };
                if row_period
                    .as_ref()
                    .is_some_and(|p| src.period.exclude.contains(p))
                {
                    continue;
                }
                if let Some((l, cat_col, val_cols)) = &long {
                    let (cat_col, val_col) = (*cat_col, val_cols[0]);
                    let cat = row.str(cat_col).trim();
                    let Some(ci) = l.categories.iter().position(|c| c.0 == cat) else {
                        return Err(row.error(
                            cat_col,
                            Problem::Invalid(format!(
                            "unexpected category code {cat:?}: not one of the recipe's categories"
                        )),
                        ));
                    };
                    let period = row_period.expect("a fixed or column period");
                    let gi = match last_group
                        .filter(|&g| groups[g].area == area && groups[g].period == period)
                    {
                        Some(g) => g,
                        None => {
                            let key = (area.clone(), period);
                            match group_of.get(&key) {
                                Some(&g) => g,
                                None => {
                                    if !long_periods.contains(&key.1) {
                                        long_periods.push(key.1.clone());
                                    }
                                    areas_seen.insert(area.clone());
                                    groups.push(Group {
                                        area: key.0.clone(),
                                        period: key.1.clone(),
                                        nation,
                                        at: row.location(val_col),
                                        cells: vec![
                                            Cell::Value(0.0);
                                            l.categories.len() * val_cols.len()
                                        ],
                                        present: vec![false; l.categories.len()],
                                    });
                                    group_of.insert(key, groups.len() - 1);
                                    groups.len() - 1
                                }
                            }
                        }
                    };
                    last_group = Some(gi);
                    let g = &mut groups[gi];
                    if std::mem::replace(&mut g.present[ci], true) {
                        let what = match &src.period.column {
                            Some(_) => format!("{area}, {}, category {cat}", g.period),
                            None => format!("{area}, category {cat}"),
                        };
                        return Err(row.error(cat_col, Problem::Duplicate(what)));
                    }
                    let names = l.columns();
                    for (j, &col) in val_cols.iter().enumerate() {
                        let cell = marked(&l.markers, names[j], &row, col)?;
                        if let Cell::Value(x) = cell {
                            if x < 0.0 {
                                return Err(
                                    row.error(col, Problem::Invalid(format!("negative count {x}")))
                                );
                            }
                        }
                        g.cells[ci * val_cols.len() + j] = cell;
                    }
                    continue;
                }
                // Located rows are not unique by area: by their id, if any.
                if let (true, Some(c)) = (located, id_col) {
                    let id = row.str(c).trim();
                    if id.is_empty() {
                        return Err(row.error(c, Problem::Invalid("an empty id".into())));
                    }
                    if !seen.insert((id.to_owned(), row_period.clone().unwrap_or_default())) {
                        return Err(row.error(
                            c,
                            Problem::Duplicate(match &row_period {
                                Some(p) => format!("id {id:?}, {p}"),
                                None => format!("id {id:?}"),
                            }),
                        ));
                    }
                }
                let dup_key = (area.clone(), row_period.clone().unwrap_or_default());
                if !located && !seen.insert(dup_key) {
                    return Err(row.error(
                        key_col,
                        Problem::Duplicate(match &row_period {
                            Some(p) => format!("{area}, {p}"),
                            None => area.clone(),
                        }),
                    ));
                }
                areas_seen.insert(area.clone());
                let mut values = Vec::with_capacity(reads.len());
                for (i, (ind, r)) in recipe.indicators.iter().zip(&reads).enumerate() {
                    let mut v = Vec::new();
                    // A located row's nation is known once placed.
                    if !located && !nations[i].contains(&nation) {
                        values.push(v);
                        continue;
                    }
                    let mut add = |p: &str, value: Value, at: Location| {
                        if !periods[i].iter().any(|q| q == p) {
                            periods[i].push(p.to_owned());
                        }
                        v.push((p.to_owned(), value, at));
                    };
                    match r {
                        Reads::Years(years) => {
                            for (col, year) in years {
                                let cell = as_share(
                                    ind,
                                    marked_cell(ind, &row, *col)?,
                                    &row.location(*col),
                                )?;
                                if let Cell::Value(x) = cell {
                                    check_value(ind, x, false, &row.location(*col))?;
                                }
                                add(year, Value::Cell(cell), row.location(*col));
                            }
                        }
                        Reads::One(col) => {
                            let cell =
                                as_share(ind, marked_cell(ind, &row, *col)?, &row.location(*col))?;
                            if let Cell::Value(x) = cell {
                                check_value(ind, x, false, &row.location(*col))?;
                            }
                            let p = row_period.as_deref().expect("a row period");
                            add(p, Value::Cell(cell), row.location(*col));
                        }
                        Reads::Sum(plus, minus) => {
                            let mut total = 0.0;
                            for c in plus {
                                total += row.number(*c)?;
                            }
                            let mut less = 0.0;
                            for c in minus {
                                less += row.number(*c)?;
                            }
                            let x = if minus.is_empty() {
                                total
                            } else {
                                total - less
                            };
                            let at = row.location(plus[0]);
                            check_value(ind, x, !minus.is_empty() || plus.len() > 1, &at)?;
                            let p = row_period.as_deref().expect("a row period");
                            add(p, Value::Cell(Cell::Value(x)), at);
                        }
                        Reads::Categories => unreachable!("long tables are read above"),
                        Reads::Ratio(n, dn) => {
                            // Each side summed; a withheld part withholds the sum.
                            let side = |cols: &[usize]| -> Result<Cell, SourceError> {
                                let mut total: Option<Cell> = None;
                                for &c in cols {
                                    let cell = marked_cell(ind, &row, c)?;
                                    if let Cell::Value(x) = cell {
                                        if x < 0.0 {
                                            return Err(row.error(
                                                c,
                                                Problem::Invalid(format!("count {x} is negative")),
                                            ));
                                        }
                                    }
                                    total = Some(match (total, cell) {
                                        (None, cell) => cell,
                                        (Some(Cell::Value(a)), Cell::Value(b)) => {
                                            Cell::Value(a + b)
                                        }
                                        (Some(Cell::Value(_)), missing) => missing,
                                        (Some(missing), _) => missing,
                                    });
                                }
                                Ok(total.expect("at least one column"))
                            };
                            let (num, den) = (side(n)?, side(dn)?);
                            let n = &n[0];
                            if let (Cell::Value(a), Cell::Value(b)) = (num, den) {
                                if b > 0.0 && src.geography.seat_set().is_some() {
                                    check_value(ind, a / b, true, &row.location(*n))?;
                                }
                                if a > b && matches!(ind.unit, Unit::Share | Unit::Rate) {
                                    return Err(row.error(
                                    *n,
                                    Problem::Invalid(format!(
                                        "numerator {a} is above the denominator {b}: a share must lie in 0..1"
                                    )),
                                ));
                                }
                            }
                            let p = row_period.as_deref().expect("a row period");
                            add(p, Value::Ratio(num, den), row.location(*n));
                        }
                    }
                    values.push(v);
                }
                rows.push(ReadRow {
                    area,
                    nation,
                    located: at_point,
                    values,
                });
            }
            Ok(())
        };
        read_rows().map_err(|mut e| {
            if let [(_, name)] = blank_named[..] {
                if e.location.column.as_deref() == Some("") {
                    e.location.column = Some(name.to_owned());
                }
            }
            e
        })?;
        end_loc = if src.sheets.is_some() {
            Location::file(d.file)
        } else {
            t.location().clone()
        };
    }
    if let Some(l) = &src.long {
        // Each indicator's numerator and denominator cells, found once.
        let sums: Vec<(Vec<usize>, Vec<usize>)> = recipe
            .indicators
            .iter()
            .map(|ind| {
                let num: Vec<&str> = ind.categories.iter().map(|c| c.0.as_str()).collect();
                let den = if ind.counts_categories() {
                    Vec::new()
                } else {
                    cell_indices(l, &l.denominator(ind))
                };
                (cell_indices(l, &num), den)
            })
            .collect();
        let columns = l.columns().len();
        // Areas in code order, then periods.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by(|&a, &b| {
            (&groups[a].area, &groups[a].period).cmp(&(&groups[b].area, &groups[b].period))
        });
        for g in order.iter().map(|&i| &groups[i]) {
            let (area, period) = (&g.area, &g.period);
            if let Some(c) = g
                .present
                .iter()
                .position(|p| !p)
                .filter(|_| l.every_category)
            {
                return Err(invalid(
                    g.at.clone(),
                    format!(
                        "{} {area} has no row for category {}",
                        area_word(src.geography),
                        l.categories[c].0
                    ),
                ));
            }
            let mut values = Vec::with_capacity(recipe.indicators.len());
            for (i, ind) in recipe.indicators.iter().enumerate() {
                if !nations[i].contains(&g.nation) {
                    values.push(Vec::new());
                    continue;
                }
                if ind.counts_categories() {
                    // With `every_category = false`, an area with no row
                    // for any of the categories has no figure.
                    if !sums[i].0.iter().any(|&k| g.present[k / columns]) {
                        values.push(Vec::new());
                        continue;
                    }
                    let v = count_categories(g, &sums[i].0, ind.suppressed_range);
                    values.push(vec![(period.clone(), v, g.at.clone())]);
                    continue;
                }
                let num = sum_categories(g, &sums[i].0);
                let den = sum_categories(g, &sums[i].1);
                if let (Cell::Value(a), Cell::Value(b)) = (num, den) {
                    if b > 0.0 && src.geography.seat_set().is_some() {
                        check_value(ind, a / b, true, &g.at)?;
                    }
                }
                values.push(vec![(period.clone(), Value::Ratio(num, den), g.at.clone())]);
            }
            rows.push(ReadRow {
                area: area.clone(),
                nation: g.nation,
                located: None,
                values,
            });
        }
        for (i, ps) in periods.iter_mut().enumerate() {
            ps.extend(
                long_periods
                    .iter()
                    .filter(|p| rows.iter().any(|r| r.values[i].iter().any(|v| &v.0 == *p)))
                    .cloned(),
            );
        }
    }
    if src.skip_empty_periods {
        for (i, ind) in recipe.indicators.iter().enumerate() {
            let published: BTreeSet<String> = rows
                .iter()
                .flat_map(|r: &ReadRow| r.values[i].iter())
                .filter(|(_, v, _)| *v != Value::Cell(Cell::Missing(Marker::Blank)))
                .map(|(p, _, _)| p.clone())
                .collect();
            periods[i].retain(|p| published.contains(p));
            if periods[i].is_empty() {
                let col = ind.columns_prefix.clone().unwrap_or_else(|| ind.id.clone());
                return Err(invalid(
                    end_loc.at_column(col),
                    "no published year for this measure",
                ));
            }
            for r in &mut rows {
                r.values[i].retain(|(p, _, _)| published.contains(p));
            }
        }
    }
    if rows.is_empty() {
        return Err(invalid(
            end_loc.clone(),
            if src.filter.is_empty() {
                "no data rows".to_owned()
            } else {
                "no data rows pass the recipe's filter".to_owned()
            },
        ));
    }
    // Located rows: `complete` says the list holds every such thing (a
    // seat without one has a real zero), not that every area has a row.
    if src.complete && !located {
        let missing = match src.geography {
            Geography::Pcon2024 | Geography::Pcon2010 => {
                let set = src.geography.seat_set().expect("a seat geography");
                reg.seats(set)
                    .iter()
                    .find(|s| covered.contains(&s.nation) && !areas_seen.contains(s.code.as_str()))
                    .map(|s| format!("seat {} {}", s.code, s.name))
            }
            Geography::Lsoa11 | Geography::Dz11 | Geography::Soa01 => {
                let kind = src.geography.small_area_kind().expect("a small area");
                let mut v: Vec<&String> = reg
                    .small_areas
                    .iter()
                    .filter(|(c, n)| {
                        stemgap_geography::apportion::is_small_area_of(c, kind)
                            && covered.contains(n)
                            && !areas_seen.contains(c.as_str())
                    })
                    .map(|(c, _)| c)
                    .collect();
                v.sort();
                let word = match src.geography {
                    Geography::Lsoa11 => "small area",
                    Geography::Dz11 => "data zone",
                    _ => "super output area",
                };
                v.first().map(|c| format!("{word} {c}"))
            }
            Geography::Msoa21 => unreachable!("validated: msoa21 recipes are not complete"),
            Geography::Lad => reg
                .areas
                .iter()
                .filter(|a| a.kind == AreaKind::Lad23)
                .filter(|a| a.nation.is_some_and(|n| covered.contains(&n)))
                .find(|a| !areas_seen.contains(&a.code))
                .map(|a| format!("local authority {} {}", a.code, a.name)),
            Geography::Postcode | Geography::Point => unreachable!("located rows are not areas"),
        };
        if let Some(m) = missing {
            return Err(invalid(
                end_loc.clone(),
                format!("no row for {m} (truncated file?)"),
            ));
        }
    }
    Ok(Parsed {
        rows,
        periods,
        location: end_loc.clone(),
        msoas,
    })
}

/// The indicator definitions a recipe gives, after its file was read.
pub fn definitions(d: &Declared<'_>, parsed: &Parsed) -> Vec<IndicatorDef> {
    let src = &d.recipe.source;
    let sources: Vec<String> = match src.geography {
        Geography::Pcon2024 | Geography::Pcon2010 => vec![src.id.clone()],
        Geography::Lad => with_share_sources(&src.id)
            .iter()
            .map(|s| s.to_string())
            .collect(),
        // mySociety's small-area lookups hold the LSOAs, data zones and
        // NI SOAs alike: overlap for 2024 seats, best fit for 2010-2024.
        Geography::Lsoa11 | Geography::Dz11 | Geography::Soa01 => vec![
            src.id.clone(),
            "small_area11_to_pcon2024_overlap_mysociety".into(),
            "small_area11_to_pcon2010_bestfit_postcodes".into(),
        ],
        Geography::Msoa21 => std::iter::once(src.id.clone())
            .chain(
                crate::indicators::msoa::PLACEMENT_SOURCES
                    .iter()
                    .map(|s| s.to_string()),
            )
            .collect(),
        Geography::Postcode => vec![
            src.id.clone(),
            POSTCODE_LOOKUP.into(),
            "pcon2024_to_pcon2010_overlap_mysociety".into(),
        ],
        Geography::Point => vec![
            src.id.clone(),
            "pcon2010set_dec2022_uk_bgc".into(),
            "pcon2024_uk_bgc".into(),
        ],
    };
    // Located rows are placed exactly, as seat rows are.
    let method = if d.contributed {
        Method::Contributed
    } else if src.geography.seat_set().is_some() || src.geography.is_located() {
        Method::Measured
    } else {
        Method::Apportioned
    };
    d.recipe
        .indicators
        .iter()
        .zip(&parsed.periods)
        .map(|(ind, periods)| {
            let mut sources = sources.clone();
            if ind.per_1000_of.is_some() {
                sources.push("mid2022_population_single_year_age_pcon2024".into());
            }
            let period = match (&src.period.fixed, periods.first(), periods.last()) {
                (Some(p), _, _) => p.clone(),
                (None, Some(a), Some(b))
                    if (src.period.columns_prefix.is_some() || ind.columns_prefix.is_some())
                        && a != b =>
                {
                    format!("{a}-{b}")
                }
                (None, Some(a), Some(_))
                    if src.period.columns_prefix.is_some() || ind.columns_prefix.is_some() =>
                {
                    a.clone()
                }
                (None, Some(_), Some(_)) => {
                    let mut sorted = periods.clone();
                    sorted.sort();
                    if sorted.len() > 1 {
                        format!("{}-{}", sorted[0], sorted[sorted.len() - 1])
                    } else {
                        sorted[0].clone()
                    }
                }
                _ => String::new(),
            };
            let mut caveats = ind.caveats.clone();
            if d.contributed {
                let by = format!(
                    "Contributed by {} under {} through `stemgap contribute`; not a catalogued public source.",
                    src.contributor.as_deref().unwrap_or("an unnamed contributor"),
                    src.licence.as_deref().unwrap_or("an unstated licence")
                );
                caveats = format!("{by} {caveats}").trim().to_owned();
            }
            match src.geography {
                _ if !src.method_caveat => {}
                Geography::Lad => caveats = format!(
                    "{caveats} Shared out from local authorities to seats by the share of each authority's population living in the seat (earlier districts carried forward to the 2023 authorities), which assumes the same rate across the authority."
                ).trim().to_owned(),
                Geography::Lsoa11 => caveats = format!(
                    "{caveats} Carried from LSOAs (2011) to seats by the small areas' population in each seat (2024 seats: mySociety's overlap; 2010-2024 seats: postcode best fit)."
                ).trim().to_owned(),
                Geography::Dz11 => caveats = format!(
                    "{caveats} Carried from data zones (2011) to seats by the data zones' population in each seat (2024 seats: mySociety's small-area overlap; 2010-2024 seats: mySociety's postcode best fit, each data zone whole in one seat)."
                ).trim().to_owned(),
                Geography::Soa01 => caveats = format!(
                    "{caveats} Carried from Northern Ireland super output areas (2001) to seats by the areas' population in each seat (2024 seats: mySociety's small-area overlap; 2010-2024 seats: mySociety's postcode best fit, each area whole in one seat)."
                ).trim().to_owned(),
                Geography::Msoa21 => caveats = format!(
                    "{caveats} {MSOA_METHOD}"
                ).trim().to_owned(),
                Geography::Postcode => caveats = format!(
                    "{caveats} Each row placed in the 2024 seat of its postcode (mySociety's GB range lookup), and in a 2010-2024 seat only when that 2024 seat lies wholly (99% of its population) in one; rows in a split seat widen the upper bound of each 2010-2024 seat they could be in.{}",
                    completeness(src.complete)
                ).trim().to_owned(),
                Geography::Point => caveats = format!(
                    "{caveats} Each row placed by its coordinates in the seat of each boundary set containing it (generalised boundaries).{}",
                    completeness(src.complete)
                ).trim().to_owned(),
                _ => {}
            }
            IndicatorDef {
                id: ind.id.clone(),
                title: ind.title.clone(),
                definition: ind.definition.clone(),
                unit: ind.unit.id().to_owned(),
                direction: Direction::from(ind.direction),
                sources,
                period,
                nations: ind.nations(),
                method,
                caveats,
            }
        })
        .collect()
}

/// How MSOA 2021 rows are carried to seats (the built-in MSOA sources'
/// placement); the routes of the file's MSOAs follow it in the caveats.
const MSOA_METHOD: &str = "Apportioned from MSOA 2021 to seats as stemgap's BRES and Census TS063 figures are: each MSOA's figures are shared among seats in proportion to the mid-2019 population of its 2011 LSOAs in each seat (2010-2024 seats: best fit of whole LSOAs; 2024 seats: population overlap). An MSOA is matched by name to the 2011 MSOA of the same name (route name; alias after an authority was only renamed); MSOAs without a 2011 namesake are shared by the population of their authority's 2011 MSOAs that no MSOA of this file is named after (changed), and Welsh MSOAs by the population of their whole authority (authority). This assumes figures are spread like residents within each MSOA (or authority).";

/// The postcode range lookup's catalogue id.
pub const POSTCODE_LOOKUP: &str = "mysociety_postcode_range_to_pcon2024_gb";

/// What a located list's caveat says of seats without a row.
fn completeness(complete: bool) -> &'static str {
    if complete {
        " The list is declared complete: a seat without a row has a real zero."
    } else {
        " A seat without a row has no figure."
    }
}

/// Each 2023 authority's population, from the seat × authority overlaps.
fn authority_population(reg: &Registry) -> HashMap<String, f64> {
    let mut pop: HashMap<String, f64> = HashMap::default();
    let mut links: Vec<_> = reg.links_of(Relation::SeatToLad23).collect();
    // Summed in a fixed order: the totals do not depend on the file order.
    links.sort_by(|a, b| (&a.to, &a.from).cmp(&(&b.to, &b.from)));
    for l in links {
        *pop.entry(l.to.clone()).or_default() += l.population.unwrap_or(0.0);
    }
    pop
}

/// Places a read file on seats: definitions, then observations.
///
/// Seat rows are stored as they are. Authority and small-area rows go
/// through `to_seats` (the one apportioner): counts shared by population;
/// means as population-weighted means (value × population and population
/// shared, then divided); ratios from the shared numerator and
/// denominator. A withheld cell is never zero: with `suppressed_range` it
/// is a range and the seat figure carries bounds; without, every seat it
/// reaches has no figure (flagged with the marker).
///
/// `lad_shares`: the authority → seat population shares of the build
/// (`indicators::shares`), needed for authority rows.
pub fn place(
    d: &Declared<'_>,
    parsed: &Parsed,
    reg: &Registry,
    lad_shares: Option<&[(BoundarySet, Shares); 2]>,
    out: &mut Collector,
) -> Result<Placed, SourceError> {
    let given = Given {
        lad_shares: lad_shares.map(|s| &s[..]),
        ..Given::default()
    };
    place_with(d, parsed, reg, given, out)
}

/// A seat population by boundary set: `indicators::denominators`' answer.
pub type Population = HashMap<BoundarySet, HashMap<GssCode, f64>>;

/// What placing a declared file takes from the rest of a build.
#[derive(Clone, Copy, Default)]
pub struct Given<'a> {
    /// The authority → seat population shares (`indicators::shares`),
    /// needed for authority rows.
    pub lad_shares: Option<&'a [(BoundarySet, Shares)]>,
    /// The populations `per_1000_of` names, already on both boundary sets
    /// (`indicators::denominators`): a build's job that runs apart from the
    /// population's collector is given them here. A population not given
    /// is read from the collector placed into.
    pub populations: &'a [(&'a str, &'a Population)],
    /// Each set's seat map (point in polygon), needed for rows located by
    /// coordinates (`geography = "point"`).
    pub seat_maps: Option<&'a [SeatMap]>,
    /// The decoded GB postcode range lookup (`stemgap_geography::postcodes`),
    /// needed for rows located by postcode.
    pub postcode_ranges: Option<&'a [(u64, Option<String>)]>,
    /// The MSOA 2021 placement of the built-in MSOA sources, with its
    /// lookups (`indicators::msoa_placer`), needed for MSOA 2021 rows.
    pub msoa: Option<&'a crate::indicators::msoa::MsoaPlacer>,
}

impl std::fmt::Debug for Given<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Given")
            .field("lad_shares", &self.lad_shares.map(<[_]>::len))
            .field("populations", &self.populations.len())
            .field("seat_maps", &self.seat_maps.map(<[_]>::len))
            .field("postcode_ranges", &self.postcode_ranges.map(<[_]>::len))
            .field("msoa", &self.msoa.is_some())
            .finish()
    }
}

/// [`place`], with what the build gives ([`Given`]).
pub fn place_with(
    d: &Declared<'_>,
    parsed: &Parsed,
    reg: &Registry,
    given: Given<'_>,
    out: &mut Collector,
) -> Result<Placed, SourceError> {
    let src = &d.recipe.source;
    // MSOA 2021 rows are placed first: their routes go into the caveats.
    let msoa_placed = match src.geography {
        Geography::Msoa21 => {
            let placer = given.msoa.ok_or_else(|| {
                invalid(
                    parsed.location.clone(),
                    "MSOA 2021 rows need the MSOA placement's lookups (the small areas' names, authorities and population) of a build",
                )
            })?;
            let placed = placer.place(&parsed.msoas)?;
            tracing::info!(
                source = %src.id,
                routes = %placed.route_text(),
                "MSOA 2021 rows placed"
            );
            Some(placed)
        }
        _ => None,
    };
    let mut defs = definitions(d, parsed);
    // The routes are the file's own: stated even with `method_caveat =
    // false` (the contributor cannot know them).
    if let Some(p) = &msoa_placed {
        for def in &mut defs {
            def.caveats = format!("{} {}", def.caveats, p.route_text())
                .trim()
                .to_owned();
        }
    }
    let method = defs.first().map_or(Method::Measured, |d| d.method);
    for def in defs {
        out.define(def);
    }
    let mut placed = Placed::default();
    if src.geography.is_located() {
        super::located::place(d, parsed, reg, given, method, &mut placed, out)?;
        return Ok(placed);
    }
    let mut count = |id: &str, period: &str, set: BoundarySet, seat: GssCode, has: bool| {
        let nation = seat.nation().unwrap_or(Nation::England);
        let e = placed
            .seats
            .entry((id.to_owned(), period.to_owned(), set, nation))
            .or_default();
        if has {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    };
    // Populations for `per_1000_of` (mid-2022, both sets): given, or
    // read from the collector (converted to the 2010 seats there, once).
    let mut per: BTreeMap<&str, std::borrow::Cow<'_, Population>> = BTreeMap::new();
    for ind in &d.recipe.indicators {
        if let Some(p) = ind.per_1000_of.as_deref() {
            if !per.contains_key(p) {
                let pop = match given.populations.iter().find(|(id, _)| *id == p) {
                    Some((_, pop)) => std::borrow::Cow::Borrowed(*pop),
                    None => std::borrow::Cow::Owned(crate::indicators::denominators(reg, out, p)?),
                };
                per.insert(p, pop);
            }
        }
    }
    // The seat's population for a rate per 1,000 (`x / p * 1000`).
    let rate = |ind: &IndicatorSpec,
                set: BoundarySet,
                seat: GssCode|
     -> Result<Option<f64>, SourceError> {
        let Some(p) = ind.per_1000_of.as_deref() else {
            return Ok(None);
        };
        match per[p].get(&set).and_then(|m| m.get(&seat)) {
            Some(&v) if v > 0.0 => Ok(Some(v)),
            _ => Err(invalid(
                parsed.location.clone(),
                format!("seat {seat} has no {p} to make {} a rate of", ind.id),
            )),
        }
    };
    // A count and its bounds (value, lower, upper; the value the
    // midpoint) as a rate per 1,000 of `p` (the count itself without one).
    let per_1000 = |b: Bounds, p: Option<f64>| {
        let r = |x: f64| match p {
            Some(p) => x / p * 1000.0,
            None => x,
        };
        (r((b.lo + b.hi) / 2.0), r(b.lo), r(b.hi))
    };
    if let Some(set) = src.geography.seat_set() {
        for row in &parsed.rows {
            let code = GssCode::parse(&row.area).expect("a checked seat code");
            for (ind, values) in d.recipe.indicators.iter().zip(&row.values) {
                for (period, value, at) in values {
                    let cell = match *value {
                        Value::Cell(c) => c,
                        Value::Ratio(Cell::Value(a), Cell::Value(b)) => {
                            crate::indicators::share(a, b)
                        }
                        Value::Ratio(Cell::Missing(m), _) | Value::Ratio(_, Cell::Missing(m)) => {
                            Cell::Missing(m)
                        }
                        Value::Range(b) => {
                            // A count with suppressed parts: its interval.
                            let v = per_1000(b, rate(ind, set, code)?);
                            count(&ind.id, period, set, code, true);
                            out.push_bounded(set, code, &ind.id, period, v, method, &src.id, at)?;
                            continue;
                        }
                    };
                    let cell = match (cell, rate(ind, set, code)?) {
                        (Cell::Value(v), p @ Some(_)) => {
                            Cell::Value(per_1000(Bounds { lo: v, hi: v }, p).1)
                        }
                        (c, _) => c,
                    };
                    count(&ind.id, period, set, code, matches!(cell, Cell::Value(_)));
                    out.push(set, code, &ind.id, period, cell, method, &src.id, at)?;
                }
            }
        }
        return Ok(placed);
    }
    let small_areas;
    let (shares, pop): (&[(BoundarySet, Shares)], HashMap<String, f64>) = match src.geography {
        Geography::Lsoa11 | Geography::Dz11 | Geography::Soa01 => {
            let kind = src.geography.small_area_kind().expect("a small area");
            let (s, pop) = small_area_shares(reg, kind);
            small_areas = s;
            (&small_areas[..], pop)
        }
        Geography::Msoa21 => {
            small_areas = msoa_placed.expect("placed above").shares;
            // Means are refused for MSOA rows (validated): no population.
            (&small_areas[..], HashMap::default())
        }
        Geography::Lad => (
            given.lad_shares.ok_or_else(|| {
                invalid(
                    parsed.location.clone(),
                    "local-authority rows need the authority → seat shares of a build",
                )
            })?,
            // Only means are weighted by the authorities' populations.
            if d.recipe
                .indicators
                .iter()
                .any(|i| i.aggregation() == Aggregation::Mean)
            {
                authority_population(reg)
            } else {
                HashMap::default()
            },
        ),
        _ => unreachable!("seat geographies are placed above"),
    };
    let at = &parsed.location;
    for (i, ind) in d.recipe.indicators.iter().enumerate() {
        let agg = ind.aggregation();
        let nations = ind.nations();
        for period in &parsed.periods[i] {
            // Area → (numerator, denominator) bounds; areas withheld.
            let mut num: BTreeMap<String, Bounds> = BTreeMap::new();
            let mut den: BTreeMap<String, Bounds> = BTreeMap::new();
            let mut withheld: BTreeMap<String, Marker> = BTreeMap::new();
            let bounds = |c: Cell, area: &str, withheld: &mut BTreeMap<String, Marker>| match c {
                Cell::Value(v) => Some(Bounds { lo: v, hi: v }),
                Cell::Missing(m) => match ind.suppressed_range {
                    Some([lo, hi]) => Some(Bounds { lo, hi }),
                    None => {
                        withheld.insert(area.to_owned(), m);
                        None
                    }
                },
            };
            for row in &parsed.rows {
                let Some((_, value, vat)) = row.values[i].iter().find(|(p, _, _)| p == period)
                else {
                    continue;
                };
                match (agg, *value) {
                    (Aggregation::Sum, Value::Range(b)) => {
                        num.insert(row.area.clone(), b);
                    }
                    (_, Value::Range(_)) => unreachable!("validated: ranges are counts, summed"),
                    (Aggregation::Sum, Value::Cell(c)) => {
                        if let Some(b) = bounds(c, &row.area, &mut withheld) {
                            num.insert(row.area.clone(), b);
                        }
                    }
                    (Aggregation::Mean, Value::Cell(c)) => {
                        let area_key = match src.geography {
                            Geography::Lad => {
                                crate::indicators::successor(&row.area, BoundarySet::Pcon2024)
                                    .to_owned()
                            }
                            _ => row.area.clone(),
                        };
                        if area_key != row.area && src.geography == Geography::Lad {
                            return Err(invalid(
                                vat.clone(),
                                format!(
                                    "{}: a mean cannot be carried from an authority abolished in the 2019-2023 reorganisations; give the 2023 authorities",
                                    row.area
                                ),
                            ));
                        }
                        let p = pop
                            .get(&row.area)
                            .copied()
                            .filter(|p| *p > 0.0)
                            .ok_or_else(|| {
                                invalid(
                                    vat.clone(),
                                    format!(
                                        "{}: no population known to weight a mean by",
                                        row.area
                                    ),
                                )
                            })?;
                        if let Cell::Value(v) = c {
                            num.insert(
                                row.area.clone(),
                                Bounds {
                                    lo: v * p,
                                    hi: v * p,
                                },
                            );
                            den.insert(row.area.clone(), Bounds { lo: p, hi: p });
                        } else if let Cell::Missing(m) = c {
                            withheld.insert(row.area.clone(), m);
                        }
                    }
                    (_, Value::Ratio(a, b)) => {
                        let (x, y) = (
                            bounds(a, &row.area, &mut withheld),
                            bounds(b, &row.area, &mut withheld),
                        );
                        if let (Some(x), Some(y)) = (x, y) {
                            num.insert(row.area.clone(), x);
                            den.insert(row.area.clone(), y);
                        }
                    }
                    (_, Value::Cell(_)) => unreachable!("validated: a ratio has two columns"),
                }
            }
            for (set, shares) in shares {
                // The apportioner names an area without shares as an
                // authority; say "small area" for LSOA rows.
                let spread = |m: &BTreeMap<String, Bounds>| {
                    to_seats(m, *set, shares, at).map_err(|mut e| {
                        if src.geography != Geography::Lad {
                            if let Problem::UnknownCode(t) = &mut e.problem {
                                *t = t.replace("a local authority", area_word_a(src.geography));
                            }
                        }
                        e
                    })
                };
                let seats_num = spread(&num)?;
                let seats_den = if den.is_empty() {
                    BTreeMap::new()
                } else {
                    spread(&den)?
                };
                // Seats a withheld area reaches have no figure.
                let mut blocked: BTreeMap<GssCode, Marker> = BTreeMap::new();
                for (area, m) in &withheld {
                    let key = match src.geography {
                        Geography::Lad => crate::indicators::successor(area, *set).to_owned(),
                        _ => area.clone(),
                    };
                    for (seat, _) in shares.get(&key).map_or(&[][..], Vec::as_slice) {
                        blocked.entry(*seat).or_insert(*m);
                    }
                }
                let mut all: BTreeSet<GssCode> = seats_num.keys().copied().collect();
                all.extend(blocked.keys().copied());
                for seat in all {
                    if !seat.nation().is_some_and(|n| nations.contains(&n)) {
                        continue;
                    }
                    if let Some(m) = blocked.get(&seat) {
                        count(&ind.id, period, *set, seat, false);
                        out.push(
                            *set,
                            seat,
                            &ind.id,
                            period,
                            Cell::Missing(*m),
                            method,
                            &src.id,
                            at,
                        )?;
                        continue;
                    }
                    let n = seats_num[&seat];
                    let value = match agg {
                        Aggregation::Sum => Some(per_1000(n, rate(ind, *set, seat)?)),
                        Aggregation::Mean | Aggregation::Ratio => {
                            let dn = seats_den.get(&seat).copied().unwrap_or_default();
                            ratio(n, dn)
                        }
                    };
                    let always = ind.interval == super::Interval::Always;
                    match value {
                        Some((v, lo, hi)) if lo == hi && !always => {
                            count(&ind.id, period, *set, seat, true);
                            out.push(
                                *set,
                                seat,
                                &ind.id,
                                period,
                                Cell::Value(v),
                                method,
                                &src.id,
                                at,
                            )?;
                        }
                        Some(v) => {
                            count(&ind.id, period, *set, seat, true);
                            out.push_bounded(*set, seat, &ind.id, period, v, method, &src.id, at)?;
                        }
                        None => {
                            count(&ind.id, period, *set, seat, false);
                            out.push(
                                *set,
                                seat,
                                &ind.id,
                                period,
                                Cell::Missing(Marker::NotAvailable),
                                method,
                                &src.id,
                                at,
                            )?;
                        }
                    }
                }
            }
        }
    }
    Ok(placed)
}

/// `num / den` with bounds; `None` when the denominator may be zero.
pub(crate) fn ratio(num: Bounds, den: Bounds) -> Option<(f64, f64, f64)> {
    if den.lo <= 0.0 {
        return None;
    }
    let v = ((num.lo + num.hi) / 2.0) / ((den.lo + den.hi) / 2.0);
    if num.lo == num.hi && den.lo == den.hi {
        return Some((v, v, v));
    }
    Some((v, (num.lo / den.hi).min(v), (num.hi / den.lo).max(v)))
}

/// A catalogued source with a built-in recipe: read and placed (seat
/// geographies; conversion to the other set happens after, like every
/// measured figure).
pub fn collect_builtin(
    inputs: &Inputs<'_>,
    reg: &Registry,
    source: &str,
    out: &mut Collector,
) -> Result<(), SourceError> {
    collect_builtin_with(inputs, reg, source, Given::default(), out)
}

/// [`collect_builtin`], with what the build gives: the authority shares
/// for authority rows, the populations of rates per 1,000 ([`Given`]).
pub fn collect_builtin_with(
    inputs: &Inputs<'_>,
    reg: &Registry,
    source: &str,
    given: Given<'_>,
    out: &mut Collector,
) -> Result<(), SourceError> {
    let recipe = super::builtin(source).expect("a built-in recipe for this source");
    let loaded = inputs.load(source)?;
    let encoding = match loaded.entry.encoding.as_deref() {
        Some("windows-1252") => Encoding::Windows1252,
        _ => Encoding::Utf8,
    };
    let file = loaded.location.file.clone();
    let d = Declared {
        recipe: &recipe,
        bytes: &loaded.bytes,
        file: &file,
        encoding,
        contributed: false,
    };
    let parsed = read_declared(&d, reg, &Limits::DEFAULT)?;
    place_with(&d, &parsed, reg, given, out)?;
    Ok(())
}

/// Every contribution, read and placed (after the catalogued sources, with
/// the build's authority shares).
pub fn collect_contributions(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    // Located rows are placed once the build has the seat maps
    // ([`collect_located_contributions`]).
    let contributions: Vec<&super::Contribution> = inputs
        .contributions()
        .iter()
        .filter(|c| !c.recipe.source.geography.is_located())
        .collect();
    // The authority shares, built again only when a contribution needs them.
    let lad_shares = if contributions
        .iter()
        .any(|c| c.recipe.source.geography == Geography::Lad)
    {
        Some(crate::indicators::shares(inputs, reg)?)
    } else {
        None
    };
    // The MSOA placement's lookups, read only when a contribution needs them.
    let msoa = if contributions
        .iter()
        .any(|c| c.recipe.source.geography == Geography::Msoa21)
    {
        Some(crate::indicators::msoa_placer(inputs, reg)?)
    } else {
        None
    };
    let mut replaced: BTreeMap<&str, &str> = BTreeMap::new();
    for c in &contributions {
        for r in c
            .recipe
            .indicators
            .iter()
            .filter_map(|i| i.replaces.as_deref())
        {
            if let Some(other) = replaced.insert(r, &c.recipe_file) {
                return Err(invalid(
                    Location::file(c.recipe_file.clone()).at_column("indicator.replaces"),
                    format!("{r}'s measure is also replaced by {other}: one contribution may replace it"),
                ));
            }
        }
    }
    for c in contributions {
        new_ids(c, out)?;
        let d = c.declared();
        let parsed = read_declared(&d, reg, &Limits::DEFAULT)?;
        let given = Given {
            lad_shares: lad_shares.as_ref().map(|s| &s[..]),
            msoa: msoa.as_ref(),
            ..Given::default()
        };
        place_with(&d, &parsed, reg, given, out)?;
    }
    Ok(())
}

/// A contribution declares new indicators: none may already be made from
/// the catalogued sources.
fn new_ids(c: &super::Contribution, out: &Collector) -> Result<(), SourceError> {
    match c
        .recipe
        .indicators
        .iter()
        .find(|i| out.definitions().iter().any(|d| d.id == i.id))
    {
        Some(ind) => Err(invalid(
            Location::file(c.recipe_file.clone()).at_column("indicator.id"),
            format!(
                "indicator {} is already made from the catalogued sources: a contribution declares a new id",
                ind.id
            ),
        )),
        None => Ok(()),
    }
}

/// The contributions whose rows are located (`postcode`, `point`), read and
/// placed with the build's seat maps and postcode lookup (`given`), after
/// every other figure (they are on both sets already, so nothing converts
/// them). Rows that could not be placed are counted in the log.
pub fn collect_located_contributions(
    inputs: &Inputs<'_>,
    reg: &Registry,
    given: Given<'_>,
    out: &mut Collector,
) -> Result<(), SourceError> {
    for c in inputs
        .contributions()
        .iter()
        .filter(|c| c.recipe.source.geography.is_located())
    {
        new_ids(c, out)?;
        let d = c.declared();
        let parsed = read_declared(&d, reg, &Limits::DEFAULT)?;
        let placed = place_with(&d, &parsed, reg, given, out)?;
        for set in BoundarySet::ALL {
            let left: Vec<_> = placed.unplaced_in(set).collect();
            if !left.is_empty() {
                tracing::warn!(
                    contribution = %c.data_file,
                    set = %set,
                    rows = left.len(),
                    first = %format!("{}: {}", left[0].0, left[0].2),
                    "rows that could not be placed are left out"
                );
            }
        }
        tracing::info!(
            contribution = %c.data_file,
            placed_2010 = placed.rows_placed[0],
            placed_2024 = placed.rows_placed[1],
            unplaced = placed.unplaced.len(),
            "located contribution placed"
        );
    }
    Ok(())
}
