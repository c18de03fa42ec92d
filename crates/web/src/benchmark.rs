//! The profile's comparison with the nation (Fingertips' spine chart):
//! every indicator the seat has a figure for, grouped by theme ([`THEMES`],
//! the STEM summary first), with the seat's figure against its nation's
//! value and the nation's spread, and — where the figure has a sampling
//! interval — whether it is significantly higher, similar or lower
//! ([`stemgap_stats::benchmark`]: the nation's value inside the interval is
//! similar).
//!
//! **Which intervals are tested** ([`verdict`]): only sampling intervals,
//! that is the Annual Population Survey's published 95% confidence
//! intervals (observations whose source is a Nomis APS table,
//! [`SAMPLING_SOURCES`]). The other stored intervals bound suppressed or
//! rounded counts, or uncertain placements (DfE's cells under 5, ONS's
//! rounding to 5, providers that may sit in either of two seats): they are
//! not sampling intervals and no test applies. Census figures and
//! administrative counts have no interval (a complete count has no
//! sampling error). An APS interval that also covers suppressed counts
//! (asymmetric about the value) is tested at 95% as it is, which is
//! conservative, and not rescaled to 99.8%; a symmetric one (value ±
//! 1.96 se) is also tested at 99.8% (value ± 3.09 se).
//!
//! **The nation's value** is the unweighted mean of its seats' latest
//! figures (the "Nation average" of the profile), not the nation's
//! published estimate, which the store does not hold. The APS interval is
//! the authorities' survey interval carried to the seat: the test says
//! whether the authorities the seat draws on differ from the nation, not
//! the seat itself (the apportionment's own error is not in it).

use crate::atlas::{nation_slot, Obs, SetAtlas};
use crate::{format, Atlas};
use stemgap_core::{Direction, Method};
use stemgap_stats::benchmark::{compare, rescale, Comparison, Z95, Z998};

/// Sources whose intervals are survey sampling intervals (95%), by prefix
/// of the source id: the Annual Population Survey tables on Nomis.
pub const SAMPLING_SOURCES: [&str; 1] = ["nomis_aps_"];

/// The spine chart's themes, in order.
pub const THEMES: [&str; 9] = [
    "STEM summary",
    "Deprivation",
    "Qualifications and schools",
    "FE and apprenticeships",
    "Higher education",
    "Jobs and industry",
    "Demography",
    "Inclusion in STEM",
    "Skills shortages",
];

/// The STEM summary: the first group of the chart (in this order).
pub const STEM_SUMMARY: [&str; 8] = [
    "stem_professionals_share",
    "stem_jobs_share",
    "stem_enterprises_share",
    "level4_share",
    "he_entry_rate_18",
    "he_stem_locations",
    "fe_et_stem_achievements_per_1000",
    "apprenticeship_stem_starts_per_1000",
];

/// The theme (index into [`THEMES`]) of an indicator id.
pub fn theme(id: &str) -> usize {
    let starts = |p: &[&str]| p.iter().any(|p| id.starts_with(p));
    if STEM_SUMMARY.contains(&id) {
        0
    } else if starts(&[
        "fe_et_stem_female_share",
        "fe_et_stem_ethnic_minority_share",
    ]) {
        // Who takes STEM: women's and ethnic minorities' shares (F7).
        7
    } else if starts(&["ess_"]) {
        // The Employer Skills Survey's shortage measures (F8).
        8
    } else if starts(&["imd_", "uk_imd_"]) {
        1
    } else if starts(&[
        "level",
        "no_quals",
        "other_quals",
        "apprenticeship_qual",
        "ks2_",
        "ks4_",
    ]) {
        2
    } else if starts(&["fe_", "apprenticeship_"]) {
        3
    } else if starts(&["he_", "hei_"]) {
        4
    } else if starts(&["age_", "ethnicity_", "female_share", "population"]) {
        6
    } else {
        5
    }
}

/// The comparison of one figure with its nation's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    Tested {
        at95: Comparison,
        /// `None` when the interval is not symmetric (not rescaled).
        at998: Option<Comparison>,
        /// The interval also covers suppressed counts (asymmetric).
        widened: bool,
    },
    NotTested(&'static str),
}

