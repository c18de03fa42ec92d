//! F7, inclusion in STEM further education: women's and ethnic minorities'
//! share of adult FE STEM achievements across the deprivation fifths of
//! English seats. A finding the 2023 report did not make (its group's own
//! remit).
//!
//! The shares are DfE authority figures apportioned to seats, so the seats
//! of one authority share one figure: the interval resamples whole local
//! authorities (a cluster bootstrap), and says how many; where the seats'
//! authorities are not known it falls back to seats and says the interval
//! is too narrow.

use crate::data::{nation_list, Dataset};
use crate::inference::{cluster_ids, seed, Inference};
use crate::text::{ci, excludes, lower_first, num};
use crate::{Finding, Ledger, Verdict, LEVEL, REPLICATES};
use stemgap_core::{BoundarySet, Nation};
use stemgap_stats::{
    cluster_contrast, sums_bootstrap, weighted_quantile_groups_by, ClusteredGroup, Contrast,
};

const ENGLAND: &[Nation] = &[Nation::England];
const DEPRIVATION: &str = "imd_score";
const POPULATION: &str = "population";
/// The shares F7 compares, with whose share they are (as a possessive and
/// as a subject).
pub const F7_MEASURES: [(&str, &str, &str); 2] = [
    ("fe_et_stem_female_share", "Women's", "women"),
    (
        "fe_et_stem_ethnic_minority_share",
        "Ethnic minorities'",
        "ethnic minorities",
    ),
];

/// F7: the shares in the most vs the least deprived fifth of seats.
pub fn f7(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F7",
        "Inclusion: women's and ethnic minorities' share of adult FE STEM achievements by deprivation",
    );
    for set in [BoundarySet::Pcon2024, BoundarySet::Pcon2010] {
        for (y, whose, who) in F7_MEASURES {
            f.parts.push(share_gap(data, set, y, whose, who));
        }
    }
    // Over time (2024 seats): the gap in every year, and whether it closed.
    for (y, whose, who) in F7_MEASURES {
        f.parts
            .extend(over_time(data, BoundarySet::Pcon2024, y, whose, who));
    }
    f.report = Some(Ledger {
        claim: "The 2023 report set demographics beside STEM measures but did not cross them: it made no claim about who takes STEM further education in deprived areas.".into(),
        report_value: None,
        comparable: "New: DfE adult education and training achievements by sex and ethnicity (2015/16-2020/21), apportioned from authorities.".into(),
        verdict: Verdict::BeyondTheReport,
        rule: "A finding the report did not make: no verdict on a claim.".into(),
    });
    // The headline fields are lifted from the first estimated part by
    // `compute` (`analyses::lift_headline`), as for every finding.
    f
}

