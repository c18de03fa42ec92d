//! The printable report: one self-contained HTML file (inline CSS and SVG,
//! no external requests) laid out as a publication revisiting the 2023
//! report ([`stemgap_findings::REPORT_CITATION`]): front matter (dates,
//! version and commit, how to cite, licence), a table of contents, a
//! one-page summary leading with the reproduction ledger, one chapter per
//! key finding (the claim, the data, the estimate and its interval,
//! numbered interval charts in small multiples, a hex map of the key
//! indicator and a discussion generated from the numbers), the report's
//! four recommendations tracked, a page per nation, the gap register,
//! methods and sources.
//!
//! Every number is read from the [`Atlas`] (the store's findings document,
//! catalogue and figures); the wording around them lives here and in
//! `templates/report.html`. The same store gives the same bytes: the only
//! date is the store's own build time. [`report_paged`] fills the table of
//! contents with page numbers read back from a first printing.

use crate::atlas::{is_deprivation, Atlas};
use crate::brief::PRINT_CSS;
use crate::format;
use crate::pages::{gap_lines, GapLine};
use crate::svg;
use askama::Template;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::Nation;
use stemgap_findings::{Comparability, Finding, Verdict, REPORT_CITATION, REPORT_TITLE};

/// The report's own styles, after the shared print stylesheet: page
/// furniture (running heads, page numbers), chapters, figures and tables
/// that fit the page.
pub const REPORT_CSS: &str = include_str!("report.css");

/// The report's title.
pub const TITLE: &str = "Regional STEM skills inequity, revisited";

/// Why the report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the report: {0}")]
pub struct ReportError(String);

struct IndicatorLine {
    id: String,
    title: String,
    unit: String,
    period: String,
    method: String,
    nations: String,
    coverage: [usize; 2],
    definition: String,
}

struct SourceLine {
    id: String,
    title: String,
    publisher: String,
    licence: String,
    period: String,
    url: String,
    publisher_url: String,
}

/// One entry of the table of contents.
pub struct TocEntry {
    pub anchor: String,
    pub title: String,
    /// 1 for a part, 2 for a chapter or section within it.
    pub level: u8,
    /// The printed page, once known (empty in the HTML-only report).
    pub page: String,
}

/// One line of the reproduction ledger.
struct LedgerRow {
    id: String,
    title: String,
    claim: String,
    report_value: String,
    today: String,
    verdict: String,
    verdict_class: &'static str,
    rule: String,
    comparable: String,
}

/// A numbered figure: an SVG, its caption, and the data table beside it.
struct FigureView {
    anchor: String,
    svg: String,
    caption: String,
    table: Option<TableView>,
}

struct TableView {
    caption: String,
    /// Column widths in per cent of the page.
    widths: Vec<u8>,
    head: Vec<String>,
    /// Whether each column is numeric (right-aligned).
    num: Vec<bool>,
    rows: Vec<Vec<String>>,
}

struct DataLine {
    title: String,
    id: String,
    period: String,
    method: String,
    sources: String,
}

struct PartLine {
    label: String,
    estimate: String,
    interval: String,
    n: usize,
}

struct Chapter {
    id: String,
    number: usize,
    title: String,
    statement: String,
    claim: String,
    comparable: String,
    verdict: String,
    data: Vec<DataLine>,
    estimate: Vec<(String, String)>,
    figures: Vec<FigureView>,
    discussion: Vec<String>,
    parts: Vec<PartLine>,
    excluded: Vec<String>,
}

struct OtherView {
    id: String,
    title: String,
    statement: String,
    method: String,
}

struct Priority {
    rank: usize,
    dataset: String,
    cells: usize,
    nations: String,
    indicators: String,
}

struct Recommendation {
    anchor: String,
    title: String,
    asked: String,
    evidence: Vec<String>,
}

struct NationPage {
    anchor: String,
    name: String,
    summary: String,
    can: Vec<String>,
    care: Vec<String>,
    within: Vec<String>,
    cannot: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    css: &'a str,
    report_css: &'a str,
    title: &'a str,
    report_title: &'a str,
    report_citation: &'a str,
    built_by: String,
    commit: String,
    built_on: String,
    newest_source: String,
    cite: String,
    seats: [usize; 2],
    indicator_count: usize,
    source_count: usize,
    toc: Vec<TocEntry>,
    ledger: Vec<LedgerRow>,
    ledger_missing: Vec<String>,
    new_things: Vec<String>,
    chapters: Vec<Chapter>,
    other: Vec<OtherView>,
    recommendations: Vec<Recommendation>,
    priorities: Vec<Priority>,
    nation_pages: Vec<NationPage>,
    nations: Vec<&'static str>,
    gaps: Vec<GapLine>,
    grade_counts: Vec<(String, usize)>,
    indicators: Vec<IndicatorLine>,
    sources: Vec<SourceLine>,
}

