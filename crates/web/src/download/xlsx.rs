//! A [`Table`] as an Excel workbook (Office Open XML, ECMA-376), streamed:
//! each row's SpreadsheetML is deflated into the zip as it is written, so
//! a workbook of the long table (~120,000 rows, 1.4 million cells) needs
//! the memory of its compressed bytes only (a cell-holding writer such as
//! rust_xlsxwriter kept ~180 MB more resident in the server after one
//! request, measured). Three sheets: `data` (header row bold and frozen,
//! numbers as numbers, text as inline strings, missing cells blank),
//! `columns` (each column's title, unit, period, method, definition,
//! caveats and sources) and `about`. The zip entries are dated 1980-01-01
//! and the workbook by the store's build time, so the same store gives
//! the same bytes.

use super::table::{Table, Value};
use crate::App;
use std::fmt::Write as _;
use std::io::Write;

/// A cell to write.
enum Cell<'a> {
    Text(&'a str),
    Bold(&'a str),
    Number(f64),
    Blank,
}

/// Excel's column name of a 0-based column index (`A`, …, `Z`, `AA`, …).
pub fn column_name(mut c: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Text as XML character data (characters XML cannot hold dropped).
fn escape(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
}

/// One row's SpreadsheetML (`r` counts from 1).
fn row_xml(out: &mut String, r: usize, cells: &[Cell<'_>]) {
    let _ = write!(out, "<row r=\"{r}\">");
    for (c, cell) in cells.iter().enumerate() {
        let at = format!("{}{r}", column_name(c));
        match cell {
            Cell::Blank => {}
            Cell::Number(v) if v.is_finite() => {
                let _ = write!(out, "<c r=\"{at}\"><v>{v}</v></c>");
            }
            Cell::Number(_) => {}
            Cell::Text(s) | Cell::Bold(s) => {
                let style = if matches!(cell, Cell::Bold(_)) {
                    " s=\"1\""
                } else {
                    ""
                };
                let _ = write!(out, "<c r=\"{at}\" t=\"inlineStr\"{style}><is><t");
                if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
                    out.push_str(" xml:space=\"preserve\"");
                }
                out.push('>');
                escape(out, s);
                out.push_str("</t></is></c>");
            }
        }
    }
    out.push_str("</row>");
}

const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const SHEETS: [&str; 3] = ["data", "columns", "about"];

/// A worksheet streamed into the zip.
struct Sheet<'z> {
    zip: &'z mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
    buf: String,
    rows: usize,
}

impl Sheet<'_> {
    fn start(
        zip: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
        n: usize,
        frozen: bool,
    ) -> std::io::Result<Sheet<'_>> {
        zip.start_file(format!("xl/worksheets/sheet{n}.xml"), options())
            .map_err(std::io::Error::other)?;
        let pane = if frozen {
            "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
        } else {
            "<sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>"
        };
        let buf = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"{NS}\">{pane}<sheetData>"
        );
        Ok(Sheet { zip, buf, rows: 0 })
    }

    fn row(&mut self, cells: &[Cell<'_>]) -> std::io::Result<()> {
        self.rows += 1;
        row_xml(&mut self.buf, self.rows, cells);
        if self.buf.len() > 1 << 16 {
            self.zip.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.buf.push_str("</sheetData></worksheet>");
        self.zip.write_all(self.buf.as_bytes())
    }
}

fn options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
}

fn part(
    zip: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>,
    name: &str,
    xml: &str,
) -> std::io::Result<()> {
    zip.start_file(name, options())
        .map_err(std::io::Error::other)?;
    zip.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")?;
    zip.write_all(xml.as_bytes())
}

