//! Queries over a [`SymbolGraph`] (docs/graph.md, "Queries"): finding a symbol from what a
//! user wrote ([`lookup`], [`where_defined`]), its callers, callees and implementors, the blast
//! radius of a change, the cycles of the call/use graph, and an LLM-ready brief of one symbol
//! trimmed to a token budget ([`context`]). Pure functions of the graph; [`Answer`] and
//! [`Context`] render themselves as human text or JSON for the CLI and the socket.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hashbrown::HashMap;

use super::json::JsonWriter;
use super::{Confidence, DefKind, EdgeKind, SymbolGraph, SymbolId, Visibility};

impl Confidence {
    /// Strongest first.
    pub const ALL: [Confidence; 3] = [
        Confidence::Exact,
        Confidence::Inferred,
        Confidence::NameOnly,
    ];

    pub fn from_name(name: &str) -> Option<Confidence> {
        Confidence::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether an edge of this confidence passes a minimum: it is at least as sure as `min`
    /// (`min = Inferred` keeps exact and inferred edges, drops name-only ones).
    pub fn at_least(self, min: Confidence) -> bool {
        self <= min
    }
}

// ---------------------------------------------------------------------------------------------
// Finding symbols

/// What a user's string designates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found(SymbolId),
    /// Several symbols match; sorted by file and line.
    Ambiguous(Vec<SymbolId>),
    NotFound,
}

/// The symbol a user's string designates (rules in [`where_defined`]); when several match and
/// some are not Rust `impl` blocks, the `impl` blocks are dropped (`Circle` is the struct, not
/// its impl blocks, which `path:line` still reaches).
pub fn lookup(graph: &SymbolGraph, query: &str) -> Lookup {
    let mut found = where_defined(graph, query);
    let is_impl = |id: &SymbolId| graph.symbol(*id).is_some_and(|s| s.kind == DefKind::Impl);
    if found.len() > 1 && !found.iter().all(is_impl) {
        found.retain(|id| !is_impl(id));
    }
    match found.len() {
        0 => Lookup::NotFound,
        1 => Lookup::Found(found[0]),
        _ => Lookup::Ambiguous(found),
    }
}

/// Every definition a user's string matches, sorted by file and line:
///
/// - `path:rest`, when `path` is a file of the graph or the unique end of file paths
///   (`shapes.rs`): `rest` is a line number (the innermost definition spanning it) or a name
///   matched in those files only;
/// - a name with separators (`Shape::area`, `pkg.Class.method`; `::` and `.` are the same):
///   the definitions with exactly that qualified name; else those whose qualified name ends the
///   string and whose file's module path (directories and file stem, `mod`/`lib`/`main`/
///   `__init__`/`index` naming their directory) ends with the rest (`shapes::Circle::area`,
///   `pkg.util.helper`); a leading `crate::` is ignored;
/// - a plain name: every definition bearing it.
///
/// A trailing `@L<line>` (as answers print symbols) keeps the definitions starting on that line.
pub fn where_defined(graph: &SymbolGraph, query: &str) -> Vec<SymbolId> {
    let query = query.trim();
    let mut found = Vec::new();
    if let Some((path, rest)) = split_path(query) {
        let files = matching_files(graph, path);
        if !files.is_empty() {
            for file in files {
                found.extend(in_file(graph, file, rest));
            }
            sort_symbols(graph, &mut found);
            return found;
        }
    }
    found = by_written_name(graph, query, None);
    sort_symbols(graph, &mut found);
    found
}

/// `path:rest` split at the first single `:` (not part of `::`).
fn split_path(query: &str) -> Option<(&str, &str)> {
    let b = query.as_bytes();
    (0..b.len())
        .find(|&i| {
            b[i] == b':' && (i == 0 || b[i - 1] != b':') && b.get(i + 1).is_none_or(|c| *c != b':')
        })
        .map(|i| (&query[..i], &query[i + 1..]))
}

