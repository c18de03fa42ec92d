//! F1–F5 and the sensitivity grid.

use crate::data::{nation_list, Dataset, Table};
use crate::text::{ci, excludes, lower_first, num, p};
use crate::{Exclusion, Finding, LEVEL, REPLICATES, SEED};
use stemgap_core::{BoundarySet, GssCode, Nation};
use stemgap_stats::{
    case_bootstrap, group_contrast, paired, pearson, per_doubling, spearman,
    weighted_quantile_groups, Contrast, Cov, OlsOptions,
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
/// FE measures for F2, the headline (STEM subject areas) first.
pub const F2_MEASURES: [&str; 3] = [
    "fe_stem_achievements_per_1000",
    "fe_stem_broad_achievements_per_1000",
    "fe_achievements_per_1000",
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

/// Per-doubling gradient of `y` on deprivation `x` (England).
fn gradient(data: &Dataset, id: String, set: BoundarySet, y: &str, x: &str) -> Finding {
    let mut f = base(
        id,
        format!(
            "{} per doubling of {}",
            title_of(data, y),
            lower_first(&title_of(data, x))
        ),
        set,
        ENGLAND,
    );
    f.indicators = used(data, set, &[y, x]);
    f.unit = "% change per doubling".into();
    if let Some(why) = unavailable(data, set, &[y, x]) {
        return not_estimated(f, &why);
    }
    let t = data.table(set, &[y, x], ENGLAND);
    f.excluded = exclusions(&t);
    let (ys, xs) = (t.col(0), t.col(1));
    match per_doubling(&ys, &xs, &OlsOptions::default().cov(Cov::HC3).level(LEVEL)) {
        Ok(d) => {
            add_exclusion(
                &mut f,
                "value not positive (no logarithm)",
                d.excluded.iter().map(|&i| t.codes[i]).collect(),
            );
            f.n = d.n;
            f.estimate = Some(d.pct);
            f.ci_low = Some(d.ci.0);
            f.ci_high = Some(d.ci.1);
            f.p_value = Some(d.fit.p[1]);
            f.method = format!("{}; {} standard errors", d.method, d.cov.name());
            f.details.insert("slope_log2".into(), d.slope);
            f.details.insert("r2".into(), d.fit.r2);
            let dir = if d.pct < 0.0 { "lower" } else { "higher" };
            let interval = if d.ci.1 < 0.0 {
                format!("95% CI {}% to {}% lower", num(-d.ci.1), num(-d.ci.0))
            } else if d.ci.0 > 0.0 {
                format!("95% CI {}% to {}% higher", num(d.ci.0), num(d.ci.1))
            } else {
                format!(
                    "{}; the interval includes no change",
                    ci(d.ci.0, d.ci.1, "%")
                )
            };
            let article = crate::text::article(&num(d.pct.abs()));
            f.statement = format!(
                "In England ({}), a seat whose {} is twice as high has on average {article} {}% {dir} value of \u{201c}{}\u{201d} ({interval}; n = {} seats).",
                set.title(),
                lower_first(&title_of(data, x)),
                num(d.pct.abs()),
                title_of(data, y),
                d.n,
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
                set,
                y,
                DEPRIVATION,
            ));
        }
    }
    f
}

/// Ratio of the mean of `y` in the most deprived fifth of seats (by
/// population, on `x`) to the least deprived fifth, England.
fn quintile_ratio(data: &Dataset, id: String, set: BoundarySet, y: &str, x: &str) -> Finding {
    let mut f = base(
        id,
        format!(
            "{}: most vs least deprived fifth of seats by {}",
            title_of(data, y),
            lower_first(&title_of(data, x))
        ),
        set,
        ENGLAND,
    );
    f.indicators = used(data, set, &[y, x, POPULATION]);
    f.unit = "ratio".into();
    if let Some(why) = unavailable(data, set, &[y, x, POPULATION]) {
        return not_estimated(f, &why);
    }
    let t = data.table(set, &[y, x, POPULATION], ENGLAND);
    f.excluded = exclusions(&t);
    let (ys, xs, w) = (t.col(0), t.col(1), t.col(2));
    let groups = match weighted_quantile_groups(&xs, &w, 5) {
        Ok(g) => g,
        Err(e) => return not_estimated(f, &e.to_string()),
    };
    let pick = |g: usize| -> Vec<f64> {
        (0..ys.len())
            .filter(|&i| groups.group[i] == g)
            .map(|i| ys[i])
            .collect()
    };
    let (most, least) = (pick(5), pick(1));
    match group_contrast(&most, &least, Contrast::Ratio, LEVEL, REPLICATES, SEED) {
        Ok(c) => {
            f.n = c.n;
            f.estimate = Some(c.estimate);
            f.ci_low = Some(c.ci.0);
            f.ci_high = Some(c.ci.1);
            f.seed = Some(c.seed);
            f.replicates = Some(c.replicates);
            f.method = format!(
                "seats split into five groups of equal population by {x} ({}); {}",
                groups.method, c.method
            );
            f.details.insert("mean_most_deprived".into(), c.mean_a);
            f.details.insert("mean_least_deprived".into(), c.mean_b);
            f.details.insert("seats_most_deprived".into(), c.n_a as f64);
            f.details
                .insert("seats_least_deprived".into(), c.n_b as f64);
            let unit = data.definition(y).map_or("", |d| d.unit.as_str());
            let scale = if unit == "share" { 100.0 } else { 1.0 };
            let suffix = match unit {
                "share" => "%",
                "rate_per_1000" => " per 1,000",
                _ => "",
            };
            let verdict = if excludes(c.ci.0, c.ci.1, 1.0) {
                ""
            } else {
                " The interval includes no difference."
            };
            f.statement = format!(
                "In England ({}), {} averages {}{suffix} in the most deprived fifth of seats and {}{suffix} in the least deprived fifth: {} times as much ({}; {} and {} seats).{verdict}",
                set.title(),
                lower_first(&title_of(data, y)),
                num(c.mean_a * scale),
                num(c.mean_b * scale),
                num(c.estimate),
                ci(c.ci.0, c.ci.1, ""),
                c.n_a,
                c.n_b,
            );
        }
        Err(e) => return not_estimated(f, &e.to_string()),
    }
    f
}

/// F2: STEM FE take-up by deprivation.
pub fn f2(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F2",
        "Deprived areas lean on further education: STEM FE take-up by deprivation",
    );
    for set in SETS {
        for y in F2_MEASURES {
            f.parts.push(quintile_ratio(
                data,
                format!("F2/{}/{y}", set.id()),
                set,
                y,
                DEPRIVATION,
            ));
        }
    }
    // The degree-level contrast the report sets beside it.
    f.parts.push(quintile_ratio(
        data,
        "F2/2024/level4_share".into(),
        BoundarySet::Pcon2024,
        "level4_share",
        DEPRIVATION,
    ));
    f
}

