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
