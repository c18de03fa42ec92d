//! F7 and F8 in the sensitivity grid: their headline contrast (most minus
//! least deprived population-weighted fifth of English seats, a cluster
//! bootstrap) re-run with one choice changed at a time — boundary set,
//! deprivation basis, weighting, the units of inference, suppression
//! bounds, data year — as groups `sensitivity/F7` and `sensitivity/F8` of
//! the sensitivity finding, summarised as the F1–F3 groups are.

use crate::data::{nation_list, Dataset};
use crate::inference::{seed, Bound};
use crate::text::{ci, excludes, num};
use crate::{Finding, LEVEL, REPLICATES};
use stemgap_core::{BoundarySet, GssCode, Nation};
use stemgap_stats::{cluster_contrast, weighted_quantile_groups_by, ClusteredGroup, Contrast};

const ENGLAND: &[Nation] = &[Nation::England];
const POPULATION: &str = "population";

/// The independent units of a cell's interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Units {
    /// Each seat's local authority (district).
    Authority,
    /// Each seat's upper-tier authority.
    UpperTier,
    Region,
    Seats,
}

impl Units {
    fn key(self, data: &Dataset, set: BoundarySet, c: GssCode) -> Option<String> {
        match self {
            Units::Authority => data.authority(set, c).map(str::to_owned),
            Units::UpperTier => data.upper_tier(set, c).map(str::to_owned),
            Units::Region => data.region(set, c).map(str::to_owned),
            Units::Seats => Some(c.to_string()),
        }
    }

    fn words(self) -> &'static str {
        match self {
            Units::Authority => "local authorities",
            Units::UpperTier => "upper-tier authorities",
            Units::Region => "regions",
            Units::Seats => "seats",
        }
    }
}

/// The choices behind one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Choice<'a> {
    pub set: BoundarySet,
    pub y: &'a str,
    /// Deprivation measure (higher = more deprived).
    pub x: &'a str,
    /// Population-weighted group means.
    pub weighted: bool,
    pub units: Units,
    pub bound: Bound,
    /// Each seat's mean over every year of the outcome.
    pub pooled: bool,
    /// Multiplies the outcome (100: a share in percent).
    pub scale: f64,
}

/// One cell: the contrast under `c`, as a finding with id `id`.
pub(crate) fn cell(data: &Dataset, id: String, label: &str, c: Choice<'_>) -> Finding {
    let mut f = Finding::new(id, format!("{} [{label}]", c.y));
    f.boundaries = vec![c.set.id().to_owned()];
    f.nations = ENGLAND.iter().map(|n| n.name().to_owned()).collect();
    f.unit = if c.scale == 100.0 {
        "percentage points".into()
    } else {
        "difference of means".into()
    };
    let ids = [c.y, c.x, POPULATION];
    f.indicators = ids.iter().map(|s| (*s).to_owned()).collect();
    if let Some(missing) = ids.iter().find(|id| !data.has(c.set, id)) {
        f.statement = format!("Not estimated: no figures for {missing} on these seats.");
        return f;
    }
    let pick = |fig: crate::Figure| match c.bound {
        Bound::Mid => fig.value,
        Bound::Low => fig.lower.unwrap_or(fig.value),
        Bound::High => fig.upper.unwrap_or(fig.value),
    };
    let t = data.table_with(c.set, &ids, ENGLAND, |id, code| {
        if id != c.y {
            return data.figure(c.set, id, code).map(|f| f.value);
        }
        if c.pooled {
            let v: Vec<f64> = data
                .periods(c.set, id)
                .into_iter()
                .filter_map(|p| data.figure_at(c.set, id, p, code).map(pick))
                .collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        } else {
            data.figure(c.set, id, code).map(pick)
        }
    });
    let (ys, xs, w) = (t.col(0), t.col(1), t.col(2));
    let groups = match weighted_quantile_groups_by(&xs, &xs, &w, 5) {
        Ok(g) => g,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    let keys: Option<Vec<String>> = t
        .codes
        .iter()
        .map(|&code| c.units.key(data, c.set, code))
        .collect();
    let Some(keys) = keys else {
        f.statement = format!(
            "Not estimated: the seats' {} are not known here.",
            c.units.words()
        );
        return f;
    };
    let distinct: std::collections::BTreeMap<&str, usize> = keys
        .iter()
        .map(String::as_str)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    let clusters: Vec<usize> = keys.iter().map(|k| distinct[k.as_str()]).collect();
    let part = |g: usize| -> (Vec<f64>, Vec<f64>, Vec<usize>) {
        let idx: Vec<usize> = (0..t.n()).filter(|&i| groups.group[i] == g).collect();
        (
            idx.iter().map(|&i| c.scale * ys[i]).collect(),
            idx.iter().map(|&i| w[i]).collect(),
            idx.iter().map(|&i| clusters[i]).collect(),
        )
    };
    let ((most, wm, cm), (least, wl, cl)) = (part(5), part(1));
    let group = |values, weights, clusters| ClusteredGroup {
        values,
        weights: if c.weighted { Some(weights) } else { None },
        clusters,
    };
    let r = match cluster_contrast(
        group(&most, &wm, &cm),
        group(&least, &wl, &cl),
        Contrast::Difference,
        LEVEL,
        REPLICATES,
        seed(&f.id),
    ) {
        Ok(r) => r,
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return f;
        }
    };
    crate::analyses::put_contrast(&mut f, &r, c.units != Units::Seats);
    f.method = format!(
        "{} seats in five groups of equal population by {} ({}); {}{}",
        nation_list(ENGLAND),
        c.x,
        groups.method,
        r.method,
        if c.weighted {
            "; group means weighted by population"
        } else {
            ""
        }
    );
    f.inference = format!(
        "percentile bootstrap resampling whole {} ({} {}, {} replicates, seed {})",
        c.units.words(),
        r.clusters,
        c.units.words(),
        r.replicates,
        r.seed
    );
    f.statement = format!(
        "Most minus least deprived fifth: {} ({}; {} and {} seats).{}",
        num(r.estimate),
        ci(r.ci.0, r.ci.1, ""),
        r.n_a,
        r.n_b,
        if excludes(r.ci.0, r.ci.1, 0.0) {
            ""
        } else {
            " The interval includes no difference."
        }
    );
    f
}

