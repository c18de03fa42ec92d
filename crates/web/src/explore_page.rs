//! The handlers of Explore: `/explore` (the page and its form),
//! `/explore/offline` (what the static site shows instead),
//! `/api/v1/explore` and `/download/explore.csv`. The query engine is
//! [`crate::explore`], shared with `stemgap explore`.

use crate::atlas::nation_slot;
use crate::error::{Audience, HttpError};
use crate::explore::{self, Field, Op, ParamError, Query, MEMBER_FIELDS};
use crate::svg::{self, Classes, MapSeat};
use crate::{format, Shared, Q};
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use stemgap_core::{BoundarySet, Nation};

/// Fill of a matching seat without a value for the shading.
const MATCH_NO_SHADE: &str = "#ffffff";
/// Fill of every matching seat when the map is not shaded.
const MATCH: &str = svg::VIRIDIS5[1];

fn param_error(audience: Audience, e: ParamError) -> HttpError {
    HttpError::bad_request(audience, e.to_string())
}

fn parse(
    app: &crate::App,
    params: &[(String, String)],
    audience: Audience,
) -> Result<(Query, explore::Answer), HttpError> {
    let q = Query::parse(&app.atlas, params).map_err(|e| param_error(audience, e))?;
    let a = q.run(&app.atlas);
    Ok((q, a))
}

pub async fn api(
    State(app): State<Shared>,
    Q(params): Q<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let (q, a) = parse(&app, &params, Audience::Api)?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        explore::json(&app.atlas, &q, &a),
    )
        .into_response())
}