/// F3: apprenticeships by deprivation.
pub fn f3(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F3",
        "Deprived areas lean on apprenticeships: starts and achievements by deprivation",
    );
    for set in SETS {
        for y in F3_MEASURES {
            f.parts.push(quintile_ratio(
                data,
                format!("F3/{}/{y}", set.id()),
                set,
                y,
                DEPRIVATION,
            ));
        }
    }
    f
}

/// Seat minus the mean of its neighbours without an HE provider, for seats
/// with one.
fn university_part(data: &Dataset, id: String, set: BoundarySet, y: &str) -> Finding {
    let nations = [Nation::England, Nation::Wales];
    let mut f = base(
        id,
        format!(
            "{}: seats with an HE provider vs their neighbours without one",
            title_of(data, y)
        ),
        set,
        &nations,
    );
    f.indicators = used(data, set, &[y, HE_MARKER]);
    f.unit = "percentage points".into();
    if let Some(why) = unavailable(data, set, &[y, HE_MARKER]) {
        return not_estimated(f, &why);
    }
    let value = |c: GssCode| data.figure(set, y, c).map(|f| f.value * 100.0);
    let has_he = |c: GssCode| data.figure(set, HE_MARKER, c).map(|f| f.value >= 1.0);
    let (mut d, mut used_seats) = (Vec::new(), 0usize);
    let mut no_value = Vec::new();
    let mut no_plain_neighbour = Vec::new();
    let mut neighbour_means = Vec::new();
    for seat in data
        .seats(set)
        .iter()
        .filter(|s| nations.contains(&s.nation))
    {
        if has_he(seat.code) != Some(true) {
            continue;
        }
        let Some(v) = value(seat.code) else {
            no_value.push(seat.code);
            continue;
        };
        let others: Vec<f64> = data
            .neighbours(set, seat.code)
            .iter()
            .filter(|&&c| has_he(c) == Some(false))
            .filter_map(|&c| value(c))
            .collect();
        if others.is_empty() {
            no_plain_neighbour.push(seat.code);
            continue;
        }
        let m = others.iter().sum::<f64>() / others.len() as f64;
        neighbour_means.push(m);
        d.push(v - m);
        used_seats += 1;
    }
    add_exclusion(&mut f, &format!("HE seat with no value for {y}"), no_value);
    add_exclusion(
        &mut f,
        "HE seat with no bordering seat that lacks an HE provider and has a value",
        no_plain_neighbour,
    );
    match paired(&d, LEVEL) {
        Ok(r) => {
            f.n = used_seats;
            f.estimate = Some(r.mean);
            f.ci_low = Some(r.ci.0);
            f.ci_high = Some(r.ci.1);
            f.p_value = Some(r.p_t);
            f.method = format!(
                "each seat with an HE provider minus the mean of its bordering seats without one; {}; {}",
                r.method, r.wilcoxon.method
            );
            f.details.insert("wilcoxon_p".into(), r.wilcoxon.p);
            f.details.insert("wilcoxon_z".into(), r.wilcoxon.z);
            f.details.insert(
                "mean_he_seats".into(),
                d.iter()
                    .zip(&neighbour_means)
                    .map(|(d, m)| d + m)
                    .sum::<f64>()
                    / d.len() as f64,
            );
            f.details.insert(
                "mean_neighbours".into(),
                neighbour_means.iter().sum::<f64>() / neighbour_means.len() as f64,
            );
            let dir = if r.mean >= 0.0 { "higher" } else { "lower" };
            let verdict = if excludes(r.ci.0, r.ci.1, 0.0) {
                "the t interval excludes zero"
            } else {
                "no clear difference: the interval includes zero"
            };
            f.statement = format!(
                "In England and Wales ({}), the {} seats with a university or HE college have a value of \u{201c}{}\u{201d} on average {} percentage points {dir} than their neighbouring seats without one ({}; Wilcoxon {}): {verdict}.",
                set.title(),
                used_seats,
                title_of(data, y),
                num(r.mean.abs()),
                ci(r.ci.0, r.ci.1, ""),
                p(r.wilcoxon.p),
            );
            if set == BoundarySet::Pcon2010 {
                f.method.push_str("; on 2010-2024 seats hei_count holds only providers placed unambiguously (their 2024 seat lies at least 99% in one old seat), so many seats with a provider are treated as lacking one");
            }
        }
        Err(e) => return not_estimated(f, &e.to_string()),
    }
    f
}

