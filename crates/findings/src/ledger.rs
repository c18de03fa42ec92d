//! The reproduction ledger: what the 2023 report said (*Regional STEM
//! skills inequity*, All-Party Parliamentary Group on Diversity and
//! Inclusion in STEM, July 2023, research by London Economics for the
//! British Science Association), how today's public data compare, and the
//! verdict by one stated rule. Titles follow the verdict: a finding whose
//! data do not support the report's claim never has a title asserting it.
//!
//! **The rule.** With today's headline estimate e, its interval [lo, hi]
//! and the point of no difference z (0 for slopes and differences, 1 for
//! ratios):
//!
//! * the interval contains z → **not reproduced** (the data cannot tell the
//!   claimed direction from none);
//! * the interval lies on the other side of z from the claim →
//!   **contradicted**;
//! * the interval lies on the claimed side and contains the report's figure,
//!   or (where the report gave one and the measures are on the same
//!   scale) e is within a factor of 3 of it → **reproduced**; on the claimed
//!   side but the report's figure is outside that range, or the measure is
//!   not the report's own → **partly reproduced**; where the report gave
//!   no figure, the claimed side alone → **reproduced**;
//! * no estimate, or no data that could test the claim → **cannot be
//!   tested**.
//!
//! Ratios are compared on the log scale (a factor of 3 in log-ratio).

use crate::text::num;
use crate::{Finding, Ledger, Verdict};

/// Which way the report's claim points, relative to no difference.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Below,
    Above,
}

struct Claim {
    id: &'static str,
    words: &'static str,
    report_value: Option<f64>,
    side: Side,
    /// The point of no difference.
    null: f64,
    /// Is today's measure on the report's own scale?
    same_scale: bool,
    comparable: &'static str,
    /// Titles by verdict: reproduced / partly, and otherwise.
    title_holds: &'static str,
    title_fails: &'static str,
}

const CLAIMS: [Claim; 5] = [
    Claim {
        id: "F1",
        words: "STEM skills fall as deprivation rises: more deprived constituencies have a smaller share of STEM graduates (the report put the fall at about 5%).",
        report_value: Some(-5.0),
        side: Side::Below,
        null: 0.0,
        same_scale: false,
        comparable: "Today's headline measure is the share of residents with Level 4+ qualifications in any subject (Census 2021), per doubling of the IMD 2019 score, on the 2024 seats; the report measured STEM graduates on the 2010 seats and its scale is not per doubling. STEM professionals (Annual Population Survey, shared out from local authorities) are given as a part.",
        title_holds: "Degree-level qualifications fall as deprivation rises",
        title_fails: "No clear fall in degree-level qualifications with deprivation",
    },
    Claim {
        id: "F2",
        words: "The most deprived constituencies typically have three times the take-up of STEM further education courses of the least deprived.",
        report_value: Some(3.0),
        side: Side::Above,
        null: 1.0,
        same_scale: true,
        comparable: "STEM further-education achievements per 1,000 adults (DfE, 2021/22, a part year), local-authority figures shared out to seats, most vs least deprived population-weighted fifth of seats by the IMD 2019 score; the full years 2015/16-2020/21 of the same measure are parts, year by year and pooled. The report's exact measure and year may differ.",
        title_holds: "Deprived areas lean on STEM further education",
        title_fails: "STEM further education take-up by deprivation: no clear lean",
    },
    Claim {
        id: "F3",
        words: "Deprived areas rely on further education and apprenticeships rather than degrees for STEM skills.",
        report_value: None,
        side: Side::Above,
        null: 1.0,
        same_scale: true,
        comparable: "Apprenticeship starts per 1,000 residents (DfE, latest year), local-authority figures shared out to seats; the report gave no single figure to compare with. Achievements and other years are parts and grid cells.",
        title_holds: "Deprived areas lean on apprenticeships",
        title_fails: "Apprenticeships by deprivation: no clear lean in the latest data",
    },
    Claim {
        id: "F4",
        words: "Universities do not bring more STEM jobs to their own constituency than to the neighbouring ones.",
        report_value: None,
        // The claim is "no more": contradicted only by a clear excess.
        side: Side::Below,
        null: 0.0,
        same_scale: true,
        comparable: "STEM jobs (BRES 2024, employees by workplace, shared out from MSOAs) in seats with physical higher-education teaching (or, as a part, any registered provider) minus their bordering seats without, tested against random relabellings of which seats hold higher education.",
        title_holds: "Seats with universities have no more STEM jobs than their neighbours",
        title_fails: "Seats with universities have more STEM jobs than their neighbours",
    },
    Claim {
        id: "F5",
        words: "The link between STEM jobs and deprivation depends on the sector: areas of older industry (manufacturing, mining) combine high deprivation with many STEM jobs, areas of new industry have low deprivation.",
        report_value: None,
        side: Side::Above,
        null: 0.0,
        same_scale: true,
        comparable: "Census 2021 employment by industry of residents: the correlation with the IMD 2019 score of old industry (B-E) minus that of new industry (J, M); the report used STEM jobs by workplace.",
        title_holds: "The link between STEM jobs and deprivation depends on the sector",
        title_fails: "Old and new industry relate to deprivation alike",
    },
];

