//! F1–F5 and the sensitivity grid.

use crate::data::{nation_list, Dataset, Table};
use crate::inference::{cluster_ids, seed, Bound, Inference, Spec, SUPPRESSION_BOUNDED};
use crate::text::{ci, excludes, lower_first, num, p};
use crate::{Exclusion, Finding, LEVEL, PERMUTATIONS, REPLICATES};
use stemgap_core::{BoundarySet, GssCode, Nation};
use stemgap_stats::{
    cluster_contrast, cluster_robust, group_contrast, paired, pearson, pearson_from_sums,
    per_doubling, relabel_test, spatial_error, spearman, sums_bootstrap,
    weighted_quantile_groups_by, ClusterContrast, ClusterCov, ClusteredGroup, Contrast, Cov,
    OlsOptions, SpatialWeights,
};

const ENGLAND: &[Nation] = &[Nation::England];
/// Sets in the order findings report them: the current boundaries first.
const SETS: [BoundarySet; 2] = [BoundarySet::Pcon2024, BoundarySet::Pcon2010];

/// The deprivation measure of the headline analyses: the population-weighted
/// mean IMD 2019 score (England), higher = more deprived.
pub const DEPRIVATION: &str = "imd_score";
/// Population weights for quantile groups.
const POPULATION: &str = "population";

/// Deprivation bases of the sensitivity grid: (indicator, basis, aggregation).
/// Each is "higher = more deprived".
const BASES: [(&str, &str, &str); 4] = [
    ("imd_score", "national index (IMD 2019)", "mean score"),
    (
        "imd_most_deprived_share",
        "national index (IMD 2019)",
        "share in the most deprived 10%",
    ),
    (
        "uk_imd_score",
        "composite UK index (mySociety)",
        "mean score",
    ),
    (
        "uk_imd_high_deprivation_share",
        "composite UK index (mySociety)",
        "share in high deprivation",
    ),
];

/// STEM-skill measures for F1, the headline first.
pub const F1_MEASURES: [&str; 3] = [
    "level4_share",
    "stem_professionals_share",
    "professional_occupations_share",
];
/// FE measures for F2, the headline (STEM subject areas) first; the last
/// is the same STEM measure for the full years 2015/16-2020/21 (the
/// headline's 2021/22 is a part year), each year and pooled.
pub const F2_MEASURES: [&str; 4] = [
    "fe_stem_achievements_per_1000",
    "fe_stem_broad_achievements_per_1000",
    "fe_achievements_per_1000",
    "fe_et_stem_achievements_per_1000",
];
/// Apprenticeship measures for F3, starts first.
pub const F3_MEASURES: [&str; 3] = [
    "apprenticeship_starts_per_1000",
    "apprenticeship_stem_starts_per_1000",
    "apprenticeship_achievements_per_1000",
];
/// F4: STEM jobs by workplace (headline), then by residence.
pub const F4_MEASURES: [&str; 4] = [
    "stem_jobs_share",
    "industry_m_share",
    "industry_j_share",
    "professional_occupations_share",
];
/// F4's marker of a seat with a higher-education provider.
pub const HE_MARKER: &str = "hei_count";

/// Census 2021 industry sections (by residence) with their names.
pub const SECTIONS: [(&str, &str); 18] = [
    ("industry_a_share", "A Agriculture, forestry and fishing"),
    ("industry_b_share", "B Mining and quarrying"),
    ("industry_c_share", "C Manufacturing"),
    ("industry_d_share", "D Electricity and gas supply"),
    ("industry_e_share", "E Water supply and waste"),
    ("industry_f_share", "F Construction"),
    ("industry_g_share", "G Wholesale and retail trade"),
    ("industry_h_share", "H Transport and storage"),
    ("industry_i_share", "I Accommodation and food"),
    ("industry_j_share", "J Information and communication"),
    ("industry_k_share", "K Finance and insurance"),
    ("industry_l_share", "L Real estate"),
    (
        "industry_m_share",
        "M Professional, scientific and technical",
    ),
    ("industry_n_share", "N Administrative and support"),
    ("industry_o_share", "O Public administration and defence"),
    ("industry_p_share", "P Education"),
    ("industry_q_share", "Q Health and social work"),
    ("industry_rstu_share", "R-U Other services"),
];
/// Old industry: mining, manufacturing and utilities (B–E).
pub const OLD_INDUSTRY: [&str; 4] = [
    "industry_b_share",
    "industry_c_share",
    "industry_d_share",
    "industry_e_share",
];
/// New industry: information and communication, and professional, scientific
/// and technical activities (J, M).
pub const NEW_INDUSTRY: [&str; 2] = ["industry_j_share", "industry_m_share"];

fn title_of(data: &Dataset, id: &str) -> String {
    data.definition(id)
        .map_or_else(|| id.to_owned(), |d| d.title.clone())
}

fn used(data: &Dataset, set: BoundarySet, ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| match data.period(set, id) {
            Some(p) => format!("{id} ({p})"),
            None => format!("{id} (not available)"),
        })
        .collect()
}

