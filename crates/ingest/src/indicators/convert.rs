//! Conversion of seat-level figures between the two boundary sets through
//! the seats' population overlaps (mySociety, mid-2019 population spread
//! across postcodes), flagged [`Method::Converted`].
//!
//! Only an indicator that has no figure at all in the other set for a period
//! is converted (so a figure measured or derived for a set always wins).
//!
//! * **Counts** are shared out: a source seat's count goes to each target
//!   seat in proportion to the share of the source seat's population living
//!   in it. Converting there and back keeps the total.
//! * **Shares, rates, scores and points** are averaged: a target seat gets the
//!   mean of the source seats' values weighted by the population they share
//!   with it. The mean is given only when the source seats with a value cover
//!   at least [`MIN_COVERAGE`] of the target seat's population; otherwise the
//!   figure is missing (not estimated).
//! * **Ranks and deciles** are not converted: they are positions within a
//!   set, and are recomputed per set where the data allows.
//!
//! Intervals are converted like the value (a conservative carry-over of the
//! bounds, not a new interval).

use super::Collector;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{
    BoundarySet, GssCode, IndicatorDef, Marker, Method, Nation, Observation, Symbol,
};
use stemgap_geography::Registry;
use stemgap_geography::Relation;
use stemgap_sources::{Location, SourceError};

/// The smallest share of a target seat's population that must be covered by
/// source seats with a value for an averaged figure to be given.
pub const MIN_COVERAGE: f64 = 0.95;

/// Indicators left unconverted although their unit converts: the KS2 and
/// GCSE English and maths shares were stored as percentages (a unit that was
/// not converted) until they became shares (0-1) like every share; they are
/// kept on their own (2010) set as before, because the 2024 set's one-page
/// brief has no room for two more rows. Converting them like Attainment 8
/// would be consistent; it needs the brief to make room first.
pub const NOT_CONVERTED: [&str; 2] = ["ks2_expected_pct", "ks4_a_c_pct"];

/// How a unit converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Shared out in proportion to population.
    Count,
    /// Population-weighted mean.
    Mean,
}

/// The conversion kind of an indicator unit; `None` for positions (rank,
/// decile) that are not converted.
pub fn kind_of(unit: &str) -> Option<Kind> {
    match unit {
        "count" => Some(Kind::Count),
        "share" | "rate" | "rate_per_1000" | "score" | "points" => Some(Kind::Mean),
        _ => None,
    }
}

/// One overlap: population living in both `from` (a source seat) and `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    pub from: GssCode,
    pub to: GssCode,
    pub population: f64,
}

/// Converts `values` (by source seat) to target seats.
///
/// Count: target = Σ value(from) × pop(from∩to) / pop(from), over the source
/// seats with a value. Mean: target = Σ value × pop(from∩to) / Σ pop(from∩to)
/// over source seats with a value, given only when they cover at least
/// `min_coverage` of the target's overlap population. Returns, per target,
/// the value or `None` (too little coverage).
pub fn convert(
    values: &HashMap<GssCode, f64>,
    overlaps: &[Overlap],
    kind: Kind,
    min_coverage: f64,
) -> BTreeMap<GssCode, Option<f64>> {
    let mut from_total: HashMap<GssCode, f64> = HashMap::default();
    let mut to_total: HashMap<GssCode, f64> = HashMap::default();
    for o in overlaps {
        *from_total.entry(o.from).or_default() += o.population;
        *to_total.entry(o.to).or_default() += o.population;
    }
    // (weighted sum, covered population)
    let mut acc: BTreeMap<GssCode, (f64, f64)> = BTreeMap::new();
    for o in overlaps {
        let e = acc.entry(o.to).or_default();
        let Some(v) = values.get(&o.from) else {
            continue;
        };
        match kind {
            Kind::Count => {
                let total = from_total[&o.from];
                if total > 0.0 {
                    e.0 += v * o.population / total;
                }
            }
            Kind::Mean => e.0 += v * o.population,
        }
        e.1 += o.population;
    }
    acc.into_iter()
        .map(|(to, (sum, covered))| {
            let total = to_total[&to];
            let value = match kind {
                // A seat whose population all lies in source seats without a
                // value has nothing converted to it.
                Kind::Count => (covered > 0.0).then_some(sum),
                Kind::Mean => {
                    (total > 0.0 && covered / total >= min_coverage).then(|| sum / covered)
                }
            };
            (to, value)
        })
        .collect()
}

