//! The choices behind an estimate — which period, weighting, inference and
//! suppression bound — and the clusters that inference rests on.
//!
//! **Resolution.** A figure shared out from a local authority to its seats
//! (`apportioned` from an authority-level source: DfE FE and
//! apprenticeships, the Annual Population Survey, business counts) is one
//! observation of that authority, not one per seat. Such outcomes are
//! inferred with the authority as the independent unit: CR2 cluster-robust
//! standard errors (Bell–McCaffrey degrees of freedom) for slopes, a
//! cluster bootstrap for group contrasts. Outcomes measured for each seat
//! (the census) keep seats as units, with the authority- and
//! region-clustered intervals reported beside the headline.
//!
//! A seat's authority is the one holding most of its population (the
//! `ingest` crate works it out from the population overlaps); its region is
//! the English region, or the nation elsewhere.

use crate::data::Dataset;
use crate::SEED;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, GssCode};

/// Which units an interval treats as independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inference {
    /// The rule above: authorities for authority-level outcomes, seats otherwise.
    Headline,
    /// Seats as independent observations.
    Seats,
    /// Local authorities as clusters.
    Authority,
    /// Regions as clusters (few: nine in England).
    Region,
}

impl Inference {
    /// The inference the headline uses for outcome `y`.
    pub fn resolve(self, data: &Dataset, y: &str) -> Inference {
        match self {
            Inference::Headline if data.authority_level(y) => Inference::Authority,
            Inference::Headline => Inference::Seats,
            other => other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Inference::Headline => "headline rule",
            Inference::Seats => "seats as independent units",
            Inference::Authority => "clustered by local authority",
            Inference::Region => "clustered by region",
        }
    }
}

/// Which value of a figure whose interval is a suppression bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The stored value (the midpoint of the bounds).
    Mid,
    /// Every suppressed source cell at its lowest possible count.
    Low,
    /// Every suppressed source cell at its highest possible count.
    High,
}

/// Indicators whose stored interval is the range allowed by suppressed
/// source cells (DfE counts of `~`/`low`, i.e. 0 to 4, shared out to
/// seats), not a sampling interval.
pub const SUPPRESSION_BOUNDED: [&str; 6] = [
    "fe_achievements_per_1000",
    "fe_stem_achievements_per_1000",
    "fe_stem_broad_achievements_per_1000",
    "apprenticeship_achievements_per_1000",
    "fe_et_stem_achievements_per_1000",
    "fe_et_stem_broad_achievements_per_1000",
];

/// One way of running an analysis: the sensitivity grid varies these one
/// at a time from the headline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec<'a> {
    pub set: BoundarySet,
    /// Outcome.
    pub y: &'a str,
    /// Deprivation measure (higher = more deprived).
    pub x: &'a str,
    /// The outcome's period; `None`: each seat's latest.
    pub period: Option<&'a str>,
    /// Each seat's mean over every period of the outcome.
    pub pooled: bool,
    /// Population-weighted (WLS; weighted group means).
    pub weighted: bool,
    pub inference: Inference,
    pub bound: Bound,
    /// Also compute the other units' intervals and the suppression bounds,
    /// reported beside the headline (off in the sensitivity grid, whose
    /// cells vary one choice each).
    pub beside: bool,
}

impl<'a> Spec<'a> {
    /// The headline choices for `y` on `x` in `set`.
    pub fn headline(set: BoundarySet, y: &'a str, x: &'a str) -> Spec<'a> {
        Spec {
            set,
            y,
            x,
            period: None,
            pooled: false,
            weighted: false,
            inference: Inference::Headline,
            bound: Bound::Mid,
            beside: true,
        }
    }

    /// The outcome of a seat under these choices.
    pub fn outcome(&self, data: &Dataset, code: GssCode) -> Option<f64> {
        let pick = |f: crate::Figure| match self.bound {
            Bound::Mid => f.value,
            _ if !SUPPRESSION_BOUNDED.contains(&self.y) => f.value,
            Bound::Low => f.lower.unwrap_or(f.value),
            Bound::High => f.upper.unwrap_or(f.value),
        };
        if self.pooled {
            let values: Vec<f64> = data
                .periods(self.set, self.y)
                .into_iter()
                .filter_map(|p| data.figure_at(self.set, self.y, p, code).map(pick))
                .collect();
            return (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        }
        match self.period {
            Some(p) => data.figure_at(self.set, self.y, p, code).map(pick),
            None => data.figure(self.set, self.y, code).map(pick),
        }
    }

    /// The period label of the outcome under these choices.
    pub fn period_label(&self, data: &Dataset) -> String {
        if self.pooled {
            let ps = data.periods(self.set, self.y);
            match (ps.first(), ps.last()) {
                (Some(a), Some(b)) if a != b => format!("{a} to {b}, pooled"),
                (Some(a), _) => (*a).to_owned(),
                _ => "not available".into(),
            }
        } else {
            self.period
                .or_else(|| data.period(self.set, self.y))
                .unwrap_or("not available")
                .to_owned()
        }
    }
}

/// Cluster labels (dense, in first-seen order of a sorted key) for seats,
/// or the seats that have none.
pub fn cluster_ids(
    data: &Dataset,
    set: BoundarySet,
    codes: &[GssCode],
    level: Inference,
) -> Result<Vec<usize>, Vec<GssCode>> {
    let key = |c: GssCode| -> Option<String> {
        match level {
            Inference::Authority => data.authority(set, c).map(str::to_owned),
            Inference::Region => data.region(set, c).map(str::to_owned),
            Inference::Seats | Inference::Headline => Some(c.to_string()),
        }
    };
    let keys: Vec<Option<String>> = codes.iter().map(|&c| key(c)).collect();
    let missing: Vec<GssCode> = codes
        .iter()
        .zip(&keys)
        .filter(|(_, k)| k.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let distinct: BTreeMap<&str, usize> = keys
        .iter()
        .flatten()
        .map(String::as_str)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    Ok(keys
        .iter()
        .map(|k| distinct[k.as_deref().expect("checked")])
        .collect())
}

/// The seed of one named analysis: distinct per part, recorded in it.
pub fn seed(id: &str) -> u64 {
    stemgap_stats::derive_seed(SEED, id)
}