fn exclusions(t: &Table) -> Vec<Exclusion> {
    t.excluded
        .iter()
        .map(|(reason, codes)| Exclusion {
            reason: reason.clone(),
            count: codes.len(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
        })
        .collect()
}

fn add_exclusion(f: &mut Finding, reason: &str, codes: Vec<GssCode>) {
    if !codes.is_empty() {
        f.excluded.push(Exclusion {
            reason: reason.to_owned(),
            count: codes.len(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
        });
    }
}

/// A part that could not be estimated, saying why.
fn not_estimated(mut f: Finding, why: &str) -> Finding {
    f.statement = format!("Not estimated: {why}.");
    f
}

/// Why a part cannot be estimated, when one of `ids` has no figures in `set`.
fn unavailable(data: &Dataset, set: BoundarySet, ids: &[&str]) -> Option<String> {
    let missing = ids.iter().find(|id| !data.has(set, id))?;
    Some(format!("{missing} has no figures for this boundary set"))
}

/// Makes a parent's headline fields those of its first part with an estimate.
pub fn lift_headline(f: &mut Finding) {
    for p in &mut f.parts {
        lift_headline(p);
    }
    if f.parts.is_empty() {
        return;
    }
    if f.estimate.is_some() || !f.statement.is_empty() {
        // The parent speaks for itself.
    } else if let Some(h) = f.parts.iter().find(|p| p.estimate.is_some()).cloned() {
        f.statement = h.statement.clone();
        f.estimate = h.estimate;
        f.ci_low = h.ci_low;
        f.ci_high = h.ci_high;
        f.n = h.n;
        f.unit = h.unit.clone();
        f.method = h.method.clone();
        f.p_value = h.p_value;
        f.seed = h.seed;
        f.replicates = h.replicates;
        f.excluded = h.excluded.clone();
        f.clusters = h.clusters;
        f.inference = h.inference.clone();
        f.bound_low = h.bound_low;
        f.bound_high = h.bound_high;
        if f.details.is_empty() {
            f.details = h.details.clone();
        }
    } else if let Some(h) = f.parts.first() {
        f.statement = h.statement.clone();
    }
    if !f.boundaries.is_empty() {
        return;
    }
    let mut boundaries: Vec<String> = f.parts.iter().flat_map(|p| p.boundaries.clone()).collect();
    boundaries.sort();
    boundaries.dedup();
    f.boundaries = boundaries;
    let mut nations: Vec<String> = f.parts.iter().flat_map(|p| p.nations.clone()).collect();
    nations.sort();
    nations.dedup();
    f.nations = nations;
    let mut indicators: Vec<String> = f.parts.iter().flat_map(|p| p.indicators.clone()).collect();
    indicators.sort();
    indicators.dedup();
    f.indicators = indicators;
}

fn base(id: String, title: String, set: BoundarySet, nations: &[Nation]) -> Finding {
    let mut f = Finding::new(id, title);
    f.boundaries = vec![set.id().to_owned()];
    f.nations = nations.iter().map(|n| n.name().to_owned()).collect();
    f
}

/// Keeps the rows of `t` that `keep` says, in order.
fn subset(v: &[f64], keep: &[bool]) -> Vec<f64> {
    v.iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(v, _)| *v)
        .collect()
}

/// "% lower"/"% higher" wording of a per-doubling interval.
fn doubling_interval(lo: f64, hi: f64) -> String {
    if hi < 0.0 {
        format!("95% CI {}% to {}% lower", num(-hi), num(-lo))
    } else if lo > 0.0 {
        format!("95% CI {}% to {}% higher", num(lo), num(hi))
    } else {
        format!("{}; the interval includes no change", ci(lo, hi, "%"))
    }
}

/// Per-doubling gradient of the outcome on deprivation (England), with
/// seat-level (HC3), authority-clustered and region-clustered intervals;
/// the headline interval is chosen by [`Inference::resolve`].
pub(crate) fn gradient(data: &Dataset, id: String, spec: Spec<'_>) -> Finding {
    let Spec { set, y, x, .. } = spec;
    let mut f = base(
        id.clone(),
        format!(
            "{} per doubling of {}",
            title_of(data, y),
            lower_first(&title_of(data, x))
        ),
        set,
        ENGLAND,
    );
    f.indicators = vec![
        format!("{y} ({})", spec.period_label(data)),
        used(data, set, &[x]).remove(0),
    ];
    f.unit = "% change per doubling".into();
    if let Some(why) = unavailable(data, set, &[y, x, POPULATION]) {
        return not_estimated(f, &why);
    }
    let t = data.table_with(set, &[y, x, POPULATION], ENGLAND, |id, c| {
        if id == y {
            spec.outcome(data, c)
        } else {
            data.figure(set, id, c).map(|f| f.value)
        }
    });
    f.excluded = exclusions(&t);
    let (ys, xs, pop) = (t.col(0), t.col(1), t.col(2));
    let mut options = OlsOptions::default().cov(Cov::HC3).level(LEVEL);
    if spec.weighted {
        options = options.weights(&pop);
    }
    let d = match per_doubling(&ys, &xs, &options) {
        Ok(d) => d,
        Err(e) => return not_estimated(f, &e.to_string()),
    };
    add_exclusion(
        &mut f,
        "value not positive (no logarithm)",
        d.excluded.iter().map(|&i| t.codes[i]).collect(),
    );
    let mut keep = vec![true; t.n()];
    for &i in &d.excluded {
        keep[i] = false;
    }
    let codes: Vec<GssCode> = t
        .codes
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(c, _)| *c)
        .collect();
    let ly: Vec<f64> = subset(&ys, &keep).iter().map(|v| v.log2()).collect();
    let lx: Vec<f64> = subset(&xs, &keep).iter().map(|v| v.log2()).collect();
    let w = subset(&pop, &keep);
    let pct = |b: f64| (b.exp2() - 1.0) * 100.0;
    let mut copts = OlsOptions::default();
    if spec.weighted {
        copts = copts.weights(&w);
    }
    // Cluster-robust fits: CR2 unweighted, CR1 under weights.
    let clustered = |level: Inference| -> Option<(f64, f64, f64, f64, usize, &'static str)> {
        let ids = cluster_ids(data, set, &codes, level).ok()?;
        let cr = cluster_robust(&ly, &[&lx], &ids, &copts).ok()?;
        let cov = if spec.weighted {
            ClusterCov::CR1
        } else {
            ClusterCov::CR2
        };
        let (lo, hi) = cr.conf_int(1, cov, LEVEL)?;
        let (_, df) = cr.se_df(1, cov)?;
        Some((lo, hi, cr.p_value(1, cov)?, df, cr.clusters, cov.name()))
    };
    let chosen = spec.inference.resolve(data, y);
    let wanted = |level: Inference| spec.beside || chosen == level;
    let by_authority = wanted(Inference::Authority)
        .then(|| clustered(Inference::Authority))
        .flatten();
    let by_region = wanted(Inference::Region)
        .then(|| clustered(Inference::Region))
        .flatten();
    // A spatial error model by maximum likelihood beside the headline of a
    // measured seat outcome (F1's headline measure on the current, 2024
    // seats: one fit costs about 0.15 s of CPU on 650 seats, so not every
    // part gets one).
    let sem = (spec.beside
        && chosen == Inference::Seats
        && y == F1_MEASURES[0]
        && set == BoundarySet::Pcon2024
        && !spec.weighted)
        .then(|| {
            let w = SpatialWeights::from_neighbours(&data.neighbour_lists(set, &codes)).ok()?;
            spatial_error(&ly, &[&lx], &w).ok()
        })
        .flatten();
    f.n = d.n;
    f.estimate = Some(d.pct);
    f.details.insert("slope_log2".into(), d.slope);
    f.details.insert("r2".into(), d.fit.r2);
    f.details.insert("ci_seats_low".into(), d.ci.0);
    f.details.insert("ci_seats_high".into(), d.ci.1);
    if let Some(m) = &sem {
        if let Ok((lo, hi)) = m.ci(1, LEVEL) {
            f.details.insert("sem_estimate".into(), pct(m.beta[1]));
            f.details.insert("sem_ci_low".into(), pct(lo));
            f.details.insert("sem_ci_high".into(), pct(hi));
            f.details.insert("sem_lambda".into(), m.lambda);
            f.details.insert("sem_lambda_se".into(), m.se_lambda);
            f.details.insert("sem_p".into(), m.p_beta[1]);
        }
    }
    for (name, c) in [("authority", by_authority), ("region", by_region)] {
        if let Some((lo, hi, p, df, g, _)) = c {
            f.details.insert(format!("ci_{name}_low"), pct(lo));
            f.details.insert(format!("ci_{name}_high"), pct(hi));
            f.details.insert(format!("p_{name}"), p);
            f.details.insert(format!("df_{name}"), df);
            f.details.insert(format!("clusters_{name}"), g as f64);
        }
    }
    let weighting = if spec.weighted {
        "population-weighted (WLS)"
    } else {
        "unweighted"
    };
    let (lo, hi) = match chosen {
        Inference::Authority | Inference::Region => {
            let c = if chosen == Inference::Authority {
                by_authority
            } else {
                by_region
            };
            let Some((lo, hi, p, df, g, name)) = c else {
                return not_estimated(f, "no cluster for some seats");
            };
            f.p_value = Some(p);
            f.clusters = Some(g);
            f.inference = format!(
                "{name} with {g} {} as clusters ({} df); {weighting}",
                if chosen == Inference::Authority {
                    "local authorities"
                } else {
                    "regions"
                },
                num(df)
            );
            (pct(lo), pct(hi))
        }
        _ => {
            f.p_value = Some(d.fit.p[1]);
            f.inference = format!(
                "HC3 heteroskedasticity-robust t with seats as independent units ({} df); {weighting}",
                d.fit.df_resid
            );
            d.ci
        }
    };
    f.ci_low = Some(lo);
    f.ci_high = Some(hi);
    f.method = format!("{}; {}", d.method, f.inference);
    let why = if data.authority_level(y) {
        "its figures are local-authority figures shared out to seats, so authorities are the independent units"
    } else {
        "the outcome is measured for each seat; the clustered intervals are given beside it"
    };
    let dir = if d.pct < 0.0 { "lower" } else { "higher" };
    let article = crate::text::article(&num(d.pct.abs()));
    let mut statement = format!(
        "In England ({}), a seat whose {} is twice as high has on average {article} {}% {dir} value of \u{201c}{}\u{201d} ({}; n = {} seats",
        set.title(),
        lower_first(&title_of(data, x)),
        num(d.pct.abs()),
        title_of(data, y),
        doubling_interval(lo, hi),
        d.n,
    );
    if let Some(g) = f.clusters {
        statement.push_str(&format!(" in {g} clusters"));
    }
    statement.push_str(&format!("). The interval treats {}", chosen.label()));
    if spec.inference == Inference::Headline {
        statement.push_str(&format!(" because {why}"));
    }
    statement.push('.');
    if chosen == Inference::Seats {
        if let Some((alo, ahi, ..)) = by_authority {
            statement.push_str(&format!(
                " Clustered by local authority it is {}.",
                doubling_interval(pct(alo), pct(ahi))
            ));
        }
        if let (Some(e), Some(lo), Some(hi), Some(l)) = (
            f.details.get("sem_estimate"),
            f.details.get("sem_ci_low"),
            f.details.get("sem_ci_high"),
            f.details.get("sem_lambda"),
        ) {
            statement.push_str(&format!(
                " A spatial error model (maximum likelihood, bordering seats; \u{3bb} = {}) gives {}% ({}).",
                num(*l),
                num(*e),
                doubling_interval(*lo, *hi)
            ));
        }
    }
    f.statement = statement;
    f
}

