//! The seat-level figures the findings read: one value per seat, indicator
//! and boundary set (the indicator's latest period), with the seats'
//! nations and the contiguity graph.

use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{BoundarySet, GssCode, IndicatorDef, Method, Nation, Observation};

/// A seat as the findings need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    pub code: GssCode,
    pub name: String,
    pub nation: Nation,
    /// The English region (or the nation's name elsewhere), for clustering.
    pub region: Option<String>,
}

/// One seat's figure for an indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub method: Method,
    /// The interval stored with the figure: a survey confidence interval,
    /// or the bounds from suppressed source cells (which one depends on
    /// the indicator).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Seats with a value in each nation, and the methods used there.
pub type Coverage = BTreeMap<Nation, (usize, BTreeSet<Method>)>;
/// Indicator id, then boundary set: looked up by `&str` without allocating.
type ByIndicator<T> = HashMap<String, BTreeMap<BoundarySet, T>>;

/// Everything the findings are computed from.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    seats: BTreeMap<BoundarySet, Vec<Seat>>,
    defs: Vec<IndicatorDef>,
    /// (set, indicator) → (periods used, seat → figure): each seat's latest
    /// period with a value.
    values: ByIndicator<(String, HashMap<GssCode, Figure>)>,
    /// (set, indicator) → nations with at least one seat with a value, and
    /// the methods seen there.
    coverage: ByIndicator<Coverage>,
    /// set → seat → border neighbours (symmetric).
    neighbours: BTreeMap<BoundarySet, BTreeMap<GssCode, Vec<GssCode>>>,
    /// (set, indicator) → period → seat → figure: every period with values.
    history: ByIndicator<BTreeMap<String, HashMap<GssCode, Figure>>>,
    /// set → seat → the local authority holding most of its population.
    authorities: BTreeMap<BoundarySet, HashMap<GssCode, String>>,
    /// Indicators shared out to seats from local-authority figures.
    authority_level: BTreeSet<String>,
    /// set → seat → the upper-tier authority (2019 local education
    /// authority) holding most of its population.
    upper_tiers: BTreeMap<BoundarySet, HashMap<GssCode, String>>,
}

