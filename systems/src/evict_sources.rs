//! `evict_sources`: drops the text and syntax tree of files measured this tick. The metric rows
//! stay; a file's text is read again when it is next marked [`PendingLoad`].
//!
//! Without a [`SourceCache`] (a cold analysis) every file that has a tree is evicted, which
//! bounds the memory of a pass to one tick's worth of sources and trees.
//!
//! With a [`SourceCache`] (the live engine) residency follows an LRU policy:
//! - a file open in an editor ([`OpenDocument`]) is pinned: never evicted, its bytes count
//!   against the budget first;
//! - a file without [`Recency`] (loaded by the cold pass, re-read from disk while nobody edits
//!   it) is evicted as in a cold analysis;
//! - files with [`Recency`] are kept most recent first while pinned bytes + kept bytes fit
//!   [`SourceCache::budget_bytes`]; from the first that does not fit on, the older ones are
//!   evicted (their `SourceText`, `SyntaxTree`, `Recency` and `TreeEdited` are removed).
//!
//! The cache's gauges (resident and pinned files and bytes) are filled at the end. A resident
//! file's bytes are estimated by [`resident_bytes`]: its text plus its tree, at the language's
//! measured tree bytes per source byte.
//!
//! Freeing syntax trees is a sizeable share of a pass (every node is a separate allocation), so
//! the trees are taken out of the world and dropped on the compute task pool.
//!
//! [`PendingLoad`]: codepulse_components::PendingLoad

use std::cmp::Reverse;

use bevy_ecs::prelude::*;
use bevy_tasks::ComputeTaskPool;
use codepulse_components::{
    Lang, Language, OpenDocument, Recency, SourceCache, SourceText, SyntaxTree, TreeEdited,
};

use crate::lang::LangSpec;

/// The estimated bytes a resident file holds: its text (`text_len` bytes) and its syntax tree
/// (`text_len` × the language's [`tree_bytes_per_source_byte`]).
///
/// [`tree_bytes_per_source_byte`]: crate::lang::LangTable::tree_bytes_per_source_byte
pub fn resident_bytes(language: Language, text_len: usize) -> u64 {
    let per_byte = LangSpec::get(language).table.tree_bytes_per_source_byte;
    (text_len as u64).saturating_mul(1 + u64::from(per_byte))
}

pub fn evict_sources(world: &mut World) {
    let Some(cache) = world.get_resource::<SourceCache>().copied() else {
        let files: Vec<Entity> = world
            .query_filtered::<Entity, With<SyntaxTree>>()
            .iter(world)
            .collect();
        drop_on_pool(take(world, &files, false));
        return;
    };

    let mut pinned = (0u32, 0u64);
    let mut cold: Vec<Entity> = Vec::new();
    // (recency, entity, bytes) of recently edited files.
    let mut recent: Vec<(u64, Entity, u64)> = Vec::new();
    let mut files = world.query::<(
        Entity,
        &Lang,
        &SourceText,
        Has<SyntaxTree>,
        Has<OpenDocument>,
        Option<&Recency>,
    )>();
    for (entity, lang, text, has_tree, open, recency) in files.iter(world) {
        let bytes = resident_bytes(lang.0, text.0.len());
        match (open, recency) {
            (true, _) => pinned = (pinned.0 + 1, pinned.1.saturating_add(bytes)),
            (false, Some(r)) if has_tree => recent.push((r.0, entity, bytes)),
            (false, _) if has_tree => cold.push(entity),
            // Text not parsed yet (not after a whole tick): nothing to decide.
            (false, _) => {}
        }
    }
    recent.sort_unstable_by_key(|&(recency, entity, _)| (Reverse(recency), entity));
    let mut used = pinned.1;
    let fit = recent
        .iter()
        .take_while(|&&(_, _, bytes)| {
            let fits = used.saturating_add(bytes) <= cache.budget_bytes;
            if fits {
                used += bytes;
            }
            fits
        })
        .count();
    let kept = u32::try_from(fit).unwrap_or(u32::MAX);
    cold.extend(recent[fit..].iter().map(|&(_, entity, _)| entity));
    drop_on_pool(take(world, &cold, true));

    let mut gauges = world.resource_mut::<SourceCache>();
    gauges.set_if_neq(SourceCache {
        resident_files: pinned.0.saturating_add(kept),
        resident_bytes: used,
        pinned_files: pinned.0,
        pinned_bytes: pinned.1,
        ..cache
    });
}

/// Takes the text and tree out of `files` (and, when `forget` is set, their `Recency` and
/// `TreeEdited` marks).
fn take(world: &mut World, files: &[Entity], forget: bool) -> Vec<(SyntaxTree, SourceText)> {
    let mut taken = Vec::with_capacity(files.len());
    for &file in files {
        let mut entity = world.entity_mut(file);
        if let Some(pair) = entity.take::<(SyntaxTree, SourceText)>() {
            taken.push(pair);
        }
        if forget {
            entity.remove::<(Recency, TreeEdited)>();
        }
    }
    taken
}

/// Drops texts and trees on the compute task pool, spread over its threads.
fn drop_on_pool(mut taken: Vec<(SyntaxTree, SourceText)>) {
    if taken.is_empty() {
        return;
    }
    let pool = ComputeTaskPool::get_or_init(Default::default);
    let per_task = taken.len().div_ceil(pool.thread_num().max(1));
    pool.scope(|scope| {
        while !taken.is_empty() {
            let chunk = taken.split_off(taken.len().saturating_sub(per_task));
            scope.spawn(async move { drop(chunk) });
        }
    });
}