/// The graph's files named by a written path: itself, or the files it ends (after a `/`).
fn matching_files<'g>(graph: &'g SymbolGraph, path: &str) -> Vec<&'g str> {
    let path = path.trim_start_matches("./");
    if path.is_empty() {
        return Vec::new();
    }
    if let Some(exact) = graph.files().find(|f| *f == path) {
        return vec![exact];
    }
    let suffix = format!("/{path}");
    graph.files().filter(|f| f.ends_with(&suffix)).collect()
}

fn in_file(graph: &SymbolGraph, file: &str, rest: &str) -> Vec<SymbolId> {
    let rest = rest.trim();
    if let Ok(line) = rest.parse::<u32>() {
        // The innermost definition spanning the line.
        return graph
            .file_symbols(file)
            .iter()
            .copied()
            .filter(|id| {
                let s = graph.symbol(*id).expect("live");
                s.start_line <= line && line <= s.end_line
            })
            .min_by_key(|id| {
                let s = graph.symbol(*id).expect("live");
                (s.end_byte - s.start_byte, std::cmp::Reverse(s.start_byte))
            })
            .into_iter()
            .collect();
    }
    by_written_name(graph, rest, Some(file))
}

/// `name@L12` → (`name`, 12).
fn split_line_suffix(written: &str) -> (&str, Option<u32>) {
    if let Some((name, line)) = written.rsplit_once("@L")
        && let Ok(line) = line.parse()
    {
        return (name, Some(line));
    }
    (written, None)
}

fn segments(written: &str) -> Vec<&str> {
    written
        .split("::")
        .flat_map(|p| p.split('.'))
        .filter(|s| !s.is_empty())
        .collect()
}

fn by_written_name(graph: &SymbolGraph, written: &str, file: Option<&str>) -> Vec<SymbolId> {
    let (written, line) = split_line_suffix(written);
    let written = written.strip_prefix("crate::").unwrap_or(written);
    let segs = segments(written);
    let Some(last) = segs.last() else {
        return Vec::new();
    };
    let named: Vec<SymbolId> = graph
        .by_name(last)
        .filter(|id| {
            let s = graph.symbol(*id).expect("live");
            file.is_none_or(|f| s.file == f) && line.is_none_or(|l| s.start_line == l)
        })
        .collect();
    if segs.len() == 1 {
        return named;
    }
    let qualified = |id: &SymbolId| segments(&graph.symbol(*id).expect("live").qualified_name);
    let exact: Vec<SymbolId> = named
        .iter()
        .copied()
        .filter(|id| qualified(id) == segs)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    named
        .into_iter()
        .filter(|id| {
            let q = qualified(id);
            if segs.len() <= q.len() || !segs.ends_with(&q) {
                return false;
            }
            let prefix = &segs[..segs.len() - q.len()];
            module_paths(&graph.symbol(*id).expect("live").file)
                .iter()
                .any(|m| m.ends_with(prefix))
        })
        .collect()
}

/// The module paths a file may be written as: `src/a/b.rs` → `[src, a, b]` and `[src, a]`
/// (its directory: a Go package, a Java package); `a/mod.rs`, `lib.rs`, `__init__.py`,
/// `index.js` name their directory.
fn module_paths(file: &str) -> Vec<Vec<&str>> {
    let stemmed = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let full: Vec<&str> = stemmed.split('/').collect();
    let dir = full[..full.len() - 1].to_vec();
    let mut out = vec![full.clone(), dir];
    if matches!(
        full.last().copied(),
        Some("mod" | "lib" | "main" | "__init__" | "index")
    ) {
        out.remove(0);
    }
    out
}

/// Sorted by file, line, then qualified name (a stable order for every answer).
fn sort_symbols(graph: &SymbolGraph, ids: &mut [SymbolId]) {
    ids.sort_by(|a, b| symbol_key(graph, *a).cmp(&symbol_key(graph, *b)));
}

fn symbol_key(graph: &SymbolGraph, id: SymbolId) -> (&str, u32, usize, &str) {
    let s = graph.symbol(id).expect("live");
    (&s.file, s.start_line, s.start_byte, &s.qualified_name)
}

// ---------------------------------------------------------------------------------------------
// Neighbours, reachability, cycles

