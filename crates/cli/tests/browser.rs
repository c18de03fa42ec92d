//! A real browser: Debian's chromium driven by chromium-driver over
//! WebDriver loads the home page, a profile and the findings page from
//! `stemgap serve`, checks the visible text, the number of hexes on the
//! map and that the keyboard reaches the skip link first, and saves
//! screenshots under `<target>/tmp/browser/`. Uses the real store when
//! `../shared/data` is there (650 hexes), else the test observatory.
//! Skipped, with a message, when chromium or chromedriver is not installed
//! (`.ci/run` installs both).
//!
//! Then an accessibility audit of every kind of page (home with either
//! boundary set, a profile, an indicator, the indicator list, findings,
//! gaps, compare with and without seats, sources, contribute, search
//! results, a 404)
//! and of the printable report and a brief (files written by `stemgap
//! report` and `stemgap brief`, opened as `file://` URLs). On each:
//! - axe-core's WCAG 2.0/2.1/2.2 A and AA rules, run in the page; any
//!   violation fails the test with its rule, impact, help and first nodes,
//!   and each page's results are saved as `axe-<page>.json` beside the
//!   screenshots ("incomplete" results, which axe leaves to a person, are
//!   counted in the log, not failed: here they are text over SVG charts and
//!   cells of tables scrolled out of their region, reviewed by hand);
//! - every element the keyboard can reach shows a focus outline of at least
//!   2px when focused (`:focus-visible`);
//! - the page reflows to a 320px-wide viewport (WCAG 1.4.10) with nothing
//!   but the tables' own scroll regions wider than the screen.
//!
//! axe-core is an npm package pinned in `.ci/axe/package.json` and
//! installed by `.ci/run` (`npm ci --prefix .ci/axe`); `STEMGAP_AXE` names
//! another `axe.min.js`. Without it the audit is skipped with a message.

use crate::common::{repo, stemgap};
use crate::real_data::real_store;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Driver {
    agent: ureq::Agent,
    base: String,
    session: String,
}

/// The JSON body of a response; a status other than 2xx panics with
/// `what` was asked and WebDriver's error and message.
fn read(resp: ureq::http::Response<ureq::Body>, what: &str) -> Value {
    let status = resp.status();
    let text = resp
        .into_body()
        .into_with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap();
    let v: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {status}: {e}: {text}"));
    if !status.is_success() {
        let msg: String = v["value"]["message"]
            .as_str()
            .unwrap_or(&text)
            .chars()
            .take(2000)
            .collect();
        panic!("{what}: {status}: {} {msg}", v["value"]["error"]);
    }
    v
}

impl Driver {
    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let resp = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        // Name the navigation or script (its start, not the whole of axe).
        let what = body["url"]
            .as_str()
            .or(body["script"].as_str())
            .unwrap_or("");
        let what: String = what.chars().take(120).collect();
        read(resp, &format!("POST {url} ({what})"))["value"].clone()
    }

    fn get(&self, path: &str) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let resp = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        read(resp, &format!("GET {url}"))["value"].clone()
    }

    fn go(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    fn script(&self, body: &str) -> Value {
        self.post("/execute/sync", json!({ "script": body, "args": [] }))
    }

    fn screenshot(&self, to: &Path) {
        let b64 = self.get("/screenshot");
        let bytes = base64(b64.as_str().unwrap());
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(to, bytes).unwrap();
        eprintln!("screenshot: {}", to.display());
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
    }
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// `stemgap serve` on a free port; returns it and its base URL.
fn serve(db: &Path) -> (Proc, String) {
    let mut child = stemgap()
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let child = Proc(child);
    for line in BufReader::new(out).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("serving on ") {
            let url = rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_owned();
            return (child, url);
        }
    }
    panic!("stemgap serve did not start");
}

fn fixture_store(dir: &Path) -> PathBuf {
    let obs = repo().join("tests/observatory");
    let db = dir.join("observatory.db");
    let o = crate::fixture::build_with(&obs, &obs.join("catalogue.toml"), &db);
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    db
}

/// Where `.ci/run` installs axe-core (`npm ci --prefix .ci/axe`).
const AXE_DEFAULT: &str = ".ci/axe/node_modules/axe-core/axe.min.js";

