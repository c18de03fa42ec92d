//! A strict, column-at-a-time reader for flat Parquet files (the DfE
//! apprenticeship dashboard files), on the `parquet` crate's low-level
//! column API: no Arrow, and only the columns asked for are decoded.
//!
//! Rows are numbered from 1 in file order across row groups (a Parquet file
//! has no header line, so row 1 is the first record, as pyarrow's index 0).
//! Errors carry the file, that row and the column name.

use crate::{Loaded, Location, Problem, SourceError};
use ::parquet::basic::{Encoding, LogicalType, Type as PhysicalType};
use ::parquet::column::page::Page;
use ::parquet::file::reader::{FileReader, SerializedFileReader};
use bytes::Bytes;
use rustc_hash::FxHashMap as HashMap;

/// A Parquet file whose columns can be read by name.
pub struct ParquetTable {
    location: Location,
    reader: SerializedFileReader<Bytes>,
    /// Leaf columns, by dotted path (the name, for a flat file).
    columns: Vec<String>,
    rows: usize,
}

impl std::fmt::Debug for ParquetTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetTable")
            .field("location", &self.location)
            .field("columns", &self.columns)
            .field("rows", &self.rows)
            .finish()
    }
}

/// A text column, dictionary-coded: each row holds the index of its value
/// in [`StrColumn::values`] (distinct values in order of first appearance),
/// or nothing for a null.
#[derive(Debug, Clone)]
pub struct StrColumn {
    location: Location,
    values: Vec<Box<str>>,
    codes: Vec<u32>,
    /// Rows of the file before the first row held (a column read from one
    /// row group), so errors name the row in the file.
    first: u64,
}

/// An integer column (INT32 or INT64), nulls kept as `None`.
#[derive(Debug, Clone)]
pub struct IntColumn {
    location: Location,
    values: Vec<Option<i64>>,
}

/// A floating-point column (FLOAT or DOUBLE), nulls kept as `None`.
#[derive(Debug, Clone)]
pub struct FloatColumn {
    location: Location,
    values: Vec<Option<f64>>,
}

/// What a flat column holds, as the readers of this module read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    /// BYTE_ARRAY without an annotation or as text ([`ParquetTable::strings`]).
    Text,
    /// INT32 or INT64 without a date, time or decimal annotation
    /// ([`ParquetTable::integers`]); `unsigned` when annotated so (the
    /// stored bits are then an unsigned number of that width).
    Integer { wide: bool, unsigned: bool },
    /// FLOAT or DOUBLE ([`ParquetTable::floats`]).
    Float,
    /// Anything else (booleans, dates, decimals, binary, nested or repeated
    /// columns...): its type as the schema gives it, for a message.
    Other(String),
}

const NULL: u32 = u32::MAX;

/// A column's location with a position in the decoded output turned into
/// the row of the file (see [`ParquetTable::decode_groups`]).
struct FileRows<'a> {
    at: &'a Location,
    shift: i64,
}

impl FileRows<'_> {
    fn row(&self, position_plus_one: u64) -> Location {
        self.at
            .at_row((position_plus_one as i64 + self.shift).max(1) as u64)
    }
}

fn bad(location: Location, e: impl std::fmt::Display) -> SourceError {
    let msg = e.to_string();
    let msg = msg.strip_prefix("Parquet error: ").unwrap_or(&msg);
    let msg = match msg.strip_prefix("Disabled feature at compile time: ") {
        Some(codec) => format!(
            "compressed with {}, which stemgap does not read (only Snappy and ZSTD are compiled in)",
            codec.to_uppercase()
        ),
        None => msg.to_owned(),
    };
    SourceError::new(location, Problem::Parquet(msg))
}

impl ParquetTable {
    /// Opens a loaded source (its footer and schema; no data is decoded yet).
    pub fn parse(loaded: &Loaded<'_>) -> Result<Self, SourceError> {
        Self::from_bytes(&loaded.bytes, loaded.location.clone())
    }

    pub fn from_bytes(bytes: &[u8], location: Location) -> Result<Self, SourceError> {
        if bytes.is_empty() {
            return Err(SourceError::new(location, Problem::Empty));
        }
        let reader = SerializedFileReader::new(Bytes::copy_from_slice(bytes))
            .map_err(|e| bad(location.clone(), e))?;
        let meta = reader.metadata().file_metadata();
        let rows = usize::try_from(meta.num_rows())
            .map_err(|_| bad(location.clone(), "negative row count"))?;
        let columns = meta
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.path().string())
            .collect();
        Ok(ParquetTable {
            location,
            reader,
            columns,
            rows,
        })
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Number of rows (records).
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Column names in schema order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The index of a column, or an error listing the columns there are.
    pub fn column(&self, name: &str) -> Result<usize, SourceError> {
        self.columns.iter().position(|c| c == name).ok_or_else(|| {
            SourceError::new(
                self.location.at_column(name),
                Problem::MissingColumn {
                    found: self.columns.join(", "),
                },
            )
        })
    }

    /// Checks a column's shape (flat, not repeated) and returns its index.
    fn leaf(&self, name: &str) -> Result<(usize, i16), SourceError> {
        let i = self.column(name)?;
        let descr = self
            .reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .column(i);
        if descr.max_rep_level() > 0 || descr.max_def_level() > 1 {
            return Err(bad(
                self.location.at_column(name),
                "a nested or repeated column, expected a flat one",
            ));
        }
        Ok((i, descr.max_def_level()))
    }

    fn type_error(&self, name: &str, expected: &str) -> SourceError {
        let descr = self
            .reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .column(self.columns.iter().position(|c| c == name).unwrap_or(0));
        let found = match descr.logical_type_ref() {
            Some(l) => format!("{} ({l:?})", descr.physical_type()),
            None => descr.physical_type().to_string(),
        };
        SourceError::new(
            self.location.at_column(name),
            Problem::Invalid(format!("column holds {found}, expected {expected}")),
        )
    }

    /// Decodes every row of one column, page by page: values from
    /// dictionary pages are decoded once per column chunk, data pages hold
    /// dictionary indices (or PLAIN values, a writer's fallback), and
    /// definition levels mark the nulls. The crate's typed column reader
    /// would materialise every value; this is several times faster.
    fn decode<V: Values>(&self, name: &str, v: &mut V) -> Result<Vec<V::Out>, SourceError> {
        let out = self.decode_groups(name, 0..self.reader.num_row_groups(), v)?;
        if out.len() != self.rows {
            return Err(bad(
                self.location.at_column(name),
                format!("{} rows read, the footer says {}", out.len(), self.rows),
            ));
        }
        Ok(out)
    }