/// Is this observation's interval a sampling interval?
pub fn is_sampling(o: &Obs) -> bool {
    SAMPLING_SOURCES.iter().any(|p| o.source.starts_with(p))
}

/// Compares an observation with the nation's value `b` (see the module).
pub fn verdict(o: &Obs, b: f64) -> Option<Verdict> {
    let v = o.value?;
    Some(match (o.lower, o.upper) {
        (Some(lo), Some(hi)) if is_sampling(o) => match compare(lo, hi, b) {
            Some(at95) => {
                let scaled = rescale(v, lo, hi, Z95, Z998);
                Verdict::Tested {
                    at95,
                    at998: scaled.and_then(|(l, h)| compare(l, h, b)),
                    widened: scaled.is_none(),
                }
            }
            None => Verdict::NotTested("the interval is not usable"),
        },
        (Some(_), Some(_)) => {
            Verdict::NotTested("the interval bounds suppressed, rounded or unplaced counts; it is not a sampling interval")
        }
        _ => Verdict::NotTested(match o.method {
            Method::Measured | Method::Derived => {
                "no sampling interval (a complete count or administrative figure)"
            }
            Method::Apportioned => "no sampling interval (apportioned from local authorities)",
            Method::Converted => "no sampling interval (converted from the other boundary set)",
            Method::Contributed => "no sampling interval (contributed data; none declared)",
        }),
    })
}

/// The table's short form of a reason for not testing (the section's
/// paragraph and the API give the long one).
pub fn short(why: &str) -> &str {
    if why.contains("complete count") {
        "complete count"
    } else if why.contains("contributed") {
        "contributed"
    } else if why.contains("apportioned") {
        "apportioned, no interval"
    } else if why.contains("converted") {
        "converted, no interval"
    } else if why.contains("not a sampling interval") {
        "bounds, not a sampling interval"
    } else {
        why
    }
}

/// Words for a comparison, with better / worse where the indicator has a
/// direction.
pub fn words(c: Comparison, dir: Direction) -> String {
    let judged = match (c, dir) {
        (Comparison::Similar, _) | (_, Direction::Neutral) => "",
        (Comparison::Higher, Direction::HigherIsBetter)
        | (Comparison::Lower, Direction::HigherIsWorse) => " (better)",
        _ => " (worse)",
    };
    match c {
        Comparison::Higher => format!("significantly higher{judged}"),
        Comparison::Lower => format!("significantly lower{judged}"),
        Comparison::Similar => "similar".into(),
    }
}

/// The marker's class (its fill, in the stylesheet): blue better (`b`),
/// orange worse (`w`), yellow similar (`s`), dark grey higher or lower on
/// a neutral indicator (`n`), white not tested (`x`); shapes differ too,
/// so colour is never the only cue.
fn fill(v: &Verdict, dir: Direction) -> &'static str {
    match v {
        Verdict::NotTested(_) => "x",
        Verdict::Tested { at95, .. } => match (at95, dir) {
            (Comparison::Similar, _) => "s",
            (_, Direction::Neutral) => "n",
            (Comparison::Higher, Direction::HigherIsBetter)
            | (Comparison::Lower, Direction::HigherIsWorse) => "b",
            _ => "w",
        },
    }
}

/// One row of the profile's table of every indicator: the indicator's
/// figure with its comparisons ([`crate::pages::ProfileRow`]) and, where
/// the seat has a figure and its nation a value, the spine chart.
pub(crate) struct SpineRow {
    pub(crate) row: crate::pages::ProfileRow,
    /// Lowest · middle half · highest of the nation's seats ("–" without
    /// a chart).
    pub spread: String,
    pub at95: String,
    pub at998: String,
    /// The chart (empty without one).
    pub svg: String,
}

pub(crate) struct SpineGroup {
    pub title: &'static str,
    pub anchor: String,
    pub rows: Vec<SpineRow>,
    /// Counts of the verdicts, in words (the group's text alternative).
    pub summary: String,
}

const SW: f64 = 160.0;
const SH: f64 = 14.0;

