//! Finding seats from what people type: a GSS code in any case, a full
//! postcode (its 2024 seat), a partial postcode (an outcode such as `LS1` or
//! `E14`: every 2024 seat its postcodes fall in, from the range lookup), or
//! a name of either boundary set, matched without regard to case, accents,
//! punctuation, hyphens or `&`/`and`, with a few common alternative names
//! ([`ALIASES`]). A seat found in the other boundary set is listed with the
//! seats that succeeded (or preceded) it, from the population overlaps.
//!
//! Used by `/search`, `/compare` and `stemgap brief`. Pure functions of the
//! atlas: no I/O.

use crate::api::{find_seat, locate_seat};
use crate::atlas::Atlas;
use crate::error::{Audience, HttpError};
use crate::{boundaries, Shared, Q};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use stemgap_core::{BoundarySet, GssCode, Postcode, POSTCODE_AREAS};

/// Common names that are not the seat's official name (normalised as
/// [`normalise`] does) → the official name of the seat (both sets' seats of
/// that name are found).
pub const ALIASES: &[(&str, &str)] = &[
    ("western isles", "Na h-Eileanan an Iar"),
    ("outer hebrides", "Na h-Eileanan an Iar"),
    ("eilean siar", "Na h-Eileanan an Iar"),
    ("anglesey", "Ynys Môn"),
    ("isle of anglesey", "Ynys Môn"),
    ("isles of scilly", "St Ives"),
    ("scilly", "St Ives"),
];

/// Longest query accepted.
pub const MAX_QUERY: usize = 100;

/// A name reduced for matching: lower case, accents removed, `&` read as
/// "and", every run of punctuation, hyphens and spaces one space.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars() {
        let mapped: &str = match c {
            '&' => " and ",
            c if c.is_alphanumeric() => {
                let base = fold(c);
                if let Some(b) = base {
                    out.push(b);
                } else {
                    out.extend(c.to_lowercase());
                }
                space = false;
                continue;
            }
            _ => " ",
        };
        for m in mapped.chars() {
            if m == ' ' {
                if !space {
                    out.push(' ');
                    space = true;
                }
            } else {
                out.push(m);
                space = false;
            }
        }
    }
    out.trim_end().to_owned()
}

/// The unaccented lower-case letter of a Latin letter with a diacritic
/// (those of the UK's place names: Welsh circumflexes and diaereses, Gaelic
/// graves and acutes, and the common European ones).
fn fold(c: char) -> Option<char> {
    let lower = c.to_lowercase().next()?;
    Some(match lower {
        'a'..='z' | '0'..='9' => lower,
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ś' | 'š' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return None,
    })
}

/// One seat found, with why it is listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub set: BoundarySet,
    pub seat: usize,
    /// What the match says beyond the name (e.g. the successor seats).
    pub note: String,
}

/// What a query found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// One seat, certainly the one meant (a code, a full postcode, an exact
    /// name in the set asked for).
    Seat(BoundarySet, usize),
    /// Candidates, best first (possibly none).
    Many(Vec<Hit>),
}

/// A partial postcode: an outward code (`LS1`, `E14`, `SW1A`), checked
/// against the UK's postcode areas.
fn outcode(text: &str) -> Option<String> {
    let t: String = text.trim().to_ascii_uppercase();
    let b = t.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let rest = &b[letters..];
    let shape = matches!(letters, 1 | 2)
        && match rest {
            [d] => d.is_ascii_digit(),
            [d, x] => d.is_ascii_digit() && x.is_ascii_alphanumeric(),
            _ => false,
        };
    (shape && POSTCODE_AREAS.contains(&&t[..letters])).then_some(t)
}

/// `the seats of the other set that share its population`, for a note.
fn overlap_note(atlas: &Atlas, set: BoundarySet, i: usize) -> String {
    let other = match set {
        BoundarySet::Pcon2010 => BoundarySet::Pcon2024,
        BoundarySet::Pcon2024 => BoundarySet::Pcon2010,
    };
    let o = atlas.set(other);
    let parts: Vec<String> = atlas.set(set).overlaps[i]
        .iter()
        .filter(|(_, share)| *share >= 0.005)
        .map(|&(j, share)| format!("{} ({:.0}%)", o.seats[j].name, share * 100.0))
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    match set {
        BoundarySet::Pcon2010 => format!(
            "a seat of the 2010-2024 boundaries; its population is now in {}",
            parts.join(", ")
        ),
        BoundarySet::Pcon2024 => format!(
            "a seat of the July 2024 boundaries, drawn from {}",
            parts.join(", ")
        ),
    }
}

