use crate::{BoundarySet, GssCode, Marker, Nation, Symbol};
use std::fmt;

/// How a figure was made. Every published number carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// Published by the source for this very geography.
    Measured,
    /// Carried down from a larger area (e.g. a local authority) by population overlap.
    Apportioned,
    /// Moved between boundary sets through an overlap table.
    Converted,
    /// Computed by stemgap from other figures for the same geography
    /// (a share from counts, a weighted mean of small areas).
    Derived,
    /// Given by an organisation through `stemgap contribute` (a recipe and
    /// a data file with its contributor and licence), not a catalogued
    /// public source.
    Contributed,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Measured,
        Method::Apportioned,
        Method::Converted,
        Method::Derived,
        Method::Contributed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Method::Measured => "measured",
            Method::Apportioned => "apportioned",
            Method::Converted => "converted",
            Method::Derived => "derived",
            Method::Contributed => "contributed",
        }
    }

    pub fn from_id(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == s)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Which way is better for an indicator, so maps and briefs can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    HigherIsBetter,
    HigherIsWorse,
    /// Context, not a judgement (e.g. population, age structure).
    Neutral,
}

impl Direction {
    pub fn id(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::HigherIsWorse => "higher_is_worse",
            Direction::Neutral => "neutral",
        }
    }

    pub fn from_id(s: &str) -> Option<Direction> {
        [
            Direction::HigherIsBetter,
            Direction::HigherIsWorse,
            Direction::Neutral,
        ]
        .into_iter()
        .find(|d| d.id() == s)
    }
}

/// An entry of the indicator catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorDef {
    /// Stable snake_case identifier, e.g. `level4_share`.
    pub id: String,
    pub title: String,
    /// What exactly is counted, over which denominator.
    pub definition: String,
    /// `share` (0..1), `count`, `rate_per_1000`, `score`, `rate` (0..1), `points`.
    pub unit: String,
    pub direction: Direction,
    /// Catalogue ids of the sources it is made from.
    pub sources: Vec<String>,
    /// The headline period (the one exports show), e.g. `2021` or `2021/22`.
    pub period: String,
    /// The nations the sources cover, per boundary set.
    pub nations: Vec<Nation>,
    pub method: Method,
    /// Things a reader must know before using the figure.
    pub caveats: String,
}

/// One figure for one geography, indicator and period.
///
/// `value` is `None` exactly when the source withheld it, and `flag` then
/// says why; `lower`/`upper` carry an interval when the figure is uncertain
/// (a survey confidence interval, or a bound from suppressed parts).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub code: GssCode,
    pub boundary: Option<BoundarySet>,
    pub indicator: Symbol,
    pub period: Symbol,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub flag: Option<Marker>,
    pub method: Method,
    pub source: Symbol,
}
