//! The symbol graph, second part: resolution of the per-file references to definitions across
//! files, as edges with a confidence (docs/graph.md, "Resolution"). Pure data; nothing here
//! touches the ECS.
//!
//! A file's outgoing edges depend only on its own symbols, the files that exist (for import
//! resolution) and the definitions bearing the names it references. So an update re-resolves
//! the changed file, the files that reference a name whose definitions the change added or
//! removed, and, when a file appears or vanishes, the files whose scope looked for a file at
//! its place (the probes of their imports: a module path, a package directory, a header).

use std::cell::RefCell;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

use codepulse_components::Language;
use hashbrown::{HashMap, HashSet};

use super::dead;
use super::{DefKind, Definition, FileSymbols, RefKind, Reference, Visibility};
use crate::lang::{Scope, symbol_rules};

/// Index of a symbol in [`SymbolGraph::symbol`]; stable while its file is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SymbolId(pub u32);

/// One definition in the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub file: String,
    /// The language of its file.
    pub language: Language,
    pub name: String,
    pub qualified_name: String,
    pub kind: DefKind,
    pub visibility: Visibility,
    pub start_byte: usize,
    pub end_byte: usize,
    pub start_line: u32,
    pub end_line: u32,
    /// The innermost enclosing definition, in the same file.
    pub parent: Option<SymbolId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    Calls,
    Uses,
    Implements,
    Contains,
}

/// Every [`EdgeKind`], in declaration order (`kind as usize` indexes it).
pub const EDGE_KINDS: [EdgeKind; 4] = [
    EdgeKind::Calls,
    EdgeKind::Uses,
    EdgeKind::Implements,
    EdgeKind::Contains,
];

impl EdgeKind {
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Calls => "calls",
            EdgeKind::Uses => "uses",
            EdgeKind::Implements => "implements",
            EdgeKind::Contains => "contains",
        }
    }
}

/// How sure the resolution is of an edge's target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Through the file's own scope, its module/package, or an import naming it.
    Exact,
    /// The unique match among what imports make visible, or a `self`/`this` receiver.
    Inferred,
    /// One of the definitions bearing the name, without scope to choose.
    NameOnly,
}

impl Confidence {
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Exact => "exact",
            Confidence::Inferred => "inferred",
            Confidence::NameOnly => "name-only",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    pub from: SymbolId,
    pub to: SymbolId,
    pub kind: EdgeKind,
    pub confidence: Confidence,
}

/// A call or use that resolution could only tie to every definition bearing its name (the
/// name-only fallback: `x.len()` with `x` of unknown type). It is kept as this one reference,
/// not as an edge to each candidate: its edges are implied by the definitions of the name at
/// the time they are asked for ([`SymbolGraph::incoming`], [`SymbolGraph::outgoing`],
/// [`SymbolGraph::edges`]), so a name defined in thousands of places costs one entry per
/// reference, and a definition of the name appearing or vanishing changes no stored edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct NameRef {
    from: SymbolId,
    kind: EdgeKind,
    /// The [`Target`]s of the references merged into it, as bits ([`Target::bit`]).
    targets: u8,
}

impl NameRef {
    /// Whether a definition of this kind is one of its candidates.
    fn accepts(self, kind: DefKind) -> bool {
        Target::ALL
            .into_iter()
            .any(|t| self.targets & t.bit() != 0 && t.accepts(kind))
    }

    /// The edge it implies to `to`.
    fn edge_to(self, to: SymbolId) -> Edge {
        Edge {
            from: self.from,
            to,
            kind: self.kind,
            confidence: Confidence::NameOnly,
        }
    }

    /// The kinds of definition it accepts, as bits (`1 << kind as u32`).
    fn accepted_kinds(self) -> u32 {
        DefKind::ALL
            .into_iter()
            .filter(|k| self.accepts(*k))
            .fold(0, |bits, k| bits | 1 << k as u32)
    }
}

/// What an imported local name stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Binding {
    /// A module/package: its files (`import x`, `use crate::a`, Go imports).
    Module(Files),
    /// A definition named `name` in one of these files (`from m import n`, `use a::N`).
    Item(Files, String),
}

/// Files a scope looks in, sorted, with the number of definitions in them: weighed once, not
/// at each reference looked up in them ([`Scoper::in_files`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Files {
    paths: Vec<String>,
    definitions: usize,
}

impl Files {
    fn new(graph: &SymbolGraph, mut paths: Vec<String>) -> Files {
        paths.sort_unstable();
        paths.dedup();
        let definitions = paths
            .iter()
            .map(|p| graph.files.get(p).map_or(0, |f| f.ids.len()))
            .sum();
        Files { paths, definitions }
    }

    fn contains(&self, path: &str) -> bool {
        self.paths
            .binary_search_by(|p| p.as_str().cmp(path))
            .is_ok()
    }
}

#[derive(Clone, Debug)]
struct FileEntry {
    language: Language,
    /// Shared with whoever extracted it (the file's `Symbols` component): never copied.
    symbols: Arc<FileSymbols>,
    /// Ids of `symbols.definitions`, index for index.
    ids: Vec<SymbolId>,
    /// Names this file references (calls, types, implements): its edges depend on their
    /// definitions.
    referenced: BTreeSet<String>,
    edges: Vec<Edge>,
    /// The name-only references of its definitions, by name, sorted (their edges are implied).
    name_refs: Vec<(String, NameRef)>,
    /// Symbols referenced from outside any definition (file-level statements) or imported:
    /// references without an edge, which still keep their targets alive.
    file_refs: BTreeSet<SymbolId>,
    /// Symbols this file re-exports (`pub use`).
    reexports: BTreeSet<SymbolId>,
    /// What its last resolution asked about which files exist, sorted.
    probes: Vec<Probe>,
}

/// A question the scope rules ask about which files exist: the files at a path, in a
/// directory, of a module... Each file answers the probes its path matches
/// ([`Probe::of_file`]), so finding a module's, package's or header's files costs a hash
/// lookup, not a scan of every file; and each file records the probes its resolution asked, so
/// a file appearing or vanishing re-resolves exactly the files whose imports looked for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Probe {
    /// The file at this path.
    Path(String),
    /// The files of a directory (`a/b` for `a/b/c.rs`; `` at the root).
    Dir(String),
    /// The files of the directories with this last segment (`b`).
    DirName(String),
    /// The files with this name up to its first dot (`c` for `a/b/c.test.js`).
    Stem(String),
    /// The files with this path up to its last dot (`a/b/c` for `a/b/c.rs`).
    WithoutExtension(String),
    /// The Rust files of a module (`rust_module`).
    RustModule(Vec<String>),
    /// The Python files whose module ends with this segment (`python_module`).
    PythonModule(String),
}

impl Probe {
    /// The probes a file answers.
    fn of_file(path: &str, language: Language) -> Vec<Probe> {
        let dir = parent_dir(path);
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut probes = vec![
            Probe::Path(path.to_string()),
            Probe::Dir(dir.to_string()),
            Probe::DirName(dir.rsplit('/').next().unwrap_or(dir).to_string()),
            Probe::Stem(name.split('.').next().unwrap_or(name).to_string()),
        ];
        if let Some((stem, _)) = path.rsplit_once('.') {
            probes.push(Probe::WithoutExtension(stem.to_string()));
        }
        match symbol_rules(language).resolve.scope {
            Scope::RustCrate => probes.push(Probe::RustModule(rust_module(path))),
            Scope::PythonModule => {
                let module = python_module(path);
                let last = module.rsplit('.').next().unwrap_or(&module).to_string();
                probes.push(Probe::PythonModule(last));
            }
            _ => {}
        }
        probes
    }
}

/// Adds a string to a set, allocating only when it is new.
fn insert_str(set: &mut HashSet<String>, s: &str) {
    if !set.contains(s) {
        set.insert(s.to_string());
    }
}

/// Adds `path` to the set of `key` in a map of sets.
fn add_to<K: std::hash::Hash + Eq>(map: &mut HashMap<K, BTreeSet<String>>, key: K, path: &str) {
    map.entry(key).or_default().insert(path.to_string());
}

