//! A fast path for plain worksheets: shared strings and numbers only.
//!
//! calamine reads any workbook, at about 128 instructions per byte of sheet
//! XML. The Nomis workbooks stemgap reads are 17 MB of XML made of three
//! things only: `<c r="B4" s="3" t="s"><v>12</v></c>` (a shared string),
//! `<c r="C4" s="3"><v>1234</v></c>` (a number in a style that is not a
//! date), and empty cells. [`sheet`] reads exactly that subset and returns
//! `None` for anything else (a formula, an inline or rich string, a
//! boolean, an error, a date style, a namespace prefix, an escape it does
//! not decode, ...), and the caller then reads the sheet with calamine. So
//! the answer is calamine's whenever this module gives one: the same cells
//! at the same positions (calamine's range spans the first to the last
//! non-empty cell), the same numbers (both parse with a correctly rounded
//! decimal parser), the same text. A real-data test compares the two on
//! every sheet of every workbook the sources hold.

use crate::xlsx::XCell;
use std::io::{Cursor, Read};

/// Cells a sheet may span before the fast path leaves it to calamine.
const MAX_CELLS: usize = 50_000_000;

/// Built-in number formats calamine reads as plain numbers (not the date,
/// time and duration ids 14-22, 27-36, 45-47, 50-58).
fn plain_builtin(id: u32) -> bool {
    matches!(id, 0..=13 | 37..=44 | 48 | 49)
}

/// `&amp;` and the other entities (named and numeric) of an XML text or
/// attribute value. `None` for anything else after an `&`.
fn unescape(s: &str) -> Option<String> {
    if !s.contains('&') {
        return Some(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';')? + i;
        let name = &rest[i + 1..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    name.strip_prefix('#')?.parse::<u32>().ok()?
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The value of attribute `name` in a tag's attribute text, if present
/// (double quotes only; single quotes send the sheet to calamine).
fn attr<'t>(attrs: &'t str, name: &str) -> Option<Option<&'t str>> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Some(None);
        }
        let eq = rest.find('=')?;
        let key = rest[..eq].trim_end();
        if !xml_name(key.as_bytes()) {
            return None;
        }
        let after = rest[eq + 1..].trim_start();
        let value = after.strip_prefix('"')?;
        let close = value.find('"')?;
        if key == name {
            return Some(Some(&value[..close]));
        }
        rest = &value[close + 1..];
    }
}

/// `B4` → (3, 1), 0-based row and column.
fn position(r: &str) -> Option<(u32, u32)> {
    let letters = r.bytes().take_while(u8::is_ascii_uppercase).count();
    let (col, row) = r.split_at(letters);
    if letters == 0 || letters > 3 || row.is_empty() || !row.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = col
        .bytes()
        .fold(0u32, |n, b| n * 26 + u32::from(b - b'A') + 1);
    let row: u32 = row.parse().ok()?;
    (row >= 1).then(|| (row - 1, col - 1))
}

/// The shared strings, when every one is a single plain `<t>`.
fn shared_strings(xml: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    // The layout a spreadsheet application writes: an optional byte-order
    // mark and declaration, then `<sst …>`, nothing but `<si>` items and
    // blanks, and `</sst>` at the end. Anything else is for calamine to
    // judge.
    let start = xml.find("<sst")?;
    let before = xml[..start].trim_start_matches('\u{feff}').trim_start();
    let before = match before.strip_prefix("<?xml") {
        Some(decl) => decl.split_once("?>")?.1,
        None => before,
    };
    if !before.trim().is_empty() {
        return None;
    }
    let sst = &xml[start..];
    let end = sst.find("</sst>")?;
    if !sst[end + "</sst>".len()..].trim().is_empty() {
        return None;
    }
    let open_end = sst[..end].find('>')?;
    let mut rest = &sst[open_end + 1..end];
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix("<si>")?;
        let body_end = rest.find("</si>")?;
        let si = &rest[..body_end];
        rest = &rest[body_end + 5..];
        if si.is_empty() {
            // calamine: an empty <si> is an empty string.
            out.push(String::new());
            continue;
        }
        let (open, text) = si.split_once('>')?;
        let text = text.strip_suffix("</t>")?;
        let preserve = match open {
            "<t" => false,
            "<t xml:space=\"preserve\"" => true,
            _ => return None,
        };
        // One plain text: no markup, CDATA, carriage return (calamine
        // normalises line ends) or `_x` escape (calamine decodes those).
        if text.contains(['<', '\r']) || text.contains("_x") {
            return None;
        }
        let text = unescape(text)?;
        out.push(if preserve {
            text
        } else {
            text.trim_matches([' ', '\t', '\r', '\n']).to_owned()
        });
    }
    Some(out)
}

