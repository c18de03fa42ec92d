//! The findings on a tiny made-up country whose answers can be worked out
//! by hand: ten English seats in a row (each borders the next) and one
//! Welsh seat.

use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Direction, GssCode, IndicatorDef, Method, Nation, Observation};
use stemgap_findings::{
    compute, inference, Comparability, Dataset, Finding, Seat, Verdict, REPLICATES,
};

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
            region: Some("E12000001".into()),
        })
        .collect();
    seats.push(Seat {
        code: wales(),
        name: "Welsh seat".into(),
        nation: Nation::Wales,
        region: Some("W92000004".into()),
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
    // Each part has its own recorded seed.
    assert_eq!(
        (f.n, f.seed, f.replicates),
        (
            4,
            Some(inference::seed("F2/2024/fe_stem_achievements_per_1000")),
            Some(REPLICATES)
        )
    );
    assert_ne!(f.seed, part(&all, "F2/2024/fe_achievements_per_1000").seed);
    let (lo, hi) = (f.ci_low.unwrap(), f.ci_high.unwrap());
    assert!(lo <= f.estimate.unwrap() && f.estimate.unwrap() <= hi);
    // Without authorities the seats are the units, and it says so.
    assert_eq!(f.clusters, None);
    assert!(
        f.inference.contains("resampling whole seats"),
        "{}",
        f.inference
    );
}

/// The dataset with seats in five authorities of two seats each (seats i
/// and i + 5), the FE rate declared an authority figure.
fn clustered() -> Dataset {
    let authorities: Vec<_> = (0..10)
        .map(|i| (SET, code(i), format!("E0800000{}", i % 5)))
        .collect();
    dataset(false)
        .with_authorities(&authorities)
        .with_authority_level(["fe_stem_achievements_per_1000"])
}

#[test]
fn authority_figures_are_inferred_by_authority() {
    let all = compute(&clustered()).findings;
    let f = part(&all, "F2/2024/fe_stem_achievements_per_1000");
    // Same point estimate; the bootstrap resamples the four authorities
    // that hold the two fifths' seats (0, 1 and 8, 9: authorities 0, 1, 3, 4).
    assert!((f.estimate.unwrap() - 9.5 / 1.5).abs() < 1e-12, "{f:?}");
    assert_eq!(f.clusters, Some(4));
    assert!(f.inference.contains("local authorities"), "{}", f.inference);
    // The seat bootstrap is reported beside it.
    assert!(f.details.contains_key("ci_seats_low"));
    // At authority level five authorities make fifths of one: too few.
    let a = part(&all, "F2/2024/fe_stem_achievements_per_1000/authorities");
    assert!(a.statement.starts_with("Not estimated"), "{}", a.statement);
    // With one seat per authority it is the seat-level contrast.
    let single: Vec<_> = (0..10)
        .map(|i| (SET, code(i), format!("E0800001{i}")))
        .collect();
    let data = dataset(false)
        .with_authorities(&single)
        .with_authority_level(["fe_stem_achievements_per_1000"]);
    let all = compute(&data).findings;
    let a = part(&all, "F2/2024/fe_stem_achievements_per_1000/authorities");
    assert_eq!(a.clusters, Some(10));
    assert!((a.estimate.unwrap() - 9.5 / 1.5).abs() < 1e-12, "{a:?}");
}

/// The hand dataset with seat i under code `codes[i]` (values travel with
/// the seat) and a share of deprived areas that is 0 for the six least
/// deprived seats: six seats tied on the basis.
fn tied(codes: [usize; 10]) -> Dataset {
    let seats: Vec<Seat> = (0..10)
        .map(|i| Seat {
            code: code(codes[i]),
            name: format!("Seat {i}"),
            nation: Nation::England,
            region: Some("E12000001".into()),
        })
        .collect();
    let mut o = Vec::new();
    for (i, &k) in codes.iter().enumerate() {
        let c = code(k);
        let score = 10.0 * 2f64.powf(i as f64 / 3.0);
        o.push(obs(c, "imd_score", score));
        o.push(obs(
            c,
            "imd_most_deprived_share",
            if i < 6 { 0.0 } else { (i - 5) as f64 * 0.1 },
        ));
        o.push(obs(c, "population", 1000.0));
        o.push(obs(c, "fe_stem_achievements_per_1000", i as f64 + 1.0));
    }
    let defs = vec![
        def("imd_score", "score"),
        def("imd_most_deprived_share", "share"),
        def("population", "count"),
        def("fe_stem_achievements_per_1000", "rate_per_1000"),
    ];
    Dataset::new(BTreeMap::from([(SET, seats)]), defs, &o, &[])
}

#[test]
fn ties_are_broken_by_the_declared_key_not_by_seat_code() {
    // Which of the six tied seats form the least deprived fifth must not
    // depend on their codes: relabel the tied seats' codes and the F2 cell
    // on the share basis keeps its estimate (ties broken by the IMD score).
    let cell =
        "sensitivity/F2/deprivation_basis/national_index_imd_2019_share_in_the_most_deprived_10%";
    let estimate = |codes| part(&compute(&tied(codes)).findings, cell).estimate;
    let plain = estimate([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let shuffled = estimate([5, 3, 4, 0, 2, 1, 6, 7, 8, 9]);
    // Least deprived fifth: seats 0 and 1 (lowest scores), mean 1.5;
    // most deprived: seats 8 and 9, mean 9.5.
    assert_eq!(plain, Some(9.5 / 1.5));
    assert_eq!(plain, shuffled);
}

#[test]
fn identical_grid_cells_are_counted_once() {
    // A composite index equal to the national one on every seat (as on
    // the 2010 seats in England): that cell is the headline again, said
    // once; cells without data (no 2010 set) are not duplicates.
    let mut data_obs = Vec::new();
    for i in 0..10 {
        let score = 10.0 * 2f64.powf(i as f64 / 3.0);
        data_obs.push(obs(code(i), "uk_imd_score", score));
    }
    let base = tied([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let mut defs = base.definitions().to_vec();
    defs.push(def("uk_imd_score", "score"));
    let mut all_obs = data_obs;
    for i in 0..10 {
        let c = code(i);
        for id in [
            "imd_score",
            "imd_most_deprived_share",
            "population",
            "fe_stem_achievements_per_1000",
        ] {
            if let Some(f) = base.figure(SET, id, c) {
                all_obs.push(obs(c, id, f.value));
            }
        }
    }
    let seats = base.seats(SET).to_vec();
    let data = Dataset::new(BTreeMap::from([(SET, seats)]), defs, &all_obs, &[]);
    let all = compute(&data).findings;
    let g = part(&all, "sensitivity/F2");
    let dups: Vec<&Finding> = g
        .parts
        .iter()
        .filter(|p| p.details.get("duplicate") == Some(&1.0))
        .collect();
    // The composite index, and the suppression bounds (nothing is
    // suppressed here, so both bounds give the headline's inputs).
    let titles: Vec<&str> = dups.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(dups.len(), 3, "{titles:?}");
    assert!(titles
        .iter()
        .any(|t| t.contains("composite UK index (mySociety), mean score")));
    for d in &dups {
        assert!(d.statement.contains("headline"), "{}", d.statement);
        assert_eq!(d.estimate, None);
    }
}

#[test]
fn the_ledger_names_the_report_and_titles_follow_it() {
    let all = compute(&dataset(false)).findings;
    for id in ["F1", "F2", "F3", "F4", "F5", "F6"] {
        let f = part(&all, id);
        let l = f
            .report
            .as_ref()
            .unwrap_or_else(|| panic!("{id} has no ledger"));
        assert!(!l.claim.is_empty() && !l.rule.is_empty());
        if l.verdict == Verdict::NotReproduced || l.verdict == Verdict::Contradicted {
            assert!(!f.title.contains("lean on"), "{id}: {}", f.title);
        }
    }
    // F1's exact power law falls with deprivation, on another measure than
    // the report's: partly reproduced.
    assert_eq!(
        part(&all, "F1").report.as_ref().unwrap().verdict,
        Verdict::PartlyReproduced
    );
    // No apprenticeship data here: F3 cannot be tested.
    assert_eq!(
        part(&all, "F3").report.as_ref().unwrap().verdict,
        Verdict::CannotBeTested
    );
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
    // The permutation test: its p, its seed and its null distribution,
    // and the t test's own p beside its own interval (999 relabellings for
    // registered providers; 9,999 under the headline teaching definition).
    assert_eq!(f.replicates, Some(999));
    assert_eq!(f.seed, Some(inference::seed("F4/2024/stem_jobs_share")));
    let p = f.p_value.unwrap();
    assert!(p > 0.0 && p <= 1.0);
    assert!(f.details.contains_key("null_mean") && f.details.contains_key("t_p"));
    assert!(f.statement.contains("at random"), "{}", f.statement);
    // Without a teaching-presence marker that definition says why.
    let t = part(&all, "F4/2024/teaching/stem_jobs_share");
    assert!(t.statement.starts_with("Not estimated"), "{}", t.statement);
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
            "F6",
            "F7",
            "F8",
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
