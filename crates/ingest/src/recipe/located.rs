//! Located rows (`geography = "postcode"` or `"point"`): each row a thing
//! located somewhere (a club, a college), not an area. Rows are placed
//! exactly on each boundary set and summed per seat:
//!
//! * a **postcode** goes to its 2024 seat by the GB range lookup (the one
//!   HE providers are placed by); on the 2010-2024 set, to the one seat its
//!   2024 seat lies wholly in (99% of its population, as for providers:
//!   [`crate::institutions::WHOLLY`]). A row in a split 2024 seat is left
//!   out of the 2010-2024 set and widens the upper bound of each
//!   2010-2024 seat it could be in. Northern Ireland is not in the lookup.
//! * a **point** (longitude, latitude) goes to the seat of each set whose
//!   polygon holds it ([`SeatMap::locate`]), if it lies in the box around
//!   the UK ([`crate::institutions::UK_BOUNDS`]).
//!
//! Counts are summed per seat, shares from their summed numerator and
//! denominator. A withheld count is a range with `suppressed_range`, and
//! otherwise withholds the seat's figure: never zero. Seats without a row
//! have no figure, unless the list is declared `complete` (a real zero in
//! the covered nations). Rows that cannot be placed are reported
//! ([`Placed::unplaced`]), never dropped silently.

use super::engine::{ratio, Declared, Given, Located, Parsed, Placed, Value};
use super::{Geography, OtherNations, Unit};
use crate::indicators::Bounds;
use crate::{Collector, Registry};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Cell, GssCode, Marker, Method, Nation};
use stemgap_geography::Relation;
use stemgap_sources::{Location, Problem, SourceError};

fn invalid(at: Location, why: impl Into<String>) -> SourceError {
    SourceError::new(at, Problem::Invalid(why.into()))
}

/// Where one row lies on each set (2010, 2024): its seat or why not, and on
/// the 2010-2024 set the seats a row of a split 2024 seat could be in.
struct Position {
    seats: [Result<GssCode, String>; 2],
    maybe: Vec<GssCode>,
}

/// What a located geography needs from the build, or an error saying so.
fn needs(geography: Geography, given: &Given<'_>, at: &Location) -> Result<(), SourceError> {
    match geography {
        Geography::Postcode if given.postcode_ranges.is_none() => Err(invalid(
            at.clone(),
            "postcode contributions need --sources for the postcode lookup (mysociety_postcode_range_to_pcon2024_gb)",
        )),
        Geography::Point if given.seat_maps.is_none() => Err(invalid(
            at.clone(),
            "point contributions need --sources for the seat boundaries of both sets",
        )),
        _ => Ok(()),
    }
}

/// The 2010-2024 seats each 2024 seat overlaps, with their share of its
/// population.
fn overlaps(reg: &Registry) -> HashMap<GssCode, Vec<(GssCode, f64)>> {
    let mut m: HashMap<GssCode, Vec<(GssCode, f64)>> = HashMap::default();
    for l in reg.links_of(Relation::SeatOverlap {
        from: BoundarySet::Pcon2024,
    }) {
        if let (Ok(a), Ok(b)) = (GssCode::parse(&l.from), GssCode::parse(&l.to)) {
            m.entry(a).or_default().push((b, l.weight));
        }
    }
    for v in m.values_mut() {
        v.sort_by_key(|(s, _)| *s);
    }
    m
}