/// Whether each cell style (`cellXfs` index) formats numbers as plain
/// numbers in calamine's reading.
fn plain_styles(xml: &str) -> Option<Vec<bool>> {
    // Custom formats may reuse any id: a style using one is not plain.
    let mut custom = Vec::new();
    if let Some(i) = xml.find("<numFmts") {
        let section = &xml[i..i + xml[i..].find("</numFmts>")?];
        for part in section.split("<numFmt ").skip(1) {
            let id = attr(part.split('>').next()?.trim_end_matches('/'), "numFmtId")??;
            custom.push(id.parse::<u32>().ok()?);
        }
    }
    let i = xml.find("<cellXfs")?;
    let section = &xml[i..i + xml[i..].find("</cellXfs>")?];
    let mut out = Vec::new();
    for part in section.split("<xf").skip(1) {
        let head = part.split('>').next()?.trim_end_matches('/');
        let id = match attr(head, "numFmtId")? {
            Some(v) => v.parse::<u32>().ok()?,
            None => 0,
        };
        out.push(!custom.contains(&id) && plain_builtin(id));
    }
    Some(out)
}

/// The sheet named `name`'s path in the archive.
fn sheet_path(workbook: &str, rels: &str, name: &str) -> Option<String> {
    let mut id = None;
    for part in workbook.split("<sheet ").skip(1) {
        let head = part.split('>').next()?.trim_end_matches('/');
        if unescape(attr(head, "name")??)? == name {
            id = Some(attr(head, "r:id")??.to_owned());
            break;
        }
    }
    let id = id?;
    for part in rels.split("<Relationship ").skip(1) {
        let head = part.split('>').next()?.trim_end_matches('/');
        if attr(head, "Id")?? == id {
            let target = attr(head, "Target")??;
            return Some(match target.strip_prefix('/') {
                Some(abs) => abs.to_owned(),
                None => format!("xl/{target}"),
            });
        }
    }
    None
}

/// A part of the archive as text; `None` when it holds a comment, a CDATA
/// section or a document type, which a plain scan would misread.
fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, path: &str) -> Option<String> {
    let mut f = zip.by_name(path).ok()?;
    let mut text = String::with_capacity(usize::try_from(f.size()).ok()?.min(1 << 28));
    f.read_to_string(&mut text).ok()?;
    (!["<!--", "<![CDATA[", "<!DOCTYPE"]
        .iter()
        .any(|m| text.contains(m)))
    .then_some(text)
}

/// The sheet's rows as calamine would give them (see the module docs), or
/// `None` when the sheet is outside this reader's subset.
pub(crate) fn sheet(bytes: &[u8], name: &str) -> Option<Vec<Vec<XCell>>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let path = sheet_path(
        &entry(&mut zip, "xl/workbook.xml")?,
        &entry(&mut zip, "xl/_rels/workbook.xml.rels")?,
        name,
    )?;
    let strings = match entry(&mut zip, "xl/sharedStrings.xml") {
        Some(xml) => shared_strings(&xml)?,
        None => Vec::new(),
    };
    let styles = match entry(&mut zip, "xl/styles.xml") {
        Some(xml) => plain_styles(&xml)?,
        None => Vec::new(),
    };
    let xml = entry(&mut zip, &path)?;
    cells(&xml, &strings, &styles)
}

/// The position of `byte` in `b` at or after `from`.
fn find_byte(b: &[u8], from: usize, byte: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == byte)
        .map(|i| from + i)
}

/// A cell tag's `r`, `s` and `t` attribute values, in one pass over its
/// attribute text (double quotes only; anything else is not plain).
fn cell_attrs(head: &[u8]) -> Option<[Option<&[u8]>; 3]> {
    let mut out = [None, None, None];
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    loop {
        while head.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if i >= head.len() {
            return Some(out);
        }
        let eq = find_byte(head, i, b'=')?;
        let key = head[i..eq].trim_ascii_end();
        if !xml_name(key) || head.get(eq + 1) != Some(&b'"') {
            return None;
        }
        let close = find_byte(head, eq + 2, b'"')?;
        let value = &head[eq + 2..close];
        // Attributes are separated by blanks.
        if head
            .get(close + 1)
            .is_some_and(|b| !b.is_ascii_whitespace())
        {
            return None;
        }
        // A repeated attribute is an error to the spreadsheet reader.
        if seen.contains(&key) {
            return None;
        }
        seen.push(key);
        match key {
            b"r" => out[0] = Some(value),
            b"s" => out[1] = Some(value),
            b"t" => out[2] = Some(value),
            _ => {}
        }
        i = close + 1;
    }
}

