//! `stemgap site`, `brief` and `report`: the static site (every internal
//! link resolves, two runs are byte-identical) on the test observatory
//! always and on the real store (skipped, with a message, without
//! `../shared/data`, with timings); the briefs and the report (self-
//! contained, numbers from the store); and their PDFs printed by headless
//! Chromium and rendered to PNG by pdftoppm (skipped, with a message, when
//! either is absent).

use crate::common::{repo, run, stderr, stdout};
use crate::real_data::real_store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixture_store(dir: &Path) -> PathBuf {
    let obs = repo().join("tests/observatory");
    let db = dir.join("observatory.db");
    let o = crate::fixture::build_with(&obs, &obs.join("catalogue.toml"), &db);
    assert!(o.status.success(), "{}", stderr(&o));
    db
}

/// Every file under `root`, by path relative to it, with its length and a
/// hash of its bytes (the real site is hundreds of megabytes: not kept).
fn tree(root: &Path) -> BTreeMap<String, (usize, u64)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (usize, u64)>) {
        use std::hash::{Hash, Hasher};
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                let bytes = std::fs::read(&p).unwrap();
                let mut h = std::hash::DefaultHasher::new();
                bytes.hash(&mut h);
                out.insert(rel, (bytes.len(), h.finish()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Values of `attr="…"` attributes in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = html[from..].find(&pat) {
        let start = from + at + pat.len();
        let end = start + html[start..].find('"').unwrap();
        out.push(&html[start..end]);
        from = end;
    }
    out
}

/// Internal links of every page that do not resolve to a file, as
/// `page: link`.
fn broken_links(root: &Path, site: &BTreeMap<String, (usize, u64)>) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut broken = Vec::new();
    for file in site.keys().filter(|f| f.ends_with(".html")) {
        let html = std::fs::read_to_string(root.join(file)).unwrap();
        let dir = Path::new(file).parent().unwrap_or(Path::new(""));
        for link in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if link.starts_with('#')
                || link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with("data:")
            {
                continue;
            }
            checked += 1;
            let target = link.split('#').next().unwrap();
            if target.starts_with('/') || link.contains('?') || link.contains("&#") {
                broken.push(format!("{file}: {link} (not relative)"));
                continue;
            }
            // Resolve `..` by hand (the files exist only in the map).
            let mut parts: Vec<String> = dir
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            for seg in target.split('/') {
                match seg {
                    ".." => {
                        if parts.pop().is_none() {
                            broken.push(format!("{file}: {link} (above the root)"));
                        }
                    }
                    "." | "" => {}
                    s => parts.push(s.to_owned()),
                }
            }
            if !site.contains_key(&parts.join("/")) {
                broken.push(format!("{file}: {link}"));
            }
        }
    }
    (checked, broken)
}

fn site(db: &Path, out: &Path) -> f64 {
    let started = Instant::now();
    let o = run(&[
        "site",
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let secs = started.elapsed().as_secs_f64();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("wrote "), "{}", stdout(&o));
    secs
}

/// Checks a generated site: determinism, links, and the files every site has.
fn check_site(db: &Path, tmp: &Path, seats: usize) -> (f64, usize) {
    let a = tmp.join("site-a");
    let b = tmp.join("site-b");
    let secs = site(db, &a);
    let ta = tree(&a);
    let (checked, broken) = broken_links(&a, &ta);
    let index = std::fs::read_to_string(a.join("index.html")).unwrap();
    std::fs::remove_dir_all(&a).unwrap();
    site(db, &b);
    let tb = tree(&b);
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "two runs wrote different files"
    );
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs between two runs");
    }
    for f in [
        "index.html",
        "indicators.html",
        "findings.html",
        "gaps.html",
        "sources.html",
        "static/style.css",
        "api/openapi.json",
        "api/v1/findings.json",
        "api/v1/gaps.json",
        "download/2024.csv",
        "download/2010.csv-metadata.json",
        "index-2010.html",
    ] {
        assert!(ta.contains_key(f), "the site has no {f}");
    }
    let profiles = ta
        .keys()
        .filter(|k| k.starts_with("constituency/") && k.ends_with(".html"))
        .count();
    assert_eq!(profiles, seats, "one profile per seat of both sets");
    assert!(checked > 1000, "only {checked} links checked");
    assert!(
        broken.is_empty(),
        "{} broken links, e.g. {:?}",
        broken.len(),
        &broken[..broken.len().min(10)]
    );
    // Pages carry no absolute internal links and no query strings.
    assert!(index.contains("href=\"static/style.css\""), "{index}");
    (secs, ta.len())
}

