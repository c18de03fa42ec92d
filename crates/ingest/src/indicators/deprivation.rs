//! Deprivation per seat, rebuilt from the small-area indices of each nation:
//! England IMD 2019 and Wales WIMD 2019 (scores and ranks), Scotland SIMD
//! 2020v2 and Northern Ireland NIMDM 2017 (ranks only).
//!
//! A small area's weight in a seat is its population in the seat: for the
//! 2010-2024 set the whole mid-2019 population of the small area, which sits
//! in one seat by the postcode best fit; for the 2024 set mySociety's
//! population overlap (mid-2019 population spread across postcodes).
//!
//! * `imd_score`: population-weighted mean score (England and Wales only;
//!   the other nations publish no score).
//! * `imd_mean_rank`: population-weighted mean national rank of the small
//!   areas (1 = most deprived); the ordering basis in Scotland and NI.
//! * `imd_rank`: rank of the seat within its nation, 1 = most deprived (by
//!   score in England and Wales, by mean rank elsewhere).
//! * `imd_decile`: decile of seats within the nation, each holding a tenth
//!   of the nation's population (by the cumulative-population midpoint).
//! * `imd_most_deprived_share`: share of the seat's population in small
//!   areas ranked in the nation's most deprived 10% (rank ≤ ⌊N/10⌋).
//!
//! The four national indices measure different things in different years
//! and are not comparable with each other: compare seats across nations with
//! `uk_imd_score` instead.

use super::{Collector, Def};
use crate::build::Inputs;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Method, Nation};
use stemgap_geography::apportion::small_area_weight;
use stemgap_geography::Registry;
use stemgap_geography::Relation;
use stemgap_sources::{CsvOptions, CsvTable, Location, Problem, SourceError};

const POPULATION: &str = "small_area_population_2019";
const SCORES: &str = "mysociety_uk_imd_e_small_areas";
const BESTFIT: &str = "small_area11_to_pcon2010_bestfit_postcodes";
const OVERLAP: &str = "small_area11_to_pcon2024_overlap_mysociety";

/// Official rank files: (source, code column, rank column, nation, period).
const RANKS: [(&str, &str, &str, Nation, &str); 4] = [
    (
        "ons_imd2019_lsoa11_rank_england",
        "LSOA11CD",
        "IMD19",
        Nation::England,
        "2019",
    ),
    (
        "ons_wimd2019_lsoa11_rank_wales",
        "lsoa11cd",
        "wimd_2019",
        Nation::Wales,
        "2019",
    ),
    (
        "simd2020v2_datazone_ranks",
        "Data_Zone",
        "SIMD2020v2_Rank",
        Nation::Scotland,
        "2020",
    ),
    (
        "ons_nimdm2017_soa_rank_ni",
        "LSOA01CD",
        "IMD17",
        Nation::NorthernIreland,
        "2017",
    ),
];

fn period_of(nation: Nation) -> &'static str {
    RANKS.iter().find(|r| r.3 == nation).map_or("", |r| r.4)
}

/// Aggregates for one seat.
#[derive(Default, Clone, Copy)]
struct Acc {
    pop: f64,
    score_pop: f64,
    score_sum: f64,
    rank_sum: f64,
    most_deprived: f64,
}

