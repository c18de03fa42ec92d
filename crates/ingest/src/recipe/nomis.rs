//! The Nomis reader of declared sources (`reader = "nomis"`): a Nomis
//! "report layout" export (XLSX, or the same layout as CSV), split into its
//! period blocks by [`stemgap_sources::nomis_blocks`] and turned into one
//! long table, one row per block and area row, as CSV text for the one CSV
//! path of [`super::engine::read_declared`]:
//!
//! `period` (the block's `date`, as written), one column per metadata label
//! (`industry`, `confidence`, …), `area_type` (before the colon of
//! `ladu:Cotswold`; blank if none), `area` (after it), then per measure
//! `<label>` (its number) and `<label> conf` (its confidence half-width,
//! blank when the measure has none, or when a block lacks the measure).
//!
//! Cells are written as they are in the sheet, so a suppression marker
//! (`!`, `~`, `-`, `*`) stays that marker (missing, never zero) and a number
//! is the same number. Problems the engine finds in the long table are
//! reported at the sheet's own cell ([`NomisTable::remap`]): the grid row as
//! a spreadsheet numbers it and the column's letter.

use super::engine::Parsed;
use super::records::{header, push_field};
use super::Limits;
use std::collections::{HashMap, HashSet};
use stemgap_sources::column_letters as letters;
use stemgap_sources::{
    csv_grid, nomis_blocks, Grid, GridLimits, Location, Problem, SourceError, XCell,
};

/// The long table's own columns.
pub const PERIOD: &str = "period";
pub const AREA_TYPE: &str = "area_type";
pub const AREA: &str = "area";

/// Where a long-table cell comes from in the sheet (0-based).
#[derive(Debug, Clone, Copy, PartialEq)]
enum From {
    /// A cell of the block's own rows (`date`, a metadata row).
    Cell(usize, usize),
    /// The data row's cell in this column.
    Column(usize),
    /// Nothing: the block has no such metadata row or measure.
    Absent,
}

/// A Nomis sheet as a long table, and where each of its cells is.
#[derive(Debug)]
pub struct NomisTable {
    /// The long table as CSV text: a header line, then one line per row.
    pub csv: Vec<u8>,
    /// The file and sheet (XLSX), for errors.
    pub location: Location,
    /// The long table's columns, in order.
    pub columns: Vec<String>,
    /// Each column's index.
    index: HashMap<String, usize>,
    /// Per block, per long column: where its cells are.
    blocks: Vec<Vec<From>>,
    /// Per long row (row `k` is `rows[k - 1]`): its block and grid row.
    rows: Vec<(usize, usize)>,
}

fn invalid(at: Location, why: impl Into<String>) -> SourceError {
    SourceError::new(at, Problem::Invalid(why.into()))
}

/// A value cell as the CSV path reads it: a number as Rust writes it (which
/// reads back as the same number), text as written (a marker stays that
/// marker), an empty cell blank.
fn cell_text(c: &XCell) -> std::borrow::Cow<'_, str> {
    match c {
        XCell::Empty => "".into(),
        XCell::Number(v) => v.to_string().into(),
        XCell::Text(s) => s.trim().into(),
    }
}

/// The kinds of long-table column, to refuse a label used as two.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Own,
    Metadata,
    Measure,
    Conf,
}

/// Reads a Nomis export: XLSX (a ZIP file) or CSV text. `sheet` names the
/// XLSX sheet (absent: the workbook's only sheet); a CSV file has none.
pub fn read(
    bytes: &[u8],
    file: &str,
    sheet: Option<&str>,
    limits: &Limits,
) -> Result<NomisTable, SourceError> {
    let (grid, location) = if bytes.starts_with(b"PK\x03\x04") {
        let (grid, name) = super::xlsx::sheet_grid(bytes, file, sheet, limits)?;
        (grid, Location::file(file).in_sheet(name))
    } else {
        let at = Location::file(file);
        if sheet.is_some() {
            return Err(invalid(
                at.at_column("source.sheet"),
                "the file is not an XLSX workbook (no ZIP header), so it has no sheets: a Nomis CSV export is read whole, without sheet",
            ));
        }
        let grid = csv_grid(
            bytes,
            at.clone(),
            GridLimits {
                rows: limits.rows.saturating_add(1_000),
                columns: limits.columns,
                cells: super::xlsx::MAX_CELLS as usize,
            },
        )?;
        (grid, at)
    };
    long_table(&grid, location, limits)
}

