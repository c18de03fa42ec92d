//! The sources shared out from local authorities to seats, run as
//! independent jobs through one set of authority → seat population shares
//! (the geography crate's apportioner, [`stemgap_geography::apportion`]),
//! and the seat populations their rates are per 1,000 of ([`denominators`]:
//! measured on 2024 seats, converted to 2010-2024 seats through the
//! population overlap of the two sets).
//!
//! DfE's adult FE achievements by sector subject area and apprenticeship
//! achievements by local authority are declared sources
//! (`catalogue/recipes/dfe_fe_et_aim_achievements_by_ssa_t1_lad_202122.toml`,
//! `catalogue/recipes/dfe_fes_achievements_by_type_lad_201617_202122.toml`):
//! the recipe engine reads them and places them with the shares and the
//! 19+ population given here. The other jobs are code.

use super::{Collector, Def};
use crate::build::Inputs;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Method, Nation};
use stemgap_geography::apportion::shares;
use stemgap_geography::{Registry, Relation};
use stemgap_sources::SourceError;

const SSA: &str = "dfe_fe_et_aim_achievements_by_ssa_t1_lad_202122";
const BY_TYPE: &str = "dfe_fes_achievements_by_type_lad_201617_202122";
const POP: &str = "population_19_plus";

/// Sector subject areas (tier 1) counted as STEM (the FE Parquet reader's;
/// the SSA recipe lists the same, checked by a test below).
pub const STEM_SSAS: [&str; 3] = [
    "Science and Mathematics",
    "Engineering and Manufacturing Technologies",
    "Information and Communication Technology",
];
/// The broad definition adds construction.
pub const STEM_BROAD_EXTRA: &str = "Construction, Planning and the Built Environment";

pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    let shares = shares(inputs, reg)?;
    // Residents aged 19+ (FE rates) and 16+ (starts) by seat, read from the
    // population already collected (and converted to the 2010 seats here).
    let pops_19 = denominators(reg, out, POP)?;
    let pops_16 = denominators(reg, out, super::starts::POP)?;
    // The sources apportioned through these shares are independent of one
    // another: each fills its own collector on a thread of its own, and
    // they are merged in this (catalogue) order, so the result is the
    // serial one; the first failure in this order is the error.
    let (shares, pops_19, pops_16) = (&shares, &pops_19, &pops_16);
    let jobs: [super::Job<'_>; 6] = [
        Box::new(|c| super::aps::collect(inputs, reg, c, shares)),
        Box::new(|c| super::industry::collect(inputs, reg, c, shares)),
        // Adult FE achievements by sector subject area and apprenticeship
        // achievements: declared sources (authority rows, rates per 1,000
        // residents aged 19+), placed with these shares and populations.
        Box::new(|c| {
            let given = crate::recipe::Given {
                lad_shares: Some(shares),
                populations: &[(POP, pops_19)],
                ..Default::default()
            };
            for src in [SSA, BY_TYPE] {
                crate::recipe::collect_builtin_with(inputs, reg, src, given, c)?;
            }
            Ok(())
        }),
        Box::new(|c| super::starts::collect(inputs, reg, c, shares, pops_16)),
        Box::new(|c| super::fe_et::collect(inputs, c, shares, pops_19)),
        // The Employer Skills Survey's upper-tier figures, through the same
        // shares.
        Box::new(|c| super::ess::collect(inputs, reg, c, shares)),
    ];
    // Costliest first (callgrind): the FE Parquet file, the industry and
    // occupation workbooks, the starts.
    for c in super::run_jobs(jobs, &[4, 1, 3, 0, 2, 5], out.section)? {
        out.merge(c)?;
    }
    Ok(())
}

/// A population count per seat (`population_19_plus`, `population_16_plus`):
/// measured on 2024 seats; converted to 2010-2024 seats by each 2024 seat's
/// population overlap (and stored so, once).
pub(crate) fn denominators(
    reg: &Registry,
    out: &mut Collector,
    id: &str,
) -> Result<HashMap<BoundarySet, HashMap<GssCode, f64>>, SourceError> {
    let p24 = out.values(BoundarySet::Pcon2024, id, "2022");
    let done = out.values(BoundarySet::Pcon2010, id, "2022");
    if !done.is_empty() {
        return Ok(
            [(BoundarySet::Pcon2024, p24), (BoundarySet::Pcon2010, done)]
                .into_iter()
                .collect(),
        );
    }
    let mut totals: HashMap<&str, f64> = HashMap::default();
    let links: Vec<_> = reg
        .links_of(Relation::SeatOverlap {
            from: BoundarySet::Pcon2024,
        })
        .collect();
    for l in &links {
        *totals.entry(l.from.as_str()).or_default() += l.population.unwrap_or(0.0);
    }
    let mut p10: BTreeMap<GssCode, f64> = BTreeMap::new();
    for l in &links {
        let (Ok(from), Ok(to)) = (GssCode::parse(&l.from), GssCode::parse(&l.to)) else {
            continue;
        };
        let total = totals[l.from.as_str()];
        if let (Some(p), true) = (p24.get(&from), total > 0.0) {
            *p10.entry(to).or_default() += p * l.population.unwrap_or(0.0) / total;
        }
    }
    // Defined with its title by the population recipe: this adds the
    // conversion's source and caveat.
    out.define(Def {
        id,
        title: id,
        definition: "",
        unit: "count",
        direction: Direction::Neutral,
        sources: &["pcon2024_to_pcon2010_overlap_mysociety"],
        period: "2022",
        nations: &Nation::ALL,
        method: Method::Measured,
        caveats: "On 2010-2024 seats, converted from the 2024 seats: each 2024 seat's count is shared among the old seats in proportion to their population overlap (mid-2019).",
    }.build());
    let at = stemgap_sources::Location::file("lookups/pcon2024_to_pcon2010_overlap_mysociety.csv");
    for (code, v) in &p10 {
        out.push(
            BoundarySet::Pcon2010,
            *code,
            id,
            "2022",
            Cell::Value(*v),
            Method::Converted,
            "pcon2024_to_pcon2010_overlap_mysociety",
            &at,
        )?;
    }
    Ok([
        (BoundarySet::Pcon2024, p24),
        (BoundarySet::Pcon2010, p10.into_iter().collect()),
    ]
    .into_iter()
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SSA recipe counts the subject areas the FE reader calls STEM.
    #[test]
    fn the_ssa_recipe_counts_the_stem_subject_areas() {
        let r = crate::recipe::builtin(SSA).expect("the SSA recipe");
        let cats = |id: &str| -> Vec<String> {
            r.indicators
                .iter()
                .find(|i| i.id == id)
                .expect("declared")
                .categories
                .iter()
                .map(|c| c.0.clone())
                .collect()
        };
        assert_eq!(cats("fe_stem_achievements_per_1000"), STEM_SSAS);
        let mut broad = STEM_SSAS.to_vec();
        broad.push(STEM_BROAD_EXTRA);
        assert_eq!(cats("fe_stem_broad_achievements_per_1000"), broad);
        assert_eq!(cats("fe_achievements_per_1000"), ["Total"]);
    }
}
