//! The XLSX reader of declared sources: one sheet, read as a table (its
//! cells' stored values; nothing is evaluated), after the archive's
//! declared sizes are checked against [`Limits`] so that a small file
//! cannot unpack to gigabytes.

use super::Limits;
use stemgap_sources::{Location, Problem, SourceError, Workbook, XCell};

fn invalid(at: &Location, why: impl Into<String>) -> SourceError {
    SourceError::new(at.clone(), Problem::Invalid(why.into()))
}

fn u16_at(b: &[u8], i: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?) as usize)
}

fn u32_at(b: &[u8], i: usize) -> Option<u64> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?) as u64)
}

/// One entry of a ZIP archive's central directory.
struct Entry {
    name: String,
    method: usize,
    packed: u64,
    unpacked: u64,
    local: usize,
}

/// The entries of a ZIP archive's central directory; an error for
/// anything that is not a plain ZIP (ZIP64 included: no spreadsheet
/// stemgap reads needs it).
fn entries(bytes: &[u8], at: &Location) -> Result<Vec<Entry>, SourceError> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CDH: &[u8] = b"PK\x01\x02";
    let not_zip = || {
        SourceError::new(
            at.clone(),
            Problem::Spreadsheet("not an XLSX file (no ZIP directory)".into()),
        )
    };
    let from = bytes.len().saturating_sub(22 + 65_535);
    let end = bytes[from..]
        .windows(4)
        .rposition(|w| w == EOCD)
        .map(|i| from + i)
        .ok_or_else(not_zip)?;
    let count = u16_at(bytes, end + 10).ok_or_else(not_zip)?;
    let offset = u32_at(bytes, end + 16).ok_or_else(not_zip)? as usize;
    if count == 0xFFFF || offset == 0xFFFF_FFFF {
        return Err(invalid(at, "a ZIP64 spreadsheet is not read"));
    }
    let mut out = Vec::with_capacity(count.min(1_000));
    let mut p = offset;
    for _ in 0..count {
        if bytes.get(p..p + 4) != Some(CDH) {
            return Err(not_zip());
        }
        let field = |i: usize| u32_at(bytes, p + i).ok_or_else(not_zip);
        let (packed, unpacked, local) = (field(20)?, field(24)?, field(42)?);
        if [packed, unpacked, local].contains(&0xFFFF_FFFF) {
            return Err(invalid(at, "a ZIP64 spreadsheet is not read"));
        }
        let method = u16_at(bytes, p + 10).ok_or_else(not_zip)?;
        let (n, e, c) = (
            u16_at(bytes, p + 28).ok_or_else(not_zip)?,
            u16_at(bytes, p + 30).ok_or_else(not_zip)?,
            u16_at(bytes, p + 32).ok_or_else(not_zip)?,
        );
        let name = bytes.get(p + 46..p + 46 + n).ok_or_else(not_zip)?;
        out.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method,
            packed,
            unpacked,
            local: local as usize,
        });
        p += 46 + n + e + c;
    }
    Ok(out)
}

/// The total unpacked size the ZIP archive's central directory declares.
pub fn declared_unpacked(bytes: &[u8], at: &Location) -> Result<u64, SourceError> {
    Ok(entries(bytes, at)?.iter().map(|e| e.unpacked).sum())
}

/// An entry's bytes, inflated, at most `max`.
fn unpack(bytes: &[u8], e: &Entry, max: usize, at: &Location) -> Result<Vec<u8>, SourceError> {
    use std::io::Read;
    let bad = || {
        SourceError::new(
            at.clone(),
            Problem::Spreadsheet(format!("{}: a damaged ZIP entry", e.name)),
        )
    };
    let n = u16_at(bytes, e.local + 26).ok_or_else(bad)?;
    let x = u16_at(bytes, e.local + 28).ok_or_else(bad)?;
    let start = e.local + 30 + n + x;
    let data = bytes
        .get(start..start.saturating_add(e.packed as usize))
        .ok_or_else(bad)?;
    let mut out = Vec::new();
    match e.method {
        0 => out.extend_from_slice(&data[..data.len().min(max + 1)]),
        8 => {
            flate2::read::DeflateDecoder::new(data)
                .take(max as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| bad())?;
        }
        m => {
            return Err(SourceError::new(
                at.clone(),
                Problem::Spreadsheet(format!(
                    "{}: ZIP compression method {m} is not read",
                    e.name
                )),
            ))
        }
    }
    if out.len() > max {
        return Err(invalid(
            at,
            format!("the spreadsheet unpacks to more than {max} bytes, the most read"),
        ));
    }
    Ok(out)
}