/// Removes `path` from the set of `key`, and the set when it is left empty.
fn drop_from<K: std::hash::Hash + Eq>(map: &mut HashMap<K, BTreeSet<String>>, key: &K, path: &str) {
    if let Some(set) = map.get_mut(key) {
        set.remove(path);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// Definitions and resolved edges of many files, with forward and reverse indexes, updated
/// per file.
#[derive(Clone, Debug, Default)]
pub struct SymbolGraph {
    symbols: Vec<Option<Symbol>>,
    free: Vec<SymbolId>,
    /// The files by path (hashed: resolution looks files up by paths that share long
    /// prefixes, which an ordered map compares byte by byte).
    files: HashMap<String, FileEntry>,
    /// The paths of `files`, sorted.
    paths: BTreeSet<String>,
    by_name: HashMap<String, BTreeSet<SymbolId>>,
    by_qualified: HashMap<String, BTreeSet<SymbolId>>,
    /// How many symbols bear each name, per scope kind (`Scope as usize`): whether a name is
    /// defined where a file's references can reach, without looking at the definitions.
    named_in_scope: HashMap<String, [u32; SCOPES]>,
    /// Files referencing a name.
    referencing: HashMap<String, BTreeSet<String>>,
    /// Incoming edges per target (the stored ones: not those implied by name-only references).
    incoming: HashMap<SymbolId, BTreeSet<Edge>>,
    /// The name-only references per name: the implied incoming edges of the definitions
    /// bearing it.
    named_refs: HashMap<String, BTreeSet<NameRef>>,
    /// Files referencing a symbol at file level or by an import, per target.
    file_referenced: HashMap<SymbolId, BTreeSet<String>>,
    /// Files re-exporting a symbol (`pub use`), per target.
    reexported: HashMap<SymbolId, BTreeSet<String>>,
    /// Files whose symbols' dead status may have changed ([`SymbolGraph::take_touched`]).
    touched: HashSet<String>,
    /// Names whose defining files are touched too ([`SymbolGraph::take_touched`]).
    touched_names: HashSet<String>,
    /// Symbols by name and the last segment of their owner (the qualified name without the
    /// name), split by each of [`SEPARATORS`]: the members of a container named like a
    /// receiver, found without scanning every definition of the name (`owner_key`).
    by_owner: HashMap<String, BTreeSet<SymbolId>>,
    /// How many threads resolve the files of a batch ([`SymbolGraph::set_threads`]).
    threads: usize,
    /// The files answering each probe (by path, directory, stem, module).
    files_by_probe: HashMap<Probe, BTreeSet<String>>,
    /// The files whose last resolution asked each probe.
    probed_by: HashMap<Probe, BTreeSet<String>>,
}

impl SymbolGraph {
    /// A graph of these files (relative paths with `/`), built cold.
    pub fn build<S: Into<Arc<FileSymbols>>>(
        files: impl IntoIterator<Item = (String, Language, S)>,
    ) -> SymbolGraph {
        let mut graph = SymbolGraph::default();
        let mut paths = Vec::new();
        for (path, language, symbols) in files {
            graph.remove_symbols(&path);
            graph.insert_symbols(path.clone(), language, symbols.into());
            paths.push(path);
        }
        // Every file is touched: no need to work out which symbols' files are.
        let jobs: Vec<_> = graph.paths.iter().map(|p| (p.clone(), None)).collect();
        graph.resolve_files(jobs, false);
        graph.touched = graph.files.keys().cloned().collect();
        graph.touched_names.clear();
        graph
    }

    /// Replaces (or adds) one file's symbols and re-resolves what depends on them: the file
    /// itself, the files referencing a name whose definitions in it appeared or vanished, and,
    /// when the file appears (or changes language), the files whose scope looked for a file at
    /// its place. A definition that keeps what resolution reads of it (name, qualified name,
    /// kind, export status) keeps its id and the edges into it, so an edit that moves code but
    /// defines the same things re-resolves the edited file only. [`SymbolGraph::update_files`]
    /// of one change.
    pub fn replace_file(
        &mut self,
        path: &str,
        language: Language,
        symbols: impl Into<Arc<FileSymbols>>,
    ) {
        self.update_files([(path.to_string(), Some((language, symbols.into())))]);
    }

    /// Removes one file and re-resolves the files that referenced its names or looked for a
    /// file at its place. [`SymbolGraph::update_files`] of one removal.
    pub fn remove_file(&mut self, path: &str) {
        self.update_files([(path.to_string(), None::<(Language, Arc<FileSymbols>)>)]);
    }

    /// Marks touched files whose export status changed, what they re-export, and the
    /// `impl` blocks of their types (whose members are exported with the type).
    fn touch_export_dependents(&mut self, files: Vec<String>) {
        for f in files {
            let ids: Vec<SymbolId> = self
                .reexports(&f)
                .chain(self.file_symbols(&f).iter().copied())
                .collect();
            for id in ids {
                self.touch_symbol(id);
            }
            self.touch_file(&f);
        }
    }

    /// Files whose symbols' dead status may have changed since the last call: the replaced
    /// and removed files, every file whose symbols gained or lost an incoming edge or
    /// reference (and, for a member of a Rust `impl`, the files defining its type), and the
    /// files whose export status depends on a changed file (the Rust modules below a file
    /// whose module declarations changed). Drains the set; a freshly built graph reports all
    /// its files.
    pub fn take_touched(&mut self) -> BTreeSet<String> {
        let mut touched: BTreeSet<String> = std::mem::take(&mut self.touched).into_iter().collect();
        for name in std::mem::take(&mut self.touched_names) {
            for id in self.by_name(&name) {
                let file = &self.symbol(id).expect("live").file;
                if !touched.contains(file) {
                    touched.insert(file.clone());
                }
            }
        }
        touched
    }

    /// The files referencing a symbol outside any definition (file-level statements) or
    /// importing it: references that make no edge.
    pub fn file_references(&self, id: SymbolId) -> impl Iterator<Item = &str> + '_ {
        self.file_referenced
            .get(&id)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The files re-exporting a symbol (Rust `pub use`).
    pub fn reexporters(&self, id: SymbolId) -> impl Iterator<Item = &str> + '_ {
        self.reexported
            .get(&id)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The symbols a file re-exports (Rust `pub use`).
    pub fn reexports(&self, path: &str) -> impl Iterator<Item = SymbolId> + '_ {
        self.files
            .get(path)
            .into_iter()
            .flat_map(|f| f.reexports.iter().copied())
    }

    /// The language and extracted symbols of a file, with their ids index for index.
    pub fn file(&self, path: &str) -> Option<(Language, &FileSymbols, &[SymbolId])> {
        self.files
            .get(path)
            .map(|f| (f.language, &*f.symbols, f.ids.as_slice()))
    }

    /// Every file's path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> + '_ {
        self.paths.iter().map(String::as_str)
    }

    /// The paths starting with `prefix`, sorted (a range of the sorted file map, not a scan).
    pub fn paths_starting_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.paths
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .map(String::as_str)
            .take_while(move |p| p.starts_with(prefix))
    }

    /// Applies the changes of many files at once (`Some`: the file's new symbols, `None`: the
    /// file is gone), re-resolving every affected file once: the same graph as the changes
    /// applied one by one with [`SymbolGraph::replace_file`] / [`SymbolGraph::remove_file`],
    /// for the cost of one re-resolution per affected file (a cold load in batches changes
    /// hundreds of files in one tick).
    pub fn update_files<S: Into<Arc<FileSymbols>>>(
        &mut self,
        changes: impl IntoIterator<Item = (String, Option<(Language, S)>)>,
    ) {
        // The names whose definitions changed, by the scope kind of their language: only the
        // files of that kind can resolve to them.
        let mut names: BTreeSet<(Scope, String)> = BTreeSet::new();
        let mut probes = Vec::new();
        let mut changed = Vec::new();
        let mut in_place = Vec::new();
        // Files whose references changed inside some definitions only: those are resolved
        // again, the rest of the file's edges stay.
        let mut partial: Vec<(String, BTreeSet<usize>)> = Vec::new();
        for (path, new) in changes {
            let previous = self.files.get(&path).map(|f| f.language);
            if previous.is_none() && new.is_none() {
                continue;
            }
            // The common edit (a keystroke in a body): the same definitions, moved. Nothing
            // another file resolves can change, so the file keeps its ids and only its own
            // references are resolved again, if they changed at all.
            let new = match new {
                Some((language, symbols)) => {
                    match self.update_in_place(&path, language, symbols.into()) {
                        Ok(InPlace::Unchanged) => continue,
                        Ok(InPlace::Within(definitions)) => {
                            partial.push((path, definitions));
                            continue;
                        }
                        Ok(InPlace::Whole) => {
                            in_place.push(path);
                            continue;
                        }
                        Err(symbols) => Some((language, symbols)),
                    }
                }
                None => None,
            };
            let old_key = dead::export_key(self, &path);
            let old_dependents = dead::export_dependents(self, &path);
            match new {
                // Other definitions in a file present in the same language: the definitions
                // whose resolution key survives keep their ids.
                Some((language, symbols)) if previous == Some(language) => {
                    self.touch_file(&path);
                    self.touch_impl_types(&path);
                    let scope = scope_of(language);
                    let changed = self.update_symbols(&path, symbols);
                    names.extend(changed.into_iter().map(|n| (scope, n)));
                }
                // The file appears, vanishes, or reappears in another language: as if removed
                // and added. What its module's name resolves to changes, and so does what the
                // scopes that looked for a file at its place find.
                new => {
                    let scopes: Vec<Scope> = previous
                        .iter()
                        .chain(new.as_ref().map(|(l, _)| l))
                        .map(|l| scope_of(*l))
                        .collect();
                    if let Some(previous) = previous {
                        let scope = scope_of(previous);
                        names.extend(self.defined_names(&path).into_iter().map(|n| (scope, n)));
                        probes.extend(Probe::of_file(&path, previous));
                    }
                    self.remove_symbols(&path);
                    if previous.is_none() || new.is_none() {
                        for scope in scopes {
                            names.extend(module_names(&path).into_iter().map(|n| (scope, n)));
                        }
                    }
                    if let Some((language, symbols)) = new {
                        let scope = scope_of(language);
                        names.extend(symbols.definitions.iter().map(|d| (scope, d.name.clone())));
                        probes.extend(Probe::of_file(&path, language));
                        self.insert_symbols(path.clone(), language, symbols);
                        self.touch_file(&path);
                    }
                }
            }
            changed.push((path, previous.is_some(), old_key, old_dependents));
        }
        let mut todo: BTreeSet<String> = changed
            .iter()
            .map(|(p, ..)| p.clone())
            .chain(in_place)
            .filter(|p| self.files.contains_key(p))
            .collect();
        for (scope, n) in &names {
            if let Some(files) = self.referencing.get(n) {
                todo.extend(
                    files
                        .iter()
                        .filter(|p| {
                            self.files
                                .get(*p)
                                .is_some_and(|f| scope_of(f.language) == *scope)
                        })
                        .cloned(),
                );
            }
        }
        for p in &probes {
            if let Some(files) = self.probed_by.get(p) {
                todo.extend(files.iter().cloned());
            }
        }
        let mut jobs: std::collections::BTreeMap<String, Option<BTreeSet<usize>>> =
            todo.into_iter().map(|p| (p, None)).collect();
        for (path, definitions) in partial {
            // A file re-resolved whole for another reason needs no part.
            jobs.entry(path).or_insert(Some(definitions));
        }
        self.resolve_files(jobs.into_iter().collect(), true);
        // Files whose export status depends on a changed one.
        for (path, present, old_key, old_dependents) in changed {
            if !self.files.contains_key(&path) {
                self.touch_export_dependents(old_dependents);
            } else if !present || old_key != dead::export_key(self, &path) {
                let dependents = dead::export_dependents(self, &path);
                self.touch_export_dependents(dependents);
                self.touch_export_dependents(old_dependents);
            }
        }
    }

    pub fn symbol(&self, id: SymbolId) -> Option<&Symbol> {
        self.symbols.get(id.0 as usize).and_then(Option::as_ref)
    }

    /// Every symbol bearing `name`.
    pub fn by_name(&self, name: &str) -> impl Iterator<Item = SymbolId> + '_ {
        self.by_name.get(name).into_iter().flatten().copied()
    }

    /// Every symbol with this qualified name (several files may define one).
    pub fn by_qualified_name(&self, qualified: &str) -> impl Iterator<Item = SymbolId> + '_ {
        self.by_qualified
            .get(qualified)
            .into_iter()
            .flatten()
            .copied()
    }

    /// The symbols of a file, in source order.
    pub fn file_symbols(&self, path: &str) -> &[SymbolId] {
        self.files.get(path).map_or(&[], |f| f.ids.as_slice())
    }

    /// Outgoing edges of a symbol.
    pub fn outgoing(&self, id: SymbolId) -> impl Iterator<Item = Edge> + '_ {
        self.outgoing_at_least(id, Confidence::NameOnly)
    }

    /// Outgoing edges of a symbol with a confidence of at least `min` (the edges implied by
    /// name-only references are not even looked at for a higher one).
    pub fn outgoing_at_least(
        &self,
        id: SymbolId,
        min: Confidence,
    ) -> impl Iterator<Item = Edge> + '_ {
        let file = self
            .symbol(id)
            .map(|s| s.file.as_str())
            .and_then(|f| self.files.get(f));
        let stored = file.into_iter().flat_map(move |f| {
            let from = f.edges.partition_point(|e| e.from < id);
            f.edges[from..]
                .iter()
                .take_while(move |e| e.from == id)
                .filter(move |e| e.confidence.at_least(min))
                .copied()
        });
        let implied = file
            .filter(|_| Confidence::NameOnly.at_least(min))
            .into_iter()
            .flat_map(move |f| {
                f.name_refs
                    .iter()
                    .filter(move |(_, r)| r.from == id)
                    .flat_map(move |(name, r)| self.implied(name, *r))
            });
        stored.chain(implied)
    }

    /// Incoming edges of a symbol of one kind: its callers (`Calls`), users (`Uses`),
    /// implementors (`Implements`) or container (`Contains`).
    pub fn incoming(&self, id: SymbolId, kind: EdgeKind) -> impl Iterator<Item = Edge> + '_ {
        self.incoming_of_kinds(
            id,
            &EDGE_KINDS[kind as usize..=kind as usize],
            Confidence::NameOnly,
        )
    }

    /// How many edges the graph stores and how many name-only references it keeps in their
    /// stead (each implies an edge to every definition of its name: [`SymbolGraph::edges`]).
    pub fn stored(&self) -> (usize, usize) {
        self.files
            .values()
            .map(|f| (f.edges.len(), f.name_refs.len()))
            .fold((0, 0), |(e, r), (fe, fr)| (e + fe, r + fr))
    }

    /// Every edge, file by file: the stored ones, then those implied by name-only references.
    pub fn edges(&self) -> impl Iterator<Item = Edge> + '_ {
        self.edges_at_least(Confidence::NameOnly)
    }

    /// Every edge with a confidence of at least `min`, file by file
    /// ([`SymbolGraph::for_each_edge`], collected).
    pub fn edges_at_least(&self, min: Confidence) -> impl Iterator<Item = Edge> + '_ {
        let mut edges = Vec::new();
        self.for_each_edge(min, |e| edges.push(e));
        edges.into_iter()
    }

    /// Calls `f` with every edge of a confidence of at least `min`, file by file: the stored
    /// ones, then those its name-only references imply ([`SymbolGraph::implies`], with the
    /// candidates of each name looked up once, not once per reference).
    pub fn for_each_edge(&self, min: Confidence, mut f: impl FnMut(Edge)) {
        let implied = Confidence::NameOnly.at_least(min);
        // Per name: its definitions of each scope kind, with their kinds as bits.
        let mut candidates: HashMap<&str, Vec<(SymbolId, u32, Scope)>> = HashMap::new();
        let mut implemented: Vec<SymbolId> = Vec::new();
        for path in &self.paths {
            let file = &self.files[path];
            for e in &file.edges {
                if e.confidence.at_least(min) {
                    f(*e);
                }
            }
            if !implied {
                continue;
            }
            let scope = scope_of(file.language);
            for (name, r) in &file.name_refs {
                let named = candidates.entry(name.as_str()).or_insert_with(|| {
                    self.by_name(name)
                        .map(|id| {
                            let s = self.symbol(id).expect("live");
                            (id, 1 << s.kind as u32, scope_of(s.language))
                        })
                        .collect()
                });
                let accepted = r.accepted_kinds();
                // What its origin implements: a use of it is that implements edge.
                implemented.clear();
                if r.kind == EdgeKind::Uses {
                    let at = file.edges.partition_point(|e| e.from < r.from);
                    implemented.extend(
                        file.edges[at..]
                            .iter()
                            .take_while(|e| e.from == r.from)
                            .filter(|e| e.kind == EdgeKind::Implements)
                            .map(|e| e.to),
                    );
                }
                for &(to, kind, s) in named.iter() {
                    if to != r.from
                        && s == scope
                        && accepted & kind != 0
                        && !implemented.contains(&to)
                    {
                        f(r.edge_to(to));
                    }
                }
            }
        }
    }

    /// Incoming edges of a symbol, every kind: the stored ones in edge order, then the implied.
    pub fn incoming_edges(&self, id: SymbolId) -> impl Iterator<Item = Edge> + '_ {
        self.incoming_of_kinds(id, &EDGE_KINDS, Confidence::NameOnly)
    }

    /// Incoming edges of a symbol of these kinds with a confidence of at least `min` (the
    /// name-only references of its name are not looked at for a higher one, nor those of
    /// other kinds).
    pub fn incoming_of_kinds<'a>(
        &'a self,
        id: SymbolId,
        kinds: &'a [EdgeKind],
        min: Confidence,
    ) -> impl Iterator<Item = Edge> + 'a {
        let stored = self
            .incoming
            .get(&id)
            .into_iter()
            .flatten()
            .filter(move |e| kinds.contains(&e.kind) && e.confidence.at_least(min))
            .copied();
        let named = self
            .symbol(id)
            .filter(|_| Confidence::NameOnly.at_least(min))
            .and_then(|s| self.named_refs.get(&s.name));
        let implied = named
            .into_iter()
            .flatten()
            .copied()
            .filter(move |r| kinds.contains(&r.kind) && self.implies(*r, id))
            .map(move |r| r.edge_to(id));
        stored.chain(implied)
    }

    /// The edges a name-only reference to `name` implies ([`SymbolGraph::implies`]).
    fn implied<'a>(&'a self, name: &'a str, r: NameRef) -> impl Iterator<Item = Edge> + 'a {
        self.by_name(name)
            .filter(move |&to| self.implies(r, to))
            .map(move |to| r.edge_to(to))
    }

    /// The definitions a name-only reference to `name` may reach, whatever its kind of edge
    /// ([`SymbolGraph::reaches`]): what a change of the reference touches.
    fn implied_targets<'a>(
        &'a self,
        name: &'a str,
        r: NameRef,
    ) -> impl Iterator<Item = SymbolId> + 'a {
        self.by_name(name).filter(move |&to| self.reaches(r, to))
    }

    /// Whether a name-only reference reaches `to`, a definition bearing its name: one it
    /// accepts, in a language of the same scope kind (a Python call is not a call of a Go
    /// function), other than its origin.
    fn reaches(&self, r: NameRef, to: SymbolId) -> bool {
        let (Some(from), Some(s)) = (self.symbol(r.from), self.symbol(to)) else {
            return false;
        };
        to != r.from && r.accepts(s.kind) && scope_of(from.language) == scope_of(s.language)
    }

    /// Whether a name-only reference implies an edge to `to`: it reaches it, and it is not a
    /// use of a name its origin implements (that is the implements edge).
    fn implies(&self, r: NameRef, to: SymbolId) -> bool {
        self.reaches(r, to)
            && !(r.kind == EdgeKind::Uses && self.has_edge(r.from, to, EdgeKind::Implements))
    }

    /// Whether a stored edge of this kind goes from `from` to `to`.
    fn has_edge(&self, from: SymbolId, to: SymbolId, kind: EdgeKind) -> bool {
        let Some(f) = self.symbol(from).and_then(|s| self.files.get(&s.file)) else {
            return false;
        };
        edge_in(&f.edges, from, to, kind)
    }

    /// Every live symbol with its id, in id order.
    pub fn symbols(&self) -> impl Iterator<Item = (SymbolId, &Symbol)> + '_ {
        self.symbols
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (SymbolId(i as u32), s)))
    }

    /// One more than the largest symbol id ever given: the size of a dense per-symbol array.
    pub fn id_bound(&self) -> usize {
        self.symbols.len()
    }

    /// The paths of the graph's files, sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> + '_ {
        self.paths()
    }

    /// The language a file was added with.
    pub fn language(&self, path: &str) -> Option<Language> {
        self.files.get(path).map(|f| f.language)
    }

    /// The extracted definition of a symbol (its signature, implemented names, parent).
    pub fn definition(&self, id: SymbolId) -> Option<&Definition> {
        let f = self.files.get(&self.symbol(id)?.file)?;
        let i = f.ids.iter().position(|x| *x == id)?;
        f.symbols.definitions.get(i)
    }

    fn label(&self, id: SymbolId) -> String {
        let s = self.symbol(id).expect("edges point at live symbols");
        format!("{}:{}@L{}", s.file, s.qualified_name, s.start_line)
    }

    /// The canonical rendering: one line per edge, `from -> to kind confidence` with symbols
    /// as `file:qualified_name@Lline` (the line tells apart two `impl` blocks of one
    /// type), sorted (the snapshots, and what the incremental test compares).
    pub fn render(&self) -> String {
        let mut lines: Vec<String> = self
            .edges()
            .map(|e| {
                format!(
                    "{} -> {} {} {}",
                    self.label(e.from),
                    self.label(e.to),
                    e.kind.name(),
                    e.confidence.name()
                )
            })
            .collect();
        lines.sort();
        lines.dedup();
        let mut out = String::new();
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
        out
    }

    /// A rendering of the indexes, sorted (for the incremental test): symbols by file, the
    /// reverse index, and the file-level references per target.
    pub fn render_indexes(&self) -> String {
        let mut lines = Vec::new();
        for (path, f) in &self.files {
            for id in &f.ids {
                let s = self.symbol(*id).expect("live");
                lines.push(format!(
                    "sym {path} {} {} {}",
                    s.qualified_name,
                    s.kind.name(),
                    s.visibility.name()
                ));
                let named = self.by_name[&s.name].contains(id);
                let qualified = self.by_qualified[&s.qualified_name].contains(id);
                lines.push(format!(
                    "idx {path} {} {named} {qualified}",
                    s.qualified_name
                ));
            }
        }
        for (to, edges) in &self.incoming {
            for e in edges {
                assert_eq!(e.to, *to);
                lines.push(format!(
                    "in {} <- {} {} {}",
                    self.label(*to),
                    self.label(e.from),
                    e.kind.name(),
                    e.confidence.name()
                ));
            }
        }
        for (name, refs) in &self.named_refs {
            for r in refs {
                let from = self.symbol(r.from).expect("live");
                assert!(
                    self.files[&from.file]
                        .name_refs
                        .contains(&(name.clone(), *r))
                );
                lines.push(format!(
                    "nref {name} <- {} {} {:b}",
                    self.label(r.from),
                    r.kind.name(),
                    r.targets
                ));
            }
        }
        for (to, files) in &self.file_referenced {
            for f in files {
                assert!(self.files[f].file_refs.contains(to));
                lines.push(format!("fref {} <- {f}", self.label(*to)));
            }
        }
        lines.sort();
        lines.join("\n")
    }

    fn defined_names(&self, path: &str) -> BTreeSet<String> {
        self.files
            .get(path)
            .map(|f| {
                f.symbols
                    .definitions
                    .iter()
                    .map(|d| d.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Replaces a file's symbols by `symbols` in place when its definitions are the same but
    /// for their positions (and signatures): the ids stay, the spans move. Returns what of the
    /// file must be resolved again ([`InPlace`]), or gives `symbols` back when the definitions
    /// differ (or the file is new).
    fn update_in_place(
        &mut self,
        path: &str,
        language: Language,
        symbols: Arc<FileSymbols>,
    ) -> Result<InPlace, Arc<FileSymbols>> {
        let Some(entry) = self.files.get(path) else {
            return Err(symbols);
        };
        let same_definitions = entry.language == language
            && entry.symbols.has_export_list == symbols.has_export_list
            && entry.symbols.definitions.len() == symbols.definitions.len()
            && entry
                .symbols
                .definitions
                .iter()
                .zip(&symbols.definitions)
                .all(|(a, b)| {
                    a.kind == b.kind
                        && a.name == b.name
                        && a.qualified_name == b.qualified_name
                        && a.visibility == b.visibility
                        && a.modifier == b.modifier
                        && a.implements == b.implements
                        && a.attributes == b.attributes
                        && a.parent == b.parent
                });
        if !same_definitions {
            return Err(symbols);
        }
        let resolve = changed_references(&entry.symbols, &symbols);
        let references_changed = resolve != InPlace::Unchanged;
        let entry = self.files.get_mut(path).expect("present");
        for (&id, d) in entry.ids.iter().zip(&symbols.definitions) {
            let s = self.symbols[id.0 as usize].as_mut().expect("live symbol");
            s.start_byte = d.start_byte;
            s.end_byte = d.end_byte;
            s.start_line = d.start_line;
            s.end_line = d.end_line;
        }
        if references_changed {
            let referenced = referenced_names(&symbols);
            for gone in entry.referenced.difference(&referenced) {
                if let Some(set) = self.referencing.get_mut(gone) {
                    set.remove(path);
                    if set.is_empty() {
                        self.referencing.remove(gone);
                    }
                }
            }
            for name in referenced.difference(&entry.referenced) {
                self.referencing
                    .entry(name.clone())
                    .or_default()
                    .insert(path.to_string());
            }
            entry.referenced = referenced;
            insert_str(&mut self.touched, path);
        }
        entry.symbols = symbols;
        Ok(resolve)
    }

    fn insert_symbols(&mut self, path: String, language: Language, symbols: Arc<FileSymbols>) {
        let mut ids = Vec::with_capacity(symbols.definitions.len());
        for d in &symbols.definitions {
            let parent = d.parent.map(|p| ids[p]);
            ids.push(self.add_symbol(&path, language, d, parent));
        }
        for probe in Probe::of_file(&path, language) {
            add_to(&mut self.files_by_probe, probe, &path);
        }
        let referenced = referenced_names(&symbols);
        self.index_file(path, language, symbols, ids, (referenced, &BTreeSet::new()));
    }

    /// A new symbol for a definition of `path` (a freed id when there is one), indexed by name
    /// and qualified name.
    fn add_symbol(
        &mut self,
        path: &str,
        language: Language,
        d: &Definition,
        parent: Option<SymbolId>,
    ) -> SymbolId {
        let symbol = Symbol {
            file: path.to_string(),
            language,
            name: d.name.clone(),
            qualified_name: d.qualified_name.clone(),
            kind: d.kind,
            visibility: d.visibility,
            start_byte: d.start_byte,
            end_byte: d.end_byte,
            start_line: d.start_line,
            end_line: d.end_line,
            parent,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.symbols[id.0 as usize] = Some(symbol);
                id
            }
            None => {
                self.symbols.push(Some(symbol));
                SymbolId(self.symbols.len() as u32 - 1)
            }
        };
        self.by_name.entry(d.name.clone()).or_default().insert(id);
        self.named_in_scope.entry(d.name.clone()).or_default()[scope_of(language) as usize] += 1;
        self.by_qualified
            .entry(d.qualified_name.clone())
            .or_default()
            .insert(id);
        for sep in SEPARATORS {
            let key = owner_key(&d.name, sep, owner_last(&d.qualified_name, &d.name, sep));
            self.by_owner.entry(key).or_default().insert(id);
        }
        id
    }

    /// Drops a symbol and its index entries. The edges, file-level references and re-exports
    /// naming it stay in the reverse indexes until their files are re-resolved (they reference
    /// its name, so the caller re-resolves them): the reverse indexes always mirror the files'
    /// lists, which re-resolution diffs against.
    fn free_symbol(&mut self, id: SymbolId) {
        let s = self.symbols[id.0 as usize].take().expect("live symbol");
        remove_from(&mut self.by_name, &s.name, id);
        if let Some(counts) = self.named_in_scope.get_mut(&s.name) {
            counts[scope_of(s.language) as usize] -= 1;
            if counts.iter().all(|c| *c == 0) {
                self.named_in_scope.remove(&s.name);
            }
        }
        remove_from(&mut self.by_qualified, &s.qualified_name, id);
        for sep in SEPARATORS {
            let key = owner_key(&s.name, sep, owner_last(&s.qualified_name, &s.name, sep));
            remove_from(&mut self.by_owner, &key, id);
        }
        self.free.push(id);
    }

    /// Records a file's entry (without edges) and the names it references.
    fn index_file(
        &mut self,
        path: String,
        language: Language,
        symbols: Arc<FileSymbols>,
        ids: Vec<SymbolId>,
        (referenced, indexed): (BTreeSet<String>, &BTreeSet<String>),
    ) {
        // The names `indexed` (those of the file's previous symbols) list it already.
        for name in referenced.difference(indexed) {
            match self.referencing.get_mut(name) {
                Some(files) => {
                    if !files.contains(&path) {
                        files.insert(path.clone());
                    }
                }
                None => {
                    self.referencing
                        .insert(name.clone(), BTreeSet::from([path.clone()]));
                }
            }
        }
        if !self.paths.contains(&path) {
            self.paths.insert(path.clone());
        }
        self.files.insert(
            path.clone(),
            FileEntry {
                language,
                symbols,
                ids,
                referenced,
                edges: Vec::new(),
                name_refs: Vec::new(),
                file_refs: BTreeSet::new(),
                reexports: BTreeSet::new(),
                probes: Vec::new(),
            },
        );
        self.touch_impl_types(&path);
    }

    /// Replaces the symbols of a file present with the same language, pairing old and new
    /// definitions by their resolution key in order: a paired definition keeps its id (its
    /// spans move), the others are freed or added. Returns the names of the unpaired ones,
    /// whose referencing files must be re-resolved. Edges into paired ids from other files
    /// stay: nothing they were resolved from changed.
    fn update_symbols(&mut self, path: &str, symbols: Arc<FileSymbols>) -> BTreeSet<String> {
        let mut old = self.files.remove(path).expect("a present file");
        // Kept for re-resolution to diff against.
        let old_edges = std::mem::take(&mut old.edges);
        let old_probes = std::mem::take(&mut old.probes);
        let old_refs = std::mem::take(&mut old.file_refs);
        let old_reexports = std::mem::take(&mut old.reexports);
        let old_name_refs = std::mem::take(&mut old.name_refs);
        // The names it no longer references (`index_file` adds the new ones).
        let referenced = referenced_names(&symbols);
        for name in old.referenced.difference(&referenced) {
            if let Some(set) = self.referencing.get_mut(name) {
                set.remove(path);
                if set.is_empty() {
                    self.referencing.remove(name);
                }
            }
        }
        fn key(d: &Definition) -> (&str, &str, DefKind, Visibility) {
            (&d.name, &d.qualified_name, d.kind, d.visibility)
        }
        let mut unpaired: HashMap<_, VecDeque<SymbolId>> = HashMap::new();
        for (d, id) in old.symbols.definitions.iter().zip(&old.ids) {
            unpaired.entry(key(d)).or_default().push_back(*id);
        }
        let mut changed = BTreeSet::new();
        let mut ids: Vec<SymbolId> = Vec::with_capacity(symbols.definitions.len());
        for d in &symbols.definitions {
            // A parent precedes its members.
            let parent = d.parent.map(|p| ids[p]);
            match unpaired.get_mut(&key(d)).and_then(|q| q.pop_front()) {
                Some(id) => {
                    let s = self.symbols[id.0 as usize].as_mut().expect("live symbol");
                    s.start_byte = d.start_byte;
                    s.end_byte = d.end_byte;
                    s.start_line = d.start_line;
                    s.end_line = d.end_line;
                    // What an import of it names depends on its parent (a `mod` block).
                    if s.parent != parent {
                        s.parent = parent;
                        changed.insert(d.name.clone());
                    }
                    ids.push(id);
                }
                None => {
                    changed.insert(d.name.clone());
                    ids.push(self.add_symbol(path, old.language, d, parent));
                }
            }
        }
        let freed: BTreeSet<SymbolId> = unpaired.into_values().flatten().collect();
        // The edges from a freed symbol go now: its id may be reused by another file of the
        // same batch before this one is re-resolved, and an edge of the new symbol could then
        // equal one of these (a `contains` between two reused ids).
        let (gone, old_edges): (Vec<Edge>, Vec<Edge>) =
            old_edges.into_iter().partition(|e| freed.contains(&e.from));
        self.drop_edges(&gone);
        for e in &gone {
            self.touch_symbol(e.to);
        }
        let (gone, old_name_refs): (Vec<_>, Vec<_>) = old_name_refs
            .into_iter()
            .partition(|(_, r)| freed.contains(&r.from));
        for gone in &gone {
            let targets: Vec<SymbolId> = self.implied_targets(&gone.0, gone.1).collect();
            for id in targets {
                self.touch_symbol(id);
            }
            self.drop_name_ref(gone);
        }
        for id in freed {
            changed.insert(self.symbol(id).expect("live symbol").name.clone());
            self.free_symbol(id);
        }
        self.index_file(
            path.to_string(),
            old.language,
            symbols,
            ids,
            (referenced, &old.referenced),
        );
        let entry = self.files.get_mut(path).expect("just indexed");
        entry.edges = old_edges;
        entry.name_refs = old_name_refs;
        entry.probes = old_probes;
        entry.file_refs = old_refs;
        entry.reexports = old_reexports;
        changed
    }

    /// Removes a file's symbols, its outgoing edges and its index entries. Edges of other
    /// files pointing at its symbols must be re-resolved by the caller.
    fn remove_symbols(&mut self, path: &str) {
        if !self.files.contains_key(path) {
            return;
        }
        self.touch_file(path);
        self.touch_impl_types(path);
        let Some(entry) = self.files.remove(path) else {
            return;
        };
        self.paths.remove(path);
        let implied: Vec<SymbolId> = entry
            .name_refs
            .iter()
            .flat_map(|(name, r)| self.implied_targets(name, *r))
            .collect();
        for id in entry
            .edges
            .iter()
            .map(|e| e.to)
            .chain(entry.file_refs.iter().copied())
            .chain(entry.reexports.iter().copied())
            .chain(implied)
        {
            self.touch_symbol(id);
        }
        for r in &entry.name_refs {
            self.drop_name_ref(r);
        }
        for probe in Probe::of_file(path, entry.language) {
            drop_from(&mut self.files_by_probe, &probe, path);
        }
        for probe in &entry.probes {
            drop_from(&mut self.probed_by, probe, path);
        }
        self.drop_edges(&entry.edges);
        drop_file_index(&mut self.file_referenced, path, &entry.file_refs);
        drop_file_index(&mut self.reexported, path, &entry.reexports);
        for name in &entry.referenced {
            if let Some(set) = self.referencing.get_mut(name) {
                set.remove(path);
                if set.is_empty() {
                    self.referencing.remove(name);
                }
            }
        }
        for id in entry.ids {
            self.free_symbol(id);
        }
    }

    fn drop_edges(&mut self, edges: &[Edge]) {
        for e in edges {
            if let Some(set) = self.incoming.get_mut(&e.to) {
                set.remove(e);
                if set.is_empty() {
                    self.incoming.remove(&e.to);
                }
            }
        }
    }

    /// Marks a symbol's file touched, and for a member of an `impl` block the files defining
    /// the implemented type (a type with a live member is alive).
    fn touch_symbol(&mut self, id: SymbolId) {
        let symbols = &self.symbols;
        let symbol = |id: SymbolId| symbols.get(id.0 as usize).and_then(Option::as_ref);
        let Some(s) = symbol(id) else {
            return;
        };
        insert_str(&mut self.touched, &s.file);
        if let Some(p) = s
            .parent
            .and_then(symbol)
            .filter(|p| p.kind == DefKind::Impl)
        {
            insert_str(&mut self.touched_names, &p.name);
        }
        // A type's export (a `pub use` of it) decides its `impl` members'.
        if TYPE_KINDS.contains(&s.kind) {
            insert_str(&mut self.touched_names, &s.name);
        }
    }

    /// Marks touched the files defining `name` (when the touched files are taken: a batch
    /// touches a name once, however many of its references moved).
    fn touch_defining(&mut self, name: &str) {
        insert_str(&mut self.touched_names, name);
    }

    /// Marks a file touched.
    fn touch_file(&mut self, path: &str) {
        insert_str(&mut self.touched, path);
    }

    /// Marks touched the files defining the names of a file's `impl` blocks and types: a
    /// type's liveness depends on its `impl` blocks' members, their export on the type's.
    fn touch_impl_types(&mut self, path: &str) {
        let names: Vec<String> = self.files.get(path).map_or_else(Vec::new, |f| {
            f.symbols
                .definitions
                .iter()
                .filter(|d| d.kind == DefKind::Impl || TYPE_KINDS.contains(&d.kind))
                .map(|d| d.name.clone())
                .collect()
        });
        for name in names {
            self.touch_defining(&name);
        }
    }

    /// (Re)computes the outgoing edges and file-level references of one file; the targets
    /// that gained or lost one are touched. The reverse index of edges is updated by the
    /// difference with the previous edges (both sorted), so re-resolving a file whose edges did
    /// not change touches no index.
    fn resolve_files(&mut self, jobs: Vec<(String, Option<BTreeSet<usize>>)>, touch: bool) {
        // Resolving reads the definitions and the files; recording a resolution writes only
        // the edges and their indexes: so the files are resolved together, in parallel, then
        // recorded one by one.
        let resolved = crate::parallel::map(&jobs, self.threads, |(p, within)| {
            self.compute_edges(p, within.as_ref())
        });
        for ((path, _), resolved) in jobs.iter().zip(resolved) {
            self.record_resolution(path, resolved, touch);
        }
    }

    /// Sets how many threads resolve the files of a batch (at least one).
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// Records the resolution of a file, marking touched what changed only when `touch` (a
    /// cold build touches every file anyway).
    fn record_resolution(&mut self, path: &str, resolved: ResolvedFile, touch: bool) {
        let ResolvedFile {
            edges,
            name_refs,
            file_refs: refs,
            reexports,
            probes,
        } = resolved;
        let entry = self.files.get_mut(path).expect("file");
        if entry.probes != probes {
            let old = std::mem::replace(&mut entry.probes, probes.clone());
            for p in &old {
                drop_from(&mut self.probed_by, p, path);
            }
            for p in probes {
                add_to(&mut self.probed_by, p, path);
            }
        }
        let entry = self.files.get_mut(path).expect("file");
        let old = std::mem::take(&mut entry.edges);
        let old_refs = std::mem::take(&mut entry.file_refs);
        let old_reexports = std::mem::take(&mut entry.reexports);
        let old_name_refs = std::mem::take(&mut entry.name_refs);
        let mut changed = Vec::new();
        // The name-only references that changed: they touch every candidate of their name.
        let mut changed_refs = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < old_name_refs.len() || j < name_refs.len() {
            match (old_name_refs.get(i), name_refs.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                }
                (Some(a), b) if b.is_none_or(|b| a < b) => {
                    self.drop_name_ref(a);
                    changed_refs.push(i);
                    i += 1;
                }
                (_, Some((name, r))) => {
                    self.named_refs
                        .entry_ref(name.as_str())
                        .or_default()
                        .insert(*r);
                    changed_refs.push(old_name_refs.len() + j);
                    j += 1;
                }
                (_, None) => unreachable!("the loop runs while one side has references"),
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < edges.len() {
            match (old.get(i), edges.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                }
                (Some(a), b) if b.is_none_or(|b| a < b) => {
                    self.drop_edges(std::slice::from_ref(a));
                    changed.push(a.to);
                    i += 1;
                }
                (_, Some(b)) => {
                    self.incoming.entry(b.to).or_default().insert(*b);
                    changed.push(b.to);
                    j += 1;
                }
                (_, None) => unreachable!("the loop runs while one side has edges"),
            }
        }
        drop_file_index(&mut self.file_referenced, path, &old_refs);
        drop_file_index(&mut self.reexported, path, &old_reexports);
        for id in &refs {
            self.file_referenced
                .entry(*id)
                .or_default()
                .insert(path.to_string());
        }
        for id in &reexports {
            self.reexported
                .entry(*id)
                .or_default()
                .insert(path.to_string());
        }
        if touch {
            for k in changed_refs {
                let (name, r) = match k.checked_sub(old_name_refs.len()) {
                    None => &old_name_refs[k],
                    Some(j) => &name_refs[j],
                };
                changed.extend(self.implied_targets(name, *r));
            }
            changed.extend(old_refs.symmetric_difference(&refs).copied());
            changed.extend(old_reexports.symmetric_difference(&reexports).copied());
            // Many edges share a target: each is touched once.
            changed.sort_unstable();
            changed.dedup();
            for id in changed {
                self.touch_symbol(id);
            }
        }
        let entry = self.files.get_mut(path).expect("file");
        entry.edges = edges;
        entry.name_refs = name_refs;
        entry.file_refs = refs;
        entry.reexports = reexports;
    }

    /// Drops a name-only reference from the index by name.
    fn drop_name_ref(&mut self, (name, r): &(String, NameRef)) {
        if let Some(set) = self.named_refs.get_mut(name.as_str()) {
            set.remove(r);
            if set.is_empty() {
                self.named_refs.remove(name.as_str());
            }
        }
    }

    /// Resolves a file's references: its stored edges, sorted; its name-only references,
    /// sorted, merged per origin, kind and name; the symbols it references at file level or
    /// imports, and those it re-exports (`pub use`); and the probes its scope asked, sorted.
    ///
    /// `within`: only the references inside these definitions changed (the file's other
    /// references, its imports and file-level references included, are as last resolved):
    /// those are resolved, the file's other edges and references kept.
    fn compute_edges(&self, path: &str, within: Option<&BTreeSet<usize>>) -> ResolvedFile {
        let f = &self.files[path];
        let rules = &symbol_rules(f.language).resolve;
        let scope = Scoper::new(self, path, f);
        let mut file_refs = BTreeSet::new();
        let mut reexports = BTreeSet::new();
        let mut edges = Vec::new();
        let mut name_refs: Vec<(&str, NameRef)> = Vec::new();
        let redone: HashSet<SymbolId> = within.into_iter().flatten().map(|&i| f.ids[i]).collect();
        if within.is_some() {
            file_refs = f.file_refs.clone();
            reexports = f.reexports.clone();
            scope.probes.borrow_mut().extend(f.probes.iter().cloned());
            // Edges from definitions (contains, implements) and from the other definitions'
            // references stay.
            edges.extend(f.edges.iter().copied().filter(|e| {
                !redone.contains(&e.from)
                    || matches!(e.kind, EdgeKind::Contains | EdgeKind::Implements)
            }));
            name_refs.extend(
                f.name_refs
                    .iter()
                    .filter(|(_, r)| !redone.contains(&r.from))
                    .map(|(n, r)| (n.as_str(), *r)),
            );
        }
        let imports = f
            .symbols
            .references
            .iter()
            .filter(|r| r.kind == RefKind::Import && within.is_none());
        for (k, r) in imports.enumerate() {
            let targets = scope.import_targets(k);
            if r.modifier.as_deref() == Some("pub") {
                reexports.extend(targets.iter().copied());
            }
            file_refs.extend(targets);
        }
        let definitions = f.symbols.definitions.iter().enumerate();
        for (i, d) in definitions.filter(|_| within.is_none()) {
            let from = f.ids[i];
            if let Some(p) = d.parent {
                edges.push(Edge {
                    from: f.ids[p],
                    to: from,
                    kind: EdgeKind::Contains,
                    confidence: Confidence::Exact,
                });
            }
            for written in &d.implements {
                let (receiver, name) = split_written(written);
                // Few definitions are implemented: their name-only edges are stored.
                let targets = match scope.resolve(name, receiver, Some(i), Target::Implemented) {
                    Resolution::Targets(targets) => targets,
                    Resolution::EveryNamed => scope.every_named(name, Target::Implemented),
                };
                for (to, confidence) in targets {
                    if to != from {
                        edges.push(Edge {
                            from,
                            to,
                            kind: EdgeKind::Implements,
                            confidence,
                        });
                    }
                }
            }
        }
        for r in &f.symbols.references {
            let (kind, target) = match r.kind {
                RefKind::Call => (EdgeKind::Calls, Target::Callable),
                RefKind::Type => (EdgeKind::Uses, Target::Type),
                RefKind::Value => (EdgeKind::Uses, Target::Value),
                RefKind::Import => continue,
            };
            if rules.builtins.contains(&r.name.as_str())
                || within.is_some_and(|w| r.enclosing.is_none_or(|e| !w.contains(&e)))
            {
                continue;
            }
            let resolution = scope.resolve(&r.name, r.receiver.as_deref(), r.enclosing, target);
            let Some(enclosing) = r.enclosing else {
                let targets = match resolution {
                    Resolution::Targets(targets) => targets,
                    Resolution::EveryNamed => scope.every_named(&r.name, target),
                };
                file_refs.extend(targets.into_iter().map(|(to, _)| to));
                continue;
            };
            let from = f.ids[enclosing];
            match resolution {
                Resolution::Targets(targets) => {
                    for (to, confidence) in targets {
                        if to != from {
                            edges.push(Edge {
                                from,
                                to,
                                kind,
                                confidence,
                            });
                        }
                    }
                }
                Resolution::EveryNamed => name_refs.push((
                    &r.name,
                    NameRef {
                        from,
                        kind,
                        targets: target.bit(),
                    },
                )),
            }
        }
        edges.sort_unstable();
        edges.dedup();
        // One name-only reference per origin, kind and name, accepting what any of them does.
        name_refs.sort_unstable_by_key(|(name, r)| (*name, r.from, r.kind));
        let mut merged: Vec<(String, NameRef)> = Vec::with_capacity(name_refs.len());
        for (name, r) in name_refs {
            match merged.last_mut() {
                Some((n, m)) if n == name && m.from == r.from && m.kind == r.kind => {
                    m.targets |= r.targets;
                }
                _ => merged.push((name.to_string(), r)),
            }
        }
        // The implemented name is also a type reference of the implementor: the implements
        // edge says it better (for the implied edges: `SymbolGraph::implied`). A stored
        // name-only edge that a name-only reference implies too is left to the reference.
        let implemented: BTreeSet<(SymbolId, SymbolId)> = edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Implements)
            .map(|e| (e.from, e.to))
            .collect();
        let implied = |e: &Edge| {
            if e.confidence != Confidence::NameOnly || e.kind == EdgeKind::Implements {
                return false;
            }
            let s = self.symbol(e.to).expect("live");
            let at = merged.partition_point(|(n, r)| {
                (n.as_str(), r.from, r.kind) < (s.name.as_str(), e.from, e.kind)
            });
            merged.get(at).is_some_and(|(n, r)| {
                *n == s.name && r.from == e.from && r.kind == e.kind && r.accepts(s.kind)
            })
        };
        let edges = edges
            .iter()
            .filter(|e| e.kind != EdgeKind::Uses || !implemented.contains(&(e.from, e.to)))
            .filter(|e| !implied(e))
            .copied()
            .collect();
        let mut probes: Vec<Probe> = scope.probes.into_inner().into_iter().collect();
        probes.sort_unstable();
        ResolvedFile {
            edges,
            name_refs: merged,
            file_refs,
            reexports,
            probes,
        }
    }
}

/// What of a file whose definitions stayed must be resolved again.
#[derive(Clone, Debug, PartialEq, Eq)]
enum InPlace {
    /// Nothing: its references are the same but for their positions.
    Unchanged,
    /// The references inside these definitions (by index) changed, and no other.
    Within(BTreeSet<usize>),
    /// The whole file: a reference outside any definition (an import, a file-level call)
    /// changed.
    Whole,
}

/// Which references of a file with the same definitions changed other than in position,
/// compared per enclosing definition.
fn changed_references(old: &FileSymbols, new: &FileSymbols) -> InPlace {
    // The usual edit changes no reference: one pass, no grouping.
    let same = |a: &Reference, b: &Reference| {
        a.kind == b.kind
            && a.enclosing == b.enclosing
            && a.name == b.name
            && a.receiver == b.receiver
            && a.modifier == b.modifier
    };
    if old.references.len() == new.references.len()
        && old
            .references
            .iter()
            .zip(&new.references)
            .all(|(a, b)| same(a, b))
    {
        return InPlace::Unchanged;
    }
    type Key<'a> = (RefKind, &'a str, Option<&'a str>, Option<&'a str>);
    fn group(symbols: &FileSymbols) -> HashMap<Option<usize>, Vec<Key<'_>>> {
        let mut by: HashMap<Option<usize>, Vec<Key<'_>>> = HashMap::new();
        for r in &symbols.references {
            by.entry(r.enclosing).or_default().push((
                r.kind,
                &r.name,
                r.receiver.as_deref(),
                r.modifier.as_deref(),
            ));
        }
        by
    }
    let (old, new) = (group(old), group(new));
    let mut within = BTreeSet::new();
    for enclosing in old.keys().chain(new.keys()) {
        if old.get(enclosing) != new.get(enclosing) {
            match enclosing {
                None => return InPlace::Whole,
                Some(i) => {
                    within.insert(*i);
                }
            }
        }
    }
    if within.is_empty() {
        InPlace::Unchanged
    } else {
        InPlace::Within(within)
    }
}

