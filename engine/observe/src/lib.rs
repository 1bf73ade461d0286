//! What an operator sees of a running engine: one HDR histogram per tick stage (microseconds,
//! 1 µs to 60 s), counters and gauges, and their rendering in the Prometheus text exposition
//! format (docs/observe.md).
//!
//! Recording is one histogram increment on the engine thread (the stages run there, one after
//! the other): no locks, no atomics, no allocation (`benches/observe.rs` measures it). Each
//! histogram keeps its totals and a rotating recent window (the current and the previous
//! [`WINDOW`]), all of fixed size, so a long-running engine's memory stays flat. A scrape gets a
//! [`Snapshot`] (a copy the engine makes when asked, between ticks) and renders it on its own
//! thread.
//!
//! Must not know the ECS, the systems or any I/O.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// The recent window of the rotating histograms: the last one to two minutes.
pub const WINDOW: Duration = Duration::from_secs(60);

const LOWEST_US: u64 = 1;
const HIGHEST_US: u64 = 60_000_000;
/// Two significant digits: 1 % resolution, 2,560 `u64` counters (20 KiB) per histogram (a test
/// checks the count).
const SIGFIG: u8 = 2;

/// A stage of the tick, plus the whole tick and edit-to-emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Staging inputs and applying edits to texts and trees (`apply_edits` and the engine's
    /// intake).
    Apply,
    /// Loading and (re)parsing (`load_sources`, `parse_files`).
    Parse,
    /// Finding and measuring functions (`measure_functions`).
    Measure,
    /// Extracting symbols and updating the symbol graph and dead symbols (`extract_symbols`,
    /// `update_graph`).
    Graph,
    /// `score_tdg`.
    Tdg,
    /// `aggregate_files` and `gate_files`.
    Gate,
    /// Writing the tick's payloads into the ring.
    Emit,
    /// One whole tick.
    Tick,
    /// From an input's arrival to the end of the tick that handled it.
    EditToEmit,
}

impl Stage {
    pub const ALL: [Stage; 9] = [
        Stage::Apply,
        Stage::Parse,
        Stage::Measure,
        Stage::Graph,
        Stage::Tdg,
        Stage::Gate,
        Stage::Emit,
        Stage::Tick,
        Stage::EditToEmit,
    ];

    /// The `stage` label value.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Apply => "apply",
            Stage::Parse => "parse",
            Stage::Measure => "measure",
            Stage::Graph => "graph",
            Stage::Tdg => "tdg",
            Stage::Gate => "gate",
            Stage::Emit => "emit",
            Stage::Tick => "tick",
            Stage::EditToEmit => "edit_to_emit",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIG).expect("constant bounds are valid")
}

/// A histogram with totals and a recent window that rotates every [`WINDOW`].
#[derive(Clone, Debug)]
pub struct Rotating {
    total: Histogram<u64>,
    current: Histogram<u64>,
    previous: Histogram<u64>,
    /// Sum of the recorded values (µs), for Prometheus' `_sum`.
    sum_us: u64,
    window_start: Instant,
}

impl Rotating {
    pub fn new(now: Instant) -> Rotating {
        Rotating {
            total: histogram(),
            current: histogram(),
            previous: histogram(),
            sum_us: 0,
            window_start: now,
        }
    }

    /// Records one duration (clamped to 1 µs..=60 s).
    #[inline]
    pub fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros())
            .unwrap_or(u64::MAX)
            .clamp(LOWEST_US, HIGHEST_US);
        self.total.saturating_record(us);
        self.current.saturating_record(us);
        self.sum_us = self.sum_us.saturating_add(us);
    }

    /// Moves the window on if [`WINDOW`] has passed (the current window becomes the previous).
    pub fn rotate(&mut self, now: Instant) {
        if now.duration_since(self.window_start) < WINDOW {
            return;
        }
        std::mem::swap(&mut self.previous, &mut self.current);
        self.current.reset();
        // Idle for more than two windows: nothing recent at all.
        if now.duration_since(self.window_start) >= 2 * WINDOW {
            self.previous.reset();
        }
        self.window_start = now;
    }

    pub fn total(&self) -> &Histogram<u64> {
        &self.total
    }

    /// The recent window: the previous and the current one together.
    pub fn recent(&self) -> Histogram<u64> {
        let mut h = self.previous.clone();
        h.add(&self.current).expect("same bounds");
        h
    }

    pub fn sum_us(&self) -> u64 {
        self.sum_us
    }
}

/// Monotonic counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub edits: u64,
    pub ticks: u64,
    pub payloads: u64,
    pub payloads_dropped: u64,
    pub parse_errors: u64,
    pub rejected: u64,
    pub fs_batches: u64,
    pub resyncs: u64,
    /// Inputs whose edit-to-emit latency exceeded the configuration's `max_latency_ms`.
    pub over_budget: u64,
}

