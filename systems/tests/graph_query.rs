//! Data-driven tests of the graph queries (`graph::query`, `graph::context`, `graph::doc`):
//!
//! - `tests/fixtures/graph/queries.txt`: a script of queries over the multi-file projects of
//!   `tests/fixtures/graph/<project>/`, each followed by its expected rendering (text or JSON);
//! - `tests/fixtures/docs/*`: one file per language, with the doc comment of every definition in
//!   `<file>.docs`;
//!
//! (`UPDATE_EXPECT=1` rewrites both; the diffs are reviewed by hand), and properties over every
//! fixture symbol: each is found by the label answers print, a context brief never exceeds its
//! budget, cycles and blast radii agree with brute-force reachability, every JSON parses.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use codepulse_components::Language;
use codepulse_systems::analysis::{analyze_source, parse_source};
use codepulse_systems::graph::{
    self, Confidence, ContextError, ContextExtras, DefKind, EdgeKind, Format, Lookup, Request,
    SymbolGraph, SymbolId, doc_comment_above, estimate_tokens, extract_symbols,
};

mod support;

use support::{fixtures, projects_in, source_files};

fn graph_root() -> PathBuf {
    fixtures("graph")
}

/// One fixture project: its graph and its files' texts.
struct Project {
    graph: SymbolGraph,
    texts: HashMap<String, (Language, String)>,
}

impl Project {
    fn load(name: &str) -> Project {
        let mut texts = HashMap::new();
        let mut files = Vec::new();
        for (rel, language, text) in source_files(&graph_root().join(name)) {
            let tree = parse_source(language, &text);
            files.push((
                rel.clone(),
                language,
                extract_symbols(language, &tree, &text),
            ));
            texts.insert(rel, (language, text));
        }
        Project {
            graph: SymbolGraph::build(files),
            texts,
        }
    }

    /// What the engine fills in: the doc comment from the text above the span, and for a
    /// function the metrics of the function analysis.
    fn extras(&self, id: SymbolId) -> ContextExtras {
        let s = self.graph.symbol(id).expect("live");
        let (language, text) = &self.texts[&s.file];
        let metrics = analyze_source(*language, text)
            .functions
            .into_iter()
            .find(|f| f.qualified_name == s.qualified_name && f.end_line == s.end_line)
            .map(|f| {
                vec![
                    ("cyclomatic".to_string(), f.cyclomatic.to_string()),
                    ("cognitive".to_string(), f.cognitive.to_string()),
                    ("max_nesting".to_string(), f.max_nesting.to_string()),
                    ("loc".to_string(), f.loc.to_string()),
                    ("params".to_string(), f.params.to_string()),
                ]
            })
            .unwrap_or_default();
        ContextExtras {
            doc: doc_comment_above(*language, text, s.start_byte),
            metrics,
        }
    }
}

fn projects() -> Vec<String> {
    projects_in(&graph_root())
}

/// Runs one script line: `PROJECT [--json] WORDS...`.
fn run_line(projects: &mut HashMap<String, Project>, line: &str) -> String {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let name = words.remove(0);
    let json = words.first() == Some(&"--json");
    if json {
        words.remove(0);
    }
    let project = projects
        .entry(name.to_string())
        .or_insert_with(|| Project::load(name));
    if words.first() == Some(&"context") {
        let symbol = words.get(1).expect("context SYMBOL");
        let budget = match words.get(2..) {
            Some(["--budget", n]) => Some(n.parse().expect("a number")),
            Some([]) | None => None,
            other => panic!("context: unexpected {other:?}"),
        };
        let id = match graph::lookup(&project.graph, symbol) {
            Lookup::Found(id) => id,
            other => panic!("context {symbol}: {other:?}"),
        };
        let format = if json { Format::Json } else { Format::Text };
        return match graph::context(&project.graph, id, project.extras(id), format, budget) {
            Ok(c) => {
                let out = c.render();
                format!("{out}{}", if json { "\n" } else { "" })
            }
            Err(e) => format!("error: {e}\n"),
        };
    }
    match Request::parse(&words) {
        Ok(request) => {
            let answer = graph::run(&project.graph, &request);
            if json {
                format!("{}\n", answer.render_json())
            } else {
                answer.render_text()
            }
        }
        Err(e) => format!("error: {e}\n"),
    }
}

#[test]
fn query_script_matches_its_expected_output() {
    let path = graph_root().join("queries.txt");
    let script = std::fs::read_to_string(&path).expect("queries.txt");
    let mut projects = HashMap::new();
    let mut out = String::new();
    let mut queries = 0;
    for line in script.lines() {
        if line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        } else if let Some(query) = line.strip_prefix("> ") {
            out.push_str(line);
            out.push('\n');
            out.push_str(&run_line(&mut projects, query));
            out.push('\n');
            queries += 1;
        } else if line.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
    }
    assert!(queries > 40, "the script runs its queries");
    expect_test::expect_file![path].assert_eq(&out);
}