/// Whether a finding id is one of the report's key findings (`F1`…`F6`).
fn is_key(id: &str) -> bool {
    id.strip_prefix('F')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The report as one HTML document, its table of contents without page
/// numbers.
pub fn report(atlas: &Atlas) -> Result<String, ReportError> {
    report_paged(atlas, None)
}

/// The report with the table of contents' page numbers: `pages` maps each
/// anchor ([`toc`]) to its printed page. `Some` of an empty map prints the
/// placeholders a first printing lays out with (the same width as a number).
pub fn report_paged(
    atlas: &Atlas,
    pages: Option<&BTreeMap<String, usize>>,
) -> Result<String, ReportError> {
    let mut figures = 0usize;
    let key: Vec<&Finding> = atlas
        .findings
        .findings
        .iter()
        .filter(|f| is_key(&f.id))
        .collect();
    let chapters: Vec<Chapter> = key
        .iter()
        .enumerate()
        .map(|(k, f)| chapter(atlas, f, k + 1, &mut figures))
        .collect();
    let mut grade_counts: Vec<(String, usize)> = Vec::new();
    for g in &atlas.findings.gaps {
        let grade = g.comparability.id();
        match grade_counts.iter_mut().find(|(k, _)| k == grade) {
            Some((_, n)) => *n += 1,
            None => grade_counts.push((grade.to_owned(), 1)),
        }
    }
    let (ledger, ledger_missing) = ledger(&key);
    let nation_pages = nation_pages(atlas);
    let mut toc = toc(&chapters, &nation_pages);
    for e in &mut toc {
        e.page = match pages {
            None => String::new(),
            Some(p) => p
                .get(&e.anchor)
                .map_or_else(|| "\u{2007}\u{2007}".to_owned(), |n| n.to_string()),
        };
    }
    let page = ReportPage {
        css: PRINT_CSS,
        report_css: REPORT_CSS,
        title: TITLE,
        report_title: REPORT_TITLE,
        report_citation: REPORT_CITATION,
        built_by: or_unrecorded(&atlas.built_by),
        commit: or_unrecorded(&atlas.commit),
        built_on: long_date(&atlas.built_at),
        newest_source: newest_source(atlas),
        cite: format!(
            "{TITLE}: the public statistics behind the 2023 report, per Westminster constituency. Generated by stemgap {} (commit {}) from a store built {}.",
            or_unrecorded(&atlas.built_by),
            or_unrecorded(&atlas.commit),
            long_date(&atlas.built_at)
        ),
        seats: [atlas.sets[0].seats.len(), atlas.sets[1].seats.len()],
        indicator_count: atlas.indicators.len(),
        source_count: atlas.sources.iter().filter(|s| s.used).count(),
        toc,
        ledger,
        ledger_missing,
        new_things: new_things(atlas),
        chapters,
        other: atlas
            .findings
            .findings
            .iter()
            .filter(|f| !is_key(&f.id))
            .map(|f| OtherView {
                id: f.id.clone(),
                title: f.title.clone(),
                statement: f.statement.clone(),
                method: f.method.clone(),
            })
            .collect(),
        recommendations: recommendations(atlas),
        priorities: priorities(atlas),
        nation_pages,
        nations: Nation::ALL.iter().map(|n| n.name()).collect(),
        gaps: gap_lines(atlas),
        grade_counts,
        indicators: atlas
            .indicators
            .iter()
            .enumerate()
            .map(|(k, d)| IndicatorLine {
                id: d.id.clone(),
                title: d.title.clone(),
                unit: format::unit_words(&d.unit).to_owned(),
                period: d.period.clone(),
                method: d.method.id().to_owned(),
                nations: format::nation_list(&d.nations),
                coverage: [
                    atlas.sets[0].series[k].coverage,
                    atlas.sets[1].series[k].coverage,
                ],
                definition: d.definition.clone(),
            })
            .collect(),
        sources: atlas
            .sources
            .iter()
            .filter(|s| s.used)
            .map(|s| SourceLine {
                id: s.id.clone(),
                title: s.title.clone(),
                publisher: s.publisher.clone(),
                licence: s.licence.clone(),
                period: s.period.clone(),
                url: s.url.clone(),
                publisher_url: s.publisher_url.clone(),
            })
            .collect(),
    };
    page.render().map_err(|e| ReportError(e.to_string()))
}

/// The anchors of the table of contents, in order (what a printing must
/// find the pages of).
pub fn toc_anchors(atlas: &Atlas) -> Vec<String> {
    let chapters: Vec<Chapter> = atlas
        .findings
        .findings
        .iter()
        .filter(|f| is_key(&f.id))
        .enumerate()
        .map(|(k, f)| Chapter {
            id: f.id.clone(),
            number: k + 1,
            title: f.title.clone(),
            statement: String::new(),
            claim: String::new(),
            comparable: String::new(),
            verdict: String::new(),
            data: Vec::new(),
            estimate: Vec::new(),
            figures: Vec::new(),
            discussion: Vec::new(),
            parts: Vec::new(),
            excluded: Vec::new(),
        })
        .collect();
    toc(&chapters, &nation_pages(atlas))
        .into_iter()
        .map(|e| e.anchor)
        .collect()
}

fn toc(chapters: &[Chapter], nations: &[NationPage]) -> Vec<TocEntry> {
    let e = |anchor: &str, title: String, level: u8| TocEntry {
        anchor: anchor.to_owned(),
        title,
        level,
        page: String::new(),
    };
    let mut out = vec![
        e("summary", "Summary: the 2023 report reproduced".into(), 1),
        e("findings", "The findings, one chapter each".into(), 1),
    ];
    for c in chapters {
        out.push(e(&c.id, format!("{} {}", c.id, c.title), 2));
    }
    out.push(e(
        "robustness",
        "Robustness: spatial structure and sensitivity".into(),
        1,
    ));
    out.push(e(
        "recommendations",
        "The report's recommendations, tracked".into(),
        1,
    ));
    out.push(e("nations", "What can be said in each nation".into(), 1));
    for n in nations {
        out.push(e(&n.anchor, n.name.clone(), 2));
    }
    out.push(e("gaps", "The data-gap register".into(), 1));
    out.push(e("methods", "Methods and indicators".into(), 1));
    out.push(e("sources", "Sources and licences".into(), 1));
    out
}

fn or_unrecorded(s: &str) -> String {
    if s.is_empty() {
        "not recorded".into()
    } else {
        s.to_owned()
    }
}

/// `2026-12-07T07:26:52Z` as `7 December 2026`; "on a date not recorded"
/// otherwise.
fn long_date(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parse = || -> Option<String> {
        let y: u32 = rfc3339.get(0..4)?.parse().ok()?;
        let m: usize = rfc3339.get(5..7)?.parse().ok()?;
        let d: u32 = rfc3339.get(8..10)?.parse().ok()?;
        Some(format!("{d} {} {y}", MONTHS.get(m.checked_sub(1)?)?))
    };
    parse().unwrap_or_else(|| "on a date not recorded".into())
}

/// The latest year a period mentions (`2021/22` → 2022, `2024-25` → 2025).
fn latest_year(period: &str) -> Option<u32> {
    let digits: Vec<&str> = period
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    let mut best: Option<u32> = None;
    let mut prev: Option<u32> = None;
    for d in digits {
        let y = match d.len() {
            4 => d.parse().ok(),
            // The second half of an academic year: 2021/22.
            2 => prev.map(|p| p / 100 * 100 + d.parse::<u32>().unwrap_or(0)),
            _ => None,
        };
        if let Some(y) = y {
            best = best.max(Some(y));
            prev = Some(y);
        }
    }
    best
}

/// The newest period among the sources the build read, with its sources.
fn newest_source(atlas: &Atlas) -> String {
    let used: Vec<_> = atlas.sources.iter().filter(|s| s.used).collect();
    let Some(year) = used.iter().filter_map(|s| latest_year(&s.period)).max() else {
        return "not recorded".into();
    };
    let newest: Vec<String> = used
        .iter()
        .filter(|s| latest_year(&s.period) == Some(year))
        .map(|s| format!("{} ({})", s.title, s.period))
        .collect();
    format!("{year}: {}", newest.join("; "))
}

/// The verdict's CSS class.
fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Reproduced => "v-yes",
        Verdict::PartlyReproduced => "v-part",
        Verdict::NotReproduced | Verdict::Contradicted => "v-no",
        Verdict::CannotBeTested => "v-none",
        Verdict::BeyondTheReport => "v-new",
    }
}