/// An attribute name as a plain scan can trust: letters, digits and
/// `:_-.`, starting with a letter.
fn xml_name(key: &[u8]) -> bool {
    key.first().is_some_and(u8::is_ascii_alphabetic)
        && key
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
}

fn digits(v: &[u8]) -> Option<usize> {
    if v.is_empty() || v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0, |n, &d| n * 10 + usize::from(d - b'0')))
}

/// Whether every tag in `xml` (the part of a sheet before its cells) is
/// `<name attr="value" …>`, `<name …/>`, `</name>` or a `<?…?>`
/// declaration, with names as [`xml_name`] accepts them.
fn plain_tags(xml: &[u8]) -> bool {
    let mut i = 0;
    while let Some(open) = find_byte(xml, i, b'<') {
        let Some(close) = find_byte(xml, open, b'>') else {
            return false;
        };
        let tag = &xml[open + 1..close];
        i = close + 1;
        if tag.starts_with(b"?") && tag.ends_with(b"?") {
            continue;
        }
        let tag = tag.strip_prefix(b"/").unwrap_or(tag);
        let tag = tag.strip_suffix(b"/").unwrap_or(tag);
        let name_end = tag
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(tag.len());
        if !xml_name(&tag[..name_end]) || cell_attrs(&tag[name_end..]).is_none() {
            return false;
        }
    }
    true
}

