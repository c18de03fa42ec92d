//! The findings on a tiny made-up country whose answers can be worked out
//! by hand: ten English seats in a row (each borders the next) and one
//! Welsh seat.

use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Direction, GssCode, IndicatorDef, Method, Nation, Observation};
use stemgap_findings::{compute, Comparability, Dataset, Finding, Seat, REPLICATES, SEED};

const SET: BoundarySet = BoundarySet::Pcon2024;

fn code(i: usize) -> GssCode {
    GssCode::parse(&format!("E1400{}", 1063 + i)).unwrap()
}

fn wales() -> GssCode {
    GssCode::parse("W07000081").unwrap()
}

fn def(id: &str, unit: &str) -> IndicatorDef {
    IndicatorDef {
        id: id.into(),
        title: id.replace('_', " "),
        definition: String::new(),
        unit: unit.into(),
        direction: Direction::Neutral,
        sources: vec![],
        period: "2021".into(),
        nations: vec![Nation::England],
        method: Method::Measured,
        caveats: String::new(),
    }
}

fn obs(c: GssCode, id: &str, v: f64) -> Observation {
    Observation {
        code: c,
        boundary: Some(SET),
        indicator: id.into(),
        period: "2021".into(),
        value: Some(v),
        lower: None,
        upper: None,
        flag: None,
        method: Method::Measured,
        source: "hand".into(),
    }
}

/// Seat i: imd_score 10·2^(i/3); level4_share 0.5·score^(-1/2) exactly;
/// population 1000; FE rate i + 1; HE providers in seats 2 and 7 only;
/// STEM jobs share 0.1 + 0.01 i except 0.5 in seat 2 and 0.3 in seat 7.
fn dataset(reverse: bool) -> Dataset {
    let mut seats: Vec<Seat> = (0..10)
        .map(|i| Seat {
            code: code(i),
            name: format!("Seat {i}"),
            nation: Nation::England,
        })
        .collect();
    seats.push(Seat {
        code: wales(),
        name: "Welsh seat".into(),
        nation: Nation::Wales,
    });
    let mut o = Vec::new();
    for i in 0..10 {
        let score = 10.0 * 2f64.powf(i as f64 / 3.0);
        o.push(obs(code(i), "imd_score", score));
        o.push(obs(code(i), "level4_share", 0.5 * score.powf(-0.5)));
        o.push(obs(code(i), "population", 1000.0));
        o.push(obs(
            code(i),
            "fe_stem_achievements_per_1000",
            i as f64 + 1.0,
        ));
        o.push(obs(
            code(i),
            "hei_count",
            if i == 2 || i == 7 { 1.0 } else { 0.0 },
        ));
        let jobs = match i {
            2 => 0.5,
            7 => 0.3,
            _ => 0.1 + 0.01 * i as f64,
        };
        o.push(obs(code(i), "stem_jobs_share", jobs));
    }
    o.push(obs(wales(), "level4_share", 0.3));
    let defs = vec![
        def("imd_score", "score"),
        def("level4_share", "share"),
        def("population", "count"),
        def("fe_stem_achievements_per_1000", "rate_per_1000"),
        def("hei_count", "count"),
        def("stem_jobs_share", "share"),
    ];
    let borders: Vec<_> = (0..9).map(|i| (SET, code(i), code(i + 1))).collect();
    if reverse {
        seats.reverse();
        o.reverse();
    }
    Dataset::new(BTreeMap::from([(SET, seats)]), defs, &o, &borders)
}

