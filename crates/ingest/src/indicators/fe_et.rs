//! Inclusion in STEM further education: DfE adult (19+) education and
//! training aim achievements by district × sector subject area × sex ×
//! ethnicity group × level, England, 2015/16-2020/21 (the Explore Education
//! Statistics data set *e-and-t-geography-detailed*, 5.9 million rows of
//! ZSTD-compressed Parquet).
//!
//! Only what the indicators need is decoded: row groups whose statistics
//! rule out district rows are skipped unread, and of the others only eight
//! columns, one row group at a time (so at most one group's columns are held,
//! as dictionary codes). Of the district rows only the STEM subject areas'
//! totals by sex, by ethnicity group and by level are kept.
//!
//! Counts are carried to seats by [`stemgap_geography::apportion::to_seats`], the same
//! authority → seat population shares as the other DfE counts; `low`
//! (fewer than 5) counts as 0 to 4, so every figure is an interval whose
//! midpoint is stored.

use super::apportion::{STEM_BROAD_EXTRA, STEM_SSAS};
use super::{Collector, Def};
use crate::build::Inputs;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use stemgap_core::{BoundarySet, Cell, Direction, GssCode, Marker, Method, Nation};
use stemgap_geography::apportion::{to_seats, with_share_sources, Amount, Bounds, Shares};
use stemgap_sources::{Location, ParquetTable, Problem, SourceError, StrColumn};

/// The data file of the data set (its filters, indicators, locations and
/// time periods files are catalogued beside it; the data file carries the
/// labels itself).
pub const SRC: &str = "dfe_fe_et_geography_detailed";
const LAD_LEVEL: &str = "Local authority district";

/// Ethnicity groups as the data set labels them; index 0 is White, 1 "Not
/// Provided", 2 the total, the rest ethnic minority groups.
const ETHNICITY: [&str; 7] = [
    "White",
    "Not Provided",
    "Total",
    "Asian/ Asian British",
    "Black/African/Caribbean/Black British",
    "Mixed/ Multiple Ethnic Group",
    "Other Ethnic Group",
];

/// One district's STEM achievements in one year.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct Counts {
    /// STEM (narrow: the three subject areas), all learners.
    pub stem: Bounds,
    /// STEM with construction.
    pub broad: Bounds,
    /// STEM (narrow), women.
    pub female: Bounds,
    /// STEM (narrow), ethnic groups other than White (and "Not Provided").
    pub minority: Bounds,
    pub white: Bounds,
    pub not_provided: Bounds,
    /// STEM (narrow), Level 3 and Level 4+.
    pub level3: Bounds,
    /// Each narrow STEM subject area (in [`STEM_SSAS`] order): all
    /// learners, and women.
    pub by_subject: [(Bounds, Bounds); 3],
    /// STEM (narrow) aim enrolments: all learners, and women.
    pub enrol_stem: Bounds,
    pub enrol_female: Bounds,
}

/// Year (`2015/16`) → district code (of that year) → counts.
pub(super) type ByYear = BTreeMap<String, BTreeMap<String, Counts>>;

/// What reading the file took.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct ReadStats {
    pub groups: usize,
    /// Row groups left unread: their statistics rule out district rows.
    pub skipped: usize,
    pub rows_kept: usize,
}

/// A count cell: a number (rounded to 10 by DfE) or `low` (fewer than 5).
fn count(col: &StrColumn, r: usize) -> Result<Bounds, SourceError> {
    let s = col.require(r)?.trim();
    if s == "low" {
        return Ok(Bounds { lo: 0.0, hi: 4.0 });
    }
    match s.parse::<u64>() {
        Ok(v) => Ok(Bounds {
            lo: v as f64,
            hi: v as f64,
        }),
        Err(_) => Err(col.error(
            r,
            Problem::Invalid(format!("expected a count or `low`, found {s:?}")),
        )),
    }
}

/// `202021` → `2020/21`.
fn academic_year(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}/{}", &s[..4], &s[4..]))
}

