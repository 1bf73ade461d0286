//! codepulse's ECS systems, one per file, and the per-language tables they read.
//!
//! - [`lang`]: one data table per language (which node kinds are functions, branches, loops,
//!   boolean operators, nesting structures); no system matches on node kinds itself.
//! - [`analysis`]: pure functions from a syntax tree and a language table to function spans and
//!   metrics; the systems call them, tests and benches call them directly.
//! - the systems, in tick order: [`remove_files`] (live engine), [`discover_files`],
//!   [`seed_churn`], [`apply_edits`] (live engine), [`load_sources`], [`parse_files`],
//!   [`measure_functions`], [`score_tdg`], [`aggregate_files`], [`gate_files`],
//!   [`evict_sources`]; and [`resync_payloads`], the current state re-emitted on a resync.

pub mod alloc;
pub mod analysis;
pub mod churn;
pub mod lang;
pub mod parallel;
pub mod tdg;

mod aggregate_files;
mod apply_edits;
mod discover_files;
mod evict_sources;
mod gate_files;
mod load_sources;
mod measure_functions;
mod parse_files;
mod remove_files;
mod score_tdg;
mod seed_churn;
mod settle_trees;

pub use aggregate_files::aggregate_files;
pub use apply_edits::{apply_edits, apply_text_edits};
pub use discover_files::{SKIPPED_DIRS, dir_is_walked, discover_files, discoverable, watched_dirs};
pub use evict_sources::{evict_sources, resident_bytes};
pub use gate_files::{gate_files, resync_payloads};
pub use load_sources::{Loaded, load_file, load_sources};
pub use measure_functions::measure_functions;
pub use parse_files::parse_files;
pub use remove_files::remove_files;
pub use score_tdg::score_tdg;
pub use seed_churn::seed_churn;
pub use settle_trees::settle_trees;
