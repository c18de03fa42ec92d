//! The JSON wire format of `/api/v1`: every response body is one of these
//! structs, described by `openapi.json` beside this file. No other crate
//! serialises anything for the API; the domain structs (`stemgap-core`,
//! `stemgap-findings`) are copied into these at the edge, so the API can
//! stay stable while they change.

use crate::atlas::{Atlas, NeighbourKind, Obs, Seat, SetAtlas};
use serde::Serialize;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, IndicatorDef};
use stemgap_findings::{Finding, GapRow};

#[derive(Serialize)]
pub struct RegionRef<'a> {
    pub code: &'a str,
    pub name: &'a str,
}

/// A seat in a list.
#[derive(Serialize)]
pub struct SeatSummary<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub boundaries: &'static str,
    pub nation: Option<&'static str>,
    pub region: Option<RegionRef<'a>>,
    /// This seat in the API.
    pub url: String,
    /// This seat's page.
    pub page: String,
}

impl<'a> SeatSummary<'a> {
    pub fn of(atlas: &'a Atlas, set: BoundarySet, seat: &'a Seat) -> Self {
        SeatSummary {
            code: seat.code.as_str(),
            name: &seat.name,
            boundaries: set.id(),
            nation: seat.nation.map(|n| n.name()),
            region: region_ref(atlas, seat),
            url: format!(
                "/api/v1/constituencies/{}?boundaries={}",
                seat.code,
                set.id()
            ),
            page: format!("/constituency/{}?boundaries={}", seat.code, set.id()),
        }
    }
}

fn region_ref<'a>(atlas: &'a Atlas, seat: &'a Seat) -> Option<RegionRef<'a>> {
    seat.region.as_deref().map(|code| RegionRef {
        code,
        name: atlas.region_name(code).unwrap_or(code),
    })
}

#[derive(Serialize)]
pub struct ConstituencyList<'a> {
    pub boundaries: &'static str,
    pub title: &'static str,
    pub count: usize,
    pub constituencies: Vec<SeatSummary<'a>>,
}

#[derive(Serialize)]
pub struct SourceRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub publisher: &'a str,
    pub licence: &'a str,
}

impl<'a> SourceRef<'a> {
    pub fn of(atlas: &'a Atlas, id: &'a str) -> Self {
        match atlas.source(id) {
            Some(s) => SourceRef {
                id,
                title: &s.title,
                publisher: &s.publisher,
                licence: &s.licence,
            },
            None => SourceRef {
                id,
                title: "",
                publisher: "",
                licence: "",
            },
        }
    }
}

#[derive(Serialize)]
pub struct PeriodValue<'a> {
    pub period: &'a str,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub flag: Option<&'static str>,
}

/// One indicator for one seat, with its comparisons.
#[derive(Serialize)]
pub struct SeatIndicator<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub unit: &'a str,
    pub direction: &'static str,
    /// The latest period's value; null when missing (see `flag`) or when
    /// the indicator has no figure for this seat (`period` null too).
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Why the value is missing, as the source marked it.
    pub flag: Option<&'static str>,
    pub method: Option<&'static str>,
    pub period: Option<&'a str>,
    pub source: Option<SourceRef<'a>>,
    pub caveats: &'a str,
    /// 1 = the highest value in the seat's nation; ties share a rank.
    pub rank_in_nation: Option<usize>,
    /// Seats of the nation with a value.
    pub nation_count: usize,
    /// Unweighted means of seat values.
    pub nation_mean: Option<f64>,
    pub region_mean: Option<f64>,
    pub neighbour_mean: Option<f64>,
    /// Every period held, oldest first (only when there is more than one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<PeriodValue<'a>>,
}

#[derive(Serialize)]
pub struct NeighbourOut<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// `border` (shares a land border) or `nearest` (the closest seat of a
    /// seat without a land border).
    pub relation: &'static str,
    pub shared_border_km: Option<f64>,
    pub distance_km: Option<f64>,
}

#[derive(Serialize)]
pub struct Hex {
    pub q: i32,
    pub r: i32,
}

