//! `codepulse watch`: the live engine. It warms up (the cold analysis), writes the initial
//! payloads to the workspace's ring, then runs one tick per batch of inputs until SIGINT or
//! SIGTERM, when it marks the ring closed and exits 0.
//!
//! Inputs (editor messages over the socket or stdin, debounced file-system changes,
//! configuration changes, signals) all feed one crossbeam channel. The loop blocks on it while
//! idle (waking every [`POLL`] only to beat the ring's heartbeat and serve resync requests),
//! then drains everything pending into one batch, stages it (`intake`), runs the schedule once,
//! drains the gate's payloads into the ring, records each input's edit-to-emit latency and
//! sends the replies. The first idle wake-up after edits settles the incrementally reparsed
//! files (`settle_trees`: parsed from scratch once), so the state equals a cold analysis.

pub mod protocol;

mod clients;
mod input;
mod intake;
mod metrics_http;
mod stats;
mod status;
mod watcher;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use bevy_ecs::query::With;
use bevy_ecs::world::World;
use codepulse_components::{
    Config, Diagnostic, DiagnosticKind, Diagnostics, FunctionKey, OpenDocument, Outbox,
    PendingLoad, Progress, SettleRequest, SourceCache,
};
use crossbeam_channel::RecvTimeoutError;
use serde_json::Value;

use crate::cli::WatchArgs;
use crate::progress::ProgressLine;
use crate::world::StageClock;
use crate::{UsageError, config, world};
use codepulse_observe::{Counters, Gauges, Observatory, Stage};
use input::Input;
use intake::{Intake, Reply};
use stats::Stats;

/// How often an idle engine wakes up: heartbeat, resync requests, status line.
pub const POLL: Duration = Duration::from_millis(200);

/// At most this many inputs make one tick (the rest wait for the next), so replies keep
/// flowing under a flood.
pub const MAX_BATCH: usize = 8192;