/// A group `sensitivity/{finding}` of cells `(label, choice)`, the first
/// the headline, summarised like the F1–F3 groups (range of comparable
/// estimates, cells whose interval includes no difference); cells on fewer
/// than 95% of the headline's seats are reported but not counted.
pub(crate) fn group(data: &Dataset, finding: &str, cells: &[(&str, Choice<'_>)]) -> Finding {
    let mut g = Finding::new(
        format!("sensitivity/{finding}"),
        format!("{finding} across choices"),
    );
    let mut headline_n = None;
    for (label, c) in cells {
        let id = format!("sensitivity/{finding}/{}", slug(label));
        let mut p = cell(data, id, label, *c);
        match headline_n {
            None => headline_n = Some(p.n),
            Some(n) if p.estimate.is_some() && p.n * 20 < n * 19 => {
                p.details.insert("comparable".into(), 0.0);
                p.statement = format!(
                    "Not comparable with the headline: {} seats against {n}. {}",
                    p.n, p.statement
                );
            }
            _ => {}
        }
        g.parts.push(p);
    }
    crate::analyses::summarise_cells(&mut g, finding, 0.0);
    g.unit = g.parts.first().map(|p| p.unit.clone()).unwrap_or_default();
    let varied: Vec<&str> = cells.iter().skip(1).map(|(label, _)| *label).collect();
    g.method = format!(
        "the headline contrast re-run with one choice changed at a time ({}); cells on fewer than 95% of the headline's seats reported but not counted",
        varied.join("; ")
    );
    g.inference = "as each cell".into();
    g
}

/// Adds groups to the sensitivity finding, and their ranges to its summary.
pub(crate) fn extend(sensitivity: &mut Finding, groups: Vec<Finding>) {
    for g in groups {
        if let (Some(lo), Some(hi)) = (g.details.get("min_estimate"), g.details.get("max_estimate"))
        {
            let range = format!(
                "{} from {} to {}",
                g.id.trim_start_matches("sensitivity/"),
                num(*lo),
                num(*hi)
            );
            sensitivity.statement = match sensitivity.statement.strip_suffix('.') {
                Some(s) => format!("{s}; {range}."),
                None => format!("{}{range}.", sensitivity.statement),
            };
        }
        sensitivity.n += g.n;
        sensitivity.parts.push(g);
    }
}

fn slug(label: &str) -> String {
    label
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The F7 and F8 groups: F7's headline is women's share of adult FE STEM
/// achievements on 2024 seats (percentage points, local-authority
/// clusters); F8's skills-shortage vacancies per 1,000 staff (upper-tier
/// clusters). The survey has one year and no suppression bounds, so F8 has
/// no year or bound cells.
pub(crate) fn groups(data: &Dataset) -> Vec<Finding> {
    let f7 = Choice {
        set: BoundarySet::Pcon2024,
        y: crate::inclusion::F7_MEASURES[0].0,
        x: "imd_score",
        weighted: false,
        units: Units::Authority,
        bound: Bound::Mid,
        pooled: false,
        scale: 100.0,
    };
    let f8 = Choice {
        y: crate::shortages::SHORTAGE,
        units: Units::UpperTier,
        scale: 1.0,
        ..f7
    };
    let common = |h: Choice<'static>| {
        vec![
            ("headline", h),
            (
                "boundary set: 2010-2024 seats",
                Choice {
                    set: BoundarySet::Pcon2010,
                    ..h
                },
            ),
            (
                "deprivation basis: UK composite score",
                Choice {
                    x: "uk_imd_score",
                    ..h
                },
            ),
            (
                "weighting: population-weighted means",
                Choice {
                    weighted: true,
                    ..h
                },
            ),
            (
                "inference: seats",
                Choice {
                    units: Units::Seats,
                    ..h
                },
            ),
            (
                "inference: regions",
                Choice {
                    units: Units::Region,
                    ..h
                },
            ),
        ]
    };
    let mut c7 = common(f7);
    c7.extend([
        (
            "suppression: lowest bounds",
            Choice {
                bound: Bound::Low,
                ..f7
            },
        ),
        (
            "suppression: highest bounds",
            Choice {
                bound: Bound::High,
                ..f7
            },
        ),
        (
            "data year: every year pooled",
            Choice { pooled: true, ..f7 },
        ),
    ]);
    let mut c8 = common(f8);
    c8.push((
        "inference: local authorities (districts)",
        Choice {
            units: Units::Authority,
            ..f8
        },
    ));
    vec![group(data, "F7", &c7), group(data, "F8", &c8)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Seat;
    use std::collections::BTreeMap;
    use stemgap_core::{IndicatorDef, Method, Observation};

    const Y: &str = "fe_et_stem_female_share";

    fn def(id: &str) -> IndicatorDef {
        crate::testkit::def(id, "share", "2020/21")
    }

    /// 100 seats in 50 authorities and 5 regions; women's share 30% in
    /// the least deprived fifth and 20% in the most (bounds ±1 point),
    /// 25% between; the composite score ranks seats the same way.
    fn dataset() -> Dataset {
        let codes: Vec<GssCode> = (0..100)
            .map(|i| GssCode::parse(&format!("E14001{i:03}")).unwrap())
            .collect();
        let seats = codes
            .iter()
            .enumerate()
            .map(|(i, c)| Seat {
                code: *c,
                name: c.to_string(),
                nation: Nation::England,
                region: Some(format!("E1200000{}", i % 5)),
            })
            .collect();
        let mut o = Vec::new();
        let obs = |code, id: &str, v: f64, b: Option<(f64, f64)>| Observation {
            code,
            boundary: Some(BoundarySet::Pcon2024),
            indicator: id.into(),
            period: "2020/21".into(),
            value: Some(v),
            lower: b.map(|b| b.0),
            upper: b.map(|b| b.1),
            flag: None,
            method: Method::Apportioned,
            source: "s".into(),
        };
        for (i, c) in codes.iter().enumerate() {
            let share = match i {
                0..20 => 0.30,
                80.. => 0.20,
                _ => 0.25,
            };
            o.push(obs(*c, Y, share, Some((share - 0.01, share + 0.01))));
            o.push(obs(*c, "imd_score", 10.0 + i as f64, None));
            o.push(obs(*c, "uk_imd_score", 5.0 + i as f64, None));
            o.push(obs(*c, POPULATION, 1000.0, None));
        }
        let authorities: Vec<_> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (BoundarySet::Pcon2024, *c, format!("E080000{:02}", i / 2)))
            .collect();
        Dataset::new(
            BTreeMap::from([(BoundarySet::Pcon2024, seats)]),
            vec![
                def(Y),
                def("imd_score"),
                def("uk_imd_score"),
                def(POPULATION),
            ],
            &o,
            &[],
        )
        .with_authorities(&authorities)
    }

    #[test]
    fn f7_cells_vary_one_choice_and_the_group_is_summarised() {
        let data = dataset();
        let groups = groups(&data);
        let g = &groups[0];
        assert_eq!(g.id, "sensitivity/F7");
        let est = |label: &str| {
            let id = format!("sensitivity/F7/{}", slug(label));
            let p = g
                .parts
                .iter()
                .find(|p| p.id == id)
                .unwrap_or_else(|| panic!("{id}"));
            (p.estimate, p.clusters)
        };
        let (h, clusters) = est("headline");
        assert!((h.unwrap() + 10.0).abs() < 1e-9);
        assert_eq!(clusters, Some(20));
        // Equal populations: weighting changes nothing; the composite ranks
        // alike; the bounds move both fifths by a point each way.
        assert!((est("weighting: population-weighted means").0.unwrap() + 10.0).abs() < 1e-9);
        assert!((est("deprivation basis: UK composite score").0.unwrap() + 10.0).abs() < 1e-9);
        assert!((est("suppression: lowest bounds").0.unwrap() + 10.0).abs() < 1e-9);
        assert_eq!(est("inference: seats").1, None);
        assert_eq!(est("inference: regions").1, Some(5));
        // No 2010 set here: said, not estimated, not counted.
        assert_eq!(est("boundary set: 2010-2024 seats").0, None);
        assert_eq!(g.n, 8);
        assert!((g.details["min_estimate"] + 10.0).abs() < 1e-9);
        assert!(g.statement.starts_with("Varying one choice at a time from the headline (8 comparable cells of 9), F7's estimate ranges from -10.0 to -10.0"), "{}", g.statement);
        // F8 has no figures here.
        assert!(groups[1].statement.contains("no cell could be estimated"));
        // Added to the sensitivity finding, with F7's range in its summary.
        let mut s = Finding::new("sensitivity", "t");
        s.statement = "Ranges: F1 from 1 to 2.".into();
        extend(&mut s, groups);
        assert_eq!(s.parts.len(), 2);
        // (-10 up to rounding in the bootstrap's sums.)
        assert!(
            s.statement
                .starts_with("Ranges: F1 from 1 to 2; F7 from -10.0 to -10.0")
                && s.statement.ends_with('.'),
            "{}",
            s.statement
        );
    }
}
