//! Criterion benches of the symbol graph (`codepulse_systems::graph`) on real code, one graph
//! of over 100k symbols: every source file of the benchmark corpus (`tools/fetch-corpus.sh`:
//! crates, PyPI and npm packages, Go and Java standard library parts, all nine languages) and
//! the sources of `bevy_ecs` and `bevy_reflect` at the versions Cargo.lock pins, from cargo's
//! registry (`cargo fetch` puts them there).
//!
//!     cargo bench -p codepulse-systems --bench graph                       # full run
//!     cargo bench -p codepulse-systems --bench graph -- --quick            # quick look
//!     tools/graph-bench.sh                                                 # short, as a table
//!     CODEPULSE_GRAPH_CORPUS=dir1:dir2 cargo bench -p codepulse-systems --bench graph
//!
//! The benchmark corpus is `$CODEPULSE_CORPUS`, by default `~/.cache/codepulse/corpus`;
//! `$CODEPULSE_GRAPH_CORPUS` (`:`-separated directories) replaces the whole list. A missing
//! directory stops the bench with what to run. The files are read, parsed and extracted once
//! per process, when the first bench that needs them runs; the cold graph built then is shared
//! by the query benches. Files over 1 MiB are skipped.
//!
//! - `graph/cold-build`: `SymbolGraph::build` of every file's symbols (extraction excluded);
//! - `graph/update/…`: an edit of a Rust file of the corpus (the one with the median number of
//!   definitions among those with at least 20) and its undo, on alternate iterations:
//!   `edit-line` inserts a statement line at the top of the first function body after the
//!   middle of the file (spans move, the definitions stay),
//!   `add-function` appends a function (a new name). `update/extract` is `extract_symbols` of
//!   the edited file's tree, `update/replace-file/…` is `SymbolGraph::replace_file` alone,
//!   `update/extract+replace/…` both (the tree is parsed beforehand: the analysis has it);
//!   `update/reextract+replace/edit-line` is what the engine does after the edit:
//!   `reextract_symbols` of the incremental tree (only the top-level item the edit touched is
//!   extracted again) and `replace_file`: the graph's whole work after a one-line edit;
//! - `graph/blast-radius-3`, `graph/what-implements`, `graph/callers`: one query per
//!   iteration, rotating over a fixed sample of symbols that have some incoming edge of the
//!   query's kind (the figure is the mean over the sample);
//! - `graph/find-cycles/inferred` and `/name-only`: every cycle of the graph at that minimum
//!   confidence.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use codepulse_components::{Language, TextChanges, TextEdit};
use codepulse_systems::analysis::{parse_source, reparse_source};
use codepulse_systems::apply_text_edits;
use codepulse_systems::graph::{
    self, BLAST_EDGES, Confidence, EdgeKind, FileSymbols, SymbolGraph, SymbolId, extract_symbols,
    reextract_symbols,
};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

/// Files larger than this are skipped (generated tables, not code one edits).
const MAX_FILE_BYTES: u64 = 1 << 20;
/// Symbols in each query sample.
const SAMPLE: usize = 256;

struct Corpus {
    files: Vec<(String, Language, FileSymbols)>,
    graph: SymbolGraph,
    /// The file the update benches edit: (index in `files`, its text).
    edited: (usize, String),
}