#[derive(Serialize)]
pub struct Constituency<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub boundaries: &'static str,
    pub nation: Option<&'static str>,
    pub region: Option<RegionRef<'a>>,
    pub hex: Option<Hex>,
    pub neighbours: Vec<NeighbourOut<'a>>,
    pub indicators: Vec<SeatIndicator<'a>>,
    pub page: String,
}

fn flag_id(o: &Obs) -> Option<&'static str> {
    o.flag.map(|f| f.id())
}

impl<'a> Constituency<'a> {
    pub fn of(atlas: &'a Atlas, s: &'a SetAtlas, i: usize) -> Self {
        let seat = &s.seats[i];
        let slot = seat.nation.map(crate::atlas::nation_slot);
        let indicators = atlas
            .indicators
            .iter()
            .zip(&s.series)
            .map(|(d, series)| {
                let latest = series.latest(i);
                let obs = &series.obs[i];
                SeatIndicator {
                    id: &d.id,
                    title: &d.title,
                    unit: &d.unit,
                    direction: d.direction.id(),
                    value: latest.and_then(|o| o.value),
                    lower: latest.and_then(|o| o.lower),
                    upper: latest.and_then(|o| o.upper),
                    flag: latest.and_then(flag_id),
                    method: latest.map(|o| o.method.id()),
                    period: latest.map(|o| &*o.period),
                    source: latest.map(|o| SourceRef::of(atlas, &o.source)),
                    caveats: &d.caveats,
                    rank_in_nation: series.rank[i],
                    nation_count: slot.map_or(0, |k| series.nation_count[k]),
                    nation_mean: slot.and_then(|k| series.nation_mean[k]),
                    region_mean: seat
                        .region
                        .as_ref()
                        .and_then(|r| series.region_mean.get(r).copied()),
                    neighbour_mean: series.neighbour_mean[i],
                    history: if obs.len() > 1 {
                        obs.iter()
                            .map(|o| PeriodValue {
                                period: &o.period,
                                value: o.value,
                                lower: o.lower,
                                upper: o.upper,
                                flag: flag_id(o),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        Constituency {
            code: seat.code.as_str(),
            name: &seat.name,
            boundaries: s.set.id(),
            nation: seat.nation.map(|n| n.name()),
            region: region_ref(atlas, seat),
            hex: s.hexes[i].map(|(q, r)| Hex { q, r }),
            neighbours: s.neighbours[i]
                .iter()
                .map(|n| {
                    let other = &s.seats[n.seat];
                    NeighbourOut {
                        code: other.code.as_str(),
                        name: &other.name,
                        relation: match n.kind {
                            NeighbourKind::Border => "border",
                            NeighbourKind::Nearest => "nearest",
                        },
                        shared_border_km: (n.kind == NeighbourKind::Border)
                            .then_some(n.metres / 1000.0),
                        distance_km: (n.kind == NeighbourKind::Nearest)
                            .then_some(n.metres / 1000.0),
                    }
                })
                .collect(),
            indicators,
            page: format!("/constituency/{}?boundaries={}", seat.code, s.set.id()),
        }
    }
}

/// An indicator of the catalogue.
#[derive(Serialize)]
pub struct IndicatorOut<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub definition: &'a str,
    pub unit: &'a str,
    pub direction: &'static str,
    pub sources: &'a [String],
    pub period: &'a str,
    pub nations: Vec<&'static str>,
    pub method: &'static str,
    pub caveats: &'a str,
    /// Seats with a value, by boundary set.
    pub coverage: BTreeMap<&'static str, usize>,
    pub url: String,
    pub page: String,
    pub csv: String,
}

impl<'a> IndicatorOut<'a> {
    pub fn of(atlas: &'a Atlas, k: usize, d: &'a IndicatorDef) -> Self {
        IndicatorOut {
            id: &d.id,
            title: &d.title,
            definition: &d.definition,
            unit: &d.unit,
            direction: d.direction.id(),
            sources: &d.sources,
            period: &d.period,
            nations: d.nations.iter().map(|n| n.name()).collect(),
            method: d.method.id(),
            caveats: &d.caveats,
            coverage: BoundarySet::ALL
                .into_iter()
                .map(|s| (s.id(), atlas.set(s).series[k].coverage))
                .collect(),
            url: format!("/api/v1/indicators/{}", d.id),
            page: format!("/indicator/{}", d.id),
            csv: format!("/download/indicators/{}.csv", d.id),
        }
    }
}

#[derive(Serialize)]
pub struct IndicatorList<'a> {
    pub count: usize,
    pub indicators: Vec<IndicatorOut<'a>>,
}

#[derive(Serialize)]
pub struct SeatValue<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub nation: Option<&'static str>,
    pub region: Option<&'a str>,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub flag: Option<&'static str>,
    pub method: Option<&'static str>,
    pub period: Option<&'a str>,
    pub source: Option<&'a str>,
    pub rank_in_nation: Option<usize>,
}

#[derive(Serialize)]
pub struct Summary {
    pub n: usize,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        let median =
            stemgap_stats::quantile(values, 0.5, stemgap_stats::QuantileMethod::Type7).ok();
        Summary {
            n: values.len(),
            min: values.iter().copied().reduce(f64::min),
            max: values.iter().copied().reduce(f64::max),
            mean: (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64),
            median,
        }
    }
}

#[derive(Serialize)]
pub struct IndicatorValues<'a> {
    pub indicator: IndicatorOut<'a>,
    pub boundaries: &'static str,
    pub summary: Summary,
    pub values: Vec<SeatValue<'a>>,
}

impl<'a> IndicatorValues<'a> {
    pub fn of(atlas: &'a Atlas, set: BoundarySet, k: usize) -> Self {
        let s = atlas.set(set);
        let series = &s.series[k];
        let values: Vec<SeatValue<'a>> = s
            .seats
            .iter()
            .enumerate()
            .map(|(i, seat)| {
                let o = series.latest(i);
                SeatValue {
                    code: seat.code.as_str(),
                    name: &seat.name,
                    nation: seat.nation.map(|n| n.name()),
                    region: seat.region.as_deref(),
                    value: o.and_then(|o| o.value),
                    lower: o.and_then(|o| o.lower),
                    upper: o.and_then(|o| o.upper),
                    flag: o.and_then(flag_id),
                    method: o.map(|o| o.method.id()),
                    period: o.map(|o| &*o.period),
                    source: o.map(|o| &*o.source),
                    rank_in_nation: series.rank[i],
                }
            })
            .collect();
        let present: Vec<f64> = values.iter().filter_map(|v| v.value).collect();
        IndicatorValues {
            indicator: IndicatorOut::of(atlas, k, &atlas.indicators[k]),
            boundaries: set.id(),
            summary: Summary::of(&present),
            values,
        }
    }
}

#[derive(Serialize)]
pub struct ExclusionOut<'a> {
    pub reason: &'a str,
    pub count: usize,
    pub codes: &'a [String],
}

