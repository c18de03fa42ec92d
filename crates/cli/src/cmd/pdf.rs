//! Printing a self-contained HTML file to PDF with headless Chromium.

use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Chromium binary: `$STEMGAP_CHROMIUM`, else the first of the usual
/// names on the PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STEMGAP_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Prints `html` to `pdf` (A4, no header or footer, no network).
pub fn print(html: &Path, pdf: &Path) -> anyhow::Result<()> {
    let browser = chromium().context(
        "printing to PDF needs Chromium: install it, or set STEMGAP_CHROMIUM to its path",
    )?;
    let html =
        std::fs::canonicalize(html).with_context(|| format!("cannot find {}", html.display()))?;
    let pdf_abs = if pdf.is_absolute() {
        pdf.to_path_buf()
    } else {
        std::env::current_dir()?.join(pdf)
    };
    if let Some(dir) = pdf_abs.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let profile = tempfile_dir()?;
    let out = Command::new(&browser)
        .arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--no-pdf-header-footer")
        .arg("--disable-background-networking")
        .arg("--disable-component-update")
        .arg("--no-first-run")
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf_abs.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .with_context(|| format!("cannot run {}", browser.display()))?;
    let _ = std::fs::remove_dir_all(&profile);
    let ok = std::fs::metadata(&pdf_abs).is_ok_and(|m| m.len() > 0);
    if !out.status.success() || !ok {
        anyhow::bail!(
            "{} could not print {} to {}: {}",
            browser.display(),
            html.display(),
            pdf.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// A fresh, empty Chromium profile directory.
fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    for n in 0..1000u32 {
        let p = base.join(format!("stemgap-chromium-{}-{n}", std::process::id()));
        if std::fs::create_dir(&p).is_ok() {
            return Ok(p);
        }
    }
    anyhow::bail!(
        "cannot create a Chromium profile directory in {}",
        base.display()
    )
}

/// The page (from 1) of each named destination in a PDF printed by
/// Chromium: the targets of the document's internal links (`href="#id"`),
/// read from the catalogue's `/Dests` dictionary and the page tree through
/// the cross-reference table. Chromium (Skia) writes these objects
/// uncompressed; anything unexpected is an error naming what is missing.
pub fn named_destinations(pdf: &[u8]) -> anyhow::Result<BTreeMap<String, usize>> {
    let objects = xref(pdf)?;
    let object = |n: usize| -> anyhow::Result<String> {
        let at = *objects
            .get(&n)
            .with_context(|| format!("the PDF has no object {n}"))?;
        let rest = &pdf[at..];
        let end = [&b"endobj"[..], &b"stream"[..]]
            .iter()
            .filter_map(|m| find(rest, m))
            .min()
            .unwrap_or(rest.len());
        Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
    };
    let trailer_at = rfind(pdf, b"trailer").context("the PDF has no trailer")?;
    let trailer = String::from_utf8_lossy(&pdf[trailer_at..]);
    let root = reference_after(&trailer, "/Root").context("the PDF trailer has no /Root")?;
    let catalog = object(root)?;
    let pages_root =
        reference_after(&catalog, "/Pages").context("the PDF catalogue has no /Pages")?;
    // Page objects in order, depth first through the page tree.
    let mut pages: Vec<usize> = Vec::new();
    let mut stack = vec![pages_root];
    let mut guard = 0;
    while let Some(n) = stack.pop() {
        guard += 1;
        anyhow::ensure!(guard < 100_000, "the PDF page tree does not end");
        let dict = object(n)?;
        match dict.find("/Kids") {
            Some(k) if dict.contains("/Type /Pages") => {
                let list = &dict[k..];
                let list = &list[list.find('[').context("/Kids without a list")? + 1
                    ..list.find(']').context("/Kids without an end")?];
                let kids = references(list);
                stack.extend(kids.into_iter().rev());
            }
            _ => pages.push(n),
        }
    }
    let index: BTreeMap<usize, usize> =
        pages.iter().enumerate().map(|(i, p)| (*p, i + 1)).collect();
    let mut out = BTreeMap::new();
    let dests = match catalog.find("/Dests") {
        None => return Ok(out),
        Some(at) => {
            let after = catalog[at + 6..].trim_start();
            if after.starts_with("<<") {
                after.to_owned()
            } else {
                object(
                    reference_after(&catalog, "/Dests")
                        .context("/Dests is neither a dictionary nor a reference")?,
                )?
            }
        }
    };
    // `/name [page 0 R /XYZ x y z]`, one per destination.
    let mut rest = dests.as_str();
    while let Some(slash) = rest.find('/') {
        rest = &rest[slash + 1..];
        let name_end = rest
            .find(|c: char| c.is_whitespace() || "[]<>/()".contains(c))
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        let after = rest[name_end..].trim_start();
        if let Some(list) = after.strip_prefix('[') {
            if let Some(page) = references(list.split(']').next().unwrap_or("")).first() {
                if let Some(p) = index.get(page) {
                    out.insert(unescape_name(name), *p);
                }
            }
        }
        rest = &rest[name_end..];
    }
    Ok(out)
}

/// `#xx` escapes of a PDF name.
fn unescape_name(name: &str) -> String {
    let b = name.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'#' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&name[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Object number → byte offset, from the classic cross-reference table.
fn xref(pdf: &[u8]) -> anyhow::Result<BTreeMap<usize, usize>> {
    let at = rfind(pdf, b"startxref").context("the PDF has no startxref")?;
    let tail = String::from_utf8_lossy(&pdf[at + 9..]);
    let offset: usize = tail
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .context("the PDF's startxref has no offset")?;
    let table = pdf.get(offset..).context("startxref points past the end")?;
    anyhow::ensure!(
        table.starts_with(b"xref"),
        "the PDF has no classic cross-reference table"
    );
    let end = find(table, b"trailer").unwrap_or(table.len());
    let text = String::from_utf8_lossy(&table[4..end]);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut out = BTreeMap::new();
    let mut t = 0;
    while t + 1 < tokens.len() {
        let first: usize = tokens[t].parse().context("bad xref section")?;
        let count: usize = tokens[t + 1].parse().context("bad xref section")?;
        t += 2;
        for k in 0..count {
            let entry = tokens.get(t..t + 3).context("short xref section")?;
            if entry[2] == "n" {
                out.insert(first + k, entry[0].parse().context("bad xref offset")?);
            }
            t += 3;
        }
    }
    Ok(out)
}

/// The object number of the first `N 0 R` after `key`.
fn reference_after(text: &str, key: &str) -> Option<usize> {
    let at = text.find(key)? + key.len();
    references(&text[at..]).first().copied()
}

/// Every `N G R` reference in `text`, in order.
fn references(text: &str) -> Vec<usize> {
    let t: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < t.len() {
        if t[i + 2].starts_with('R') && t[i + 1].parse::<u32>().is_ok() {
            if let Ok(n) = t[i].parse() {
                out.push(n);
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Sets the PDF's creation and modification dates to `rfc3339` (the
/// store's build time; 1970-01-01 when it is not recorded), so the same
/// store prints the same bytes. The dates keep their length, so no offset
/// moves.
pub fn set_dates(pdf: &mut [u8], rfc3339: &str) {
    let digits: String = rfc3339
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let stamp = if digits.len() == 14 {
        digits
    } else {
        "19700101000000".to_owned()
    };
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        let mut from = 0;
        while let Some(at) = find(&pdf[from..], key) {
            let start = from + at + key.len();
            // D:YYYYMMDDHHmmSS, then the zone, which Chromium writes as UTC.
            if pdf.len() >= start + 14 && pdf[start..start + 14].iter().all(u8::is_ascii_digit) {
                pdf[start..start + 14].copy_from_slice(stamp.as_bytes());
            }
            from = start;
        }
    }
}

#[cfg(test)]
mod tests {
    /// A PDF laid out as Chromium writes one: two pages under a page tree,
    /// destinations in the catalogue.
    fn sample() -> Vec<u8> {
        let objs = [
            "<</Creator (x) /CreationDate (D:20261207072839+00'00') /ModDate (D:20261207072839+00'00')>>",
            "<</Type /Page /Parent 4 0 R>>",
            "<</Type /Page /Parent 5 0 R>>",
            "<</Type /Pages /Kids [5 0 R 2 0 R] /Count 2>>",
            "<</Type /Pages /Parent 4 0 R /Kids [3 0 R] /Count 1>>",
            "<</a [3 0 R /XYZ 6 827.66998 0]\n/nation-wales [2 0 R /XYZ 6 800 0]>>",
            "<</Type /Catalog /Pages 4 0 R /Dests 6 0 R>>",
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let x = pdf.len();
        pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
        for o in offsets {
            pdf.extend(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend(
            format!("trailer\n<</Size 8\n/Root 7 0 R\n/Info 1 0 R>>\nstartxref\n{x}\n%%EOF")
                .as_bytes(),
        );
        pdf
    }

    #[test]
    fn destinations_are_found_on_their_pages() {
        let d = super::named_destinations(&sample()).unwrap();
        // Page order: 3 (under 5), then 2.
        assert_eq!(d.get("a"), Some(&1));
        assert_eq!(d.get("nation-wales"), Some(&2));
        assert_eq!(d.len(), 2);
        assert!(super::named_destinations(b"%PDF-1.4 nothing").is_err());
    }

    #[test]
    fn dates_become_the_build_time_without_moving_a_byte() {
        let mut pdf = sample();
        let len = pdf.len();
        super::set_dates(&mut pdf, "2026-12-07T07:26:52Z");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/CreationDate (D:20261207072652+00'00')"));
        assert!(text.contains("/ModDate (D:20261207072652+00'00')"));
        assert_eq!(pdf.len(), len);
        super::set_dates(&mut pdf, "");
        assert!(String::from_utf8_lossy(&pdf).contains("(D:19700101000000+00'00')"));
        // Still readable.
        assert_eq!(super::named_destinations(&pdf).unwrap().len(), 2);
    }
}
