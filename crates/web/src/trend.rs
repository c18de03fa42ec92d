//! Indicators over time in the API: `/api/v1/indicators/{id}?period=` (one
//! period's values for every seat, ranked within nations for that period)
//! and `/api/v1/constituencies/{code}/series/{id}` (every period of one
//! seat, each with its nation's and region's mean that period, and the
//! series' breaks), the profile's small trend charts (the seat, its nation
//! and its region) and the indicator page's (every nation over time, with
//! a table of nations and regions).
//!
//! **Breaks.** A period not comparable with the one before is a break:
//! declared definition changes ([`BREAKS`], e.g. GCSE regrading in 2017),
//! and, detected from the figures, a change of source or of method
//! (measured, apportioned, converted, derived) between consecutive periods.
//! Charts do not join the line across a break and draw a dashed red
//! vertical line there; the data tables and the API say what changed.

use crate::api::{find_indicator, find_seat, json};
use crate::atlas::{nation_slot, Obs, SetAtlas};
use crate::error::{Audience, HttpError};
use crate::{boundaries, wire, Shared, P, Q};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use stemgap_core::{BoundarySet, Method, Nation};

const API: Audience = Audience::Api;

/// The periods of indicator `k` on a set, in ascending order.
pub fn periods(s: &SetAtlas, k: usize) -> Vec<&str> {
    let mut v: Vec<&str> = s.series[k]
        .obs
        .iter()
        .flatten()
        .map(|o| &*o.period)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[derive(Deserialize)]
pub struct IndicatorQuery {
    boundaries: Option<String>,
    period: Option<String>,
}

/// `/api/v1/indicators/{id}`: the latest values, or `?period=`'s.
pub async fn indicator(
    State(app): State<Shared>,
    P(id): P,
    Q(q): Q<IndicatorQuery>,
) -> Result<Response, HttpError> {
    let set = boundaries(q.boundaries.as_deref(), API)?.unwrap_or(BoundarySet::Pcon2024);
    let k = find_indicator(&app, &id, API)?;
    let atlas = &app.atlas;
    let mut out = wire::IndicatorValues::of(atlas, set, k);
    let Some(period) = q.period.as_deref() else {
        return Ok(json(&out));
    };
    let s = atlas.set(set);
    let known = periods(s, k);
    if !known.contains(&period) {
        return Err(HttpError::bad_request(
            API,
            format!(
                "{id} has no period {period:?} on the {} boundaries; its periods: {}",
                set.id(),
                known.join(", ")
            ),
        ));
    }
    let series = &s.series[k];
    for (i, v) in out.values.iter_mut().enumerate() {
        let o = series.obs[i].iter().find(|o| &*o.period == period);
        v.value = o.and_then(|o| o.value);
        v.lower = o.and_then(|o| o.lower);
        v.upper = o.and_then(|o| o.upper);
        v.flag = o.and_then(|o| o.flag.map(|f| f.id()));
        v.method = o.map(|o| o.method.id());
        v.period = o.map(|o| &*o.period);
        v.source = o.map(|o| &*o.source);
    }
    // Ranks within each nation for this period (1 = highest; ties share
    // the best rank), as the latest period's are.
    let nations: Vec<Option<usize>> = s.seats.iter().map(|x| x.nation.map(nation_slot)).collect();
    let values: Vec<Option<f64>> = out.values.iter().map(|v| v.value).collect();
    for (i, v) in out.values.iter_mut().enumerate() {
        v.rank_in_nation = match (values[i], nations[i]) {
            (Some(x), Some(n)) => Some(
                1 + (0..values.len())
                    .filter(|&j| nations[j] == Some(n) && values[j].is_some_and(|y| y > x))
                    .count(),
            ),
            _ => None,
        };
    }
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    out.summary = wire::Summary::of(&present);
    Ok(json(&out))
}

#[derive(Deserialize)]
pub struct SetQuery {
    boundaries: Option<String>,
}

/// `/api/v1/constituencies/{code}/series/{id}`.
pub async fn series(
    State(app): State<Shared>,
    Path((code, id)): Path<(String, String)>,
    Q(q): Q<SetQuery>,
) -> Result<Response, HttpError> {
    let want = boundaries(q.boundaries.as_deref(), API)?;
    let (set, i) = find_seat(&app, &code, want, API)?;
    let k = find_indicator(&app, &id, API)?;
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let d = &atlas.indicators[k];
    let seat = &s.seats[i];
    let series = &s.series[k];
    let points = series.obs[i]
        .iter()
        .map(|o| {
            let peers: Vec<f64> = (0..s.seats.len())
                .filter(|&j| s.seats[j].nation == seat.nation)
                .filter_map(|j| {
                    series.obs[j]
                        .iter()
                        .find(|p| p.period == o.period)
                        .and_then(|p| p.value)
                })
                .collect();
            wire::SeriesPoint {
                period: &o.period,
                value: o.value,
                lower: o.lower,
                upper: o.upper,
                flag: o.flag.map(|f| f.id()),
                method: o.method.id(),
                source: &o.source,
                nation_mean: (!peers.is_empty())
                    .then(|| peers.iter().sum::<f64>() / peers.len() as f64),
                nation_seats: peers.len(),
                region_mean: region_mean(s, k, i, &o.period),
            }
        })
        .collect();
    Ok(json(&wire::SeatSeries {
        constituency: wire::SeatSummary::of(atlas, set, seat),
        indicator: &d.id,
        title: &d.title,
        unit: &d.unit,
        boundaries: set.id(),
        points,
        breaks: seat_breaks(&d.id, &series.obs[i])
            .into_iter()
            .map(|(period, reason)| wire::SeriesBreak { period, reason })
            .collect(),
    }))
}

// ---------------------------------------------------------------- breaks

/// Declared definition changes: (indicator id, first period on the new
/// basis, what changed). From the indicators' caveats (DfE's KS4 notes).
pub const BREAKS: [(&str, &str, &str); 4] = [
    (
        "ks4_a_c_pct",
        "2017",
        "GCSE English and maths graded 9 to 1 from 2017 (grade 4 counts as a C)",
    ),
    (
        "ks4_a_c_pct",
        "2020",
        "exams cancelled in 2020 and 2021: teacher-assessed grades",
    ),
    (
        "ks4_a_c_pct",
        "2022",
        "exams again in 2022, after two years of teacher-assessed grades",
    ),
    (
        "ks4_attainment8",
        "2022",
        "exams again in 2022 (none in 2020 and 2021; no figures for those years)",
    ),
];

/// What changed between two consecutive observations' sources and
/// methods, if anything.
fn changed(a: &[(&str, Method)], b: &[(&str, Method)]) -> Option<String> {
    fn sources<'a>(v: &[(&'a str, Method)]) -> Vec<&'a str> {
        let mut x: Vec<&str> = v.iter().map(|p| p.0).collect();
        x.sort_unstable();
        x.dedup();
        x
    }
    let methods = |v: &[(&str, Method)]| {
        let mut x: Vec<Method> = v.iter().map(|p| p.1).collect();
        x.sort_unstable();
        x.dedup();
        x
    };
    let (sa, sb) = (sources(a), sources(b));
    if sa != sb {
        return Some(format!(
            "source changed from {} to {}",
            sa.join(", "),
            sb.join(", ")
        ));
    }
    let (ma, mb) = (methods(a), methods(b));
    (ma != mb).then(|| {
        let w = |m: &[Method]| m.iter().map(|m| m.id()).collect::<Vec<_>>().join(", ");
        format!("method changed from {} to {}", w(&ma), w(&mb))
    })
}

