//! `stemgap`: the command-line entry point. It parses arguments, runs one
//! subcommand from [`cmd`], and maps errors to exit codes:
//! 0 success, 1 failure of the machine (I/O, store), 2 usage (from clap),
//! 3 bad input data (a source file is missing, changed or malformed).

mod cli;
mod cmd;
mod progress;

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the calling thread's freed memory to the system now
/// (mimalloc's `mi_collect(true)`). The build calls it, through its progress
/// events, each time a thread starts on another source file: each file's
/// parse frees as much as it keeps, and with mimalloc's 10 ms purge delay
/// the threads' freed pages piled up (peak RSS 225-275 MB run to run; with
/// this, 200-230 MB for ~0.1 s of CPU). Purging every free at once instead
/// (purge delay 0) cost three times as much.
pub fn trim_thread_heap() {
    // SAFETY: no arguments to get wrong; mimalloc is the global allocator.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// From now on, freed memory goes back to the system at once (mimalloc's
/// purge delay 0; by default it waits 10 ms). `serve` sets it after any build:
/// a server that primes its cache frees most of what it renders (each page's
/// uncompressed body once it is compressed), and with the delay the allocator
/// held ~50–80 MB of freed pages (RSS after priming ~233–251 MB; with this,
/// ~172 MB, and loopback p99 unchanged: `dev/bench/web.sh`). The build keeps
/// the delay: purging at once cost it 0.4 s of its 2 s.
pub fn return_freed_memory_at_once() {
    // mimalloc.h (v2): `mi_option_purge_delay` follows
    // `mi_option_eager_commit_delay`; the sys crate does not name it.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t =
        libmimalloc_sys::mi_option_eager_commit_delay + 1;
    // SAFETY: an option id and a value; mimalloc is the global allocator.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

/// Turns transparent huge pages off for this process. mimalloc asks the
/// kernel for huge pages on its segments (`madvise(MADV_HUGEPAGE)`), so each
/// first touch of a segment faulted in and zeroed a whole 2 MiB page: a
/// build spent ~13% of its CPU in the kernel's `clear_page` and held ~50 MB
/// of pages it never used (measured: system time 1.0 → 0.4 s, peak RSS
/// 250 → 196 MB). `PR_SET_THP_DISABLE` wins over the allocator's advice and
/// over a kernel set to `always`.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments only; failure (an old kernel)
    // leaves huge pages on, which is merely slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let args = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STEMGAP_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(if args.verbose { "info" } else { "warn" })
            }),
        )
        .without_time()
        .init();
    match cmd::run(args.command) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("stemgap: error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

/// A closed pipe (`stemgap export | head`) ends output normally. csv
/// wraps I/O errors without exposing them as a source, so look inside it.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(broken)
            || e.downcast_ref::<csv::Error>()
                .is_some_and(|c| match c.kind() {
                    csv::ErrorKind::Io(io) => broken(io),
                    _ => false,
                })
    })
}

/// 2 for a bad argument, 3 for bad input data, 1 for anything else.
fn exit_code(err: &anyhow::Error) -> u8 {
    if err
        .chain()
        .any(|e| e.downcast_ref::<cmd::UsageProblem>().is_some())
    {
        return 2;
    }
    let data = err.chain().any(|e| {
        e.downcast_ref::<stemgap_sources::SourceError>().is_some()
            || e.downcast_ref::<stemgap_ingest::IngestError>()
                .is_some_and(|i| i.is_data_error())
            || e.downcast_ref::<cmd::DataProblem>().is_some()
    });
    if data {
        3
    } else {
        1
    }
}