/// Authorities' outcomes, deprivation and population, aligned.
type AuthorityRows = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Seats' (outcome, deprivation, population) rows of `t` (columns 0, 1, 2)
/// rebuilt as local authorities: population-weighted means of the outcome
/// and deprivation, summed population. For figures shared out from
/// authorities this recovers each authority's own rate.
fn by_authority(data: &Dataset, set: BoundarySet, t: &Table) -> Result<AuthorityRows, String> {
    let ids = cluster_ids(data, set, &t.codes, Inference::Authority)
        .map_err(|m| format!("{} seats have no authority", m.len()))?;
    let g = ids.iter().max().map_or(0, |m| m + 1);
    let mut acc = vec![(0.0, 0.0, 0.0); g];
    for (i, row) in t.rows.iter().enumerate() {
        let a = &mut acc[ids[i]];
        a.0 += row[2] * row[0];
        a.1 += row[2] * row[1];
        a.2 += row[2];
    }
    Ok((
        acc.iter().map(|a| a.0 / a.2).collect(),
        acc.iter().map(|a| a.1 / a.2).collect(),
        acc.iter().map(|a| a.2).collect(),
    ))
}

/// F1's gradient with local authorities as the units.
fn authority_gradient(data: &Dataset, id: String, set: BoundarySet, y: &str) -> Finding {
    let mut f = base(
        id,
        format!(
            "{} per doubling of deprivation, local authorities as units",
            title_of(data, y)
        ),
        set,
        ENGLAND,
    );
    f.indicators = used(data, set, &[y, DEPRIVATION, POPULATION]);
    f.unit = "% change per doubling".into();
    if let Some(why) = unavailable(data, set, &[y, DEPRIVATION, POPULATION]) {
        return not_estimated(f, &why);
    }
    let t = data.table(set, &[y, DEPRIVATION, POPULATION], ENGLAND);
    f.excluded = exclusions(&t);
    let (ys, xs, _) = match by_authority(data, set, &t) {
        Ok(v) => v,
        Err(e) => return not_estimated(f, &e),
    };
    match per_doubling(&ys, &xs, &OlsOptions::default().cov(Cov::HC3).level(LEVEL)) {
        Ok(d) => {
            f.n = d.n;
            f.clusters = Some(ys.len());
            f.estimate = Some(d.pct);
            f.ci_low = Some(d.ci.0);
            f.ci_high = Some(d.ci.1);
            f.p_value = Some(d.fit.p[1]);
            f.inference = format!(
                "HC3 t with {} local authorities as the units ({} df)",
                d.n, d.fit.df_resid
            );
            f.method = format!(
                "authorities' figures rebuilt from their seats (population-weighted); {}",
                d.method
            );
            f.statement = format!(
                "Taking local authorities as the units ({}: {} authorities), an authority whose deprivation score is twice as high has on average a {}% {} value of \u{201c}{}\u{201d} ({}).",
                set.title(),
                d.n,
                num(d.pct.abs()),
                if d.pct < 0.0 { "lower" } else { "higher" },
                title_of(data, y),
                doubling_interval(d.ci.0, d.ci.1)
            );
        }
        Err(e) => return not_estimated(f, &e.to_string()),
    }
    f
}

/// F1: the skills gradient.
pub fn f1(data: &Dataset) -> Finding {
    let mut f = Finding::new("F1", "STEM skills fall as deprivation rises");
    for set in SETS {
        for y in F1_MEASURES {
            f.parts.push(gradient(
                data,
                format!("F1/{}/{y}", set.id()),
                Spec::headline(set, y, DEPRIVATION),
            ));
        }
    }
    for set in SETS {
        for y in F1_MEASURES.iter().filter(|y| data.authority_level(y)) {
            f.parts.push(authority_gradient(
                data,
                format!("F1/{}/{y}/authorities", set.id()),
                set,
                y,
            ));
        }
    }
    f
}

/// The most and least deprived fifths of `t`'s seats (population-weighted
/// fifths of column 1, ties broken by column 3, the declared secondary key).
fn fifths(t: &Table) -> Result<(Vec<usize>, Vec<usize>, &'static str), String> {
    let groups = weighted_quantile_groups_by(&t.col(1), &t.col(3), &t.col(2), 5)
        .map_err(|e| e.to_string())?;
    let pick = |g: usize| -> Vec<usize> { (0..t.n()).filter(|&i| groups.group[i] == g).collect() };
    Ok((pick(5), pick(1), groups.method))
}

/// Puts a two-fifths contrast's figures on its finding: n (the seats of
/// both fifths), the clusters when the bootstrap resampled clusters, the
/// estimate, interval, seed and replicates, and the fifths' means. Shared
/// by F2/F3, F7, F8 and their grid cells.
pub(crate) fn put_contrast(f: &mut Finding, c: &ClusterContrast, clustered: bool) {
    f.n = c.n_a + c.n_b;
    if clustered {
        f.clusters = Some(c.clusters);
    }
    f.estimate = Some(c.estimate);
    f.ci_low = Some(c.ci.0);
    f.ci_high = Some(c.ci.1);
    f.seed = Some(c.seed);
    f.replicates = Some(c.replicates);
    f.details.insert("mean_most_deprived".into(), c.mean_a);
    f.details.insert("mean_least_deprived".into(), c.mean_b);
}

/// The mean of `v` over the units `idx`, weighted by `w` if given.
fn weighted_mean(v: &[f64], w: Option<&[f64]>, idx: &[usize]) -> f64 {
    let (mut s, mut t) = (0.0, 0.0);
    for &i in idx {
        let wi = w.map_or(1.0, |w| w[i]);
        s += wi * v[i];
        t += wi;
    }
    s / t
}