/// `population` is [`read_population`]'s.
pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    population: &HashMap<String, f64>,
    out: &mut Collector,
) -> Result<(), SourceError> {
    let mut ranks: HashMap<String, f64> =
        HashMap::with_capacity_and_hasher(reg.small_areas.len(), Default::default());
    let mut cutoff: BTreeMap<Nation, f64> = BTreeMap::new();
    let mut sources = vec![POPULATION, SCORES, BESTFIT, OVERLAP];
    for (src, code_col, rank_col, nation, _) in RANKS {
        sources.push(src);
        let loaded = inputs.load(src)?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        let (c, r) = (t.column(code_col)?, t.column(rank_col)?);
        let mut n = 0usize;
        for row in t.rows() {
            let code = row.str(c).trim();
            if reg.small_areas.get(code) != Some(&nation) {
                return Err(row.error(
                    c,
                    Problem::UnknownCode(format!("{code:?}: not a small area of {nation}")),
                ));
            }
            let rank = row.number(r)?;
            if ranks.insert(code.to_owned(), rank).is_some() {
                return Err(row.error(c, Problem::Duplicate(code.to_owned())));
            }
            n += 1;
        }
        cutoff.insert(nation, (n / 10) as f64);
    }
    if let Some((code, nation)) = reg
        .small_areas
        .iter()
        .find(|(c, _)| !ranks.contains_key(*c))
    {
        let file = RANKS
            .iter()
            .find(|r| r.3 == *nation)
            .map_or(SCORES, |r| r.0);
        return Err(SourceError::new(
            Location::file(inputs.path_of(file)),
            Problem::Invalid(format!("small area {code} has no national rank")),
        ));
    }

    let defs = [
        ("imd_score", "Deprivation score (national index)", "Population-weighted mean of the national index score of the seat's small areas (England: IMD 2019; Wales: WIMD 2019). Higher is more deprived.", "score", Direction::HigherIsWorse, &[Nation::England, Nation::Wales][..]),
        ("imd_mean_rank", "Mean small-area deprivation rank (national index)", "Population-weighted mean of the national rank of the seat's small areas (1 = most deprived small area of the nation).", "rank", Direction::HigherIsBetter, &Nation::ALL[..]),
        ("imd_rank", "Deprivation rank within the nation", "Rank of the seat among the seats of its nation, 1 = most deprived: by imd_score in England and Wales, by imd_mean_rank in Scotland and Northern Ireland.", "rank", Direction::HigherIsBetter, &Nation::ALL[..]),
        ("imd_decile", "Deprivation decile within the nation", "Decile of the seat within its nation, 1 = most deprived, with each decile holding a tenth of the nation's population (a seat belongs to the decile containing the midpoint of its population in the cumulative ordering).", "decile", Direction::HigherIsBetter, &Nation::ALL[..]),
        ("imd_most_deprived_share", "Population in the nation's most deprived 10% of small areas", "Share of the seat's population living in small areas ranked in the most deprived 10% of its nation (rank at most one tenth of the nation's number of small areas).", "share", Direction::HigherIsWorse, &Nation::ALL[..]),
    ];
    let caveat = "Built from each nation's own index: England IMD 2019, Wales WIMD 2019, Scotland SIMD 2020v2, Northern Ireland NIMDM 2017. These are not comparable across nations; use uk_imd_score to compare seats across the UK. Weights are mid-2019 small-area populations; 2010-2024 seats use a best fit of whole small areas by postcode count, 2024 seats the population overlap.";
    for (id, title, definition, unit, direction, nations) in defs {
        out.define(
            Def {
                id,
                title,
                definition,
                unit,
                direction,
                sources: &sources,
                period: "2017-2020",
                nations,
                method: Method::Derived,
                caveats: caveat,
            }
            .build(),
        );
    }

    for set in BoundarySet::ALL {
        let mut acc: HashMap<GssCode, Acc> = HashMap::default();
        for link in reg.links_of(Relation::SmallAreaToSeat(set)) {
            let seat = GssCode::parse(&link.to).expect("links hold registry codes");
            let nation = reg.small_areas[&link.from];
            if seat.nation() != Some(nation) {
                continue; // a cross-border sliver: the seat's own nation's index applies
            }
            let w = small_area_weight(link, |a| population.get(a).copied())
                .expect("read_population has checked every small area has one");
            let a = acc.entry(seat).or_default();
            let rank = ranks[&link.from];
            a.pop += w;
            a.rank_sum += w * rank;
            if rank <= cutoff[&nation] {
                a.most_deprived += w;
            }
            if let Some(score) = reg.small_area_scores.get(&link.from) {
                a.score_pop += w;
                a.score_sum += w * score;
            }
        }
        for nation in Nation::ALL {
            let mut seats: Vec<(GssCode, Acc)> = reg
                .seats(set)
                .iter()
                .filter(|s| s.nation == nation)
                .map(|s| (s.code, acc.get(&s.code).copied().unwrap_or_default()))
                .collect();
            // The file that gives this set's small-area weights.
            let at = Location::file(inputs.path_of(match set {
                BoundarySet::Pcon2010 => BESTFIT,
                BoundarySet::Pcon2024 => OVERLAP,
            }));
            if let Some((code, _)) = seats.iter().find(|(_, a)| a.pop <= 0.0) {
                return Err(SourceError::new(
                    at.clone(),
                    Problem::Invalid(format!(
                        "seat {code} ({}) has no populated small area",
                        set.id()
                    )),
                ));
            }
            let key = |a: &Acc| match nation {
                // Higher score = more deprived; lower mean rank = more deprived.
                Nation::England | Nation::Wales => -(a.score_sum / a.score_pop),
                _ => a.rank_sum / a.pop,
            };
            seats.sort_by(|x, y| key(&x.1).total_cmp(&key(&y.1)).then(x.0.cmp(&y.0)));
            let weights: Vec<f64> = seats.iter().map(|(_, a)| a.pop).collect();
            let deciles = stemgap_stats::weighted_groups(&weights, 10)
                .expect("seat populations are positive");
            let period = period_of(nation);
            for (i, ((code, a), decile)) in seats.iter().zip(deciles).enumerate() {
                let mut push = |id: &str, v: f64| {
                    out.push(
                        set,
                        *code,
                        id,
                        period,
                        Cell::Value(v),
                        Method::Derived,
                        SCORES,
                        &at,
                    )
                };
                if matches!(nation, Nation::England | Nation::Wales) {
                    push("imd_score", a.score_sum / a.score_pop)?;
                }
                push("imd_mean_rank", a.rank_sum / a.pop)?;
                push("imd_rank", (i + 1) as f64)?;
                push("imd_decile", decile as f64)?;
                push("imd_most_deprived_share", a.most_deprived / a.pop)?;
            }
        }
    }
    Ok(())
}

/// Mid-2019 population per small area, every small area of the registry
/// (read once, for the deprivation and the MSOA weights). The file's last
/// row, "Grand Total", is wrong (SOURCES.md) and is skipped; any other
/// unknown code, a duplicate, a negative count or a missing area is an
/// error.
pub fn read_population(
    inputs: &Inputs<'_>,
    reg: &Registry,
) -> Result<HashMap<String, f64>, SourceError> {
    let loaded = inputs.load(POPULATION)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    t.expect_headers(&["lsoa", "pop"])?;
    let mut pop = HashMap::with_capacity_and_hasher(t.len(), Default::default());
    for row in t.rows() {
        let code = row.str(0).trim();
        if code == "Grand Total" {
            continue;
        }
        if !reg.small_areas.contains_key(code) {
            return Err(row.error(
                0,
                Problem::UnknownCode(format!("{code:?}: not a known small area")),
            ));
        }
        let v = row.number(1)?;
        if v < 0.0 {
            return Err(row.error(1, Problem::Invalid(format!("negative population {v}"))));
        }
        if pop.insert(code.to_owned(), v).is_some() {
            return Err(row.error(0, Problem::Duplicate(code.to_owned())));
        }
    }
    if let Some(code) = reg.small_areas.keys().find(|c| !pop.contains_key(*c)) {
        return Err(SourceError::new(
            loaded.location.clone(),
            Problem::Invalid(format!("no population for small area {code}")),
        ));
    }
    Ok(pop)
}
