//! What the two background threads measure: the reply reader (reply latency per edit id) and
//! the ring consumer (payload latency per answered document version), into per-step records
//! shared with the sender.

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use codepulse_components::PayloadKind;
use codepulse_ring::{Consumer, DefectPayload, monotonic_ns};
use crossbeam_channel::Sender;
use hdrhistogram::Histogram;
use serde_json::{Value, json};

/// Latencies are recorded in µs, up to 10 minutes, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

pub fn summary(h: &Histogram<u64>) -> Value {
    if h.is_empty() {
        return json!({"count": 0});
    }
    json!({
        "p50": h.value_at_quantile(0.50),
        "p90": h.value_at_quantile(0.90),
        "p99": h.value_at_quantile(0.99),
        "p999": h.value_at_quantile(0.999),
        "max": h.max(),
        "count": h.len(),
    })
}

/// One run of edits at one rate (the warm-up, the measured run, a step of the ramp).
#[derive(Debug)]
pub struct Step {
    pub label: String,
    pub rate: f64,
    /// The id of the step's first edit; edit `k` of the step has id `first_id + k`.
    pub first_id: u64,
    /// CLOCK_MONOTONIC ns at which the first edit is scheduled; edit `k` at `t0 + k / rate`.
    pub t0: u64,
    pub period_ns: f64,
    pub planned: u64,
    /// Edits written (all of `planned` once the step's sending is over).
    pub sent: u64,
    /// From `t0` to the end of the last write, seconds.
    pub send_s: f64,
    /// How far behind its schedule the sender was at worst (it catches up by writing several
    /// edits at once), ns.
    pub max_lag_ns: u64,
    replied: Vec<u64>,
    pub replies: u64,
    pub rejected: u64,
    pub errors: Vec<String>,
    /// Reply latency: reply received − scheduled send time, µs.
    pub reply: Histogram<u64>,
    /// Payload latency: payload `timestamp_ns` − scheduled send time of the edit whose version
    /// it answers, µs.
    pub payload: Histogram<u64>,
    /// Replies still missing when the wait for them ended (recorded in `reply` with the time
    /// waited so far, a lower bound).
    pub unanswered: u64,
    /// Replies that came after that.
    pub late: u64,
    pub closed: bool,
    /// The sender stopped early: the engine fell too far behind (`--abort-after`).
    pub aborted: bool,
}

impl Step {
    pub fn new(label: String, rate: f64, first_id: u64, t0: u64, planned: u64) -> Step {
        Step {
            label,
            rate,
            first_id,
            t0,
            period_ns: 1e9 / rate,
            planned,
            sent: 0,
            send_s: 0.0,
            max_lag_ns: 0,
            replied: vec![0; planned.div_ceil(64) as usize],
            replies: 0,
            rejected: 0,
            errors: Vec::new(),
            reply: histogram(),
            payload: histogram(),
            unanswered: 0,
            late: 0,
            closed: false,
            aborted: false,
        }
    }

    /// The scheduled send time of edit `k` of the step.
    #[inline]
    pub fn sched(&self, k: u64) -> u64 {
        self.t0 + (k as f64 * self.period_ns) as u64
    }

    pub fn answered(&self) -> u64 {
        self.replies + self.rejected
    }

    /// Ends the wait for replies: every missing one is recorded as answered now (a lower
    /// bound of its latency), so an engine that stops answering shows in the percentiles.
    pub fn close(&mut self, now: u64) {
        for k in 0..self.sent {
            if self.replied[(k / 64) as usize] & (1 << (k % 64)) == 0 {
                let us = now.saturating_sub(self.sched(k)) / 1000;
                self.reply.saturating_record(us.max(1));
                self.unanswered += 1;
            }
        }
        self.closed = true;
    }

    fn on_reply(&mut self, id: u64, ok: bool, now: u64, error: impl FnOnce() -> String) {
        let k = id - self.first_id;
        if self.closed || k >= self.planned {
            self.late += 1;
            return;
        }
        let (word, bit) = ((k / 64) as usize, 1u64 << (k % 64));
        if self.replied[word] & bit != 0 {
            self.errors.push(format!("a second reply for edit id {id}"));
            return;
        }
        self.replied[word] |= bit;
        if ok {
            self.replies += 1;
            let us = now.saturating_sub(self.sched(k)) / 1000;
            self.reply.saturating_record(us.max(1));
        } else {
            self.rejected += 1;
            if self.errors.len() < 5 {
                self.errors.push(error());
            }
        }
    }
}