/// `codepulse watch` (see the module documentation).
pub fn watch(args: &WatchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    // A long-running process with a small working set: transparent huge pages would make every
    // touched 2 MiB of the allocator's arenas resident (docs/benchmarks.md measured 83 MiB warm
    // with them). Best effort: a kernel without the prctl changes nothing.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let root = crate::resolve_root(&args.path)?;
    if !root.is_dir() {
        return Err(UsageError(format!(
            "cannot watch `{}`: not a directory",
            args.path.display()
        ))
        .into());
    }
    let (config, _) =
        config::load(&root, args.source.config()).map_err(|e| UsageError(e.to_string()))?;
    let config_file = match args.source.config() {
        Some(p) => Some(
            std::path::absolute(p).with_context(|| format!("cannot resolve `{}`", p.display()))?,
        ),
        None => None,
    };
    let watched_config = config_file
        .clone()
        .unwrap_or_else(|| root.join(config::FILE_NAME));
    let settings = args.source.settings(root.clone(), &config);

    // The ring and the socket first: a second engine on the same workspace fails fast.
    let mut emitter = crate::emit::open_emitter(&root, u64::from(config.ring_buffer_size))?;
    let (tx, rx) = crossbeam_channel::unbounded::<Input>();
    {
        let tx = tx.clone();
        ctrlc::set_handler(move || {
            let _ = tx.send(Input::Shutdown { why: "signal" });
        })
        .context("cannot install the SIGINT/SIGTERM handler")?;
    }
    let mut stdout_writer = None;
    let socket = if args.stdin {
        stdout_writer = Some(clients::serve_stdin(tx.clone())?);
        None
    } else {
        let path = args.socket.clone().unwrap_or_else(|| {
            let mut p = emitter.ring().as_os_str().to_os_string();
            p.push(".sock");
            PathBuf::from(p)
        });
        let socket = clients::serve_socket(&path, tx.clone()).map_err(|e| {
            if e.to_string().contains("another engine") {
                anyhow::Error::new(UsageError(format!("{e:#}")))
            } else {
                e
            }
        })?;
        eprintln!("codepulse: listening on {}", socket.path().display());
        Some(socket)
    };
    if let Some(addr) = args.metrics_addr {
        if !addr.ip().is_loopback() && !args.metrics_allow_remote {
            return Err(UsageError(format!(
                "--metrics-addr {addr} is not a loopback address; add --metrics-allow-remote to \
                 serve metrics beyond this machine"
            ))
            .into());
        }
        let bound =
            metrics_http::serve(addr, tx.clone()).map_err(|e| UsageError(format!("{e:#}")))?;
        eprintln!("codepulse: metrics on http://{bound}/metrics");
    }
    // Watching starts before the warm-up, so nothing that changes during it is lost.
    let watcher = if args.no_watch_files {
        None
    } else {
        Some(watcher::spawn(
            settings.clone(),
            watched_config,
            tx.clone(),
        )?)
    };
    drop(tx);

    let threads = args.source.threads();
    world::init_task_pool(threads);
    let progress = Progress::default();
    let budget = u64::from(config.cache_size_mb) * 1024 * 1024;
    let mut world = world::build_world(settings.clone(), config, progress.clone(), threads);
    world.insert_resource(SourceCache {
        budget_bytes: budget,
        ..SourceCache::default()
    });
    let mut schedule = world::analysis_schedule();
    let line = ProgressLine::start(progress, started);
    world::run_until_settled(&mut world, &mut schedule);
    line.finish();

    codepulse_systems::alloc::release_free_memory();
    let mut stats = Stats::default();
    let mut observatory = Observatory::new(Instant::now());
    let warm = emitter.drain(&mut world.resource_mut::<Outbox>())?;
    stats.payloads += warm.pushed as u64;
    stats.dropped += warm.dropped as u64;
    let warnings = take_diagnostics(&mut world);
    let mut intake = Intake::new(&mut world, settings, config_file);
    eprintln!(
        "codepulse: watching {} ({} files, {} functions, {} with warnings) in {:.2} s; {} \
         payloads to `{}`{}",
        root.display(),
        intake.files(),
        count::<&FunctionKey>(&mut world),
        warnings.len(),
        started.elapsed().as_secs_f64(),
        warm.pushed,
        emitter.ring().display(),
        watcher
            .as_ref()
            .map(|w| format!("; {} directories watched", w.watched))
            .unwrap_or_default(),
    );

    let mut status = status::StatusLine::new(std::io::stderr().is_terminal());
    let mut batch: Vec<Input> = Vec::new();
    let mut unsettled = false;
    // Built once: files a tick left to load (the state updates itself to new archetypes).
    let mut pending_loads = world.query_filtered::<(), With<PendingLoad>>();
    let mut worked_since_collect = false;
    let mut collect_after_tick = false;
    loop {
        // A tick that left files to load (a large change on disk) goes on without waiting.
        let busy = pending_loads.iter(&world).next().is_some();
        let first = if busy {
            rx.try_recv().ok()
        } else {
            match rx.recv_timeout(POLL) {
                Ok(input) => Some(input),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => {
                    intake.shutdown = Some("no input left");
                    None
                }
            }
        };
        emitter.heartbeat();
        if let Some(drained) =
            emitter.serve_resync(|| codepulse_systems::resync_payloads(&mut world))
        {
            stats.resyncs += 1;
            stats.payloads += drained.pushed as u64;
            stats.dropped += drained.dropped as u64;
        }
        batch.extend(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(input) => batch.push(input),
                Err(_) => break,
            }
        }
        let idle = batch.is_empty() && !busy;
        let mut scrapes = Vec::new();
        #[cfg(feature = "tracy")]
        let accepting = (!batch.is_empty())
            .then(|| tracing::info_span!("intake", inputs = batch.len()).entered());
        for input in batch.drain(..) {
            match input {
                Input::Scrape { reply } => scrapes.push(reply),
                input => intake.accept(&mut world, input, &mut stats),
            }
        }
        #[cfg(feature = "tracy")]
        drop(accepting);
        // Idle after edits: parse the incrementally reparsed files from scratch once, so the
        // state equals a cold analysis even where tree-sitter's incremental tree differs.
        let settle = idle && unsettled;
        if settle {
            world.insert_resource(SettleRequest);
        }
        // Going idle after work: give freed memory back once (mimalloc would only do it on
        // later allocations, and an idle engine makes none).
        if idle && worked_since_collect {
            worked_since_collect = false;
            collect_after_tick = true;
        }
        let edited = intake.has_work();
        if edited || busy || settle {
            worked_since_collect |= !settle;
            unsettled = !settle && (unsettled || edited);
            #[cfg(feature = "tracy")]
            let tick = crate::tracy::Tick::start();
            let tick_start = Instant::now();
            {
                #[cfg(feature = "tracy")]
                let _flush = tracing::info_span!("flush").entered();
                intake.flush(&mut world);
            }
            let staged = tick_start.elapsed();
            world.resource_mut::<StageClock>().start();
            world::run_tick(&mut world, &mut schedule);
            stats.ticks += 1;
            let emit_start = Instant::now();
            let drained = {
                #[cfg(feature = "tracy")]
                let _emit = tracing::info_span!("emit").entered();
                emitter.drain(&mut world.resource_mut::<Outbox>())?
            };
            let tick_end = Instant::now();
            #[cfg(feature = "tracy")]
            drop(tick);
            stats.payloads += drained.pushed as u64;
            stats.dropped += drained.dropped as u64;
            let spans = world.resource::<StageClock>().spans;
            for (i, stage) in [
                Stage::Apply,
                Stage::Parse,
                Stage::Measure,
                Stage::Graph,
                Stage::Tdg,
                Stage::Gate,
            ]
            .into_iter()
            .enumerate()
            {
                let extra = if i == 0 { staged } else { Duration::ZERO };
                observatory.record(stage, spans[i] + extra);
            }
            observatory.record(Stage::Emit, tick_end - emit_start);
            observatory.record(Stage::Tick, tick_end - tick_start);
            for warning in take_diagnostics(&mut world) {
                eprintln!("codepulse: warning: {}: {}", warning.path, warning.message);
            }
        }
        let done = Instant::now();
        let budget = Duration::from_secs_f64(world.resource::<Config>().max_latency_ms / 1e3);
        for at in intake.handled.drain(..) {
            let latency = done.saturating_duration_since(at);
            stats.over_budget += u64::from(latency > budget);
            stats.record_latency(latency);
            observatory.record(Stage::EditToEmit, latency);
        }
        observatory.rotate(done);
        if std::mem::take(&mut collect_after_tick) {
            codepulse_systems::alloc::release_free_memory();
        }
        if !scrapes.is_empty() {
            observe(&mut observatory, &mut world, &intake, &stats, &mut emitter);
            let snapshot = observatory.snapshot();
            for reply in scrapes {
                let _ = reply.send(snapshot.clone());
            }
        }
        let replies = std::mem::take(&mut intake.replies);
        for (to, reply) in replies {
            let line = match reply {
                Reply::Line(line) => line,
                Reply::Stats(id) => {
                    let mut fields = stats.to_fields();
                    gauges(&mut world, &intake, &mut fields);
                    let mut m = serde_json::Map::new();
                    m.insert("stats".into(), Value::Object(fields));
                    protocol::reply_ok(id.as_ref(), "stats", m)
                }
                Reply::Graph(id, request) => graph_reply(&mut world, id.as_ref(), request),
            };
            // A client that went away misses its reply; nothing else to do.
            let _ = to.send(line);
        }
        status.update(|| {
            let l = stats.latency();
            format!(
                "codepulse: {} files · {} open · {} edits · {} ticks · p99 {} µs · {} payloads · RSS {} MB",
                intake.files(),
                count::<&OpenDocument>(&mut world),
                stats.edits,
                stats.ticks,
                l.p99,
                stats.payloads,
                stats::rss_bytes() / (1024 * 1024)
            )
        });
        if let Some(why) = intake.shutdown {
            status.clear();
            eprintln!(
                "codepulse: stopping ({why}): {} edits, {} ticks, {} payloads ({} dropped); ring closed",
                stats.edits, stats.ticks, stats.payloads, stats.dropped
            );
            break;
        }
    }
    emitter.close();
    drop(socket);
    // The replies of the last batch: the writer ends when the last sender (held by the intake)
    // is gone.
    drop(intake);
    if let Some(writer) = stdout_writer {
        let _ = writer.join();
    }
    Ok(())
}