/// Ratio of the mean of the outcome in the most deprived fifth of seats (by
/// population, on `x`) to the least deprived fifth, England, with a
/// bootstrap that resamples the units the inference treats as independent.
pub(crate) fn quintile_ratio(data: &Dataset, id: String, spec: Spec<'_>) -> Finding {
    let Spec { set, y, x, .. } = spec;
    let mut f = base(
        id.clone(),
        format!(
            "{}: most vs least deprived fifth of seats by {}",
            title_of(data, y),
            lower_first(&title_of(data, x))
        ),
        set,
        ENGLAND,
    );
    f.indicators = vec![
        format!("{y} ({})", spec.period_label(data)),
        used(data, set, &[x]).remove(0),
        used(data, set, &[POPULATION]).remove(0),
    ];
    f.unit = "ratio".into();
    // Ties in a share of deprived areas (a third of seats have none) are
    // broken by the deprivation score, never by seat code.
    let tiebreak = if x == DEPRIVATION { x } else { DEPRIVATION };
    if let Some(why) = unavailable(data, set, &[y, x, POPULATION, tiebreak]) {
        return not_estimated(f, &why);
    }
    let table = |bound: Bound| {
        let s = Spec { bound, ..spec };
        data.table_with(set, &[y, x, POPULATION, tiebreak], ENGLAND, |id, c| {
            if id == y {
                s.outcome(data, c)
            } else {
                data.figure(set, id, c).map(|f| f.value)
            }
        })
    };
    let t = table(spec.bound);
    f.excluded = exclusions(&t);
    let (most, least, group_method) = match fifths(&t) {
        Ok(g) => g,
        Err(e) => return not_estimated(f, &e),
    };
    let (ys, pop) = (t.col(0), t.col(2));
    let weights = spec.weighted.then_some(pop.as_slice());
    let chosen = spec.inference.resolve(data, y);
    let pick = |idx: &[usize], v: &[f64]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
    let (y_most, y_least) = (pick(&most, &ys), pick(&least, &ys));
    let (w_most, w_least) = (pick(&most, &pop), pick(&least, &pop));
    let contrast = |level: Inference, seed: u64| -> Result<ClusterContrast, String> {
        let ids = cluster_ids(data, set, &t.codes, level)
            .map_err(|m| format!("{} seats have no cluster", m.len()))?;
        let clusters = |idx: &[usize]| -> Vec<usize> { idx.iter().map(|&i| ids[i]).collect() };
        let (c_most, c_least) = (clusters(&most), clusters(&least));
        cluster_contrast(
            ClusteredGroup {
                values: &y_most,
                weights: spec.weighted.then_some(w_most.as_slice()),
                clusters: &c_most,
            },
            ClusteredGroup {
                values: &y_least,
                weights: spec.weighted.then_some(w_least.as_slice()),
                clusters: &c_least,
            },
            Contrast::Ratio,
            LEVEL,
            REPLICATES,
            seed,
        )
        .map_err(|e| e.to_string())
    };
    let c = match contrast(chosen, seed(&id)) {
        Ok(c) => c,
        Err(e) => return not_estimated(f, &e),
    };
    put_contrast(&mut f, &c, chosen != Inference::Seats);
    let weighting = if spec.weighted {
        "population-weighted means"
    } else {
        "unweighted means of seats"
    };
    let units = match chosen {
        Inference::Authority => "local authorities",
        Inference::Region => "regions",
        _ => "seats",
    };
    f.inference = format!(
        "percentile bootstrap resampling whole {units} ({} {units}, {} replicates, seed {}; {} failed); {weighting}",
        c.clusters, c.replicates, c.seed, c.failed
    );
    f.method = format!(
        "seats split into five groups of equal population by {x} ({group_method}); {}",
        c.method
    );
    f.details.insert("seats_most_deprived".into(), c.n_a as f64);
    f.details
        .insert("seats_least_deprived".into(), c.n_b as f64);
    // The other units' intervals beside the headline. The seat bootstrap
    // (seats as if independent) is there to show how much clustering
    // widens the interval: given for each finding's headline measure, by
    // year, not for every measure and pooling (10,000 replicates each).
    let seats_beside = !spec.pooled && [F2_MEASURES[0], F3_MEASURES[0]].contains(&y);
    for level in [Inference::Seats, Inference::Authority] {
        if level == chosen || !spec.beside || (level == Inference::Seats && !seats_beside) {
            continue;
        }
        let name = if level == Inference::Seats {
            "seats"
        } else {
            "authority"
        };
        if let Ok(o) = contrast(level, seed(&format!("{id}/{name}"))) {
            f.details.insert(format!("ci_{name}_low"), o.ci.0);
            f.details.insert(format!("ci_{name}_high"), o.ci.1);
            if level == Inference::Authority {
                f.details
                    .insert("clusters_authority".into(), o.clusters as f64);
            }
        }
    }
    // How far suppressed source cells alone could move the estimate: the
    // same seats and fifths, every suppressed cell at its lowest and at its
    // highest possible count.
    if SUPPRESSION_BOUNDED.contains(&y) && spec.bound == Bound::Mid && spec.beside {
        let (low, high) = (table(Bound::Low), table(Bound::High));
        if low.codes == t.codes && high.codes == t.codes {
            let (l, h) = (low.col(0), high.col(0));
            // Each fifth's mean rises with its cells, so the ratio is lowest
            // with the numerator's cells low and the denominator's high, and
            // highest the other way round: the range suppression allows. It
            // is an outer bound: one suppressed authority cell can feed
            // seats in both fifths, and cannot be low in one and high in
            // the other at once.
            let ratio = |num: &[f64], den: &[f64]| {
                weighted_mean(num, weights, &most) / weighted_mean(den, weights, &least)
            };
            f.bound_low = Some(ratio(&l, &h));
            f.bound_high = Some(ratio(&h, &l));
            f.details.insert("estimate_all_low".into(), ratio(&l, &l));
            f.details.insert("estimate_all_high".into(), ratio(&h, &h));
        }
    }
    let unit = data.definition(y).map_or("", |d| d.unit.as_str());
    let scale = if unit == "share" { 100.0 } else { 1.0 };
    let suffix = match unit {
        "share" => "%",
        "rate_per_1000" => " per 1,000",
        _ => "",
    };
    let verdict = if excludes(c.ci.0, c.ci.1, 1.0) {
        String::new()
    } else {
        " The interval includes no difference.".into()
    };
    let clusters = if chosen == Inference::Seats {
        String::new()
    } else {
        format!(", {} {units}", c.clusters)
    };
    let mut statement = format!(
        "In England ({}, {}), {} averages {}{suffix} in the most deprived fifth of seats and {}{suffix} in the least deprived fifth: {} times as much ({}, resampling {units}; {} and {} seats{clusters}).{verdict}",
        set.title(),
        spec.period_label(data),
        lower_first(&title_of(data, y)),
        num(c.mean_a * scale),
        num(c.mean_b * scale),
        num(c.estimate),
        ci(c.ci.0, c.ci.1, ""),
        c.n_a,
        c.n_b,
    );
    if let (Some(lo), Some(hi)) = (f.bound_low, f.bound_high) {
        statement.push_str(&format!(
            " Suppressed source cells alone could put it anywhere from {} to {}.",
            num(lo),
            num(hi)
        ));
    }
    f.statement = statement;
    f
}

/// The same contrast with local authorities as the units: each authority's
/// outcome, deprivation and population aggregated from its seats
/// (population-weighted means; for figures shared out from authorities
/// this recovers the authority's own rate), fifths of authorities by
/// population, and a bootstrap of authorities.
fn authority_ratio(data: &Dataset, id: String, set: BoundarySet, y: &str) -> Finding {
    let mut f = base(
        id.clone(),
        format!(
            "{}: most vs least deprived fifth of local authorities",
            title_of(data, y)
        ),
        set,
        ENGLAND,
    );
    f.indicators = used(data, set, &[y, DEPRIVATION, POPULATION]);
    f.unit = "ratio".into();
    if let Some(why) = unavailable(data, set, &[y, DEPRIVATION, POPULATION]) {
        return not_estimated(f, &why);
    }
    let t = data.table(set, &[y, DEPRIVATION, POPULATION], ENGLAND);
    f.excluded = exclusions(&t);
    let (ys, xs, pop) = match by_authority(data, set, &t) {
        Ok(v) => v,
        Err(e) => return not_estimated(f, &e),
    };
    let g = ys.len();
    let groups = match weighted_quantile_groups_by(&xs, &xs, &pop, 5) {
        Ok(g) => g,
        Err(e) => return not_estimated(f, &e.to_string()),
    };
    let pick = |k: usize| -> Vec<f64> {
        (0..g)
            .filter(|&i| groups.group[i] == k)
            .map(|i| ys[i])
            .collect()
    };
    match group_contrast(
        &pick(5),
        &pick(1),
        Contrast::Ratio,
        LEVEL,
        REPLICATES,
        seed(&id),
    ) {
        Ok(c) => {
            f.n = c.n;
            f.clusters = Some(g);
            f.estimate = Some(c.estimate);
            f.ci_low = Some(c.ci.0);
            f.ci_high = Some(c.ci.1);
            f.seed = Some(c.seed);
            f.replicates = Some(c.replicates);
            f.inference = format!(
                "percentile bootstrap of authorities within each fifth ({} replicates, seed {})",
                c.replicates, c.seed
            );
            f.method = format!(
                "authorities' figures rebuilt from their seats (population-weighted), split into five groups of equal population by {DEPRIVATION}; {}",
                c.method
            );
            f.details.insert("mean_most_deprived".into(), c.mean_a);
            f.details.insert("mean_least_deprived".into(), c.mean_b);
            f.statement = format!(
                "Taking local authorities as the units ({}: {} authorities in the two fifths, of {g}), {} is {} times as high in the most deprived fifth as in the least ({}).",
                set.title(),
                c.n,
                lower_first(&title_of(data, y)),
                num(c.estimate),
                ci(c.ci.0, c.ci.1, ""),
            );
        }
        Err(e) => return not_estimated(f, &e.to_string()),
    }
    f
}

/// The parts of a quintile-ratio finding: each measure on each set (the
/// headline choices), each measure pooled over its years, and the
/// headline measures with local authorities as the units.
fn ratio_parts(data: &Dataset, finding: &str, measures: &[&str]) -> Vec<Finding> {
    let mut parts = Vec::new();
    for set in SETS {
        for y in measures {
            parts.push(quintile_ratio(
                data,
                format!("{finding}/{}/{y}", set.id()),
                Spec::headline(set, y, DEPRIVATION),
            ));
        }
    }
    for set in SETS {
        for y in measures {
            if data.periods(set, y).len() > 1 {
                let spec = Spec {
                    pooled: true,
                    ..Spec::headline(set, y, DEPRIVATION)
                };
                let mut p =
                    quintile_ratio(data, format!("{finding}/{}/{y}/pooled", set.id()), spec);
                p.title = format!("{} (every year pooled)", p.title);
                parts.push(p);
            }
        }
        for y in measures.iter().take(1) {
            if data.authority_level(y) {
                parts.push(authority_ratio(
                    data,
                    format!("{finding}/{}/{y}/authorities", set.id()),
                    set,
                    y,
                ));
            }
        }
    }
    parts
}

