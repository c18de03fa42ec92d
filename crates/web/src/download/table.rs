//! The two tables every download format is written from, built once per
//! request from the atlas (nothing here opens a file):
//!
//! - the **wide** table of a boundary set ([`wide`]): one row per seat
//!   (`code, name, nation, region` — regions by name, as everywhere in the
//!   downloads), then one column per indicator holding each seat's latest
//!   period's value. Each indicator column carries its period
//!   ([`Column::period`]: one period, or the period of each nation when the
//!   nations' latest figures differ, e.g. Scotland's census of 2022);
//! - the **long** table of a boundary set ([`long`]): one row per seat,
//!   indicator and period with the interval, the missing-value flag, the
//!   method and the source (the columns of `stemgap export --long`).
//!
//! **Units.** One convention everywhere: shares and rates are fractions
//! between 0 and 1, never percentages; counts are counts; rates per 1,000
//! are per 1,000.
//!
//! **Rounding** ([`round`]). Values are rounded to the significant figures
//! their unit's sources support ([`significant_figures`]), not printed with
//! the 17 digits of a double: the sources publish shares and rates to three
//! or four figures (census percentages to one decimal, UCAS rates to three
//! decimals), deprivation scores to three decimals (five figures) and counts
//! as whole numbers (a seat's population has six figures). An apportioned
//! or converted count keeps six figures, so its fraction of a person shows
//! that it is an estimate. Whole numbers are never rounded.

use crate::atlas::{nation_slot, SetAtlas};
use crate::App;
use stemgap_core::{BoundarySet, IndicatorDef, Nation};

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
}

/// One column of a table.
#[derive(Debug, Clone)]
pub struct Column<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub kind: Kind,
    /// Whether every row has a value.
    pub required: bool,
    /// The indicator a wide table's value column holds.
    pub indicator: Option<&'a IndicatorDef>,
    /// The period of a wide table's value column.
    pub period: Option<String>,
}

impl<'a> Column<'a> {
    fn text(name: &'a str, title: &'a str, required: bool) -> Column<'a> {
        Column {
            name,
            title,
            kind: Kind::Text,
            required,
            indicator: None,
            period: None,
        }
    }

    fn number(name: &'a str, title: &'a str) -> Column<'a> {
        Column {
            name,
            title,
            kind: Kind::Number,
            required: false,
            indicator: None,
            period: None,
        }
    }
}

/// One cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Text(&'a str),
    /// Already rounded ([`round`]).
    Number(f64),
}

impl Value<'_> {
    fn text_or_null(s: &str) -> Value<'_> {
        if s.is_empty() {
            Value::Null
        } else {
            Value::Text(s)
        }
    }

    /// The cell as CSV writes it: a number in its shortest exact form,
    /// a missing cell empty.
    pub fn csv(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Value::Null => "".into(),
            Value::Text(s) => (*s).into(),
            Value::Number(v) => v.to_string().into(),
        }
    }
}

/// What a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Wide,
    Long,
}

/// A table ready to be written in any format.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    pub set: BoundarySet,
    pub shape: Shape,
    pub columns: Vec<Column<'a>>,
    pub rows: Vec<Vec<Value<'a>>>,
}

impl Table<'_> {
    /// The file name without extension: `2024` or `2024-long`.
    pub fn stem(&self) -> String {
        match self.shape {
            Shape::Wide => self.set.id().to_owned(),
            Shape::Long => format!("{}-long", self.set.id()),
        }
    }

    pub fn title(&self) -> String {
        match self.shape {
            Shape::Wide => format!("stemgap: every indicator for the {}", self.set.title()),
            Shape::Long => format!(
                "stemgap: every figure for the {}, with its provenance",
                self.set.title()
            ),
        }
    }

    pub fn description(&self) -> &'static str {
        match self.shape {
            Shape::Wide => "One row per constituency; one column per indicator, holding its latest period's value (empty when missing or not published for the seat; the long table says why). Each column's period is in the column descriptions. Shares and rates are fractions between 0 and 1, never percentages. Values are rounded to the significant figures their sources support.",
            Shape::Long => "One row per constituency, indicator and period: the value (empty when missing: the flag says why), its interval where there is one, the method (measured, apportioned, converted or derived) and the source. Shares and rates are fractions between 0 and 1, never percentages. Values are rounded to the significant figures their sources support.",
        }
    }
}

