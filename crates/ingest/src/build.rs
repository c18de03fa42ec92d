use crate::indicators::{self, Collector};
use crate::{IngestError, Registry};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;
use stemgap_core::{BoundarySet, GssCode};
use stemgap_sources::{Loaded, Location, Problem, SourceDir, SourceError};
use stemgap_store::{SourceRow, StoreWriter};

/// Reads catalogued files and remembers which ones the build used.
pub struct Inputs<'d> {
    dir: &'d SourceDir,
    used: Mutex<BTreeSet<String>>,
    progress: &'d (dyn Progress + Sync),
    /// Contributions added to this build (`stemgap build --contrib DIR`).
    contributions: Vec<crate::recipe::Contribution>,
}

impl<'d> Inputs<'d> {
    pub fn new(dir: &'d SourceDir, progress: &'d (dyn Progress + Sync)) -> Self {
        Inputs {
            dir,
            used: Mutex::default(),
            progress,
            contributions: Vec::new(),
        }
    }

    /// The same inputs with contributions to add.
    pub fn with_contributions(mut self, c: Vec<crate::recipe::Contribution>) -> Self {
        self.contributions = c;
        self
    }

    /// The contributions added to this build.
    pub fn contributions(&self) -> &[crate::recipe::Contribution] {
        &self.contributions
    }

    /// The catalogued path of a source, for error locations.
    pub fn path_of(&self, id: &str) -> String {
        self.dir
            .catalogue()
            .get(id)
            .map_or_else(|| id.to_owned(), |e| e.path.clone())
    }

    /// Whether the catalogue in use lists a source (a catalogue of another
    /// observatory, such as the test fixture's, may leave newer sources out).
    pub fn catalogued(&self, id: &str) -> bool {
        self.dir.catalogue().get(id).is_some()
    }

    /// Loads and checksums a source (each is loaded once per build).
    pub fn load(&self, id: &str) -> Result<Loaded<'d>, SourceError> {
        self.progress.source(id);
        let loaded = self.dir.load(id)?;
        self.used
            .lock()
            .expect("no thread panics holding it")
            .insert(id.to_owned());
        Ok(loaded)
    }
}

/// Progress events for a progress bar; all methods default to nothing.
pub trait Progress {
    /// A stage begins (`registry`, `indicators`, `store`).
    fn stage(&self, _name: &str) {}
    /// A source file is being read.
    fn source(&self, _id: &str) {}
}

impl Progress for () {}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct Summary {
    pub seats: Vec<(BoundarySet, usize)>,
    pub areas: usize,
    pub indicators: usize,
    pub observations: usize,
    pub sources_read: usize,
    pub seconds: f64,
}

/// Builds a complete store at `db` from the sources in `dir`.
///
/// Everything is read and validated before the new store is written; the
/// store is written beside `db` and renamed over it only when complete, so
/// a failed build leaves any previous store as it was.
pub fn build(
    dir: &SourceDir,
    db: &Path,
    progress: &(dyn Progress + Sync),
) -> Result<Summary, IngestError> {
    build_with(dir, db, progress, Vec::new())
}