/// Copies the counters and reads the gauges into the observatory (for a scrape).
fn observe(
    o: &mut Observatory,
    world: &mut World,
    intake: &Intake,
    stats: &Stats,
    emitter: &mut crate::emit::Emitter,
) {
    let progress = world.resource::<Progress>().clone();
    o.counters = Counters {
        edits: stats.edits,
        ticks: stats.ticks,
        payloads: stats.payloads,
        payloads_dropped: stats.dropped,
        parse_errors: progress
            .parse_errors
            .load(std::sync::atomic::Ordering::Relaxed),
        rejected: stats.rejected,
        fs_batches: stats.fs_batches,
        resyncs: stats.resyncs,
        over_budget: stats.over_budget,
    };
    let cache = *world.resource::<SourceCache>();
    let (capacity, backlog) = emitter.fill();
    o.gauges = Gauges {
        files: intake.files() as u64,
        functions: count::<&FunctionKey>(world) as u64,
        open_documents: count::<&OpenDocument>(world) as u64,
        rss_bytes: stats::rss_bytes(),
        ring_capacity: capacity,
        ring_backlog: backlog,
        cached_files: u64::from(cache.resident_files),
        cached_bytes: cache.resident_bytes,
        cache_budget_bytes: cache.budget_bytes,
    };
}