    /// Rows of the file before row group `g`.
    fn rows_before(&self, g: usize) -> u64 {
        let meta = self.reader.metadata();
        (0..g)
            .map(|i| u64::try_from(meta.row_group(i).num_rows()).unwrap_or(0))
            .sum()
    }

    /// [`ParquetTable::decode`] over some row groups only, in the order given.
    fn decode_groups<V: Values>(
        &self,
        name: &str,
        groups: impl IntoIterator<Item = usize>,
        v: &mut V,
    ) -> Result<Vec<V::Out>, SourceError> {
        let (col, max_def) = self.leaf(name)?;
        let at_col = self.location.at_column(name);
        let mut out: Vec<V::Out> = Vec::new();
        let mut levels: Vec<u32> = Vec::new();
        let mut present_values: Vec<V::Out> = Vec::new();
        for g in groups {
            // Rows are numbered in the file: `shift` turns a position in
            // `out` into a row number.
            let shift = self.rows_before(g) as i64 - out.len() as i64;
            let at = FileRows { at: &at_col, shift };
            let group = self
                .reader
                .get_row_group(g)
                .map_err(|e| bad(at_col.clone(), e))?;
            let end = out.len() + usize::try_from(group.metadata().num_rows()).unwrap_or(0);
            out.reserve(end - out.len());
            let mut pages = group
                .get_column_page_reader(col)
                .map_err(|e| bad(at_col.clone(), e))?;
            v.new_chunk();
            while let Some(page) = pages
                .get_next_page()
                .map_err(|e| bad(at.row(out.len() as u64 + 1), e))?
            {
                let first = out.len() as u64 + 1;
                let page_bad = |m: &str| bad(at.row(first), m);
                // No nulls in the page: no levels to consult.
                let mut dense = max_def == 0;
                let (buf, n, encoding, levels_len) = match page {
                    Page::DictionaryPage {
                        buf,
                        num_values,
                        encoding,
                        ..
                    } => {
                        if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                            return Err(page_bad(&format!("dictionary page encoded {encoding}")));
                        }
                        v.dictionary(&buf, num_values as usize, &at.row(first))?;
                        continue;
                    }
                    Page::DataPage {
                        buf,
                        num_values,
                        encoding,
                        def_level_encoding,
                        ..
                    } => {
                        let len = if max_def == 0 {
                            0
                        } else if def_level_encoding == Encoding::RLE {
                            let len = buf
                                .first_chunk::<4>()
                                .map(|b| u32::from_le_bytes(*b) as usize)
                                .ok_or_else(|| page_bad("truncated page"))?;
                            dense = levels_from(&buf, 4, len, num_values, &mut levels)
                                .ok_or_else(|| page_bad("malformed definition levels"))?;
                            4 + len
                        } else {
                            return Err(page_bad(&format!(
                                "definition levels encoded {def_level_encoding}"
                            )));
                        };
                        (buf, num_values as usize, encoding, len)
                    }
                    Page::DataPageV2 {
                        buf,
                        num_values,
                        encoding,
                        def_levels_byte_len,
                        rep_levels_byte_len,
                        ..
                    } => {
                        let (rep, def) =
                            (rep_levels_byte_len as usize, def_levels_byte_len as usize);
                        if max_def > 0 {
                            dense = levels_from(&buf, rep, def, num_values, &mut levels)
                                .ok_or_else(|| page_bad("malformed definition levels"))?;
                        }
                        (buf, num_values as usize, encoding, rep + def)
                    }
                };
                if out.len() + n > end {
                    return Err(page_bad("more values than the row group has rows"));
                }
                let present = if dense {
                    n
                } else {
                    levels.iter().filter(|&&l| l == 1).count()
                };
                let data = buf
                    .get(levels_len..)
                    .ok_or_else(|| page_bad("truncated page"))?;
                present_values.clear();
                present_values.reserve(present);
                match encoding {
                    Encoding::PLAIN => {
                        let mut rest = data;
                        for k in 0..present {
                            // The row of the value, for an error only (a
                            // location per value would cost more than the
                            // decoding): nulls have none.
                            let row = || {
                                let i = (0..n).filter(|&i| dense || levels[i] == 1).nth(k);
                                at.row(first + i.unwrap_or(0) as u64)
                            };
                            let (x, r) = v.plain(rest, &row)?;
                            rest = r;
                            present_values.push(x);
                        }
                    }
                    Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
                        let (&width, rest) = data
                            .split_first()
                            .ok_or_else(|| page_bad("truncated page"))?;
                        let mut bad_index = false;
                        rle_hybrid(rest, width, present, |i| match v.entry(i) {
                            Some(x) => present_values.push(x),
                            None => bad_index = true,
                        })
                        .filter(|_| !bad_index && present_values.len() == present)
                        .ok_or_else(|| page_bad("malformed dictionary indices"))?;
                    }
                    e => {
                        return Err(page_bad(&format!(
                            "values encoded {e}, which stemgap does not read"
                        )))
                    }
                }
                if dense {
                    out.extend_from_slice(&present_values);
                } else {
                    let mut next = present_values.iter();
                    out.extend(levels.iter().map(|&l| match l {
                        1 => next.next().copied().unwrap_or(V::NULL),
                        _ => V::NULL,
                    }));
                }
            }
            if out.len() != end {
                return Err(bad(
                    at.row(out.len() as u64 + 1),
                    format!(
                        "row group {g} ends after row {}, its metadata says {end}",
                        out.len()
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// Decodes a text (BYTE_ARRAY) column. Every value must be UTF-8.
    pub fn strings(&self, name: &str) -> Result<StrColumn, SourceError> {
        self.text_type(name)?;
        let mut text = Text::default();
        let codes = self.decode(name, &mut text)?;
        Ok(StrColumn {
            location: self.location.at_column(name),
            values: text.values,
            codes,
            first: 0,
        })
    }

    /// What a column holds (its type is read from the schema; nothing is
    /// decoded).
    pub fn kind(&self, name: &str) -> Result<ColumnKind, SourceError> {
        let i = self.column(name)?;
        let descr = self
            .reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .column(i);
        if descr.max_rep_level() > 0 || descr.max_def_level() > 1 {
            return Ok(ColumnKind::Other("a nested or repeated column".into()));
        }
        // Old writers give only a converted type (no logical one).
        use ::parquet::basic::ConvertedType as C;
        let physical = descr.physical_type();
        let wide = physical == PhysicalType::INT64;
        Ok(
            match (physical, descr.logical_type_ref(), descr.converted_type()) {
                (
                    PhysicalType::BYTE_ARRAY,
                    None | Some(LogicalType::String | LogicalType::Enum | LogicalType::Json),
                    C::NONE | C::UTF8 | C::ENUM | C::JSON,
                ) => ColumnKind::Text,
                (
                    PhysicalType::INT32 | PhysicalType::INT64,
                    None,
                    C::NONE | C::INT_8 | C::INT_16 | C::INT_32 | C::INT_64,
                ) => ColumnKind::Integer {
                    wide,
                    unsigned: false,
                },
                (
                    PhysicalType::INT32 | PhysicalType::INT64,
                    None,
                    C::UINT_8 | C::UINT_16 | C::UINT_32 | C::UINT_64,
                ) => ColumnKind::Integer {
                    wide,
                    unsigned: true,
                },
                (PhysicalType::INT32 | PhysicalType::INT64, Some(LogicalType::Integer(int)), _) => {
                    ColumnKind::Integer {
                        wide,
                        unsigned: !int.is_signed,
                    }
                }
                (PhysicalType::FLOAT | PhysicalType::DOUBLE, None, C::NONE) => ColumnKind::Float,
                (t, Some(l), _) => ColumnKind::Other(format!("{t} ({l:?})")),
                (t, None, C::NONE) => ColumnKind::Other(t.to_string()),
                (t, None, c) => ColumnKind::Other(format!("{t} ({c})")),
            },
        )
    }

    /// Decodes a floating-point column (FLOAT or DOUBLE, without an
    /// annotation); a FLOAT is widened to the same number as an f64.
    pub fn floats(&self, name: &str) -> Result<FloatColumn, SourceError> {
        if self.kind(name)? != ColumnKind::Float {
            return Err(self.type_error(name, "floating point"));
        }
        let i = self.column(name)?;
        let wide = self
            .reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .column(i)
            .physical_type()
            == PhysicalType::DOUBLE;
        let values = self.decode(name, &mut floats(wide))?;
        Ok(FloatColumn {
            location: self.location.at_column(name),
            values,
        })
    }

    /// Checks that the row groups' row counts are not negative and add up
    /// to the footer's (the decoder sizes its output from a group's count,
    /// so a file read under a bound on rows checks this first), and that no
    /// column chunk has a negative offset or size (which the `parquet`
    /// crate asserts against, panicking).
    pub fn check_row_groups(&self) -> Result<(), SourceError> {
        let mut total: u64 = 0;
        for (g, group) in self.reader.metadata().row_groups().iter().enumerate() {
            let n = u64::try_from(group.num_rows()).map_err(|_| {
                bad(
                    self.location.clone(),
                    format!("row group {g} has a negative row count"),
                )
            })?;
            total = total.saturating_add(n);
            // The crate asserts (panics) on a negative chunk offset or size.
            for c in group.columns() {
                if c.data_page_offset() < 0
                    || c.dictionary_page_offset().is_some_and(|o| o < 0)
                    || c.compressed_size() < 0
                    || c.uncompressed_size() < 0
                {
                    return Err(bad(
                        self.location.clone(),
                        format!(
                            "row group {g}, column {}: a negative offset or size",
                            c.column_path().string()
                        ),
                    ));
                }
            }
        }
        if total != self.rows as u64 {
            return Err(bad(
                self.location.clone(),
                format!(
                    "the row groups hold {total} rows, the footer says {}",
                    self.rows
                ),
            ));
        }
        Ok(())
    }

    /// Walks the page headers of the columns marked in `used` (schema
    /// order) in every row group, in `bytes` (the file this table was read
    /// from), without trusting their declared sizes: each header must be
    /// well-formed Thrift whose lists fit in the bytes left, and the pages
    /// must end where the column chunk ends. The `parquet` crate's own
    /// header reader loops over a list's declared length even past the end
    /// of the input (a 21 KB file took over 5 s; found by the recipe
    /// fuzzer), so an untrusted file is walked here first.
    pub fn check_page_headers(&self, bytes: &[u8], used: &[bool]) -> Result<(), SourceError> {
        for (g, group) in self.reader.metadata().row_groups().iter().enumerate() {
            for (i, c) in group.columns().iter().enumerate() {
                if used.get(i) != Some(&true) {
                    continue;
                }
                let at = |why: String| {
                    bad(
                        self.location.at_column(c.column_path().string()),
                        format!("row group {g}: {why}"),
                    )
                };
                let start = c
                    .dictionary_page_offset()
                    .filter(|o| *o > 0)
                    .unwrap_or(c.data_page_offset());
                let (Ok(start), Ok(len)) =
                    (usize::try_from(start), usize::try_from(c.compressed_size()))
                else {
                    return Err(at("a negative column chunk offset or size".into()));
                };
                let end = start
                    .checked_add(len)
                    .filter(|e| *e <= bytes.len())
                    .ok_or_else(|| at("the column chunk runs past the end of the file".into()))?;
                let mut pos = start;
                while pos < end {
                    let mut h = Compact {
                        buf: &bytes[..end],
                        pos,
                    };
                    let size = h
                        .page_header()
                        .ok_or_else(|| at(format!("a malformed page header at byte {pos}")))?;
                    pos = usize::try_from(size)
                        .ok()
                        .and_then(|s| h.pos.checked_add(s))
                        .filter(|p| *p <= end)
                        .ok_or_else(|| {
                            at(format!("the page at byte {pos} runs past its column chunk"))
                        })?;
                }
            }
        }
        Ok(())
    }

    /// The bytes the columns marked in `used` (schema order) unpack to,
    /// summed over every row group, as the footer declares them (nothing is
    /// decompressed); a negative size counts as `u64::MAX`.
    pub fn declared_unpacked(&self, used: &[bool]) -> u64 {
        let meta = self.reader.metadata();
        let mut total = 0u64;
        for g in meta.row_groups() {
            for (i, c) in g.columns().iter().enumerate() {
                if used.get(i) == Some(&true) {
                    let n = u64::try_from(c.uncompressed_size()).unwrap_or(u64::MAX);
                    total = total.saturating_add(n);
                }
            }
        }
        total
    }

    /// Checks that a column holds text.
    fn text_type(&self, name: &str) -> Result<(), SourceError> {
        let i = self.column(name)?;
        let descr = self
            .reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .column(i);
        // BYTE_ARRAY may also hold binary data: only text annotations (or
        // none, as some writers leave it) are accepted.
        if descr.physical_type() != PhysicalType::BYTE_ARRAY
            || !matches!(
                descr.logical_type_ref(),
                None | Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)
            )
        {
            return Err(self.type_error(name, "text"));
        }
        Ok(())
    }

    /// Number of row groups.
    pub fn row_groups(&self) -> usize {
        self.reader.num_row_groups()
    }

    /// Whether row group `g` may hold `value` in text column `name`, from
    /// the group's statistics (min and max, compared as bytes, as Parquet
    /// orders UTF-8): `false` only when they rule it out, so a group without
    /// statistics is always read. Nothing is decompressed.
    pub fn group_may_hold(&self, g: usize, name: &str, value: &str) -> Result<bool, SourceError> {
        let (col, _) = self.leaf(name)?;
        let meta = self.reader.metadata();
        if g >= meta.num_row_groups() {
            return Err(bad(
                self.location.at_column(name),
                format!("no row group {g}: the file has {}", meta.num_row_groups()),
            ));
        }
        let Some(stats) = meta.row_group(g).column(col).statistics() else {
            return Ok(true);
        };
        let v = value.as_bytes();
        Ok(match (stats.min_bytes_opt(), stats.max_bytes_opt()) {
            (Some(min), Some(max)) => min <= v && v <= max,
            // Only nulls, with a null count: a value cannot be there.
            (None, None) => stats.null_count_opt().is_none(),
            _ => true,
        })
    }

    /// The one value of text column `name` in every row of group `g`, when
    /// the group's statistics say so (min equals max, no nulls counted):
    /// such a column need not be decoded.
    pub fn group_constant(&self, g: usize, name: &str) -> Result<Option<String>, SourceError> {
        self.text_type(name)?;
        let (col, _) = self.leaf(name)?;
        let meta = self.reader.metadata();
        if g >= meta.num_row_groups() {
            return Err(bad(
                self.location.at_column(name),
                format!("no row group {g}: the file has {}", meta.num_row_groups()),
            ));
        }
        let Some(stats) = meta.row_group(g).column(col).statistics() else {
            return Ok(None);
        };
        if stats.null_count_opt() != Some(0) {
            return Ok(None);
        }
        Ok(match (stats.min_bytes_opt(), stats.max_bytes_opt()) {
            // Even truncated statistics bound every value (min <= v <= max),
            // so equal bounds mean one value, whether flagged exact or not.
            (Some(min), Some(max)) if min == max => {
                std::str::from_utf8(min).ok().map(str::to_owned)
            }
            _ => None,
        })
    }

    /// Decodes one row group of a text column (as [`ParquetTable::strings`]);
    /// errors and [`StrColumn::error`] still name rows of the whole file.
    pub fn group_strings(&self, g: usize, name: &str) -> Result<StrColumn, SourceError> {
        self.text_type(name)?;
        if g >= self.reader.num_row_groups() {
            return Err(bad(
                self.location.at_column(name),
                format!(
                    "no row group {g}: the file has {}",
                    self.reader.num_row_groups()
                ),
            ));
        }
        let mut text = Text::default();
        let codes = self.decode_groups(name, [g], &mut text)?;
        Ok(StrColumn {
            location: self.location.at_column(name),
            values: text.values,
            codes,
            first: self.rows_before(g),
        })
    }

    /// Decodes an integer column (INT32 or INT64 without a date, time or
    /// decimal annotation).
    pub fn integers(&self, name: &str) -> Result<IntColumn, SourceError> {
        let i = self.column(name)?;
        let descr = self
            .reader
            .metadata()
            .file_metadata()
            .schema_descr()
            .column(i);
        if !matches!(
            descr.logical_type_ref(),
            None | Some(LogicalType::Integer(_))
        ) {
            return Err(self.type_error(name, "integers"));
        }
        let wide = match descr.physical_type() {
            PhysicalType::INT32 => false,
            PhysicalType::INT64 => true,
            _ => return Err(self.type_error(name, "integers")),
        };
        let values = self.decode(name, &mut ints(wide))?;
        Ok(IntColumn {
            location: self.location.at_column(name),
            values,
        })
    }
}

/// How values of one kind are decoded from pages.
trait Values {
    /// What a row holds.
    type Out: Copy;
    /// What a null row holds.
    const NULL: Self::Out;
    /// A new column chunk (row group) begins: its dictionary is its own.
    fn new_chunk(&mut self);
    /// A dictionary page of `n` PLAIN values.
    fn dictionary(&mut self, buf: &[u8], n: usize, at: &Location) -> Result<(), SourceError>;
    /// Entry `i` of the chunk's dictionary.
    fn entry(&self, i: u32) -> Option<Self::Out>;
    /// One PLAIN value from the front of `buf`, and the rest; `at` gives
    /// the value's location for an error.
    fn plain<'b>(
        &mut self,
        buf: &'b [u8],
        at: &dyn Fn() -> Location,
    ) -> Result<(Self::Out, &'b [u8]), SourceError>;
}

/// Text, interned: distinct values numbered in order of first appearance.
#[derive(Default)]
struct Text {
    values: Vec<Box<str>>,
    index: HashMap<Box<[u8]>, u32>,
    /// The chunk's dictionary, as codes.
    local: Vec<u32>,
}

impl Text {
    fn intern(&mut self, v: &[u8], at: &dyn Fn() -> Location) -> Result<u32, SourceError> {
        if let Some(&c) = self.index.get(v) {
            return Ok(c);
        }
        let s = std::str::from_utf8(v)
            .map_err(|e| SourceError::new(at(), Problem::InvalidUtf8(e.to_string())))?;
        let c = u32::try_from(self.values.len())
            .ok()
            .filter(|&c| c != NULL)
            .ok_or_else(|| bad(at(), "too many distinct values"))?;
        self.values.push(s.into());
        self.index.insert(v.into(), c);
        Ok(c)
    }
}

impl Values for Text {
    type Out = u32;
    const NULL: u32 = NULL;

    fn new_chunk(&mut self) {
        self.local.clear();
    }

    fn dictionary(&mut self, buf: &[u8], n: usize, at: &Location) -> Result<(), SourceError> {
        self.local.clear();
        let mut rest = buf;
        for _ in 0..n {
            let (v, r) =
                plain_value(rest).ok_or_else(|| bad(at.clone(), "truncated dictionary page"))?;
            rest = r;
            let c = self.intern(v, &|| at.clone())?;
            self.local.push(c);
        }
        Ok(())
    }

    fn entry(&self, i: u32) -> Option<u32> {
        self.local.get(i as usize).copied()
    }

    fn plain<'b>(
        &mut self,
        buf: &'b [u8],
        at: &dyn Fn() -> Location,
    ) -> Result<(u32, &'b [u8]), SourceError> {
        let (v, rest) = plain_value(buf).ok_or_else(|| bad(at(), "truncated page"))?;
        Ok((self.intern(v, at)?, rest))
    }
}

/// Fixed-width numbers: INT32 or INT64 as `i64`, FLOAT or DOUBLE as
/// `f64` (each narrow or wide, as `wide` says).
struct Fixed<T> {
    wide: bool,
    dictionary: Vec<T>,
    narrow: fn([u8; 4]) -> T,
    full: fn([u8; 8]) -> T,
}

impl<T> Fixed<T> {
    fn new(wide: bool, narrow: fn([u8; 4]) -> T, full: fn([u8; 8]) -> T) -> Self {
        Fixed {
            wide,
            dictionary: Vec::new(),
            narrow,
            full,
        }
    }

    fn take<'b>(&self, buf: &'b [u8]) -> Option<(T, &'b [u8])> {
        if self.wide {
            let (v, rest) = buf.split_first_chunk::<8>()?;
            Some(((self.full)(*v), rest))
        } else {
            let (v, rest) = buf.split_first_chunk::<4>()?;
            Some(((self.narrow)(*v), rest))
        }
    }
}

/// INT32 or INT64 values.
fn ints(wide: bool) -> Fixed<i64> {
    Fixed::new(
        wide,
        |b| i64::from(i32::from_le_bytes(b)),
        i64::from_le_bytes,
    )
}

/// FLOAT or DOUBLE values.
fn floats(wide: bool) -> Fixed<f64> {
    Fixed::new(
        wide,
        |b| f64::from(f32::from_le_bytes(b)),
        f64::from_le_bytes,
    )
}

impl<T: Copy> Values for Fixed<T> {
    type Out = Option<T>;
    const NULL: Option<T> = None;

