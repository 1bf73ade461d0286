//! `parse_files`: parses every file whose text changed into a tree-sitter [`SyntaxTree`], in
//! parallel, one parser per thread and language; a file that still has its tree (edited by
//! `apply_edits`) is reparsed incrementally from it. Parsing never fails: a file with syntax errors
//! gets a tree with ERROR nodes, and their count in [`ParseErrors`].

use std::sync::atomic::Ordering;

use bevy_ecs::prelude::*;
use codepulse_components::{Lang, ParseErrors, Progress, SourceText, SyntaxTree, TreeEdited};

use crate::analysis::{count_errors, reparse_source};
use crate::parallel::{self, WorkerThreads};

type Files = (
    Entity,
    &'static Lang,
    &'static SourceText,
    Option<(&'static SyntaxTree, &'static TreeEdited)>,
);

pub fn parse_files(
    files: Query<Files, Changed<SourceText>>,
    threads: Option<Res<WorkerThreads>>,
    commands: ParallelCommands,
    progress: Option<Res<Progress>>,
) {
    let mut work: Vec<_> = files.iter().collect();
    // Largest first, so that the threads finish together.
    work.sort_unstable_by_key(|(_, _, text, _)| std::cmp::Reverse(text.0.len()));
    let threads = threads.map_or(1, |t| t.0);
    parallel::for_each(&work, threads, |&(entity, lang, text, old)| {
        // A file whose tree followed its edits reparses incrementally from it.
        let tree = reparse_source(lang.0, &text.0, old.map(|(t, _)| &t.0));
        let errors = count_errors(&tree);
        commands.command_scope(|mut commands| {
            commands
                .entity(entity)
                .remove::<TreeEdited>()
                .insert((SyntaxTree(tree), ParseErrors(errors)));
        });
        if let Some(progress) = &progress {
            progress.parsed.fetch_add(1, Ordering::Relaxed);
        }
    });
}
