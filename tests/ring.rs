//! The ring across processes: a producer process (`ringprobe produce`, or `codepulse analyze
//! --emit`) writes, a separate consumer process (`ringprobe consume`, `codepulse tail`) reads.
//! Each test keeps its rings in its own temporary directory (`CODEPULSE_RING_DIR`). There are no
//! timing assertions: every wait is a bounded loop that fails with a message saying what it was
//! waiting for.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// How long any single wait may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(120);

fn codepulse_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_codepulse"))
}

/// The `ringprobe` binary (workspace member `tools/ringprobe`), next to `codepulse` in the
/// target directory. `cargo test` builds it with the workspace; a run of this test alone builds
/// it here.
fn ringprobe_bin() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = codepulse_bin()
            .parent()
            .expect("the binary has a directory");
        let probe = dir.join("ringprobe");
        if !probe.exists() {
            let profile = match dir.file_name().and_then(|n| n.to_str()) {
                Some("debug") | None => "dev",
                Some(other) => other,
            };
            let target = dir.parent().expect("the profile directory has a parent");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let status = Command::new(cargo)
                .args([
                    "build",
                    "-q",
                    "-p",
                    "codepulse-ringprobe",
                    "--profile",
                    profile,
                ])
                .arg("--target-dir")
                .arg(target)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building ringprobe failed");
        }
        assert!(probe.exists(), "no ringprobe at {}", probe.display());
        probe
    })
}

/// A directory for one test's rings.
struct Rings {
    dir: TempDir,
}