/// The difference in a share between the most and the least deprived
/// population-weighted fifth of English seats, in percentage points.
fn share_gap(data: &Dataset, set: BoundarySet, y: &str, whose: &str, who: &str) -> Finding {
    let mut f = Finding::new(
        format!("F7/{}/{y}", set.id()),
        format!(
            "{whose} share of adult FE STEM achievements: most vs least deprived fifth of seats"
        ),
    );
    f.boundaries = vec![set.id().to_owned()];
    f.nations = ENGLAND.iter().map(|n| n.name().to_owned()).collect();
    f.unit = "percentage points".into();
    let ids = [y, DEPRIVATION, POPULATION];
    f.indicators = ids
        .iter()
        .map(|id| match data.period(set, id) {
            Some(p) => format!("{id} ({p})"),
            None => (*id).to_owned(),
        })
        .collect();
    if let Some(missing) = ids.iter().find(|id| !data.has(set, id)) {
        f.statement = format!(
            "Not estimated: no figures for {missing} on the {} seats (the source is not in this build).",
            set.title()
        );
        return f;
    }
    let t = data.table(set, &ids, ENGLAND);
    f.excluded = t
        .excluded
        .iter()
        .map(|(reason, codes)| crate::Exclusion {
            reason: reason.clone(),
            count: codes.len(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
        })
        .collect();
    let (ys, xs, w) = (t.col(0), t.col(1), t.col(2));
    let groups = match weighted_quantile_groups_by(&xs, &xs, &w, 5) {
        Ok(g) => g,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    let pick = |g: usize| -> Vec<f64> {
        (0..ys.len())
            .filter(|&i| groups.group[i] == g)
            .map(|i| 100.0 * ys[i])
            .collect()
    };
    for g in 1..=5 {
        let v = pick(g);
        if !v.is_empty() {
            f.details.insert(
                format!("mean_fifth_{g}"),
                v.iter().sum::<f64>() / v.len() as f64,
            );
        }
    }
    let (most, least) = (pick(5), pick(1));
    // Authorities as clusters where known; seats otherwise (said below).
    let (clusters, by_authority) = match cluster_ids(data, set, &t.codes, Inference::Authority) {
        Ok(ids) => (ids, true),
        Err(_) => ((0..t.n()).collect(), false),
    };
    let ids_of = |g: usize| -> Vec<usize> {
        (0..ys.len())
            .filter(|&i| groups.group[i] == g)
            .map(|i| clusters[i])
            .collect()
    };
    let (most_ids, least_ids) = (ids_of(5), ids_of(1));
    let group = |values, clusters| ClusteredGroup {
        values,
        weights: None,
        clusters,
    };
    let id = f.id.clone();
    let c = match cluster_contrast(
        group(&most, &most_ids),
        group(&least, &least_ids),
        Contrast::Difference,
        LEVEL,
        REPLICATES,
        seed(&id),
    ) {
        Ok(c) => c,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    crate::analyses::put_contrast(&mut f, &c, by_authority);
    f.method = format!(
        "{nations} seats split into five groups of equal population by {DEPRIVATION} ({}); {}; shares in percent",
        groups.method,
        c.method,
        nations = nation_list(ENGLAND)
    );
    f.inference = if by_authority {
        format!(
            "percentile bootstrap resampling whole local authorities ({} authorities, {} replicates, seed {}): the shares are authority figures shared among seats",
            c.clusters, c.replicates, c.seed
        )
    } else {
        format!(
            "percentile bootstrap of seats ({} replicates, seed {}); the seats' authorities are not known here, so this interval treats seats of one authority as independent and is too narrow",
            c.replicates, c.seed
        )
    };
    let period = data.period(set, y).unwrap_or("latest year");
    let direction = if c.estimate >= 0.0 { "higher" } else { "lower" };
    let verdict = if excludes(c.ci.0, c.ci.1, 0.0) {
        ""
    } else {
        " The interval includes no difference."
    };
    f.statement = format!(
        "In England ({}, {period}), {who} made {}% of adult FE STEM achievements in the most deprived fifth of seats and {}% in the least deprived fifth: {} percentage points {direction} ({}; {} and {} seats).{verdict}",
        set.title(),
        num(c.mean_a),
        num(c.mean_b),
        num(c.estimate.abs()),
        ci(c.ci.0, c.ci.1, ""),
        c.n_a,
        c.n_b,
    );
    f
}

/// The most deprived fifth's share minus the least deprived fifth's in each
/// year of the outcome (the fifths fixed once, on deprivation, so the same
/// seats are compared every year), and the change of that gap from the
/// first year to the last on the seats with both, with a bootstrap that
/// resamples whole local authorities (seats where they are not known).
fn over_time(data: &Dataset, set: BoundarySet, y: &str, whose: &str, who: &str) -> Vec<Finding> {
    let years = data.periods(set, y);
    let ids = [DEPRIVATION, POPULATION];
    if years.len() < 2 || ids.iter().any(|id| !data.has(set, id)) {
        return Vec::new();
    }
    let t = data.table(set, &ids, ENGLAND);
    let (xs, w) = (t.col(0), t.col(1));
    let Ok(groups) = weighted_quantile_groups_by(&xs, &xs, &w, 5) else {
        return Vec::new();
    };
    let (clusters, by_authority) = match cluster_ids(data, set, &t.codes, Inference::Authority) {
        Ok(ids) => (ids, true),
        Err(_) => ((0..t.n()).collect(), false),
    };
    let value = |year: &str, i: usize| {
        data.figure_at(set, y, year, t.codes[i])
            .map(|f| 100.0 * f.value)
    };
    let base = |f: &mut Finding, year_ids: &[String]| {
        f.boundaries = vec![set.id().to_owned()];
        f.nations = ENGLAND.iter().map(|n| n.name().to_owned()).collect();
        f.unit = "percentage points".into();
        f.indicators = year_ids.to_vec();
    };
    let mut out = Vec::new();
    for year in &years {
        let mut f = Finding::new(
            format!("F7/{}/{y}/{}", set.id(), year.replace('/', "-")),
            format!("{whose} share of adult FE STEM achievements in {year}: most vs least deprived fifth of seats"),
        );
        base(
            &mut f,
            &[
                format!("{y} ({year})"),
                format!(
                    "{DEPRIVATION} ({})",
                    data.period(set, DEPRIVATION).unwrap_or("")
                ),
                format!(
                    "{POPULATION} ({})",
                    data.period(set, POPULATION).unwrap_or("")
                ),
            ],
        );
        let pick = |g: usize| -> (Vec<f64>, Vec<usize>) {
            (0..t.n())
                .filter(|&i| groups.group[i] == g)
                .filter_map(|i| Some((value(year, i)?, clusters[i])))
                .unzip()
        };
        let ((most, most_ids), (least, least_ids)) = (pick(5), pick(1));
        let group = |values, clusters| ClusteredGroup {
            values,
            weights: None,
            clusters,
        };
        match cluster_contrast(
            group(&most, &most_ids),
            group(&least, &least_ids),
            Contrast::Difference,
            LEVEL,
            REPLICATES,
            seed(&f.id),
        ) {
            Ok(c) => {
                crate::analyses::put_contrast(&mut f, &c, by_authority);
                f.method = format!(
                    "{} seats split once into five groups of equal population by {DEPRIVATION} ({}); {}; shares in percent",
                    nation_list(ENGLAND),
                    groups.method,
                    c.method
                );
                f.inference = inference_words(by_authority, c.clusters, c.replicates, c.seed);
                let direction = if c.estimate >= 0.0 { "higher" } else { "lower" };
                f.statement = format!(
                    "In {year} ({}), {who} made {}% of adult FE STEM achievements in the most deprived fifth of English seats and {}% in the least deprived fifth: {} percentage points {direction} ({}; {} and {} seats).{}",
                    set.title(),
                    num(c.mean_a),
                    num(c.mean_b),
                    num(c.estimate.abs()),
                    ci(c.ci.0, c.ci.1, ""),
                    c.n_a,
                    c.n_b,
                    if excludes(c.ci.0, c.ci.1, 0.0) { "" } else { " The interval includes no difference." },
                );
            }
            Err(e) => f.statement = format!("Not estimated: {e}."),
        }
        out.push(f);
    }
    out.push(change(
        data,
        set,
        y,
        &lower_first(whose),
        &years,
        &t,
        &groups.group,
        &clusters,
        by_authority,
    ));
    out
}

/// The change of the gap from the first year to the last.
#[allow(clippy::too_many_arguments)]
fn change(
    data: &Dataset,
    set: BoundarySet,
    y: &str,
    whose: &str,
    years: &[&str],
    t: &crate::data::Table,
    group: &[usize],
    clusters: &[usize],
    by_authority: bool,
) -> Finding {
    let (first, last) = (years[0], years[years.len() - 1]);
    let mut f = Finding::new(
        format!("F7/{}/{y}/change", set.id()),
        format!("Change in the gap in {whose} share from {first} to {last}: most minus least deprived fifth"),
    );
    f.boundaries = vec![set.id().to_owned()];
    f.nations = ENGLAND.iter().map(|n| n.name().to_owned()).collect();
    f.unit = "percentage points".into();
    f.indicators = vec![
        format!("{y} ({first}, {last})"),
        DEPRIVATION.into(),
        POPULATION.into(),
    ];
    // Per cluster: [most first, most last, least first, least last] sums and
    // counts, on seats of the two fifths with both years.
    let g = clusters.iter().max().map_or(0, |m| m + 1);
    let mut sums = vec![[0.0f64; 4]; g];
    let mut counts = vec![[0.0f64; 4]; g];
    let mut n = 0;
    for i in 0..t.n() {
        let slot = match group[i] {
            5 => 0,
            1 => 2,
            _ => continue,
        };
        let at = |year| {
            data.figure_at(set, y, year, t.codes[i])
                .map(|f| 100.0 * f.value)
        };
        let (Some(a), Some(b)) = (at(first), at(last)) else {
            continue;
        };
        n += 1;
        let c = clusters[i];
        sums[c][slot] += a;
        sums[c][slot + 1] += b;
        counts[c][slot] += 1.0;
        counts[c][slot + 1] += 1.0;
    }
    // Only clusters holding a seat of either fifth are resampled.
    let used: Vec<usize> = (0..g)
        .filter(|&c| counts[c][0] + counts[c][2] > 0.0)
        .collect();
    // Each used cluster as its four sums then four counts.
    let cases: Vec<[f64; 8]> = used
        .iter()
        .map(|&c| {
            let mut v = [0.0; 8];
            v[..4].copy_from_slice(&sums[c]);
            v[4..].copy_from_slice(&counts[c]);
            v
        })
        .collect();
    let stat = |v: &[f64; 8]| -> Option<f64> {
        if v[4..].contains(&0.0) {
            return None;
        }
        let m = |q: usize| v[q] / v[4 + q];
        Some((m(1) - m(3)) - (m(0) - m(2)))
    };
    let b = match sums_bootstrap(&cases, stat, LEVEL, REPLICATES, seed(&f.id)) {
        Ok(b) => b,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    let all: Vec<usize> = (0..used.len()).collect();
    let gap = |from: usize| -> f64 {
        let tot = |q: usize| {
            all.iter().map(|&j| sums[used[j]][q]).sum::<f64>()
                / all.iter().map(|&j| counts[used[j]][q]).sum::<f64>()
        };
        tot(from) - tot(from + 2)
    };
    let (gap_first, gap_last) = (gap(0), gap(1));
    f.n = n;
    f.clusters = by_authority.then_some(used.len());
    f.estimate = Some(b.estimate);
    f.ci_low = Some(b.ci.0);
    f.ci_high = Some(b.ci.1);
    f.seed = Some(b.seed);
    f.replicates = Some(b.replicates);
    f.details.insert("gap_first".into(), gap_first);
    f.details.insert("gap_last".into(), gap_last);
    f.method = format!(
        "the gap (most minus least deprived fifth, seats with figures in both {first} and {last}) in {last} minus the gap in {first}; {}",
        b.method
    );
    f.inference = if by_authority {
        format!(
            "percentile bootstrap resampling whole local authorities ({} authorities, {} replicates, seed {}): the shares are authority figures shared among seats",
            used.len(),
            b.replicates,
            b.seed
        )
    } else {
        format!(
            "percentile bootstrap of seats ({} replicates, seed {}); the seats' authorities are not known here, so this interval treats seats of one authority as independent and is too narrow",
            b.replicates, b.seed
        )
    };
    let verdict = if !excludes(b.ci.0, b.ci.1, 0.0) {
        "The interval includes no change.".to_owned()
    } else if gap_last.abs() < gap_first.abs() {
        "The gap narrowed.".to_owned()
    } else {
        "The gap widened.".to_owned()
    };
    f.statement = format!(
        "The gap in {whose} share of adult FE STEM achievements between the most and the least deprived fifth of English seats ({}) was {} percentage points in {first} and {} in {last}: a change of {} points ({}; {n} seats). {verdict}",
        set.title(),
        num(gap_first),
        num(gap_last),
        num(b.estimate),
        ci(b.ci.0, b.ci.1, ""),
    );
    f
}

fn inference_words(by_authority: bool, clusters: usize, replicates: usize, seed: u64) -> String {
    if by_authority {
        format!(
            "percentile bootstrap resampling whole local authorities ({clusters} authorities, {replicates} replicates, seed {seed}): the shares are authority figures shared among seats"
        )
    } else {
        format!(
            "percentile bootstrap of seats ({replicates} replicates, seed {seed}); the seats' authorities are not known here, so this interval treats seats of one authority as independent and is too narrow"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Seat;
    use std::collections::BTreeMap;
    use stemgap_core::{GssCode, IndicatorDef, Observation};

    fn def(id: &str, unit: &str) -> IndicatorDef {
        crate::testkit::def(id, unit, "2020/21")
    }

    fn obs(code: GssCode, id: &str, v: f64) -> Observation {
        crate::testkit::obs(code, id, "2020/21", v)
    }

    /// 20 seats of equal population; deprivation rises with the index and
    /// women's share is 30% in the 4 least deprived and 20% in the 4 most.
    fn dataset() -> Dataset {
        let codes: Vec<GssCode> = (0..20)
            .map(|i| GssCode::parse(&format!("E140011{i:02}")).unwrap())
            .collect();
        let seats = codes
            .iter()
            .map(|c| Seat {
                code: *c,
                name: c.to_string(),
                nation: Nation::England,
                region: None,
            })
            .collect();
        let mut o = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            let share = if i < 4 {
                0.30
            } else if i >= 16 {
                0.20
            } else {
                0.25
            };
            o.push(obs(
                *c,
                "fe_et_stem_female_share",
                share + 0.001 * (i % 2) as f64,
            ));
            o.push(obs(*c, DEPRIVATION, 10.0 + i as f64));
            o.push(obs(*c, POPULATION, 1000.0));
        }
        Dataset::new(
            BTreeMap::from([(BoundarySet::Pcon2024, seats)]),
            vec![
                def("fe_et_stem_female_share", "share"),
                def(DEPRIVATION, "score"),
                def(POPULATION, "count"),
            ],
            &o,
            &[],
        )
    }

    #[test]
    fn the_gap_is_followed_year_by_year_and_its_change_said() {
        // 100 seats of equal population in 50 authorities (seats 2k and
        // 2k + 1), deprivation rising with the index. 2015/16: women's share
        // 30% in the least deprived fifth, 20% in the most (gap −10 points);
        // 2020/21 the most deprived fifth's rises to 26% (gap −4).
        let base = dataset();
        let codes: Vec<GssCode> = (0..100)
            .map(|i| GssCode::parse(&format!("E14001{i:03}")).unwrap())
            .collect();
        let seats: Vec<Seat> = codes
            .iter()
            .map(|c| Seat {
                code: *c,
                name: c.to_string(),
                nation: Nation::England,
                region: None,
            })
            .collect();
        let mut o = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            let (early, late) = match i {
                0..20 => (0.30, 0.30),
                80.. => (0.20, 0.26),
                _ => (0.25, 0.25),
            };
            let mut first = obs(*c, "fe_et_stem_female_share", early);
            first.period = "2015/16".into();
            o.push(first);
            o.push(obs(*c, "fe_et_stem_female_share", late));
            o.push(obs(*c, DEPRIVATION, 10.0 + i as f64));
            o.push(obs(*c, POPULATION, 1000.0));
        }
        let authorities: Vec<_> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (BoundarySet::Pcon2024, *c, format!("E080000{:02}", i / 2)))
            .collect();
        let data = Dataset::new(
            BTreeMap::from([(BoundarySet::Pcon2024, seats)]),
            base.definitions().to_vec(),
            &o,
            &[],
        )
        .with_authorities(&authorities);
        let f = f7(&data);
        let ids: Vec<&str> = f.parts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids[4..],
            [
                "F7/2024/fe_et_stem_female_share/2015-16",
                "F7/2024/fe_et_stem_female_share/2020-21",
                "F7/2024/fe_et_stem_female_share/change",
            ]
        );
        let (early, late, change) = (&f.parts[4], &f.parts[5], &f.parts[6]);
        assert!((early.estimate.unwrap() + 10.0).abs() < 1e-9, "{early:?}");
        assert!((late.estimate.unwrap() + 4.0).abs() < 1e-9);
        assert_eq!(early.clusters, Some(20));
        assert!(
            early.statement.starts_with("In 2015/16 ("),
            "{}",
            early.statement
        );
        let d = change.estimate.unwrap();
        assert!((d - 6.0).abs() < 1e-9, "{d}: {}", change.statement);
        assert_eq!((change.n, change.clusters), (40, Some(20)));
        assert!(change.ci_low.unwrap() <= d && d <= change.ci_high.unwrap());
        assert!(
            change.statement.contains(
                "was -10.0 percentage points in 2015/16 and -4.00 in 2020/21: a change of 6.00 points"
            ),
            "{}",
            change.statement
        );
        assert!(
            change.statement.ends_with("The gap narrowed."),
            "{}",
            change.statement
        );
    }

    #[test]
    fn the_gap_is_most_minus_least_deprived_in_points_and_said_in_words() {
        let f = f7(&dataset());
        assert_eq!(f.report.as_ref().unwrap().verdict, Verdict::BeyondTheReport);
        let p = &f.parts[0];
        assert_eq!(p.id, "F7/2024/fe_et_stem_female_share");
        assert!(p.title.starts_with("Women's share"), "{}", p.title);
        // Means 20.05% and 30.05%: 10 points lower.
        let est = p.estimate.unwrap();
        assert!((est + 10.0).abs() < 1e-9, "{est}");
        assert!(p.ci_low.unwrap() < est && est < p.ci_high.unwrap());
        assert_eq!(p.seed, Some(seed("F7/2024/fe_et_stem_female_share")));
        // Without the seats' authorities: seats, and it says so.
        assert_eq!(p.clusters, None);
        assert!(p.inference.contains("too narrow"), "{}", p.inference);
        // With them: authorities as clusters (seats 2k and 2k + 1 share one).
        let codes: Vec<GssCode> = (0..20)
            .map(|i| GssCode::parse(&format!("E140011{i:02}")).unwrap())
            .collect();
        let authorities: Vec<_> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (BoundarySet::Pcon2024, *c, format!("E0800000{}", i / 2)))
            .collect();
        let g = f7(&dataset().with_authorities(&authorities));
        let q = &g.parts[0];
        assert_eq!(q.clusters, Some(4));
        assert_eq!(q.estimate, p.estimate);
        assert!(q.inference.contains("local authorities"), "{}", q.inference);
        assert!(
            p.statement
                .contains("20.1% of adult FE STEM achievements in the most deprived fifth"),
            "{}",
            p.statement
        );
        assert!(
            p.statement.contains("percentage points lower (95% CI -10"),
            "{}",
            p.statement
        );
        assert!(p.inference.contains("too narrow"));
        // The headline is the first part with an estimate, once lifted.
        let mut lifted = f.clone();
        crate::analyses::lift_headline(&mut lifted);
        assert_eq!(lifted.estimate, p.estimate);
        // No ethnicity figures, no 2010 set: said, not estimated.
        let q = &f.parts[1];
        assert_eq!(q.estimate, None);
        assert!(
            q.statement
                .starts_with("Not estimated: no figures for fe_et_stem_ethnic_minority_share"),
            "{}",
            q.statement
        );
    }
}
