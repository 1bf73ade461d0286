//! `parse_files`: parses every file whose text changed into a tree-sitter [`SyntaxTree`], in
//! parallel, one parser per thread and language. Parsing never fails: a file with syntax errors
//! gets a tree with ERROR nodes, and their count in [`ParseErrors`].

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use bevy_ecs::prelude::*;
use codepulse_components::{Lang, Language, ParseErrors, Progress, SourceText, SyntaxTree};
use tree_sitter::{Parser, Tree};

use crate::analysis::count_errors;
use crate::lang::parser_for;

thread_local! {
    static PARSERS: RefCell<Vec<(Language, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parses `source` as `language` with this thread's parser for it.
pub fn parse_source(language: Language, source: &str) -> Tree {
    PARSERS.with_borrow_mut(|parsers| {
        let index = match parsers.iter().position(|(l, _)| *l == language) {
            Some(i) => i,
            None => {
                parsers.push((language, parser_for(language)));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[index].1;
        // `parse` returns None only without a language, or after a timeout/cancellation,
        // neither of which is set; reset and retry once to be safe against a poisoned state.
        parser.parse(source, None).unwrap_or_else(|| {
            parser.reset();
            parser
                .parse(source, None)
                .expect("a parser with a language and no timeout returns a tree")
        })
    })
}

pub fn parse_files(
    files: Query<(Entity, &Lang, &SourceText), Changed<SourceText>>,
    commands: ParallelCommands,
    progress: Option<Res<Progress>>,
) {
    files.par_iter().for_each(|(entity, lang, text)| {
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
