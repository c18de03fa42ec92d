//! Hand-made definitions and observations for the analyses' unit tests
//! (one place, not a copy per module).

use stemgap_core::{BoundarySet, Direction, GssCode, IndicatorDef, Method, Nation, Observation};

/// An English indicator apportioned from authorities, of `unit`, for `period`.
pub(crate) fn def(id: &str, unit: &str, period: &str) -> IndicatorDef {
    IndicatorDef {
        id: id.into(),
        title: id.into(),
        definition: String::new(),
        unit: unit.into(),
        direction: Direction::Neutral,
        sources: vec![],
        period: period.into(),
        nations: vec![Nation::England],
        method: Method::Apportioned,
        caveats: String::new(),
    }
}

/// A value of `id` for a 2024 seat in `period`.
pub(crate) fn obs(code: GssCode, id: &str, period: &str, v: f64) -> Observation {
    Observation {
        code,
        boundary: Some(BoundarySet::Pcon2024),
        indicator: id.into(),
        period: period.into(),
        value: Some(v),
        lower: None,
        upper: None,
        flag: None,
        method: Method::Apportioned,
        source: "s".into(),
    }
}
