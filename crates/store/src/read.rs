use crate::key;
use crate::schema::SCHEMA_VERSION;
use crate::{Area, Hex, Institution, Link, Member, Outline, SourceRow, StoreError};
use rusqlite::{params, Connection, OpenFlags, Row};
use std::path::Path;
use stemgap_core::{
    AreaKind, BoundarySet, Direction, GssCode, IndicatorDef, Marker, Method, Nation, Observation,
    Symbol,
};

/// A store opened read-only.
pub struct Store {
    conn: Connection,
    path: String,
}

fn nations(s: &str) -> Vec<Nation> {
    s.split(',')
        .filter_map(|n| Nation::from_id(n).ok())
        .collect()
}

impl Store {
    /// Opens an existing store, refusing a missing file or another schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let p = path.display().to_string();
        if !path.is_file() {
            return Err(StoreError::Missing(p));
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(
            |source| StoreError::Sql {
                path: p.clone(),
                what: "opening",
                source,
            },
        )?;
        let store = Store { conn, path: p };
        let found = store.meta("schema_version").ok().flatten();
        if found.as_deref() != Some(SCHEMA_VERSION) {
            return Err(StoreError::Schema {
                path: store.path,
                found,
                expected: SCHEMA_VERSION.into(),
            });
        }
        Ok(store)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn sql(&self, what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sql {
            path: self.path.clone(),
            what,
            source,
        }
    }

    fn corrupt(&self, what: &'static str, value: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what,
            value: value.to_owned(),
        }
    }

