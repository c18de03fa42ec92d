//! Skills shortages (`ess_*`, F8) on the real Employer Skills Survey tables
//! (skipped, with a message, when `../shared/data` is absent): the
//! authorities matched, every English seat given a figure or a reason on
//! both sets, seats inside one authority carrying the file's own ratio, and
//! F8's inference resting on upper-tier authorities.

use crate::common::real_data;
use crate::common::{run, stderr};
use crate::real_data::real_store;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use stemgap_core::{BoundarySet, Nation};
use stemgap_sources::{Location, Workbook, XCell};

const FILE19: &str =
    "skills/employer_skills_survey/ESS_2019_LEA_Summary_Tables_Controlled_v01.00.xlsx";
const IDS: [&str; 5] = [
    "ess_ssv_per_1000_staff",
    "ess_ssv_share_of_vacancies",
    "ess_skills_gap_share",
    "ess_hard_to_fill_share",
    "ess_ssv_middle_skill_share",
];

/// An authority's SSVs per 1,000 staff straight from `ALL_LEAS`, or `None`
/// where the file has `**`.
fn ssv_per_1000(g: &stemgap_sources::Grid, name: &str) -> Option<f64> {
    let header = g.find_row(0, 1, "England Total").unwrap();
    let col = (0..g.row(header).len())
        .find(|&c| g.get(header, c).text() == Some(name))
        .unwrap_or_else(|| panic!("no column {name}"));
    let row = |label: &str| g.find_row(header, 0, label).unwrap();
    match (
        g.get(row("Number of skill-shortage vacancies"), col),
        g.get(row("Total number of staff"), col),
    ) {
        (XCell::Number(s), XCell::Number(t)) => Some(s / t * 1000.0),
        (XCell::Text(a), _) if a == "**" => None,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn every_english_seat_has_a_shortage_figure_or_a_reason_on_both_sets() {
    let (Some(db), Some(data)) = (real_store(), real_data()) else {
        return;
    };
    let store = stemgap_store::Store::open(&db).unwrap();
    // 152 published names: Bournemouth and Poole become one 2019 authority.
    let uppers = store.areas(stemgap_core::AreaKind::Utla19).unwrap();
    assert_eq!(uppers.len(), 151);
    let links = store.links("lad23->utla19").unwrap();
    let districts: BTreeSet<String> = store
        .links("pcon2024->lad23")
        .unwrap()
        .into_iter()
        .filter(|l| l.to.starts_with('E'))
        .map(|l| l.to)
        .collect();
    let linked: BTreeSet<String> = links.iter().map(|l| l.from.clone()).collect();
    assert_eq!(
        linked, districts,
        "every English district has an upper tier"
    );
    let bytes = std::fs::read(data.join(FILE19)).unwrap();
    let mut book = Workbook::open(bytes, Location::file(FILE19)).unwrap();
    let g = book.sheet("ALL_LEAS").unwrap();
    let camden = ssv_per_1000(&g, "Camden").unwrap();
    let cornwall = ssv_per_1000(&g, "Cornwall").unwrap();
    assert_eq!(ssv_per_1000(&g, "Isles of Scilly"), None);
    for set in BoundarySet::ALL {
        let seats: BTreeMap<String, String> = store
            .seats(set)
            .unwrap()
            .into_iter()
            .filter(|a| a.nation == Some(Nation::England))
            .map(|a| (a.name, a.code))
            .collect();
        for id in IDS {
            let obs = store.observations(Some(set), Some(id)).unwrap();
            assert_eq!(obs.len(), seats.len(), "{set:?} {id}: one per English seat");
            let mut missing = 0;
            for o in &obs {
                match o.value {
                    Some(v) => {
                        assert!(v.is_finite() && v >= 0.0, "{o:?}");
                        if id != "ess_ssv_per_1000_staff" {
                            assert!(v <= 1.0, "a share: {o:?}");
                        }
                    }
                    None => {
                        // The survey's `**`, never zero.
                        assert_eq!(o.flag, Some(stemgap_core::Marker::Star), "{o:?}");
                        missing += 1;
                    }
                }
            }
            // 2019: only the Isles of Scilly is suppressed, and it is under
            // 5% of its seat; 2017's occupation split is suppressed more.
            if id == "ess_ssv_middle_skill_share" {
                assert!(
                    (20..120).contains(&missing),
                    "{set:?} {id}: {missing} missing"
                );
            } else {
                assert_eq!(missing, 0, "{set:?} {id}");
            }
        }
        // A seat inside one authority carries the file's own ratio; St Ives
        // (Cornwall and the suppressed Isles of Scilly) Cornwall's.
        let value = |name: &str| {
            let code = &seats[name];
            store
                .observations(Some(set), Some("ess_ssv_per_1000_staff"))
                .unwrap()
                .into_iter()
                .find(|o| o.code.as_str() == code)
                .and_then(|o| o.value)
                .unwrap()
        };
        assert!((value("Holborn and St Pancras") - camden).abs() < 1e-9);
        assert!((value("St Ives") - cornwall).abs() < 1e-9);
    }
}

#[test]
fn f8_rests_on_upper_tier_authorities() {
    let Some(db) = real_store() else { return };
    let o = run(&[
        "findings",
        "--db",
        db.to_str().unwrap(),
        "--id",
        "F8",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f8 = v.as_array().map_or(&v, |a| &a[0]);
    assert_eq!(f8["id"], "F8");
    assert_eq!(f8["report"]["verdict"], "beyond the report");
    let parts = f8["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 8);
    for p in parts {
        let id = p["id"].as_str().unwrap();
        assert!(p["estimate"].as_f64().is_some(), "{id}: {}", p["statement"]);
        let (n, clusters) = (p["n"].as_u64().unwrap(), p["clusters"].as_u64().unwrap());
        assert!(
            p["inference"]
                .as_str()
                .unwrap()
                .contains("upper-tier authorities"),
            "{id}"
        );
        if id.ends_with("/deprivation") {
            // Two fifths of England's seats, from many authorities.
            assert!(
                (150..260).contains(&n) && (60..=151).contains(&clusters),
                "{id}: {n} {clusters}"
            );
        } else {
            // Every English seat (543 of 2024, 533 of 2010-2024), and the
            // authorities holding most of a seat's population (the City of
            // London and the Isles of Scilly hold none).
            assert!(n == 543 || n == 533, "{id}: {n}");
            assert!((140..=151).contains(&clusters), "{id}: {clusters}");
        }
        assert!(clusters < n, "{id}");
    }
}

#[test]
fn f7_and_f8_join_the_sensitivity_grid() {
    let Some(db) = real_store() else { return };
    let o = run(&[
        "findings",
        "--db",
        db.to_str().unwrap(),
        "--id",
        "sensitivity",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = v.as_array().map_or(&v, |a| &a[0]);
    let groups = s["parts"].as_array().unwrap();
    for (id, cells) in [("sensitivity/F7", 9), ("sensitivity/F8", 7)] {
        let g = groups
            .iter()
            .find(|g| g["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"));
        let parts = g["parts"].as_array().unwrap();
        assert_eq!(parts.len(), cells, "{id}");
        // Every cell of the real data is estimated, on both sets.
        for p in parts {
            assert!(
                p["estimate"].as_f64().is_some(),
                "{}: {}",
                p["id"],
                p["statement"]
            );
        }
        let (lo, hi) = (
            g["details"]["min_estimate"].as_f64().unwrap(),
            g["details"]["max_estimate"].as_f64().unwrap(),
        );
        assert!(lo <= hi, "{id}");
        let short = id.trim_start_matches("sensitivity/");
        assert!(
            s["statement"]
                .as_str()
                .unwrap()
                .contains(&format!("{short} from ")),
            "{}",
            s["statement"]
        );
    }
}
