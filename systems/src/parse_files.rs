//! `parse_files`: parses every file whose text changed into a tree-sitter [`SyntaxTree`], in
//! parallel, one parser per thread and language; a file that still has its tree (edited by
//! `apply_edits`) is reparsed incrementally from it. Parsing never fails: a file with syntax errors
//! gets a tree with ERROR nodes, and their count in [`ParseErrors`].
//!
//! After an incremental reparse (with syntax errors or without), the ranges where the syntax changed
//! (`Tree::changed_ranges` of the edited tree and the new one) join the edited regions in the
//! file's [`TextChanges`]; after any other parse the file has no [`TextChanges`], and
//! `measure_functions` measures every function. An incrementally reparsed file is marked
//! [`IncrementalTree`] until it is parsed from scratch (`settle_trees`).

use std::sync::atomic::Ordering;

use bevy_ecs::prelude::*;
use codepulse_components::{
    IncrementalTree, Lang, ParseErrors, Progress, SourceText, SyntaxTree, TextChanges, TreeEdited,
};

use crate::ZoneFile;
use crate::analysis::{count_errors, reparse_source};
use crate::parallel::{self, WorkerThreads};

type Files = (
    Entity,
    &'static Lang,
    &'static SourceText,
    Option<(&'static SyntaxTree, &'static TreeEdited)>,
    Option<&'static TextChanges>,
    ZoneFile<'static>,
);

pub fn parse_files(
    files: Query<Files, Changed<SourceText>>,
    threads: Option<Res<WorkerThreads>>,
    commands: ParallelCommands,
    progress: Option<Res<Progress>>,
) {
    let mut work: Vec<_> = files.iter().collect();
    // Largest first, so that the threads finish together.
    work.sort_unstable_by_key(|(_, _, text, ..)| std::cmp::Reverse(text.0.len()));
    let threads = threads.map_or(1, |t| t.0);
    parallel::for_each(&work, threads, |&(entity, lang, text, old, changes, f)| {
        file_zone!("parse_file", f);
        // A file whose tree followed its edits reparses incrementally from it.
        let old = old.map(|(t, _)| &t.0);
        let tree = reparse_source(lang.0, &text.0, old);
        let errors = count_errors(&tree);
        // After an incremental reparse (errors or not), only what changed is measured again.
        let incremental = old.is_some();
        let changes = match (old, changes) {
            (Some(old), Some(changes)) => Some(TextChanges {
                edited: changes.edited.clone(),
                syntax: old
                    .changed_ranges(&tree)
                    .map(|r| r.start_byte..r.end_byte)
                    .collect(),
            }),
            _ => None,
        };
        commands.command_scope(|mut commands| {
            let mut file = commands.entity(entity);
            file.remove::<TreeEdited>()
                .insert((SyntaxTree(tree), ParseErrors(errors)));
            match changes {
                Some(changes) => file.insert(changes),
                None => file.remove::<TextChanges>(),
            };
            if incremental {
                file.insert(IncrementalTree);
            } else {
                file.remove::<IncrementalTree>();
            }
        });
        if let Some(progress) = &progress {
            progress.parsed.fetch_add(1, Ordering::Relaxed);
            if errors > 0 {
                progress.parse_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
}
