//! The live engine (`codepulse watch`) as a user sees it: the real binary in a temporary
//! workspace, a client on its protocol socket (docs/protocol.md), and `codepulse tail` as the
//! separate consumer process reading the ring. Each test keeps its ring and socket in its own
//! temporary directory (`CODEPULSE_RING_DIR`). There are no timing assertions: every wait is
//! bounded and fails saying what it was waiting for.

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

use support::{DEADLINE, lines_of, wait_line, write};

fn codepulse() -> Command {
    Command::new(env!("CARGO_BIN_EXE_codepulse"))
}

/// A workspace, its ring directory and a running engine.
struct Engine {
    root: TempDir,
    ring_dir: TempDir,
    child: Child,
    stderr: Receiver<String>,
    socket: PathBuf,
    /// `host:port` of `--metrics-addr`, when given.
    metrics: Option<String>,
}

impl Engine {
    /// Writes `files` into a fresh workspace and starts `codepulse watch` on it.
    fn start(files: &[(&str, &str)]) -> Engine {
        let root = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(root.path(), rel, text);
        }
        Engine::start_in(root, &[])
    }

    fn start_in(root: TempDir, extra: &[&str]) -> Engine {
        let ring_dir = tempfile::tempdir().unwrap();
        let mut child = codepulse()
            .arg("watch")
            .arg(root.path())
            .args(["--threads", "2"])
            .args(extra)
            .env("CODEPULSE_RING_DIR", ring_dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("codepulse starts");
        let stderr = lines_of(child.stderr.take().unwrap());
        let listening = wait_line(&stderr, "the socket path", |l| {
            l.starts_with("codepulse: listening on ")
        });
        let socket = PathBuf::from(listening.trim_start_matches("codepulse: listening on "));
        let mut metrics = None;
        wait_line(&stderr, "the end of the warm-up", |l| {
            if let Some(url) = l.strip_prefix("codepulse: metrics on http://") {
                metrics = url.strip_suffix("/metrics").map(str::to_owned);
            }
            l.starts_with("codepulse: watching ")
        });
        Engine {
            root,
            ring_dir,
            child,
            stderr,
            socket,
            metrics,
        }
    }

    fn root(&self) -> PathBuf {
        fs::canonicalize(self.root.path()).unwrap()
    }

    fn client(&self) -> Client {
        let stream = UnixStream::connect(&self.socket).expect("the socket accepts");
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
        }
    }

    /// `codepulse tail --follow` on this workspace: the consumer process.
    fn tail(&self) -> Tail {
        self.tail_with(&[])
    }

    fn tail_with(&self, extra: &[&str]) -> Tail {
        let mut child = codepulse()
            .args(["tail", "--follow"])
            .args(extra)
            .arg(self.root.path())
            .env("CODEPULSE_RING_DIR", self.ring_dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("tail starts");
        let lines = lines_of(child.stdout.take().unwrap());
        Tail { child, lines }
    }

    fn signal(&self, signal: rustix::process::Signal) {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
    }

    /// Sends SIGTERM and waits for the exit.
    fn terminate(mut self) -> (ExitStatus, Engine) {
        self.signal(rustix::process::Signal::TERM);
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, self);
            }
            assert!(
                start.elapsed() < DEADLINE,
                "the engine did not exit on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    stream: UnixStream,
    reader: BufReader<UnixStream>,
}

impl Client {
    /// Sends one line and returns the reply.
    fn send_line(&mut self, line: &str) -> Value {
        writeln!(self.stream, "{line}").unwrap();
        let mut reply = String::new();
        self.reader
            .read_line(&mut reply)
            .expect("a reply within the deadline");
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("reply {reply:?}: {e}"))
    }

    fn send(&mut self, message: Value) -> Value {
        self.send_line(&message.to_string())
    }

    fn ok(&mut self, message: Value) -> Value {
        let reply = self.send(message.clone());
        assert_eq!(reply["ok"], true, "{message} was rejected: {reply}");
        reply
    }

    fn stats(&mut self) -> Value {
        self.ok(json!({"op": "stats"}))["stats"].clone()
    }
}

struct Tail {
    child: Child,
    lines: Receiver<String>,
}

