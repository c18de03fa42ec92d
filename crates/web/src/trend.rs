//! Indicators over time in the API: `/api/v1/indicators/{id}?period=` (one
//! period's values for every seat, ranked within nations for that period)
//! and `/api/v1/constituencies/{code}/series/{id}` (every period of one
//! seat, each with its nation's mean that period).

use crate::api::{find_indicator, find_seat, json};
use crate::atlas::{nation_slot, SetAtlas};
use crate::error::{Audience, HttpError};
use crate::{boundaries, wire, Shared, P, Q};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use stemgap_core::BoundarySet;

const API: Audience = Audience::Api;

/// The periods of indicator `k` on a set, in ascending order.
pub fn periods(s: &SetAtlas, k: usize) -> Vec<&str> {
    let mut v: Vec<&str> = s.series[k]
        .obs
        .iter()
        .flatten()
        .map(|o| o.period.as_str())
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
        let o = series.obs[i].iter().find(|o| o.period == period);
        v.value = o.and_then(|o| o.value);
        v.lower = o.and_then(|o| o.lower);
        v.upper = o.and_then(|o| o.upper);
        v.flag = o.and_then(|o| o.flag.map(|f| f.id()));
        v.method = o.map(|o| o.method.id());
        v.period = o.map(|o| o.period.as_str());
        v.source = o.map(|o| o.source.as_str());
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
    }))
}

// ---------------------------------------------------------------- the profile

/// A period of a trend chart's data table.
pub struct TrendRow {
    pub period: String,
    pub seat: String,
    pub nation: String,
}

/// One small chart of the profile: the seat and its nation's mean over
/// every period of an indicator, with a text alternative and the data.
pub struct TrendView {
    pub id: String,
    pub title: String,
    pub href: String,
    pub svg: String,
    pub alt: String,
    pub rows: Vec<TrendRow>,
}

/// The nation mean of indicator `k` in `period` over the seats of seat
/// `i`'s nation with a figure then.
fn nation_mean(s: &SetAtlas, k: usize, i: usize, period: &str) -> Option<f64> {
    let series = &s.series[k];
    let nation = s.seats[i].nation;
    let peers: Vec<f64> = (0..s.seats.len())
        .filter(|&j| s.seats[j].nation == nation)
        .filter_map(|j| {
            series.obs[j]
                .iter()
                .find(|o| o.period == period)
                .and_then(|o| o.value)
        })
        .collect();
    (!peers.is_empty()).then(|| peers.iter().sum::<f64>() / peers.len() as f64)
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
    let mut out = Vec::new();
    for (k, d) in atlas.indicators.iter().enumerate() {
        let obs = &s.series[k].obs[i];
        let points: Vec<(&str, f64, Option<f64>)> = obs
            .iter()
            .filter_map(|o| {
                o.value
                    .map(|v| (o.period.as_str(), v, nation_mean(s, k, i, &o.period)))
            })
            .collect();
        if points.len() < 2 {
            continue;
        }
        let all = points.iter().flat_map(|p| std::iter::once(p.1).chain(p.2));
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let span = if hi > lo { hi - lo } else { 1.0 };
        let n = points.len() as f64;
        let x = |j: usize| PAD + (W - 2.0 * PAD) * j as f64 / (n - 1.0);
        let y = |v: f64| H - PAD - (H - 2.0 * PAD) * (v - lo) / span;
        let seat_line: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(j, p)| format!("{:.1},{:.1}", x(j), y(p.1)))
            .collect();
        let nation_line: Vec<String> = points
            .iter()
            .enumerate()
            .filter_map(|(j, p)| p.2.map(|m| format!("{:.1},{:.1}", x(j), y(m))))
            .collect();
        let (first, last) = (points[0], points[points.len() - 1]);
        let fmt = |v: f64| format::value(v, &d.unit);
        let mut alt = format!(
            "{} from {} in {} to {} in {}",
            seat.name,
            fmt(first.1),
            first.0,
            fmt(last.1),
            last.0
        );
        if let (Some(a), Some(b)) = (first.2, last.2) {
            alt.push_str(&format!(
                "; the {nation} mean from {} to {}",
                format::mean(a, &d.unit),
                format::mean(b, &d.unit)
            ));
        }
        alt.push('.');
        let title_id = format!("trend-{}", d.id);
        let mut svg = format!(
            "<svg class=\"trend\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{title_id}\"><title id=\"{title_id}\">{}: {}</title><rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#767676\"/>",
            crate::svg::esc(&d.title),
            crate::svg::esc(&alt),
            W - 1.0,
            H - 1.0
        );
        if nation_line.len() > 1 {
            svg.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#595959\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
                nation_line.join(" ")
            ));
        }
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b3c5d\" stroke-width=\"2\"/>",
            seat_line.join(" ")
        ));
        for p in &seat_line {
            let (cx, cy) = p.split_once(',').unwrap_or(("0", "0"));
            svg.push_str(&format!(
                "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"2\" fill=\"#0b3c5d\"/>"
            ));
        }
        svg.push_str("</svg>");
        out.push(TrendView {
            id: d.id.clone(),
            title: d.title.clone(),
            href: format!("/indicator/{}?boundaries={}", d.id, s.set.id()),
            svg,
            alt,
            rows: points
                .iter()
                .map(|p| TrendRow {
                    period: p.0.to_owned(),
                    seat: fmt(p.1),
                    nation: p
                        .2
                        .map_or_else(|| "–".to_owned(), |m| format::mean(m, &d.unit)),
                })
                .collect(),
        });
    }
    out
}