    fn query<T>(
        &self,
        what: &'static str,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let mut st = self.conn.prepare(sql).map_err(self.sql(what))?;
        let rows = st.query_map(params, f).map_err(self.sql(what))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sql(what))
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .query(
                "reading meta",
                "SELECT value FROM meta WHERE key = ?1",
                [key],
                |r| r.get(0),
            )?
            .pop())
    }

    pub fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        self.query(
            "reading sources",
            "SELECT * FROM source ORDER BY id",
            [],
            |r| {
                Ok(SourceRow {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    publisher: r.get(2)?,
                    licence: r.get(3)?,
                    url: r.get(4)?,
                    path: r.get(5)?,
                    sha256: r.get(6)?,
                    format: r.get(7)?,
                    geography: r.get(8)?,
                    boundary: r.get(9)?,
                    period: r.get(10)?,
                    nations: nations(&r.get::<_, String>(11)?),
                    notes: r.get(12)?,
                    used: r.get(13)?,
                    publisher_url: r.get(14)?,
                })
            },
        )
    }

    /// The indicator catalogue, in the order the build defined it.
    pub fn indicators(&self) -> Result<Vec<IndicatorDef>, StoreError> {
        let raw = self.query(
            "reading indicators",
            "SELECT id, title, definition, unit, direction, sources, period, nations, method, caveats
             FROM indicator ORDER BY position",
            [],
            |r| {
                Ok((
                    [r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
                    [r.get::<_, String>(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?],
                ))
            },
        )?;
        raw.into_iter()
            .map(
                |(
                    [id, title, definition, unit, direction],
                    [sources, period, nats, method, caveats],
                )| {
                    Ok(IndicatorDef {
                        direction: Direction::from_id(&direction)
                            .ok_or_else(|| self.corrupt("indicator.direction", &direction))?,
                        method: Method::from_id(&method)
                            .ok_or_else(|| self.corrupt("indicator.method", &method))?,
                        sources: sources
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        nations: nations(&nats),
                        id,
                        title,
                        definition,
                        unit,
                        period,
                        caveats,
                    })
                },
            )
            .collect()
    }

    pub fn areas(&self, kind: AreaKind) -> Result<Vec<Area>, StoreError> {
        self.query(
            "reading areas",
            "SELECT code, name, nation, region FROM area WHERE kind = ?1 ORDER BY code",
            [kind.as_str()],
            |r| {
                Ok(Area {
                    kind,
                    code: r.get(0)?,
                    name: r.get(1)?,
                    nation: r
                        .get::<_, Option<String>>(2)?
                        .and_then(|n| Nation::from_id(&n).ok()),
                    region: r.get(3)?,
                })
            },
        )
    }

    /// The seats of a boundary set, ordered by code.
    pub fn seats(&self, set: BoundarySet) -> Result<Vec<Area>, StoreError> {
        self.areas(seat_kind(set))
    }

    pub fn links(&self, relation: &str) -> Result<Vec<Link>, StoreError> {
        self.query(
            "reading links",
            "SELECT relation, src, dst, weight, population FROM link WHERE relation = ?1 ORDER BY rowid",
            [relation],
            |r| {
                Ok(Link {
                    relation: r.get(0)?,
                    from: r.get(1)?,
                    to: r.get(2)?,
                    weight: r.get(3)?,
                    population: r.get(4)?,
                })
            },
        )
    }

    /// A seat kind's outlines, by code (none in a store built without
    /// boundaries).
    pub fn outlines(&self, kind: AreaKind) -> Result<Vec<Outline>, StoreError> {
        self.query(
            "reading outlines",
            "SELECT code, path FROM outline WHERE kind = ?1 ORDER BY code",
            [kind.as_str()],
            |r| {
                Ok(Outline {
                    kind,
                    code: r.get(0)?,
                    path: r.get(1)?,
                })
            },
        )
    }

    pub fn hexes(&self, kind: AreaKind) -> Result<Vec<Hex>, StoreError> {
        self.query(
            "reading hexes",
            "SELECT code, q, r FROM hex WHERE kind = ?1 ORDER BY code",
            [kind.as_str()],
            |r| {
                Ok(Hex {
                    kind,
                    code: r.get(0)?,
                    q: r.get(1)?,
                    r: r.get(2)?,
                })
            },
        )
    }

    /// The labels of each kind (see the `key` module), indexed by number.
    fn labels(&self) -> Result<[Vec<String>; 4], StoreError> {
        let mut out: [Vec<String>; 4] = Default::default();
        let rows = self.query(
            "reading labels",
            "SELECT kind, id, name FROM label ORDER BY kind, id",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )?;
        for (kind, id, name) in rows {
            let k = key::KINDS
                .iter()
                .position(|k| *k == kind)
                .ok_or_else(|| self.corrupt("label.kind", &kind))?;
            if usize::try_from(id).ok() != Some(out[k].len()) {
                return Err(self.corrupt("label.id", &id.to_string()));
            }
            out[k].push(name);
        }
        Ok(out)
    }

    /// Observations for one boundary set (`None`: geographies that are not
    /// seats), optionally of one indicator, ordered by indicator, code, period.
    pub fn observations(
        &self,
        boundary: Option<BoundarySet>,
        indicator: Option<&str>,
    ) -> Result<Vec<Observation>, StoreError> {
        let [indicators, codes, periods, sources] = self.labels()?;
        let codes = codes
            .iter()
            .map(|c| GssCode::parse(c).map_err(|_| self.corrupt("label code", c)))
            .collect::<Result<Vec<_>, _>>()?;
        let number = match indicator {
            None => None,
            // Labels are in sorted order.
            Some(id) => match indicators.binary_search_by(|s| s.as_str().cmp(id)) {
                Ok(i) => Some(i as u32),
                Err(_) => return Ok(Vec::new()),
            },
        };
        let (lo, hi) = key::range(boundary, number);
        let raw = self.query(
            "reading observations",
            "SELECT key, value, lower, upper, flag, method, source FROM observation
             WHERE key >= ?1 AND key < ?2 ORDER BY key",
            params![lo, hi],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    [r.get::<_, Option<f64>>(1)?, r.get(2)?, r.get(3)?],
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ))
            },
        )?;
        // Each label shared by the observations that carry it.
        let shared = |names: &[String]| -> Vec<Symbol> {
            names.iter().map(|n| Symbol::from(n.as_str())).collect()
        };
        let (indicators, periods, sources) =
            (shared(&indicators), shared(&periods), shared(&sources));
        let label = |names: &[Symbol], i: usize, what| {
            names
                .get(i)
                .cloned()
                .ok_or_else(|| self.corrupt(what, &i.to_string()))
        };
        raw.into_iter()
            .map(|(k, [value, lower, upper], flag, method, source)| {
                let (i, c, p) = key::unpack(k);
                Ok(Observation {
                    code: *codes
                        .get(c)
                        .ok_or_else(|| self.corrupt("observation code", &c.to_string()))?,
                    boundary,
                    indicator: label(&indicators, i, "observation indicator")?,
                    period: label(&periods, p, "observation period")?,
                    value,
                    lower,
                    upper,
                    flag: match flag {
                        Some(f) => Some(
                            Marker::from_id(&f)
                                .ok_or_else(|| self.corrupt("observation.flag", &f))?,
                        ),
                        None => None,
                    },
                    method: Method::from_id(&method)
                        .ok_or_else(|| self.corrupt("observation.method", &method))?,
                    source: label(
                        &sources,
                        usize::try_from(source).unwrap_or(usize::MAX),
                        "observation source",
                    )?,
                })
            })
            .collect()
    }

    /// The seat of the postcode range containing `key` (the largest range
    /// start at or below it): `None` when there is no range below `key`,
    /// `Some(None)` when the range has no seat.
    pub fn postcode_range(&self, key: u64) -> Result<Option<Option<String>>, StoreError> {
        Ok(self
            .query(
                "looking up a postcode",
                "SELECT seat FROM postcode_range WHERE key <= ?1 ORDER BY key DESC LIMIT 1",
                [key as i64],
                |r| r.get::<_, Option<String>>(0),
            )?
            .pop())
    }

    /// The providers and teaching locations placed in a seat of `set`:
    /// providers first, then locations, each by name.
    pub fn institutions(
        &self,
        set: BoundarySet,
        seat: &str,
    ) -> Result<Vec<Institution>, StoreError> {
        let col = match set {
            BoundarySet::Pcon2010 => "seat2010",
            BoundarySet::Pcon2024 => "seat2024",
        };
        self.query(
            "reading institutions",
            &format!(
                "SELECT {INSTITUTION_COLUMNS} FROM institution WHERE {col} = ?1
                 ORDER BY kind DESC, name, ukprn, locid"
            ),
            [seat],
            institution,
        )
    }

    /// Every provider and teaching location unplaced in either set or
    /// placed with a flag or a correction, providers first.
    pub fn unplaced_institutions(&self) -> Result<Vec<Institution>, StoreError> {
        self.query(
            "reading institutions",
            &format!(
                "SELECT {INSTITUTION_COLUMNS} FROM institution WHERE problem IS NOT NULL
                 ORDER BY kind DESC, ukprn, locid"
            ),
            [],
            institution,
        )
    }

    /// Every provider and teaching location, providers first.
    pub fn all_institutions(&self) -> Result<Vec<Institution>, StoreError> {
        self.query(
            "reading institutions",
            &format!(
                "SELECT {INSTITUTION_COLUMNS} FROM institution ORDER BY kind DESC, ukprn, locid"
            ),
            [],
            institution,
        )
    }

    /// Every postcode range as (start key, seat or none), ordered by key:
    /// for a caller that keeps the lookup in memory and searches it itself
    /// with the same rule as [`Store::postcode_range`].
    pub fn postcode_ranges(&self) -> Result<Vec<(u64, Option<String>)>, StoreError> {
        self.query(
            "reading postcode ranges",
            "SELECT key, seat FROM postcode_range ORDER BY key",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Option<String>>(1)?)),
        )
    }

    /// The members elected for the 2024 seats, by seat code.
    pub fn members(&self) -> Result<Vec<Member>, StoreError> {
        self.query(
            "reading members",
            "SELECT code, first_name, surname, party_code, party, majority, majority_share, \
             turnout, electorate, valid_votes, elected, source FROM member ORDER BY code",
            [],
            |r| {
                Ok(Member {
                    code: r.get(0)?,
                    first_name: r.get(1)?,
                    surname: r.get(2)?,
                    party_code: r.get(3)?,
                    party: r.get(4)?,
                    majority: r.get(5)?,
                    majority_share: r.get(6)?,
                    turnout: r.get(7)?,
                    electorate: r.get(8)?,
                    valid_votes: r.get(9)?,
                    elected: r.get(10)?,
                    source: r.get(11)?,
                })
            },
        )
    }

    pub fn document(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .query(
                "reading a document",
                "SELECT body FROM document WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?
            .pop())
    }
}