/// The overlaps from `from_set` seats to the other set's seats.
fn overlaps(reg: &Registry, from_set: BoundarySet) -> Vec<Overlap> {
    reg.links_of(Relation::SeatOverlap { from: from_set })
        .filter_map(|l| {
            Some(Overlap {
                from: GssCode::parse(&l.from).ok()?,
                to: GssCode::parse(&l.to).ok()?,
                population: l.population.filter(|p| *p > 0.0)?,
            })
        })
        .collect()
}

fn other(set: BoundarySet) -> BoundarySet {
    match set {
        BoundarySet::Pcon2010 => BoundarySet::Pcon2024,
        BoundarySet::Pcon2024 => BoundarySet::Pcon2010,
    }
}

/// Converts every convertible indicator and period that exists in one set
/// only into the other set, and says so in its definition.
pub fn collect(reg: &Registry, out: &mut Collector) -> Result<(), SourceError> {
    let links = [
        (BoundarySet::Pcon2010, overlaps(reg, BoundarySet::Pcon2010)),
        (BoundarySet::Pcon2024, overlaps(reg, BoundarySet::Pcon2024)),
    ];
    // Read phase (borrowing the observations): what each conversion gives.
    // (to set, indicator, period, source, seat, value or missing, bounds)
    type Pending = (
        BoundarySet,
        Symbol,
        Symbol,
        Symbol,
        GssCode,
        Option<f64>,
        Option<(f64, f64)>,
    );
    let mut converted: Vec<(String, BoundarySet)> = Vec::new();
    let pending: Vec<Pending> = {
        let all = out.observations();
        // Observation indices by (set, indicator, period), built once.
        let mut groups: BTreeMap<(BoundarySet, &str, &str), Vec<usize>> = BTreeMap::new();
        for (i, o) in all.iter().enumerate() {
            if let Some(set) = o.boundary {
                groups
                    .entry((set, o.indicator.as_str(), o.period.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        // Every (indicator, set, period) to convert, in catalogue order ...
        let mut items = Vec::new();
        for def in out.definitions() {
            let Some(kind) = kind_of(&def.unit) else {
                continue;
            };
            if NOT_CONVERTED.contains(&def.id.as_str()) {
                continue;
            }
            for (from_set, overlaps) in &links {
                let to_set = other(*from_set);
                let periods = groups
                    .range((*from_set, def.id.as_str(), "")..)
                    .take_while(|((s, i, _), _)| *s == *from_set && *i == def.id)
                    .map(|((_, _, p), _)| *p)
                    .filter(|period| !groups.contains_key(&(to_set, def.id.as_str(), period)));
                for period in periods {
                    items.push((def, kind, *from_set, overlaps, period));
                    if !converted
                        .iter()
                        .any(|(id, s)| *id == def.id && *s == to_set)
                    {
                        converted.push((def.id.clone(), to_set));
                    }
                }
            }
        }
        // ... converted on every core, the results kept in that order.
        let convert_one = |&(def, kind, from_set, overlaps, period): &(
            &IndicatorDef,
            Kind,
            BoundarySet,
            &Vec<Overlap>,
            &str,
        )| {
            let to_set = other(from_set);
            let source_obs = &groups[&(from_set, def.id.as_str(), period)];
            let pick = |f: fn(&Observation) -> Option<f64>| -> HashMap<GssCode, f64> {
                source_obs
                    .iter()
                    .filter_map(|&i| Some((all[i].code, f(&all[i])?)))
                    .collect()
            };
            let source = source_obs
                .first()
                .map_or_else(|| Symbol::from(""), |&i| all[i].source.clone());
            let (id, period) = (Symbol::from(def.id.as_str()), Symbol::from(period));
            let value = convert(&pick(|o| o.value), overlaps, kind, MIN_COVERAGE);
            let lower = convert(&pick(|o| o.lower), overlaps, kind, MIN_COVERAGE);
            let upper = convert(&pick(|o| o.upper), overlaps, kind, MIN_COVERAGE);
            // Only seats of the nations the indicator covers and this
            // period's figures come from (Scotland's 2022 census is not
            // England's: English seats get no 2022 row).
            let covered: std::collections::BTreeSet<Nation> = source_obs
                .iter()
                .filter_map(|&i| reg.seat(from_set, all[i].code).map(|s| s.nation))
                .collect();
            let mut made: Vec<Pending> = Vec::new();
            for seat in reg.seats(to_set) {
                if !def.nations.contains(&seat.nation) || !covered.contains(&seat.nation) {
                    continue;
                }
                let v = value.get(&seat.code).copied().flatten();
                let bounds = match (
                    lower.get(&seat.code).copied().flatten(),
                    upper.get(&seat.code).copied().flatten(),
                ) {
                    (Some(lo), Some(hi)) if v.is_some() => Some((lo, hi)),
                    _ => None,
                };
                made.push((
                    to_set,
                    id.clone(),
                    period.clone(),
                    source.clone(),
                    seat.code,
                    v,
                    bounds,
                ));
            }
            made
        };
        super::par_map(&items, convert_one)
            .into_iter()
            .flatten()
            .collect()
    };
    // Write phase.
    out.reserve(pending.len());
    let at = Location::file("conversion between the boundary sets");
    for (to_set, id, period, source, code, value, bounds) in pending {
        match (value, bounds) {
            (Some(v), Some((lo, hi))) => out.push_bounded(
                to_set,
                code,
                &id,
                &period,
                (v, lo, hi),
                Method::Converted,
                &source,
                &at,
            )?,
            (Some(v), None) => out.push(
                to_set,
                code,
                &id,
                &period,
                stemgap_core::Cell::Value(v),
                Method::Converted,
                &source,
                &at,
            )?,
            (None, _) => out.push(
                to_set,
                code,
                &id,
                &period,
                stemgap_core::Cell::Missing(Marker::NotAvailable),
                Method::Converted,
                &source,
                &at,
            )?,
        }
    }
    let defs: Vec<IndicatorDef> = out.definitions().to_vec();
    for (id, to_set) in converted {
        let how = match kind_of(&defs.iter().find(|d| d.id == id).expect("defined").unit) {
            Some(Kind::Count) => "each seat's count shared among the other set's seats in proportion to the population they share",
            _ => "the population-weighted mean of the overlapping seats' values (missing where seats with a value cover less than 95% of the population)",
        };
        out.add_caveat(
            &id,
            &format!(
                "On the {}, converted from the other boundary set through the seats' population overlap (mySociety, mid-2019): {how}.",
                to_set.title().to_lowercase().replacen("westminster", "Westminster", 1)
            ),
        );
    }
    tracing::info!("boundary conversion done");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> GssCode {
        GssCode::parse(s).unwrap()
    }

    /// Old seats A, B; new seats X, Y. A = 100 people, 60 in X and 40 in Y;
    /// B = 50 people, all in Y.
    fn overlaps() -> Vec<Overlap> {
        let (a, b, x, y) = (
            code("E14000530"),
            code("E14000531"),
            code("E14001063"),
            code("E14001064"),
        );
        vec![
            Overlap {
                from: a,
                to: x,
                population: 60.0,
            },
            Overlap {
                from: a,
                to: y,
                population: 40.0,
            },
            Overlap {
                from: b,
                to: y,
                population: 50.0,
            },
        ]
    }

    #[test]
    fn counts_are_shared_and_means_weighted_by_hand() {
        let (a, b, x, y) = (
            code("E14000530"),
            code("E14000531"),
            code("E14001063"),
            code("E14001064"),
        );
        let values = [(a, 1000.0), (b, 300.0)].into_iter().collect();
        let c = convert(&values, &overlaps(), Kind::Count, MIN_COVERAGE);
        // X: 1000 × 60/100 = 600; Y: 1000 × 40/100 + 300 × 50/50 = 700.
        assert_eq!(c[&x], Some(600.0));
        assert_eq!(c[&y], Some(700.0));
        let shares = [(a, 0.2), (b, 0.5)].into_iter().collect();
        let m = convert(&shares, &overlaps(), Kind::Mean, MIN_COVERAGE);
        assert_eq!(m[&x], Some(0.2));
        // Y: (0.2 × 40 + 0.5 × 50) / 90 = 33/90.
        assert!((m[&y].unwrap() - 33.0 / 90.0).abs() < 1e-15);
        // Without B, Y is covered 40/90 < 95%: no mean is given.
        let only_a = [(a, 0.2)].into_iter().collect();
        assert_eq!(
            convert(&only_a, &overlaps(), Kind::Mean, MIN_COVERAGE)[&y],
            None
        );
        assert_eq!(kind_of("decile"), None);
        assert_eq!(kind_of("rate_per_1000"), Some(Kind::Mean));
    }

    proptest! {
        /// Counts converted keep their total, and so does the way back.
        #[test]
        fn there_and_back_keeps_totals(
            counts in proptest::collection::vec(0.0f64..1e5, 4),
            pops in proptest::collection::vec(1.0f64..1e4, 8),
        ) {
            let olds: Vec<GssCode> = (0..4).map(|i| code(&format!("E1400053{i}"))).collect();
            let news: Vec<GssCode> = (0..3).map(|i| code(&format!("E1400106{}", i + 3))).collect();
            // Every old seat overlaps two new seats; every new seat is reached.
            let mut ov = Vec::new();
            for (i, o) in olds.iter().enumerate() {
                ov.push(Overlap { from: *o, to: news[i % 3], population: pops[2 * i] });
                ov.push(Overlap { from: *o, to: news[(i + 1) % 3], population: pops[2 * i + 1] });
            }
            let values: HashMap<GssCode, f64> = olds.iter().copied().zip(counts.iter().copied()).collect();
            let there = convert(&values, &ov, Kind::Count, MIN_COVERAGE);
            let total: f64 = counts.iter().sum();
            let there_total: f64 = there.values().map(|v| v.unwrap()).sum();
            prop_assert!((there_total - total).abs() <= 1e-9 * total.max(1.0));
            let back_ov: Vec<Overlap> = ov.iter().map(|o| Overlap { from: o.to, to: o.from, population: o.population }).collect();
            let there_values: HashMap<GssCode, f64> = there.iter().map(|(k, v)| (*k, v.unwrap())).collect();
            let back = convert(&there_values, &back_ov, Kind::Count, MIN_COVERAGE);
            let back_total: f64 = back.values().map(|v| v.unwrap()).sum();
            prop_assert!((back_total - total).abs() <= 1e-9 * total.max(1.0));
        }

        /// A mean lies between the smallest and largest source values.
        #[test]
        fn means_stay_within_the_source_range(
            vals in proptest::collection::vec(-10.0f64..10.0, 2),
            pops in proptest::collection::vec(1.0f64..1e4, 3),
        ) {
            let ov = overlaps();
            let ov: Vec<Overlap> = ov.iter().zip(&pops).map(|(o, p)| Overlap { population: *p, ..*o }).collect();
            let values: HashMap<_, _> = [(ov[0].from, vals[0]), (ov[2].from, vals[1])].into_iter().collect();
            let (lo, hi) = (vals[0].min(vals[1]), vals[0].max(vals[1]));
            for v in convert(&values, &ov, Kind::Mean, MIN_COVERAGE).values().flatten() {
                prop_assert!(*v >= lo - 1e-12 && *v <= hi + 1e-12);
            }
        }
    }
}
