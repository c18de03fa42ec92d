//! Spatial structure: global Moran's I for every indicator and boundary set,
//! and LISA clusters for the headline indicators on the 2024 seats.

use crate::data::Dataset;
use crate::inference::seed;
use crate::text::{num, p};
use crate::Finding;
use rustc_hash::FxHashMap as HashMap;
use stemgap_core::BoundarySet;
use stemgap_stats::{local_moran, moran, LisaCluster, SpatialWeights};

/// Indicators that get local (LISA) clusters (on the 2024 seats).
pub const LISA_INDICATORS: [&str; 6] = [
    "imd_score",
    "level4_share",
    "stem_professionals_share",
    "stem_jobs_share",
    "fe_stem_achievements_per_1000",
    "apprenticeship_starts_per_1000",
];
/// False discovery rate at which a seat is labelled a LISA cluster
/// (Benjamini–Hochberg over the seats of one map).
pub const LISA_FDR: f64 = 0.05;
/// Permutations for the global Moran's I of the headline indicators (esda's
/// default; the smallest pseudo p is 1/1,000, and global I is far from
/// the null on every headline map). The other maps report the analytical
/// randomisation p.
pub const MORAN_PERMUTATIONS: usize = 999;
/// Permutations per unit for LISA pseudo p-values.
pub const LISA_PERMUTATIONS: usize = 9_999;

/// The seats of `set` with a value for `id`, their values and the border
/// graph among them (seats without a neighbour that has a value are islands).
fn graph(data: &Dataset, set: BoundarySet, id: &str) -> (Vec<String>, Vec<f64>, Vec<Vec<usize>>) {
    let mut codes = Vec::new();
    let mut y = Vec::new();
    for s in data.seats(set) {
        if let Some(f) = data.figure(set, id, s.code) {
            codes.push(s.code);
            y.push(f.value);
        }
    }
    let nb = data.neighbour_lists(set, &codes);
    (codes.iter().map(|c| c.to_string()).collect(), y, nb)
}

/// Weights already built, by the seats they cover: most indicators cover the
/// same seats (England, England and Wales, Great Britain, the UK).
type WeightsCache = HashMap<Vec<String>, Option<SpatialWeights>>;

