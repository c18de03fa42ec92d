//! Census 2021 (England and Wales) tables by 2024 seat, long format:
//! seat code, seat name, category code, category label, count.
//!
//! Shares are counts over a stated denominator for the same seat, so they
//! are `measured` at seat level. Category `-8` ("does not apply": people
//! under 16, or not in employment) is never in a denominator.

use super::{share, Collector, Def};
use crate::build::Inputs;
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Direction, GssCode, Method, Nation};
use stemgap_geography::Registry;
use stemgap_sources::{CsvOptions, CsvTable, Problem, SourceError};

const EW: &[Nation] = &[Nation::England, Nation::Wales];
const SEAT_CODE: &str = "Post-2019 Westminster Parliamentary constituencies Code";
const SEAT_NAME: &str = "Post-2019 Westminster Parliamentary constituencies";

/// One share of a table: which categories are counted.
struct Share {
    id: &'static str,
    title: &'static str,
    categories: &'static [i64],
    direction: Direction,
}

/// One census table and the shares made from it.
struct Table {
    source: &'static str,
    /// The classification's name as in the header, e.g. `Sex (2 categories)`.
    classification: &'static str,
    /// Every category code the table must have for every seat.
    categories: &'static [i64],
    /// Who is in the denominator (every category but `-8`).
    denominator: &'static str,
    shares: &'static [Share],
    caveats: &'static str,
}

const fn s(
    id: &'static str,
    title: &'static str,
    categories: &'static [i64],
    direction: Direction,
) -> Share {
    Share {
        id,
        title,
        categories,
        direction,
    }
}

use Direction::{HigherIsBetter as Better, HigherIsWorse as Worse, Neutral};

