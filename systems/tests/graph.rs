//! Data-driven graph tests: each directory `tests/fixtures/graph/<language>/` is a small
//! multi-file project; its files are extracted and resolved into a `SymbolGraph`, whose
//! rendering (one line per edge, `from -> to kind confidence`, sorted) must equal the snapshot
//! `tests/fixtures/graph/<language>.edges` (`UPDATE_EXPECT=1` rewrites; the snapshots are
//! reviewed by hand and are the specification). And the incremental API: after random
//! sequences of file replacements and removals, the graph equals one built cold, its dead
//! symbols too, and `take_touched` names every file whose dead symbols changed.
//!
//! Dead symbols: each directory `tests/fixtures/dead/<language>/` is a project whose dead
//! symbols (one line per symbol, `file: qualified_name kind Lline`, and per file its dead and
//! candidate counts) must equal `tests/fixtures/dead/<language>.dead`.

use std::path::{Path, PathBuf};

use codepulse_components::Language;
use codepulse_systems::analysis::parse_source;
use std::collections::{BTreeMap, BTreeSet};

use codepulse_systems::graph::{
    FileSymbols, SymbolGraph, dead_in_file, dead_ratio_inputs, extract_symbols, is_dead,
};
use proptest::prelude::*;

mod support;

use support::{fixtures, projects_in, source_files};

fn graph_root() -> PathBuf {
    fixtures("graph")
}

fn dead_root() -> PathBuf {
    fixtures("dead")
}

/// The files of one fixture project: relative path, language, symbols.
fn project(name: &str) -> Vec<(String, Language, FileSymbols)> {
    project_in(&graph_root(), name)
}

fn project_in(root: &Path, name: &str) -> Vec<(String, Language, FileSymbols)> {
    source_files(&root.join(name))
        .into_iter()
        .map(|(rel, language, text)| {
            let tree = parse_source(language, &text);
            (rel, language, extract_symbols(language, &tree, &text))
        })
        .collect()
}

