//! Cluster-robust inference and FDR control against statsmodels (CR1,
//! `multipletests`) and R's clubSandwich (CR2 with Bell–McCaffrey
//! Satterthwaite degrees of freedom) on the same made-up numbers, to 1e-9.
//!
//! Expected values: `crates/stats/tests/fixtures/cluster_reference.json`,
//! written by `dev/reference/cluster_reference.py` (versions inside).

use serde_json::Value;
use stemgap_stats::{benjamini_hochberg, cluster_robust, ClusterCov, OlsOptions};

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/cluster_reference.json")).unwrap()
}

fn v(x: &Value) -> Vec<f64> {
    x.as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        "{what}: {a} vs {b} (diff {:e})",
        (a - b).abs()
    );
}

fn inputs(case: &Value) -> (Vec<f64>, Vec<Vec<f64>>, Vec<usize>) {
    let y = v(&case["y"]);
    let x: Vec<Vec<f64>> = case["x"].as_array().unwrap().iter().map(v).collect();
    let c: Vec<usize> = case["cluster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_u64().unwrap() as usize)
        .collect();
    (y, x, c)
}

#[test]
fn cr1_matches_statsmodels_and_cr2_matches_clubsandwich() {
    let f = fixture();
    for case in f["cluster"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (y, x, c) = inputs(case);
        let cols: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
        let r = cluster_robust(&y, &cols, &c, &OlsOptions::default()).unwrap();
        let cr1 = &case["cr1"];
        close(r.df_cr1, cr1["df"].as_f64().unwrap(), &format!("{name} df"));
        for j in 0..3 {
            close(r.coef[j], v(&cr1["coef"])[j], &format!("{name} coef {j}"));
            close(r.se_cr1[j], v(&cr1["se"])[j], &format!("{name} CR1 se {j}"));
            close(
                r.p_value(j, ClusterCov::CR1).unwrap(),
                v(&cr1["p"])[j],
                &format!("{name} CR1 p {j}"),
            );
            let ci = r.conf_int(j, ClusterCov::CR1, 0.95).unwrap();
            let want = v(&cr1["ci95"][j]);
            close(ci.0, want[0], &format!("{name} CR1 ci low {j}"));
            close(ci.1, want[1], &format!("{name} CR1 ci high {j}"));
            let cr2 = &case["cr2"];
            let (se, df) = r.se_df(j, ClusterCov::CR2).unwrap();
            close(se, v(&cr2["se"])[j], &format!("{name} CR2 se {j}"));
            close(df, v(&cr2["df"])[j], &format!("{name} CR2 df {j}"));
            close(
                r.p_value(j, ClusterCov::CR2).unwrap(),
                v(&cr2["p"])[j],
                &format!("{name} CR2 p {j}"),
            );
        }
    }
}

#[test]
fn weighted_cr1_matches_statsmodels_wls() {
    let f = fixture();
    let case = &f["cluster_weighted"];
    let (y, x, c) = inputs(case);
    let w = v(&case["weights"]);
    let cols: Vec<&[f64]> = x.iter().map(Vec::as_slice).collect();
    let r = cluster_robust(&y, &cols, &c, &OlsOptions::default().weights(&w)).unwrap();
    for j in 0..3 {
        close(r.coef[j], v(&case["cr1"]["coef"])[j], "weighted coef");
        close(r.se_cr1[j], v(&case["cr1"]["se"])[j], "weighted CR1 se");
    }
    // CR2 is defined for unweighted fits only.
    assert!(r.se_cr2.is_none());
}

#[test]
fn benjamini_hochberg_matches_statsmodels() {
    let f = fixture();
    let q = benjamini_hochberg(&v(&f["bh"]["p"])).unwrap();
    for (a, b) in q.iter().zip(v(&f["bh"]["q"])) {
        close(*a, b, "BH q");
    }
}