/// The cells of a worksheet's XML (see [`sheet`]).
fn cells(xml: &str, strings: &[String], styles: &[bool]) -> Option<Vec<Vec<XCell>>> {
    let start = xml.find("<sheetData")?;
    // calamine reads the attributes of the tags before the cells (the
    // worksheet's, its dimension's, ...) and refuses malformed ones.
    if !plain_tags(&xml.as_bytes()[..start]) {
        return None;
    }
    let body = &xml.as_bytes()[start + "<sheetData".len()..];
    if body.starts_with(b"/>") {
        return Some(Vec::new());
    }
    let body = body.strip_prefix(b">")?;
    let end = xml[start..].find("</sheetData>")? + start;
    let body = &body[..end - (start + "<sheetData>".len())];
    // Every cell calamine would see a value in goes straight into its row,
    // in the order the sheet gives them (rows, and columns within a row,
    // ascending, as applications write them; any other order goes to
    // calamine), so no second copy of the cells is held.
    let mut rows: Vec<Vec<XCell>> = Vec::new();
    let mut last: Option<(u32, u32)> = None;
    let (mut r0, mut c0, mut c1) = (None, usize::MAX, 0usize);
    // Cells held so far, padding included.
    let mut held = 0usize;
    let mut i = 0;
    while i < body.len() {
        if body[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let rest = &body[i..];
        if rest.starts_with(b"</row>") {
            i += 6;
            continue;
        }
        if rest.starts_with(b"<row") && matches!(rest.get(4), Some(b' ' | b'>' | b'/')) {
            let close = find_byte(body, i, b'>')?;
            let head = &body[i + 4..close];
            let head = head.strip_suffix(b"/").unwrap_or(head);
            // The spreadsheet reader reads a row's number: it must be one.
            if let [Some(r), _, _] = cell_attrs(head)? {
                if digits(r)? == 0 {
                    return None;
                }
            }
            i = close + 1;
            continue;
        }
        if !rest.starts_with(b"<c ") {
            return None;
        }
        let close = find_byte(body, i, b'>')?;
        let (head, empty) = match body[i + 3..close].strip_suffix(b"/") {
            Some(h) => (h, true),
            None => (&body[i + 3..close], false),
        };
        i = close + 1;
        let [r, style, kind] = cell_attrs(head)?;
        let (row, col) = position(std::str::from_utf8(r?).ok()?)?;
        if !matches!(kind, None | Some(b"s") | Some(b"n")) {
            return None;
        }
        if empty {
            continue;
        }
        let value: &[u8] = if body[i..].starts_with(b"<v>") {
            let v0 = i + 3;
            let v1 = find_byte(body, v0, b'<')?;
            if !body[v1..].starts_with(b"</v>") {
                return None;
            }
            i = v1 + 4;
            &body[v0..v1]
        } else {
            &[]
        };
        if !body[i..].starts_with(b"</c>") {
            return None;
        }
        i += 4;
        if value.is_empty() {
            continue;
        }
        let cell = if kind == Some(b"s") {
            let s = strings.get(digits(value)?)?;
            if s.trim().is_empty() {
                XCell::Empty
            } else {
                XCell::Text(s.clone())
            }
        } else {
            // An index past the styles reads as a plain number.
            if let Some(s) = style {
                if styles.get(digits(s)?) == Some(&false) {
                    return None;
                }
            }
            if !value
                .iter()
                .all(|&b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
            {
                return None;
            }
            // ASCII checked above.
            XCell::Number(std::str::from_utf8(value).ok()?.parse::<f64>().ok()?)
        };
        if last.is_some_and(|l| (row, col) <= l) {
            return None;
        }
        last = Some((row, col));
        let (r, c) = (row as usize, col as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        r0.get_or_insert(r);
        (c0, c1) = (c0.min(c), c1.max(c));
        let cells = &mut rows[r];
        held += c + 1 - cells.len();
        if held > MAX_CELLS {
            return None;
        }
        cells.resize(c, XCell::Empty);
        cells.push(cell);
    }
    let Some(r0) = r0 else {
        return Some(Vec::new());
    };
    // The rows before the first value stay empty; every later row spans to
    // the last column that holds a value.
    let height = rows.len() - r0;
    if (c1 - c0 + 1).saturating_mul(height) > MAX_CELLS {
        return None;
    }
    for row in &mut rows[r0..] {
        row.resize(c1 + 1, XCell::Empty);
    }
    Some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: f64) -> XCell {
        XCell::Number(v)
    }
    fn t(s: &str) -> XCell {
        XCell::Text(s.into())
    }
    const E: XCell = XCell::Empty;

    fn read(body: &str) -> Option<Vec<Vec<XCell>>> {
        let strings = [
            "Bryn Môr".to_owned(),
            "  ".to_owned(),
            "Aye & No".to_owned(),
        ];
        // Style 0 plain, style 1 a date.
        cells(
            &format!("<worksheet><sheetData>{body}</sheetData></worksheet>"),
            &strings,
            &[true, false],
        )
    }

    #[test]
    fn plain_cells_span_the_first_to_the_last_value() {
        let rows = read(
            "<row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c><c r=\"C2\" s=\"0\"/></row>\
             <row r=\"4\" spans=\"1:4\"><c r=\"C4\" s=\"0\"><v>1.5</v></c><c r=\"D4\" t=\"s\"><v>1</v></c></row>\
             <row r=\"5\"><c r=\"B5\" t=\"n\"><v>-2e3</v></c><c r=\"E5\" s=\"7\"><v>3</v></c></row>",
        )
        .unwrap();
        // Rows before the first value are empty; each later row pads the
        // columns before the first value and spans to the last (E).
        assert_eq!(rows.len(), 5);
        assert!(rows[0].is_empty());
        assert_eq!(rows[1], vec![E, t("Bryn Môr"), E, E, E]);
        assert_eq!(rows[2], vec![E; 5]);
        // A blank shared string still counts for the span but reads empty;
        // a style past the list reads as a plain number.
        assert_eq!(rows[3], vec![E, E, n(1.5), E, E]);
        assert_eq!(rows[4], vec![E, n(-2000.0), E, E, n(3.0)]);
        assert_eq!(read("").unwrap(), Vec::<Vec<XCell>>::new());
    }

    #[test]
    fn anything_else_goes_to_calamine() {
        for body in [
            // a formula, an inline string, a boolean, an error
            "<row r=\"1\"><c r=\"A1\"><f>1+1</f><v>2</v></c></row>",
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
            "<row r=\"1\"><c r=\"A1\" t=\"b\"><v>1</v></c></row>",
            "<row r=\"1\"><c r=\"A1\" t=\"e\"><v>#N/A</v></c></row>",
            // a number in a date style
            "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>45000</v></c></row>",
            // a cell without its reference, a bad reference, single quotes
            "<row r=\"1\"><c s=\"0\"><v>1</v></c></row>",
            "<row r=\"1\"><c r=\"a1\"><v>1</v></c></row>",
            "<row r=\"1\"><c r='A1'><v>1</v></c></row>",
            // text where a number is due, a missing shared string
            "<row r=\"1\"><c r=\"A1\"><v>1,000</v></c></row>",
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>9</v></c></row>",
            // an attribute name that is not a name, attributes run together
            "<row r=\"1\"><c r=\"A1\" t\"\"=\"s\"><v>0</v></c></row>",
            "<row r=\"1\"><c r=\"A1\"t=\"s\"><v>0</v></c></row>",
            // rows or cells out of order
            "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row><row r=\"1\"><c r=\"A1\"><v>2</v></c></row>",
            "<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>2</v></c></row>",
            "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"A1\"><v>2</v></c></row>",
            // a namespace prefix
            "<x:row r=\"1\"><x:c r=\"A1\"><x:v>1</x:v></x:c></x:row>",
        ] {
            assert_eq!(read(body), None, "{body}");
        }
    }

    #[test]
    fn a_malformed_tag_before_the_cells_goes_to_calamine() {
        let body = "<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>";
        for start in [
            "<worksheet xm.org/main\">",
            "<worksheet xmlns=\"x\"><dimension ref=A1/>",
            "<worksheet xmlns=\"x\"><dimension ref=\"A1\"",
        ] {
            assert_eq!(cells(&format!("{start}{body}"), &[], &[]), None, "{start}");
        }
        let good = "<?xml version=\"1.0\"?><worksheet xmlns=\"x\" xmlns:r=\"y\"><dimension ref=\"A1\"/><sheetViews></sheetViews>";
        assert_eq!(
            cells(&format!("{good}{body}"), &[], &[]),
            Some(vec![vec![XCell::Number(1.0)]])
        );
    }

    #[test]
    fn shared_strings_plain_or_not_at_all() {
        let sst =
            |items: &str| format!("\u{feff}<?xml version=\"1.0\"?><sst count=\"2\">{items}</sst>");
        assert_eq!(
            shared_strings(&sst(
                "<si><t xml:space=\"preserve\"> Aye &amp; No </t></si><si><t>\n Tyne &#x26; Wear\t</t></si><si></si>"
            )),
            Some(vec![" Aye & No ".into(), "Tyne & Wear".into(), String::new()])
        );
        for items in [
            "<si><r><t>rich</t></r></si>",
            "<si><t>a</t><rPh><t>b</t></rPh></si>",
            "<si><t>line_x000D_</t></si>",
            "<si><t>line\r\nend</t></si>",
            "<si><t>&nbsp;</t></si>",
            "<si><t/></si>",
            // strings after the end of the list
            "<si><t>a</t></si></sst><si><t>b</t></si>",
            // text or markup between the items
            "<si><t>a</t></si>junk<si><t>b</t></si>",
            "<si><t>a</t></si><s<si><t>b</t></si>",
        ] {
            assert_eq!(shared_strings(&sst(items)), None, "{items}");
        }
        // Something before the list.
        assert_eq!(
            shared_strings("<?xml version=\"1.0\"?>junk<sst><si><t>a</t></si></sst>"),
            None
        );
    }

    #[test]
    fn styles_are_plain_unless_dates_or_custom() {
        let xml = "<styleSheet><numFmts count=\"1\"><numFmt numFmtId=\"165\" formatCode=\"mmmm yyyy\"/></numFmts>\
                   <cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"3\" fontId=\"1\"></xf><xf numFmtId=\"14\"/>\
                   <xf numFmtId=\"165\"/><xf fontId=\"2\"/></cellXfs></styleSheet>";
        assert_eq!(
            plain_styles(xml),
            Some(vec![true, true, false, false, true])
        );
    }

    #[test]
    fn a_sheet_is_found_by_its_name() {
        let workbook = "<workbook><sheets><sheet name=\"Notes\" sheetId=\"1\" r:id=\"rId1\"/>\
                        <sheet name=\"Data &amp; more\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>";
        let rels = "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>\
                    <Relationship Id=\"rId2\" Target=\"/xl/worksheets/sheet2.xml\"/></Relationships>";
        assert_eq!(
            sheet_path(workbook, rels, "Notes").as_deref(),
            Some("xl/worksheets/sheet1.xml")
        );
        assert_eq!(
            sheet_path(workbook, rels, "Data & more").as_deref(),
            Some("xl/worksheets/sheet2.xml")
        );
        assert_eq!(sheet_path(workbook, rels, "Missing"), None);
        assert_eq!(position("AB12"), Some((11, 27)));
        assert_eq!(position("A0"), None);
    }
}
