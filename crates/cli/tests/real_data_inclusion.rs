//! Inclusion in STEM further education (`fe_et_stem_*`): on the real DfE
//! geography-detailed file (5.9 million rows of ZSTD-compressed Parquet;
//! skipped, with a message, when `../shared/data` is absent), checked
//! against totals computed here straight from the file.

use crate::common::real_data;
use crate::real_data::real_store;
use std::collections::BTreeMap;
use std::path::Path;
use stemgap_core::{BoundarySet, Nation};
use stemgap_sources::{Location, ParquetTable};

const FILE: &str = "skills/dfe_fe_et_geography_detailed_201516_202021/data.parquet";
const IDS: [&str; 9] = [
    "fe_et_stem_achievements_per_1000",
    "fe_et_stem_broad_achievements_per_1000",
    "fe_et_stem_female_share",
    "fe_et_stem_ethnic_minority_share",
    "fe_et_stem_level3_share",
    "fe_et_stem_female_share_enrolments",
    "fe_et_female_share_science_maths",
    "fe_et_female_share_engineering",
    "fe_et_female_share_ict",
];
const YEARS: [&str; 6] = [
    "2015/16", "2016/17", "2017/18", "2018/19", "2019/20", "2020/21",
];
const STEM: [&str; 3] = [
    "Science and Mathematics",
    "Engineering and Manufacturing Technologies",
    "Information and Communication Technology",
];

/// STEM (narrow) achievements, all sexes, groups and levels, in 2020/21:
/// (the national row, the district rows' sum with `low` as 2 and `z` left
/// out, row groups whose year column is constant by their statistics, and
/// so need not be decoded by the build).
fn published(data: &Path) -> (f64, f64, usize) {
    let bytes = std::fs::read(data.join(FILE)).unwrap();
    let t = ParquetTable::from_bytes(&bytes, Location::file(FILE)).unwrap();
    let (mut national, mut districts, mut constant) = (0.0, 0.0, 0);
    for g in 0..t.row_groups() {
        constant += usize::from(t.group_constant(g, "time_period").unwrap().is_some());
        let col = |c| t.group_strings(g, c).unwrap();
        let (year, level, lad, ssa, sex, eth, nvq, ach) = (
            col("time_period"),
            col("geographic_level"),
            col("lad_code"),
            col("ssa_t1_desc"),
            col("sex"),
            col("ethnicity_group"),
            col("notional_nvq_level"),
            col("e_and_t_aims_ach"),
        );
        for r in 0..year.len() {
            if year.get(r) != Some("202021")
                || !STEM.contains(&ssa.get(r).unwrap())
                || [&sex, &eth, &nvq].iter().any(|c| c.get(r) != Some("Total"))
            {
                continue;
            }
            let v = match ach.get(r).unwrap() {
                "low" => 2.0,
                s => s.parse::<f64>().unwrap(),
            };
            match level.get(r).unwrap() {
                "National" => national += v,
                "Local authority district" if lad.get(r) != Some("z") => districts += v,
                _ => {}
            }
        }
    }
    (national, districts, constant)
}

#[test]
fn every_english_seat_has_every_year_on_both_sets_and_seats_add_up_to_the_districts() {
    let (Some(db), Some(data)) = (real_store(), real_data()) else {
        return;
    };
    let store = stemgap_store::Store::open(&db).unwrap();
    let (national, districts, constant) = published(&data);
    // Every row group holds district rows (none can be skipped), but in
    // most the year is one value, which the build does not decode.
    assert!(constant > 40, "{constant} row groups with one year");
    assert!(
        (districts - national).abs() < 0.03 * national,
        "districts {districts}, national {national}"
    );
    for set in BoundarySet::ALL {
        let seats: Vec<_> = store
            .seats(set)
            .unwrap()
            .into_iter()
            .filter(|a| a.nation == Some(Nation::England))
            .map(|a| a.code)
            .collect();
        let pop: BTreeMap<_, _> = store
            .observations(Some(set), Some("population_19_plus"))
            .unwrap()
            .into_iter()
            .map(|o| (o.code, o.value.unwrap()))
            .collect();
        for id in IDS {
            let obs = store.observations(Some(set), Some(id)).unwrap();
            for year in YEARS {
                let n = obs.iter().filter(|o| o.period == year).count();
                assert_eq!(n, seats.len(), "{set:?} {id} {year}");
            }
            for o in &obs {
                let (v, lo, hi) = match (o.value, o.lower, o.upper) {
                    (Some(v), Some(lo), Some(hi)) => (v, lo, hi),
                    _ => {
                        assert!(o.flag.is_some(), "{o:?}");
                        continue;
                    }
                };
                assert!(lo <= v && v <= hi, "{o:?}");
                if id.ends_with("_share") {
                    assert!((0.0..=1.0).contains(&lo) && hi <= 1.0, "{o:?}");
                }
            }
        }
        // STEM achievements implied by the 2020/21 rates, summed over seats:
        // the district rows' total (midpoints).
        let implied: f64 = store
            .observations(Some(set), Some(IDS[0]))
            .unwrap()
            .iter()
            .filter(|o| o.period == "2020/21")
            .map(|o| o.value.unwrap() * pop[&o.code] / 1000.0)
            .sum();
        assert!(
            (implied - districts).abs() < 1e-6 * districts,
            "{set:?}: seats add up to {implied}, districts to {districts}"
        );
        // Women's share: every seat has one, and England's lies well inside 0..1.
        let female = store
            .observations(Some(set), Some(IDS[2]))
            .unwrap()
            .into_iter()
            .filter(|o| o.period == "2020/21")
            .filter_map(|o| o.value)
            .collect::<Vec<_>>();
        let mean = female.iter().sum::<f64>() / female.len() as f64;
        assert!(
            (0.2..0.8).contains(&mean),
            "{set:?}: mean female share {mean}"
        );
    }
}

#[test]
fn f7_follows_the_gap_every_year_and_says_whether_it_closed() {
    let Some(db) = real_store() else { return };
    let o = crate::common::run(&[
        "findings",
        "--db",
        db.to_str().unwrap(),
        "--id",
        "F7",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let parts = v[0]["parts"].as_array().unwrap();
    for id in IDS[2..4].iter() {
        for year in YEARS {
            let want = format!("F7/2024/{id}/{}", year.replace('/', "-"));
            let p = parts
                .iter()
                .find(|p| p["id"] == want.as_str())
                .unwrap_or_else(|| panic!("no {want}"));
            assert!(
                p["estimate"].as_f64().is_some(),
                "{want}: {}",
                p["statement"]
            );
            // The same fifths every year: about two fifths of 543 seats.
            let n = p["n"].as_u64().unwrap();
            assert!((150..260).contains(&n), "{want}: {n}");
            assert!(p["clusters"].as_u64().unwrap() < n, "{want}");
        }
        let change = parts
            .iter()
            .find(|p| p["id"] == format!("F7/2024/{id}/change").as_str())
            .unwrap();
        let (e, lo, hi) = (
            change["estimate"].as_f64().unwrap(),
            change["ci_low"].as_f64().unwrap(),
            change["ci_high"].as_f64().unwrap(),
        );
        assert!(lo <= e && e <= hi, "{}", change["statement"]);
        let (first, last) = (
            change["details"]["gap_first"].as_f64().unwrap(),
            change["details"]["gap_last"].as_f64().unwrap(),
        );
        assert!((last - first - e).abs() < 1e-9, "{}", change["statement"]);
        assert!(change["clusters"].as_u64().is_some());
    }
}
