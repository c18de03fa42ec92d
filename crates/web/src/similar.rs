//! Similar seats: for every seat, the [`K`] seats of the same nation and
//! boundary set nearest it on a declared set of characteristics (as ONS's
//! and CIPFA's "nearest neighbours"), computed once when the atlas loads
//! ([`SetSimilar::compute`], held by [`crate::App`]) and shown on the
//! profile, in compare and at `/api/v1/constituencies/{code}/similar`.
//!
//! The characteristics ([`CHARACTERISTICS`]), in four themes:
//!
//! * **deprivation**: the UK-wide composite deprivation score
//!   (`uk_imd_score`);
//! * **density**: residents per km², log10: the latest population
//!   (`population`) over the land area of the seat's stored outline (the
//!   boundary map's, simplified and with islets under ~0.6 km² dropped, so
//!   good to a few per cent; the 2024 outlines add up to 243,300 km²);
//! * **age structure**: the shares aged 0–15, 16–24, 25–49, 50–64 and 65+;
//! * **industry mix**: the Census 2021 shares of working residents by
//!   industry section (England and Wales) and the share of enterprises in
//!   STEM-heavy industries (`stem_enterprises_share`, UK-wide).
//!
//! Each seat's latest figure with a value is used. A characteristic is used in a nation
//! only when every seat of the nation (in that set) has a figure for it;
//! one that some seat lacks is left out for the whole nation, and the
//! answer says so (Northern Ireland has no age structure or Census industry
//! shares in stemgap's sources, Scotland no Census industry shares).
//! Each characteristic is standardised to z-scores over the nation's seats
//! and weighted 1/√m, m being the number used in its theme, so each theme
//! weighs the same; the distance is the Euclidean distance of the weighted
//! z-scores ([`stemgap_stats::similarity`]). A distance of 0 is identical
//! on every characteristic; with four themes a typical pair of seats of a
//! nation is about 2.8 apart (√(2 × 4)).

use crate::api::{find_seat, json};
use crate::atlas::{nation_slot, SetAtlas};
use crate::error::{Audience, HttpError};
use crate::{boundaries, wire, Atlas, Shared, P, Q};
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use stemgap_core::{BoundarySet, Nation};
use stemgap_stats::similarity;

/// Similar seats per seat.
pub const K: usize = 15;

/// The themes, in order, with how the page names them.
pub const THEMES: [(&str, &str); 4] = [
    ("deprivation", "deprivation"),
    ("density", "population density"),
    ("age", "age structure"),
    ("industry", "industry mix"),
];

/// The density characteristic's id (computed here, not an indicator).
pub const DENSITY: &str = "population_density";

/// The declared characteristics: (theme, indicator id). Ids ending in `*`
/// take every indicator with that prefix, in catalogue order.
pub const CHARACTERISTICS: [(&str, &str); 9] = [
    ("deprivation", "uk_imd_score"),
    ("density", DENSITY),
    ("age", "age_0_15_share"),
    ("age", "age_16_24_share"),
    ("age", "age_25_49_share"),
    ("age", "age_50_64_share"),
    ("age", "age_65_plus_share"),
    ("industry", "industry_*"),
    ("industry", "stem_enterprises_share"),
];

/// A characteristic used for a nation.
#[derive(Debug, Clone, PartialEq)]
pub struct Used {
    pub theme: &'static str,
    pub id: String,
    pub title: String,
    pub weight: f64,
}

/// How one nation's seats were compared.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Model {
    pub used: Vec<Used>,
    /// Characteristics left out, with why.
    pub left_out: Vec<(String, String)>,
    /// Why the nation's seats have no similar seats (none otherwise).
    pub none_because: Option<String>,
}

/// One boundary set's similar seats.
#[derive(Debug, Clone, Default)]
pub struct SetSimilar {
    /// Per seat: the similar seats (index, distance), nearest first.
    pub nearest: Vec<Vec<(usize, f64)>>,
    /// Per nation (indexed like [`Nation::ALL`]).
    pub models: [Model; 4],
    /// Land area of each seat's outline, km² (`None` without an outline).
    pub area_km2: Vec<Option<f64>>,
}

