//! `loadgen`: replays keystroke-like edit streams into a running `codepulse watch` over its
//! socket (docs/protocol.md) at a fixed rate, consumes its ring (docs/ring.md), and reports
//! latencies, CPU and memory (docs/benchmarks.md, *Live engine*; tools/loadgen.sh runs it).
//!
//! - It opens `--files` real files of the workspace (seeded, languages in turn), then sends
//!   edits **open loop**: edit `k` of a run is scheduled at `t0 + k / rate`, written when due
//!   (several in one write when the sender is behind), and its latency is measured from that
//!   scheduled time, never from when it was actually written, so a slow engine (or a slow
//!   sender) cannot hide its delay (no coordinated omission). The sender never waits for
//!   replies; a reader thread matches them by `id`.
//! - Reply latency: reply received − scheduled time (the engine replies when the tick that
//!   applied the edit has written its payloads). Payload latency: a payload's `timestamp_ns` −
//!   the scheduled time of the edit whose (file, version) it answers, from a ring consumer
//!   thread (same clock, CLOCK_MONOTONIC). If another consumer holds the ring, only reply
//!   latencies are measured.
//! - Modes: one rate (`--rate`, `--duration`, after `--warmup`), a ramp (`--rates`,
//!   `--step-duration`: the highest rate whose P99 stays within `--p99-budget-us`), or idle
//!   (`--idle S`: everything open, nothing sent, the engine's CPU over S seconds).
//!
//! Exit status: 0 when every edit was accepted, 1 when any was rejected (or the run failed),
//! 2 for usage errors.

mod edits;
mod measure;
mod procfs;
mod rng;
mod workspace;

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use codepulse_ring::{Consumer, RingError, monotonic_ns};
use crossbeam_channel::Receiver;
use serde_json::{Value, json};

use crate::edits::{Keystroke, write_edit, write_open};
use crate::measure::{
    HashIndex, RingSummary, SharedRef, Step, VersionTimes, consume_ring, lock, read_replies,
    summary,
};
use crate::procfs::CpuMark;
use crate::rng::Rng;
use crate::workspace::OpenDoc;

