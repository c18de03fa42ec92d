use crate::{parse_cell, Loaded, Location, Problem, SourceError};
use csv::StringRecord;
use stemgap_core::{Cell, GssCode};

/// Text encoding of a CSV file. UTF-8 is checked strictly; Windows-1252 is
/// used only where the catalogue says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Windows1252,
}

/// How a CSV file is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Lines above the header row (titles, notes) to skip.
    pub skip_lines: usize,
    /// Extra header rows below the first (e.g. a second label row, a `---`
    /// row): kept for inspection by [`CsvTable::extra_headers`], not data.
    pub extra_header_rows: usize,
    /// Accept data rows with fewer or more fields than the header
    /// (Nomis files with footnotes); otherwise that is an error.
    pub flexible: bool,
    /// Stop at the first blank line (Nomis files put blocks one after another).
    pub stop_at_blank_line: bool,
    /// Number lines from 0, so that the header is line 0 and data line `k`
    /// is row `k`: for tables made from records (JSON, Parquet), whose
    /// errors name the record's number, one record per line.
    pub records_numbered: bool,
}

/// A parsed CSV file: header and records, each with its line number.
#[derive(Debug)]
pub struct CsvTable {
    location: Location,
    headers: Vec<String>,
    extra_headers: Vec<StringRecord>,
    /// Every data field's text, one after another (one allocation for the
    /// whole table instead of two per row).
    text: String,
    /// End of each field in `text`.
    ends: Vec<u32>,
    records: Vec<Rec>,
}

/// A data row: its line, where its first field starts in `text` and its
/// fields' numbers in `ends`.
#[derive(Debug, Clone, Copy)]
struct Rec {
    line: u64,
    start: u32,
    first: u32,
    len: u32,
}

impl CsvTable {
    /// Parses a loaded source, using the encoding its catalogue entry gives.
    pub fn parse(loaded: &Loaded<'_>, opts: CsvOptions) -> Result<Self, SourceError> {
        let enc = match loaded.entry.encoding.as_deref() {
            Some("windows-1252") => Encoding::Windows1252,
            _ => Encoding::Utf8,
        };
        Self::from_bytes(&loaded.bytes, enc, loaded.location.clone(), opts)
    }