/// F2: STEM FE take-up by deprivation.
pub fn f2(data: &Dataset) -> Finding {
    let mut f = Finding::new("F2", "STEM further education take-up by deprivation");
    f.parts = ratio_parts(data, "F2", &F2_MEASURES);
    // The full-year series, year by year (the headline's year is a part year).
    let series = F2_MEASURES[3];
    for set in SETS {
        for period in data.periods(set, series) {
            let spec = Spec {
                period: Some(period),
                beside: false,
                ..Spec::headline(set, series, DEPRIVATION)
            };
            let mut p = quintile_ratio(
                data,
                format!("F2/{}/{series}/{}", set.id(), period.replace('/', "-")),
                spec,
            );
            p.title = format!("{} ({period})", p.title);
            f.parts.push(p);
        }
    }
    // The degree-level contrast the report sets beside it.
    f.parts.push(quintile_ratio(
        data,
        "F2/2024/level4_share".into(),
        Spec::headline(BoundarySet::Pcon2024, "level4_share", DEPRIVATION),
    ));
    f
}

/// F3: apprenticeships by deprivation.
pub fn f3(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F3",
        "Apprenticeship starts and achievements by deprivation",
    );
    f.parts = ratio_parts(data, "F3", &F3_MEASURES);
    f
}

/// Relabellings for F4's secondary measures.
const SECONDARY_PERMUTATIONS: usize = 999;

/// Markers of "a seat with an HE provider": physical teaching presence
/// (the headline definition), then any registered provider.
pub const HE_MARKERS: [(&str, &str); 2] = [
    (
        "he_teaching_presence",
        "with physical higher-education teaching",
    ),
    (HE_MARKER, "with a registered HE provider"),
];

/// Seat minus the mean of its neighbours without an HE provider, for seats
/// with one; tested against random relabellings of which seats hold one.
fn university_part(
    data: &Dataset,
    id: String,
    set: BoundarySet,
    y: &str,
    (marker, described): (&str, &str),
) -> Finding {
    let nations = [Nation::England, Nation::Wales];
    let mut f = base(
        id.clone(),
        format!(
            "{}: seats {described} vs their neighbours without",
            title_of(data, y)
        ),
        set,
        &nations,
    );
    f.indicators = used(data, set, &[y, marker]);
    f.unit = "percentage points".into();
    if let Some(why) = unavailable(data, set, &[y, marker]) {
        return not_estimated(f, &why);
    }
    // Eligible seats: England and Wales, with a value and a known marker.
    let seats: Vec<GssCode> = data
        .seats(set)
        .iter()
        .filter(|s| nations.contains(&s.nation))
        .map(|s| s.code)
        .collect();
    let index: std::collections::BTreeMap<GssCode, usize> =
        seats.iter().enumerate().map(|(i, c)| (*c, i)).collect();
    let value: Vec<Option<f64>> = seats
        .iter()
        .map(|&c| data.figure(set, y, c).map(|f| f.value * 100.0))
        .collect();
    let label: Vec<Option<bool>> = seats
        .iter()
        .map(|&c| data.figure(set, marker, c).map(|f| f.value >= 1.0))
        .collect();
    let neighbours: Vec<Vec<usize>> = seats
        .iter()
        .map(|&c| {
            data.neighbours(set, c)
                .iter()
                .filter_map(|n| index.get(n).copied())
                .collect()
        })
        .collect();
    let eligible: Vec<bool> = (0..seats.len())
        .map(|i| value[i].is_some() && label[i].is_some())
        .collect();
    let labels: Vec<bool> = (0..seats.len())
        .map(|i| eligible[i] && label[i] == Some(true))
        .collect();
    // Each labelled seat minus the mean of its eligible unlabelled
    // neighbours; seats with no such neighbour are left out.
    let differences = |labels: &[bool]| -> (Vec<usize>, Vec<f64>, Vec<f64>) {
        let (mut who, mut d, mut m) = (Vec::new(), Vec::new(), Vec::new());
        for i in (0..seats.len()).filter(|&i| labels[i]) {
            let others: Vec<f64> = neighbours[i]
                .iter()
                .filter(|&&j| eligible[j] && !labels[j])
                .filter_map(|&j| value[j])
                .collect();
            if let (Some(v), false) = (value[i], others.is_empty()) {
                let mean = others.iter().sum::<f64>() / others.len() as f64;
                who.push(i);
                d.push(v - mean);
                m.push(mean);
            }
        }
        (who, d, m)
    };
    let (who, d, neighbour_means) = differences(&labels);
    let labelled = labels.iter().filter(|l| **l).count();
    let no_value: Vec<GssCode> = (0..seats.len())
        .filter(|&i| label[i] == Some(true) && value[i].is_none())
        .map(|i| seats[i])
        .collect();
    add_exclusion(
        &mut f,
        &format!("seat {described} but no value for {y}"),
        no_value,
    );
    let lone: Vec<GssCode> = (0..seats.len())
        .filter(|&i| labels[i] && !who.contains(&i))
        .map(|i| seats[i])
        .collect();
    add_exclusion(
        &mut f,
        "seat with no bordering seat that lacks one and has a value",
        lone,
    );
    if labelled < 2 || d.len() < 2 {
        return not_estimated(f, "fewer than two seats to compare");
    }
    let r = match paired(&d, LEVEL) {
        Ok(r) => r,
        Err(e) => return not_estimated(f, &e.to_string()),
    };
    let mean_of = |d: &[f64]| d.iter().sum::<f64>() / d.len() as f64;
    // The same statistic without allocating, visiting the labelled seats
    // only (run 9,999 times per part): values as a flat array (NaN for
    // none) and each seat's eligible neighbours with their values,
    // flattened.
    let val: Vec<f64> = value.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let mut start: Vec<u32> = Vec::with_capacity(seats.len() + 1);
    let mut nb_pairs: Vec<(u32, f64)> = Vec::new();
    start.push(0);
    for nb in &neighbours {
        for &j in nb.iter().filter(|&&j| eligible[j]) {
            if let Some(vj) = value[j] {
                nb_pairs.push((j as u32, vj));
            }
        }
        start.push(nb_pairs.len() as u32);
    }
    // 1.0 for a seat without the label, 0.0 with it: set for the labelled
    // seats on entry and reset on exit, so the inner loop multiplies and
    // adds without converting a label.
    let mut plain = vec![1.0f64; seats.len()];
    let stat = |_: &[bool], labelled: &[usize]| {
        for &i in labelled {
            plain[i] = 0.0;
        }
        let (mut total, mut k) = (0.0, 0usize);
        for &i in labelled {
            let v = val[i];
            if v.is_nan() {
                continue;
            }
            let (a, b) = (start[i] as usize, start[i + 1] as usize);
            // Branch-free: the labels are random, so a branch mispredicts.
            let (mut s, mut c) = (0.0, 0.0);
            for &(j, vj) in &nb_pairs[a..b] {
                let p = plain[j as usize];
                s += vj * p;
                c += p;
            }
            if c > 0.0 {
                total += v - s / c;
                k += 1;
            }
        }
        for &i in labelled {
            plain[i] = 1.0;
        }
        (k >= 2).then(|| total / k as f64)
    };
    // 9,999 relabellings for the headline measure under the headline
    // definition (physical teaching presence); 999 for the other measures
    // and for registered providers (their smallest p is 0.002), which keeps
    // the step's cost in bounds.
    let permutations = if y == F4_MEASURES[0] && marker == HE_MARKERS[0].0 {
        PERMUTATIONS
    } else {
        SECONDARY_PERMUTATIONS
    };
    let perm = match relabel_test(&labels, &eligible, stat, permutations, seed(&id)) {
        Ok(p) => p,
        Err(e) => return not_estimated(f, &e.to_string()),
    };
    // The mean difference with its authority-clustered (CR2) interval.
    let codes: Vec<GssCode> = who.iter().map(|&i| seats[i]).collect();
    let clustered = cluster_ids(data, set, &codes, Inference::Authority)
        .ok()
        .and_then(|ids| cluster_robust(&d, &[], &ids, &OlsOptions::default()).ok());
    f.n = d.len();
    f.estimate = Some(r.mean);
    f.p_value = Some(perm.p);
    f.seed = Some(perm.seed);
    f.replicates = Some(perm.permutations);
    match clustered.as_ref().and_then(|c| {
        Some((
            c.conf_int(0, ClusterCov::CR2, LEVEL)?,
            c.se_df(0, ClusterCov::CR2)?.1,
            c.clusters,
        ))
    }) {
        Some(((lo, hi), df, g)) => {
            f.ci_low = Some(lo);
            f.ci_high = Some(hi);
            f.clusters = Some(g);
            f.inference = format!(
                "CR2 cluster-robust t interval of the mean difference with {g} local authorities as clusters ({} df); p from {} seeded relabellings of which seats hold a provider",
                num(df),
                perm.permutations
            );
        }
        None => {
            f.ci_low = Some(r.ci.0);
            f.ci_high = Some(r.ci.1);
            f.inference = format!(
                "one-sample t interval (seats as independent units); p from {} seeded relabellings",
                perm.permutations
            );
        }
    }
    f.method = format!(
        "each seat {described} minus the mean of its bordering seats without; {}; {}; beside it {}",
        perm.method, f.inference, r.method
    );
    f.details.insert("null_mean".into(), perm.null_mean);
    f.details.insert("null_sd".into(), perm.null_sd);
    f.details.insert("z_permutation".into(), perm.z);
    f.details
        .insert("net_of_design".into(), r.mean - perm.null_mean);
    f.details.insert("t_ci_low".into(), r.ci.0);
    f.details.insert("t_ci_high".into(), r.ci.1);
    f.details.insert("t_p".into(), r.p_t);
    f.details.insert("wilcoxon_p".into(), r.wilcoxon.p);
    f.details.insert("wilcoxon_z".into(), r.wilcoxon.z);
    f.details.insert("seats_labelled".into(), labelled as f64);
    f.details.insert(
        "mean_he_seats".into(),
        d.iter()
            .zip(&neighbour_means)
            .map(|(d, m)| d + m)
            .sum::<f64>()
            / d.len() as f64,
    );
    f.details
        .insert("mean_neighbours".into(), mean_of(&neighbour_means));
    let shared = {
        let mut count = std::collections::BTreeMap::<usize, usize>::new();
        for &i in &who {
            for &j in &neighbours[i] {
                if eligible[j] && !labels[j] {
                    *count.entry(j).or_default() += 1;
                }
            }
        }
        count.values().filter(|c| **c > 1).count()
    };
    f.details
        .insert("comparison_seats_reused".into(), shared as f64);
    let dir = if r.mean >= 0.0 { "higher" } else { "lower" };
    let verdict = if perm.p < 0.05 {
        format!(
            "more {} than random placement gives (permutation {})",
            if r.mean > perm.null_mean {
                "above its neighbours"
            } else {
                "below its neighbours"
            },
            p(perm.p)
        )
    } else {
        format!(
            "no more than random placement gives (permutation {})",
            p(perm.p)
        )
    };
    f.statement = format!(
        "In England and Wales ({}), the {} seats {described} have a value of \u{201c}{}\u{201d} on average {} percentage points {dir} than their neighbouring seats without ({}{}); seats chosen at random in their place would show {} on average, so {verdict}. The t test alone gives {} for its own interval {}.",
        set.title(),
        d.len(),
        title_of(data, y),
        num(r.mean.abs()),
        ci(f.ci_low.unwrap_or(f64::NAN), f.ci_high.unwrap_or(f64::NAN), ""),
        f.clusters
            .map_or(String::new(), |g| format!(", clustered by {g} authorities")),
        num(perm.null_mean),
        p(r.p_t),
        ci(r.ci.0, r.ci.1, ""),
    );
    f
}

