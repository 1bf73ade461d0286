//! Dead symbols (docs/graph.md, "Dead symbols"): a candidate symbol is dead when nothing
//! references it and it is neither an entry point nor exported. Pure functions of a
//! [`SymbolGraph`]; what counts as an entry point or an export is per-language data
//! (`lang::DeadRules` in each language's `SYMBOLS`).
//!
//! A reference is any incoming calls/uses/implements edge (name-only edges included) or a
//! reference without an edge: from file level or by an import
//! ([`SymbolGraph::file_references`]). A reference from inside the symbol itself (its body,
//! its members, a Rust `impl` block of the type) does not count: recursion and a type naming
//! itself keep nothing alive. The rule is not transitive: a helper called only by a dead
//! function is referenced, so it is not dead.

use std::cell::OnceCell;

use super::resolve::rust_module;
use super::{DefKind, Definition, EdgeKind, SymbolGraph, SymbolId, Visibility};
use crate::lang::{DeadRules, Exports, symbol_rules};

/// The kinds judged: not impl blocks (their members are judged) nor modules (a module is as
/// alive as what it contains).
const CANDIDATE_KINDS: [DefKind; 11] = [
    DefKind::Function,
    DefKind::Method,
    DefKind::Struct,
    DefKind::Class,
    DefKind::Enum,
    DefKind::Trait,
    DefKind::Interface,
    DefKind::Const,
    DefKind::Static,
    DefKind::Variable,
    DefKind::TypeAlias,
];

/// Kinds that have members (their members are the definitions inside them).
const CONTAINER_KINDS: [DefKind; 6] = [
    DefKind::Struct,
    DefKind::Class,
    DefKind::Enum,
    DefKind::Trait,
    DefKind::Interface,
    DefKind::Impl,
];

/// Kinds a Rust `impl` block (named by its type) may implement methods for.
const TYPE_KINDS: [DefKind; 6] = [
    DefKind::Struct,
    DefKind::Class,
    DefKind::Enum,
    DefKind::Trait,
    DefKind::Interface,
    DefKind::TypeAlias,
];

/// Whether a symbol is dead: a candidate, not exported, not an entry point, not referenced
/// from outside itself, and (a container) without a referenced member.
pub fn is_dead(graph: &SymbolGraph, id: SymbolId) -> bool {
    let Some(s) = graph.symbol(id) else {
        return false;
    };
    let Some(view) = FileView::new(graph, &s.file) else {
        return false;
    };
    view.ids
        .iter()
        .position(|i| *i == id)
        .is_some_and(|i| view.status(i) == Status::Dead)
}

/// The dead symbols of one file, in the file's symbol order.
pub fn dead_in_file(graph: &SymbolGraph, path: &str) -> Vec<SymbolId> {
    let Some(view) = FileView::new(graph, path) else {
        return Vec::new();
    };
    (0..view.ids.len())
        .filter(|i| view.status(*i) == Status::Dead)
        .map(|i| view.ids[i])
        .collect()
}

/// `(dead, candidates)` of one file: its dead symbols and the symbols judged at all (of a
/// candidate kind, with a known export status, not a member that is never dead such as a
/// constructor or a Python `__dunder__`), for its dead-symbol ratio. `(0, 0)` for a file not
/// in the graph.
pub fn dead_ratio_inputs(graph: &SymbolGraph, path: &str) -> (u32, u32) {
    let Some(view) = FileView::new(graph, path) else {
        return (0, 0);
    };
    let mut dead = 0;
    let mut candidates = 0;
    for i in 0..view.ids.len() {
        match view.status(i) {
            Status::Dead => {
                dead += 1;
                candidates += 1;
            }
            Status::Alive => candidates += 1,
            Status::NotCandidate => {}
        }
    }
    (dead, candidates)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    NotCandidate,
    Alive,
    Dead,
}

/// One file's definitions with its language's rules.
struct FileView<'g> {
    graph: &'g SymbolGraph,
    path: &'g str,
    rules: &'static DeadRules,
    inherit_from: &'static [DefKind],
    defs: &'g [Definition],
    ids: &'g [SymbolId],
    /// Rust: the file's module is declared `pub` all the way from a library root.
    module_exported: OnceCell<bool>,
}

