//! Explore: the seats that meet several conditions at once. One engine for
//! `/explore`, `/api/v1/explore`, `/download/explore.csv` and `stemgap
//! explore`: [`Query::parse`] reads the parameters (the same everywhere),
//! [`Query::run`] finds the seats, [`json`] and [`csv`] write the answer.
//!
//! Parameters (order kept; empty values are ignored, as a form sends them):
//!
//! * `f=FIELD:OP[:VALUE]`, any number: `OP` is `lt`, `le`, `gt`, `ge`, `eq`
//!   (with a value) or `below_median`, `above_median`, `top_fifth`,
//!   `bottom_fifth` (without). Text fields (`mp_name`, `mp_party`) take `eq`
//!   only, compared without case (`mp_party` matches the party's name or
//!   its code, e.g. `Labour` or `Lab`).
//! * `nation=england|wales|scotland|northern_ireland`, `region=CODE` (or the
//!   region's name), `boundaries=2010|2024` (2024 when absent).
//! * `shade=FIELD`: the number the map is coloured by (matching seats only).
//! * `cols=A,B,C`: the table's columns (default: the conditions' fields,
//!   then the shading field).
//! * `sort=name|code|nation|FIELD`, `order=asc|desc`: the table's order
//!   (default: by name; seats without a value last).
//!
//! A FIELD is an indicator id, or one of the fields of the MP elected in
//! July 2024 ([`MEMBER_FIELDS`]; 2024 boundaries only).
//!
//! **Relative conditions** are judged within the seat's nation, on the
//! indicator's latest value, among *all* the nation's seats of the set with a
//! value (not only those left by the other conditions or by `region=`). With
//! `n` such seats, values `V`:
//!
//! * `below_median` / `above_median`: the value is strictly below / above
//!   the median of `V` (the middle value, or the mean of the two middle
//!   values when `n` is even); a seat exactly at the median is neither.
//! * `top_fifth`: fewer than `n/5` of the nation's seats have a strictly
//!   higher value, i.e. its rank (1 = highest, ties sharing the best rank)
//!   is at most ⌈n/5⌉; `bottom_fifth` the same from the lowest value. Seats
//!   tied at the boundary are all in.
//!
//! They are **not direction-aware**: "top" and "above" mean numerically
//! higher, whether a higher value is better or worse (the most deprived fifth
//! by IMD score is `top_fifth`; by IMD rank, `bottom_fifth`).
//!
//! A seat (in the nation and region asked for) without a value for any
//! condition's field cannot be judged: it is left out and counted in
//! `excluded_missing`, whatever its other conditions say.

use crate::atlas::{nation_slot, Atlas};
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt::Write;
use stemgap_core::{BoundarySet, Nation};

/// The MP fields: (id, title, unit; `None` for text).
pub const MEMBER_FIELDS: &[(&str, &str, Option<&str>)] = &[
    ("mp_name", "MP elected July 2024", None),
    ("mp_party", "MP's party (elected July 2024)", None),
    ("mp_majority", "Majority, July 2024 (votes)", Some("count")),
    (
        "mp_majority_share",
        "Majority, July 2024 (share of valid votes, 0-1)",
        Some("share"),
    ),
    (
        "mp_turnout",
        "Turnout, July 2024 (valid votes as a share of the electorate, 0-1)",
        Some("share"),
    ),
];

/// A bad parameter: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter {param}: {message}")]
pub struct ParamError {
    /// The parameter as given, e.g. `f=foo:lt:3` or `nation`.
    pub param: String,
    pub message: String,
}

fn bad(param: impl Into<String>, message: impl Into<String>) -> ParamError {
    ParamError {
        param: param.into(),
        message: message.into(),
    }
}

/// What a column or condition is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// An indicator, by index in [`Atlas::indicators`].
    Indicator(usize),
    /// One of [`MEMBER_FIELDS`], by index.
    Member(usize),
}

