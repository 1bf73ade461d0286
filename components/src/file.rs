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

/// A 128-bit hash (xxh3-128) of the text a file's analysis describes: its [`SourceText`] as
/// it was when its functions and symbols were last computed (`restore_files` sets it for every
/// new text). The snapshot of a warm restart stores it, and a file whose text hashes the same
/// at the next start is restored instead of parsed (docs/snapshot.md).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ContentHash(pub u128);

impl ContentHash {
    /// The hash of `text` (its UTF-8 bytes).
    pub fn of(text: &str) -> ContentHash {
        ContentHash(xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
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

/// Marks a file whose [`SyntaxTree`] came from an incremental reparse (and has not been parsed
/// from scratch since). tree-sitter does not promise that an incremental reparse gives the tree
/// a parse from scratch gives (an `extras` node such as a comment between two functions can end
/// up inside the first), so the live engine settles such files when it is idle: `settle_trees`
/// has them parsed from scratch once, and the world equals a cold analysis again.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IncrementalTree;

/// What changed in a file's text and syntax since its functions were last measured, so that
/// `measure_functions` re-measures only the functions there and keeps the others' columns.
/// `apply_edits` records the edited regions (when the file's tree follows its edits);
/// `parse_files` adds where the syntax changed in an incremental reparse, or removes the
/// component after a parse from scratch (then every function is measured); `measure_functions`
/// consumes it.
#[derive(Component, Clone, Debug, Default, PartialEq, Eq)]
pub struct TextChanges {
    /// The regions of the current text that edits replaced, disjoint and in order.
    pub edited: Vec<EditedRegion>,
    /// Byte ranges of the current text whose syntax changed (tree-sitter's changed ranges).
    pub syntax: Vec<std::ops::Range<usize>>,
}

/// Bytes `start..end` of the current text replaced what ended at byte `old_end` of the text
/// before the edits: a position after the region is `end - old_end` bytes further than it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EditedRegion {
    pub start: usize,
    pub end: usize,
    pub old_end: usize,
}

impl TextChanges {
    /// Records that bytes `start..old_end` of the current text were replaced by text now ending
    /// at `new_end`. Regions it overlaps or touches merge with it; the ones after it move.
    pub fn record_edit(&mut self, start: usize, old_end: usize, new_end: usize) {
        let shift = |p: usize| p + new_end - old_end;
        let first = self.edited.partition_point(|r| r.end < start);
        let last = self.edited.partition_point(|r| r.start <= old_end);
        let merged = match self.edited.get(first..last).unwrap_or_default() {
            [] => EditedRegion {
                start,
                end: new_end,
                old_end: self.to_old(old_end),
            },
            overlapped => {
                let (head, tail) = (overlapped[0], overlapped[overlapped.len() - 1]);
                let (end, region_old_end) = if tail.end > old_end {
                    (shift(tail.end), tail.old_end)
                } else {
                    (new_end, tail.old_end + (old_end - tail.end))
                };
                EditedRegion {
                    start: start.min(head.start),
                    end,
                    old_end: region_old_end,
                }
            }
        };
        for r in &mut self.edited[last..] {
            r.start = shift(r.start);
            r.end = shift(r.end);
        }
        self.edited.splice(first..last, [merged]);
    }

    /// The position in the text before the edits of `position` in the current text, which is
    /// outside every edited region (inside one there is no such position; this gives its start's
    /// shift then).
    pub fn to_old(&self, position: usize) -> usize {
        let before = self.edited.partition_point(|r| r.end <= position);
        match before.checked_sub(1).map(|i| self.edited[i]) {
            Some(r) => position - r.end + r.old_end,
            None => position,
        }
    }

    /// Whether bytes `start..end` of the current text touch an edited region or a changed
    /// syntax range (ranges that only meet at an end count: a conservative answer).
    pub fn touches(&self, start: usize, end: usize) -> bool {
        self.edited.iter().any(|r| r.start <= end && start <= r.end)
            || self.syntax.iter().any(|r| r.start <= end && start <= r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies random edits to a text, recording them; every byte outside the recorded regions
    /// maps back to the same byte of the original text.
    #[test]
    fn recorded_regions_map_unedited_bytes_back_to_the_original() {
        let original: Vec<u8> = (0..200u8).collect();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        for _ in 0..300 {
            let mut text = original.clone();
            // Bytes inserted by edits are >= 200, so they are never mistaken for original ones.
            let mut changes = TextChanges::default();
            for _ in 0..1 + next(6) {
                let start = next(text.len() + 1);
                let old_end = (start + next(12)).min(text.len());
                let inserted = vec![200 + next(50) as u8; next(10)];
                let new_end = start + inserted.len();
                text.splice(start..old_end, inserted);
                changes.record_edit(start, old_end, new_end);
            }
            let regions = &changes.edited;
            assert!(
                regions.windows(2).all(|w| w[0].end < w[1].start),
                "{regions:?}"
            );
            for (p, &byte) in text.iter().enumerate() {
                if changes.touches(p, p) {
                    continue;
                }
                assert!(byte < 200, "an edited byte at {p} outside {regions:?}");
                assert_eq!(original[changes.to_old(p)], byte, "{p} in {regions:?}");
            }
            // The end of the text maps to the end of the original.
            if !changes.touches(text.len(), text.len()) {
                assert_eq!(changes.to_old(text.len()), original.len());
            }
        }
    }
}