/// State shared by the sender (main thread), the reply reader and the ring consumer.
#[derive(Debug, Default)]
pub struct Shared {
    pub steps: Vec<Step>,
    /// Replies to edits of no known step, or replies that could not be parsed.
    pub stray_replies: u64,
    pub stray_examples: Vec<String>,
    /// The reader saw the connection end.
    pub disconnected: bool,
}

pub type SharedRef = Arc<Mutex<Shared>>;

pub fn lock(s: &SharedRef) -> MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads reply lines: replies to edits (integer ids) go to their step; every other reply goes
/// to `control` (opens, stats, closes: the main thread waits for them). The shared records
/// are locked once per burst of replies, not once per reply.
pub fn read_replies(stream: UnixStream, shared: SharedRef, control: Sender<Value>) {
    let mut r = BufReader::with_capacity(1 << 16, stream);
    let mut line = String::new();
    // (id, accepted, received at, the line when rejected)
    let mut pending: Vec<(u64, bool, u64, Option<String>)> = Vec::new();
    let mut stray: Vec<String> = Vec::new();
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let now = monotonic_ns();
        if let Some(id) = accepted_edit_id(&line) {
            pending.push((id, true, now, None));
        } else {
            match serde_json::from_str::<Value>(&line) {
                Ok(v) => match v.get("id").and_then(Value::as_u64) {
                    Some(id) => {
                        let ok = v.get("ok").and_then(Value::as_bool) == Some(true);
                        let why = v
                            .get("error")
                            .and_then(Value::as_str)
                            .map_or_else(|| line.trim_end().to_owned(), str::to_owned);
                        pending.push((id, ok, now, (!ok).then_some(why)));
                    }
                    None => {
                        let _ = control.send(v);
                    }
                },
                Err(_) => stray.push(line.trim_end().to_owned()),
            }
        }
        if r.buffer().is_empty() && (!pending.is_empty() || !stray.is_empty()) {
            let mut s = lock(&shared);
            let s = &mut *s;
            for (id, ok, now, why) in pending.drain(..) {
                match s.steps.iter_mut().rev().find(|st| st.first_id <= id) {
                    Some(step) => step.on_reply(id, ok, now, || why.unwrap_or_default()),
                    None => stray.push(format!("a reply to unknown edit id {id}")),
                }
            }
            for l in stray.drain(..) {
                s.stray_replies += 1;
                if s.stray_examples.len() < 5 {
                    s.stray_examples.push(l);
                }
            }
        }
    }
    lock(&shared).disconnected = true;
}

/// The id of an accepted edit's reply, found without a JSON parser (the common case at
/// 10^5 replies a second): an integer `"id"` and `"ok":true`, and no `"error"`. Anything else
/// returns `None` and is parsed properly. (Quotes inside JSON strings are escaped, so these
/// patterns cannot come from a string's content.)
fn accepted_edit_id(line: &str) -> Option<u64> {
    if !line.contains("\"ok\":true") || line.contains("\"error\"") {
        return None;
    }
    let at = line.find("\"id\":")? + 5;
    let digits = line[at..].trim_start();
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let rest = digits[end..].trim_start();
    if end == 0 || !(rest.starts_with(',') || rest.starts_with('}')) {
        return None;
    }
    digits[..end].parse().ok()
}

/// The scheduled send time of a document's recent versions, for the ring consumer to match
/// payloads (`version`) with the edit they answer. A small direct-mapped table per document:
/// a version older than the last `SLOTS` edits of its document is no longer found.
#[derive(Debug)]
pub struct VersionTimes {
    tags: Box<[AtomicU32]>,
    times: Box<[AtomicU64]>,
}

const SLOTS: usize = 1 << 14;

