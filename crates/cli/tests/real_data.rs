//! End-to-end on the real sources in `../shared/data` (skipped, with a
//! message, when they are absent). The store is built once per run.

use crate::common::{real_data, run, stderr, stdout};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Builds the real store once for all tests in this module.
pub(crate) fn real_store() -> Option<PathBuf> {
    static STORE: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let data = real_data()?;
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("real.db");
            let o = run(&[
                "build",
                "--sources",
                data.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "real build failed: {}", stderr(&o));
            assert!(
                stdout(&o).contains("650 seats (2010) + 650 seats (2024)"),
                "summary: {}",
                stdout(&o)
            );
            Some((dir, db))
        })
        .as_ref()
        .map(|(_, db)| db.clone())
}

/// Exported rows as maps from column to cell: the JSON export (the stored
/// values; the CSV rounds them to the figures their sources support), each
/// number written as the CSV writes numbers, a null empty.
fn export(db: &Path, set: &str) -> Vec<BTreeMap<String, String>> {
    let o = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        set,
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&o.stdout).unwrap();
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(k, v)| {
                    let cell = match v {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Number(n) => n.as_f64().unwrap().to_string(),
                        other => other.to_string(),
                    };
                    (k, cell)
                })
                .collect()
        })
        .collect()
}

/// Seats with a value for `indicator`, by nation.
fn coverage(rows: &[BTreeMap<String, String>], indicator: &str) -> BTreeMap<String, usize> {
    let mut c = BTreeMap::new();
    for r in rows {
        if !r[indicator].is_empty() {
            *c.entry(r["nation"].clone()).or_insert(0) += 1;
        }
    }
    c
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn every_catalogued_source_is_present_and_pinned() {
    let Some(data) = real_data() else { return };
    let o = run(&["sources", "--sources", data.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("100 present, 0 missing, 0 checksum mismatch"),
        "{}",
        stdout(&o)
    );
    // The optional DfE constituency data sets are listed, not required.
    for id in ["dfe_apprenticeships_pcon", "dfe_fe_skills_pcon"] {
        assert!(
            stdout(&o).contains(&format!("optional, not pinned: {id} (optional/{id}.csv): ")),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn export_has_650_rows_for_each_boundary_set() {
    let Some(db) = real_store() else { return };
    for set in ["2010", "2024"] {
        let rows = export(&db, set);
        assert_eq!(rows.len(), 650, "{set}");
        let nations = coverage(&rows, "code");
        let expected = if set == "2010" {
            counts(&[
                ("England", 533),
                ("Wales", 40),
                ("Scotland", 59),
                ("Northern Ireland", 18),
            ])
        } else {
            counts(&[
                ("England", 543),
                ("Wales", 32),
                ("Scotland", 57),
                ("Northern Ireland", 18),
            ])
        };
        assert_eq!(nations, expected, "{set}");
        assert!(rows
            .iter()
            .all(|r| !r["name"].is_empty() && !r["region"].is_empty()));
    }
}

#[test]
fn coverage_by_nation_is_what_the_sources_allow() {
    let Some(db) = real_store() else { return };
    let r24 = export(&db, "2024");
    let r10 = export(&db, "2010");
    let uk24 = counts(&[
        ("England", 543),
        ("Northern Ireland", 18),
        ("Scotland", 57),
        ("Wales", 32),
    ]);
    let gb24 = counts(&[("England", 543), ("Scotland", 57), ("Wales", 32)]);
    let ew24 = counts(&[("England", 543), ("Wales", 32)]);
    let e24 = counts(&[("England", 543)]);
    for (ind, want) in [
        ("population", &uk24),
        ("he_entry_rate_18", &uk24),
        ("uk_imd_score", &uk24),
        ("level4_share", &ew24),
        ("no_quals_share", &ew24),
        ("industry_m_share", &ew24),
        ("in_employment_share", &ew24),
        ("female_share", &gb24),
        ("age_65_plus_share", &gb24),
        ("ethnicity_white_share", &gb24),
        ("fe_providers", &e24),
    ] {
        assert_eq!(&coverage(&r24, ind), want, "{ind} on 2024 seats");
    }
    let uk10 = counts(&[
        ("England", 533),
        ("Northern Ireland", 18),
        ("Scotland", 59),
        ("Wales", 40),
    ]);
    assert_eq!(coverage(&r10, "uk_imd_score"), uk10);
    assert_eq!(
        coverage(&r10, "ks4_attainment8"),
        counts(&[("England", 533)])
    );
    // The 2024-only census figures reach every England and Wales seat of
    // the 2010 set through the population overlaps (converted), and no
    // Scottish or Northern Irish seat.
    assert_eq!(
        coverage(&r10, "level4_share"),
        counts(&[("England", 533), ("Wales", 40)])
    );
}

#[test]
fn a_converted_period_reaches_only_the_nations_its_figures_come_from() {
    // Scotland's 2022 census shares are converted to the 2010 set: English
    // 2010 seats get no 2022 row (their latest figure stays 2021's).
    let Some(db) = real_store() else { return };
    let store = stemgap_store::Store::open(&db).unwrap();
    for id in ["age_0_15_share", "female_share"] {
        let obs = store
            .observations(Some(stemgap_core::BoundarySet::Pcon2010), Some(id))
            .unwrap();
        let nations_2022: std::collections::BTreeSet<_> = obs
            .iter()
            .filter(|o| o.period == "2022")
            .filter_map(|o| o.code.nation())
            .collect();
        assert_eq!(
            nations_2022.into_iter().collect::<Vec<_>>(),
            [stemgap_core::Nation::Scotland],
            "{id}"
        );
        assert!(obs
            .iter()
            .any(|o| o.period == "2021" && o.code.nation() == Some(stemgap_core::Nation::England)));
    }
}

#[test]
fn census_shares_match_published_ranges_and_are_never_silently_zero() {
    let Some(db) = real_store() else { return };
    let rows = export(&db, "2024");
    let level4: Vec<f64> = rows
        .iter()
        .filter_map(|r| r["level4_share"].parse().ok())
        .collect();
    let (lo, hi) = level4
        .iter()
        .fold((1.0f64, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    // SOURCES.md: Level 4+ share of residents 16+ runs from 18.1% to 65.2%.
    assert!(
        (lo - 0.181).abs() < 0.0005 && (hi - 0.652).abs() < 0.0005,
        "level4 range {lo}..{hi}"
    );
    for r in &rows {
        // Shares of one table sum to one where they partition it.
        if let Ok(parts) = [
            "level4_share",
            "no_quals_share",
            "level3_share",
            "level2_share",
            "level1_share",
            "apprenticeship_qual_share",
            "other_quals_share",
        ]
        .iter()
        .map(|k| r[*k].parse::<f64>())
        .collect::<Result<Vec<_>, _>>()
        {
            assert!(
                (parts.iter().sum::<f64>() - 1.0).abs() < 1e-9,
                "{}",
                r["code"]
            );
        }
        for (k, v) in r {
            if k.ends_with("_share") && k.starts_with("level") {
                assert_ne!(v, "0", "{k} of {} is exactly zero", r["code"]);
            }
        }
    }
}

#[test]
fn known_values_from_the_sources() {
    let Some(db) = real_store() else { return };
    let by_code: HashMap<String, BTreeMap<String, String>> = export(&db, "2024")
        .into_iter()
        .map(|r| (r["code"].clone(), r))
        .collect();
    // Values read straight from the source files (see SOURCES.md for the files).
    let aldershot = &by_code["E14001063"];
    assert_eq!(aldershot["name"], "Aldershot");
    assert_eq!(aldershot["region"], "South East");
    assert_eq!(aldershot["population"], "119256");
    assert_eq!(aldershot["he_entry_rate_18"], "0.334");
    assert_eq!(aldershot["fe_providers"], "3");
    let belfast_west = by_code
        .values()
        .find(|r| r["name"] == "Belfast West")
        .unwrap();
    assert_eq!(belfast_west["nation"], "Northern Ireland");
    assert!(
        (belfast_west["uk_imd_score"].parse::<f64>().unwrap() - 72.52446063525306).abs() < 1e-9
    );
    assert_eq!(belfast_west["level4_share"], "", "NI has no census by seat");
}

#[test]
fn indicator_catalogue_lists_every_exported_column() {
    let Some(db) = real_store() else { return };
    let o = run(&["indicators", "--db", db.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = stdout(&o);
    let rows = export(&db, "2024");
    for col in rows[0]
        .keys()
        .filter(|k| !["code", "name", "nation", "region"].contains(&k.as_str()))
    {
        assert!(
            listed.lines().any(|l| l.starts_with(&format!("{col} "))),
            "{col} not listed"
        );
    }
    for id in [
        "level4_share",
        "no_quals_share",
        "industry_c_share",
        "uk_imd_score",
        "population",
    ] {
        assert!(listed.contains(id), "{id}");
    }
}

#[test]
fn json_export_matches_csv_export() {
    let Some(db) = real_store() else { return };
    let o = run(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        "2010",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let csv = export(&db, "2010");
    assert_eq!(json.len(), 650);
    for (j, c) in json.iter().zip(&csv) {
        assert_eq!(j["code"], c["code"].as_str());
        match &j["uk_imd_score"] {
            serde_json::Value::Number(n) => {
                assert_eq!(n.as_f64().unwrap().to_string(), c["uk_imd_score"])
            }
            other => panic!("uk_imd_score is {other}"),
        }
        match &j["level4_share"] {
            serde_json::Value::Number(n) => {
                assert_eq!(n.as_f64().unwrap().to_string(), c["level4_share"])
            }
            serde_json::Value::Null => assert_eq!(c["level4_share"], ""),
            other => panic!("level4_share is {other}"),
        }
    }
}

/// Values of one indicator by seat code.
fn column(rows: &[BTreeMap<String, String>], indicator: &str) -> BTreeMap<String, f64> {
    rows.iter()
        .filter_map(|r| Some((r["code"].clone(), r[indicator].parse().ok()?)))
        .collect()
}

#[test]
fn deprivation_from_small_areas_reproduces_the_published_2010_scores() {
    let Some(db) = real_store() else { return };
    let rows = export(&db, "2010");
    let ours = column(&rows, "imd_score");
    let published = column(&rows, "uk_imd_score");
    // For England, mySociety's composite score is the IMD 2019 score, and
    // its 2010-set seat scores use the same best-fit lookup and mid-2019
    // populations: an independent implementation of the same sum.
    let english: Vec<_> = ours.keys().filter(|c| c.starts_with('E')).collect();
    assert_eq!(english.len(), 533);
    for c in english {
        assert!(
            (ours[c] - published[c]).abs() < 1e-9,
            "{c}: {} vs {}",
            ours[c],
            published[c]
        );
    }
    assert_eq!(
        coverage(&rows, "imd_score"),
        counts(&[("England", 533), ("Wales", 40)])
    );
    assert_eq!(coverage(&rows, "imd_decile").values().sum::<usize>(), 650);
}

#[test]
fn most_and_least_deprived_english_seats() {
    let Some(db) = real_store() else { return };
    for (set, most, least) in [
        ("2010", "Liverpool, Walton", "Wokingham"),
        ("2024", "Blackpool South", "Wokingham"),
    ] {
        let rows = export(&db, set);
        let mut english: Vec<_> = rows.iter().filter(|r| r["nation"] == "England").collect();
        english.sort_by(|a, b| {
            a["imd_rank"]
                .parse::<f64>()
                .unwrap()
                .total_cmp(&b["imd_rank"].parse().unwrap())
        });
        assert_eq!(english[0]["name"], most, "{set}");
        assert_eq!(english[english.len() - 1]["name"], least, "{set}");
        let score = |r: &BTreeMap<String, String>| r["imd_score"].parse::<f64>().unwrap();
        assert!(
            english.windows(2).all(|w| score(w[0]) >= score(w[1])),
            "rank follows score"
        );
    }
}

#[test]
fn deprivation_deciles_hold_a_tenth_of_each_nations_population() {
    let Some(db) = real_store() else { return };
    let rows = export(&db, "2024");
    for nation in ["England", "Wales", "Scotland", "Northern Ireland"] {
        let mut by_decile = [0.0f64; 10];
        let mut total = 0.0;
        for r in rows.iter().filter(|r| r["nation"] == nation) {
            let d: f64 = r["imd_decile"].parse().unwrap();
            let p: f64 = r["population"].parse().unwrap();
            by_decile[d as usize - 1] += p;
            total += p;
        }
        // Seats are whole, so a decile can hold at most a tenth plus one
        // seat's worth; in England that is within two percentage points.
        let tol = if nation == "England" { 0.02 } else { 0.08 };
        for (i, p) in by_decile.iter().enumerate() {
            assert!(
                (p / total - 0.1).abs() < tol,
                "{nation} decile {}: {:.3}",
                i + 1,
                p / total
            );
        }
    }
}

#[test]
fn apportioned_counts_sum_back_to_the_local_authority_totals() {
    let Some(db) = real_store() else { return };
    let data = real_data().unwrap();
    // England's LAD rows of the DfE file (without `z`, outside England or
    // unknown), read here independently of the product's reader.
    let mut rdr = csv::Reader::from_path(
        data.join("skills/dfe_fes_achievements_by_type_lad_201617_202122.csv"),
    )
    .unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == n)
            .unwrap()
    };
    let (level, year, kind, code, ach) = (
        col("geographic_level"),
        col("time_period"),
        col("level_or_type"),
        col("location_code"),
        col("achievements"),
    );
    let (mut published, mut suppressed) = (0.0, 0.0);
    for r in rdr.records().map(Result::unwrap) {
        if &r[level] == "localAuthorityDistrict"
            && &r[year] == "201920"
            && &r[kind] == "Apprenticeships: Total"
            && &r[code] != "z"
        {
            match r[ach].parse::<f64>() {
                Ok(v) => published += v,
                Err(_) => suppressed += 1.0,
            }
        }
    }
    let store = stemgap_store::Store::open(&db).unwrap();
    for set in stemgap_core::BoundarySet::ALL {
        let pop: HashMap<_, _> = store
            .observations(Some(set), Some("population_19_plus"))
            .unwrap()
            .into_iter()
            .map(|o| (o.code, o.value.unwrap()))
            .collect();
        let rates: Vec<_> = store
            .observations(Some(set), Some("apprenticeship_achievements_per_1000"))
            .unwrap()
            .into_iter()
            .filter(|o| o.period == "2019/20")
            .collect();
        assert_eq!(
            rates.len(),
            if set == stemgap_core::BoundarySet::Pcon2010 {
                533
            } else {
                543
            },
            "England only"
        );
        let total = |f: fn(&stemgap_core::Observation) -> f64| -> f64 {
            rates.iter().map(|o| f(o) * pop[&o.code] / 1000.0).sum()
        };
        let (lo, mid, hi) = (
            total(|o| o.lower.unwrap()),
            total(|o| o.value.unwrap()),
            total(|o| o.upper.unwrap()),
        );
        assert!(
            (lo - published).abs() < 1e-6 * published,
            "{set:?}: lower {lo} vs published {published}"
        );
        assert!(
            (hi - (published + 4.0 * suppressed)).abs() < 1e-6 * published,
            "{set:?}: upper {hi}"
        );
        assert!(lo <= mid && mid <= hi);
        assert!(rates
            .iter()
            .all(|o| o.method == stemgap_core::Method::Apportioned));
    }
}

#[test]
fn stem_professionals_share_covers_great_britain_with_survey_intervals() {
    let Some(db) = real_store() else { return };
    let store = stemgap_store::Store::open(&db).unwrap();
    for set in stemgap_core::BoundarySet::ALL {
        let obs = store
            .observations(Some(set), Some("stem_professionals_share"))
            .unwrap();
        let latest: Vec<_> = obs.iter().filter(|o| o.period == "2021").collect();
        assert_eq!(
            latest.len(),
            632,
            "{set:?}: every seat in Great Britain, none in NI"
        );
        assert!(latest
            .iter()
            .all(|o| o.code.nation() != Some(stemgap_core::Nation::NorthernIreland)));
        for o in &obs {
            match o.value {
                Some(v) => {
                    let (lo, hi) = (o.lower.unwrap(), o.upper.unwrap());
                    assert!(lo <= v && v <= hi && (0.0..0.5).contains(&v), "{o:?}");
                }
                // Unpublished survey cells are flagged, never zero.
                None => assert_eq!(o.flag, Some(stemgap_core::Marker::Confidential), "{o:?}"),
            }
        }
        let missing = latest.iter().filter(|o| o.value.is_none()).count();
        assert!(missing < 40, "{set:?}: {missing} seats missing in 2021");
    }
    let rows = export(&db, "2024");
    let share = column(&rows, "stem_professionals_share");
    let mut top: Vec<_> = rows
        .iter()
        .filter(|r| share.contains_key(&r["code"]))
        .collect();
    top.sort_by(|a, b| share[&b["code"]].total_cmp(&share[&a["code"]]));
    let names: Vec<_> = top.iter().take(5).map(|r| r["name"].as_str()).collect();
    assert!(names.contains(&"South Cambridgeshire"), "{names:?}");
}

#[test]
fn locate_postcodes_offline() {
    let Some(db) = real_store() else { return };
    let db = db.to_str().unwrap();
    // The checks SOURCES.md gives for the range lookup, in several spellings.
    for (postcode, code, name) in [
        ("SW1A 0AA", "E14001172", "Cities of London and Westminster"),
        ("ls11ur", "E14001319", "Leeds Central and Headingley"),
        (" AB10  1AB ", "S14000061", "Aberdeen South"),
        ("m1 1ae", "E14001352", "Manchester Central"),
    ] {
        let o = run(&["locate", postcode, "--db", db]);
        assert!(o.status.success(), "{postcode}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains(code) && out.contains(name),
            "{postcode}: {out}"
        );
    }
    let o = run(&["locate", "BT1 1AA", "--db", db]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("Northern Ireland, which the postcode lookup does not cover"),
        "{}",
        stderr(&o)
    );
    // The range lookup itself would answer these: they must be refused first.
    let o = run(&["locate", "ZZ99 9ZZ", "--db", db]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("there is no postcode area \"ZZ\""),
        "{}",
        stderr(&o)
    );
    let o = run(&["locate", "SW1A", "--db", db]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a UK postcode"),
        "{}",
        stderr(&o)
    );
    // A well-formed postcode in a gap between sectors has no seat.
    let o = run(&["locate", "DG6 9AZ", "--db", db]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("not in any constituency"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn neighbours_are_symmetric_and_islands_get_their_nearest_seat() {
    let Some(db) = real_store() else { return };
    let store = stemgap_store::Store::open(&db).unwrap();
    for (set, islands, pairs) in [
        (
            "pcon2010",
            &[
                "Isle of Wight",
                "Na h-Eileanan an Iar",
                "Orkney and Shetland",
                "Ynys Môn",
            ][..],
            (1600, 1720),
        ),
        (
            "pcon2024",
            &["Na h-Eileanan an Iar", "Orkney and Shetland", "Ynys Môn"][..],
            (1600, 1720),
        ),
    ] {
        let names: HashMap<String, String> = store
            .areas(stemgap_core::AreaKind::parse(set).expect("a seat kind"))
            .unwrap()
            .into_iter()
            .map(|a| (a.code, a.name))
            .collect();
        let border = store.links(&format!("border:{set}")).unwrap();
        let edges: std::collections::HashSet<(String, String)> = border
            .iter()
            .map(|l| (l.from.clone(), l.to.clone()))
            .collect();
        for (a, b) in &edges {
            assert_ne!(a, b, "{set}: a seat borders itself");
            assert!(
                edges.contains(&(b.clone(), a.clone())),
                "{set}: {a}→{b} without {b}→{a}"
            );
        }
        let n = edges.len() / 2;
        assert!((pairs.0..=pairs.1).contains(&n), "{set}: {n} border pairs");
        assert!(
            border
                .iter()
                .all(|l| l.weight > 0.0 && l.weight < 300_000.0),
            "{set}: border lengths in metres"
        );
        let nearest = store.links(&format!("nearest:{set}")).unwrap();
        let mut without_border: Vec<&str> = names
            .iter()
            .filter(|(c, _)| !border.iter().any(|l| &l.from == *c))
            .map(|(_, n)| n.as_str())
            .collect();
        without_border.sort();
        assert_eq!(without_border, islands, "{set}");
        for island in islands {
            let code = names.iter().find(|(_, n)| n == island).unwrap().0;
            assert!(
                nearest.iter().any(|l| &l.from == code),
                "{set}: {island} has no nearest seat"
            );
        }
    }
    let o = run(&["neighbours", "E14001172", "--db", db.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Holborn and St Pancras\tshared border"),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "neighbours",
        "E14000639",
        "--boundaries",
        "2010",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(
        stdout(&o).contains("Westminster North\tshared border"),
        "{}",
        stdout(&o)
    );
    let o = run(&["neighbours", "E14009999", "--db", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    let Some(db) = real_store() else { return };
    let mut child = crate::common::stemgap()
        .args([
            "export",
            "--db",
            db.to_str().unwrap(),
            "--boundaries",
            "2024",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here, like `stemgap export | head -c 16`.
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{:?} {}", o.status, stderr(&o));
}
