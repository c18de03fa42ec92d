//! F8, skills shortages: employers' skills-shortage vacancies (SSVs, the
//! Employer Skills Survey) against deprivation and against local STEM
//! supply — where are shortages high while local supply is low? A finding
//! the 2023 report did not make: it asked for "more detailed information on
//! skills shortages, particularly in relation to low and medium level STEM
//! skills".
//!
//! The survey publishes upper-tier authorities (152 in England), shared to
//! seats by population, so the seats of one authority carry one figure:
//! every interval treats whole upper-tier authorities as the independent
//! units (a cluster bootstrap for the deprivation contrasts, CR2
//! cluster-robust t for the slopes) and says how many. Where the seats'
//! upper tiers are not known it falls back to seats and says the interval is
//! too narrow.

use crate::data::{nation_list, Dataset, Table};
use crate::inference::seed;
use crate::text::{ci, excludes, num, p};
use crate::{Exclusion, Finding, Ledger, Verdict, LEVEL, REPLICATES};
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{BoundarySet, GssCode, Nation};
use stemgap_stats::{
    cluster_contrast, cluster_robust, weighted_quantile_groups_by, ClusterCov, ClusteredGroup,
    Contrast, OlsOptions,
};

const ENGLAND: &[Nation] = &[Nation::England];
const DEPRIVATION: &str = "imd_score";
const POPULATION: &str = "population";
/// Skills-shortage vacancies per 1,000 staff (2019): F8's headline measure.
pub const SHORTAGE: &str = "ess_ssv_per_1000_staff";
/// The middle-skill share of SSVs (2017).
pub const MIDDLE_SKILL: &str = "ess_ssv_middle_skill_share";
/// Local STEM supply: the census Level 4+ share, and adult STEM FE
/// achievements in the academic year the 2019 survey began.
pub const LEVEL4: &str = "level4_share";
pub const FE_STEM: &str = "fe_et_stem_achievements_per_1000";
const FE_YEAR: &str = "2018/19";

/// F8: shortages by deprivation, and against local STEM supply.
pub fn f8(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F8",
        "Skills shortages: employers' skills-shortage vacancies against deprivation and local STEM supply",
    );
    for set in [BoundarySet::Pcon2024, BoundarySet::Pcon2010] {
        f.parts.push(by_deprivation(data, set, SHORTAGE));
        f.parts.push(against_supply(data, set, LEVEL4));
        f.parts.push(against_supply(data, set, FE_STEM));
        f.parts.push(by_deprivation(data, set, MIDDLE_SKILL));
    }
    f.report = Some(Ledger {
        claim: "The 2023 report asked for more detailed information on skills shortages, particularly in relation to low and medium level STEM skills; it gave no figure on shortages by area.".into(),
        report_value: None,
        comparable: "New: the Employer Skills Survey 2019 (skills-shortage vacancies) and 2017 (by occupation), published for upper-tier authorities and apportioned to seats.".into(),
        verdict: Verdict::BeyondTheReport,
        rule: "A finding the report did not make: no verdict on a claim.".into(),
    });
    // The headline fields are lifted from the first estimated part by
    // `compute` (`analyses::lift_headline`), as for every finding.
    f
}

/// The upper-tier cluster of each seat of a table, or seats when any is
/// unknown (`false`).
fn clusters(data: &Dataset, set: BoundarySet, codes: &[GssCode]) -> (Vec<usize>, bool) {
    let keys: Option<Vec<&str>> = codes.iter().map(|&c| data.upper_tier(set, c)).collect();
    match keys {
        Some(keys) => {
            let distinct: BTreeMap<&str, usize> = keys
                .iter()
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .enumerate()
                .map(|(i, k)| (k, i))
                .collect();
            (keys.iter().map(|k| distinct[k]).collect(), true)
        }
        None => ((0..codes.len()).collect(), false),
    }
}

