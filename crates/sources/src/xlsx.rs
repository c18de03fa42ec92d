use crate::{Location, Problem, SourceError};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// A spreadsheet cell reduced to what statistics need.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    Empty,
    Number(f64),
    Text(String),
}

impl XCell {
    pub fn text(&self) -> Option<&str> {
        match self {
            XCell::Text(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

impl std::fmt::Display for XCell {
    /// As a person reads the cell: the text, the number, or `(empty)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XCell::Empty => f.write_str("(empty)"),
            XCell::Number(v) => write!(f, "{v}"),
            XCell::Text(s) => f.write_str(s),
        }
    }
}

/// An XLSX workbook held in memory.
pub struct Workbook {
    location: Location,
    book: Xlsx<Cursor<Vec<u8>>>,
    /// The file, for the plain-sheet fast path ([`crate::xlsx_plain`]).
    bytes: Vec<u8>,
}

impl Workbook {
    pub fn open(bytes: Vec<u8>, location: Location) -> Result<Self, SourceError> {
        let book = Xlsx::new(Cursor::new(bytes.clone()))
            .map_err(|e| SourceError::new(location.clone(), Problem::Spreadsheet(e.to_string())))?;
        Ok(Workbook {
            location,
            book,
            bytes,
        })
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.book.sheet_names().to_vec()
    }

    /// Reads one sheet into a [`Grid`] with absolute (spreadsheet) positions.
    pub fn sheet(&mut self, name: &str) -> Result<Grid, SourceError> {
        let names = self.sheet_names();
        if !names.iter().any(|n| n == name) {
            return Err(SourceError::new(
                self.location.in_sheet(name),
                Problem::MissingSheet {
                    found: names.join(", "),
                },
            ));
        }
        // A sheet of shared strings and plain numbers only is read by the
        // fast path, which gives calamine's cells; any other by calamine.
        if let Some(rows) = self.plain(name) {
            return Ok(Grid {
                location: self.location.in_sheet(name),
                rows,
            });
        }
        self.sheet_by_calamine(name)
    }

    /// Whether the plain-sheet fast path reads sheet `name` and, if it
    /// does, whether its cells are calamine's, cell for cell: `None` when
    /// the sheet is not plain. For tests and the fuzzer, which compare the
    /// two readers on real and mutated workbooks.
    pub fn plain_sheet_agrees(&mut self, name: &str) -> Option<bool> {
        let plain = self.plain(name)?;
        Some(self.sheet_by_calamine(name).is_ok_and(|g| g.rows == plain))
    }

    /// The sheet's cells by the fast path, when it is plain. The sheet's
    /// start (the XML declaration and everything before its cells) is
    /// parsed by calamine first, which the fast path skips: a start
    /// calamine refuses sends the sheet to calamine, which says why.
    fn plain(&mut self, name: &str) -> Option<Vec<Vec<XCell>>> {
        self.book.worksheet_cells_reader(name).ok()?;
        crate::xlsx_plain::sheet(&self.bytes, name)
    }

    /// [`Workbook::sheet`] read by calamine, whatever the sheet holds.
    fn sheet_by_calamine(&mut self, name: &str) -> Result<Grid, SourceError> {
        let loc = self.location.in_sheet(name);
        let range = self
            .book
            .worksheet_range(name)
            .map_err(|e| SourceError::new(loc.clone(), Problem::Spreadsheet(e.to_string())))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows = vec![Vec::new(); r0 as usize];
        for row in range.rows() {
            let mut cells = vec![XCell::Empty; c0 as usize];
            cells.extend(row.iter().map(|d| match d {
                Data::Int(i) => XCell::Number(*i as f64),
                Data::Float(f) => XCell::Number(*f),
                Data::String(s) if s.trim().is_empty() => XCell::Empty,
                Data::String(s) => XCell::Text(s.clone()),
                Data::Bool(b) => XCell::Text(b.to_string()),
                Data::Empty => XCell::Empty,
                other => XCell::Text(other.to_string()),
            }));
            rows.push(cells);
        }
        Ok(Grid {
            location: loc,
            rows,
        })
    }
}

/// A sheet's cells; `row` and `col` are 0-based here, reported 1-based.
#[derive(Debug, Clone)]
pub struct Grid {
    location: Location,
    rows: Vec<Vec<XCell>>,
}

const EMPTY: XCell = XCell::Empty;

impl Grid {
    /// A grid from rows of cells (tests, and sources that are not XLSX).
    pub fn from_rows(location: Location, rows: Vec<Vec<XCell>>) -> Self {
        Grid { location, rows }
    }

    pub fn height(&self) -> usize {
        self.rows.len()
    }

    pub fn get(&self, row: usize, col: usize) -> &XCell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&EMPTY)
    }

    pub fn row(&self, row: usize) -> &[XCell] {
        self.rows.get(row).map_or(&[], Vec::as_slice)
    }

    /// The location of a cell in spreadsheet terms (row 1-based, column letters).
    pub fn location(&self, row: usize, col: usize) -> Location {
        self.location
            .at_row(row as u64 + 1)
            .at_column(column_letters(col))
    }

    /// The location of a whole column (for "not found in column A").
    pub fn column_location(&self, col: usize) -> Location {
        self.location.at_column(column_letters(col))
    }

    pub fn error(&self, row: usize, col: usize, problem: Problem) -> SourceError {
        SourceError::new(self.location(row, col), problem)
    }

    /// First row at or after `from` whose cell `col` is exactly `text`.
    pub fn find_row(&self, from: usize, col: usize, text: &str) -> Option<usize> {
        (from..self.rows.len()).find(|&r| self.get(r, col).text().map(str::trim) == Some(text))
    }

    /// A required number: text or an empty cell is an error naming the cell.
    pub fn number(&self, row: usize, col: usize) -> Result<f64, SourceError> {
        match self.get(row, col) {
            XCell::Number(v) if v.is_finite() => Ok(*v),
            XCell::Number(v) => Err(self.error(row, col, Problem::NotANumber(v.to_string()))),
            XCell::Text(s) => match crate::parse_cell(s) {
                Ok(stemgap_core::Cell::Value(v)) => Ok(v),
                _ => Err(self.error(row, col, Problem::NotANumber(s.clone()))),
            },
            XCell::Empty => Err(self.error(
                row,
                col,
                Problem::Invalid("a value is required here, the cell is empty".into()),
            )),
        }
    }
}

/// `0 → A`, `25 → Z`, `26 → AA`.
pub fn column_letters(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_letters() {
        assert_eq!(super::column_letters(0), "A");
        assert_eq!(super::column_letters(25), "Z");
        assert_eq!(super::column_letters(26), "AA");
        assert_eq!(super::column_letters(102), "CY");
    }
}