impl<'g> FileView<'g> {
    fn new(graph: &'g SymbolGraph, path: &'g str) -> Option<FileView<'g>> {
        let (language, symbols, ids) = graph.file(path)?;
        let rules = symbol_rules(language);
        Some(FileView {
            graph,
            path,
            rules: &rules.dead,
            inherit_from: rules.inherit_from,
            defs: &symbols.definitions,
            ids,
            module_exported: OnceCell::new(),
        })
    }

    fn status(&self, i: usize) -> Status {
        if !self.candidate(i) {
            Status::NotCandidate
        } else if self.exported(i) || self.entry(i) || self.referenced(i) || self.has_live_member(i)
        {
            Status::Alive
        } else {
            Status::Dead
        }
    }

    fn candidate(&self, i: usize) -> bool {
        let d = &self.defs[i];
        if !CANDIDATE_KINDS.contains(&d.kind)
            || d.visibility == Visibility::Unknown
            || (self.rules.dunder_names && is_dunder(&d.name))
            || self.rules.live_names.contains(&d.name.as_str())
        {
            return false;
        }
        let Some(parent) = d.parent.map(|p| &self.defs[p]) else {
            return true;
        };
        if !CONTAINER_KINDS.contains(&parent.kind) {
            return true;
        }
        !(self.rules.constructors_named_like_container && d.name == parent.name)
    }

    fn exported(&self, i: usize) -> bool {
        match self.rules.exports {
            Exports::Visibility => self.defs[i].visibility == Visibility::Exported,
            Exports::RustModulePath => {
                self.rust_item_public(i)
                    && (*self
                        .module_exported
                        .get_or_init(|| rust_module_exported(self.graph, self.path))
                        || self.reexported(self.ids[i])
                        || self.container_exported(i))
            }
        }
    }

    /// Re-exported (`pub use`) by a file whose module is public from a library root.
    fn reexported(&self, id: SymbolId) -> bool {
        self.graph
            .reexporters(id)
            .any(|f| rust_module_exported(self.graph, f))
    }

    /// A member (public itself) of an exported container: a trait, or for an `impl` block
    /// the type it is named after (a re-exported type's public methods are exported).
    fn container_exported(&self, i: usize) -> bool {
        let mut at = self.defs[i].parent;
        while let Some(p) = at {
            let def = &self.defs[p];
            if def.kind != DefKind::Impl {
                if CONTAINER_KINDS.contains(&def.kind) {
                    return self.exported(p);
                }
                at = def.parent;
                continue;
            }
            let crate_dir = rust_crate(self.path).map(|(c, _)| c);
            let language = self.graph.file(self.path).map(|(l, _, _)| l);
            return self
                .graph
                .by_name(&def.name)
                .filter_map(|id| self.graph.symbol(id).map(|s| (id, s)))
                .filter(|(_, s)| TYPE_KINDS.contains(&s.kind))
                .filter(|(_, s)| rust_crate(&s.file).map(|(c, _)| c) == crate_dir)
                .filter(|(_, s)| self.graph.file(&s.file).map(|(l, _, _)| l) == language)
                .any(|(id, s)| {
                    FileView::new(self.graph, &s.file).is_some_and(|view| {
                        view.ids
                            .iter()
                            .position(|x| *x == id)
                            .is_some_and(|k| view.exported(k))
                    })
                });
        }
        false
    }

    /// Rust: `pub` itself (a trait member without modifier: as its trait), inside `pub`
    /// inline modules and traits, not inside a function.
    fn rust_item_public(&self, i: usize) -> bool {
        let d = &self.defs[i];
        let public = match d.modifier.as_deref() {
            Some(m) => m == "pub",
            None => d
                .parent
                .is_some_and(|p| self.inherit_from.contains(&self.defs[p].kind)),
        };
        if !public {
            return false;
        }
        let mut at = d.parent;
        while let Some(p) = at {
            let def = &self.defs[p];
            match def.kind {
                DefKind::Module | DefKind::Trait if def.modifier.as_deref() != Some("pub") => {
                    return false;
                }
                DefKind::Function | DefKind::Method => return false,
                _ => {}
            }
            at = def.parent;
        }
        true
    }

    fn entry(&self, i: usize) -> bool {
        let r = self.rules;
        let d = &self.defs[i];
        if d.attributes
            .iter()
            .any(|a| r.entry_attributes.iter().any(|p| attribute_matches(a, p)))
        {
            return true;
        }
        let mut at = Some(i);
        while let Some(k) = at {
            if self.defs[k]
                .attributes
                .iter()
                .any(|a| r.kept_attributes.iter().any(|p| attribute_matches(a, p)))
            {
                return true;
            }
            at = self.defs[k].parent;
        }
        if d.parent.is_some() {
            return false;
        }
        let entry_file = is_entry_file(r, self.path);
        (r.entry_names.contains(&d.name.as_str()) && (r.entry_names_anywhere || entry_file))
            || (entry_file && r.entry_prefixes.iter().any(|p| d.name.starts_with(p)))
    }

    /// Referenced from outside itself: an incoming edge from a symbol not inside it, or a
    /// file-level reference or import.
    fn referenced(&self, i: usize) -> bool {
        let id = self.ids[i];
        if self.graph.file_references(id).next().is_some() {
            return true;
        }
        [EdgeKind::Calls, EdgeKind::Uses, EdgeKind::Implements]
            .into_iter()
            .any(|kind| {
                self.graph
                    .incoming(id, kind)
                    .any(|e| !self.inside(e.from, i))
            })
    }

    /// Whether `origin` is the definition `i`, inside it, or inside an `impl` block of it.
    fn inside(&self, origin: SymbolId, i: usize) -> bool {
        let d = &self.defs[i];
        let is_type = TYPE_KINDS.contains(&d.kind);
        let mut at = Some(origin);
        while let Some(o) = at {
            if o == self.ids[i] {
                return true;
            }
            let Some(s) = self.graph.symbol(o) else {
                return false;
            };
            if is_type && s.kind == DefKind::Impl && s.name == d.name {
                return true;
            }
            at = s.parent;
        }
        false
    }

    /// A container with a member that is a referenced or entry-point candidate (a struct
    /// whose method is called): its members in the file, and for a type the members of the
    /// `impl` blocks bearing its name in files of the same language.
    fn has_live_member(&self, i: usize) -> bool {
        let d = &self.defs[i];
        if !CONTAINER_KINDS.contains(&d.kind) {
            return false;
        }
        let here = (i + 1..self.defs.len())
            .take_while(|k| self.defs[*k].start_byte < d.end_byte)
            .filter(|k| self.defs[*k].parent == Some(i))
            .any(|k| self.keeps_container(k));
        if here || !TYPE_KINDS.contains(&d.kind) {
            return here;
        }
        let language = self.graph.file(self.path).map(|(l, _, _)| l);
        self.graph
            .by_name(&d.name)
            .filter_map(|id| self.graph.symbol(id).map(|s| (id, s)))
            .filter(|(_, s)| s.kind == DefKind::Impl)
            .any(|(impl_id, s)| {
                let Some(view) = FileView::new(self.graph, &s.file) else {
                    return false;
                };
                if view.graph.file(&s.file).map(|(l, _, _)| l) != language {
                    return false;
                }
                let Some(k) = view.ids.iter().position(|x| *x == impl_id) else {
                    return false;
                };
                (k + 1..view.defs.len())
                    .take_while(|m| view.defs[*m].start_byte < view.defs[k].end_byte)
                    .filter(|m| view.defs[*m].parent == Some(k))
                    .any(|m| view.keeps_container(m))
            })
    }

    /// A member keeps its container alive when it is a candidate that is referenced or an
    /// entry point (not merely exported: a public method of an unused private type).
    fn keeps_container(&self, k: usize) -> bool {
        self.candidate(k) && (self.entry(k) || self.referenced(k) || self.has_live_member(k))
    }
}

