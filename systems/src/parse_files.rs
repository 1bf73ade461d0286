//! `parse_files`: parses every file whose text changed into a tree-sitter [`SyntaxTree`], in
//! parallel, one parser per thread and language. Parsing never fails: a file with syntax errors
//! gets a tree with ERROR nodes, and their count in [`ParseErrors`].

use std::sync::atomic::Ordering;

use bevy_ecs::prelude::*;
use codepulse_components::{Lang, ParseErrors, Progress, SourceText, SyntaxTree};

use crate::analysis::{count_errors, parse_source};
use crate::parallel::{self, WorkerThreads};

pub fn parse_files(
    files: Query<(Entity, &Lang, &SourceText), Changed<SourceText>>,
    threads: Option<Res<WorkerThreads>>,
    commands: ParallelCommands,
    progress: Option<Res<Progress>>,
) {
    let mut work: Vec<(Entity, &Lang, &SourceText)> = files.iter().collect();
    // Largest first, so that the threads finish together.
    work.sort_unstable_by_key(|(_, _, text)| std::cmp::Reverse(text.0.len()));
    let threads = threads.map_or(1, |t| t.0);
    parallel::for_each(&work, threads, |&(entity, lang, text)| {
        let tree = parse_source(lang.0, &text.0);
        let errors = count_errors(&tree);
        commands.command_scope(|mut commands| {
            commands
                .entity(entity)
                .insert((SyntaxTree(tree), ParseErrors(errors)));
        });
        if let Some(progress) = &progress {
            progress.parsed.fetch_add(1, Ordering::Relaxed);
        }
    });
}
