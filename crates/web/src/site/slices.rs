//! The per-seat and per-indicator CSVs are left to the server.
//!
//! `serve` answers `/download/constituency/{code}-{set}.csv` and
//! `/download/indicators/{id}.csv` (with their CSVW metadata) by slicing
//! the set-wide tables on request. Written out for every seat and every
//! indicator they would repeat the long tables (`download/{set}-long.csv`,
//! every figure of every seat, indicator and period) in ~2,800 more files
//! and ~57 MB, a fifth of what a free static host accepts. The static site
//! keeps the whole tables and its pages say which rows of them a slice is:
//! [`point_to_tables`] rewrites the links of the profile, the indicator
//! page and the map's legend, and the download list on the sources page;
//! [`canonical`](super::canonical) sends any other link to a slice to the
//! long table of its set, so none is broken.

/// The start of a per-seat slice's path.
pub const SEAT: &str = "/download/constituency/";
/// The start of a per-indicator slice's path.
pub const INDICATOR: &str = "/download/indicators/";

/// Where a link to a slice leads in the static site (a path without its
/// query): the long table of the seat's set, or of the default set for
/// an indicator's slice (which covers both sets); `None` for other paths.
pub fn instead(path: &str) -> Option<String> {
    let metadata = path.ends_with(".csv-metadata.json");
    let ext = if metadata {
        ".csv-metadata.json"
    } else {
        ".csv"
    };
    let set = if let Some(file) = path.strip_prefix(SEAT) {
        let stem = file.strip_suffix(ext)?;
        match stem.rsplit_once('-') {
            Some((_, set @ ("2010" | "2024"))) => set,
            _ => return None,
        }
    } else if path.starts_with(INDICATOR) {
        path.strip_suffix(ext)?;
        "2024"
    } else {
        return None;
    };
    Some(format!("/download/{set}-long{ext}"))
}

/// The text between `open` and the next `close` after it, with both.
fn between<'a>(html: &'a str, open: &str, close: &str) -> Option<(usize, &'a str)> {
    let at = html.find(open)?;
    let len = html[at..].find(close)? + close.len();
    Some((at, &html[at..at + len]))
}

/// `html` (a page as the server writes it, links from the root) with its
/// links to per-seat and per-indicator CSVs replaced by the rows of the
/// long tables they are.
pub fn point_to_tables(html: &str) -> String {
    let mut out = html.to_owned();
    // The profile: "Data for this seat: CSV (CSVW metadata) · …".
    let seat_csv = format!("Data for this seat: <a href=\"{SEAT}");
    if let Some((at, old)) = between(&out, &seat_csv, "CSVW metadata</a>)") {
        let file = &old[seat_csv.len()..];
        let stem = file.split(".csv").next().unwrap_or("");
        if let Some((code, set)) = stem.rsplit_once('-') {
            let new = format!(
                "Data for this seat: its rows (code {code}) of <a href=\"/download/{set}-long.csv\">every figure of every seat, {set} boundaries (CSV)</a> (<a href=\"/download/{set}-long.csv-metadata.json\">CSVW metadata</a>)"
            );
            out.replace_range(at..at + old.len(), &new);
        }
    }
    // The indicator page: "Data: CSV, both boundary sets, every period (CSVW metadata)".
    let ind_csv = format!("<dt>Data</dt><dd><a href=\"{INDICATOR}");
    if let Some((at, old)) = between(&out, &ind_csv, "CSVW metadata</a>)") {
        let id = old[ind_csv.len()..].split(".csv").next().unwrap_or("");
        let new = format!("<dt>Data</dt><dd>{}", long_rows(id));
        out.replace_range(at..at + old.len(), &new);
    }
    // The map's legend: "…, this indicator (CSV)."
    let map_csv = format!(", <a href=\"{INDICATOR}");
    if let Some((at, old)) = between(&out, &map_csv, "this indicator (CSV)</a>") {
        let id = old[map_csv.len()..].split(".csv").next().unwrap_or("");
        let new = format!("; this indicator: {}", long_rows(id));
        out.replace_range(at..at + old.len(), &new);
    }
    // The sources page's list of downloads.
    for (old, what) in [
        (
            "<code>/download/constituency/CODE-SET.csv</code>, linked from each constituency's page.",
            "a seat's rows of the long tables above (the atlas's server also gives them as <code>/download/constituency/CODE-SET.csv</code>, with its comparisons).",
        ),
        (
            "<code>/download/indicators/ID.csv</code>, linked from each <a href=\"/indicators\">indicator's page</a>.",
            "an indicator's rows of the long tables above (the atlas's server also gives them as <code>/download/indicators/ID.csv</code>).",
        ),
    ] {
        out = out.replace(old, what);
    }
    out
}

/// Where an indicator's figures are in the static site.
fn long_rows(id: &str) -> String {
    format!(
        "its rows (indicator <code>{id}</code>) of every figure of every seat, every period: <a href=\"/download/2024-long.csv\">2024 boundaries (CSV)</a> (<a href=\"/download/2024-long.csv-metadata.json\">CSVW metadata</a>), <a href=\"/download/2010-long.csv\">2010 boundaries (CSV)</a> (<a href=\"/download/2010-long.csv-metadata.json\">CSVW metadata</a>)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_slices_lead_to_the_long_tables() {
        assert_eq!(
            instead("/download/constituency/E14001063-2010.csv").as_deref(),
            Some("/download/2010-long.csv")
        );
        assert_eq!(
            instead("/download/constituency/E14001063-2024.csv-metadata.json").as_deref(),
            Some("/download/2024-long.csv-metadata.json")
        );
        assert_eq!(
            instead("/download/indicators/level4_share.csv").as_deref(),
            Some("/download/2024-long.csv")
        );
        assert_eq!(instead("/download/2024.csv"), None);
        assert_eq!(instead("/download/constituency/E1-2019.csv"), None);
    }

    #[test]
    fn pages_say_which_rows_of_the_long_tables_a_slice_is() {
        let profile = "<p class=\"downloads\">Data for this seat: <a href=\"/download/constituency/E1-2024.csv\">CSV</a> (<a href=\"/download/constituency/E1-2024.csv-metadata.json\">CSVW metadata</a>) · <a href=\"/api\">JSON</a></p>";
        assert_eq!(
            point_to_tables(profile),
            "<p class=\"downloads\">Data for this seat: its rows (code E1) of <a href=\"/download/2024-long.csv\">every figure of every seat, 2024 boundaries (CSV)</a> (<a href=\"/download/2024-long.csv-metadata.json\">CSVW metadata</a>) · <a href=\"/api\">JSON</a></p>"
        );
        let page = "<dt>Data</dt><dd><a href=\"/download/indicators/x_share.csv\">CSV, both boundary sets, every period</a> (<a href=\"/download/indicators/x_share.csv-metadata.json\">CSVW metadata</a>) · <a href=\"/api\">JSON</a></dd>";
        let out = point_to_tables(page);
        assert!(out.starts_with("<dt>Data</dt><dd>its rows (indicator <code>x_share</code>)"));
        assert!(out.ends_with("CSVW metadata</a>) · <a href=\"/api\">JSON</a></dd>"));
        assert!(!out.contains(INDICATOR), "{out}");
        let map = "<p>Downloads: <a href=\"/download/2024.csv\">every indicator, 2024 boundaries (CSV)</a>, <a href=\"/download/indicators/y.csv\">this indicator (CSV)</a>.</p>";
        let out = point_to_tables(map);
        assert!(out.contains("(CSV)</a>; this indicator: its rows (indicator <code>y</code>)"));
        assert!(!out.contains(INDICATOR), "{out}");
    }
}
