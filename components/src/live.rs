//! What the live engine (`codepulse watch`) knows about a file beyond a cold pass: whether an
//! editor holds it open, when a live input last touched it, whether it was deleted, and what the
//! gate last told clients about it; and the source cache's budget and gauges. The engine sets
//! the marks from its inputs; the systems read them.

use bevy_ecs::component::Component;
use bevy_ecs::resource::Resource;

use crate::DefectPayload;

/// The file is open in an editor: its [`SourceText`](crate::SourceText) is the editor's, not
/// the disk's, so it is never evicted. `version` is the editor's document version, carried by
/// the file's payloads.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenDocument {
    pub version: u32,
}

/// The [`SourceCache::clock`] value when a live input last edited, opened or saved the file
/// (set by the engine). `evict_sources` keeps the most recent of these files while they fit the
/// cache's budget.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Recency(pub u64);

/// Marks a file that was deleted on disk (set by the engine): `remove_files` tells clients to
/// drop its diagnostics and despawns it with its functions.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PendingRemoval;

/// The last payload the gate emitted for the file: what a client should be showing, re-emitted
/// on a resync.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
pub struct LastPayload(pub DefectPayload);

/// The source cache of the live engine: how many bytes of source text and syntax trees may stay
/// in memory between ticks, the clock that orders [`Recency`], and gauges of what is resident
/// (filled by `evict_sources` at the end of every tick). Present only in the live engine;
/// without it every file's text and tree are dropped once measured.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceCache {
    /// Budget for the texts and trees of recently edited files (open documents count against it
    /// but are kept even over it).
    pub budget_bytes: u64,
    /// Bumped by the engine every tick; a live input stamps its file's [`Recency`] with it.
    pub clock: u64,
    /// Files whose text and tree are in memory after the tick (pinned included).
    pub resident_files: u32,
    /// Their estimated bytes (text + syntax tree).
    pub resident_bytes: u64,
    /// Open documents among them: kept whatever the budget.
    pub pinned_files: u32,
    pub pinned_bytes: u64,
}

impl SourceCache {
    /// A cache of `budget_bytes`, clock at 0, gauges empty.
    pub fn with_budget(budget_bytes: u64) -> SourceCache {
        SourceCache {
            budget_bytes,
            ..SourceCache::default()
        }
    }
}
