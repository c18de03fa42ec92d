//! F6: the data-gap register. For every indicator and each of the four
//! nations: how the figures were made in each boundary set (measured,
//! apportioned, converted, derived) or that they are missing, the period, and
//! a comparability grade with its reason.
//!
//! Coverage comes from the data; the grade and the reason come from
//! [`RULES`], which a reviewer can read in one place.

use crate::data::Dataset;
use crate::text::num;
use crate::Finding;
use serde::{Deserialize, Serialize};
use stemgap_core::{BoundarySet, Nation};

/// How a nation's figure for an indicator compares with the other nations'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparability {
    /// The same definition and source as in the other nations.
    SameDefinition,
    /// Different sources or years that can be put on a common basis, with care.
    Harmonisable,
    /// Each nation measures it differently: compare within a nation only.
    NotComparable,
    /// No figures for this nation.
    Missing,
}

impl Comparability {
    pub fn id(self) -> &'static str {
        match self {
            Comparability::SameDefinition => "same definition",
            Comparability::Harmonisable => "harmonisable",
            Comparability::NotComparable => "not comparable",
            Comparability::Missing => "missing",
        }
    }
}

/// One row of the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapRow {
    pub indicator: String,
    pub title: String,
    pub nation: String,
    /// Methods used on the 2010-2024 seats, joined with `+`, or `missing`.
    pub status_2010: String,
    pub seats_2010: usize,
    pub of_2010: usize,
    /// The same for the 2024 seats.
    pub status_2024: String,
    pub seats_2024: usize,
    pub of_2024: usize,
    pub period: String,
    pub comparability: Comparability,
    pub reason: String,
}

/// A rule: indicator ids it applies to (exact, or a prefix ending in `*`),
/// the nations it speaks about, the grade and the reason.
pub struct Rule {
    pub ids: &'static [&'static str],
    pub nations: &'static [Nation],
    pub grade: Comparability,
    pub reason: &'static str,
}

const E: Nation = Nation::England;
const W: Nation = Nation::Wales;
const S: Nation = Nation::Scotland;
const N: Nation = Nation::NorthernIreland;

const CENSUS_EW: &[&str] = &[
    "level*",
    "no_quals_share",
    "other_quals_share",
    "apprenticeship_qual_share",
    "industry_*",
    "nssec_*",
    "economically_active_share",
    "in_employment_share",
    "unemployed_share",
    "inactive_*",
];
const CENSUS_UK: &[&str] = &["age_*", "ethnicity_*", "female_share"];
const DFE: &[&str] = &["fe_*", "apprenticeship_*"];
const WORKPLACE: &[&str] = &[
    "stem_jobs_share",
    "jobs_share_*",
    "employees_total",
    "professional_occupations_share",
    "technical_occupations_share",
    "employed_residents_16plus",
];