/// An estimate with its interval and unit, as text.
fn estimate_text(f: &Finding) -> String {
    let Some(e) = f.estimate else {
        return "not estimated".into();
    };
    let mut s = format!("{} {}", format::sig(e, 3), f.unit);
    if let (Some(l), Some(h)) = (f.ci_low, f.ci_high) {
        s.push_str(&format!(
            " ({:.0}% CI {} to {})",
            f.level * 100.0,
            format::sig(l, 3),
            format::sig(h, 3)
        ));
    }
    s
}

fn ledger(key: &[&Finding]) -> (Vec<LedgerRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for f in key {
        match &f.report {
            Some(l) => rows.push(LedgerRow {
                id: f.id.clone(),
                title: f.title.clone(),
                claim: l.claim.clone(),
                report_value: l
                    .report_value
                    .map_or_else(|| "no figure given".into(), |v| format::sig(v, 3)),
                today: estimate_text(f),
                verdict: l.verdict.label().to_owned(),
                verdict_class: verdict_class(l.verdict),
                rule: l.rule.clone(),
                comparable: l.comparable.clone(),
            }),
            None => missing.push(f.id.clone()),
        }
    }
    (rows, missing)
}

/// What this report adds to the 2023 one, from the findings.
fn new_things(atlas: &Atlas) -> Vec<String> {
    let mut out = Vec::new();
    let find = |id: &str| atlas.findings.findings.iter().find(|f| f.id == id);
    if let Some(sp) = find("spatial") {
        let with: Vec<&Finding> = sp.parts.iter().filter(|p| p.estimate.is_some()).collect();
        let clustered = with
            .iter()
            .filter(|p| p.estimate.unwrap_or(0.0) > 0.0 && p.p_value.is_some_and(|q| q < 0.05))
            .count();
        out.push(format!(
            "Spatial clustering: of {} indicator maps tested (both boundary sets), {} show neighbouring seats significantly alike (positive Moran's I, p < 0.05), so seat-level inequity comes in regional clusters rather than isolated seats.",
            with.len(),
            clustered
        ));
    }
    if let Some(f5) = find("F5") {
        let industries = f5
            .parts
            .iter()
            .filter(|p| p.unit == "Pearson r")
            .map(|p| p.id.rsplit('/').next().unwrap_or(""))
            .collect::<BTreeSet<_>>()
            .len();
        out.push(format!(
            "Sector detail: each of {industries} industry sections' employment share is correlated with deprivation (chapter F5), not only STEM jobs as a whole."
        ));
    }
    let gaps = &atlas.findings.gaps;
    if !gaps.is_empty() {
        let missing = gaps
            .iter()
            .filter(|g| g.comparability == Comparability::Missing)
            .count();
        let indicators = gaps
            .iter()
            .map(|g| g.indicator.as_str())
            .collect::<BTreeSet<_>>()
            .len();
        out.push(format!(
            "A data-gap register: {indicators} indicators in each of the four nations graded for comparability; {missing} of the {} indicator × nation cells have no figures, with the reason for each.",
            gaps.len()
        ));
    }
    out.push(format!(
        "Every figure on two boundary sets ({} seats on the 2010-2024 boundaries, {} on the July 2024 ones), from {} public sources pinned by checksum, rebuilt from the sources by one command.",
        atlas.sets[0].seats.len(),
        atlas.sets[1].seats.len(),
        atlas.sources.iter().filter(|s| s.used).count()
    ));
    out
}

// ---------------------------------------------------------------- chapters

/// The value of no effect for a finding's unit: 1 for a ratio, 0 for a
/// difference, change, slope or correlation; none otherwise.
fn reference(unit: &str) -> Option<f64> {
    let u = unit.to_lowercase();
    if u.contains("ratio") {
        Some(1.0)
    } else if [
        "difference",
        "change",
        "slope",
        "pearson",
        "points",
        "correlation",
    ]
    .iter()
    .any(|w| u.contains(w))
    {
        Some(0.0)
    } else {
        None
    }
}

/// A part's id as words: the finding's id dropped, boundary sets named,
/// indicator ids replaced by their titles, other segments with spaces.
pub(crate) fn part_label(atlas: &Atlas, id: &str, drop_set: bool) -> String {
    let mut words: Vec<String> = Vec::new();
    for (k, seg) in id.split('/').enumerate() {
        if k == 0 || (k == 1 && id.starts_with("sensitivity/")) {
            continue;
        }
        let w = match seg {
            "2010" | "2024" if drop_set => continue,
            "2010" => "2010-2024 seats".to_owned(),
            "2024" => "2024 seats".to_owned(),
            s => match atlas.indicator(s) {
                Some((_, d)) => d.title.clone(),
                None => {
                    let mut t = s.replace('_', " ");
                    if let Some(c) = t.get(0..1) {
                        t.replace_range(0..1, &c.to_uppercase());
                    }
                    t
                }
            },
        };
        words.push(w);
    }
    if words.is_empty() {
        "Headline estimate".into()
    } else {
        words.join(" · ")
    }
}

/// The boundary set segment of a part id, if any.
fn part_set(id: &str) -> Option<&str> {
    id.split('/').find(|s| *s == "2010" || *s == "2024")
}

/// Rows per interval chart panel; more are split into small multiples.
const PANEL_ROWS: usize = 26;

