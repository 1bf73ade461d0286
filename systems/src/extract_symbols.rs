//! `extract_symbols`: extracts the definitions and references of every re-parsed file
//! (`graph::extract_symbols`, one tree-sitter query per language), in parallel, into the file's
//! [`Symbols`]. After an edit (the file carries [`TextChanges`]: it runs before
//! `measure_functions` consumes them) only the top-level items the edit touched are extracted
//! again and spliced into the file's previous symbols (`graph::reextract_symbols`). The component is replaced only when the extraction differs from the one the file
//! holds, so `Changed<Symbols>` marks exactly the files whose graph input moved.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{Lang, SourceText, Symbols, SyntaxTree, TextChanges};

use crate::ZoneFile;
use crate::graph;
use crate::parallel::{self, WorkerThreads};

type Files = (
    Entity,
    &'static Lang,
    &'static SourceText,
    &'static SyntaxTree,
    Option<&'static Symbols>,
    Option<&'static TextChanges>,
    ZoneFile<'static>,
);

pub fn extract_symbols(
    files: Query<Files, Changed<SyntaxTree>>,
    threads: Option<Res<WorkerThreads>>,
    commands: ParallelCommands,
) {
    let mut work: Vec<_> = files.iter().collect();
    work.sort_unstable_by_key(|(_, _, text, ..)| std::cmp::Reverse(text.0.len()));
    let threads = threads.map_or(1, |t| t.0);
    parallel::for_each(
        &work,
        threads,
        |&(entity, lang, text, tree, old, changes, f)| {
            file_zone!("extract_symbols", f);
            let symbols = match (old, changes) {
                (Some(old), Some(changes)) => {
                    graph::reextract_symbols(lang.0, &tree.0, &text.0, &old.0, changes)
                }
                _ => graph::extract_symbols(lang.0, &tree.0, &text.0),
            };
            if old.is_some_and(|old| *old.0 == symbols) {
                return;
            }
            commands.command_scope(|mut commands| {
                commands.entity(entity).insert(Symbols(Arc::new(symbols)));
            });
        },
    );
}
