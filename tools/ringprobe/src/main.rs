//! `ringprobe`: drives a codepulse ring from either side, one side per process, for the
//! cross-process tests (tests/ring.rs) and the benchmark (tools/ring-bench.sh).
//!
//! - `ringprobe produce N`: pushes payloads whose `file_hash` is a sequence number
//!   (`--start`, `--start`+1, ...) and `timestamp_ns` the CLOCK_MONOTONIC time of the push;
//!   `--mode lossless` waits for room (for throughput and order checks), `--mode drop` pushes
//!   like the engine does (never waits: drops are counted). Prints JSON lines on stdout: one
//!   `{"phase":"pushed",...}` when all N are pushed, one `{"phase":"done",...}` at the end.
//! - `ringprobe consume`: pops until `--count` payloads, or until the ring is drained and the
//!   producer closed or dead; checks the sequence numbers are contiguous; measures one-way
//!   latency (now − timestamp); prints one JSON summary line.
//!
//! Every wait is bounded by `--deadline-s`; running past it is an error (exit 1) that says
//! what it was waiting for.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use codepulse_components::{DefectPayload, PayloadKind, Severity};
use codepulse_ring::{Consumer, Producer, ProducerState, RingError, monotonic_ns};
use serde_json::json;

#[derive(Parser, Debug)]
#[command(name = "ringprobe")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Push N sequence-numbered payloads.
    Produce(ProduceArgs),
    /// Pop payloads and check and time them.
    Consume(ConsumeArgs),
}

#[derive(Args, Debug)]
struct Where {
    /// The ring file.
    #[arg(long, conflicts_with = "root")]
    ring: Option<PathBuf>,
    /// The workspace root whose default ring to use.
    #[arg(long)]
    root: Option<PathBuf>,
}

