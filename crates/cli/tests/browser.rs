//! A real browser: Debian's chromium driven by chromium-driver over
//! WebDriver loads the home page, a profile and the findings page from
//! `stemgap serve`, checks the visible text, the number of hexes on the
//! map and that the keyboard reaches the skip link first, and saves
//! screenshots under `<target>/tmp/browser/`. Uses the real store when
//! `../shared/data` is there (650 hexes), else the test observatory.
//! Skipped, with a message, when chromium or chromedriver is not installed
//! (`.ci/run` installs both).

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

fn read(resp: ureq::http::Response<ureq::Body>) -> Value {
    let text = resp
        .into_body()
        .into_with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
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
        read(resp)["value"].clone()
    }

    fn get(&self, path: &str) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let resp = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        read(resp)["value"].clone()
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

#[test]
fn pages_in_headless_chromium() {
    if !Path::new(CHROMIUM).is_file() || !Path::new(CHROMEDRIVER).is_file() {
        eprintln!("skipped: {CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)");
        return;
    }
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
    let session = read(resp)["value"]["sessionId"]
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
    d.post(
        "/actions",
        json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": "\u{E004}"}, {"type": "keyUp", "value": "\u{E004}"}]}]}),
    );
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
}