/// The interval charts of a finding: one per unit, split by boundary set
/// (and further into panels of [`PANEL_ROWS`]) when there are many, every
/// estimate shown.
fn interval_figures(atlas: &Atlas, f: &Finding, figures: &mut usize) -> Vec<FigureView> {
    let parts: Vec<&Finding> = if f.parts.is_empty() {
        vec![f]
    } else {
        f.parts.iter().collect()
    };
    let mut units: Vec<&str> = Vec::new();
    for p in &parts {
        if p.estimate.is_some() && p.ci_low.is_some() && !units.contains(&p.unit.as_str()) {
            units.push(&p.unit);
        }
    }
    let mut out = Vec::new();
    for unit in units {
        let rows: Vec<&Finding> = parts
            .iter()
            .copied()
            .filter(|p| {
                p.unit == unit && p.estimate.is_some() && p.ci_low.is_some() && p.ci_high.is_some()
            })
            .collect();
        // Small multiples: a panel per boundary set when they do not fit one.
        let groups: Vec<(String, Vec<&Finding>)> = if rows.len() > PANEL_ROWS {
            let mut g: Vec<(String, Vec<&Finding>)> = Vec::new();
            for p in &rows {
                let set = part_set(&p.id).unwrap_or("").to_owned();
                match g.iter_mut().find(|(s, _)| *s == set) {
                    Some((_, v)) => v.push(p),
                    None => g.push((set, vec![p])),
                }
            }
            let mut split = Vec::new();
            for (set, v) in g {
                let n = v.len().div_ceil(PANEL_ROWS);
                for (k, chunk) in v.chunks(v.len().div_ceil(n)).enumerate() {
                    let name = match (set.as_str(), n) {
                        ("2024", 1) => "2024 seats".to_owned(),
                        ("2010", 1) => "2010-2024 seats".to_owned(),
                        ("", 1) => String::new(),
                        (s, _) => format!(
                            "{}panel {} of {n}",
                            match s {
                                "2024" => "2024 seats, ",
                                "2010" => "2010-2024 seats, ",
                                _ => "",
                            },
                            k + 1
                        ),
                    };
                    split.push((name, chunk.to_vec()));
                }
            }
            split
        } else {
            vec![(String::new(), rows)]
        };
        let panels = groups.len();
        for (panel, (name, rows)) in groups.into_iter().enumerate() {
            *figures += 1;
            let by_set = !name.is_empty() && rows.iter().all(|p| part_set(&p.id).is_some());
            let labels: Vec<String> = rows
                .iter()
                .map(|p| part_label(atlas, &p.id, by_set && name.contains("seats")))
                .collect();
            let ci: Vec<svg::CiRow<'_>> = rows
                .iter()
                .zip(&labels)
                .filter_map(|(p, l)| {
                    Some(svg::CiRow {
                        label: l,
                        estimate: p.estimate?,
                        low: p.ci_low?,
                        high: p.ci_high?,
                    })
                })
                .collect();
            let title = format!(
                "Figure {}: {}{}, {} with {:.0}% confidence intervals",
                *figures,
                f.title,
                if name.is_empty() {
                    String::new()
                } else {
                    format!(" ({name})")
                },
                unit,
                f.level * 100.0
            );
            let chart = svg::ci_chart(&ci, reference(unit), unit, &title);
            let caption = format!(
                "{title}{}. {} estimate{} as dots with whiskers for the interval{}.",
                if panels > 1 {
                    format!(" (small multiple {} of {panels})", panel + 1)
                } else {
                    String::new()
                },
                ci.len(),
                if ci.len() == 1 { "" } else { "s" },
                match reference(unit) {
                    Some(r) => format!("; the dashed line marks {r}, no difference"),
                    None => String::new(),
                }
            );
            let table = TableView {
                caption: format!("Figure {}: the numbers", *figures),
                widths: vec![52, 16, 22, 10],
                head: vec![
                    "Estimate".into(),
                    unit.to_owned(),
                    format!("{:.0}% interval", f.level * 100.0),
                    "Seats".into(),
                ],
                num: vec![false, true, true, true],
                rows: rows
                    .iter()
                    .zip(&labels)
                    .map(|(p, l)| {
                        vec![
                            l.clone(),
                            p.estimate.map_or_else(String::new, |v| format::sig(v, 3)),
                            interval_text(p),
                            p.n.to_string(),
                        ]
                    })
                    .collect(),
            };
            out.push(FigureView {
                anchor: format!("fig-{}", *figures),
                svg: chart,
                caption,
                table: Some(table),
            });
        }
    }
    out
}

fn interval_text(p: &Finding) -> String {
    match (p.ci_low, p.ci_high) {
        (Some(l), Some(h)) => format!("{} to {}", format::sig(l, 3), format::sig(h, 3)),
        _ => String::new(),
    }
}

/// The indicator a finding's map shows: for F5 the new-industry share
/// (its headline contrasts old and new industry), otherwise the indicator
/// of its headline part; `None` for a finding about coverage (F6).
fn key_indicator<'a>(atlas: &'a Atlas, f: &Finding) -> Option<(usize, &'a str)> {
    let preferred: &[&str] = match f.id.as_str() {
        "F5" => &["industry_m_share", "industry_j_share"],
        _ => &[],
    };
    for id in preferred {
        if let Some((k, d)) = atlas.indicator(id) {
            return Some((k, d.id.as_str()));
        }
    }
    let head = f.parts.first().unwrap_or(f);
    for seg in head.id.split('/') {
        if let Some((k, d)) = atlas.indicator(seg) {
            if !is_deprivation(&d.id) {
                return Some((k, d.id.as_str()));
            }
        }
    }
    for i in &head.indicators {
        let id = i.split(' ').next().unwrap_or("");
        if let Some((k, d)) = atlas.indicator(id) {
            if !is_deprivation(&d.id) {
                return Some((k, d.id.as_str()));
            }
        }
    }
    None
}