fn start(data: &Dataset, set: BoundarySet, id: String, title: String, ids: &[&str]) -> Finding {
    let mut f = Finding::new(id, title);
    f.boundaries = vec![set.id().to_owned()];
    f.nations = ENGLAND.iter().map(|n| n.name().to_owned()).collect();
    f.indicators = ids
        .iter()
        .map(|id| {
            let p = if *id == FE_STEM {
                Some(FE_YEAR)
            } else {
                data.period(set, id)
            };
            match p {
                Some(p) => format!("{id} ({p})"),
                None => (*id).to_owned(),
            }
        })
        .collect();
    f
}

fn excluded(t: &Table) -> Vec<Exclusion> {
    t.excluded
        .iter()
        .map(|(reason, codes)| Exclusion {
            reason: reason.clone(),
            count: codes.len(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
        })
        .collect()
}

/// Whether the measure is a share (shown in percent), its unit, and how it
/// is said (with its verb).
fn describe(y: &str) -> (f64, &'static str, &'static str, &'static str) {
    if y == MIDDLE_SKILL {
        (
            100.0,
            "percentage points",
            "middle-skill occupations' share of skills-shortage vacancies",
            "was",
        )
    } else {
        (
            1.0,
            "SSVs per 1,000 staff",
            "skills-shortage vacancies per 1,000 staff",
            "were",
        )
    }
}

/// Most minus least deprived population-weighted fifth of English seats.
fn by_deprivation(data: &Dataset, set: BoundarySet, y: &str) -> Finding {
    let (scale, unit, what, verb) = describe(y);
    let ids = [y, DEPRIVATION, POPULATION];
    let mut f = start(
        data,
        set,
        format!("F8/{}/{y}/deprivation", set.id()),
        format!(
            "{}: most vs least deprived fifth of seats",
            capitalise(what)
        ),
        &ids,
    );
    f.unit = unit.into();
    if let Some(missing) = ids.iter().find(|id| !data.has(set, id)) {
        f.statement = format!(
            "Not estimated: no figures for {missing} on the {} seats (the source is not in this build).",
            set.title()
        );
        return f;
    }
    let t = data.table(set, &ids, ENGLAND);
    f.excluded = excluded(&t);
    let (ys, xs, w) = (t.col(0), t.col(1), t.col(2));
    let groups = match weighted_quantile_groups_by(&xs, &xs, &w, 5) {
        Ok(g) => g,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    let (ids_of, by_upper) = clusters(data, set, &t.codes);
    let pick = |g: usize| -> (Vec<f64>, Vec<usize>) {
        (0..ys.len())
            .filter(|&i| groups.group[i] == g)
            .map(|i| (scale * ys[i], ids_of[i]))
            .unzip()
    };
    for g in 1..=5 {
        let (v, _) = pick(g);
        if !v.is_empty() {
            f.details.insert(
                format!("mean_fifth_{g}"),
                v.iter().sum::<f64>() / v.len() as f64,
            );
        }
    }
    let ((most, most_ids), (least, least_ids)) = (pick(5), pick(1));
    let group = |values, clusters| ClusteredGroup {
        values,
        weights: None,
        clusters,
    };
    let c = match cluster_contrast(
        group(&most, &most_ids),
        group(&least, &least_ids),
        Contrast::Difference,
        LEVEL,
        REPLICATES,
        seed(&f.id),
    ) {
        Ok(c) => c,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    crate::analyses::put_contrast(&mut f, &c, by_upper);
    f.method = format!(
        "{} seats split into five groups of equal population by {DEPRIVATION} ({}); {}",
        nation_list(ENGLAND),
        groups.method,
        c.method,
    );
    f.inference = inference_words(by_upper, c.clusters, c.replicates, c.seed);
    let period = data.period(set, y).unwrap_or("latest year");
    let direction = if c.estimate >= 0.0 { "higher" } else { "lower" };
    let (a, b, d) = if scale == 100.0 {
        (
            format!("{}%", num(c.mean_a)),
            format!("{}%", num(c.mean_b)),
            format!("{} percentage points", num(c.estimate.abs())),
        )
    } else {
        (num(c.mean_a), num(c.mean_b), num(c.estimate.abs()))
    };
    let verdict = if excludes(c.ci.0, c.ci.1, 0.0) {
        ""
    } else {
        " The interval includes no difference."
    };
    f.statement = format!(
        "In England ({}, employer survey {period}), {what} {verb} {a} in the most deprived fifth of seats and {b} in the least deprived fifth: {d} {direction} ({}; {} and {} seats{}).{verdict}",
        set.title(),
        ci(c.ci.0, c.ci.1, ""),
        c.n_a,
        c.n_b,
        if by_upper {
            format!(" in {} upper-tier authorities", c.clusters)
        } else {
            String::new()
        },
    );
    f
}

/// The slope of SSV density on a measure of local STEM supply, with the
/// seats where shortages are high while supply is low.
fn against_supply(data: &Dataset, set: BoundarySet, x: &str) -> Finding {
    let (per, x_words, x_unit, x_more) = if x == LEVEL4 {
        (
            10.0,
            "the share of residents qualified to Level 4 or above",
            "10 percentage points",
            "a share of residents qualified to Level 4 or above 10 points higher",
        )
    } else {
        (
            1.0,
            "adult STEM FE achievements per 1,000 adults",
            "one achievement per 1,000 adults",
            "one more adult STEM FE achievement per 1,000 adults",
        )
    };
    let ids = [SHORTAGE, x];
    let mut f = start(
        data,
        set,
        format!("F8/{}/{SHORTAGE}/{x}", set.id()),
        format!("Skills-shortage vacancies per 1,000 staff against {x_words}"),
        &ids,
    );
    f.unit = format!("SSVs per 1,000 staff per {x_unit}");
    if let Some(missing) = ids.iter().find(|id| !data.has(set, id)) {
        f.statement = format!(
            "Not estimated: no figures for {missing} on the {} seats (the source is not in this build).",
            set.title()
        );
        return f;
    }
    let fe_year = data.periods(set, FE_STEM).contains(&FE_YEAR);
    let t = data.table_with(set, &ids, ENGLAND, |id, code| {
        if id == FE_STEM && fe_year {
            data.figure_at(set, id, FE_YEAR, code).map(|f| f.value)
        } else {
            data.figure(set, id, code).map(|f| f.value)
        }
    });
    f.excluded = excluded(&t);
    let ys = t.col(0);
    // Level 4+ in percent, so the slope is per point (reported per 10).
    let xs: Vec<f64> = t
        .col(1)
        .iter()
        .map(|v| if x == LEVEL4 { 100.0 * v } else { *v })
        .collect();
    let (ids_of, by_upper) = clusters(data, set, &t.codes);
    let fit = match cluster_robust(&ys, &[&xs], &ids_of, &OlsOptions::default()) {
        Ok(fit) => fit,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    let cov = ClusterCov::CR2;
    let (Some((lo, hi)), Some(pv), Some((_, df))) = (
        fit.conf_int(1, cov, LEVEL),
        fit.p_value(1, cov),
        fit.se_df(1, cov),
    ) else {
        f.statement =
            "Not estimated: the cluster-robust standard error could not be computed.".into();
        return f;
    };
    let slope = per * fit.coef[1];
    f.n = fit.n;
    f.clusters = by_upper.then_some(fit.clusters);
    f.estimate = Some(slope);
    f.ci_low = Some(per * lo);
    f.ci_high = Some(per * hi);
    f.p_value = Some(pv);
    f.details.insert("df".into(), df);
    f.details.insert("intercept".into(), fit.coef[0]);
    f.method = format!(
        "least squares of {SHORTAGE} on {x}{} across {} seats, unweighted; slope per {x_unit}",
        if x == FE_STEM && fe_year {
            format!(" ({FE_YEAR})")
        } else {
            String::new()
        },
        nation_list(ENGLAND),
    );
    f.inference = if by_upper {
        format!(
            "{} with whole upper-tier authorities as clusters ({} authorities): the survey's figures are authority figures shared among seats",
            cov.name(),
            fit.clusters
        )
    } else {
        format!(
            "{} with seats as clusters; the seats' upper-tier authorities are not known here, so this interval treats seats of one authority as independent and is too narrow",
            cov.name()
        )
    };
    // Where shortages are high while supply is low: the top fifth of seats
    // for SSV density and the bottom fifth for supply.
    let (high, low) = (fifth(&ys, true), fifth(&xs, false));
    let both: Vec<usize> = (0..ys.len()).filter(|&i| high[i] && low[i]).collect();
    let authorities: BTreeSet<usize> = both.iter().map(|&i| ids_of[i]).collect();
    f.details
        .insert("seats_high_shortage_low_supply".into(), both.len() as f64);
    if by_upper {
        f.details.insert(
            "authorities_high_shortage_low_supply".into(),
            authorities.len() as f64,
        );
    }
    f.seats.insert(
        "high_shortage_low_supply".into(),
        both.iter().map(|&i| t.codes[i].to_string()).collect(),
    );
    let direction = if slope >= 0.0 { "more" } else { "fewer" };
    let verdict = if excludes(per * lo, per * hi, 0.0) {
        String::new()
    } else {
        " The interval includes no slope.".into()
    };
    let place = if by_upper {
        format!(
            " in {} upper-tier authorit{}",
            authorities.len(),
            if authorities.len() == 1 { "y" } else { "ies" }
        )
    } else {
        String::new()
    };
    f.statement = format!(
        "Across England's seats ({}), {x_more} goes with {} {direction} skills-shortage vacancies per 1,000 staff ({}, {}; {} seats{}).{verdict} {} seats{place} are both in the top fifth for skills-shortage vacancies and in the bottom fifth for {x_words}.",
        set.title(),
        num(slope.abs()),
        ci(per * lo, per * hi, ""),
        p(pv),
        fit.n,
        if by_upper {
            format!(", {} upper-tier authorities", fit.clusters)
        } else {
            String::new()
        },
        both.len(),
    );
    f
}

/// Whether each value is in the top (or bottom) fifth: rank (1 = most
/// extreme, ties sharing the best) at most ⌈n/5⌉.
fn fifth(values: &[f64], top: bool) -> Vec<bool> {
    let n = values.len();
    let cut = n.div_ceil(5);
    values
        .iter()
        .map(|v| {
            let beyond = values
                .iter()
                .filter(|w| if top { *w > v } else { *w < v })
                .count();
            beyond < cut
        })
        .collect()
}

fn inference_words(by_upper: bool, clusters: usize, replicates: usize, seed: u64) -> String {
    if by_upper {
        format!(
            "percentile bootstrap resampling whole upper-tier authorities ({clusters} authorities, {replicates} replicates, seed {seed}): the survey's figures are authority figures shared among seats"
        )
    } else {
        format!(
            "percentile bootstrap of seats ({replicates} replicates, seed {seed}); the seats' upper-tier authorities are not known here, so this interval treats seats of one authority as independent and is too narrow"
        )
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Seat;
    use stemgap_core::{IndicatorDef, Observation};

    fn def(id: &str) -> IndicatorDef {
        crate::testkit::def(id, "share", "2019")
    }

    fn obs(code: GssCode, id: &str, v: f64) -> Observation {
        crate::testkit::obs(code, id, "2019", v)
    }

    fn codes() -> Vec<GssCode> {
        (0..20)
            .map(|i| GssCode::parse(&format!("E140011{i:02}")).unwrap())
            .collect()
    }

    /// 20 seats of equal population, deprivation rising with the index;
    /// seats 2k and 2k + 1 share an upper-tier authority and its figure:
    /// 10 SSVs per 1,000 staff in the least deprived fifth, 6 in the most,
    /// and the Level 4+ share falling as deprivation rises.
    fn dataset() -> Dataset {
        let seats = codes()
            .iter()
            .map(|c| Seat {
                code: *c,
                name: c.to_string(),
                nation: Nation::England,
                region: None,
            })
            .collect();
        let mut o = Vec::new();
        for (i, c) in codes().iter().enumerate() {
            let ssv = 10.0 - 0.2 * (i / 2 * 2) as f64;
            o.push(obs(*c, SHORTAGE, ssv));
            o.push(obs(*c, DEPRIVATION, 10.0 + i as f64));
            o.push(obs(*c, POPULATION, 1000.0));
            o.push(obs(
                *c,
                LEVEL4,
                0.5 - 0.01 * i as f64 + 0.003 * (i % 3) as f64,
            ));
        }
        Dataset::new(
            BTreeMap::from([(BoundarySet::Pcon2024, seats)]),
            vec![
                def(SHORTAGE),
                def(DEPRIVATION),
                def(POPULATION),
                def(LEVEL4),
            ],
            &o,
            &[],
        )
    }

    #[test]
    fn shortages_by_deprivation_and_supply_are_clustered_by_upper_tier() {
        let upper: Vec<_> = codes()
            .iter()
            .enumerate()
            .map(|(i, c)| (BoundarySet::Pcon2024, *c, format!("E1000000{}", i / 2)))
            .collect();
        let f = f8(&dataset().with_upper_tiers(&upper));
        assert_eq!(f.report.as_ref().unwrap().verdict, Verdict::BeyondTheReport);
        let d = &f.parts[0];
        assert_eq!(d.id, "F8/2024/ess_ssv_per_1000_staff/deprivation");
        // Most deprived fifth (seats 16-19): 6.8, 6.8, 6.4, 6.4 → 6.6; least
        // (0-3): 10, 10, 9.6, 9.6 → 9.8; difference −3.2.
        let est = d.estimate.unwrap();
        assert!((est + 3.2).abs() < 1e-9, "{est}");
        assert_eq!(d.n, 8);
        assert_eq!(d.clusters, Some(4));
        assert!(d.ci_low.unwrap() <= est && est <= d.ci_high.unwrap());
        assert!(
            d.inference
                .contains("upper-tier authorities (4 authorities"),
            "{}",
            d.inference
        );
        assert!(
            d.statement.contains("were 6.60 in the most deprived fifth of seats and 9.80 in the least deprived fifth: 3.20 lower"),
            "{}",
            d.statement
        );
        // Against Level 4+: positive slope (both fall with deprivation),
        // 10 clusters, CR2.
        let s = &f.parts[1];
        assert_eq!(s.id, "F8/2024/ess_ssv_per_1000_staff/level4_share");
        assert!(s.estimate.unwrap() > 0.0);
        assert_eq!((s.n, s.clusters), (20, Some(10)));
        assert!(s.inference.starts_with("CR2"), "{}", s.inference);
        // High shortage and low supply never meet here.
        assert_eq!(s.details["seats_high_shortage_low_supply"], 0.0);
        // No FE or 2017 figures: said, not estimated.
        for p in [&f.parts[2], &f.parts[3]] {
            assert_eq!(p.estimate, None);
            assert!(
                p.statement.starts_with("Not estimated: no figures for"),
                "{}",
                p.statement
            );
        }
        // Without upper tiers: seats, and it says the interval is too narrow.
        let g = f8(&dataset());
        assert_eq!(g.parts[0].clusters, None);
        assert_eq!(g.parts[0].estimate, d.estimate);
        assert!(g.parts[0].inference.contains("too narrow"));
        assert!(g.parts[1].inference.contains("too narrow"));
    }

    #[test]
    fn fifths_count_ties_together() {
        assert_eq!(
            fifth(&[1.0, 5.0, 5.0, 3.0, 2.0], true),
            [false, true, true, false, false]
        );
        assert_eq!(
            fifth(&[1.0, 5.0, 5.0, 3.0, 2.0], false),
            [true, false, false, false, false]
        );
    }
}