/// A symbol related to the queried one: by which kind of edge, how sure, how far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Neighbor {
    pub id: SymbolId,
    /// The edge's kind (for a walk: the kind of the edge that reached it on its surest path).
    pub kind: EdgeKind,
    /// The edge's confidence (for a walk: the weakest edge of the surest shortest path).
    pub confidence: Confidence,
    /// 1 for a direct neighbour; the number of edges from the queried symbol for a walk.
    pub distance: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Incoming,
    Outgoing,
}

/// Direct neighbours by edges of `kinds` with a confidence of at least `min`, one per symbol
/// (its surest edge), sorted by file and line.
fn neighbors(
    graph: &SymbolGraph,
    id: SymbolId,
    direction: Direction,
    kinds: &[EdgeKind],
    min: Confidence,
) -> Vec<Neighbor> {
    let mut best: BTreeMap<SymbolId, (Confidence, EdgeKind)> = BTreeMap::new();
    let edges: Box<dyn Iterator<Item = super::Edge>> = match direction {
        Direction::Incoming => Box::new(graph.incoming_of_kinds(id, kinds, min)),
        Direction::Outgoing => Box::new(graph.outgoing_at_least(id, min)),
    };
    for e in edges {
        if !kinds.contains(&e.kind) || !e.confidence.at_least(min) {
            continue;
        }
        let other = if direction == Direction::Incoming {
            e.from
        } else {
            e.to
        };
        let entry = best.entry(other).or_insert((e.confidence, e.kind));
        *entry = (*entry).min((e.confidence, e.kind));
    }
    let mut out: Vec<Neighbor> = best
        .into_iter()
        .map(|(id, (confidence, kind))| Neighbor {
            id,
            kind,
            confidence,
            distance: 1,
        })
        .collect();
    out.sort_by(|a, b| symbol_key(graph, a.id).cmp(&symbol_key(graph, b.id)));
    out
}

/// The symbols calling `id` (incoming `calls` edges of confidence at least `min`).
pub fn callers(graph: &SymbolGraph, id: SymbolId, min: Confidence) -> Vec<Neighbor> {
    neighbors(graph, id, Direction::Incoming, &[EdgeKind::Calls], min)
}

/// The symbols `id` calls.
pub fn callees(graph: &SymbolGraph, id: SymbolId, min: Confidence) -> Vec<Neighbor> {
    neighbors(graph, id, Direction::Outgoing, &[EdgeKind::Calls], min)
}

/// The types `id` uses (outgoing `uses` edges).
pub fn used_types(graph: &SymbolGraph, id: SymbolId, min: Confidence) -> Vec<Neighbor> {
    neighbors(graph, id, Direction::Outgoing, &[EdgeKind::Uses], min)
}

/// What `id` implements or extends (outgoing `implements` edges).
pub fn implemented(graph: &SymbolGraph, id: SymbolId, min: Confidence) -> Vec<Neighbor> {
    neighbors(graph, id, Direction::Outgoing, &[EdgeKind::Implements], min)
}

/// The definitions `id` contains (outgoing `contains` edges: methods of a class or impl).
pub fn members(graph: &SymbolGraph, id: SymbolId) -> Vec<Neighbor> {
    neighbors(
        graph,
        id,
        Direction::Outgoing,
        &[EdgeKind::Contains],
        Confidence::NameOnly,
    )
}

/// The implementors of a trait, interface or base class: the definitions with an
/// `implements` edge to it (Rust `impl` blocks, classes, interfaces extending it). Direct ones
/// only, or with `transitive` also their implementors in turn (a subclass of a subclass), each
/// with its distance.
pub fn what_implements(
    graph: &SymbolGraph,
    id: SymbolId,
    transitive: bool,
    min: Confidence,
) -> Vec<Neighbor> {
    if transitive {
        reverse_walk(graph, id, u32::MAX, &[EdgeKind::Implements], min)
    } else {
        neighbors(graph, id, Direction::Incoming, &[EdgeKind::Implements], min)
    }
}