/// An A1-style reference (`C12`, `12`, `XFD`) as (row, column), 1-based;
/// `None` for a part that is absent. Numbers too large are errors.
fn reference(r: &str) -> Result<(Option<u64>, Option<u64>), ()> {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    if letters.len() > 3 || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    let col = (!letters.is_empty()).then(|| {
        letters.bytes().fold(0u64, |a, b| {
            a * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
        })
    });
    let row = if digits.is_empty() {
        None
    } else {
        Some(digits.parse::<u64>().map_err(|_| ())?)
    };
    Ok((row, col))
}

/// The values of every attribute called `name` in `xml`, found as the
/// spreadsheet reader would find them: after any character that cannot be
/// part of a name (the reader accepts `a="x"r="C3"`, without a space),
/// with white space allowed around `=`, in double or single quotes. Text
/// that only looks like such an attribute is included: a reference that is
/// not one is refused, which errs on the safe side.
fn attribute_values<'x>(xml: &'x str, name: &'x str) -> impl Iterator<Item = &'x str> + 'x {
    let b = xml.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':');
    xml.match_indices(name).filter_map(move |(i, _)| {
        if i > 0 && name_char(b[i - 1]) {
            return None;
        }
        let mut j = i + name.len();
        while b.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if b.get(j) != Some(&b'=') {
            return None;
        }
        j += 1;
        while b.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        let quote = *b.get(j).filter(|q| matches!(q, b'"' | b'\''))?;
        let rest = &xml[j + 1..];
        Some(&rest[..rest.find(quote as char).unwrap_or(rest.len())])
    })
}

/// The first 40 bytes of an attribute value at most, for a message, cut
/// at a character's start (the text is any bytes read leniently as UTF-8).
fn head(v: &str) -> &str {
    let mut end = v.len().min(40);
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    &v[..end]
}

/// Checks every cell and range reference of every sheet (`r="…"`,
/// `ref="…"`) before the reader sizes its grid from them: rows and columns
/// within the limits, and the rectangle they span at most [`MAX_CELLS`].
fn check_references(bytes: &[u8], limits: &Limits, at: &Location) -> Result<(), SourceError> {
    for e in entries(bytes, at)?
        .iter()
        .filter(|e| e.name.starts_with("xl/worksheets/") && e.name.ends_with(".xml"))
    {
        let xml = unpack(bytes, e, limits.unpacked_bytes, at)?;
        let text = String::from_utf8_lossy(&xml);
        let (mut rows, mut cols) = (0u64, 0u64);
        for name in ["r", "ref"] {
            for v in attribute_values(&text, name) {
                let v = head(v);
                for part in v.split(':') {
                    let (r, c) = reference(part).map_err(|()| {
                        invalid(
                            at,
                            format!("{}: a cell reference {v:?} out of range", e.name),
                        )
                    })?;
                    rows = rows.max(r.unwrap_or(0));
                    cols = cols.max(c.unwrap_or(0));
                }
            }
        }
        if rows > limits.rows as u64 + 1_000
            || cols > limits.columns as u64
            || rows.saturating_mul(cols.max(1)) > MAX_CELLS
        {
            return Err(invalid(
                at,
                format!(
                    "{}: cells reach row {rows} and column {cols}; at most {} rows, {} columns and {MAX_CELLS} cells are read",
                    e.name, limits.rows, limits.columns
                ),
            ));
        }
    }
    Ok(())
}

/// The most cells a sheet's grid may span (the reader allocates the whole
/// rectangle from its first to its last cell).
pub const MAX_CELLS: u64 = 5_000_000;

/// One sheet of an XLSX file as CSV text, row for row (so rows keep their
/// spreadsheet numbers), and the location to report errors at.
pub fn sheet_as_csv(
    bytes: &[u8],
    file: &str,
    sheet: &str,
    limits: &Limits,
) -> Result<(Vec<u8>, Location), SourceError> {
    let at = Location::file(file);
    let (grid, _) = sheet_grid(bytes, file, Some(sheet), limits)?;
    Ok((grid_as_csv(&grid, sheet, &at, limits)?, at.in_sheet(sheet)))
}

