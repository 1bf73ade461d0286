//! `settle_trees`: when a [`SettleRequest`] exists (the live engine inserts one when it goes
//! idle after edits), every file whose tree came from an incremental reparse
//! ([`IncrementalTree`]) is parsed from scratch in this tick, so the world equals a cold analysis
//! of the current texts again even where tree-sitter's incremental reparse gave a different tree
//! (docs in [`IncrementalTree`]). Metric columns are written only where a value differs, so a
//! file whose incremental tree was right changes nothing downstream.

use bevy_ecs::prelude::*;
use codepulse_components::{IncrementalTree, SettleRequest, SourceText, TextChanges, TreeEdited};

pub fn settle_trees(
    mut commands: Commands,
    mut files: Query<(Entity, &mut SourceText), With<IncrementalTree>>,
) {
    commands.remove_resource::<SettleRequest>();
    for (file, mut text) in &mut files {
        // Without `TreeEdited` the reparse is from scratch; without `TextChanges` every
        // function is measured.
        commands
            .entity(file)
            .remove::<(IncrementalTree, TreeEdited, TextChanges)>();
        text.set_changed();
    }
}