/// The grid's blocks as one long table.
fn long_table(grid: &Grid, location: Location, limits: &Limits) -> Result<NomisTable, SourceError> {
    for r in 0..grid.height() {
        let row = grid.row(r);
        if row.len() > limits.columns {
            return Err(invalid(
                location.at_row(r as u64 + 1),
                format!("{} columns; at most {} are read", row.len(), limits.columns),
            ));
        }
    }
    let blocks = nomis_blocks(grid).map_err(|e| {
        if e.problem == Problem::Invalid("no Nomis `date` block found".into()) {
            invalid(
                (*e.location).clone(),
                "not in Nomis report layout: no row starts with `date` (a Nomis export has one `date` row per period, then an `Area` header row)",
            )
        } else {
            e
        }
    })?;
    // The columns: period, each metadata label, area_type, area, then each
    // measure and its conf, in the order the blocks first give them.
    let mut kinds: HashMap<String, Kind> = HashMap::new();
    for own in [PERIOD, AREA_TYPE, AREA] {
        kinds.insert(own.to_owned(), Kind::Own);
    }
    let mut metadata: Vec<String> = Vec::new();
    let mut measures: Vec<String> = Vec::new();
    let clash = |at: Location, label: &str, kind: Kind| {
        invalid(
            at,
            format!(
                "the label {label:?} names two columns of the long table ({}): Nomis labels, `period`, `area_type`, `area` and `<measure> conf` must differ",
                match kind {
                    Kind::Own => "one of its own",
                    Kind::Metadata => "a metadata row",
                    Kind::Measure => "a measure",
                    Kind::Conf => "a measure's conf",
                }
            ),
        )
    };
    for b in &blocks {
        // Labels of this block (metadata, measures), each once.
        let (mut here, mut here_measures): (HashSet<&str>, HashSet<&str>) = Default::default();
        for ((label, _), &r) in b.metadata.iter().zip(&b.metadata_rows) {
            let at = || grid.location(r, 0);
            if !here.insert(label) {
                return Err(invalid(
                    at(),
                    format!("the block {:?} has two {label:?} rows", b.period),
                ));
            }
            match kinds.get(label) {
                Some(Kind::Metadata) => {}
                Some(k) => return Err(clash(at(), label, *k)),
                None => {
                    kinds.insert(label.clone(), Kind::Metadata);
                    metadata.push(label.clone());
                }
            }
        }
        for m in &b.measures {
            let at = || grid.location(b.header_row, m.number_col);
            let conf = format!("{} conf", m.label);
            if !here_measures.insert(&m.label) {
                return Err(invalid(
                    at(),
                    format!(
                        "the block {:?} names the measure {:?} twice",
                        b.period, m.label
                    ),
                ));
            }
            match (kinds.get(&m.label), kinds.get(&conf)) {
                (Some(Kind::Measure), Some(Kind::Conf)) => {}
                (None, None) => {
                    kinds.insert(m.label.clone(), Kind::Measure);
                    kinds.insert(conf, Kind::Conf);
                    measures.push(m.label.clone());
                }
                (Some(k), _) if *k != Kind::Measure => return Err(clash(at(), &m.label, *k)),
                (_, Some(k)) => return Err(clash(at(), &conf, *k)),
                (_, None) => return Err(clash(at(), &m.label, Kind::Measure)),
            }
        }
        let width = 3 + metadata.len() + 2 * measures.len();
        if width > limits.columns {
            return Err(invalid(
                grid.location(b.header_row, 0),
                format!(
                    "the blocks make a table of {width} columns; at most {} are read",
                    limits.columns
                ),
            ));
        }
    }
    let mut columns: Vec<String> = vec![PERIOD.to_owned()];
    columns.extend(metadata.iter().cloned());
    columns.push(AREA_TYPE.to_owned());
    columns.push(AREA.to_owned());
    for m in &measures {
        columns.push(m.clone());
        columns.push(format!("{m} conf"));
    }
    let index: HashMap<String, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i))
        .collect();
    let rows: usize = blocks.iter().map(|b| b.rows.len()).sum();
    let cells = (rows as u64).saturating_mul(columns.len() as u64);
    if rows > limits.rows || cells > super::xlsx::MAX_CELLS {
        return Err(invalid(
            location.clone(),
            format!(
                "the blocks make a table of {rows} rows and {} columns; at most {} rows and {} cells are read",
                columns.len(),
                limits.rows,
                super::xlsx::MAX_CELLS
            ),
        ));
    }
    let mut out = header(&columns);
    let mut maps = Vec::with_capacity(blocks.len());
    let mut long_rows = Vec::with_capacity(rows);
    for (bi, b) in blocks.iter().enumerate() {
        // Where each column's cells are in this block.
        let mut map = vec![From::Absent; columns.len()];
        map[0] = From::Cell(b.date_row, 1);
        for ((label, _), &r) in b.metadata.iter().zip(&b.metadata_rows) {
            map[index[label]] = From::Cell(r, 1);
        }
        let first = 1 + metadata.len();
        map[first] = From::Column(0);
        map[first + 1] = From::Column(0);
        // The values of the metadata columns, for every row of the block.
        let mut fixed: Vec<&str> = vec![""; metadata.len()];
        for (label, value) in &b.metadata {
            fixed[index[label] - 1] = value;
        }
        let mut value_cols: Vec<(Option<usize>, Option<usize>)> =
            vec![(None, None); measures.len()];
        for m in &b.measures {
            let at = index[&m.label];
            value_cols[(at - first - 2) / 2] = (Some(m.number_col), m.conf_col);
            map[at] = From::Column(m.number_col);
            if let Some(c) = m.conf_col {
                map[at + 1] = From::Column(c);
            }
        }
        for (r, label) in &b.rows {
            push_field(&mut out, &b.period);
            for v in &fixed {
                out.push(',');
                push_field(&mut out, v);
            }
            let (kind, name) = match label.split_once(':') {
                Some((k, n)) => (k.trim(), n.trim()),
                None => ("", label.as_str()),
            };
            for v in [kind, name] {
                out.push(',');
                push_field(&mut out, v);
            }
            for (number, conf) in &value_cols {
                for c in [number, conf] {
                    out.push(',');
                    if let Some(c) = c {
                        push_field(&mut out, &cell_text(grid.get(*r, *c)));
                    }
                }
            }
            out.push('\n');
            if out.len() > limits.unpacked_bytes {
                return Err(invalid(
                    location.clone(),
                    format!(
                        "the long table is more than {} bytes as text, the most read",
                        limits.unpacked_bytes
                    ),
                ));
            }
            long_rows.push((bi, *r));
        }
        maps.push(map);
    }
    Ok(NomisTable {
        csv: out.into_bytes(),
        location,
        columns,
        index,
        blocks: maps,
        rows: long_rows,
    })
}