const F6_CLAIM: &str = "A comprehensive review of regional STEM skills is not possible: data on education, training and the workforce are often missing, and not comparable between education stages, settings, sectors or the UK's nations.";

/// The verdict for an estimate and interval against a claim.
fn verdict(c: &Claim, e: f64, lo: f64, hi: f64) -> (Verdict, String) {
    let on_claimed_side = match c.side {
        Side::Above => lo > c.null,
        Side::Below => hi < c.null,
    };
    let on_other_side = match c.side {
        Side::Above => hi < c.null,
        Side::Below => lo > c.null,
    };
    let interval = format!("{} (95% CI {} to {})", num(e), num(lo), num(hi));
    if !on_claimed_side && !on_other_side {
        return (
            Verdict::NotReproduced,
            format!(
                "today's interval {interval} includes no difference ({})",
                num(c.null)
            ),
        );
    }
    if on_other_side {
        return (
            Verdict::Contradicted,
            format!("today's interval {interval} lies on the other side of no difference from the report's claim"),
        );
    }
    match c.report_value {
        None => (
            Verdict::Reproduced,
            format!("today's interval {interval} lies on the claimed side of no difference; the report gave no figure to compare"),
        ),
        Some(r) => {
            let contains = lo <= r && r <= hi;
            let (a, b) = if c.null == 1.0 {
                (e.ln(), r.ln())
            } else {
                (e, r)
            };
            let factor = (a / b).abs().max((b / a).abs());
            if !c.same_scale {
                (
                    Verdict::PartlyReproduced,
                    format!("today's interval {interval} lies on the claimed side, but the measure is not the report's own, so its figure ({}) cannot be checked", num(r)),
                )
            } else if contains || (a * b > 0.0 && factor <= 3.0) {
                (
                    Verdict::Reproduced,
                    format!("today's interval {interval} lies on the claimed side and {} the report's {}", if contains { "contains" } else { "is within a factor of 3 of" }, num(r)),
                )
            } else {
                (
                    Verdict::PartlyReproduced,
                    format!("today's interval {interval} lies on the claimed side but more than a factor of 3 from the report's {}", num(r)),
                )
            }
        }
    }
}

/// F4's claim is "no more": it is contradicted only when seats with higher
/// education exceed their neighbours by more than random placement gives
/// (permutation p < 0.05 above the null distribution's mean), because
/// comparison seats are shared and the null is not centred on zero.
fn f4_verdict(observed: f64, null_mean: f64, p: f64) -> (Verdict, String) {
    let text = format!(
        "observed difference {} against {} for random placements, permutation p = {}",
        num(observed),
        num(null_mean),
        num(p)
    );
    match (p < 0.05, observed > null_mean) {
        (true, true) => (
            Verdict::Contradicted,
            format!("{text}: seats with higher education have more STEM jobs than their neighbours beyond what placement alone gives"),
        ),
        (true, false) => (
            Verdict::Reproduced,
            format!("{text}: seats with higher education have fewer STEM jobs than their neighbours, beyond what placement alone gives, so certainly not more"),
        ),
        (false, _) => (
            Verdict::Reproduced,
            format!("{text}: no evidence of more STEM jobs than placement alone gives"),
        ),
    }
}

