//! End-to-end tests of the symbol graph through the real binary: `analyze --format json` lists
//! dead symbols per file, `query` and `context` answer over a tree and over a dump (text and
//! JSON, exit 3 for an unknown or ambiguous symbol), and the live engine answers `query` and
//! `context` messages from the graph as it is after the edits before them.

use std::fs;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

mod support;

use support::{codepulse, stderr};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(out)))
}

const LIB: &str = "\
pub mod shapes;

/// The total area.
pub fn total(c: &shapes::Circle) -> f64 {
    helper(c.area())
}

fn helper(x: f64) -> f64 {
    x * 2.0
}

fn unused_private() -> u32 {
    7
}

fn ping(n: u32) -> u32 {
    if n == 0 { 0 } else { pong(n - 1) }
}

fn pong(n: u32) -> u32 {
    if n == 0 { 1 } else { ping(n - 1) }
}

pub fn entry() -> u32 {
    ping(3)
}
";

const SHAPES: &str = "\
pub trait Area {
    fn area(&self) -> f64;
}

pub struct Circle {
    pub r: f64,
}

impl Area for Circle {
    fn area(&self) -> f64 {
        3.0 * self.r * self.r
    }
}
";

fn project() -> TempDir {
    let dir = TempDir::new().unwrap();
    for (rel, text) in [("src/lib.rs", LIB), ("src/shapes.rs", SHAPES)] {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn issue_6_analyze_json_lists_dead_symbols_per_file() {
    let dir = project();
    let out = codepulse(dir.path(), &["analyze", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let files = report["files"].as_array().unwrap();
    let lib = files.iter().find(|f| f["path"] == "src/lib.rs").unwrap();
    let dead: Vec<&str> = lib["dead_symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["qualified_name"].as_str().unwrap())
        .collect();
    // Private and unreferenced: dead. `helper` is called, `ping`/`pong` are reached from the
    // exported `entry`, `total` and `entry` are exported.
    assert_eq!(dead, ["unused_private"], "{lib}");
    let first = &lib["dead_symbols"][0];
    assert_eq!(first["kind"], "function");
    assert_eq!(first["start_line"], 12);
    assert!(lib["dead_symbol_ratio"].as_f64().unwrap() > 0.0);
    assert_eq!(report["summary"]["dead_symbols"], 1);
    let shapes = files.iter().find(|f| f["path"] == "src/shapes.rs").unwrap();
    assert_eq!(shapes["dead_symbols"], Value::Array(vec![]), "{shapes}");
}

#[test]
fn issue_6_query_answers_over_a_tree_in_text_and_json() {
    let dir = project();
    let root = dir.path();
    let out = codepulse(root, &["query", "callers", "helper"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("src/lib.rs:total@L4"),
        "{}",
        stdout(&out)
    );

    let out = codepulse(
        root,
        &["query", "what-implements", "Area", "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let answer = json(&out);
    assert_eq!(answer["query"], "what-implements");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{answer}");
    assert_eq!(results[0]["label"], "src/shapes.rs:Circle@L9");

    // ping and pong call each other: one cycle with both.
    let out = codepulse(root, &["query", "find-cycles", "--format", "json"], None);
    let answer = json(&out);
    let cycles = answer["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 1, "{answer}");
    let members: Vec<&str> = cycles[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["qualified_name"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["ping", "pong"]);

    // Who is affected if `pong` changes: `ping` (1), `entry` (2), and `pong` itself is not
    // listed.
    let out = codepulse(
        root,
        &[
            "query",
            "blast-radius",
            "pong",
            "--depth",
            "2",
            "--format",
            "json",
        ],
        None,
    );
    let answer = json(&out);
    let reached: Vec<(String, u64)> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["qualified_name"].as_str().unwrap().to_string(),
                r["distance"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reached,
        [("ping".to_string(), 1), ("entry".to_string(), 2)],
        "{answer}"
    );
}

#[test]
fn issue_6_unknown_or_ambiguous_symbols_exit_3_with_the_candidates() {
    let dir = project();
    let out = codepulse(dir.path(), &["query", "callers", "area"], None);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ambiguous: 2 candidates"), "{text}");
    assert!(text.contains("src/shapes.rs:Area::area@L2"), "{text}");
    assert!(text.contains("src/shapes.rs:Circle::area@L10"), "{text}");

    let out = codepulse(
        dir.path(),
        &["context", "no_such_thing", "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(json(&out)["error"], "not-found");

    // A bad option is a usage error (clap).
    let out = codepulse(dir.path(), &["query", "callers"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn issue_6_context_is_trimmed_to_its_budget_and_reads_the_doc_comment() {
    let dir = project();
    let out = codepulse(dir.path(), &["context", "total", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let brief = json(&out);
    assert_eq!(brief["doc"], "The total area.", "{brief}");
    assert!(
        brief["signature"]
            .as_str()
            .unwrap()
            .starts_with("pub fn total"),
        "{brief}"
    );
    let metrics = brief["metrics"].to_string();
    assert!(metrics.contains("cyclomatic"), "{brief}");

    for budget in [30usize, 60, 120] {
        let b = budget.to_string();
        let out = codepulse(dir.path(), &["context", "total", "--budget", &b], None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let chars = stdout(&out).chars().count();
        assert!(
            chars.div_ceil(4) <= budget,
            "{chars} characters over a budget of {budget} tokens:\n{}",
            stdout(&out)
        );
    }
    let out = codepulse(dir.path(), &["context", "total", "--budget", "2"], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot hold"), "{}", stderr(&out));
}

#[test]
fn issue_6_query_over_a_dump() {
    let dir = TempDir::new().unwrap();
    let dump = format!("FILE: src/lib.rs\n{LIB}FILE: src/shapes.rs\n{SHAPES}");
    fs::write(dir.path().join("dump.txt"), &dump).unwrap();
    let out = codepulse(
        dir.path(),
        &["query", "callers", "helper", "--dump", "dump.txt"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("src/lib.rs:total@L4"),
        "{}",
        stdout(&out)
    );
    // The doc comment comes from the dump's text.
    let out = codepulse(
        dir.path(),
        &["context", "total", "--dump", "-", "--format", "json"],
        Some(dump.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["doc"], "The total area.");
}

#[test]
fn issue_6_the_live_engine_answers_from_the_graph_after_an_edit() {
    let dir = project();
    let lib = dir.path().join("src/lib.rs");
    let text = fs::read_to_string(&lib).unwrap();
    // Open the file, then make `unused_private` called by `helper`: its callers change.
    let at = text.find("x * 2.0").unwrap();
    let open = serde_json::json!({"op":"open","id":1,"path":"src/lib.rs","version":1,"text":text});
    let edit = serde_json::json!({"op":"edit","id":2,"path":"src/lib.rs","version":2,
        "changes":[{"start":at,"end":at + "x * 2.0".len(),"text":"x * unused_private() as f64"}]});
    let query = serde_json::json!({"op":"query","id":3,"args":["callers","unused_private"]});
    let context = serde_json::json!({"op":"context","id":4,"symbol":"helper","format":"json"});
    let bad = serde_json::json!({"op":"query","id":5,"args":["callers"]});
    // The replies are read before stdin ends: at its end the engine closes the documents of
    // the client, and a close in the same batch would be in the graph the replies see.
    let mut child = Command::new(env!("CARGO_BIN_EXE_codepulse"))
        .args(["watch", "--stdin", "--no-watch-files"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = support::lines_of(child.stdout.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{open}\n{edit}\n{query}\n{context}\n{bad}").unwrap();
    let mut replies: Vec<Value> = Vec::new();
    for id in 1..=5 {
        let line = support::wait_line(&lines, &format!("reply {id}"), |l| {
            serde_json::from_str::<Value>(l).is_ok_and(|v| v["id"] == id)
        });
        replies.push(serde_json::from_str(&line).unwrap());
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let reply = |id: u64| {
        replies
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no reply {id}: {replies:?}"))
    };
    assert_eq!(reply(2)["ok"], true, "{replies:?}");
    let answer = &reply(3)["answer"];
    let callers: Vec<&str> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["qualified_name"].as_str().unwrap())
        .collect();
    assert_eq!(callers, ["helper"], "{answer}");
    let brief = &reply(4)["context"];
    assert_eq!(brief["symbol"]["label"], "src/lib.rs:helper@L8", "{brief}");
    assert_eq!(
        brief["callees"][0]["symbol"],
        "src/lib.rs:unused_private@L12"
    );
    assert_eq!(reply(5)["ok"], false);
    assert!(
        reply(5)["error"]
            .as_str()
            .unwrap()
            .contains("needs a symbol"),
        "{replies:?}"
    );
}
