//! The Parquet and JSON readers of declared sources: a file of records
//! (one row each) turned into CSV text, one record per line under a header
//! line, as [`super::xlsx`] does for a sheet, so the one CSV path of
//! [`super::engine::read_declared`] reads it. Rows are the records'
//! numbers (the first record is row 1). A null (or, in JSON, an absent
//! key) is a blank cell: missing, never zero.

use super::{Limits, Recipe};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt::Write as _;
use stemgap_sources::{ColumnKind, Location, ParquetTable, Problem, SourceError};

fn invalid(at: Location, why: impl Into<String>) -> SourceError {
    SourceError::new(at, Problem::Invalid(why.into()))
}

/// One cell as a CSV field: one line per record (a line break in the text
/// is a space), quoted when it holds a comma or a quote.
pub(super) fn push_field(out: &mut String, text: &str) {
    let text: std::borrow::Cow<'_, str> = if text.contains(['\r', '\n']) {
        text.replace(['\r', '\n'], " ").into()
    } else {
        text.into()
    };
    if text.contains([',', '"']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// The CSV text grows no larger than this (a compressed Parquet file's
/// text can be much larger than the file).
fn check_size(out: &str, limits: &Limits, at: &Location) -> Result<(), SourceError> {
    if out.len() > limits.unpacked_bytes {
        return Err(invalid(
            at.clone(),
            format!(
                "the table is more than {} bytes as text, the most read",
                limits.unpacked_bytes
            ),
        ));
    }
    Ok(())
}

fn check_cell(
    text: &str,
    limits: &Limits,
    at: impl FnOnce() -> Location,
) -> Result<(), SourceError> {
    if text.len() > limits.cell_chars && text.chars().count() > limits.cell_chars {
        return Err(invalid(
            at(),
            format!("a cell over {} characters", limits.cell_chars),
        ));
    }
    Ok(())
}

/// A header line of column names.
pub(super) fn header(columns: &[String]) -> String {
    let mut out = String::new();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(&mut out, c);
    }
    out.push('\n');
    out
}