/// F4: universities and their neighbours, on both definitions of a seat
/// with an HE provider.
pub fn f4(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F4",
        "Universities and their neighbours: STEM jobs in seats with higher education",
    );
    for (k, marker) in HE_MARKERS.iter().enumerate() {
        for set in SETS {
            for y in F4_MEASURES {
                // Registered providers keep the ids they have always had.
                let id = if k == 1 {
                    format!("F4/{}/{y}", set.id())
                } else {
                    format!("F4/{}/teaching/{y}", set.id())
                };
                f.parts.push(university_part(data, id, set, y, *marker));
            }
        }
    }
    f
}

fn correlation_part(data: &Dataset, set: BoundarySet, id: &str, name: &str) -> Option<Finding> {
    if !data.has(set, id) {
        return None;
    }
    let mut f = base(
        format!("F5/{}/{id}", set.id()),
        format!("{name}: employment share vs deprivation"),
        set,
        ENGLAND,
    );
    f.indicators = used(data, set, &[id, DEPRIVATION]);
    f.unit = "Pearson r".into();
    let t = data.table(set, &[id, DEPRIVATION], ENGLAND);
    f.excluded = exclusions(&t);
    let (y, x) = (t.col(0), t.col(1));
    match (pearson(&x, &y, LEVEL), spearman(&x, &y, LEVEL)) {
        (Ok(r), Ok(s)) => {
            f.n = r.n;
            f.estimate = Some(r.estimate);
            f.ci_low = Some(r.ci.0);
            f.ci_high = Some(r.ci.1);
            f.p_value = Some(r.p);
            f.method = format!(
                "Pearson correlation, {} interval; Spearman beside it",
                r.ci_method
            );
            f.inference = format!("{} interval with seats as independent units", r.ci_method);
            f.details.insert("spearman".into(), s.estimate);
            f.details.insert("spearman_ci_low".into(), s.ci.0);
            f.details.insert("spearman_ci_high".into(), s.ci.1);
            let dir = if r.estimate < 0.0 { "less" } else { "more" };
            f.statement = format!(
                "In England ({}), the more deprived a seat, the {dir} of its working residents are employed in {} (r = {}, {}; n = {}).",
                set.title(),
                name.split_once(' ').map_or(name, |(_, n)| n).to_lowercase(),
                num(r.estimate),
                ci(r.ci.0, r.ci.1, ""),
                r.n
            );
            if !excludes(r.ci.0, r.ci.1, 0.0) {
                f.statement = format!(
                    "In England ({}), employment in {} shows no clear link with deprivation (r = {}, {}; n = {}).",
                    set.title(),
                    name.split_once(' ').map_or(name, |(_, n)| n).to_lowercase(),
                    num(r.estimate),
                    ci(r.ci.0, r.ci.1, ""),
                    r.n
                );
            }
            Some(f)
        }
        (Err(e), _) | (_, Err(e)) => Some(not_estimated(f, &e.to_string())),
    }
}

