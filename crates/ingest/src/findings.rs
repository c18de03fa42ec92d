//! The findings' view of the data: from a build in progress, or from a
//! finished store (to recompute and check the stored findings).

use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, GssCode, Observation};
use stemgap_findings::{Dataset, Seat};
use stemgap_geography::{Link, Relation};
use stemgap_store::Store;

use crate::IngestError;

/// Border pairs of both sets from `border:<set>` links.
fn borders(links: &[Link]) -> Vec<(BoundarySet, GssCode, GssCode)> {
    links
        .iter()
        .filter_map(|l| {
            let Relation::Border(set) = l.relation else {
                return None;
            };
            Some((
                set,
                GssCode::parse(&l.from).ok()?,
                GssCode::parse(&l.to).ok()?,
            ))
        })
        .collect()
}

/// Each seat's local authority: the 2023 authority holding most of its
/// population. 2024 seats from mySociety's seat × authority population
/// overlap (`pcon2024->lad23`); 2010-2024 seats through their population
/// overlap with 2024 seats, each 2024 seat's population taken to be spread
/// over its authorities as a whole (`pcon2010->pcon2024`). Ties go to the
/// lower authority code. The apportioned figures are shared out from 2023
/// authorities too, so this is the unit they are clustered by.
pub fn authorities(links: &[&Link]) -> Vec<(BoundarySet, GssCode, String)> {
    majority(links, Some)
}

/// Each seat's upper-tier authority (2019 local education authority): the
/// one holding most of its population, found as [`authorities`] does with
/// each 2023 authority replaced by its upper tier (`lad23->utla19` links).
/// The Employer Skills Survey's figures are clustered by it.
pub fn upper_tiers(links: &[&Link]) -> Vec<(BoundarySet, GssCode, String)> {
    let upper: BTreeMap<&str, &str> = links
        .iter()
        .filter(|l| l.relation == Relation::Lad23ToUtla19)
        .map(|l| (l.from.as_str(), l.to.as_str()))
        .collect();
    majority(links, |lad| upper.get(lad).copied())
}

/// The unit (`key` of a 2023 authority) holding most of each seat's
/// population, for both sets.
fn majority<'a>(
    links: &[&'a Link],
    key: impl Fn(&'a str) -> Option<&'a str>,
) -> Vec<(BoundarySet, GssCode, String)> {
    // 2024 seat → unit → population.
    let mut by24: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for l in links.iter().filter(|l| l.relation == Relation::SeatToLad23) {
        let Some(unit) = key(l.to.as_str()) else {
            continue;
        };
        *by24
            .entry(l.from.as_str())
            .or_default()
            .entry(unit)
            .or_default() += l.population.unwrap_or(0.0);
    }
    let pick = |pops: &BTreeMap<&str, f64>| -> Option<String> {
        pops.iter()
            .filter(|(_, p)| **p > 0.0)
            .fold(None::<(&str, f64)>, |best, (lad, p)| match best {
                Some((_, bp)) if bp >= *p => best,
                _ => Some((lad, *p)),
            })
            .map(|(lad, _)| lad.to_owned())
    };
    let mut out = Vec::new();
    for (seat, pops) in &by24 {
        if let (Ok(code), Some(lad)) = (GssCode::parse(seat), pick(pops)) {
            out.push((BoundarySet::Pcon2024, code, lad));
        }
    }
    let mut by10: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
    for l in links.iter().filter(|l| {
        l.relation
            == Relation::SeatOverlap {
                from: BoundarySet::Pcon2010,
            }
    }) {
        let Some(parts) = by24.get(l.to.as_str()) else {
            continue;
        };
        let total: f64 = parts.values().sum();
        if total <= 0.0 {
            continue;
        }
        let overlap = l.population.unwrap_or(0.0);
        let acc = by10.entry(l.from.as_str()).or_default();
        for (lad, p) in parts {
            *acc.entry(lad).or_default() += overlap * p / total;
        }
    }
    for (seat, pops) in &by10 {
        if let (Ok(code), Some(lad)) = (GssCode::parse(seat), pick(pops)) {
            out.push((BoundarySet::Pcon2010, code, lad));
        }
    }
    out
}

/// Indicators whose first source (the data; the rest are lookups) is a
/// local-authority table: their seat figures are authority figures shared
/// out, so the findings infer at authority level. `geography` gives a
/// source's catalogued geography.
pub fn authority_level<'a>(
    defs: &'a [stemgap_core::IndicatorDef],
    geography: impl Fn(&str) -> Option<&'a str>,
) -> Vec<&'a str> {
    defs.iter()
        .filter(|d| d.sources.first().and_then(|s| geography(s)) == Some("lad"))
        .map(|d| d.id.as_str())
        .collect()
}