#[test]
fn static_site_of_the_observatory() {
    let tmp = tempfile::tempdir().unwrap();
    let db = fixture_store(tmp.path());
    let app = stemgap_web::App::open(&db).unwrap();
    let seats: usize = app.atlas.sets.iter().map(|s| s.seats.len()).sum();
    check_site(&db, tmp.path(), seats);
}

#[test]
fn static_site_of_the_real_store() {
    let Some(db) = real_store() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (secs, files) = check_site(&db, tmp.path(), 1300);
    eprintln!("benchmark: stemgap site wrote {files} files in {secs:.2} s");
}

/// Text as askama writes it into a page.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A self-contained page asks for nothing outside itself.
fn assert_self_contained(html: &str, what: &str) {
    for bad in ["<link", "<script", " src=\"", "url(", "@import", "href=\"/"] {
        assert!(!html.contains(bad), "{what} contains {bad:?}");
    }
    assert!(html.contains("<style>"), "{what} has no inline style");
}

/// A seat with the most indicator values in the 2024 set, and the atlas.
fn busiest_seat(db: &Path) -> (stemgap_web::Atlas, String) {
    let store = stemgap_store::Store::open(db).unwrap();
    let atlas = stemgap_web::Atlas::load(&store).unwrap();
    let s = &atlas.sets[1];
    let i = (0..s.seats.len())
        .max_by_key(|&i| s.series.iter().filter(|x| x.value(i).is_some()).count())
        .unwrap();
    let code = s.seats[i].code.to_string();
    (atlas, code)
}

