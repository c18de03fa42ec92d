//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `stemgap` binary built for this test run.
pub fn stemgap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stemgap"))
}

/// Runs the binary with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    stemgap().args(args).output().expect("stemgap runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/data` beside the repository, when present. Tests that need it
/// print a clear message and return when it is absent.
pub fn real_data() -> Option<PathBuf> {
    let p = repo().join("../shared/data");
    if p.join("SOURCES.md").is_file() {
        Some(p)
    } else {
        eprintln!(
            "skipped: real data not found at {} (../shared/data beside the repository)",
            p.display()
        );
        None
    }
}

/// Held by the tests that load the machine hardest and time their answers
/// (the browser test's page loads and audits, the HTTP load test), so that
/// they take turns instead of starving each other on a 2-core machine.
pub fn heavy() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}
