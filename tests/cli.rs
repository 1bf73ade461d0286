//! End-to-end tests of the `codepulse` binary: each builds a small tree in a temporary
//! directory, runs the real binary on it and checks what it prints and how it exits.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

fn codepulse(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_codepulse"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the codepulse binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `codepulse analyze --format json <extra> .` in `dir`, asserts exit 0, parses stdout.
fn analyze_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["analyze", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let out = codepulse(dir, &args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(&out)))
}

fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

fn file_paths(report: &Value) -> Vec<&str> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect()
}

fn file<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no file {path} in {:#}", report["files"]))
}

fn function<'a>(report: &'a Value, path: &str, qualified: &str) -> &'a Value {
    file(report, path)["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["qualified_name"] == qualified)
        .unwrap_or_else(|| {
            panic!(
                "no function {qualified} in {path}: {:#}",
                file(report, path)
            )
        })
}

fn skipped<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == path)
        .unwrap_or_else(|| panic!("{path} not skipped: {:#}", report["skipped"]))
}

fn has_diagnostic(report: &Value, path: &str, kind: &str) -> bool {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["path"] == path && d["kind"] == kind)
}

const JAVA: &str = r#"class App {
  int sumOfPrimes(int max) {
    int total = 0;
    OUT: for (int i = 1; i <= max; ++i) {
      for (int j = 2; j < i; ++j) {
        if (i % j == 0) {
          continue OUT;
        }
      }
      total += i;
    }
    return total;
  }

  String getWords(int number) {
    switch (number) {
      case 1: return "one";
      case 2: return "a couple";
      case 3: return "a few";
      default: return "lots";
    }
  }
}
"#;

/// One file per language (and JSX), with the qualified names each should yield.
const TREE: &[(&str, &str, &str, &str)] = &[
    (
        "src/lib.rs",
        "rust",
        "struct Point;\n\nimpl Point {\n    fn norm(&self, k: i32) -> i32 {\n        if k > 0 { k } else { -k }\n    }\n}\n",
        "Point::norm",
    ),
    (
        "py/app.py",
        "python",
        "class Greeter:\n    def greet(self, name):\n        if name:\n            return name\n        return 'x'\n",
        "Greeter.greet",
    ),
    (
        "web/util.js",
        "javascript",
        "function add(a, b) {\n  return a + b;\n}\n",
        "add",
    ),
    (
        "web/view.jsx",
        "javascript",
        "function View(props) {\n  return <div>{props.x}</div>;\n}\n",
        "View",
    ),
    (
        "web/types.ts",
        "typescript",
        "function parse(s: string): number {\n  return s.length;\n}\n",
        "parse",
    ),
    (
        "web/comp.tsx",
        "tsx",
        "function Comp(p: { x: number }) {\n  return <b>{p.x}</b>;\n}\n",
        "Comp",
    ),
    (
        "c/main.c",
        "c",
        "int sum(int a, int b) {\n  return a + b;\n}\n",
        "sum",
    ),
    (
        "cpp/shapes.cpp",
        "cpp",
        "namespace geo {\nint area(int w, int h) {\n  return w * h;\n}\n}\n",
        "geo::area",
    ),
    (
        "go/server.go",
        "go",
        "package main\n\nfunc Serve(port int) error {\n\treturn nil\n}\n",
        "Serve",
    ),
    ("java/App.java", "java", JAVA, "App.sumOfPrimes"),
];

fn multi_language_tree() -> TempDir {
    let dir = TempDir::new().unwrap();
    for (path, _, source, _) in TREE {
        write(dir.path(), path, source);
    }
    write(dir.path(), "README.md", "not source\n");
    dir
}