/// Significant figures kept for a unit (see the module's documentation).
pub fn significant_figures(unit: &str) -> i32 {
    match unit {
        "share" | "rate" | "rate_per_1000" | "points" => 4,
        "score" => 5,
        "decile" => 3,
        _ => 6,
    }
}

/// `v` rounded to `digits` significant figures; whole numbers (up to 2^53)
/// are kept as they are. The result prints in its shortest form (`0.1234`,
/// not `0.12340000000000001`): it is the double nearest the decimal.
pub fn round(v: f64, digits: i32) -> f64 {
    if !v.is_finite() || v == 0.0 || (v.fract() == 0.0 && v.abs() < 9.0e15) {
        return v;
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = digits - 1 - magnitude;
    if decimals >= 0 {
        let p = 10f64.powi(decimals.min(300));
        let r = (v * p).round() / p;
        if r.is_finite() {
            r
        } else {
            v
        }
    } else {
        let p = 10f64.powi(-decimals);
        (v / p).round() * p
    }
}

/// A stored value rounded for its indicator's unit.
pub fn rounded(v: Option<f64>, unit: &str) -> Value<'static> {
    v.map_or(Value::Null, |v| {
        Value::Number(round(v, significant_figures(unit)))
    })
}

/// The seat columns that open both tables.
fn seat_columns<'a>() -> Vec<Column<'a>> {
    vec![
        Column::text("code", "GSS code of the constituency", true),
        Column::text("name", "Constituency name", true),
        Column::text("nation", "Nation", false),
    ]
}