    fn new_chunk(&mut self) {
        self.dictionary.clear();
    }

    fn dictionary(&mut self, buf: &[u8], n: usize, at: &Location) -> Result<(), SourceError> {
        self.dictionary.clear();
        let mut rest = buf;
        for _ in 0..n {
            let (v, r) = self
                .take(rest)
                .ok_or_else(|| bad(at.clone(), "truncated dictionary page"))?;
            rest = r;
            self.dictionary.push(v);
        }
        Ok(())
    }

    fn entry(&self, i: u32) -> Option<Option<T>> {
        self.dictionary.get(i as usize).map(|&v| Some(v))
    }

    fn plain<'b>(
        &mut self,
        buf: &'b [u8],
        at: &dyn Fn() -> Location,
    ) -> Result<(Option<T>, &'b [u8]), SourceError> {
        let (v, rest) = self.take(buf).ok_or_else(|| bad(at(), "truncated page"))?;
        Ok((Some(v), rest))
    }
}

/// One PLAIN byte array (4-byte little-endian length, then the bytes) and
/// the rest of the buffer.
fn plain_value(buf: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = buf.split_first_chunk::<4>()?;
    let len = u32::from_le_bytes(*len) as usize;
    (rest.len() >= len).then(|| rest.split_at(len))
}