/// The kinds of edge a change travels back along in [`blast_radius`]: a caller, a user of a
/// type and an implementor of a trait are affected when the symbol changes; a container is not.
pub const BLAST_EDGES: [EdgeKind; 3] = [EdgeKind::Calls, EdgeKind::Uses, EdgeKind::Implements];

/// Who is affected if `id` changes: the symbols reaching it by at most `depth` edges of
/// [`BLAST_EDGES`] with a confidence of at least `min` (a breadth-first walk of the reverse
/// edges), each with its distance; sorted by distance, then qualified name, file and line.
pub fn blast_radius(
    graph: &SymbolGraph,
    id: SymbolId,
    depth: u32,
    min: Confidence,
) -> Vec<Neighbor> {
    reverse_walk(graph, id, depth, &BLAST_EDGES, min)
}

/// Breadth-first over incoming edges, level by level: a symbol's distance is its shortest
/// path's; its confidence and kind those of the surest of its shortest paths (a path is as sure
/// as its weakest edge), so the answer does not depend on the order edges are visited.
fn reverse_walk(
    graph: &SymbolGraph,
    start: SymbolId,
    depth: u32,
    kinds: &[EdgeKind],
    min: Confidence,
) -> Vec<Neighbor> {
    let mut seen: HashMap<SymbolId, Neighbor> = HashMap::new();
    seen.insert(
        start,
        Neighbor {
            id: start,
            kind: EdgeKind::Calls,
            confidence: Confidence::Exact,
            distance: 0,
        },
    );
    let mut frontier = vec![start];
    let mut next = Vec::new();
    let mut distance = 0;
    while !frontier.is_empty() && distance < depth {
        distance += 1;
        for &v in &frontier {
            let via = seen[&v].confidence;
            for e in graph.incoming_of_kinds(v, kinds, min) {
                if !kinds.contains(&e.kind) || !e.confidence.at_least(min) {
                    continue;
                }
                let confidence = via.max(e.confidence);
                match seen.entry(e.from) {
                    hashbrown::hash_map::Entry::Vacant(slot) => {
                        slot.insert(Neighbor {
                            id: e.from,
                            kind: e.kind,
                            confidence,
                            distance,
                        });
                        next.push(e.from);
                    }
                    hashbrown::hash_map::Entry::Occupied(mut slot) => {
                        let n = slot.get_mut();
                        if n.distance == distance && (confidence, e.kind) < (n.confidence, n.kind) {
                            n.confidence = confidence;
                            n.kind = e.kind;
                        }
                    }
                }
            }
        }
        std::mem::swap(&mut frontier, &mut next);
        next.clear();
    }
    seen.remove(&start);
    let mut out: Vec<Neighbor> = seen.into_values().collect();
    out.sort_by(|a, b| {
        let (sa, sb) = (graph.symbol(a.id), graph.symbol(b.id));
        let (sa, sb) = (sa.expect("live"), sb.expect("live"));
        (a.distance, &sa.qualified_name, &sa.file, sa.start_line).cmp(&(
            b.distance,
            &sb.qualified_name,
            &sb.file,
            sb.start_line,
        ))
    });
    out
}

/// The kinds of edge [`find_cycles`] follows.
pub const CYCLE_EDGES: [EdgeKind; 2] = [EdgeKind::Calls, EdgeKind::Uses];