/// The marker shapes, each centred on (0, 7), defined once in a page (in
/// the legend, [`legend`]) and drawn with `<use href="#sp-…" x="…">`:
/// (id, element). They carry no fill: the `<use>` element's class gives it.
const SHAPES: [(&str, &str); 4] = [
    ("sp-h", "<path id=\"sp-h\" d=\"M0 1.5L6 12.5H-6Z\"/>"),
    ("sp-l", "<path id=\"sp-l\" d=\"M0 12.5L6 1.5H-6Z\"/>"),
    ("sp-s", "<circle id=\"sp-s\" cy=\"7\" r=\"5\"/>"),
    (
        "sp-x",
        "<path id=\"sp-x\" d=\"M0 1.5L5.5 7L0 12.5L-5.5 7Z\"/>",
    ),
];

/// A coordinate with one decimal, without a trailing `.0`.
fn n(x: f64) -> String {
    let s = format!("{x:.1}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_owned(),
        None => s,
    }
}

/// The marker for a verdict at `x` (a use of its shape).
fn marker(v: &Verdict, x: f64, fill: &str) -> String {
    let shape = match v {
        Verdict::Tested {
            at95: Comparison::Higher,
            ..
        } => SHAPES[0].0,
        Verdict::Tested {
            at95: Comparison::Lower,
            ..
        } => SHAPES[1].0,
        Verdict::Tested { .. } => SHAPES[2].0,
        Verdict::NotTested(_) => SHAPES[3].0,
    };
    format!("<use href=\"#{shape}\" class=\"{fill}\" x=\"{}\"/>", n(x))
}

/// The spine: the nation's range (light), middle half (darker), its value
/// (the vertical line at the centre) and the seat (the marker). Scaled so
/// the nation's value is in the middle and the farther extreme at an end.
fn spine(values: &[f64], b: f64, seat: f64, v: &Verdict, dir: Direction) -> (String, [f64; 4]) {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, c), &x| {
            (a.min(x), c.max(x))
        });
    let q = stemgap_stats::quantiles(values, &[0.25, 0.75], stemgap_stats::QuantileMethod::Type7)
        .unwrap_or_else(|_| vec![lo, hi]);
    let half = (lo - b).abs().max((hi - b).abs());
    let x = |t: f64| {
        if half > 0.0 {
            SW / 2.0 + (SW / 2.0 - 8.0) * (t - b) / half
        } else {
            SW / 2.0
        }
    };
    let svg = format!(
        // The bars are 6-unit strokes (style.css), shorter to write than
        // rectangles.
        "<svg class=\"spine\" viewBox=\"0 0 {SW} {SH}\" aria-hidden=\"true\" focusable=\"false\"><path class=\"r\" d=\"M{} 7H{}\"/><path class=\"m\" d=\"M{} 7H{}\"/><path class=\"bench\" d=\"M80 0V14\"/>{}</svg>",
        n(x(lo)),
        n(x(hi).max(x(lo) + 0.5)),
        n(x(q[0])),
        n(x(q[1]).max(x(q[0]) + 0.5)),
        marker(v, x(seat), fill(v, dir)),
    );
    (svg, [lo, q[0], q[1], hi])
}

/// The spine chart's part of a row: (spread, at 95%, at 99.8%, chart), or
/// `None` when the seat has no latest figure, its nation no value, or the
/// nation fewer than two seats with a figure.
fn chart_of(atlas: &Atlas, s: &SetAtlas, i: usize, k: usize, slot: usize) -> Option<[String; 4]> {
    let d = &atlas.indicators[k];
    let series = &s.series[k];
    let (o, b) = (series.latest(i)?, series.nation_mean[slot]?);
    let (v, verd) = (o.value?, verdict(o, b)?);
    let peers: Vec<f64> = (0..s.seats.len())
        .filter(|&j| s.seats[j].nation == s.seats[i].nation)
        .filter_map(|j| series.value(j))
        .collect();
    if peers.len() < 2 {
        return None;
    }
    let (svg, spread) = spine(&peers, b, v, &verd, d.direction);
    let f = |x: f64| format::value(x, &d.unit);
    let (at95, at998) = match verd {
        Verdict::Tested {
            at95,
            at998,
            widened,
        } => (
            words(at95, d.direction),
            match at998 {
                Some(c) => words(c, d.direction),
                None if widened => "not tested (interval includes suppressed counts)".into(),
                None => "–".into(),
            },
        ),
        Verdict::NotTested(why) => (format!("not tested: {}", short(why)), "–".into()),
    };
    let spread = format!(
        "{} · {} to {} · {}",
        f(spread[0]),
        f(spread[1]),
        f(spread[2]),
        f(spread[3])
    );
    Some([spread, at95, at998, svg])
}