impl Default for VersionTimes {
    fn default() -> Self {
        VersionTimes {
            tags: (0..SLOTS).map(|_| AtomicU32::new(0)).collect(),
            times: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl VersionTimes {
    pub fn record(&self, version: u32, sched_ns: u64) {
        let i = version as usize & (SLOTS - 1);
        self.tags[i].store(0, SeqCst);
        self.times[i].store(sched_ns, SeqCst);
        self.tags[i].store(version, SeqCst);
    }

    pub fn get(&self, version: u32) -> Option<u64> {
        let i = version as usize & (SLOTS - 1);
        if version == 0 || self.tags[i].load(SeqCst) != version {
            return None;
        }
        let t = self.times[i].load(SeqCst);
        (self.tags[i].load(SeqCst) == version).then_some(t)
    }
}

/// What the ring consumer saw.
#[derive(Debug, Default)]
pub struct RingSummary {
    pub payloads: u64,
    pub defect: u64,
    pub cleared: u64,
    pub resync: u64,
    /// Payloads answering a version this tool sent (their latency is in the steps).
    pub matched: u64,
    /// Version 0: files read from disk (not an editor's document).
    pub from_disk: u64,
    /// A document of ours at a version this tool has no send time for (the `open`, or too old).
    pub unmatched: u64,
    /// A file this tool did not open.
    pub other_files: u64,
    /// Drops the ring reported while attached.
    pub drops: u64,
    pub restarts: u64,
    pub errors: Vec<String>,
}

/// Pops payloads until `stop`, then drains what is left.
pub fn consume_ring(
    mut consumer: Consumer,
    doc_of_hash: HashIndex,
    times: Arc<Vec<VersionTimes>>,
    shared: SharedRef,
    stop: Arc<AtomicBool>,
) -> RingSummary {
    let mut sum = RingSummary::default();
    let mut buf: Vec<DefectPayload> = Vec::with_capacity(4096);
    let mut last_check = Instant::now();
    let mut record = Vec::new();
    loop {
        buf.clear();
        let n = match consumer.pop_batch(&mut buf, 4096) {
            Ok(n) => n,
            Err(e) => {
                sum.errors.push(format!("ring: {e}"));
                break;
            }
        };
        if last_check.elapsed() > Duration::from_millis(100) || n == 0 {
            last_check = Instant::now();
            match consumer.check() {
                Ok(st) => {
                    sum.drops += st.new_drops;
                    sum.restarts += u64::from(st.restarted.is_some());
                }
                Err(e) => {
                    sum.errors.push(format!("ring: {e}"));
                    break;
                }
            }
        }
        if n == 0 {
            if stop.load(SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        record.clear();
        for p in &buf {
            sum.payloads += 1;
            match PayloadKind::from_u8(p.kind) {
                Some(PayloadKind::Defect) => sum.defect += 1,
                Some(PayloadKind::Cleared) => sum.cleared += 1,
                Some(PayloadKind::Resync) => sum.resync += 1,
                None => {}
            }
            if p.version == 0 {
                sum.from_disk += 1;
                continue;
            }
            let Some(d) = doc_of_hash.get(p.file_hash) else {
                sum.other_files += 1;
                continue;
            };
            match times[d].get(p.version) {
                Some(sched) => {
                    sum.matched += 1;
                    record.push((sched, p.timestamp_ns.saturating_sub(sched) / 1000));
                }
                None => sum.unmatched += 1,
            }
        }
        if !record.is_empty() {
            let mut s = lock(&shared);
            for &(sched, us) in &record {
                if let Some(step) = s.steps.iter_mut().rev().find(|st| st.t0 <= sched) {
                    step.payload.saturating_record(us.max(1));
                }
            }
        }
    }
    sum
}

/// A sorted map from path hash to document index.
#[derive(Debug, Clone, Default)]
pub struct HashIndex(Vec<(u64, usize)>);

impl HashIndex {
    pub fn new(hashes: impl IntoIterator<Item = u64>) -> HashIndex {
        let mut v: Vec<_> = hashes
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h, i))
            .collect();
        v.sort_unstable();
        HashIndex(v)
    }

    pub fn get(&self, hash: u64) -> Option<usize> {
        self.0
            .binary_search_by_key(&hash, |&(h, _)| h)
            .ok()
            .map(|i| self.0[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_matched_by_id_and_missing_ones_counted() {
        let mut st = Step::new("t".into(), 1000.0, 100, 1_000_000_000, 5);
        st.sent = 5;
        assert_eq!(st.sched(2), 1_002_000_000);
        st.on_reply(100, true, 1_000_500_000, String::new);
        st.on_reply(102, false, 1_003_000_000, || "bad".into());
        st.on_reply(102, true, 1_003_000_000, String::new);
        assert_eq!((st.replies, st.rejected), (1, 1));
        assert_eq!(st.errors, ["bad", "a second reply for edit id 102"]);
        assert_eq!(st.reply.max(), st.reply.highest_equivalent(500));
        st.close(1_010_000_000);
        // 101, 103, 104 never answered: 9 ms, 7 ms, 6 ms so far.
        assert_eq!(st.unanswered, 3);
        assert_eq!(st.reply.len(), 4);
        st.on_reply(103, true, 1_011_000_000, String::new);
        assert_eq!(st.late, 1);
    }

    #[test]
    fn accepted_replies_are_recognised_without_a_parser() {
        let f = accepted_edit_id;
        assert_eq!(
            f("{\"id\":42,\"ok\":true,\"op\":\"edit\",\"version\":2,\"tick\":8}\n"),
            Some(42)
        );
        assert_eq!(f("{\"ok\":true,\"tick\":8,\"id\": 7 }"), Some(7));
        assert_eq!(f("{\"id\":\"c1\",\"ok\":true,\"op\":\"stats\"}"), None);
        assert_eq!(f("{\"id\":4,\"ok\":false,\"error\":\"stale\"}"), None);
        assert_eq!(f("{\"id\":4.5,\"ok\":true}"), None);
        assert_eq!(f("{\"id\":-4,\"ok\":true}"), None);
    }

    #[test]
    fn payloads_are_matched_to_the_edit_they_answer() {
        use codepulse_ring::Producer;
        let dir = tempfile::tempdir().unwrap();
        let ring = dir.path().join("ring-test");
        let mut producer = Producer::open(&ring, 64).unwrap();
        let consumer = Consumer::attach(&ring).unwrap();
        let (ours, theirs) = (0xA, 0xB);
        let times = Arc::new(vec![VersionTimes::default()]);
        // Edits of version 2 and 3 of our document, scheduled at 1 s and 1.001 s.
        times[0].record(2, 1_000_000_000);
        times[0].record(3, 1_001_000_000);
        let shared = SharedRef::default();
        lock(&shared)
            .steps
            .push(Step::new("t".into(), 1000.0, 1, 1_000_000_000, 2));
        let payload = |file_hash, version, timestamp_ns, kind: PayloadKind| DefectPayload {
            file_hash,
            version,
            timestamp_ns,
            kind: kind as u8,
            ..DefectPayload::default()
        };
        producer.push_batch(&[
            payload(ours, 3, 1_001_700_000, PayloadKind::Defect), // 700 µs
            payload(ours, 2, 1_000_250_000, PayloadKind::Cleared), // 250 µs
            payload(ours, 1, 1_000_000_000, PayloadKind::Defect), // the open: no send time
            payload(ours, 0, 5, PayloadKind::Defect),             // from disk
            payload(theirs, 2, 5, PayloadKind::Defect),           // not our file
        ]);
        let stop = Arc::new(AtomicBool::new(true));
        let sum = consume_ring(
            consumer,
            HashIndex::new([ours]),
            times,
            shared.clone(),
            stop,
        );
        assert_eq!(sum.payloads, 5);
        assert_eq!((sum.defect, sum.cleared), (4, 1));
        assert_eq!(sum.matched, 2);
        assert_eq!(sum.unmatched, 1);
        assert_eq!(sum.from_disk, 1);
        assert_eq!(sum.other_files, 1);
        assert!(sum.errors.is_empty(), "{:?}", sum.errors);
        let s = lock(&shared);
        let h = &s.steps[0].payload;
        assert_eq!(h.len(), 2);
        assert_eq!(h.min(), h.lowest_equivalent(250));
        assert_eq!(h.max(), h.highest_equivalent(700));
    }

    #[test]
    fn version_times_and_hash_index() {
        let t = VersionTimes::default();
        t.record(5, 77);
        assert_eq!(t.get(5), Some(77));
        assert_eq!(t.get(6), None);
        assert_eq!(t.get(0), None);
        t.record(5 + SLOTS as u32, 99);
        assert_eq!(t.get(5), None, "overwritten by a newer version");
        let idx = HashIndex::new([30, 10, 20]);
        assert_eq!(idx.get(20), Some(2));
        assert_eq!(idx.get(30), Some(0));
        assert_eq!(idx.get(40), None);
    }
}