/// What resolving a file gives ([`SymbolGraph::compute_edges`]).
struct ResolvedFile {
    /// Its stored edges, sorted.
    edges: Vec<Edge>,
    /// Its name-only references, sorted by name, origin and kind.
    name_refs: Vec<(String, NameRef)>,
    /// The symbols it references at file level or imports.
    file_refs: BTreeSet<SymbolId>,
    /// The symbols it re-exports.
    reexports: BTreeSet<SymbolId>,
    /// The probes its scope asked, sorted.
    probes: Vec<Probe>,
}

/// Removes `path` from the per-target file sets of `ids`.
fn drop_file_index(
    index: &mut HashMap<SymbolId, BTreeSet<String>>,
    path: &str,
    ids: &BTreeSet<SymbolId>,
) {
    for id in ids {
        if let Some(set) = index.get_mut(id) {
            set.remove(path);
            if set.is_empty() {
                index.remove(id);
            }
        }
    }
}

/// Kinds an `impl` block may be named after.
const TYPE_KINDS: [DefKind; 6] = [
    DefKind::Struct,
    DefKind::Class,
    DefKind::Enum,
    DefKind::Trait,
    DefKind::Interface,
    DefKind::TypeAlias,
];

/// The identifier-like segments of an import (`crate::a::{b, c}` → `crate`, `a`, `b`, `c`;
/// `./m` → `m`): the names whose definitions or files its bindings depend on.
fn import_segments(name: &str, receiver: Option<&str>) -> Vec<String> {
    [Some(name), receiver]
        .into_iter()
        .flatten()
        .flat_map(|t| t.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The names a file is known by as a module: its stem and its directory's name (`a/b.rs` →
/// `b`, `a`; `pkg/__init__.py` → `__init__`, `pkg`). A file appearing or vanishing changes
/// what imports naming them bind.
fn module_names(path: &str) -> Vec<String> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    let dir = parent_dir(path).rsplit('/').next().unwrap_or("");
    [stem, dir]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The names a file's edges depend on: what it references (calls, types, implements) and the
/// segments of its imports' paths.
fn referenced_names(symbols: &FileSymbols) -> BTreeSet<String> {
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    for r in &symbols.references {
        referenced.insert(r.name.clone());
        if r.kind == RefKind::Import {
            // What an import binds depends on the definitions and files bearing the names
            // along its path.
            referenced.extend(import_segments(&r.name, r.receiver.as_deref()));
        }
    }
    for d in &symbols.definitions {
        for i in &d.implements {
            referenced.insert(split_written(i).1.to_string());
        }
    }
    referenced
}

/// The separators of qualified names (`Language::path_separator`).
const SEPARATORS: [&str; 2] = ["::", "."];

/// The last segment of a symbol's owner, its qualified name without the name, split by `sep`
/// (`a::B` for `a::B::f` gives `B`; a top-level definition's owner is empty).
fn owner_last<'q>(qualified: &'q str, name: &str, sep: &str) -> &'q str {
    let owner = qualified
        .get(..qualified.len().saturating_sub(name.len()))
        .unwrap_or("")
        .trim_end_matches(sep);
    owner.rsplit(sep).next().unwrap_or(owner)
}