impl Field {
    fn parse(atlas: &Atlas, set: BoundarySet, id: &str, param: &str) -> Result<Field, ParamError> {
        if let Some((k, _)) = atlas.indicator(id) {
            return Ok(Field::Indicator(k));
        }
        if let Some(m) = MEMBER_FIELDS.iter().position(|f| f.0 == id) {
            if set == BoundarySet::Pcon2010 {
                return Err(bad(
                    param,
                    format!("{id}: MPs (elected July 2024) are given for the 2024 seats only; use boundaries=2024"),
                ));
            }
            return Ok(Field::Member(m));
        }
        Err(bad(
            param,
            format!("no indicator or field {id:?}: the indicators are listed at /api/v1/indicators; the MP fields are {}", member_ids()),
        ))
    }

    pub fn id<'a>(&self, atlas: &'a Atlas) -> &'a str {
        match *self {
            Field::Indicator(k) => &atlas.indicators[k].id,
            Field::Member(m) => MEMBER_FIELDS[m].0,
        }
    }

    pub fn title<'a>(&self, atlas: &'a Atlas) -> &'a str {
        match *self {
            Field::Indicator(k) => &atlas.indicators[k].title,
            Field::Member(m) => MEMBER_FIELDS[m].1,
        }
    }

    /// The unit of a number; `None` for text.
    pub fn unit<'a>(&self, atlas: &'a Atlas) -> Option<&'a str> {
        match *self {
            Field::Indicator(k) => Some(&atlas.indicators[k].unit),
            Field::Member(m) => MEMBER_FIELDS[m].2,
        }
    }

    pub fn is_text(&self) -> bool {
        matches!(*self, Field::Member(m) if MEMBER_FIELDS[m].2.is_none())
    }

    /// Seat `i`'s number (the latest period of an indicator).
    pub fn number(&self, atlas: &Atlas, set: BoundarySet, i: usize) -> Option<f64> {
        match *self {
            Field::Indicator(k) => atlas.set(set).series[k].value(i),
            Field::Member(m) => {
                let mp = atlas.member(set, i)?;
                match MEMBER_FIELDS[m].0 {
                    "mp_majority" => Some(mp.majority as f64),
                    // The store keeps the source's percentages; shares
                    // (0-1) everywhere else in the atlas.
                    "mp_majority_share" => Some(mp.majority_share / 100.0),
                    "mp_turnout" => Some(mp.turnout / 100.0),
                    _ => None,
                }
            }
        }
    }

    /// Seat `i`'s text (the MP's name, or party).
    pub fn text(&self, atlas: &Atlas, set: BoundarySet, i: usize) -> Option<String> {
        let Field::Member(m) = *self else { return None };
        let mp = atlas.member(set, i)?;
        match MEMBER_FIELDS[m].0 {
            "mp_name" => Some(format!("{} {}", mp.first_name, mp.surname)),
            "mp_party" => Some(mp.party.clone()),
            _ => None,
        }
    }

    /// Whether seat `i` has a value.
    pub fn has_value(&self, atlas: &Atlas, set: BoundarySet, i: usize) -> bool {
        if self.is_text() {
            self.text(atlas, set, i).is_some()
        } else {
            self.number(atlas, set, i).is_some()
        }
    }
}

fn member_ids() -> String {
    MEMBER_FIELDS
        .iter()
        .map(|f| f.0)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    BelowMedian,
    AboveMedian,
    TopFifth,
    BottomFifth,
}

impl Op {
    pub const ALL: [Op; 9] = [
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Eq,
        Op::BelowMedian,
        Op::AboveMedian,
        Op::TopFifth,
        Op::BottomFifth,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Eq => "eq",
            Op::BelowMedian => "below_median",
            Op::AboveMedian => "above_median",
            Op::TopFifth => "top_fifth",
            Op::BottomFifth => "bottom_fifth",
        }
    }

    /// In words, for the form and the page.
    pub fn words(self) -> &'static str {
        match self {
            Op::Lt => "less than",
            Op::Le => "at most",
            Op::Gt => "more than",
            Op::Ge => "at least",
            Op::Eq => "equal to",
            Op::BelowMedian => "below its nation's median",
            Op::AboveMedian => "above its nation's median",
            Op::TopFifth => "in its nation's highest fifth",
            Op::BottomFifth => "in its nation's lowest fifth",
        }
    }

    pub fn takes_value(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Eq)
    }

    fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.id() == s)
    }
}

/// What a condition compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: Field,
    pub op: Op,
    pub value: Value,
    /// As given, `FIELD:OP[:VALUE]`.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Code,
    Nation,
    Field(Field),
}