impl Tail {
    /// Waits for a payload about `path` (absolute) of `kind`.
    fn expect(&self, path: &Path, kind: &str) -> Value {
        let path = path.to_str().unwrap().to_owned();
        let line = wait_line(&self.lines, &format!("a {kind} payload for {path}"), |l| {
            serde_json::from_str::<Value>(l)
                .is_ok_and(|v| v["path"] == path.as_str() && v["kind"] == kind)
        });
        serde_json::from_str(&line).unwrap()
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Thresholds low enough that a few branches make a warning.
const CONFIG: &str =
    "[thresholds]\ncyclomatic_complexity_warn = 3\ncyclomatic_complexity_error = 50\n";

const SIMPLE: &str = "fn f(x: i32) -> i32 {\n    x + 1\n}\n";

/// Cyclomatic 5: over the warning threshold of [`CONFIG`].
const BRANCHY: &str = "fn f(x: i32) -> i32 {\n    if x > 0 { 1 } else if x < -5 { 2 } else if x == -1 { 3 } else if x == -2 { 4 } else { 5 }\n}\n";

#[test]
fn an_edit_over_the_socket_reaches_a_consumer_process() {
    let engine = Engine::start(&[("codepulse.toml", CONFIG), ("src/a.rs", SIMPLE)]);
    let tail = engine.tail();
    let mut client = engine.client();
    let a = engine.root().join("src/a.rs");
    let opened =
        client.ok(json!({"op": "open", "path": "src/a.rs", "version": 1, "text": SIMPLE, "id": 7}));
    assert_eq!(opened["id"], 7);
    assert_eq!(opened["path"], "src/a.rs");

    // Replace the body `x + 1` by four `if`s: a byte-range edit.
    let start = SIMPLE.find("x + 1").unwrap();
    let body = &BRANCHY[BRANCHY.find("if x").unwrap()..BRANCHY.rfind("\n}").unwrap()];
    client.ok(json!({"op": "edit", "path": "src/a.rs", "version": 2,
        "changes": [{"start": start, "end": start + 5, "text": body}]}));
    let defect = tail.expect(&a, "defect");
    assert_eq!(defect["version"], 2);
    assert_eq!(defect["cyclomatic"], 5);
    assert_eq!(defect["severity"], "warning");

    // Back to the simple body with an LSP range (line 1, UTF-16 columns).
    let line1 = BRANCHY.lines().nth(1).unwrap();
    client.ok(json!({"op": "edit", "path": "src/a.rs", "version": 3, "changes": [{
        "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": line1.len()}},
        "text": "x + 1"}]}));
    let cleared = tail.expect(&a, "cleared");
    assert_eq!(cleared["version"], 3);
    let stats = client.stats();
    assert_eq!(stats["edits"], 3);
    assert_eq!(stats["open_documents"], 1);
    assert!(stats["latency_us"]["count"].as_u64().unwrap() >= 3);
}

#[test]
fn a_file_saved_on_disk_emits_and_deleting_it_clears() {
    let engine = Engine::start(&[("codepulse.toml", CONFIG), ("keep.rs", SIMPLE)]);
    let tail = engine.tail();
    let b = engine.root().join("lib/b.rs");
    // A new directory and a new file in it, written the way editors do: a temporary file
    // renamed over the target.
    write(engine.root.path(), "lib/.b.rs.tmp", BRANCHY);
    fs::rename(engine.root.path().join("lib/.b.rs.tmp"), &b).unwrap();
    let defect = tail.expect(&b, "defect");
    assert_eq!(defect["version"], 0, "read from disk");
    assert_eq!(defect["cyclomatic"], 5);

    // Modified in place: back to simple.
    fs::write(&b, SIMPLE).unwrap();
    tail.expect(&b, "cleared");
    fs::write(&b, BRANCHY).unwrap();
    tail.expect(&b, "defect");

    fs::remove_file(&b).unwrap();
    tail.expect(&b, "cleared");
    let mut client = engine.client();
    let stats = client.stats();
    assert_eq!(stats["files"], 1, "only keep.rs is left: {stats}");
}

