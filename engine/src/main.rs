//! `codepulse`: the binary. Owns the CLI and all I/O at the edge; the analysis itself is the
//! ECS schedule built in [`world`].
//!
//! Exit codes:
//! - `0`: the analysis ran (warnings about individual files do not change this); `watch`
//!   stopped on SIGINT/SIGTERM (or the end of `--stdin`) after closing its ring;
//! - `1`: internal error (including a panic);
//! - `2`: usage error, or the root cannot be analysed (e.g. PATH does not exist), or the dump
//!   cannot be read (`ingest`: missing, a directory), with a one-line message
//!   `codepulse: error: ...` on stderr;
//! - `3`: `query`/`context`: the symbol asked about is unknown or ambiguous (the answer on
//!   stdout says which, and lists the candidates).

mod cli;
mod config;
mod emit;
mod ingest;
mod live;
mod progress;
mod query;
mod report;
mod tail;
#[cfg(feature = "tracy")]
mod tracy;
mod world;

use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use bevy_ecs::schedule::Schedule;
use bevy_ecs::world::World;
use clap::Parser;
use codepulse_components::{AnalysisSettings, Config, Progress};

use crate::cli::{AnalyzeArgs, Cli, Command, Format, IngestArgs, PassArgs};
use crate::progress::ProgressLine;
use crate::report::Report;

/// At most this many warnings are printed to stderr.
const MAX_WARNINGS: usize = 20;

/// An error that is the user's to fix (exit code 2).
#[derive(Debug)]
struct UsageError(String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    #[cfg(feature = "tracy")]
    tracy::init();
    codepulse_systems::alloc::install_mimalloc_for_tree_sitter();
    match std::panic::catch_unwind(try_main) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            if err.downcast_ref::<query::Miss>().is_some() {
                // The answer on stdout lists the candidates.
                return ExitCode::from(3);
            }
            let code = if err.downcast_ref::<UsageError>().is_some() {
                2
            } else {
                1
            };
            // One line: the error and its causes.
            eprintln!("codepulse: error: {err:#}");
            ExitCode::from(code)
        }
        // The panic hook has printed the message.
        Err(_) => ExitCode::from(1),
    }
}

fn try_main() -> anyhow::Result<()> {
    // clap prints its own message and exits with 2 on usage errors (0 for --help/--version).
    let cli = Cli::parse();
    match cli.into_command() {
        Command::Analyze(args) => analyze(&args),
        Command::Ingest(args) => ingest(&args),
        Command::Tail(args) => tail::run(&args),
        Command::Watch(args) => live::watch(&args),
        Command::Query(args) => query::query(&args),
        Command::Context(args) => query::context(&args),
    }
}

/// `codepulse analyze`: one cold pass over the tree, then the report.
fn analyze(args: &AnalyzeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let root = resolve_root(&args.path)?;
    let (config, _) =
        config::load(&root, args.source.config()).map_err(|e| UsageError(e.to_string()))?;
    let settings = args.source.settings(root.clone(), &config);
    let (mut world, mut schedule, progress) = new_pass(settings, config, &args.source.pass);

    let line = ProgressLine::start(progress, started);
    world::run_until_settled(&mut world, &mut schedule);
    line.finish();

    if args.emit {
        let emitted = emit::emit_once(&mut world, &root)?;
        let d = emitted.drained;
        eprintln!(
            "codepulse: emitted {} payloads to `{}` (epoch {}, {} dropped on a full ring)",
            d.pushed,
            emitted.ring.display(),
            emitted.epoch,
            d.dropped
        );
    }
    let report = Report::collect(&mut world, &root);
    print_report(&report, args.format, args.top, started)
}

/// `codepulse ingest`: the files of a code dump, analysed in memory, then the report of
/// `analyze` (docs/ingest.md).
fn ingest(args: &IngestArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut ingested = ingest::world_from_dump(&args.dump, &args.pass)?;
    let report = ingested.report();
    print_report(&report, args.format, args.top, started)
}

/// A world and the analysis schedule for a cold pass with `settings`, the compute task pool
/// initialised with `pass`'s threads, and the pass's progress counters.
pub(crate) fn new_pass(
    settings: AnalysisSettings,
    config: Config,
    pass: &PassArgs,
) -> (World, Schedule, Progress) {
    let threads = pass.threads();
    world::init_task_pool(threads);
    let progress = Progress::default();
    let world = world::build_world(settings, config, progress.clone(), threads);
    (world, world::analysis_schedule(), progress)
}

/// Writes the report's warnings to stderr and the report to stdout in `format` (the table
/// shows the `top` worst functions and the time since `started`).
fn print_report(
    report: &Report,
    format: Format,
    top: usize,
    started: Instant,
) -> anyhow::Result<()> {
    let elapsed = started.elapsed();
    {
        let mut err = std::io::stderr().lock();
        let _ = report::write_warnings(&mut err, &report.diagnostics, MAX_WARNINGS);
    }
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    let written = match format {
        Format::Json => report::json::write(&mut out, report),
        Format::Table => report::table::write(&mut out, report, top, elapsed),
    }
    .and_then(|()| out.flush());
    match written {
        // A closed pipe (`codepulse analyze | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report"),
    }
}

/// The absolute, canonical root; an error the user must fix if it cannot be analysed.
pub(crate) fn resolve_root(path: &Path) -> anyhow::Result<PathBuf> {
    let root = std::fs::canonicalize(path)
        .map_err(|e| UsageError(format!("cannot analyse `{}`: {e}", path.display())))?;
    let meta = std::fs::metadata(&root)
        .map_err(|e| UsageError(format!("cannot analyse `{}`: {e}", path.display())))?;
    if meta.is_dir() {
        std::fs::read_dir(&root)
            .map_err(|e| UsageError(format!("cannot read `{}`: {e}", path.display())))?;
    } else if !meta.is_file() {
        return Err(UsageError(format!(
            "cannot analyse `{}`: not a directory or a regular file",
            path.display()
        ))
        .into());
    }
    Ok(root)
}