/// The cycles of the call/use graph: its strongly connected components of two symbols or more
/// over [`CYCLE_EDGES`] with a confidence of at least `min` (edges never loop on their origin,
/// so a recursive function alone is not one). Members sorted by file and line; components
/// largest first, then by their first member. Tarjan's algorithm with an explicit stack: no
/// recursion, any depth.
pub fn find_cycles(graph: &SymbolGraph, min: Confidence) -> Vec<Vec<SymbolId>> {
    let n = graph.id_bound();
    // Adjacency in compressed rows: `targets[start[v]..start[v + 1]]`.
    let mut edges: Vec<(u32, u32)> = Vec::new();
    graph.for_each_edge(min, |e| {
        if CYCLE_EDGES.contains(&e.kind) {
            edges.push((e.from.0, e.to.0));
        }
    });
    let mut start = vec![0u32; n + 1];
    for &(from, _) in &edges {
        start[from as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut targets = vec![0u32; edges.len()];
    for &(from, to) in &edges {
        targets[fill[from as usize] as usize] = to;
        fill[from as usize] += 1;
    }

    const UNSEEN: u32 = u32::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    // The walk: (node, position of its next edge).
    let mut walk: Vec<(u32, u32)> = Vec::new();
    let mut counter = 0u32;
    let mut components = Vec::new();
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN || start[root as usize] == start[root as usize + 1] {
            continue;
        }
        index[root as usize] = counter;
        low[root as usize] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        walk.push((root, start[root as usize]));
        while let Some(&mut (v, ref mut at)) = walk.last_mut() {
            let vi = v as usize;
            if *at < start[vi + 1] {
                let w = targets[*at as usize];
                *at += 1;
                let wi = w as usize;
                if index[wi] == UNSEEN {
                    index[wi] = counter;
                    low[wi] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[wi] = true;
                    walk.push((w, start[wi]));
                } else if on_stack[wi] {
                    low[vi] = low[vi].min(index[wi]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(u, _)) = walk.last() {
                low[u as usize] = low[u as usize].min(low[vi]);
            }
            if low[vi] == index[vi] {
                let mut component = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w as usize] = false;
                    component.push(SymbolId(w));
                    if w == v {
                        break;
                    }
                }
                if component.len() >= 2 {
                    sort_symbols(graph, &mut component);
                    components.push(component);
                }
            }
        }
    }
    components.sort_by(|a, b| {
        b.len()
            .cmp(&a.len())
            .then_with(|| symbol_key(graph, a[0]).cmp(&symbol_key(graph, b[0])))
    });
    components
}

// ---------------------------------------------------------------------------------------------
// Requests and answers

/// A query over the graph, as the CLI and the socket take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    WhatImplements { symbol: String, transitive: bool },
    Callers { symbol: String },
    Callees { symbol: String },
    WhereDefined { name: String },
    BlastRadius { symbol: String, depth: u32 },
    FindCycles,
}

/// The depth of `blast-radius` when none is given.
pub const DEFAULT_BLAST_DEPTH: u32 = 3;

impl Query {
    /// The query's name on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Query::WhatImplements { .. } => "what-implements",
            Query::Callers { .. } => "callers",
            Query::Callees { .. } => "callees",
            Query::WhereDefined { .. } => "where-defined",
            Query::BlastRadius { .. } => "blast-radius",
            Query::FindCycles => "find-cycles",
        }
    }

    /// The minimum confidence when none is given: every edge for the one-step lists (each
    /// answer line shows its confidence), `inferred` for the walks (`blast-radius`,
    /// `find-cycles`), where name-only edges compound into spurious reach and cycles.
    pub fn default_min_confidence(&self) -> Confidence {
        match self {
            Query::BlastRadius { .. } | Query::FindCycles => Confidence::Inferred,
            _ => Confidence::NameOnly,
        }
    }

    /// The written symbol or name, if the query has one.
    pub fn subject(&self) -> Option<&str> {
        match self {
            Query::WhatImplements { symbol, .. }
            | Query::Callers { symbol }
            | Query::Callees { symbol }
            | Query::BlastRadius { symbol, .. } => Some(symbol),
            Query::WhereDefined { name } => Some(name),
            Query::FindCycles => None,
        }
    }
}

/// A query and its options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub query: Query,
    /// `None`: the query's [`Query::default_min_confidence`].
    pub min_confidence: Option<Confidence>,
}

/// Why a request's words were refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error(
        "unknown query `{0}` (what-implements, callers, callees, where-defined, blast-radius, find-cycles)"
    )]
    UnknownQuery(String),
    #[error("`{0}` needs a symbol")]
    MissingSymbol(&'static str),
    #[error("`{option}` needs a value")]
    MissingValue { option: String },
    #[error("`{option}`: invalid value `{value}` ({expected})")]
    InvalidValue {
        option: String,
        value: String,
        expected: &'static str,
    },
    #[error("unexpected argument `{0}`")]
    Unexpected(String),
}