/// A parsed explore query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub set: BoundarySet,
    pub conditions: Vec<Condition>,
    pub nation: Option<Nation>,
    /// A region code.
    pub region: Option<String>,
    pub shade: Option<Field>,
    /// The table's columns: `cols=`, else the conditions' fields and the
    /// shading field.
    pub cols: Vec<Field>,
    /// Whether `cols=` was given (the address and the form keep only then).
    pub cols_given: bool,
    pub sort: SortKey,
    pub descending: bool,
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Seats in the nation and region asked for.
    pub in_scope: usize,
    /// Seats in scope left out for want of a value.
    pub excluded_missing: usize,
    /// For each condition, seats in scope without a value for it.
    pub missing_by_condition: Vec<usize>,
    /// Whether each seat of the set matches.
    pub matched: Vec<bool>,
    /// The matching seats, in the table's order.
    pub rows: Vec<usize>,
}

impl Answer {
    pub fn count(&self) -> usize {
        self.rows.len()
    }
}

impl Query {
    /// Reads the parameters (name, value) in order.
    pub fn parse(atlas: &Atlas, params: &[(String, String)]) -> Result<Query, ParamError> {
        let get = |name: &str| -> Result<Option<&str>, ParamError> {
            let mut it = params
                .iter()
                .filter(|(k, v)| k == name && !v.trim().is_empty());
            let first = it.next().map(|(_, v)| v.trim());
            if it.next().is_some() {
                return Err(bad(name, "given more than once"));
            }
            Ok(first)
        };
        for (k, _) in params {
            if ![
                "f",
                "nation",
                "region",
                "boundaries",
                "shade",
                "cols",
                "sort",
                "order",
            ]
            .contains(&k.as_str())
            {
                return Err(bad(
                    k.as_str(),
                    "unknown parameter: the parameters are f, nation, region, boundaries, shade, cols, sort and order",
                ));
            }
        }
        let set = match get("boundaries")? {
            None | Some("2024") => BoundarySet::Pcon2024,
            Some("2010") => BoundarySet::Pcon2010,
            Some(other) => {
                return Err(bad(
                    "boundaries",
                    format!("must be 2010 or 2024, not {other:?}"),
                ))
            }
        };
        let mut conditions = Vec::new();
        for (_, f) in params
            .iter()
            .filter(|(k, v)| k == "f" && !v.trim().is_empty())
        {
            conditions.push(condition(atlas, set, f.trim())?);
        }
        let nation = get("nation")?
            .map(|n| {
                Nation::ALL
                    .into_iter()
                    .find(|x| x.id() == n || x.name().eq_ignore_ascii_case(n))
                    .ok_or_else(|| {
                        bad(
                            "nation",
                            format!("{n:?} is not england, wales, scotland or northern_ireland"),
                        )
                    })
            })
            .transpose()?;
        let region = get("region")?
            .map(|r| {
                atlas
                    .regions
                    .iter()
                    .find(|(code, name)| code.as_str() == r || name.eq_ignore_ascii_case(r))
                    .map(|(code, _)| code.clone())
                    .ok_or_else(|| {
                        bad(
                            "region",
                            format!("no region {r:?}: give a region code (e.g. E12000001) or name"),
                        )
                    })
            })
            .transpose()?;
        let shade = get("shade")?
            .map(|id| {
                let f = Field::parse(atlas, set, id, "shade")?;
                if f.is_text() {
                    return Err(bad(
                        "shade",
                        format!("{id} is text: the map is shaded by a number"),
                    ));
                }
                Ok(f)
            })
            .transpose()?;
        let mut cols = Vec::new();
        let cols_given = get("cols")?.is_some();
        match get("cols")? {
            Some(list) => {
                for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let f = Field::parse(atlas, set, id, "cols")?;
                    if !cols.contains(&f) {
                        cols.push(f);
                    }
                }
            }
            None => {
                for f in conditions.iter().map(|c| c.field).chain(shade) {
                    if !cols.contains(&f) {
                        cols.push(f);
                    }
                }
            }
        }
        let sort = match get("sort")? {
            None | Some("name") => SortKey::Name,
            Some("code") => SortKey::Code,
            Some("nation") => SortKey::Nation,
            Some(id) => SortKey::Field(Field::parse(atlas, set, id, "sort")?),
        };
        let descending = match get("order")? {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(o) => return Err(bad("order", format!("must be asc or desc, not {o:?}"))),
        };
        Ok(Query {
            set,
            conditions,
            nation,
            region,
            shade,
            cols,
            cols_given,
            sort,
            descending,
        })
    }

    /// The query as parameters, in a fixed order (for links and the form).
    pub fn params(&self, atlas: &Atlas) -> Vec<(&'static str, String)> {
        let mut out = vec![("boundaries", self.set.id().to_owned())];
        for c in &self.conditions {
            out.push(("f", c.text.clone()));
        }
        if let Some(n) = self.nation {
            out.push(("nation", n.id().to_owned()));
        }
        if let Some(r) = &self.region {
            out.push(("region", r.clone()));
        }
        if let Some(f) = self.shade {
            out.push(("shade", f.id(atlas).to_owned()));
        }
        if self.cols_given && !self.cols.is_empty() {
            let ids: Vec<&str> = self.cols.iter().map(|f| f.id(atlas)).collect();
            out.push(("cols", ids.join(",")));
        }
        out
    }

    /// The query string of [`Query::params`], without sort and order.
    pub fn query_string(&self, atlas: &Atlas) -> String {
        encode(&self.params(atlas))
    }

    /// Finds the matching seats.
    pub fn run(&self, atlas: &Atlas) -> Answer {
        let s = atlas.set(self.set);
        let n = s.seats.len();
        let in_scope: Vec<bool> = s
            .seats
            .iter()
            .map(|seat| {
                self.nation.is_none_or(|x| seat.nation == Some(x))
                    && self
                        .region
                        .as_ref()
                        .is_none_or(|r| seat.region.as_ref() == Some(r))
            })
            .collect();
        // Each relative condition's values by nation, sorted ascending.
        let sorted: Vec<Option<[Vec<f64>; 4]>> = self
            .conditions
            .iter()
            .map(|c| {
                (!c.op.takes_value()).then(|| {
                    let mut by: [Vec<f64>; 4] = Default::default();
                    for (i, seat) in s.seats.iter().enumerate() {
                        if let (Some(v), Some(nat)) =
                            (c.field.number(atlas, self.set, i), seat.nation)
                        {
                            by[nation_slot(nat)].push(v);
                        }
                    }
                    for v in &mut by {
                        v.sort_by(f64::total_cmp);
                    }
                    by
                })
            })
            .collect();
        let mut missing_by_condition = vec![0; self.conditions.len()];
        let mut excluded_missing = 0;
        let mut matched = vec![false; n];
        for i in (0..n).filter(|&i| in_scope[i]) {
            let mut missing = false;
            for (k, c) in self.conditions.iter().enumerate() {
                if !c.field.has_value(atlas, self.set, i) {
                    missing_by_condition[k] += 1;
                    missing = true;
                }
            }
            if missing {
                excluded_missing += 1;
                continue;
            }
            matched[i] = self.conditions.iter().zip(&sorted).all(|(c, sorted)| {
                let nation = s.seats[i].nation.map(nation_slot);
                test(atlas, self.set, i, c, sorted.as_ref(), nation)
            });
        }
        let mut rows: Vec<usize> = (0..n).filter(|&i| matched[i]).collect();
        self.sort_rows(atlas, &mut rows);
        Answer {
            in_scope: in_scope.iter().filter(|&&b| b).count(),
            excluded_missing,
            missing_by_condition,
            matched,
            rows,
        }
    }

    fn sort_rows(&self, atlas: &Atlas, rows: &mut [usize]) {
        let s = atlas.set(self.set);
        let by_name = |a: usize, b: usize| {
            s.seats[a]
                .name
                .cmp(&s.seats[b].name)
                .then(s.seats[a].code.cmp(&s.seats[b].code))
        };
        let desc = |o: Ordering| if self.descending { o.reverse() } else { o };
        rows.sort_by(|&a, &b| match self.sort {
            SortKey::Name => desc(by_name(a, b)),
            SortKey::Code => desc(s.seats[a].code.cmp(&s.seats[b].code)),
            SortKey::Nation => desc(
                s.seats[a]
                    .nation
                    .map(nation_slot)
                    .cmp(&s.seats[b].nation.map(nation_slot)),
            )
            .then(by_name(a, b)),
            SortKey::Field(f) if f.is_text() => {
                match (f.text(atlas, self.set, a), f.text(atlas, self.set, b)) {
                    (Some(x), Some(y)) => desc(x.cmp(&y)),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
                .then(by_name(a, b))
            }
            SortKey::Field(f) => match (f.number(atlas, self.set, a), f.number(atlas, self.set, b))
            {
                (Some(x), Some(y)) => desc(x.total_cmp(&y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then(by_name(a, b)),
        });
    }
}

fn condition(atlas: &Atlas, set: BoundarySet, f: &str) -> Result<Condition, ParamError> {
    let param = format!("f={f}");
    let mut parts = f.splitn(3, ':');
    let id = parts.next().unwrap_or_default().trim();
    let Some(op_text) = parts.next().map(str::trim) else {
        return Err(bad(
            param,
            "a condition is FIELD:OP[:VALUE], e.g. f=level4_share:lt:30 or f=uk_imd_score:top_fifth",
        ));
    };
    let value_text = parts.next().map(str::trim);
    let field = Field::parse(atlas, set, id, &param)?;
    let op = Op::parse(op_text).ok_or_else(|| {
        bad(
            &param,
            format!(
                "unknown operator {op_text:?}: use one of {}",
                Op::ALL.map(Op::id).join(", ")
            ),
        )
    })?;
    let value = match (op.takes_value(), value_text) {
        (true, None | Some("")) => {
            return Err(bad(
                param,
                format!("{} needs a value, e.g. {id}:{}:10", op.id(), op.id()),
            ))
        }
        (false, Some(v)) if !v.is_empty() => {
            return Err(bad(
                param,
                format!("{} takes no value (found {v:?})", op.id()),
            ))
        }
        (false, _) => Value::None,
        (true, Some(v)) if field.is_text() => {
            if op != Op::Eq {
                return Err(bad(
                    param,
                    format!("{id} is text: only eq applies (e.g. {id}:eq:Labour)"),
                ));
            }
            Value::Text(v.to_owned())
        }
        (true, Some(v)) => match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Value::Number(x),
            _ => return Err(bad(param, format!("{v:?} is not a number"))),
        },
    };
    if field.is_text() && !op.takes_value() {
        return Err(bad(
            format!("f={f}"),
            format!("{id} is text: only eq applies (e.g. {id}:eq:Labour)"),
        ));
    }
    let text = match &value {
        Value::None => format!("{id}:{}", op.id()),
        Value::Number(x) => format!("{id}:{}:{x}", op.id()),
        Value::Text(t) => format!("{id}:{}:{t}", op.id()),
    };
    Ok(Condition {
        field,
        op,
        value,
        text,
    })
}

/// Whether seat `i` (which has a value) meets condition `c`.
fn test(
    atlas: &Atlas,
    set: BoundarySet,
    i: usize,
    c: &Condition,
    sorted: Option<&[Vec<f64>; 4]>,
    nation: Option<usize>,
) -> bool {
    if let Value::Text(want) = &c.value {
        let Field::Member(m) = c.field else {
            return false;
        };
        let Some(mp) = atlas.member(set, i) else {
            return false;
        };
        return match MEMBER_FIELDS[m].0 {
            "mp_party" => {
                mp.party.eq_ignore_ascii_case(want) || mp.party_code.eq_ignore_ascii_case(want)
            }
            _ => c
                .field
                .text(atlas, set, i)
                .is_some_and(|t| t.eq_ignore_ascii_case(want)),
        };
    }
    let Some(x) = c.field.number(atlas, set, i) else {
        return false;
    };
    let wanted = match c.value {
        Value::Number(v) => v,
        _ => f64::NAN,
    };
    match c.op {
        Op::Lt => x < wanted,
        Op::Le => x <= wanted,
        Op::Gt => x > wanted,
        Op::Ge => x >= wanted,
        Op::Eq => x == wanted,
        relative => {
            let (Some(sorted), Some(slot)) = (sorted, nation) else {
                return false;
            };
            let v = &sorted[slot];
            let n = v.len();
            if n == 0 {
                return false;
            }
            match relative {
                Op::BelowMedian | Op::AboveMedian => {
                    let median = if n % 2 == 1 {
                        v[n / 2]
                    } else {
                        (v[n / 2 - 1] + v[n / 2]) / 2.0
                    };
                    if relative == Op::BelowMedian {
                        x < median
                    } else {
                        x > median
                    }
                }
                Op::TopFifth => {
                    let higher = n - v.partition_point(|&y| y <= x);
                    5 * higher < n
                }
                _ => {
                    let lower = v.partition_point(|&y| y < x);
                    5 * lower < n
                }
            }
        }
    }
}

/// Percent-encodes a query string.
pub fn encode(params: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (k, v) in params {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        for b in v.bytes() {
            match b {
                b'A'..=b'Z'
                | b'a'..=b'z'
                | b'0'..=b'9'
                | b'-'
                | b'_'
                | b'.'
                | b'~'
                | b':'
                | b',' => out.push(b as char),
                b' ' => out.push('+'),
                _ => {
                    let _ = write!(out, "%{b:02X}");
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------- answers

/// A column of the answer.
#[derive(Serialize)]
pub struct ColumnOut<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// `count`, `percent`, …, or `text`.
    pub unit: &'a str,
    /// The period of the values shown (each seat's latest).
    pub period: String,
    /// Where the values come from.
    pub sources: Vec<String>,
    /// How the values shown were obtained: measured, apportioned, converted
    /// or derived.
    pub methods: Vec<&'static str>,
}

/// `/api/v1/explore`.
#[derive(Serialize)]
pub struct ExploreOut<'a> {
    pub boundaries: &'static str,
    pub count: usize,
    pub excluded_missing: usize,
    pub columns: Vec<ColumnOut<'a>>,
    pub seats: Vec<SeatOut<'a>>,
}

/// A matching seat: `code`, `name`, `nation`, then one entry per column
/// (a number, text, or null), written straight from the atlas.
pub struct SeatOut<'a> {
    atlas: &'a Atlas,
    q: &'a Query,
    i: usize,
}

impl Serialize for SeatOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (atlas, set, i) = (self.atlas, self.q.set, self.i);
        let seat = &atlas.set(set).seats[i];
        let mut m = s.serialize_map(Some(3 + self.q.cols.len()))?;
        m.serialize_entry("code", seat.code.as_str())?;
        m.serialize_entry("name", &seat.name)?;
        m.serialize_entry("nation", &seat.nation.map(|n| n.name()))?;
        for &f in &self.q.cols {
            let id = f.id(atlas);
            if f.is_text() {
                m.serialize_entry(id, &f.text(atlas, set, i))?;
            } else if let (Field::Member(_), Some("count")) = (f, f.unit(atlas)) {
                // Votes and electors are whole numbers.
                m.serialize_entry(id, &f.number(atlas, set, i).map(|v| v as i64))?;
            } else {
                m.serialize_entry(id, &f.number(atlas, set, i))?;
            }
        }
        m.end()
    }
}

/// What a column shows: period, sources and methods of the values among
/// the seats listed.
pub fn column<'a>(atlas: &'a Atlas, q: &Query, a: &Answer, f: Field) -> ColumnOut<'a> {
    match f {
        Field::Indicator(k) => {
            let d = &atlas.indicators[k];
            let series = &atlas.set(q.set).series[k];
            let mut periods = std::collections::BTreeSet::new();
            let mut sources = std::collections::BTreeSet::new();
            let mut methods = std::collections::BTreeSet::new();
            for &i in &a.rows {
                if let Some(o) = series.latest(i) {
                    periods.insert(&*o.period);
                    sources.insert(&*o.source);
                    methods.insert(o.method.id());
                }
            }
            ColumnOut {
                id: &d.id,
                title: &d.title,
                unit: &d.unit,
                period: if periods.is_empty() {
                    d.period.clone()
                } else {
                    periods.into_iter().collect::<Vec<_>>().join(", ")
                },
                sources: sources.into_iter().map(str::to_owned).collect(),
                methods: methods.into_iter().collect(),
            }
        }
        Field::Member(m) => ColumnOut {
            id: MEMBER_FIELDS[m].0,
            title: MEMBER_FIELDS[m].1,
            unit: MEMBER_FIELDS[m].2.unwrap_or("text"),
            period: "July 2024 general election".into(),
            sources: vec![MEMBER_SOURCE.into()],
            methods: vec![if MEMBER_FIELDS[m].0 == "mp_majority" {
                "derived"
            } else {
                "measured"
            }],
        },
    }
}