/// The key of [`SymbolGraph::by_owner`].
fn owner_key(name: &str, sep: &str, owner_last: &str) -> String {
    format!("{name}\0{sep}\0{owner_last}")
}

fn remove_from(index: &mut HashMap<String, BTreeSet<SymbolId>>, key: &str, id: SymbolId) {
    if let Some(set) = index.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            index.remove(key);
        }
    }
}

/// `fmt::Display<T>` → (`Some("fmt")`, `Display`): generics dropped, the last path segment
/// is the name, the rest its qualifier.
fn split_written(written: &str) -> (Option<&str>, &str) {
    let base = written.split('<').next().unwrap_or(written);
    let base = base.split('[').next().unwrap_or(base).trim();
    let base = base.trim_start_matches(['*', '&']);
    for sep in ["::", "."] {
        if let Some(i) = base.rfind(sep) {
            return (Some(&base[..i]), &base[i + sep.len()..]);
        }
    }
    (None, base)
}

/// Whether sorted `edges` hold one of this kind from `from` to `to`.
fn edge_in(edges: &[Edge], from: SymbolId, to: SymbolId, kind: EdgeKind) -> bool {
    let at = edges.partition_point(|e| (e.from, e.to, e.kind) < (from, to, kind));
    edges
        .get(at)
        .is_some_and(|e| (e.from, e.to, e.kind) == (from, to, kind))
}