impl Request {
    /// Parses the words of a query: `callers SYMBOL`, `callees SYMBOL`, `where-defined NAME`,
    /// `what-implements SYMBOL [--transitive]`, `blast-radius SYMBOL [--depth N]`,
    /// `find-cycles`; each takes `--min-confidence exact|inferred|name-only`.
    pub fn parse<S: AsRef<str>>(words: &[S]) -> Result<Request, RequestError> {
        let mut words = words.iter().map(AsRef::as_ref);
        let name = words.next().unwrap_or("");
        let mut subject: Option<String> = None;
        let mut transitive = false;
        let mut depth = DEFAULT_BLAST_DEPTH;
        let mut min_confidence = None;
        while let Some(w) = words.next() {
            let mut value = |option: &str| {
                words.next().ok_or_else(|| RequestError::MissingValue {
                    option: option.to_string(),
                })
            };
            match w {
                "--transitive" if name == "what-implements" => transitive = true,
                "--depth" if name == "blast-radius" => {
                    let v = value(w)?;
                    depth = v.parse().map_err(|_| RequestError::InvalidValue {
                        option: w.to_string(),
                        value: v.to_string(),
                        expected: "a number of edges",
                    })?;
                }
                "--min-confidence" => {
                    let v = value(w)?;
                    min_confidence = Some(Confidence::from_name(v).ok_or_else(|| {
                        RequestError::InvalidValue {
                            option: w.to_string(),
                            value: v.to_string(),
                            expected: "exact, inferred or name-only",
                        }
                    })?);
                }
                w if subject.is_none() && !w.starts_with("--") && name != "find-cycles" => {
                    subject = Some(w.to_string());
                }
                w => return Err(RequestError::Unexpected(w.to_string())),
            }
        }
        let symbol = |name: &'static str| subject.clone().ok_or(RequestError::MissingSymbol(name));
        let query = match name {
            "what-implements" => Query::WhatImplements {
                symbol: symbol("what-implements")?,
                transitive,
            },
            "callers" => Query::Callers {
                symbol: symbol("callers")?,
            },
            "callees" => Query::Callees {
                symbol: symbol("callees")?,
            },
            "where-defined" => Query::WhereDefined {
                name: symbol("where-defined")?,
            },
            "blast-radius" => Query::BlastRadius {
                symbol: symbol("blast-radius")?,
                depth,
            },
            "find-cycles" => Query::FindCycles,
            other => return Err(RequestError::UnknownQuery(other.to_string())),
        };
        Ok(Request {
            query,
            min_confidence,
        })
    }

    pub fn min_confidence(&self) -> Confidence {
        self.min_confidence
            .unwrap_or_else(|| self.query.default_min_confidence())
    }
}

/// A symbol as answers show it (owned: an answer outlives the graph's next update).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolInfo {
    pub file: String,
    pub name: String,
    pub qualified_name: String,
    pub kind: DefKind,
    pub visibility: Visibility,
    pub start_line: u32,
    pub end_line: u32,
}

impl SymbolInfo {
    pub fn of(graph: &SymbolGraph, id: SymbolId) -> SymbolInfo {
        let s = graph.symbol(id).expect("a live symbol");
        SymbolInfo {
            file: s.file.clone(),
            name: s.name.clone(),
            qualified_name: s.qualified_name.clone(),
            kind: s.kind,
            visibility: s.visibility,
            start_line: s.start_line,
            end_line: s.end_line,
        }
    }

    /// `file:qualified_name@Lline`, which [`lookup`] takes back.
    pub fn label(&self) -> String {
        format!("{}:{}@L{}", self.file, self.qualified_name, self.start_line)
    }

    fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        self.write_fields(w);
        w.end_object();
    }

    fn write_fields(&self, w: &mut JsonWriter) {
        w.field("label", &self.label())
            .field("file", &self.file)
            .field("name", &self.name)
            .field("qualified_name", &self.qualified_name)
            .field("kind", self.kind.name())
            .field("visibility", self.visibility.name())
            .field_number("start_line", self.start_line.into())
            .field_number("end_line", self.end_line.into());
    }
}