/// The subject area's role: 0 narrow STEM, 1 construction (broad only).
fn subject(label: &str) -> Option<u8> {
    if STEM_SSAS.contains(&label) {
        Some(0)
    } else if label == STEM_BROAD_EXTRA {
        Some(1)
    } else {
        None
    }
}

/// A cell of the cube: year, district, subject area, sex, ethnicity group,
/// level (as classified in [`read`]), for refusing a second one.
type CellKey = (String, Box<str>, Box<str>, u8, u8, u8);

/// Reads the district rows the indicators need.
pub(super) fn read(t: &ParquetTable) -> Result<(ByYear, ReadStats), SourceError> {
    let mut data = ByYear::new();
    let mut stats = ReadStats {
        groups: t.row_groups(),
        ..ReadStats::default()
    };
    let mut seen: HashSet<CellKey> = HashSet::default();
    for g in 0..t.row_groups() {
        if !t.group_may_hold(g, "geographic_level", LAD_LEVEL)? {
            stats.skipped += 1;
            continue;
        }
        // A column the statistics show constant in the group (the year,
        // usually; the level, in a group of districts only) is not decoded.
        let level = match t.group_constant(g, "geographic_level")?.as_deref() {
            Some(LAD_LEVEL) => None,
            _ => Some(t.group_strings(g, "geographic_level")?),
        };
        let lad_level = match &level {
            None => 0,
            Some(level) => match level.values().iter().position(|v| &**v == LAD_LEVEL) {
                Some(i) => i as u32,
                None => continue,
            },
        };
        // A constant year that is not one is decoded, so the error names a row.
        let constant_year = t
            .group_constant(g, "time_period")?
            .and_then(|y| academic_year(&y));
        let year = match constant_year {
            Some(_) => None,
            None => Some(t.group_strings(g, "time_period")?),
        };
        let [lad, ssa, sex, eth, nvq, ach, enr] = [
            "lad_code",
            "ssa_t1_desc",
            "sex",
            "ethnicity_group",
            "notional_nvq_level",
            "e_and_t_aims_ach",
            "e_and_t_aims_enrolments",
        ]
        .map(|c| t.group_strings(g, c));
        let (lad, ssa, sex, eth, nvq, ach, enr) = (lad?, ssa?, sex?, eth?, nvq?, ach?, enr?);
        // Labels by dictionary code, classified once per group.
        let subjects: Vec<Option<u8>> = ssa.values().iter().map(|v| subject(v.trim())).collect();
        let narrow: Vec<Option<usize>> = ssa
            .values()
            .iter()
            .map(|v| STEM_SSAS.iter().position(|s| *s == v.trim()))
            .collect();
        let sexes: Vec<u8> = sex
            .values()
            .iter()
            .map(|v| match v.trim() {
                "Total" => 0,
                "Female" => 1,
                _ => 2,
            })
            .collect();
        let ethnicities: Vec<Option<u8>> = eth
            .values()
            .iter()
            .map(|v| {
                ETHNICITY
                    .iter()
                    .position(|e| *e == v.trim())
                    .map(|i| i as u8)
            })
            .collect();
        let levels: Vec<u8> = nvq
            .values()
            .iter()
            .map(|v| match v.trim() {
                "Total" => 0,
                "Level 3" | "Level 4+" => 1,
                _ => 2,
            })
            .collect();
        let mut years: HashMap<u32, String> = HashMap::default();
        for r in 0..ach.len() {
            if level.as_ref().is_some_and(|l| l.code(r) != Some(lad_level)) {
                continue;
            }
            let Some(subj) = ssa.code(r).and_then(|c| subjects[c as usize]) else {
                continue;
            };
            let s = sex.code(r).map_or(2, |c| sexes[c as usize]);
            let e = match eth.code(r) {
                Some(c) => ethnicities[c as usize].ok_or_else(|| {
                    eth.error(
                        r,
                        Problem::Invalid(format!(
                            "unknown ethnicity group {:?}",
                            eth.get(r).unwrap_or_default()
                        )),
                    )
                })?,
                None => return Err(eth.require(r).unwrap_err()),
            };
            let l = nvq.code(r).map_or(2, |c| levels[c as usize]);
            // Which measures the row feeds: totals (all sexes, groups and
            // levels), women, each ethnic group, Level 3+.
            let total = s == 0 && e == 2 && l == 0;
            let women = s == 1 && e == 2 && l == 0 && subj == 0;
            let group = s == 0 && e != 2 && l == 0 && subj == 0;
            let high = s == 0 && e == 2 && l == 1 && subj == 0;
            if !(total || women || group || high) {
                continue;
            }
            let period = match (&constant_year, &year) {
                (Some(p), _) => p.clone(),
                (None, Some(year)) => {
                    let y = year.code(r).unwrap_or(u32::MAX);
                    match years.get(&y) {
                        Some(p) => p.clone(),
                        None => {
                            let p = academic_year(year.require(r)?).ok_or_else(|| {
                                year.error(
                                    r,
                                    Problem::Invalid(format!(
                                        "expected an academic year like 202021, found {:?}",
                                        year.get(r).unwrap_or_default()
                                    )),
                                )
                            })?;
                            years.insert(y, p.clone());
                            p
                        }
                    }
                }
                (None, None) => unreachable!("the year is decoded unless constant"),
            };
            let code = lad.require(r)?.trim();
            let tier = match nvq.get(r).map(str::trim) {
                Some("Level 3") => 1,
                Some("Level 4+") => 2,
                _ => 0,
            };
            let key = (
                period.clone(),
                code.into(),
                ssa.require(r)?.trim().into(),
                s,
                e,
                tier,
            );
            if !seen.insert(key) {
                return Err(ach.error(
                    r,
                    Problem::Duplicate(format!(
                        "{code}, {period}, {}, {}, {}, {}",
                        ssa.get(r).unwrap_or_default(),
                        sex.get(r).unwrap_or_default(),
                        eth.get(r).unwrap_or_default(),
                        nvq.get(r).unwrap_or_default()
                    )),
                ));
            }
            let b = count(&ach, r)?;
            stats.rows_kept += 1;
            let c = data
                .entry(period)
                .or_default()
                .entry(code.to_owned())
                .or_default();
            let k = ssa.code(r).and_then(|code| narrow[code as usize]);
            if total {
                c.broad = c.broad.add(b);
                if let Some(k) = k {
                    c.stem = c.stem.add(b);
                    c.by_subject[k].0 = c.by_subject[k].0.add(b);
                    c.enrol_stem = c.enrol_stem.add(count(&enr, r)?);
                }
            }
            if let (true, Some(k)) = (women, k) {
                c.female = c.female.add(b);
                c.by_subject[k].1 = c.by_subject[k].1.add(b);
                c.enrol_female = c.enrol_female.add(count(&enr, r)?);
            }
            if group {
                let slot = match e {
                    0 => &mut c.white,
                    1 => &mut c.not_provided,
                    _ => &mut c.minority,
                };
                *slot = slot.add(b);
            }
            if high {
                c.level3 = c.level3.add(b);
            }
        }
    }
    Ok((data, stats))
}