/// A hex map figure of per-seat values (quintile classes), with its legend
/// and the highest and lowest seats as the data table.
fn map_figure(
    atlas: &Atlas,
    set: usize,
    values: &[Option<f64>],
    what: &str,
    unit: &str,
    figures: &mut usize,
) -> FigureView {
    *figures += 1;
    let s = &atlas.sets[set];
    let layout = svg::HexLayout::new(&s.hexes);
    let have: Vec<f64> = values.iter().flatten().copied().collect();
    let classes = svg::Classes::quintiles(&have);
    let fills: Vec<&str> = values
        .iter()
        .map(|v| match (v, &classes) {
            (Some(v), Some(c)) => c.colour(c.class(*v)),
            _ => svg::NO_DATA,
        })
        .collect();
    let set_name = if set == 1 {
        "July 2024 boundaries"
    } else {
        "2010-2024 boundaries"
    };
    let title = format!("Figure {}: {what}, by seat ({set_name})", *figures);
    let mut legend_rows = Vec::new();
    if let Some(c) = &classes {
        for k in 0..c.count() {
            let n = have.iter().filter(|v| c.class(**v) == k).count();
            legend_rows.push(vec![
                format!(
                    "{} (class {} of {})",
                    colour_name(c.colour(k)),
                    k + 1,
                    c.count()
                ),
                format!(
                    "{} to {}",
                    format::value(c.breaks[k], unit),
                    format::value(c.breaks[k + 1], unit)
                ),
                n.to_string(),
            ]);
        }
    }
    let none = values.len() - have.len();
    if none > 0 {
        legend_rows.push(vec![
            "light grey".into(),
            "no figure".into(),
            none.to_string(),
        ]);
    }
    let desc = format!(
        "Hex map of the {} seats, one hexagon each, coloured dark to light from the lowest to the highest fifth of {what}; {} seats have a figure, {none} (light grey) have none. The legend and the highest and lowest seats are in the tables beside it.",
        values.len(),
        have.len()
    );
    let svg_text =
        svg::hex_map_figure(&layout, &fills, &title, &desc, &format!("fig-{}", *figures));
    let mut order: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut rows = legend_rows;
    let pick: Vec<(usize, f64)> = if order.len() > 10 {
        order[..5]
            .iter()
            .chain(&order[order.len() - 5..])
            .copied()
            .collect()
    } else {
        order.clone()
    };
    for (k, (i, v)) in pick.iter().enumerate() {
        let which = if k < 5.min(pick.len()) && order.len() > 10 {
            "highest"
        } else if order.len() > 10 {
            "lowest"
        } else {
            "seat"
        };
        rows.push(vec![
            format!("{which}: {}", s.seats[*i].name),
            format::value(*v, unit),
            String::new(),
        ]);
    }
    FigureView {
        anchor: format!("fig-{}", *figures),
        svg: svg_text,
        caption: format!(
            "{title}. Quintile classes from dark (lowest) to light (highest); light grey: no figure."
        ),
        table: Some(TableView {
            caption: format!("Figure {}: legend, and the highest and lowest seats", *figures),
            widths: vec![55, 30, 15],
            head: vec!["Class or seat".into(), "Values".into(), "Seats".into()],
            num: vec![false, true, true],
            rows,
        }),
    }
}

fn colour_name(c: &str) -> &'static str {
    match c {
        "#440154" => "dark purple",
        "#3b528b" => "blue",
        "#21918c" => "teal",
        "#5ec962" => "green",
        "#fde725" => "yellow",
        _ => "colour",
    }
}

/// The finding's map: its key indicator per seat, or for a finding without
/// one the number of indicators with a figure in each seat.
fn chapter_map(atlas: &Atlas, f: &Finding, figures: &mut usize) -> FigureView {
    let set = if f.boundaries.iter().any(|b| b == "2024") || f.boundaries.is_empty() {
        1
    } else {
        0
    };
    let s = &atlas.sets[set];
    match key_indicator(atlas, f) {
        Some((k, _)) => {
            let d = &atlas.indicators[k];
            let values: Vec<Option<f64>> =
                (0..s.seats.len()).map(|i| s.series[k].value(i)).collect();
            map_figure(
                atlas,
                set,
                &values,
                &format!("{} ({})", d.title, d.period),
                &d.unit,
                figures,
            )
        }
        None => {
            let values: Vec<Option<f64>> = (0..s.seats.len())
                .map(|i| Some(s.series.iter().filter(|x| x.value(i).is_some()).count() as f64))
                .collect();
            map_figure(
                atlas,
                set,
                &values,
                &format!(
                    "Indicators with a figure, of the {} in the store",
                    atlas.indicators.len()
                ),
                "count",
                figures,
            )
        }
    }
}

/// Whether an interval lies wholly on one side of `r`: +1 above, -1 below,
/// 0 when it includes it.
fn side(p: &Finding, r: f64) -> Option<i8> {
    let (l, h) = (p.ci_low?, p.ci_high?);
    Some(if l > r {
        1
    } else if h < r {
        -1
    } else {
        0
    })
}

fn direction_word(s: i8) -> &'static str {
    match s {
        1 => "above",
        -1 => "below",
        _ => "across",
    }
}