#[test]
fn json_report_follows_the_contract_for_every_language() {
    let dir = multi_language_tree();
    let report = analyze_json(dir.path(), &[]);

    assert!(report["root"].is_string());
    let mut expected_paths: Vec<&str> = TREE.iter().map(|t| t.0).collect();
    expected_paths.sort();
    assert_eq!(
        file_paths(&report),
        expected_paths,
        "files sorted by path, README.md left out"
    );

    for (path, language, _, qualified) in TREE {
        let f = file(&report, path);
        assert_eq!(f["language"], *language, "{path}");
        assert_eq!(f["parse_errors"], 0, "{path}");
        assert_eq!(f["lossy_utf8"], false, "{path}");
        assert!(f["totals"].is_object(), "{path}");
        let func = function(&report, path, qualified);
        for field in [
            "start_line",
            "end_line",
            "cyclomatic",
            "cognitive",
            "max_nesting",
            "loc",
            "params",
        ] {
            assert!(
                func[field].is_u64(),
                "{path} {qualified}: {field} in {func}"
            );
        }
        assert!(func["name"].is_string());
        let starts: Vec<u64> = f["functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["start_line"].as_u64().unwrap())
            .collect();
        assert!(
            starts.is_sorted(),
            "{path}: functions sorted by start line: {starts:?}"
        );
    }

    let norm = function(&report, "src/lib.rs", "Point::norm");
    assert_eq!(norm["name"], "norm");
    assert_eq!(
        (norm["start_line"].as_u64(), norm["end_line"].as_u64()),
        (Some(4), Some(6))
    );
    assert_eq!(norm["loc"], 3);
    assert_eq!(norm["params"], 2);
    assert_eq!(norm["cyclomatic"], 2);
    assert_eq!(function(&report, "web/util.js", "add")["params"], 2);

    let primes = function(&report, "java/App.java", "App.sumOfPrimes");
    assert_eq!(
        (primes["cognitive"].as_u64(), primes["cyclomatic"].as_u64()),
        (Some(7), Some(4))
    );
    let words = function(&report, "java/App.java", "App.getWords");
    assert_eq!(
        (words["cognitive"].as_u64(), words["cyclomatic"].as_u64()),
        (Some(1), Some(4))
    );

    assert_eq!(report["summary"]["files"], TREE.len());
    assert_eq!(report["summary"]["skipped"], 0);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 0);
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn json_output_does_not_depend_on_thread_count() {
    let dir = multi_language_tree();
    let one = analyze_json(dir.path(), &["--threads", "1"]);
    let two = analyze_json(dir.path(), &["--threads", "2"]);
    assert_eq!(one, two);
}

#[test]
fn table_lists_the_worst_function_first() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "easy.py", "def easy(a):\n    return a\n");
    write(
        dir.path(),
        "pkg/hard.py",
        "def helper():\n    pass\n\n\ndef tangled(a, b):\n    for x in a:\n        if x:\n            while b:\n                if x and b:\n                    b -= 1\n    return b\n",
    );
    let out = codepulse(dir.path(), &["analyze", "."]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    for column in ["cyc", "cog", "nest", "loc", "params"] {
        assert!(header.contains(column), "header {header:?}");
    }
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("pkg/hard.py:5"),
        "first row: {first:?}\n{text}"
    );
    assert!(first.contains("tangled"), "first row: {first:?}");
    assert!(text.contains("2 files analysed"), "{text}");
    assert!(text.contains("3 functions"), "{text}");
}

#[test]
fn table_top_limits_the_rows() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.go",
        "package a\n\nfunc A() {}\n\nfunc B() {}\n\nfunc C() {}\n",
    );
    let out = codepulse(dir.path(), &["analyze", "--top", "1", "."]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    let rows = text.lines().filter(|l| l.starts_with("a.go:")).count();
    assert_eq!(rows, 1, "{text}");
}

