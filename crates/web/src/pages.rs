//! Server-rendered pages (askama templates in `templates/`). They work
//! without JavaScript: every choice is a link or a GET form, so the URL
//! holds the whole state of a view. Every chart has a text alternative and
//! a data table.

use crate::api::{find_indicator, find_seat};
use crate::atlas::{is_deprivation, nation_slot, Atlas, NeighbourKind, SetAtlas};
use crate::error::{Audience, HttpError};
use crate::format;
use crate::svg::{self, Classes, MapSeat};
use crate::{boundaries, Shared, P, Q};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use stemgap_core::{BoundarySet, GssCode, IndicatorDef, Nation};
use stemgap_findings::Finding;

const PAGE: Audience = Audience::Page;

/// Indicators shown first and compared with the neighbours, when present.
pub const HEADLINE: [&str; 6] = [
    "level4_share",
    "stem_professionals_share",
    "stem_jobs_share",
    "he_entry_rate_18",
    "fe_stem_achievements_per_1000",
    "uk_imd_score",
];

/// The preferred deprivation measure for scatters: the composite UK index
/// (comparable across the four nations).
pub const DEPRIVATION_AXIS: &str = "uk_imd_score";

pub const STYLESHEET: &str = include_str!("../static/style.css");

pub async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        STYLESHEET,
    )
        .into_response()
}

fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => HttpError::internal(PAGE, format!("cannot render the page: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: String,
    nav: &'static str,
    status: u16,
    reason: &'a str,
    message: &'a str,
}

/// The HTML of an error page.
pub fn error_page(status: StatusCode, message: &str) -> String {
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = ErrorPage {
        title: format!("{} {reason}", status.as_u16()),
        nav: "",
        status: status.as_u16(),
        reason,
        message,
    };
    page.render().unwrap_or_else(|_| {
        format!(
            "<!doctype html><html lang=\"en-GB\"><title>{0}</title><h1>{0}</h1><p>{1}</p></html>",
            status.as_u16(),
            svg::esc(message)
        )
    })
}

/// A choice in a `<select>`.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn set_choices(set: BoundarySet) -> Vec<Choice> {
    BoundarySet::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.id().into(),
            label: s.title().into(),
            selected: s == set,
        })
        .collect()
}

fn indicator_choices(
    atlas: &Atlas,
    chosen: usize,
    only: &dyn Fn(&IndicatorDef) -> bool,
) -> Vec<Choice> {
    atlas
        .indicators
        .iter()
        .enumerate()
        .filter(|(_, d)| only(d))
        .map(|(k, d)| Choice {
            value: d.id.clone(),
            label: d.title.clone(),
            selected: k == chosen,
        })
        .collect()
}

struct LegendItem {
    colour: &'static str,
    label: String,
}

/// A choropleth of one indicator on one set, with its legend and its text
/// alternative.
struct MapView {
    svg: String,
    /// The same colours on the seats' real boundaries (indicator page), and
    /// its enlarged inset.
    boundary: Option<(String, Option<String>)>,
    legend: Vec<LegendItem>,
    summary: String,
}

fn value_text(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(String::new, |v| format::value(v, unit))
}

