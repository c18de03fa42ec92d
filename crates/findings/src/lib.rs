//! The report's analyses, computed from seat-level figures: F1–F5, the
//! spatial structure of every indicator, a sensitivity grid, and F6, the
//! data-gap register.
//!
//! Pure: [`compute`] takes a [`Dataset`] (built by the caller from the
//! store or from a build in progress) and returns plain structs. Every
//! number in a statement is formatted from the estimate it states; every
//! bootstrap and permutation is seeded with [`SEED`], which each result
//! records. The same dataset gives bit-identical findings.
//!
//! | id | question | estimator |
//! | --- | --- | --- |
//! | F1 | how the STEM-graduate share changes per doubling of deprivation | OLS of log2 share on log2 IMD score, HC3 t interval |
//! | F2 | STEM FE take-up, most vs least deprived fifth of seats | ratio of means, stratified percentile bootstrap |
//! | F3 | apprenticeship starts and achievements, the same way | ratio of means, stratified percentile bootstrap |
//! | F4 | STEM jobs in seats with an HE provider vs their neighbours without | paired t interval, Wilcoxon signed-rank |
//! | F5 | each industry's employment share vs deprivation; old vs new industry | Pearson with Fisher-z interval; case bootstrap of the difference |
//! | F6 | data gaps by indicator and nation | coverage from the data, comparability from [`gaps::RULES`] |
//! | F8 | skills-shortage vacancies vs deprivation and local STEM supply | upper-tier-authority cluster bootstrap of fifths; CR2 slopes |
//! | spatial | clustering of every indicator | Moran's I (permutation p for the headline indicators, Cliff-Ord randomisation p for the rest); LISA for the headline indicators |
//! | sensitivity | how F1–F3 move with basis, aggregation, boundaries, STEM definition | as F1–F3 |

mod analyses;
mod data;
pub mod gaps;
mod grid;
mod inclusion;
pub mod inference;
mod ledger;
mod shortages;
pub mod spatial;
#[cfg(test)]
mod testkit;
mod text;

pub use data::{nation_list, Dataset, Figure, Seat, Table};
pub use gaps::{Comparability, GapRow};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use stemgap_core::BoundarySet;

/// The store document that holds the serialised [`Findings`].
pub const DOCUMENT: &str = "findings";

/// The seed of every bootstrap and permutation (the report's month, July 2023).
pub const SEED: u64 = 20230701;
/// Bootstrap replicates for group contrasts and case bootstraps (Monte-Carlo
/// error of a 95% percentile bound about 0.2% of the interval's width).
pub const REPLICATES: usize = 10_000;
/// Permutations for F4's relabelling test (the smallest p is 2/10,000);
/// LISA uses as many ([`spatial::LISA_PERMUTATIONS`]).
pub const PERMUTATIONS: usize = 9_999;
/// Confidence level of every interval.
pub const LEVEL: f64 = 0.95;

/// The report the findings revisit, as it should be cited wherever it is named.
pub const REPORT_CITATION: &str = "Regional STEM skills inequity, All-Party Parliamentary Group on Diversity and Inclusion in STEM, July 2023 (research by London Economics for the British Science Association)";
/// The report's short title, for running text.
pub const REPORT_TITLE: &str = "Regional STEM skills inequity";

/// How today's public data compare with what the 2023 report said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// The interval supports the report's claim (see [`Ledger::rule`]).
    #[serde(rename = "reproduced")]
    Reproduced,
    /// Same direction, but a different size, or only some parts agree.
    #[serde(rename = "partly reproduced")]
    PartlyReproduced,
    /// The interval is compatible with no effect: the claim is not shown.
    #[serde(rename = "not reproduced")]
    NotReproduced,
    /// The interval excludes the claim and lies on the other side of no effect.
    #[serde(rename = "contradicted")]
    Contradicted,
    /// The data needed to test the claim are not in the sources.
    #[serde(rename = "cannot be tested")]
    CannotBeTested,
    /// A finding the report did not make.
    #[serde(rename = "beyond the report")]
    BeyondTheReport,
}

impl Verdict {
    /// The verdict as written in the JSON and in text.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Reproduced => "reproduced",
            Verdict::PartlyReproduced => "partly reproduced",
            Verdict::NotReproduced => "not reproduced",
            Verdict::Contradicted => "contradicted",
            Verdict::CannotBeTested => "cannot be tested",
            Verdict::BeyondTheReport => "beyond the report",
        }
    }
}

/// One line of the reproduction ledger: what the 2023 report said, and how
/// today's estimate compares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// The report's claim, in its words.
    pub claim: String,
    /// The report's figure, where it gave one.
    pub report_value: Option<f64>,
    /// How far today's measure differs from the report's.
    pub comparable: String,
    pub verdict: Verdict,
    /// The rule the verdict was chosen by, applied to these numbers.
    pub rule: String,
}

/// Seats left out of an analysis, for one reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    pub reason: String,
    pub count: usize,
    pub codes: Vec<String>,
}