fn check_brief(db: &Path, tmp: &Path) {
    let (atlas, code) = busiest_seat(db);
    let set = stemgap_core::BoundarySet::Pcon2024;
    let out = tmp.join("brief.html");
    let o = run(&[
        "brief",
        &code,
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        "2024",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    assert_self_contained(&html, "the brief");
    let s = atlas.set(set);
    let (i, seat) = s
        .seat(stemgap_core::GssCode::parse(&code).unwrap())
        .unwrap();
    assert!(html.contains(&escaped(&seat.name)));
    // Every STEM and deprivation indicator with a figure for the seat is
    // there with the seat's value, rank, nation mean and neighbour mean, as
    // stored.
    let slot = stemgap_web::atlas::nation_slot(seat.nation.unwrap());
    let mut rows = 0;
    for (k, d) in atlas.indicators.iter().enumerate() {
        if !stemgap_web::brief::BRIEF_INDICATORS.contains(&d.id.as_str())
            && !stemgap_web::atlas::is_deprivation(&d.id)
        {
            continue;
        }
        let series = &s.series[k];
        let Some(v) = series.value(i) else { continue };
        if !d.nations.contains(&seat.nation.unwrap()) {
            continue;
        }
        rows += 1;
        let fmt = |v: f64| escaped(&stemgap_web::format::value(v, &d.unit));
        let mean = |v: f64| escaped(&stemgap_web::format::mean(v, &d.unit));
        assert!(html.contains(&escaped(&d.title)), "{}", d.id);
        assert!(html.contains(&fmt(v)), "{}: value {}", d.id, fmt(v));
        if let Some(m) = series.nation_mean[slot] {
            assert!(html.contains(&mean(m)), "{}: nation mean", d.id);
        }
        if let Some(m) = series.neighbour_mean[i] {
            assert!(html.contains(&mean(m)), "{}: neighbour mean", d.id);
        }
        // Period and method per STEM figure; an apportioned value is marked.
        let o = series.latest(i).unwrap();
        let method = o.method.id();
        if stemgap_web::brief::BRIEF_INDICATORS.contains(&d.id.as_str()) {
            let cell = format!("<td>{}</td><td>{method}</td></tr>", escaped(&o.period));
            assert!(html.contains(&cell), "{}: period and method {cell}", d.id);
        }
        if method == "apportioned" {
            assert!(
                html.contains(&format!("{}†</td>", fmt(v))),
                "{}: mark",
                d.id
            );
        }
        if let Some(r) = series.rank[i] {
            let rank = format!("{r} of {}", series.nation_count[slot]);
            assert!(html.contains(&rank), "{}: rank {rank}", d.id);
        }
    }
    assert!(rows > 0);
    assert!(html.contains("Sources (publishers): ") && html.contains("data built "));
    // The same seat by its name, in another case and without accents or
    // punctuation: the same brief.
    let by_name = tmp.join("by-name.html");
    let o = run(&[
        "brief",
        &seat.name.to_uppercase(),
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        "2024",
        "--out",
        by_name.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(std::fs::read_to_string(&by_name).unwrap(), html);
    // A code that is no seat is refused with exit code 1.
    let o = run(&[
        "brief",
        "E14999999",
        "--db",
        db.to_str().unwrap(),
        "--out",
        tmp.join("none.html").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// `brief --all`: one brief per seat; returns the seconds taken.
fn check_all_briefs(db: &Path, tmp: &Path, seats: usize) -> f64 {
    let dir = tmp.join("briefs");
    let started = Instant::now();
    let o = run(&[
        "brief",
        "--all",
        "--boundaries",
        "2024",
        "--db",
        db.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let secs = started.elapsed().as_secs_f64();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let files = tree(&dir);
    assert_eq!(files.len(), seats, "{}", stdout(&o));
    assert!(files.keys().all(|f| f.ends_with(".html")));
    secs
}

#[test]
fn briefs_of_the_observatory() {
    let tmp = tempfile::tempdir().unwrap();
    let db = fixture_store(tmp.path());
    check_brief(&db, tmp.path());
    let (atlas, _) = busiest_seat(&db);
    check_all_briefs(&db, tmp.path(), atlas.sets[1].seats.len());
}

#[test]
fn briefs_of_the_real_store() {
    let Some(db) = real_store() else { return };
    let tmp = tempfile::tempdir().unwrap();
    check_brief(&db, tmp.path());
    let secs = check_all_briefs(&db, tmp.path(), 650);
    eprintln!("benchmark: stemgap brief --all wrote 650 briefs in {secs:.2} s");
}

fn check_report(db: &Path, tmp: &Path) -> PathBuf {
    let dir = tmp.join("report");
    let o = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let path = dir.join("report.html");
    let html = std::fs::read_to_string(&path).unwrap();
    assert_self_contained(&html, "the report");
    let store = stemgap_store::Store::open(db).unwrap();
    let atlas = stemgap_web::Atlas::load(&store).unwrap();
    let mut key = 0;
    for f in &atlas.findings.findings {
        assert!(html.contains(&escaped(&f.statement)), "{}", f.id);
        if f.id.starts_with('F') {
            key += 1;
            assert!(html.contains(&format!("id=\"{}\"", f.id)), "{}", f.id);
        }
    }
    assert!(key >= 1);
    for g in &atlas.findings.gaps {
        assert!(html.contains(&escaped(&g.title)), "{}", g.indicator);
    }
    for s in atlas.sources.iter().filter(|s| s.used) {
        assert!(html.contains(&escaped(&s.licence)), "{}", s.id);
    }
    assert!(html.contains("<svg"), "the report has no charts");
    path
}

#[test]
fn report_of_the_observatory() {
    let tmp = tempfile::tempdir().unwrap();
    let db = fixture_store(tmp.path());
    check_report(&db, tmp.path());
}

#[test]
fn report_of_the_real_store() {
    let Some(db) = real_store() else { return };
    let tmp = tempfile::tempdir().unwrap();
    check_report(&db, tmp.path());
}

// ---------------------------------------------------------------- PDF

fn pdf_tools() -> bool {
    let chromium = Path::new("/usr/bin/chromium").is_file();
    let pdftoppm = std::process::Command::new("pdftoppm")
        .arg("-v")
        .output()
        .is_ok();
    if !chromium || !pdftoppm {
        eprintln!("skipped: printing to PDF needs /usr/bin/chromium and pdftoppm (apt-get install chromium poppler-utils)");
    }
    chromium && pdftoppm
}

/// Renders every page of `pdf` to a greyscale image and returns, per page,
/// the share of pixels that are not white.
fn inked_pages(pdf: &Path, tmp: &Path) -> Vec<f64> {
    let prefix = tmp.join(format!(
        "{}-page",
        pdf.file_stem().unwrap().to_string_lossy()
    ));
    let o = std::process::Command::new("pdftoppm")
        .args(["-r", "30", "-gray"])
        .arg(pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&stem) && n.ends_with(".pgm")
        })
        .collect();
    pages.sort();
    pages
        .iter()
        .map(|p| {
            // Binary PGM: "P5", width, height, maxval, then one byte a pixel.
            let bytes = std::fs::read(p).unwrap();
            let mut fields = 0;
            let mut at = 0;
            while fields < 4 {
                while bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                while !bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                fields += 1;
            }
            let pixels = &bytes[at + 1..];
            let inked = pixels.iter().filter(|&&b| b < 200).count();
            inked as f64 / pixels.len() as f64
        })
        .collect()
}

#[test]
fn report_and_brief_print_to_pdf() {
    if !pdf_tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = match real_store() {
        Some(db) => db,
        None => fixture_store(tmp.path()),
    };
    // The report: several pages, none blank.
    let o = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--out",
        tmp.path().join("report").to_str().unwrap(),
        "--pdf",
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let pages = inked_pages(&tmp.path().join("report/report.pdf"), tmp.path());
    assert!(
        pages.len() > 1,
        "the report printed to {} page(s)",
        pages.len()
    );
    for (n, ink) in pages.iter().enumerate() {
        assert!(*ink > 0.001, "report page {} is blank ({ink})", n + 1);
    }
    // The brief of the seat with the most figures: exactly one A4 page.
    let (_, code) = busiest_seat(&db);
    let pdf = tmp.path().join("brief.pdf");
    let o = run(&[
        "brief",
        &code,
        "--db",
        db.to_str().unwrap(),
        "--boundaries",
        "2024",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(tmp.path().join("brief.html").is_file());
    let pages = inked_pages(&pdf, tmp.path());
    assert_eq!(
        pages.len(),
        1,
        "the brief of {code} printed to {} pages",
        pages.len()
    );
    assert!(pages[0] > 0.01, "the brief's page is blank ({})", pages[0]);
    // One seat of each nation (their gap lists differ): one page each.
    let (atlas, _) = busiest_seat(&db);
    for nation in stemgap_core::Nation::ALL {
        let Some(seat) = atlas.sets[1]
            .seats
            .iter()
            .find(|s| s.nation == Some(nation))
        else {
            continue;
        };
        let code = seat.code.to_string();
        let pdf = tmp.path().join(format!("{code}.pdf"));
        let o = run(&[
            "brief",
            &code,
            "--db",
            db.to_str().unwrap(),
            "--out",
            pdf.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        let pages = inked_pages(&pdf, tmp.path());
        assert_eq!(
            pages.len(),
            1,
            "the brief of {code} printed to {} pages",
            pages.len()
        );
        assert!(pages[0] > 0.01, "the brief of {code} is blank");
    }
    eprintln!(
        "report: {} pages; brief of {code}: 1 page, {:.1}% inked",
        inked_pages(&tmp.path().join("report/report.pdf"), tmp.path()).len(),
        pages[0] * 100.0
    );
}