/// F3's headline measure, which a contribution may replace.
pub const F3_MEASURE: &str = "apprenticeship_starts_per_1000";

/// The store's `meta` key recording that a contributed indicator replaces
/// a finding's measure (`replaces:F3` → the indicator id).
pub fn replaces_key(finding: &str) -> String {
    format!("replaces:{finding}")
}

/// A contributed indicator standing in for a finding's measure: the
/// findings read it under the measure's id (the small hook: no analysis
/// changes), and the ledger says which data were used.
#[derive(Debug, Clone, PartialEq)]
pub struct Replacement {
    pub finding: String,
    /// The contributed indicator.
    pub indicator: String,
    /// Its definition and source, for the ledger.
    pub title: String,
    pub source: String,
    pub publisher: String,
    pub licence: String,
    /// A contribution's, not a catalogued optional source's.
    pub contributed: bool,
}

/// The measure a finding's replacement stands in for.
fn measure_of(finding: &str) -> Option<&'static str> {
    (finding == "F3").then_some(F3_MEASURE)
}

/// Definitions and observations with each replaced measure's figures
/// swapped for the contributed ones (under the measure's id).
fn substitute(
    defs: &[stemgap_core::IndicatorDef],
    obs: &[Observation],
    replacements: &[Replacement],
) -> (Vec<stemgap_core::IndicatorDef>, Vec<Observation>) {
    let mut defs = defs.to_vec();
    let mut obs = obs.to_vec();
    for r in replacements {
        let Some(measure) = measure_of(&r.finding) else {
            continue;
        };
        let Some(mut def) = defs.iter().find(|d| d.id == r.indicator).cloned() else {
            continue;
        };
        def.id = measure.to_owned();
        defs.retain(|d| d.id != measure);
        defs.push(def);
        obs.retain(|o| o.indicator != measure);
        let moved: Vec<Observation> = obs
            .iter()
            .filter(|o| o.indicator == r.indicator)
            .map(|o| Observation {
                indicator: measure.into(),
                ..o.clone()
            })
            .collect();
        obs.extend(moved);
    }
    (defs, obs)
}

/// The replacements a build or store declares.
fn replacements_of(
    declared: &[(String, String)],
    defs: &[stemgap_core::IndicatorDef],
    sources: &[stemgap_store::SourceRow],
) -> Vec<Replacement> {
    declared
        .iter()
        .filter_map(|(finding, indicator)| {
            let def = defs.iter().find(|d| &d.id == indicator)?;
            let source = def.sources.first()?;
            let row = sources.iter().find(|s| &s.id == source)?;
            Some(Replacement {
                finding: finding.clone(),
                indicator: indicator.clone(),
                title: def.title.clone(),
                source: source.clone(),
                publisher: row.publisher.clone(),
                licence: row.licence.clone(),
                contributed: def.method == stemgap_core::Method::Contributed,
            })
        })
        .collect()
}

/// Says in a finding's ledger (and statement of method) which data were
/// used when a contribution replaced its measure.
pub fn note_replacements(f: &mut stemgap_findings::Findings, replacements: &[Replacement]) {
    for r in replacements {
        for finding in f.findings.iter_mut().filter(|x| x.id == r.finding) {
            let used = format!(
                "Data used: the {}seat-level measure \"{}\" (source `{}`, {}, licence {}), declared to replace the apportioned {} from DfE's authority figures.",
                if r.contributed { "contributed " } else { "" },
                r.title,
                r.source,
                r.publisher,
                r.licence,
                measure_of(&r.finding).unwrap_or("measure")
            );
            if let Some(l) = finding.report.as_mut() {
                // The catalogued wording describes the measure replaced.
                l.comparable = format!(
                    "{used} The report gave no single figure to compare with; the other measures and years are parts and grid cells."
                );
            }
            finding.method = format!("{used} {}", finding.method).trim().to_owned();
        }
    }
}

/// The findings of a build in progress, with any contributed replacement
/// applied and said.
pub fn compute_from_build(
    registry: &crate::Registry,
    out: &crate::Collector,
    neighbours: &[Link],
    sources: &[stemgap_store::SourceRow],
    declared: &[(String, String)],
) -> stemgap_findings::Findings {
    let replacements = replacements_of(declared, out.definitions(), sources);
    let data = if replacements.is_empty() {
        from_build(registry, out, neighbours, sources)
    } else {
        let (defs, obs) = substitute(out.definitions(), out.observations(), &replacements);
        dataset(registry, &defs, &obs, neighbours, sources)
    };
    let mut f = stemgap_findings::compute(&data);
    note_replacements(&mut f, &replacements);
    f
}

