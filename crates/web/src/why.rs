//! Why a seat has no figure for an indicator, in the words the pages, the
//! brief and the API use: from the observation's marker, the indicator's
//! nations and sources, and the data-gap register's reason.
//!
//! - a figure the source suppressed → "suppressed by the publisher (c)";
//! - a figure the conversion between boundary sets could not make →
//!   "not available on these boundaries: …";
//! - a nation the publishing body does not cover (DfE and Ofsted work in
//!   England only) → "England only (DfE): <register's reason>";
//! - a nation whose figures exist but are not in the sources →
//!   "not in stemgap's sources for Northern Ireland: <register's reason>";
//! - otherwise "not published for this seat".

use crate::atlas::{Atlas, SetAtlas};
use stemgap_core::{Marker, Method, Nation};

/// Bodies whose statistics cover England only, by a word of the source's
/// publisher, with the name to show.
const ENGLAND_ONLY: &[(&str, &str)] = &[
    ("Department for Education", "DfE"),
    ("DfE", "DfE"),
    ("Ofsted", "Ofsted"),
];

/// Markers that mean the publisher withheld a small number.
fn suppressed(m: Marker) -> bool {
    matches!(
        m,
        Marker::Tilde | Marker::Low | Marker::Confidential | Marker::Star
    )
}

/// Why seat `i` of `s` has no value for indicator `k`; `None` when it has one.
pub fn no_data(atlas: &Atlas, s: &SetAtlas, i: usize, k: usize) -> Option<String> {
    let series = &s.series[k];
    let latest = series.latest(i);
    if latest.is_some_and(|o| o.value.is_some()) {
        return None;
    }
    let d = &atlas.indicators[k];
    if let Some(o) = latest {
        if let Some(m) = o.flag.filter(|m| suppressed(*m)) {
            return Some(format!("suppressed by the publisher ({m})"));
        }
        if o.method == Method::Converted {
            return Some(format!(
                "not available on the {}: seats with a figure on the other boundaries cover less than 95% of this seat's population",
                s.set.title().to_lowercase().replacen("westminster", "Westminster", 1)
            ));
        }
    }
    let nation = s.seats[i].nation;
    let covered = nation.is_none_or(|n| d.nations.contains(&n));
    if covered {
        return Some(match latest.and_then(|o| o.flag) {
            Some(m) => format!("not published for this seat ({m})"),
            None => "not published for this seat".to_owned(),
        });
    }
    let nation = nation.unwrap_or(Nation::England);
    let reason = atlas
        .findings
        .gaps
        .iter()
        .find(|g| g.indicator == d.id && Nation::from_id(&g.nation).ok() == Some(nation))
        .map(|g| g.reason.clone())
        .unwrap_or_default();
    let publisher = d
        .sources
        .first()
        .and_then(|id| atlas.source(id))
        .map(|s| s.publisher.as_str())
        .unwrap_or("");
    let head = match ENGLAND_ONLY.iter().find(|(w, _)| publisher.contains(w)) {
        Some((_, body)) => format!("England only ({body})"),
        None => format!("not in stemgap's sources for {}", nation.name()),
    };
    Some(if reason.is_empty() {
        head
    } else {
        format!("{head}: {reason}")
    })
}

/// The sentences of an indicator's caveats that apply to `set`: the
/// sentence describing the conversion into the other boundary set is left
/// out (it says how the other set's figures were made).
pub fn caveats_for(caveats: &str, set: stemgap_core::BoundarySet) -> String {
    use stemgap_core::BoundarySet;
    let other_set: &[&str] = match set {
        BoundarySet::Pcon2024 => &[
            "On the Westminster constituencies 2010-2024, converted",
            "On 2010-2024 seats, converted",
        ],
        BoundarySet::Pcon2010 => &[
            "On the Westminster constituencies from july 2024, converted",
            "On the Westminster constituencies from July 2024, converted",
            "On 2024 seats, converted",
        ],
    };
    let mut out = caveats.to_owned();
    for marker in other_set {
        while let Some(start) = out.find(marker) {
            let end = out[start..].find(". ").map_or(out.len(), |e| start + e + 2);
            out.replace_range(start..end, "");
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemgap_core::BoundarySet;

    #[test]
    fn the_other_sets_conversion_is_left_out() {
        let c = "Census 2021. On the Westminster constituencies 2010-2024, converted from the other boundary set through the seats' population overlap (mySociety, mid-2019): the mean (missing where less than 95%).";
        assert_eq!(caveats_for(c, BoundarySet::Pcon2024), "Census 2021.");
        assert_eq!(caveats_for(c, BoundarySet::Pcon2010), c);
        let c = "England only. On the Westminster constituencies from july 2024, converted from it: x. Not subject-specific.";
        assert_eq!(
            caveats_for(c, BoundarySet::Pcon2010),
            "England only. Not subject-specific."
        );
        assert_eq!(caveats_for(c, BoundarySet::Pcon2024), c);
        assert_eq!(
            caveats_for(
                "On 2010-2024 seats, converted from the 2024 seats: y (mid-2019).",
                BoundarySet::Pcon2024
            ),
            ""
        );
    }
}