/// Units per degree of latitude of the stored outlines
/// (`stemgap_ingest::shapes::UNITS_PER_DEGREE`), the latitude of their
/// top edge and the parallel their x scale is true at.
const UNITS_PER_DEGREE: f64 = 100.0;
const LAT0: f64 = 61.0;
const TRUE_LAT: f64 = 54.5;
/// Kilometres per degree of latitude (mean Earth radius 6,371.0088 km).
const KM_PER_DEGREE: f64 = 111.195;

/// The area in km² of an outline path as `stemgap_ingest::shapes` writes
/// it (`M x y l dx dy … z` per ring, x = (lon − lon₀)·cos 54.5°·100,
/// y = (61 − lat)·100): each ring's shoelace area, corrected for its mean
/// latitude, summed with its sign (holes run the other way), absolute.
pub fn outline_area_km2(path: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut any = false;
    let k = TRUE_LAT.to_radians().cos();
    for ring in path.split('M').filter(|r| !r.trim().is_empty()) {
        let mut nums = Vec::new();
        let mut cur = String::new();
        for ch in ring.chars() {
            if ch.is_ascii_digit() || ch == '.' || (ch == '-' && cur.is_empty()) {
                cur.push(ch);
            } else {
                if !cur.is_empty() {
                    nums.push(cur.parse::<f64>().ok()?);
                    cur.clear();
                }
                if ch == '-' {
                    cur.push(ch);
                }
            }
        }
        if !cur.is_empty() {
            nums.push(cur.parse::<f64>().ok()?);
        }
        if nums.len() < 6 || nums.len() % 2 != 0 {
            return None;
        }
        let (mut x, mut y) = (nums[0], nums[1]);
        let mut pts = vec![(x, y)];
        for d in nums[2..].chunks(2) {
            x += d[0];
            y += d[1];
            pts.push((x, y));
        }
        let n = pts.len();
        let a2: f64 = (0..n)
            .map(|i| {
                let (x1, y1) = pts[i];
                let (x2, y2) = pts[(i + 1) % n];
                x1 * y2 - x2 * y1
            })
            .sum();
        let lat = LAT0 - pts.iter().map(|p| p.1).sum::<f64>() / n as f64 / UNITS_PER_DEGREE;
        let km2_per_unit2 = (KM_PER_DEGREE / UNITS_PER_DEGREE).powi(2) * lat.to_radians().cos() / k;
        total += a2 / 2.0 * km2_per_unit2;
        any = true;
    }
    any.then_some(total.abs())
}

/// The characteristic columns of a set: (theme, id, title, each seat's
/// latest value).
fn columns(atlas: &Atlas, s: &SetAtlas, area: &[Option<f64>]) -> Vec<Column> {
    let mut out = Vec::new();
    for (theme, id) in CHARACTERISTICS {
        if id == DENSITY {
            let pop = atlas.indicator("population").map(|(k, _)| k);
            let values = (0..s.seats.len())
                .map(|i| {
                    let p = pop.and_then(|k| latest(s, k, i))?;
                    let a = area[i]?;
                    (p > 0.0 && a > 0.0).then(|| (p / a).log10())
                })
                .collect();
            out.push(Column {
                theme,
                id: DENSITY.to_owned(),
                title: "Residents per km² (log10)".to_owned(),
                values,
            });
            continue;
        }
        let prefix = id.strip_suffix('*');
        for (k, d) in atlas.indicators.iter().enumerate() {
            let hit = match prefix {
                Some(p) => d.id.starts_with(p),
                None => d.id == id,
            };
            if hit {
                out.push(Column {
                    theme,
                    id: d.id.clone(),
                    title: d.title.clone(),
                    values: (0..s.seats.len()).map(|i| latest(s, k, i)).collect(),
                });
            }
        }
    }
    out
}

/// Seat `i`'s latest figure of indicator `k` with a value. (The latest
/// observation itself may be a flagged gap: on the 2010 set every English
/// seat has a "not available" 2022 age share, converted from Scotland's
/// 2022 census, after its 2021 figure.)
fn latest(s: &SetAtlas, k: usize, i: usize) -> Option<f64> {
    s.series[k].obs[i].iter().rev().find_map(|o| o.value)
}

struct Column {
    theme: &'static str,
    id: String,
    title: String,
    values: Vec<Option<f64>>,
}

