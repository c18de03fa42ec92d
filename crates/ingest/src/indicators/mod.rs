//! Indicators measured at constituency level, one module per source family.
//!
//! Each module defines its indicators (id, definition, unit, direction,
//! sources, period, nations, method, caveats) and pushes one observation per
//! seat and period. A withheld value is stored as missing with its marker;
//! nothing is ever filled with zero.

mod apportion;
mod aps;
mod census;
mod convert;
mod deprivation;
mod industry;
mod msoa;
mod scotland;
mod seat_tables;
mod starts;

use crate::build::Inputs;
use crate::Registry;
use std::collections::{HashMap, HashSet};
use stemgap_core::{
    BoundarySet, Cell, Direction, GssCode, IndicatorDef, Marker, Method, Nation, Observation,
};
use stemgap_sources::{Location, Problem, SourceError};

/// Runs every indicator module.
pub fn collect_all(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    seat_tables::population(inputs, reg, out)?;
    census::collect(inputs, reg, out)?;
    scotland::collect(inputs, reg, out)?;
    seat_tables::ucas(inputs, reg, out)?;
    seat_tables::ks4(inputs, reg, out)?;
    seat_tables::ofsted(inputs, reg, out)?;
    seat_tables::composite_imd(inputs, reg, out)?;
    deprivation::collect(inputs, reg, out)?;
    apportion::collect(inputs, reg, out)?;
    starts::collect(inputs, reg, out)?;
    msoa::collect(inputs, reg, out)?;
    // Last: converts what exists in one boundary set only.
    convert::collect(reg, out)?;
    Ok(())
}

/// Indicator definitions and observations, with duplicates refused.
#[derive(Debug, Default)]
pub struct Collector {
    defs: Vec<IndicatorDef>,
    obs: Vec<Observation>,
    keys: HashSet<(Option<BoundarySet>, String, GssCode, String)>,
}

impl Collector {
    pub fn definitions(&self) -> &[IndicatorDef] {
        &self.defs
    }

    pub fn observations(&self) -> &[Observation] {
        &self.obs
    }

    /// Adds a definition, or extends one defined by an earlier source (the
    /// same indicator measured in another nation).
    pub fn define(&mut self, def: IndicatorDef) {
        if let Some(d) = self.defs.iter_mut().find(|d| d.id == def.id) {
            for s in def.sources {
                if !d.sources.contains(&s) {
                    d.sources.push(s);
                }
            }
            for n in def.nations {
                if !d.nations.contains(&n) {
                    d.nations.push(n);
                }
            }
            d.nations.sort();
            if !d.period.split(", ").any(|p| p == def.period) {
                d.period = format!("{}, {}", d.period, def.period);
            }
            if !def.caveats.is_empty() && !d.caveats.contains(&def.caveats) {
                d.caveats = format!("{} {}", d.caveats, def.caveats).trim().to_owned();
            }
        } else {
            self.defs.push(def);
        }
    }

    /// Appends a caveat to an indicator's definition.
    pub fn add_caveat(&mut self, id: &str, caveat: &str) {
        if let Some(d) = self.defs.iter_mut().find(|d| d.id == id) {
            if !d.caveats.contains(caveat) {
                d.caveats = format!("{} {caveat}", d.caveats).trim().to_owned();
            }
        }
    }

    /// Adds an observation; a second one for the same seat, indicator and
    /// period is a duplicate row in the source.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        set: BoundarySet,
        code: GssCode,
        indicator: &str,
        period: &str,
        cell: Cell,
        method: Method,
        source: &str,
        at: &Location,
    ) -> Result<(), SourceError> {
        debug_assert!(
            self.defs.iter().any(|d| d.id == indicator),
            "undefined indicator {indicator}"
        );
        if !self
            .keys
            .insert((Some(set), indicator.to_owned(), code, period.to_owned()))
        {
            return Err(SourceError::new(
                at.clone(),
                Problem::Duplicate(format!("{code}, {indicator}, {period}")),
            ));
        }
        let (value, flag) = match cell {
            Cell::Value(v) => (Some(v), None),
            Cell::Missing(m) => (None, Some(m)),
        };
        self.obs.push(Observation {
            code,
            boundary: Some(set),
            indicator: indicator.to_owned(),
            period: period.to_owned(),
            value,
            lower: None,
            upper: None,
            flag,
            method,
            source: source.to_owned(),
        });
        Ok(())
    }
}

impl Collector {
    /// Like [`Collector::push`], with an interval around the value.
    #[allow(clippy::too_many_arguments)]
    pub fn push_bounded(
        &mut self,
        set: BoundarySet,
        code: GssCode,
        indicator: &str,
        period: &str,
        (value, lower, upper): (f64, f64, f64),
        method: Method,
        source: &str,
        at: &Location,
    ) -> Result<(), SourceError> {
        self.push(
            set,
            code,
            indicator,
            period,
            Cell::Value(value),
            method,
            source,
            at,
        )?;
        let o = self.obs.last_mut().expect("just pushed");
        o.lower = Some(lower);
        o.upper = Some(upper);
        Ok(())
    }

    /// Values of one indicator for one set and period, by seat.
    pub fn values(&self, set: BoundarySet, indicator: &str, period: &str) -> HashMap<GssCode, f64> {
        self.obs
            .iter()
            .filter(|o| o.boundary == Some(set) && o.indicator == indicator && o.period == period)
            .filter_map(|o| Some((o.code, o.value?)))
            .collect()
    }
}

/// A share `num / den`; missing ("not applicable") when the denominator is zero.
pub fn share(num: f64, den: f64) -> Cell {
    if den > 0.0 {
        Cell::Value(num / den)
    } else {
        Cell::Missing(Marker::NotAvailable)
    }
}

/// A compact constructor for definitions.
pub struct Def<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub definition: &'a str,
    pub unit: &'a str,
    pub direction: Direction,
    pub sources: &'a [&'a str],
    pub period: &'a str,
    pub nations: &'a [Nation],
    pub method: Method,
    pub caveats: &'a str,
}

impl Def<'_> {
    pub fn build(&self) -> IndicatorDef {
        IndicatorDef {
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            definition: self.definition.to_owned(),
            unit: self.unit.to_owned(),
            direction: self.direction,
            sources: self.sources.iter().map(|s| s.to_string()).collect(),
            period: self.period.to_owned(),
            nations: self.nations.to_vec(),
            method: self.method,
            caveats: self.caveats.to_owned(),
        }
    }
}