/// F4: universities and their neighbours.
pub fn f4(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "F4",
        "Universities and their neighbours: STEM jobs in seats with an HE provider",
    );
    for set in SETS {
        for y in F4_MEASURES {
            f.parts.push(university_part(
                data,
                format!("F4/{}/{y}", set.id()),
                set,
                y,
            ));
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
    let r_of = |v: &[f64], idx: &[usize]| -> Option<f64> {
        let a: Vec<f64> = idx.iter().map(|&i| v[i]).collect();
        let b: Vec<f64> = idx.iter().map(|&i| dep[i]).collect();
        pearson(&b, &a, LEVEL).ok().map(|r| r.estimate)
    };
    let stat = |idx: &[usize]| Some(r_of(&old, idx)? - r_of(&new, idx)?);
    let all: Vec<usize> = (0..t.n()).collect();
    match case_bootstrap(t.n(), stat, LEVEL, REPLICATES, SEED) {
        Ok(b) => {
            let (ro, rn) = (
                r_of(&old, &all).unwrap_or(f64::NAN),
                r_of(&new, &all).unwrap_or(f64::NAN),
            );
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

/// Sensitivity of F1–F3's headline to basis, aggregation, boundaries and the
/// STEM definition.
pub fn sensitivity(data: &Dataset) -> Finding {
    let mut f = Finding::new(
        "sensitivity",
        "How the headline findings move with the choices behind them",
    );
    let grids: [(&str, &[&str], bool); 3] = [
        ("F1", &F1_MEASURES[..2], true),
        ("F2", &F2_MEASURES[..2], false),
        ("F3", &[F3_MEASURES[0], F3_MEASURES[2]], false),
    ];
    for (finding, measures, is_gradient) in grids {
        let mut g = Finding::new(
            format!("sensitivity/{finding}"),
            format!("{finding} across choices"),
        );
        for set in SETS {
            for (x, basis, aggregation) in BASES {
                for y in measures {
                    let id = format!("sensitivity/{finding}/{}/{x}/{y}", set.id());
                    let mut p = if is_gradient {
                        gradient(data, id, set, y, x)
                    } else {
                        quintile_ratio(data, id, set, y, x)
                    };
                    p.details.insert(
                        "basis_is_composite".into(),
                        f64::from(u8::from(x.starts_with("uk_"))),
                    );
                    p.title = format!("{} [{basis}; {aggregation}; {}; {y}]", p.title, set.id());
                    g.parts.push(p);
                }
            }
        }
        let estimates: Vec<f64> = g.parts.iter().filter_map(|p| p.estimate).collect();
        if let (Some(lo), Some(hi)) = (
            estimates.iter().cloned().reduce(f64::min),
            estimates.iter().cloned().reduce(f64::max),
        ) {
            g.details.insert("min_estimate".into(), lo);
            g.details.insert("max_estimate".into(), hi);
            g.statement = format!(
                "Across {} combinations of deprivation basis, aggregation, boundary set and STEM definition, {finding}'s estimate ranges from {} to {} ({} could not be estimated).",
                g.parts.len(),
                num(lo),
                num(hi),
                g.parts.len() - estimates.len()
            );
        }
        g.n = estimates.len();
        g.unit = g.parts.first().map(|p| p.unit.clone()).unwrap_or_default();
        g.method = "the headline estimator re-run for each combination".into();
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
        "Re-run across deprivation basis (national or composite UK index), aggregation (mean score or share in the most deprived areas), boundary set and STEM definition, the headline estimates range: {}.",
        summary.join("; ")
    );
    f.n = f.parts.iter().map(|g| g.n).sum();
    f.method = "grid of re-runs; see the parts".into();
    f.unit = "as each finding".into();
    f.nations = vec![nation_list(ENGLAND)];
    f.boundaries = SETS.iter().map(|s| s.id().to_owned()).collect();
    f
}