/// The WCAG 2.2 A and AA rules (axe tags every rule with the version and
/// level that brought it in; a rule of 2.0 A has only `wcag2a`).
const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// axe-core's browser bundle: `$STEMGAP_AXE`, else [`AXE_DEFAULT`] in the
/// repository. None, with a message, when it is not installed; a
/// `STEMGAP_AXE` naming no file is an error.
fn axe_source() -> Option<String> {
    let path = match std::env::var_os("STEMGAP_AXE") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(p.is_file(), "STEMGAP_AXE={} is not a file", p.display());
            p
        }
        None => repo().join(AXE_DEFAULT),
    };
    if !path.is_file() {
        eprintln!(
            "skipped: the accessibility audit needs axe-core at {} (`npm ci --prefix .ci/axe`, as .ci/run does, or STEMGAP_AXE=/path/to/axe.min.js)",
            path.display()
        );
        return None;
    }
    Some(std::fs::read_to_string(path).unwrap())
}

/// Runs axe-core on the page in the browser, saves its results as
/// `axe-<name>.json` in `out` and returns one readable paragraph per
/// violation: the rule, its impact, what it asks and the first nodes.
fn audit(d: &Driver, axe: &str, name: &str, out: &Path) -> Vec<String> {
    let url = d.script("return location.href");
    d.script(axe);
    let run = d.post(
        "/execute/async",
        json!({"script": "const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},
                               resultTypes: ['violations', 'incomplete']})
               .then(r => done(JSON.stringify(r)), e => done(JSON.stringify({error: String(e)})));",
            "args": [AXE_TAGS]}),
    );
    let text = run
        .as_str()
        .unwrap_or_else(|| panic!("axe on {name}: {run}"));
    let results: Value = serde_json::from_str(text).unwrap();
    assert!(
        results["error"].is_null(),
        "axe on {name}: {}",
        results["error"]
    );
    let file = out.join(format!("axe-{name}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&results).unwrap()).unwrap();
    let rules = |key: &str| results[key].as_array().unwrap().clone();
    let incomplete: Vec<String> = rules("incomplete")
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                r["id"].as_str().unwrap(),
                r["nodes"].as_array().unwrap().len()
            )
        })
        .collect();
    eprintln!(
        "axe {name}: {} violation(s), {} rule(s) passed; to review: {}; {}",
        rules("violations").len(),
        rules("passes").len(),
        if incomplete.is_empty() {
            "none".to_owned()
        } else {
            incomplete.join(", ")
        },
        file.display()
    );
    rules("violations")
        .iter()
        .map(|v| {
            let nodes = v["nodes"].as_array().unwrap();
            let mut s = format!(
                "{name} ({url}): {} [{}] {} — {} node(s); {}",
                v["id"].as_str().unwrap(),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap(),
                nodes.len(),
                v["helpUrl"].as_str().unwrap_or(""),
            );
            for n in nodes.iter().take(4) {
                let html: String = n["html"].as_str().unwrap_or("").chars().take(200).collect();
                s += &format!("\n    {} {html}", n["target"]);
                if let Some(why) = n["failureSummary"].as_str() {
                    s += &format!("\n      {}", why.replace('\n', "\n      "));
                }
            }
            s
        })
        .collect()
}

/// Every element the keyboard reaches shows a focus indicator: after one
/// real Tab (so the browser is in keyboard modality), each focusable
/// element is focused in turn and must match `:focus-visible` and draw an
/// outline at least 2px wide. Returns the elements that do not.
fn focus_visible(d: &Driver, name: &str) -> Vec<String> {
    d.script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)");
    tab(d);
    let v = d.script(
        "const bad = []; let checked = 0;
         for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')) {
           if (el.tabIndex < 0 || el.disabled) continue;
           el.focus();
           if (document.activeElement !== el) continue; // hidden: not reachable either
           checked++;
           const s = getComputedStyle(el);
           if (!el.matches(':focus-visible') || s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2)
             bad.push(el.outerHTML.slice(0, 160) + ' — outline: ' + s.outlineStyle + ' ' + s.outlineWidth);
         }
         return [checked, bad];",
    );
    let checked = v[0].as_u64().unwrap();
    assert!(checked > 0, "{name}: nothing on the page takes focus");
    eprintln!("focus {name}: {checked} focusable element(s) checked");
    v[1].as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{name}: no visible focus indicator: {}",
                b.as_str().unwrap()
            )
        })
        .collect()
}