impl Where {
    fn ring(&self) -> anyhow::Result<PathBuf> {
        match (&self.ring, &self.root) {
            (Some(ring), _) => Ok(ring.clone()),
            (None, Some(root)) => {
                let root = std::fs::canonicalize(root)
                    .with_context(|| format!("cannot resolve `{}`", root.display()))?;
                Ok(codepulse_ring::ring_path_for_root(&root))
            }
            (None, None) => bail!("give --ring PATH or --root DIR"),
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Wait (spin) for room: nothing is dropped.
    Lossless,
    /// Never wait: a full ring drops and counts, as the engine does.
    Drop,
}

#[derive(Args, Debug)]
struct ProduceArgs {
    /// How many payloads.
    n: u64,
    #[command(flatten)]
    at: Where,
    /// Slots in the ring (a power of two).
    #[arg(long, default_value_t = 1024)]
    capacity: u64,
    #[arg(long, value_enum, default_value_t = Mode::Lossless)]
    mode: Mode,
    /// The first sequence number.
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Payloads pushed at once (one head update per batch; timestamps taken once per batch).
    #[arg(long, default_value_t = 1)]
    batch: usize,
    /// Push one payload every NS nanoseconds (busy-waiting in between): for latency runs.
    #[arg(long, value_name = "NS")]
    pace_ns: Option<u64>,
    /// Leave `timestamp_ns` 0 instead of reading the clock for every batch (to separate the
    /// ring's cost from the clock's in throughput runs).
    #[arg(long)]
    no_timestamps: bool,
    /// Register this many paths (`/ringprobe/file-<i>`) first; payload i then names file
    /// `i % K` (its `file_hash` no longer being the sequence number, which moves to `seq`).
    #[arg(long, default_value_t = 0)]
    paths: u64,
    /// After pushing, wait for one resync request and serve it with this many `Resync`
    /// payloads (sequence numbers going on after the last pushed one).
    #[arg(long, value_name = "K")]
    serve_resync: Option<u64>,
    /// After pushing (and serving), stay alive this long before closing, beating every 50 ms.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    hold_ms: u64,
    /// Give up on any wait after this many seconds.
    #[arg(long, default_value_t = 60.0)]
    deadline_s: f64,
}

#[derive(Args, Debug)]
struct ConsumeArgs {
    #[command(flatten)]
    at: Where,
    /// Stop after this many payloads (and leave the rest in the ring).
    #[arg(long)]
    count: Option<u64>,
    /// Pop at most this many at once.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// When the ring says payloads were dropped, request a resync and wait until it is served.
    #[arg(long)]
    request_resync: bool,
    /// Keep the one-way latency of every payload and report percentiles.
    #[arg(long)]
    latency: bool,
    /// Busy-poll an empty ring (benchmarks) instead of sleeping 100 µs.
    #[arg(long)]
    spin: bool,
    /// Payloads carry paths (`produce --paths`): check each hash resolves to a
    /// `/ringprobe/file-<i>` path that hashes back to it.
    #[arg(long)]
    resolve: bool,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 60.0)]
    deadline_s: f64,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Produce(args) => produce(&args),
        Cmd::Consume(args) => consume(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ringprobe: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn emit(value: serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

fn probe_path(i: u64) -> PathBuf {
    PathBuf::from(format!("/ringprobe/file-{i}"))
}

fn payload(seq: u64, file_hash: u64, kind: PayloadKind, now: u64) -> DefectPayload {
    DefectPayload {
        file_hash,
        timestamp_ns: now,
        seq: seq as u32,
        tdg: 1.5,
        cyclomatic: 12,
        cognitive: 20,
        start_line: 1,
        end_line: 2,
        warnings: 1,
        severity: Severity::Warning as u8,
        kind: kind as u8,
        // The full sequence number, for runs past 2^32.
        reserved: seq.to_ne_bytes(),
        ..DefectPayload::default()
    }
}

fn produce(a: &ProduceArgs) -> anyhow::Result<()> {
    let ring = a.at.ring()?;
    let deadline = Instant::now() + Duration::from_secs_f64(a.deadline_s);
    let mut p = Producer::open(&ring, a.capacity)
        .with_context(|| format!("cannot open ring `{}`", ring.display()))?;
    let mut hashes = Vec::new();
    for i in 0..a.paths {
        hashes.push(p.register_path(&probe_path(i))?);
    }
    let hash_of = |seq: u64| {
        if hashes.is_empty() {
            seq
        } else {
            hashes[(seq % hashes.len() as u64) as usize]
        }
    };
    let started = Instant::now();
    let batch = a.batch.max(1);
    let mut buf = Vec::with_capacity(batch);
    let mut seq = a.start;
    let end = a.start + a.n;
    let mut next_at = monotonic_ns();
    while seq < end {
        if let Some(pace) = a.pace_ns {
            while monotonic_ns() < next_at {
                std::hint::spin_loop();
            }
            next_at += pace;
        }
        let now = if a.no_timestamps { 0 } else { monotonic_ns() };
        buf.clear();
        let k = (end - seq).min(batch as u64);
        buf.extend((seq..seq + k).map(|s| payload(s, hash_of(s), PayloadKind::Defect, now)));
        match a.mode {
            Mode::Drop => {
                p.push_batch(&buf);
            }
            Mode::Lossless => push_all(&mut p, &buf, deadline, "room in the ring")?,
        }
        seq += k;
    }
    let elapsed = started.elapsed().as_secs_f64();
    emit(json!({
        "phase": "pushed", "ring": ring, "epoch": p.epoch(), "pushed": a.n,
        "drops": p.drops(), "head": p.head(), "elapsed_s": elapsed,
        "rate_per_s": a.n as f64 / elapsed.max(1e-9),
    }));

    let mut served = None;
    if let Some(k) = a.serve_resync {
        let req = loop {
            if let Some(req) = p.take_resync_request() {
                break req;
            }
            if Instant::now() > deadline {
                bail!("no resync request within the deadline");
            }
            p.heartbeat();
            std::thread::sleep(Duration::from_millis(1));
        };
        let now = monotonic_ns();
        let resync: Vec<_> = (seq..seq + k)
            .map(|s| payload(s, hash_of(s), PayloadKind::Resync, now))
            .collect();
        push_all(&mut p, &resync, deadline, "room for the resync")?;
        p.resync_done(req);
        served = Some(req.0);
    }
    let hold_until = Instant::now() + Duration::from_millis(a.hold_ms);
    while Instant::now() < hold_until {
        p.heartbeat();
        std::thread::sleep(Duration::from_millis(50).min(hold_until - Instant::now()));
    }
    let (epoch, drops, head) = (p.epoch(), p.drops(), p.head());
    p.close();
    emit(json!({
        "phase": "done", "epoch": epoch, "drops": drops, "head": head, "resync_served": served,
    }));
    Ok(())
}

fn push_all(
    p: &mut Producer,
    mut rest: &[DefectPayload],
    deadline: Instant,
    what: &str,
) -> anyhow::Result<()> {
    let mut spins = 0u32;
    while !rest.is_empty() {
        let n = p.try_push_batch(rest);
        rest = &rest[n..];
        if n == 0 {
            spins += 1;
            if spins.is_multiple_of(1024) {
                if Instant::now() > deadline {
                    bail!("waited past the deadline for {what} (is a consumer reading?)");
                }
                p.heartbeat();
                std::thread::yield_now();
            }
            std::hint::spin_loop();
        }
    }
    Ok(())
}

/// Attaches, retrying while the ring does not exist yet (the producer may start later).
fn attach(ring: &Path, deadline: Instant) -> anyhow::Result<Consumer> {
    loop {
        match Consumer::attach(ring) {
            Ok(c) => return Ok(c),
            Err(RingError::NotFound { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e).with_context(|| format!("ring `{}`", ring.display())),
        }
    }
}

fn consume(a: &ConsumeArgs) -> anyhow::Result<()> {
    let ring = a.at.ring()?;
    let deadline = Instant::now() + Duration::from_secs_f64(a.deadline_s);
    let mut c = attach(&ring, deadline)?;
    let start_tail = c.tail();
    let first_status = c.check()?;
    let mut restarts = Vec::new();
    if let Some((old, new)) = first_status.restarted {
        restarts.push(json!([old, new]));
    }
    let mut out = Vec::with_capacity(a.batch);
    let mut received = 0u64;
    let mut first: Option<u64> = None;
    let mut last: Option<u64> = None;
    let mut gaps = 0u64;
    let mut resync_payloads = 0u64;
    let mut unresolved = 0u64;
    let mut latencies = Vec::new();
    let mut resync_token: Option<u64> = None;
    let mut needs_resync_seen = false;
    let (mut t_first, mut t_last) = (None, Instant::now());
    let want = a.count.unwrap_or(u64::MAX);
    let mut last_check = Instant::now();
    let status = loop {
        let room = (want - received).min(a.batch as u64) as usize;
        out.clear();
        let n = if room == 0 {
            0
        } else {
            c.pop_batch(&mut out, room)?
        };
        if n > 0 {
            let now = monotonic_ns();
            let t = Instant::now();
            t_first.get_or_insert(t);
            t_last = t;
            for p in &out {
                let s = u64::from_ne_bytes(p.reserved);
                if let Some(prev) = last
                    && s != prev + 1
                {
                    gaps += 1;
                }
                first.get_or_insert(s);
                last = Some(s);
                if p.kind == PayloadKind::Resync as u8 {
                    resync_payloads += 1;
                }
                if a.latency {
                    latencies.push(now.saturating_sub(p.timestamp_ns));
                }
                if a.resolve {
                    let ok = c.resolve(p.file_hash)?.is_some_and(|path| {
                        path.starts_with("/ringprobe")
                            && codepulse_ring::path_hash(path) == p.file_hash
                    });
                    unresolved += u64::from(!ok);
                }
            }
            received += n as u64;
            continue;
        }
        if received >= want {
            break c.check()?;
        }
        // Empty. A spinning consumer only polls the head, and looks at the producer (a few
        // syscalls) once a millisecond.
        if a.spin && last_check.elapsed() < Duration::from_millis(1) {
            std::hint::spin_loop();
            continue;
        }
        last_check = Instant::now();
        let st = c.check()?;
        if let Some((old, new)) = st.restarted {
            restarts.push(json!([old, new]));
        }
        needs_resync_seen |= st.needs_resync;
        if a.request_resync && st.needs_resync && resync_token.is_none() {
            resync_token = Some(c.request_resync());
        }
        let resync_pending = resync_token.is_some_and(|t| st.resync_served < t);
        let finished = matches!(
            st.producer,
            ProducerState::Closed | ProducerState::Dead | ProducerState::Replaced
        );
        if st.backlog == 0 && finished && !resync_pending {
            break st;
        }
        if Instant::now() > deadline {
            bail!(
                "deadline passed after {received} payloads (producer {:?}, backlog {}, resync pending {resync_pending})",
                st.producer,
                st.backlog
            );
        }
        if !a.spin {
            std::thread::sleep(Duration::from_micros(100));
        }
    };
    let span = t_first.map_or(0.0, |t| (t_last - t).as_secs_f64());
    let lat = percentiles(&mut latencies);
    emit(json!({
        "received": received, "first": first, "last": last, "contiguous": gaps == 0,
        "gaps": gaps, "start_tail": start_tail, "end_tail": c.tail(),
        "epoch": status.epoch, "restarts": restarts, "producer": format!("{:?}", status.producer),
        "drops": status.drops, "needs_resync_seen": needs_resync_seen,
        "resync_requested": resync_token, "resync_served": status.resync_served,
        "resync_payloads": resync_payloads, "unresolved": unresolved,
        "span_s": span, "rate_per_s": if span > 0.0 { received as f64 / span } else { 0.0 },
        "latency_ns": lat,
    }));
    Ok(())
}

fn percentiles(v: &mut [u64]) -> serde_json::Value {
    if v.is_empty() {
        return serde_json::Value::Null;
    }
    v.sort_unstable();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    json!({
        "n": v.len(), "min": v[0], "p50": at(0.50), "p90": at(0.90), "p99": at(0.99),
        "p999": at(0.999), "max": v[v.len() - 1],
    })
}