    pub fn from_bytes(
        bytes: &[u8],
        encoding: Encoding,
        location: Location,
        opts: CsvOptions,
    ) -> Result<Self, SourceError> {
        let decoded;
        let mut bytes = match encoding {
            Encoding::Utf8 => bytes,
            Encoding::Windows1252 => {
                decoded = encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned();
                decoded.as_bytes()
            }
        };
        bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(SourceError::new(location, Problem::Empty));
        }
        let mut skipped = 0u64;
        for _ in 0..opts.skip_lines {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    bytes = &bytes[i + 1..];
                    skipped += 1;
                }
                None => return Err(SourceError::new(location, Problem::Empty)),
            }
        }
        if opts.stop_at_blank_line {
            bytes = first_block(bytes, opts.extra_header_rows);
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        // Line numbers from byte offsets: the csv crate's own line count
        // is one short per blank line it skips and per CRLF line ending.
        let mut lines = LineCounter::new(bytes, skipped);
        if opts.records_numbered {
            lines.line -= 1;
        }
        let mut record = StringRecord::new();
        let mut headers: Option<Vec<String>> = None;
        let mut extra_headers = Vec::new();
        let mut records = Vec::new();
        let mut text = String::with_capacity(bytes.len());
        let mut ends: Vec<u32> = Vec::with_capacity(bytes.len() / 8);
        let offset = |n: usize| {
            u32::try_from(n).map_err(|_| {
                SourceError::new(
                    location.clone(),
                    Problem::Invalid("a CSV file over 4 GB".into()),
                )
            })
        };
        loop {
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| lines.line_at(p.byte()));
                    let problem = match e.kind() {
                        csv::ErrorKind::Utf8 { err, .. } => Problem::InvalidUtf8(format!(
                            "in field {}, after byte {} of the field",
                            err.field() + 1,
                            err.valid_up_to()
                        )),
                        _ => Problem::Invalid(e.to_string()),
                    };
                    let loc = match line {
                        Some(l) => location.at_row(l),
                        None => location.clone(),
                    };
                    return Err(SourceError::new(loc, problem));
                }
            }
            let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
            let Some(h) = &headers else {
                headers = Some(record.iter().map(|s| s.trim().to_owned()).collect());
                continue;
            };
            if extra_headers.len() < opts.extra_header_rows {
                extra_headers.push(record.clone());
                continue;
            }
            if !opts.flexible && record.len() != h.len() {
                return Err(SourceError::new(
                    location.at_row(line),
                    Problem::FieldCount {
                        expected: h.len(),
                        found: record.len(),
                    },
                ));
            }
            let (start, first) = (offset(text.len())?, offset(ends.len())?);
            for field in record.iter() {
                text.push_str(field);
                ends.push(offset(text.len())?);
            }
            records.push(Rec {
                line,
                start,
                first,
                len: offset(record.len())?,
            });
        }
        let headers = headers.ok_or_else(|| SourceError::new(location.clone(), Problem::Empty))?;
        Ok(CsvTable {
            location,
            headers,
            extra_headers,
            text,
            ends,
            records,
        })
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn extra_headers(&self) -> &[StringRecord] {
        &self.extra_headers
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Index of a column by its exact header; a clear error listing the
    /// headers found when it is absent (renamed or wrong file).
    pub fn column(&self, name: &str) -> Result<usize, SourceError> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| self.missing_column(name))
    }

    /// Errors unless the header is exactly `expected` (order included).
    pub fn expect_headers(&self, expected: &[&str]) -> Result<(), SourceError> {
        if self
            .headers
            .iter()
            .map(String::as_str)
            .ne(expected.iter().copied())
        {
            return Err(SourceError::new(
                self.location.at_row(1),
                Problem::WrongHeader {
                    expected: expected.join(","),
                    found: self.headers.join(","),
                },
            ));
        }
        Ok(())
    }

    fn missing_column(&self, name: &str) -> SourceError {
        let mut found = self
            .headers
            .iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.headers.len() > 12 {
            found.push_str(", …");
        }
        SourceError::new(
            self.location.at_column(name),
            Problem::MissingColumn { found },
        )
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |&rec| Row {
            table: self,
            line: rec.line,
            rec,
        })
    }
}

/// Bounds on a CSV file read as a grid ([`csv_grid`]).
#[derive(Debug, Clone, Copy)]
pub struct GridLimits {
    /// Lines (the last line with a field).
    pub rows: usize,
    /// Fields of one line.
    pub columns: usize,
    /// Fields of the whole file, blank ones included.
    pub cells: usize,
}

