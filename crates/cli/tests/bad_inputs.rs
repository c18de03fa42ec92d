//! Every folder in `tests/bad_inputs/` is one malformed input, overlaid on a
//! view of the real sources (symbolic links to `../shared/data`), with the
//! error the build must stop with (zola's `test_sites_invalid` idea):
//!
//! * files in the folder replace the source at the same path;
//! * `delete.txt` lists sources to remove;
//! * the catalogue's SHA-256 is updated for replaced files, so the parse
//!   error is what fires, unless the folder holds `keep-checksums`;
//! * `expected.txt` is a part of the message the build must print.
//!
//! Each case must exit with 3, print its message, and leave a store built
//! earlier at the same path byte-for-byte as it was, with no temporary file.

use crate::common::{real_data, repo, run, stderr};
use std::fs;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(repo().join("tests/bad_inputs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Files of a case folder other than its control files, relative to it.
fn overlay_files(case: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_owned();
                if !["expected.txt", "delete.txt", "keep-checksums"]
                    .contains(&rel.to_str().unwrap())
                {
                    out.push(rel);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(case, case, &mut out);
    out
}

/// The repository catalogue with the checksums of `changed` files replaced.
fn catalogue_with(changed: &[(String, String)]) -> String {
    let text = fs::read_to_string(repo().join("catalogue/sources.toml")).unwrap();
    let mut out = String::new();
    let mut pending: Option<&str> = None;
    for line in text.lines() {
        if let Some(path) = line
            .strip_prefix("path = \"")
            .and_then(|l| l.strip_suffix('"'))
        {
            pending = changed
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, h)| h.as_str());
        }
        match (line.starts_with("sha256 = "), pending) {
            (true, Some(hash)) => {
                out.push_str(&format!("sha256 = \"{hash}\"\n"));
                pending = None;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Builds the sources view for one case; returns (sources dir, catalogue).
fn prepare(case: &Path, data: &Path, work: &Path) -> (PathBuf, PathBuf) {
    let src = work.join("sources");
    let cat = stemgap_sources::Catalogue::embedded();
    for e in cat.entries() {
        let link = src.join(&e.path);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(data.join(&e.path), &link).unwrap();
    }
    if let Ok(list) = fs::read_to_string(case.join("delete.txt")) {
        for p in list.lines().filter(|l| !l.trim().is_empty()) {
            fs::remove_file(src.join(p.trim())).unwrap();
        }
    }
    let mut changed = Vec::new();
    for rel in overlay_files(case) {
        let target = src.join(&rel);
        let _ = fs::remove_file(&target);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        let bytes = fs::read(case.join(&rel)).unwrap();
        fs::write(&target, &bytes).unwrap();
        changed.push((
            rel.to_str().unwrap().to_owned(),
            stemgap_sources::sha256_hex(&bytes),
        ));
    }
    if case.join("keep-checksums").exists() {
        changed.clear();
    }
    let catalogue = work.join("catalogue.toml");
    fs::write(&catalogue, catalogue_with(&changed)).unwrap();
    (src, catalogue)
}

#[test]
fn every_case_has_an_expected_message() {
    let cases = cases();
    assert!(cases.len() >= 12, "{} cases", cases.len());
    for c in cases {
        let expected = fs::read_to_string(c.join("expected.txt")).unwrap_or_default();
        assert!(
            !expected.trim().is_empty(),
            "{} has no expected.txt",
            c.display()
        );
    }
}

#[test]
fn every_bad_input_stops_the_build_with_its_message_and_keeps_the_store() {
    let Some(data) = real_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.db");
    let o = run(&[
        "build",
        "--sources",
        data.to_str().unwrap(),
        "--db",
        good.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let good_bytes = fs::read(&good).unwrap();
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let work = dir.path().join(&name);
        let (src, catalogue) = prepare(&case, &data, &work);
        let db_dir = work.join("db");
        fs::create_dir_all(&db_dir).unwrap();
        let db = db_dir.join("stemgap.db");
        fs::write(&db, &good_bytes).unwrap();
        let o = run(&[
            "build",
            "--sources",
            src.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--catalogue",
            catalogue.to_str().unwrap(),
        ]);
        let expected = fs::read_to_string(case.join("expected.txt")).unwrap();
        let err = stderr(&o);
        let mut problems = Vec::new();
        if o.status.code() != Some(3) {
            problems.push(format!("exit code {:?}, expected 3", o.status.code()));
        }
        if !err.contains(expected.trim_end()) {
            problems.push(format!("message does not contain {expected:?}"));
        }
        if err
            .lines()
            .filter(|l| l.starts_with("stemgap: error:"))
            .count()
            != 1
        {
            problems.push("not exactly one error line".into());
        }
        if fs::read(&db).unwrap() != good_bytes {
            problems.push("the previous store was changed".into());
        }
        let leftovers: Vec<_> = fs::read_dir(&db_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        if leftovers.len() != 1 {
            problems.push(format!("files left beside the store: {leftovers:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: {}\n    stderr: {}",
                problems.join("; "),
                err.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad-input cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
