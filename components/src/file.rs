use std::path::PathBuf;
use std::sync::Arc;

use bevy_ecs::component::Component;

use crate::Language;

/// Where a file entity lives: its absolute path and its path relative to the analysis root
/// (with `/` separators), which is the name used in every report.
#[derive(Component, Clone, Debug, PartialEq, Eq)]
pub struct FilePath {
    pub absolute: PathBuf,
    pub relative: Box<str>,
}

/// The language of a file entity.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lang(pub Language);

/// The text of a file. Invalid UTF-8 is replaced (U+FFFD) when loading, and the file carries
/// [`FileFlags::LOSSY_UTF8`].
#[derive(Component, Clone, Debug)]
pub struct SourceText(pub Arc<str>);

/// The tree-sitter syntax tree of a file's [`SourceText`].
#[derive(Component, Clone, Debug)]
pub struct SyntaxTree(pub tree_sitter::Tree);

/// Number of `ERROR` and `MISSING` nodes in a file's syntax tree. A file with errors is still
/// measured; the count is reported.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseErrors(pub u32);

/// Conditions noticed while loading a file (bit set).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileFlags(pub u8);

impl FileFlags {
    /// The file was not valid UTF-8 and was decoded lossily.
    pub const LOSSY_UTF8: u8 = 1;

    pub fn contains(self, flag: u8) -> bool {
        self.0 & flag != 0
    }
}

/// Why a discovered file was not analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// The file holds NUL bytes in its first block: not source text.
    Binary,
    /// The file is larger than the configured limit (bytes).
    TooLarge { size: u64, limit: u64 },
    /// The file could not be read; the message says why.
    Unreadable(String),
}

/// Marks a file entity that was discovered but not analysed.
#[derive(Component, Clone, Debug, PartialEq, Eq)]
pub struct Skipped(pub SkipReason);

/// Per-file aggregates derived from the file's function rows: counts, sums and maxima.
/// Sums count each function once, nested functions included (a nested function's decision
/// points are also part of its enclosing function's own metrics; see docs/metrics.md).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileTotals {
    pub functions: u32,
    pub cyclomatic_sum: u32,
    pub cyclomatic_max: u32,
    pub cognitive_sum: u32,
    pub cognitive_max: u32,
    pub max_nesting: u32,
    pub function_loc_sum: u32,
    /// Physical lines of the whole file.
    pub lines: u32,
}

/// Marks a file entity whose text must be (re)read: set by discovery (and, in the live engine,
/// by a change on disk); `load_sources` reads it and removes the mark.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PendingLoad;

/// The gate's last word on a file: its severity, how many functions are at warning and error,
/// a fingerprint of its non-ok functions' metrics (a change means a client would see something
/// new), and the sequence number of its last payload.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileGate {
    pub severity: crate::Severity,
    pub warnings: u16,
    pub errors: u16,
    pub fingerprint: u64,
    pub seq: u32,
    /// Whether the file's path is in the ring's path table.
    pub path_registered: bool,
}

/// One change to a file's text: the bytes `start..end` of the text (as it is after the edits
/// before this one) are replaced by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Edits waiting for `apply_edits`, in order. Several edits of one file in one tick are applied
/// together and lead to one (incremental) reparse.
#[derive(Component, Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingEdits(pub Vec<TextEdit>);

/// Marks a file whose [`SyntaxTree`] was adjusted (`Tree::edit`) for every edit that led to its
/// current [`SourceText`], so `parse_files` may reparse incrementally from it. A text replaced
/// any other way (read from disk, opened whole) is parsed from scratch.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeEdited;