/// Seats of both sets whose names match `text`, best first: exact names,
/// then names holding the words in order, then names holding all the words
/// (the last one may be the start of a word), then names containing the
/// text. Seats of `first` come before the other set's at the same rank.
pub fn by_name(atlas: &Atlas, text: &str, first: BoundarySet) -> Vec<(u8, Hit)> {
    let needle = normalise(text);
    if needle.is_empty() {
        return Vec::new();
    }
    let alias = ALIASES
        .iter()
        .find(|(a, _)| *a == needle)
        .map(|(_, name)| normalise(name));
    let words: Vec<&str> = needle.split(' ').collect();
    let mut hits = Vec::new();
    for set in [first, other(first)] {
        let s = atlas.set(set);
        for (i, seat) in s.seats.iter().enumerate() {
            let name = normalise(&seat.name);
            let padded = format!(" {name} ");
            let tokens: Vec<&str> = name.split(' ').collect();
            let all_words = words.iter().enumerate().all(|(n, w)| {
                tokens
                    .iter()
                    .any(|t| t == w || (n + 1 == words.len() && t.starts_with(w)))
            });
            let rank = if name == needle || alias.as_deref() == Some(name.as_str()) {
                0
            } else if padded.contains(&format!(" {needle} "))
                || alias
                    .as_deref()
                    .is_some_and(|a| padded.contains(&format!(" {a} ")))
            {
                1
            } else if all_words {
                2
            } else if name.contains(&needle) {
                3
            } else {
                continue;
            };
            hits.push((rank, set != first, seat.name.clone(), i, set));
        }
    }
    hits.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    hits.into_iter()
        .map(|(rank, _, _, i, set)| {
            let note = if set == BoundarySet::Pcon2010 || rank == 0 {
                overlap_note(atlas, set, i)
            } else {
                String::new()
            };
            (rank, Hit { set, seat: i, note })
        })
        .collect()
}

fn other(set: BoundarySet) -> BoundarySet {
    match set {
        BoundarySet::Pcon2010 => BoundarySet::Pcon2024,
        BoundarySet::Pcon2024 => BoundarySet::Pcon2010,
    }
}

/// The 2024 seats an outward code's postcodes fall in, in name order.
pub fn outcode_seats(atlas: &Atlas, outward: &str) -> Vec<usize> {
    let mut seats = atlas.outcode_seats(outward);
    let s = atlas.set(BoundarySet::Pcon2024);
    seats.sort_by(|&a, &b| s.seats[a].name.cmp(&s.seats[b].name));
    seats
}

/// Finds what `text` means. `want` is the boundary set asked for, if any.
/// Errors are the ones a user should read: a postcode that is not in the
/// lookup, a code that is no seat, a Northern Ireland postcode.
pub fn find(
    app: &crate::App,
    text: &str,
    want: Option<BoundarySet>,
    audience: Audience,
) -> Result<Found, HttpError> {
    let atlas = &app.atlas;
    let text = text.trim();
    if text.is_empty() {
        return Err(HttpError::bad_request(
            audience,
            "Type a constituency name, a GSS code (e.g. E14001063) or a postcode to search.",
        ));
    }
    if text.chars().count() > MAX_QUERY {
        return Err(HttpError::bad_request(
            audience,
            format!("That search is too long ({MAX_QUERY} characters at most)."),
        ));
    }
    if let Ok(code) = GssCode::parse(&text.to_ascii_uppercase()) {
        let (set, i) = find_seat(app, code.as_str(), want, audience)?;
        return Ok(Found::Seat(set, i));
    }
    if Postcode::parse(text).is_ok() {
        let (_, i) = locate_seat(app, text, audience)?;
        return Ok(Found::Seat(BoundarySet::Pcon2024, i));
    }
    if let Some(out) = outcode(text) {
        if out.starts_with("BT") {
            return Err(HttpError::not_found(
                audience,
                format!("{out} is in Northern Ireland, which the postcode lookup does not cover (it is built from Ordnance Survey Code-Point Open, Great Britain only). Search by the constituency's name instead."),
            ));
        }
        let seats = outcode_seats(atlas, &out);
        if !seats.is_empty() {
            let note = format!("postcodes in {out} fall in this seat (July 2024 boundaries)");
            return Ok(Found::Many(
                seats
                    .into_iter()
                    .map(|seat| Hit {
                        set: BoundarySet::Pcon2024,
                        seat,
                        note: note.clone(),
                    })
                    .collect(),
            ));
        }
    }
    let first = want.unwrap_or(BoundarySet::Pcon2024);
    let hits = by_name(atlas, text, first);
    let exact: Vec<&Hit> = hits
        .iter()
        .filter(|(rank, h)| *rank == 0 && want.is_none_or(|w| w == h.set))
        .map(|(_, h)| h)
        .collect();
    // One exact name in the set asked for (or, with none asked for, in the
    // 2024 set) is certainly the seat meant.
    if let Some(h) = exact.iter().find(|h| h.set == first) {
        if exact.iter().filter(|e| e.set == first).count() == 1 {
            return Ok(Found::Seat(h.set, h.seat));
        }
    }
    let mut list: Vec<Hit> = hits.into_iter().map(|(_, h)| h).collect();
    if let Some(w) = want {
        list.retain(|h| h.set == w);
    }
    Ok(Found::Many(list))
}

