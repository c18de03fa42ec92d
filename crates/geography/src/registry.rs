//! The geography registry: every area stemgap knows, read from the lookup
//! files and checked against each other.
//!
//! * Seats of both sets with official names, nation and region. The 2010-2024
//!   set comes from `pcon2010_names_regions`; the 2024 set from mySociety's
//!   short-code table, with regions from the 2024 hex cartogram. Every seat
//!   must have a hex and every hex a seat.
//! * The twelve regions and nations (E12…, W92, S92, N92).
//! * Local authorities: 2019 districts (ward lookup) and 2023 authorities
//!   (the seat overlap table).
//! * Small areas (LSOA 2011, data zones 2011, NI SOA 2001) with their
//!   best-fit 2010-set seat and their population overlap with 2024 seats.

use crate::Sources;
use crate::{Link, Relation};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;
use stemgap_core::{AreaKind, BoundarySet, GssCode, Nation};
use stemgap_sources::{CsvOptions, CsvTable, HexJson, Location, Problem, Row, SourceError};
use stemgap_store::{Area, Hex};

/// Region and nation codes with their ONS names.
pub const REGIONS: [(&str, &str); 12] = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
    ("W92000004", "Wales"),
    ("S92000003", "Scotland"),
    ("N92000002", "Northern Ireland"),
];

/// Authorities created since the 2019 districts, which the 2019 ward lookup
/// cannot name (ONS LAD 2023 names).
pub const NEW_AUTHORITIES: [(&str, &str); 7] = [
    ("E06000060", "Buckinghamshire"),
    ("E06000061", "North Northamptonshire"),
    ("E06000062", "West Northamptonshire"),
    ("E06000063", "Cumberland"),
    ("E06000064", "Westmorland and Furness"),
    ("E06000065", "North Yorkshire"),
    ("E06000066", "Somerset"),
];

/// A Westminster constituency.
#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    pub code: GssCode,
    pub name: String,
    pub nation: Nation,
    /// Region (England) or nation code.
    pub region: GssCode,
}

/// All areas and links, validated.
#[derive(Debug, Default)]
pub struct Registry {
    seats: BTreeMap<BoundarySet, Vec<Seat>>,
    index: HashMap<(BoundarySet, GssCode), usize>,
    by_name: HashMap<(BoundarySet, String), GssCode>,
    short_codes: HashMap<String, GssCode>,
    /// Small areas, local authorities and regions.
    pub areas: Vec<Area>,
    pub links: Vec<Link>,
    pub hexes: Vec<Hex>,
    /// Each small area's nation, by code.
    pub small_areas: HashMap<String, Nation>,
    /// The official national deprivation score of English and Welsh small
    /// areas (IMD 2019, WIMD 2019), from mySociety's `overall_local_score`.
    pub small_area_scores: HashMap<String, f64>,
}

/// Names compared loosely: case, white space, `&`/`and` and punctuation.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
        .replace('&', " and ")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn region_code(name_or_code: &str) -> Option<GssCode> {
    REGIONS
        .iter()
        .find(|(c, n)| *c == name_or_code || n.eq_ignore_ascii_case(name_or_code))
        .map(|(c, _)| GssCode::parse(c).expect("constant codes are valid"))
}

/// The small-area lookups, parsed (see [`Registry::load`]).
struct SmallAreaTables {
    areas: CsvTable,
    bestfit_2010: CsvTable,
    overlap_2024: CsvTable,
}

impl SmallAreaTables {
    fn parse(inputs: &impl Sources) -> Result<SmallAreaTables, SourceError> {
        let table = |id: &str| CsvTable::parse(&inputs.load(id)?, CsvOptions::default());
        Ok(SmallAreaTables {
            areas: table("mysociety_uk_imd_e_small_areas")?,
            bestfit_2010: table("small_area11_to_pcon2010_bestfit_postcodes")?,
            overlap_2024: table("small_area11_to_pcon2024_overlap_mysociety")?,
        })
    }
}