/// The source of the MP fields.
pub const MEMBER_SOURCE: &str = "ge2024_census_constituency_summaries_v1.1";

/// The API's answer.
pub fn json(atlas: &Atlas, q: &Query, a: &Answer) -> String {
    let out = ExploreOut {
        boundaries: q.set.id(),
        count: a.count(),
        excluded_missing: a.excluded_missing,
        columns: q.cols.iter().map(|&f| column(atlas, q, a, f)).collect(),
        seats: a.rows.iter().map(|&i| SeatOut { atlas, q, i }).collect(),
    };
    // Plain strings and finite numbers: serialising cannot fail.
    serde_json::to_string(&out).unwrap_or_default()
}

/// The CSV download: `code,name,nation`, then the columns.
pub fn csv(atlas: &Atlas, q: &Query, a: &Answer) -> Result<Vec<u8>, csv::Error> {
    let s = atlas.set(q.set);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["code".to_owned(), "name".into(), "nation".into()];
    header.extend(q.cols.iter().map(|f| f.id(atlas).to_owned()));
    w.write_record(&header)?;
    for &i in &a.rows {
        let seat = &s.seats[i];
        let mut rec = vec![
            seat.code.to_string(),
            seat.name.clone(),
            seat.nation.map_or("", |n| n.name()).to_owned(),
        ];
        for &f in &q.cols {
            rec.push(if f.is_text() {
                f.text(atlas, q.set, i).unwrap_or_default()
            } else {
                f.number(atlas, q.set, i)
                    .map_or(String::new(), |v| v.to_string())
            });
        }
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

// ---------------------------------------------------------------- MPs

/// One sentence on a seat's MP (or why there is none), for the profile,
/// the brief and compare.
pub fn member_text(atlas: &Atlas, set: BoundarySet, i: usize) -> String {
    if set == BoundarySet::Pcon2010 {
        return "MPs are given for the 2024 seats only (elected July 2024): these 2010–2024 boundaries were not contested in July 2024.".into();
    }
    match atlas.member(set, i) {
        Some(mp) => format!(
            "{} {} ({}), elected July 2024: majority {} votes ({:.1}% of valid votes); turnout {:.1}% (valid votes of {} electors).",
            mp.first_name,
            mp.surname,
            mp.party,
            crate::format::thousands(mp.majority as f64),
            mp.majority_share,
            mp.turnout,
            crate::format::thousands(mp.electorate as f64),
        ),
        None if atlas.set(set).seats[i].nation == Some(Nation::NorthernIreland) => {
            "Not in stemgap's sources: the July 2024 results file covers Great Britain only, not Northern Ireland.".into()
        }
        None => "No July 2024 result for this seat in stemgap's sources.".into(),
    }
}

/// The MP fields' source, for attribution beside them.
pub fn member_source(atlas: &Atlas) -> String {
    atlas.source(MEMBER_SOURCE).map_or_else(
        || MEMBER_SOURCE.to_owned(),
        |s| format!("{} ({}; {})", s.title, s.publisher, s.licence),
    )
}

/// A seat's MP, majority and turnout as short table cells (compare), with
/// the reason where there is none.
pub fn member_cells(atlas: &Atlas, set: BoundarySet, i: usize) -> [String; 3] {
    match atlas.member(set, i) {
        Some(mp) => [
            format!("{} {} ({})", mp.first_name, mp.surname, mp.party),
            format!(
                "{} ({:.1}%)",
                crate::format::thousands(mp.majority as f64),
                mp.majority_share
            ),
            format!("{:.1}%", mp.turnout),
        ],
        None => {
            let why = if set == BoundarySet::Pcon2010 {
                "2024 seats only"
            } else {
                "not in stemgap's sources"
            };
            [why.to_owned(), "–".to_owned(), "–".to_owned()]
        }
    }
}