/// Exactly one seat for `text` in `set` (compare, the brief): a code, a
/// postcode (2024 set only), or a name matching one seat; otherwise a 400
/// saying what matched.
pub fn one(
    app: &crate::App,
    text: &str,
    set: Option<BoundarySet>,
    audience: Audience,
) -> Result<(BoundarySet, usize), HttpError> {
    match find(app, text, set, audience)? {
        Found::Seat(s, i) => {
            if let Some(w) = set {
                if w != s {
                    return Err(HttpError::bad_request(
                        audience,
                        format!(
                            "{text:?} is looked up on the July 2024 boundaries; give a {} seat by name or code.",
                            w.id()
                        ),
                    ));
                }
            }
            Ok((s, i))
        }
        Found::Many(hits) => {
            let atlas = &app.atlas;
            match hits.as_slice() {
                [h] => Ok((h.set, h.seat)),
                [] => Err(HttpError::bad_request(
                    audience,
                    format!("No constituency matches {text:?}: try part of the name, a GSS code such as E14001063, or a postcode."),
                )),
                many => {
                    let names: Vec<String> = many
                        .iter()
                        .take(6)
                        .map(|h| {
                            let seat = &atlas.set(h.set).seats[h.seat];
                            format!("{} ({})", seat.name, seat.code)
                        })
                        .collect();
                    Err(HttpError::bad_request(
                        audience,
                        format!(
                            "{text:?} matches {} constituencies ({}{}); give the full name or the code.",
                            many.len(),
                            names.join(", "),
                            if many.len() > 6 { ", …" } else { "" }
                        ),
                    ))
                }
            }
        }
    }
}

// ---------------------------------------------------------------- the page

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    boundaries: Option<String>,
}

struct ResultRow {
    href: String,
    name: String,
    code: String,
    nation: String,
    set: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    title: String,
    nav: &'static str,
    query: String,
    results: Vec<ResultRow>,
}

/// `/search?q=`: a seat found for certain goes straight to its profile;
/// otherwise a list of candidates (404 when there are none).
pub async fn search(
    State(app): State<Shared>,
    Q(q): Q<SearchQuery>,
) -> Result<Response, HttpError> {
    let want = boundaries(q.boundaries.as_deref(), Audience::Page)?;
    let text = q.q.as_deref().unwrap_or("").trim();
    let hits = match find(&app, text, want, Audience::Page)? {
        Found::Seat(set, i) => {
            let seat = &app.atlas.set(set).seats[i];
            return Ok(Redirect::to(&format!(
                "/constituency/{}?boundaries={}",
                seat.code,
                set.id()
            ))
            .into_response());
        }
        Found::Many(hits) => hits,
    };
    let atlas = &app.atlas;
    let results: Vec<ResultRow> = hits
        .iter()
        .map(|h| {
            let seat = &atlas.set(h.set).seats[h.seat];
            ResultRow {
                href: format!("/constituency/{}?boundaries={}", seat.code, h.set.id()),
                name: seat.name.clone(),
                code: seat.code.to_string(),
                nation: seat.nation.map_or("", |n| n.name()).into(),
                set: h.set.title(),
                note: h.note.clone(),
            }
        })
        .collect();
    let page = SearchPage {
        title: format!("Search: {text}"),
        nav: "",
        query: text.to_owned(),
        results,
    };
    let status = if hits.is_empty() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    match page.render() {
        Ok(html) => Ok((status, Html(html)).into_response()),
        Err(e) => Err(HttpError::internal(Audience::Page, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_matched_without_case_accents_or_punctuation() {
        assert_eq!(normalise("Ynys Môn"), "ynys mon");
        assert_eq!(normalise("Weston-super-Mare"), "weston super mare");
        assert_eq!(normalise("St. Albans"), "st albans");
        assert_eq!(
            normalise("  Brighton,  Kemptown & Peacehaven "),
            "brighton kemptown and peacehaven"
        );
        assert_eq!(normalise("Na h-Eileanan an Iar"), "na h eileanan an iar");
        assert_eq!(normalise("Ceredigion Preseli"), "ceredigion preseli");
        assert_eq!(normalise("Caerfyrddin"), "caerfyrddin");
        assert_eq!(
            normalise("Montgomeryshire and Glyndŵr"),
            "montgomeryshire and glyndwr"
        );
        assert_eq!(normalise("’"), "");
    }

    #[test]
    fn outward_codes_are_recognised() {
        assert_eq!(outcode("ls1").as_deref(), Some("LS1"));
        assert_eq!(outcode(" E14 ").as_deref(), Some("E14"));
        assert_eq!(outcode("SW1A").as_deref(), Some("SW1A"));
        assert_eq!(outcode("QQ1"), None, "no area QQ");
        assert_eq!(outcode("Leeds"), None);
        assert_eq!(outcode("E"), None);
    }
}