fn mid(b: Bounds) -> f64 {
    (b.lo + b.hi) / 2.0
}

/// `num / den` with bounds from the suppressed cells, as a share in 0..1;
/// `None` when the whole denominator may be zero (every cell `low`).
pub(super) fn ratio(num: Bounds, den: Bounds) -> Option<(f64, f64, f64)> {
    if den.lo <= 0.0 {
        return None;
    }
    let v = (mid(num) / mid(den)).min(1.0);
    let lo = (num.lo / den.hi).min(v);
    let hi = (num.hi / den.lo).min(1.0).max(v);
    Some((v, lo, hi))
}

/// `part / (part + other)` with bounds: the share is lowest with the
/// least of the part and the most of the rest.
pub(super) fn part_share(part: Bounds, other: Bounds) -> Option<(f64, f64, f64)> {
    let den = part.add(other);
    if den.lo <= 0.0 {
        return None;
    }
    let v = mid(part) / mid(den);
    let lo = part.lo / (part.lo + other.hi);
    let hi = if part.hi + other.lo > 0.0 {
        part.hi / (part.hi + other.lo)
    } else {
        1.0
    };
    Some((v, lo.min(v), hi.max(v)))
}

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

/// Defines and computes the indicators on both boundary sets.
pub(super) fn collect(
    inputs: &Inputs<'_>,
    out: &mut Collector,
    shares: &[(BoundarySet, Shares); 2],
    denominators: &HashMap<BoundarySet, HashMap<GssCode, f64>>,
) -> Result<(), SourceError> {
    if !inputs.catalogued(SRC) {
        tracing::warn!("{SRC} is not in the catalogue: the FE inclusion indicators are not built");
        return Ok(());
    }
    let loaded = inputs.load(SRC)?;
    let t = ParquetTable::parse(&loaded)?;
    let (data, stats) = read(&t)?;
    tracing::info!(
        "{SRC}: {} of {} row groups read, {} district rows kept",
        stats.groups - stats.skipped,
        stats.groups,
        stats.rows_kept
    );
    define(out, &data);
    let at = Location::file(inputs.path_of(SRC));
    for (period, lads) in &data {
        for (set, set_shares) in shares {
            let measure = |f: fn(&Counts) -> Bounds| -> Result<_, SourceError> {
                let v: Vec<(&String, Bounds)> = lads.iter().map(|(k, c)| (k, f(c))).collect();
                to_seats(v.iter().map(|(k, b)| (*k, b)), *set, set_shares, &at)
            };
            let stem = measure(|c| c.stem)?;
            let broad = measure(|c| c.broad)?;
            let female = measure(|c| c.female)?;
            let minority = measure(|c| c.minority)?;
            let white = measure(|c| c.white)?;
            let level3 = measure(|c| c.level3)?;
            let enrol = measure(|c| c.enrol_stem)?;
            let enrol_female = measure(|c| c.enrol_female)?;
            let subject = [
                (
                    measure(|c| c.by_subject[0].0)?,
                    measure(|c| c.by_subject[0].1)?,
                ),
                (
                    measure(|c| c.by_subject[1].0)?,
                    measure(|c| c.by_subject[1].1)?,
                ),
                (
                    measure(|c| c.by_subject[2].0)?,
                    measure(|c| c.by_subject[2].1)?,
                ),
            ];
            let pop = &denominators[set];
            for (seat, s) in stem
                .iter()
                .filter(|(s, _)| s.nation() == Some(Nation::England))
            {
                let p = pop.get(seat).copied().ok_or_else(|| {
                    SourceError::new(
                        at.clone(),
                        Problem::Invalid(format!("seat {seat} has no population aged 19+")),
                    )
                })?;
                let rate = |b: Bounds| {
                    let r = |x: f64| x / p * 1000.0;
                    (r(mid(b)), r(b.lo), r(b.hi))
                };
                let get = |m: &BTreeMap<GssCode, Bounds>| m.get(seat).copied().unwrap_or_default();
                let figures = [
                    Some(rate(*s)),
                    Some(rate(get(&broad))),
                    ratio(get(&female), *s),
                    part_share(get(&minority), get(&white)),
                    ratio(get(&level3), *s),
                    ratio(get(&enrol_female), get(&enrol)),
                    ratio(get(&subject[0].1), get(&subject[0].0)),
                    ratio(get(&subject[1].1), get(&subject[1].0)),
                    ratio(get(&subject[2].1), get(&subject[2].0)),
                ];
                for (id, v) in IDS.iter().zip(figures) {
                    match v {
                        Some(v) => out.push_bounded(
                            *set,
                            *seat,
                            id,
                            period,
                            v,
                            Method::Apportioned,
                            SRC,
                            &at,
                        )?,
                        None => out.push(
                            *set,
                            *seat,
                            id,
                            period,
                            Cell::Missing(Marker::Low),
                            Method::Apportioned,
                            SRC,
                            &at,
                        )?,
                    }
                }
            }
        }
    }
    Ok(())
}