fn part<'a>(all: &'a [Finding], id: &str) -> &'a Finding {
    all.iter()
        .flat_map(|f| f.walk())
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn f1_recovers_an_exact_power_law() {
    let all = compute(&dataset(false)).findings;
    let f = part(&all, "F1/2024/level4_share");
    let expected = (2f64.powf(-0.5) - 1.0) * 100.0; // -29.289…%
    assert!((f.estimate.unwrap() - expected).abs() < 1e-9, "{f:?}");
    assert_eq!(f.n, 10);
    assert_eq!(f.excluded.len(), 1);
    assert_eq!(f.excluded[0].codes, ["W07000081"]);
    assert!(f.statement.contains("29.3% lower"), "{}", f.statement);
    // The headline of F1 is this part.
    assert_eq!(part(&all, "F1").estimate, f.estimate);
    // Nothing for the other set: said, not invented.
    let other = part(&all, "F1/2010/level4_share");
    assert_eq!(other.estimate, None);
    assert!(other.statement.starts_with("Not estimated"));
}

#[test]
fn f2_compares_the_most_and_least_deprived_fifths() {
    let all = compute(&dataset(false)).findings;
    let f = part(&all, "F2/2024/fe_stem_achievements_per_1000");
    // Equal populations: fifths of two seats. Most deprived (seats 8, 9):
    // mean 9.5; least (0, 1): mean 1.5.
    assert!((f.estimate.unwrap() - 9.5 / 1.5).abs() < 1e-12);
    assert_eq!(f.details["mean_most_deprived"], 9.5);
    assert_eq!(f.details["mean_least_deprived"], 1.5);
    assert_eq!(
        (f.n, f.seed, f.replicates),
        (4, Some(SEED), Some(REPLICATES))
    );
    let (lo, hi) = (f.ci_low.unwrap(), f.ci_high.unwrap());
    assert!(lo <= f.estimate.unwrap() && f.estimate.unwrap() <= hi);
}

#[test]
fn f4_compares_he_seats_with_their_plain_neighbours() {
    let all = compute(&dataset(false)).findings;
    let f = part(&all, "F4/2024/stem_jobs_share");
    // Seat 2: 50 - mean(11, 13) = 38 points; seat 7: 30 - mean(16, 18) = 13.
    assert!((f.estimate.unwrap() - 25.5).abs() < 1e-9, "{f:?}");
    assert_eq!(f.n, 2);
    assert_eq!(f.unit, "percentage points");
    assert!(f.details.contains_key("wilcoxon_p"));
}

#[test]
fn gaps_grade_each_nation_and_say_why() {
    let out = compute(&dataset(false));
    assert_eq!(out.gaps.len(), 6 * 4);
    let row = |id: &str, nation: &str| {
        out.gaps
            .iter()
            .find(|r| r.indicator == id && r.nation == nation)
            .unwrap()
    };
    let e = row("imd_score", "England");
    assert_eq!(
        (e.status_2024.as_str(), e.seats_2024, e.of_2024),
        ("measured", 10, 10)
    );
    assert_eq!(e.comparability, Comparability::NotComparable);
    let s = row("level4_share", "Scotland");
    assert_eq!(s.comparability, Comparability::Missing);
    assert!(s.reason.contains("Census 2022"), "{}", s.reason);
    assert_eq!(
        row("level4_share", "Wales").comparability,
        Comparability::SameDefinition
    );
    assert_eq!(row("stem_jobs_share", "Wales").status_2024, "missing");
    let f6 = part(&out.findings, "F6");
    assert_eq!(f6.n, 24);
}

#[test]
fn findings_do_not_depend_on_input_order() {
    let a = compute(&dataset(false));
    let b = compute(&dataset(true));
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&compute(&dataset(false))).unwrap()
    );
    // Every finding of the contract is there, each with a statement.
    let ids: Vec<&str> = a.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "F1",
            "F2",
            "F3",
            "F4",
            "F5",
            "F7",
            "F6",
            "spatial",
            "sensitivity"
        ]
    );
    assert!(a.findings.iter().all(|f| !f.statement.is_empty()));
}

#[test]
fn spatial_structure_of_a_trend_along_the_row() {
    let all = compute(&dataset(false)).findings;
    let f = part(&all, "spatial/2024/imd_score");
    // A monotone trend along a path is strongly positively autocorrelated.
    assert!(f.estimate.unwrap() > 0.5, "{f:?}");
    assert_eq!(f.n, 10);
}