/// A finding (or a part of one, same shape).
#[derive(Serialize)]
pub struct FindingOut<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub statement: &'a str,
    pub estimate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub level: f64,
    pub n: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<usize>,
    pub inference: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_high: Option<f64>,
    pub unit: &'a str,
    pub method: &'a str,
    pub boundaries: &'a [String],
    pub nations: &'a [String],
    pub indicators: &'a [String],
    pub excluded: Vec<ExclusionOut<'a>>,
    pub p_value: Option<f64>,
    pub seed: Option<u64>,
    pub replicates: Option<usize>,
    pub details: &'a BTreeMap<String, f64>,
    pub seats: &'a BTreeMap<String, Vec<String>>,
    pub parts: Vec<FindingOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<LedgerOut<'a>>,
}

/// The reproduction ledger of a finding: the 2023 report's claim and today's verdict.
#[derive(Serialize)]
pub struct LedgerOut<'a> {
    pub claim: &'a str,
    pub report_value: Option<f64>,
    pub comparable: &'a str,
    pub verdict: &'static str,
    pub rule: &'a str,
}

impl<'a> FindingOut<'a> {
    pub fn of(f: &'a Finding) -> Self {
        FindingOut {
            id: &f.id,
            title: &f.title,
            statement: &f.statement,
            estimate: f.estimate,
            ci_low: f.ci_low,
            ci_high: f.ci_high,
            level: f.level,
            n: f.n,
            clusters: f.clusters,
            inference: &f.inference,
            bound_low: f.bound_low,
            bound_high: f.bound_high,
            unit: &f.unit,
            method: &f.method,
            boundaries: &f.boundaries,
            nations: &f.nations,
            indicators: &f.indicators,
            excluded: f
                .excluded
                .iter()
                .map(|x| ExclusionOut {
                    reason: &x.reason,
                    count: x.count,
                    codes: &x.codes,
                })
                .collect(),
            p_value: f.p_value,
            seed: f.seed,
            replicates: f.replicates,
            details: &f.details,
            seats: &f.seats,
            parts: f.parts.iter().map(FindingOut::of).collect(),
            report: f.report.as_ref().map(|r| LedgerOut {
                claim: &r.claim,
                report_value: r.report_value,
                comparable: &r.comparable,
                verdict: r.verdict.label(),
                rule: &r.rule,
            }),
        }
    }
}

