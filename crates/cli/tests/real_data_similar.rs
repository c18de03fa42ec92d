//! Similar seats, the comparison with the nation and the series breaks on
//! the real store (skipped, with a message, when `../shared/data` is
//! absent): every seat of both sets gets 15 similar seats of its own
//! nation, nearest first; Northern Ireland and Scotland say which
//! characteristics they lack; every similar-seats answer matches the
//! OpenAPI document; only survey intervals are tested against the nation,
//! and the verdicts agree with the intervals.

use crate::real_data::real_store;
use std::sync::{Arc, OnceLock};
use stemgap_core::{BoundarySet, Nation};
use stemgap_web::benchmark::{verdict, Verdict};
use stemgap_web::{App, Shared};

fn real_app() -> Option<Shared> {
    static APP: OnceLock<Option<Shared>> = OnceLock::new();
    APP.get_or_init(|| {
        let db = real_store()?;
        Some(Arc::new(App::open(&db).expect("the real atlas loads")))
    })
    .clone()
}

#[test]
fn real_every_seat_gets_15_similar_seats_of_its_own_nation() {
    let Some(app) = real_app() else { return };
    for set in [BoundarySet::Pcon2010, BoundarySet::Pcon2024] {
        let s = app.atlas.set(set);
        let sim = app.similar(set);
        for (i, seat) in s.seats.iter().enumerate() {
            let near = &sim.nearest[i];
            assert_eq!(near.len(), 15, "{} {}", seat.code, seat.name);
            for w in near.windows(2) {
                assert!(w[0].1 <= w[1].1, "{}: not nearest first", seat.code);
            }
            for &(j, d) in near {
                assert_ne!(j, i, "{} is not its own neighbour", seat.code);
                assert_eq!(
                    s.seats[j].nation, seat.nation,
                    "{} and {}",
                    seat.code, s.seats[j].code
                );
                assert!(d.is_finite() && d >= 0.0);
            }
            // Symmetric distances: if j is near i at d, i's distance to j
            // (when j lists i) is the same.
            for &(j, d) in near {
                if let Some(&(_, e)) = sim.nearest[j].iter().find(|p| p.0 == i) {
                    assert!((d - e).abs() < 1e-12, "{} {}", seat.code, s.seats[j].code);
                }
            }
        }
        // Every seat's outline has an area, and they add up to the UK's
        // ~243,000 km² (the simplified outlines; ONS: 242,741 km²).
        let total: f64 = sim
            .area_km2
            .iter()
            .map(|a| a.expect("every seat has an area"))
            .sum();
        assert!((238_000.0..248_000.0).contains(&total), "{total}");
        // What each nation uses, and lacks.
        let m = |n: Nation| &sim.models[stemgap_web::atlas::nation_slot(n)];
        let ids = |n: Nation| m(n).used.iter().map(|u| u.id.as_str()).collect::<Vec<_>>();
        assert!(ids(Nation::England).contains(&"industry_c_share"));
        assert!(ids(Nation::England).contains(&"age_65_plus_share"));
        let ni = ids(Nation::NorthernIreland);
        assert!(
            ni.contains(&"uk_imd_score") && ni.contains(&"population_density"),
            "{ni:?}"
        );
        assert!(!ni.iter().any(|i| i.starts_with("age_")), "{ni:?}");
        let why = &m(Nation::NorthernIreland).left_out;
        assert!(
            why.iter()
                .any(|(t, r)| t == "Aged 65 and over" && r.contains("no Northern Ireland seat")),
            "{why:?}"
        );
        assert!(!ids(Nation::Scotland).contains(&"industry_c_share"));
    }
}