/// r(old share, deprivation) − r(new share, deprivation) on the same seats.
fn old_new_contrast(data: &Dataset, set: BoundarySet) -> Finding {
    let mut f = base(
        format!("F5/{}/old_vs_new", set.id()),
        "Old industry (B-E) vs new industry (J, M): difference in correlation with deprivation"
            .into(),
        set,
        ENGLAND,
    );
    let ids: Vec<&str> = OLD_INDUSTRY
        .iter()
        .chain(NEW_INDUSTRY.iter())
        .copied()
        .chain([DEPRIVATION])
        .collect();
    f.indicators = used(data, set, &ids);
    f.unit = "difference in Pearson r".into();
    if let Some(why) = unavailable(data, set, &ids) {
        return not_estimated(f, &why);
    }
    let t = data.table(set, &ids, ENGLAND);
    f.excluded = exclusions(&t);
    let old: Vec<f64> = t.rows.iter().map(|r| r[..4].iter().sum()).collect();
    let new: Vec<f64> = t.rows.iter().map(|r| r[4] + r[5]).collect();
    let dep = t.col(6);
    let r = |v: &[f64]| pearson(&dep, v, LEVEL).ok().map(|c| c.estimate);
    let (Some(ro), Some(rn)) = (r(&old), r(&new)) else {
        return not_estimated(f, "a variable is constant on these seats");
    };
    // Each seat as its sums for both correlations (n, d, o, w, d², o², w²,
    // do, dw), on values centred at their means; a resample's r from the
    // summed vectors (`sums_bootstrap`: the resamples of a case bootstrap,
    // without a pass over gathered values per replicate).
    let centre = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| x - m).collect::<Vec<f64>>()
    };
    let (dc, oc, wc) = (centre(&dep), centre(&old), centre(&new));
    let cases: Vec<[f64; 9]> = (0..t.n())
        .map(|i| {
            let (d, o, w) = (dc[i], oc[i], wc[i]);
            [1.0, d, o, w, d * d, o * o, w * w, d * o, d * w]
        })
        .collect();
    let stat = |s: &[f64; 9]| {
        Some(
            pearson_from_sums(s[0], s[1], s[2], s[4], s[5], s[7])?
                - pearson_from_sums(s[0], s[1], s[3], s[4], s[6], s[8])?,
        )
    };
    // Beside it: whole local authorities resampled (a cluster's vector is
    // the sum of its seats').
    if let Ok(ids) = cluster_ids(data, set, &t.codes, Inference::Authority) {
        let g = ids.iter().max().map_or(0, |m| m + 1);
        let mut clusters = vec![[0.0; 9]; g];
        for (c, case) in ids.iter().zip(&cases) {
            for (t, v) in clusters[*c].iter_mut().zip(case) {
                *t += v;
            }
        }
        if let Ok(b) = sums_bootstrap(
            &clusters,
            stat,
            LEVEL,
            REPLICATES,
            seed(&format!("{}/authority", f.id)),
        ) {
            f.details.insert("ci_authority_low".into(), b.ci.0);
            f.details.insert("ci_authority_high".into(), b.ci.1);
            f.details.insert("clusters_authority".into(), g as f64);
        }
    }
    match sums_bootstrap(&cases, stat, LEVEL, REPLICATES, seed(&f.id)) {
        Ok(mut b) => {
            // The estimate from the two-pass r of every seat.
            b.estimate = ro - rn;
            f.n = b.n;
            f.estimate = Some(b.estimate);
            f.ci_low = Some(b.ci.0);
            f.ci_high = Some(b.ci.1);
            f.seed = Some(b.seed);
            f.replicates = Some(b.replicates);
            f.method = format!(
                "Pearson r of each group's summed employment share with {DEPRIVATION}; difference old - new with a {} ({} failed resamples)",
                b.method, b.failed
            );
            f.inference = format!(
                "percentile bootstrap of seats ({} replicates, seed {}); census shares are measured for each seat; the authority-cluster bootstrap is given beside it",
                b.replicates, b.seed
            );
            f.details.insert("r_old_industry".into(), ro);
            f.details.insert("r_new_industry".into(), rn);
            f.statement = format!(
                "In England ({}), employment in old industry (mining, manufacturing, utilities) rises with deprivation or falls less (r = {}) than employment in new industry (information and communication; professional, scientific and technical: r = {}): the difference is {} ({}; n = {}).",
                set.title(),
                num(ro),
                num(rn),
                num(b.estimate),
                ci(b.ci.0, b.ci.1, ""),
                b.n
            );
            if !excludes(b.ci.0, b.ci.1, 0.0) {
                f.statement = format!(
                    "In England ({}), old industry (r = {}) and new industry (r = {}) relate to deprivation alike: the difference {} has an interval that includes zero ({}; n = {}).",
                    set.title(),
                    num(ro),
                    num(rn),
                    num(b.estimate),
                    ci(b.ci.0, b.ci.1, ""),
                    b.n
                );
            }
        }
        Err(e) => return not_estimated(f, &e.to_string()),
    }
    f
}

/// F5: sector gradients (by residence from the census; by workplace from
/// BRES where present), with the old-vs-new contrast first.
pub fn f5(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F5",
        "The link between STEM jobs and deprivation depends on the sector",
    );
    for set in SETS {
        f.parts.push(old_new_contrast(data, set));
    }
    for set in SETS {
        for (id, name) in SECTIONS {
            if let Some(p) = correlation_part(data, set, id, name) {
                f.parts.push(p);
            }
        }
        // By workplace (BRES broad groups), where built.
        let jobs: Vec<(String, String)> = data
            .definitions()
            .iter()
            .filter(|d| d.id.starts_with("jobs_share_"))
            .map(|d| (d.id.clone(), format!("(workplace) {}", d.title)))
            .collect();
        for (id, name) in &jobs {
            if let Some(p) = correlation_part(data, set, id, name) {
                f.parts.push(p);
            }
        }
    }
    f
}

/// One cell of the sensitivity grid: the dimension varied, its value here,
/// and the choices.
struct Cell<'a> {
    dimension: &'static str,
    value: String,
    spec: Spec<'a>,
    /// The part of the finding itself that is this very computation (its
    /// id without the finding's prefix), reused rather than run again.
    same_as: Option<String>,
}

/// The headline's choices varied one dimension at a time: data year (and
/// every year pooled), weighting, inference, suppression bounds, boundary
/// set, deprivation basis and STEM definition.
fn cells<'a>(data: &'a Dataset, headline: Spec<'a>, alternative: &'a str) -> Vec<Cell<'a>> {
    let headline = Spec {
        beside: false,
        ..headline
    };
    let mut out = vec![Cell {
        dimension: "headline",
        value: "as reported".into(),
        spec: headline,
        same_as: Some(format!("2024/{}", headline.y)),
    }];
    let latest = data.period(headline.set, headline.y);
    for p in data.periods(headline.set, headline.y) {
        if Some(p) != latest {
            out.push(Cell {
                dimension: "data year",
                value: p.to_owned(),
                spec: Spec {
                    period: Some(p),
                    ..headline
                },
                same_as: None,
            });
        }
    }
    if data.periods(headline.set, headline.y).len() > 1 {
        out.push(Cell {
            dimension: "data year",
            value: "every year pooled".into(),
            spec: Spec {
                pooled: true,
                ..headline
            },
            same_as: Some(format!("2024/{}/pooled", headline.y)),
        });
    }
    out.push(Cell {
        dimension: "weighting",
        value: "population-weighted".into(),
        spec: Spec {
            weighted: true,
            ..headline
        },
        same_as: None,
    });
    let chosen = headline.inference.resolve(data, headline.y);
    for inf in [Inference::Seats, Inference::Authority, Inference::Region] {
        if inf != chosen {
            out.push(Cell {
                dimension: "inference",
                value: inf.label().into(),
                spec: Spec {
                    inference: inf,
                    ..headline
                },
                same_as: None,
            });
        }
    }
    if SUPPRESSION_BOUNDED.contains(&headline.y) {
        for (b, label) in [
            (Bound::Low, "suppressed cells at their lowest"),
            (Bound::High, "suppressed cells at their highest"),
        ] {
            out.push(Cell {
                dimension: "suppression bounds",
                value: label.into(),
                spec: Spec {
                    bound: b,
                    ..headline
                },
                same_as: None,
            });
        }
    }
    out.push(Cell {
        dimension: "boundary set",
        value: BoundarySet::Pcon2010.title().into(),
        spec: Spec {
            set: BoundarySet::Pcon2010,
            ..headline
        },
        same_as: Some(format!("2010/{}", headline.y)),
    });
    for (x, basis, aggregation) in BASES.iter().skip(1) {
        out.push(Cell {
            dimension: "deprivation basis",
            value: format!("{basis}, {aggregation}"),
            spec: Spec { x, ..headline },
            same_as: None,
        });
    }
    out.push(Cell {
        dimension: "STEM definition",
        value: title_of(data, alternative),
        spec: Spec {
            y: alternative,
            ..headline
        },
        same_as: Some(format!("2024/{alternative}")),
    });
    out
}

/// A fingerprint of a cell's inputs: the seats, their outcome and
/// deprivation values (bit for bit), the weighting, the inference and
/// the kind of analysis. Two cells with the same fingerprint are the same
/// computation. `None` when the cell has no seats (it will say why).
fn fingerprint(data: &Dataset, spec: &Spec<'_>) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let t = data.table_with(spec.set, &[spec.y, spec.x], ENGLAND, |id, c| {
        if id == spec.y {
            spec.outcome(data, c)
        } else {
            data.figure(spec.set, id, c).map(|f| f.value)
        }
    });
    for (c, r) in t.codes.iter().zip(&t.rows) {
        c.as_str().hash(&mut h);
        r[0].to_bits().hash(&mut h);
        r[1].to_bits().hash(&mut h);
    }
    spec.weighted.hash(&mut h);
    format!("{:?}", spec.inference.resolve(data, spec.y)).hash(&mut h);
    (t.n() > 0).then(|| h.finish())
}