/// A CSV file as a spreadsheet grid: each line a row at its own number
/// (blank lines are blank rows, so a block layout such as Nomis's keeps
/// its gaps), each field text (trimmed; an empty field is an empty cell).
/// UTF-8 only (a byte-order mark is skipped); the sizes are bounded by
/// `limits` with an error at the line that passes one.
pub fn csv_grid(
    bytes: &[u8],
    location: Location,
    limits: GridLimits,
) -> Result<crate::Grid, SourceError> {
    use crate::XCell;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SourceError::new(location, Problem::Empty));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = LineCounter::new(bytes, 0);
    let mut record = csv::ByteRecord::new();
    let mut rows: Vec<Vec<XCell>> = Vec::new();
    let mut cells = 0usize;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let loc = match e.position() {
                    Some(p) => location.at_row(lines.line_at(p.byte())),
                    None => location.clone(),
                };
                return Err(SourceError::new(loc, Problem::Invalid(e.to_string())));
            }
        }
        let line = record.position().map_or(1, |p| lines.line_at(p.byte()));
        let at = location.at_row(line);
        if line as usize > limits.rows {
            return Err(SourceError::new(
                at,
                Problem::Invalid(format!(
                    "more than {} lines; at most that many are read",
                    limits.rows
                )),
            ));
        }
        if record.len() > limits.columns {
            return Err(SourceError::new(
                at,
                Problem::Invalid(format!(
                    "{} fields; at most {} are read",
                    record.len(),
                    limits.columns
                )),
            ));
        }
        cells += record.len();
        if cells > limits.cells {
            return Err(SourceError::new(
                at,
                Problem::Invalid(format!(
                    "more than {} fields in the file; at most that many are read",
                    limits.cells
                )),
            ));
        }
        let mut row = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|e| {
                SourceError::new(
                    at.at_column(crate::xlsx::column_letters(i)),
                    Problem::InvalidUtf8(format!("after byte {} of the field", e.valid_up_to())),
                )
            })?;
            let text = text.trim();
            row.push(if text.is_empty() {
                XCell::Empty
            } else {
                XCell::Text(text.to_owned())
            });
        }
        let index = line as usize - 1;
        if rows.len() < index {
            rows.resize(index, Vec::new());
        }
        rows.push(row);
    }
    Ok(crate::Grid::from_rows(location, rows))
}

/// The bytes up to the first blank line that follows at least one data
/// line (Nomis files put blocks one after another). Blank lines between the
/// header and the first data line are kept (the CSV reader skips them).
/// Lines are split on `\n` without regard to quoting: Nomis never quotes
/// line breaks.
/// Line numbers (1-based, as an editor shows them) of byte offsets visited in
/// increasing order, counting every `\n` in between.
struct LineCounter<'b> {
    bytes: &'b [u8],
    offset: usize,
    line: u64,
}

impl<'b> LineCounter<'b> {
    /// `skipped` lines were cut off before `bytes`.
    fn new(bytes: &'b [u8], skipped: u64) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1 + skipped,
        }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let mut to = usize::try_from(byte).map_or(self.bytes.len(), |b| b.min(self.bytes.len()));
        // After a CRLF the csv crate places the next record at the `\n`, and
        // no record starts with a line ending: step over them.
        while matches!(self.bytes.get(to), Some(b'\r' | b'\n')) {
            to += 1;
        }
        if to > self.offset {
            let newlines = self.bytes[self.offset..to]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line += newlines as u64;
            self.offset = to;
        }
        self.line
    }
}

fn first_block(bytes: &[u8], extra_header_rows: usize) -> &[u8] {
    let mut pos = 0;
    let mut non_blank = 0usize;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let blank = line.iter().all(|b| b.is_ascii_whitespace());
        if blank && non_blank > 1 + extra_header_rows {
            return &bytes[..pos];
        }
        if !blank {
            non_blank += 1;
        }
        pos += line.len();
    }
    bytes
}

/// One data row of a [`CsvTable`].
#[derive(Clone, Copy)]
pub struct Row<'t> {
    table: &'t CsvTable,
    pub line: u64,
    rec: Rec,
}