/// The grades, first match wins; a present figure with no rule is graded
/// "same definition" only when one source covers every nation that has it.
pub const RULES: &[Rule] = &[
    Rule { ids: &["imd_score"], nations: &[S, N], grade: Comparability::Missing,
        reason: "SIMD and NIMDM publish ranks only, no scores: use imd_rank, imd_decile or imd_most_deprived_share within the nation, or uk_imd_score across nations." },
    Rule { ids: &["imd_*"], nations: &[E, W, S, N], grade: Comparability::NotComparable,
        reason: "Each nation's own index (England IMD 2019, Wales WIMD 2019, Scotland SIMD 2020v2, Northern Ireland NIMDM 2017): different domains, indicators and years. Compare seats within a nation, or use uk_imd_score." },
    Rule { ids: &["uk_imd_*"], nations: &[E, W, S, N], grade: Comparability::Harmonisable,
        reason: "mySociety's composite re-scales each nation's index onto England's through the income and employment domains, which are roughly comparable." },
    Rule { ids: CENSUS_EW, nations: &[E, W], grade: Comparability::SameDefinition,
        reason: "Census 2021, one questionnaire for England and Wales." },
    Rule { ids: CENSUS_EW, nations: &[S], grade: Comparability::Missing,
        reason: "Scotland's Census 2022 qualifications, industry and economic activity are not published by constituency in the sources (only population, age, sex, ethnicity, birth, religion and language)." },
    Rule { ids: CENSUS_EW, nations: &[N], grade: Comparability::Missing,
        reason: "No Northern Ireland Census 2021 tables by constituency in the sources." },
    Rule { ids: CENSUS_UK, nations: &[E, W], grade: Comparability::SameDefinition,
        reason: "Census 2021, one questionnaire for England and Wales." },
    Rule { ids: CENSUS_UK, nations: &[S], grade: Comparability::Harmonisable,
        reason: "Scotland's Census 2022: a year later, with categories mapped onto the England and Wales ones." },
    Rule { ids: CENSUS_UK, nations: &[N], grade: Comparability::Missing,
        reason: "No Northern Ireland Census 2021 tables by constituency in the sources." },
    Rule { ids: &["fe_providers*"], nations: &[E], grade: Comparability::SameDefinition,
        reason: "Ofsted inspection outcomes, England." },
    Rule { ids: &["fe_providers*"], nations: &[W, S, N], grade: Comparability::Missing,
        reason: "Ofsted inspects England only; Estyn, Education Scotland and ETI (Northern Ireland) report differently and are not in the sources." },
    Rule { ids: &["fe_et_*"], nations: &[E], grade: Comparability::SameDefinition,
        reason: "DfE adult education and training achievements by sex, ethnicity and level (ILR), England, 2015/16-2020/21, apportioned from authorities." },
    Rule { ids: &["fe_et_*"], nations: &[W, S, N], grade: Comparability::Missing,
        reason: "England only: the DfE data set counts learners in England's further education; Wales (Medr/LLWR), Scotland (SFC) and Northern Ireland (DfE NI) do not publish achievements by sex and ethnicity for areas in the sources." },
    Rule { ids: &["ess_*"], nations: &[E], grade: Comparability::SameDefinition,
        reason: "DfE Employer Skills Survey (2019; occupations 2017), England's 152 upper-tier authorities, apportioned to seats: one survey, one definition." },
    Rule { ids: &["ess_*"], nations: &[W, S, N], grade: Comparability::Missing,
        reason: "England only in the sources: the survey's authority tables here are England's; Wales, Scotland and Northern Ireland are surveyed (UK Employer Skills Survey) but their area tables are not in the sources." },
    Rule { ids: DFE, nations: &[E], grade: Comparability::SameDefinition,
        reason: "DfE Individualised Learner Record statistics, England." },
    Rule { ids: DFE, nations: &[W, S, N], grade: Comparability::Missing,
        reason: "DfE statistics cover England only; Wales (Medr/LLWR), Scotland (SFC, SDS) and Northern Ireland (DfE NI) publish on other definitions, not in the sources." },
    Rule { ids: &["ks4_*", "ks2_*"], nations: &[E], grade: Comparability::SameDefinition,
        reason: "DfE Key Stage 2 and 4 measures (House of Commons Library), England." },
    Rule { ids: &["ks4_*", "ks2_*"], nations: &[W, S, N], grade: Comparability::Missing,
        reason: "Key Stage 2 and GCSE-based measures are England's; Wales, Scotland (National Qualifications) and Northern Ireland have no comparable measure in the sources." },
    Rule { ids: &["stem_professionals_share", "aps_*"], nations: &[E, W, S], grade: Comparability::SameDefinition,
        reason: "Annual Population Survey, Great Britain, one definition." },
    Rule { ids: &["stem_professionals_share", "aps_*"], nations: &[N], grade: Comparability::Missing,
        reason: "The APS extracts in the sources cover Great Britain's local authorities only." },
    Rule { ids: WORKPLACE, nations: &[E, W], grade: Comparability::SameDefinition,
        reason: "BRES 2024 and Census 2021 TS063 for England and Wales MSOAs." },
    Rule { ids: WORKPLACE, nations: &[S, N], grade: Comparability::Missing,
        reason: "The BRES and occupation files in the sources cover England and Wales MSOAs only." },
    Rule { ids: &["he_entry_rate_*"], nations: &[E, W, N], grade: Comparability::SameDefinition,
        reason: "UCAS end-of-cycle entry rates, one definition UK-wide." },
    Rule { ids: &["he_entry_rate_*"], nations: &[S], grade: Comparability::Harmonisable,
        reason: "UCAS entry rates understate Scotland, where much higher education is taught in colleges outside UCAS." },
    Rule { ids: &["hei_count", "he_locations", "he_stem_locations", "he_teaching_presence", "hei_teaching_count", "hei_teaching_at_address"], nations: &[E, W, S, N], grade: Comparability::SameDefinition,
        reason: "Discover Uni lists UK providers and teaching locations alike." },
    Rule { ids: &["population*"], nations: &[E, W, S, N], grade: Comparability::SameDefinition,
        reason: "Mid-year population estimates (ONS, NRS, NISRA) on one definition." },
];

fn matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// The rule for an indicator in a nation, if any.
pub fn rule(id: &str, nation: Nation) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.nations.contains(&nation) && r.ids.iter().any(|p| matches(p, id)))
}

fn status(data: &Dataset, set: BoundarySet, id: &str, nation: Nation) -> (String, usize, usize) {
    let of = data
        .seats(set)
        .iter()
        .filter(|s| s.nation == nation)
        .count();
    match data.coverage(set, id).and_then(|c| c.get(&nation)) {
        Some((n, methods)) => (
            methods.iter().map(|m| m.id()).collect::<Vec<_>>().join("+"),
            *n,
            of,
        ),
        None => ("missing".into(), 0, of),
    }
}