/// What resolving one reference gives.
enum Resolution {
    /// These definitions, each with its confidence (none: nothing bears the name, or it is a
    /// builtin).
    Targets(Vec<(SymbolId, Confidence)>),
    /// Every definition bearing the name that the target accepts, in a language of the same
    /// scope kind, name-only ([`Scoper::every_named`]; kept as a [`NameRef`]).
    EveryNamed,
}

/// What a reference may resolve to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Callable,
    Type,
    Implemented,
    Value,
}

impl Target {
    const ALL: [Target; 4] = [
        Target::Callable,
        Target::Type,
        Target::Implemented,
        Target::Value,
    ];

    fn bit(self) -> u8 {
        1 << self as u8
    }

    fn accepts(self, kind: DefKind) -> bool {
        use DefKind::*;
        match self {
            Target::Callable => matches!(kind, Function | Method | Class | Struct),
            Target::Type => matches!(kind, Struct | Class | Enum | Trait | Interface | TypeAlias),
            Target::Implemented => matches!(kind, Trait | Interface | Class | Struct | TypeAlias),
            Target::Value => matches!(
                kind,
                Function | Method | Class | Struct | Enum | Const | Static | Variable
            ),
        }
    }
}

/// The scope of one file: its module, its imports, the files of its package.
struct Scoper<'g> {
    graph: &'g SymbolGraph,
    path: &'g str,
    file: &'g FileEntry,
    rules: &'static crate::lang::ResolveRules,
    /// Files of the same module/package (the file itself included).
    unit: Files,
    bindings: HashMap<String, Binding>,
    /// Files whose definitions are all visible (`use x::*`, `#include`, `import a.*`).
    globs: Files,
    /// The globs while the imports are bound.
    glob_paths: Vec<String>,
    /// The bindings each import reference made, in the order of the file's imports.
    imports: Vec<Vec<Binding>>,
    /// What the scope asked about which files exist.
    probes: RefCell<HashSet<Probe>>,
    /// The files of the Rust modules and of the receivers looked up so far: references repeat
    /// their receivers.
    module_memo: RefCell<HashMap<ModuleKey, Rc<Files>>>,
}

