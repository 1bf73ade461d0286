//! `update_graph`: keeps the symbol graph ([`GraphState`]) and the symbol entities in step with
//! the files' [`Symbols`], and marks what is dead.
//!
//! Each tick it hands the graph every file whose symbols changed or that is gone, in one batch
//! (`SymbolGraph::update_files`: each affected file is re-resolved once; a file whose
//! definitions only moved keeps its ids, and only its own references are resolved again). A
//! file keeps its symbol entities (one per definition, with [`GraphNode`], its id in the graph)
//! while its ids stay, their columns rewritten; otherwise they are despawned and spawned anew;
//! a file that is gone loses them with its entity. Then, for every file whose symbols'
//! dead status may have moved (`SymbolGraph::take_touched`: the changed files, and the files
//! whose symbols gained or lost a reference), it sets the [`Dead`] marker on its symbols and
//! the file's [`DeadSymbols`] and [`DeadSymbolRatio`] columns, each written only when its value
//! changes (so `score_tdg` rescores only the files whose ratio moved).

use bevy_ecs::prelude::*;
use codepulse_components::{
    Dead, DeadSymbolRatio, DeadSymbols, DiscoveryRequest, FilePath, GraphNode, Lang, PendingLoad,
    SymbolKind, SymbolName, SymbolOf, SymbolSpan, SymbolVisibility, Symbols,
};
use hashbrown::{HashMap, HashSet};

use crate::graph::{self, SymbolGraph, SymbolId};
use crate::parallel::WorkerThreads;

/// The symbol graph of the world's files, and how its files and symbols map to entities.
#[derive(Resource, Debug, Default)]
pub struct GraphState {
    graph: SymbolGraph,
    /// The graph's path of each file entity in it.
    paths: HashMap<Entity, Box<str>>,
    /// The file entity of each path in the graph.
    files: HashMap<Box<str>, Entity>,
    /// The symbol entity of each live [`SymbolId`], indexed by the id.
    symbols: Vec<Option<Entity>>,
    /// Whether each live [`SymbolId`] is dead, indexed by the id.
    dead: Vec<bool>,
    /// Files whose new symbols wait for the load to finish ([`update_graph`]).
    deferred: HashSet<Entity>,
    /// For how many ticks they have waited.
    deferred_ticks: u32,
}

/// The most ticks the graph waits for a load to finish: a tree that never stops loading (files
/// rewritten on disk all the time) still gets its graph.
pub const MAX_DEFERRED_TICKS: u32 = 256;

impl GraphState {
    pub fn graph(&self) -> &SymbolGraph {
        &self.graph
    }

    /// The file entity of a path in the graph.
    pub fn file_entity(&self, path: &str) -> Option<Entity> {
        self.files.get(path).copied()
    }

    /// The entity of a symbol of the graph.
    pub fn symbol_entity(&self, id: SymbolId) -> Option<Entity> {
        self.symbols.get(id.0 as usize).copied().flatten()
    }

    /// Whether a symbol of the graph is dead.
    pub fn is_dead(&self, id: SymbolId) -> bool {
        self.dead.get(id.0 as usize).copied().unwrap_or(false)
    }

    fn set_symbol(&mut self, id: SymbolId, entity: Option<Entity>) {
        let i = id.0 as usize;
        if self.symbols.len() <= i {
            self.symbols.resize(i + 1, None);
            self.dead.resize(i + 1, false);
        }
        self.symbols[i] = entity;
        self.dead[i] = false;
    }
}

