//! The printable report: one self-contained HTML file (inline CSS and SVG,
//! no external requests) with the structure of a policy report — summary,
//! the key findings with their interval charts, the data-gap register as a
//! nation × indicator grid, methods, sources and licences. Every number is
//! read from the [`Atlas`] (the store's findings document and catalogue).

use crate::atlas::Atlas;
use crate::brief::PRINT_CSS;
use crate::format;
use crate::pages::{finding_view, gap_lines, FindingView, GapLine};
use askama::Template;
use stemgap_core::Nation;

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
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    css: &'a str,
    built_by: String,
    seats: [usize; 2],
    indicator_count: usize,
    source_count: usize,
    key: Vec<FindingView>,
    other: Vec<FindingView>,
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

/// The report as one HTML document.
pub fn report(atlas: &Atlas) -> Result<String, ReportError> {
    let (key, other): (Vec<_>, Vec<_>) =
        atlas.findings.findings.iter().partition(|f| is_key(&f.id));
    let mut grade_counts: Vec<(String, usize)> = Vec::new();
    for g in &atlas.findings.gaps {
        let grade = g.comparability.id();
        match grade_counts.iter_mut().find(|(k, _)| k == grade) {
            Some((_, n)) => *n += 1,
            None => grade_counts.push((grade.to_owned(), 1)),
        }
    }
    let page = ReportPage {
        css: PRINT_CSS,
        built_by: atlas.built_by.clone(),
        seats: [atlas.sets[0].seats.len(), atlas.sets[1].seats.len()],
        indicator_count: atlas.indicators.len(),
        source_count: atlas.sources.iter().filter(|s| s.used).count(),
        key: key.into_iter().map(finding_view).collect(),
        other: other.into_iter().map(finding_view).collect(),
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
            })
            .collect(),
    };
    page.render().map_err(|e| ReportError(e.to_string()))
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
}
