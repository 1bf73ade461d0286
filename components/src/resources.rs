use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use bevy_ecs::resource::Resource;

/// What a cold analysis works on and with which limits.
#[derive(Resource, Clone, Debug)]
pub struct AnalysisSettings {
    /// The root directory (absolute).
    pub root: PathBuf,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Follow symbolic links during discovery (loops are detected and reported).
    pub follow_symlinks: bool,
    /// At most this many bytes of source are loaded per tick (at least one file): sources and
    /// syntax trees of a tick's files are held only until they are measured, so this bounds the
    /// memory of a cold pass whatever the size of the tree.
    pub load_batch_bytes: u64,
    /// The languages analysed (configuration can disable some); files of others are not
    /// discovered.
    pub languages: Vec<crate::Language>,
}

impl AnalysisSettings {
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;
    pub const DEFAULT_LOAD_BATCH_BYTES: u64 = 1024 * 1024;

    pub fn new(root: PathBuf) -> Self {
        AnalysisSettings {
            root,
            max_file_size: Self::DEFAULT_MAX_FILE_SIZE,
            follow_symlinks: true,
            load_batch_bytes: Self::DEFAULT_LOAD_BATCH_BYTES,
            languages: crate::Language::ALL.to_vec(),
        }
    }
}

/// Present while the root still has to be walked: `discover_files` runs when it exists and
/// removes it.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct DiscoveryRequest;

/// Present when the files parsed incrementally should be parsed from scratch once
/// ([`IncrementalTree`](crate::IncrementalTree)): `settle_trees` runs when it exists and removes
/// it. The live engine inserts it when it goes idle after edits.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct SettleRequest;

/// Present until the churn of the tree has been read from git history: `seed_churn` runs when it
/// exists (after discovery has spawned the file entities) and removes it.
#[derive(Resource, Clone, Copy, Debug)]
pub struct ChurnRequest {
    /// How far back commits count (the TDG uses 90 days).
    pub since: std::time::Duration,
}

impl ChurnRequest {
    /// 90 days: the window of the TDG's churn input (docs/tdg.md).
    pub const DEFAULT_WINDOW: std::time::Duration = std::time::Duration::from_secs(90 * 24 * 3600);
}

impl Default for ChurnRequest {
    fn default() -> Self {
        ChurnRequest {
            since: Self::DEFAULT_WINDOW,
        }
    }
}

/// What kind of trouble a [`Diagnostic`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// A directory entry could not be read during discovery.
    Discovery,
    /// A symbolic link loop was found and not followed.
    SymlinkLoop,
    /// A file could not be read.
    Unreadable,
    /// A file was binary and skipped.
    Binary,
    /// A file was over the size limit and skipped.
    TooLarge,
    /// A file was not valid UTF-8 and was decoded lossily.
    LossyUtf8,
    /// A file has syntax errors; it was still measured.
    SyntaxErrors,
    /// An edit did not fit the file's text and was rejected (nothing was applied).
    RejectedEdit,
    /// The git history could not be read for churn; churn counts only live edits.
    Churn,
}

impl DiagnosticKind {
    pub fn name(self) -> &'static str {
        match self {
            DiagnosticKind::Discovery => "discovery",
            DiagnosticKind::SymlinkLoop => "symlink-loop",
            DiagnosticKind::Unreadable => "unreadable",
            DiagnosticKind::Binary => "binary",
            DiagnosticKind::TooLarge => "too-large",
            DiagnosticKind::LossyUtf8 => "lossy-utf8",
            DiagnosticKind::SyntaxErrors => "syntax-errors",
            DiagnosticKind::RejectedEdit => "rejected-edit",
            DiagnosticKind::Churn => "churn",
        }
    }
}

/// One warning about the input: which path and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    /// The path relative to the root where possible.
    pub path: String,
    pub message: String,
}

/// Warnings collected by the systems; the engine reports them.
#[derive(Resource, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

/// Counters of a run's progress, bumped by the systems (from any thread) and read by the engine
/// from another thread to draw a progress line. Units are files.
#[derive(Debug, Default)]
pub struct ProgressCounters {
    /// Files found by discovery.
    pub discovered: AtomicU64,
    /// Files loaded (or skipped) by `load_sources`.
    pub loaded: AtomicU64,
    /// Files parsed by `parse_files`.
    pub parsed: AtomicU64,
    /// Files whose functions were measured by `measure_functions`.
    pub measured: AtomicU64,
}

/// Shared progress counters. Cloning shares the same counters, so the engine keeps a clone to
/// read while the schedule runs. Systems take it as `Option<Res<Progress>>` (a world without it
/// still runs) and bump, e.g. `progress.measured.fetch_add(1, Ordering::Relaxed)`.
#[derive(Resource, Clone, Debug, Default)]
pub struct Progress(pub Arc<ProgressCounters>);

impl Deref for Progress {
    type Target = ProgressCounters;

    fn deref(&self) -> &ProgressCounters {
        &self.0
    }
}