/// The breaks of a series given, per period in ascending order, the
/// (source, method) pairs of its figures: declared ones for periods the
/// series has after its first, then detected ones.
pub fn breaks_of<'a>(
    id: &str,
    periods: &[(&'a str, Vec<(&str, Method)>)],
) -> Vec<(&'a str, String)> {
    let mut out: Vec<(&'a str, String)> = Vec::new();
    for (j, (p, kinds)) in periods.iter().enumerate().skip(1) {
        let mut why: Vec<String> = BREAKS
            .iter()
            .filter(|b| b.0 == id && b.1 == *p)
            .map(|b| b.2.to_owned())
            .collect();
        why.extend(changed(&periods[j - 1].1, kinds));
        if !why.is_empty() {
            out.push((p, why.join("; ")));
        }
    }
    out
}

/// The breaks of one seat's observations (every period, flagged ones too).
pub fn seat_breaks<'a>(id: &str, obs: &'a [Obs]) -> Vec<(&'a str, String)> {
    let periods: Vec<(&str, Vec<(&str, Method)>)> = obs
        .iter()
        .map(|o| (&*o.period, vec![(&*o.source, o.method)]))
        .collect();
    breaks_of(id, &periods)
}

// ---------------------------------------------------------------- charts

/// One line of a chart.
pub struct Line<'a> {
    pub values: Vec<Option<f64>>,
    pub stroke: &'a str,
    pub dash: Option<&'a str>,
    pub width: f64,
    pub dots: bool,
}