fn projects() -> Vec<String> {
    projects_in(&graph_root())
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
        // The whole-graph walk gives the same edges, at every confidence floor.
        for min in [
            codepulse_systems::graph::Confidence::Exact,
            codepulse_systems::graph::Confidence::Inferred,
            codepulse_systems::graph::Confidence::NameOnly,
        ] {
            let mut walked = Vec::new();
            graph.for_each_edge(min, |e| walked.push(e));
            walked.sort();
            let mut expected: Vec<_> = forward
                .iter()
                .copied()
                .filter(|e| e.confidence <= min)
                .collect();
            expected.sort();
            assert_eq!(walked, expected, "{name} at {min:?}");
            let mut listed: Vec<_> = graph.edges_at_least(min).collect();
            listed.sort();
            assert_eq!(listed, expected, "{name} at {min:?}");
        }
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

/// The dead symbols of every file, as `qualified_name kind Lline`, and its (dead, candidates)
/// counts: comparable across graphs (ids are not).
fn dead_lists(graph: &SymbolGraph) -> BTreeMap<String, (Vec<String>, (u32, u32))> {
    graph
        .paths()
        .map(|path| {
            let dead = dead_in_file(graph, path)
                .into_iter()
                .map(|id| {
                    let s = graph.symbol(id).expect("live");
                    format!("{} {} L{}", s.qualified_name, s.kind.name(), s.start_line)
                })
                .collect();
            (path.to_string(), (dead, dead_ratio_inputs(graph, path)))
        })
        .collect()
}

/// The dead-symbol snapshot of a graph: per file its counts, then one line per dead symbol.
fn render_dead(graph: &SymbolGraph) -> String {
    let mut out = String::new();
    for (path, (dead, (n, candidates))) in dead_lists(graph) {
        out.push_str(&format!("{path}: {n} dead of {candidates}\n"));
        for d in dead {
            out.push_str(&format!("  {d}\n"));
        }
    }
    out
}

#[test]
fn dead_fixtures_match_their_snapshots() {
    let names = projects_in(&dead_root());
    assert!(
        names.len() >= 8,
        "a dead-symbol fixture per language family"
    );
    for name in names {
        let graph = SymbolGraph::build(project_in(&dead_root(), &name));
        let rendered = render_dead(&graph);
        expect_test::expect_file![dead_root().join(format!("{name}.dead"))].assert_eq(&rendered);
        // `is_dead` agrees with the per-file lists, and the counts with the lists.
        for path in graph.paths() {
            let listed = dead_in_file(&graph, path);
            let judged: Vec<_> = graph
                .file_symbols(path)
                .iter()
                .copied()
                .filter(|id| is_dead(&graph, *id))
                .collect();
            assert_eq!(listed, judged, "{name}/{path}");
            let (n, candidates) = dead_ratio_inputs(&graph, path);
            assert_eq!(n as usize, listed.len(), "{name}/{path}");
            assert!(n <= candidates, "{name}/{path}");
        }
    }
}

/// Every fixture file, graph and dead-symbol projects alike, under a project prefix so
/// projects stay apart.
fn all_files() -> Vec<(String, Language, FileSymbols)> {
    let mut out = Vec::new();
    for (root, tag) in [(graph_root(), "graph"), (dead_root(), "dead")] {
        for name in projects_in(&root) {
            out.extend(
                project_in(&root, &name)
                    .into_iter()
                    .map(|(p, l, s)| (format!("{tag}-{name}/{p}"), l, s)),
            );
        }
    }
    out
}

#[derive(Clone, Debug)]
enum Op {
    /// Put file `i`'s real symbols in place.
    Put(usize),
    /// Replace file `i` by the symbols of file `j` (another file's content under its path).
    Swap(usize, usize),
    Remove(usize),
    /// Several changes at once (`update_files`): file `i` gets file `j`'s symbols, or is
    /// removed.
    Batch(Vec<(usize, Option<usize>)>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..1000).prop_map(Op::Put),
        (0usize..1000, 0usize..1000).prop_map(|(i, j)| Op::Swap(i, j)),
        (0usize..1000).prop_map(Op::Remove),
        prop::collection::vec((0usize..1000, prop::option::of(0usize..1000)), 1..5)
            .prop_map(Op::Batch),
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
            let all: BTreeSet<String> = files.iter().map(|(p, _, _)| p.clone()).collect();
            assert_eq!(graph.take_touched(), all, "a built graph reports all its files");
            // The current content of each path, for the cold build.
            let mut current: Vec<Option<(Language, FileSymbols)>> =
                files.iter().map(|(_, l, s)| Some((*l, s.clone()))).collect();
            let mut dead = dead_lists(&graph);
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
                    Op::Batch(ref changes) => {
                        let mut batch = Vec::new();
                        for &(i, j) in changes {
                            let content = j.map(|j| (files[j % n].1, files[j % n].2.clone()));
                            current[i % n] = content.clone();
                            batch.push((files[i % n].0.clone(), content));
                        }
                        graph.update_files(batch);
                    }
                }
                // Every file whose dead symbols (or counts) changed, appeared or vanished is
                // reported touched.
                let touched = graph.take_touched();
                let now = dead_lists(&graph);
                for path in dead.keys().chain(now.keys()) {
                    if dead.get(path) != now.get(path) {
                        assert!(
                            touched.contains(path),
                            "{path} changed {:?} -> {:?} but is not touched after {op:?} of {ops:?}",
                            dead.get(path),
                            now.get(path)
                        );
                    }
                }
                dead = now;
            }
            let cold = SymbolGraph::build(files.iter().zip(&current).filter_map(|((p, _, _), c)| {
                c.as_ref().map(|(l, s)| (p.clone(), *l, s.clone()))
            }));
            assert_eq!(graph.render(), cold.render(), "{ops:?}");
            assert_eq!(graph.render_indexes(), cold.render_indexes(), "{ops:?}");
            assert_eq!(dead, dead_lists(&cold), "{ops:?}");
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