/// Values that go up and down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gauges {
    pub files: u64,
    pub functions: u64,
    pub open_documents: u64,
    pub rss_bytes: u64,
    pub ring_capacity: u64,
    pub ring_backlog: u64,
    pub cached_files: u64,
    pub cached_bytes: u64,
    pub cache_budget_bytes: u64,
}

/// The engine's histograms, counters and gauges.
#[derive(Clone, Debug)]
pub struct Observatory {
    stages: Vec<Rotating>,
    pub counters: Counters,
    pub gauges: Gauges,
}

impl Observatory {
    pub fn new(now: Instant) -> Observatory {
        Observatory {
            stages: Stage::ALL.iter().map(|_| Rotating::new(now)).collect(),
            counters: Counters::default(),
            gauges: Gauges::default(),
        }
    }

    #[inline]
    pub fn record(&mut self, stage: Stage, d: Duration) {
        self.stages[stage.index()].record(d);
    }

    pub fn stage(&self, stage: Stage) -> &Rotating {
        &self.stages[stage.index()]
    }

    /// Rotates every histogram's window if it is due.
    pub fn rotate(&mut self, now: Instant) {
        for h in &mut self.stages {
            h.rotate(now);
        }
    }

    /// A copy for a scrape.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.clone())
    }
}

/// A copy of the [`Observatory`] taken between ticks; rendering it never touches the engine.
#[derive(Clone, Debug)]
pub struct Snapshot(pub Observatory);