/// The usual lines' styles: (stroke, dash, width, class in style.css).
const STYLES: [(&str, Option<&str>, f64, &str); 3] = [
    ("#595959", Some("4 3"), 1.5, "ln"),
    ("#8c4a00", Some("1 2"), 1.5, "lr"),
    ("#0b3c5d", None, 2.0, "ls"),
];

/// A line chart over `n` periods: each line split at missing values and
/// at breaks (`breaks` are indices of the first period after one, marked
/// by a dashed red vertical line). The caller gives the title and text
/// alternative.
pub fn line_chart(
    title_id: &str,
    title: &str,
    w: f64,
    h: f64,
    n: usize,
    lines: &[Line],
    breaks: &[usize],
) -> String {
    line_chart_on(title_id, title, (w, h), n, lines, breaks, None)
}

/// [`line_chart`] on a given value range (`lo`, `hi`) rather than its own
/// lines' range: small multiples share one scale.
pub fn line_chart_on(
    title_id: &str,
    title: &str,
    (w, h): (f64, f64),
    n: usize,
    lines: &[Line],
    breaks: &[usize],
    range: Option<(f64, f64)>,
) -> String {
    let all = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten().copied());
    let (lo, hi) = range.unwrap_or_else(|| {
        all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
    });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |j: f64| {
        if n > 1 {
            PAD + (w - 2.0 * PAD) * j / (n as f64 - 1.0)
        } else {
            w / 2.0
        }
    };
    let y = |v: f64| h - PAD - (h - 2.0 * PAD) * (v - lo) / span;
    // An empty title: the chart is named by the element `title_id` names
    // outside it (the profile's figure captions, which say the same).
    // The frame is the svg's outline (style.css).
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(
            "<title id=\"{title_id}\">{}</title>",
            crate::svg::esc(title)
        )
    };
    let mut svg = format!(
        "<svg class=\"trend\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{title_id}\">{title}"
    );
    for &b in breaks {
        let bx = x(b as f64 - 0.5);
        svg.push_str(&format!(
            "<line x1=\"{bx:.1}\" x2=\"{bx:.1}\" y1=\"2\" y2=\"{:.1}\" stroke=\"#b3261e\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>",
            h - 2.0
        ));
    }
    for l in lines {
        let mut segs: Vec<Vec<String>> = vec![Vec::new()];
        for (j, v) in l.values.iter().enumerate() {
            if breaks.contains(&j) || v.is_none() {
                segs.push(Vec::new());
            }
            if let Some(v) = v {
                if let Some(seg) = segs.last_mut() {
                    // Whole units: a chart is drawn at most a few hundred
                    // pixels wide, so a unit is about a pixel.
                    seg.push(format!("{:.0},{:.0}", x(j as f64), y(*v)));
                }
            }
        }
        // The lines of the usual styles are drawn by class (style.css).
        let style = match STYLES.iter().find(|(stroke, dash, width, _)| {
            *stroke == l.stroke && *dash == l.dash && *width == l.width
        }) {
            Some((_, _, _, class)) => format!(" class=\"{class}\""),
            None => format!(
                " fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}",
                l.stroke,
                l.width,
                l.dash
                    .map_or_else(String::new, |d| format!(" stroke-dasharray=\"{d}\""))
            ),
        };
        for seg in segs.iter().filter(|s| s.len() > 1) {
            svg.push_str(&format!("<polyline points=\"{}\"{style}/>", seg.join(" ")));
        }
        if l.dots {
            // One path of zero-length round-capped strokes draws every dot
            // (a disc of radius 2 each) in a fraction of the bytes of a
            // circle per period.
            let mut d = String::new();
            for p in segs.iter().flatten() {
                let (cx, cy) = p.split_once(',').unwrap_or(("0", "0"));
                d.push_str(&format!("M{cx} {cy}h0"));
            }
            if !d.is_empty() {
                svg.push_str(&format!(
                    "<path d=\"{d}\" stroke=\"{}\" class=\"dots\"/>",
                    l.stroke
                ));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

// ---------------------------------------------------------------- the profile

/// A period of a trend chart's data table.
pub struct TrendRow {
    pub period: String,
    pub seat: String,
    pub nation: String,
    pub region: String,
    /// What changed from the period before, when this period is a break.
    pub note: String,
}

/// One small chart of the profile: the seat, its nation's mean and (in
/// England) its region's mean over every period of an indicator, with a
/// text alternative and the data.
pub struct TrendView {
    pub id: String,
    pub title: String,
    pub href: String,
    pub svg: String,
    pub alt: String,
    pub rows: Vec<TrendRow>,
    /// The region's name when a region line is drawn (England), else empty.
    pub region: String,
}

/// The mean of indicator `k` in `period` over the seats `keep` accepts.
fn mean_where(s: &SetAtlas, k: usize, period: &str, keep: impl Fn(usize) -> bool) -> Option<f64> {
    let series = &s.series[k];
    let (sum, n) = (0..s.seats.len())
        .filter(|&j| keep(j))
        .filter_map(|j| {
            series.obs[j]
                .iter()
                .find(|o| &*o.period == period)
                .and_then(|o| o.value)
        })
        .fold((0.0, 0usize), |(a, n), v| (a + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The nation mean of indicator `k` in `period` over the seats of seat
/// `i`'s nation with a figure then.
fn nation_mean(s: &SetAtlas, k: usize, i: usize, period: &str) -> Option<f64> {
    let nation = s.seats[i].nation;
    mean_where(s, k, period, |j| s.seats[j].nation == nation)
}

/// The region mean of indicator `k` in `period` over the seats of seat
/// `i`'s region (outside England, the nation) with a figure then.
fn region_mean(s: &SetAtlas, k: usize, i: usize, period: &str) -> Option<f64> {
    let region = s.seats[i].region.as_deref()?;
    mean_where(s, k, period, |j| {
        s.seats[j].region.as_deref() == Some(region)
    })
}

const W: f64 = 240.0;
const H: f64 = 90.0;
const PAD: f64 = 6.0;

/// The trend charts of seat `i`: every indicator with figures for the seat
/// in two periods or more, in catalogue order.
pub fn trends(atlas: &crate::Atlas, s: &SetAtlas, i: usize) -> Vec<TrendView> {
    use crate::format;
    let seat = &s.seats[i];
    let nation = seat.nation.map_or("its nation", |n| n.name());
    // A region line only where the region is not the nation (England).
    let region_name = seat
        .region
        .as_deref()
        .filter(|r| !r.starts_with(['W', 'S', 'N']))
        .and_then(|r| atlas.region_name(r));
    let mut out = Vec::new();
    for (k, d) in atlas.indicators.iter().enumerate() {
        let obs = &s.series[k].obs[i];
        let with: Vec<&Obs> = obs.iter().filter(|o| o.value.is_some()).collect();
        if with.len() < 2 {
            continue;
        }
        let periods: Vec<&str> = with.iter().map(|o| &*o.period).collect();
        let seat_v: Vec<Option<f64>> = with.iter().map(|o| o.value).collect();
        let nation_v: Vec<Option<f64>> = periods.iter().map(|p| nation_mean(s, k, i, p)).collect();
        let region_v: Vec<Option<f64>> = match region_name {
            Some(_) => periods.iter().map(|p| region_mean(s, k, i, p)).collect(),
            None => vec![None; periods.len()],
        };
        let owned: Vec<Obs> = with.iter().map(|o| (*o).clone()).collect();
        let brk = seat_breaks(&d.id, &owned);
        let break_at: Vec<usize> = brk
            .iter()
            .filter_map(|(p, _)| periods.iter().position(|q| q == p))
            .collect();
        let fmt = |v: f64| format::value(v, &d.unit);
        let (n0, n1) = (0, periods.len() - 1);
        let mut alt = format!(
            "{} from {} in {} to {} in {}",
            seat.name,
            fmt(seat_v[n0].unwrap_or_default()),
            periods[n0],
            fmt(seat_v[n1].unwrap_or_default()),
            periods[n1]
        );
        if let (Some(a), Some(b)) = (nation_v[n0], nation_v[n1]) {
            alt.push_str(&format!(
                "; the {nation} mean from {} to {}",
                format::mean(a, &d.unit),
                format::mean(b, &d.unit)
            ));
        }
        if let (Some(r), Some(a), Some(b)) = (region_name, region_v[n0], region_v[n1]) {
            alt.push_str(&format!(
                "; the {r} mean from {} to {}",
                format::mean(a, &d.unit),
                format::mean(b, &d.unit)
            ));
        }
        if !brk.is_empty() {
            let at: Vec<&str> = brk.iter().map(|b| b.0).collect();
            alt.push_str(&format!(
                "; series break before {} (see the table)",
                at.join(" and ")
            ));
        }
        alt.push('.');
        let lines = [
            Line {
                values: nation_v.clone(),
                stroke: "#595959",
                dash: Some("4 3"),
                width: 1.5,
                dots: false,
            },
            Line {
                values: region_v.clone(),
                stroke: "#8c4a00",
                dash: Some("1 2"),
                width: 1.5,
                dots: false,
            },
            Line {
                values: seat_v.clone(),
                stroke: "#0b3c5d",
                dash: None,
                width: 2.0,
                dots: true,
            },
        ];
        let svg = line_chart(
            &format!("trend-{}", d.id),
            "",
            W,
            H,
            periods.len(),
            &lines,
            &break_at,
        );
        let m = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |m| format::mean(m, &d.unit));
        out.push(TrendView {
            id: d.id.clone(),
            title: d.title.clone(),
            href: format!("/indicator/{}?boundaries={}", d.id, s.set.id()),
            svg,
            alt,
            rows: (0..periods.len())
                .map(|j| TrendRow {
                    period: periods[j].to_owned(),
                    seat: seat_v[j].map_or_else(|| "–".to_owned(), fmt),
                    nation: m(nation_v[j]),
                    region: m(region_v[j]),
                    note: brk
                        .iter()
                        .find(|b| b.0 == periods[j])
                        .map_or_else(String::new, |b| format!("break: {}", b.1)),
                })
                .collect(),
            region: region_name.unwrap_or_default().to_owned(),
        });
    }
    out
}

// ---------------------------------------------------------------- the indicator page

/// A period of the indicator page's trend table.
pub struct AreaRow {
    pub period: String,
    /// Nation means then region means, in the order of the headers.
    pub cells: Vec<String>,
    pub note: String,
}

/// The indicator page's chart: every nation's mean over time, and a table
/// of the nations' and regions' means.
pub struct AreaTrend {
    pub svg: String,
    pub alt: String,
    /// (name, line style in words) of the nations drawn.
    pub key: Vec<(String, &'static str)>,
    pub headers: Vec<String>,
    pub rows: Vec<AreaRow>,
    /// England's regions, one small chart each (the region against
    /// England, on one scale shared by all of them), in the order of the
    /// table's columns; empty when England has no series.
    pub regions: Vec<RegionTrend>,
}

/// One English region's small chart on the indicator page.
pub struct RegionTrend {
    pub name: String,
    pub svg: String,
    /// The chart's text alternative (also its caption).
    pub alt: String,
}

/// Nation line styles: colour, dash, and the words for them.
const NATION_STYLE: [(&str, Option<&str>, &str); 4] = [
    ("#0b3c5d", None, "solid dark blue line"),
    ("#2d6a4f", Some("6 3"), "dashed green line"),
    ("#7a1f1f", Some("2 2"), "dotted red line"),
    ("#5b2a86", Some("8 3 2 3"), "dash-dot purple line"),
];

/// The chart of indicator `k` on a set, or `None` when no nation has
/// figures in two periods or more.
pub fn area_trend(atlas: &crate::Atlas, s: &SetAtlas, k: usize) -> Option<AreaTrend> {
    use crate::format;
    use std::collections::BTreeMap;
    let d = &atlas.indicators[k];
    let periods = periods(s, k);
    if periods.len() < 2 {
        return None;
    }
    // Sum and count per (area, period); the area is a nation slot (0-3)
    // or 4 + a region's position.
    let regions: Vec<&String> = atlas
        .regions
        .keys()
        .filter(|r| r.starts_with('E'))
        .collect();
    let mut acc: BTreeMap<(usize, usize), (f64, usize)> = BTreeMap::new();
    // (source, method) pairs per nation and period, for detected breaks.
    let mut kinds: BTreeMap<(usize, usize), Vec<(&str, Method)>> = BTreeMap::new();
    for (j, seat) in s.seats.iter().enumerate() {
        let Some(n) = seat.nation.map(nation_slot) else {
            continue;
        };
        let r = seat
            .region
            .as_ref()
            .and_then(|c| regions.iter().position(|x| *x == c));
        for o in &s.series[k].obs[j] {
            let Some(p) = periods.iter().position(|p| *p == &*o.period) else {
                continue;
            };
            let kind = kinds.entry((n, p)).or_default();
            if !kind.contains(&(&*o.source, o.method)) {
                kind.push((&*o.source, o.method));
            }
            let Some(v) = o.value else { continue };
            for area in std::iter::once(n).chain(r.map(|r| 4 + r)) {
                let e = acc.entry((area, p)).or_insert((0.0, 0));
                e.0 += v;
                e.1 += 1;
            }
        }
    }
    let mean = |a: usize, p: usize| acc.get(&(a, p)).map(|(s, n)| s / *n as f64);
    let drawn: Vec<usize> = (0..4)
        .filter(|&n| (0..periods.len()).filter(|&p| mean(n, p).is_some()).count() >= 2)
        .collect();
    if drawn.is_empty() {
        return None;
    }
    // Breaks: declared, and detected within any nation drawn.
    let mut brk: Vec<(usize, String)> = Vec::new();
    for &n in &drawn {
        let per: Vec<(&str, Vec<(&str, Method)>)> = (0..periods.len())
            .filter(|&p| mean(n, p).is_some())
            .map(|p| (periods[p], kinds.get(&(n, p)).cloned().unwrap_or_default()))
            .collect();
        for (p, why) in breaks_of(&d.id, &per) {
            let at = periods.iter().position(|q| *q == p).unwrap_or(0);
            let why = if why.starts_with("source") || why.starts_with("method") {
                format!("{} ({why})", Nation::ALL[n].name())
            } else {
                why
            };
            match brk.iter_mut().find(|b| b.0 == at) {
                Some(b) if !b.1.contains(&why) => b.1 = format!("{}; {why}", b.1),
                Some(_) => {}
                None => brk.push((at, why)),
            }
        }
    }
    brk.sort_by_key(|b| b.0);
    let lines: Vec<Line> = drawn
        .iter()
        .map(|&n| Line {
            values: (0..periods.len()).map(|p| mean(n, p)).collect(),
            stroke: NATION_STYLE[n].0,
            dash: NATION_STYLE[n].1,
            width: 2.0,
            dots: true,
        })
        .collect();
    let mut alt = String::new();
    for &n in &drawn {
        let pts: Vec<(usize, f64)> = (0..periods.len())
            .filter_map(|p| mean(n, p).map(|v| (p, v)))
            .collect();
        let (a, b) = (pts[0], pts[pts.len() - 1]);
        alt.push_str(&format!(
            "{}{} mean from {} in {} to {} in {}",
            if alt.is_empty() { "" } else { "; " },
            Nation::ALL[n].name(),
            format::mean(a.1, &d.unit),
            periods[a.0],
            format::mean(b.1, &d.unit),
            periods[b.0]
        ));
    }
    if !brk.is_empty() {
        let at: Vec<&str> = brk.iter().map(|b| periods[b.0]).collect();
        alt.push_str(&format!("; series break before {}", at.join(" and ")));
    }
    alt.push('.');
    let break_at: Vec<usize> = brk.iter().map(|b| b.0).collect();
    let svg = line_chart(
        "area-trend",
        &format!("{} over time: {alt}", d.title),
        480.0,
        180.0,
        periods.len(),
        &lines,
        &break_at,
    );
    let areas: Vec<usize> = (0..4)
        .filter(|&n| (0..periods.len()).any(|p| mean(n, p).is_some()))
        .chain(
            (0..regions.len())
                .map(|r| 4 + r)
                .filter(|&a| (0..periods.len()).any(|p| mean(a, p).is_some())),
        )
        .collect();
    let headers = areas
        .iter()
        .map(|&a| {
            if a < 4 {
                Nation::ALL[a].name().to_owned()
            } else {
                atlas
                    .region_name(regions[a - 4])
                    .unwrap_or(regions[a - 4])
                    .to_owned()
            }
        })
        .collect();
    // England's regions as small multiples: each region's mean (solid, with
    // dots) against England's (dashed), on one scale.
    let england = nation_slot(Nation::England);
    let region_areas: Vec<usize> = (0..regions.len())
        .map(|r| 4 + r)
        .filter(|&a| (0..periods.len()).filter(|&p| mean(a, p).is_some()).count() >= 2)
        .collect();
    let range = region_areas
        .iter()
        .chain(std::iter::once(&england))
        .flat_map(|&a| (0..periods.len()).filter_map(move |p| mean(a, p)))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let span = |a: usize| -> Option<((usize, f64), (usize, f64))> {
        let pts: Vec<(usize, f64)> = (0..periods.len())
            .filter_map(|p| mean(a, p).map(|v| (p, v)))
            .collect();
        Some((*pts.first()?, *pts.last()?))
    };
    let region_charts: Vec<RegionTrend> = region_areas
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            let name = atlas
                .region_name(regions[a - 4])
                .unwrap_or(regions[a - 4])
                .to_owned();
            let from_to = |who: &str, series: usize| {
                span(series).map(|((p0, v0), (p1, v1))| {
                    format!(
                        "{who} mean from {} in {} to {} in {}",
                        format::mean(v0, &d.unit),
                        periods[p0],
                        format::mean(v1, &d.unit),
                        periods[p1]
                    )
                })
            };
            let mut alt = from_to(&name, a).unwrap_or_default();
            if let Some(england) = from_to("the England", england) {
                alt.push_str(&format!("; {england}"));
            }
            alt.push('.');
            let lines = [
                Line {
                    values: (0..periods.len()).map(|p| mean(england, p)).collect(),
                    stroke: "#595959",
                    dash: Some("4 3"),
                    width: 1.5,
                    dots: false,
                },
                Line {
                    values: (0..periods.len()).map(|p| mean(a, p)).collect(),
                    stroke: NATION_STYLE[england].0,
                    dash: None,
                    width: 2.0,
                    dots: true,
                },
            ];
            let svg = line_chart_on(
                &format!("area-trend-r{i}"),
                &format!("{} over time, {alt}", d.title),
                (240.0, 90.0),
                periods.len(),
                &lines,
                &break_at,
                Some(range),
            );
            RegionTrend { name, svg, alt }
        })
        .collect();
    Some(AreaTrend {
        regions: region_charts,
        svg,
        alt,
        key: drawn
            .iter()
            .map(|&n| (Nation::ALL[n].name().to_owned(), NATION_STYLE[n].2))
            .collect(),
        headers,
        rows: (0..periods.len())
            .map(|p| AreaRow {
                period: periods[p].to_owned(),
                cells: areas
                    .iter()
                    .map(|&a| mean(a, p).map_or_else(|| "–".into(), |v| format::mean(v, &d.unit)))
                    .collect(),
                note: brk
                    .iter()
                    .find(|b| b.0 == p)
                    .map_or_else(String::new, |b| format!("break: {}", b.1)),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_declared_and_detected() {
        let m = Method::Measured;
        let per = vec![
            ("2016", vec![("a", m)]),
            ("2017", vec![("a", m)]),
            ("2018", vec![("a", m)]),
            ("2019", vec![("b", m)]),
            ("2020", vec![("b", Method::Converted)]),
        ];
        let b = breaks_of("ks4_a_c_pct", &per);
        assert_eq!(b.len(), 3, "{b:?}");
        assert_eq!(b[0].0, "2017");
        assert!(b[0].1.contains("9 to 1"));
        assert_eq!(b[1], ("2019", "source changed from a to b".to_owned()));
        assert_eq!(b[2].0, "2020");
        assert!(
            b[2].1.contains("teacher-assessed")
                && b[2].1.contains("method changed from measured to converted")
        );
        // Another indicator: only the detected ones; a declared break at
        // the first period is no break.
        assert_eq!(breaks_of("other", &per).len(), 2);
        assert!(breaks_of("ks4_a_c_pct", &per[1..2]).is_empty());
    }

    #[test]
    fn lines_are_not_joined_across_breaks_or_gaps() {
        let l = Line {
            values: vec![Some(1.0), Some(2.0), Some(3.0), None, Some(5.0), Some(6.0)],
            stroke: "#000",
            dash: None,
            width: 1.0,
            dots: false,
        };
        // Breaks before index 2: segments [0,1], [2], [4,5]: two polylines.
        let svg = line_chart("t", "t", 100.0, 50.0, 6, &[l], &[2]);
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("stroke=\"#b3261e\"").count(), 1);
        assert!(svg.contains("<title id=\"t\">t</title>"));
    }
}