impl NomisTable {
    /// A location in the long table (row `k`, a column by name) as the
    /// sheet's cell it came from: the grid row as a spreadsheet numbers it
    /// and the column's letter. A block's `date` and metadata cells are in
    /// their own rows; a column the block lacks keeps its long-table name.
    /// Any other location is returned as it is.
    pub fn remap(&self, loc: &Location) -> Location {
        if loc.file != self.location.file || loc.sheet != self.location.sheet {
            return loc.clone();
        }
        let Some(&(block, grid_row)) = loc
            .row
            .and_then(|k| usize::try_from(k).ok()?.checked_sub(1))
            .and_then(|k| self.rows.get(k))
        else {
            return loc.clone();
        };
        let row = self.location.at_row(grid_row as u64 + 1);
        let Some(name) = &loc.column else {
            return row;
        };
        match self.index.get(name).map(|&j| self.blocks[block][j]) {
            Some(From::Cell(r, c)) => self.location.at_row(r as u64 + 1).at_column(letters(c)),
            Some(From::Column(c)) => row.at_column(letters(c)),
            Some(From::Absent) | None => row.at_column(name.clone()),
        }
    }

    /// An error in the long table, at the sheet's cell.
    pub fn remap_error(&self, e: SourceError) -> SourceError {
        SourceError::new(self.remap(&e.location), e.problem)
    }