/// One sheet of an XLSX file as a grid, after the archive is checked
/// against `limits`, and the sheet's name: `sheet`, or with `None` the
/// workbook's only sheet (an error naming the sheets when there are
/// several).
pub fn sheet_grid(
    bytes: &[u8],
    file: &str,
    sheet: Option<&str>,
    limits: &Limits,
) -> Result<(stemgap_sources::Grid, String), SourceError> {
    let at = Location::file(file);
    check_archive(bytes, limits, &at)?;
    // The reader is a dependency: a panic inside it (a malformed file it
    // did not expect) is an error about the file, not a crash.
    std::panic::catch_unwind(|| {
        let mut book = Workbook::open(bytes.to_vec(), at.clone())?;
        let name = match sheet {
            Some(s) => s.to_owned(),
            None => {
                let names = book.sheet_names();
                match &names[..] {
                    [one] => one.clone(),
                    _ => {
                        return Err(invalid(
                            &at,
                            format!(
                                "the workbook has {} sheets ({}{}): the recipe names the one to read (sheet)",
                                names.len(),
                                names.iter().take(10).cloned().collect::<Vec<_>>().join(", "),
                                if names.len() > 10 { ", …" } else { "" }
                            ),
                        ))
                    }
                }
            }
        };
        Ok((book.sheet(&name)?, name))
    })
    .map_err(|_| {
        SourceError::new(
            at.clone(),
            Problem::Spreadsheet("the spreadsheet reader failed on this file".into()),
        )
    })?
}

/// The archive's declared sizes and every cell reference, checked before
/// the spreadsheet reader sizes anything from them.
fn check_archive(bytes: &[u8], limits: &Limits, at: &Location) -> Result<(), SourceError> {
    let unpacked = declared_unpacked(bytes, at)?;
    if unpacked > limits.unpacked_bytes as u64 {
        return Err(invalid(
            at,
            format!(
                "the spreadsheet would unpack to {unpacked} bytes; at most {} are read",
                limits.unpacked_bytes
            ),
        ));
    }
    check_references(bytes, limits, at)?;
    check_shared_strings(bytes, limits, at)
}

