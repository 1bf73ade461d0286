//! Data-driven graph tests: each directory `tests/fixtures/graph/<language>/` is a small
//! multi-file project; its files are extracted and resolved into a `SymbolGraph`, whose
//! rendering (one line per edge, `from -> to kind confidence`, sorted) must equal the snapshot
//! `tests/fixtures/graph/<language>.edges` (`UPDATE_EXPECT=1` rewrites; the snapshots are
//! reviewed by hand and are the specification). And the incremental API: after random
//! sequences of file replacements and removals, the graph equals one built cold.

use std::path::{Path, PathBuf};

use codepulse_components::Language;
use codepulse_systems::analysis::parse_source;
use codepulse_systems::graph::{FileSymbols, SymbolGraph, extract_symbols};
use proptest::prelude::*;

fn graph_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/graph")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = e.expect("entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The files of one fixture project: relative path, language, symbols.
fn project(name: &str) -> Vec<(String, Language, FileSymbols)> {
    let dir = graph_root().join(name);
    let mut paths = Vec::new();
    walk(&dir, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let language = Language::from_path(&p)?;
            let text = std::fs::read_to_string(&p).expect("UTF-8");
            let tree = parse_source(language, &text);
            let rel = p
                .strip_prefix(&dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, language, extract_symbols(language, &tree, &text)))
        })
        .collect()
}

fn projects() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(graph_root())
        .expect("fixtures")
        .filter_map(|e| {
            let p = e.ok()?.path();
            p.is_dir()
                .then(|| p.file_name()?.to_str().map(str::to_string))?
        })
        .collect();
    names.sort();
    names
}

#[test]
fn graph_fixtures_match_their_snapshots() {
    let names = projects();
    assert!(names.len() >= 6, "a graph fixture per language family");
    for name in names {
        let graph = SymbolGraph::build(project(&name));
        let rendered = graph.render();
        assert!(!rendered.is_empty(), "{name}: no edges");
        expect_test::expect_file![graph_root().join(format!("{name}.edges"))].assert_eq(&rendered);
    }
}

/// The reverse index answers who calls / uses / implements a symbol, consistently with the
/// forward edges; the name, qualified-name and per-file indexes find every symbol.
#[test]
fn reverse_indexes_mirror_the_edges() {
    for name in projects() {
        let graph = SymbolGraph::build(project(&name));
        let mut forward: Vec<_> = graph.edges().collect();
        let mut reverse = Vec::new();
        for e in &forward {
            assert!(graph.outgoing(e.from).any(|o| o == *e), "{name}");
        }
        for id in forward
            .iter()
            .map(|e| e.to)
            .collect::<std::collections::BTreeSet<_>>()
        {
            for kind in [
                codepulse_systems::graph::EdgeKind::Calls,
                codepulse_systems::graph::EdgeKind::Uses,
                codepulse_systems::graph::EdgeKind::Implements,
                codepulse_systems::graph::EdgeKind::Contains,
            ] {
                reverse.extend(graph.incoming(id, kind));
            }
        }
        forward.sort();
        reverse.sort();
        assert_eq!(forward, reverse, "{name}");
        // Every symbol of every file is found by its name and by its qualified name.
        for (path, _, symbols) in project(&name) {
            let ids = graph.file_symbols(&path);
            assert_eq!(ids.len(), symbols.definitions.len(), "{name}/{path}");
            for (id, d) in ids.iter().zip(&symbols.definitions) {
                let s = graph.symbol(*id).expect("live symbol");
                assert_eq!(
                    (s.file.as_str(), s.qualified_name.as_str()),
                    (path.as_str(), d.qualified_name.as_str())
                );
                assert!(graph.by_name(&d.name).any(|i| i == *id), "{name}/{path}");
                assert!(
                    graph.by_qualified_name(&d.qualified_name).any(|i| i == *id),
                    "{name}/{path}"
                );
            }
        }
    }
}