/// Definition levels of a flat optional column (bit width 1) from
/// `buf[start..start + len]`, `n` of them, into `out`; `Some(true)` (and
/// `out` left empty) when they are one run of 1s: every value is present,
/// the common case, which needs no levels.
fn levels_from(buf: &[u8], start: usize, len: usize, n: u32, out: &mut Vec<u32>) -> Option<bool> {
    out.clear();
    let data = buf.get(start..start.checked_add(len)?)?;
    // One run header (ULEB128, low bit 0), then the value byte.
    let mut header: u64 = 0;
    for (i, &b) in data.iter().enumerate().take(9) {
        header |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if header & 1 == 0 && header >> 1 >= u64::from(n) && data.get(i + 1) == Some(&1) {
                return Some(true);
            }
            break;
        }
    }
    rle_hybrid(data, 1, n as usize, |l| out.push(l))?;
    (out.len() == n as usize && out.iter().all(|&l| l <= 1)).then_some(false)
}

/// Decodes `count` values of the RLE / bit-packed hybrid encoding with the
/// given bit width, passing each to `each`. `None` if the data ends early.
fn rle_hybrid(mut data: &[u8], width: u8, count: usize, mut each: impl FnMut(u32)) -> Option<()> {
    if width > 32 {
        return None;
    }
    let width = width as usize;
    let mask = if width == 32 {
        u32::MAX
    } else {
        (1u32 << width) - 1
    };
    let mut left = count;
    while left > 0 {
        // ULEB128 header.
        let mut header: u64 = 0;
        let mut shift = 0;
        loop {
            let (&b, rest) = data.split_first()?;
            data = rest;
            header |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 56 {
                return None;
            }
        }
        if header & 1 == 0 {
            // A run: one value, repeated.
            let run = usize::try_from(header >> 1).ok()?;
            let bytes = width.div_ceil(8);
            let (v, rest) = data.split_at_checked(bytes)?;
            data = rest;
            let value = v
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            for _ in 0..run.min(left) {
                each(value);
            }
            left -= run.min(left);
        } else {
            // Bit-packed groups of eight values, least significant bit first.
            let groups = usize::try_from(header >> 1).ok()?;
            let (packed, rest) = data.split_at_checked(groups.checked_mul(width)?)?;
            data = rest;
            let n = (groups * 8).min(left);
            let (mut acc, mut bits, mut bytes) = (0u64, 0usize, packed.iter());
            for _ in 0..n {
                while bits < width {
                    acc |= u64::from(*bytes.next()?) << bits;
                    bits += 8;
                }
                each((acc as u32) & mask);
                acc >>= width;
                bits -= width;
            }
            left -= n;
        }
    }
    Some(())
}