impl Registry {
    /// The links of one relation, in the order they were read.
    pub fn links_of(&self, relation: Relation) -> impl Iterator<Item = &Link> + '_ {
        self.links.iter().filter(move |l| l.relation == relation)
    }

    /// Every link as the store keeps it.
    pub fn store_links(&self) -> Vec<stemgap_store::Link> {
        crate::relation::to_store(&self.links)
    }

    pub fn seats(&self, set: BoundarySet) -> &[Seat] {
        self.seats.get(&set).map_or(&[], Vec::as_slice)
    }

    pub fn seat(&self, set: BoundarySet, code: GssCode) -> Option<&Seat> {
        self.index.get(&(set, code)).map(|&i| &self.seats[&set][i])
    }

    /// The 2024 seat with a mySociety `UKPARL.2025.XXX` short code.
    pub fn short_code(&self, short: &str) -> Option<GssCode> {
        self.short_codes.get(short).copied()
    }

    pub fn seat_by_name(&self, set: BoundarySet, name: &str) -> Option<GssCode> {
        self.by_name.get(&(set, name_key(name))).copied()
    }

    /// Reads a seat code from a cell and checks it belongs to `set`.
    pub fn seat_code(
        &self,
        set: BoundarySet,
        row: &Row<'_>,
        col: usize,
    ) -> Result<GssCode, SourceError> {
        let code = row.code(col)?;
        if self.seat(set, code).is_none() {
            return Err(row.error(
                col,
                Problem::UnknownCode(format!(
                    "{:?}: not a seat of the {} set",
                    code.as_str(),
                    set.id()
                )),
            ));
        }
        Ok(code)
    }

    /// Reads a `UKPARL.2025.XXX` short code from a cell.
    pub fn short_code_cell(&self, row: &Row<'_>, col: usize) -> Result<GssCode, SourceError> {
        let s = row.str(col).trim();
        self.short_code(s).ok_or_else(|| {
            row.error(
                col,
                Problem::UnknownCode(format!(
                    "{s:?}: not a UKPARL.2025 short code of a 2024 seat"
                )),
            )
        })
    }

    fn add_seat(&mut self, set: BoundarySet, seat: Seat, loc: Location) -> Result<(), SourceError> {
        if !seat.code.is_seat_of(set) {
            return Err(SourceError::new(
                loc,
                Problem::UnknownCode(format!(
                    "{:?}: not a constituency code of the {} set",
                    seat.code.as_str(),
                    set.id()
                )),
            ));
        }
        let list = self.seats.entry(set).or_default();
        if self.index.insert((set, seat.code), list.len()).is_some() {
            return Err(SourceError::new(
                loc,
                Problem::Duplicate(seat.code.to_string()),
            ));
        }
        self.by_name.insert((set, name_key(&seat.name)), seat.code);
        list.push(seat);
        Ok(())
    }

    /// Builds and cross-checks the registry.
    pub fn load(inputs: &(impl Sources + Sync)) -> Result<Registry, SourceError> {
        // The three small-area lookups (the registry's largest files) are
        // parsed on another thread while the seats, hexes, overlaps and
        // authorities are read on this one; their rows are taken in after.
        std::thread::scope(|scope| {
            let small = scope.spawn(|| SmallAreaTables::parse(inputs));
            let reg = Registry::load_except_small_areas(inputs);
            let small = small.join().expect("the small-area thread does not panic");
            let mut reg = reg?;
            reg.load_small_areas(small?)?;
            Ok(reg)
        })
    }

    fn load_except_small_areas(inputs: &impl Sources) -> Result<Registry, SourceError> {
        let mut reg = Registry::default();
        for (code, name) in REGIONS {
            reg.areas.push(Area {
                kind: AreaKind::Region,
                code: code.into(),
                name: name.into(),
                nation: GssCode::parse(code).ok().and_then(|c| c.nation()),
                region: None,
            });
        }
        reg.load_seats_2010(inputs)?;
        reg.load_seats_2024(inputs)?;
        reg.load_hexes(inputs, BoundarySet::Pcon2010, "uk_constituencies_2010set")?;
        reg.load_hexes(inputs, BoundarySet::Pcon2024, "uk_constituencies_2024")?;
        reg.load_seat_overlaps(inputs)?;
        reg.load_authorities(inputs)?;
        crate::upper_tier::load(inputs, &mut reg)?;
        Ok(reg)
    }

    fn load_seats_2010(&mut self, inputs: &impl Sources) -> Result<(), SourceError> {
        let loaded = inputs.load("pcon2010_names_regions")?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        t.expect_headers(&["PCON10CD", "Name", "Region"])?;
        for row in t.rows() {
            let code = row.code(0)?;
            let region = region_code(row.str(2).trim()).ok_or_else(|| {
                row.error(
                    2,
                    Problem::Invalid(format!("unknown region {:?}", row.str(2))),
                )
            })?;
            let nation = nation_of(&row, 0, code)?;
            if region.nation() != Some(nation) {
                return Err(row.error(
                    2,
                    Problem::Invalid(format!("region {region} is not in {nation}")),
                ));
            }
            let seat = Seat {
                code,
                name: row.str(1).trim().to_owned(),
                nation,
                region,
            };
            self.add_seat(BoundarySet::Pcon2010, seat, row.location(0))?;
        }
        Ok(())
    }

    fn load_seats_2024(&mut self, inputs: &impl Sources) -> Result<(), SourceError> {
        let hex_src = inputs.load("uk_constituencies_2024")?;
        let hex: HexJson = stemgap_sources::parse_json(&hex_src)?;
        let loaded = inputs.load("pcon2024_mysociety_shortcodes")?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        t.expect_headers(&["UKPARL.2025", "PCON24CD", "PCON24NM"])?;
        for row in t.rows() {
            let code = row.code(1)?;
            let nation = nation_of(&row, 1, code)?;
            let region = hex
                .hexes
                .0
                .get(code.as_str())
                .and_then(|h| h.region.as_deref())
                .and_then(region_code)
                .ok_or_else(|| {
                    SourceError::new(
                        hex_src.location.clone(),
                        Problem::Invalid(format!(
                            "seat {code} has no hex with a known region code"
                        )),
                    )
                })?;
            let short = row.str(0).trim().to_owned();
            if !short.starts_with("UKPARL.2025.")
                || self.short_codes.insert(short.clone(), code).is_some()
            {
                return Err(row.error(
                    0,
                    Problem::Invalid(format!("bad or repeated short code {short:?}")),
                ));
            }
            let seat = Seat {
                code,
                name: row.str(2).trim().to_owned(),
                nation,
                region,
            };
            self.add_seat(BoundarySet::Pcon2024, seat, row.location(1))?;
        }
        Ok(())
    }

    fn load_hexes(
        &mut self,
        inputs: &impl Sources,
        set: BoundarySet,
        id: &str,
    ) -> Result<(), SourceError> {
        let loaded = inputs.load(id)?;
        let hex: HexJson = stemgap_sources::parse_json(&loaded)?;
        let kind = stemgap_store::seat_kind(set);
        let mut seen = HashSet::default();
        for (code, tile) in &hex.hexes.0 {
            let c = GssCode::parse(code)
                .ok()
                .filter(|c| self.seat(set, *c).is_some())
                .ok_or_else(|| {
                    SourceError::new(
                        loaded.location.clone(),
                        Problem::UnknownCode(format!(
                            "{code:?}: a hex for a seat not in the {} set",
                            set.id()
                        )),
                    )
                })?;
            seen.insert(c);
            self.hexes.push(Hex {
                kind,
                code: code.clone(),
                q: tile.q,
                r: tile.r,
            });
        }
        if let Some(s) = self.seats(set).iter().find(|s| !seen.contains(&s.code)) {
            return Err(SourceError::new(
                loaded.location.clone(),
                Problem::Invalid(format!("no hex for seat {} {}", s.code, s.name)),
            ));
        }
        Ok(())
    }

    fn load_seat_overlaps(&mut self, inputs: &impl Sources) -> Result<(), SourceError> {
        // 2010 → 2024, keyed by GSS code then short code.
        let loaded = inputs.load("pcon2010_to_pcon2024_overlap")?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        let (a, b, w, p) = (
            t.column("PARL10")?,
            t.column("PARL25")?,
            t.column("percentage_overlap_pop")?,
            t.column("overlap_pop")?,
        );
        let mut seen = HashSet::default();
        for row in t.rows() {
            let from = self.seat_code(BoundarySet::Pcon2010, &row, a)?;
            let to = self.short_code_cell(&row, b)?;
            self.push_link(
                &row,
                &mut seen,
                Relation::SeatOverlap {
                    from: BoundarySet::Pcon2010,
                },
                from.to_string(),
                to.to_string(),
                w,
                p,
            )?;
        }
        let loaded = inputs.load("pcon2024_to_pcon2010_overlap_mysociety")?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        let (a, b, w, p) = (
            t.column("PARL25")?,
            t.column("PARL10")?,
            t.column("percentage_overlap_pop")?,
            t.column("overlap_pop")?,
        );
        for row in t.rows() {
            let from = self.short_code_cell(&row, a)?;
            let to = self.seat_code(BoundarySet::Pcon2010, &row, b)?;
            self.push_link(
                &row,
                &mut seen,
                Relation::SeatOverlap {
                    from: BoundarySet::Pcon2024,
                },
                from.to_string(),
                to.to_string(),
                w,
                p,
            )?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn push_link(
        &mut self,
        row: &Row<'_>,
        seen: &mut HashSet<(Relation, String, String)>,
        relation: Relation,
        from: String,
        to: String,
        weight_col: usize,
        pop_col: usize,
    ) -> Result<(), SourceError> {
        let weight = row.number(weight_col)?;
        if !(0.0..=1.0 + 1e-6).contains(&weight) {
            return Err(row.error(
                weight_col,
                Problem::Invalid(format!("share {weight} is outside 0..1")),
            ));
        }
        let population = row.number(pop_col)?;
        if !seen.insert((relation, from.clone(), to.clone())) {
            return Err(SourceError::new(
                row.location(0),
                Problem::Duplicate(format!("{from} → {to}")),
            ));
        }
        self.links.push(Link {
            relation,
            from,
            to,
            weight,
            population: Some(population),
        });
        Ok(())
    }

    fn load_authorities(&mut self, inputs: &impl Sources) -> Result<(), SourceError> {
        let loaded = inputs.load("ons_ward19_pcon19_lad19_uk")?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        let (pc, lc, ln) = (
            t.column("PCON19CD")?,
            t.column("LAD19CD")?,
            t.column("LAD19NM")?,
        );
        let mut lads: BTreeMap<GssCode, String> = BTreeMap::new();
        for row in t.rows() {
            self.seat_code(BoundarySet::Pcon2010, &row, pc)?;
            let code = row.code(lc)?;
            lads.entry(code)
                .or_insert_with(|| row.str(ln).trim().to_owned());
        }
        let mut names23: BTreeMap<String, String> = lads
            .iter()
            .map(|(c, n)| (c.to_string(), n.clone()))
            .collect();
        names23.extend(
            NEW_AUTHORITIES
                .iter()
                .map(|(c, n)| (c.to_string(), n.to_string())),
        );
        for (code, name) in &lads {
            self.areas.push(Area {
                kind: AreaKind::Lad19,
                code: code.to_string(),
                name: name.clone(),
                nation: code.nation(),
                region: None,
            });
        }
        let loaded = inputs.load("pcon2024_to_lad23_overlap_mysociety")?;
        let t = CsvTable::parse(&loaded, CsvOptions::default())?;
        let (a, b, w, p) = (
            t.column("PARL25")?,
            t.column("LAD23")?,
            t.column("percentage_overlap_pop")?,
            t.column("overlap_pop")?,
        );
        let mut seen = HashSet::default();
        let mut lad23 = BTreeMap::new();
        for row in t.rows() {
            let seat = self.short_code_cell(&row, a)?;
            let lad = row.code(b)?;
            let name = names23.get(lad.as_str()).ok_or_else(|| {
                row.error(
                    b,
                    Problem::UnknownCode(format!(
                        "{:?}: a local authority with no known name",
                        lad.as_str()
                    )),
                )
            })?;
            lad23.insert(lad, name.clone());
            self.push_link(
                &row,
                &mut seen,
                Relation::SeatToLad23,
                seat.to_string(),
                lad.to_string(),
                w,
                p,
            )?;
        }
        for (code, name) in lad23 {
            self.areas.push(Area {
                kind: AreaKind::Lad23,
                code: code.to_string(),
                name,
                nation: code.nation(),
                region: None,
            });
        }
        Ok(())
    }

    fn load_small_areas(&mut self, tables: SmallAreaTables) -> Result<(), SourceError> {
        let SmallAreaTables {
            areas: t,
            bestfit_2010,
            overlap_2024,
        } = tables;
        let (nc, ac, sc) = (
            t.column("nation")?,
            t.column("lsoa")?,
            t.column("overall_local_score")?,
        );
        let mut known: HashSet<String> =
            HashSet::with_capacity_and_hasher(t.len(), Default::default());
        for row in t.rows() {
            let nation = Nation::from_id(row.str(nc).trim()).map_err(|_| {
                row.error(
                    nc,
                    Problem::Invalid(format!("unknown nation {:?}", row.str(nc))),
                )
            })?;
            let code = row.str(ac).trim();
            let kind = match nation {
                Nation::England | Nation::Wales => AreaKind::Lsoa11,
                Nation::Scotland => AreaKind::Dz11,
                Nation::NorthernIreland => AreaKind::Soa01,
            };
            let ok_format = match nation {
                Nation::NorthernIreland => code.len() == 8 && code.starts_with("95"),
                _ => GssCode::parse(code).is_ok_and(|c| c.nation() == Some(nation)),
            };
            if !ok_format {
                return Err(row.error(ac, Problem::MalformedCode(code.to_owned())));
            }
            if !known.insert(code.to_owned()) {
                return Err(row.error(ac, Problem::Duplicate(code.to_owned())));
            }
            self.small_areas.insert(code.to_owned(), nation);
            // Scotland's and Northern Ireland's scores here are mySociety's
            // estimates, not published indices: only ranks are used for them.
            if matches!(nation, Nation::England | Nation::Wales) {
                self.small_area_scores
                    .insert(code.to_owned(), row.number(sc)?);
            }
            self.areas.push(Area {
                kind,
                code: code.to_owned(),
                name: code.to_owned(),
                nation: Some(nation),
                region: None,
            });
        }
        let small = |row: &Row<'_>, col: usize| -> Result<String, SourceError> {
            let c = row.str(col).trim();
            if known.contains(c) {
                Ok(c.to_owned())
            } else {
                Err(row.error(
                    col,
                    Problem::UnknownCode(format!("{c:?}: not a known small area")),
                ))
            }
        };
        let t = bestfit_2010;
        t.expect_headers(&["pcon", "lsoa11", "pcds"])?;
        let mut seen = HashSet::default();
        for row in t.rows() {
            let seat = self.seat_code(BoundarySet::Pcon2010, &row, 0)?;
            let area = small(&row, 1)?;
            if !seen.insert(area.clone()) {
                return Err(row.error(1, Problem::Duplicate(area)));
            }
            self.links.push(Link {
                relation: Relation::SmallAreaToSeat(BoundarySet::Pcon2010),
                from: area,
                to: seat.to_string(),
                weight: 1.0,
                population: None,
            });
        }
        let t = overlap_2024;
        let (a, b) = (t.column("LSOA11")?, t.column("PARL25")?);
        let (wp, wa, p, op) = (
            t.column("percentage_overlap_pop")?,
            t.column("percentage_overlap_area")?,
            t.column("overlap_pop")?,
            t.column("original_pop")?,
        );
        let mut seen = HashSet::default();
        for row in t.rows() {
            let area = small(&row, a)?;
            let seat = self.short_code_cell(&row, b)?;
            // Unpopulated areas (original_pop 0) are apportioned by area instead.
            let weight_col = if row.number(op)? > 0.0 { wp } else { wa };
            self.push_link(
                &row,
                &mut seen,
                Relation::SmallAreaToSeat(BoundarySet::Pcon2024),
                area,
                seat.to_string(),
                weight_col,
                p,
            )?;
        }
        Ok(())
    }
}

fn nation_of(row: &Row<'_>, col: usize, code: GssCode) -> Result<Nation, SourceError> {
    code.nation()
        .ok_or_else(|| row.error(col, Problem::MalformedCode(code.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_loosely() {
        assert_eq!(
            name_key("Argyll, Bute & South Lochaber"),
            name_key("argyll bute and south lochaber")
        );
        assert_ne!(name_key("Glasgow East"), name_key("Glasgow West"));
    }

    #[test]
    fn regions_by_name_or_code() {
        assert_eq!(
            region_code("Yorkshire and the Humber").unwrap().as_str(),
            "E12000003"
        );
        assert_eq!(
            region_code("N92000002").unwrap().nation(),
            Some(Nation::NorthernIreland)
        );
        assert!(region_code("Wessex").is_none());
    }
}