/// [`build`] with contributions added (`stemgap build --contrib DIR`),
/// each flagged `contributed` with its contributor and licence.
pub fn build_with(
    dir: &SourceDir,
    db: &Path,
    progress: &(dyn Progress + Sync),
    contributions: Vec<crate::recipe::Contribution>,
) -> Result<Summary, IngestError> {
    let start = Instant::now();
    // The catalogue's optional sources found in the sources directory are
    // read as contributions are, before them, but as public sources.
    let mut contributions = contributions;
    let optional = crate::recipe::Contribution::optional_sources(dir)?;
    for o in &optional {
        if let Some(c) = contributions
            .iter()
            .find(|c| c.recipe.source.id == o.recipe.source.id)
        {
            return Err(SourceError::new(
                Location::file(c.recipe_file.clone()).at_column("source.id"),
                Problem::Invalid(format!(
                    "source {} is the catalogue's optional source, already in the sources directory ({}): it is read from there",
                    o.recipe.source.id, o.data_file
                )),
            )
            .into());
        }
    }
    if !optional.is_empty() {
        tracing::info!(
            sources = ?optional.iter().map(|o| o.recipe.source.id.as_str()).collect::<Vec<_>>(),
            "optional sources found in the sources directory"
        );
    }
    contributions.splice(0..0, optional);
    let inputs = Inputs::new(dir, progress).with_contributions(contributions);
    progress.stage("registry");
    // The boundaries' TopoJSON (which needs no registry) is read on another
    // thread meanwhile; errors come in the serial order.
    let (registry, boundaries) = std::thread::scope(|scope| {
        let boundaries = scope.spawn(|| stemgap_geography::topology::load(&inputs));
        let registry = Registry::load(&inputs);
        let boundaries = boundaries
            .join()
            .expect("the boundaries thread does not panic");
        (registry, boundaries)
    });
    let registry = registry?;
    let postcode_ranges = stemgap_geography::postcodes::read(&inputs, &registry)?;
    let members = crate::members::read(&inputs, &registry)?;
    let boundaries = boundaries?;
    let institution_files = crate::institutions::load(&inputs)?;
    tracing::info!(seconds = start.elapsed().as_secs_f64(), "registry read");
    let mut seat_areas = Vec::new();
    for set in BoundarySet::ALL {
        for s in registry.seats(set) {
            seat_areas.push(stemgap_store::Area {
                kind: stemgap_store::seat_kind(set),
                code: s.code.to_string(),
                name: s.name.clone(),
                nation: Some(s.nation),
                region: Some(s.region.to_string()),
            });
        }
    }
    // Two cores: the geography goes into the new store on one thread and the
    // boundaries' contiguity is computed on another while the indicators are
    // computed on this one. If either fails, the writer
    // is dropped and its temporary file deleted.
    progress.stage("indicators");
    let (writer, indicators, neighbours) = std::thread::scope(|scope| {
        let neighbours = scope.spawn(|| -> Result<_, IngestError> {
            let mut links = Vec::new();
            let mut maps = Vec::new();
            let mut outlines = Vec::new();
            for (set, loaded) in &boundaries {
                let seats: Vec<_> = registry.seats(*set).iter().map(|s| s.code).collect();
                let topology = stemgap_geography::topology::parse(loaded, *set, &seats)?;
                links.extend(topology.links()?);
                maps.push(stemgap_geography::seatmap::SeatMap::from_topology(
                    &topology,
                ));
                outlines.push((*set, stemgap_geography::shapes::draw(&topology)));
            }
            tracing::info!(seconds = start.elapsed().as_secs_f64(), "neighbours found");
            // Institutions are placed on the boundaries just parsed.
            let placed =
                crate::institutions::place(&institution_files, &registry, &postcode_ranges, &maps)?;
            tracing::info!(
                seconds = start.elapsed().as_secs_f64(),
                "institutions placed"
            );
            // The seat maps are kept only for located contributions
            // (placed after the indicators); otherwise they are freed here,
            // while the indicators are still being read.
            let located = inputs
                .contributions()
                .iter()
                .any(|c| c.recipe.source.geography.is_located());
            let maps = if located { maps } else { Vec::new() };
            Ok((links, placed, outlines, maps))
        });
        let writer = scope.spawn(|| -> Result<StoreWriter, IngestError> {
            let w = StoreWriter::create(db)?;
            w.put_areas(&seat_areas)?;
            w.put_areas(&registry.areas)?;
            w.put_links(&registry.store_links())?;
            w.put_hexes(&registry.hexes)?;
            w.put_postcode_ranges(&postcode_ranges)?;
            w.put_members(&members)?;
            tracing::info!(seconds = start.elapsed().as_secs_f64(), "geography stored");
            Ok(w)
        });
        let mut out = Collector::default();
        let made = indicators::collect_all(&inputs, &registry, &mut out).map(|()| out);
        tracing::info!(seconds = start.elapsed().as_secs_f64(), "indicators made");
        (
            writer.join().expect("the store thread does not panic"),
            made,
            neighbours
                .join()
                .expect("the neighbours thread does not panic"),
        )
    });
    let mut out = indicators?;
    let w = writer?;
    let (links, institutions, outlines, maps) = neighbours?;
    // Contributions of located rows (postcodes, points) need the seat maps
    // just made and the postcode lookup: placed now, after every other
    // figure (they are on both sets, so nothing converts them).
    if !maps.is_empty() {
        out.section(6);
        crate::recipe::collect_located_contributions(
            &inputs,
            &registry,
            crate::recipe::Given {
                seat_maps: Some(&maps),
                postcode_ranges: Some(&postcode_ranges),
                ..Default::default()
            },
            &mut out,
        )?;
        out.sort_definitions();
    }
    w.put_links(&stemgap_geography::relation::to_store(&links))?;
    for (set, drawn) in &outlines {
        let kind = stemgap_store::seat_kind(*set);
        let [x, y, width, height] = drawn.view_box;
        w.put_meta(
            &stemgap_store::outline_view_box_key(kind),
            &format!("{x} {y} {width} {height}"),
        )?;
        let rows: Vec<stemgap_store::Outline> = drawn
            .shapes
            .iter()
            .map(|s| stemgap_store::Outline {
                kind,
                code: s.code.to_string(),
                path: s.path.clone(),
            })
            .collect();
        w.put_outlines(&rows)?;
        // London's seats are a few pixels wide on a map of the UK: the
        // boundary map shows them again, enlarged, in an inset.
        let london: GssCode =
            GssCode::parse(stemgap_geography::shapes::LONDON).expect("a GSS code");
        let in_london = drawn.shapes.iter().filter(|s| {
            registry
                .seat(*set, s.code)
                .is_some_and(|seat| seat.region == london)
        });
        if let Some([x, y, width, height]) = stemgap_geography::shapes::frame(in_london, 1.0) {
            w.put_meta(
                &stemgap_store::outline_inset_key(kind),
                &format!("London|{x:.1} {y:.1} {width:.1} {height:.1}"),
            )?;
        }
    }
    // The seat maps served the located rows; they are not needed again.
    drop(maps);
    crate::institutions::log(&institutions.report);
    crate::institutions::collect(&institutions, &mut out)?;
    out.finish();
    w.put_institutions(&institutions.rows())?;
    tracing::info!(
        seconds = start.elapsed().as_secs_f64(),
        "indicators made, geography stored"
    );

    progress.stage("store");
    let used = inputs.used.lock().expect("no thread panics holding it");
    let mut sources: Vec<SourceRow> = dir
        .catalogue()
        .entries()
        .iter()
        .map(|e| SourceRow {
            id: e.id.clone(),
            title: e.title.clone(),
            publisher: e.publisher.clone(),
            licence: e.licence.clone(),
            url: e.url.clone(),
            publisher_url: e.publisher_url.clone(),
            path: e.path.clone(),
            sha256: e.sha256.clone(),
            format: e.format.clone(),
            geography: e.geography.clone(),
            boundary: e.boundary.clone(),
            period: e.period.clone(),
            nations: e.nations(),
            notes: e.notes.clone(),
            used: used.contains(&e.id),
        })
        .collect();
    sources.extend(crate::recipe::source_rows(inputs.contributions()));
    for (finding, indicator) in crate::recipe::replacements(inputs.contributions()) {
        w.put_meta(&crate::findings::replaces_key(&finding), &indicator)?;
    }
    w.put_meta("stemgap_version", env!("CARGO_PKG_VERSION"))?;
    w.put_meta("stemgap_commit", env!("STEMGAP_COMMIT"))?;
    w.put_meta("built_at", &built_at())?;
    w.put_meta("catalogue", &dir.catalogue().origin)?;
    w.put_sources(&sources)?;
    // The findings are computed on another thread while the observations are
    // written; they go into the store as one JSON document.
    progress.stage("findings");
    let findings_json = std::thread::scope(|scope| -> Result<String, IngestError> {
        let findings = scope.spawn(|| {
            let f = crate::findings::compute_from_build(
                &registry,
                &out,
                &links,
                &sources,
                &crate::recipe::replacements(inputs.contributions()),
            );
            tracing::info!(seconds = start.elapsed().as_secs_f64(), "findings computed");
            serde_json::to_string(&f).expect("findings serialise")
        });
        w.put_indicators(out.definitions())?;
        w.put_observations(out.observations())?;
        Ok(findings.join().expect("the findings thread does not panic"))
    })?;
    w.put_document(stemgap_findings::DOCUMENT, &findings_json)?;
    w.commit()?;
    tracing::info!(seconds = start.elapsed().as_secs_f64(), "store written");
    Ok(Summary {
        seats: BoundarySet::ALL
            .iter()
            .map(|&s| (s, registry.seats(s).len()))
            .collect(),
        areas: seat_areas.len() + registry.areas.len(),
        indicators: out.definitions().len(),
        observations: out.observations().len(),
        sources_read: used.len(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// When the store was built, as UTC RFC 3339 (`2026-12-07T07:26:52Z`):
/// `SOURCE_DATE_EPOCH` when set (reproducible builds), else now. The report
/// dates itself, and its PDF, from this.
fn built_at() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    rfc3339(secs)
}

/// Seconds since 1970 as UTC RFC 3339 (proleptic Gregorian; Hinnant's
/// civil-from-days).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let t = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn seconds_become_utc_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_688_169_600), "2023-07-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_796_628_412), "2026-12-07T07:26:52Z");
    }
}