pub async fn csv(
    State(app): State<Shared>,
    Q(params): Q<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    let (q, a) = parse(&app, &params, Audience::Page)?;
    let body = explore::csv(&app.atlas, &q, &a)
        .map_err(|e| HttpError::internal(Audience::Page, e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"explore.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct ConditionRow {
    n: usize,
    fields: Vec<Choice>,
    ops: Vec<Choice>,
    value: String,
}

struct LegendItem {
    colour: &'static str,
    label: String,
}

struct Column {
    label: String,
    href: String,
    aria_sort: &'static str,
}

struct Row {
    href: String,
    name: String,
    code: String,
    nation: String,
    cells: Vec<String>,
}

struct ColumnNote {
    title: String,
    id: String,
    period: String,
    sources: String,
    methods: String,
}

#[derive(Template)]
#[template(path = "explore.html")]
struct ExplorePage {
    title: String,
    nav: &'static str,
    offline: bool,
    set: &'static str,
    sets: Vec<Choice>,
    nations: Vec<Choice>,
    regions: Vec<Choice>,
    conditions: Vec<ConditionRow>,
    shades: Vec<Choice>,
    cols: String,
    field_ids: String,
    summary: String,
    missing: Vec<String>,
    described: Vec<String>,
    map: String,
    legend: Vec<LegendItem>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    notes: Vec<ColumnNote>,
    query: String,
    member_source: String,
}

fn choices(items: Vec<(String, String)>, selected: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

/// Every field a condition, the shading or a column can use.
fn field_choices(app: &crate::App, set: BoundarySet, numbers_only: bool) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = app
        .atlas
        .indicators
        .iter()
        .map(|d| (d.id.clone(), d.title.clone()))
        .collect();
    if set == BoundarySet::Pcon2024 {
        v.extend(
            MEMBER_FIELDS
                .iter()
                .filter(|f| !numbers_only || f.2.is_some())
                .map(|f| (f.0.to_owned(), f.1.to_owned())),
        );
    }
    v
}

/// The form sends each condition as three fields (`fi`, `fo`, `fv`); the
/// page's address holds them as `f=FIELD:OP[:VALUE]`. A value given with
/// an operator that takes none is dropped (left over from an earlier
/// choice).
fn from_form(params: &[(String, String)]) -> Option<Vec<(String, String)>> {
    if !params
        .iter()
        .any(|(k, _)| k == "fi" || k == "fo" || k == "fv")
    {
        return None;
    }
    let take = |name: &str| -> Vec<&str> {
        params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect()
    };
    let (fi, fo, fv) = (take("fi"), take("fo"), take("fv"));
    let mut out: Vec<(String, String)> = params
        .iter()
        .filter(|(k, v)| !["fi", "fo", "fv"].contains(&k.as_str()) && !v.trim().is_empty())
        .cloned()
        .collect();
    for (n, field) in fi.iter().enumerate() {
        if field.is_empty() {
            continue;
        }
        let op = fo.get(n).copied().unwrap_or("");
        let value = fv.get(n).copied().unwrap_or("");
        let takes_value = Op::ALL.iter().any(|o| o.id() == op && o.takes_value());
        out.push((
            "f".into(),
            if takes_value {
                format!("{field}:{op}:{value}")
            } else {
                format!("{field}:{op}")
            },
        ));
    }
    Some(out)
}

pub async fn page(
    State(app): State<Shared>,
    Q(params): Q<Vec<(String, String)>>,
) -> Result<Response, HttpError> {
    if let Some(canonical) = from_form(&params) {
        let q = Query::parse(&app.atlas, &canonical).map_err(|e| param_error(Audience::Page, e))?;
        let mut target = q.query_string(&app.atlas);
        for (k, v) in canonical
            .iter()
            .filter(|(k, _)| k == "sort" || k == "order")
        {
            target.push_str(&format!("&{}", explore::encode(&[(k.as_str(), v.clone())])));
        }
        return Ok(Redirect::to(&format!("/explore?{target}")).into_response());
    }
    let (q, a) = parse(&app, &params, Audience::Page)?;
    render(&app, &q, Some(&a))
}

/// The static site's Explore: the form, and why it cannot answer here.
pub async fn offline(State(app): State<Shared>) -> Result<Response, HttpError> {
    let q = Query::parse(&app.atlas, &[]).map_err(|e| param_error(Audience::Page, e))?;
    render(&app, &q, None)
}

fn render(app: &crate::App, q: &Query, a: Option<&explore::Answer>) -> Result<Response, HttpError> {
    let atlas = &app.atlas;
    let s = atlas.set(q.set);
    let set = q.set;
    let op_choices = |selected: &str| {
        let mut v = vec![(String::new(), "(choose a test)".to_owned())];
        v.extend(
            Op::ALL
                .iter()
                .map(|o| (o.id().to_owned(), o.words().to_owned())),
        );
        choices(v, selected)
    };
    let field_list = |selected: &str, numbers_only: bool| {
        let mut v = vec![(String::new(), "(none)".to_owned())];
        v.extend(field_choices(app, set, numbers_only));
        choices(v, selected)
    };
    let mut conditions: Vec<ConditionRow> = q
        .conditions
        .iter()
        .enumerate()
        .map(|(n, c)| ConditionRow {
            n: n + 1,
            fields: field_list(c.field.id(atlas), false),
            ops: op_choices(c.op.id()),
            value: match &c.value {
                explore::Value::None => String::new(),
                explore::Value::Number(x) => x.to_string(),
                explore::Value::Text(t) => t.clone(),
            },
        })
        .collect();
    for _ in 0..2 {
        let n = conditions.len() + 1;
        conditions.push(ConditionRow {
            n,
            fields: field_list("", false),
            ops: op_choices(""),
            value: String::new(),
        });
    }
    let mut nations = vec![(String::new(), "All nations".to_owned())];
    nations.extend(
        Nation::ALL
            .iter()
            .map(|n| (n.id().to_owned(), n.name().to_owned())),
    );
    let mut regions = vec![(String::new(), "All regions".to_owned())];
    let mut used: Vec<&String> = s.seats.iter().filter_map(|x| x.region.as_ref()).collect();
    used.sort();
    used.dedup();
    regions.extend(used.into_iter().map(|r| {
        (
            r.clone(),
            atlas.region_name(r).unwrap_or(r.as_str()).to_owned(),
        )
    }));
    let shade_id = q.shade.map_or("", |f| f.id(atlas));
    // The form keeps the columns only when they were chosen: the default
    // follows the conditions.
    let cols = if q.cols_given {
        q.cols
            .iter()
            .map(|f| f.id(atlas))
            .collect::<Vec<_>>()
            .join(",")
    } else {
        String::new()
    };
    let query = q.query_string(atlas);

    let mut page = ExplorePage {
        title: "Explore: seats that meet several conditions".into(),
        nav: "explore",
        offline: a.is_none(),
        set: set.id(),
        sets: choices(
            BoundarySet::ALL
                .iter()
                .map(|b| (b.id().to_owned(), b.title().to_owned()))
                .collect(),
            set.id(),
        ),
        nations: choices(nations, q.nation.map_or("", |n| n.id())),
        regions: choices(regions, q.region.as_deref().unwrap_or("")),
        conditions,
        shades: field_list(shade_id, true),
        cols,
        field_ids: MEMBER_FIELDS
            .iter()
            .map(|f| f.0)
            .collect::<Vec<_>>()
            .join(", "),
        summary: String::new(),
        missing: Vec::new(),
        described: Vec::new(),
        map: String::new(),
        legend: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        notes: Vec::new(),
        query,
        member_source: explore::member_source(atlas),
    };
    let Some(a) = a else {
        return Ok(html(&page));
    };

    // The answer in words.
    let scope = match (q.nation, &q.region) {
        (_, Some(r)) => format!("in {}", atlas.region_name(r).unwrap_or(r)),
        (Some(n), None) => format!("in {}", n.name()),
        (None, None) => "in the UK".to_owned(),
    };
    let conds = q.conditions.len();
    page.summary = format!(
        "{} of the {} seats {scope} ({} boundaries) meet {}.",
        a.count(),
        a.in_scope,
        set.id(),
        match conds {
            0 => "the query (no conditions given: every seat)".to_owned(),
            1 => "the condition".to_owned(),
            n => format!("all {n} conditions"),
        }
    );
    if a.excluded_missing > 0 {
        page.missing.push(format!(
            "{} seats were left out because they have no value for at least one condition:",
            a.excluded_missing
        ));
    }
    for (c, &m) in q.conditions.iter().zip(&a.missing_by_condition) {
        let why = match c.field {
            Field::Member(_) => " (Northern Ireland's MPs are not in stemgap's sources)",
            Field::Indicator(_) => "",
        };
        page.described.push(format!(
            "{} is {}{}: {}",
            c.field.title(atlas),
            c.op.words(),
            match &c.value {
                explore::Value::None => String::new(),
                explore::Value::Number(x) =>
                    format!(" {}", format::value(*x, c.field.unit(atlas).unwrap_or(""))),
                explore::Value::Text(t) => format!(" “{t}”"),
            },
            if m == 0 {
                "every seat in scope has a value.".to_owned()
            } else {
                format!("{m} seats in scope have no value{why}.")
            }
        ));
    }

    // The map: matching seats shaded (by the shading field, in fifths of
    // the matching seats' values), the rest grey.
    let shade_values: Vec<f64> = match q.shade {
        Some(f) => a
            .rows
            .iter()
            .filter_map(|&i| f.number(atlas, set, i))
            .collect(),
        None => Vec::new(),
    };
    let classes = Classes::quintiles(&shade_values);
    let unit = q.shade.and_then(|f| f.unit(atlas)).unwrap_or("");
    let seats: Vec<MapSeat<'_>> = s
        .seats
        .iter()
        .enumerate()
        .map(|(i, seat)| {
            let v = q.shade.and_then(|f| f.number(atlas, set, i));
            let (fill, label) = match (a.matched[i], q.shade, v, &classes) {
                (false, _, _, _) => (svg::NO_DATA, "does not match".to_owned()),
                (true, None, _, _) => (MATCH, "matches".to_owned()),
                (true, Some(_), Some(v), Some(c)) => (
                    c.colour(c.class(v)),
                    format!("matches; {}", format::value(v, unit)),
                ),
                (true, Some(_), _, _) => (
                    MATCH_NO_SHADE,
                    "matches; no value for the shading".to_owned(),
                ),
            };
            MapSeat {
                name: &seat.name,
                href: format!("/constituency/{}?boundaries={}", seat.code, set.id()),
                fill,
                label,
            }
        })
        .collect();
    let mut by_nation = [0usize; 4];
    for &i in &a.rows {
        if let Some(n) = s.seats[i].nation {
            by_nation[nation_slot(n)] += 1;
        }
    }
    let nation_words: Vec<String> = Nation::ALL
        .iter()
        .zip(by_nation)
        .filter(|(_, c)| *c > 0)
        .map(|(n, c)| format!("{} {c}", n.name()))
        .collect();
    let desc = format!(
        "{} {} Matching seats are {}; the others are light grey. {}",
        page.summary,
        if nation_words.is_empty() {
            String::new()
        } else {
            format!("Matching seats by nation: {}.", nation_words.join(", "))
        },
        match (q.shade, &classes) {
            (Some(f), Some(_)) => format!(
                "coloured by {} in fifths of the matching seats' values, from dark purple (lowest) to yellow (highest); white ones have no value for it",
                f.title(atlas)
            ),
            _ => "dark blue".to_owned(),
        },
        "The table below lists every matching seat."
    );
    page.map = svg::hex_map(
        app.hex(set),
        &seats,
        &format!(
            "Hex map: seats matching the query ({} boundaries)",
            set.id()
        ),
        &desc,
    );
    match (q.shade, &classes) {
        (Some(_), Some(c)) => {
            for k in 0..c.count() {
                page.legend.push(LegendItem {
                    colour: c.colour(k),
                    label: format!(
                        "matches: {} to {}",
                        format::value(c.breaks[k], unit),
                        format::value(c.breaks[k + 1], unit)
                    ),
                });
            }
            if shade_values.len() < a.count() {
                page.legend.push(LegendItem {
                    colour: MATCH_NO_SHADE,
                    label: format!(
                        "matches, no value for the shading ({} seats)",
                        a.count() - shade_values.len()
                    ),
                });
            }
        }
        _ => page.legend.push(LegendItem {
            colour: MATCH,
            label: format!("matches ({} seats)", a.count()),
        }),
    }
    page.legend.push(LegendItem {
        colour: svg::NO_DATA,
        label: format!(
            "does not match, left out or outside the area asked for ({} seats)",
            s.seats.len() - a.count()
        ),
    });

    // The table, sortable by links.
    let sort_id = match q.sort {
        explore::SortKey::Name => "name",
        explore::SortKey::Code => "code",
        explore::SortKey::Nation => "nation",
        explore::SortKey::Field(f) => f.id(atlas),
    };
    let column = |id: &str, label: String| {
        let current = id == sort_id;
        let next = if current && !q.descending {
            "desc"
        } else {
            "asc"
        };
        Column {
            label,
            href: format!("/explore?{}&sort={id}&order={next}#results", page.query),
            aria_sort: match (current, q.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    };
    page.columns.push(column("name", "Constituency".into()));
    page.columns.push(column("code", "Code".into()));
    page.columns.push(column("nation", "Nation".into()));
    for f in &q.cols {
        page.columns
            .push(column(f.id(atlas), f.title(atlas).to_owned()));
    }
    page.rows = a
        .rows
        .iter()
        .map(|&i| {
            let seat = &s.seats[i];
            Row {
                href: format!("/constituency/{}?boundaries={}", seat.code, set.id()),
                name: seat.name.clone(),
                code: seat.code.to_string(),
                nation: seat.nation.map_or("", |n| n.name()).to_owned(),
                cells: q
                    .cols
                    .iter()
                    .map(|f| {
                        if f.is_text() {
                            f.text(atlas, set, i).unwrap_or_else(|| "no data".into())
                        } else {
                            f.number(atlas, set, i).map_or_else(
                                || "no data".into(),
                                |v| format::value(v, f.unit(atlas).unwrap_or("")),
                            )
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    page.notes = q
        .cols
        .iter()
        .map(|&f| {
            let c = explore::column(atlas, q, a, f);
            ColumnNote {
                title: c.title.to_owned(),
                id: c.id.to_owned(),
                period: c.period,
                sources: c
                    .sources
                    .iter()
                    .map(|id| atlas.source(id).map_or(id.clone(), |s| s.title.clone()))
                    .collect::<Vec<_>>()
                    .join("; "),
                methods: c.methods.join(", "),
            }
        })
        .collect();
    Ok(html(&page))
}

fn html(page: &ExplorePage) -> Response {
    match page.render() {
        Ok(h) => Html(h).into_response(),
        Err(e) => HttpError::internal(Audience::Page, format!("cannot render the page: {e}"))
            .into_response(),
    }
}
