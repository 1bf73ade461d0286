//! `evict_sources`: drops the text and syntax tree of every file measured this tick. The metric
//! rows stay; a file's text is read again when it is next marked [`PendingLoad`]. This bounds
//! the memory of a pass to one tick's worth of sources and trees.
//!
//! Freeing syntax trees is a sizeable share of a pass (every node is a separate allocation), so
//! the trees are taken out of the world and dropped on the compute task pool.
//!
//! [`PendingLoad`]: codepulse_components::PendingLoad

use bevy_ecs::prelude::*;
use bevy_tasks::ComputeTaskPool;
use codepulse_components::{SourceText, SyntaxTree};

pub fn evict_sources(world: &mut World) {
    let files: Vec<Entity> = world
        .query_filtered::<Entity, With<SyntaxTree>>()
        .iter(world)
        .collect();
    if files.is_empty() {
        return;
    }
    let mut taken: Vec<(SyntaxTree, SourceText)> = Vec::with_capacity(files.len());
    for file in files {
        if let Some(pair) = world.entity_mut(file).take::<(SyntaxTree, SourceText)>() {
            taken.push(pair);
        }
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