#[test]
fn bad_messages_are_rejected_with_a_reason_and_change_nothing() {
    let engine = Engine::start(&[("codepulse.toml", CONFIG), ("a.rs", SIMPLE)]);
    let mut client = engine.client();
    client.ok(json!({"op": "open", "path": "a.rs", "version": 1, "text": SIMPLE}));
    let before = client.stats();
    let bad: &[(&str, &str)] = &[
        ("{not json", "JSON"),
        ("[1, 2]", "object"),
        (r#"{"op": "frobnicate", "path": "a.rs"}"#, "frobnicate"),
        (
            r#"{"op": "edit", "path": "a.rs", "version": 1, "changes": [{"start": 0, "end": 0, "text": "x"}]}"#,
            "stale",
        ),
        (
            r#"{"op": "edit", "path": "a.rs", "version": 5, "changes": [{"start": 0, "end": 0, "text": "x"}]}"#,
            "skipped",
        ),
        (
            r#"{"op": "edit", "path": "a.rs", "version": 2, "changes": [{"start": 0, "end": 9999, "text": ""}]}"#,
            "past the end",
        ),
        (
            r#"{"op": "edit", "path": "a.rs", "version": 2, "changes": [{"start": 0, "end": 4, "text": ""}, {"start": 2, "end": 6, "text": ""}]}"#,
            "overlap",
        ),
        (
            r#"{"op": "edit", "path": "a.rs", "version": 2, "changes": []}"#,
            "changes",
        ),
        (
            r#"{"op": "edit", "path": "nope.rs", "version": 2, "changes": [{"text": ""}]}"#,
            "unknown path",
        ),
        (
            r#"{"op": "open", "path": "../outside.rs", "version": 1, "text": ""}"#,
            "outside the workspace",
        ),
        (
            r#"{"op": "open", "path": "notes.txt", "version": 1, "text": ""}"#,
            "supported language",
        ),
        (
            r#"{"op": "close", "path": "a.rs", "extra": 1, "id": {"no": 1}}"#,
            "id",
        ),
    ];
    for (line, reason) in bad {
        let reply = client.send_line(line);
        assert_eq!(reply["ok"], false, "{line} was accepted: {reply}");
        let error = reply["error"].as_str().unwrap();
        assert!(
            error.to_lowercase().contains(&reason.to_lowercase()),
            "{line}: the reason {error:?} does not mention {reason:?}"
        );
    }
    let after = client.stats();
    assert_eq!(after["rejected"], bad.len());
    for unchanged in ["edits", "ticks", "files", "functions", "payloads"] {
        assert_eq!(after[unchanged], before[unchanged], "{unchanged} changed");
    }
    // The document is still at version 1 with its text: the next edit is version 2 and a
    // range valid only in the original text applies.
    client.ok(json!({"op": "edit", "path": "a.rs", "version": 2,
        "changes": [{"start": SIMPLE.len(), "end": SIMPLE.len(), "text": "\n"}]}));
}

#[test]
fn a_configuration_change_regates_without_a_restart() {
    let engine = Engine::start(&[("a.rs", BRANCHY)]);
    let tail = engine.tail();
    let a = engine.root().join("a.rs");
    write(engine.root.path(), "codepulse.toml", CONFIG);
    tail.expect(&a, "defect");
    // An invalid configuration is reported and the previous one stays.
    write(
        engine.root.path(),
        "codepulse.toml",
        "[thresholds]\ncyclomatic_complexity_warn = \"x\"\n",
    );
    wait_line(&engine.stderr, "the invalid configuration reported", |l| {
        l.contains("keeping the previous configuration")
    });
    fs::remove_file(engine.root.path().join("codepulse.toml")).unwrap();
    tail.expect(&a, "cleared");
}

#[test]
fn sigterm_closes_the_ring_and_exits_0() {
    let engine = Engine::start(&[("codepulse.toml", CONFIG), ("a.rs", BRANCHY)]);
    let root = engine.root();
    let (status, engine) = engine.terminate();
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    wait_line(&engine.stderr, "the stop message", |l| {
        l.contains("ring closed")
    });
    let ring = codepulse_ring_path(&engine, &root);
    let mut consumer = codepulse_ring::Consumer::attach(&ring).expect("the ring is left behind");
    let status = consumer.check().unwrap();
    assert_eq!(status.producer, codepulse_ring::ProducerState::Closed);
    let first = consumer.pop().unwrap().expect("the warm-up payload");
    assert_eq!(first.kind, codepulse_components::PayloadKind::Defect as u8);
    assert!(!engine.socket.exists(), "the socket file is removed");
}

fn codepulse_ring_path(engine: &Engine, root: &Path) -> PathBuf {
    engine
        .ring_dir
        .path()
        .join(codepulse_ring::ring_file_name(root))
}

#[test]
fn plain_codepulse_watches_the_current_directory() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "only.rs", SIMPLE);
    let ring_dir = tempfile::tempdir().unwrap();
    let mut child = codepulse()
        .current_dir(root.path())
        .env("CODEPULSE_RING_DIR", ring_dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = lines_of(child.stderr.take().unwrap());
    let line = wait_line(&stderr, "the warm-up line", |l| {
        l.starts_with("codepulse: watching ")
    });
    assert!(line.contains("(1 files, 1 functions"), "{line}");
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn a_second_engine_on_the_same_workspace_is_a_usage_error() {
    let engine = Engine::start(&[("a.rs", SIMPLE)]);
    let out = codepulse()
        .arg("watch")
        .arg(engine.root.path())
        .env("CODEPULSE_RING_DIR", engine.ring_dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("codepulse: error:"), "{stderr}");
}

#[test]
fn a_disconnected_client_closes_its_documents() {
    let engine = Engine::start(&[("codepulse.toml", CONFIG), ("a.rs", SIMPLE)]);
    let tail = engine.tail();
    let a = engine.root().join("a.rs");
    {
        let mut editor = engine.client();
        editor.ok(json!({"op": "open", "path": "a.rs", "version": 1, "text": BRANCHY}));
        tail.expect(&a, "defect");
    }
    // The editor is gone: the disk's text (simple) is the truth again.
    tail.expect(&a, "cleared");
    let mut other = engine.client();
    assert_eq!(other.stats()["open_documents"], 0);
}

#[test]
fn the_protocol_works_over_stdin_and_stdout() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "a.py", "def f(x):\n    return x\n");
    let ring_dir = tempfile::tempdir().unwrap();
    let mut child = codepulse()
        .args(["watch", "--stdin", "--no-watch-files"])
        .arg(root.path())
        .env("CODEPULSE_RING_DIR", ring_dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let replies = lines_of(child.stdout.take().unwrap());
    let text = "def f(x):\n    if x:\n        return 1\n    return x\n";
    writeln!(
        stdin,
        "{}",
        json!({"op": "open", "path": "a.py", "version": 3, "text": text, "id": "o"})
    )
    .unwrap();
    writeln!(stdin, "{}", json!({"op": "stats", "id": 2})).unwrap();
    let open: Value =
        serde_json::from_str(&wait_line(&replies, "the open reply", |_| true)).unwrap();
    assert_eq!(
        (open["id"].as_str(), open["ok"].as_bool()),
        (Some("o"), Some(true))
    );
    let stats: Value =
        serde_json::from_str(&wait_line(&replies, "the stats reply", |_| true)).unwrap();
    assert_eq!(stats["id"], 2);
    assert_eq!(stats["stats"]["functions"], 1);
    drop(stdin);
    assert_eq!(
        child.wait().unwrap().code(),
        Some(0),
        "the end of stdin stops the engine"
    );
}

