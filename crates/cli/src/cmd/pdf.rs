//! Printing a self-contained HTML file to PDF with headless Chromium.

use anyhow::Context;
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
