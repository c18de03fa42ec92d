//! `/vocab`: the vocabulary page the downloads' metadata points at (the
//! namespace of every column: methods, missing-value flags, units and each
//! indicator, each with its own anchor).

use crate::Shared;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

/// Methods, as the Sources page explains them.
pub const METHODS: [(&str, &str); 5] = [
    ("measured", "Published for the constituency by the source."),
    ("apportioned", "Published for local authorities and shared out to constituencies by population overlap, assuming the same rate across each authority."),
    ("converted", "Published for the other boundary set and carried across by the seats' population overlap."),
    ("derived", "Built by stemgap from small-area figures (for example deprivation scores weighted by population)."),
    ("contributed", "Added by an organisation through `stemgap build --contrib` from a declared recipe and data file, with the contributor and licence they declare; not from stemgap's catalogued sources."),
];

/// Missing-value flags (`stemgap_core::Marker` ids) and what the sources mean by them.
pub const FLAGS: [(&str, &str); 8] = [
    ("blank", "Blank cell, NA or null: not published."),
    ("tilde", "~ (DfE): fewer than 5, rounded to zero."),
    (
        "low",
        "low (DfE): fewer than 0.5 per cent, or a small count.",
    ),
    (
        "confidential",
        "c or [c]: confidential, suppressed to protect individuals.",
    ),
    (
        "not_available",
        "x or [x]: not available or not applicable.",
    ),
    ("dotdot", ".. (ONS, Nomis): not available."),
    (
        "unreliable",
        "*: statistically unreliable, or a Nomis footnote marker.",
    ),
    ("dash", "-: nil or not applicable."),
];

/// Units.
pub const UNITS: [(&str, &str); 8] = [
    ("share", "A fraction between 0 and 1 of the stated population (never a percentage)."),
    ("rate", "A fraction between 0 and 1 (for example the share of 18-year-olds entering higher education)."),
    ("rate_per_1000", "Per 1,000 people of the stated population."),
    ("count", "A number of people, places or institutions; apportioned or converted counts are estimates with a fractional part."),
    ("score", "A deprivation score (higher is more deprived)."),
    ("rank", "A rank (1 = most deprived) or a mean of small-area ranks."),
    ("decile", "A decile, 1 (most deprived tenth) to 10."),
    ("points", "An average points score (Attainment 8)."),
];

pub struct Term {
    id: String,
    title: String,
    definition: String,
    unit: String,
    direction: &'static str,
    period: String,
    method: &'static str,
    caveats: String,
}

#[derive(Template)]
#[template(path = "vocab.html")]
struct VocabPage {
    title: String,
    nav: &'static str,
    built_by: String,
    rounding: String,
    methods: Vec<(&'static str, &'static str)>,
    flags: Vec<(&'static str, &'static str)>,
    units: Vec<(&'static str, &'static str)>,
    indicators: Vec<Term>,
}

/// How values are rounded, by unit, for the page.
fn rounding() -> String {
    UNITS
        .iter()
        .map(|(u, _)| format!("{u} {}", super::table::significant_figures(u)))
        .collect::<Vec<_>>()
        .join(", ")
        + " significant figures (whole numbers are kept as they are)"
}

pub async fn page(State(app): State<Shared>) -> Response {
    let atlas = &app.atlas;
    let page = VocabPage {
        title: "Vocabulary of the downloads".into(),
        nav: "sources",
        built_by: atlas.built_by.clone(),
        rounding: rounding(),
        methods: METHODS.to_vec(),
        flags: FLAGS.to_vec(),
        units: UNITS.to_vec(),
        indicators: atlas
            .indicators
            .iter()
            .map(|d| Term {
                id: d.id.clone(),
                title: d.title.clone(),
                definition: d.definition.clone(),
                unit: d.unit.clone(),
                direction: d.direction.id(),
                period: d.period.clone(),
                method: d.method.id(),
                caveats: d.caveats.clone(),
            })
            .collect(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => crate::HttpError::internal(
            crate::Audience::Page,
            format!("cannot render the page: {e}"),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stemgap_core::{Marker, Method};

    #[test]
    fn every_method_and_flag_has_a_term_and_anchors_are_unique() {
        for m in Method::ALL {
            assert!(METHODS.iter().any(|(id, _)| *id == m.id()), "{m:?}");
        }
        for (id, _) in FLAGS {
            assert!(Marker::from_id(id).is_some(), "{id}");
        }
        let mut ids: Vec<&str> = METHODS
            .iter()
            .chain(&FLAGS)
            .chain(&UNITS)
            .map(|t| t.0)
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