/// The profile's table of every indicator for seat `i`, by theme, in
/// catalogue order (the STEM summary in its own order), each row with its
/// spine chart where it has one.
pub(crate) fn groups(atlas: &Atlas, s: &SetAtlas, i: usize) -> Vec<SpineGroup> {
    let slot = s.seats[i].nation.map(nation_slot);
    let nation = s.seats[i].nation.map_or("its nation", |n| n.name());
    let mut order: Vec<usize> = (0..atlas.indicators.len()).collect();
    order.sort_by_key(|&k| {
        let id = atlas.indicators[k].id.as_str();
        (
            theme(id),
            STEM_SUMMARY.iter().position(|x| *x == id).unwrap_or(0),
            k,
        )
    });
    let mut groups: Vec<SpineGroup> = Vec::new();
    for k in order {
        let d = &atlas.indicators[k];
        let chart = slot.and_then(|slot| chart_of(atlas, s, i, k, slot));
        let [spread, at95, at998, svg] =
            chart.unwrap_or_else(|| ["–".into(), "–".into(), "–".into(), String::new()]);
        let row = SpineRow {
            row: crate::pages::profile_row(atlas, s, i, k),
            spread,
            at95,
            at998,
            svg,
        };
        let t = theme(&d.id);
        match groups.last_mut() {
            Some(g) if g.title == THEMES[t] => g.rows.push(row),
            _ => groups.push(SpineGroup {
                title: THEMES[t],
                anchor: format!("spine-{t}"),
                rows: vec![row],
                summary: String::new(),
            }),
        }
    }
    for g in &mut groups {
        let count = |p: &str| g.rows.iter().filter(|r| r.at95.starts_with(p)).count();
        let (h, l, si, nt) = (
            count("significantly higher"),
            count("significantly lower"),
            count("similar"),
            count("not tested"),
        );
        let charted = g.rows.iter().filter(|r| !r.svg.is_empty()).count();
        let mut summary = format!(
            "{} indicators: {h} significantly higher than the {nation} value, {si} similar, {l} significantly lower (95% intervals); {nt} not tested, having no sampling interval",
            g.rows.len()
        );
        if charted < g.rows.len() {
            summary.push_str(&format!(
                "; {} not compared (no figure for this seat, or none for {nation})",
                g.rows.len() - charted
            ));
        }
        summary.push('.');
        g.summary = summary;
    }
    groups
}

/// The legend's marker for a kind of verdict (inline SVG, decorative: the
/// text beside it says what it is); the first also defines the markers'
/// shapes, which the charts use.
pub fn legend() -> Vec<(String, &'static str)> {
    let t = |c| Verdict::Tested {
        at95: c,
        at998: None,
        widened: false,
    };
    let item = |v: Verdict, fill: &str, defs: bool| {
        let defs = if defs {
            let shapes: String = SHAPES.iter().map(|(_, e)| *e).collect();
            format!("<defs>{shapes}</defs>")
        } else {
            String::new()
        };
        format!(
            "<svg class=\"spine-key\" viewBox=\"0 0 14 14\" aria-hidden=\"true\" focusable=\"false\">{defs}{}</svg>",
            marker(&v, 7.0, fill)
        )
    };
    vec![
        (
            item(t(Comparison::Higher), "b", true),
            "significantly higher (▲; blue when better, orange when worse, grey when neither)",
        ),
        (
            item(t(Comparison::Lower), "w", false),
            "significantly lower (▼; coloured the same way)",
        ),
        (
            item(t(Comparison::Similar), "s", false),
            "similar (● yellow)",
        ),
        (
            item(Verdict::NotTested(""), "x", false),
            "not tested: no sampling interval (◆ white)",
        ),
    ]
}

// ---------------------------------------------------------------- the API

#[derive(serde::Deserialize)]
pub struct SetQuery {
    boundaries: Option<String>,
}

