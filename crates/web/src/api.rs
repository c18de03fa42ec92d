//! `/api/v1`: JSON from the atlas. Bodies are the structs of [`wire`];
//! errors are `{"error": {"status", "message"}}` with a 4xx status.

use crate::atlas::Located;
use crate::error::{Audience, HttpError};
use crate::{boundaries, wire, Shared, P, Q};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use stemgap_core::{BoundarySet, GssCode, Postcode};

const API: Audience = Audience::Api;

/// The OpenAPI 3.1 document of this API (a file in the crate).
pub const OPENAPI: &str = include_str!("openapi.json");

/// A JSON response.
pub fn json<T: Serialize>(body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => raw_json(text),
        Err(e) => {
            HttpError::internal(API, format!("cannot serialise the response: {e}")).into_response()
        }
    }
}

fn raw_json(text: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        text,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct SetQuery {
    boundaries: Option<String>,
}

pub async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

pub async fn constituencies(
    State(app): State<Shared>,
    Q(q): Q<SetQuery>,
) -> Result<Response, HttpError> {
    let set = boundaries(q.boundaries.as_deref(), API)?.unwrap_or(BoundarySet::Pcon2024);
    let atlas = &app.atlas;
    let s = atlas.set(set);
    Ok(json(&wire::ConstituencyList {
        boundaries: set.id(),
        title: set.title(),
        count: s.seats.len(),
        constituencies: s
            .seats
            .iter()
            .map(|seat| wire::SeatSummary::of(atlas, set, seat))
            .collect(),
    }))
}

/// Finds a seat by code in the set asked for, or in the set that has it.
pub fn find_seat(
    app: &crate::App,
    code: &str,
    set: Option<BoundarySet>,
    audience: Audience,
) -> Result<(BoundarySet, usize), HttpError> {
    // Codes are upper case; a lower-case one is the same code.
    let parsed = GssCode::parse(&code.trim().to_ascii_uppercase()).map_err(|_| {
        HttpError::not_found(
            audience,
            format!("No constituency {code:?}: a constituency code is a letter and eight digits, e.g. E14001063."),
        )
    })?;
    let atlas = &app.atlas;
    let set = match set {
        Some(s) => s,
        None => atlas.home_set(parsed).ok_or_else(|| {
            HttpError::not_found(audience, format!("No constituency has the code {parsed}."))
        })?,
    };
    match atlas.set(set).seat_index(parsed) {
        Some(i) => Ok((set, i)),
        None => {
            let hint = match atlas.home_set(parsed) {
                Some(other) => format!(" It is a seat of the {} boundaries.", other.id()),
                None => String::new(),
            };
            Err(HttpError::not_found(
                audience,
                format!(
                    "No constituency {parsed} in the {} boundaries.{hint}",
                    set.id()
                ),
            ))
        }
    }
}

pub async fn constituency(
    State(app): State<Shared>,
    P(code): P,
    Q(q): Q<SetQuery>,
) -> Result<Response, HttpError> {
    let want = boundaries(q.boundaries.as_deref(), API)?;
    let (set, i) = find_seat(&app, &code, want, API)?;
    let atlas = &app.atlas;
    Ok(json(&wire::Constituency::of(atlas, atlas.set(set), i)))
}

pub async fn indicators(State(app): State<Shared>) -> Response {
    let atlas = &app.atlas;
    json(&wire::IndicatorList {
        count: atlas.indicators.len(),
        indicators: atlas
            .indicators
            .iter()
            .enumerate()
            .map(|(k, d)| wire::IndicatorOut::of(atlas, k, d))
            .collect(),
    })
}

/// Finds an indicator by id.
pub fn find_indicator(app: &crate::App, id: &str, audience: Audience) -> Result<usize, HttpError> {
    app.atlas.indicator(id).map(|(k, _)| k).ok_or_else(|| {
        HttpError::not_found(
            audience,
            format!("No indicator {id:?}. The catalogue is at /api/v1/indicators and /indicators."),
        )
    })
}

pub async fn findings(State(app): State<Shared>) -> Response {
    raw_json(app.findings_json.clone())
}

pub async fn finding(State(app): State<Shared>, P(id): P) -> Result<Response, HttpError> {
    let found = app
        .atlas
        .findings
        .findings
        .iter()
        .flat_map(|f| f.walk())
        .find(|f| f.id == id)
        .ok_or_else(|| HttpError::not_found(API, format!("No finding {id:?}.")))?;
    Ok(json(&wire::FindingOut::of(found)))
}

pub async fn gaps(State(app): State<Shared>) -> Response {
    raw_json(app.gaps_json.clone())
}

#[derive(Deserialize)]
pub struct LocateQuery {
    postcode: Option<String>,
}

/// A postcode's 2024 seat, or the error to show.
pub fn locate_seat(
    app: &crate::App,
    text: &str,
    audience: Audience,
) -> Result<(Postcode, usize), HttpError> {
    let postcode =
        Postcode::parse(text).map_err(|e| HttpError::bad_request(audience, e.to_string()))?;
    match app.atlas.locate(&postcode) {
        Located::Seat(i) => Ok((postcode, i)),
        Located::NorthernIreland => Err(HttpError::not_found(
            audience,
            format!("{postcode} is in Northern Ireland, which the postcode lookup does not cover (it is built from Ordnance Survey Code-Point Open, Great Britain only)."),
        )),
        Located::NotFound => Err(HttpError::not_found(
            audience,
            format!("{postcode} is not in any constituency in the postcode lookup."),
        )),
    }
}

pub async fn locate(
    State(app): State<Shared>,
    Q(q): Q<LocateQuery>,
) -> Result<Response, HttpError> {
    let text = q.postcode.ok_or_else(|| {
        HttpError::bad_request(API, "postcode is required, e.g. ?postcode=SW1A+0AA")
    })?;
    let (postcode, i) = locate_seat(&app, &text, API)?;
    let atlas = &app.atlas;
    let set = BoundarySet::Pcon2024;
    Ok(json(&wire::Located {
        postcode: postcode.as_str(),
        boundaries: set.id(),
        constituency: wire::SeatSummary::of(atlas, set, &atlas.set(set).seats[i]),
    }))
}