/// One finding, or one part of a multi-part finding (same shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// `F1`…`F6`, `spatial`, `sensitivity`; parts extend it (`F1/2024/level4_share`).
    pub id: String,
    pub title: String,
    /// Plain English, generated from the numbers below.
    pub statement: String,
    pub estimate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Confidence level of the interval.
    pub level: f64,
    /// Seats (or cells, for F6) the estimate is made from.
    pub n: usize,
    /// Independent clusters (local authorities, regions) behind the
    /// interval, where it was made from clusters rather than seats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<usize>,
    /// How the interval was made (e.g. "authority-cluster bootstrap,
    /// 10,000 replicates"; "CR2 cluster-robust t, Bell-McCaffrey df").
    #[serde(default)]
    pub inference: String,
    /// The estimate on the lower and the upper bounds of suppressed source
    /// cells: how far suppression alone could move it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_high: Option<f64>,
    pub unit: String,
    pub method: String,
    /// Boundary set ids (`2010`, `2024`).
    pub boundaries: Vec<String>,
    pub nations: Vec<String>,
    /// Indicator ids used, with the period used (`level4_share (2021)`).
    pub indicators: Vec<String>,
    pub excluded: Vec<Exclusion>,
    /// Two-sided p-value where a test is made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicates: Option<usize>,
    /// Further named numbers (group means, the other test's p, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, f64>,
    /// Named lists of seats (e.g. LISA clusters).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seats: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Finding>,
    /// The reproduction ledger (F1-F6 and later findings' top level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Ledger>,
}

impl Finding {
    /// A finding with no estimate yet.
    pub(crate) fn new(id: impl Into<String>, title: impl Into<String>) -> Finding {
        Finding {
            id: id.into(),
            title: title.into(),
            statement: String::new(),
            estimate: None,
            ci_low: None,
            ci_high: None,
            level: LEVEL,
            n: 0,
            clusters: None,
            inference: String::new(),
            bound_low: None,
            bound_high: None,
            unit: String::new(),
            method: String::new(),
            boundaries: Vec::new(),
            nations: Vec::new(),
            indicators: Vec::new(),
            excluded: Vec::new(),
            p_value: None,
            seed: None,
            replicates: None,
            details: BTreeMap::new(),
            seats: BTreeMap::new(),
            parts: Vec::new(),
            report: None,
        }
    }

    /// Every finding and part, depth first.
    pub fn walk(&self) -> Vec<&Finding> {
        let mut out = vec![self];
        for p in &self.parts {
            out.extend(p.walk());
        }
        out
    }
}

/// All findings and the gap register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    pub findings: Vec<Finding>,
    pub gaps: Vec<GapRow>,
}

/// Computes every finding and the register.
/// Runs every task on a few threads that take the next task in list
/// order until none is left; the results come back in list order.
fn run_tasks<const N: usize>(tasks: &[&(dyn Fn() -> Vec<Finding> + Sync); N]) -> [Vec<Finding>; N] {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Vec<Finding>>>> = Mutex::new((0..N).map(|_| None).collect());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, N);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(task) = tasks.get(i) else { break };
                let out = task();
                done.lock().expect("no task panics holding the lock")[i] = Some(out);
            });
        }
    });
    let mut done = done.into_inner().expect("no task panics holding the lock");
    std::array::from_fn(|i| done[i].take().expect("every task ran"))
}

pub fn compute(data: &Dataset) -> Findings {
    let gaps = gaps::register(data);
    // The analyses are independent tasks (each with its own seeded
    // generators, so the result does not depend on the threads), taken
    // from a list by as many threads as the machine has, costliest first;
    // the sensitivity grid's own cells are a task too, and the grid is
    // assembled after them (a cell that is one of F1-F3's parts is reused).
    // Costliest first (callgrind, `dev/bench/findings.sh`): LISA's
    // 9,999-permutation maps are on the 2024 seats, F4's relabellings, the
    // cluster bootstraps of F2, F1 with its spatial error model, ...
    let tasks: [&(dyn Fn() -> Vec<Finding> + Sync); 11] = [
        &|| spatial::spatial_parts(data, BoundarySet::Pcon2024),
        &|| vec![analyses::f4(data)],
        &|| vec![analyses::f2(data)],
        &|| vec![analyses::f1(data)],
        &|| vec![inclusion::f7(data)],
        &|| vec![analyses::f3(data)],
        &|| analyses::sensitivity_cells(data),
        &|| grid::groups(data),
        &|| vec![analyses::f5(data)],
        &|| spatial::spatial_parts(data, BoundarySet::Pcon2010),
        &|| vec![shortages::f8(data)],
    ];
    let [spatial_2024, f4, f2, f1, f7, f3, cells, groups, f5, spatial_2010, f8] = run_tasks(&tasks);
    let one = |mut v: Vec<Finding>| v.pop().expect("one finding per analysis task");
    let (f1, f2, f3, f4, f5, f7, f8) = (
        one(f1),
        one(f2),
        one(f3),
        one(f4),
        one(f5),
        one(f7),
        one(f8),
    );
    let mut sensitivity = analyses::sensitivity(data, &[&f1, &f2, &f3], cells);
    grid::extend(&mut sensitivity, groups);
    let spatial = spatial::spatial_from(spatial_2024.into_iter().chain(spatial_2010).collect());
    let mut findings = vec![
        f1,
        f2,
        f3,
        f4,
        f5,
        gaps::f6(&gaps),
        f7,
        f8,
        spatial,
        sensitivity,
    ];
    for f in &mut findings {
        analyses::lift_headline(f);
    }
    ledger::annotate(&mut findings);
    Findings { findings, gaps }
}