/// The directories the graph is built from: `$CODEPULSE_GRAPH_CORPUS` (`:`-separated), by
/// default the benchmark corpus (`$CODEPULSE_CORPUS`, else `~/.cache/codepulse/corpus`) and,
/// to pass 100k symbols, the sources of `bevy_ecs` and `bevy_reflect` at the versions this
/// workspace's Cargo.lock pins, from cargo's registry (`cargo fetch` puts them there).
fn corpus_dirs() -> Vec<PathBuf> {
    if let Some(dirs) = std::env::var_os("CODEPULSE_GRAPH_CORPUS") {
        return std::env::split_paths(&dirs).collect();
    }
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set"));
    let corpus = std::env::var_os("CODEPULSE_CORPUS")
        .map_or_else(|| home.join(".cache/codepulse/corpus"), PathBuf::from);
    let mut dirs = vec![corpus];
    let cargo_home =
        std::env::var_os("CARGO_HOME").map_or_else(|| home.join(".cargo"), PathBuf::from);
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("the workspace's Cargo.lock");
    let registries: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry/src"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    for krate in ["bevy_ecs", "bevy_reflect"] {
        let version = lock
            .split("[[package]]")
            .find_map(|p| {
                let mut lines = p.trim().lines();
                (lines.next()? == format!("name = \"{krate}\""))
                    .then(|| {
                        lines
                            .next()?
                            .strip_prefix("version = \"")?
                            .strip_suffix('"')
                    })
                    .flatten()
            })
            .unwrap_or_else(|| panic!("{krate} is not in Cargo.lock"));
        let dir = registries
            .iter()
            .map(|r| r.join(format!("{krate}-{version}")))
            .find(|d| d.is_dir())
            .unwrap_or_else(|| {
                panic!(
                    "{krate}-{version} is not in {}/registry/src: run `cargo fetch` (or set \
                     CODEPULSE_GRAPH_CORPUS)",
                    cargo_home.display()
                )
            });
        dirs.push(dir);
    }
    dirs
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            walk(&path, out);
        } else if Language::from_path(&path).is_some()
            && e.metadata().is_ok_and(|m| m.len() <= MAX_FILE_BYTES)
        {
            out.push(path);
        }
    }
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dirs = corpus_dirs();
        // (root, file) pairs; a file's graph path is its root's name, then its path in it.
        let mut paths: Vec<(PathBuf, PathBuf)> = Vec::new();
        for dir in &dirs {
            let mut found = Vec::new();
            walk(dir, &mut found);
            assert!(
                !found.is_empty(),
                "no source files under {}: fetch the benchmark corpus with tools/fetch-corpus.sh \
                 (or point CODEPULSE_GRAPH_CORPUS at directories of source code)",
                dir.display()
            );
            found.sort();
            paths.extend(found.into_iter().map(|f| (dir.clone(), f)));
        }
        let started = Instant::now();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = paths.len().div_ceil(threads);
        let files: Vec<(String, Language, FileSymbols)> = std::thread::scope(|s| {
            let handles: Vec<_> = paths
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .filter_map(|(root, p)| {
                                let language = Language::from_path(p)?;
                                let text = std::fs::read_to_string(p).ok()?;
                                let tree = parse_source(language, &text);
                                let rel = Path::new(root.file_name()?)
                                    .join(p.strip_prefix(root).expect("inside"))
                                    .to_string_lossy()
                                    .replace('\\', "/");
                                Some((rel, language, extract_symbols(language, &tree, &text)))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("extraction"))
                .collect()
        });
        let extracted = started.elapsed();
        let started = Instant::now();
        let graph = SymbolGraph::build(files.iter().cloned());
        let built = started.elapsed();
        let symbols = graph.symbols().count();
        let mut by_confidence = [0usize; 3];
        let mut edges = 0;
        let mut across_languages = 0;
        let language_of = |id| graph.language(&graph.symbol(id).expect("live").file);
        for e in graph.edges() {
            by_confidence[e.confidence as usize] += 1;
            edges += 1;
            across_languages += usize::from(language_of(e.from) != language_of(e.to));
        }
        let (stored_edges, name_only_references) = graph.stored();
        let roots: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        eprintln!(
            "graph corpus {}: {} files, {symbols} symbols, {edges} edges ({} exact, {} inferred, \
             {} name-only; {across_languages} between languages); parse+extract {:.1} s on \
             {threads} threads, cold build {:.2} s; stored: {stored_edges} edges and \
             {name_only_references} name-only references",
            roots.join(":"),
            files.len(),
            by_confidence[0],
            by_confidence[1],
            by_confidence[2],
            extracted.as_secs_f64(),
            built.as_secs_f64(),
        );
        assert!(
            symbols >= 100_000,
            "the graph benches want a real graph of at least 100k symbols; {} gives {symbols}",
            roots.join(":")
        );
        // The Rust file with the median number of definitions among those with at least 20.
        let mut rust: Vec<usize> = (0..files.len())
            .filter(|&i| files[i].1 == Language::Rust && files[i].2.definitions.len() >= 20)
            .collect();
        rust.sort_by_key(|&i| (files[i].2.definitions.len(), files[i].0.clone()));
        let i = rust[rust.len() / 2];
        let text = paths
            .iter()
            .find_map(|(root, p)| {
                let rel = Path::new(root.file_name()?).join(p.strip_prefix(root).ok()?);
                (rel.to_string_lossy().replace('\\', "/") == files[i].0)
                    .then(|| std::fs::read_to_string(p).expect("readable"))
            })
            .expect("the edited file is in the corpus");
        let edges: usize = graph
            .file_symbols(&files[i].0)
            .iter()
            .map(|id| graph.outgoing(*id).count())
            .sum();
        eprintln!(
            "edited file: {} ({} definitions, {} references, {} lines, {edges} outgoing edges)",
            files[i].0,
            files[i].2.definitions.len(),
            files[i].2.references.len(),
            text.lines().count()
        );
        Corpus {
            files,
            graph,
            edited: (i, text),
        }
    })
}