fn position(
    here: &Located,
    given: &Given<'_>,
    overlaps: &HashMap<GssCode, Vec<(GssCode, f64)>>,
) -> Result<Position, SourceError> {
    let both = |why: String| Position {
        seats: [Err(why.clone()), Err(why)],
        maybe: Vec::new(),
    };
    match here {
        Located::Postcode(p) => {
            let ranges = given.postcode_ranges.expect("checked by `needs`");
            if p.is_northern_ireland() {
                return Ok(both(format!(
                    "{p} is a Northern Ireland postcode: the postcode lookup covers Great Britain only"
                )));
            }
            let Some(s24) = crate::institutions::postcode_seat(ranges, p) else {
                return Ok(both(format!(
                    "{p} is in no seat of the GB postcode lookup (not a postcode in use?)"
                )));
            };
            let parts = overlaps.get(&s24).map_or(&[][..], Vec::as_slice);
            let (s10, maybe) = match parts
                .iter()
                .find(|(_, w)| *w >= crate::institutions::WHOLLY)
            {
                Some((s10, _)) => (Ok(*s10), Vec::new()),
                None if parts.is_empty() => (
                    Err(format!(
                        "{p} is in 2024 seat {s24}, which overlaps no 2010-2024 seat in the registry"
                    )),
                    Vec::new(),
                ),
                None => (
                    Err(format!(
                        "{p} is in 2024 seat {s24}, which is split between 2010-2024 seats {}",
                        parts
                            .iter()
                            .map(|(s, w)| format!("{s} ({:.0}%)", w * 100.0))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    parts.iter().map(|(s, _)| *s).collect(),
                ),
            };
            Ok(Position {
                seats: [s10, Ok(s24)],
                maybe,
            })
        }
        &Located::Point(lon, lat) => {
            if !crate::institutions::in_uk(lat, lon) {
                return Ok(both(format!(
                    "longitude {lon}, latitude {lat} is outside the UK"
                )));
            }
            let maps = given.seat_maps.expect("checked by `needs`");
            let seats = BoundarySet::ALL.map(|set| match maps.iter().find(|m| m.set() == set) {
                None => Err(format!("no boundaries for the {set} set")),
                Some(m) => m.locate(lon, lat).ok_or_else(|| {
                    format!(
                        "longitude {lon}, latitude {lat} is outside every seat of the {set} set"
                    )
                }),
            });
            Ok(Position {
                seats,
                maybe: Vec::new(),
            })
        }
    }
}

/// One seat's running sums for one indicator and period.
#[derive(Default, Clone, Copy)]
struct Sum {
    num: Bounds,
    den: Bounds,
    /// Rows placed in the seat.
    rows: usize,
    /// A withheld value that is (or may be) in the seat.
    withheld: Option<Marker>,
}

/// A row's value as (numerator, denominator) bounds, or its marker.
fn amount(value: &Value, suppressed: Option<[f64; 2]>) -> Result<(Bounds, Bounds), Marker> {
    let one = |c: Cell| match (c, suppressed) {
        (Cell::Value(v), _) => Ok(Bounds { lo: v, hi: v }),
        (Cell::Missing(_), Some([lo, hi])) => Ok(Bounds { lo, hi }),
        (Cell::Missing(m), None) => Err(m),
    };
    match *value {
        Value::Cell(c) => Ok((one(c)?, Bounds::default())),
        Value::Range(b) => Ok((b, Bounds::default())),
        Value::Ratio(a, b) => {
            let side = |c: Cell| match c {
                Cell::Value(v) => Ok(Bounds { lo: v, hi: v }),
                Cell::Missing(m) => Err(m),
            };
            Ok((side(a)?, side(b)?))
        }
    }
}

/// Places located rows on both sets and stores each seat's sum.
#[allow(clippy::too_many_arguments)]
pub(super) fn place(
    d: &Declared<'_>,
    parsed: &Parsed,
    reg: &Registry,
    given: Given<'_>,
    method: Method,
    placed: &mut Placed,
    out: &mut Collector,
) -> Result<(), SourceError> {
    let src = &d.recipe.source;
    let at = &parsed.location;
    needs(src.geography, &given, at)?;
    let overlaps = if src.geography == Geography::Postcode {
        overlaps(reg)
    } else {
        HashMap::default()
    };
    let covered: Vec<Nation> = {
        let mut v: Vec<Nation> = d
            .recipe
            .indicators
            .iter()
            .flat_map(|i| i.nations())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    // Each row's position; rows outside every covered nation are an error
    // (or left out, with `other_nations = "skip"`), as area rows are.
    let mut positions: Vec<Option<Position>> = Vec::with_capacity(parsed.rows.len());
    for row in &parsed.rows {
        let (here, row_at) = row.located.as_ref().expect("a located row");
        let mut p = position(here, &given, &overlaps)?;
        let nation = p
            .seats
            .iter()
            .find_map(|s| s.as_ref().ok())
            .or(p.maybe.first())
            .and_then(|s| s.nation());
        if let Some(n) = nation.filter(|n| !covered.contains(n)) {
            if src.other_nations == OtherNations::Skip {
                let why = format!("in {}, which the recipe does not cover", n.name());
                p.seats = [Err(why.clone()), Err(why)];
                p.maybe.clear();
            } else {
                return Err(invalid(
                    row_at.clone(),
                    format!(
                        "{} is in {n}, which the recipe does not cover (nations: {})",
                        match here {
                            Located::Postcode(pc) => pc.to_string(),
                            Located::Point(lon, lat) => format!("longitude {lon}, latitude {lat}"),
                        },
                        covered
                            .iter()
                            .map(|n| n.id())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        for (k, set) in BoundarySet::ALL.into_iter().enumerate() {
            match &p.seats[k] {
                Ok(_) => placed.rows_placed[k] += 1,
                Err(why) => placed.unplaced.push((row_at.clone(), set, why.clone())),
            }
        }
        positions.push(Some(p));
    }
    for (i, ind) in d.recipe.indicators.iter().enumerate() {
        let nations = ind.nations();
        let in_scope = |s: &GssCode| s.nation().is_some_and(|n| nations.contains(&n));
        for period in &parsed.periods[i] {
            for (k, set) in BoundarySet::ALL.into_iter().enumerate() {
                let mut sums: BTreeMap<GssCode, Sum> = BTreeMap::new();
                for (row, p) in parsed.rows.iter().zip(&positions) {
                    let Some(p) = p else { continue };
                    let Some((_, value, _)) = row.values[i].iter().find(|(q, _, _)| q == period)
                    else {
                        continue;
                    };
                    let a = amount(value, ind.suppressed_range);
                    match &p.seats[k] {
                        Ok(seat) if in_scope(seat) => {
                            let s = sums.entry(*seat).or_default();
                            s.rows += 1;
                            match a {
                                Ok((n, dn)) => {
                                    s.num = Bounds {
                                        lo: s.num.lo + n.lo,
                                        hi: s.num.hi + n.hi,
                                    };
                                    s.den = Bounds {
                                        lo: s.den.lo + dn.lo,
                                        hi: s.den.hi + dn.hi,
                                    };
                                }
                                Err(m) => {
                                    s.withheld.get_or_insert(m);
                                }
                            }
                        }
                        Ok(_) => {}
                        // A row of a split seat may be in each of these:
                        // only their upper bounds include it.
                        Err(_) => {
                            for seat in p.maybe.iter().filter(|s| in_scope(s)) {
                                let s = sums.entry(*seat).or_default();
                                match a {
                                    Ok((n, dn)) => {
                                        s.num.hi += n.hi;
                                        s.den.hi += dn.hi;
                                    }
                                    Err(m) => {
                                        s.withheld.get_or_insert(m);
                                    }
                                }
                            }
                        }
                    }
                }
                if src.complete {
                    for seat in reg
                        .seats(set)
                        .iter()
                        .filter(|s| nations.contains(&s.nation))
                    {
                        sums.entry(seat.code).or_default();
                    }
                }
                for (seat, s) in sums {
                    // Without `complete`, a seat no row is placed in has no
                    // figure (not even one a split seat's row might add to).
                    if !src.complete && s.rows == 0 {
                        continue;
                    }
                    let nation = seat.nation().unwrap_or(Nation::England);
                    let tally = placed
                        .seats
                        .entry((ind.id.clone(), period.clone(), set, nation))
                        .or_default();
                    let value = match s.withheld {
                        Some(m) => Err(Cell::Missing(m)),
                        None if ind.unit == Unit::Count => {
                            Ok(((s.num.lo + s.num.hi) / 2.0, s.num.lo, s.num.hi))
                        }
                        None => ratio(s.num, s.den).ok_or(Cell::Missing(Marker::NotAvailable)),
                    };
                    match value {
                        Ok((v, lo, hi)) if lo == hi => {
                            tally.0 += 1;
                            out.push(
                                set,
                                seat,
                                &ind.id,
                                period,
                                Cell::Value(v),
                                method,
                                &src.id,
                                at,
                            )?;
                        }
                        Ok(v) => {
                            tally.0 += 1;
                            out.push_bounded(set, seat, &ind.id, period, v, method, &src.id, at)?;
                        }
                        Err(cell) => {
                            tally.1 += 1;
                            out.push(set, seat, &ind.id, period, cell, method, &src.id, at)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