/// A short discussion generated from the numbers: the headline against no
/// effect, how many parts agree, how the sensitivity grid moves it, how its
/// key indicator clusters, and the ledger's verdict.
fn discussion(atlas: &Atlas, f: &Finding, figure_refs: &str) -> Vec<String> {
    let mut out = Vec::new();
    let r = reference(&f.unit);
    let head_side = r.and_then(|r| side(f, r));
    match (f.estimate, r, head_side) {
        (Some(e), Some(r), Some(s)) => out.push(format!(
            "The headline estimate, {} {}, has a {:.0}% interval of {} that lies {} {}{}",
            format::sig(e, 3),
            f.unit,
            f.level * 100.0,
            interval_text(f),
            direction_word(s),
            r,
            if s == 0 {
                ": on these data the effect could be nil.".to_owned()
            } else {
                ": the data rule out no effect at this level.".to_owned()
            }
        )),
        (Some(e), _, _) => out.push(format!(
            "The headline figure is {} {}.",
            format::sig(e, 3),
            f.unit
        )),
        (None, _, _) => {
            out.push("There is no headline estimate: the statement above says why.".to_owned())
        }
    }
    if let Some(c) = f.clusters {
        out.push(format!(
            "The interval is made from {c} independent clusters rather than {} seats ({}), because the figures are apportioned from larger areas.",
            f.n,
            if f.inference.is_empty() { "cluster inference" } else { &f.inference }
        ));
    }
    // The parts (both boundary sets, every measure).
    if let (Some(r), Some(hs)) = (r, head_side) {
        let same_unit: Vec<&Finding> = f
            .parts
            .iter()
            .filter(|p| p.unit == f.unit && p.ci_low.is_some())
            .collect();
        if same_unit.len() > 1 {
            let agree = same_unit
                .iter()
                .filter(|p| side(p, r) == Some(hs) && hs != 0)
                .count();
            let against: Vec<String> = same_unit
                .iter()
                .filter(|p| side(p, r) != Some(hs))
                .map(|p| part_label(atlas, &p.id, false))
                .collect();
            out.push(format!(
                "Of the {} estimates in the same unit ({figure_refs}), {agree} lie {} {r} like the headline{}",
                same_unit.len(),
                direction_word(hs),
                if against.is_empty() {
                    ": the result holds across measures and both boundary sets.".to_owned()
                } else {
                    format!(
                        "; {} do not: {}.",
                        against.len(),
                        list_some(&against, 6)
                    )
                }
            ));
        }
    }
    // Parts without an interval (F6's nations): each figure in turn.
    let plain: Vec<String> = f
        .parts
        .iter()
        .filter(|p| p.ci_low.is_none())
        .filter_map(|p| Some(format!("{} {}", p.title, format::sig(p.estimate?, 3))))
        .collect();
    if !plain.is_empty() {
        out.push(format!(
            "By part ({}): {}.",
            f.parts
                .iter()
                .find(|p| p.ci_low.is_none())
                .map_or("", |p| p.unit.as_str()),
            list_some(&plain, 8)
        ));
    }
    // The sensitivity grid.
    let sens_id = format!("sensitivity/{}", f.id);
    let grid = atlas
        .findings
        .findings
        .iter()
        .flat_map(|x| x.walk())
        .find(|x| x.id == sens_id);
    if let (Some(g), Some(r)) = (grid, r) {
        let cells: Vec<&Finding> = g.parts.iter().filter(|p| p.estimate.is_some()).collect();
        let lo = cells
            .iter()
            .filter_map(|p| p.estimate)
            .fold(f64::MAX, f64::min);
        let hi = cells
            .iter()
            .filter_map(|p| p.estimate)
            .fold(f64::MIN, f64::max);
        if !cells.is_empty() {
            let hs = head_side.unwrap_or(0);
            let holds = cells.iter().filter(|p| side(p, r) == Some(hs)).count();
            let fails: Vec<String> = cells
                .iter()
                .filter(|p| side(p, r) != Some(hs))
                .map(|p| part_label(atlas, &p.id, false))
                .collect();
            out.push(format!(
                "Across the sensitivity grid ({} combinations of deprivation basis, aggregation, boundary set and STEM definition with an estimate) the estimate runs from {} to {}; {holds} of them lie {} {r} as the headline does{}",
                cells.len(),
                format::sig(lo, 3),
                format::sig(hi, 3),
                direction_word(hs),
                if fails.is_empty() {
                    ", so no choice behind the headline changes its conclusion.".to_owned()
                } else {
                    format!(". It does not hold for: {}.", list_some(&fails, 6))
                }
            ));
        }
        let none = g.parts.len() - cells.len();
        if none > 0 {
            out.push(format!(
                "{none} combination{} of the grid could not be estimated (see the robustness section).",
                if none == 1 { "" } else { "s" }
            ));
        }
    }
    // Spatial clustering of the key indicator.
    if let Some((_, id)) = key_indicator(atlas, f) {
        let sp = atlas
            .findings
            .findings
            .iter()
            .flat_map(|x| x.walk())
            .find(|x| x.id == format!("spatial/2024/{id}"));
        if let Some(sp) = sp {
            if let Some(i) = sp.estimate {
                out.push(format!(
                    "On the map, {} is {} among neighbouring seats (Moran's I {}{}): {}",
                    atlas.indicator(id).map_or(id, |(_, d)| d.title.as_str()),
                    if i > 0.0 { "alike" } else { "unlike" },
                    format::sig(i, 3),
                    sp.p_value
                        .map_or_else(String::new, |p| if p < 0.001 {
                            ", p < 0.001".to_owned()
                        } else {
                            format!(", p = {p:.3}")
                        }),
                    if i > 0.3 {
                        "high and low values come in regional clusters, so a national average hides places that differ together."
                    } else if i > 0.0 {
                        "some regional clustering, weaker than for the headline skills measures."
                    } else {
                        "no regional clustering."
                    }
                ));
            }
        }
    }
    if let Some(l) = &f.report {
        out.push(format!(
            "Against the 2023 report: {} ({}).",
            l.verdict.label(),
            l.rule
        ));
    }
    out
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// The first `n` of a list, then how many more.
fn list_some(items: &[String], n: usize) -> String {
    if items.len() <= n {
        items.join("; ")
    } else {
        format!("{}; and {} more", items[..n].join("; "), items.len() - n)
    }
}

fn chapter(atlas: &Atlas, f: &Finding, number: usize, figures: &mut usize) -> Chapter {
    let first = *figures + 1;
    let mut figs = interval_figures(atlas, f, figures);
    let refs = match (*figures).cmp(&first) {
        std::cmp::Ordering::Less => "no chart".to_owned(),
        std::cmp::Ordering::Equal => format!("Figure {first}"),
        std::cmp::Ordering::Greater => format!("Figures {first}-{}", *figures),
    };
    figs.push(chapter_map(atlas, f, figures));
    let mut estimate = vec![("Estimate".to_owned(), estimate_text(f))];
    if !f.inference.is_empty() {
        estimate.push(("Interval made by".into(), f.inference.clone()));
    }
    if let Some(c) = f.clusters {
        estimate.push(("Independent clusters".into(), c.to_string()));
    }
    if let (Some(l), Some(h)) = (f.bound_low, f.bound_high) {
        estimate.push((
            "On the bounds of suppressed cells".into(),
            format!("{} to {}", format::sig(l, 3), format::sig(h, 3)),
        ));
    }
    estimate.push(("Seats or cells".into(), f.n.to_string()));
    if let Some(p) = f.p_value {
        estimate.push(("p-value".into(), p_text(p)));
    }
    if !f.method.is_empty() {
        estimate.push(("Method".into(), f.method.clone()));
    }
    if let Some(s) = f.seed {
        estimate.push((
            "Random numbers".into(),
            match f.replicates {
                Some(r) => format!("seed {s}, {r} replicates"),
                None => format!("seed {s}"),
            },
        ));
    }
    estimate.push(("Boundaries".into(), f.boundaries.join(", ")));
    estimate.push(("Nations".into(), f.nations.join(", ")));
    // The data: every indicator of the finding and its parts, once.
    let mut seen = BTreeSet::new();
    let mut data = Vec::new();
    for p in f.walk() {
        for i in &p.indicators {
            let id = i.split(' ').next().unwrap_or("");
            if !seen.insert(id.to_owned()) {
                continue;
            }
            if let Some((_, d)) = atlas.indicator(id) {
                data.push(DataLine {
                    title: d.title.clone(),
                    id: d.id.clone(),
                    period: i.split_once(' ').map_or(d.period.clone(), |(_, p)| {
                        p.trim_matches(['(', ')']).to_owned()
                    }),
                    method: d.method.id().to_owned(),
                    sources: d
                        .sources
                        .iter()
                        .map(|s| atlas.source(s).map_or(s.clone(), |x| x.publisher.clone()))
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect::<Vec<_>>()
                        .join("; "),
                });
            }
        }
    }
    // Parts without an interval are in no chart: listed in a table.
    let parts = f
        .parts
        .iter()
        .filter(|p| p.ci_low.is_none() || p.ci_high.is_none() || p.estimate.is_none())
        .map(|p| PartLine {
            label: part_label(atlas, &p.id, false),
            estimate: p.estimate.map_or_else(|| "—".into(), |v| format::sig(v, 3)),
            interval: interval_text(p),
            n: p.n,
        })
        .collect();
    Chapter {
        id: f.id.clone(),
        number,
        title: f.title.clone(),
        statement: f.statement.clone(),
        claim: f.report.as_ref().map_or_else(
            || "The reproduction ledger does not record the 2023 report's claim for this finding in this store.".into(),
            |l| l.claim.clone(),
        ),
        comparable: f
            .report
            .as_ref()
            .map_or_else(String::new, |l| l.comparable.clone()),
        verdict: f
            .report
            .as_ref()
            .map_or_else(String::new, |l| l.verdict.label().to_owned()),
        data,
        estimate,
        discussion: discussion(atlas, f, &refs),
        figures: figs,
        parts,
        excluded: f
            .excluded
            .iter()
            .map(|x| format!("{} seats: {}", x.count, x.reason))
            .collect(),
    }
}

// ---------------------------------------------------------------- recommendations

/// The datasets that would close the most gaps: the register's missing and
/// not-comparable cells grouped by their reason (which names what is
/// lacking), most cells first.
fn priorities(atlas: &Atlas) -> Vec<Priority> {
    let mut by: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>, usize)> = BTreeMap::new();
    for g in &atlas.findings.gaps {
        if matches!(
            g.comparability,
            Comparability::Missing | Comparability::NotComparable
        ) {
            let e = by.entry(g.reason.as_str()).or_default();
            e.0.insert(g.nation.as_str());
            e.1.insert(g.title.as_str());
            e.2 += 1;
        }
    }
    let mut v: Vec<_> = by.into_iter().collect();
    v.sort_by(|a, b| b.1 .2.cmp(&a.1 .2).then(a.0.cmp(b.0)));
    v.into_iter()
        .enumerate()
        .map(|(k, (reason, (nations, titles, cells)))| Priority {
            rank: k + 1,
            dataset: reason.to_owned(),
            cells,
            nations: nations
                .iter()
                .map(|n| Nation::from_id(n).map_or((*n).to_owned(), |x| x.name().to_owned()))
                .collect::<Vec<_>>()
                .join(", "),
            indicators: {
                let t: Vec<String> = titles.iter().map(|s| (*s).to_owned()).collect();
                format!("{}: {}", t.len(), list_some(&t, 4))
            },
        })
        .collect()
}