impl StrColumn {
    /// A column built in memory, as if read from `location` (which should
    /// name the column): for tests of code that consumes columns.
    pub fn from_values(location: Location, rows: &[Option<&str>]) -> Self {
        let mut values: Vec<Box<str>> = Vec::new();
        let codes = rows
            .iter()
            .map(|v| match v {
                None => NULL,
                Some(v) => match values.iter().position(|x| &**x == *v) {
                    Some(i) => i as u32,
                    None => {
                        values.push((*v).into());
                        (values.len() - 1) as u32
                    }
                },
            })
            .collect();
        StrColumn {
            location,
            values,
            codes,
            first: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The value in a row (0-based index), `None` for a null.
    pub fn get(&self, row: usize) -> Option<&str> {
        self.code(row).map(|c| &*self.values[c as usize])
    }

    /// The dictionary index of a row's value, `None` for a null: rows with
    /// the same value have the same index, so grouping needs no hashing.
    pub fn code(&self, row: usize) -> Option<u32> {
        Some(self.codes[row]).filter(|&c| c != NULL)
    }

    /// The distinct values, by index.
    pub fn values(&self) -> &[Box<str>] {
        &self.values
    }

    /// The value in a row; a null is an error at that row.
    pub fn require(&self, row: usize) -> Result<&str, SourceError> {
        self.get(row)
            .ok_or_else(|| self.error(row, Problem::Invalid("empty (null) cell".into())))
    }

    /// An error at a row (0-based index) of this column.
    pub fn error(&self, row: usize, problem: Problem) -> SourceError {
        SourceError::new(self.location.at_row(self.first + row as u64 + 1), problem)
    }

    /// File and column, for messages about the whole column.
    pub fn location(&self) -> &Location {
        &self.location
    }
}

impl IntColumn {
    /// A column built in memory (see [`StrColumn::from_values`]).
    pub fn from_values(location: Location, values: Vec<Option<i64>>) -> Self {
        IntColumn { location, values }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value in a row (0-based index), `None` for a null.
    pub fn get(&self, row: usize) -> Option<i64> {
        self.values[row]
    }

    /// The value in a row; a null is an error at that row.
    pub fn require(&self, row: usize) -> Result<i64, SourceError> {
        self.get(row)
            .ok_or_else(|| self.error(row, Problem::Invalid("empty (null) cell".into())))
    }

    /// A count: the value in a row, which must be present and not negative.
    pub fn count(&self, row: usize) -> Result<u64, SourceError> {
        let v = self.require(row)?;
        u64::try_from(v).map_err(|_| {
            self.error(
                row,
                Problem::Invalid(format!("expected a count, found {v}")),
            )
        })
    }

    /// An error at a row (0-based index) of this column.
    pub fn error(&self, row: usize, problem: Problem) -> SourceError {
        SourceError::new(self.location.at_row(row as u64 + 1), problem)
    }

    pub fn location(&self) -> &Location {
        &self.location
    }
}

impl FloatColumn {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value in a row (0-based index), `None` for a null.
    pub fn get(&self, row: usize) -> Option<f64> {
        self.values[row]
    }

    /// An error at a row (0-based index) of this column.
    pub fn error(&self, row: usize, problem: Problem) -> SourceError {
        SourceError::new(self.location.at_row(row as u64 + 1), problem)
    }

    pub fn location(&self) -> &Location {
        &self.location
    }
}

/// A bounded reader of Thrift compact-protocol bytes: enough to step over
/// a Parquet page header without trusting anything it declares. Every
/// `None` is malformed input.
struct Compact<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Compact<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn advance(&mut self, n: usize) -> Option<()> {
        (n <= self.left()).then(|| self.pos += n)
    }

    /// An unsigned LEB128 varint of at most ten bytes.
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn zigzag(&mut self) -> Option<i64> {
        let v = self.varint()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// Steps over a value of compact type `ty` (a struct field's; in a
    /// list or map a boolean takes a byte of its own: `in_list`).
    fn skip(&mut self, ty: u8, in_list: bool, depth: u8) -> Option<()> {
        let depth = depth.checked_sub(1)?;
        match ty {
            1 | 2 if in_list => self.advance(1),
            1 | 2 => Some(()),
            3 => self.advance(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.advance(8),
            8 => {
                let n = usize::try_from(self.varint()?).ok()?;
                self.advance(n)
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = match h >> 4 {
                    15 => usize::try_from(self.varint()?).ok()?,
                    n => usize::from(n),
                };
                // Every element takes at least a byte.
                if n > self.left() {
                    return None;
                }
                (0..n).try_for_each(|_| self.skip(h & 0x0f, true, depth))
            }
            11 => {
                let n = usize::try_from(self.varint()?).ok()?;
                if n == 0 {
                    return Some(());
                }
                let kv = self.byte()?;
                if n > self.left() / 2 {
                    return None;
                }
                (0..n).try_for_each(|_| {
                    self.skip(kv >> 4, true, depth)?;
                    self.skip(kv & 0x0f, true, depth)
                })
            }
            12 => self.fields(depth, |_, _, _| None),
            13 => self.advance(16),
            _ => None,
        }
    }

    /// A struct's fields up to its stop byte: `take(c, id, type)` may read
    /// a field itself (`Some`), else it is stepped over.
    fn fields(
        &mut self,
        depth: u8,
        mut take: impl FnMut(&mut Self, i64, u8) -> Option<Option<()>>,
    ) -> Option<()> {
        let mut last = 0i64;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Some(());
            }
            let ty = h & 0x0f;
            let id = match h >> 4 {
                0 => self.zigzag()?,
                d => last + i64::from(d),
            };
            last = id;
            match take(self, id, ty) {
                Some(r) => r?,
                None => self.skip(ty, false, depth)?,
            }
        }
    }

    /// A page header, returning its `compressed_page_size` (field 3).
    fn page_header(&mut self) -> Option<i64> {
        let mut size = None;
        self.fields(64, |c, id, ty| {
            (id == 3 && ty == 5).then(|| {
                size = Some(c.zigzag()?);
                Some(())
            })
        })?;
        size.filter(|s| *s >= 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &[u8] = include_bytes!("../tests/data/tiny.parquet");
    const TINY_ZSTD: &[u8] = include_bytes!("../tests/data/tiny_zstd.parquet");
    const TINY_V2: &[u8] = include_bytes!("../tests/data/tiny_v2.parquet");

    const SHARE: [Option<f64>; 5] = [Some(0.5), Some(0.25), None, Some(1.0), Some(0.0)];

    fn tiny() -> ParquetTable {
        ParquetTable::from_bytes(TINY, Location::file("tiny.parquet")).unwrap()
    }

    #[test]
    fn columns_and_rows_come_from_the_footer() {
        let t = tiny();
        assert_eq!(t.len(), 5);
        assert_eq!(t.columns(), ["area", "count", "id", "share", "blob"]);
        assert_eq!(t.column("id").unwrap(), 2);
        assert_eq!(
            t.column("starts").unwrap_err().to_string(),
            "tiny.parquet, column \"starts\": missing column; found columns: area, count, id, share, blob"
        );
    }

    #[test]
    fn strings_are_dictionary_coded_across_row_groups() {
        // Rows 1-3 are the first row group, 4-5 the second.
        let area = tiny().strings("area").unwrap();
        assert_eq!(area.len(), 5);
        let got: Vec<_> = (0..5).map(|r| area.get(r)).collect();
        assert_eq!(
            got,
            [
                Some("Northam"),
                Some("Southam"),
                None,
                Some("Northam"),
                Some("Westham")
            ]
        );
        assert_eq!(area.code(0), area.code(3));
        assert_eq!(area.code(2), None);
        assert_eq!(area.values().len(), 3);
        assert_eq!(
            area.require(2).unwrap_err().to_string(),
            "tiny.parquet, row 3, column \"area\": empty (null) cell"
        );
    }

    #[test]
    fn integers_keep_nulls_and_counts_must_not_be_negative() {
        let t = tiny();
        let count = t.integers("count").unwrap();
        let got: Vec<_> = (0..5).map(|r| count.get(r)).collect();
        assert_eq!(got, [Some(12), None, Some(0), Some(7), Some(-5)]);
        assert_eq!(count.count(3).unwrap(), 7);
        assert_eq!(
            count.count(1).unwrap_err().to_string(),
            "tiny.parquet, row 2, column \"count\": empty (null) cell"
        );
        assert_eq!(
            count.count(4).unwrap_err().to_string(),
            "tiny.parquet, row 5, column \"count\": expected a count, found -5"
        );
        let id = t.integers("id").unwrap();
        assert_eq!((0..5).map(|r| id.require(r).unwrap()).sum::<i64>(), 15);
    }

    #[test]
    fn floats_keep_nulls_and_kinds_come_from_the_schema() {
        let t = tiny();
        let share = t.floats("share").unwrap();
        let got: Vec<_> = (0..5).map(|r| share.get(r)).collect();
        assert_eq!(got, SHARE);
        assert_eq!(t.kind("share").unwrap(), ColumnKind::Float);
        assert_eq!(t.kind("area").unwrap(), ColumnKind::Text);
        assert_eq!(
            t.kind("count").unwrap(),
            ColumnKind::Integer {
                wide: false,
                unsigned: false
            }
        );
        assert!(t.kind("nope").is_err());
        assert_eq!(
            t.floats("count").unwrap_err().to_string(),
            "tiny.parquet, column \"count\": column holds INT32, expected floating point"
        );
        assert_eq!(
            t.floats("area").unwrap_err().to_string(),
            "tiny.parquet, column \"area\": column holds BYTE_ARRAY (String), expected floating point"
        );
    }

    #[test]
    fn row_groups_add_up_to_the_footer() {
        tiny().check_row_groups().unwrap();
        // Every column read is declared to unpack to a few bytes.
        let t = tiny();
        let all = t.declared_unpacked(&[true; 5]);
        let one = t.declared_unpacked(&[true, false, false, false, false]);
        assert!(one > 0 && one < all && all < 10_000, "{one} {all}");
        assert_eq!(t.declared_unpacked(&[]), 0);
    }

    #[test]
    fn a_column_of_the_wrong_type_is_refused_by_name() {
        let t = tiny();
        assert_eq!(
            t.strings("count").unwrap_err().to_string(),
            "tiny.parquet, column \"count\": column holds INT32, expected text"
        );
        assert_eq!(
            t.integers("share").unwrap_err().to_string(),
            "tiny.parquet, column \"share\": column holds DOUBLE, expected integers"
        );
        assert_eq!(
            t.integers("area").unwrap_err().to_string(),
            "tiny.parquet, column \"area\": column holds BYTE_ARRAY (String), expected integers"
        );
    }

    #[test]
    fn text_must_be_utf8() {
        // Row 3, after a null in the same (plain-encoded) page.
        let e = tiny().strings("blob").unwrap_err();
        assert_eq!(e.location.row, Some(3));
        assert_eq!(e.location.column.as_deref(), Some("blob"));
        assert!(matches!(e.problem, Problem::InvalidUtf8(_)), "{e}");
    }

    #[test]
    fn version_2_data_pages_read_the_same() {
        let v1 = tiny();
        let v2 = ParquetTable::from_bytes(TINY_V2, Location::file("tiny.parquet")).unwrap();
        let (a1, a2) = (v1.strings("area").unwrap(), v2.strings("area").unwrap());
        assert!((0..5).all(|r| a1.get(r) == a2.get(r)));
        let (c1, c2) = (v1.integers("count").unwrap(), v2.integers("count").unwrap());
        assert!((0..5).all(|r| c1.get(r) == c2.get(r)));
        assert_eq!(
            v1.strings("blob").unwrap_err(),
            v2.strings("blob").unwrap_err()
        );
    }

    #[test]
    fn rle_hybrid_runs_and_bit_packed_groups() {
        // A run of 5 × 3 (width 2), then one bit-packed group of 8 values
        // 0,1,2,3,0,1,2,3 (width 2: 0b11100100 twice).
        let data = [5 << 1, 3, (1 << 1) | 1, 0b1110_0100, 0b1110_0100];
        let mut got = Vec::new();
        rle_hybrid(&data, 2, 13, |v| got.push(v)).unwrap();
        assert_eq!(got, [3, 3, 3, 3, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
        // Fewer values wanted than the group holds: padding is ignored.
        got.clear();
        rle_hybrid(&data, 2, 7, |v| got.push(v)).unwrap();
        assert_eq!(got.len(), 7);
        // Data that ends early.
        assert_eq!(rle_hybrid(&data[..3], 2, 13, |_| ()), None);
        assert_eq!(plain_value(&[3, 0, 0, 0, b'a', b'b']), None);
        assert_eq!(
            plain_value(&[2, 0, 0, 0, b'a', b'b', b'c']),
            Some((&b"ab"[..], &b"c"[..]))
        );
    }

    #[test]
    fn zstd_files_read_the_same_as_snappy() {
        let snappy = tiny();
        let zstd = ParquetTable::from_bytes(TINY_ZSTD, Location::file("tiny.parquet")).unwrap();
        let (a1, a2) = (
            snappy.strings("area").unwrap(),
            zstd.strings("area").unwrap(),
        );
        assert!((0..5).all(|r| a1.get(r) == a2.get(r)));
        let (c1, c2) = (
            snappy.integers("count").unwrap(),
            zstd.integers("count").unwrap(),
        );
        assert!((0..5).all(|r| c1.get(r) == c2.get(r)));
    }

    #[test]
    fn row_groups_are_read_one_at_a_time_and_skipped_by_their_statistics() {
        let t = tiny();
        assert_eq!(t.row_groups(), 2);
        // Group 0 holds Northam, Southam and a null; group 1 Northam, Westham.
        assert!(t.group_may_hold(0, "area", "Northam").unwrap());
        assert!(
            t.group_may_hold(0, "area", "Oldham").unwrap(),
            "between min and max"
        );
        assert!(!t.group_may_hold(0, "area", "Westham").unwrap());
        assert!(!t.group_may_hold(1, "area", "Zetham").unwrap());
        assert!(!t.group_may_hold(1, "area", "Aaa").unwrap());
        let g1 = t.group_strings(1, "area").unwrap();
        assert_eq!(g1.len(), 2);
        assert_eq!((g1.get(0), g1.get(1)), (Some("Northam"), Some("Westham")));
        // Rows are still the file's: the group's second row is row 5.
        assert_eq!(
            g1.error(1, Problem::Invalid("x".into())).to_string(),
            "tiny.parquet, row 5, column \"area\": x"
        );
        // The bad UTF-8 of row 3 is in group 0 only.
        assert!(t.group_strings(1, "blob").is_ok());
        let e = t.group_strings(0, "blob").unwrap_err();
        assert_eq!(e.location.row, Some(3), "{e}");
        assert!(t.group_strings(2, "area").is_err());
        assert!(t.group_may_hold(2, "area", "x").is_err());
        assert!(t.group_strings(0, "count").is_err(), "not text");
        // Group 1's `id` is 4, 5 (not text); its `area` varies; none is constant.
        assert_eq!(t.group_constant(1, "area").unwrap(), None);
        assert!(t.group_constant(0, "count").is_err(), "not text");
    }

    #[test]
    fn codecs_not_compiled_in_and_broken_files_are_clear_errors() {
        // The crate's message for a codec left out of the build.
        let e = bad(
            Location::file("z.parquet").at_column("area"),
            "Parquet error: Disabled feature at compile time: lz4",
        );
        assert_eq!(
            e.to_string(),
            "z.parquet, column \"area\": malformed Parquet: compressed with LZ4, which stemgap does not read (only Snappy and ZSTD are compiled in)"
        );
        let e = ParquetTable::from_bytes(b"not parquet at all", Location::file("x.parquet"))
            .unwrap_err();
        assert!(matches!(e.problem, Problem::Parquet(_)), "{e}");
        // Cut short: the footer is gone.
        let e = ParquetTable::from_bytes(&TINY[..TINY.len() - 10], Location::file("x.parquet"))
            .unwrap_err();
        assert!(matches!(e.problem, Problem::Parquet(_)), "{e}");
        let e = ParquetTable::from_bytes(b"", Location::file("x.parquet")).unwrap_err();
        assert_eq!(e.problem, Problem::Empty);
    }

    #[test]
    fn columns_can_be_built_in_memory() {
        let c = StrColumn::from_values(
            Location::file("m").at_column("c"),
            &[Some("a"), None, Some("a")],
        );
        assert_eq!(c.code(0), c.code(2));
        assert_eq!(c.get(1), None);
        assert_eq!(
            c.require(1).unwrap_err().to_string(),
            "m, row 2, column \"c\": empty (null) cell"
        );
        let i = IntColumn::from_values(Location::file("m").at_column("n"), vec![Some(3), None]);
        assert_eq!(i.get(0), Some(3));
        assert!(i.count(1).is_err());
    }

    fn header(bytes: &[u8]) -> Option<(i64, usize)> {
        let mut c = Compact { buf: bytes, pos: 0 };
        c.page_header().map(|s| (s, c.pos))
    }

    #[test]
    fn page_headers_are_walked_without_trusting_their_lists() {
        // type = 0 (i32 5), uncompressed 20, compressed 12, then a data
        // page header struct (field 5) holding num_values 3 and an
        // encoding, then stop: 12 bytes of header.
        let ok = [
            0x15, 0x00, // field 1, i32, zigzag 0
            0x15, 0x28, // field 2, i32, 20
            0x15, 0x18, // field 3, i32, 12
            0x2c, // field 5 (delta 2), struct
            0x15, 0x06, // field 1, i32, 3
            0x15, 0x00, // field 2, i32, 0
            0x00, // end of data page header
            0x00, // end of page header
        ];
        assert_eq!(header(&ok), Some((12, ok.len())));
        // A list of 200,000,000 booleans declared in a few bytes: the
        // elements cannot fit, so it is malformed at once.
        let list = [0x19, 0xf1, 0x80, 0x84, 0xaf, 0x5f, 0x00];
        assert_eq!(header(&list), None);
        // A list that does fit is stepped over, booleans a byte each.
        let fits = [0x19, 0x31, 0x01, 0x02, 0x01, 0x25, 0x0a, 0x00];
        assert_eq!(header(&fits), Some((5, fits.len())));
        // No compressed size, a negative one, a truncated header, nesting
        // beyond the depth bound.
        assert_eq!(header(&[0x15, 0x00, 0x00]), None);
        assert_eq!(header(&[0x35, 0x01, 0x00]), None);
        assert_eq!(header(&[0x35]), None);
        // (100 nested structs, closed, then the size: well-formed, but
        // deeper than the 64 levels walked.)
        let nest = |levels: usize| -> Vec<u8> {
            let mut v: Vec<u8> = std::iter::repeat_n(0x1c, levels).collect();
            v.extend(std::iter::repeat_n(0x00, levels));
            v.extend([0x25, 0x0a, 0x00]);
            v
        };
        assert_eq!(header(&nest(10)), Some((5, nest(10).len())));
        assert_eq!(header(&nest(100)), None);
    }
}
