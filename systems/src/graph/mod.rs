//! The symbol graph: per-file extraction of definitions and references by
//! tree-sitter queries (one `.scm` file per language, `lang/queries/<language>/symbols.scm`).
//! Pure functions of a tree and its text; then resolution into a [`SymbolGraph`] of edges with
//! a confidence, updated per file (`resolve`), and the dead symbols it implies (`dead`).
//! Nothing here touches the ECS. docs/graph.md
//! describes the model, the capture convention and the per-language rules.

mod dead;
mod extract;
mod resolve;
mod splice;

pub use dead::{dead_in_file, dead_ratio_inputs, is_dead};
pub use extract::{SymbolQuery, extract_symbols};
pub use resolve::{Confidence, Edge, EdgeKind, Symbol, SymbolGraph, SymbolId};
pub use splice::reextract_symbols;

// The model is plain data, so it lives with the components (a file carries its symbols).
pub use codepulse_components::{
    DefKind, Definition, FileSymbols, RefKind, Reference, SIGNATURE_CAP, Visibility,
};