/// The page reflows to a 320 CSS px wide viewport (WCAG 1.4.10: 1280px
/// at 400% zoom) without scrolling sideways: nothing outside the tables'
/// own scroll regions (`.table-wrap`) is wider than the viewport. Emulated
/// with DevTools' device metrics, so the page need not load again. Returns
/// what overflows.
fn reflows(d: &Driver, name: &str) -> Vec<String> {
    let cdp = |cmd: &str, params: Value| {
        d.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }));
    };
    cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": false}),
    );
    let v = d.script(
        "const W = document.documentElement.clientWidth, out = [];
         if (document.documentElement.scrollWidth > W)
           for (const el of document.body.querySelectorAll('*')) {
             if (el.closest('.table-wrap') || out.some(o => o.el.contains(el))) continue;
             const r = el.getBoundingClientRect();
             if (r.width > 0 && r.right > W + 1) out.push({el, text: el.outerHTML.slice(0, 120) + ' — right edge at ' + Math.round(r.right) + 'px'});
           }
         return [innerWidth, document.documentElement.scrollWidth, out.map(o => o.text)];",
    );
    cdp("Emulation.clearDeviceMetricsOverride", json!({}));
    assert_eq!(v[0], 320, "{name}: the emulated viewport");
    v[2].as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{name}: wider than a 320px viewport (page {}px wide): {}",
                v[1],
                o.as_str().unwrap()
            )
        })
        .collect()
}

/// One press of the Tab key.
fn tab(d: &Driver) {
    d.post(
        "/actions",
        json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": "\u{E004}"}, {"type": "keyUp", "value": "\u{E004}"}]}]}),
    );
}