/// The period of an indicator's column in a wide table: the latest period
/// of every seat with a figure, or, when they differ, each period with the
/// nations whose seats have it (`2021 (England, Wales, Northern Ireland);
/// 2022 (Scotland)`). The catalogue's period when no seat has a figure.
pub fn column_period(s: &SetAtlas, k: usize, d: &IndicatorDef) -> String {
    let series = &s.series[k];
    // period -> nations, in first-seen order of periods (sorted below).
    let mut by_period: std::collections::BTreeMap<&str, [bool; 4]> = Default::default();
    for (i, seat) in s.seats.iter().enumerate() {
        if let Some(o) = series.latest(i) {
            let nations = by_period.entry(&*o.period).or_default();
            if let Some(n) = seat.nation {
                nations[nation_slot(n)] = true;
            }
        }
    }
    match by_period.len() {
        0 => d.period.clone(),
        1 => by_period
            .keys()
            .next()
            .map_or(String::new(), |p| (*p).to_owned()),
        _ => by_period
            .iter()
            .map(|(p, nations)| {
                let names: Vec<&str> = Nation::ALL
                    .iter()
                    .filter(|n| nations[nation_slot(**n)])
                    .map(|n| n.name())
                    .collect();
                format!("{p} ({})", names.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The wide table of a set.
pub fn wide(app: &App, set: BoundarySet) -> Table<'_> {
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let mut columns = seat_columns();
    columns.push(Column::text("region", "Region (England) or nation", false));
    for (k, d) in atlas.indicators.iter().enumerate() {
        columns.push(Column {
            name: &d.id,
            title: &d.title,
            kind: Kind::Number,
            required: false,
            indicator: Some(d),
            period: Some(column_period(s, k, d)),
        });
    }
    let rows = s
        .seats
        .iter()
        .enumerate()
        .map(|(i, seat)| {
            let mut row = vec![
                Value::Text(seat.code.as_str()),
                Value::Text(&seat.name),
                seat.nation.map_or(Value::Null, |n| Value::Text(n.name())),
                seat.region
                    .as_deref()
                    .and_then(|r| atlas.region_name(r))
                    .map_or(Value::Null, Value::Text),
            ];
            row.extend(
                atlas
                    .indicators
                    .iter()
                    .zip(&s.series)
                    .map(|(d, series)| rounded(series.value(i), &d.unit)),
            );
            row
        })
        .collect();
    Table {
        set,
        shape: Shape::Wide,
        columns,
        rows,
    }
}

/// The long table of a set, ordered by indicator, seat code and period
/// (the order of `stemgap export --long`).
pub fn long(app: &App, set: BoundarySet) -> Table<'_> {
    let atlas = &app.atlas;
    let s = atlas.set(set);
    let mut columns = seat_columns();
    columns.extend([
        Column::text("indicator", "Indicator id (see the vocabulary)", true),
        Column::text("period", "Period of the figure", true),
        Column::number("value", "Value (empty when missing)"),
        Column::number("lower", "Lower bound of the interval"),
        Column::number("upper", "Upper bound of the interval"),
        Column::text(
            "flag",
            "Why the value is missing, as the source marked it",
            false,
        ),
        Column::text(
            "method",
            "measured, apportioned, converted or derived",
            true,
        ),
        Column::text("source", "Source id (see /sources)", true),
        Column::text("boundaries", "Boundary set (2010 or 2024)", true),
    ]);
    let mut order: Vec<usize> = (0..atlas.indicators.len()).collect();
    order.sort_by(|&a, &b| atlas.indicators[a].id.cmp(&atlas.indicators[b].id));
    let mut seats: Vec<usize> = (0..s.seats.len()).collect();
    seats.sort_by(|&a, &b| s.seats[a].code.as_str().cmp(s.seats[b].code.as_str()));
    let mut rows = Vec::new();
    for k in order {
        let d = &atlas.indicators[k];
        let series = &s.series[k];
        for &i in &seats {
            let seat = &s.seats[i];
            for o in &series.obs[i] {
                rows.push(vec![
                    Value::Text(seat.code.as_str()),
                    Value::Text(&seat.name),
                    seat.nation.map_or(Value::Null, |n| Value::Text(n.name())),
                    Value::Text(&d.id),
                    Value::Text(&o.period),
                    rounded(o.value, &d.unit),
                    rounded(o.lower, &d.unit),
                    rounded(o.upper, &d.unit),
                    o.flag.map_or(Value::Null, |f| Value::Text(f.id())),
                    Value::Text(o.method.id()),
                    Value::text_or_null(&o.source),
                    Value::Text(set.id()),
                ]);
            }
        }
    }
    Table {
        set,
        shape: Shape::Long,
        columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_significant_figures_and_whole_numbers() {
        assert_eq!(round(0.123_456_789, 4), 0.1235);
        assert_eq!(round(0.123_456_789, 4).to_string(), "0.1235");
        assert_eq!(round(0.000_123_456, 4).to_string(), "0.0001235");
        assert_eq!(round(34.567_89, 5).to_string(), "34.568");
        assert_eq!(round(119_256.0, 6), 119_256.0);
        assert_eq!(round(1_234_567.0, 6), 1_234_567.0, "whole numbers are kept");
        assert_eq!(round(1_234_567.8, 6), 1_234_570.0);
        assert_eq!(round(1_234.567_8, 6).to_string(), "1234.57");
        assert_eq!(round(-0.456_78, 3).to_string(), "-0.457");
        assert_eq!(round(0.71, 4).to_string(), "0.71");
        assert_eq!(round(0.0, 4), 0.0);
        assert!(round(f64::NAN, 4).is_nan());
    }

    #[test]
    fn every_unit_has_its_figures() {
        assert_eq!(significant_figures("share"), 4);
        assert_eq!(significant_figures("score"), 5);
        assert_eq!(significant_figures("count"), 6);
        assert_eq!(significant_figures("decile"), 3);
    }
}