impl SetSimilar {
    /// Every seat's [`K`] most similar seats of its nation.
    pub fn compute(atlas: &Atlas, s: &SetAtlas) -> SetSimilar {
        let area: Vec<Option<f64>> = match &s.outlines {
            Some(o) => o
                .paths
                .iter()
                .map(|p| p.as_deref().and_then(outline_area_km2))
                .collect(),
            None => vec![None; s.seats.len()],
        };
        let cols = columns(atlas, s, &area);
        let mut out = SetSimilar {
            nearest: vec![Vec::new(); s.seats.len()],
            models: Default::default(),
            area_km2: area,
        };
        for nation in Nation::ALL {
            let members: Vec<usize> = (0..s.seats.len())
                .filter(|&i| s.seats[i].nation == Some(nation))
                .collect();
            let model = &mut out.models[nation_slot(nation)];
            if members.is_empty() {
                continue;
            }
            let mut picked: Vec<&Column> = Vec::new();
            for c in &cols {
                let missing = members.iter().filter(|&&i| c.values[i].is_none()).count();
                if missing == 0 {
                    picked.push(c);
                } else {
                    model.left_out.push((
                        c.title.clone(),
                        if missing == members.len() {
                            format!("no {} seat has a figure", nation.name())
                        } else {
                            format!(
                                "{missing} of {} {} seats have no figure",
                                members.len(),
                                nation.name()
                            )
                        },
                    ));
                }
            }
            let per_theme = |t: &str| picked.iter().filter(|c| c.theme == t).count();
            model.used = picked
                .iter()
                .map(|c| Used {
                    theme: c.theme,
                    id: c.id.clone(),
                    title: c.title.clone(),
                    weight: 1.0 / (per_theme(c.theme) as f64).sqrt(),
                })
                .collect();
            if picked.is_empty() {
                model.none_because = Some(format!(
                    "no characteristic has a figure for every {} seat",
                    nation.name()
                ));
                continue;
            }
            if members.len() < 2 {
                model.none_because = Some(format!("{} has one seat", nation.name()));
                continue;
            }
            let data: Vec<Vec<f64>> = picked
                .iter()
                .map(|c| members.iter().filter_map(|&i| c.values[i]).collect())
                .collect();
            let weights: Vec<f64> = model.used.iter().map(|u| u.weight).collect();
            let Some(rows) = similarity::weighted_z(&data, &weights) else {
                model.none_because = Some("a characteristic is not a finite number".into());
                continue;
            };
            for (r, &i) in members.iter().enumerate() {
                out.nearest[i] = similarity::nearest(&rows, r, K)
                    .into_iter()
                    .map(|(j, d)| (members[j], d))
                    .collect();
            }
        }
        out
    }

    /// The model of seat `i`'s nation.
    pub fn model(&self, s: &SetAtlas, i: usize) -> Option<&Model> {
        s.seats[i].nation.map(|n| &self.models[nation_slot(n)])
    }
}

/// Which themes a model uses, and which it lacks, in words.
pub fn themes_text(m: &Model) -> (String, Vec<&'static str>) {
    let used: Vec<&str> = THEMES
        .iter()
        .filter(|(t, _)| m.used.iter().any(|u| u.theme == *t))
        .map(|(_, w)| *w)
        .collect();
    let missing: Vec<&'static str> = THEMES
        .iter()
        .filter(|(t, _)| !m.used.iter().any(|u| u.theme == *t))
        .map(|(_, w)| *w)
        .collect();
    (used.join(", "), missing)
}

// ---------------------------------------------------------------- the API

#[derive(Deserialize)]
pub struct SetQuery {
    boundaries: Option<String>,
}

#[derive(Serialize)]
pub struct SimilarSeat<'a> {
    pub rank: usize,
    /// Euclidean distance of the weighted z-scores (0 = identical).
    pub distance: f64,
    pub constituency: wire::SeatSummary<'a>,
}

#[derive(Serialize)]
pub struct CharacteristicOut<'a> {
    pub theme: &'static str,
    pub id: &'a str,
    pub title: &'a str,
    pub weight: f64,
}

#[derive(Serialize)]
pub struct LeftOut<'a> {
    pub title: &'a str,
    pub reason: &'a str,
}