/// Every fixture file, across all projects, under a project prefix so projects stay apart.
fn all_files() -> Vec<(String, Language, FileSymbols)> {
    projects()
        .into_iter()
        .flat_map(|name| {
            project(&name)
                .into_iter()
                .map(move |(p, l, s)| (format!("{name}/{p}"), l, s))
        })
        .collect()
}

#[derive(Clone, Debug)]
enum Op {
    /// Put file `i`'s real symbols in place.
    Put(usize),
    /// Replace file `i` by the symbols of file `j` (another file's content under its path).
    Swap(usize, usize),
    Remove(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..1000).prop_map(Op::Put),
        (0usize..1000, 0usize..1000).prop_map(|(i, j)| Op::Swap(i, j)),
        (0usize..1000).prop_map(Op::Remove),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn incremental_updates_equal_a_cold_build(ops in prop::collection::vec(op(), 1..40)) {
        thread_local! {
            static FILES: Vec<(String, Language, FileSymbols)> = all_files();
        }
        FILES.with(|files| {
            let n = files.len();
            let mut graph = SymbolGraph::build(files.iter().cloned());
            // The current content of each path, for the cold build.
            let mut current: Vec<Option<(Language, FileSymbols)>> =
                files.iter().map(|(_, l, s)| Some((*l, s.clone()))).collect();
            for op in &ops {
                match *op {
                    Op::Put(i) => {
                        let (path, l, s) = &files[i % n];
                        graph.replace_file(path, *l, s.clone());
                        current[i % n] = Some((*l, s.clone()));
                    }
                    Op::Swap(i, j) => {
                        let (path, _, _) = &files[i % n];
                        let (_, l, s) = &files[j % n];
                        graph.replace_file(path, *l, s.clone());
                        current[i % n] = Some((*l, s.clone()));
                    }
                    Op::Remove(i) => {
                        graph.remove_file(&files[i % n].0);
                        current[i % n] = None;
                    }
                }
            }
            let cold = SymbolGraph::build(files.iter().zip(&current).filter_map(|((p, _, _), c)| {
                c.as_ref().map(|(l, s)| (p.clone(), *l, s.clone()))
            }));
            assert_eq!(graph.render(), cold.render(), "{ops:?}");
            assert_eq!(graph.render_indexes(), cold.render_indexes(), "{ops:?}");
        });
    }
}

/// A file appearing changes what an import finds even when it defines none of the names the
/// importer references: `use super::Area` looked for `Area` in the crate root while the
/// module `shapes` had no file; once `src/shapes/mod.rs` exists (without `Area`), the import
/// looks there, and the importer must be re-resolved.
#[test]
fn issue_6_a_file_appearing_rebinds_the_imports_that_looked_for_it() {
    let symbols = |language: Language, text: &str| {
        extract_symbols(language, &parse_source(language, text), text)
    };
    let rust = |path: &str, text: &str| {
        (
            path.to_string(),
            Language::Rust,
            symbols(Language::Rust, text),
        )
    };
    let circle = "use super::Area;\npub struct Circle;\nimpl Area for Circle {}\n";
    let root = "pub trait Area {}\n";
    let shapes = "pub mod circle;\n";
    let before = [
        rust("src/shapes/circle.rs", circle),
        rust("src/lib.rs", root),
    ];
    let mut graph = SymbolGraph::build(before.clone());
    assert!(
        graph.render().contains("implements exact"),
        "the crate root's Area is found:\n{}",
        graph.render()
    );
    let (path, language, added) = rust("src/shapes/mod.rs", shapes);
    graph.replace_file(&path, language, added.clone());
    let mut after = before.to_vec();
    after.push((path.clone(), language, added));
    let cold = SymbolGraph::build(after);
    assert_eq!(graph.render(), cold.render());
    assert!(
        cold.render().contains("implements name-only"),
        "{}",
        cold.render()
    );
    // And vanishing: back to the crate root's Area.
    graph.remove_file(&path);
    assert_eq!(graph.render(), SymbolGraph::build(before).render());
}