fn moran_part(
    data: &Dataset,
    set: BoundarySet,
    id: &str,
    cache: &mut WeightsCache,
) -> Option<Finding> {
    let def = data.definition(id)?;
    if !data.has(set, id) {
        return None;
    }
    let (codes, y, nb) = graph(data, set, id);
    let mut f = Finding::new(
        format!("spatial/{}/{id}", set.id()),
        format!("Spatial clustering of {}", def.title),
    );
    f.boundaries = vec![set.id().to_owned()];
    f.indicators = vec![format!("{id} ({})", data.period(set, id).unwrap_or("?"))];
    f.unit = "Moran's I".into();
    let mut nations: Vec<String> = data
        .coverage(set, id)
        .map(|c| c.keys().map(|n| n.name().to_owned()).collect())
        .unwrap_or_default();
    nations.sort();
    f.nations = nations;
    let w = cache
        .entry(codes.clone())
        .or_insert_with(|| SpatialWeights::from_neighbours(&nb).ok())
        .as_ref()?;
    let islands: Vec<String> = w.islands().iter().map(|&i| codes[i].clone()).collect();
    if !islands.is_empty() {
        f.excluded.push(crate::Exclusion {
            reason: "no bordering seat with a value (kept, with no neighbours)".into(),
            count: islands.len(),
            codes: islands,
        });
    }
    // Permutation p-values for the headline indicators; the analytical
    // randomisation p (Cliff-Ord) for the rest.
    let headline = LISA_INDICATORS.contains(&id);
    let permutations = if headline { MORAN_PERMUTATIONS } else { 0 };
    let map_seed = seed(&f.id);
    match moran(&y, w, permutations, map_seed) {
        Ok(m) => {
            f.n = m.n;
            f.estimate = Some(m.i);
            // No confidence interval for I is made: the spread of I under
            // no clustering is a null interval, reported as such.
            let z = 1.959963984540054;
            f.details
                .insert("null_low".into(), m.expected - z * m.variance_rand.sqrt());
            f.details
                .insert("null_high".into(), m.expected + z * m.variance_rand.sqrt());
            f.p_value = m.p_sim.or(Some(m.p_rand));
            if headline {
                f.seed = Some(m.seed);
                f.replicates = Some(m.permutations);
            }
            if let (Some(zs), Some(ms), Some(sd)) = (m.z_sim, m.mean_sim, m.sd_sim) {
                f.details.insert("z_sim".into(), zs);
                f.details.insert("mean_sim".into(), ms);
                f.details.insert("sd_sim".into(), sd);
            }
            let p_from = if headline {
                format!(
                    "p and z from {} seeded permutations (seed {})",
                    m.permutations, m.seed
                )
            } else {
                "p and z from the randomisation (Cliff-Ord) normal approximation".to_owned()
            };
            f.inference = format!(
                "no confidence interval for I; the 95% null interval E[I] ± 1.96 sqrt(Var_rand) (details null_low, null_high) is where I falls without clustering; {p_from}"
            );
            f.method = format!(
                "{}; row-standardised border contiguity; {}",
                m.method, f.inference
            );
            f.details.insert("expected".into(), m.expected);
            f.details.insert("z_rand".into(), m.z_rand);
            f.details.insert("p_rand".into(), m.p_rand);
            let strength = match m.i {
                i if i >= 0.5 => "strongly clustered",
                i if i >= 0.2 => "clustered",
                i if i > 0.05 => "weakly clustered",
                i if i > -0.05 => "not clustered",
                _ => "dispersed",
            };
            f.statement = format!(
                "{} is {strength} across neighbouring seats ({}: Moran's I = {}, z = {}, {}{}; without clustering I would fall between {} and {}; n = {}).",
                def.title,
                set.title(),
                num(m.i),
                num(m.z_sim.unwrap_or(m.z_rand)),
                if headline { "permutation " } else { "" },
                p(m.p_sim.unwrap_or(m.p_rand)),
                num(f.details["null_low"]),
                num(f.details["null_high"]),
                m.n
            );
        }
        Err(e) => {
            f.statement = format!("Not estimated: {e}.");
            return Some(f);
        }
    }
    // LISA clusters on the current (2024) seats: 9,999 permutations per
    // seat and map are the step's largest cost, and the 2010 maps are the
    // historical comparison (their global Moran's I is given).
    if LISA_INDICATORS.contains(&id) && set == BoundarySet::Pcon2024 {
        // One seed per boundary set, so that every headline map on the same
        // weights shares the permutation table (see stemgap_stats::moran).
        let lisa_seed = seed(&format!("lisa/{}", set.id()));
        if let Ok(l) = local_moran(&y, w, LISA_PERMUTATIONS, lisa_seed) {
            let unadjusted = l
                .clusters(LISA_FDR)
                .iter()
                .filter(|c| !matches!(c, LisaCluster::NotSignificant | LisaCluster::NoNeighbours))
                .count();
            f.details
                .insert("lisa_unadjusted_p_below_0_05".into(), unadjusted as f64);
            for (k, c) in l.clusters_fdr(LISA_FDR).iter().enumerate() {
                let label = match c {
                    LisaCluster::HighHigh => "high-high",
                    LisaCluster::LowLow => "low-low",
                    LisaCluster::HighLow => "high-low",
                    LisaCluster::LowHigh => "low-high",
                    LisaCluster::NotSignificant | LisaCluster::NoNeighbours => continue,
                };
                f.seats
                    .entry(label.into())
                    .or_default()
                    .push(codes[k].clone());
            }
            for (label, seats) in &f.seats {
                f.details
                    .insert(format!("lisa_{label}"), seats.len() as f64);
            }
            f.method.push_str(&format!(
                "; LISA clusters where the Benjamini-Hochberg q-value over the map's seats is at most {LISA_FDR} (false discovery rate), from {LISA_PERMUTATIONS} conditional permutations per seat (seed {lisa_seed})"
            ));
        }
    }
    Some(f)
}

/// Moran's I for every indicator with figures on one boundary set (the
/// parts of [`spatial`]; the sets run as separate tasks).
pub fn spatial_parts(data: &Dataset, set: BoundarySet) -> Vec<Finding> {
    let mut cache = WeightsCache::default();
    // Headline indicators first, then the rest in catalogue order.
    let mut ids: Vec<&str> = LISA_INDICATORS.to_vec();
    ids.extend(
        data.definitions()
            .iter()
            .map(|d| d.id.as_str())
            .filter(|id| !LISA_INDICATORS.contains(id)),
    );
    ids.into_iter()
        .filter_map(|id| moran_part(data, set, id, &mut cache))
        .collect()
}

/// The spatial finding from its parts (2024 set first, then 2010).
pub fn spatial_from(parts: Vec<Finding>) -> Finding {
    let mut f = Finding::new(
        "spatial",
        "Spatial structure: do neighbouring seats look alike?",
    );
    f.parts = parts;
    let clustered = f
        .parts
        .iter()
        .filter(|p| p.p_value.is_some_and(|v| v < 0.05) && p.estimate.is_some_and(|i| i > 0.0))
        .count();
    f.statement = format!(
        "{clustered} of {} indicator maps are significantly clustered (p < 0.05): neighbouring seats resemble each other, so seat-level tests that assume independence overstate their precision.",
        f.parts.len()
    );
    f.n = f.parts.len();
    f.unit = "indicator maps".into();
    f.method = "Moran's I per indicator and boundary set; see the parts".into();
    f
}

/// Moran's I for every indicator with figures, both sets.
pub fn spatial(data: &Dataset) -> Finding {
    let mut parts = spatial_parts(data, BoundarySet::Pcon2024);
    parts.extend(spatial_parts(data, BoundarySet::Pcon2010));
    spatial_from(parts)
}