/// Whether the recipe reads a column of this name: one it names, or a
/// year column of one of its prefixes (as the engine finds them).
pub fn recipe_reads(recipe: &Recipe, name: &str) -> bool {
    let s = &recipe.source;
    let name = name.trim();
    let mut named: Vec<&str> = [
        s.code_column.as_deref(),
        s.name_column.as_deref(),
        s.postcode_column.as_deref(),
        s.longitude_column.as_deref(),
        s.latitude_column.as_deref(),
        s.id_column.as_deref(),
        s.period.column.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    named.extend(s.filter.keys().map(String::as_str));
    if let Some(l) = &s.long {
        named.push(&l.category_column);
        named.extend(l.columns());
    }
    for ind in &recipe.indicators {
        named.extend(ind.value.as_deref());
        for cols in [&ind.numerator, &ind.denominator].into_iter().flatten() {
            named.extend(cols.0.iter().map(String::as_str));
        }
        named.extend(ind.sum.iter().chain(&ind.minus).map(String::as_str));
    }
    if named.contains(&name) {
        return true;
    }
    recipe.column_prefixes().any(|p| {
        name.strip_prefix(p)
            .map(str::trim)
            .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// One decoded Parquet column.
enum Decoded {
    /// Not read by the recipe: blank.
    Unused,
    Text(stemgap_sources::StrColumn),
    Int(stemgap_sources::IntColumn, bool, bool),
    Float(stemgap_sources::FloatColumn),
}

/// A flat Parquet file as CSV text (header line 0, row `k` the file's row
/// `k`), and the location to report errors at. Only the columns the recipe
/// reads are decoded (text, integers, floating point; any other type
/// there is an error naming it); the others are blank.
pub fn parquet_as_csv(
    bytes: &[u8],
    file: &str,
    recipe: &Recipe,
    limits: &Limits,
) -> Result<(Vec<u8>, Location), SourceError> {
    let at = Location::file(file);
    // The `parquet` crate reads the footer and the pages: a panic inside it
    // (a malformed file it did not expect) is an error about the file.
    std::panic::catch_unwind(|| parquet_inner(bytes, &at, recipe, limits))
        .map_err(|_| {
            SourceError::new(
                at.clone(),
                Problem::Parquet("the Parquet reader failed on this file".into()),
            )
        })?
        .map(|csv| (csv.into_bytes(), at.clone()))
}

fn parquet_inner(
    bytes: &[u8],
    at: &Location,
    recipe: &Recipe,
    limits: &Limits,
) -> Result<String, SourceError> {
    let t = ParquetTable::from_bytes(bytes, at.clone())?;
    limits.check_table(t.columns().len(), t.len(), at.clone(), at.clone())?;
    // The decoder sizes a group's output from the group's row count.
    t.check_row_groups()?;
    // What the used columns unpack to, as the footer declares it, before
    // anything is decompressed.
    let used: Vec<bool> = t
        .columns()
        .iter()
        .map(|c| recipe_reads(recipe, c))
        .collect();
    // Page headers walked first: the decoder trusts their list lengths.
    t.check_page_headers(bytes, &used)?;
    let declared = t.declared_unpacked(&used);
    if declared > limits.unpacked_bytes as u64 {
        return Err(invalid(
            at.clone(),
            format!(
                "the columns read would unpack to {declared} bytes; at most {} are read",
                limits.unpacked_bytes
            ),
        ));
    }
    let mut cols = Vec::with_capacity(t.columns().len());
    for (name, &read) in t.columns().iter().zip(&used) {
        if !read {
            cols.push(Decoded::Unused);
            continue;
        }
        cols.push(match t.kind(name)? {
            ColumnKind::Text => {
                let c = t.strings(name)?;
                for (i, v) in c.values().iter().enumerate() {
                    check_cell(v, limits, || {
                        let row = (0..c.len())
                            .find(|&r| c.code(r) == Some(i as u32))
                            .unwrap_or(0);
                        *c.error(row, Problem::Invalid(String::new())).location
                    })?;
                }
                Decoded::Text(c)
            }
            ColumnKind::Integer { wide, unsigned } => {
                Decoded::Int(t.integers(name)?, wide, unsigned)
            }
            ColumnKind::Float => Decoded::Float(t.floats(name)?),
            ColumnKind::Other(kind) => {
                return Err(invalid(
                    at.at_column(name.clone()),
                    format!(
                        "the column holds {kind}; a recipe reads text, integers (INT32, INT64) or floating point (FLOAT, DOUBLE)"
                    ),
                ))
            }
        });
    }
    let mut out = header(t.columns());
    for r in 0..t.len() {
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match c {
                Decoded::Unused => {}
                Decoded::Text(c) => push_field(&mut out, c.get(r).unwrap_or("")),
                Decoded::Int(c, wide, unsigned) => {
                    let _ = match (c.get(r), wide, unsigned) {
                        (None, _, _) => Ok(()),
                        (Some(v), true, true) => write!(out, "{}", v as u64),
                        (Some(v), false, true) => write!(out, "{}", v as i32 as u32),
                        (Some(v), _, false) => write!(out, "{v}"),
                    };
                }
                Decoded::Float(c) => {
                    if let Some(v) = c.get(r) {
                        if !v.is_finite() {
                            return Err(c.error(
                                r,
                                Problem::Invalid(format!("{v} is not a number stemgap reads")),
                            ));
                        }
                        // Rust's `{}` of an f64 reads back to the same f64.
                        let _ = write!(out, "{v}");
                    }
                }
            }
        }
        out.push('\n');
        if r % 1024 == 0 {
            check_size(&out, limits, at)?;
        }
    }
    check_size(&out, limits, at)?;
    Ok(out)
}

/// A JSON document of records as CSV text (header line 0, row `k` the
/// `k`-th record): an array of flat objects, or an object whose key
/// `records` holds one. Keys are columns (the union, in order of first
/// appearance); a string is its text, a number its text as written,
/// `true`/`false` that word, `null` or an absent key a blank cell. A
/// nested object or array, or a key twice in a record, is an error at
/// its record and key.
pub fn json_as_csv(
    bytes: &[u8],
    file: &str,
    records: Option<&str>,
    limits: &Limits,
) -> Result<(Vec<u8>, Location), SourceError> {
    let at = Location::file(file);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        SourceError::new(
            at.clone(),
            Problem::InvalidUtf8(format!("after byte {}", e.valid_up_to())),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(SourceError::new(at, Problem::Empty));
    }
    let state = State {
        at: at.clone(),
        limits,
        columns: Vec::new(),
        seen: Vec::new(),
        text: String::new(),
        cells: Vec::new(),
        row_ends: Vec::new(),
        error: RefCell::new(None),
    };
    let state = RefCell::new(state);
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de::Deserializer::deserialize_any(
        &mut de,
        Top {
            state: &state,
            records,
        },
    )
    .and_then(|()| de.end());
    let mut state = state.into_inner();
    if let Some(e) = state.error.get_mut().take() {
        return Err(e);
    }
    parsed.map_err(|e| {
        // serde_json's message ends "at line L column C".
        invalid(at.clone(), format!("not a JSON document of records: {e}"))
    })?;
    let mut out = header(&state.columns);
    let mut cells: Vec<Option<&str>> = vec![None; state.columns.len()];
    let (mut first, mut start) = (0, 0);
    for (r, &last) in state.row_ends.iter().enumerate() {
        // Sparse records over many keys write many blank cells.
        if r % 1024 == 0 {
            check_size(&out, limits, &at)?;
        }
        cells.fill(None);
        for &(c, end) in &state.cells[first..last] {
            cells[c] = Some(&state.text[start..end]);
            start = end;
        }
        first = last;
        for (i, v) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_field(&mut out, v.unwrap_or(""));
        }
        out.push('\n');
    }
    check_size(&out, limits, &at)?;
    Ok((out.into_bytes(), at))
}

/// What the JSON reader has read so far.
struct State<'l> {
    at: Location,
    limits: &'l Limits,
    columns: Vec<String>,
    /// Per column, the last record (numbered from 1) that had its key.
    seen: Vec<u64>,
    /// Every value's text (not null), one after another.
    text: String,
    /// Every value's column and where its text ends in `text`.
    cells: Vec<(usize, usize)>,
    /// Where each record's values end in `cells`.
    row_ends: Vec<usize>,
    /// An error found while reading, with its record and key (serde's own
    /// errors carry only a message).
    error: RefCell<Option<SourceError>>,
}

impl State<'_> {
    fn fail<E: de::Error>(&self, at: Location, why: String) -> E {
        self.fail_with(invalid(at, why))
    }

    fn fail_with<E: de::Error>(&self, e: SourceError) -> E {
        let why = e.to_string();
        *self.error.borrow_mut() = Some(e);
        E::custom(why)
    }
}