#[test]
fn real_similar_and_benchmark_answers_match_the_openapi_document() {
    let Some(app) = real_app() else { return };
    let doc = stemgap_web::schema::document().unwrap();
    let schema =
        stemgap_web::schema::response_schema(&doc, "/api/v1/constituencies/{code}/similar", 200)
            .unwrap();
    let bench =
        stemgap_web::schema::response_schema(&doc, "/api/v1/constituencies/{code}/benchmark", 200)
            .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let get = |uri: &str| -> serde_json::Value {
        let body = rt.block_on(async {
            use http_body_util::BodyExt;
            use tower::ServiceExt;
            let req = axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap();
            let res = stemgap_web::router(app.clone()).oneshot(req).await.unwrap();
            assert_eq!(res.status(), 200, "{uri}");
            res.into_body().collect().await.unwrap().to_bytes()
        });
        serde_json::from_slice(&body).unwrap()
    };
    for set in [BoundarySet::Pcon2010, BoundarySet::Pcon2024] {
        let s = app.atlas.set(set);
        for seat in s.seats.iter().step_by(25) {
            let uri = format!(
                "/api/v1/constituencies/{}/similar?boundaries={}",
                seat.code,
                set.id()
            );
            let v = get(&uri);
            let errors = stemgap_web::schema::validate(&doc, schema, &v);
            assert!(errors.is_empty(), "{uri}:\n{}", errors.join("\n"));
            assert_eq!(v["similar"].as_array().unwrap().len(), 15, "{uri}");
            let uri = uri.replace("/similar?", "/benchmark?");
            let v = get(&uri);
            let errors = stemgap_web::schema::validate(&doc, bench, &v);
            assert!(errors.is_empty(), "{uri}:\n{}", errors.join("\n"));
            assert!(!v["indicators"].as_array().unwrap().is_empty(), "{uri}");
        }
    }
}

#[test]
fn real_only_survey_intervals_are_tested_and_verdicts_agree_with_them() {
    let Some(app) = real_app() else { return };
    let atlas = &app.atlas;
    let mut tested = 0;
    let mut not_sampling = 0;
    for set in [BoundarySet::Pcon2010, BoundarySet::Pcon2024] {
        let s = atlas.set(set);
        for (k, d) in atlas.indicators.iter().enumerate() {
            let series = &s.series[k];
            for (i, seat) in s.seats.iter().enumerate() {
                let (Some(o), Some(slot)) = (
                    series.latest(i),
                    seat.nation.map(stemgap_web::atlas::nation_slot),
                ) else {
                    continue;
                };
                let Some(b) = series.nation_mean[slot] else {
                    continue;
                };
                let Some(v) = verdict(o, b) else { continue };
                match v {
                    Verdict::Tested { at95, .. } => {
                        assert!(o.source.starts_with("nomis_aps_"), "{} {}", d.id, o.source);
                        let (lo, hi) = (o.lower.unwrap(), o.upper.unwrap());
                        let want = if lo > b {
                            "higher"
                        } else if hi < b {
                            "lower"
                        } else {
                            "similar"
                        };
                        assert_eq!(at95.id(), want, "{} {}", d.id, seat.code);
                        tested += 1;
                    }
                    Verdict::NotTested(why) => {
                        if o.lower.is_some() {
                            assert!(why.contains("not a sampling interval"), "{} {why}", d.id);
                            not_sampling += 1;
                        }
                    }
                }
            }
        }
    }
    // The APS shares of both sets are tested; DfE's and the other bounds
    // are not.
    assert!(tested > 2_000, "{tested}");
    assert!(not_sampling > 1_000, "{not_sampling}");
}

#[test]
fn real_ks4_series_breaks_are_in_the_api() {
    let Some(app) = real_app() else { return };
    let s = app.atlas.set(BoundarySet::Pcon2010);
    let (k, _) = app.atlas.indicator("ks4_a_c_pct").unwrap();
    let i = (0..s.seats.len())
        .find(|&i| s.series[k].obs[i].len() >= 12)
        .expect("a seat with every KS4 year");
    let b = stemgap_web::trend::seat_breaks("ks4_a_c_pct", &s.series[k].obs[i]);
    let at: Vec<&str> = b.iter().map(|x| x.0).collect();
    assert_eq!(at, vec!["2017", "2020", "2022"], "{b:?}");
}