/// What [`Scoper::module_memo`] remembers the files of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ModuleKey {
    Rust(Vec<String>),
    Receiver(String),
}

impl<'g> Scoper<'g> {
    fn new(graph: &'g SymbolGraph, path: &'g str, file: &'g FileEntry) -> Scoper<'g> {
        let rules = &symbol_rules(file.language).resolve;
        let mut s = Scoper {
            graph,
            path,
            file,
            rules,
            unit: Files::new(graph, vec![path.to_string()]),
            bindings: HashMap::new(),
            globs: Files::default(),
            glob_paths: Vec::new(),
            imports: Vec::new(),
            probes: RefCell::new(HashSet::new()),
            module_memo: RefCell::new(HashMap::new()),
        };
        if matches!(rules.scope, Scope::GoPackage | Scope::JavaPackage) {
            let unit = s
                .ask(Probe::Dir(parent_dir(path).to_string()))
                .into_iter()
                .filter(|p| graph.files[*p].language == file.language)
                .cloned()
                .collect();
            s.unit = Files::new(graph, unit);
        }
        for r in file.symbols.references.iter() {
            if r.kind == RefKind::Import {
                s.imports.push(Vec::new());
                s.bind(&r.name, r.receiver.as_deref());
            }
        }
        s.globs = Files::new(graph, std::mem::take(&mut s.glob_paths));
        s
    }

    /// Binds a local name, and records the binding as made by the current import.
    fn add_binding(&mut self, name: String, binding: Binding) {
        if let Some(made) = self.imports.last_mut() {
            made.push(binding.clone());
        }
        self.bindings.insert(name, binding);
    }

    /// The files answering a probe (recorded: the file depends on the answer).
    fn ask(&self, probe: Probe) -> Vec<&'g String> {
        let files = self.graph.files_by_probe.get(&probe);
        self.probes.borrow_mut().insert(probe);
        files.into_iter().flatten().collect()
    }

    /// The files answering these probes, of this file's scope kind, that satisfy `pred`,
    /// sorted and without repeats.
    fn files_where(
        &self,
        probes: impl IntoIterator<Item = Probe>,
        pred: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let set: BTreeSet<&String> = probes
            .into_iter()
            .flat_map(|p| self.ask(p))
            .filter(|p| {
                self.graph
                    .files
                    .get(*p)
                    .is_some_and(|e| symbol_rules(e.language).resolve.scope == self.rules.scope)
                    && pred(p)
            })
            .collect();
        set.into_iter().cloned().collect()
    }