/// The shared strings' declared count (`uniqueCount`), which the reader
/// reserves room for before reading a string: at most [`MAX_CELLS`], and
/// no more than the table can hold. Every string item takes at least five
/// bytes (`<si/>`), so a larger count is false, and would have the reader
/// reserve room for every string declared from a file of a few bytes.
fn check_shared_strings(bytes: &[u8], limits: &Limits, at: &Location) -> Result<(), SourceError> {
    for e in entries(bytes, at)?
        .iter()
        .filter(|e| e.name.ends_with("sharedStrings.xml"))
    {
        let xml = unpack(bytes, e, limits.unpacked_bytes, at)?;
        let text = String::from_utf8_lossy(&xml);
        let room = xml.len() as u64 / 5;
        for v in attribute_values(&text, "uniqueCount") {
            match v.trim().parse::<u64>() {
                Ok(n) if n > MAX_CELLS => {
                    return Err(invalid(
                        at,
                        format!(
                            "{}: the shared strings declare {:?} strings; at most {MAX_CELLS} are read",
                            e.name,
                            head(v)
                        ),
                    ))
                }
                Ok(n) if n > room => {
                    return Err(invalid(
                        at,
                        format!(
                            "{}: the shared strings declare {n} strings in {} bytes, which hold at most {room}",
                            e.name,
                            xml.len()
                        ),
                    ))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A sheet's cells as CSV text, row for row.
fn grid_as_csv(
    grid: &stemgap_sources::Grid,
    sheet: &str,
    at: &Location,
    limits: &Limits,
) -> Result<Vec<u8>, SourceError> {
    let mut out = String::new();
    for r in 0..grid.height() {
        let row = grid.row(r);
        if row.len() > limits.columns {
            return Err(invalid(
                &at.in_sheet(sheet).at_row(r as u64 + 1),
                format!("{} columns; at most {} are read", row.len(), limits.columns),
            ));
        }
        let fields: Vec<String> = row
            .iter()
            .map(|c| match c {
                XCell::Empty => String::new(),
                XCell::Number(v) => v.to_string(),
                // One line per row: a line break inside a cell is a space.
                XCell::Text(s) => {
                    let s = s.replace(['\r', '\n'], " ");
                    if s.contains([',', '"']) {
                        format!("\"{}\"", s.replace('"', "\"\""))
                    } else {
                        s
                    }
                }
            })
            .collect();
        // A blank row is a blank line (the end of the table for
        // `stop_at_blank_row`; skipped otherwise, as in a CSV file).
        if fields.iter().any(|f| !f.is_empty()) {
            out.push_str(&fields.join(","));
        }
        out.push('\n');
    }
    Ok(out.into_bytes())
}

/// An A1-style cell reference (`A11`) as 0-based (row, column).
pub fn cell_reference(r: &str) -> Option<(usize, usize)> {
    match reference(r.trim()) {
        Ok((Some(row), Some(col))) if row >= 1 && col >= 1 => {
            Some((row as usize - 1, col as usize - 1))
        }
        _ => None,
    }
}

/// The most sheets `sheets_as_csv` reads (there are 650 seats).
pub const MAX_SHEETS: usize = 2_000;

/// Whether a sheet's name matches a pattern: `#` one or more digits, `*`
/// any text (also none), any other character itself.
pub fn sheet_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    if n.len() > 255 || p.len() > 255 {
        return false;
    }
    // ok[i][j]: p[i..] matches n[j..] (filled from the ends: no
    // backtracking, so a hostile pattern costs at most p × n steps).
    let mut ok = vec![vec![false; n.len() + 1]; p.len() + 1];
    ok[p.len()][n.len()] = true;
    for i in (0..p.len()).rev() {
        for j in (0..=n.len()).rev() {
            ok[i][j] = match p[i] {
                '*' => ok[i + 1][j] || (j < n.len() && ok[i][j + 1]),
                // One digit, then more digits or the rest of the pattern.
                '#' => j < n.len() && n[j].is_ascii_digit() && (ok[i + 1][j + 1] || ok[i][j + 1]),
                c => j < n.len() && n[j] == c && ok[i + 1][j + 1],
            };
        }
    }
    ok[0][0]
}

/// Every sheet of an XLSX file whose name matches `pattern`, in the
/// workbook's order, each as CSV text (see [`sheet_as_csv`]) with its
/// location and the text of its `name_cell` (and where that is). An error
/// when no sheet matches.
#[allow(clippy::type_complexity)]
pub fn sheets_as_csv(
    bytes: &[u8],
    file: &str,
    pattern: &str,
    name_cell: &str,
    limits: &Limits,
) -> Result<Vec<(Vec<u8>, Location, (String, Location))>, SourceError> {
    let at = Location::file(file);
    check_archive(bytes, limits, &at)?;
    let (row, col) = cell_reference(name_cell)
        .ok_or_else(|| invalid(&at, format!("{name_cell:?} is not a cell")))?;
    let sheets = std::panic::catch_unwind(|| -> Result<_, SourceError> {
        let mut book = Workbook::open(bytes.to_vec(), at.clone())?;
        let names: Vec<String> = book
            .sheet_names()
            .into_iter()
            .filter(|n| sheet_matches(pattern, n))
            .collect();
        if names.len() > MAX_SHEETS {
            return Err(invalid(
                &at,
                format!(
                    "{} sheets match {pattern:?}; at most {MAX_SHEETS} are read (one per seat)",
                    names.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let grid = book.sheet(&name)?;
            out.push((name, grid));
        }
        Ok(out)
    })
    .map_err(|_| {
        SourceError::new(
            at.clone(),
            Problem::Spreadsheet("the spreadsheet reader failed on this file".into()),
        )
    })??;
    if sheets.is_empty() {
        return Err(invalid(&at, format!("no sheet's name matches {pattern:?}")));
    }
    let mut out = Vec::with_capacity(sheets.len());
    for (name, grid) in sheets {
        let text = match grid.get(row, col) {
            XCell::Text(s) => s.clone(),
            XCell::Number(v) => v.to_string(),
            XCell::Empty => String::new(),
        };
        let column = name_cell
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_uppercase();
        let cell_at = at.in_sheet(&name).at_row(row as u64 + 1).at_column(column);
        let csv = grid_as_csv(&grid, &name, &at, limits)?;
        out.push((csv, at.in_sheet(&name), (text, cell_at)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_found_as_the_reader_finds_them() {
        let xml = r#"<row r="4"><c geography = "lad"r="XFD9" t='s'><v>1</v></c><c ref = 'A1:B2'/><c xr="Z1" ar='Q'/><dimension ref="A1:C3"/>"#;
        let r: Vec<&str> = attribute_values(xml, "r").collect();
        assert_eq!(r, ["4", "XFD9"]);
        let refs: Vec<&str> = attribute_values(xml, "ref").collect();
        assert_eq!(refs, ["A1:B2", "A1:C3"]);
    }

    #[test]
    fn sheet_patterns() {
        for (p, n, want) in [
            ("#.*", "0. East Renfrewshire", true),
            ("#.*", "56. West Aberdeenshire and Kinc", true),
            ("#.*", "template_rse", false),
            ("#.*", ". No number", false),
            ("#.*", "12", false),
            ("Table #", "Table 12", true),
            ("Table #", "Table 12a", false),
            ("*", "", true),
            ("Data", "Data", true),
            ("Data", "Data 2", false),
        ] {
            assert_eq!(sheet_matches(p, n), want, "{p:?} {n:?}");
        }
        // No backtracking blow-up.
        let p = "*a".repeat(50) + "b";
        assert!(!sheet_matches(&p, &"a".repeat(255)));
    }

    #[test]
    fn cell_references() {
        assert_eq!(cell_reference("A11"), Some((10, 0)));
        assert_eq!(cell_reference("AB3"), Some((2, 27)));
        for bad in ["A", "11", "A0", "", "1A", "A1:B2"] {
            assert_eq!(cell_reference(bad), None, "{bad}");
        }
    }
}
