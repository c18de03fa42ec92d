//! Every folder in `tests/invalid/` is the test observatory
//! (`tests/observatory/`) with one input broken, and the error the build
//! must stop with (zola's `test_sites_invalid` idea). For each case the
//! observatory is copied to a temporary directory, then:
//!
//! * every file in the case folder (other than the control files below)
//!   replaces the observatory's file at the same relative path;
//! * `delete.txt`, if present, lists paths to delete from the copy;
//! * the copy's catalogue is re-pinned to the replaced files' SHA-256, so
//!   that the parse error is what fires, unless the folder holds a file
//!   named `keep-checksums`;
//! * `expected.txt` holds a part of the message the build must print on
//!   standard error (file, and sheet, row and column where there are some).
//!
//! Each case must exit with 3, print exactly one error containing its
//! message, and leave a store built earlier at the same `--db` path
//! byte-for-byte as it was, with no temporary file beside it. All cases run,
//! and every failing one is reported at once.

use crate::common::{repo, stderr};
use crate::fixture::{build_with, observatory, observatory_catalogue};
use std::fs;
use std::path::{Path, PathBuf};

const CONTROL: [&str; 3] = ["expected.txt", "delete.txt", "keep-checksums"];

fn cases() -> Vec<PathBuf> {
    let root = repo().join("tests/invalid");
    let mut v: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// All files under `dir`, relative to it, with `/` separators, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                let rel = p.strip_prefix(root).unwrap();
                let parts: Vec<_> = rel.iter().map(|s| s.to_str().unwrap()).collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The replacement files of a case, relative to its folder.
fn overlay_files(case: &Path) -> Vec<String> {
    files_under(case)
        .into_iter()
        .filter(|f| !CONTROL.contains(&f.as_str()))
        .collect()
}

/// Paths listed in a case's `delete.txt`.
fn deletions(case: &Path) -> Vec<String> {
    fs::read_to_string(case.join("delete.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `catalogue` with the `sha256` and `bytes` of the entries whose `path` is
/// in `changed` replaced. Errors if a changed path is not catalogued (the
/// replacement would never be read).
fn repin(catalogue: &str, changed: &[(String, String, usize)]) -> Result<String, String> {
    let mut out = String::new();
    let mut current: Option<&(String, String, usize)> = None;
    let mut seen = Vec::new();
    for line in catalogue.lines() {
        if line.trim() == "[[source]]" {
            current = None;
        }
        if let Some(path) = line
            .strip_prefix("path = \"")
            .and_then(|l| l.strip_suffix('"'))
        {
            current = changed.iter().find(|(p, ..)| p == path);
            if current.is_some() {
                seen.push(path.to_owned());
            }
        }
        match current {
            Some((_, sha, _)) if line.starts_with("sha256 = ") => {
                out.push_str(&format!("sha256 = \"{sha}\"\n"));
            }
            Some((_, _, bytes)) if line.starts_with("bytes = ") => {
                out.push_str(&format!("bytes = {bytes}\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    match changed.iter().find(|(p, ..)| !seen.contains(p)) {
        Some((p, ..)) => Err(format!("{p} is not in the observatory's catalogue")),
        None => Ok(out),
    }
}

/// The sources directory and catalogue of one case, under `work`.
fn prepare(case: &Path, work: &Path) -> Result<(PathBuf, PathBuf), String> {
    let src = work.join("sources");
    for rel in files_under(&observatory()) {
        let to = src.join(&rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(observatory().join(&rel), &to).unwrap();
    }
    for rel in deletions(case) {
        fs::remove_file(src.join(&rel))
            .map_err(|e| format!("delete.txt lists {rel}, not in the observatory ({e})"))?;
    }
    let mut changed = Vec::new();
    for rel in overlay_files(case) {
        let target = src.join(&rel);
        if !target.is_file() {
            return Err(format!(
                "{rel} replaces no file of the observatory (misspelt path?)"
            ));
        }
        let bytes = fs::read(case.join(&rel)).unwrap();
        fs::write(&target, &bytes).unwrap();
        changed.push((rel, stemgap_sources::sha256_hex(&bytes), bytes.len()));
    }
    if case.join("keep-checksums").exists() {
        changed.clear();
    }
    let text = fs::read_to_string(observatory_catalogue()).unwrap();
    let catalogue = work.join("catalogue.toml");
    fs::write(&catalogue, repin(&text, &changed)?).unwrap();
    Ok((src, catalogue))
}

/// What is wrong with one case's run, if anything.
fn check(case: &Path, work: &Path, good: &[u8]) -> Vec<String> {
    let (src, catalogue) = match prepare(case, work) {
        Ok(x) => x,
        Err(e) => return vec![format!("bad case: {e}")],
    };
    let db_dir = work.join("db");
    fs::create_dir_all(&db_dir).unwrap();
    let db = db_dir.join("stemgap.db");
    fs::write(&db, good).unwrap();
    let o = build_with(&src, &catalogue, &db);
    let expected = fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
    let expected = expected.trim_end_matches(['\n', '\r']);
    let err = stderr(&o);
    let mut problems = Vec::new();
    if o.status.code() != Some(3) {
        problems.push(format!("exit code {:?}, expected 3", o.status.code()));
    }
    if expected.is_empty() {
        problems.push("empty expected.txt".into());
    } else if !err.contains(expected) {
        problems.push(format!("stderr does not contain {expected:?}"));
    }
    let errors = err
        .lines()
        .filter(|l| l.starts_with("stemgap: error:"))
        .count();
    if errors != 1 {
        problems.push(format!("{errors} error lines, expected 1"));
    }
    if fs::read(&db).ok().as_deref() != Some(good) {
        problems.push("the store built before was changed".into());
    }
    let beside: Vec<String> = fs::read_dir(&db_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "stemgap.db")
        .collect();
    if !beside.is_empty() {
        problems.push(format!("files left beside the store: {beside:?}"));
    }
    if !problems.is_empty() {
        problems.push(format!("stderr: {}", err.trim()));
    }
    problems
}

#[test]
fn every_case_has_an_expected_message_and_a_change() {
    let cases = cases();
    assert!(!cases.is_empty(), "tests/invalid/ has no cases");
    let mut bad = Vec::new();
    for c in &cases {
        let name = c.file_name().unwrap().to_string_lossy();
        let expected = fs::read_to_string(c.join("expected.txt")).unwrap_or_default();
        if expected.trim().is_empty() {
            bad.push(format!("{name}: no expected.txt, or an empty one"));
        }
        if overlay_files(c).is_empty() && deletions(c).is_empty() {
            bad.push(format!("{name}: replaces no file and deletes none"));
        }
    }
    assert!(bad.is_empty(), "malformed cases:\n{}", bad.join("\n"));
}

#[test]
fn every_invalid_input_stops_the_build_with_its_message_and_keeps_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.db");
    let o = build_with(&observatory(), &observatory_catalogue(), &good);
    assert!(
        o.status.success(),
        "the test observatory itself does not build:\n{}",
        stderr(&o)
    );
    let good_bytes = fs::read(&good).unwrap();
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let problems = check(case, &dir.path().join(&name), &good_bytes);
        if !problems.is_empty() {
            failures.push(format!("{name}:\n    {}", problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid-input cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn repinning_replaces_only_the_changed_entries() {
    let cat = "[[source]]\nid = \"a\"\npath = \"x/a.csv\"\nsha256 = \"00\"\nbytes = 1\n\n[[source]]\nid = \"b\"\npath = \"x/b.csv\"\nsha256 = \"11\"\nbytes = 2\n";
    let out = repin(cat, &[("x/b.csv".into(), "ff".into(), 9)]).unwrap();
    assert_eq!(
        out,
        "[[source]]\nid = \"a\"\npath = \"x/a.csv\"\nsha256 = \"00\"\nbytes = 1\n\n[[source]]\nid = \"b\"\npath = \"x/b.csv\"\nsha256 = \"ff\"\nbytes = 9\n"
    );
    assert!(repin(cat, &[("x/c.csv".into(), "ff".into(), 9)]).is_err());
}