fn choropleth(app: &crate::App, set: BoundarySet, k: usize, with_boundary: bool) -> MapView {
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let d = &atlas.indicators[k];
    let series = &s.series[k];
    let values: Vec<f64> = (0..s.seats.len()).filter_map(|i| series.value(i)).collect();
    let classes = Classes::quintiles(&values);
    let seats: Vec<MapSeat<'_>> = s
        .seats
        .iter()
        .enumerate()
        .map(|(i, seat)| {
            let v = series.value(i);
            let fill = match (v, &classes) {
                (Some(v), Some(c)) => c.colour(c.class(v)),
                _ => svg::NO_DATA,
            };
            MapSeat {
                name: &seat.name,
                href: format!("/constituency/{}?boundaries={}", seat.code, set.id()),
                fill,
                label: v.map_or_else(|| "no data".to_owned(), |v| format::value(v, &d.unit)),
            }
        })
        .collect();
    let mut legend = Vec::new();
    if let Some(c) = &classes {
        for i in 0..c.count() {
            legend.push(LegendItem {
                colour: c.colour(i),
                label: format!(
                    "{} to {}",
                    format::value(c.breaks[i], &d.unit),
                    format::value(c.breaks[i + 1], &d.unit)
                ),
            });
        }
    }
    let missing = s.seats.len() - values.len();
    if missing > 0 {
        legend.push(LegendItem {
            colour: svg::NO_DATA,
            label: format!("no data ({missing} seats)"),
        });
    }
    let extreme = |best: bool| {
        (0..s.seats.len())
            .filter_map(|i| series.value(i).map(|v| (v, i)))
            .reduce(|a, b| {
                if (b.0 > a.0) == best && b.0 != a.0 {
                    b
                } else {
                    a
                }
            })
    };
    // What the values are, then how a map shows them (hexes or seats).
    let facts = match (extreme(true), extreme(false)) {
        (Some((hv, hi)), Some((lv, li))) => Some(format!(
            "{} of {} seats have a value. Highest: {} ({}). Lowest: {} ({}).",
            values.len(),
            s.seats.len(),
            s.seats[hi].name,
            format::value(hv, &d.unit),
            s.seats[li].name,
            format::value(lv, &d.unit),
        )),
        _ => None,
    };
    let describe = |shapes: &str| {
        match &facts {
        Some(facts) => format!(
            "{facts} {} are coloured by fifths of the seats' values, from dark purple (lowest fifth) to yellow (highest fifth); grey {shapes} have no data.",
            capitalised(shapes)
        ),
        None => format!("No seat of the {} boundaries has a value for this indicator.", set.id()),
    }
    };
    let summary = describe("hexes");
    let svg = svg::hex_map(
        app.hex(set),
        &seats,
        &format!("Hex map: {} ({} boundaries)", d.title, set.id()),
        &summary,
    );
    let boundary = s.outlines.as_ref().filter(|_| with_boundary).map(|o| {
        svg::boundary_map(
            o,
            &seats,
            &format!("Boundary map: {} ({} boundaries)", d.title, set.id()),
            &describe("seats"),
        )
    });
    MapView {
        svg,
        boundary,
        legend,
        summary,
    }
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A seat in a table.
struct SeatRow {
    href: String,
    name: String,
    code: String,
    nation: String,
    region: String,
    value: String,
    interval: String,
    rank: String,
}

fn seat_rows(atlas: &Atlas, s: &SetAtlas, k: usize, order: &[usize]) -> Vec<SeatRow> {
    let d = &atlas.indicators[k];
    let series = &s.series[k];
    order
        .iter()
        .map(|&i| {
            let seat = &s.seats[i];
            let o = series.latest(i);
            SeatRow {
                href: format!("/constituency/{}?boundaries={}", seat.code, s.set.id()),
                name: seat.name.clone(),
                code: seat.code.to_string(),
                nation: seat.nation.map_or("", |n| n.name()).into(),
                region: seat
                    .region
                    .as_deref()
                    .and_then(|r| atlas.region_name(r))
                    .unwrap_or("")
                    .into(),
                value: match o {
                    Some(o) => match (o.value, o.flag) {
                        (Some(v), _) => format::value(v, &d.unit),
                        (None, Some(f)) => format!("missing ({f})"),
                        (None, None) => String::new(),
                    },
                    None => "no figure".into(),
                },
                interval: o
                    .map_or_else(String::new, |o| format::interval(o.lower, o.upper, &d.unit)),
                rank: match (series.rank[i], seat.nation) {
                    (Some(r), Some(n)) => format!("{r} of {}", series.nation_count[nation_slot(n)]),
                    _ => String::new(),
                },
            }
        })
        .collect()
}

struct FindingSummary {
    id: String,
    title: String,
    statement: String,
}

// ---------------------------------------------------------------- home

#[derive(Deserialize)]
pub struct MapQuery {
    indicator: Option<String>,
    boundaries: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    title: String,
    nav: &'static str,
    set: &'static str,
    indicator_id: String,
    indicator_title: String,
    unit_words: String,
    definition: String,
    indicators: Vec<Choice>,
    sets: Vec<Choice>,
    map: MapView,
    rows: Vec<SeatRow>,
    findings: Vec<FindingSummary>,
    seats: usize,
}

/// The indicator a page shows: `?indicator=`, else the first headline
/// indicator the store has, else the first.
fn chosen_indicator(atlas: &Atlas, id: Option<&str>) -> Result<usize, HttpError> {
    match id {
        Some(id) => atlas.indicator(id).map(|(k, _)| k).ok_or_else(|| {
            HttpError::bad_request(
                PAGE,
                format!("There is no indicator {id:?}; the list is on /indicators."),
            )
        }),
        None => HEADLINE
            .iter()
            .find_map(|id| atlas.indicator(id).map(|(k, _)| k))
            .or((!atlas.indicators.is_empty()).then_some(0))
            .ok_or_else(|| HttpError::internal(PAGE, "The store has no indicators.")),
    }
}

pub async fn home(State(app): State<Shared>, Q(q): Q<MapQuery>) -> Result<Response, HttpError> {
    let atlas = &app.atlas;
    let set = boundaries(q.boundaries.as_deref(), PAGE)?.unwrap_or(BoundarySet::Pcon2024);
    let k = chosen_indicator(atlas, q.indicator.as_deref())?;
    let d = &atlas.indicators[k];
    let s = atlas.set(set);
    let mut order: Vec<usize> = (0..s.seats.len()).collect();
    order.sort_by(|&a, &b| s.seats[a].name.cmp(&s.seats[b].name));
    let page = HomePage {
        title: format!("{} by constituency", d.title),
        nav: "home",
        set: set.id(),
        indicator_id: d.id.clone(),
        indicator_title: d.title.clone(),
        unit_words: format::unit_words(&d.unit).into(),
        definition: d.definition.clone(),
        indicators: indicator_choices(atlas, k, &|_| true),
        sets: set_choices(set),
        map: choropleth(&app, set, k, false),
        rows: seat_rows(atlas, s, k, &order),
        findings: atlas
            .findings
            .findings
            .iter()
            .map(|f| FindingSummary {
                id: f.id.clone(),
                title: f.title.clone(),
                statement: f.statement.clone(),
            })
            .collect(),
        seats: s.seats.len(),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- profile

#[derive(Deserialize)]
pub struct SetQuery {
    boundaries: Option<String>,
}

pub(crate) struct ProfileRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) href: String,
    pub(crate) value: String,
    pub(crate) interval: String,
    pub(crate) rank: String,
    pub(crate) nation_mean: String,
    pub(crate) region_mean: String,
    pub(crate) neighbour_mean: String,
    pub(crate) period: String,
    pub(crate) method: String,
    pub(crate) source_id: String,
    pub(crate) source_title: String,
    /// The source's number in the profile's list of sources (0: none).
    pub(crate) source_n: usize,
    pub(crate) caveats: String,
    pub(crate) history: String,
    pub(crate) csv: String,
}

struct NeighbourRow {
    href: String,
    name: String,
    relation: String,
    values: Vec<String>,
}

struct OverlapRow {
    href: String,
    name: String,
    share: String,
}

#[derive(Template)]
#[template(path = "constituency.html")]
struct ProfilePage {
    title: String,
    nav: &'static str,
    name: String,
    code: String,
    set: &'static str,
    set_title: &'static str,
    nation: String,
    region: String,
    locator: String,
    deprivation: Vec<ProfileRow>,
    headline_titles: Vec<String>,
    own_values: Vec<String>,
    neighbours: Vec<NeighbourRow>,
    other_set: &'static str,
    overlaps: Vec<OverlapRow>,
    covered: usize,
    indicators: usize,
    /// The MP elected in July 2024 (or why there is none), and the source.
    member: String,
    member_source: String,
    trends: Vec<crate::trend::TrendView>,
    /// Every indicator by theme, with its spine chart.
    spine: Vec<crate::benchmark::SpineGroup>,
    /// The sources of the table's figures: (id, title), numbered from 1.
    sources: Vec<(String, String)>,
    spine_legend: Vec<(String, &'static str)>,
    similar: crate::similar::SimilarView,
}

fn mean_text(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format::mean(v, unit))
}

pub(crate) fn profile_row(atlas: &Atlas, s: &SetAtlas, i: usize, k: usize) -> ProfileRow {
    let d = &atlas.indicators[k];
    let series = &s.series[k];
    let seat = &s.seats[i];
    let o = series.latest(i);
    let slot = seat.nation.map(nation_slot);
    let history = if series.obs[i].len() > 1 {
        series.obs[i]
            .iter()
            .map(|o| {
                format!(
                    "{}: {}",
                    o.period,
                    o.value
                        .map_or_else(|| "missing".to_owned(), |v| format::value(v, &d.unit))
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        String::new()
    };
    ProfileRow {
        id: d.id.clone(),
        title: d.title.clone(),
        href: format!("/indicator/{}?boundaries={}", d.id, s.set.id()),
        value: match o.and_then(|o| o.value) {
            Some(v) => format::value(v, &d.unit),
            None => crate::why::no_data(atlas, s, i, k).unwrap_or_default(),
        },
        interval: o.map_or_else(String::new, |o| format::interval(o.lower, o.upper, &d.unit)),
        rank: match (series.rank[i], slot) {
            (Some(r), Some(n)) => format!("{r} of {}", series.nation_count[n]),
            _ => "–".into(),
        },
        nation_mean: mean_text(slot.and_then(|n| series.nation_mean[n]), &d.unit),
        region_mean: mean_text(
            seat.region
                .as_ref()
                .and_then(|r| series.region_mean.get(r).copied()),
            &d.unit,
        ),
        neighbour_mean: mean_text(series.neighbour_mean[i], &d.unit),
        period: o.map_or_else(|| d.period.clone(), |o| o.period.to_string()),
        method: o.map_or(d.method.id(), |o| o.method.id()).into(),
        source_id: o.map_or_else(String::new, |o| o.source.to_string()),
        source_title: o
            .and_then(|o| atlas.source(&o.source))
            .map_or_else(String::new, |s| s.title.clone()),
        source_n: 0,
        caveats: crate::why::caveats_for(&d.caveats, s.set),
        history,
        csv: format!("/download/indicators/{}.csv", d.id),
    }
}

pub async fn constituency(
    State(app): State<Shared>,
    P(code): P,
    Q(q): Q<SetQuery>,
) -> Result<Response, HttpError> {
    let want = boundaries(q.boundaries.as_deref(), PAGE)?;
    let (set, i) = find_seat(&app, &code, want, PAGE)?;
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let seat = &s.seats[i];
    let dep: Vec<usize> = (0..atlas.indicators.len())
        .filter(|&k| is_deprivation(&atlas.indicators[k].id))
        .collect();
    let headline: Vec<usize> = HEADLINE
        .iter()
        .filter_map(|id| atlas.indicator(id).map(|(k, _)| k))
        .collect();
    let cell = |k: usize, j: usize| {
        s.series[k].value(j).map_or_else(
            || "–".to_owned(),
            |v| format::value(v, &atlas.indicators[k].unit),
        )
    };
    let neighbours: Vec<NeighbourRow> = s.neighbours[i]
        .iter()
        .map(|n| {
            let other = &s.seats[n.seat];
            NeighbourRow {
                href: format!("/constituency/{}?boundaries={}", other.code, set.id()),
                name: other.name.clone(),
                relation: match n.kind {
                    NeighbourKind::Border => format!("shared border {:.1} km", n.metres / 1000.0),
                    NeighbourKind::Nearest => {
                        format!("nearest seat (no land border), {:.0} km", n.metres / 1000.0)
                    }
                },
                values: headline.iter().map(|&k| cell(k, n.seat)).collect(),
            }
        })
        .collect();
    let other = match set {
        BoundarySet::Pcon2010 => BoundarySet::Pcon2024,
        BoundarySet::Pcon2024 => BoundarySet::Pcon2010,
    };
    let os = atlas.set(other);
    let overlaps = s.overlaps[i]
        .iter()
        .map(|&(j, w)| OverlapRow {
            href: format!(
                "/constituency/{}?boundaries={}",
                os.seats[j].code,
                other.id()
            ),
            name: os.seats[j].name.clone(),
            share: format!("{:.0}%", w * 100.0),
        })
        .collect();
    // Every indicator by theme; each row's source is a number in the list
    // of the page's sources below the table (a source's long title in
    // every row was a tenth of the page).
    let mut spine = crate::benchmark::groups(atlas, s, i);
    let mut sources: Vec<(String, String)> = Vec::new();
    for r in spine.iter_mut().flat_map(|g| g.rows.iter_mut()) {
        let r = &mut r.row;
        if r.source_id.is_empty() {
            continue;
        }
        r.source_n = match sources.iter().position(|(id, _)| *id == r.source_id) {
            Some(n) => n + 1,
            None => {
                sources.push((r.source_id.clone(), r.source_title.clone()));
                sources.len()
            }
        };
    }
    let page = ProfilePage {
        title: format!("{} ({})", seat.name, set.id()),
        nav: "",
        name: seat.name.clone(),
        code: seat.code.to_string(),
        set: set.id(),
        set_title: set.title(),
        nation: seat.nation.map_or("", |n| n.name()).into(),
        region: seat
            .region
            .as_deref()
            .and_then(|r| atlas.region_name(r))
            .unwrap_or("")
            .into(),
        locator: svg::locator(
            app.hex(set),
            i,
            &s.neighbours[i].iter().map(|n| n.seat).collect::<Vec<_>>(),
            &seat.name,
        ),
        deprivation: dep.iter().map(|&k| profile_row(atlas, s, i, k)).collect(),
        headline_titles: headline
            .iter()
            .map(|&k| atlas.indicators[k].title.clone())
            .collect(),
        own_values: headline.iter().map(|&k| cell(k, i)).collect(),
        neighbours,
        other_set: other.id(),
        overlaps,
        covered: s.series.iter().filter(|x| x.value(i).is_some()).count(),
        trends: crate::trend::trends(atlas, s, i),
        spine,
        sources,
        spine_legend: crate::benchmark::legend(),
        similar: crate::similar::view(&app, set, i),
        indicators: atlas.indicators.len(),
        member: crate::explore::member_text(atlas, set, i),
        member_source: crate::explore::member_source(atlas),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- indicators

struct CatalogueRow {
    href: String,
    title: String,
    id: String,
    theme: &'static str,
    unit: String,
    period: String,
    method: String,
    nations: String,
    coverage_2010: usize,
    coverage_2024: usize,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    title: String,
    nav: &'static str,
    rows: Vec<CatalogueRow>,
}

pub async fn indicators(State(app): State<Shared>) -> Response {
    let atlas = &app.atlas;
    let rows = atlas
        .indicators
        .iter()
        .enumerate()
        .map(|(k, d)| CatalogueRow {
            href: format!("/indicator/{}", d.id),
            title: d.title.clone(),
            id: d.id.clone(),
            theme: crate::benchmark::THEMES[crate::benchmark::theme(&d.id)],
            unit: format::unit_words(&d.unit).into(),
            period: d.period.clone(),
            method: d.method.id().into(),
            nations: format::nation_list(&d.nations),
            coverage_2010: atlas.sets[0].series[k].coverage,
            coverage_2024: atlas.sets[1].series[k].coverage,
        })
        .collect();
    render(&IndicatorsPage {
        title: "Indicators".into(),
        nav: "indicators",
        rows,
    })
}

#[derive(Deserialize)]
pub struct IndicatorQuery {
    boundaries: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    x: Option<String>,
}

struct SortLink {
    label: &'static str,
    href: String,
    aria_sort: &'static str,
}

struct BinRow {
    from: String,
    to: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    title: String,
    nav: &'static str,
    id: String,
    theme: &'static str,
    definition: String,
    unit_words: String,
    direction: String,
    period: String,
    method: String,
    nations: String,
    caveats: String,
    sources: Vec<(String, String)>,
    set: &'static str,
    sets: Vec<Choice>,
    xs: Vec<Choice>,
    x_title: String,
    sort: String,
    order: String,
    map: MapView,
    histogram: String,
    bins: Vec<BinRow>,
    scatter: String,
    scatter_text: String,
    fit_rows: Vec<(String, String)>,
    columns: Vec<SortLink>,
    rows: Vec<SeatRow>,
    x_values: Vec<String>,
    trend: Option<crate::trend::AreaTrend>,
}

pub async fn indicator(
    State(app): State<Shared>,
    P(id): P,
    Q(q): Q<IndicatorQuery>,
) -> Result<Response, HttpError> {
    let atlas = &app.atlas;
    let k = find_indicator(&app, &id, PAGE)?;
    let set = boundaries(q.boundaries.as_deref(), PAGE)?.unwrap_or(BoundarySet::Pcon2024);
    let sort = q.sort.as_deref().unwrap_or("name");
    const SORTS: [(&str, &str); 5] = [
        ("name", "Constituency"),
        ("nation", "Nation"),
        ("region", "Region"),
        ("value", "Value"),
        ("rank", "Rank in nation"),
    ];
    if !SORTS.iter().any(|(key, _)| *key == sort) {
        return Err(HttpError::bad_request(
            PAGE,
            format!("sort must be one of name, nation, region, value or rank, not {sort:?}"),
        ));
    }
    let order = q.order.as_deref().unwrap_or("asc");
    let descending = match order {
        "asc" => false,
        "desc" => true,
        other => {
            return Err(HttpError::bad_request(
                PAGE,
                format!("order must be asc or desc, not {other:?}"),
            ))
        }
    };
    let x = match q.x.as_deref() {
        Some(xid) => match atlas.indicator(xid) {
            Some((xk, d)) if is_deprivation(&d.id) => xk,
            _ => {
                return Err(HttpError::bad_request(
                    PAGE,
                    format!(
                        "x must be a deprivation indicator (one of {}), not {xid:?}",
                        atlas
                            .deprivation_indicators()
                            .iter()
                            .map(|d| d.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        },
        None => atlas
            .indicator(DEPRIVATION_AXIS)
            .map(|(xk, _)| xk)
            .or_else(|| {
                atlas
                    .deprivation_indicators()
                    .first()
                    .and_then(|d| atlas.indicator(&d.id))
                    .map(|(xk, _)| xk)
            })
            .unwrap_or(k),
    };
    let d = &atlas.indicators[k];
    let xd = &atlas.indicators[x];
    let s = atlas.set(set);
    let series = &s.series[k];
    let xseries = &s.series[x];

    // Table order: missing values last whichever way.
    let mut order_ix: Vec<usize> = (0..s.seats.len()).collect();
    let name = |i: usize| s.seats[i].name.as_str();
    let region = |i: usize| {
        s.seats[i]
            .region
            .as_deref()
            .and_then(|r| atlas.region_name(r))
            .unwrap_or("")
    };
    let nation = |i: usize| s.seats[i].nation.map_or("", |n| n.name());
    order_ix.sort_by(|&a, &b| {
        use std::cmp::Ordering;
        let by_value = |va: Option<f64>, vb: Option<f64>| match (va, vb) {
            (Some(x), Some(y)) => {
                let o = x.total_cmp(&y);
                if descending {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let text = |x: &str, y: &str| if descending { y.cmp(x) } else { x.cmp(y) };
        let primary = match sort {
            "nation" => text(nation(a), nation(b)),
            "region" => text(region(a), region(b)),
            "value" => by_value(series.value(a), series.value(b)),
            "rank" => by_value(
                series.rank[a].map(|r| r as f64),
                series.rank[b].map(|r| r as f64),
            ),
            _ => text(name(a), name(b)),
        };
        primary.then_with(|| name(a).cmp(name(b)))
    });
    let columns = SORTS
        .iter()
        .map(|(key, label)| {
            let active = *key == sort;
            let next = if active && !descending { "desc" } else { "asc" };
            SortLink {
                label,
                href: format!(
                    "/indicator/{}?boundaries={}&x={}&sort={key}&order={next}#table",
                    d.id,
                    set.id(),
                    xd.id
                ),
                aria_sort: match (active, descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
            }
        })
        .collect();

    let values: Vec<f64> = (0..s.seats.len()).filter_map(|i| series.value(i)).collect();
    let unit = d.unit.clone();
    let fmt_y = move |v: f64| format::short(v, &unit);
    let (histogram, bins) = svg::histogram(
        &values,
        20,
        &fmt_y,
        &format!(
            "Distribution of {} across seats ({} boundaries)",
            d.title,
            set.id()
        ),
    );
    let bins = bins
        .into_iter()
        .map(|(a, b, c)| BinRow {
            from: fmt_y(a),
            to: fmt_y(b),
            count: c,
        })
        .collect();

    let points: Vec<(f64, f64)> = (0..s.seats.len())
        .filter_map(|i| Some((xseries.value(i)?, series.value(i)?)))
        .collect();
    let (xs, ys): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
    let fit = if x != k {
        svg::fit(&xs, &ys, 0.95)
    } else {
        None
    };
    let xunit = xd.unit.clone();
    let fmt_x = move |v: f64| format::short(v, &xunit);
    // Fractions read as percentage points; other units as they are.
    let (scale, per) = if format::is_fraction(&d.unit) {
        (100.0, " percentage points")
    } else {
        (1.0, "")
    };
    let scatter_text = match &fit {
        Some(f) => format!(
            "{} seats with both figures. Fitted line: {} changes by {}{per} for each unit of {} (95% CI {} to {}); the shaded band is the 95% confidence interval of the fitted mean. Seats in different nations are pooled.",
            f.n,
            d.title,
            format::sig(f.slope * scale, 3),
            xd.title,
            format::sig(f.slope_ci.0 * scale, 3),
            format::sig(f.slope_ci.1 * scale, 3),
        ),
        None if x == k => "This is the deprivation measure itself: no scatter is drawn against it.".into(),
        None => format!("{} seats have both figures: too few, or too little variation, to fit a line.", points.len()),
    };
    let scatter = if x != k {
        svg::scatter(&svg::Scatter {
            points: &points,
            fit: fit.as_ref(),
            x_label: &xd.title,
            y_label: &d.title,
            fmt_x: &fmt_x,
            fmt_y: &fmt_y,
            title: &format!("{} against {}", d.title, xd.title),
            desc: &scatter_text,
        })
    } else {
        String::new()
    };
    let fit_rows = match &fit {
        Some(f) => vec![
            ("Seats".into(), f.n.to_string()),
            ("Intercept".into(), format::sig(f.intercept, 4)),
            ("Slope".into(), format::sig(f.slope, 4)),
            (
                format!("Slope, {:.0}% confidence interval", f.level * 100.0),
                format!(
                    "{} to {}",
                    format::sig(f.slope_ci.0, 4),
                    format::sig(f.slope_ci.1, 4)
                ),
            ),
            ("Method".into(), f.method.into()),
        ],
        None => Vec::new(),
    };
    let x_values = order_ix
        .iter()
        .map(|&i| value_text(xseries.value(i), &xd.unit))
        .collect();
    let page = IndicatorPage {
        title: d.title.clone(),
        nav: "indicators",
        id: d.id.clone(),
        theme: crate::benchmark::THEMES[crate::benchmark::theme(&d.id)],
        definition: d.definition.clone(),
        unit_words: format::unit_words(&d.unit).into(),
        direction: d.direction.id().replace('_', " "),
        period: d.period.clone(),
        method: d.method.id().into(),
        nations: format::nation_list(&d.nations),
        caveats: crate::why::caveats_for(&d.caveats, set),
        sources: d
            .sources
            .iter()
            .map(|id| {
                (
                    id.clone(),
                    atlas
                        .source(id)
                        .map_or_else(|| id.clone(), |s| s.title.clone()),
                )
            })
            .collect(),
        set: set.id(),
        sets: set_choices(set),
        xs: indicator_choices(atlas, x, &|d| is_deprivation(&d.id)),
        x_title: xd.title.clone(),
        sort: sort.into(),
        order: order.into(),
        map: choropleth(&app, set, k, true),
        histogram,
        bins,
        scatter,
        scatter_text,
        fit_rows,
        columns,
        rows: seat_rows(atlas, s, k, &order_ix),
        x_values,
        trend: crate::trend::area_trend(atlas, s, k),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- findings

pub(crate) struct PartRow {
    pub(crate) id: String,
    pub(crate) statement: String,
    pub(crate) estimate: String,
    pub(crate) interval: String,
    pub(crate) n: usize,
}

/// A finding's line of the reproduction ledger.
pub(crate) struct LedgerView {
    pub(crate) claim: String,
    pub(crate) report_value: String,
    pub(crate) comparable: String,
    pub(crate) verdict: &'static str,
    /// CSS class of the verdict (`reproduced`, `partly`, `not`, `contradicted`, `untested`).
    pub(crate) class: &'static str,
    pub(crate) rule: String,
}

pub(crate) struct FindingView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) statement: String,
    pub(crate) ledger: Option<LedgerView>,
    pub(crate) inference: String,
    pub(crate) clusters: String,
    pub(crate) bounds: String,
    pub(crate) estimate: String,
    pub(crate) interval: String,
    pub(crate) unit: String,
    pub(crate) n: usize,
    pub(crate) method: String,
    pub(crate) p_value: String,
    pub(crate) seed: String,
    pub(crate) indicators: String,
    pub(crate) boundaries: String,
    pub(crate) nations: String,
    pub(crate) excluded: Vec<String>,
    pub(crate) charts: Vec<Chart>,
    pub(crate) parts: Vec<PartRow>,
}

pub(crate) struct Chart {
    pub(crate) svg: String,
    pub(crate) text: String,
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    title: String,
    nav: &'static str,
    citation: &'static str,
    findings: Vec<FindingView>,
}

fn ledger_view(l: &stemgap_findings::Ledger) -> LedgerView {
    use stemgap_findings::Verdict as V;
    LedgerView {
        claim: l.claim.clone(),
        report_value: l
            .report_value
            .map_or_else(|| "no figure".to_owned(), |v| format::sig(v, 3)),
        comparable: l.comparable.clone(),
        verdict: l.verdict.label(),
        class: match l.verdict {
            V::Reproduced => "reproduced",
            V::PartlyReproduced => "partly",
            V::NotReproduced => "not",
            V::Contradicted => "contradicted",
            V::CannotBeTested | V::BeyondTheReport => "untested",
        },
        rule: l.rule.clone(),
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format::sig(v, 3))
}

fn ci_text(f: &Finding) -> String {
    match (f.ci_low, f.ci_high) {
        (Some(l), Some(h)) => format!(
            "{:.0}% CI {} to {}",
            f.level * 100.0,
            format::sig(l, 3),
            format::sig(h, 3)
        ),
        _ => String::new(),
    }
}

/// The reference value of a unit: 1 for a ratio, 0 for a difference,
/// change, slope or correlation.
fn reference(unit: &str) -> Option<f64> {
    let u = unit.to_lowercase();
    if u.contains("ratio") {
        Some(1.0)
    } else if u.contains("difference") || u.contains("change") || u.contains("slope") {
        Some(0.0)
    } else {
        None
    }
}

/// At most this many rows in one panel of a finding's interval chart.
const CHART_ROWS: usize = 30;

pub(crate) fn finding_view(atlas: &Atlas, f: &Finding) -> FindingView {
    // One chart per unit among the finding and all its parts that have an
    // interval, in order of first appearance; every estimate shown, in
    // panels of at most CHART_ROWS rows (small multiples), labelled with
    // indicator titles rather than ids.
    let all = f.walk();
    let mut units: Vec<&str> = Vec::new();
    for p in &all {
        if p.estimate.is_some()
            && p.ci_low.is_some()
            && p.ci_high.is_some()
            && !units.contains(&p.unit.as_str())
        {
            units.push(&p.unit);
        }
    }
    let mut charts = Vec::new();
    for unit in &units {
        let parts: Vec<&&Finding> = all
            .iter()
            .filter(|p| {
                p.unit == *unit && p.estimate.is_some() && p.ci_low.is_some() && p.ci_high.is_some()
            })
            .collect();
        let labels: Vec<String> = parts
            .iter()
            .map(|p| crate::report::part_label(atlas, &p.id, false))
            .collect();
        let rows: Vec<svg::CiRow<'_>> = parts
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
        let total = rows.len();
        let panels = total.div_ceil(CHART_ROWS);
        for (k, chunk) in rows
            .chunks(total.div_ceil(panels.max(1)).max(1))
            .enumerate()
        {
            let panel = if panels > 1 {
                format!(" (panel {} of {panels})", k + 1)
            } else {
                String::new()
            };
            let svg = svg::ci_chart(
                chunk,
                reference(unit),
                unit,
                &format!(
                    "{}: estimates in {unit} with {:.0}% confidence intervals{panel}",
                    f.id,
                    f.level * 100.0
                ),
            );
            let text = format!(
                "Chart{panel} of {} of the {total} estimate{} in {unit} with their {:.0}% confidence intervals (dots and whiskers){}; the numbers are in the table below.",
                chunk.len(),
                if total == 1 { "" } else { "s" },
                f.level * 100.0,
                match reference(unit) {
                    Some(r) => format!(", and a dashed line at {r} (no difference)"),
                    None => String::new(),
                }
            );
            charts.push(Chart { svg, text });
        }
    }
    FindingView {
        id: f.id.clone(),
        title: f.title.clone(),
        statement: f.statement.clone(),
        ledger: f.report.as_ref().map(ledger_view),
        inference: f.inference.clone(),
        clusters: f.clusters.map_or_else(String::new, |g| g.to_string()),
        bounds: match (f.bound_low, f.bound_high) {
            (Some(lo), Some(hi)) => format!("{} to {}", format::sig(lo, 3), format::sig(hi, 3)),
            _ => String::new(),
        },
        estimate: num(f.estimate),
        interval: ci_text(f),
        unit: f.unit.clone(),
        n: f.n,
        method: f.method.clone(),
        p_value: f.p_value.map_or_else(String::new, |p| {
            if p < 1e-4 {
                "< 0.0001".into()
            } else {
                format!("{p:.4}")
            }
        }),
        seed: match (f.seed, f.replicates) {
            (Some(s), Some(r)) => format!("seed {s}, {r} replicates"),
            (Some(s), None) => format!("seed {s}"),
            _ => String::new(),
        },
        indicators: f.indicators.join(", "),
        boundaries: f.boundaries.join(", "),
        nations: f.nations.join(", "),
        excluded: f
            .excluded
            .iter()
            .map(|x| format!("{} seats: {}", x.count, x.reason))
            .collect(),
        charts,
        parts: all
            .iter()
            .map(|p| PartRow {
                id: p.id.clone(),
                statement: p.statement.clone(),
                estimate: num(p.estimate),
                interval: ci_text(p),
                n: p.n,
            })
            .collect(),
    }
}

pub async fn findings(State(app): State<Shared>) -> Response {
    render(&FindingsPage {
        title: "Findings".into(),
        nav: "findings",
        citation: stemgap_findings::REPORT_CITATION,
        findings: app
            .atlas
            .findings
            .findings
            .iter()
            .map(|f| finding_view(&app.atlas, f))
            .collect(),
    })
}

// ---------------------------------------------------------------- gaps

pub(crate) struct GapCell {
    pub(crate) class: &'static str,
    pub(crate) grade: &'static str,
    pub(crate) status: String,
    pub(crate) reason: String,
}

pub(crate) struct GapLine {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) id: String,
    pub(crate) cells: Vec<GapCell>,
}

#[derive(Template)]
#[template(path = "gaps.html")]
struct GapsPage {
    title: String,
    nav: &'static str,
    nations: Vec<&'static str>,
    lines: Vec<GapLine>,
    statement: String,
}

/// The register as one line per indicator with a cell per nation.
pub(crate) fn gap_lines(atlas: &Atlas) -> Vec<GapLine> {
    use stemgap_findings::Comparability as C;
    let mut lines: Vec<GapLine> = Vec::new();
    for g in &atlas.findings.gaps {
        if lines.last().is_none_or(|l| l.id != g.indicator) {
            lines.push(GapLine {
                href: format!("/indicator/{}", g.indicator),
                title: g.title.clone(),
                id: g.indicator.clone(),
                cells: Nation::ALL
                    .iter()
                    .map(|_| GapCell {
                        class: "gap-missing",
                        grade: "missing",
                        status: "no row".into(),
                        reason: String::new(),
                    })
                    .collect(),
            });
        }
        let Ok(n) = Nation::from_id(&g.nation) else {
            continue;
        };
        let (class, grade) = match g.comparability {
            C::SameDefinition => ("gap-same", "same definition"),
            C::Harmonisable => ("gap-harmonisable", "harmonisable"),
            C::NotComparable => ("gap-not-comparable", "not comparable"),
            C::Missing => ("gap-missing", "missing"),
        };
        let cover = |status: &str, n: usize, of: usize| {
            if status == "missing" {
                "missing".to_owned()
            } else {
                format!("{status} {n}/{of}")
            }
        };
        if let Some(line) = lines.last_mut() {
            line.cells[nation_slot(n)] = GapCell {
                class,
                grade,
                status: format!(
                    "2024: {}; 2010: {}",
                    cover(&g.status_2024, g.seats_2024, g.of_2024),
                    cover(&g.status_2010, g.seats_2010, g.of_2010)
                ),
                reason: g.reason.clone(),
            };
        }
    }
    lines
}

pub async fn gaps(State(app): State<Shared>) -> Response {
    let atlas = &app.atlas;
    let lines = gap_lines(atlas);
    let statement = atlas
        .findings
        .findings
        .iter()
        .find(|f| f.id == "F6")
        .map_or_else(String::new, |f| f.statement.clone());
    render(&GapsPage {
        title: "Data gaps".into(),
        nav: "gaps",
        nations: Nation::ALL.iter().map(|n| n.name()).collect(),
        lines,
        statement,
    })
}

// ---------------------------------------------------------------- compare

#[derive(Deserialize)]
pub struct CompareQuery {
    codes: Option<String>,
    boundaries: Option<String>,
}

/// Seats on one compare page at most.
pub const COMPARE_MAX: usize = 8;

struct CompareRow {
    href: String,
    title: String,
    values: Vec<String>,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    title: String,
    nav: &'static str,
    codes: String,
    sets: Vec<Choice>,
    seats: Vec<(String, String)>,
    rows: Vec<CompareRow>,
    max: usize,
}

pub async fn compare(
    State(app): State<Shared>,
    Q(q): Q<CompareQuery>,
) -> Result<Response, HttpError> {
    let atlas = &app.atlas;
    let want = boundaries(q.boundaries.as_deref(), PAGE)?;
    let raw = q.codes.unwrap_or_default();
    // Seats by code, name or postcode, separated by commas (codes may also
    // be separated by spaces).
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<&str> = part.split_whitespace().collect();
        if words.len() > 1
            && words
                .iter()
                .all(|w| GssCode::parse(&w.to_ascii_uppercase()).is_ok())
        {
            parts.extend(words);
        } else {
            parts.push(part);
        }
    }
    if parts.len() > COMPARE_MAX {
        return Err(HttpError::bad_request(
            PAGE,
            format!(
                "Compare at most {COMPARE_MAX} constituencies at a time ({} given).",
                parts.len()
            ),
        ));
    }
    let set = want
        .or_else(|| {
            parts.first().and_then(|p| {
                GssCode::parse(&p.to_ascii_uppercase())
                    .ok()
                    .and_then(|c| atlas.home_set(c))
            })
        })
        .unwrap_or(BoundarySet::Pcon2024);
    let mut picked = Vec::new();
    for p in &parts {
        let i = crate::search::one(&app, p, Some(set), PAGE)?.1;
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    let s = atlas.set(set);
    let rows = if picked.is_empty() {
        Vec::new()
    } else {
        // The MP elected in July 2024, then every indicator.
        let mps: Vec<[String; 3]> = picked
            .iter()
            .map(|&i| crate::explore::member_cells(atlas, set, i))
            .collect();
        let mp_rows = [
            "MP elected July 2024",
            "Majority, July 2024 (votes, % of valid votes)",
            "Turnout, July 2024 (valid votes)",
        ]
        .iter()
        .enumerate()
        .map(|(r, title)| CompareRow {
            href: format!("/sources#{}", crate::explore::MEMBER_SOURCE),
            title: (*title).to_owned(),
            values: mps.iter().map(|m| m[r].clone()).collect(),
        });
        // Each seat's three most similar seats of its nation (distance).
        let similar_row = std::iter::once(CompareRow {
            href: format!(
                "/constituency/{}?boundaries={}#similar",
                s.seats[picked[0]].code,
                set.id()
            ),
            title: "Most similar seats (distance; see each seat's page)".to_owned(),
            values: picked
                .iter()
                .map(|&i| crate::similar::compare_cell(&app, set, i))
                .collect(),
        });
        mp_rows
            .chain(similar_row)
            .chain(atlas.indicators.iter().enumerate().map(|(k, d)| {
                CompareRow {
                    href: format!("/indicator/{}?boundaries={}", d.id, set.id()),
                    title: d.title.clone(),
                    values: picked
                        .iter()
                        .map(|&i| {
                            let v = value_text(s.series[k].value(i), &d.unit);
                            if v.is_empty() {
                                "–".into()
                            } else {
                                v
                            }
                        })
                        .collect(),
                }
            }))
            .collect()
    };
    let page = ComparePage {
        title: if picked.is_empty() {
            "Compare constituencies".into()
        } else {
            format!(
                "Compare {}",
                picked
                    .iter()
                    .map(|&i| s.seats[i].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        nav: "compare",
        codes: picked
            .iter()
            .map(|&i| atlas.set(set).seats[i].code.as_str())
            .collect::<Vec<_>>()
            .join(","),
        sets: set_choices(set),
        seats: picked
            .iter()
            .map(|&i| {
                (
                    format!("/constituency/{}?boundaries={}", s.seats[i].code, set.id()),
                    s.seats[i].name.clone(),
                )
            })
            .collect(),
        rows,
        max: COMPARE_MAX,
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- sources

struct SourceView {
    id: String,
    title: String,
    publisher: String,
    licence: String,
    url: String,
    period: String,
    geography: String,
    used: bool,
    notes: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    title: String,
    nav: &'static str,
    sources: Vec<SourceView>,
    built_by: String,
}

pub async fn sources(State(app): State<Shared>) -> Response {
    let atlas = &app.atlas;
    render(&SourcesPage {
        title: "Sources, licences and methods".into(),
        nav: "sources",
        sources: atlas
            .sources
            .iter()
            .map(|s| SourceView {
                id: s.id.clone(),
                title: s.title.clone(),
                publisher: s.publisher.clone(),
                licence: s.licence.clone(),
                url: s.url.clone(),
                period: s.period.clone(),
                geography: s.geography.clone(),
                used: s.used,
                notes: s.notes.clone(),
            })
            .collect(),
        built_by: atlas.built_by.clone(),
    })
}