/// docs/protocol.md's example session, replayed: every reply has the documented fields, with
/// the documented values except measured ones (latencies, memory, pid, tick numbers).
#[test]
fn the_documented_example_session_is_what_the_engine_answers() {
    let doc = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/protocol.md"))
        .unwrap();
    let session = &doc[doc.find("## Example session").expect("the section")..];
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "src/app.py", "def f(x):\n    return x\n");
    let engine = Engine::start_in(root, &["--no-watch-files"]);
    let mut client = engine.client();
    let mut exchanges = 0;
    let mut lines = session.lines();
    while let Some(line) = lines.next() {
        let Some(request) = line.strip_prefix("> ") else {
            continue;
        };
        let documented: Value = serde_json::from_str(
            lines
                .next()
                .and_then(|l| l.strip_prefix("< "))
                .expect("a reply line after each request"),
        )
        .unwrap();
        let reply = client.send_line(request);
        same_shape(&documented, &reply, request);
        exchanges += 1;
    }
    assert_eq!(exchanges, 5);
}

/// The same keys (recursively) and the same values, except for measured numbers.
fn same_shape(documented: &Value, got: &Value, context: &str) {
    const MEASURED: &[&str] = &[
        "tick",
        "latency_us",
        "rss_bytes",
        "pid",
        "cached_bytes",
        "ticks",
        // Inputs over the latency budget: a measurement (a loaded machine or a debug build
        // goes over 5 ms), not behaviour.
        "over_budget",
    ];
    match (documented, got) {
        (Value::Object(d), Value::Object(g)) => {
            let mut dk: Vec<&String> = d.keys().collect();
            let mut gk: Vec<&String> = g.keys().collect();
            dk.sort();
            gk.sort();
            assert_eq!(
                dk, gk,
                "{context}: the reply {got} has other fields than documented"
            );
            for (k, v) in d {
                if MEASURED.contains(&k.as_str()) {
                    continue;
                }
                same_shape(v, &g[k], context);
            }
        }
        (d, g) => assert_eq!(d, g, "{context}: documented {d}, got {g}"),
    }
}