#[test]
fn analyze_without_a_path_analyses_the_current_directory() {
    // (Plain `codepulse` watches the current directory: tests/live.rs.)
    let dir = TempDir::new().unwrap();
    write(dir.path(), "only.rs", "fn only_one() {}\n");
    let out = codepulse(dir.path(), &["analyze"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert!(stdout(&out).contains("only.rs:1"), "{}", stdout(&out));
    assert!(stdout(&out).contains("only_one"), "{}", stdout(&out));
}

#[test]
fn missing_path_exits_2_with_a_one_line_message() {
    let dir = TempDir::new().unwrap();
    let out = codepulse(dir.path(), &["analyze", "does/not/exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("codepulse: error: "), "{err:?}");
    assert!(err.contains("does/not/exist"), "{err:?}");
}

#[test]
fn unknown_option_is_a_usage_error() {
    let dir = TempDir::new().unwrap();
    let out = codepulse(dir.path(), &["analyze", "--no-such-option"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn gitignored_and_vendored_files_are_skipped() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "ignored.py\ngenerated/\n");
    write(root, ".ignore", "scratch.rs\n");
    write(root, "kept.rs", "fn kept() {}\n");
    write(root, "ignored.py", "def ignored():\n    pass\n");
    write(root, "scratch.rs", "fn scratch() {}\n");
    write(root, "generated/gen.rs", "fn gen() {}\n");
    write(root, "node_modules/pkg/index.js", "function dep() {}\n");
    write(root, "web/node_modules/pkg/index.js", "function dep() {}\n");
    write(root, "vendor/lib.go", "package lib\n\nfunc V() {}\n");
    write(root, "target/debug/build.rs", "fn built() {}\n");
    write(root, "__pycache__/x.py", "def cached():\n    pass\n");
    let report = analyze_json(root, &[]);
    assert_eq!(file_paths(&report), ["kept.rs"]);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 0);
}

#[test]
fn hidden_files_and_directories_are_skipped() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "visible.py", "def visible():\n    pass\n");
    write(root, ".hidden/secret.py", "def secret():\n    pass\n");
    write(root, "src/.cache/cached.rs", "fn cached() {}\n");
    write(root, ".eslintrc.js", "function config() {}\n");
    let report = analyze_json(root, &[]);
    assert_eq!(file_paths(&report), ["visible.py"]);
}

#[test]
fn invalid_utf8_is_analysed_lossily_flagged_and_reported() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "latin1.py",
        b"# caf\xe9\ndef f(x):\n    return x\n",
    );
    let report = analyze_json(dir.path(), &[]);
    let f = file(&report, "latin1.py");
    assert_eq!(f["lossy_utf8"], true);
    assert_eq!(function(&report, "latin1.py", "f")["start_line"], 2);
    assert!(
        has_diagnostic(&report, "latin1.py", "lossy-utf8"),
        "{:#}",
        report["diagnostics"]
    );
    assert_eq!(report["summary"]["lossy_utf8_files"], 1);

    let out = codepulse(dir.path(), &["analyze", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("codepulse: warning: latin1.py: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn binary_file_with_a_source_extension_is_skipped_and_reported() {
    let dir = TempDir::new().unwrap();
    let mut blob = b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec();
    blob.extend(std::iter::repeat_n(0xAAu8, 4096));
    write(dir.path(), "blob.c", blob);
    write(dir.path(), "ok.c", "int ok(void) { return 0; }\n");
    let report = analyze_json(dir.path(), &[]);
    assert_eq!(file_paths(&report), ["ok.c"]);
    assert_eq!(skipped(&report, "blob.c")["reason"], "binary");
    assert!(has_diagnostic(&report, "blob.c", "binary"));
    assert_eq!(report["summary"]["skipped"], 1);
}

#[test]
fn file_over_max_file_size_is_skipped() {
    let dir = TempDir::new().unwrap();
    let big = format!("function big() {{\n{}}}\n", "  let x = 1;\n".repeat(200));
    write(dir.path(), "big.js", &big);
    write(dir.path(), "small.js", "function small() {}\n");
    let report = analyze_json(dir.path(), &["--max-file-size", "1000"]);
    assert_eq!(file_paths(&report), ["small.js"]);
    assert_eq!(skipped(&report, "big.js")["reason"], "too-large");

    let report = analyze_json(dir.path(), &[]);
    assert_eq!(
        file_paths(&report),
        ["big.js", "small.js"],
        "the default limit is far higher"
    );
}

#[test]
fn file_with_syntax_errors_is_measured_and_flagged() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "broken.rs",
        "fn ok(a: i32) -> i32 {\n    if a > 0 { 1 } else { 2 }\n}\n\nfn broken( {\n    let x = ;\n}\n",
    );
    let report = analyze_json(dir.path(), &[]);
    let f = file(&report, "broken.rs");
    assert!(f["parse_errors"].as_u64().unwrap() > 0, "{f:#}");
    let ok = function(&report, "broken.rs", "ok");
    assert_eq!(ok["cyclomatic"], 2);
    assert_eq!(report["summary"]["files_with_parse_errors"], 1);
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_and_the_run_goes_on() {
    // Runs as root in CI, where permissions do not stop reads: a socket cannot be read by anyone.
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.rs", "fn good() {}\n");
    let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("bad.rs")).unwrap();

    let out = codepulse(dir.path(), &["analyze", "."]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("codepulse: warning: bad.rs: "),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("good"), "{}", stdout(&out));

    let report = analyze_json(dir.path(), &[]);
    assert_eq!(file_paths(&report), ["good.rs"]);
    assert_eq!(skipped(&report, "bad.rs")["reason"], "unreadable");
    assert!(has_diagnostic(&report, "bad.rs", "unreadable"));
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_without_hanging() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a/f.rs", "fn f() {}\n");
    std::os::unix::fs::symlink("..", dir.path().join("a/loop")).unwrap();

    let report = analyze_json(dir.path(), &[]);
    assert_eq!(file_paths(&report), ["a/f.rs"]);
    assert!(
        has_diagnostic(&report, "a/loop", "symlink-loop"),
        "{:#}",
        report["diagnostics"]
    );

    let out = codepulse(dir.path(), &["analyze", "."]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("codepulse: warning: a/loop: "),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn broken_symlink_is_reported_and_the_run_goes_on() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "ok.py", "def ok():\n    pass\n");
    std::os::unix::fs::symlink("nowhere.py", dir.path().join("dangling.py")).unwrap();
    let report = analyze_json(dir.path(), &[]);
    assert_eq!(file_paths(&report), ["ok.py"]);
    assert!(
        has_diagnostic(&report, "dangling.py", "discovery"),
        "{:#}",
        report["diagnostics"]
    );
}

#[cfg(unix)]
#[test]
fn symlinked_file_is_analysed_once_and_not_followed_on_request() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "real/f.go", "package real\n\nfunc F() {}\n");
    std::os::unix::fs::symlink("real", dir.path().join("alias")).unwrap();
    let outside = TempDir::new().unwrap();
    write(outside.path(), "ext.go", "package ext\n\nfunc E() {}\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();

    let report = analyze_json(dir.path(), &[]);
    assert_eq!(file_paths(&report), ["linked/ext.go", "real/f.go"]);

    let report = analyze_json(dir.path(), &["--no-follow-symlinks"]);
    assert_eq!(file_paths(&report), ["real/f.go"]);
}