impl<'t> Row<'t> {
    /// The raw text of a column (empty when the row is short).
    pub fn str(&self, col: usize) -> &'t str {
        let Rec {
            start, first, len, ..
        } = self.rec;
        let col = match u32::try_from(col) {
            Ok(c) if c < len => c,
            _ => return "",
        };
        let t = self.table;
        let from = match col {
            0 => start,
            _ => t.ends[(first + col - 1) as usize],
        };
        &t.text[from as usize..t.ends[(first + col) as usize] as usize]
    }

    /// The location of a cell, for errors.
    pub fn location(&self, col: usize) -> Location {
        let name = self
            .table
            .headers
            .get(col)
            .cloned()
            .unwrap_or_else(|| format!("#{}", col + 1));
        self.table.location.at_row(self.line).at_column(name)
    }

    pub fn error(&self, col: usize, problem: Problem) -> SourceError {
        SourceError::new(self.location(col), problem)
    }

    /// A number or a suppression marker; anything else is an error.
    pub fn cell(&self, col: usize) -> Result<Cell, SourceError> {
        parse_cell(self.str(col)).map_err(|p| self.error(col, p))
    }

    /// A number that must be present: a marker here is an error too.
    pub fn number(&self, col: usize) -> Result<f64, SourceError> {
        match self.cell(col)? {
            Cell::Value(v) => Ok(v),
            Cell::Missing(m) => Err(self.error(
                col,
                Problem::Invalid(format!(
                    "a value is required here, found the marker {:?} ({m})",
                    self.str(col)
                )),
            )),
        }
    }

    pub fn code(&self, col: usize) -> Result<GssCode, SourceError> {
        GssCode::parse(self.str(col).trim())
            .map_err(|_| self.error(col, Problem::MalformedCode(self.str(col).to_owned())))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_csv_grid_keeps_every_line_at_its_number() {
        let lim = GridLimits {
            rows: 10,
            columns: 4,
            cells: 40,
        };
        let g = csv_grid(
            b"\xEF\xBB\xBF\"date\",\"2021\"\r\n\r\n\"Area\",\"a, b\",\n\"x\ny\",~\nladu:Z,12\n",
            Location::file("n.csv"),
            lim,
        )
        .unwrap();
        use crate::XCell;
        assert_eq!(g.height(), 6);
        assert_eq!(g.get(0, 1), &XCell::Text("2021".into()));
        assert_eq!(g.row(1), &[] as &[XCell]);
        assert_eq!(g.get(2, 1), &XCell::Text("a, b".into()));
        assert_eq!(g.get(2, 2), &XCell::Empty);
        assert_eq!(g.get(3, 0), &XCell::Text("x\ny".into()));
        // The record after a line break in a field is at its own line.
        assert_eq!(g.get(5, 0), &XCell::Text("ladu:Z".into()));
        let e = csv_grid(b"a\nb\nc,d,e,f,g\n", Location::file("n.csv"), lim).unwrap_err();
        assert_eq!(e.to_string(), "n.csv, row 3: 5 fields; at most 4 are read");
        let e = csv_grid(b"a\n\xFF\n", Location::file("n.csv"), lim).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("n.csv, row 2, column \"A\": invalid UTF-8"),
            "{e}"
        );
        let e = csv_grid(&b"a\n".repeat(11), Location::file("n.csv"), lim).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("n.csv, row 11: more than 10 lines"),
            "{e}"
        );
    }

    #[test]
    fn records_numbered_makes_the_header_line_0() {
        let opts = CsvOptions {
            records_numbered: true,
            ..CsvOptions::default()
        };
        let t = CsvTable::from_bytes(
            b"a,b\n1,2\n\n3,4\n",
            Encoding::Utf8,
            Location::file("r.json"),
            opts,
        )
        .unwrap();
        let lines: Vec<u64> = t.rows().map(|r| r.line).collect();
        assert_eq!(lines, [1, 3], "a blank line is a record left out");
        let t = CsvTable::from_bytes(
            b"a,b\n1,2\n",
            Encoding::Utf8,
            Location::file("r.csv"),
            CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(t.rows().next().unwrap().line, 2);
    }

    use super::*;

    #[test]
    fn fields_read_back_as_written_whatever_the_row_length() {
        let t = CsvTable::from_bytes(
            "a,b,c\n1,,\"x, y\"\nrégion,2\n,,,extra\n".as_bytes(),
            Encoding::Utf8,
            Location::file("t.csv"),
            CsvOptions {
                flexible: true,
                ..CsvOptions::default()
            },
        )
        .unwrap();
        let rows: Vec<Vec<&str>> = t
            .rows()
            .map(|r| (0..5).map(|c| r.str(c)).collect())
            .collect();
        assert_eq!(
            rows,
            [
                ["1", "", "x, y", "", ""],
                ["région", "2", "", "", ""],
                ["", "", "", "extra", ""],
            ]
        );
    }

    #[test]
    fn row_numbers_count_crlf_endings_blank_lines_and_quoted_newlines() {
        for (text, expected) in [
            ("a,b\n1,2\n3,4\n", [2, 3]),
            ("a,b\r\n1,2\r\n3,4\r\n", [2, 3]),
            ("a,b\n\n1,2\n\n3,4\n", [3, 5]),
            ("a,b\r\n\r\n1,2\r\n\r\n3,4", [3, 5]),
            ("\"x\ny\",b\n1,2\n\"3\r\n3\",4\n", [3, 4]),
        ] {
            let t = CsvTable::from_bytes(
                text.as_bytes(),
                Encoding::Utf8,
                Location::file("t.csv"),
                CsvOptions::default(),
            )
            .unwrap();
            let lines: Vec<u64> = t.rows().map(|r| r.line).collect();
            assert_eq!(lines, expected, "{text:?}");
        }
        // After skipped lines too, and in an error.
        let t = CsvTable::from_bytes(
            b"title\r\n\r\na,b\r\n1,2\r\n",
            Encoding::Utf8,
            Location::file("t.csv"),
            CsvOptions {
                skip_lines: 2,
                ..CsvOptions::default()
            },
        )
        .unwrap();
        assert_eq!(t.rows().map(|r| r.line).collect::<Vec<_>>(), [4]);
        let e = CsvTable::from_bytes(
            b"a,b\r\n1,2\r\n3\r\n",
            Encoding::Utf8,
            Location::file("t.csv"),
            CsvOptions {
                flexible: false,
                ..CsvOptions::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("row 3"), "{e}");
    }

    fn table(text: &[u8], opts: CsvOptions) -> Result<CsvTable, SourceError> {
        CsvTable::from_bytes(text, Encoding::Utf8, Location::file("t.csv"), opts)
    }

    #[test]
    fn reads_bom_quotes_and_thousands() {
        let t = table(
            b"\xEF\xBB\xBFcode,pop\nE01000001,\"1,954\"\n",
            CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(t.headers(), ["code", "pop"]);
        let r = t.rows().next().unwrap();
        assert_eq!(r.number(1).unwrap(), 1954.0);
        assert_eq!(r.line, 2);
    }

    #[test]
    fn errors_name_file_row_and_column() {
        let t = table(
            b"code,pop\nE01000001,12\nE01000002,abc\n",
            CsvOptions::default(),
        )
        .unwrap();
        let e = t.rows().nth(1).unwrap().number(1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv, row 3, column \"pop\": not a number: \"abc\""
        );
        let e = t.column("population").unwrap_err();
        assert!(
            e.to_string().starts_with(
                "t.csv, column \"population\": missing column; found columns: code, pop"
            ),
            "{e}"
        );
    }

    #[test]
    fn short_rows_and_invalid_utf8_are_errors() {
        let e = table(b"a,b\n1,2\n3\n", CsvOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv, row 3: row has 1 fields, expected 2 (truncated or misquoted line?)"
        );
        let e = table(b"a,b\n1,2\n3,\xff\n", CsvOptions::default()).unwrap_err();
        assert!(
            e.to_string().starts_with("t.csv, row 3: invalid UTF-8"),
            "{e}"
        );
        assert_eq!(
            table(b"", CsvOptions::default()).unwrap_err().problem,
            Problem::Empty
        );
    }

    #[test]
    fn windows_1252_is_decoded() {
        let t = CsvTable::from_bytes(
            b"name\nYnys M\xf4n\n",
            Encoding::Windows1252,
            Location::file("w.csv"),
            CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(t.rows().next().unwrap().str(0), "Ynys Môn");
    }

    #[test]
    fn skips_title_lines_and_extra_headers() {
        let opts = CsvOptions {
            skip_lines: 2,
            extra_header_rows: 1,
            stop_at_blank_line: true,
            ..Default::default()
        };
        let t = table(b"Title\nnote\na,b\n---,---\n1,2\n\n9,9\n", opts).unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t.rows().next().unwrap().line, 5);
    }
}
