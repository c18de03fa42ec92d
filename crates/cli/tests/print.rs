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
    // 404.html is served at any path, so its links start from the root.
    for file in site
        .keys()
        .filter(|f| f.ends_with(".html") && *f != "404.html")
    {
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

/// Downloads (`download/…` links) the pages list, counted, and those
/// the site does not contain, as `page: link`. A link's text saying
/// "download" without a file is caught by [`broken_links`]; this names
/// the downloads the site must carry whatever the link's form.
fn downloads_listed(root: &Path, site: &BTreeMap<String, (usize, u64)>) -> (usize, Vec<String>) {
    let mut listed = 0;
    let mut missing = Vec::new();
    for file in site
        .keys()
        .filter(|f| f.ends_with(".html") && *f != "404.html")
    {
        let html = std::fs::read_to_string(root.join(file)).unwrap();
        for link in attr_values(&html, "href") {
            let Some(at) = link.find("download/") else {
                continue;
            };
            listed += 1;
            let target = link[at..].split('#').next().unwrap();
            if !site.contains_key(target) {
                missing.push(format!("{file}: {link}"));
            }
        }
        for slice in ["/download/constituency/", "/download/indicators/"] {
            if html.contains(&format!("href=\"{slice}")) {
                missing.push(format!("{file}: a link to {slice}…"));
            }
        }
    }
    (listed, missing)
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
    let (listed, missing) = downloads_listed(&a, &ta);
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
        "404.html",
        "search-index.json",
        "static/search.js",
        "search/offline.html",
        "vocab.html",
        "download/2024.parquet",
        "download/2024.xlsx",
        "download/2024.geojson",
        "download/2010-long.csv",
        "download/2010-long.parquet",
        "download/2010-long.xlsx",
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
    // Every download a page lists is in the site (the per-seat and
    // per-indicator CSVs are left to the server: pages point at their rows
    // of the long tables, which the site has).
    assert!(listed > 0, "no page lists a download");
    assert!(
        missing.is_empty(),
        "pages list downloads the site lacks: {missing:?}"
    );
    assert!(
        !ta.keys()
            .any(|k| k.starts_with("download/constituency/")
                || k.starts_with("download/indicators/")),
        "the slices are left to the server"
    );
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

// ---------------------------------------------------------------- the report as a publication

/// Text with runs of whitespace squashed to one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The contents of a printed report: (anchor, title, page) per entry.
fn toc_entries(html: &str) -> Vec<(String, String, usize)> {
    let nav = &html[html.find("<nav class=\"toc").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("<li class=\"l")
        .skip(1)
        .map(|li| {
            let anchor = li
                .split("href=\"#")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let title = li
                .split(&format!("href=\"#{anchor}\">"))
                .nth(1)
                .unwrap()
                .split("</a>")
                .next()
                .unwrap();
            let page = li
                .split("<span class=\"page\">")
                .nth(1)
                .unwrap()
                .split("</span>")
                .next()
                .unwrap();
            let page = page.parse().unwrap_or_else(|_| {
                panic!("contents entry #{anchor} has no page number: {page:?}")
            });
            (
                anchor.to_owned(),
                title.replace("&#39;", "'").replace("&amp;", "&"),
                page,
            )
        })
        .collect()
}

/// Elements of the report wider than the A4 page box (180 mm between the
/// margins), measured by Chromium laid out at that width with the print
/// rules (the screen-only scrolling of wide tables turned off): a script
/// appended to a copy of the report writes what sticks out into the DOM,
/// which `--dump-dom` returns.
fn wider_than_the_page(html: &Path, tmp: &Path) -> Vec<String> {
    let probe = r#"<style>@media screen { body.report { width: 180mm; max-width: 180mm; margin: 0; padding: 0; } .table-wrap { overflow: visible !important; } }</style><script>
(() => {
  const body = document.body.getBoundingClientRect();
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.right > body.right + 1 || r.left < body.left - 1) {
      const cls = typeof el.className === 'string' ? el.className : '';
      out.push(`${el.tagName}${el.id ? '#' + el.id : ''}.${cls} ${Math.round(r.width)}px of ${Math.round(body.width)}px: ${(el.textContent || '').trim().slice(0, 60)}`);
    }
  }
  const pre = document.createElement('pre');
  pre.id = 'overflow-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"#;
    let text = std::fs::read_to_string(html).unwrap();
    let probed = tmp.join("probe.html");
    std::fs::write(&probed, text.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let profile = tmp.join("probe-profile");
    let o = std::process::Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1400,1000",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", probed.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    let json = dom
        .split("<pre id=\"overflow-probe\">")
        .nth(1)
        .unwrap_or_else(|| panic!("the probe did not run: {}", stderr(&o)))
        .split("</pre>")
        .next()
        .unwrap()
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    serde_json::from_str(&json).unwrap()
}

#[test]
fn the_report_prints_as_a_publication() {
    if !pdf_tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = match real_store() {
        Some(db) => db,
        None => fixture_store(tmp.path()),
    };
    let print = |dir: &str| -> PathBuf {
        let out = tmp.path().join(dir);
        let o = run(&[
            "report",
            "--db",
            db.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--pdf",
        ]);
        assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
        out
    };
    let (a, b) = (print("a"), print("b"));
    // The same store prints the same bytes (the PDF dated by the store).
    let pdf = std::fs::read(a.join("report.pdf")).unwrap();
    assert!(
        pdf == std::fs::read(b.join("report.pdf")).unwrap(),
        "two printings of the same store differ"
    );
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert_eq!(
        html,
        std::fs::read_to_string(b.join("report.html")).unwrap()
    );
    let store = stemgap_store::Store::open(&db).unwrap();
    let built = store.meta("built_at").unwrap().unwrap();
    let stamp: String = built
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    assert!(
        String::from_utf8_lossy(&pdf).contains(&format!("/CreationDate (D:{stamp}")),
        "the PDF is not dated by the store's build time {built}"
    );

    // The contents' page numbers are the pages the headings print on.
    let pdf_path = a.join("report.pdf");
    let page_text = |n: usize| -> String {
        let o = std::process::Command::new("pdftotext")
            .args(["-f", &n.to_string(), "-l", &n.to_string(), "-layout"])
            .arg(&pdf_path)
            .arg("-")
            .output()
            .unwrap();
        squash(&String::from_utf8_lossy(&o.stdout))
    };
    let toc = toc_entries(&html);
    assert!(toc.len() >= 10, "{toc:?}");
    for (anchor, title, page) in &toc {
        let words: Vec<&str> = title.split_whitespace().collect();
        // A chapter's entry is "F1 Title"; its heading "Chapter 1. F1: Title".
        let words = if anchor.starts_with('F') {
            &words[1..]
        } else {
            &words[..]
        };
        let start = words[..words.len().min(4)].join(" ");
        let text = page_text(*page);
        assert!(
            text.contains(&start),
            "contents: #{anchor} \"{title}\" is said to be on page {page}, which reads: {}",
            &text[..text.len().min(400)]
        );
    }

    // At least one map in every finding chapter; figures numbered in order.
    let store_atlas = stemgap_web::Atlas::load(&store).unwrap();
    let mut chapters = 0;
    for chunk in html.split("<article class=\"chapter").skip(1) {
        let chapter = &chunk[..chunk.find("</article>").unwrap()];
        chapters += 1;
        assert!(
            chapter.contains("<svg class=\"hexmap\""),
            "chapter {chapters} has no map"
        );
    }
    let key = store_atlas
        .findings
        .findings
        .iter()
        .filter(|f| f.id.len() == 2 && f.id.starts_with('F'))
        .count();
    assert_eq!(chapters, key);
    let numbers: Vec<usize> = html
        .split("<figure id=\"fig-")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=numbers.len()).collect::<Vec<_>>());

    // Every chart label is a human title: no ids, no cut labels, every
    // estimate shown.
    let ids: Vec<&str> = store_atlas
        .indicators
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    let mut labels = 0;
    for chart in html.split("<svg class=\"chart\"").skip(1) {
        let chart = &chart[..chart.find("</svg>").unwrap()];
        for label in chart.split("text-anchor=\"end\">").skip(1) {
            let label = label.split("</text>").next().unwrap();
            let label = label.replace("</tspan>", " ");
            let label: String = label
                .split('<')
                .map(|s| s.split_once('>').map_or(s, |(_, t)| t))
                .collect();
            labels += 1;
            assert!(!label.contains('…'), "a cut label: {label}");
            assert!(!label.contains('/'), "a label with an id path: {label}");
            for id in &ids {
                if id.contains('_') {
                    assert!(!label.contains(id), "a label with the id {id}: {label}");
                }
            }
        }
    }
    assert!(labels > 0);
    assert!(
        !html.contains("the first 30"),
        "a chart leaves estimates out"
    );
    for f in &store_atlas.findings.findings {
        if f.id.len() != 2 {
            continue;
        }
        for p in &f.parts {
            if let Some(e) = p.estimate.filter(|_| p.ci_low.is_some()) {
                let text = stemgap_web::format::sig(e, 3);
                assert!(
                    html.contains(&format!("<td class=\"num\">{text}</td>")),
                    "{} ({text}) is in no figure's table",
                    p.id
                );
            }
        }
    }

    // Each source's publisher page where the catalogue records one (never
    // the mirror in its place), "not recorded" otherwise; the mirror beside.
    for src in store_atlas.sources.iter().filter(|s| s.used) {
        let row = &html[html.find(&format!("<code>{}</code>", src.id)).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        if src.publisher_url.is_empty() {
            assert!(row.contains("Publisher page not recorded."), "{}", src.id);
        } else {
            assert!(
                row.contains(&format!(
                    "Publisher's page: <a href=\"{}\">",
                    src.publisher_url
                )),
                "{}",
                src.id
            );
            assert_ne!(src.publisher_url, src.url, "{}", src.id);
        }
        if !src.url.is_empty() {
            assert!(
                row.contains(&format!("Fetched from: {}", escaped(&src.url))),
                "{}",
                src.id
            );
        }
    }

    // Nothing wider than the page box.
    let wide = wider_than_the_page(&a.join("report.html"), tmp.path());
    assert!(wide.is_empty(), "wider than the page:\n{}", wide.join("\n"));

    // Every font embedded.
    let o = std::process::Command::new("pdffonts")
        .arg(&pdf_path)
        .output()
        .unwrap();
    let fonts = String::from_utf8_lossy(&o.stdout);
    for line in fonts.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "a font not embedded: {line}");
    }
    eprintln!(
        "report: {} contents entries checked, {chapters} chapters with maps, {} figures, {labels} chart labels",
        toc.len(),
        numbers.len()
    );
}

#[test]
fn the_report_leads_with_the_reproduction_ledger() {
    // An invented ledger set on F1 of a fixture store's findings document,
    // and F2's removed (as in a store from before the ledger).
    let tmp = tempfile::tempdir().unwrap();
    let db = fixture_store(tmp.path());
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        let body: String = c
            .query_row("SELECT body FROM document WHERE id = 'findings'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        let f1 = doc["findings"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|f| f["id"] == "F1")
            .unwrap();
        f1["report"] = serde_json::json!({
            "claim": "Invented claim: skills fall with deprivation",
            "report_value": -12.5,
            "comparable": "Invented: a different census year",
            "verdict": "partly reproduced",
            "rule": "Invented rule: same sign, interval excludes the figure"
        });
        let f2 = doc["findings"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|f| f["id"] == "F2")
            .unwrap();
        f2.as_object_mut().unwrap().remove("report");
        c.execute(
            "UPDATE document SET body = ?1 WHERE id = 'findings'",
            [doc.to_string()],
        )
        .unwrap();
    }
    let out = tmp.path().join("report");
    let o = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let summary =
        &html[html.find("id=\"summary\"").unwrap()..html.find("id=\"findings\"").unwrap()];
    let ledger = &summary[..summary.find("id=\"new\"").unwrap()];
    assert!(ledger.contains("Invented claim: skills fall with deprivation"));
    assert!(ledger.contains("<td class=\"num\">-12.5</td>"));
    assert!(ledger.contains("class=\"verdict v-part\">partly reproduced<"));
    assert!(ledger.contains("Invented rule: same sign, interval excludes the figure"));
    // The findings without a ledger say so, and are still summarised.
    assert!(ledger.contains("The ledger is not recorded in this store for F2"));
    // The chapter carries the claim and what differs.
    let f1 = &html[html
        .find("<article class=\"chapter finding\" id=\"F1\"")
        .unwrap()..];
    let f1 = &f1[..f1.find("</article>").unwrap()];
    assert!(f1.contains("Invented claim") && f1.contains("Invented: a different census year"));
    assert!(f1.contains("Against the 2023 report: partly reproduced"));
    // The front matter names the 2023 report and the build.
    assert!(html.contains(&escaped(stemgap_findings::REPORT_CITATION)));
    assert!(html.contains("How to cite") && html.contains("Store built"));
}