/// England's share of STEM achievements with ethnicity "Not Provided", by
/// year (districts summed, midpoints), for the caveat.
fn not_provided(data: &ByYear) -> String {
    data.iter()
        .map(|(year, lads)| {
            let (np, all) = lads.values().fold((0.0, 0.0), |(np, all), c| {
                (
                    np + mid(c.not_provided),
                    all + mid(c.not_provided) + mid(c.white) + mid(c.minority),
                )
            });
            let pct = if all > 0.0 { 100.0 * np / all } else { 0.0 };
            format!("{pct:.1}% in {year}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn define(out: &mut Collector, data: &ByYear) {
    let period = match (data.keys().next(), data.keys().next_back()) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    let base = "Adult (19+) education and training (not apprenticeships or community learning) aims achieved by learners living in the seat, by academic year. Apportioned from local authorities to seats by the share of each authority's population living in the seat (as the other DfE figures), which assumes the same pattern across the authority. Suppressed cells (`low`, fewer than 5) count as 0 to 4: the interval covers them, not the apportionment nor DfE's rounding of every other count to the nearest 10. Counts are of aims, not learners. The data set labels its measures \"(Aug to Apr)\", but England's yearly totals look like full years: that label is unconfirmed. England only: DfE publishes these for England; learners recorded outside England or with an unknown home are left out.";
    let stem = STEM_SSAS.join("; ");
    let rate_extra = " Denominator: residents aged 19 and over at mid-2022 for every year (converted to 2010-2024 seats through the population overlap of the two sets).";
    let share_extra = " Where every cell behind the denominator is suppressed the share is missing (`low`), not zero.";
    let np = format!(" Ethnicity \"Not Provided\" is left out of the denominator: {} of STEM achievements in England (districts summed).", not_provided(data));
    let defs = [
        (IDS[0], "Adult FE STEM achievements per 1,000 adults (by year)", format!("STEM aim achievements (sector subject areas tier 1: {stem}) per 1,000 residents aged 19 and over."), Direction::HigherIsBetter, "rate_per_1000", format!("{base}{rate_extra}")),
        (IDS[1], "Adult FE STEM achievements (broad, with construction) per 1,000 adults (by year)", format!("STEM aim achievements, broad definition ({stem}; {STEM_BROAD_EXTRA}) per 1,000 residents aged 19 and over."), Direction::HigherIsBetter, "rate_per_1000", format!("{base}{rate_extra}")),
        (IDS[2], "Women's share of adult FE STEM achievements", format!("Share of STEM aim achievements ({stem}) by women (sex \"Female\" over the total, which includes sex not known)."), Direction::Neutral, "share", format!("{base}{share_extra} Numerator and total are rounded separately.")),
        (IDS[3], "Ethnic minorities' share of adult FE STEM achievements", format!("Share of STEM aim achievements ({stem}) by learners of ethnic groups other than White (Asian; Black; Mixed; Other), of those with a recorded ethnicity."), Direction::Neutral, "share", format!("{base}{share_extra}{np}")),
        (IDS[4], "Share of adult FE STEM achievements at Level 3 or above", format!("Share of STEM aim achievements ({stem}) at notional NVQ Level 3 or Level 4+ (the total includes aims with no level assigned)."), Direction::HigherIsBetter, "share", format!("{base}{share_extra} Numerator and total are rounded separately.")),
        (IDS[5], "Women's share of adult FE STEM enrolments", format!("Share of STEM aim enrolments ({stem}) by women (sex \"Female\" over the total, which includes sex not known): who starts, beside who achieves."), Direction::Neutral, "share", format!("{base}{share_extra} Numerator and total are rounded separately; enrolments are aims started or continuing in the year.")),
        (IDS[6], "Women's share of adult FE achievements in Science and Mathematics", format!("Share of aim achievements in {} by women.", STEM_SSAS[0]), Direction::Neutral, "share", format!("{base}{share_extra} Numerator and total are rounded separately; one subject area has more suppressed cells than the three together.")),
        (IDS[7], "Women's share of adult FE achievements in Engineering and Manufacturing Technologies", format!("Share of aim achievements in {} by women.", STEM_SSAS[1]), Direction::Neutral, "share", format!("{base}{share_extra} Numerator and total are rounded separately; one subject area has more suppressed cells than the three together.")),
        (IDS[8], "Women's share of adult FE achievements in Information and Communication Technology", format!("Share of aim achievements in {} by women.", STEM_SSAS[2]), Direction::Neutral, "share", format!("{base}{share_extra} Numerator and total are rounded separately; one subject area has more suppressed cells than the three together.")),
    ];
    for (id, title, definition, direction, unit, caveats) in &defs {
        let mut sources = with_share_sources(SRC).to_vec();
        sources.push("mid2022_population_single_year_age_pcon2024");
        out.define(
            Def {
                id,
                title,
                definition,
                unit,
                direction: *direction,
                sources: &sources,
                period: &period,
                nations: &[Nation::England],
                method: Method::Apportioned,
                caveats,
            }
            .build(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    /// The data set's 17 columns, all optional text, as in the real file.
    const COLUMNS: [&str; 17] = [
        "time_period",
        "time_identifier",
        "geographic_level",
        "country_code",
        "country_name",
        "region_code",
        "region_name",
        "lad_code",
        "lad_name",
        "english_devolved_area_code",
        "english_devolved_area_name",
        "ssa_t1_desc",
        "sex",
        "ethnicity_group",
        "notional_nvq_level",
        "e_and_t_aims_enrolments",
        "e_and_t_aims_ach",
    ];

    /// A row: year, level, district, subject, sex, ethnicity, NVQ level,
    /// achievements (enrolments are made up from them).
    type R = [&'static str; 8];

    /// Writes a ZSTD-compressed file of the data set's layout, one row group
    /// per slice, with statistics (the writer's default).
    fn file(groups: &[&[R]]) -> Vec<u8> {
        let fields: String = COLUMNS
            .iter()
            .map(|c| format!("OPTIONAL BYTE_ARRAY {c};"))
            .collect();
        let schema =
            Arc::new(parse_message_type(&format!("message schema {{ {fields} }}")).unwrap());
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap()))
                .build(),
        );
        let mut buf = Vec::new();
        let mut w = SerializedFileWriter::new(&mut buf, schema, props).unwrap();
        for rows in groups {
            let mut g = w.next_row_group().unwrap();
            let mut i = 0;
            while let Some(mut col) = g.next_column().unwrap() {
                let cell = |r: &R| -> Option<String> {
                    let v = match COLUMNS[i] {
                        "time_period" => r[0],
                        "time_identifier" => "Academic year",
                        "geographic_level" => r[1],
                        "country_code" => "E92000001",
                        "country_name" => "England",
                        "lad_code" if r[1] == LAD_LEVEL => r[2],
                        "lad_name" if r[1] == LAD_LEVEL => "Somewhere",
                        "ssa_t1_desc" => r[3],
                        "sex" => r[4],
                        "ethnicity_group" => r[5],
                        "notional_nvq_level" => r[6],
                        "e_and_t_aims_enrolments" => "20",
                        "e_and_t_aims_ach" => r[7],
                        _ => return None,
                    };
                    Some(v.to_owned())
                };
                let cells: Vec<Option<String>> = rows.iter().map(cell).collect();
                let defs: Vec<i16> = cells.iter().map(|c| i16::from(c.is_some())).collect();
                let values: Vec<ByteArray> = cells
                    .iter()
                    .flatten()
                    .map(|s| ByteArray::from(s.as_str()))
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&values, Some(&defs), None)
                    .unwrap();
                col.close().unwrap();
                i += 1;
            }
            g.close().unwrap();
        }
        w.close().unwrap();
        buf
    }

    const SCI: &str = "Science and Mathematics";
    const ENG: &str = "Engineering and Manufacturing Technologies";
    const CON: &str = "Construction, Planning and the Built Environment";
    const LAD: &str = LAD_LEVEL;
    const T: &str = "Total";

    fn table(bytes: &[u8]) -> ParquetTable {
        ParquetTable::from_bytes(bytes, Location::file("fe.parquet")).unwrap()
    }

    #[test]
    fn district_stem_rows_are_read_and_other_groups_skipped_unread() {
        let national: &[R] = &[
            ["202021", "National", "", SCI, T, T, T, "5000"],
            ["202021", "National", "", SCI, "Female", T, T, "2500"],
        ];
        let a: &[R] = &[
            ["202021", LAD, "E06000001", SCI, T, T, T, "100"],
            ["202021", LAD, "E06000001", ENG, T, T, T, "low"],
            ["202021", LAD, "E06000001", CON, T, T, T, "30"],
            [
                "202021",
                LAD,
                "E06000001",
                "Arts, Media and Publishing",
                T,
                T,
                T,
                "900",
            ],
            ["202021", LAD, "E06000001", SCI, "Female", T, T, "60"],
            ["202021", LAD, "E06000001", ENG, "Female", T, T, "low"],
            // Construction is not in the narrow definition's breakdowns.
            ["202021", LAD, "E06000001", CON, "Female", T, T, "10"],
            ["202021", LAD, "E06000001", SCI, "Male", T, T, "40"],
            ["202021", LAD, "E06000001", SCI, T, "White", T, "70"],
            [
                "202021",
                LAD,
                "E06000001",
                SCI,
                T,
                "Asian/ Asian British",
                T,
                "20",
            ],
            [
                "202021",
                LAD,
                "E06000001",
                SCI,
                T,
                "Other Ethnic Group",
                T,
                "low",
            ],
            ["202021", LAD, "E06000001", SCI, T, "Not Provided", T, "10"],
            ["202021", LAD, "E06000001", SCI, T, T, "Level 3", "30"],
            ["202021", LAD, "E06000001", SCI, T, T, "Level 4+", "10"],
            ["202021", LAD, "E06000001", SCI, T, T, "Level 2", "60"],
            // Cross-tabulated cells are not double counted.
            [
                "202021",
                LAD,
                "E06000001",
                SCI,
                "Female",
                "White",
                "Level 3",
                "20",
            ],
        ];
        let b: &[R] = &[
            ["201920", "Regional", "", SCI, T, T, T, "700"],
            ["201920", LAD, "E07000150", SCI, T, T, T, "40"],
        ];
        let bytes = file(&[national, a, b]);
        let t = table(&bytes);
        // Group 1 is one year's districts: neither column needs decoding.
        assert_eq!(
            t.group_constant(1, "time_period").unwrap().as_deref(),
            Some("202021")
        );
        assert_eq!(
            t.group_constant(1, "geographic_level").unwrap().as_deref(),
            Some(LAD)
        );
        assert_eq!(t.group_constant(2, "geographic_level").unwrap(), None);
        let (data, stats) = read(&t).unwrap();
        assert_eq!(
            stats,
            ReadStats {
                groups: 3,
                skipped: 1,
                rows_kept: 12
            }
        );
        assert_eq!(data.keys().collect::<Vec<_>>(), ["2019/20", "2020/21"]);
        let c = data["2020/21"]["E06000001"];
        let b = |lo, hi| Bounds { lo, hi };
        assert_eq!(c.stem, b(100.0, 104.0));
        assert_eq!(c.broad, b(130.0, 134.0));
        assert_eq!(c.female, b(60.0, 64.0));
        assert_eq!(c.white, b(70.0, 70.0));
        assert_eq!(c.minority, b(20.0, 24.0));
        assert_eq!(c.not_provided, b(10.0, 10.0));
        assert_eq!(c.level3, b(40.0, 40.0));
        // Each narrow subject area on its own (construction in none), and
        // the enrolments of the same cells (20 in every row of the fixture).
        assert_eq!(c.by_subject[0], (b(100.0, 100.0), b(60.0, 60.0)));
        assert_eq!(c.by_subject[1], (b(0.0, 4.0), b(0.0, 4.0)));
        assert_eq!(c.by_subject[2], Default::default());
        assert_eq!(c.enrol_stem, b(40.0, 40.0));
        assert_eq!(c.enrol_female, b(40.0, 40.0));
        assert_eq!(data["2019/20"]["E07000150"].stem, b(40.0, 40.0));
        assert_eq!(data["2019/20"].len(), 1, "regional rows are not districts");
    }

    #[test]
    fn bad_counts_duplicates_and_unknown_groups_name_the_row() {
        let rows: &[R] = &[
            ["202021", LAD, "E06000001", SCI, T, T, T, "100"],
            ["202021", LAD, "E06000001", SCI, "Female", T, T, "x"],
        ];
        let e = read(&table(&file(&[rows]))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "fe.parquet, row 2, column \"e_and_t_aims_ach\": expected a count or `low`, found \"x\""
        );
        let rows: &[R] = &[
            ["202021", LAD, "E06000001", SCI, T, T, T, "100"],
            ["202021", LAD, "E06000001", SCI, T, T, T, "100"],
        ];
        // In a second row group: rows are the file's.
        let e = read(&table(&file(&[&rows[..1], &rows[1..]]))).unwrap_err();
        assert!(matches!(e.problem, Problem::Duplicate(_)), "{e}");
        assert_eq!(e.location.row, Some(2), "{e}");
        let rows: &[R] = &[["202021", LAD, "E06000001", SCI, T, "Martian", T, "10"]];
        let e = read(&table(&file(&[rows]))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "fe.parquet, row 1, column \"ethnicity_group\": unknown ethnicity group \"Martian\""
        );
        let rows: &[R] = &[["2020", LAD, "E06000001", SCI, T, T, T, "10"]];
        let e = read(&table(&file(&[rows]))).unwrap_err();
        assert_eq!(e.location.column.as_deref(), Some("time_period"));
    }

    #[test]
    fn shares_carry_the_bounds_of_suppressed_cells() {
        let b = |lo, hi| Bounds { lo, hi };
        // 60..64 women of 100..104: the share lies in 60/104..64/100.
        let (v, lo, hi) = ratio(b(60.0, 64.0), b(100.0, 104.0)).unwrap();
        assert!((v - 62.0 / 102.0).abs() < 1e-12);
        assert!((lo - 60.0 / 104.0).abs() < 1e-12 && (hi - 0.64).abs() < 1e-12);
        // Rounding can put the part above the total: capped at 1.
        assert_eq!(
            ratio(b(110.0, 110.0), b(100.0, 100.0)),
            Some((1.0, 1.0, 1.0))
        );
        // A denominator that may be zero: no share (missing, `low`).
        assert_eq!(ratio(b(0.0, 4.0), b(0.0, 4.0)), None);
        // 20..24 of 20..24 + 70: lowest with the least part and the most rest.
        let (v, lo, hi) = part_share(b(20.0, 24.0), b(70.0, 70.0)).unwrap();
        assert!((v - 22.0 / 92.0).abs() < 1e-12);
        assert!((lo - 20.0 / 90.0).abs() < 1e-12 && (hi - 24.0 / 94.0).abs() < 1e-12);
        assert_eq!(part_share(b(0.0, 4.0), b(0.0, 0.0)), None);
    }
}
