use crate::key;
use crate::schema::{CREATE, SCHEMA_VERSION};
use crate::{Area, Hex, Institution, Link, Member, Outline, SourceRow, StoreError};
use rusqlite::{params, Connection};
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use stemgap_core::{IndicatorDef, Observation};

/// Writes a new store to a temporary file beside `dest`; [`commit`] renames
/// it into place. Dropping a writer without committing deletes the
/// temporary file, so the previous store is never half-overwritten.
///
/// [`commit`]: StoreWriter::commit
pub struct StoreWriter {
    conn: Option<Connection>,
    tmp: PathBuf,
    dest: PathBuf,
}

fn join_ids<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(",")
}

impl StoreWriter {
    pub fn create(dest: &Path) -> Result<Self, StoreError> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "stemgap.db".into());
        let tmp = dest.with_file_name(format!(".{name}.building-{}", std::process::id()));
        let path = dest.display().to_string();
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: path.clone(),
                what: "creating its directory",
                source,
            })?;
        }
        let _ = std::fs::remove_file(&tmp);
        let sql = |what| {
            let path = path.clone();
            move |source| StoreError::Sql { path, what, source }
        };
        let conn = Connection::open(&tmp).map_err(sql("creating the new store"))?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; BEGIN;",
        )
        .map_err(sql("configuring the new store"))?;
        conn.execute_batch(CREATE).map_err(sql("creating tables"))?;
        let w = StoreWriter {
            conn: Some(conn),
            tmp,
            dest: dest.to_owned(),
        };
        w.put_meta("schema_version", SCHEMA_VERSION)?;
        Ok(w)
    }

    fn conn(&self) -> &Connection {
        self.conn.as_ref().expect("connection is open until commit")
    }

    fn sql(&self, what: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sql {
            path: self.dest.display().to_string(),
            what,
            source,
        }
    }

    pub fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO meta VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(self.sql("writing meta"))?;
        Ok(())
    }

    pub fn put_sources(&self, rows: &[SourceRow]) -> Result<(), StoreError> {
        let mut st = self
            .conn()
            .prepare(
                "INSERT INTO source VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
            )
            .map_err(self.sql("writing sources"))?;
        for s in rows {
            st.execute(params![
                s.id,
                s.title,
                s.publisher,
                s.licence,
                s.url,
                s.path,
                s.sha256,
                s.format,
                s.geography,
                s.boundary,
                s.period,
                join_ids(s.nations.iter().map(|n| n.id())),
                s.notes,
                s.used,
                s.publisher_url
            ])
            .map_err(self.sql("writing sources"))?;
        }
        Ok(())
    }

    pub fn put_areas(&self, rows: &[Area]) -> Result<(), StoreError> {
        // Rows in primary-key order make B-tree inserts appends.
        let mut rows: Vec<&Area> = rows.iter().collect();
        rows.sort_unstable_by(|a, b| (a.kind.as_str(), &a.code).cmp(&(b.kind.as_str(), &b.code)));
        let mut st = self
            .conn()
            .prepare("INSERT INTO area VALUES (?1,?2,?3,?4,?5)")
            .map_err(self.sql("writing areas"))?;
        for a in rows {
            st.execute(params![
                a.kind.as_str(),
                a.code,
                a.name,
                a.nation.map(|n| n.id()),
                a.region
            ])
            .map_err(self.sql("writing areas"))?;
        }
        Ok(())
    }

    /// Stores the links between areas. Rows go in (relation, from, to)
    /// order, which readers get back as rowid order, so each relation's
    /// links come in one call (a relation already stored is refused, as is
    /// a pair given twice). The relation index is built after the first
    /// call's rows are in: a text primary key kept up to date row by row
    /// cost the build ~1 G instructions of string comparisons.
    pub fn put_links(&self, rows: &[Link]) -> Result<(), StoreError> {
        let mut rows: Vec<&Link> = rows.iter().collect();
        rows.sort_unstable_by(|a, b| {
            (&a.relation, &a.from, &a.to).cmp(&(&b.relation, &b.from, &b.to))
        });
        if let Some(w) = rows.windows(2).find(|w| {
            (&w[0].relation, &w[0].from, &w[0].to) == (&w[1].relation, &w[1].from, &w[1].to)
        }) {
            return Err(StoreError::Duplicate {
                path: self.dest.display().to_string(),
                what: "link",
                key: format!("{} {} -> {}", w[0].relation, w[0].from, w[0].to),
            });
        }
        let mut relations: Vec<&str> = rows.iter().map(|l| l.relation.as_str()).collect();
        relations.dedup();
        for r in relations {
            let stored: bool = self
                .conn()
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM link WHERE relation = ?1)",
                    [r],
                    |row| row.get(0),
                )
                .map_err(self.sql("writing links"))?;
            if stored {
                return Err(StoreError::Duplicate {
                    path: self.dest.display().to_string(),
                    what: "link relation",
                    key: r.to_owned(),
                });
            }
        }
        let mut st = self
            .conn()
            .prepare("INSERT INTO link VALUES (?1,?2,?3,?4,?5)")
            .map_err(self.sql("writing links"))?;
        for l in rows {
            st.execute(params![l.relation, l.from, l.to, l.weight, l.population])
                .map_err(self.sql("writing links"))?;
        }
        self.conn()
            .execute_batch("CREATE INDEX IF NOT EXISTS link_relation ON link (relation)")
            .map_err(self.sql("indexing links"))?;
        Ok(())
    }

    pub fn put_hexes(&self, rows: &[Hex]) -> Result<(), StoreError> {
        let mut st = self
            .conn()
            .prepare("INSERT INTO hex VALUES (?1,?2,?3,?4)")
            .map_err(self.sql("writing hexes"))?;
        for h in rows {
            st.execute(params![h.kind.as_str(), h.code, h.q, h.r])
                .map_err(self.sql("writing hexes"))?;
        }
        Ok(())
    }

    pub fn put_outlines(&self, rows: &[Outline]) -> Result<(), StoreError> {
        let mut st = self
            .conn()
            .prepare("INSERT INTO outline VALUES (?1,?2,?3)")
            .map_err(self.sql("writing outlines"))?;
        for o in rows {
            st.execute(params![o.kind.as_str(), o.code, o.path])
                .map_err(self.sql("writing outlines"))?;
        }
        Ok(())
    }

    pub fn put_indicators(&self, defs: &[IndicatorDef]) -> Result<(), StoreError> {
        let mut st = self
            .conn()
            .prepare("INSERT INTO indicator VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)")
            .map_err(self.sql("writing indicators"))?;
        for (i, d) in defs.iter().enumerate() {
            st.execute(params![
                d.id,
                d.title,
                d.definition,
                d.unit,
                d.direction.id(),
                join_ids(&d.sources),
                d.period,
                join_ids(d.nations.iter().map(|n| n.id())),
                d.method.id(),
                d.caveats,
                i as i64
            ])
            .map_err(self.sql("writing indicators"))?;
        }
        Ok(())
    }

    pub fn put_observations(&self, obs: &[Observation]) -> Result<(), StoreError> {
        // Each kind of label numbered in sorted string order (see `key`).
        fn number<'a>(
            names: impl Iterator<Item = &'a str>,
        ) -> (Vec<&'a str>, FxHashMap<&'a str, u32>) {
            // Distinct names first (a few thousand among 250,000 rows), then
            // sorted: sorting every row's name was most of this step.
            let distinct: FxHashSet<&str> = names.collect();
            let mut sorted: Vec<&str> = distinct.into_iter().collect();
            sorted.sort_unstable();
            let ids = sorted.iter().copied().zip(0..).collect();
            (sorted, ids)
        }
        let labels = [
            number(obs.iter().map(|o| o.indicator.as_str())),
            number(obs.iter().map(|o| o.code.as_str())),
            number(obs.iter().map(|o| o.period.as_str())),
            number(obs.iter().map(|o| o.source.as_str())),
        ];
        let mut st = self
            .conn()
            .prepare_cached("INSERT INTO label VALUES (?1, ?2, ?3)")
            .map_err(self.sql("writing labels"))?;
        for ((kind, capacity), (names, _)) in key::KINDS.iter().zip(key::CAPACITY).zip(&labels) {
            if names.len() > capacity {
                return Err(StoreError::Capacity {
                    path: self.dest.display().to_string(),
                    what: kind,
                    count: names.len(),
                    max: capacity,
                });
            }
            for (id, name) in names.iter().enumerate() {
                st.execute(params![kind, id as i64, name])
                    .map_err(self.sql("writing labels"))?;
            }
        }
        let [(_, indicators), (_, codes), (_, periods), (_, sources)] = &labels;
        let mut keyed: Vec<(i64, &Observation)> = obs
            .iter()
            .map(|o| {
                let k = key::pack(
                    o.boundary,
                    indicators[o.indicator.as_str()],
                    codes[o.code.as_str()],
                    periods[o.period.as_str()],
                );
                (k, o)
            })
            .collect();
        // Increasing keys: appends to the table's B-tree.
        keyed.sort_unstable_by_key(|(k, _)| *k);
        // Rows go in BATCH at a time through one multi-row INSERT (one
        // statement step per batch instead of per row: the per-statement
        // work was most of SQLite's cost), the tail one by one.
        const BATCH: usize = 64;
        const COLUMNS: usize = 7;
        let row = |st: &mut rusqlite::CachedStatement<'_>,
                   at: usize,
                   (k, o): &(i64, &Observation)|
         -> rusqlite::Result<()> {
            st.raw_bind_parameter(at + 1, k)?;
            st.raw_bind_parameter(at + 2, o.value)?;
            st.raw_bind_parameter(at + 3, o.lower)?;
            st.raw_bind_parameter(at + 4, o.upper)?;
            st.raw_bind_parameter(at + 5, o.flag.map(|f| f.id()))?;
            st.raw_bind_parameter(at + 6, o.method.id())?;
            st.raw_bind_parameter(at + 7, sources[o.source.as_str()])
        };
        let values = vec!["(?,?,?,?,?,?,?)"; BATCH].join(",");
        let mut batch = self
            .conn()
            .prepare_cached(&format!("INSERT INTO observation VALUES {values}"))
            .map_err(self.sql("writing observations"))?;
        let mut single = self
            .conn()
            .prepare_cached("INSERT INTO observation VALUES (?,?,?,?,?,?,?)")
            .map_err(self.sql("writing observations"))?;
        for chunk in keyed.chunks(BATCH) {
            let written = if chunk.len() == BATCH {
                chunk
                    .iter()
                    .enumerate()
                    .try_for_each(|(r, kv)| row(&mut batch, r * COLUMNS, kv))
                    .and_then(|()| batch.raw_execute())
                    .map(|_| ())
            } else {
                chunk.iter().try_for_each(|kv| {
                    row(&mut single, 0, kv)?;
                    single.raw_execute().map(|_| ())
                })
            };
            written.map_err(self.sql("writing observations"))?;
        }
        Ok(())
    }

    /// Stores the postcode range lookup: each range starts at `key` (a
    /// postcode read as base 36) and runs to the next; `None` is no seat.
    pub fn put_postcode_ranges(&self, ranges: &[(u64, Option<String>)]) -> Result<(), StoreError> {
        let mut st = self
            .conn()
            .prepare("INSERT INTO postcode_range VALUES (?1, ?2)")
            .map_err(self.sql("writing postcode ranges"))?;
        for (key, seat) in ranges {
            st.execute(params![*key as i64, seat])
                .map_err(self.sql("writing postcode ranges"))?;
        }
        Ok(())
    }

    /// Stores the higher-education providers and teaching locations with
    /// their seats. A duplicate (kind, UKPRN, LOCID), or a row unplaced in a
    /// set without a problem saying why, is refused.
    pub fn put_institutions(&self, rows: &[Institution]) -> Result<(), StoreError> {
        let mut rows: Vec<&Institution> = rows.iter().collect();
        rows.sort_unstable_by(|a, b| {
            (&a.kind, &a.ukprn, &a.locid).cmp(&(&b.kind, &b.ukprn, &b.locid))
        });
        let mut st = self
            .conn()
            .prepare("INSERT INTO institution VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)")
            .map_err(self.sql("writing institutions"))?;
        for i in rows {
            st.execute(params![
                i.kind,
                i.ukprn,
                i.locid,
                i.name,
                i.partner,
                i.postcode,
                i.lat,
                i.lon,
                i.place_lat,
                i.place_lon,
                i.seat_2010,
                i.route_2010,
                i.seat_2024,
                i.route_2024,
                i.stem,
                i.stem_route,
                i.problem
            ])
            .map_err(self.sql("writing institutions"))?;
        }
        Ok(())
    }

    /// Stores the members elected for the 2024 seats (one per seat).
    pub fn put_members(&self, rows: &[Member]) -> Result<(), StoreError> {
        let mut st = self
            .conn()
            .prepare("INSERT INTO member VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)")
            .map_err(self.sql("writing members"))?;
        for m in rows {
            st.execute(params![
                m.code,
                m.first_name,
                m.surname,
                m.party_code,
                m.party,
                m.majority,
                m.majority_share,
                m.turnout,
                m.electorate,
                m.valid_votes,
                m.elected,
                m.source
            ])
            .map_err(self.sql("writing members"))?;
        }
        Ok(())
    }

    /// Stores a named document (e.g. the findings as JSON) verbatim.
    pub fn put_document(&self, id: &str, body: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO document VALUES (?1, ?2)",
                params![id, body],
            )
            .map_err(self.sql("writing a document"))?;
        Ok(())
    }

    /// Finishes the new store and moves it over the old one in one rename.
    pub fn commit(mut self) -> Result<(), StoreError> {
        let conn = self.conn.take().expect("connection is open until commit");
        let path = self.dest.display().to_string();
        conn.execute_batch("COMMIT;")
            .map_err(|source| StoreError::Sql {
                path: path.clone(),
                what: "committing the new store",
                source,
            })?;
        conn.close().map_err(|(_, source)| StoreError::Sql {
            path: path.clone(),
            what: "closing the new store",
            source,
        })?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|source| StoreError::Io {
            path,
            what: "moving the new store into place",
            source,
        })?;
        Ok(())
    }
}

impl Drop for StoreWriter {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(conn);
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
