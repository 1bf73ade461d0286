//! The symbol graph: per-file extraction of definitions and references by
//! tree-sitter queries (one `.scm` file per language, `lang/queries/<language>/symbols.scm`).
//! Pure functions of a tree and its text; then resolution into a [`SymbolGraph`] of edges with
//! a confidence, updated per file (`resolve`), and the dead symbols it implies (`dead`); then
//! queries over it (`query`: lookup, callers, callees, implementors, blast radius, cycles) and
//! the context brief of a symbol trimmed to a token budget (`context`, with `doc` reading doc
//! comments from a file's text); and the incremental extraction after an edit (`splice`).
//! Nothing here touches the ECS. docs/graph.md describes the model, the capture convention,
//! the per-language rules and the queries.

mod context;
mod dead;
mod doc;
mod extract;
mod json;
mod query;
mod resolve;
mod splice;

pub use context::{
    Context, ContextError, ContextExtras, Format, SECTIONS, Section, Shown, context,
    estimate_tokens,
};
pub use dead::{dead_in_file, dead_ratio_inputs, is_dead};
pub use doc::doc_comment_above;
pub use extract::{SymbolQuery, extract_symbols};
pub use query::{
    Answer, BLAST_EDGES, CYCLE_EDGES, DEFAULT_BLAST_DEPTH, Item, Lookup, Neighbor, Outcome, Query,
    Request, RequestError, SymbolInfo, blast_radius, callees, callers, find_cycles, implemented,
    lookup, members, run, used_types, what_implements, where_defined,
};
pub use resolve::{Confidence, EDGE_KINDS, Edge, EdgeKind, Symbol, SymbolGraph, SymbolId};
pub use splice::reextract_symbols;

// The model is plain data, so it lives with the components (a file carries its symbols).
pub use codepulse_components::{
    DefKind, Definition, FileSymbols, RefKind, Reference, SIGNATURE_CAP, Visibility,
};