#[test]
fn doc_comments_match_their_snapshots() {
    let dir = fixtures("docs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs fixtures")
        .filter_map(|e| {
            let p = e.ok()?.path();
            Language::from_path(&p).map(|_| p)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 8, "a doc fixture per language family");
    for path in files {
        let language = Language::from_path(&path).expect("a language");
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let tree = parse_source(language, &text);
        let mut rendered = String::new();
        for d in extract_symbols(language, &tree, &text).definitions {
            let doc = doc_comment_above(language, &text, d.start_byte);
            rendered.push_str(&format!(
                "{} {}@L{}: {}\n",
                d.kind.name(),
                d.qualified_name,
                d.start_line,
                doc.map_or("-".to_string(), |d| format!("{d:?}"))
            ));
        }
        let mut snapshot = path.clone().into_os_string();
        snapshot.push(".docs");
        expect_test::expect_file![PathBuf::from(snapshot)].assert_eq(&rendered);
    }
}

/// Every symbol is found by the label answers print (`file:qualified@Lline`), by its file and
/// start line, and among the candidates of its qualified name.
#[test]
fn every_symbol_is_found_by_its_label() {
    for name in projects() {
        let project = Project::load(&name);
        let g = &project.graph;
        for (id, s) in g.symbols() {
            let label = format!("{}:{}@L{}", s.file, s.qualified_name, s.start_line);
            assert_eq!(
                graph::lookup(g, &label),
                Lookup::Found(id),
                "{name}: {label}"
            );
            let by_line = format!("{}:{}", s.file, s.start_line);
            let Lookup::Found(at) = graph::lookup(g, &by_line) else {
                panic!("{name}: {by_line} finds one symbol");
            };
            let found = g.symbol(at).expect("live");
            assert!(
                found.start_line <= s.start_line && s.start_line <= found.end_line,
                "{name}: {by_line}"
            );
            assert!(
                graph::where_defined(g, &s.qualified_name).contains(&id),
                "{name}: {}",
                s.qualified_name
            );
        }
    }
}

/// The symbols reachable from `from` over edges of `kinds` at least as sure as `min`, by
/// brute force (breadth-first from scratch, `reverse` walking edges backwards), with distances.
fn reach(
    g: &SymbolGraph,
    from: SymbolId,
    kinds: &[EdgeKind],
    min: Confidence,
    reverse: bool,
) -> HashMap<SymbolId, u32> {
    let edges: Vec<_> = g
        .edges()
        .filter(|e| kinds.contains(&e.kind) && e.confidence.at_least(min))
        .map(|e| {
            if reverse {
                (e.to, e.from)
            } else {
                (e.from, e.to)
            }
        })
        .collect();
    let mut dist = HashMap::from([(from, 0)]);
    let mut frontier = vec![from];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for v in frontier {
            for &(a, b) in &edges {
                if a == v && !dist.contains_key(&b) {
                    dist.insert(b, dist[&v] + 1);
                    next.push(b);
                }
            }
        }
        frontier = next;
    }
    dist
}

/// find-cycles returns exactly the groups of two or more symbols that reach each other, at
/// every confidence minimum, on every fixture project.
#[test]
fn cycles_are_the_mutually_reachable_groups() {
    for name in projects() {
        let project = Project::load(&name);
        let g = &project.graph;
        for min in Confidence::ALL {
            let got: BTreeSet<Vec<SymbolId>> = graph::find_cycles(g, min)
                .into_iter()
                .map(|mut c| {
                    c.sort();
                    c
                })
                .collect();
            let mut expected = BTreeSet::new();
            for (id, _) in g.symbols() {
                let forward = reach(g, id, &graph::CYCLE_EDGES, min, false);
                let backward = reach(g, id, &graph::CYCLE_EDGES, min, true);
                let mut component: Vec<SymbolId> = forward
                    .keys()
                    .filter(|v| backward.contains_key(v))
                    .copied()
                    .collect();
                component.sort();
                if component.len() >= 2 {
                    expected.insert(component);
                }
            }
            assert_eq!(got, expected, "{name} at {}", min.name());
        }
    }
}

#[test]
fn issue_6_find_cycles_reports_mutual_recursion_across_files() {
    let labels = |g: &SymbolGraph, min| -> Vec<Vec<String>> {
        graph::find_cycles(g, min)
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|id| {
                        let s = g.symbol(id).expect("live");
                        format!("{}:{}", s.file, s.qualified_name)
                    })
                    .collect()
            })
            .collect()
    };
    let rust = Project::load("rust-cycles");
    assert_eq!(
        labels(&rust.graph, Confidence::Inferred),
        [
            vec!["src/odd.rs:is_odd", "src/parity.rs:is_even"],
            vec!["src/tree.rs:Tree", "src/tree.rs:Node"],
        ]
    );
    let with_names = labels(&rust.graph, Confidence::NameOnly);
    assert_eq!(with_names.len(), 4, "{with_names:?}");
    assert!(with_names.contains(&vec![
        "src/render.rs:Page::render".to_string(),
        "src/render.rs:Book::render".to_string()
    ]));
    let python = Project::load("python-cycles");
    assert_eq!(
        labels(&python.graph, Confidence::Inferred),
        [vec!["ping.py:ping", "pong.py:pong"]]
    );
}

