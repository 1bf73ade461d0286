//! `seed_churn`: once, at warm-up, reads the commits of the last 90 days (the
//! [`ChurnRequest`]'s window) from the git history of the analysis root and gives every file
//! that has any a [`Churn`] (`crate::churn::commits_per_path`).
//!
//! Runs while [`ChurnRequest`] exists and removes it; it must run after discovery has spawned
//! the file entities (in the same tick: after `discover_files`, whose spawns are applied at the
//! sync point between them). Files no recent commit touched get no component (churn 0). A file
//! that already has a churn (edits seen live before the history was read) keeps it, plus the
//! commits. A history that cannot be read is a warning ([`DiagnosticKind::Churn`]), never a
//! failure: churn then counts only live edits.

use bevy_ecs::prelude::*;
use codepulse_components::{
    AnalysisSettings, Churn, ChurnRequest, Diagnostic, DiagnosticKind, Diagnostics, FilePath,
};

use crate::churn::commits_per_path;

pub fn seed_churn(
    mut commands: Commands,
    request: Option<Res<ChurnRequest>>,
    settings: Res<AnalysisSettings>,
    mut files: Query<(Entity, &FilePath, Option<&mut Churn>)>,
    diagnostics: Option<ResMut<Diagnostics>>,
) {
    let Some(request) = request else {
        return;
    };
    commands.remove_resource::<ChurnRequest>();
    let counts = match commits_per_path(&settings.root, request.since) {
        Ok(counts) => counts,
        Err(error) => {
            if let Some(mut diagnostics) = diagnostics {
                diagnostics.0.push(Diagnostic {
                    kind: DiagnosticKind::Churn,
                    path: String::new(),
                    message: error.to_string(),
                });
            }
            return;
        }
    };
    if counts.is_empty() {
        return;
    }
    for (entity, path, churn) in &mut files {
        let Some(&commits) = counts.get(std::path::Path::new(&*path.relative)) else {
            continue;
        };
        match churn {
            Some(mut churn) => churn.0 = churn.0.saturating_add(commits),
            None => {
                commands.entity(entity).insert(Churn(commits));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::churn::tests::fixture;

    fn world(root: &std::path::Path, files: &[&str]) -> (World, Vec<Entity>) {
        let mut world = World::new();
        world.insert_resource(AnalysisSettings::new(root.to_path_buf()));
        world.insert_resource(ChurnRequest::default());
        world.init_resource::<Diagnostics>();
        let entities = files
            .iter()
            .map(|rel| {
                world
                    .spawn(FilePath {
                        absolute: root.join(rel),
                        relative: (*rel).into(),
                    })
                    .id()
            })
            .collect();
        (world, entities)
    }

    fn churn(world: &World, entity: Entity) -> Option<u32> {
        world.get::<Churn>(entity).map(|c| c.0)
    }

    #[test]
    fn seeds_churn_once_from_the_history() {
        let repo = fixture();
        let (mut world, files) = world(
            repo.path(),
            &["src/a.rs", "src/deep/c.rs", "old.rs", "new.rs"],
        );
        // Edits seen live before the history was read are kept.
        world.entity_mut(files[1]).insert(Churn(5));
        let mut schedule = Schedule::default();
        schedule.add_systems(seed_churn);
        schedule.run(&mut world);

        assert_eq!(churn(&world, files[0]), Some(2));
        assert_eq!(churn(&world, files[1]), Some(7));
        assert_eq!(churn(&world, files[2]), None, "touched only long ago");
        assert_eq!(churn(&world, files[3]), None, "never committed");
        assert!(world.get_resource::<ChurnRequest>().is_none());
        assert!(world.resource::<Diagnostics>().0.is_empty());

        // Without the request it does nothing (no second read, no double counting).
        schedule.run(&mut world);
        assert_eq!(churn(&world, files[0]), Some(2));
        assert_eq!(churn(&world, files[1]), Some(7));
    }

    #[test]
    fn a_tree_outside_git_gets_no_churn_and_no_warning() {
        let plain = tempfile::tempdir().unwrap();
        let (mut world, files) = world(plain.path(), &["a.rs"]);
        let mut schedule = Schedule::default();
        schedule.add_systems(seed_churn);
        schedule.run(&mut world);
        assert_eq!(churn(&world, files[0]), None);
        assert!(world.get_resource::<ChurnRequest>().is_none());
        assert!(world.resource::<Diagnostics>().0.is_empty());
    }

    #[test]
    fn an_unreadable_root_is_a_warning() {
        let (mut world, _) = world(std::path::Path::new("/no/such/codepulse/root"), &["a.rs"]);
        let mut schedule = Schedule::default();
        schedule.add_systems(seed_churn);
        schedule.run(&mut world);
        let diagnostics = &world.resource::<Diagnostics>().0;
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].kind, DiagnosticKind::Churn);
        assert!(world.get_resource::<ChurnRequest>().is_none());
    }
}