/// Lower-case letters, digits and `%`, other runs as one `_`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.to_lowercase().chars() {
        if ch.is_alphanumeric() || ch == '%' {
            out.push(ch);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// Summarises a grid group from its cells: the range of the comparable
/// cells' estimates, how many intervals include `null` (and which), a
/// statement from those numbers, and `n` the cells counted. Shared by F1-F3's
/// groups and F7/F8's (`grid`).
pub(crate) fn summarise_cells(g: &mut Finding, finding: &str, null: f64) {
    let counted: Vec<&Finding> = g
        .parts
        .iter()
        .filter(|p| p.estimate.is_some() && p.details.get("comparable") != Some(&0.0))
        .collect();
    let estimates: Vec<f64> = counted.iter().filter_map(|p| p.estimate).collect();
    let crossing: Vec<String> = counted
        .iter()
        .filter(
            |p| matches!((p.ci_low, p.ci_high), (Some(lo), Some(hi)) if !excludes(lo, hi, null)),
        )
        .map(|p| {
            p.title
                .rsplit_once('[')
                .map_or(p.id.clone(), |(_, l)| l.trim_end_matches(']').to_owned())
        })
        .collect();
    if let (Some(lo), Some(hi)) = (
        estimates.iter().cloned().reduce(f64::min),
        estimates.iter().cloned().reduce(f64::max),
    ) {
        g.details.insert("min_estimate".into(), lo);
        g.details.insert("max_estimate".into(), hi);
        g.details
            .insert("cells_including_null".into(), crossing.len() as f64);
        let holds = if crossing.is_empty() {
            "the interval excludes no difference in every one".to_owned()
        } else {
            format!(
                "the interval includes no difference in {} of them ({})",
                crossing.len(),
                crossing.join("; ")
            )
        };
        g.statement = format!(
            "Varying one choice at a time from the headline ({} comparable cells of {}), {finding}'s estimate ranges from {} to {}; {holds}.",
            estimates.len(),
            g.parts.len(),
            num(lo),
            num(hi),
        );
    } else {
        g.statement = format!("{finding}: no cell could be estimated.");
    }
    g.n = estimates.len();
}

/// What becomes of one cell of F1–F3's sensitivity grid.
enum Plan {
    /// The same inputs as an earlier cell (its label): said once.
    Duplicate(String),
    /// One of the finding's own parts (its id): taken from there.
    Reuse(String),
    /// Computed.
    Compute,
}

/// F1–F3's sensitivity grids as planned cells: (finding, is_gradient,
/// [(part id, label, cell, plan)]), in the order they are reported.
#[allow(clippy::type_complexity)]
fn sensitivity_plan(
    data: &Dataset,
) -> Vec<(&'static str, bool, Vec<(String, String, Cell<'_>, Plan)>)> {
    let grids: [(&str, &str, &str, bool); 3] = [
        ("F1", F1_MEASURES[0], F1_MEASURES[1], true),
        ("F2", F2_MEASURES[0], F2_MEASURES[1], false),
        ("F3", F3_MEASURES[0], F3_MEASURES[2], false),
    ];
    grids
        .into_iter()
        .map(|(finding, y, alternative, is_gradient)| {
            let headline = Spec::headline(BoundarySet::Pcon2024, y, DEPRIVATION);
            let mut seen: Vec<(u64, String)> = Vec::new();
            let planned = cells(data, headline, alternative)
                .into_iter()
                .map(|cell| {
                    let id = format!(
                        "sensitivity/{finding}/{}/{}",
                        slug(cell.dimension),
                        slug(&cell.value)
                    );
                    let label = format!("{}: {}", cell.dimension, cell.value);
                    let key = fingerprint(data, &cell.spec);
                    let plan = if let Some((_, same)) =
                        key.and_then(|key| seen.iter().find(|(k, _)| *k == key))
                    {
                        Plan::Duplicate(same.clone())
                    } else {
                        if let Some(key) = key {
                            seen.push((key, label.clone()));
                        }
                        match &cell.same_as {
                            Some(tail) => Plan::Reuse(format!("{finding}/{tail}")),
                            None => Plan::Compute,
                        }
                    };
                    (id, label, cell, plan)
                })
                .collect();
            (finding, is_gradient, planned)
        })
        .collect()
}

fn sensitivity_cell(data: &Dataset, id: String, cell: &Cell<'_>, is_gradient: bool) -> Finding {
    if is_gradient {
        gradient(data, id, cell.spec)
    } else {
        quintile_ratio(data, id, cell.spec)
    }
}

/// The cells of F1–F3's sensitivity grids that are neither duplicates nor
/// the findings' own parts: the costly part of the grid, run as one task
/// beside the analyses (it needs none of their results).
pub fn sensitivity_cells(data: &Dataset) -> Vec<Finding> {
    sensitivity_plan(data)
        .into_iter()
        .flat_map(|(_, is_gradient, planned)| {
            planned
                .into_iter()
                .filter(|(.., plan)| matches!(plan, Plan::Compute))
                .map(move |(id, _, cell, _)| sensitivity_cell(data, id, &cell, is_gradient))
        })
        .collect()
}

/// Sensitivity of F1–F3's headline to the choices behind it. `done` holds
/// F1–F3 themselves: a cell that is one of their parts is taken from there;
/// `computed` holds the cells [`sensitivity_cells`] computed (any cell
/// missing from both is computed here).
pub fn sensitivity(data: &Dataset, done: &[&Finding], computed: Vec<Finding>) -> Finding {
    let mut f = Finding::new(
        "sensitivity",
        "How the headline findings move with the choices behind them",
    );
    let mut computed: std::collections::HashMap<String, Finding> =
        computed.into_iter().map(|p| (p.id.clone(), p)).collect();
    for (finding, is_gradient, planned) in sensitivity_plan(data) {
        let mut g = Finding::new(
            format!("sensitivity/{finding}"),
            format!("{finding} across choices"),
        );
        let null = if is_gradient { 0.0 } else { 1.0 };
        let mut headline_n = None;
        for (id, label, cell, plan) in planned {
            let reused = match &plan {
                Plan::Duplicate(same) => {
                    let mut p = Finding::new(id, format!("{finding} [{label}]"));
                    p.statement = format!(
                        "Same inputs as [{same}]: on these seats the choice makes no difference, so it is not counted twice."
                    );
                    p.details.insert("duplicate".into(), 1.0);
                    g.parts.push(p);
                    continue;
                }
                Plan::Reuse(want) => done
                    .iter()
                    .flat_map(|f| f.walk())
                    .find(|p| p.id == *want && p.estimate.is_some())
                    .cloned(),
                Plan::Compute => None,
            };
            let mut p = match reused {
                Some(mut p) => {
                    p.statement = format!("As {} (computed once): {}", p.id, p.statement);
                    p.id = id;
                    p
                }
                None => match computed.remove(&id) {
                    Some(p) => p,
                    None => sensitivity_cell(data, id, &cell, is_gradient),
                },
            };
            p.title = format!("{} [{label}]", p.title);
            p.details.insert(
                "basis_is_composite".into(),
                f64::from(u8::from(cell.spec.x.starts_with("uk_"))),
            );
            match headline_n {
                None => headline_n = Some(p.n),
                Some(n) if p.estimate.is_some() && p.n * 20 < n * 19 => {
                    // Fewer than 95% of the headline's seats: a different
                    // population, reported but not counted in the range.
                    p.details.insert("comparable".into(), 0.0);
                    p.statement = format!(
                        "Not comparable with the headline: {} seats against {n} (e.g. a logarithm is undefined where the measure is 0). {}",
                        p.n, p.statement
                    );
                }
                _ => {}
            }
            g.parts.push(p);
        }
        summarise_cells(&mut g, finding, null);
        g.unit = g.parts.first().map(|p| p.unit.clone()).unwrap_or_default();
        g.method = "the headline estimator re-run with one choice changed at a time (data year, weighting, inference, suppression bounds, boundary set, deprivation basis, STEM definition); identical inputs detected and counted once; cells on fewer than 95% of the headline's seats reported but not counted".into();
        g.inference = "as each cell".into();
        f.parts.push(g);
    }
    let summary: Vec<String> = f
        .parts
        .iter()
        .filter(|g| g.details.contains_key("min_estimate"))
        .map(|g| {
            format!(
                "{} from {} to {}",
                g.id.trim_start_matches("sensitivity/"),
                num(g.details["min_estimate"]),
                num(g.details["max_estimate"])
            )
        })
        .collect();
    f.statement = format!(
        "Re-run with one choice changed at a time (data year, weighting, inference, suppression bounds, boundary set, deprivation basis, STEM definition), the headline estimates range: {}.",
        summary.join("; ")
    );
    f.n = f.parts.iter().map(|g| g.n).sum();
    f.method = "grid of re-runs; see the parts".into();
    f.inference = "as each cell".into();
    f.unit = "as each finding".into();
    f.nations = vec![nation_list(ENGLAND)];
    f.boundaries = SETS.iter().map(|s| s.id().to_owned()).collect();
    f
}
