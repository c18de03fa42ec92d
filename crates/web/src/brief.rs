//! One-page constituency briefs: an A4 HTML page per seat for printing or
//! PDF, self-contained (inline CSS, no external requests) when written by
//! `stemgap brief`, and served at `/brief/{code}` (stylesheet linked, as
//! the Content-Security-Policy forbids inline styles). Every figure is read
//! from the [`Atlas`] (itself read from the store), with its period and
//! method; apportioned and converted values are marked, the caveats of the
//! figures shown are listed (the first sentence of each), with the build
//! date and the sources. Institutions: providers (universities and
//! colleges) before teaching locations.

use crate::atlas::{is_deprivation, Atlas};
use crate::error::{Audience, HttpError};
use crate::pages::{profile_row, ProfileRow};
use crate::{boundaries, Shared, P, Q};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use stemgap_core::{BoundarySet, GssCode, Nation};
use stemgap_findings::gaps::Comparability;
use stemgap_store::Institution;

/// Why a brief could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BriefError {
    #[error("{code} is not a seat of the {set} boundaries")]
    NoSeat { code: String, set: &'static str },
    #[error("cannot render the brief for {code}: {message}")]
    Render { code: String, message: String },
}

/// The stylesheet every brief and the report carry inline.
pub const PRINT_CSS: &str = include_str!("print.css");

/// A gap in what the data can say for the seat.
struct Unknown {
    title: String,
    status: String,
    reason: String,
}

/// A row of the brief: the profile row and the mark of its method.
struct BriefRow {
    row: ProfileRow,
    /// `†` apportioned, `‡` converted, empty otherwise.
    mark: &'static str,
}

#[derive(Template)]
#[template(path = "brief.html")]
struct BriefPage<'a> {
    /// Inline stylesheet, or empty to link `/static/print.css`.
    css: &'a str,
    name: String,
    code: String,
    set: &'static str,
    set_title: &'static str,
    nation: String,
    region: String,
    built_by: String,
    built_on: String,
    neighbours: usize,
    rows: Vec<BriefRow>,
    deprivation: Vec<BriefRow>,
    any_apportioned: bool,
    any_converted: bool,
    caveats: Vec<(String, String)>,
    sources: Vec<String>,
    providers: usize,
    locations: usize,
    stem_places: usize,
    provider_names: Vec<String>,
    location_names: Vec<String>,
    more_names: usize,
    unknown: Vec<Unknown>,
    no_value: Vec<String>,
    member: String,
    member_source: String,
}

/// The STEM skills indicators a brief shows, in this order (those the
/// store has): qualifications and school attainment, further and higher
/// education (with women's share of STEM FE achievements: inclusion), STEM
/// occupations and jobs (manufacturing by workplace, BRES; the APS
/// residents' share is on the profile), skills-shortage vacancies
/// (shortages), institutions (providers and STEM teaching sites; all sites
/// and all-subject FE are on the profile). The list and the caveats it
/// brings fill one A4 page (print test).
pub const BRIEF_INDICATORS: [&str; 22] = [
    "level4_share",
    "no_quals_share",
    "ks2_expected_pct",
    "ks4_attainment8",
    "ks4_a_c_pct",
    "he_entry_rate_18",
    "fe_stem_achievements_per_1000",
    "fe_et_stem_female_share",
    "apprenticeship_stem_starts_per_1000",
    "apprenticeship_starts_per_1000",
    "apprenticeship_achievements_per_1000",
    "stem_professionals_share",
    "professional_occupations_share",
    "technical_occupations_share",
    "stem_jobs_share",
    "stem_enterprises_share",
    "jobs_share_professional_scientific",
    "jobs_share_information_communication",
    "jobs_share_manufacturing",
    "ess_ssv_per_1000_staff",
    "hei_count",
    "he_stem_locations",
];

/// How many institution names a brief lists before "and N more".
const NAMES_SHOWN: usize = 6;

/// The mark of a figure's method on the brief.
fn mark(method: &str) -> &'static str {
    match method {
        "apportioned" => "†",
        "converted" => "‡",
        _ => "",
    }
}

/// Longest caveat a brief shows (the profile has them whole).
const CAVEAT_CHARS: usize = 96;

