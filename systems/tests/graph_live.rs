//! The symbol graph in the ECS (`extract_symbols`, `update_graph`): after every tick of random
//! edits, removals and re-additions of the files of the graph fixture projects, each file's
//! symbols (spliced after an edit) equal a whole extraction of its tree, the world's graph
//! equals one built cold from them, every file's symbol entities are
//! its graph symbols, and the [`Dead`] markers and the `DeadSymbols` / `DeadSymbolRatio` columns
//! are those of the cold graph.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Dead, DeadSymbolRatio, DeadSymbols, Diagnostics, FilePath, FileSymbolEntities, GraphNode, Lang,
    Language, PendingEdits, PendingLoad, SourceText, SymbolKind, SymbolName, SymbolSpan, Symbols,
    SyntaxTree, TextEdit,
};
use codepulse_systems::graph::{self, SymbolGraph, extract_symbols};
use codepulse_systems::{
    GraphState, apply_edits, extract_symbols as extract_system, measure_functions, parse_files,
    update_graph,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

mod support;

use support::{fixtures, projects_in, source_files};

fn spawn_file(world: &mut World, rel: &str, language: Language, text: &str) -> Entity {
    world
        .spawn((
            FilePath {
                absolute: Path::new("/w").join(rel),
                relative: rel.into(),
            },
            Lang(language),
            SourceText(Arc::from(text)),
        ))
        .id()
}

/// The graph built cold from the world's current trees, and the check of the world against it.
fn check(world: &mut World, what: &str) {
    let mut files = world.query::<(&FilePath, &Lang, &SourceText, &SyntaxTree, &Symbols)>();
    let inputs: Vec<(String, Language, _)> = files
        .iter(world)
        .map(|(path, lang, text, tree, symbols)| {
            let whole = extract_symbols(lang.0, &tree.0, &text.0);
            // The spliced extraction after edits is the whole extraction of the tree.
            assert_eq!(*symbols.0, whole, "{what}: symbols of {}", path.relative);
            (path.relative.to_string(), lang.0, whole)
        })
        .collect();
    let paths: Vec<String> = inputs.iter().map(|(p, ..)| p.clone()).collect();
    let cold = SymbolGraph::build(inputs);
    let state = world.resource::<GraphState>();
    let live = state.graph();
    assert_eq!(live.render(), cold.render(), "{what}: edges");
    assert_eq!(
        live.render_indexes(),
        cold.render_indexes(),
        "{what}: indexes"
    );

    let mut by_file = world.query::<(Entity, &FilePath, Option<&FileSymbolEntities>)>();
    let mut columns = world.query::<(Option<&DeadSymbols>, Option<&DeadSymbolRatio>)>();
    let mut symbols =
        world.query::<(&SymbolName, &SymbolKind, &SymbolSpan, &GraphNode, Has<Dead>)>();
    let files: Vec<(Entity, String, Vec<Entity>)> = by_file
        .iter(world)
        .map(|(e, p, s)| {
            (
                e,
                p.relative.to_string(),
                s.map(|s| s.entities().to_vec()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(files.len(), paths.len());
    let state = world.resource::<GraphState>();
    for (file, path, entities) in files {
        // The symbol entities: one per graph symbol of the file, with its columns.
        let mut got: Vec<(String, String, u32, u32, bool)> = entities
            .iter()
            .map(|&e| {
                let (name, kind, span, node, dead) = symbols.get(world, e).expect("symbol");
                let id = graph::SymbolId(node.0);
                assert_eq!(state.symbol_entity(id), Some(e), "{what}: {path}");
                (
                    name.qualified.to_string(),
                    kind.0.name().to_string(),
                    span.start_line,
                    span.end_line,
                    dead,
                )
            })
            .collect();
        let dead_cold = graph::dead_in_file(&cold, &path);
        let mut want: Vec<(String, String, u32, u32, bool)> = cold
            .file_symbols(&path)
            .iter()
            .map(|&id| {
                let s = cold.symbol(id).expect("live");
                (
                    s.qualified_name.clone(),
                    s.kind.name().to_string(),
                    s.start_line,
                    s.end_line,
                    dead_cold.contains(&id),
                )
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{what}: symbols of {path}");
        let (dead, candidates) = graph::dead_ratio_inputs(&cold, &path);
        let (count, ratio) = columns.get(world, file).expect("file");
        assert_eq!(
            count.map_or(0, |c| c.0),
            dead,
            "{what}: dead count of {path}"
        );
        let want_ratio = if candidates == 0 {
            0.0
        } else {
            dead as f32 / candidates as f32
        };
        assert_eq!(
            ratio.map_or(0.0, |r| r.0),
            want_ratio,
            "{what}: dead ratio of {path}"
        );
    }
}

/// An edit that renames, deletes or adds code at an identifier, so that references and
/// definitions appear and vanish across files.
fn random_edit(rng: &mut Rng, text: &str, names: &[String]) -> TextEdit {
    let idents: Vec<(usize, usize)> = {
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((start, i));
            } else {
                i += 1;
            }
        }
        out
    };
    let Some(&(start, end)) = idents.get(rng.below(idents.len())) else {
        return TextEdit {
            start: 0,
            end: 0,
            text: "x".into(),
        };
    };
    match rng.below(4) {
        // Rename to another name of the project: a reference or a definition moves.
        0 | 1 => TextEdit {
            start,
            end,
            text: names[rng.below(names.len())].clone(),
        },
        // Delete a stretch of text (a call, a definition head, ...).
        2 => TextEdit {
            start,
            end: (end + rng.below(40)).min(text.len()),
            text: String::new(),
        },
        // Mangle the name: a definition vanishes.
        _ => TextEdit {
            start: end,
            end,
            text: "_x".into(),
        },
    }
    .snap(text)
}

trait Snap {
    fn snap(self, text: &str) -> Self;
}

impl Snap for TextEdit {
    /// Moves the ends to character boundaries.
    fn snap(mut self, text: &str) -> TextEdit {
        while !text.is_char_boundary(self.end) {
            self.end += 1;
        }
        self
    }
}

#[test]
fn issue_6_the_live_graph_equals_a_cold_build_after_random_edits() {
    bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
    let root = fixtures("graph");
    let projects: Vec<PathBuf> = projects_in(&root)
        .into_iter()
        .map(|name| root.join(name))
        .collect();
    assert!(projects.len() >= 6);
    for (n, dir) in projects.iter().enumerate() {
        let files = source_files(dir);
        let names: Vec<String> = {
            let mut all = std::collections::BTreeSet::new();
            for (_, _, text) in &files {
                for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                    if w.len() > 2 && w.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        all.insert(w.to_string());
                    }
                }
            }
            all.into_iter().collect()
        };
        let mut world = World::new();
        world.init_resource::<Diagnostics>();
        world.init_resource::<GraphState>();
        // Batches are resolved on several threads; the cold graph compared with is serial.
        world.insert_resource(codepulse_systems::parallel::WorkerThreads(3));
        let mut entities: Vec<(String, Language, Option<Entity>, String)> = files
            .iter()
            .map(|(rel, language, text)| {
                let e = spawn_file(&mut world, rel, *language, text);
                (rel.clone(), *language, Some(e), text.clone())
            })
            .collect();
        let mut schedule = Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.add_systems(
            (
                apply_edits,
                parse_files,
                extract_system,
                measure_functions,
                update_graph,
            )
                .chain(),
        );
        schedule.run(&mut world);
        world.clear_trackers();
        let project = dir.file_name().unwrap().to_string_lossy().to_string();
        check(&mut world, &format!("{project}: cold"));

        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1));
        for step in 0..40 {
            // One to three files change in a tick.
            for _ in 0..=rng.below(3) {
                let i = rng.below(entities.len());
                let (rel, language, entity, text) = &mut entities[i];
                match (rng.below(10), *entity) {
                    (0, Some(e)) => {
                        world.despawn(e);
                        *entity = None;
                    }
                    (_, None) => {
                        *entity = Some(spawn_file(&mut world, rel, *language, text));
                    }
                    (_, Some(e)) => {
                        let edit = random_edit(&mut rng, text, &names);
                        text.replace_range(edit.start..edit.end, &edit.text);
                        let mut file = world.entity_mut(e);
                        match file.get_mut::<PendingEdits>() {
                            Some(mut pending) => pending.0.push(edit),
                            None => {
                                file.insert(PendingEdits(vec![edit]));
                            }
                        }
                    }
                }
            }
            schedule.run(&mut world);
            world.clear_trackers();
            check(&mut world, &format!("{project}: step {step}"));
        }
    }
}

/// While files are still loading (some carry `PendingLoad`), the graph waits and takes the
/// whole load at once; a load that never ends still gets its graph after
/// `MAX_DEFERRED_TICKS` ticks. Either way the result is the cold build.
#[test]
fn issue_6_the_graph_waits_for_a_load_to_finish() {
    bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
    let files = source_files(&fixtures("graph").join("rust"));
    assert!(files.len() >= 3);
    for never_ends in [false, true] {
        let mut world = World::new();
        world.init_resource::<Diagnostics>();
        world.init_resource::<GraphState>();
        let mut schedule = Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.add_systems((parse_files, extract_system, update_graph).chain());
        // A file still to load: the others arrive one per tick meanwhile.
        let waiting = world.spawn(PendingLoad).id();
        for (rel, language, text) in &files {
            spawn_file(&mut world, rel, *language, text);
            schedule.run(&mut world);
            world.clear_trackers();
            let graph = world.resource::<GraphState>().graph();
            assert_eq!(
                graph.files().count(),
                0,
                "{rel} went to the graph during the load"
            );
        }
        let ticks = if never_ends {
            codepulse_systems::MAX_DEFERRED_TICKS
        } else {
            world.despawn(waiting);
            1
        };
        for _ in 0..ticks {
            schedule.run(&mut world);
            world.clear_trackers();
        }
        let graph = world.resource::<GraphState>().graph();
        assert_eq!(
            graph.files().count(),
            files.len(),
            "never ends: {never_ends}"
        );
        check(
            &mut world,
            &format!("after the load (never ends: {never_ends})"),
        );
    }
}