    fn bind(&mut self, name: &str, receiver: Option<&str>) {
        match self.rules.scope {
            Scope::RustCrate => {
                for (segments, alias) in expand_use(name) {
                    self.bind_rust(&segments, alias);
                }
            }
            Scope::PythonModule => match receiver {
                Some(m) => {
                    let joined = if m.ends_with('.') {
                        format!("{m}{name}")
                    } else {
                        format!("{m}.{name}")
                    };
                    let submodule = self.python_module(&joined);
                    if !submodule.is_empty() {
                        self.add_binding(
                            name.to_string(),
                            Binding::Module(Files::new(self.graph, submodule)),
                        );
                        return;
                    }
                    let files = self.python_module(m);
                    if !files.is_empty() {
                        self.add_binding(
                            name.to_string(),
                            Binding::Item(Files::new(self.graph, files), name.to_string()),
                        );
                    }
                }
                None => {
                    let files = self.python_module(name);
                    if !files.is_empty() {
                        self.add_binding(
                            name.to_string(),
                            Binding::Module(Files::new(self.graph, files)),
                        );
                    }
                }
            },
            Scope::JsModule => {
                if let Some(m) = receiver {
                    let files = self.js_module(m);
                    if !files.is_empty() {
                        self.add_binding(
                            name.to_string(),
                            Binding::Item(Files::new(self.graph, files), name.to_string()),
                        );
                    }
                }
            }
            Scope::GoPackage => {
                let path = name.trim_matches('"');
                let last = path.rsplit('/').next().unwrap_or(path);
                let files = self.files_where([Probe::DirName(last.to_string())], |_| true);
                if !files.is_empty() {
                    self.add_binding(
                        last.to_string(),
                        Binding::Module(Files::new(self.graph, files)),
                    );
                }
            }
            Scope::JavaPackage => {
                let (package, item) = name.rsplit_once('.').unwrap_or(("", name));
                let dir = package.replace('.', "/");
                let last = dir.rsplit('/').next().unwrap_or(&dir);
                let files = self.files_where([Probe::DirName(last.to_string())], |p| {
                    let d = parent_dir(p);
                    d == dir || d.ends_with(&format!("/{dir}"))
                });
                if item == "*" {
                    self.glob_paths.extend(files);
                } else if !files.is_empty() {
                    self.add_binding(
                        item.to_string(),
                        Binding::Item(Files::new(self.graph, files), item.to_string()),
                    );
                }
            }
            Scope::CInclude => {
                let Some(header) = name.strip_prefix('"').and_then(|h| h.strip_suffix('"')) else {
                    return;
                };
                let joined = normalize(&format!("{}/{header}", parent_dir(self.path)));
                let stem = joined.rsplit_once('.').map_or(joined.as_str(), |(s, _)| s);
                let probes = [
                    Probe::Path(joined.clone()),
                    Probe::WithoutExtension(stem.to_string()),
                ];
                let files = self.files_where(probes, |_| true);
                self.glob_paths.extend(files);
            }
        }
    }

    fn bind_rust(&mut self, segments: &[String], alias: Option<String>) {
        let Some(path) = rust_absolute(&rust_module(self.path), segments) else {
            return;
        };
        let last = segments.last().cloned().unwrap_or_default();
        if last == "*" {
            let module = &path[..path.len() - 1];
            self.glob_paths.extend(self.rust_files(module));
            return;
        }
        let local = alias.unwrap_or(last.clone());
        let module_files = self.rust_files(&path);
        if !module_files.is_empty() {
            self.add_binding(local, Binding::Module(Files::new(self.graph, module_files)));
            return;
        }
        // The longest prefix naming a file; the rest is the item (through `mod` blocks).
        for cut in (0..path.len()).rev() {
            let files = self.rust_files(&path[..cut]);
            if !files.is_empty() {
                self.add_binding(local, Binding::Item(Files::new(self.graph, files), last));
                return;
            }
        }
    }

    fn rust_files(&self, module: &[String]) -> Vec<String> {
        self.files_where([Probe::RustModule(module.to_vec())], |_| true)
    }

    fn python_module(&self, written: &str) -> Vec<String> {
        let dots = written.len() - written.trim_start_matches('.').len();
        let rest = &written[dots..];
        if dots > 0 {
            let mut dir = parent_dir(self.path).to_string();
            for _ in 1..dots {
                dir = parent_dir(&dir).to_string();
            }
            let sub = rest.replace('.', "/");
            let base = if dir.is_empty() {
                sub
            } else {
                format!("{dir}/{sub}")
            };
            let probes = [
                Probe::Path(format!("{base}.py")),
                Probe::Path(format!("{base}/__init__.py")),
            ];
            return self.files_where(probes, |_| true);
        }
        let last = rest.rsplit('.').next().unwrap_or(rest);
        self.files_where([Probe::PythonModule(last.to_string())], |p| {
            let m = python_module(p);
            m == rest || m.ends_with(&format!(".{rest}"))
        })
    }

    fn js_module(&self, specifier: &str) -> Vec<String> {
        if !specifier.starts_with('.') {
            return Vec::new();
        }
        let base = normalize(&format!("{}/{specifier}", parent_dir(self.path)));
        const SUFFIXES: [&str; 8] = [
            "",
            ".ts",
            ".tsx",
            ".js",
            ".jsx",
            ".mjs",
            "/index.ts",
            "/index.js",
        ];
        // The first that exists (the ones before it are asked too: one appearing would win).
        SUFFIXES
            .iter()
            .find_map(|s| {
                self.ask(Probe::Path(format!("{base}{s}")))
                    .first()
                    .map(|p| (*p).clone())
            })
            .into_iter()
            .collect()
    }

    /// The definitions the `import`-th import names (`use a::N`, `from m import n`, `import {a} from
    /// "./m"`, Java `import a.b.C`): top-level ones, or members of an inline module for Rust
    /// paths through `mod` blocks. A glob (`use a::*`, `#include`, `import a.*`) names
    /// nothing.
    fn import_targets(&self, import: usize) -> BTreeSet<SymbolId> {
        let sep = self.file.language.path_separator();
        let mut out = BTreeSet::new();
        for binding in &self.imports[import] {
            if let Binding::Item(files, item) = binding {
                out.extend(self.graph.by_name(item).filter(|id| {
                    let s = self.graph.symbol(*id).expect("live");
                    s.kind != DefKind::Impl
                        && files.contains(&s.file)
                        && scope_of(s.language) == self.rules.scope
                        && (s.qualified_name == s.name
                            || s.parent
                                .and_then(|p| self.graph.symbol(p))
                                .is_some_and(|p| {
                                    p.kind == DefKind::Module
                                        && s.qualified_name.ends_with(&format!("{sep}{item}"))
                                }))
                }));
            }
        }
        out
    }

    /// Candidates named `name` accepted by `target`, in the file being resolved.
    fn in_this_file(&self, name: &str, target: Target) -> BTreeSet<SymbolId> {
        self.file
            .ids
            .iter()
            .zip(&self.file.symbols.definitions)
            .filter(|(_, d)| d.name == name && target.accepts(d.kind))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Candidates named `name` accepted by `target`, in these files.
    /// By whichever is shorter: the definitions bearing the name, or those of the files.
    fn in_files(&self, name: &str, files: &Files, target: Target) -> BTreeSet<SymbolId> {
        let Some(named) = self.graph.by_name.get(name) else {
            return BTreeSet::new();
        };
        let graph = self.graph;
        // Only definitions of this scope kind: what a file resolves to never depends on the
        // others (`SymbolGraph::update_files` re-resolves by scope kind).
        let scope = self.rules.scope;
        let accepts = |id: &SymbolId| {
            let s = graph.symbol(*id).expect("live");
            s.name == name && target.accepts(s.kind) && scope_of(s.language) == scope
        };
        if files.definitions <= named.len() {
            return files
                .paths
                .iter()
                .filter_map(|f| graph.files.get(f))
                .flat_map(|e| e.ids.iter().copied())
                .filter(accepts)
                .collect();
        }
        named
            .iter()
            .copied()
            .filter(|id| {
                // Every one bears the name.
                let s = graph.symbol(*id).expect("live");
                target.accepts(s.kind)
                    && files.contains(s.file.as_str())
                    && scope_of(s.language) == scope
            })
            .collect()
    }

    /// The candidates defined at the top of their file (an imported class, not its
    /// same-named constructor), when there are some.
    fn top_level(&self, set: BTreeSet<SymbolId>) -> BTreeSet<SymbolId> {
        let top: BTreeSet<SymbolId> = set
            .iter()
            .copied()
            .filter(|id| {
                let s = self.graph.symbol(*id).expect("live");
                s.qualified_name == s.name
            })
            .collect();
        if top.is_empty() { set } else { top }
    }

    /// Candidates whose container (qualified name minus the name) ends with `container`.
    fn in_container(
        &self,
        set: &BTreeSet<SymbolId>,
        container: &str,
        sep: &str,
    ) -> BTreeSet<SymbolId> {
        // `owner == container` implies the same last segment: comparing those is the rule.
        let last = container.rsplit(sep).next().unwrap_or(container);
        set.iter()
            .copied()
            .filter(|id| {
                let s = self.graph.symbol(*id).expect("live");
                owner_last(&s.qualified_name, &s.name, sep) == last
            })
            .collect()
    }

    /// [`Scoper::in_container`] of every candidate (`all`) the reference accepts, by the
    /// owner index.
    fn owned_by(
        &self,
        name: &str,
        container: &str,
        sep: &str,
        target: Target,
        all: impl FnOnce() -> BTreeSet<SymbolId>,
    ) -> BTreeSet<SymbolId> {
        if !SEPARATORS.contains(&sep) {
            return self.in_container(&all(), container, sep);
        }
        let last = container.rsplit(sep).next().unwrap_or(container);
        self.graph
            .by_owner
            .get(&owner_key(name, sep, last))
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| {
                let s = self.graph.symbol(*id).expect("live");
                target.accepts(s.kind) && symbol_rules(s.language).resolve.scope == self.rules.scope
            })
            .collect()
    }

    /// The targets of a reference and the confidence of each edge.
    fn resolve(
        &self,
        name: &str,
        receiver: Option<&str>,
        enclosing: Option<usize>,
        target: Target,
    ) -> Resolution {
        let defined = self
            .graph
            .named_in_scope
            .get(name)
            .is_some_and(|counts| counts[self.rules.scope as usize] > 0);
        if self.rules.builtins.contains(&name) || !defined {
            return Resolution::Targets(Vec::new());
        }
        self.resolve_named(name, receiver, enclosing, target)
            .map_or(Resolution::EveryNamed, Resolution::Targets)
    }

    /// The candidates named `name` accepted by `target`, in a language of this file's scope
    /// kind: the targets of [`Resolution::EveryNamed`].
    fn every_named(&self, name: &str, target: Target) -> Vec<(SymbolId, Confidence)> {
        self.graph
            .by_name(name)
            .filter(|id| {
                let s = self.graph.symbol(*id).expect("live");
                target.accepts(s.kind) && scope_of(s.language) == self.rules.scope
            })
            .map(|id| (id, Confidence::NameOnly))
            .collect()
    }

