//! Each English district's 2019 upper-tier authority (local education
//! authority), from ONS's ward → district → upper-tier lookup: areas
//! `utla19` and links [`Relation::Lad23ToUtla19`]. The Employer Skills
//! Survey publishes these authorities, and the findings cluster its figures
//! by them.

use crate::apportion::successor;
use crate::{Link, Registry, Relation, Sources};
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{AreaKind, BoundarySet, GssCode, Nation};
use stemgap_sources::{CsvOptions, CsvTable, Problem, SourceError};
use stemgap_store::Area;

/// ONS's ward (December 2019) → district → upper-tier authority lookup.
pub const UTLA: &str = "ons_ward19_pcon19_lad19_utla19_uk";
/// The area kind of the 2019 upper-tier authorities (local education
/// authorities).
pub const UPPER_TIER_KIND: AreaKind = AreaKind::Utla19;

/// Reads each English district's upper-tier authority into the registry:
/// areas `utla19` (code, name as ONS spells it) and links `lad23->utla19`
/// (districts carried forward to 2023 authorities). Metropolitan districts
/// and London boroughs are their own upper tier (ONS's lookup names the
/// metropolitan county or Inner/Outer London there, which are not
/// education authorities). Every English 2023 district of the seat ×
/// authority overlap must have one. A catalogue without the lookup builds
/// without it (said at info level: the registry is also read by
/// `contribute check`, whose only output on error is the error; the build
/// warns once that the skills-shortage indicators are not built).
pub(crate) fn load(inputs: &impl Sources, reg: &mut Registry) -> Result<(), SourceError> {
    if !inputs.catalogued(UTLA) {
        tracing::info!("{UTLA} is not in the catalogue: no upper-tier authorities");
        return Ok(());
    }
    let loaded = inputs.load(UTLA)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let [lc, ln, uc, un] = ["LAD19CD", "LAD19NM", "UTLA19CD", "UTLA19NM"].map(|c| t.column(c));
    let (lc, ln, uc, un) = (lc?, ln?, uc?, un?);
    let mut upper: BTreeMap<String, String> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for row in t.rows() {
        let lad = row.code(lc)?;
        if lad.nation() != Some(Nation::England) {
            continue;
        }
        let utla = row.code(uc)?;
        let (code, name, col) =
            if utla.as_str().starts_with("E11") || utla.as_str().starts_with("E13") {
                (lad.to_string(), row.str(ln).trim().to_owned(), ln)
            } else {
                (utla.to_string(), row.str(un).trim().to_owned(), un)
            };
        let lad23 = successor(lad.as_str(), BoundarySet::Pcon2024).to_owned();
        if let Some(before) = upper.insert(lad23.clone(), code.clone()) {
            if before != code {
                return Err(row.error(
                    uc,
                    Problem::Invalid(format!(
                        "district {lad23} is in two upper-tier authorities, {before} and {code}"
                    )),
                ));
            }
        }
        if let Some(before) = names.insert(code.clone(), name.clone()) {
            if before != name {
                return Err(row.error(
                    col,
                    Problem::Invalid(format!("{code} is named both {before:?} and {name:?}")),
                ));
            }
        }
    }
    let districts: BTreeSet<&str> = reg
        .links_of(Relation::SeatToLad23)
        .filter(|l| l.to.starts_with('E'))
        .map(|l| l.to.as_str())
        .collect();
    if let Some(d) = districts.iter().find(|d| !upper.contains_key(**d)) {
        return Err(SourceError::new(
            loaded.location.clone(),
            Problem::Invalid(format!(
                "no upper-tier authority for district {d} (truncated file?)"
            )),
        ));
    }
    for (code, name) in names {
        let nation = GssCode::parse(&code).ok().and_then(|c| c.nation());
        reg.areas.push(Area {
            kind: UPPER_TIER_KIND,
            code,
            name,
            nation,
            region: None,
        });
    }
    for (lad23, code) in upper {
        reg.links.push(Link {
            relation: Relation::Lad23ToUtla19,
            from: lad23,
            to: code,
            weight: 1.0,
            population: None,
        });
    }
    Ok(())
}