/// The world's gauges for a `stats` reply.
fn gauges(world: &mut World, intake: &Intake, fields: &mut serde_json::Map<String, Value>) {
    let cache = *world.resource::<SourceCache>();
    fields.insert("files".into(), intake.files().into());
    fields.insert("functions".into(), count::<&FunctionKey>(world).into());
    fields.insert(
        "open_documents".into(),
        count::<&OpenDocument>(world).into(),
    );
    fields.insert("cached_files".into(), cache.resident_files.into());
    fields.insert("cached_bytes".into(), cache.resident_bytes.into());
    fields.insert("cache_budget_bytes".into(), cache.budget_bytes.into());
    let config = world.resource::<Config>();
    fields.insert("ring_capacity".into(), config.ring_buffer_size.into());
}

fn count<D: bevy_ecs::query::QueryData>(world: &mut World) -> usize {
    world.query::<D>().iter(world).count()
}

/// Takes the systems' warnings, keeping those worth a line (syntax errors come and go with
/// every keystroke; edits the engine staged are valid by construction).
fn take_diagnostics(world: &mut World) -> Vec<Diagnostic> {
    let mut diagnostics = world.resource_mut::<Diagnostics>();
    diagnostics
        .0
        .drain(..)
        .filter(|d| !matches!(d.kind, DiagnosticKind::SyntaxErrors))
        .collect()
}

/// The reply to a `query` or `context` message, from the graph as it is after the tick (so a
/// question sent after an edit sees the edit): `{"ok":true,"op":"query","answer":{...}}`, the
/// answer as `codepulse query --format json` prints it (an unknown or ambiguous symbol is an
/// answer with `error` and `candidates`, not a rejected message); `context` answers `context`,
/// a JSON object or (`"format":"text"`) the text as a string.
fn graph_reply(world: &mut World, id: Option<&protocol::Id>, request: protocol::Request) -> String {
    use codepulse_systems::graph;
    let mut fields = serde_json::Map::new();
    match request {
        protocol::Request::Query(request) => {
            let graph = world.resource::<codepulse_systems::GraphState>().graph();
            let answer = graph::run(graph, &request);
            let value = serde_json::from_str(&answer.render_json()).unwrap_or(Value::Null);
            fields.insert("answer".into(), value);
            protocol::reply_ok(id, "query", fields)
        }
        protocol::Request::Context {
            symbol,
            budget,
            json,
        } => {
            let format = if json {
                graph::Format::Json
            } else {
                graph::Format::Text
            };
            let read = |of: &crate::query::TextOf<'_>| std::fs::read_to_string(of.absolute).ok();
            match crate::query::brief(world, &symbol, budget, format, read) {
                Ok(rendered) | Err(crate::query::BriefError::Miss(rendered)) => {
                    let value = if json {
                        serde_json::from_str(&rendered).unwrap_or(Value::Null)
                    } else {
                        Value::String(rendered)
                    };
                    fields.insert("context".into(), value);
                    protocol::reply_ok(id, "context", fields)
                }
                Err(crate::query::BriefError::Budget(e)) => {
                    protocol::reply_error(id, Some("context"), &e.to_string())
                }
            }
        }
        other => protocol::reply_error(id, Some(other.op()), "not a graph request"),
    }
}