impl Rings {
    fn new() -> Rings {
        Rings {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn ring_dir(&self) -> PathBuf {
        self.dir.path().join("rings")
    }

    fn ring(&self, name: &str) -> PathBuf {
        self.ring_dir().join(name)
    }

    fn cmd(&self, bin: &Path) -> Command {
        let mut c = Command::new(bin);
        c.env("CODEPULSE_RING_DIR", self.ring_dir());
        c
    }

    fn probe(&self, args: &[&str]) -> Command {
        let mut c = self.cmd(ringprobe_bin());
        c.args(args);
        c
    }

    fn codepulse(&self, args: &[&str]) -> Command {
        let mut c = self.cmd(codepulse_bin());
        c.args(args);
        c
    }
}

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("the process runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs to completion, asserts exit 0, returns the stdout's JSON lines.
fn run_json(cmd: Command) -> Vec<Value> {
    let out = run(cmd);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    json_lines(&text(&out.stdout))
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line ({e}): {l}")))
        .collect()
}

/// A running child whose stdout and stderr lines arrive on channels.
struct Running {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    out_seen: Vec<String>,
    err_seen: Vec<String>,
}

impl Running {
    fn spawn(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the process starts");
        Running {
            stdout: lines(child.stdout.take().unwrap()),
            stderr: lines(child.stderr.take().unwrap()),
            child,
            out_seen: Vec::new(),
            err_seen: Vec::new(),
        }
    }

    /// Waits until `pred` holds for the stdout lines seen so far.
    fn wait_stdout(&mut self, what: &str, pred: impl Fn(&[String]) -> bool) {
        let start = Instant::now();
        while !pred(&self.out_seen) {
            self.pump(start, what);
        }
    }

    /// Waits until a stderr line contains `needle`.
    fn wait_stderr(&mut self, needle: &str) {
        let start = Instant::now();
        while !self.err_seen.iter().any(|l| l.contains(needle)) {
            self.pump(start, &format!("stderr line containing {needle:?}"));
        }
    }

    fn pump(&mut self, start: Instant, what: &str) {
        self.out_seen.extend(self.stdout.try_iter());
        self.err_seen.extend(self.stderr.try_iter());
        if start.elapsed() > DEADLINE {
            let _ = self.child.kill();
            panic!(
                "gave up waiting for {what}\nstdout: {:#?}\nstderr: {:#?}",
                self.out_seen, self.err_seen
            );
        }
        if let Ok(Some(status)) = self.child.try_wait() {
            // Collect what is left, then fail if the condition still cannot hold.
            std::thread::sleep(Duration::from_millis(50));
            self.out_seen.extend(self.stdout.try_iter());
            self.err_seen.extend(self.stderr.try_iter());
            if start.elapsed() > Duration::from_secs(1) || !status.success() {
                panic!(
                    "the process exited ({status}) while waiting for {what}\nstdout: {:#?}\nstderr: {:#?}",
                    self.out_seen, self.err_seen
                );
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }

    /// Waits for the process to exit (bounded) and returns the rest of its output.
    fn finish(mut self) -> (i32, Vec<String>, Vec<String>) {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!(
                    "the process did not exit\nstdout: {:#?}\nstderr: {:#?}",
                    self.out_seen, self.err_seen
                );
            }
            self.out_seen.extend(self.stdout.try_iter());
            self.err_seen.extend(self.stderr.try_iter());
            std::thread::sleep(Duration::from_millis(5));
        };
        // The reader threads end at EOF.
        self.out_seen.extend(self.stdout.iter());
        self.err_seen.extend(self.stderr.iter());
        (status.code().unwrap_or(-1), self.out_seen, self.err_seen)
    }

    /// Kills the process (this test started it) and reaps it.
    fn kill(mut self) -> (Vec<String>, Vec<String>) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.out_seen.extend(self.stdout.iter());
        self.err_seen.extend(self.stderr.iter());
        (self.out_seen, self.err_seen)
    }
}

fn lines(r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a u64: {v}"))
}

#[test]
fn wraps_around_many_times_across_processes_in_order() {
    let rings = Rings::new();
    let ring = rings.ring("wrap");
    let ring_s = ring.to_str().unwrap();
    let n = 100_000u64;
    // The consumer starts first and waits for the ring to appear.
    let consumer = Running::spawn(rings.probe(&[
        "consume",
        "--ring",
        ring_s,
        "--batch",
        "7",
        "--resolve",
        "--deadline-s",
        "120",
    ]));
    let producer = run_json(rings.probe(&[
        "produce",
        &n.to_string(),
        "--ring",
        ring_s,
        "--capacity",
        "64",
        "--batch",
        "5",
        "--paths",
        "16",
        "--deadline-s",
        "120",
    ]));
    assert_eq!(u(&producer[0]["drops"]), 0, "lossless mode never drops");
    let (code, out, err) = consumer.finish();
    assert_eq!(code, 0, "stderr: {err:?}");
    let summary = &json_lines(&out.join("\n"))[0];
    assert_eq!(u(&summary["received"]), n);
    assert_eq!(u(&summary["first"]), 0);
    assert_eq!(u(&summary["last"]), n - 1);
    assert_eq!(summary["contiguous"], true, "{summary}");
    assert_eq!(
        u(&summary["unresolved"]),
        0,
        "every hash resolves: {summary}"
    );
    assert_eq!(summary["producer"], "Closed");
    assert!(n / 64 > 1000, "the ring wrapped {} times", n / 64);
}

#[test]
fn a_full_ring_drops_counts_and_serves_a_resync_across_processes() {
    let rings = Rings::new();
    let ring = rings.ring("full");
    let ring_s = ring.to_str().unwrap();
    // No consumer yet: 64 of 1000 fit, 936 are dropped; then the producer waits for a resync
    // request and answers it with 10 payloads.
    let mut producer = Running::spawn(rings.probe(&[
        "produce",
        "1000",
        "--ring",
        ring_s,
        "--capacity",
        "64",
        "--mode",
        "drop",
        "--serve-resync",
        "10",
        "--deadline-s",
        "120",
    ]));
    producer.wait_stdout("the push phase", |l| !l.is_empty());
    let pushed = json_lines(&producer.out_seen[0])[0].clone();
    assert_eq!(u(&pushed["drops"]), 936);
    assert_eq!(u(&pushed["head"]), 64);

    let summary = &run_json(rings.probe(&[
        "consume",
        "--ring",
        ring_s,
        "--request-resync",
        "--deadline-s",
        "120",
    ]))[0];
    assert_eq!(u(&summary["drops"]), 936, "{summary}");
    assert_eq!(summary["needs_resync_seen"], true);
    assert_eq!(u(&summary["received"]), 64 + 10);
    assert_eq!(u(&summary["resync_payloads"]), 10);
    // 0..=63, then the resync's 1000..=1009: one gap, where the drops were.
    assert_eq!((u(&summary["first"]), u(&summary["last"])), (0, 1009));
    assert_eq!(u(&summary["gaps"]), 1);
    assert_eq!(u(&summary["resync_requested"]), 1);
    assert_eq!(u(&summary["resync_served"]), 1);

    let (code, out, err) = producer.finish();
    assert_eq!(code, 0, "{err:?}");
    let done = &json_lines(&out.join("\n"))[1];
    assert_eq!(u(&done["resync_served"]), 1);
}

#[test]
fn a_restarted_consumer_resumes_at_the_stored_tail() {
    let rings = Rings::new();
    let ring = rings.ring("resume");
    let ring_s = ring.to_str().unwrap();
    // A lossless producer of 5000 on 64 slots can only finish if consumers keep reading.
    let producer = Running::spawn(rings.probe(&[
        "produce",
        "5000",
        "--ring",
        ring_s,
        "--capacity",
        "64",
        "--deadline-s",
        "120",
    ]));
    let first = &run_json(rings.probe(&[
        "consume",
        "--ring",
        ring_s,
        "--count",
        "1234",
        "--batch",
        "10",
        "--deadline-s",
        "120",
    ]))[0];
    assert_eq!(u(&first["received"]), 1234);
    assert_eq!((u(&first["first"]), u(&first["last"])), (0, 1233));
    let second = &run_json(rings.probe(&["consume", "--ring", ring_s, "--deadline-s", "120"]))[0];
    assert_eq!(u(&second["start_tail"]), 1234, "{second}");
    assert_eq!((u(&second["first"]), u(&second["last"])), (1234, 4999));
    assert_eq!(u(&second["received"]), 5000 - 1234);
    assert_eq!(second["contiguous"], true);
    let (code, _, err) = producer.finish();
    assert_eq!(code, 0, "{err:?}");
}

#[test]
fn tail_reports_producer_restart_death_and_close() {
    let rings = Rings::new();
    let ring = rings.ring("restart");
    let ring_s = ring.to_str().unwrap();
    let produce = |args: &[&str]| {
        let mut all = vec!["produce"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--ring", ring_s, "--capacity", "64"]);
        rings.probe(&all)
    };
    // Epoch 1: 10 payloads, closed.
    run_json(produce(&["10"]));
    let mut tail = Running::spawn(rings.codepulse(&["tail", "--follow", "--ring", ring_s]));
    tail.wait_stdout("10 payloads", |l| l.len() >= 10);
    tail.wait_stderr("closed the ring");

    // Epoch 2: a new producer process on the same ring.
    run_json(produce(&["10", "--start", "10"]));
    tail.wait_stderr("restarted (epoch 1 -> 2");
    tail.wait_stdout("20 payloads", |l| l.len() >= 20);

    // Epoch 3: a producer that dies without closing (killed).
    let mut victim = Running::spawn(produce(&["5", "--start", "20", "--hold-ms", "120000"]));
    victim.wait_stdout("the push phase", |l| !l.is_empty());
    tail.wait_stderr("restarted (epoch 2 -> 3");
    tail.wait_stdout("25 payloads", |l| l.len() >= 25);
    victim.kill();
    tail.wait_stderr("died without closing");

    let (out, err) = tail.kill();
    let lines = json_lines(&out.join("\n"));
    let seqs: Vec<u64> = lines.iter().map(|l| u(&l["seq"])).collect();
    assert_eq!(seqs, (0..25).collect::<Vec<_>>(), "stderr: {err:?}");
    for l in &lines {
        assert_eq!(l["kind"], "defect");
        assert_eq!(l["severity"], "warning");
        assert!(l["latency_ns"].is_u64());
    }

    // A consumer that was not running during a restart learns of it when it attaches.
    run_json(produce(&["3", "--start", "25"]));
    let out = run(rings.codepulse(&["tail", "--ring", ring_s]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("restarted (epoch 3 -> 4"),
        "stderr: {}",
        text(&out.stderr)
    );
    assert_eq!(json_lines(&text(&out.stdout)).len(), 3);
}

/// A valid, closed ring of 3 payloads, then `corrupt` applied to its file.
fn corrupted_ring(rings: &Rings, name: &str, corrupt: impl FnOnce(&Path)) -> PathBuf {
    let ring = rings.ring(name);
    run_json(rings.probe(&[
        "produce",
        "3",
        "--ring",
        ring.to_str().unwrap(),
        "--capacity",
        "8",
    ]));
    corrupt(&ring);
    ring
}

fn poke(ring: &Path, offset: u64, value: u64) {
    let f = fs::OpenOptions::new().write(true).open(ring).unwrap();
    f.write_all_at(&value.to_ne_bytes(), offset).unwrap();
}

#[test]
fn tail_on_a_corrupted_ring_is_a_clear_error_with_exit_code_2() {
    let rings = Rings::new();
    let cases: Vec<(&str, PathBuf, &str)> = vec![
        (
            "magic",
            corrupted_ring(&rings, "magic", |r| poke(r, 0, 0x0123_4567)),
            "not a codepulse ring",
        ),
        (
            "version",
            corrupted_ring(&rings, "version", |r| poke(r, 8, 42)),
            "layout version 42",
        ),
        (
            "capacity",
            corrupted_ring(&rings, "capacity", |r| poke(r, 24, 12)),
            "not a power of two",
        ),
        (
            "truncated",
            corrupted_ring(&rings, "truncated", |r| {
                fs::OpenOptions::new()
                    .write(true)
                    .open(r)
                    .unwrap()
                    .set_len(4200)
                    .unwrap()
            }),
            "truncated",
        ),
        (
            "header only",
            corrupted_ring(&rings, "short", |r| {
                fs::OpenOptions::new()
                    .write(true)
                    .open(r)
                    .unwrap()
                    .set_len(17)
                    .unwrap()
            }),
            "shorter than the 4096-byte ring header",
        ),
        (
            "head and tail",
            corrupted_ring(&rings, "indices", |r| poke(r, 128, 1 << 40)),
            "corrupted",
        ),
        (
            "tail past head",
            corrupted_ring(&rings, "tail", |r| poke(r, 256, 4)),
            "corrupted",
        ),
    ];
    for (what, ring, expect) in cases {
        let out = run(rings.codepulse(&["tail", "--ring", ring.to_str().unwrap()]));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: stderr {err}");
        assert!(err.contains(expect), "{what}: expected {expect:?} in {err}");
        assert!(err.starts_with("codepulse: error: ring `"), "{what}: {err}");
        assert!(out.stdout.is_empty(), "{what}: nothing is printed");
    }
    // No ring at all.
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = rings.codepulse(&["tail"]);
    cmd.current_dir(empty.path());
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no ring for"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn analyze_emit_fills_the_ring_and_tail_shows_it() {
    let rings = Rings::new();
    let tree = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(tree.path()).unwrap();
    // Two files fail the default thresholds (cyclomatic > 10), one does not.
    let branchy = |name: &str| {
        let mut s = format!("def {name}(x):\n");
        for i in 0..14 {
            s.push_str(&format!("    if x == {i}:\n        return {i}\n"));
        }
        s.push_str("    return -1\n");
        s
    };
    fs::create_dir_all(root.join("pkg/sub")).unwrap();
    fs::write(
        root.join("pkg/bad.py"),
        format!("def fine():\n    return 1\n\n{}", branchy("bad")),
    )
    .unwrap();
    fs::write(root.join("worse.py"), branchy("worse")).unwrap();
    fs::write(root.join("pkg/ok.py"), "def ok(a):\n    return a\n").unwrap();

    let mut analyze = rings.codepulse(&["analyze", "--emit", "--format", "json", "."]);
    analyze.current_dir(&root);
    let out = run(analyze);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("emitted 2 payloads"),
        "{}",
        text(&out.stderr)
    );

    // `tail` with no arguments, from a directory inside the workspace, finds the ring.
    let mut tail = rings.codepulse(&["tail"]);
    tail.current_dir(root.join("pkg/sub"));
    let out = run(tail);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut lines = json_lines(&text(&out.stdout));
    lines.sort_by_key(|l| l["path"].as_str().unwrap().to_owned());
    let paths: Vec<&str> = lines.iter().map(|l| l["path"].as_str().unwrap()).collect();
    let bad = root.join("pkg/bad.py");
    let worse = root.join("worse.py");
    assert_eq!(paths, [bad.to_str().unwrap(), worse.to_str().unwrap()]);
    let bad_line = &lines[0];
    assert_eq!(bad_line["kind"], "defect");
    assert_eq!(bad_line["language"], "python");
    assert_eq!(u(&bad_line["cyclomatic"]), 15);
    assert_eq!(
        (u(&bad_line["start_line"]), u(&bad_line["end_line"])),
        (4, 33)
    );
    assert_eq!(u(&bad_line["seq"]), 1);
    assert!(
        bad_line["flags"]
            .as_array()
            .unwrap()
            .contains(&"cyclomatic".into())
    );
    assert!(
        text(&out.stderr).contains("closed the ring"),
        "{}",
        text(&out.stderr)
    );

    // A second run is a new epoch of the same ring; tail says so and shows its payloads.
    let mut analyze = rings.codepulse(&["analyze", "--emit", "--format", "json", "."]);
    analyze.current_dir(&root);
    assert_eq!(run(analyze).status.code(), Some(0));
    let mut tail = rings.codepulse(&["tail", root.to_str().unwrap()]);
    tail.current_dir("/");
    let out = run(tail);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("restarted (epoch 1 -> 2"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(json_lines(&text(&out.stdout)).len(), 2);
}
