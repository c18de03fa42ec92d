//! One-page constituency briefs: a self-contained A4 HTML page per seat
//! (inline CSS, no external requests) for printing or PDF. Every figure is
//! read from the [`Atlas`] (itself read from the store) and the seat's
//! institutions from the store's `institution` table.

use crate::atlas::{is_deprivation, Atlas};
use crate::pages::{profile_row, ProfileRow};
use askama::Template;
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

#[derive(Template)]
#[template(path = "brief.html")]
struct BriefPage<'a> {
    css: &'a str,
    name: String,
    code: String,
    set: &'static str,
    set_title: &'static str,
    nation: String,
    region: String,
    built_by: String,
    neighbours: usize,
    rows: Vec<ProfileRow>,
    deprivation: Vec<ProfileRow>,
    providers: usize,
    locations: usize,
    stem_places: usize,
    names: Vec<String>,
    more_names: usize,
    unknown: Vec<Unknown>,
    no_value: Vec<String>,
    member: String,
    member_source: String,
}

/// The STEM skills indicators a brief shows, in this order (those the
/// store has): qualifications and school attainment, further and higher
/// education, STEM occupations and jobs, institutions.
pub const BRIEF_INDICATORS: [&str; 24] = [
    "level4_share",
    "no_quals_share",
    "ks2_expected_pct",
    "ks4_attainment8",
    "ks4_a_c_pct",
    "he_entry_rate_18",
    "fe_stem_achievements_per_1000",
    "fe_stem_broad_achievements_per_1000",
    "fe_achievements_per_1000",
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
    "aps_manufacturing_share",
    "hei_count",
    "he_locations",
    "he_stem_locations",
];

/// How many institution names a brief lists before "and N more".
const NAMES_SHOWN: usize = 6;

/// The brief of seat `code` in `set`, with its `institutions` (as
/// [`stemgap_store::Store::institutions`] returns them).
pub fn brief(
    atlas: &Atlas,
    set: BoundarySet,
    code: &str,
    institutions: &[Institution],
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
    let rows = stem
        .iter()
        .filter(|k| shown(k))
        .map(|&k| profile_row(atlas, s, i, k))
        .collect();
    let deprivation = dep
        .iter()
        .filter(|k| shown(k))
        .map(|&k| profile_row(atlas, s, i, k))
        .collect();
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
    let mut all_names: Vec<String> = institutions.iter().map(|x| x.name.clone()).collect();
    all_names.sort();
    all_names.dedup();
    let more_names = all_names.len().saturating_sub(NAMES_SHOWN);
    all_names.truncate(NAMES_SHOWN);
    let page = BriefPage {
        css: PRINT_CSS,
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
        neighbours: s.neighbours[i].len(),
        rows,
        deprivation,
        providers,
        locations,
        stem_places,
        names: all_names,
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
