//! `stemgap`: the command-line entry point. It parses arguments, runs one
//! subcommand from [`cmd`], and maps errors to exit codes:
//! 0 success, 1 failure of the machine (I/O, store), 2 usage (from clap),
//! 3 bad input data (a source file is missing, changed or malformed).

mod cli;
mod cmd;
mod progress;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v2's `mi_option_purge_delay` (its position in `mi_option_e`,
/// include/mimalloc.h of the v2 sources libmimalloc-sys builds).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Batch commands return freed memory to the system at once: the build
/// frees as much as it keeps, on several threads, and with mimalloc's
/// default 10 ms delay its peak resident memory varied from 250 to 310 MB
/// run to run (0 ms: 160-210 MB, for ~0.1 s more). The server keeps the
/// default: it frees little, and answers faster for it.
fn purge_freed_memory_at_once() {
    // SAFETY: sets one integer option, before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    if !matches!(args.command, cli::Command::Serve(_)) {
        purge_freed_memory_at_once();
    }
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
