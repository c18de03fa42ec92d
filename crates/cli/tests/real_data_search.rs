//! Search on the real store (skipped, with a message, when `../shared/data`
//! is absent): real queries as people type them, each with the seat or
//! seats it must find. Expectations are `set:name` (names are unique within
//! a set).

use crate::real_data::real_store;
use std::sync::{Arc, OnceLock};
use stemgap_core::BoundarySet;
use stemgap_web::search::{find, Found};
use stemgap_web::{App, Audience, Shared};

fn real_app() -> Option<Shared> {
    static APP: OnceLock<Option<Shared>> = OnceLock::new();
    APP.get_or_init(|| {
        let db = real_store()?;
        Some(Arc::new(App::open(&db).expect("the real atlas loads")))
    })
    .clone()
}

fn label(app: &App, set: BoundarySet, i: usize) -> String {
    format!("{}:{}", set.id(), app.atlas.set(set).seats[i].name)
}

enum Expect {
    /// Straight to this seat.
    Seat(&'static str),
    /// A list whose first entry is the first of these, holding all of them.
    List(&'static [&'static str]),
    /// A list holding at least these (no order).
    Holds(&'static [&'static str]),
    /// Nothing found.
    Nothing,
    /// An error whose message holds this.
    Error(&'static str),
}

const QUERIES: &[(&str, Expect)] = &[
    ("Ynys Mon", Expect::Seat("2024:Ynys Môn")),
    ("ynys môn", Expect::Seat("2024:Ynys Môn")),
    ("Anglesey", Expect::Seat("2024:Ynys Môn")),
    ("weston super mare", Expect::Seat("2024:Weston-super-Mare")),
    ("WESTON-SUPER-MARE", Expect::Seat("2024:Weston-super-Mare")),
    ("St. Albans", Expect::Seat("2024:St Albans")),
    ("st albans", Expect::Seat("2024:St Albans")),
    ("Western Isles", Expect::Seat("2024:Na h-Eileanan an Iar")),
    (
        "na h eileanan an iar",
        Expect::Seat("2024:Na h-Eileanan an Iar"),
    ),
    ("Outer Hebrides", Expect::Seat("2024:Na h-Eileanan an Iar")),
    (
        "Morley and Outwood",
        Expect::List(&["2010:Morley and Outwood"]),
    ),
    (
        "Leeds Central",
        Expect::List(&["2010:Leeds Central", "2024:Leeds Central and Headingley"]),
    ),
    ("LS1", Expect::Holds(&["2024:Leeds Central and Headingley"])),
    ("ls1", Expect::Holds(&["2024:Leeds Central and Headingley"])),
    ("E14", Expect::Holds(&["2024:Poplar and Limehouse"])),
    (
        "e14001172",
        Expect::Seat("2024:Cities of London and Westminster"),
    ),
    (
        "E14000639",
        Expect::Seat("2010:Cities of London and Westminster"),
    ),
    ("e14000826", Expect::Seat("2010:Morley and Outwood")),
    (
        "SW1A 0AA",
        Expect::Seat("2024:Cities of London and Westminster"),
    ),
    (
        "sw1a0aa",
        Expect::Seat("2024:Cities of London and Westminster"),
    ),
    (
        "cities of london & westminster",
        Expect::Seat("2024:Cities of London and Westminster"),
    ),
    ("Brighton Pavilion", Expect::Seat("2024:Brighton Pavilion")),
    (
        "Brighton, Kemptown",
        Expect::List(&[
            "2010:Brighton, Kemptown",
            "2024:Brighton Kemptown and Peacehaven",
        ]),
    ),
    (
        "Montgomeryshire and Glyndwr",
        Expect::Seat("2024:Montgomeryshire and Glyndŵr"),
    ),
    (
        "Ceredigion",
        Expect::List(&["2010:Ceredigion", "2024:Ceredigion Preseli"]),
    ),
    (
        "orkney",
        Expect::List(&["2024:Orkney and Shetland", "2010:Orkney and Shetland"]),
    ),
    (
        "caithness sutherland and easter ross",
        Expect::Seat("2024:Caithness, Sutherland and Easter Ross"),
    ),
    (
        "Belfast South",
        Expect::List(&["2010:Belfast South", "2024:Belfast South and Mid Down"]),
    ),
    ("foyle", Expect::Seat("2024:Foyle")),
    ("Newry & Armagh", Expect::Seat("2024:Newry and Armagh")),
    ("Richmond (Yorks)", Expect::List(&["2010:Richmond (Yorks)"])),
    (
        "newcastle under lyme",
        Expect::Seat("2024:Newcastle-under-Lyme"),
    ),
    (
        "Newcastle upon Tyne North",
        Expect::Seat("2024:Newcastle upon Tyne North"),
    ),
    (
        "Holborn and St. Pancras",
        Expect::Seat("2024:Holborn and St Pancras"),
    ),
    (
        "bradford",
        Expect::List(&[
            "2024:Bradford East",
            "2024:Bradford South",
            "2024:Bradford West",
        ]),
    ),
    ("ashton under lyne", Expect::Seat("2024:Ashton-under-Lyne")),
    (
        "stoke on trent central",
        Expect::Seat("2024:Stoke-on-Trent Central"),
    ),
    (
        "Isle of Wight",
        Expect::List(&[
            "2010:Isle of Wight",
            "2024:Isle of Wight East",
            "2024:Isle of Wight West",
        ]),
    ),
    ("sheffield central", Expect::Seat("2024:Sheffield Central")),
    ("Aberdeen North", Expect::Seat("2024:Aberdeen North")),
    ("Cardiff Central", Expect::List(&["2010:Cardiff Central"])),
    ("cardiff north", Expect::Seat("2024:Cardiff North")),
    (
        "rhondda",
        Expect::List(&["2010:Rhondda", "2024:Rhondda and Ogmore"]),
    ),
    ("Ealing Southall", Expect::Seat("2024:Ealing Southall")),
    (
        "Kensington",
        Expect::List(&["2010:Kensington", "2024:Kensington and Bayswater"]),
    ),
    ("Stratford-on-Avon", Expect::Seat("2024:Stratford-on-Avon")),
    ("bangor aberconwy", Expect::Seat("2024:Bangor Aberconwy")),
    (
        "Penrith and The Border",
        Expect::List(&["2010:Penrith and The Border"]),
    ),
    (
        "hull",
        Expect::List(&[
            "2024:Kingston upon Hull East",
            "2024:Kingston upon Hull North and Cottingham",
            "2024:Kingston upon Hull West and Haltemprice",
        ]),
    ),
    (
        "leeds headingley",
        Expect::List(&["2024:Leeds Central and Headingley"]),
    ),
    ("BT1", Expect::Error("Northern Ireland")),
    ("Atlantis", Expect::Nothing),
];