#[derive(serde::Serialize)]
pub struct BenchmarkRow<'a> {
    pub indicator: &'a str,
    pub title: &'a str,
    pub theme: &'static str,
    pub unit: &'a str,
    pub period: &'a str,
    pub method: &'static str,
    pub value: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// The unweighted mean of the nation's seats' latest figures.
    pub nation_value: f64,
    /// `higher`, `similar` or `lower` at 95%; null when not tested.
    pub at_95: Option<&'static str>,
    /// The same at 99.8% (symmetric survey intervals only).
    pub at_99_8: Option<&'static str>,
    /// `better` or `worse` when significantly different on an indicator
    /// with a direction.
    pub judgement: Option<&'static str>,
    /// Why no test applies, when none does.
    pub not_tested: Option<&'static str>,
}

#[derive(serde::Serialize)]
pub struct BenchmarkOut<'a> {
    pub constituency: crate::wire::SeatSummary<'a>,
    pub boundaries: &'static str,
    pub nation: Option<&'static str>,
    pub method: &'static str,
    pub indicators: Vec<BenchmarkRow<'a>>,
}

pub const METHOD: &str = "Each indicator with a latest figure for the seat against its nation's value (the unweighted mean of the nation's seats' latest figures). Only survey sampling intervals are tested (the Annual Population Survey's 95% confidence intervals): similar when the nation's value lies inside the interval, higher or lower when the whole interval lies above or below it (OHID Fingertips' rule); at 99.8% the 95% half-width is scaled by 3.0902/1.9600 where the interval is symmetric. Other intervals bound suppressed, rounded or unplaced counts and other figures have none: no test applies.";