/// blast-radius gives the brute-force reverse distances up to the depth, for every symbol.
#[test]
fn blast_radius_is_reverse_reachability() {
    for name in projects() {
        let project = Project::load(&name);
        let g = &project.graph;
        for (id, _) in g.symbols() {
            for (depth, min) in [
                (1, Confidence::NameOnly),
                (3, Confidence::Inferred),
                (9, Confidence::NameOnly),
            ] {
                let got: HashMap<SymbolId, u32> = graph::blast_radius(g, id, depth, min)
                    .into_iter()
                    .map(|n| (n.id, n.distance))
                    .collect();
                let mut expected = reach(g, id, &graph::BLAST_EDGES, min, true);
                expected.remove(&id);
                expected.retain(|_, d| *d <= depth);
                assert_eq!(got, expected, "{name}: {id:?} depth {depth}");
            }
        }
    }
}

/// The brief never exceeds its budget: every symbol of every fixture, both formats, budgets
/// around the edges and at random. A budget that cannot hold the identity line is refused
/// with what it needs; one that holds everything leaves nothing out.
#[test]
fn issue_6_context_never_exceeds_its_budget() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = move |below: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % below.max(1) as u64) as usize
    };
    let mut checked = 0;
    for name in projects() {
        let project = Project::load(&name);
        let g = &project.graph;
        for (id, _) in g.symbols() {
            let extras = project.extras(id);
            for format in [Format::Text, Format::Json] {
                let full = graph::context(g, id, extras.clone(), format, None).expect("no budget");
                let whole = full.tokens();
                let mut budgets = vec![0, 1, 5, 10, whole.saturating_sub(1), whole, whole + 1];
                budgets.extend((0..12).map(|_| random(whole + 8)));
                for budget in budgets {
                    match graph::context(g, id, extras.clone(), format, Some(budget)) {
                        Ok(c) => {
                            let rendered = c.render();
                            assert!(
                                estimate_tokens(&rendered) <= budget,
                                "{name}: {budget} tokens exceeded:\n{rendered}"
                            );
                            if budget >= whole {
                                assert_eq!(rendered, full.render(), "{name}: all fits");
                            }
                            for section in &c.sections {
                                let all = full
                                    .sections
                                    .iter()
                                    .find(|s| s.name == section.name)
                                    .expect("a section of the whole brief");
                                assert_eq!(
                                    section.list.items.len() + section.list.omitted,
                                    all.list.items.len(),
                                    "{name}: {} counts every item",
                                    section.name
                                );
                            }
                            checked += 1;
                        }
                        Err(ContextError::BudgetTooSmall { needed, .. }) => {
                            assert!(needed > budget, "{name}: refused {budget} ≥ {needed}");
                            let at_need =
                                graph::context(g, id, extras.clone(), format, Some(needed));
                            assert!(at_need.is_ok(), "{name}: {needed} tokens suffice");
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "{checked} budgeted briefs");
}

/// Every JSON rendering parses, answers and briefs alike, for every symbol.
#[test]
fn every_json_rendering_parses() {
    for name in projects() {
        let project = Project::load(&name);
        let g = &project.graph;
        for (id, s) in g.symbols() {
            let label = format!("{}:{}@L{}", s.file, s.qualified_name, s.start_line);
            for words in [
                vec!["callers", &label],
                vec!["callees", &label],
                vec!["what-implements", &label, "--transitive"],
                vec!["blast-radius", &label, "--depth", "4"],
                vec!["where-defined", &s.name],
            ] {
                let request = Request::parse(&words).expect("valid");
                let json = graph::run(g, &request).render_json();
                let value: serde_json::Value =
                    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
                assert_eq!(value["query"], words[0]);
            }
            let brief = graph::context(g, id, project.extras(id), Format::Json, Some(200))
                .expect("200 tokens hold an identity")
                .render();
            let value: serde_json::Value =
                serde_json::from_str(&brief).unwrap_or_else(|e| panic!("{e}: {brief}"));
            assert_eq!(value["symbol"]["label"], label.as_str());
        }
        let cycles = graph::run(g, &Request::parse(&["find-cycles"]).expect("valid")).render_json();
        serde_json::from_str::<serde_json::Value>(&cycles).expect("cycles parse");
    }
}

/// Impl blocks give way to their type on lookup, and are still reached by label.
#[test]
fn lookup_prefers_a_type_to_its_impl_blocks() {
    let project = Project::load("rust");
    let g = &project.graph;
    let Lookup::Found(id) = graph::lookup(g, "Circle") else {
        panic!("Circle is the struct");
    };
    assert_eq!(g.symbol(id).expect("live").kind, DefKind::Struct);
    assert_eq!(
        graph::where_defined(g, "Circle").len(),
        3,
        "struct and two impls"
    );
}