/// The register: one row per indicator and nation.
pub fn register(data: &Dataset) -> Vec<GapRow> {
    let mut rows = Vec::new();
    for def in data.definitions() {
        for nation in Nation::ALL {
            let (status_2010, seats_2010, of_2010) =
                status(data, BoundarySet::Pcon2010, &def.id, nation);
            let (status_2024, seats_2024, of_2024) =
                status(data, BoundarySet::Pcon2024, &def.id, nation);
            let present = seats_2010 + seats_2024 > 0;
            let (comparability, reason) = match (present, rule(&def.id, nation)) {
                (false, Some(r)) if r.grade == Comparability::Missing => {
                    (Comparability::Missing, r.reason.to_owned())
                }
                (false, _) => (
                    Comparability::Missing,
                    format!("No figures for {} in the sources.", nation.name()),
                ),
                (true, Some(r)) if r.grade != Comparability::Missing => {
                    (r.grade, r.reason.to_owned())
                }
                (true, _) => (
                    Comparability::SameDefinition,
                    "One source covers every nation that has this indicator.".to_owned(),
                ),
            };
            let period = [BoundarySet::Pcon2024, BoundarySet::Pcon2010]
                .iter()
                .find_map(|s| data.period(*s, &def.id))
                .unwrap_or("")
                .to_owned();
            rows.push(GapRow {
                indicator: def.id.clone(),
                title: def.title.clone(),
                nation: nation.name().to_owned(),
                status_2010,
                seats_2010,
                of_2010,
                status_2024,
                seats_2024,
                of_2024,
                period: if present { period } else { String::new() },
                comparability,
                reason,
            });
        }
    }
    rows
}

/// F6: the register summarised.
pub fn f6(rows: &[GapRow]) -> Finding {
    let mut f = Finding::new(
        "F6",
        "Much of the data needed is missing or not comparable between the four nations",
    );
    let cells = rows.len();
    let missing = rows
        .iter()
        .filter(|r| r.comparability == Comparability::Missing)
        .count();
    let not_comparable = rows
        .iter()
        .filter(|r| r.comparability == Comparability::NotComparable)
        .count();
    let mut indicators: Vec<&str> = rows.iter().map(|r| r.indicator.as_str()).collect();
    indicators.dedup();
    let all_four = indicators
        .iter()
        .filter(|id| {
            rows.iter()
                .filter(|r| r.indicator == **id)
                .all(|r| r.comparability != Comparability::Missing)
        })
        .count();
    let share = if cells > 0 {
        missing as f64 / cells as f64
    } else {
        f64::NAN
    };
    f.estimate = Some(share);
    f.n = cells;
    f.unit = "share of indicator x nation cells with no figures".into();
    f.method = "register of every indicator and nation: coverage from the store, comparability from the documented rules".into();
    f.nations = Nation::ALL.iter().map(|n| n.name().to_owned()).collect();
    f.boundaries = vec!["2010".into(), "2024".into()];
    f.details
        .insert("indicators".into(), indicators.len() as f64);
    f.details
        .insert("indicators_in_all_four_nations".into(), all_four as f64);
    f.details.insert("cells_missing".into(), missing as f64);
    f.details
        .insert("cells_not_comparable".into(), not_comparable as f64);
    f.statement = format!(
        "Of {} indicators, {} have figures for all four nations. Of the {cells} indicator-by-nation cells, {missing} ({}%) have no figures and {not_comparable} hold figures that are not comparable between nations.",
        indicators.len(),
        all_four,
        num(share * 100.0)
    );
    for nation in Nation::ALL {
        let mine: Vec<&GapRow> = rows.iter().filter(|r| r.nation == nation.name()).collect();
        let have = mine
            .iter()
            .filter(|r| r.comparability != Comparability::Missing)
            .count();
        let mut p = Finding::new(
            format!("F6/{}", nation.name().to_lowercase().replace(' ', "_")),
            format!("Indicators available for {}", nation.name()),
        );
        p.n = mine.len();
        p.estimate = Some(if mine.is_empty() {
            f64::NAN
        } else {
            have as f64 / mine.len() as f64
        });
        p.unit = "share of indicators with figures".into();
        p.method = f.method.clone();
        p.nations = vec![nation.name().to_owned()];
        p.boundaries = f.boundaries.clone();
        p.statement = format!(
            "{} has figures for {have} of {} indicators ({}%).",
            nation.name(),
            mine.len(),
            num(p.estimate.unwrap_or(f64::NAN) * 100.0)
        );
        f.parts.push(p);
    }
    f
}