/// The document: an array of records, or an object with the key holding one.
struct Top<'s, 'l> {
    state: &'s RefCell<State<'l>>,
    records: Option<&'s str>,
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.records {
            None => f.write_str("an array of records (objects)"),
            Some(k) => write!(f, "an object whose key {k:?} holds an array of records"),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        if let Some(k) = self.records {
            let s = self.state.borrow();
            return Err(s.fail(
                s.at.clone(),
                format!("the document is an array, but json_records names the key {k:?} of an object holding it"),
            ));
        }
        Records { state: self.state }.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(key) = self.records else {
            let s = self.state.borrow();
            return Err(s.fail(
                s.at.clone(),
                "the document is an object: name the key holding the array of records with json_records".into(),
            ));
        };
        let mut found = false;
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if k == key {
                if found {
                    let s = self.state.borrow();
                    return Err(s.fail(
                        s.at.clone(),
                        format!("the key {key:?} is in the document twice"),
                    ));
                }
                found = true;
                map.next_value_seed(Records { state: self.state })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !found {
            let s = self.state.borrow();
            return Err(s.fail(
                s.at.clone(),
                format!("the document has no key {key:?} (json_records)"),
            ));
        }
        Ok(())
    }
}

/// The array of records.
struct Records<'s, 'l> {
    state: &'s RefCell<State<'l>>,
}

impl<'de> DeserializeSeed<'de> for Records<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of records (objects)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let n = self.state.borrow().row_ends.len() as u64 + 1;
            {
                let s = self.state.borrow();
                if s.row_ends.len() >= s.limits.rows {
                    // One more record is one too many.
                    drop(s);
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        return Ok(());
                    }
                    let s = self.state.borrow();
                    return Err(s.fail(
                        s.at.clone(),
                        format!(
                            "more than {} records; at most {} are read",
                            s.limits.rows, s.limits.rows
                        ),
                    ));
                }
            }
            match seq.next_element_seed(Record {
                state: self.state,
                row: n,
            })? {
                Some(()) => {
                    let mut s = self.state.borrow_mut();
                    let end = s.cells.len();
                    s.row_ends.push(end);
                }
                None => return Ok(()),
            }
        }
    }
}

/// One record: a flat object.
struct Record<'s, 'l> {
    state: &'s RefCell<State<'l>>,
    row: u64,
}

impl<'de> DeserializeSeed<'de> for Record<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Record<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record {} to be an object", self.row)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let mut s = self.state.borrow_mut();
            let at = s.at.at_row(self.row).at_column(key.trim().to_owned());
            let col = match s.columns.iter().position(|c| *c == *key) {
                Some(c) => c,
                None => {
                    if s.columns.len() >= s.limits.columns {
                        let why = format!("a column more than the {} read", s.limits.columns);
                        return Err(s.fail(at, why));
                    }
                    if let Err(e) = check_cell(&key, s.limits, || at.clone()) {
                        return Err(s.fail_with(e));
                    }
                    s.columns.push(key.clone().into_owned());
                    s.seen.push(0);
                    s.columns.len() - 1
                }
            };
            if s.seen[col] == self.row {
                return Err(s.fail(at, "the key is in the record twice".into()));
            }
            s.seen[col] = self.row;
            let raw: &serde_json::value::RawValue = map.next_value()?;
            let raw = raw.get();
            let text = match raw.as_bytes().first() {
                Some(b'{') | Some(b'[') => {
                    return Err(s.fail(
                        at,
                        "a nested object or array; a record's values are text, numbers, true, false or null".into(),
                    ))
                }
                Some(b'"') => {
                    serde_json::from_str::<String>(raw).map_err(de::Error::custom)?
                }
                _ if raw == "null" => continue,
                // A number as written, or true/false.
                _ => raw.to_owned(),
            };
            if let Err(e) = check_cell(&text, s.limits, || at.clone()) {
                return Err(s.fail_with(e));
            }
            s.text.push_str(&text);
            let end = s.text.len();
            s.cells.push((col, end));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        let s = self.state.borrow();
        Err(s.fail(
            s.at.at_row(self.row),
            "the record is an array, not an object".into(),
        ))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.not_object()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.not_object()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.not_object()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.not_object()
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.not_object()
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.not_object()
    }
}

impl Record<'_, '_> {
    fn not_object<E: de::Error>(&self) -> Result<(), E> {
        let s = self.state.borrow();
        Err(s.fail(s.at.at_row(self.row), "the record is not an object".into()))
    }
}