/// `/api/v1/constituencies/{code}/benchmark`.
pub async fn api(
    axum::extract::State(app): axum::extract::State<crate::Shared>,
    crate::P(code): crate::P,
    crate::Q(q): crate::Q<SetQuery>,
) -> Result<axum::response::Response, crate::HttpError> {
    let audience = crate::Audience::Api;
    let want = crate::boundaries(q.boundaries.as_deref(), audience)?;
    let (set, i) = crate::api::find_seat(&app, &code, want, audience)?;
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let seat = &s.seats[i];
    let slot = seat.nation.map(nation_slot);
    let mut rows = Vec::new();
    for (k, d) in atlas.indicators.iter().enumerate() {
        let series = &s.series[k];
        let (Some(o), Some(b)) = (series.latest(i), slot.and_then(|n| series.nation_mean[n]))
        else {
            continue;
        };
        let (Some(v), Some(verd)) = (o.value, verdict(o, b)) else {
            continue;
        };
        let (at_95, at_99_8, not_tested) = match verd {
            Verdict::Tested { at95, at998, .. } => (Some(at95.id()), at998.map(|c| c.id()), None),
            Verdict::NotTested(why) => (None, None, Some(why)),
        };
        let judgement = match (verd, d.direction) {
            (
                Verdict::Tested {
                    at95: Comparison::Higher,
                    ..
                },
                Direction::HigherIsBetter,
            )
            | (
                Verdict::Tested {
                    at95: Comparison::Lower,
                    ..
                },
                Direction::HigherIsWorse,
            ) => Some("better"),
            (
                Verdict::Tested {
                    at95: Comparison::Higher | Comparison::Lower,
                    ..
                },
                Direction::HigherIsBetter | Direction::HigherIsWorse,
            ) => Some("worse"),
            _ => None,
        };
        rows.push(BenchmarkRow {
            indicator: &d.id,
            title: &d.title,
            theme: THEMES[theme(&d.id)],
            unit: &d.unit,
            period: &o.period,
            method: o.method.id(),
            value: v,
            lower: o.lower,
            upper: o.upper,
            nation_value: b,
            at_95,
            at_99_8,
            judgement,
            not_tested,
        });
    }
    Ok(crate::api::json(&BenchmarkOut {
        constituency: crate::wire::SeatSummary::of(atlas, set, seat),
        boundaries: set.id(),
        nation: seat.nation.map(|n| n.name()),
        method: METHOD,
        indicators: rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(source: &str, method: Method, v: f64, lo: Option<f64>, hi: Option<f64>) -> Obs {
        Obs {
            period: "2021".into(),
            value: Some(v),
            lower: lo,
            upper: hi,
            flag: None,
            method,
            source: source.into(),
        }
    }

    #[test]
    fn only_survey_intervals_are_tested() {
        let aps = "nomis_aps_employment_by_occupation_soc2010_lad_2017_2022";
        // 0.12 (0.10 to 0.14) against 0.095: higher at 95%, similar at
        // 99.8% (0.0885 to 0.1515, see stemgap_stats::benchmark).
        let o = obs(aps, Method::Apportioned, 0.12, Some(0.10), Some(0.14));
        assert_eq!(
            verdict(&o, 0.095),
            Some(Verdict::Tested {
                at95: Comparison::Higher,
                at998: Some(Comparison::Similar),
                widened: false
            })
        );
        assert_eq!(
            verdict(&o, 0.16),
            Some(Verdict::Tested {
                at95: Comparison::Lower,
                at998: Some(Comparison::Lower),
                widened: false
            })
        );
        // Widened by a suppressed count: tested at 95% only.
        let w = obs(aps, Method::Apportioned, 0.12, Some(0.02), Some(0.14));
        assert_eq!(
            verdict(&w, 0.11),
            Some(Verdict::Tested {
                at95: Comparison::Similar,
                at998: None,
                widened: true
            })
        );
        // DfE suppression bounds: not a sampling interval.
        let dfe = obs(
            "dfe_fe_et_geography_detailed",
            Method::Apportioned,
            5.0,
            Some(4.0),
            Some(6.0),
        );
        assert!(
            matches!(verdict(&dfe, 9.0), Some(Verdict::NotTested(w)) if w.contains("not a sampling interval"))
        );
        // A Census share: no interval at all.
        let c = obs("census21_pcon2024_age", Method::Measured, 0.2, None, None);
        assert!(
            matches!(verdict(&c, 0.1), Some(Verdict::NotTested(w)) if w.contains("complete count"))
        );
        let mut missing = c.clone();
        missing.value = None;
        assert_eq!(verdict(&missing, 0.1), None);
    }

    #[test]
    fn words_say_better_or_worse_by_direction() {
        assert_eq!(
            words(Comparison::Higher, Direction::HigherIsBetter),
            "significantly higher (better)"
        );
        assert_eq!(
            words(Comparison::Higher, Direction::HigherIsWorse),
            "significantly higher (worse)"
        );
        assert_eq!(
            words(Comparison::Lower, Direction::Neutral),
            "significantly lower"
        );
        assert_eq!(
            words(Comparison::Similar, Direction::HigherIsWorse),
            "similar"
        );
    }

    #[test]
    fn themes_put_the_stem_summary_first() {
        assert_eq!(theme("stem_professionals_share"), 0);
        assert_eq!(theme("level4_share"), 0);
        assert_eq!(theme("level3_share"), 2);
        assert_eq!(theme("uk_imd_score"), 1);
        assert_eq!(theme("fe_achievements_per_1000"), 3);
        assert_eq!(theme("apprenticeship_qual_share"), 2);
        assert_eq!(theme("hei_count"), 4);
        assert_eq!(theme("jobs_share_manufacturing"), 5);
        assert_eq!(theme("age_65_plus_share"), 6);
        assert_eq!(theme("population_16_plus"), 6);
        assert_eq!(theme("fe_et_stem_female_share"), 7);
        assert_eq!(theme("fe_et_stem_female_share_enrolments"), 7);
        assert_eq!(theme("fe_et_stem_ethnic_minority_share"), 7);
        assert_eq!(theme("fe_et_stem_level3_share"), 3);
        assert_eq!(theme("ess_ssv_per_1000_staff"), 8);
        assert_eq!(THEMES[theme("ess_skills_gap_share")], "Skills shortages");
    }

    #[test]
    fn the_spine_centres_the_nation_value() {
        // Nation 0..10 with value 4: half-width max(4, 6) = 6, so 10 sits at
        // 80 + 72 = 152 and 0 at 80 − 48 = 32; the seat (7) at 116.
        let v = Verdict::NotTested("x");
        let values: Vec<f64> = (0..=10).map(f64::from).collect();
        let (svg, spread) = spine(&values, 4.0, 7.0, &v, Direction::Neutral);
        assert!(svg.contains("<path class=\"r\" d=\"M32 7H152\"/>"), "{svg}");
        assert!(
            svg.contains("<use href=\"#sp-x\" class=\"x\" x=\"116\"/>"),
            "{svg}"
        );
        assert_eq!(spread, [0.0, 2.5, 7.5, 10.0]);
    }
}
