//! `apply_edits`: applies each file's [`PendingEdits`] to its text and, edit by edit, to its
//! syntax tree (`Tree::edit` with exact byte and point positions), so that `parse_files`
//! reparses incrementally from the edited tree. All edits of a file in one tick make one new
//! text and one reparse.
//!
//! The edited regions are also recorded in the file's [`TextChanges`], so that
//! `measure_functions` re-measures only the functions they (or the syntax changes they cause)
//! touch.
//!
//! An edit that does not fit the text (a range past its end, reversed, or not on a character
//! boundary) is rejected with a diagnostic and the file's text and tree stay as they were: the
//! edits of that batch are applied all or not at all. A file without its text in memory (evicted)
//! keeps its edits until it is loaded again.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Diagnostic, DiagnosticKind, Diagnostics, FilePath, PendingEdits, SourceText, SyntaxTree,
    TextChanges, TextEdit, TreeEdited,
};
use tree_sitter::{InputEdit, Point};

/// A file with edits waiting: its text, its tree if it has one, and what changed before.
type Edited = (
    Entity,
    &'static FilePath,
    &'static mut SourceText,
    Option<&'static mut SyntaxTree>,
    Option<&'static TextChanges>,
    &'static PendingEdits,
);

pub fn apply_edits(
    mut commands: Commands,
    mut files: Query<Edited>,
    mut diagnostics: ResMut<Diagnostics>,
) {
    for (file, path, mut text, tree, changes, edits) in &mut files {
        commands.entity(file).remove::<PendingEdits>();
        match apply_text_edits(&text.0, &edits.0) {
            Ok((new_text, input_edits)) => {
                if let Some(mut tree) = tree {
                    let mut changes = changes.cloned().unwrap_or_default();
                    for edit in &input_edits {
                        tree.0.edit(edit);
                        changes.record_edit(edit.start_byte, edit.old_end_byte, edit.new_end_byte);
                    }
                    commands.entity(file).insert((TreeEdited, changes));
                }
                text.0 = Arc::from(new_text);
            }
            Err(message) => diagnostics.0.push(Diagnostic {
                kind: DiagnosticKind::RejectedEdit,
                path: path.relative.to_string(),
                message,
            }),
        }
    }
}

/// Applies `edits` in order to `text`: the new text and the tree-sitter edit of each step, or
/// why an edit does not fit (then nothing is applied).
pub fn apply_text_edits(
    text: &str,
    edits: &[TextEdit],
) -> Result<(String, Vec<InputEdit>), String> {
    let mut current = text.to_string();
    let mut input_edits = Vec::with_capacity(edits.len());
    for (i, edit) in edits.iter().enumerate() {
        let (start, end) = (edit.start, edit.end);
        if start > end || end > current.len() {
            return Err(format!(
                "edit {i}: range {start}..{end} is outside the text (0..{})",
                current.len()
            ));
        }
        if !current.is_char_boundary(start) || !current.is_char_boundary(end) {
            return Err(format!(
                "edit {i}: range {start}..{end} splits a UTF-8 character"
            ));
        }
        // One scan of the prefix; the two end points follow from the start point and the
        // replaced and inserted texts alone.
        let start_position = point_at(&current, start);
        let old_end_position = advance(start_position, &current.as_bytes()[start..end]);
        let new_end_position = advance(start_position, edit.text.as_bytes());
        current.replace_range(start..end, &edit.text);
        let new_end = start + edit.text.len();
        input_edits.push(InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position,
        });
    }
    Ok((current, input_edits))
}

/// The point reached from `from` after `text`.
fn advance(from: Point, text: &[u8]) -> Point {
    match text.iter().rposition(|&b| b == b'\n') {
        None => Point {
            row: from.row,
            column: from.column + text.len(),
        },
        Some(last) => Point {
            row: from.row + text.iter().filter(|&&b| b == b'\n').count(),
            column: text.len() - last - 1,
        },
    }
}

/// The tree-sitter point (row, byte column) of a byte offset.
fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = before
        .iter()
        .rev()
        .position(|&b| b == b'\n')
        .unwrap_or(before.len());
    Point { row, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> TextEdit {
        TextEdit {
            start,
            end,
            text: text.to_string(),
        }
    }

    #[test]
    fn edits_apply_in_order_with_exact_points() {
        let (text, input) =
            apply_text_edits("ab\ncd\n", &[edit(1, 4, "X\nY"), edit(0, 0, "!")]).expect("fits");
        assert_eq!(text, "!aX\nYd\n");
        assert_eq!(
            (input[0].start_position, input[0].old_end_position),
            (Point::new(0, 1), Point::new(1, 1))
        );
        assert_eq!(input[0].new_end_position, Point::new(1, 1));
        assert_eq!(
            (
                input[0].start_byte,
                input[0].old_end_byte,
                input[0].new_end_byte
            ),
            (1, 4, 4)
        );
        assert_eq!(input[1].new_end_position, Point::new(0, 1));
    }

    #[test]
    fn edits_that_do_not_fit_are_rejected_whole() {
        assert!(
            apply_text_edits("abc", &[edit(0, 1, "x"), edit(2, 9, "")])
                .expect_err("too far")
                .contains("outside")
        );
        assert!(apply_text_edits("abc", &[edit(2, 1, "")]).is_err());
        assert!(
            apply_text_edits("é", &[edit(1, 1, "x")])
                .expect_err("splits")
                .contains("UTF-8")
        );
    }
}