    /// [`Scoper::resolve`] of a name some definition bears: `None` when no scope tells the
    /// candidates apart.
    fn resolve_named(
        &self,
        name: &str,
        receiver: Option<&str>,
        enclosing: Option<usize>,
        target: Target,
    ) -> Option<Vec<(SymbolId, Confidence)>> {
        let sep = self.file.language.path_separator();
        // Every candidate bearing the name in a language of the same scope kind (a Python call
        // is not a call of a Go function), computed only for the steps that need it (the scoped
        // steps look in a few files).
        let every = std::cell::OnceCell::new();
        let all = || -> &BTreeSet<SymbolId> {
            every.get_or_init(|| {
                self.graph
                    .by_name(name)
                    .filter(|id| {
                        let s = self.graph.symbol(*id).expect("live");
                        target.accepts(s.kind)
                            && symbol_rules(s.language).resolve.scope == self.rules.scope
                    })
                    .collect()
            })
        };
        let unique =
            |set: &BTreeSet<SymbolId>, c: Confidence| -> Option<Vec<(SymbolId, Confidence)>> {
                (set.len() == 1).then(|| set.iter().map(|id| (*id, c)).collect())
            };
        let name_only = |set: &BTreeSet<SymbolId>| -> Vec<(SymbolId, Confidence)> {
            set.iter().map(|id| (*id, Confidence::NameOnly)).collect()
        };
        match receiver {
            Some(r) if self.rules.self_receivers.contains(&r) => {
                // The enclosing type: the container of the enclosing method.
                let defs = &self.file.symbols.definitions;
                let mut at = enclosing;
                while let Some(i) = at {
                    if matches!(
                        defs[i].kind,
                        DefKind::Impl
                            | DefKind::Class
                            | DefKind::Struct
                            | DefKind::Trait
                            | DefKind::Interface
                    ) {
                        let here = self.in_this_file(name, target);
                        let owned = self.in_container(&here, &defs[i].qualified_name, sep);
                        if let Some(v) = unique(&owned, Confidence::Inferred) {
                            return Some(v);
                        }
                        break;
                    }
                    at = defs[i].parent;
                }
                None
            }
            Some(r) => {
                let head = r.split([':', '.']).next().unwrap_or(r);
                if let Some(binding) = self.bindings.get(r).or(self.bindings.get(head)) {
                    let files = match binding {
                        Binding::Module(files) | Binding::Item(files, _) => files,
                    };
                    let set = self.in_files(name, files, target);
                    let set = match binding {
                        Binding::Item(_, item) => self.in_container(&set, item, sep),
                        Binding::Module(_) => set,
                    };
                    if let Some(v) = unique(&set, Confidence::Exact) {
                        return Some(v);
                    }
                }
                if self.rules.scope == Scope::RustCrate {
                    let segments: Vec<String> = r.split("::").map(str::to_string).collect();
                    let module = rust_module(self.path);
                    let mut relative = module.clone();
                    relative.extend(segments.iter().cloned());
                    for path in [rust_absolute(&module, &segments), Some(relative)]
                        .into_iter()
                        .flatten()
                    {
                        let set =
                            self.in_files(name, &self.memo_files(ModuleKey::Rust(path)), target);
                        if let Some(v) = unique(&set, Confidence::Exact) {
                            return Some(v);
                        }
                    }
                }
                // A type or module named by the receiver: visible ones first.
                let container = r.trim_start_matches("crate::");
                let owned = self.owned_by(name, container, sep, target, || all().clone());
                let visible: BTreeSet<SymbolId> = owned
                    .iter()
                    .copied()
                    .filter(|id| {
                        let s = self.graph.symbol(*id).expect("live");
                        self.unit.contains(&s.file) || self.globs.contains(&s.file)
                    })
                    .collect();
                if let Some(v) = unique(&visible, Confidence::Exact) {
                    return Some(v);
                }
                if let Some(v) = unique(&owned, Confidence::Inferred) {
                    return Some(v);
                }
                if !owned.is_empty() {
                    return Some(name_only(&owned));
                }
                let modules = self.in_files(
                    name,
                    &self.memo_files(ModuleKey::Receiver(r.to_string())),
                    target,
                );
                if let Some(v) = unique(&modules, Confidence::Inferred) {
                    return Some(v);
                }
                None
            }
            None => {
                // Unqualified, a name in the file is visible when it is top-level or a member
                // of a definition enclosing the reference (not another class's method).
                let here = self.in_this_file(name, target);
                let enclosing_names = self.enclosing_names(enclosing);
                let here: BTreeSet<SymbolId> = here
                    .into_iter()
                    .filter(|id| {
                        let s = self.graph.symbol(*id).expect("live");
                        let owner = s.qualified_name[..s.qualified_name.len() - s.name.len()]
                            .trim_end_matches(sep);
                        owner.is_empty() || enclosing_names.contains(&owner)
                    })
                    .collect();
                if let Some(v) = unique(&here, Confidence::Exact) {
                    return Some(v);
                }
                if here.len() > 1 {
                    return Some(name_only(&here));
                }
                if let Some(Binding::Item(files, item)) = self.bindings.get(name) {
                    let set = self.top_level(self.in_files(item, files, target));
                    if let Some(v) = unique(&set, Confidence::Exact) {
                        return Some(v);
                    }
                }
                let unit = self.in_files(name, &self.unit, target);
                if let Some(v) = unique(&unit, Confidence::Exact) {
                    return Some(v);
                }
                let globbed: BTreeSet<SymbolId> = self
                    .in_files(name, &self.globs, target)
                    .into_iter()
                    .filter(|id| {
                        let s = self.graph.symbol(*id).expect("live");
                        s.file == self.path || s.visibility != Visibility::Private
                    })
                    .collect();
                if let Some(v) = unique(&globbed, Confidence::Inferred) {
                    return Some(v);
                }
                if self.rules.scope == Scope::CInclude {
                    let linked: BTreeSet<SymbolId> = all()
                        .iter()
                        .copied()
                        .filter(|id| {
                            self.graph.symbol(*id).expect("live").visibility == Visibility::Exported
                        })
                        .collect();
                    if let Some(v) = unique(&linked, Confidence::Inferred) {
                        return Some(v);
                    }
                }
                None
            }
        }
    }

    /// Qualified names of the definition at `at` and of the definitions enclosing it.
    fn enclosing_names(&self, mut at: Option<usize>) -> Vec<&str> {
        let defs = &self.file.symbols.definitions;
        let mut out = Vec::new();
        while let Some(i) = at {
            out.push(defs[i].qualified_name.as_str());
            at = defs[i].parent;
        }
        out
    }

    /// Files of the module a receiver names by its last segment (Go package directory,
    /// Python/Rust module file), when no import bound it.
    /// The files of a Rust module or of a receiver's module, weighed, once per scope.
    fn memo_files(&self, key: ModuleKey) -> Rc<Files> {
        if let Some(files) = self.module_memo.borrow().get(&key) {
            return files.clone();
        }
        let paths = match &key {
            ModuleKey::Rust(module) => self.rust_files(module),
            ModuleKey::Receiver(receiver) => self.module_files(receiver),
        };
        let files = Rc::new(Files::new(self.graph, paths));
        self.module_memo.borrow_mut().insert(key, files.clone());
        files
    }

    fn module_files(&self, receiver: &str) -> Vec<String> {
        let last = receiver
            .rsplit([':', '.'])
            .next()
            .unwrap_or(receiver)
            .to_string();
        self.files_where([Probe::Stem(last.clone()), Probe::DirName(last)], |_| true)
    }
}

/// The scope kind of a language: its definitions are the name-only candidates of references
/// from the languages of the same kind.
/// The number of [`Scope`] kinds.
const SCOPES: usize = 6;
const _: () = assert!(Scope::CInclude as usize + 1 == SCOPES);

fn scope_of(language: Language) -> Scope {
    symbol_rules(language).resolve.scope
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `a/./b/../c` → `a/c`.
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

/// The Rust module path of a file: the part after the last `src/`, `mod.rs`, `lib.rs` and
/// `main.rs` naming their directory (`src/a/b.rs` → `[a, b]`).
pub(crate) fn rust_module(path: &str) -> Vec<String> {
    let rel = path.rsplit_once("src/").map_or(path, |(_, r)| r);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut segments: Vec<String> = rel.split('/').map(str::to_string).collect();
    if let Some(last) = segments.last()
        && matches!(last.as_str(), "mod" | "lib" | "main")
    {
        segments.pop();
    }
    segments
}

/// `crate::`/`self::`/`super::` made absolute from the file's module; other paths are taken
/// as crate-relative (2015 style) when they start with a module of the crate, else `None`
/// (external crates).
fn rust_absolute(module: &[String], segments: &[String]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = segments;
    match segments.first().map(String::as_str) {
        Some("crate") => rest = &segments[1..],
        Some("self") => {
            out = module.to_vec();
            rest = &segments[1..];
        }
        Some("super") => {
            out = module.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                out.pop()?;
                rest = &rest[1..];
            }
        }
        Some("std" | "core" | "alloc") | None => return None,
        Some(_) => {}
    }
    out.extend(rest.iter().cloned());
    Some(out)
}

fn python_module(path: &str) -> String {
    let rel = path.strip_suffix(".py").unwrap_or(path);
    let rel = rel.strip_suffix("/__init__").unwrap_or(rel);
    rel.replace('/', ".")
}

/// Expands a Rust `use` tree as written into paths with their alias:
/// `a::{b, c::d as e, *}` → `[a,b]`, `[a,c,d] as e`, `[a,*]`.
fn expand_use(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    expand_into(&[], tree.trim(), &mut out);
    out
}

fn expand_into(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let tree = tree.trim();
    if tree.is_empty() {
        return;
    }
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim().trim_end_matches("::");
        let inner = tree[open + 1..].trim_end().trim_end_matches('}');
        let mut base = prefix.to_vec();
        base.extend(
            head.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_into(&base, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_into(&base, &inner[start..], out);
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((p, a)) => (p.trim(), Some(a.trim().to_string())),
        None => (tree, None),
    };
    let mut segments = prefix.to_vec();
    segments.extend(path.split("::").map(str::trim).map(str::to_string));
    if segments.last().map(String::as_str) == Some("self") {
        segments.pop();
    }
    out.push((segments, alias));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_trees_expand() {
        let got: Vec<String> = expand_use("crate::a::{b, c::{d as e, *}, self}")
            .into_iter()
            .map(|(s, a)| {
                format!(
                    "{}{}",
                    s.join("::"),
                    a.map(|a| format!(" as {a}")).unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "crate::a::b",
                "crate::a::c::d as e",
                "crate::a::c::*",
                "crate::a"
            ]
        );
    }

    #[test]
    fn rust_modules_from_paths() {
        assert_eq!(rust_module("src/lib.rs"), Vec::<String>::new());
        assert_eq!(rust_module("src/a/mod.rs"), ["a"]);
        assert_eq!(rust_module("src/a/b.rs"), ["a", "b"]);
        let m = vec!["a".to_string(), "b".to_string()];
        let p = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
        assert_eq!(rust_absolute(&m, &p("super::c::f")), Some(p("a::c::f")));
        assert_eq!(rust_absolute(&m, &p("self::f")), Some(p("a::b::f")));
        assert_eq!(rust_absolute(&m, &p("std::fmt")), None);
    }

    #[test]
    fn written_names_split() {
        assert_eq!(split_written("fmt::Display<T>"), (Some("fmt"), "Display"));
        assert_eq!(split_written("Shape"), (None, "Shape"));
        assert_eq!(split_written("io.Reader"), (Some("io"), "Reader"));
    }
}