#[test]
fn pages_in_headless_chromium() {
    if !Path::new(CHROMIUM).is_file() || !Path::new(CHROMEDRIVER).is_file() {
        eprintln!("skipped: {CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)");
        return;
    }
    let axe = axe_source();
    let _turn = crate::common::heavy();
    let tmp = tempfile::tempdir().unwrap();
    let (db, seats, profile, name) = match real_store() {
        Some(db) => (db, 650, "E14001172", "Cities of London and Westminster"),
        None => (fixture_store(tmp.path()), 6, "E14001401", "Northam North"),
    };
    let (_server, site) = serve(&db);

    let port = free_port();
    let _driver = Proc(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let start = Instant::now();
    while agent.get(&format!("{base}/status")).call().is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile_dir = tmp.path().join("chromium-profile");
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1280,1600",
                     format!("--user-data-dir={}", profile_dir.display())]
        }
    }}});
    let resp = agent
        .post(&format!("{base}/session"))
        .header("Content-Type", "application/json")
        .send(caps.to_string())
        .expect("a browser session");
    let session = read(resp, "a new session")["value"]["sessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = Driver {
        agent: agent.clone(),
        base,
        session,
    };
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();

    // Home: the map has one hex per seat, the legend and findings show.
    d.go(&format!("{site}/"));
    let v = d.script(
        "return [document.title, document.body.innerText, document.querySelectorAll('svg.hexmap polygon').length, document.querySelectorAll('script').length]",
    );
    assert!(
        v[0].as_str().unwrap().contains("by constituency"),
        "{}",
        v[0]
    );
    let text = v[1].as_str().unwrap();
    assert!(text.contains("Headline findings"), "{text}");
    assert!(text.contains("Legend"), "{text}");
    assert_eq!(v[2], seats, "hexes on the map");
    assert_eq!(v[3], 0, "no JavaScript on the page");
    // The first Tab reaches the skip link.
    tab(&d);
    let focused = d.script("return document.activeElement.textContent");
    assert_eq!(focused, "Skip to content");
    d.screenshot(&shots.join("home.png"));

    // A profile, reached through the search form as a person would.
    d.go(&format!("{site}/search?q={profile}"));
    let v = d.script("return [location.pathname, document.querySelector('h1').innerText, document.body.innerText]");
    assert_eq!(v[0], format!("/constituency/{profile}"));
    assert_eq!(v[1], name);
    let text = v[2].as_str().unwrap();
    for heading in [
        "Deprivation context",
        "Compared with its neighbours",
        "Every indicator",
    ] {
        assert!(text.contains(heading), "{heading}");
    }
    d.screenshot(&shots.join("profile.png"));

    // Findings: every finding's heading is visible text.
    d.go(&format!("{site}/findings"));
    let text = d.script("return document.body.innerText");
    let text = text.as_str().unwrap();
    for id in ["F1:", "F2:", "F3:", "F4:", "F5:", "F6:"] {
        assert!(text.contains(id), "{id}");
    }
    d.screenshot(&shots.join("findings.png"));

    // The accessibility audit of every kind of page, then the printable
    // report and brief (files, not served: opened as file:// URLs).
    let Some(axe) = axe else { return };
    d.post("/timeouts", json!({ "script": 120_000 }));
    let api = |path: &str| -> Value {
        read(
            agent
                .get(&format!("{site}{path}"))
                .call()
                .unwrap_or_else(|e| panic!("GET {path}: {e}")),
            path,
        )
    };
    let ids: Vec<String> = api("/api/v1/indicators")["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let indicator = ids.iter().find(|i| *i == "level4_share").unwrap_or(&ids[0]);
    let other = api("/api/v1/constituencies")["constituencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .find(|c| c != profile)
        .unwrap();
    let mut pages: Vec<(&str, String)> = vec![
        ("home", format!("{site}/")),
        ("home-2010", format!("{site}/?boundaries=2010")),
        ("profile", format!("{site}/constituency/{profile}")),
        ("indicator", format!("{site}/indicator/{indicator}")),
        // An indicator with a series: the nations' chart and the regions'.
        ("indicator-trend", format!("{site}/indicator/he_entry_rate_18")),
        ("indicators", format!("{site}/indicators")),
        ("findings", format!("{site}/findings")),
        ("gaps", format!("{site}/gaps")),
        ("compare", format!("{site}/compare?codes={profile},{other}")),
        ("compare-empty", format!("{site}/compare")),
        ("sources", format!("{site}/sources")),
        ("contribute", format!("{site}/contribute")),
        ("search", format!("{site}/search?q=North")),
        (
            "explore",
            format!("{site}/explore?f={indicator}:below_median&f=mp_party:eq:Labour&shade={indicator}&cols=mp_name,mp_majority"),
        ),
        ("explore-empty", format!("{site}/explore")),
        ("explore-offline", format!("{site}/explore/offline")),
        ("vocab", format!("{site}/vocab")),
        ("search-offline", format!("{site}/search/offline")),
        ("brief-served", format!("{site}/brief/{profile}")),
        ("not-found", format!("{site}/no-such-page")),
    ];
    let printed = tmp.path().join("printed");
    let (report, brief) = (printed.join("report.html"), printed.join("brief.html"));
    for args in [
        ["report", "--out", printed.to_str().unwrap()].as_slice(),
        ["brief", profile, "--out", brief.to_str().unwrap()].as_slice(),
    ] {
        let o = stemgap()
            .args(args)
            .args(["--db", db.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", crate::common::stderr(&o));
    }
    pages.push(("report", format!("file://{}", report.display())));
    pages.push(("brief", format!("file://{}", brief.display())));
    // The static site's pages, in their leaner markup (the observatory's
    // site, written here; opened as files).
    let observatory = tmp.path().join("observatory");
    std::fs::create_dir_all(&observatory).unwrap();
    let site_db = fixture_store(&observatory);
    let static_site = tmp.path().join("static-site");
    let o = stemgap()
        .args(["site", "--db", site_db.to_str().unwrap()])
        .args(["--out", static_site.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    for (name, file) in [
        ("site-profile", "constituency/E14001401-2024.html"),
        ("site-indicator", "indicator/he_entry_rate_18-2024.html"),
        ("site-home", "index.html"),
    ] {
        let path = static_site.join(file);
        assert!(path.is_file(), "{}", path.display());
        pages.push((name, format!("file://{}", path.display())));
    }

    let audit_started = Instant::now();
    let mut problems = Vec::new();
    for (name, url) in &pages {
        d.go(url);
        problems.extend(audit(&d, &axe, name, &shots));
        problems.extend(focus_visible(&d, name));
        problems.extend(reflows(&d, name));
    }
    eprintln!(
        "accessibility audit: {} pages in {:.1} s",
        pages.len(),
        audit_started.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "{} accessibility problem(s):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