type Changed_ = (Entity, &'static FilePath, &'static Lang, &'static Symbols);

/// The columns of a symbol entity (all but its file).
fn columns_of(
    graph: &SymbolGraph,
    id: SymbolId,
) -> (
    SymbolName,
    SymbolKind,
    SymbolVisibility,
    SymbolSpan,
    GraphNode,
) {
    let s = graph.symbol(id).expect("a file's symbol is live");
    (
        SymbolName {
            name: s.name.as_str().into(),
            qualified: s.qualified_name.as_str().into(),
        },
        SymbolKind(s.kind),
        SymbolVisibility(s.visibility),
        span_of(graph, id),
        GraphNode(id.0),
    )
}

/// The span column of a symbol entity.
fn span_of(graph: &SymbolGraph, id: SymbolId) -> SymbolSpan {
    let s = graph.symbol(id).expect("a file's symbol is live");
    SymbolSpan {
        start_byte: s.start_byte as u32,
        end_byte: s.end_byte as u32,
        start_line: s.start_line,
        end_line: s.end_line,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn update_graph(
    mut state: ResMut<GraphState>,
    changed: Query<Entity, Changed<Symbols>>,
    files: Query<Changed_>,
    mut removed: RemovedComponents<Symbols>,
    mut columns: Query<(Option<&mut DeadSymbols>, Option<&mut DeadSymbolRatio>)>,
    mut spans: Query<&mut SymbolSpan>,
    mut commands: Commands,
    threads: Option<Res<WorkerThreads>>,
    (pending, discovering): (Query<(), With<PendingLoad>>, Option<Res<DiscoveryRequest>>),
) {
    let state = &mut *state;
    state.graph.set_threads(threads.map_or(1, |t| t.0));
    let mut batch: Vec<(String, Option<_>)> = Vec::new();
    let mut respawn: Vec<(Entity, Box<str>)> = Vec::new();
    // Files gone (despawned, or their symbols removed) and not back with new symbols.
    for entity in removed.read() {
        if changed.contains(entity) {
            continue;
        }
        state.deferred.remove(&entity);
        if let Some(path) = state.paths.remove(&entity) {
            state.files.remove(&path);
            batch.push((path.to_string(), None));
            respawn.push((entity, path));
        }
    }
    // While files are still being discovered or loaded (a cold start loads in batches), new
    // symbols wait: every batch would otherwise re-resolve the files of the batches before it
    // that reference the names it defines. The whole load then goes to the graph at once.
    let loading = discovering.is_some() || !pending.is_empty();
    state.deferred.extend(changed.iter());
    let ready: Vec<Entity> = if loading && state.deferred_ticks < MAX_DEFERRED_TICKS {
        if !state.deferred.is_empty() {
            state.deferred_ticks += 1;
        }
        Vec::new()
    } else {
        state.deferred_ticks = 0;
        state.deferred.drain().collect()
    };
    // In path order: the ids the graph hands out do not depend on the order of a hash set.
    let mut ready: Vec<_> = files.iter_many(&ready).flatten().collect();
    ready.sort_unstable_by(|a, b| a.1.relative.cmp(&b.1.relative));
    for (entity, path, lang, symbols) in ready {
        // A path moved to another entity (a file removed and found again) leaves the old one.
        if let Some(old) = state.files.insert(path.relative.clone(), entity)
            && old != entity
        {
            state.paths.remove(&old);
        }
        state.paths.insert(entity, path.relative.clone());
        batch.push((path.relative.to_string(), Some((lang.0, symbols.0.clone()))));
        respawn.push((entity, path.relative.clone()));
    }
    if batch.is_empty() {
        return;
    }
    // The old symbol ids of the changed and removed files.
    let before: Vec<(Entity, Box<str>, Vec<SymbolId>)> = respawn
        .into_iter()
        .map(|(file, path)| {
            let ids = state.graph.file_symbols(&path).to_vec();
            (file, path, ids)
        })
        .collect();
    state.graph.update_files(batch);
    // A file whose ids are the same (an edit that moved its definitions, or one that left them
    // as they were) keeps its symbol entities, rewritten; the others' are despawned and spawned
    // anew, and their dead status computed again.
    let mut recompute: Vec<Box<str>> = Vec::new();
    let mut spawn: Vec<(Entity, Box<str>)> = Vec::new();
    for (file, path, old) in before {
        let live = state.files.get(&path) == Some(&file);
        let kept = live
            && state.graph.file_symbols(&path) == old.as_slice()
            && old.iter().all(|&id| state.symbol_entity(id).is_some());
        if kept {
            // The same ids keep their name, kind and visibility (what pairs them): only the
            // spans move, and only those written.
            for &id in &old {
                let entity = state.symbol_entity(id).expect("kept");
                let span = span_of(&state.graph, id);
                match spans.get_mut(entity) {
                    Ok(mut old) => {
                        old.set_if_neq(span);
                    }
                    Err(_) => {
                        commands.entity(entity).insert(span);
                    }
                }
            }
            continue;
        }
        for id in old {
            if let Some(e) = state.symbol_entity(id) {
                if let Ok(mut e) = commands.get_entity(e) {
                    e.despawn();
                }
                state.set_symbol(id, None);
            }
        }
        if live {
            spawn.push((file, path));
        }
    }
    for (file, path) in spawn {
        for id in state.graph.file_symbols(&path).to_vec() {
            let entity = commands
                .spawn((SymbolOf(file), columns_of(&state.graph, id)))
                .id();
            state.set_symbol(id, Some(entity));
        }
        recompute.push(path);
    }
    // Dead status of the files whose symbols' references may have moved.
    let mut touched = state.graph.take_touched();
    touched.extend(recompute.into_iter().map(String::from));
    for path in touched {
        let Some(&file) = state.files.get(path.as_str()) else {
            continue;
        };
        let inputs = graph::dead_ratio_inputs(&state.graph, &path);
        let dead: hashbrown::HashSet<SymbolId> = graph::dead_in_file(&state.graph, &path)
            .into_iter()
            .collect();
        for &id in state.graph.file_symbols(&path) {
            let now = dead.contains(&id);
            let i = id.0 as usize;
            if state.dead[i] == now {
                continue;
            }
            state.dead[i] = now;
            if let Some(entity) = state.symbols[i] {
                if now {
                    commands.entity(entity).insert(Dead);
                } else {
                    commands.entity(entity).remove::<Dead>();
                }
            }
        }
        let count = DeadSymbols(dead.len() as u32);
        let ratio = DeadSymbolRatio(if inputs.1 == 0 {
            0.0
        } else {
            inputs.0 as f32 / inputs.1 as f32
        });
        match columns.get_mut(file) {
            Ok((Some(mut c), Some(mut r))) => {
                c.set_if_neq(count);
                r.set_if_neq(ratio);
            }
            Ok(_) => {
                commands.entity(file).insert((count, ratio));
            }
            Err(_) => {}
        }
    }
}