    /// What was read, each value's location at the sheet's cell.
    pub fn remap_parsed(&self, mut parsed: Parsed) -> Parsed {
        for row in &mut parsed.rows {
            for values in &mut row.values {
                for v in values.iter_mut() {
                    v.2 = self.remap(&v.2);
                }
            }
            if let Some((_, at)) = &mut row.located {
                *at = self.remap(at);
            }
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> XCell {
        XCell::Text(s.into())
    }
    fn n(v: f64) -> XCell {
        XCell::Number(v)
    }
    const E: XCell = XCell::Empty;

    #[test]
    fn blocks_become_one_long_table() {
        let rows = vec![
            vec![t("a title")],
            vec![],
            vec![t("date"), t("Jan 2021-Dec 2021")],
            vec![t("industry"), t("2 : Mining, quarrying")],
            vec![t("Area"), t("Sci"), E, E, t("All")],
            vec![E, t("number"), t("Flags"), t("conf"), t("number")],
            vec![t("ladu:Northam"), n(1200.5), E, t("!"), n(9000.0)],
            vec![t("country:England"), t("~"), E, n(3.0), t("1,000")],
            vec![],
            vec![t("date"), n(2022.0)],
            vec![t("Area"), t("All")],
            vec![t("Northam"), t("-")],
        ];
        let g = Grid::from_rows(Location::file("n.xlsx").in_sheet("Data"), rows);
        let lt = long_table(
            &g,
            Location::file("n.xlsx").in_sheet("Data"),
            &Limits::DEFAULT,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(lt.csv.clone()).unwrap(),
            "period,industry,area_type,area,Sci,Sci conf,All,All conf\n\
             Jan 2021-Dec 2021,\"2 : Mining, quarrying\",ladu,Northam,1200.5,!,9000,\n\
             Jan 2021-Dec 2021,\"2 : Mining, quarrying\",country,England,~,3,\"1,000\",\n\
             2022,,,Northam,,,-,\n"
        );
        let at = |row: u64, col: &str| lt.remap(&lt.location.at_row(row).at_column(col));
        let shown = |l: Location| l.to_string();
        assert_eq!(
            shown(at(1, "Sci conf")),
            "n.xlsx, sheet \"Data\", row 7, column \"D\""
        );
        assert_eq!(
            shown(at(2, "All")),
            "n.xlsx, sheet \"Data\", row 8, column \"E\""
        );
        assert_eq!(
            shown(at(2, "period")),
            "n.xlsx, sheet \"Data\", row 3, column \"B\""
        );
        assert_eq!(
            shown(at(1, "industry")),
            "n.xlsx, sheet \"Data\", row 4, column \"B\""
        );
        assert_eq!(
            shown(at(3, "area")),
            "n.xlsx, sheet \"Data\", row 12, column \"A\""
        );
        assert_eq!(
            shown(at(3, "Sci")),
            "n.xlsx, sheet \"Data\", row 12, column \"Sci\""
        );
        assert_eq!(
            shown(at(3, "industry")),
            "n.xlsx, sheet \"Data\", row 12, column \"industry\""
        );
        // Not a row of the long table: as it is.
        assert_eq!(
            shown(at(4, "Sci")),
            "n.xlsx, sheet \"Data\", row 4, column \"Sci\""
        );
    }

    #[test]
    fn labels_that_clash_are_errors_at_their_cell() {
        let rows = vec![
            vec![t("date"), t("2021")],
            vec![t("area"), t("x")],
            vec![t("Area"), t("All")],
            vec![t("ladu:Northam"), n(1.0)],
        ];
        let g = Grid::from_rows(Location::file("n.csv"), rows);
        let e = long_table(&g, Location::file("n.csv"), &Limits::DEFAULT).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("n.csv, row 2, column \"A\": the label \"area\" names two columns"),
            "{e}"
        );
        let rows = vec![
            vec![t("date"), t("2021")],
            vec![t("Area"), t("All"), t("All conf"), t("All")],
            vec![t("ladu:Northam"), n(1.0), n(2.0), n(3.0)],
        ];
        let g = Grid::from_rows(Location::file("n.csv"), rows);
        let e = long_table(&g, Location::file("n.csv"), &Limits::DEFAULT).unwrap_err();
        assert!(
            e.to_string().starts_with("n.csv, row 2, column \"C\""),
            "{e}"
        );
        let g = Grid::from_rows(Location::file("n.csv"), vec![vec![t("code"), t("value")]]);
        let e = long_table(&g, Location::file("n.csv"), &Limits::DEFAULT).unwrap_err();
        assert!(e.to_string().contains("not in Nomis report layout"), "{e}");
    }

    #[test]
    fn column_letters() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(701), "ZZ");
        assert_eq!(letters(702), "AAA");
    }
}