/// The findings recomputed from a finished store, as the build made them
/// (`stemgap findings --check`).
pub fn recompute(store: &Store) -> Result<stemgap_findings::Findings, IngestError> {
    let data = from_store(store)?;
    let mut declared = Vec::new();
    if let Some(ind) = store.meta(&replaces_key("F3"))? {
        declared.push(("F3".to_owned(), ind));
    }
    let replacements = replacements_of(&declared, &store.indicators()?, &store.sources()?);
    let mut f = stemgap_findings::compute(&data);
    note_replacements(&mut f, &replacements);
    Ok(f)
}

/// The dataset of a build in progress.
pub fn from_build(
    registry: &crate::Registry,
    out: &crate::Collector,
    neighbours: &[Link],
    sources: &[stemgap_store::SourceRow],
) -> Dataset {
    dataset(
        registry,
        out.definitions(),
        out.observations(),
        neighbours,
        sources,
    )
}

fn dataset(
    registry: &crate::Registry,
    defs: &[stemgap_core::IndicatorDef],
    observations: &[Observation],
    neighbours: &[Link],
    sources: &[stemgap_store::SourceRow],
) -> Dataset {
    let seats = BoundarySet::ALL
        .iter()
        .map(|&set| {
            let v = registry
                .seats(set)
                .iter()
                .map(|s| Seat {
                    code: s.code,
                    name: s.name.clone(),
                    nation: s.nation,
                    region: Some(s.region.to_string()),
                })
                .collect();
            (set, v)
        })
        .collect();
    let links: Vec<&Link> = registry.links.iter().collect();
    Dataset::new(seats, defs.to_vec(), observations, &borders(neighbours))
        .with_authorities(&authorities(&links))
        .with_upper_tiers(&upper_tiers(&links))
        .with_authority_level(authority_level(defs, |id| {
            sources
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.geography.as_str())
        }))
}

/// The same dataset read back from a finished store (a link whose relation
/// is unknown is an error naming it).
pub fn from_store(store: &Store) -> Result<Dataset, IngestError> {
    let mut seats = BTreeMap::new();
    let mut observations: Vec<Observation> = Vec::new();
    let mut links = Vec::new();
    for set in BoundarySet::ALL {
        let v = store
            .seats(set)?
            .into_iter()
            .filter_map(|a| {
                Some(Seat {
                    code: GssCode::parse(&a.code).ok()?,
                    name: a.name,
                    nation: a.nation?,
                    region: a.region,
                })
            })
            .collect();
        seats.insert(set, v);
        observations.extend(store.observations(Some(set), None)?);
        links.extend(stored_links(store, Relation::Border(set))?);
    }
    let mut overlaps = stored_links(store, Relation::SeatToLad23)?;
    overlaps.extend(stored_links(
        store,
        Relation::SeatOverlap {
            from: BoundarySet::Pcon2010,
        },
    )?);
    overlaps.extend(stored_links(store, Relation::Lad23ToUtla19)?);
    let overlaps: Vec<&Link> = overlaps.iter().collect();
    let defs = store.indicators()?;
    let sources = store.sources()?;
    let mut declared = Vec::new();
    if let Some(ind) = store.meta(&replaces_key("F3"))? {
        declared.push(("F3".to_owned(), ind));
    }
    let replacements = replacements_of(&declared, &defs, &sources);
    let (defs, observations) = if replacements.is_empty() {
        (defs, observations)
    } else {
        substitute(&defs, &observations, &replacements)
    };
    // After the substitution: a replaced measure is as local as its data.
    let level = authority_level(&defs, |id| {
        sources
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.geography.as_str())
    });
    let level: Vec<String> = level.into_iter().map(str::to_owned).collect();
    Ok(Dataset::new(seats, defs, &observations, &borders(&links))
        .with_authorities(&authorities(&overlaps))
        .with_upper_tiers(&upper_tiers(&overlaps))
        .with_authority_level(level.iter().map(String::as_str)))
}

/// One relation's links read back from the store, typed.
fn stored_links(store: &Store, relation: Relation) -> Result<Vec<Link>, IngestError> {
    store
        .links(relation.as_str())?
        .into_iter()
        .map(|l| Link::from_store(l).map_err(IngestError::from))
        .collect()
}