fn recommendations(atlas: &Atlas) -> Vec<Recommendation> {
    let find = |id: &str| atlas.findings.findings.iter().find(|f| f.id == id);
    let key: Vec<&Finding> = atlas
        .findings
        .findings
        .iter()
        .filter(|f| is_key(&f.id))
        .collect();
    // 1. Oversight: how many findings still hold, and how scattered the data are.
    let mut oversight = Vec::new();
    let with_ledger: Vec<&Finding> = key.iter().copied().filter(|f| f.report.is_some()).collect();
    if with_ledger.is_empty() {
        oversight.push("The reproduction ledger is not recorded in this store, so no verdicts are counted here; the chapters give each estimate.".to_owned());
    } else {
        let mut counts: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in &with_ledger {
            if let Some(l) = &f.report {
                counts.entry(l.verdict.label()).or_default().push(&f.id);
            }
        }
        oversight.push(format!(
            "Of the {} findings with a ledger entry: {}.",
            with_ledger.len(),
            counts
                .iter()
                .map(|(v, ids)| format!("{v} {} ({})", ids.len(), ids.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let publishers: BTreeSet<&str> = atlas
        .sources
        .iter()
        .filter(|s| s.used)
        .map(|s| s.publisher.as_str())
        .collect();
    oversight.push(format!(
        "The evidence comes from {} sources under {} distinct publisher credits (departments, statistics offices and the bodies that re-publish them by constituency): no one body holds it.",
        atlas.sources.iter().filter(|s| s.used).count(),
        publishers.len()
    ));
    if let Some(f6) = find("F6") {
        if let (Some(all4), Some(n)) = (
            f6.details.get("indicators_in_all_four_nations"),
            f6.details.get("indicators"),
        ) {
            oversight.push(format!(
                "Only {all4:.0} of the {n:.0} indicators have figures in all four nations (chapter F6): a UK-wide view needs the devolved statistics brought together."
            ));
        }
    }
    // 2. Networks: where the places are.
    let mut networks = Vec::new();
    if let Some(sp) = find("spatial") {
        for p in sp
            .parts
            .iter()
            .filter(|p| p.id.starts_with("spatial/2024/"))
        {
            let Some(low) = p.seats.get("low-low") else {
                continue;
            };
            if low.is_empty() {
                continue;
            }
            let Some(id) = p.id.rsplit('/').next() else {
                continue;
            };
            let Some((_, d)) = atlas.indicator(id) else {
                continue;
            };
            if is_deprivation(id) {
                continue;
            }
            let s = &atlas.sets[1];
            let mut regions: BTreeMap<String, usize> = BTreeMap::new();
            for code in low {
                let Ok(c) = stemgap_core::GssCode::parse(code) else {
                    continue;
                };
                if let Some((_, seat)) = s.seat(c) {
                    let name = seat
                        .region
                        .as_deref()
                        .and_then(|r| atlas.region_name(r))
                        .unwrap_or("unknown region")
                        .to_owned();
                    *regions.entry(name).or_default() += 1;
                }
            }
            let mut rv: Vec<(String, usize)> = regions.into_iter().collect();
            rv.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            networks.push(format!(
                "{}: {} seats form low-low clusters (low values among low neighbours), most in {}.",
                d.title,
                low.len(),
                rv.iter()
                    .take(3)
                    .map(|(r, n)| format!("{r} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if networks.is_empty() {
        networks.push("No local clusters (LISA) are recorded in this store.".to_owned());
    } else {
        networks.insert(0, "Networks work through places; the local clusters (LISA) show which places share low values of each headline measure with their neighbours (2024 seats):".to_owned());
    }
    if let Some(f4) = find("F4") {
        networks.push(format!(
            "Universities and their neighbours (chapter F4): {}",
            f4.statement
        ));
    }
    // 3. The Data Taskforce: the register.
    let mut data = Vec::new();
    let gaps = &atlas.findings.gaps;
    let open = gaps
        .iter()
        .filter(|g| {
            matches!(
                g.comparability,
                Comparability::Missing | Comparability::NotComparable
            )
        })
        .count();
    data.push(format!(
        "{open} of the register's {} indicator × nation cells are missing or not comparable between nations. The table below groups them by what is lacking, the datasets that would close the most cells first.",
        gaps.len()
    ));
    // 4. Research: what does not hold up, what cannot be tested.
    let mut research = Vec::new();
    if let Some(sens) = find("sensitivity") {
        for g in &sens.parts {
            let (Some(lo), Some(hi)) =
                (g.details.get("min_estimate"), g.details.get("max_estimate"))
            else {
                continue;
            };
            research.push(format!(
                "{}: across the choices behind it the estimate runs from {} to {} {}.",
                g.title,
                format::sig(*lo, 3),
                format::sig(*hi, 3),
                g.unit
            ));
        }
    }
    let untested: Vec<&str> = key
        .iter()
        .filter(|f| {
            f.report
                .as_ref()
                .is_some_and(|l| l.verdict == Verdict::CannotBeTested)
        })
        .map(|f| f.id.as_str())
        .collect();
    if !untested.is_empty() {
        research.push(format!(
            "The public data cannot test {}: research would need data that are not published by constituency.",
            untested.join(", ")
        ));
    }
    let periods: BTreeSet<&str> = key
        .iter()
        .flat_map(|f| f.indicators.iter())
        .filter_map(|i| i.split_once(" ("))
        .map(|(_, p)| p.trim_end_matches(')'))
        .collect();
    research.push(format!(
        "Every estimate is a single cross-section (periods used: {}); following the same seats over time, as new releases are added to the catalogue, would show whether the gaps are closing.",
        periods.into_iter().collect::<Vec<_>>().join(", ")
    ));
    vec![
        Recommendation {
            anchor: "rec-oversight".into(),
            title: "1. Cross-Government oversight of STEM skills inequity".into(),
            asked: "The 2023 report asked for a cross-Government body to oversee regional STEM skills policy. What the data now show:".into(),
            evidence: oversight,
        },
        Recommendation {
            anchor: "rec-networks".into(),
            title: "2. National networks for skills and inclusion".into(),
            asked: "The report asked for national networks to spread what works in STEM skills and inclusion. What the data now show:".into(),
            evidence: networks,
        },
        Recommendation {
            anchor: "rec-data".into(),
            title: "3. A Data Taskforce for STEM skills".into(),
            asked: "The report asked for a Data Taskforce to close the gaps in STEM skills data. What the data now show:".into(),
            evidence: data,
        },
        Recommendation {
            anchor: "rec-research".into(),
            title: "4. Ongoing research".into(),
            asked: "The report asked for ongoing research into regional STEM skills inequity. What the data now show:".into(),
            evidence: research,
        },
    ]
}

// ---------------------------------------------------------------- nations

fn nation_pages(atlas: &Atlas) -> Vec<NationPage> {
    Nation::ALL
        .iter()
        .map(|&n| {
            let rows: Vec<_> = atlas
                .findings
                .gaps
                .iter()
                .filter(|g| Nation::from_id(&g.nation).ok() == Some(n))
                .collect();
            let titles = |c: Comparability| -> Vec<String> {
                rows.iter()
                    .filter(|g| g.comparability == c)
                    .map(|g| g.title.clone())
                    .collect()
            };
            let mut cannot: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for g in rows.iter().filter(|g| g.comparability == Comparability::Missing) {
                cannot.entry(g.reason.as_str()).or_default().push(g.title.clone());
            }
            let mut cannot: Vec<(String, Vec<String>)> = cannot
                .into_iter()
                .map(|(r, t)| (r.to_owned(), t))
                .collect();
            cannot.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
            let seats = [0, 1].map(|k| {
                atlas.sets[k]
                    .seats
                    .iter()
                    .filter(|s| s.nation == Some(n))
                    .count()
            });
            let findings: Vec<&str> = atlas
                .findings
                .findings
                .iter()
                .filter(|f| is_key(&f.id) && f.id != "F6")
                .filter(|f| f.nations.iter().any(|x| x == n.name()))
                .map(|f| f.id.as_str())
                .collect();
            let with = rows
                .iter()
                .filter(|g| g.comparability != Comparability::Missing)
                .count();
            NationPage {
                anchor: format!("nation-{}", n.id()),
                name: n.name().to_owned(),
                summary: format!(
                    "{} has {} seats on the July 2024 boundaries ({} on the 2010-2024 ones). {with} of the {} indicators have figures here. {}",
                    n.name(),
                    seats[1],
                    seats[0],
                    rows.len(),
                    if findings.is_empty() {
                        "None of the findings F1-F5 can be estimated here: the data they need are missing or measured differently.".to_owned()
                    } else {
                        format!("Findings estimated here: {}.", findings.join(", "))
                    }
                ),
                can: titles(Comparability::SameDefinition),
                care: titles(Comparability::Harmonisable),
                within: titles(Comparability::NotComparable),
                cannot: cannot
                    .into_iter()
                    .map(|(r, t)| (r, format!("{} indicators: {}", t.len(), t.join(", "))))
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_findings_are_f_and_a_number() {
        assert!(super::is_key("F1"));
        assert!(super::is_key("F6"));
        assert!(!super::is_key("F"));
        assert!(!super::is_key("F1/2024/x"));
        assert!(!super::is_key("spatial"));
    }

    #[test]
    fn periods_give_their_latest_year() {
        assert_eq!(super::latest_year("2021"), Some(2021));
        assert_eq!(super::latest_year("2021/22"), Some(2022));
        assert_eq!(super::latest_year("2019, 2024-25"), Some(2025));
        assert_eq!(super::latest_year("Census day"), None);
    }

    #[test]
    fn dates_are_written_out_or_said_unrecorded() {
        assert_eq!(super::long_date("2026-12-07T07:26:52Z"), "7 December 2026");
        assert_eq!(super::long_date(""), "on a date not recorded");
        assert_eq!(super::long_date("2026-13-01"), "on a date not recorded");
    }

    #[test]
    fn units_have_their_no_effect_value() {
        assert_eq!(super::reference("ratio"), Some(1.0));
        assert_eq!(super::reference("difference in Pearson r"), Some(0.0));
        assert_eq!(super::reference("Pearson r"), Some(0.0));
        assert_eq!(super::reference("% change per doubling"), Some(0.0));
        assert_eq!(super::reference("Moran's I"), None);
    }
}
