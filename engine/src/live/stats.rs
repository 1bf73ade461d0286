//! The live engine's numbers: the edit-to-emit latency histogram (HDR, microseconds) and the
//! counters `stats` returns and the status line shows.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde_json::{Map, Value, json};

/// Latencies are recorded in microseconds from 1 µs to 60 s with 3 significant digits.
const LOWEST_US: u64 = 1;
const HIGHEST_US: u64 = 60_000_000;
const SIGFIG: u8 = 3;

/// Counters and the latency histogram of one engine run.
#[derive(Debug)]
pub struct Stats {
    latency: Histogram<u64>,
    /// Accepted messages that change a document (open, edit, close, save).
    pub edits: u64,
    /// Debounced batches of file-system changes handled.
    pub fs_batches: u64,
    /// Schedule runs after warm-up.
    pub ticks: u64,
    /// Rejected messages (malformed or invalid).
    pub rejected: u64,
    /// Payloads written to the ring (warm-up included).
    pub payloads: u64,
    /// Payloads dropped on a full ring.
    pub dropped: u64,
    /// Resyncs served.
    pub resyncs: u64,
    /// Inputs whose edit-to-emit latency exceeded the configuration's `max_latency_ms`.
    pub over_budget: u64,
    /// How the warm-up went.
    pub warm_up: WarmUp,
    /// Snapshots written by this run.
    pub snapshot_writes: u64,
}

/// The warm-up of this run: how long it took and how much of it the snapshot saved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WarmUp {
    /// From the start of `codepulse watch` to the end of the warm-up, in milliseconds.
    pub ms: u64,
    /// Files restored from the snapshot.
    pub restored: u64,
    /// Files parsed.
    pub parsed: u64,
    /// The snapshot at start: `off` (`--no-snapshot`), `none` (no file), `loaded` or
    /// `rejected` (corrupted, truncated or foreign; a warning said why).
    pub snapshot: &'static str,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            latency: Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIG)
                .expect("constant histogram bounds are valid"),
            edits: 0,
            fs_batches: 0,
            ticks: 0,
            rejected: 0,
            payloads: 0,
            dropped: 0,
            resyncs: 0,
            over_budget: 0,
            warm_up: WarmUp::default(),
            snapshot_writes: 0,
        }
    }
}

/// A summary of the latency histogram, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub count: u64,
}

impl Stats {
    /// Records one input's edit-to-emit latency (clamped to the histogram's range).
    pub fn record_latency(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .clamp(LOWEST_US, HIGHEST_US);
        self.latency.saturating_record(us);
    }

    pub fn latency(&self) -> Latency {
        let h = &self.latency;
        if h.is_empty() {
            return Latency::default();
        }
        Latency {
            p50: h.value_at_quantile(0.5),
            p90: h.value_at_quantile(0.9),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            count: h.len(),
        }
    }

    /// The counters as the `stats` reply's fields (the world's gauges are added by the caller).
    pub fn to_fields(&self) -> Map<String, Value> {
        let l = self.latency();
        let mut m = Map::new();
        m.insert(
            "latency_us".into(),
            json!({"p50": l.p50, "p90": l.p90, "p99": l.p99, "p999": l.p999, "max": l.max, "count": l.count}),
        );
        m.insert("edits".into(), self.edits.into());
        m.insert("fs_batches".into(), self.fs_batches.into());
        m.insert("ticks".into(), self.ticks.into());
        m.insert("rejected".into(), self.rejected.into());
        m.insert("payloads".into(), self.payloads.into());
        m.insert("dropped".into(), self.dropped.into());
        m.insert("resyncs".into(), self.resyncs.into());
        m.insert("over_budget".into(), self.over_budget.into());
        let w = &self.warm_up;
        m.insert(
            "warm_up".into(),
            json!({"ms": w.ms, "restored": w.restored, "parsed": w.parsed, "snapshot": w.snapshot}),
        );
        m.insert("snapshot_writes".into(), self.snapshot_writes.into());
        m.insert("rss_bytes".into(), rss_bytes().into());
        m.insert("pid".into(), std::process::id().into());
        m
    }
}

/// This process's resident set size in bytes (from `/proc/self/statm`; 0 where unavailable).
pub fn rss_bytes() -> u64 {
    let Ok(statm) = std::fs::read_to_string("/proc/self/statm") else {
        return 0;
    };
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * page_size()
}

fn page_size() -> u64 {
    rustix::param::page_size() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_quantiles_come_from_the_recorded_values() {
        let mut s = Stats::default();
        assert_eq!(s.latency(), Latency::default());
        for us in 1..=1000u64 {
            s.record_latency(Duration::from_micros(us));
        }
        let l = s.latency();
        assert_eq!(l.count, 1000);
        assert_eq!(l.p50, 500);
        assert_eq!(l.p99, 990);
        assert_eq!(l.max, 1000);
        // Zero and absurd values are clamped, not lost.
        s.record_latency(Duration::ZERO);
        s.record_latency(Duration::from_secs(3600));
        assert_eq!(s.latency().count, 1002);
        assert_eq!(s.latency().max, s.latency.highest_equivalent(HIGHEST_US));
    }

    #[test]
    fn rss_is_known_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(rss_bytes() > 0);
        }
    }
}