/// A related symbol in an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub symbol: SymbolInfo,
    pub kind: EdgeKind,
    pub confidence: Confidence,
    pub distance: u32,
}

impl Item {
    fn of(graph: &SymbolGraph, n: &Neighbor) -> Item {
        Item {
            symbol: SymbolInfo::of(graph, n.id),
            kind: n.kind,
            confidence: n.confidence,
            distance: n.distance,
        }
    }
}

/// What a query found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The queried symbol and the symbols related to it.
    Related {
        subject: SymbolInfo,
        items: Vec<Item>,
    },
    /// `where-defined`: the definitions.
    Defined(Vec<SymbolInfo>),
    /// `find-cycles`: the components.
    Cycles(Vec<Vec<SymbolInfo>>),
    /// The symbol's name matches several: the candidates.
    Ambiguous(Vec<SymbolInfo>),
    NotFound,
}

/// The answer to a [`Request`], self-contained for rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub request: Request,
    pub outcome: Outcome,
}

/// Runs a query.
pub fn run(graph: &SymbolGraph, request: &Request) -> Answer {
    let min = request.min_confidence();
    let answer = |outcome| Answer {
        request: request.clone(),
        outcome,
    };
    let info = |ids: &[SymbolId]| -> Vec<SymbolInfo> {
        ids.iter().map(|id| SymbolInfo::of(graph, *id)).collect()
    };
    if let Query::WhereDefined { name } = &request.query {
        return answer(Outcome::Defined(info(&where_defined(graph, name))));
    }
    if let Query::FindCycles = &request.query {
        let cycles = find_cycles(graph, min);
        return answer(Outcome::Cycles(cycles.iter().map(|c| info(c)).collect()));
    }
    let symbol = request.query.subject().expect("a symbol query");
    let id = match lookup(graph, symbol) {
        Lookup::Found(id) => id,
        Lookup::Ambiguous(ids) => return answer(Outcome::Ambiguous(info(&ids))),
        Lookup::NotFound => return answer(Outcome::NotFound),
    };
    let related = match &request.query {
        Query::WhatImplements { transitive, .. } => what_implements(graph, id, *transitive, min),
        Query::Callers { .. } => callers(graph, id, min),
        Query::Callees { .. } => callees(graph, id, min),
        Query::BlastRadius { depth, .. } => blast_radius(graph, id, *depth, min),
        Query::WhereDefined { .. } | Query::FindCycles => unreachable!("answered above"),
    };
    answer(Outcome::Related {
        subject: SymbolInfo::of(graph, id),
        items: related.iter().map(|n| Item::of(graph, n)).collect(),
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Answer {
    /// The symbol was not found or is ambiguous (the CLI's failure exit).
    pub fn is_error(&self) -> bool {
        matches!(self.outcome, Outcome::Ambiguous(_) | Outcome::NotFound)
    }

    /// Human text: a heading line, then one indented line per symbol.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let query = &self.request.query;
        let min = self.request.min_confidence();
        let asked = query.subject().unwrap_or("");
        match &self.outcome {
            Outcome::NotFound => {
                let _ = writeln!(out, "no symbol matches `{asked}`");
            }
            Outcome::Ambiguous(candidates) => {
                let _ = writeln!(
                    out,
                    "`{asked}` is ambiguous: {} (name one by file:name, file:line or a qualified name)",
                    plural(candidates.len(), "candidate", "candidates")
                );
                for c in candidates {
                    let _ = writeln!(out, "  {}  {}", c.label(), c.kind.name());
                }
            }
            Outcome::Defined(defs) => {
                let _ = writeln!(
                    out,
                    "definitions of `{asked}`: {}",
                    plural(defs.len(), "symbol", "symbols")
                );
                for d in defs {
                    let _ = writeln!(
                        out,
                        "  {}  {}  {}  L{}-{}",
                        d.label(),
                        d.kind.name(),
                        d.visibility.name(),
                        d.start_line,
                        d.end_line
                    );
                }
            }
            Outcome::Cycles(cycles) => {
                let _ = writeln!(
                    out,
                    "cycles of calls and uses (min confidence {}): {}",
                    min.name(),
                    cycles.len()
                );
                for (i, c) in cycles.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "  cycle {}: {}",
                        i + 1,
                        plural(c.len(), "symbol", "symbols")
                    );
                    for s in c {
                        let _ = writeln!(out, "    {}  {}", s.label(), s.kind.name());
                    }
                }
            }
            Outcome::Related { subject, items } => {
                let what = match query {
                    Query::WhatImplements { transitive, .. } => format!(
                        "implementors of {} {} ({}, min confidence {})",
                        subject.kind.name(),
                        subject.label(),
                        if *transitive { "transitive" } else { "direct" },
                        min.name()
                    ),
                    Query::Callers { .. } => format!(
                        "callers of {} {} (min confidence {})",
                        subject.kind.name(),
                        subject.label(),
                        min.name()
                    ),
                    Query::Callees { .. } => format!(
                        "callees of {} {} (min confidence {})",
                        subject.kind.name(),
                        subject.label(),
                        min.name()
                    ),
                    Query::BlastRadius { depth, .. } => format!(
                        "blast radius of {} {} (depth {depth}, min confidence {})",
                        subject.kind.name(),
                        subject.label(),
                        min.name()
                    ),
                    Query::WhereDefined { .. } | Query::FindCycles => unreachable!(),
                };
                let _ = writeln!(out, "{what}: {}", plural(items.len(), "symbol", "symbols"));
                let walk = matches!(
                    query,
                    Query::BlastRadius { .. }
                        | Query::WhatImplements {
                            transitive: true,
                            ..
                        }
                );
                for item in items {
                    let _ = write!(out, "  ");
                    if walk {
                        let _ = write!(out, "{}  ", item.distance);
                    }
                    let _ = write!(
                        out,
                        "{}  {}  ",
                        item.symbol.label(),
                        item.symbol.kind.name()
                    );
                    if walk {
                        let _ = write!(out, "{} ", item.kind.name());
                    }
                    let _ = writeln!(out, "{}", item.confidence.name());
                }
            }
        }
        out
    }

    /// Compact JSON: `{"query":…, …}` with `symbol` (the subject), `results`, `cycles`, or
    /// `error` (`not-found`, `ambiguous` with `candidates`).
    pub fn render_json(&self) -> String {
        let query = &self.request.query;
        let mut w = JsonWriter::new();
        w.begin_object().field("query", query.name());
        if let Some(asked) = query.subject() {
            w.field("asked", asked);
        }
        w.field("min_confidence", self.request.min_confidence().name());
        match query {
            Query::BlastRadius { depth, .. } => {
                w.field_number("depth", (*depth).into());
            }
            Query::WhatImplements { transitive, .. } => {
                w.key("transitive").boolean(*transitive);
            }
            _ => {}
        }
        let symbols = |w: &mut JsonWriter, key: &str, list: &[SymbolInfo]| {
            w.key(key).begin_array();
            for s in list {
                s.write_json(w);
            }
            w.end_array();
        };
        match &self.outcome {
            Outcome::NotFound => {
                w.field("error", "not-found");
            }
            Outcome::Ambiguous(candidates) => {
                w.field("error", "ambiguous");
                symbols(&mut w, "candidates", candidates);
            }
            Outcome::Defined(defs) => symbols(&mut w, "results", defs),
            Outcome::Cycles(cycles) => {
                w.key("cycles").begin_array();
                for c in cycles {
                    w.begin_array();
                    for s in c {
                        s.write_json(&mut w);
                    }
                    w.end_array();
                }
                w.end_array();
            }
            Outcome::Related { subject, items } => {
                w.key("symbol");
                subject.write_json(&mut w);
                w.key("results").begin_array();
                for item in items {
                    // The symbol's fields, then the edge's.
                    w.begin_object();
                    item.symbol.write_fields(&mut w);
                    w.field("via", item.kind.name())
                        .field("confidence", item.confidence.name())
                        .field_number("distance", item.distance.into())
                        .end_object();
                }
                w.end_array();
            }
        }
        w.end_object();
        w.finish()
    }
}