#[derive(Parser, Debug)]
#[command(
    name = "loadgen",
    about = "Replays edit streams into `codepulse watch` and reports"
)]
struct Cli {
    /// The engine's workspace root (socket and ring are derived from it).
    #[arg(long)]
    root: PathBuf,
    /// The engine's socket (default: `<ring path>.sock`).
    #[arg(long)]
    socket: Option<PathBuf>,
    /// The engine's ring file (default: derived from the root, as the engine does).
    #[arg(long)]
    ring: Option<PathBuf>,
    /// Do not attach to the ring (reply latencies only).
    #[arg(long)]
    no_ring: bool,
    /// How many real files of the workspace to open and edit.
    #[arg(long, default_value_t = 50)]
    files: usize,
    /// Files larger than this are not chosen.
    #[arg(long, default_value_t = 256 * 1024)]
    max_file_bytes: u64,
    /// Edits per second.
    #[arg(long, default_value_t = 10_000.0)]
    rate: f64,
    /// Seconds of measured edits at `--rate`.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of edits (at `--rate`, or the ramp's first rate) before measuring.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// A ramp: these rates in turn, `--step-duration` seconds each, up to the first whose P99
    /// exceeds `--p99-budget-us` (all of them with `--all-steps`).
    #[arg(long, value_delimiter = ',')]
    rates: Vec<f64>,
    #[arg(long, default_value_t = 10.0)]
    step_duration: f64,
    #[arg(long, default_value_t = 5000)]
    p99_budget_us: u64,
    /// Run every step of the ramp, also after one over budget.
    #[arg(long)]
    all_steps: bool,
    /// Idle mode: open the files, send nothing for this many seconds, report the engine's CPU.
    #[arg(long, value_name = "S")]
    idle: Option<f64>,
    /// Seconds to wait after opening the files before an idle measurement.
    #[arg(long, default_value_t = 2.0)]
    settle: f64,
    /// Fraction of changes sent as LSP ranges (line, UTF-16 character); the rest are byte
    /// ranges.
    #[arg(long, default_value_t = 0.2)]
    lsp_fraction: f64,
    /// `keystroke`: retype whole lines of code key by key (syntax errors come and go, as when
    /// a person types); `word`: retype the last characters of identifiers (the text mostly
    /// stays valid: isolates the engine's incremental path).
    #[arg(long, value_enum, default_value_t = EditStyle::Keystroke)]
    edit_style: EditStyle,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seconds to wait for the replies of a run after its last edit was sent.
    #[arg(long, default_value_t = 10.0)]
    drain_timeout: f64,
    /// Cut a run short when an edit older than this many seconds is still unanswered (the
    /// engine is saturated: its backlog only grows); 0: never.
    #[arg(long, default_value_t = 10.0)]
    abort_after: f64,
    /// Seconds to wait for the reply to an `open`, `stats` or `close` (they queue behind any
    /// backlog of edits).
    #[arg(long, default_value_t = 600.0)]
    reply_timeout: f64,
    /// Seconds to keep trying to connect to the socket.
    #[arg(long, default_value_t = 30.0)]
    connect_timeout: f64,
    /// The engine's pid (default: from its `stats` reply, else the ring's producer).
    #[arg(long)]
    pid: Option<u32>,
    /// Leave the documents open at the end (default: close them).
    #[arg(long)]
    no_close: bool,
    /// Print one JSON summary line on stdout (the human report goes to stderr).
    #[arg(long)]
    json: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum EditStyle {
    Keystroke,
    Word,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("loadgen: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Everything the main thread drives: the connection, the documents, the shared records.
struct Run<'a> {
    cli: &'a Cli,
    stream: UnixStream,
    shared: SharedRef,
    control: Receiver<Value>,
    docs: Vec<OpenDoc>,
    times: Arc<Vec<VersionTimes>>,
    pick: Rng,
    next_id: u64,
    next_ctl: u64,
    buf: Vec<u8>,
    pid: Option<String>,
    keystrokes: BTreeMap<&'static str, u64>,
    lsp_changes: u64,
}

/// The engine and this process at one instant.
struct Snapshot {
    stats: Value,
    engine: Option<CpuMark>,
    own: CpuMark,
    vm_rss: Option<u64>,
    vm_hwm: Option<u64>,
}

fn run(cli: &Cli) -> anyhow::Result<bool> {
    let positive = |r: f64| r.is_finite() && r > 0.0;
    if !positive(cli.rate) || !cli.rates.iter().all(|&r| positive(r)) {
        bail!("rates must be positive");
    }
    // Short sleeps between due edits: ask for 1 µs timer slack instead of the default 50 µs.
    let _ = rustix::thread::set_current_timer_slack(std::num::NonZeroU64::new(1000));
    let root = std::fs::canonicalize(&cli.root)
        .with_context(|| format!("cannot resolve the root `{}`", cli.root.display()))?;
    let ring_path = cli
        .ring
        .clone()
        .unwrap_or_else(|| codepulse_ring::ring_path_for_root(&root));
    let socket = cli.socket.clone().unwrap_or_else(|| {
        let mut s = ring_path.clone().into_os_string();
        s.push(".sock");
        PathBuf::from(s)
    });
    let rng = Rng::new(cli.seed);
    let docs = workspace::choose(
        &root,
        cli.files,
        cli.max_file_bytes,
        &rng,
        cli.lsp_fraction,
        match cli.edit_style {
            EditStyle::Keystroke => edits::Style::Keystroke,
            EditStyle::Word => edits::Style::Word,
        },
        1,
    )?;
    if docs.is_empty() {
        bail!("no editable file under `{}`", root.display());
    }
    let mut langs: BTreeMap<String, usize> = BTreeMap::new();
    for d in &docs {
        *langs.entry(d.lang.name().to_owned()).or_default() += 1;
    }
    let doc_bytes: usize = docs.iter().map(|d| d.doc.original().len()).sum();
    eprintln!(
        "loadgen: {} files to open ({} KiB; {}), socket {}",
        docs.len(),
        doc_bytes / 1024,
        langs
            .iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        socket.display()
    );

    let stream = connect(&socket, Duration::from_secs_f64(cli.connect_timeout))?;
    let shared = SharedRef::default();
    let (ctl_tx, ctl_rx) = crossbeam_channel::unbounded();
    let reader = {
        let stream = stream.try_clone()?;
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("replies".into())
            .spawn(move || read_replies(stream, shared, ctl_tx))?
    };

    let times: Arc<Vec<VersionTimes>> =
        Arc::new((0..docs.len()).map(|_| VersionTimes::default()).collect());
    // The ring: attach, skip what is already in it, then consume in a thread.
    let stop = Arc::new(AtomicBool::new(false));
    let mut ring_note = None;
    let mut ring_pid = None;
    let consumer = if cli.no_ring {
        ring_note = Some("not attached (--no-ring)".to_owned());
        None
    } else {
        match Consumer::attach(&ring_path) {
            Ok(mut c) => {
                let mut skipped = Vec::new();
                while c.pop_batch(&mut skipped, 1 << 16)? > 0 {
                    skipped.clear();
                }
                ring_pid = c.check().ok().map(|s| s.producer_pid);
                let hashes = HashIndex::new(docs.iter().map(|d| d.hash));
                let (times, shared, stop) = (times.clone(), shared.clone(), stop.clone());
                Some(
                    std::thread::Builder::new()
                        .name("ring".into())
                        .spawn(move || consume_ring(c, hashes, times, shared, stop))?,
                )
            }
            Err(e) => {
                let why = match e {
                    RingError::ConsumerBusy { pid } => format!(
                        "busy: another consumer (pid {pid}) is attached; payload latencies are not measured, reply latencies are"
                    ),
                    e => format!("not attached ({e}); reply latencies only"),
                };
                eprintln!("loadgen: ring {}: {why}", ring_path.display());
                ring_note = Some(why);
                None
            }
        }
    };

    let mut r = Run {
        cli,
        stream,
        shared: shared.clone(),
        control: ctl_rx,
        docs,
        times,
        pick: rng.fork(0x7069636b),
        next_id: 1,
        next_ctl: 0,
        buf: Vec::with_capacity(1 << 20),
        pid: cli.pid.map(|p| p.to_string()),
        keystrokes: BTreeMap::new(),
        lsp_changes: 0,
    };
    let opened_at = Instant::now();
    r.open_all()?;
    let open_s = opened_at.elapsed().as_secs_f64();
    let first = r.snapshot()?;
    if r.pid.is_none() {
        r.pid = first
            .stats
            .get("pid")
            .and_then(Value::as_u64)
            .or(ring_pid)
            .map(|p| p.to_string());
    }
    let first = if r.pid.is_some() && first.engine.is_none() {
        r.snapshot()?
    } else {
        first
    };
    eprintln!(
        "loadgen: opened {} documents in {open_s:.2} s; engine pid {}, {} files, {} functions, RSS {}",
        r.docs.len(),
        r.pid.as_deref().unwrap_or("?"),
        first.stats.get("files").unwrap_or(&Value::Null),
        first.stats.get("functions").unwrap_or(&Value::Null),
        mib(first
            .vm_rss
            .or(first.stats.get("rss_bytes").and_then(Value::as_u64)))
    );

    let mut report = json!({
        "root": root, "socket": socket, "ring": ring_path, "seed": cli.seed,
        "edit_style": format!("{:?}", cli.edit_style).to_lowercase(),
        "files": r.docs.len(), "file_bytes": doc_bytes, "languages": langs,
        "engine_pid": r.pid, "open_s": open_s,
        "after_open": snapshot_json(&first),
    });
    let mut ok = true;
    if let Some(idle) = cli.idle {
        report["mode"] = json!("idle");
        std::thread::sleep(Duration::from_secs_f64(cli.settle));
        let a = r.snapshot()?;
        eprintln!("loadgen: idle for {idle} s ...");
        std::thread::sleep(Duration::from_secs_f64(idle));
        let b = r.snapshot()?;
        let w = window(&a, &b);
        eprintln!(
            "idle {idle} s: engine CPU {} of one core, {} ticks, RSS {} (VmHWM {}); loadgen CPU {}",
            pct(w["engine_cpu_percent"].as_f64()),
            w["engine"]["ticks"],
            mib(b.vm_rss),
            mib(b.vm_hwm),
            pct(w["loadgen_cpu_percent"].as_f64())
        );
        report["idle"] = w;
    } else if !cli.rates.is_empty() {
        report["mode"] = json!("ramp");
        if cli.warmup > 0.0 {
            let w = r.send_step("warmup", cli.rates[0], cli.warmup)?;
            r.drain(w);
        }
        let mut steps = Vec::new();
        let mut best: Option<f64> = None;
        for &rate in &cli.rates {
            let a = r.snapshot()?;
            let i = r.send_step(&format!("{rate}/s"), rate, cli.step_duration)?;
            r.drain(i);
            let b = r.snapshot()?;
            let s = r.step_json(i, &a, &b);
            print_step(&s);
            let within = step_within(&s, cli.p99_budget_us);
            ok &= s["rejected"] == 0;
            steps.push(s);
            if within {
                best = Some(best.map_or(rate, |b: f64| b.max(rate)));
            } else if !cli.all_steps {
                eprintln!(
                    "loadgen: {rate}/s is over the P99 budget of {} µs (or fell behind): ramp stops",
                    cli.p99_budget_us
                );
                break;
            }
        }
        eprintln!(
            "ramp: highest rate with P99 <= {} µs: {}",
            cli.p99_budget_us,
            best.map_or("none".to_owned(), |b| format!("{b}/s"))
        );
        report["steps"] = json!(steps);
        report["p99_budget_us"] = json!(cli.p99_budget_us);
        report["best_rate"] = json!(best);
    } else {
        report["mode"] = json!("rate");
        if cli.warmup > 0.0 {
            let w = r.send_step("warmup", cli.rate, cli.warmup)?;
            r.drain(w);
        }
        let a = r.snapshot()?;
        let i = r.send_step(&format!("{}/s", cli.rate), cli.rate, cli.duration)?;
        r.drain(i);
        let b = r.snapshot()?;
        let s = r.step_json(i, &a, &b);
        print_step(&s);
        ok &= s["rejected"] == 0;
        report["run"] = s;
    }

    if !cli.no_close {
        r.close_all();
    }
    stop.store(true, SeqCst);
    let ring = consumer.map(|h| h.join().unwrap_or_default());
    let _ = r.stream.shutdown(std::net::Shutdown::Both);
    let _ = reader.join();
    let sh = lock(&shared);
    let rejected: u64 = sh.steps.iter().map(|s| s.rejected).sum();
    ok &= rejected == 0 && sh.stray_replies == 0;
    report["rejected_total"] = json!(rejected);
    report["stray_replies"] = json!(sh.stray_replies);
    report["keystrokes"] = json!(r.keystrokes);
    report["lsp_changes"] = json!(r.lsp_changes);
    report["ring_consumer"] = match (&ring, &ring_note) {
        (Some(s), _) => ring_json(s),
        (None, Some(n)) => json!({"attached": false, "note": n}),
        (None, None) => Value::Null,
    };
    if let Some(s) = &ring {
        eprintln!(
            "ring: {} payloads seen ({} answering our edits, {} for older versions or opens, {} from disk), {} dropped",
            s.payloads, s.matched, s.unmatched, s.from_disk, s.drops
        );
        for e in &s.errors {
            eprintln!("ring: {e}");
        }
    }
    if rejected > 0 || sh.stray_replies > 0 {
        eprintln!(
            "loadgen: FAILED: {rejected} edits rejected, {} stray replies",
            sh.stray_replies
        );
        for s in &sh.steps {
            for e in &s.errors {
                eprintln!("  {}: {e}", s.label);
            }
        }
        for e in &sh.stray_examples {
            eprintln!("  stray: {e}");
        }
    }
    report["ok"] = json!(ok);
    if cli.json {
        println!("{report}");
    }
    Ok(ok)
}

fn connect(socket: &Path, timeout: Duration) -> anyhow::Result<UnixStream> {
    let deadline = Instant::now() + timeout;
    loop {
        match UnixStream::connect(socket) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "cannot connect to `{}` (is `codepulse watch` running on this root?)",
                        socket.display()
                    )
                });
            }
        }
    }
}