impl Dataset {
    /// Builds the dataset. `borders` are (set, a, b) pairs of seats sharing
    /// a border, each pair once or in both directions.
    ///
    /// Seats are put in code order and indicators in id order, so the result
    /// does not depend on the order the caller read them in.
    pub fn new(
        mut seats: BTreeMap<BoundarySet, Vec<Seat>>,
        mut defs: Vec<IndicatorDef>,
        observations: &[Observation],
        borders: &[(BoundarySet, GssCode, GssCode)],
    ) -> Dataset {
        for v in seats.values_mut() {
            v.sort_by_key(|s| s.code);
        }
        defs.sort_by(|a, b| a.id.cmp(&b.id));
        let nation_of: HashMap<(BoundarySet, GssCode), Nation> = seats
            .iter()
            .flat_map(|(set, v)| v.iter().map(move |s| ((*set, s.code), s.nation)))
            .collect();
        // The latest period with a value in each nation (nations may differ:
        // SIMD 2020 beside IMD 2019); one period per nation, so seats of a
        // nation are never compared across years.
        let mut values: ByIndicator<(String, HashMap<GssCode, Figure>)> = HashMap::default();
        let mut newest: HashMap<(BoundarySet, &str, Nation), &str> = HashMap::default();
        for o in observations {
            let (Some(set), Some(v)) = (o.boundary, o.value) else {
                continue;
            };
            let Some(&nation) = nation_of.get(&(set, o.code)) else {
                continue;
            };
            if !v.is_finite() {
                continue;
            }
            let e = newest
                .entry((set, o.indicator.as_str(), nation))
                .or_insert(o.period.as_str());
            if o.period.as_str() > *e {
                *e = o.period.as_str();
            }
        }
        let mut latest = Vec::new();
        for o in observations {
            let (Some(set), Some(v)) = (o.boundary, o.value) else {
                continue;
            };
            let Some(&nation) = nation_of.get(&(set, o.code)) else {
                continue;
            };
            if v.is_finite()
                && newest.get(&(set, o.indicator.as_str(), nation)) == Some(&o.period.as_str())
            {
                let figure = Figure {
                    value: v,
                    method: o.method,
                    lower: o.lower,
                    upper: o.upper,
                };
                latest.push((
                    (set, o.indicator.as_str(), o.code),
                    (o.period.as_str(), figure),
                ));
            }
        }
        // Grouped under borrowed keys first: one owned key per indicator.
        type Group<'o> = (BTreeSet<&'o str>, Coverage, HashMap<GssCode, Figure>);
        let mut groups: HashMap<(BoundarySet, &str), Group<'_>> = HashMap::default();
        for ((set, id, code), (period, figure)) in latest {
            let g = groups.entry((set, id)).or_default();
            g.0.insert(period);
            let c = g.1.entry(nation_of[&(set, code)]).or_default();
            c.0 += 1;
            c.1.insert(figure.method);
            g.2.insert(code, figure);
        }
        let mut coverage: ByIndicator<Coverage> = HashMap::default();
        for ((set, id), (periods, cover, figures)) in groups {
            let period = periods.into_iter().collect::<Vec<_>>().join(", ");
            coverage
                .entry(id.to_owned())
                .or_default()
                .insert(set, cover);
            values
                .entry(id.to_owned())
                .or_default()
                .insert(set, (period, figures));
        }
        let mut history: ByIndicator<BTreeMap<String, HashMap<GssCode, Figure>>> =
            HashMap::default();
        for o in observations {
            let (Some(set), Some(v)) = (o.boundary, o.value) else {
                continue;
            };
            if !v.is_finite() || !nation_of.contains_key(&(set, o.code)) {
                continue;
            }
            let by_set = match history.get_mut(o.indicator.as_str()) {
                Some(m) => m,
                None => history.entry(o.indicator.to_string()).or_default(),
            };
            let by_period = by_set.entry(set).or_default();
            let seats = match by_period.get_mut(o.period.as_str()) {
                Some(m) => m,
                None => by_period.entry(o.period.to_string()).or_default(),
            };
            seats.insert(
                o.code,
                Figure {
                    value: v,
                    method: o.method,
                    lower: o.lower,
                    upper: o.upper,
                },
            );
        }
        let mut neighbours: BTreeMap<BoundarySet, BTreeMap<GssCode, Vec<GssCode>>> =
            BTreeMap::new();
        for (set, a, b) in borders {
            let m = neighbours.entry(*set).or_default();
            m.entry(*a).or_default().push(*b);
            m.entry(*b).or_default().push(*a);
        }
        for m in neighbours.values_mut() {
            for v in m.values_mut() {
                v.sort();
                v.dedup();
            }
        }
        Dataset {
            seats,
            defs,
            values,
            coverage,
            neighbours,
            history,
            authorities: BTreeMap::new(),
            authority_level: BTreeSet::new(),
            upper_tiers: BTreeMap::new(),
        }
    }

    /// The same dataset knowing which indicators are local-authority
    /// figures shared out to seats (their inference is by authority).
    pub fn with_authority_level<'a>(mut self, ids: impl IntoIterator<Item = &'a str>) -> Dataset {
        self.authority_level
            .extend(ids.into_iter().map(str::to_owned));
        self
    }

    /// Whether an indicator's figures are local-authority figures shared
    /// out to seats.
    pub fn authority_level(&self, id: &str) -> bool {
        self.authority_level.contains(id)
    }

    /// The same dataset with each seat's local authority (the one holding
    /// most of its population), the unit that figures shared out from
    /// authorities are clustered by. Seats not listed have none.
    pub fn with_authorities(mut self, authorities: &[(BoundarySet, GssCode, String)]) -> Dataset {
        for (set, code, lad) in authorities {
            self.authorities
                .entry(*set)
                .or_default()
                .insert(*code, lad.clone());
        }
        self
    }

    /// The same dataset with each seat's upper-tier authority (the 2019
    /// local education authority holding most of its population), the unit
    /// that figures shared out from upper-tier authorities (the Employer
    /// Skills Survey) are clustered by. Seats not listed have none.
    pub fn with_upper_tiers(mut self, upper: &[(BoundarySet, GssCode, String)]) -> Dataset {
        for (set, code, utla) in upper {
            self.upper_tiers
                .entry(*set)
                .or_default()
                .insert(*code, utla.clone());
        }
        self
    }

    /// A seat's upper-tier authority, if known.
    pub fn upper_tier(&self, set: BoundarySet, code: GssCode) -> Option<&str> {
        self.upper_tiers.get(&set)?.get(&code).map(String::as_str)
    }

    /// A seat's local authority, if known.
    pub fn authority(&self, set: BoundarySet, code: GssCode) -> Option<&str> {
        self.authorities.get(&set)?.get(&code).map(String::as_str)
    }

    /// A seat's region (English region, or its nation elsewhere).
    pub fn region(&self, set: BoundarySet, code: GssCode) -> Option<&str> {
        let seats = self.seats(set);
        let i = seats.binary_search_by_key(&code, |s| s.code).ok()?;
        seats[i].region.as_deref()
    }

    /// Every period with values for an indicator in a set, oldest first.
    pub fn periods(&self, set: BoundarySet, id: &str) -> Vec<&str> {
        self.history
            .get(id)
            .and_then(|m| m.get(&set))
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// One seat's figure in one period.
    pub fn figure_at(
        &self,
        set: BoundarySet,
        id: &str,
        period: &str,
        code: GssCode,
    ) -> Option<Figure> {
        self.history
            .get(id)?
            .get(&set)?
            .get(period)?
            .get(&code)
            .copied()
    }

    pub fn seats(&self, set: BoundarySet) -> &[Seat] {
        self.seats.get(&set).map_or(&[], Vec::as_slice)
    }

    pub fn definition(&self, id: &str) -> Option<&IndicatorDef> {
        self.defs.iter().find(|d| d.id == id)
    }

    pub fn definitions(&self) -> &[IndicatorDef] {
        &self.defs
    }

    /// The figure of one seat, if it has one.
    pub fn figure(&self, set: BoundarySet, id: &str, code: GssCode) -> Option<Figure> {
        self.values
            .get(id)
            .and_then(|m| m.get(&set))
            .and_then(|(_, m)| m.get(&code).copied())
    }

    /// The period the findings use for an indicator in a set.
    pub fn period(&self, set: BoundarySet, id: &str) -> Option<&str> {
        self.values
            .get(id)
            .and_then(|m| m.get(&set))
            .map(|(p, _)| p.as_str())
    }

    /// Whether the indicator has any value in the set.
    pub fn has(&self, set: BoundarySet, id: &str) -> bool {
        self.values.get(id).is_some_and(|m| m.contains_key(&set))
    }

    /// Seats with a value, per nation, and the methods used.
    pub fn coverage(&self, set: BoundarySet, id: &str) -> Option<&Coverage> {
        self.coverage.get(id).and_then(|m| m.get(&set))
    }

    /// For `codes` (seats of `set`), each one's bordering seats among them,
    /// as indices into `codes`.
    pub fn neighbour_lists(&self, set: BoundarySet, codes: &[GssCode]) -> Vec<Vec<usize>> {
        let index: HashMap<GssCode, usize> =
            codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        codes
            .iter()
            .map(|c| {
                self.neighbours(set, *c)
                    .iter()
                    .filter_map(|n| index.get(n).copied())
                    .collect()
            })
            .collect()
    }

    /// Border neighbours of a seat.
    pub fn neighbours(&self, set: BoundarySet, code: GssCode) -> &[GssCode] {
        self.neighbours
            .get(&set)
            .and_then(|m| m.get(&code))
            .map_or(&[], Vec::as_slice)
    }

    /// The seats of `nations` that have a value for every one of `ids`, with
    /// the values in that order, and the seats left out with the reason.
    pub fn table(&self, set: BoundarySet, ids: &[&str], nations: &[Nation]) -> Table {
        self.table_with(set, ids, nations, |id, code| {
            self.figure(set, id, code).map(|f| f.value)
        })
    }

    /// As [`Dataset::table`], with `value(id, seat)` in place of each seat's
    /// figure (another period, a bound, a pooled mean).
    pub fn table_with(
        &self,
        set: BoundarySet,
        ids: &[&str],
        nations: &[Nation],
        value: impl Fn(&str, GssCode) -> Option<f64>,
    ) -> Table {
        let mut t = Table::default();
        for seat in self.seats(set) {
            if !nations.contains(&seat.nation) {
                t.exclude(format!("outside {}", nation_list(nations)), seat.code);
                continue;
            }
            let row: Vec<Option<f64>> = ids.iter().map(|id| value(id, seat.code)).collect();
            match ids.iter().zip(&row).find(|(_, v)| v.is_none()) {
                Some((id, _)) => t.exclude(format!("no value for {id}"), seat.code),
                None => {
                    t.codes.push(seat.code);
                    t.rows
                        .push(row.into_iter().map(|v| v.expect("checked")).collect());
                }
            }
        }
        t
    }
}

/// Aligned columns of values for a set of seats.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub codes: Vec<GssCode>,
    /// One row per seat, one value per indicator asked for.
    pub rows: Vec<Vec<f64>>,
    /// reason → seats.
    pub excluded: BTreeMap<String, Vec<GssCode>>,
}

impl Table {
    fn exclude(&mut self, reason: String, code: GssCode) {
        self.excluded.entry(reason).or_default().push(code);
    }

    pub fn n(&self) -> usize {
        self.codes.len()
    }

    /// Column `j`.
    pub fn col(&self, j: usize) -> Vec<f64> {
        self.rows.iter().map(|r| r[j]).collect()
    }
}

/// "England", "England and Wales", "England, Wales and Scotland".
pub fn nation_list(nations: &[Nation]) -> String {
    let names: Vec<&str> = nations.iter().map(|n| n.name()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