const INSTITUTION_COLUMNS: &str = "kind, ukprn, locid, name, partner, postcode, lat, lon, \
    place_lat, place_lon, seat2010, route2010, seat2024, route2024, stem, stem_route, problem";

fn institution(r: &Row<'_>) -> rusqlite::Result<Institution> {
    Ok(Institution {
        kind: r.get(0)?,
        ukprn: r.get(1)?,
        locid: r.get(2)?,
        name: r.get(3)?,
        partner: r.get(4)?,
        postcode: r.get(5)?,
        lat: r.get(6)?,
        lon: r.get(7)?,
        place_lat: r.get(8)?,
        place_lon: r.get(9)?,
        seat_2010: r.get(10)?,
        route_2010: r.get(11)?,
        seat_2024: r.get(12)?,
        route_2024: r.get(13)?,
        stem: r.get(14)?,
        stem_route: r.get(15)?,
        problem: r.get(16)?,
    })
}

/// The `area.kind` of a boundary set's seats.
pub fn seat_kind(set: BoundarySet) -> AreaKind {
    AreaKind::seats(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreWriter;

    fn obs(code: &str, value: Option<f64>, flag: Option<Marker>) -> Observation {
        Observation {
            code: GssCode::parse(code).unwrap(),
            boundary: Some(BoundarySet::Pcon2024),
            indicator: "x".into(),
            period: "2021".into(),
            value,
            lower: None,
            upper: None,
            flag,
            method: Method::Measured,
            source: "s".into(),
        }
    }

    #[test]
    fn observations_come_back_by_set_and_indicator_in_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let w = StoreWriter::create(&db).unwrap();
        let make = |set, indicator: &str, code, period: &str, source: &str| Observation {
            boundary: set,
            indicator: indicator.into(),
            period: period.into(),
            source: source.into(),
            lower: Some(0.25),
            upper: Some(0.75),
            ..obs(code, Some(0.5), None)
        };
        let (s24, s10) = (Some(BoundarySet::Pcon2024), Some(BoundarySet::Pcon2010));
        // Written out of order, across sets and with labels shared.
        let all = vec![
            make(s24, "b", "E14001064", "2022", "t"),
            make(s10, "b", "E14000530", "2021", "s"),
            make(s24, "a", "E14001064", "2021", "s"),
            make(None, "a", "E06000001", "2021", "u"),
            make(s24, "b", "E14001063", "2023", "s"),
            make(s24, "a", "E14001063", "2022/23", "t"),
        ];
        w.put_observations(&all).unwrap();
        w.commit().unwrap();
        let s = Store::open(&db).unwrap();
        let got = s.observations(s24, None).unwrap();
        let expect = vec![
            all[5].clone(),
            all[2].clone(),
            all[4].clone(),
            all[0].clone(),
        ];
        assert_eq!(got, expect);
        assert_eq!(
            s.observations(s24, Some("b")).unwrap(),
            vec![all[4].clone(), all[0].clone()]
        );
        assert_eq!(s.observations(s10, None).unwrap(), vec![all[1].clone()]);
        assert_eq!(
            s.observations(None, Some("a")).unwrap(),
            vec![all[3].clone()]
        );
        assert!(s.observations(s24, Some("zz")).unwrap().is_empty());
    }

    #[test]
    fn links_come_back_sorted_per_relation_and_repeats_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let w = StoreWriter::create(&dir.path().join("s.db")).unwrap();
        let link = |relation: &str, from: &str, to: &str| Link {
            relation: relation.into(),
            from: from.into(),
            to: to.into(),
            weight: 1.0,
            population: None,
        };
        w.put_links(&[
            link("r", "b", "a"),
            link("q", "z", "z"),
            link("r", "a", "c"),
        ])
        .unwrap();
        w.put_links(&[link("s", "b", "b"), link("s", "a", "b")])
            .unwrap();
        assert!(w.put_links(&[link("r", "x", "y")]).is_err());
        assert!(w
            .put_links(&[link("t", "x", "y"), link("t", "x", "y")])
            .is_err());
        let path = dir.path().join("s.db");
        w.commit().unwrap();
        let s = Store::open(&path).unwrap();
        let pairs = |r| -> Vec<(String, String)> {
            s.links(r)
                .unwrap()
                .into_iter()
                .map(|l| (l.from, l.to))
                .collect()
        };
        assert_eq!(
            pairs("r"),
            [("a".into(), "c".into()), ("b".into(), "a".into())]
        );
        assert_eq!(
            pairs("s"),
            [("a".into(), "b".into()), ("b".into(), "b".into())]
        );
        assert!(pairs("t").is_empty());
    }

    #[test]
    fn the_same_observation_twice_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let w = StoreWriter::create(&dir.path().join("s.db")).unwrap();
        let o = obs("E14001063", Some(0.5), None);
        assert!(w.put_observations(&[o.clone(), o]).is_err());
    }

    #[test]
    fn round_trip_and_missing_values_stay_missing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let w = StoreWriter::create(&db).unwrap();
        let o = vec![
            obs("E14001063", Some(0.5), None),
            obs("E14001064", None, Some(Marker::Tilde)),
        ];
        w.put_observations(&o).unwrap();
        w.commit().unwrap();
        let s = Store::open(&db).unwrap();
        assert_eq!(
            s.observations(Some(BoundarySet::Pcon2024), None).unwrap(),
            o
        );
        assert!(s
            .observations(Some(BoundarySet::Pcon2010), None)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_dropped_build_leaves_the_old_store() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let w = StoreWriter::create(&db).unwrap();
        w.put_meta("marker", "old").unwrap();
        w.commit().unwrap();
        let w = StoreWriter::create(&db).unwrap();
        w.put_meta("marker", "new").unwrap();
        drop(w);
        assert_eq!(
            Store::open(&db).unwrap().meta("marker").unwrap().as_deref(),
            Some("old")
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary file left behind");
    }

    #[test]
    fn a_value_without_flag_or_number_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let w = StoreWriter::create(&dir.path().join("s.db")).unwrap();
        assert!(w.put_observations(&[obs("E14001063", None, None)]).is_err());
    }

    fn institution(
        kind: &str,
        ukprn: &str,
        seats: [Option<&str>; 2],
        problem: Option<&str>,
    ) -> Institution {
        let route = |s: Option<&str>| s.map(|_| "postcode".to_owned());
        Institution {
            kind: kind.into(),
            ukprn: ukprn.into(),
            locid: if kind == "location" {
                "A".into()
            } else {
                String::new()
            },
            name: format!("{kind} {ukprn}"),
            partner: None,
            postcode: Some("NE1 1AA".into()),
            lat: None,
            lon: None,
            place_lat: None,
            place_lon: None,
            seat_2010: seats[0].map(str::to_owned),
            route_2010: route(seats[0]),
            seat_2024: seats[1].map(str::to_owned),
            route_2024: route(seats[1]),
            stem: Some(true),
            stem_route: Some("provider 2018/19".into()),
            problem: problem.map(str::to_owned),
        }
    }

    #[test]
    fn members_round_trip_and_a_negative_majority_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let w = StoreWriter::create(&db).unwrap();
        let m = Member {
            code: "E14001401".into(),
            first_name: "Ada".into(),
            surname: "Example".into(),
            party_code: "Lab".into(),
            party: "Labour".into(),
            majority: 1234,
            majority_share: 3.5,
            turnout: 61.25,
            electorate: 70000,
            valid_votes: 42875,
            elected: "July 2024".into(),
            source: "s".into(),
        };
        let bad = Member {
            code: "E14001402".into(),
            majority: -1,
            ..m.clone()
        };
        assert!(w.put_members(std::slice::from_ref(&bad)).is_err());
        w.put_members(std::slice::from_ref(&m)).unwrap();
        w.commit().unwrap();
        assert_eq!(Store::open(&db).unwrap().members().unwrap(), [m]);
    }

    #[test]
    fn institutions_round_trip_by_seat_and_by_problem() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let w = StoreWriter::create(&db).unwrap();
        let rows = vec![
            institution(
                "location",
                "10000001",
                [Some("E14000801"), Some("E14001401")],
                None,
            ),
            institution(
                "provider",
                "10000001",
                [None, Some("E14001401")],
                Some("2010 set: split"),
            ),
            institution("provider", "10000002", [None, None], Some("no postcode")),
        ];
        w.put_institutions(&rows).unwrap();
        w.commit().unwrap();
        let s = Store::open(&db).unwrap();
        let in_seat = s.institutions(BoundarySet::Pcon2024, "E14001401").unwrap();
        assert_eq!(
            in_seat,
            [rows[1].clone(), rows[0].clone()],
            "providers first"
        );
        assert_eq!(
            s.institutions(BoundarySet::Pcon2010, "E14000801").unwrap(),
            [rows[0].clone()]
        );
        assert_eq!(
            s.unplaced_institutions().unwrap(),
            [rows[1].clone(), rows[2].clone()]
        );
        assert_eq!(s.all_institutions().unwrap().len(), 3);
        assert_eq!(rows[1].seat(BoundarySet::Pcon2024), Some("E14001401"));
        assert_eq!(rows[1].route(BoundarySet::Pcon2010), None);
    }

    #[test]
    fn an_unplaced_institution_needs_a_problem_and_keys_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let w = StoreWriter::create(&dir.path().join("s.db")).unwrap();
        assert!(w
            .put_institutions(&[institution(
                "provider",
                "10000003",
                [None, Some("E14001401")],
                None
            )])
            .is_err());
        let ok = institution(
            "provider",
            "10000004",
            [Some("E14000801"), Some("E14001401")],
            None,
        );
        assert!(w.put_institutions(&[ok.clone(), ok]).is_err());
    }

    #[test]
    fn postcode_ranges_read_back_in_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let w = StoreWriter::create(&db).unwrap();
        let ranges = vec![
            (30, None),
            (10, Some("E14001063".to_owned())),
            (20, Some("W07000081".to_owned())),
        ];
        w.put_postcode_ranges(&ranges).unwrap();
        w.commit().unwrap();
        let s = Store::open(&db).unwrap();
        let got = s.postcode_ranges().unwrap();
        assert_eq!(got.iter().map(|r| r.0).collect::<Vec<_>>(), [10, 20, 30]);
        assert_eq!(got[1].1.as_deref(), Some("W07000081"));
        // The same rule as the single lookup: the largest start at or below.
        assert_eq!(
            s.postcode_range(25).unwrap(),
            Some(Some("W07000081".to_owned()))
        );
    }

    #[test]
    fn missing_store_says_how_to_build_it() {
        let e = Store::open(Path::new("/nonexistent/x.db")).err().unwrap();
        assert!(e.to_string().contains("stemgap build --sources DIR"), "{e}");
    }
}
