//! Records the git commit the build pipeline was compiled from
//! (`STEMGAP_COMMIT`, stored in each store's `meta` beside the version), or
//! "unknown" outside a git checkout.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let o = Command::new("git").args(args).output().ok()?;
    if !o.status.success() {
        return None;
    }
    let s = String::from_utf8(o.stdout).ok()?.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=STEMGAP_COMMIT={commit}");
    // Compile again when HEAD moves (a commit, a checkout); the worktree's
    // own git directory holds both files.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        println!("cargo:rerun-if-changed={dir}/logs/HEAD");
    } else {
        println!("cargo:rerun-if-changed=build.rs");
    }
}
