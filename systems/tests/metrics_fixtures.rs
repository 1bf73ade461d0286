//! Data-driven metric tests: every file in `tests/fixtures/metrics/` is source code in the
//! language of its extension, annotated with one line per function it defines:
//!
//! ```text
//! // expect: Type::f line=12 cyc=4 cog=7 nest=3 loc=19 params=1
//! ```
//!
//! (`#` instead of `//` in Python). The test analyses the file and requires that the set of
//! functions found is exactly the set annotated (matched by qualified name and start line) and
//! that every listed value agrees. A value left out of an annotation is not checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use codepulse_components::Language;
use codepulse_systems::analysis::{FunctionReport, analyze_source};

#[derive(Debug, Default)]
struct Expect {
    values: BTreeMap<String, u32>,
}

fn parse_expects(source: &str) -> Result<BTreeMap<(String, u32), Expect>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in source.lines().enumerate() {
        let Some(rest) = line.split_once("expect:").map(|(_, r)| r.trim()) else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let name = words
            .next()
            .ok_or_else(|| format!("line {}: expect without a name", i + 1))?;
        let mut expect = Expect::default();
        for word in words {
            let (k, v) = word
                .split_once('=')
                .ok_or_else(|| format!("line {}: `{word}` is not key=value", i + 1))?;
            if !["line", "cyc", "cog", "nest", "loc", "params"].contains(&k) {
                return Err(format!("line {}: unknown key `{k}`", i + 1));
            }
            let v = v
                .parse()
                .map_err(|_| format!("line {}: `{v}` is not a number", i + 1))?;
            expect.values.insert(k.to_string(), v);
        }
        let line_no = *expect
            .values
            .get("line")
            .ok_or_else(|| format!("line {}: expect for `{name}` has no line=", i + 1))?;
        if out.insert((name.to_string(), line_no), expect).is_some() {
            return Err(format!(
                "line {}: `{name}` at line {line_no} annotated twice",
                i + 1
            ));
        }
    }
    Ok(out)
}

fn actual_values(f: &FunctionReport) -> BTreeMap<&'static str, u32> {
    BTreeMap::from([
        ("line", f.start_line),
        ("cyc", f.cyclomatic),
        ("cog", f.cognitive),
        ("nest", f.max_nesting),
        ("loc", f.loc),
        ("params", f.params),
    ])
}

fn check_file(path: &Path) -> Result<(), String> {
    let language = Language::from_path(path).ok_or("no language for this extension")?;
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let expects = parse_expects(&source)?;
    if expects.is_empty() {
        return Err("no `expect:` annotations".into());
    }
    let report = analyze_source(language, &source);
    let mut problems = String::new();
    let mut seen = BTreeMap::new();
    for f in &report.functions {
        let key = (f.qualified_name.clone(), f.start_line);
        let actual = actual_values(f);
        match expects.get(&key) {
            None => {
                let _ = writeln!(
                    problems,
                    "  unexpected function {} {:?}",
                    f.qualified_name, actual
                );
            }
            Some(expect) => {
                for (k, want) in &expect.values {
                    let got = actual[k.as_str()];
                    if got != *want {
                        let _ = writeln!(
                            problems,
                            "  {} (line {}): {k} = {got}, expected {want}",
                            f.qualified_name, f.start_line
                        );
                    }
                }
            }
        }
        seen.insert(key, ());
    }
    for (name, line) in expects.keys() {
        if !seen.contains_key(&(name.clone(), *line)) {
            let found: Vec<_> = report
                .functions
                .iter()
                .map(|f| format!("{}@{}", f.qualified_name, f.start_line))
                .collect();
            let _ = writeln!(
                problems,
                "  missing function {name} at line {line} (found: {})",
                found.join(", ")
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn fixture_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metrics");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn metric_fixtures() {
    let files = fixture_files();
    assert!(!files.is_empty(), "no fixtures found");
    let mut failures = String::new();
    for path in &files {
        if let Err(e) = check_file(path) {
            let _ = writeln!(failures, "{}:\n{e}", path.display());
        }
    }
    assert!(failures.is_empty(), "metric fixtures disagree:\n{failures}");
}

/// Every language has at least one fixture file.
#[test]
fn every_language_has_fixtures() {
    let files = fixture_files();
    for language in Language::ALL {
        assert!(
            files
                .iter()
                .any(|p| Language::from_path(p) == Some(language)),
            "no fixture for {language}"
        );
    }
}

/// Measuring one function on its own (what an edit re-measures) gives the same metrics as the
/// whole-file walk, for every function of every fixture.
#[test]
fn single_function_measure_agrees_with_whole_file_walk() {
    use codepulse_systems::analysis::{analyze_tree, find_function_node, measure_function};
    use codepulse_systems::lang::{LangSpec, parser_for};

    for path in fixture_files() {
        let language = Language::from_path(&path).expect("fixture language");
        let source = std::fs::read_to_string(&path).expect("fixture text");
        let spec = LangSpec::get(language);
        let tree = parser_for(language).parse(&source, None).expect("tree");
        for (info, whole) in analyze_tree(&tree, &source, spec) {
            let node =
                find_function_node(&tree, info.start_byte, info.end_byte, spec).expect("node");
            let alone = measure_function(node, &source, spec, &info.name, &info.qualified_name);
            assert_eq!(alone, whole, "{}: {}", path.display(), info.qualified_name);
        }
    }
}
