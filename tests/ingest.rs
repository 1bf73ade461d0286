//! End-to-end tests of `codepulse ingest`: the real binary reads a code dump in a temporary
//! directory; its report must equal `analyze`'s of the same files written to disk, its warnings
//! must name the bad markers, and it must create, read or write nothing but the dump.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

mod support;

use support::{codepulse, stderr};

fn json(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Every path under `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(at) = todo.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            found.insert(path.strip_prefix(dir).unwrap().to_path_buf());
            if path.is_dir() {
                todo.push(path);
            }
        }
    }
    found
}

/// The files of the dump that are analysed: name and bytes. Each ends with a newline, so the
/// dump gives them back byte for byte.
const GOOD: &[(&str, &[u8])] = &[
    (
        "src/lib.rs",
        b"pub struct Point;\n\nimpl Point {\n    pub fn norm(&self, k: i32) -> i32 {\n        \
          if k > 0 { k } else { -k }\n    }\n}\n\nfn helper(xs: &[i32]) -> i32 {\n    let mut n = 0;\n    \
          for x in xs {\n        while n < *x {\n            n += 1;\n        }\n    }\n    n\n}\n",
    ),
    (
        "pkg/util.py",
        b"class Greeter:\n    def greet(self, name):\n        if name and name != 'x':\n            \
          return name\n        return 'x'\n\n\ndef top(a, b=1):\n    return [i for i in range(a) if i % b]\n",
    ),
    // Invalid UTF-8: analysed lossily and flagged, as analyze does.
    ("lossy.rs", b"// caf\xe9\nfn f() {}\n"),
    // A NUL byte: skipped as binary, as analyze does.
    ("blob.c", b"int x;\0\n"),
    // CRLF line endings are the file's.
    ("win.go", b"package w\r\n\r\nfunc W(a int) int {\r\n\tif a > 1 {\r\n\t\treturn a\r\n\t}\r\n\treturn 0\r\n}\r\n"),
];

/// The dump: a preamble, the good files, and sections whose names try to leave the dump.
/// Returns the dump and the lines of the escaping markers.
fn dump() -> (Vec<u8>, Vec<(usize, &'static str)>) {
    let mut dump = b"Code dump of the project; files follow.\n".to_vec();
    let mut bad = Vec::new();
    let mut line = 2;
    let mut add = |dump: &mut Vec<u8>, name: &str, text: &[u8]| {
        dump.extend_from_slice(format!("FILE: {name}\n").as_bytes());
        dump.extend_from_slice(text);
        let at = line;
        line += 1 + text.iter().filter(|&&b| b == b'\n').count();
        at
    };
    for (i, (name, text)) in GOOD.iter().enumerate() {
        add(&mut dump, name, text);
        if i == 1 {
            let at = add(&mut dump, "../escape.rs", b"fn escaped() {}\n");
            bad.push((at, "../escape.rs"));
            let at = add(&mut dump, "/etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n");
            bad.push((at, "/etc/passwd"));
            let at = add(&mut dump, "src/../../up.rs", b"fn up() {}\n");
            bad.push((at, "src/../../up.rs"));
        }
    }
    (dump, bad)
}

/// Everything of a report but where it came from and the dump's own problems.
fn analysis(report: &Value) -> Value {
    let mut report = report.clone();
    let object = report.as_object_mut().unwrap();
    object.remove("root");
    object["diagnostics"]
        .as_array_mut()
        .unwrap()
        .retain(|d| !d["kind"].as_str().unwrap().starts_with("dump-"));
    object["summary"]
        .as_object_mut()
        .unwrap()
        .remove("diagnostics");
    report
}

/// Regression (issue 6): `ingest` analyses the dump's files exactly as `analyze` analyses the
/// same files on disk, reports the escaping markers with their lines, and follows none of them.
#[test]
fn issue_6_ingest_equals_analyze_and_follows_no_path() {
    let outer = TempDir::new().unwrap();
    let work = outer.path().join("work");
    fs::create_dir(&work).unwrap();
    let (dump, bad) = dump();
    fs::write(work.join("dump.txt"), &dump).unwrap();
    let before = tree(outer.path());
    let passwd = fs::metadata("/etc/passwd").and_then(|m| m.modified()).ok();

    let out = codepulse(
        &work,
        &["ingest", "dump.txt", "--format", "json", "-j", "2"],
        None,
    );
    let ingested = json(&out);

    // Nothing was created, here or above; the escaping names were not followed.
    assert_eq!(tree(outer.path()), before);
    assert!(!outer.path().join("escape.rs").exists());
    assert!(!outer.path().join("up.rs").exists());
    assert_eq!(
        fs::metadata("/etc/passwd").and_then(|m| m.modified()).ok(),
        passwd
    );

    // The same files analysed from disk.
    let disk = TempDir::new().unwrap();
    for (name, text) in GOOD {
        write(disk.path(), name, text);
    }
    let analyzed = json(&codepulse(
        disk.path(),
        &["analyze", ".", "--format", "json", "-j", "2"],
        None,
    ));
    assert_eq!(analysis(&ingested), analysis(&analyzed));
    // Not vacuous: the files and functions are there.
    let files: Vec<&str> = ingested["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["lossy.rs", "pkg/util.py", "src/lib.rs", "win.go"]);
    let functions: Vec<&str> = ingested["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["functions"].as_array().unwrap())
        .map(|g| g["qualified_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        functions,
        ["f", "Greeter.greet", "top", "Point::norm", "helper", "W"]
    );
    assert_eq!(ingested["skipped"][0]["path"], "blob.c");
    assert_eq!(
        ingested["root"],
        std::path::absolute(work.join("dump.txt"))
            .unwrap()
            .display()
            .to_string()
    );

    // The dump's problems: in the JSON with their lines, and as warnings.
    let mut want = vec![serde_json::json!({
        "path": "dump.txt:1",
        "kind": "dump-format",
        "message": "line 1 comes before the first `FILE:` marker; ignored",
    })];
    for (line, name) in &bad {
        let why = if name.starts_with('/') {
            "an absolute name (names are relative to the dump)"
        } else {
            "a `..` component (names stay inside the dump)"
        };
        want.push(serde_json::json!({
            "path": format!("dump.txt:{line}"),
            "kind": "dump-path",
            "message": format!("`FILE: {name}`: {why}; skipped"),
        }));
    }
    let problems: Vec<Value> = ingested["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"].as_str().unwrap().starts_with("dump-"))
        .cloned()
        .collect();
    assert_eq!(problems, want);
    let warnings = stderr(&out);
    for (line, name) in &bad {
        let warning = format!("codepulse: warning: dump.txt:{line}: `FILE: {name}`: ");
        assert!(warnings.contains(&warning), "{warning} in {warnings}");
    }
}

/// `-` reads the dump from stdin; the table is `analyze`'s.
#[test]
fn issue_6_ingest_reads_stdin() {
    let dir = TempDir::new().unwrap();
    let (dump, _) = dump();
    let out = codepulse(dir.path(), &["ingest", "-", "--top", "1"], Some(&dump));
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = table.lines().collect();
    assert!(rows[0].starts_with("location"), "{table}");
    assert!(
        rows[1].starts_with("src/lib.rs:9 ") && rows[1].contains("helper"),
        "{table}"
    );
    assert!(
        rows[3].starts_with("4 files analysed, 6 functions, 2 dead symbols, 1 skipped"),
        "{table}"
    );
    assert!(
        stderr(&out).contains("codepulse: warning: <stdin>:1: "),
        "{}",
        stderr(&out)
    );
    assert_eq!(tree(dir.path()), BTreeSet::new());

    let json_out = codepulse(
        dir.path(),
        &["ingest", "-", "--format", "json"],
        Some(&dump),
    );
    assert_eq!(json(&json_out)["root"], "<stdin>");
}

/// A dump that is missing or a directory is a usage error with a one-line message.
#[test]
fn issue_6_ingest_of_a_missing_dump_or_a_directory_exits_2() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    for (dump, why) in [
        ("missing.txt", "cannot read the dump `missing.txt`: "),
        ("sub", "cannot read the dump `sub`: it is a directory"),
    ] {
        let out = codepulse(dir.path(), &["ingest", dump], None);
        assert_eq!(out.status.code(), Some(2), "{dump}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{dump}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("codepulse: error: {why}")),
            "{err}"
        );
    }
    let out = codepulse(dir.path(), &["ingest"], None);
    assert_eq!(out.status.code(), Some(2), "no dump given");
}

/// A dump without markers is analysed as holding no files, with a warning.
#[test]
fn issue_6_ingest_of_a_dump_without_markers_warns() {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("d.txt"), "fn main() {}\n").unwrap();
    let out = codepulse(dir.path(), &["ingest", "d.txt", "--format", "json"], None);
    let report = json(&out);
    assert_eq!(report["summary"]["files"], 0);
    assert_eq!(report["diagnostics"][0]["kind"], "dump-format");
    assert!(
        stderr(&out).contains("codepulse: warning: d.txt:1: no `FILE: <name>` marker"),
        "{}",
        stderr(&out)
    );
}
