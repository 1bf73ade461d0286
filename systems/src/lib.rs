//! codepulse's ECS systems, one per file, and the per-language tables they read.
//!
//! - [`lang`]: one data table per language (which node kinds are functions, branches, loops,
//!   boolean operators, nesting structures); no system matches on node kinds itself.
//! - [`analysis`]: pure functions from a syntax tree and a language table to function spans and
//!   metrics; the systems call them, tests and benches call them directly.
//! - [`graph`]: per-file symbol and reference extraction by tree-sitter queries (docs/graph.md).
//! - the systems, in tick order: [`remove_files`] (live engine), [`discover_files`],
//!   [`seed_churn`], [`apply_edits`] (live engine), [`load_sources`], [`restore_files`],
//!   [`parse_files`],
//!   [`measure_functions`], [`extract_symbols`], [`update_graph`], [`score_tdg`], [`aggregate_files`], [`gate_files`],
//!   [`evict_sources`]; and [`resync_payloads`], the current state re-emitted on a resync.

/// Enters a profiling zone named `$name`, with the file's path (a [`ZoneFile`]) as its text, for
/// the rest of the scope: the `tracy` feature's per-file zones (docs/profiling.md). Without the
/// feature it is nothing, and [`ZoneFile`] fetches nothing.
macro_rules! file_zone {
    ($name:literal, $file:expr) => {
        #[cfg(feature = "tracy")]
        let _zone = tracing::info_span!($name, file = %$file.relative).entered();
        #[cfg(not(feature = "tracy"))]
        let _ = $file;
    };
}

/// What a system's query fetches for [`file_zone!`]: the file's path with the `tracy` feature,
/// nothing without it.
#[cfg(feature = "tracy")]
type ZoneFile<'w> = &'w codepulse_components::FilePath;
#[cfg(not(feature = "tracy"))]
type ZoneFile<'w> = ();

pub mod alloc;
pub mod analysis;
pub mod churn;
pub mod graph;
pub mod lang;
pub mod parallel;
pub mod tdg;

mod aggregate_files;
mod apply_edits;
mod discover_files;
mod evict_sources;
mod extract_symbols;
mod gate_files;
mod load_sources;
mod measure_functions;
mod parse_files;
mod remove_files;
mod restore_files;
mod score_tdg;
mod seed_churn;
mod settle_trees;
mod update_graph;

pub use aggregate_files::aggregate_files;
pub use apply_edits::{apply_edits, apply_text_edits};
pub use discover_files::{SKIPPED_DIRS, dir_is_walked, discover_files, discoverable, watched_dirs};
pub use evict_sources::{evict_sources, resident_bytes};
pub use extract_symbols::extract_symbols;
pub use gate_files::{gate_files, resync_payloads};
pub use load_sources::{Loaded, load_bytes, load_diagnostic, load_file, load_sources};
pub use measure_functions::measure_functions;
pub use parse_files::parse_files;
pub use remove_files::remove_files;
pub use restore_files::restore_files;
pub use score_tdg::score_tdg;
pub use seed_churn::seed_churn;
pub use settle_trees::settle_trees;
pub use update_graph::{GraphState, MAX_DEFERRED_TICKS, update_graph};