#[test]
fn real_queries_find_the_seats_people_mean() {
    let Some(app) = real_app() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    assert!(QUERIES.len() >= 40);
    let mut failures = Vec::new();
    for (q, expect) in QUERIES {
        let got = find(&app, q, None, Audience::Page);
        let ok = match (expect, &got) {
            (Expect::Seat(want), Ok(Found::Seat(set, i))) => label(&app, *set, *i) == *want,
            (Expect::List(want), Ok(Found::Many(hits))) => {
                let names: Vec<String> = hits.iter().map(|h| label(&app, h.set, h.seat)).collect();
                names.first().map(String::as_str) == want.first().copied()
                    && want.iter().all(|w| names.iter().any(|n| n == w))
            }
            (Expect::Holds(want), Ok(Found::Many(hits))) => {
                let names: Vec<String> = hits.iter().map(|h| label(&app, h.set, h.seat)).collect();
                want.iter().all(|w| names.iter().any(|n| n == w))
            }
            (Expect::Nothing, Ok(Found::Many(hits))) => hits.is_empty(),
            (Expect::Error(text), Err(e)) => e.message.contains(text),
            _ => false,
        };
        if !ok {
            let shown = match &got {
                Ok(Found::Seat(set, i)) => format!("seat {}", label(&app, *set, *i)),
                Ok(Found::Many(hits)) => format!(
                    "list {:?}",
                    hits.iter()
                        .take(8)
                        .map(|h| label(&app, h.set, h.seat))
                        .collect::<Vec<_>>()
                ),
                Err(e) => format!("error {}", e.message),
            };
            failures.push(format!("{q:?}: {shown}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries:\n{}",
        failures.len(),
        QUERIES.len(),
        failures.join("\n")
    );
}

#[test]
fn a_2010_seat_is_listed_with_its_2024_successors() {
    let Some(app) = real_app() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let Ok(Found::Many(hits)) = find(&app, "Morley and Outwood", None, Audience::Page) else {
        panic!("a list");
    };
    let note = &hits[0].note;
    assert!(
        note.contains("its population is now in Leeds South West and Morley ("),
        "{note}"
    );
    // Outward codes list only seats their postcodes fall in: a handful.
    let Ok(Found::Many(hits)) = find(&app, "LS1", None, Audience::Page) else {
        panic!("a list");
    };
    assert!((1..=6).contains(&hits.len()), "{}", hits.len());
}