#[test]
fn ten_thousand_nested_ifs_do_not_overflow_the_stack() {
    const DEPTH: u64 = 10_000;
    let mut c = String::from("int deep(int x) {\n");
    for _ in 0..DEPTH {
        c.push_str("if (x) {\n");
    }
    c.push_str("x++;\n");
    for _ in 0..DEPTH {
        c.push_str("}\n");
    }
    c.push_str("return x;\n}\n");
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deep.c", c);

    let report = analyze_json(dir.path(), &[]);
    assert_eq!(file(&report, "deep.c")["parse_errors"], 0);
    let deep = function(&report, "deep.c", "deep");
    assert_eq!(deep["cognitive"], DEPTH * (DEPTH + 1) / 2);
    assert_eq!(deep["max_nesting"], DEPTH);
    assert_eq!(deep["cyclomatic"], DEPTH + 1);
}

#[test]
fn invalid_configuration_lists_every_problem_and_exits_2() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.rs", "fn a() {}\n");
    write(
        dir.path(),
        "codepulse.toml",
        "[emit_server]\ncache_size_mb = -4\nring_buffer_sise = 64\n[emit_server.thresholds]\ntdg_warn = 2.5\n",
    );
    let out = codepulse(dir.path(), &["analyze", "."]);
    assert_eq!(out.status.code(), Some(2), "stdout: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("codepulse.toml"), "{err}");
    assert!(
        err.contains("`cache_size_mb` must not be negative (got -4)"),
        "{err}"
    );
    assert!(err.contains("did you mean `ring_buffer_size`?"), "{err}");
    assert!(
        err.contains("`thresholds.tdg_warn` (2.5) is above `thresholds.tdg_error` (2)"),
        "{err}"
    );
    assert!(
        stdout(&out).is_empty(),
        "nothing is analysed with a bad configuration"
    );
}

#[test]
fn missing_explicit_configuration_exits_2() {
    let dir = TempDir::new().unwrap();
    let out = codepulse(dir.path(), &["analyze", "--config", "nope.toml", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.toml"), "{}", stderr(&out));
}

#[test]
fn a_disabled_language_is_not_analysed() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.rs", "fn a() {}\n");
    write(dir.path(), "b.py", "def b():\n    pass\n");
    write(
        dir.path(),
        "codepulse.toml",
        "[languages.python]\nenabled = false\n",
    );
    let report = analyze_json(dir.path(), &[]);
    assert_eq!(file_paths(&report), ["a.rs"]);
}

/// Regression (issue 3): the README's "run the main job" command is `cargo run --release`,
/// which needs exactly one binary among the workspace's default members.
#[test]
fn cargo_run_finds_exactly_one_binary() {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.starts_with("default-members"))
        .expect("default-members");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let binaries: Vec<&str> = line
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|member| {
            let dir = root.join(member);
            dir.join("src/main.rs").exists()
                || fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|m| m.contains("[[bin]]"))
        })
        .collect();
    assert_eq!(binaries, ["engine"], "{line}");
}