#[test]
fn a_consumer_asking_for_a_resync_gets_the_state_of_every_failing_file() {
    let engine = Engine::start(&[
        ("codepulse.toml", CONFIG),
        ("bad.rs", BRANCHY),
        ("good.rs", SIMPLE),
    ]);
    let tail = engine.tail_with(&["--resync"]);
    let bad = engine.root().join("bad.rs");
    // The warm-up's payload first, then the engine's answer to the resync request.
    tail.expect(&bad, "defect");
    let resync = tail.expect(&bad, "resync");
    assert_eq!(resync["cyclomatic"], 5);
    let mut client = engine.client();
    assert_eq!(client.stats()["resyncs"], 1);
}

/// One HTTP/1.1 request to the metrics server; the status line and the body.
fn http(addr: &str, method: &str, path: &str) -> (String, String) {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).expect("the metrics server accepts");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    (
        head.lines().next().unwrap_or("").to_owned(),
        body.to_owned(),
    )
}

#[test]
fn prometheus_metrics_are_served_and_valid() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "codepulse.toml", CONFIG);
    write(root.path(), "a.rs", SIMPLE);
    let engine = Engine::start_in(root, &["--metrics-addr", "127.0.0.1:0"]);
    let mut client = engine.client();
    client.ok(json!({"op": "open", "path": "a.rs", "version": 1, "text": BRANCHY}));
    client.ok(json!({"op": "edit", "path": "a.rs", "version": 2,
        "changes": [{"start": 0, "end": 0, "text": "// x\n"}]}));
    // The address is printed before the warm-up line; find it in what the engine said.
    let addr = engine.metrics.clone().expect("the metrics line");
    let (status, body) = http(&addr, "GET", "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    for expected in [
        "# TYPE codepulse_stage_duration_seconds histogram",
        "codepulse_stage_duration_seconds_bucket{stage=\"parse\",le=\"+Inf\"} ",
        "codepulse_stage_duration_seconds_count{stage=\"edit_to_emit\"} 2",
        "codepulse_edits_total 2",
        "codepulse_open_documents 1",
        "codepulse_files 1",
    ] {
        assert!(body.contains(expected), "no {expected:?} in\n{body}");
    }
    assert_eq!(http(&addr, "GET", "/").0, "HTTP/1.1 404 Not Found");
    assert_eq!(
        http(&addr, "POST", "/metrics").0,
        "HTTP/1.1 405 Method Not Allowed"
    );

    // promtool (Debian package `prometheus`, installed by .ci/run) validates the exposition.
    let promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match promtool {
        Ok(mut child) => {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(body.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "promtool check metrics: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Err(e) => assert!(
            std::env::var_os("CODEPULSE_REQUIRE_PROMTOOL").is_none(),
            "promtool is required here (CODEPULSE_REQUIRE_PROMTOOL is set) but cannot run: {e}"
        ),
    }
}

#[test]
fn inputs_over_the_latency_budget_are_counted() {
    // A budget no tick can meet: every applied input is over it.
    let config = "max_latency_ms = 0.000001\n";
    let engine = Engine::start(&[("codepulse.toml", config), ("a.rs", SIMPLE)]);
    let mut client = engine.client();
    client.ok(json!({"op": "open", "path": "a.rs", "version": 1, "text": SIMPLE}));
    client.ok(json!({"op": "edit", "path": "a.rs", "version": 2,
        "changes": [{"start": 0, "end": 0, "text": "\n"}]}));
    let stats = client.stats();
    assert_eq!(stats["over_budget"], 2, "{stats}");
    assert_eq!(stats["latency_us"]["count"], 2, "{stats}");
}
