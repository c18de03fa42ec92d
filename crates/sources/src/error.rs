use std::fmt;

/// Where in a source something went wrong: the file (as catalogued, relative
/// to the sources directory), and the sheet, row (1-based, as a spreadsheet
/// or text editor numbers it) and column where known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u64>,
    pub column: Option<String>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            ..Default::default()
        }
    }

    pub fn at_row(&self, row: u64) -> Self {
        Location {
            row: Some(row),
            ..self.clone()
        }
    }

    pub fn at_column(&self, column: impl Into<String>) -> Self {
        Location {
            column: Some(column.into()),
            ..self.clone()
        }
    }

    pub fn in_sheet(&self, sheet: impl Into<String>) -> Self {
        Location {
            sheet: Some(sheet.into()),
            ..self.clone()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, ", sheet {s:?}")?;
        }
        if let Some(r) = self.row {
            write!(f, ", row {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c:?}")?;
        }
        Ok(())
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("file not found (catalogued as source `{0}`); run `stemgap fetch` or check --sources")]
    Missing(String),
    #[error("cannot read file: {0}")]
    Io(String),
    #[error("checksum mismatch: the catalogue pins sha256 {expected}, the file has {found}; the file is not the catalogued version (changed, truncated or corrupted)")]
    Checksum { expected: String, found: String },
    #[error("file is empty")]
    Empty,
    #[error("invalid UTF-8 ({0})")]
    InvalidUtf8(String),
    #[error("missing column; found columns: {found}")]
    MissingColumn { found: String },
    #[error("header is {found:?}, expected {expected:?}")]
    WrongHeader { expected: String, found: String },
    #[error("row has {found} fields, expected {expected} (truncated or misquoted line?)")]
    FieldCount { expected: usize, found: usize },
    #[error("not a number: {0:?}")]
    NotANumber(String),
    #[error("malformed code {0:?}")]
    MalformedCode(String),
    #[error("unknown code {0}")]
    UnknownCode(String),
    #[error("duplicate row for {0}")]
    Duplicate(String),
    #[error("missing sheet; found sheets: {found}")]
    MissingSheet { found: String },
    #[error("malformed spreadsheet: {0}")]
    Spreadsheet(String),
    #[error("malformed Parquet: {0}")]
    Parquet(String),
    #[error("malformed JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Invalid(String),
    #[error("malformed catalogue: {0}")]
    Catalogue(String),
}

/// A problem at a location in a source. Displays as
/// `path, row 12, column "Observation": not a number: "abc"`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {problem}")]
pub struct SourceError {
    /// Boxed to keep `Result<_, SourceError>` small on the happy path.
    pub location: Box<Location>,
    pub problem: Problem,
}

impl SourceError {
    pub fn new(location: Location, problem: Problem) -> Self {
        SourceError {
            location: Box::new(location),
            problem,
        }
    }
}
