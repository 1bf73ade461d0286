//! `remove_files`: the first system of a tick. A file deleted on disk (marked
//! [`PendingRemoval`] by the engine) gets a `Cleared` payload, so a client drops whatever it
//! shows for it, and is despawned; its function entities go with it (the [`FileFunctions`]
//! relationship despawns them).
//!
//! The `Cleared` payload is emitted whatever the gate said before, even for a file never
//! emitted in this run: a client may still hold diagnostics from an earlier run of the engine.
//!
//! [`FileFunctions`]: codepulse_components::FileFunctions

use bevy_ecs::prelude::*;
use codepulse_components::{
    DefectPayload, FileGate, FilePath, Lang, Outbox, PayloadKind, PendingRemoval, Severity,
    language_index, path_hash,
};

pub fn remove_files(
    mut commands: Commands,
    files: Query<(Entity, &FilePath, &Lang, Option<&FileGate>), With<PendingRemoval>>,
    mut outbox: ResMut<Outbox>,
) {
    let mut removed: Vec<_> = files.iter().collect();
    // In path order, so the outbox does not depend on the order of the table.
    removed.sort_unstable_by(|a, b| a.1.relative.cmp(&b.1.relative));
    for (file, path, lang, gate) in removed {
        let gate = gate.copied().unwrap_or_default();
        let hash = path_hash(&path.absolute);
        if !gate.path_registered {
            outbox.paths.push((hash, path.absolute.clone()));
        }
        outbox.payloads.push(DefectPayload {
            file_hash: hash,
            seq: gate.seq.wrapping_add(1),
            severity: Severity::Ok as u8,
            kind: PayloadKind::Cleared as u8,
            language: u8::try_from(language_index(lang.0)).unwrap_or(u8::MAX),
            version: 0,
            ..DefectPayload::default()
        });
        commands.entity(file).despawn();
    }
}