impl Run<'_> {
    fn reply_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.cli.reply_timeout)
    }

    /// Sends one control request (`body` is the JSON object's fields after the id) and waits
    /// for its reply.
    fn request(&mut self, body: &str, timeout: Duration) -> anyhow::Result<Value> {
        self.next_ctl += 1;
        let id = format!("c{}", self.next_ctl);
        writeln!(self.stream, "{{\"id\":\"{id}\",{body}}}")?;
        self.await_replies(std::slice::from_ref(&id), timeout)
            .map(|mut v| v.remove(0))
    }

    /// Waits for the replies to the control requests `ids` (in any order).
    fn await_replies(&mut self, ids: &[String], timeout: Duration) -> anyhow::Result<Vec<Value>> {
        let deadline = Instant::now() + timeout;
        let mut got: Vec<Option<Value>> = vec![None; ids.len()];
        let mut left = ids.len();
        while left > 0 {
            let wait = deadline.saturating_duration_since(Instant::now());
            let v = match self.control.recv_timeout(wait) {
                Ok(v) => v,
                Err(_) => bail!(
                    "no reply within {timeout:?} to {left} of {} requests (first: {})",
                    ids.len(),
                    ids[got.iter().position(Option::is_none).unwrap_or(0)]
                ),
            };
            let Some(i) = v
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| ids.iter().position(|x| x == id))
            else {
                let mut s = lock(&self.shared);
                s.stray_replies += 1;
                if s.stray_examples.len() < 5 {
                    s.stray_examples.push(v.to_string());
                }
                continue;
            };
            if got[i].is_none() {
                left -= 1;
            }
            got[i] = Some(v);
        }
        Ok(got.into_iter().flatten().collect())
    }

    fn open_all(&mut self) -> anyhow::Result<()> {
        let mut ids = Vec::new();
        self.buf.clear();
        for (i, d) in self.docs.iter().enumerate() {
            let id = format!("open-{i}");
            write_open(
                &mut self.buf,
                &id,
                &d.rel_json,
                d.doc.version(),
                d.doc.original(),
            );
            ids.push(id);
        }
        self.stream.write_all(&self.buf)?;
        let replies = self.await_replies(&ids, self.reply_timeout())?;
        for (v, d) in replies.iter().zip(&self.docs) {
            if v.get("ok").and_then(Value::as_bool) != Some(true) {
                bail!("the engine refused to open `{}`: {v}", d.rel);
            }
        }
        Ok(())
    }

    fn close_all(&mut self) {
        let mut ids = Vec::new();
        self.buf.clear();
        for (i, d) in self.docs.iter().enumerate() {
            let id = format!("close-{i}");
            let _ = writeln!(
                self.buf,
                "{{\"id\":\"{id}\",\"op\":\"close\",\"path\":{}}}",
                d.rel_json
            );
            ids.push(id);
        }
        if self.stream.write_all(&self.buf).is_ok()
            && let Err(e) = self.await_replies(&ids, self.reply_timeout())
        {
            eprintln!("loadgen: closing the documents: {e:#}");
        }
    }

    fn snapshot(&mut self) -> anyhow::Result<Snapshot> {
        let reply = self.request("\"op\":\"stats\"", self.reply_timeout())?;
        if reply.get("ok").and_then(Value::as_bool) != Some(true) {
            bail!("`stats` failed: {reply}");
        }
        // The counters stand under `stats` or at the top level of the reply.
        let stats = match reply.get("stats") {
            Some(s @ Value::Object(_)) => s.clone(),
            _ => reply,
        };
        let pid = self.pid.clone();
        Ok(Snapshot {
            stats,
            engine: pid.as_deref().map(CpuMark::now),
            own: CpuMark::now("self"),
            vm_rss: pid
                .as_deref()
                .and_then(|p| procfs::status_bytes(p, "VmRSS")),
            vm_hwm: pid
                .as_deref()
                .and_then(|p| procfs::status_bytes(p, "VmHWM")),
        })
    }

    /// Sends `duration × rate` edits on schedule (open loop) and returns the step's index.
    fn send_step(&mut self, label: &str, rate: f64, duration: f64) -> anyhow::Result<usize> {
        let planned = (duration * rate).round().max(1.0) as u64;
        let first_id = self.next_id;
        self.next_id += planned;
        // The first edit is due 2 ms from now.
        let t0 = monotonic_ns() + 2_000_000;
        let idx = {
            let mut s = lock(&self.shared);
            s.steps
                .push(Step::new(label.to_owned(), rate, first_id, t0, planned));
            s.steps.len() - 1
        };
        let step = Step::new(String::new(), rate, first_id, t0, 0);
        let mut k = 0u64;
        let mut max_lag = 0u64;
        let abort_ns = (self.cli.abort_after * 1e9) as u64;
        let mut next_check = t0;
        let mut aborted = false;
        while k < planned {
            let now = monotonic_ns();
            if abort_ns > 0 && now >= next_check {
                next_check = now + 10_000_000;
                // Edits scheduled more than `abort_after` ago, against those answered (replies
                // come in order, so this is "the oldest unanswered edit is that old").
                let old = now.saturating_sub(abort_ns);
                if old > t0 {
                    let due_then = (((old - t0) as f64 / step.period_ns) as u64 + 1).min(k);
                    if lock(&self.shared).steps[idx].answered() < due_then {
                        aborted = true;
                        break;
                    }
                }
            }
            let next = step.sched(k);
            if now < next {
                std::thread::sleep(Duration::from_nanos(next - now));
                continue;
            }
            max_lag = max_lag.max(now - next);
            // Everything due by now, at most 4096 edits per write.
            let due = (((now - t0) as f64 / step.period_ns) as u64 + 1).min(planned);
            let until = due.min(k + 4096).max(k + 1);
            self.buf.clear();
            for j in k..until {
                let d = self.pick.below(self.docs.len());
                let doc = &mut self.docs[d];
                let (version, change, kind) = doc.doc.next_edit();
                self.times[d].record(version, step.sched(j));
                write_edit(&mut self.buf, first_id + j, &doc.rel_json, version, &change);
                *self.keystrokes.entry(keystroke_name(kind)).or_default() += 1;
                self.lsp_changes += u64::from(matches!(change.range, edits::Range::Lsp { .. }));
            }
            self.stream
                .write_all(&self.buf)
                .context("writing edits to the engine")?;
            k = until;
        }
        if aborted {
            eprintln!(
                "loadgen: {label}: cut short after {:.1} s ({k} of {planned} edits sent): an edit sent {} s ago is still unanswered, the engine is saturated",
                monotonic_ns().saturating_sub(t0) as f64 / 1e9,
                self.cli.abort_after
            );
        }
        let send_s = monotonic_ns().saturating_sub(t0) as f64 / 1e9;
        let mut s = lock(&self.shared);
        let st = &mut s.steps[idx];
        st.sent = k;
        st.aborted = aborted;
        st.send_s = send_s;
        st.max_lag_ns = max_lag;
        Ok(idx)
    }

    /// Waits until every edit of step `idx` is answered, or `--drain-timeout` passed.
    fn drain(&mut self, idx: usize) {
        let deadline = Instant::now() + Duration::from_secs_f64(self.cli.drain_timeout);
        loop {
            {
                let mut s = lock(&self.shared);
                let disconnected = s.disconnected;
                let st = &mut s.steps[idx];
                if st.answered() >= st.sent || Instant::now() >= deadline || disconnected {
                    st.close(monotonic_ns());
                    if st.unanswered > 0 {
                        eprintln!(
                            "loadgen: {}: {} edits unanswered after waiting {} s{}",
                            st.label,
                            st.unanswered,
                            self.cli.drain_timeout,
                            if disconnected {
                                " (the engine closed the connection)"
                            } else {
                                ""
                            }
                        );
                    }
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn step_json(&self, idx: usize, a: &Snapshot, b: &Snapshot) -> Value {
        let s = lock(&self.shared);
        let st = &s.steps[idx];
        let mut v = json!({
            "label": st.label,
            "target_rate": st.rate,
            "duration_s": st.sent as f64 / st.rate,
            "planned": st.planned,
            "sent": st.sent,
            "aborted": st.aborted,
            "achieved_rate": st.sent as f64 / st.send_s.max(1e-9),
            "max_sender_lag_us": st.max_lag_ns / 1000,
            "replies": st.replies,
            "rejected": st.rejected,
            "unanswered": st.unanswered,
            "late": st.late,
            "errors": st.errors,
            "reply_latency_us": summary(&st.reply),
            "payload_latency_us": summary(&st.payload),
        });
        let w = window(a, b);
        for (k, x) in w.as_object().into_iter().flatten() {
            v[k] = x.clone();
        }
        v
    }
}

/// The engine's and this tool's figures over the window between two snapshots.
fn window(a: &Snapshot, b: &Snapshot) -> Value {
    let (engine_cpu, wall) = match (&a.engine, &b.engine) {
        (Some(x), Some(y)) => x.percent_until(y),
        _ => (None, 0.0),
    };
    let (own_cpu, own_wall) = a.own.percent_until(&b.own);
    let delta = |k: &str| {
        let x = a.stats.get(k).and_then(Value::as_u64);
        let y = b.stats.get(k).and_then(Value::as_u64);
        match (x, y) {
            (Some(x), Some(y)) => json!(y.saturating_sub(x)),
            _ => Value::Null,
        }
    };
    let lat_after = b.stats.get("latency_us").cloned().unwrap_or(Value::Null);
    let count = |s: &Snapshot| {
        s.stats
            .get("latency_us")
            .and_then(|l| l.get("count"))
            .and_then(Value::as_u64)
    };
    let window_count = match (count(a), count(b)) {
        (Some(x), Some(y)) => Some(y.saturating_sub(x)),
        _ => None,
    };
    json!({
        "wall_s": if wall > 0.0 { wall } else { own_wall },
        "engine_cpu_percent": engine_cpu,
        "loadgen_cpu_percent": own_cpu,
        "engine": {
            "edits": delta("edits"), "ticks": delta("ticks"), "rejected": delta("rejected"),
            "payloads": delta("payloads"), "dropped": delta("dropped"),
            // The engine's histogram is cumulative since it started: these percentiles include
            // everything before the window (warm-up, earlier runs); `window_count` of its
            // `count` measured messages fall in the window.
            "latency_us_cumulative": lat_after,
            "latency_window_count": window_count,
            "rss_bytes": b.stats.get("rss_bytes"),
            "cached_files": b.stats.get("cached_files"),
            "cached_bytes": b.stats.get("cached_bytes"),
            "open_documents": b.stats.get("open_documents"),
            "vm_rss_bytes": b.vm_rss,
            "vm_hwm_bytes": b.vm_hwm,
        },
    })
}

fn snapshot_json(s: &Snapshot) -> Value {
    json!({"stats": s.stats, "vm_rss_bytes": s.vm_rss, "vm_hwm_bytes": s.vm_hwm})
}

fn ring_json(s: &RingSummary) -> Value {
    json!({
        "attached": true, "payloads": s.payloads, "defect": s.defect, "cleared": s.cleared,
        "resync": s.resync, "matched": s.matched, "unmatched": s.unmatched,
        "from_disk": s.from_disk, "other_files": s.other_files, "drops": s.drops,
        "restarts": s.restarts, "errors": s.errors,
    })
}

/// Whether a ramp step stayed within the budget: P99 within it, everything answered and
/// accepted, and the sender kept up (≥ 95 % of the target rate).
fn step_within(s: &Value, budget_us: u64) -> bool {
    let p99 = s["reply_latency_us"]["p99"].as_u64();
    p99.is_some_and(|p| p <= budget_us)
        && s["unanswered"] == 0
        && s["aborted"] == false
        && s["rejected"] == 0
        && s["achieved_rate"].as_f64().unwrap_or(0.0)
            >= 0.95 * s["target_rate"].as_f64().unwrap_or(0.0)
}

fn keystroke_name(k: Keystroke) -> &'static str {
    match k {
        Keystroke::Backspace => "backspace",
        Keystroke::DeleteWord => "delete_word",
        Keystroke::Type => "type",
        Keystroke::Paste => "paste",
        Keystroke::Newline => "newline",
        Keystroke::Typo => "typo",
        Keystroke::Undo => "undo",
    }
}

fn mib(b: Option<u64>) -> String {
    b.map_or("?".to_owned(), |b| {
        format!("{:.1} MiB", b as f64 / 1048576.0)
    })
}

fn pct(p: Option<f64>) -> String {
    p.map_or("?".to_owned(), |p| format!("{p:.1}%"))
}

fn lat(v: &Value) -> String {
    if v["count"] == 0 {
        return "none".to_owned();
    }
    format!(
        "p50 {} p90 {} p99 {} p99.9 {} max {} (n={})",
        v["p50"], v["p90"], v["p99"], v["p999"], v["max"], v["count"]
    )
}

fn print_step(s: &Value) {
    let e = &s["engine"];
    eprintln!(
        "{}{}: {} edits in {:.1} s, achieved {:.0}/s (sender at worst {} µs behind); {} accepted, {} rejected, {} unanswered",
        s["label"].as_str().unwrap_or("?"),
        if s["aborted"] == true {
            " (CUT SHORT: saturated)"
        } else {
            ""
        },
        s["sent"],
        s["duration_s"].as_f64().unwrap_or(0.0),
        s["achieved_rate"].as_f64().unwrap_or(0.0),
        s["max_sender_lag_us"],
        s["replies"],
        s["rejected"],
        s["unanswered"],
    );
    eprintln!("  reply latency µs:   {}", lat(&s["reply_latency_us"]));
    eprintln!("  payload latency µs: {}", lat(&s["payload_latency_us"]));
    eprintln!(
        "  engine: CPU {} of one core; {} edits, {} ticks, {} payloads, {} dropped, {} rejected in the window; RSS {} (VmHWM {})",
        pct(s["engine_cpu_percent"].as_f64()),
        e["edits"],
        e["ticks"],
        e["payloads"],
        e["dropped"],
        e["rejected"],
        mib(e["vm_rss_bytes"].as_u64().or(e["rss_bytes"].as_u64())),
        mib(e["vm_hwm_bytes"].as_u64()),
    );
    eprintln!(
        "  engine's own histogram (cumulative since it started; {} of its {} in this window): {}",
        e["latency_window_count"],
        e["latency_us_cumulative"]["count"],
        lat(&e["latency_us_cumulative"])
    );
    eprintln!("  loadgen CPU {}", pct(s["loadgen_cpu_percent"].as_f64()));
}