#[derive(Serialize)]
pub struct FindingList<'a> {
    pub count: usize,
    pub findings: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
pub struct GapOut<'a> {
    pub indicator: &'a str,
    pub title: &'a str,
    pub nation: &'a str,
    pub status_2010: &'a str,
    pub seats_2010: usize,
    pub of_2010: usize,
    pub status_2024: &'a str,
    pub seats_2024: usize,
    pub of_2024: usize,
    pub period: &'a str,
    /// `same_definition`, `harmonisable`, `not_comparable` or `missing`.
    pub comparability: &'static str,
    pub reason: &'a str,
}

/// The wire id of a comparability grade.
pub fn comparability_id(c: stemgap_findings::Comparability) -> &'static str {
    use stemgap_findings::Comparability as C;
    match c {
        C::SameDefinition => "same_definition",
        C::Harmonisable => "harmonisable",
        C::NotComparable => "not_comparable",
        C::Missing => "missing",
    }
}

impl<'a> GapOut<'a> {
    pub fn of(g: &'a GapRow) -> Self {
        GapOut {
            indicator: &g.indicator,
            title: &g.title,
            nation: &g.nation,
            status_2010: &g.status_2010,
            seats_2010: g.seats_2010,
            of_2010: g.of_2010,
            status_2024: &g.status_2024,
            seats_2024: g.seats_2024,
            of_2024: g.of_2024,
            period: &g.period,
            comparability: comparability_id(g.comparability),
            reason: &g.reason,
        }
    }
}

#[derive(Serialize)]
pub struct GapList<'a> {
    pub count: usize,
    pub gaps: Vec<GapOut<'a>>,
}

#[derive(Serialize)]
pub struct Located<'a> {
    pub postcode: &'a str,
    pub boundaries: &'static str,
    pub constituency: SeatSummary<'a>,
}

/// One period of a seat's series, with its nation's mean that period.
#[derive(Serialize)]
pub struct SeriesPoint<'a> {
    pub period: &'a str,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub flag: Option<&'static str>,
    pub method: &'static str,
    pub source: &'a str,
    /// Unweighted mean of the values of the seat's nation's seats with a
    /// figure for this period; null when none has one.
    pub nation_mean: Option<f64>,
    /// Seats of the nation with a figure for this period.
    pub nation_seats: usize,
    /// Unweighted mean over the seats of the seat's region (England's
    /// regions; elsewhere the nation) with a figure for this period.
    pub region_mean: Option<f64>,
}

/// A break in a series: the first period on a new basis, and why.
#[derive(Serialize)]
pub struct SeriesBreak<'a> {
    pub period: &'a str,
    pub reason: String,
}

/// `/api/v1/constituencies/{code}/series/{id}`: every period of one
/// indicator for one seat.
#[derive(Serialize)]
pub struct SeatSeries<'a> {
    pub constituency: SeatSummary<'a>,
    pub indicator: &'a str,
    pub title: &'a str,
    pub unit: &'a str,
    pub boundaries: &'static str,
    pub points: Vec<SeriesPoint<'a>>,
    /// Definition, source or method changes within the series.
    pub breaks: Vec<SeriesBreak<'a>>,
}