/// Up to [`SAMPLE`] symbols spread evenly over those with an incoming edge of `kinds` at
/// least as sure as `min`.
fn sample(graph: &SymbolGraph, kinds: &[EdgeKind], min: Confidence) -> Vec<SymbolId> {
    let with: Vec<SymbolId> = graph
        .symbols()
        .map(|(id, _)| id)
        .filter(|id| {
            graph
                .incoming_edges(*id)
                .any(|e| kinds.contains(&e.kind) && e.confidence.at_least(min))
        })
        .collect();
    assert!(!with.is_empty(), "no symbol has incoming {kinds:?} edges");
    let step = with.len().div_ceil(SAMPLE).max(1);
    with.into_iter().step_by(step).collect()
}

fn rotating<T>(
    b: &mut criterion::Bencher<'_>,
    sample: &[SymbolId],
    mut query: impl FnMut(SymbolId) -> T,
) {
    let mut at = 0;
    b.iter(|| {
        at = (at + 1) % sample.len();
        query(black_box(sample[at]))
    });
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph");
    group.sample_size(10);
    group.bench_function("cold-build", |b| {
        let corpus = corpus();
        b.iter_batched(
            || corpus.files.clone(),
            SymbolGraph::build,
            BatchSize::PerIteration,
        );
    });

    // An edit of the median Rust file and its undo, alternately: (old, new) trees and symbols.
    let edited = |change: fn(&str) -> String| {
        let corpus = corpus();
        let (i, text) = &corpus.edited;
        let (path, language, _) = &corpus.files[*i];
        let new = change(text);
        let versions = [text.as_str(), new.as_str()].map(|t| {
            let tree = parse_source(*language, t);
            let symbols = extract_symbols(*language, &tree, t);
            (t.to_string(), tree, symbols)
        });
        let same = |a: &FileSymbols, b: &FileSymbols| {
            let key = |s: &FileSymbols| -> Vec<(String, String)> {
                s.definitions
                    .iter()
                    .map(|d| (d.qualified_name.clone(), d.kind.name().to_string()))
                    .collect()
            };
            key(a) == key(b)
        };
        let added = versions[1].2.definitions.len() - versions[0].2.definitions.len();
        assert!(
            same(&versions[0].2, &versions[1].2) || added == 1,
            "the edit keeps the file's definitions (or adds one)"
        );
        (path.as_str(), *language, versions)
    };
    // A statement line at the top of the first function body after the middle of the file.
    const LINE: &str = "        let _edited = 1;\n";
    fn line_at(text: &str) -> usize {
        let mut from = text.len() / 2;
        loop {
            let f = from
                + text[from..]
                    .find("fn ")
                    .expect("a function after the middle");
            let brace = text[f..].find('{').map(|i| f + i);
            let semicolon = text[f..].find(';').map(|i| f + i);
            match (brace, semicolon) {
                (Some(b), s) if s.is_none_or(|s| b < s) => {
                    break b + 1 + text[b + 1..].find('\n').map_or(0, |i| i + 1);
                }
                _ => from = f + 3,
            }
        }
    }
    let edit_line = |text: &str| {
        let at = line_at(text);
        format!("{}{LINE}{}", &text[..at], &text[at..])
    };
    let add_function = |text: &str| format!("{text}\nfn codepulse_bench_added() {{}}\n");
    group.sample_size(50);
    group.bench_function("update/extract", |b| {
        let (_, language, versions) = edited(edit_line);
        let (text, tree, _) = &versions[1];
        b.iter(|| extract_symbols(language, black_box(tree), text));
    });
    for (name, change) in [
        ("edit-line", edit_line as fn(&str) -> String),
        ("add-function", add_function),
    ] {
        group.bench_function(format!("update/replace-file/{name}"), |b| {
            let (path, language, versions) = edited(change);
            let mut graph = corpus().graph.clone();
            let step = std::cell::Cell::new(0usize);
            b.iter_batched(
                || {
                    step.set(step.get() + 1);
                    versions[step.get() % 2].2.clone()
                },
                |symbols| graph.replace_file(path, language, symbols),
                BatchSize::SmallInput,
            );
        });
        group.bench_function(format!("update/extract+replace/{name}"), |b| {
            let (path, language, versions) = edited(change);
            let mut graph = corpus().graph.clone();
            let mut step = 0usize;
            b.iter(|| {
                step += 1;
                let (text, tree, _) = &versions[step % 2];
                graph.replace_file(path, language, extract_symbols(language, tree, text));
            });
        });
    }

    // What the engine does after the edit: the incremental reparse gives the changed ranges,
    // `reextract_symbols` extracts the touched top-level item again and splices it in.
    group.bench_function("update/reextract+replace/edit-line", |b| {
        let (path, language, versions) = edited(edit_line);
        let at = line_at(&versions[0].0);
        // (the edit, then its undo): the text after, its incremental tree, what changed, and
        // the symbols before.
        let steps = [(0, 1, at, at), (1, 0, at, at + LINE.len())].map(|(from, to, start, end)| {
            let (old_text, old_tree, old_symbols) = &versions[from];
            let edit = TextEdit {
                start,
                end,
                text: if from == 0 {
                    LINE.to_string()
                } else {
                    String::new()
                },
            };
            let (text, input_edits) =
                apply_text_edits(old_text, std::slice::from_ref(&edit)).expect("fits");
            assert_eq!(text, versions[to].0);
            let mut edited_tree = old_tree.clone();
            for e in &input_edits {
                edited_tree.edit(e);
            }
            let tree = reparse_source(language, &text, Some(&edited_tree));
            let mut changes = TextChanges::default();
            changes.record_edit(start, end, start + edit.text.len());
            changes.syntax = edited_tree
                .changed_ranges(&tree)
                .map(|r| r.start_byte..r.end_byte)
                .collect();
            (text, tree, changes, old_symbols.clone())
        });
        let mut graph = corpus().graph.clone();
        let mut step = 0usize;
        b.iter(|| {
            step += 1;
            let (text, tree, changes, old) = &steps[(step + 1) % 2];
            let symbols = reextract_symbols(language, tree, text, old, changes);
            graph.replace_file(path, language, symbols);
        });
    });

    group.sample_size(100);
    group.bench_function("blast-radius-3", |b| {
        let graph = &corpus().graph;
        let sample = sample(graph, &BLAST_EDGES, Confidence::Inferred);
        rotating(b, &sample, |id| {
            graph::blast_radius(graph, id, 3, Confidence::Inferred)
        });
    });
    group.bench_function("what-implements", |b| {
        let graph = &corpus().graph;
        let sample = sample(graph, &[EdgeKind::Implements], Confidence::NameOnly);
        rotating(b, &sample, |id| {
            graph::what_implements(graph, id, false, Confidence::NameOnly)
        });
    });
    group.bench_function("callers", |b| {
        let graph = &corpus().graph;
        let sample = sample(graph, &[EdgeKind::Calls], Confidence::NameOnly);
        rotating(b, &sample, |id| {
            graph::callers(graph, id, Confidence::NameOnly)
        });
    });

    group.sample_size(10);
    for min in [Confidence::Inferred, Confidence::NameOnly] {
        group.bench_function(format!("find-cycles/{}", min.name()), |b| {
            let graph = &corpus().graph;
            b.iter(|| graph::find_cycles(graph, min));
        });
    }
    group.finish();
}

criterion_group!(graph_benches, benches);
criterion_main!(graph_benches);