/// The workbook of a table.
pub fn workbook(app: &App, table: &Table<'_>) -> std::io::Result<Vec<u8>> {
    let atlas = &app.atlas;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(1 << 20)));

    let mut types = String::from("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>");
    for n in 1..=SHEETS.len() {
        let _ = write!(types, "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
    }
    types.push_str("<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>");
    part(&mut zip, "[Content_Types].xml", &types)?;
    part(
        &mut zip,
        "_rels/.rels",
        &format!("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>"),
    )?;
    let mut core = String::from("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>");
    escape(&mut core, &table.title());
    core.push_str("</dc:title><dc:creator>");
    escape(&mut core, &format!("stemgap {}", atlas.built_by));
    core.push_str("</dc:creator><dc:description>");
    escape(&mut core, table.description());
    core.push_str("</dc:description>");
    if !atlas.built_at.is_empty() {
        core.push_str("<dcterms:created xsi:type=\"dcterms:W3CDTF\">");
        escape(&mut core, &atlas.built_at);
        core.push_str("</dcterms:created>");
    }
    core.push_str("</cp:coreProperties>");
    part(&mut zip, "docProps/core.xml", &core)?;
    let mut book = format!("<workbook xmlns=\"{NS}\" xmlns:r=\"{REL}\"><sheets>");
    let mut rels = String::from(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (i, name) in SHEETS.iter().enumerate() {
        let n = i + 1;
        let _ = write!(
            book,
            "<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>"
        );
        let _ = write!(rels, "<Relationship Id=\"rId{n}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>");
    }
    book.push_str("</sheets></workbook>");
    let _ = write!(
        rels,
        "<Relationship Id=\"rId{}\" Type=\"{REL}/styles\" Target=\"styles.xml\"/></Relationships>",
        SHEETS.len() + 1
    );
    part(&mut zip, "xl/workbook.xml", &book)?;
    part(&mut zip, "xl/_rels/workbook.xml.rels", &rels)?;
    part(
        &mut zip,
        "xl/styles.xml",
        &format!("<styleSheet xmlns=\"{NS}\"><fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>"),
    )?;

    // data
    let mut sheet = Sheet::start(&mut zip, 1, true)?;
    let head: Vec<Cell<'_>> = table.columns.iter().map(|c| Cell::Bold(c.name)).collect();
    sheet.row(&head)?;
    let mut cells = Vec::with_capacity(table.columns.len());
    for row in &table.rows {
        cells.clear();
        cells.extend(row.iter().map(|v| match v {
            Value::Null => Cell::Blank,
            Value::Text(s) => Cell::Text(s),
            Value::Number(x) => Cell::Number(*x),
        }));
        sheet.row(&cells)?;
    }
    sheet.finish()?;

    // columns
    let mut sheet = Sheet::start(&mut zip, 2, true)?;
    let head = [
        "column",
        "title",
        "unit",
        "period",
        "method",
        "definition",
        "caveats",
        "sources",
    ];
    sheet.row(&head.map(Cell::Bold))?;
    for col in &table.columns {
        match col.indicator {
            Some(d) => {
                let sources = d.sources.join(" ");
                sheet.row(&[
                    Cell::Text(col.name),
                    Cell::Text(col.title),
                    Cell::Text(&d.unit),
                    Cell::Text(col.period.as_deref().unwrap_or("")),
                    Cell::Text(d.method.id()),
                    Cell::Text(&d.definition),
                    Cell::Text(&d.caveats),
                    Cell::Text(&sources),
                ])?;
            }
            None => sheet.row(&[Cell::Text(col.name), Cell::Text(col.title)])?,
        }
    }
    sheet.finish()?;

    // about
    let mut sheet = Sheet::start(&mut zip, 3, false)?;
    let built_by = format!("stemgap {}", atlas.built_by);
    let title = table.title();
    for (k, v) in [
        ("title", title.as_str()),
        ("description", table.description()),
        ("built by", built_by.as_str()),
        ("built at", atlas.built_at.as_str()),
        ("licence", "Figures from public statistics under the Open Government Licence v3, CC-BY-4.0 and other open licences (each source's licence is on the atlas's Sources page); boundaries contain OS data © Crown copyright and database right."),
    ] {
        sheet.row(&[Cell::Bold(k), Cell::Text(v)])?;
    }
    sheet.finish()?;

    let cursor = zip.finish().map_err(std::io::Error::other)?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_like_excel() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(118), "DO");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn rows_are_spreadsheetml_with_escaped_inline_text() {
        let mut s = String::new();
        row_xml(
            &mut s,
            2,
            &[
                Cell::Text("A & <B>"),
                Cell::Blank,
                Cell::Number(0.25),
                Cell::Bold(" x"),
            ],
        );
        assert_eq!(
            s,
            "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>A &amp; &lt;B&gt;</t></is></c><c r=\"C2\"><v>0.25</v></c><c r=\"D2\" t=\"inlineStr\" s=\"1\"><is><t xml:space=\"preserve\"> x</t></is></c></row>"
        );
    }
}