/// Fills in the ledger of F1–F6 (after their headlines are lifted) and
/// sets their titles by the verdict.
pub fn annotate(findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        if let Some(c) = CLAIMS.iter().find(|c| c.id == f.id) {
            let (v, rule) = match (f.estimate, f.ci_low, f.ci_high) {
                (Some(e), Some(_), Some(_)) if c.id == "F4" => {
                    match (f.p_value, f.details.get("null_mean")) {
                        (Some(p), Some(&null)) => f4_verdict(e, null, p),
                        _ => (
                            Verdict::CannotBeTested,
                            "no permutation test could be made".to_owned(),
                        ),
                    }
                }
                (Some(e), Some(lo), Some(hi)) => verdict(c, e, lo, hi),
                _ => (
                    Verdict::CannotBeTested,
                    "no estimate could be made from the sources".to_owned(),
                ),
            };
            f.title = match v {
                Verdict::Reproduced | Verdict::PartlyReproduced => c.title_holds,
                Verdict::CannotBeTested => f.title.as_str(),
                _ => c.title_fails,
            }
            .to_owned();
            f.report = Some(Ledger {
                claim: c.words.to_owned(),
                report_value: c.report_value,
                comparable: c.comparable.to_owned(),
                verdict: v,
                rule,
            });
        } else if f.id == "F6" {
            let missing = f.details.get("cells_missing").copied().unwrap_or(0.0);
            let not_comparable = f
                .details
                .get("cells_not_comparable")
                .copied()
                .unwrap_or(0.0);
            let (v, rule) = if missing + not_comparable > 0.0 {
                (
                    Verdict::Reproduced,
                    format!(
                        "{} of {} indicator × nation cells have no figures and {} are not comparable between nations",
                        missing as usize,
                        f.n,
                        not_comparable as usize
                    ),
                )
            } else {
                (
                    Verdict::Contradicted,
                    "every indicator has comparable figures in every nation".to_owned(),
                )
            };
            f.report = Some(Ledger {
                claim: F6_CLAIM.to_owned(),
                report_value: None,
                comparable: "The gap register of stemgap's own indicators by nation: a narrower set than the report's whole review, but the same question.".to_owned(),
                verdict: v,
                rule,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str) -> &'static Claim {
        CLAIMS.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn the_rule() {
        let f2 = claim("F2");
        assert_eq!(verdict(f2, 4.3, 3.6, 5.1).0, Verdict::Reproduced);
        assert_eq!(verdict(f2, 2.9, 2.5, 3.3).0, Verdict::Reproduced);
        assert_eq!(verdict(f2, 30.0, 20.0, 40.0).0, Verdict::PartlyReproduced);
        assert_eq!(verdict(f2, 1.04, 0.99, 1.10).0, Verdict::NotReproduced);
        assert_eq!(verdict(f2, 0.8, 0.7, 0.9).0, Verdict::Contradicted);
        let f3 = claim("F3");
        assert_eq!(verdict(f3, 1.12, 1.05, 1.2).0, Verdict::Reproduced);
        // F1's measure is not the report's: at most partly.
        assert_eq!(
            verdict(claim("F1"), -18.8, -21.0, -16.0).0,
            Verdict::PartlyReproduced
        );
        assert_eq!(
            verdict(claim("F1"), -2.0, -5.0, 1.0).0,
            Verdict::NotReproduced
        );
        // F4 claims "no more", judged by the permutation test.
        assert_eq!(f4_verdict(1.0, 0.8, 0.4).0, Verdict::Reproduced);
        assert_eq!(f4_verdict(3.0, 0.5, 0.001).0, Verdict::Contradicted);
        assert_eq!(f4_verdict(-3.0, 0.5, 0.001).0, Verdict::Reproduced);
    }

    #[test]
    fn titles_follow_the_verdict() {
        let mut f = Finding::new("F3", "anything");
        f.estimate = Some(1.04);
        f.ci_low = Some(0.99);
        f.ci_high = Some(1.10);
        let mut all = [f];
        annotate(&mut all);
        assert_eq!(
            all[0].report.as_ref().unwrap().verdict,
            Verdict::NotReproduced
        );
        assert!(
            !all[0].title.contains("lean on apprenticeships"),
            "{}",
            all[0].title
        );
        assert!(all[0].title.contains("no clear lean"));
    }
}