/// `__init__`, `__all__`: Python's protocol names.
fn is_dunder(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

/// Whether an attribute as written (`test`, `cfg(test)`, `allow(dead_code, unused)`,
/// `app.route("/")`) matches a pattern of `DeadRules`: `*` any; `p` an attribute whose path
/// (the text before `(` or `=`) is `p`; `p(a)` the path `p` with `a` among its arguments.
fn attribute_matches(attribute: &str, pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let split = |t: &str| -> (String, Option<String>) {
        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        match t.find(['(', '=']) {
            Some(at) if t[at..].starts_with('(') => {
                let args = t[at + 1..].trim_end_matches(')').to_string();
                (t[..at].to_string(), Some(args))
            }
            Some(at) => (t[..at].to_string(), None),
            None => (t, None),
        }
    };
    let (path, args) = split(attribute);
    let (want_path, want_arg) = split(pattern);
    if path != want_path {
        return false;
    }
    match want_arg {
        None => true,
        Some(want) => args.is_some_and(|a| {
            a.split(',')
                .any(|x| x.trim_matches(|c| c == '"' || c == '\'') == want)
        }),
    }
}

/// Whether a path is an entry file of a language: in an entry directory, with an entry file
/// name, or with an entry suffix.
fn is_entry_file(rules: &DeadRules, path: &str) -> bool {
    let mut parts = path.split('/');
    let file = parts.next_back().unwrap_or(path);
    rules.entry_files.contains(&file)
        || rules.entry_suffixes.iter().any(|s| file.ends_with(s))
        || parts.any(|dir| rules.entry_dirs.contains(&dir))
}

/// The crate directory prefix of a Rust file (`systems/` for `systems/src/graph/dead.rs`) and
/// its path below `src/`, when it is under a `src/`.
fn rust_crate(path: &str) -> Option<(&str, &str)> {
    path.rsplit_once("src/")
        .filter(|(prefix, _)| prefix.is_empty() || prefix.ends_with('/'))
}

/// Whether a Rust file's module is public from a library root: `src/lib.rs` exists beside its
/// `src/`, the file is not a binary root (`main.rs`, `bin/`), and each segment of its module
/// path is declared `pub mod` (exactly `pub`) at the top of its parent module's file.
fn rust_module_exported(graph: &SymbolGraph, path: &str) -> bool {
    let Some((prefix, below)) = rust_crate(path) else {
        return false;
    };
    let lib = format!("{prefix}src/lib.rs");
    if graph.file(&lib).is_none() || below == "main.rs" || below.starts_with("bin/") {
        return false;
    }
    let module = rust_module(path);
    let mut parents = vec![lib];
    for (k, segment) in module.iter().enumerate() {
        let declared = parents.iter().any(|f| {
            graph.file(f).is_some_and(|(_, symbols, _)| {
                symbols.definitions.iter().any(|d| {
                    d.kind == DefKind::Module
                        && d.parent.is_none()
                        && d.name == *segment
                        && d.modifier.as_deref() == Some("pub")
                })
            })
        });
        if !declared {
            return false;
        }
        let dir = module[..=k].join("/");
        parents = vec![
            format!("{prefix}src/{dir}.rs"),
            format!("{prefix}src/{dir}/mod.rs"),
        ];
    }
    true
}

/// What of a file its other files' export status depends on: for Rust, its module
/// declarations (name and modifier); `None` for a file not in the graph.
pub(super) fn export_key(graph: &SymbolGraph, path: &str) -> Option<Vec<(String, Option<String>)>> {
    let (language, symbols, _) = graph.file(path)?;
    if symbol_rules(language).dead.exports != Exports::RustModulePath {
        return Some(Vec::new());
    }
    Some(
        symbols
            .definitions
            .iter()
            .filter(|d| d.kind == DefKind::Module)
            .map(|d| (d.qualified_name.clone(), d.modifier.clone()))
            .collect(),
    )
}

/// The files whose export status depends on a file (present in the graph): for Rust, the
/// files of its crate whose module is the file's module or below it (the whole crate for a
/// crate root).
pub(super) fn export_dependents(graph: &SymbolGraph, path: &str) -> Vec<String> {
    let Some((language, _, _)) = graph.file(path) else {
        return Vec::new();
    };
    if symbol_rules(language).dead.exports != Exports::RustModulePath {
        return Vec::new();
    }
    let Some((prefix, _)) = rust_crate(path) else {
        return Vec::new();
    };
    let module = rust_module(path);
    // Every such file's path starts with the crate's `src/` and the module's directories.
    let start = format!("{prefix}src/{}", module.join("/"));
    graph
        .paths_starting_with(&start)
        .filter(|p| {
            rust_crate(p).is_some_and(|(q, _)| q == prefix) && rust_module(p).starts_with(&module)
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_patterns() {
        assert!(attribute_matches("test", "test"));
        assert!(attribute_matches("tokio::main", "tokio::main"));
        assert!(!attribute_matches("tokio::main", "main"));
        assert!(attribute_matches(
            "allow(unused, dead_code)",
            "allow(dead_code)"
        ));
        assert!(!attribute_matches(
            "allow(unused_imports)",
            "allow(dead_code)"
        ));
        assert!(attribute_matches("export_name = \"f\"", "export_name"));
        assert!(attribute_matches(
            "SuppressWarnings(\"unused\")",
            "SuppressWarnings(unused)"
        ));
        assert!(attribute_matches("app.route(\"/\")", "*"));
        assert!(!attribute_matches("cfg(test)", "test"));
    }
}
