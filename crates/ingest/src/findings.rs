//! The findings' view of the data: from a build in progress, or from a
//! finished store (to recompute and check the stored findings).

use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, GssCode, Observation};
use stemgap_findings::{Dataset, Seat};
use stemgap_store::{Link, Store, StoreError};

/// Border pairs of both sets from `border:<set>` links.
fn borders(links: &[Link]) -> Vec<(BoundarySet, GssCode, GssCode)> {
    links
        .iter()
        .filter_map(|l| {
            let set = match l.relation.as_str() {
                "border:pcon2010" => BoundarySet::Pcon2010,
                "border:pcon2024" => BoundarySet::Pcon2024,
                _ => return None,
            };
            Some((
                set,
                GssCode::parse(&l.from).ok()?,
                GssCode::parse(&l.to).ok()?,
            ))
        })
        .collect()
}

/// The dataset of a build in progress.
pub fn from_build(
    registry: &crate::Registry,
    out: &crate::Collector,
    neighbours: &[Link],
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
                })
                .collect();
            (set, v)
        })
        .collect();
    Dataset::new(
        seats,
        out.definitions().to_vec(),
        out.observations(),
        &borders(neighbours),
    )
}

/// The same dataset read back from a finished store.
pub fn from_store(store: &Store) -> Result<Dataset, StoreError> {
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
                })
            })
            .collect();
        seats.insert(set, v);
        observations.extend(store.observations(Some(set), None)?);
        links.extend(store.links(&format!("border:{}", stemgap_store::seat_kind(set)))?);
    }
    Ok(Dataset::new(
        seats,
        store.indicators()?,
        &observations,
        &borders(&links),
    ))
}