#[derive(Serialize)]
pub struct SimilarOut<'a> {
    pub constituency: wire::SeatSummary<'a>,
    pub boundaries: &'static str,
    pub method: &'static str,
    pub characteristics: Vec<CharacteristicOut<'a>>,
    pub left_out: Vec<LeftOut<'a>>,
    /// Why there are no similar seats, when there are none.
    pub none_because: Option<&'a str>,
    pub similar: Vec<SimilarSeat<'a>>,
}

pub const METHOD: &str = "The 15 seats of the same nation and boundary set nearest this one: each characteristic (the seat's latest figure) standardised to z-scores over the nation's seats, weighted 1/sqrt(m) for the m characteristics used in its theme so the four themes (deprivation, population density, age structure, industry mix) weigh the same, and seats ranked by the Euclidean distance of the weighted z-scores. A characteristic is used only where every seat of the nation has a figure.";

/// `/api/v1/constituencies/{code}/similar`.
pub async fn api(
    State(app): State<Shared>,
    P(code): P,
    Q(q): Q<SetQuery>,
) -> Result<Response, HttpError> {
    let want = boundaries(q.boundaries.as_deref(), Audience::Api)?;
    let (set, i) = find_seat(&app, &code, want, Audience::Api)?;
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let sim = app.similar(set);
    let model = sim.model(s, i);
    Ok(json(&SimilarOut {
        constituency: wire::SeatSummary::of(atlas, set, &s.seats[i]),
        boundaries: set.id(),
        method: METHOD,
        characteristics: model
            .map(|m| {
                m.used
                    .iter()
                    .map(|u| CharacteristicOut {
                        theme: u.theme,
                        id: &u.id,
                        title: &u.title,
                        weight: u.weight,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        left_out: model
            .map(|m| {
                m.left_out
                    .iter()
                    .map(|(t, r)| LeftOut {
                        title: t,
                        reason: r,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        none_because: match model {
            Some(m) => m.none_because.as_deref(),
            None => Some("the seat has no nation in the store"),
        },
        similar: sim.nearest[i]
            .iter()
            .enumerate()
            .map(|(r, &(j, d))| SimilarSeat {
                rank: r + 1,
                distance: round3(d),
                constituency: wire::SeatSummary::of(atlas, set, &s.seats[j]),
            })
            .collect(),
    }))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

// ---------------------------------------------------------------- the profile

/// A row of the profile's similar-seats table.
pub struct SimilarRow {
    pub rank: usize,
    pub href: String,
    pub name: String,
    pub distance: String,
    pub values: Vec<String>,
}

/// The profile's similar-seats section.
pub struct SimilarView {
    pub rows: Vec<SimilarRow>,
    /// Column titles of the characteristics shown beside each seat.
    pub titles: Vec<String>,
    pub own: Vec<String>,
    /// The themes used, in words, and those missing with why.
    pub used: String,
    pub missing: String,
    /// √(2 × themes used): the expected distance of two seats at random.
    pub typical: String,
    pub none_because: String,
    /// `/compare` with this seat and its nearest seats (up to compare's limit).
    pub compare: String,
    pub api: String,
}

/// Characteristics shown beside each similar seat (one per theme).
const SHOWN: [&str; 4] = [
    "uk_imd_score",
    DENSITY,
    "age_65_plus_share",
    "stem_enterprises_share",
];

pub fn view(app: &crate::App, set: BoundarySet, i: usize) -> SimilarView {
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let sim = app.similar(set);
    let model = sim.model(s, i);
    let cell = |id: &str, j: usize| -> String {
        if id == DENSITY {
            let pop = atlas
                .indicator("population")
                .and_then(|(k, _)| latest(s, k, j));
            return match (pop, sim.area_km2[j]) {
                (Some(p), Some(a)) if a > 0.0 => crate::format::value(p / a, "count"),
                _ => "–".into(),
            };
        }
        atlas
            .indicator(id)
            .and_then(|(k, d)| {
                s.series[k]
                    .value(j)
                    .map(|v| crate::format::value(v, &d.unit))
            })
            .unwrap_or_else(|| "–".into())
    };
    let titles = SHOWN
        .iter()
        .map(|id| {
            if *id == DENSITY {
                "Residents per km²".to_owned()
            } else {
                atlas
                    .indicator(id)
                    .map_or_else(|| (*id).to_owned(), |(_, d)| d.title.clone())
            }
        })
        .collect();
    let (used, missing) = model.map_or((String::new(), Vec::new()), themes_text);
    // Left-out characteristics grouped by why.
    let mut why: Vec<(&str, Vec<&str>)> = Vec::new();
    for (t, r) in model.map(|m| m.left_out.as_slice()).unwrap_or_default() {
        match why.iter_mut().find(|w| w.0 == r) {
            Some(w) => w.1.push(t),
            None => why.push((r, vec![t])),
        }
    }
    let mut missing_text = String::new();
    if !missing.is_empty() {
        missing_text.push_str(&format!("Not used: {}. ", missing.join(", ")));
    }
    if !why.is_empty() {
        let parts: Vec<String> = why
            .iter()
            .map(|(r, ts)| format!("{} ({r})", ts.join(", ")))
            .collect();
        missing_text.push_str(&format!(
            "Left out for want of figures: {}.",
            parts.join("; ")
        ));
    }
    let themes = model.map_or(0, |m| {
        THEMES
            .iter()
            .filter(|(t, _)| m.used.iter().any(|u| u.theme == *t))
            .count()
    });
    let nearest = &sim.nearest[i];
    let mut codes = vec![s.seats[i].code.to_string()];
    codes.extend(
        nearest
            .iter()
            .take(crate::pages::COMPARE_MAX - 1)
            .map(|&(j, _)| s.seats[j].code.to_string()),
    );
    SimilarView {
        rows: nearest
            .iter()
            .enumerate()
            .map(|(r, &(j, d))| SimilarRow {
                rank: r + 1,
                href: format!("/constituency/{}?boundaries={}", s.seats[j].code, set.id()),
                name: s.seats[j].name.clone(),
                distance: format!("{d:.2}"),
                values: SHOWN.iter().map(|id| cell(id, j)).collect(),
            })
            .collect(),
        titles,
        own: SHOWN.iter().map(|id| cell(id, i)).collect(),
        used,
        missing: missing_text,
        typical: format!("{:.1}", (2.0 * themes as f64).sqrt()),
        none_because: model
            .and_then(|m| m.none_because.clone())
            .unwrap_or_default(),
        compare: format!("/compare?codes={}&boundaries={}", codes.join(","), set.id()),
        api: format!(
            "/api/v1/constituencies/{}/similar?boundaries={}",
            s.seats[i].code,
            set.id()
        ),
    }
}

/// The compare page's row: each seat's three most similar seats.
pub fn compare_cell(app: &crate::App, set: BoundarySet, i: usize) -> String {
    let s = app.atlas.set(set);
    let n = &app.similar(set).nearest[i];
    if n.is_empty() {
        return "–".into();
    }
    n.iter()
        .take(3)
        .map(|&(j, d)| format!("{} ({d:.2})", s.seats[j].name))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_area_of_a_square_at_54_5_degrees() {
        // A 10 × 10 unit square centred on latitude 54.5° (y = 650):
        // 100 units² × (1.11195 km)² = 123.64 km², no latitude correction.
        let a = outline_area_km2("M0 645l10 0 0 10-10 0z").unwrap();
        assert!((a - 123.643_280_25).abs() < 1e-6, "{a}");
        // The same square at latitude 50° (y = 1100) is larger on the
        // ground by cos 50° / cos 54.5° = 1.107006.
        let b = outline_area_km2("M0 1095l10 0 0 10-10 0z").unwrap();
        let want = 123.643_280_25 * 50f64.to_radians().cos() / 54.5f64.to_radians().cos();
        assert!((b - want).abs() < 1e-6, "{b} {want}");
        // A hole (the other way round) is taken off.
        let c = outline_area_km2("M0 645l10 0 0 10-10 0zM2 647l0 2 2 0 0-2z").unwrap();
        assert!((c - 123.643_280_25 * 0.96).abs() < 1e-2, "{c}");
        assert!(outline_area_km2("").is_none());
        assert!(outline_area_km2("M1 2l3").is_none());
    }
}
