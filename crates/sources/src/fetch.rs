//! `stemgap fetch`: download (or copy from a mirror) every catalogued file,
//! verify its SHA-256, and only then move it into place.
//!
//! * A good copy already present is kept and not downloaded again.
//! * Downloads go to `<file>.part`; an interrupted download resumes from
//!   there with an HTTP `Range` request.
//! * A file whose checksum does not match is refused: the `.part` file is
//!   deleted and any existing copy is left exactly as it was.

use crate::{sha256_hex, Catalogue, SourceEntry};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Each entry's own published `url`.
    Published,
    /// A mirror over HTTP(S): `<base>/<catalogued path>`.
    Mirror(String),
    /// A local directory laid out like the sources directory.
    Dir(PathBuf),
}

impl Origin {
    /// `http://…` or `https://…` is a mirror, anything else a directory.
    pub fn parse(s: &str) -> Origin {
        if s.starts_with("http://") || s.starts_with("https://") {
            Origin::Mirror(s.trim_end_matches('/').to_owned())
        } else {
            Origin::Dir(PathBuf::from(s))
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// A copy with the right checksum was already there.
    AlreadyPresent,
    /// Downloaded or copied, and verified.
    Fetched { bytes: u64, resumed: bool },
    /// No published location is known for this file (use a mirror).
    NoLocation,
    /// Not fetched; any existing copy is untouched.
    Failed(String),
}

impl FetchOutcome {
    pub fn is_ok(&self) -> bool {
        matches!(
            self,
            FetchOutcome::AlreadyPresent | FetchOutcome::Fetched { .. }
        )
    }
}

/// Receives progress events; the CLI draws a bar with them.
pub trait FetchProgress {
    fn begin(&self, _entry: &SourceEntry) {}
    fn advance(&self, _bytes: u64) {}
    fn end(&self, _entry: &SourceEntry, _outcome: &FetchOutcome) {}
}

impl FetchProgress for () {}

/// The outcome for every file, in catalogue order.
#[derive(Debug, Default)]
pub struct FetchReport {
    pub outcomes: Vec<(String, FetchOutcome)>,
}

impl FetchReport {
    pub fn all_ok(&self) -> bool {
        self.outcomes.iter().all(|(_, o)| o.is_ok())
    }
}

/// Fetches every catalogued file into `to`.
pub fn fetch_all(
    catalogue: &Catalogue,
    to: &Path,
    origin: &Origin,
    progress: &dyn FetchProgress,
) -> FetchReport {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_recv_body(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut report = FetchReport::default();
    for entry in catalogue.entries() {
        progress.begin(entry);
        let outcome = fetch_one(&agent, entry, to, origin, progress);
        progress.end(entry, &outcome);
        report.outcomes.push((entry.id.clone(), outcome));
    }
    report
}

fn fetch_one(
    agent: &ureq::Agent,
    entry: &SourceEntry,
    to: &Path,
    origin: &Origin,
    progress: &dyn FetchProgress,
) -> FetchOutcome {
    let dest = to.join(&entry.path);
    if let Ok(bytes) = fs::read(&dest) {
        if sha256_hex(&bytes) == entry.sha256 {
            progress.advance(entry.bytes);
            return FetchOutcome::AlreadyPresent;
        }
    }
    let part = part_path(&dest);
    if let Some(parent) = dest.parent() {
        if let Err(e) = fs::create_dir_all(parent) {
            return FetchOutcome::Failed(format!("cannot create {}: {e}", parent.display()));
        }
    }
    // Where to download from; `None` for a directory mirror.
    let url = match origin {
        Origin::Dir(_) => None,
        Origin::Mirror(base) => Some(format!("{base}/{}", entry.path)),
        Origin::Published if entry.url.is_empty() => return FetchOutcome::NoLocation,
        Origin::Published => Some(entry.url.clone()),
    };
    let result = match (&url, origin) {
        (Some(url), _) => download(agent, url, &part, entry, progress),
        (None, Origin::Dir(dir)) => copy_from_dir(&dir.join(&entry.path), &part, entry, progress),
        (None, _) => unreachable!("only a directory mirror has no URL"),
    };
    let resumed = match result {
        Ok(resumed) => resumed,
        Err(e) => return FetchOutcome::Failed(e),
    };
    let verified = match (verify(&part, entry), &url) {
        (Ok(()), _) => Ok(()),
        // A resumed download may have joined two different files: retry once from scratch.
        (Err(_), Some(url)) if resumed => {
            let _ = fs::remove_file(&part);
            download(agent, url, &part, entry, progress).and_then(|_| verify(&part, entry))
        }
        (Err(e), _) => Err(e),
    };
    if let Err(e) = verified {
        let _ = fs::remove_file(&part);
        return FetchOutcome::Failed(e);
    }
    match fs::rename(&part, &dest) {
        Ok(()) => FetchOutcome::Fetched {
            bytes: entry.bytes,
            resumed,
        },
        Err(e) => FetchOutcome::Failed(format!("cannot move {} into place: {e}", part.display())),
    }
}

fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

fn verify(part: &Path, entry: &SourceEntry) -> Result<(), String> {
    let bytes = fs::read(part).map_err(|e| format!("cannot read {}: {e}", part.display()))?;
    let found = sha256_hex(&bytes);
    if found != entry.sha256 {
        return Err(format!(
            "checksum mismatch: expected {}, got {found} ({} bytes); refused, existing copy left as it was",
            entry.sha256,
            bytes.len()
        ));
    }
    Ok(())
}

fn copy_from_dir(
    src: &Path,
    part: &Path,
    entry: &SourceEntry,
    progress: &dyn FetchProgress,
) -> Result<bool, String> {
    let bytes = fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    fs::write(part, &bytes).map_err(|e| format!("cannot write {}: {e}", part.display()))?;
    progress.advance(bytes.len().min(entry.bytes as usize) as u64);
    Ok(false)
}

/// Streams `url` into `part`, resuming from a partial file when the server
/// honours `Range`. Returns whether it resumed.
fn download(
    agent: &ureq::Agent,
    url: &str,
    part: &Path,
    entry: &SourceEntry,
    progress: &dyn FetchProgress,
) -> Result<bool, String> {
    let have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut req = agent.get(url);
    if have > 0 && have < entry.bytes {
        req = req.header("Range", format!("bytes={have}-"));
    }
    let resp = req.call().map_err(|e| format!("GET {url}: {e}"))?;
    let resumed = have > 0 && resp.status().as_u16() == 206;
    let mut file = if resumed {
        progress.advance(have);
        OpenOptions::new().append(true).open(part)
    } else {
        File::create(part)
    }
    .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
    let mut reader = resp
        .into_body()
        .into_with_config()
        .limit(entry.bytes + 1)
        .reader();
    let mut written = if resumed { have } else { 0 };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                return Err(format!(
                    "GET {url}: interrupted after {written} bytes: {e} (run fetch again to resume)"
                ))
            }
        };
        written += n as u64;
        if written > entry.bytes {
            return Err(format!(
                "GET {url}: more than the catalogued {} bytes; refused",
                entry.bytes
            ));
        }
        file.write_all(&buf[..n])
            .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        progress.advance(n as u64);
    }
    file.flush()
        .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
    Ok(resumed)
}