const TABLES: &[Table] = &[
    Table {
        source: "census21_pcon2024_quals",
        classification: "Highest level of qualification (8 categories)",
        categories: &[-8, 0, 1, 2, 3, 4, 5, 6],
        denominator: "usual residents aged 16 and over",
        shares: &[
            s("level4_share", "Qualified to Level 4 or above (degree level)", &[5], Better),
            s("no_quals_share", "No qualifications", &[0], Worse),
            s("level3_share", "Highest qualification Level 3 (A level)", &[4], Neutral),
            s("level2_share", "Highest qualification Level 2 (GCSE)", &[2], Neutral),
            s("level1_share", "Highest qualification Level 1 or entry level", &[1], Neutral),
            s("apprenticeship_qual_share", "Highest qualification an apprenticeship", &[3], Neutral),
            s("other_quals_share", "Other qualifications", &[6], Neutral),
        ],
        caveats: "Census 2021 took place during the COVID-19 pandemic. Level 4+ counts all degree-level qualifications, not STEM degrees only: the census has no subject of qualification. Scotland (2022) and Northern Ireland publish no qualifications by seat.",
    },
    Table {
        source: "census21_pcon2024_industry",
        classification: "Industry (current) (19 categories)",
        categories: &[-8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18],
        denominator: "usual residents aged 16 and over in employment in the week before the census",
        shares: &[
            s("industry_a_share", "Industry A: agriculture, forestry and fishing", &[1], Neutral),
            s("industry_b_share", "Industry B: mining and quarrying", &[2], Neutral),
            s("industry_c_share", "Industry C: manufacturing", &[3], Neutral),
            s("industry_d_share", "Industry D: electricity, gas, steam and air conditioning", &[4], Neutral),
            s("industry_e_share", "Industry E: water supply, sewerage and waste", &[5], Neutral),
            s("industry_f_share", "Industry F: construction", &[6], Neutral),
            s("industry_g_share", "Industry G: wholesale and retail trade", &[7], Neutral),
            s("industry_h_share", "Industry H: transport and storage", &[8], Neutral),
            s("industry_i_share", "Industry I: accommodation and food", &[9], Neutral),
            s("industry_j_share", "Industry J: information and communication", &[10], Neutral),
            s("industry_k_share", "Industry K: financial and insurance", &[11], Neutral),
            s("industry_l_share", "Industry L: real estate", &[12], Neutral),
            s("industry_m_share", "Industry M: professional, scientific and technical", &[13], Neutral),
            s("industry_n_share", "Industry N: administrative and support services", &[14], Neutral),
            s("industry_o_share", "Industry O: public administration and defence", &[15], Neutral),
            s("industry_p_share", "Industry P: education", &[16], Neutral),
            s("industry_q_share", "Industry Q: human health and social work", &[17], Neutral),
            s("industry_rstu_share", "Industries R, S, T, U: other services", &[18], Neutral),
        ],
        caveats: "By place of residence, not workplace: a seat's residents may work elsewhere. Census 2021 took place during the COVID-19 pandemic, when furlough affected some industries.",
    },
    Table {
        source: "census21_pcon2024_nssec",
        classification: "National Statistics Socio-economic Classification (NS-SeC) (12 categories)",
        categories: &[-8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        denominator: "usual residents aged 16 and over",
        shares: &[
            s("nssec_higher_managerial_share", "NS-SeC L1-L2: large employers and higher managerial", &[1], Neutral),
            s("nssec_higher_professional_share", "NS-SeC L3: higher professional occupations", &[2], Neutral),
            s("nssec_lower_managerial_share", "NS-SeC L4-L6: lower managerial, administrative and professional", &[3], Neutral),
            s("nssec_intermediate_share", "NS-SeC L7: intermediate occupations", &[4], Neutral),
            s("nssec_small_employers_share", "NS-SeC L8-L9: small employers and own account workers", &[5], Neutral),
            s("nssec_lower_supervisory_technical_share", "NS-SeC L10-L11: lower supervisory and technical", &[6], Neutral),
            s("nssec_semi_routine_share", "NS-SeC L12: semi-routine occupations", &[7], Neutral),
            s("nssec_routine_share", "NS-SeC L13: routine occupations", &[8], Neutral),
            s("nssec_never_worked_share", "NS-SeC L14.1: never worked", &[9], Worse),
            s("nssec_long_term_unemployed_share", "NS-SeC L14.2: long-term unemployed", &[10], Worse),
            s("nssec_students_share", "NS-SeC L15: full-time students", &[11], Neutral),
        ],
        caveats: "",
    },
    Table {
        source: "census21_pcon2024_econact",
        classification: "Economic activity status (12 categories)",
        categories: &[-8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        denominator: "usual residents aged 16 and over",
        shares: &[
            s("economically_active_share", "Economically active (including full-time students)", &[1, 2, 3, 4, 5, 6], Better),
            s("in_employment_share", "In employment (employees and self-employed, including students)", &[1, 2, 3, 5], Better),
            s("unemployed_share", "Unemployed (seeking work or waiting to start)", &[4, 6], Worse),
            s("inactive_retired_share", "Economically inactive: retired", &[7], Neutral),
            s("inactive_student_share", "Economically inactive: student", &[8], Neutral),
            s("inactive_long_term_sick_share", "Economically inactive: long-term sick or disabled", &[10], Worse),
        ],
        caveats: "Shares of all residents aged 16 and over, including retired people, not of the working-age population.",
    },
    Table {
        source: "census21_pcon2024_age",
        classification: "Age (18 categories)",
        categories: &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18],
        denominator: "all usual residents",
        shares: &[
            s("age_0_15_share", "Aged 0 to 15", &[1, 2, 3], Neutral),
            s("age_16_24_share", "Aged 16 to 24", &[4, 5], Neutral),
            s("age_25_49_share", "Aged 25 to 49", &[6, 7, 8, 9, 10], Neutral),
            s("age_50_64_share", "Aged 50 to 64", &[11, 12, 13], Neutral),
            s("age_65_plus_share", "Aged 65 and over", &[14, 15, 16, 17, 18], Neutral),
        ],
        caveats: "",
    },
    Table {
        source: "census21_pcon2024_sex",
        classification: "Sex (2 categories)",
        categories: &[1, 2],
        denominator: "all usual residents",
        shares: &[s("female_share", "Female", &[1], Neutral)],
        caveats: "",
    },
    Table {
        source: "census21_pcon2024_ethnicity5",
        classification: "Ethnic group (6 categories)",
        categories: &[-8, 1, 2, 3, 4, 5],
        denominator: "all usual residents",
        shares: &[
            s("ethnicity_asian_share", "Ethnic group: Asian", &[1], Neutral),
            s("ethnicity_black_share", "Ethnic group: Black, Caribbean or African", &[2], Neutral),
            s("ethnicity_mixed_share", "Ethnic group: Mixed or multiple", &[3], Neutral),
            s("ethnicity_white_share", "Ethnic group: White", &[4], Neutral),
            s("ethnicity_other_share", "Ethnic group: Other", &[5], Neutral),
        ],
        caveats: "",
    },
];

pub fn collect(
    inputs: &Inputs<'_>,
    reg: &Registry,
    out: &mut Collector,
) -> Result<(), SourceError> {
    for table in TABLES {
        let counts = read_long(inputs, reg, table)?;
        for sh in table.shares {
            let definition = format!(
                "{} as a share of {} (Census 2021 table \"{}\", categories {:?}).",
                sh.title, table.denominator, table.classification, sh.categories
            );
            out.define(
                Def {
                    id: sh.id,
                    title: sh.title,
                    definition: &definition,
                    unit: "share",
                    direction: sh.direction,
                    sources: &[table.source],
                    period: "2021",
                    nations: EW,
                    method: Method::Measured,
                    caveats: table.caveats,
                }
                .build(),
            );
        }
        for (code, (loc, cats)) in &counts {
            let den: f64 = cats.iter().filter(|(c, _)| **c != -8).map(|(_, v)| v).sum();
            for sh in table.shares {
                let num: f64 = sh.categories.iter().map(|c| cats[c]).sum();
                out.push(
                    BoundarySet::Pcon2024,
                    *code,
                    sh.id,
                    "2021",
                    share(num, den),
                    Method::Measured,
                    table.source,
                    loc,
                )?;
            }
        }
    }
    Ok(())
}

type Counts = BTreeMap<GssCode, (stemgap_sources::Location, BTreeMap<i64, f64>)>;

/// Reads a long census table strictly: the header must be the expected one,
/// every seat must be a 2024 seat of England or Wales, every (seat,
/// category) pair must appear exactly once and every expected category must
/// be present for every seat.
fn read_long(inputs: &Inputs<'_>, reg: &Registry, table: &Table) -> Result<Counts, SourceError> {
    let loaded = inputs.load(table.source)?;
    let t = CsvTable::parse(&loaded, CsvOptions::default())?;
    let code_header = format!("{} Code", table.classification);
    t.expect_headers(&[
        SEAT_CODE,
        SEAT_NAME,
        &code_header,
        table.classification,
        "Observation",
    ])?;
    let mut counts: Counts = BTreeMap::new();
    for row in t.rows() {
        let code = reg.seat_code(BoundarySet::Pcon2024, &row, 0)?;
        if !matches!(code.nation(), Some(Nation::England | Nation::Wales)) {
            return Err(row.error(
                0,
                Problem::Invalid(format!("{code} is not a seat in England or Wales")),
            ));
        }
        let cat = row.number(2)?;
        if cat.fract() != 0.0 || !table.categories.contains(&(cat as i64)) {
            return Err(row.error(
                2,
                Problem::Invalid(format!("unexpected category code {}", row.str(2))),
            ));
        }
        let value = row.number(4)?;
        if value < 0.0 {
            return Err(row.error(4, Problem::Invalid(format!("negative count {value}"))));
        }
        let entry = counts
            .entry(code)
            .or_insert_with(|| (row.location(0), BTreeMap::new()));
        if entry.1.insert(cat as i64, value).is_some() {
            return Err(row.error(
                2,
                Problem::Duplicate(format!("{code}, category {}", cat as i64)),
            ));
        }
    }
    for (code, (loc, cats)) in &counts {
        if let Some(c) = table.categories.iter().find(|c| !cats.contains_key(c)) {
            return Err(SourceError::new(
                loc.clone(),
                Problem::Invalid(format!("seat {code} has no row for category {c}")),
            ));
        }
    }
    // Every seat of England and Wales must be there: a missing one is a
    // truncated or filtered file, not a gap in the census.
    if let Some(s) = reg.seats(BoundarySet::Pcon2024).iter().find(|s| {
        matches!(s.nation, Nation::England | Nation::Wales) && !counts.contains_key(&s.code)
    }) {
        return Err(SourceError::new(
            loaded.location.clone(),
            Problem::Invalid(format!(
                "no row for seat {} {} (truncated file?)",
                s.code, s.name
            )),
        ));
    }
    Ok(counts)
}
