//! `stemgap fetch`: download (or copy from a mirror) every catalogued file,
//! verify its SHA-256, and only then move it into place.
//!
//! * A good copy already present is kept and not downloaded again.
//! * Downloads go to `<file>.part`; an interrupted download resumes from
//!   there with an HTTP `Range` request.
//! * A file whose checksum does not match is refused: the `.part` file is
//!   deleted and any existing copy is left exactly as it was.
//!
//! Downloading (a published location or an HTTP mirror) needs the crate's
//! `http` feature (ureq with rustls; the `stemgap` binary turns it on).
//! Without it the libraries compile no TLS, and a URL origin fails with a
//! message saying so; a directory mirror works either way.

use crate::catalogue::{OptionalEntry, LOCK_FILE};
use crate::{sha256_hex, Catalogue, SourceEntry};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

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
    /// An optional, unpinned source downloaded or copied, and the SHA-256 it
    /// had recorded in the lock file ([`LOCK_FILE`]).
    Recorded { sha256: String, bytes: u64 },
    /// Not fetched; any existing copy is untouched.
    Failed(String),
}

impl FetchOutcome {
    pub fn is_ok(&self) -> bool {
        matches!(
            self,
            FetchOutcome::AlreadyPresent
                | FetchOutcome::Fetched { .. }
                | FetchOutcome::Recorded { .. }
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
    /// The optional, unpinned sources (`[[optional]]`): a failure here is
    /// reported but does not make the fetch fail.
    pub optional: Vec<(String, FetchOutcome)>,
    /// The lock file the optional sources' checksums are recorded in.
    pub lock: PathBuf,
}

impl FetchReport {
    /// Whether every pinned file is present and verified.
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
    let agent = http::agent();
    let mut report = FetchReport::default();
    for entry in catalogue.entries() {
        progress.begin(entry);
        let outcome = fetch_one(&agent, entry, to, origin, progress);
        progress.end(entry, &outcome);
        report.outcomes.push((entry.id.clone(), outcome));
    }
    report.lock = to.join(LOCK_FILE);
    for entry in catalogue.optional() {
        let outcome = fetch_optional(&agent, entry, to, origin);
        report.optional.push((entry.id.clone(), outcome));
    }
    report
}

/// The lock file of the optional sources: the SHA-256 each had when
/// `stemgap fetch` first got it.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lock {
    #[serde(default, rename = "source")]
    entries: Vec<LockEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockEntry {
    id: String,
    url: String,
    path: String,
    sha256: String,
    bytes: u64,
}

const LOCK_HEADER: &str = "# Written by `stemgap fetch`: the SHA-256 of each optional, unpinned source\n# as it was first fetched. A later fetch that gets a different file refuses\n# it and keeps the copy here; delete an entry to accept a new file.\n\n";

impl Lock {
    fn read(path: &Path) -> Result<Lock, String> {
        match fs::read_to_string(path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Lock::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Writes beside the target and renames over it.
    fn write(&self, path: &Path) -> Result<(), String> {
        let text = toml::to_string(self).map_err(|e| format!("{}: {e}", path.display()))?;
        let tmp = part_path(path);
        fs::write(&tmp, format!("{LOCK_HEADER}{text}"))
            .and_then(|()| fs::rename(&tmp, path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// Where an optional, unpinned source stands in a sources directory
/// (`stemgap sources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionalStatus {
    /// Not there: `stemgap fetch` gets it.
    Absent,
    /// There, with the SHA-256 the lock recorded.
    Recorded { sha256: String },
    /// There, but not in the lock (put there by hand; a fetch records it).
    Unrecorded { sha256: String },
    /// There, but not the file the lock recorded.
    Changed { sha256: String, recorded: String },
    /// The lock file cannot be read.
    BadLock(String),
}

/// The status of an optional source in the sources directory `dir`.
pub fn optional_status(dir: &Path, entry: &OptionalEntry) -> OptionalStatus {
    let lock = match Lock::read(&dir.join(LOCK_FILE)) {
        Ok(l) => l,
        Err(e) => return OptionalStatus::BadLock(e),
    };
    let Ok(bytes) = fs::read(dir.join(&entry.path)) else {
        return OptionalStatus::Absent;
    };
    let sha256 = sha256_hex(&bytes);
    match lock.entries.iter().find(|l| l.id == entry.id) {
        None => OptionalStatus::Unrecorded { sha256 },
        Some(l) if l.sha256 == sha256 => OptionalStatus::Recorded { sha256 },
        Some(l) => OptionalStatus::Changed {
            sha256,
            recorded: l.sha256.clone(),
        },
    }
}

/// Fetches one optional source: a copy matching its lock entry is kept; a
/// new download is checked against the lock entry when there is one, and
/// recorded in the lock when there is not.
fn fetch_optional(
    agent: &http::Agent,
    entry: &OptionalEntry,
    to: &Path,
    origin: &Origin,
) -> FetchOutcome {
    let lock_path = to.join(LOCK_FILE);
    let lock = match Lock::read(&lock_path) {
        Ok(l) => l,
        Err(e) => return FetchOutcome::Failed(e),
    };
    let locked = lock.entries.iter().find(|l| l.id == entry.id).cloned();
    let dest = to.join(&entry.path);
    let present = fs::read(&dest).ok();
    match (&locked, &present) {
        (Some(l), Some(bytes)) if sha256_hex(bytes) == l.sha256 => {
            return FetchOutcome::AlreadyPresent
        }
        // A copy put there by hand before any fetch: kept, and recorded.
        (None, Some(bytes)) => return record(lock, &lock_path, entry, bytes),
        _ => {}
    }
    if let Some(parent) = dest.parent() {
        if let Err(e) = fs::create_dir_all(parent) {
            return FetchOutcome::Failed(format!("cannot create {}: {e}", parent.display()));
        }
    }
    let part = part_path(&dest);
    // No resuming: nothing is known about the file before it arrives.
    let _ = fs::remove_file(&part);
    let got = match origin {
        Origin::Dir(dir) => copy_at_most(&dir.join(&entry.path), &part, entry.max_bytes),
        Origin::Mirror(base) => {
            let url = format!("{base}/{}", entry.path);
            http::download(agent, &url, &part, entry.max_bytes, &()).map(|_| ())
        }
        Origin::Published => {
            http::download(agent, &entry.url, &part, entry.max_bytes, &()).map(|_| ())
        }
    };
    let bytes = match got
        .and_then(|()| fs::read(&part).map_err(|e| format!("cannot read {}: {e}", part.display())))
    {
        Ok(b) => b,
        Err(e) => {
            let _ = fs::remove_file(&part);
            return FetchOutcome::Failed(e);
        }
    };
    let sha256 = sha256_hex(&bytes);
    if let Some(l) = &locked {
        if l.sha256 != sha256 {
            let _ = fs::remove_file(&part);
            return FetchOutcome::Failed(format!(
                "got SHA-256 {sha256} ({} bytes), but {} recorded {} when it was first fetched: the published file changed; refused, the existing copy and the lock left as they were (delete its entry in the lock to accept the new file)",
                bytes.len(),
                lock_path.display(),
                l.sha256
            ));
        }
    }
    if let Err(e) = fs::rename(&part, &dest) {
        return FetchOutcome::Failed(format!("cannot move {} into place: {e}", part.display()));
    }
    if locked.is_some() {
        return FetchOutcome::Recorded {
            sha256,
            bytes: bytes.len() as u64,
        };
    }
    record(lock, &lock_path, entry, &bytes)
}

/// Adds an optional source's checksum to the lock and writes it.
fn record(mut lock: Lock, lock_path: &Path, entry: &OptionalEntry, bytes: &[u8]) -> FetchOutcome {
    let sha256 = sha256_hex(bytes);
    lock.entries.push(LockEntry {
        id: entry.id.clone(),
        url: entry.url.clone(),
        path: entry.path.clone(),
        sha256: sha256.clone(),
        bytes: bytes.len() as u64,
    });
    lock.entries.sort_by(|a, b| a.id.cmp(&b.id));
    match lock.write(lock_path) {
        Ok(()) => FetchOutcome::Recorded {
            sha256,
            bytes: bytes.len() as u64,
        },
        Err(e) => FetchOutcome::Failed(e),
    }
}

/// Copies `src` to `part` unless it is larger than `max` bytes.
fn copy_at_most(src: &Path, part: &Path, max: u64) -> Result<(), String> {
    let bytes = fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{}: more than the {max} bytes allowed; refused",
            src.display()
        ));
    }
    fs::write(part, bytes).map_err(|e| format!("cannot write {}: {e}", part.display()))
}

fn fetch_one(
    agent: &http::Agent,
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
        (Some(url), _) => http::download(agent, url, &part, entry.bytes, progress),
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
            http::download(agent, url, &part, entry.bytes, progress)
                .and_then(|_| verify(&part, entry))
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

/// Downloads over HTTP(S), compiled only with the `http` feature.
#[cfg(feature = "http")]
mod http {
    use super::FetchProgress;
    use std::fs::{self, File, OpenOptions};
    use std::io::{Read, Write};
    use std::path::Path;
    use std::time::Duration;

    pub(super) type Agent = ureq::Agent;

    pub(super) fn agent() -> Agent {
        ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(20)))
            .timeout_recv_body(Some(Duration::from_secs(60)))
            .build()
            .into()
    }

    /// Streams `url` into `part` (at most `size` bytes), resuming from a
    /// partial file when the server honours `Range`. Returns whether it
    /// resumed.
    pub(super) fn download(
        agent: &Agent,
        url: &str,
        part: &Path,
        size: u64,
        progress: &dyn FetchProgress,
    ) -> Result<bool, String> {
        let have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        let mut req = agent.get(url);
        if have > 0 && have < size {
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
        let mut reader = resp.into_body().into_with_config().limit(size + 1).reader();
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
            if written > size {
                return Err(format!(
                    "GET {url}: more than the catalogued {size} bytes; refused"
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
}

/// Without the `http` feature nothing is downloaded: a URL origin fails
/// with a message saying why and what to do instead.
#[cfg(not(feature = "http"))]
mod http {
    use std::path::Path;

    pub(super) struct Agent;

    pub(super) fn agent() -> Agent {
        Agent
    }

    pub(super) fn download(
        _agent: &Agent,
        url: &str,
        _part: &Path,
        _size: u64,
        _progress: &dyn super::FetchProgress,
    ) -> Result<bool, String> {
        Err(format!(
            "GET {url}: this build cannot download (stemgap-sources without its `http` feature); copy from a directory with --from DIR"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalogue of one made-up file with its content's checksum.
    fn catalogue(content: &[u8]) -> Catalogue {
        let text = format!(
            "[[source]]\nid = \"f\"\ntitle = \"t\"\npublisher = \"p\"\nlicence = \"OGL-3.0\"\nurl = \"https://example.invalid/f.csv\"\npath = \"census/f.csv\"\nsha256 = \"{}\"\nbytes = {}\nformat = \"csv\"\ngeography = \"pcon\"\nperiod = \"2021\"\nnations = [\"england\"]\n",
            sha256_hex(content),
            content.len()
        );
        Catalogue::parse(&text, "t.toml").unwrap()
    }

    #[test]
    fn a_directory_mirror_needs_no_http() {
        let content = b"code,value\nE14000001,1\n";
        let cat = catalogue(content);
        let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        fs::create_dir_all(from.path().join("census")).unwrap();
        fs::write(from.path().join("census/f.csv"), content).unwrap();
        let report = fetch_all(&cat, to.path(), &Origin::Dir(from.path().into()), &());
        assert!(report.all_ok(), "{:?}", report.outcomes);
        assert_eq!(fs::read(to.path().join("census/f.csv")).unwrap(), content);
    }

    /// Without the `http` feature (the libraries' build) a URL origin is
    /// refused saying why; nothing is written.
    #[cfg(not(feature = "http"))]
    #[test]
    fn without_http_a_url_origin_fails_saying_why() {
        let cat = catalogue(b"x");
        let to = tempfile::tempdir().unwrap();
        for origin in [Origin::Published, Origin::parse("http://127.0.0.1:9/m")] {
            let report = fetch_all(&cat, to.path(), &origin, &());
            let [(id, FetchOutcome::Failed(why))] = &report.outcomes[..] else {
                panic!("{:?}", report.outcomes);
            };
            assert_eq!(id, "f");
            assert!(why.contains("without its `http` feature"), "{why}");
            assert!(why.contains("--from DIR"), "{why}");
        }
        assert!(!to.path().join("census/f.csv").exists());
        assert!(!to.path().join("census/f.csv.part").exists());
    }
}