/// The first sentence of a caveat (up to the first ". " that does not end
/// "e.g." or "i.e."), cut at a word before [`CAVEAT_CHARS`] with "…".
fn first_sentence(text: &str) -> String {
    let mut end = text.len();
    let mut from = 0;
    while let Some(at) = text[from..].find(". ") {
        let stop = from + at;
        if !(text[..stop].ends_with("e.g") || text[..stop].ends_with("i.e")) {
            end = stop + 1;
            break;
        }
        from = stop + 2;
    }
    let sentence = &text[..end];
    if sentence.chars().count() <= CAVEAT_CHARS {
        return sentence.to_owned();
    }
    let cut: String = sentence.chars().take(CAVEAT_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// The brief of seat `code` in `set`, with its `institutions` (as
/// [`stemgap_store::Store::institutions`] returns them).
pub fn brief(
    atlas: &Atlas,
    set: BoundarySet,
    code: &str,
    institutions: &[Institution],
) -> Result<String, BriefError> {
    render(atlas, set, code, institutions, PRINT_CSS)
}

/// The brief with `css` inline, or linking the stylesheet when `css` is
/// empty.
fn render(
    atlas: &Atlas,
    set: BoundarySet,
    code: &str,
    institutions: &[Institution],
    css: &str,
) -> Result<String, BriefError> {
    let s = atlas.set(set);
    let no_seat = || BriefError::NoSeat {
        code: code.to_owned(),
        set: set.id(),
    };
    let gss = GssCode::parse(code).map_err(|_| no_seat())?;
    let (i, seat) = s.seat(gss).ok_or_else(no_seat)?;
    let nation = seat.nation;
    let covers = |k: usize| {
        let d = &atlas.indicators[k];
        nation.is_none_or(|n| d.nations.contains(&n))
    };
    let stem: Vec<usize> = BRIEF_INDICATORS
        .iter()
        .filter_map(|id| atlas.indicator(id).map(|(k, _)| k))
        .collect();
    let dep: Vec<usize> = (0..atlas.indicators.len())
        .filter(|&k| is_deprivation(&atlas.indicators[k].id))
        .collect();
    // Indicators published for the seat's nation and with a figure for it.
    let shown = |k: &usize| covers(*k) && s.series[*k].value(i).is_some();
    let brief_row = |k: usize| {
        let row = profile_row(atlas, s, i, k);
        BriefRow {
            mark: mark(&row.method),
            row,
        }
    };
    let rows: Vec<BriefRow> = stem
        .iter()
        .filter(|k| shown(k))
        .map(|&k| brief_row(k))
        .collect();
    let deprivation: Vec<BriefRow> = dep
        .iter()
        .filter(|k| shown(k))
        .map(|&k| brief_row(k))
        .collect();
    let all_rows = || rows.iter().chain(&deprivation);
    let any_apportioned = all_rows().any(|r| r.mark == "†");
    let any_converted = all_rows().any(|r| r.mark == "‡");
    // The first sentence of each distinct caveat of the STEM figures shown
    // (the apportionment is said once, by the † key; the deprivation
    // measures' comparability is in the gap list), and the sources of all.
    let mut caveats: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let first = first_sentence(&r.row.caveats);
        if first.is_empty() || (r.mark == "†" && first.contains("pportioned")) {
            continue;
        }
        match caveats.iter_mut().find(|(_, c)| *c == first) {
            Some((titles, _)) => {
                titles.push_str("; ");
                titles.push_str(&r.row.title);
            }
            None => caveats.push((r.row.title.clone(), first)),
        }
    }
    let mut sources: Vec<String> = Vec::new();
    for r in all_rows() {
        if let Some(src) = atlas.source(&r.row.source_id) {
            // Publishers only: the titles would not fit on the page.
            let text = src.publisher.clone();
            if !sources.contains(&text) {
                sources.push(text);
            }
        }
    }
    // Brief indicators of the seat's nation without a figure for the seat.
    let no_value = stem
        .iter()
        .chain(&dep)
        .filter(|&&k| covers(k) && s.series[k].value(i).is_none())
        .map(|&k| atlas.indicators[k].title.clone())
        .collect();
    let nation_name = nation.map_or("", |n| n.name());
    // The register's missing and not-comparable cells of the seat's nation
    // for the brief's indicators, one line per grade and reason.
    let mut unknown: Vec<Unknown> = Vec::new();
    for g in &atlas.findings.gaps {
        let ours = nation.is_some_and(|n| Nation::from_id(&g.nation).ok() == Some(n));
        let listed = atlas
            .indicator(&g.indicator)
            .is_some_and(|(k, _)| stem.contains(&k) || dep.contains(&k));
        let gap = matches!(
            g.comparability,
            Comparability::Missing | Comparability::NotComparable
        );
        if !(ours && listed && gap) {
            continue;
        }
        let status = g.comparability.id();
        match unknown
            .iter_mut()
            .find(|u| u.status == status && u.reason == g.reason)
        {
            Some(u) => {
                u.title.push_str("; ");
                u.title.push_str(&g.title);
            }
            None => unknown.push(Unknown {
                title: g.title.clone(),
                status: status.to_owned(),
                reason: g.reason.clone(),
            }),
        }
    }
    let providers = institutions.iter().filter(|x| x.kind == "provider").count();
    let locations = institutions.len() - providers;
    let stem_places = institutions.iter().filter(|x| x.stem == Some(true)).count();
    // Providers (universities and colleges) first, then teaching
    // locations, each in name order; a name listed once.
    let names_of = |provider: bool| {
        let mut v: Vec<String> = institutions
            .iter()
            .filter(|x| (x.kind == "provider") == provider)
            .map(|x| x.name.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let mut provider_names = names_of(true);
    let mut location_names: Vec<String> = names_of(false)
        .into_iter()
        .filter(|n| !provider_names.contains(n))
        .collect();
    let total = provider_names.len() + location_names.len();
    provider_names.truncate(NAMES_SHOWN);
    location_names.truncate(NAMES_SHOWN.saturating_sub(provider_names.len()));
    let more_names = total - provider_names.len() - location_names.len();
    let page = BriefPage {
        css,
        name: seat.name.clone(),
        code: seat.code.to_string(),
        set: set.id(),
        set_title: set.title(),
        nation: nation_name.to_owned(),
        region: seat
            .region
            .as_deref()
            .and_then(|r| atlas.region_name(r))
            .unwrap_or("")
            .to_owned(),
        built_by: atlas.built_by.clone(),
        built_on: atlas.built_on.clone().unwrap_or_default(),
        neighbours: s.neighbours[i].len(),
        rows,
        deprivation,
        any_apportioned,
        any_converted,
        caveats,
        sources,
        providers,
        locations,
        stem_places,
        provider_names,
        location_names,
        more_names,
        unknown,
        no_value,
        member: crate::explore::member_text(atlas, set, i),
        member_source: crate::explore::member_source(atlas),
    };
    page.render().map_err(|e| BriefError::Render {
        code: code.to_owned(),
        message: e.to_string(),
    })
}

// ---------------------------------------------------------------- the web

#[derive(Deserialize)]
pub struct BriefQuery {
    boundaries: Option<String>,
}

/// `/brief/{code}`: the seat's brief as a page of the atlas.
pub async fn page(
    State(app): State<Shared>,
    P(code): P,
    Q(q): Q<BriefQuery>,
) -> Result<Response, HttpError> {
    let want = boundaries(q.boundaries.as_deref(), Audience::Page)?;
    let (set, i) = crate::api::find_seat(&app, &code, want, Audience::Page)?;
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let code = s.seats[i].code.to_string();
    render(atlas, set, &code, &s.institutions[i], "")
        .map(|html| Html(html).into_response())
        .map_err(|e| HttpError::internal(Audience::Page, e.to_string()))
}

/// `/static/print.css`: the briefs' and the report's stylesheet.
pub async fn stylesheet() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        PRINT_CSS,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caveats_are_cut_to_their_first_sentence() {
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(
            first_sentence("Outside UCAS (e.g. some routes) too. Two."),
            "Outside UCAS (e.g. some routes) too."
        );
        let long = format!("{} end. Next.", "word ".repeat(40));
        let cut = first_sentence(&long);
        assert!(
            cut.ends_with("word…") && cut.chars().count() <= CAVEAT_CHARS + 1,
            "{cut}"
        );
    }
}
