//! `parse_files`: parses every file whose text changed into a tree-sitter [`SyntaxTree`], in
//! parallel, one parser per thread and language. Parsing never fails: a file with syntax errors
//! gets a tree with ERROR nodes, and their count in [`ParseErrors`].

use std::sync::atomic::Ordering;

use bevy_ecs::batching::BatchingStrategy;
use bevy_ecs::prelude::*;
use codepulse_components::{Lang, ParseErrors, Progress, SourceText, SyntaxTree};

use crate::analysis::{count_errors, parse_source};

pub fn parse_files(
    files: Query<(Entity, &Lang, &SourceText), Changed<SourceText>>,
    commands: ParallelCommands,
    progress: Option<Res<Progress>>,
) {
    files
        .par_iter()
        .batching_strategy(BatchingStrategy::new().batches_per_thread(32))
        .for_each(|(entity, lang, text)| {
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