/// Bucket upper bounds of the exported histograms, in seconds.
pub const BUCKETS_S: [f64; 18] = [
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

const QUANTILES: [f64; 5] = [0.5, 0.9, 0.99, 0.999, 1.0];

impl Snapshot {
    /// The Prometheus text exposition format (version 0.0.4): HELP and TYPE lines, base units
    /// (seconds, bytes), histograms with cumulative `_bucket{le=..}`, `_sum` and `_count`.
    pub fn render(&self) -> String {
        let o = &self.0;
        let mut out = String::with_capacity(16 * 1024);
        let name = "codepulse_stage_duration_seconds";
        header(
            &mut out,
            name,
            "histogram",
            "Duration of each tick stage, of whole ticks, and from an input's arrival to the end of the tick that handled it (edit_to_emit), since the engine started.",
        );
        for stage in Stage::ALL {
            let r = o.stage(stage);
            let h = r.total();
            let label = stage.name();
            for le in BUCKETS_S {
                let le_us = (le * 1e6).round() as u64;
                let count = count_at_most(h, le_us);
                let _ = writeln!(
                    out,
                    "{name}_bucket{{stage=\"{label}\",le=\"{}\"}} {count}",
                    fmt_f64(le)
                );
            }
            let _ = writeln!(
                out,
                "{name}_bucket{{stage=\"{label}\",le=\"+Inf\"}} {}",
                h.len()
            );
            let _ = writeln!(
                out,
                "{name}_sum{{stage=\"{label}\"}} {}",
                fmt_f64(r.sum_us() as f64 / 1e6)
            );
            let _ = writeln!(out, "{name}_count{{stage=\"{label}\"}} {}", h.len());
        }
        let recent = "codepulse_stage_recent_duration_seconds";
        header(
            &mut out,
            recent,
            "summary",
            "Each stage's duration over the recent window (the last one to two minutes); quantile 1 is the maximum.",
        );
        for stage in Stage::ALL {
            let h = o.stage(stage).recent();
            let label = stage.name();
            for q in QUANTILES {
                let v = if h.is_empty() {
                    0.0
                } else {
                    h.value_at_quantile(q) as f64 / 1e6
                };
                let _ = writeln!(
                    out,
                    "{recent}{{stage=\"{label}\",quantile=\"{}\"}} {}",
                    fmt_f64(q),
                    fmt_f64(v)
                );
            }
            // HDR keeps counts, not a sum: the window's sum is its mean times its count.
            let sum = if h.is_empty() {
                0.0
            } else {
                h.mean() * h.len() as f64 / 1e6
            };
            let _ = writeln!(out, "{recent}_sum{{stage=\"{label}\"}} {}", fmt_f64(sum));
            let _ = writeln!(out, "{recent}_count{{stage=\"{label}\"}} {}", h.len());
        }
        let c = &o.counters;
        for (metric, help, value) in [
            (
                "codepulse_edits_total",
                "Applied protocol messages that change a document (open, edit, close, save).",
                c.edits,
            ),
            (
                "codepulse_ticks_total",
                "Ticks run after the warm-up.",
                c.ticks,
            ),
            (
                "codepulse_payloads_total",
                "Payloads written to the ring.",
                c.payloads,
            ),
            (
                "codepulse_payloads_dropped_total",
                "Payloads dropped because the ring was full.",
                c.payloads_dropped,
            ),
            (
                "codepulse_parse_errors_total",
                "Files parsed with syntax errors (each parse counts).",
                c.parse_errors,
            ),
            (
                "codepulse_rejected_messages_total",
                "Protocol messages rejected.",
                c.rejected,
            ),
            (
                "codepulse_fs_batches_total",
                "Debounced batches of file-system changes handled.",
                c.fs_batches,
            ),
            (
                "codepulse_resyncs_total",
                "Ring resync requests served.",
                c.resyncs,
            ),
            (
                "codepulse_inputs_over_latency_budget_total",
                "Inputs whose edit-to-emit latency exceeded max_latency_ms.",
                c.over_budget,
            ),
        ] {
            header(&mut out, metric, "counter", help);
            let _ = writeln!(out, "{metric} {value}");
        }
        let g = &o.gauges;
        for (metric, help, value) in [
            ("codepulse_files", "Files in the analysis.", g.files),
            (
                "codepulse_functions",
                "Functions in the analysis.",
                g.functions,
            ),
            (
                "codepulse_open_documents",
                "Documents open in editors.",
                g.open_documents,
            ),
            (
                "codepulse_resident_memory_bytes",
                "Resident set size of the engine.",
                g.rss_bytes,
            ),
            (
                "codepulse_ring_capacity_payloads",
                "Slots of the payload ring.",
                g.ring_capacity,
            ),
            (
                "codepulse_ring_backlog_payloads",
                "Payloads written to the ring and not yet read by its consumer.",
                g.ring_backlog,
            ),
            (
                "codepulse_cached_trees",
                "Files whose source and syntax tree are in memory.",
                g.cached_files,
            ),
            (
                "codepulse_cached_trees_bytes",
                "Estimated bytes of the sources and syntax trees in memory.",
                g.cached_bytes,
            ),
            (
                "codepulse_cache_budget_bytes",
                "Budget of the source and tree cache (cache_size_mb).",
                g.cache_budget_bytes,
            ),
        ] {
            header(&mut out, metric, "gauge", help);
            let _ = writeln!(out, "{metric} {value}");
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Recorded values at most `le_us` (HDR buckets are 1 % wide, so a value is counted in the
/// bucket its lowest equivalent value falls in).
fn count_at_most(h: &Histogram<u64>, le_us: u64) -> u64 {
    if h.is_empty() || le_us < h.min() {
        return 0;
    }
    h.iter_recorded()
        .take_while(|v| h.lowest_equivalent(v.value_iterated_to()) <= le_us)
        .map(|v| v.count_at_value())
        .sum()
}

/// A float as Prometheus reads it (no exponent surprises, `1` not `1.0` is fine either way).
fn fmt_f64(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_end_with_the_count() {
        let now = Instant::now();
        let mut o = Observatory::new(now);
        for us in [5, 20, 20, 900, 3_000, 2_000_000] {
            o.record(Stage::Parse, Duration::from_micros(us));
        }
        let text = o.snapshot().render();
        let bucket = |le: &str| -> u64 {
            let prefix =
                format!("codepulse_stage_duration_seconds_bucket{{stage=\"parse\",le=\"{le}\"}} ");
            text.lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("no bucket {le}"))
                .parse()
                .unwrap()
        };
        assert_eq!(bucket("0.00001"), 1);
        assert_eq!(bucket("0.000025"), 3);
        assert_eq!(bucket("0.001"), 4);
        assert_eq!(bucket("0.005"), 5);
        assert_eq!(bucket("1.0"), 5);
        assert_eq!(bucket("2.5"), 6);
        assert_eq!(bucket("+Inf"), 6);
        assert!(text.contains("codepulse_stage_duration_seconds_count{stage=\"parse\"} 6\n"));
        assert!(text.contains("codepulse_stage_duration_seconds_sum{stage=\"parse\"} 2.003945\n"));
        assert!(text.contains("codepulse_stage_duration_seconds_count{stage=\"gate\"} 0\n"));
    }

    #[test]
    fn every_metric_has_help_and_type_once() {
        let text = Observatory::new(Instant::now()).snapshot().render();
        let mut names = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                names.push(rest.split(' ').next().unwrap().to_owned());
            }
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "a TYPE line repeats");
        for name in &names {
            assert!(
                text.contains(&format!("# HELP {name} ")),
                "no HELP for {name}"
            );
        }
    }

    #[test]
    fn a_histogram_holds_2560_counters() {
        // The size the documentation states (20 KiB of u64 counts).
        assert_eq!(histogram().distinct_values(), 2560);
    }

    #[test]
    fn the_recent_window_forgets_and_the_totals_do_not() {
        let t0 = Instant::now();
        let mut r = Rotating::new(t0);
        r.record(Duration::from_millis(5));
        r.rotate(t0 + WINDOW);
        r.record(Duration::from_millis(1));
        assert_eq!(r.recent().len(), 2, "the previous window still counts");
        r.rotate(t0 + 2 * WINDOW);
        assert_eq!(r.recent().len(), 1);
        r.rotate(t0 + 5 * WINDOW);
        assert_eq!(r.recent().len(), 0, "idle for long: nothing recent");
        assert_eq!(r.total().len(), 2);
    }
}
