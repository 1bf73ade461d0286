//! `restore_files`: hashes every new text into the file's [`ContentHash`] and, during the
//! warm-up of a warm restart (the [`WarmStart`] resource holds a decoded snapshot,
//! docs/snapshot.md), restores instead of parsing each file whose stored record matches.
//!
//! It runs between `load_sources` and `parse_files`, and sees every text `parse_files` would
//! parse (`Changed<SourceText>`: read from disk, opened, edited, or settled). A text that
//! `parse_files` will reparse incrementally (the file's tree followed its edits: a keystroke)
//! is not hashed: that file is marked [`IncrementalTree`] until it is settled, is not written
//! to a snapshot meanwhile, and its settling (a parse from scratch) comes through here again;
//! so keystrokes never pay for hashing, and a file without [`IncrementalTree`] always has the
//! hash of the text its rows describe.
//!
//! [`IncrementalTree`]: codepulse_components::IncrementalTree A record matches
//! a file when it has the file's relative path, language and text hash; then the file gets the
//! record's [`FileTotals`], [`ParseErrors`] and [`Symbols`], its function rows are spawned as
//! `measure_functions` spawns measured ones, and its [`SourceText`] is removed, so nothing
//! parses, measures or extracts it this tick. Everything downstream (the graph, the TDG, the
//! gate) sees what a cold pass would have computed, and runs as in one. A file whose record
//! does not match (changed since the snapshot, or absent from it) is parsed as usual; a record
//! is used at most once.

use std::sync::Mutex;

use bevy_ecs::prelude::*;
use codepulse_components::{
    ContentHash, FilePath, FileTdg, FunctionKey, Lang, SourceText, StoredFile, Symbols, SyntaxTree,
    TreeEdited, WarmStart,
};

use crate::analysis::Metrics;
use crate::measure_functions::function_row;
use crate::parallel::{self, WorkerThreads};

type Fresh = (
    Entity,
    &'static FilePath,
    &'static Lang,
    &'static SourceText,
    Option<&'static mut ContentHash>,
);

/// A text `parse_files` reparses incrementally: the file has a tree that followed its edits.
type Incremental = (With<SyntaxTree>, With<TreeEdited>);

/// The system (see the module documentation).
pub fn restore_files(
    mut commands: Commands,
    mut files: Query<Fresh, Changed<SourceText>>,
    incremental: Query<(), Incremental>,
    mut warm: Option<ResMut<WarmStart>>,
    threads: Option<Res<WorkerThreads>>,
) {
    let mut work: Vec<(Entity, &str)> = files
        .iter()
        .filter(|(e, ..)| !incremental.contains(*e))
        .map(|(e, _, _, t, _)| (e, &*t.0))
        .collect();
    if work.is_empty() {
        return;
    }
    // Largest first, so that the threads finish together.
    work.sort_unstable_by_key(|(_, text)| std::cmp::Reverse(text.len()));
    let hashed = Mutex::new(Vec::with_capacity(work.len()));
    parallel::for_each(&work, threads.map_or(1, |t| t.0), |&(entity, text)| {
        let hash = ContentHash::of(text);
        hashed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((entity, hash));
    });
    drop(work);
    let mut hashed = hashed.into_inner().unwrap_or_else(|e| e.into_inner());
    // A fixed order, whatever the threads did: the entities' (discovery's) order.
    hashed.sort_unstable_by_key(|&(entity, _)| entity);
    for (entity, hash) in hashed {
        let Ok((_, path, lang, _, old)) = files.get_mut(entity) else {
            continue;
        };
        let record = warm
            .as_deref_mut()
            .and_then(|warm| warm.files.remove(&path.relative))
            .filter(|r| r.language == lang.0 && r.hash == hash);
        match old {
            Some(mut old) => {
                old.set_if_neq(hash);
            }
            None => {
                commands.entity(entity).insert(hash);
            }
        }
        if let Some(record) = record {
            restore(&mut commands, entity, record);
            if let Some(warm) = warm.as_deref_mut() {
                warm.restored += 1;
            }
        }
    }
}

/// Gives `file` what its record says parsing, measuring and extracting would give it, and
/// takes its text away so that they do not run.
fn restore(commands: &mut Commands, file: Entity, record: StoredFile) {
    let StoredFile {
        totals,
        parse_errors,
        functions,
        symbols,
        ..
    } = record;
    let mut entity = commands.entity(file);
    entity
        .remove::<SourceText>()
        .insert((totals, parse_errors, Symbols(symbols)));
    if functions.is_empty() {
        // A cold pass gives a file without functions its 0.0 when it is parsed (`score_tdg`
        // rescores re-parsed files); a file with functions gets its worst score there anyway.
        entity.insert(FileTdg::default());
    }
    let rows: Vec<_> = functions
        .into_iter()
        .map(|f| {
            let key = FunctionKey {
                qualified: f.name.qualified.clone(),
                ordinal: f.ordinal,
            };
            let metrics = Metrics {
                cyclomatic: f.cyclomatic,
                cognitive: f.cognitive,
                max_nesting: f.max_nesting,
                params: f.params,
            };
            function_row(file, key, f.name, f.span, &metrics)
        })
        .collect();
    commands.spawn_batch(rows);
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use bevy_ecs::schedule::Schedule;
    use codepulse_components::{
        Cyclomatic, FileFunctions, FileSymbols, FileTotals, FunctionName, FunctionSpan, Language,
        ParseErrors, StoredFunction,
    };

    use super::*;

    fn spawn(world: &mut World, rel: &str, text: &str) -> Entity {
        world
            .spawn((
                FilePath {
                    absolute: Path::new("/w").join(rel),
                    relative: rel.into(),
                },
                Lang(Language::Rust),
                SourceText(Arc::from(text)),
            ))
            .id()
    }

    fn record(rel: &str, text: &str) -> StoredFile {
        StoredFile {
            path: rel.into(),
            language: Language::Rust,
            hash: ContentHash::of(text),
            totals: FileTotals {
                functions: 1,
                lines: 1,
                ..FileTotals::default()
            },
            parse_errors: ParseErrors(0),
            functions: vec![StoredFunction {
                name: FunctionName {
                    name: "f".into(),
                    qualified: "f".into(),
                },
                ordinal: 0,
                span: FunctionSpan {
                    start_byte: 0,
                    end_byte: 9,
                    start_line: 1,
                    end_line: 1,
                    depth: 0,
                },
                cyclomatic: 7,
                cognitive: 0,
                max_nesting: 0,
                params: 0,
            }],
            symbols: Arc::new(FileSymbols::default()),
        }
    }

    /// A matching record is restored (text gone, rows spawned, hash set); a record of another
    /// text, or of another language, is not, and the file keeps its text for `parse_files`.
    #[test]
    fn only_records_of_the_same_text_and_language_are_restored() {
        let mut world = World::new();
        let same = spawn(&mut world, "same.rs", "fn f() {}");
        let changed = spawn(&mut world, "changed.rs", "fn f() { }");
        let other_lang = spawn(&mut world, "lang.rs", "fn f() {}");
        let absent = spawn(&mut world, "absent.rs", "fn f() {}");
        let mut foreign = record("lang.rs", "fn f() {}");
        foreign.language = Language::C;
        world.insert_resource(WarmStart::new([
            record("same.rs", "fn f() {}"),
            record("changed.rs", "fn f() {}"),
            foreign,
        ]));
        let mut schedule = Schedule::default();
        schedule.add_systems(restore_files);
        schedule.run(&mut world);

        assert!(world.get::<SourceText>(same).is_none());
        let rows = world
            .get::<FileFunctions>(same)
            .expect("rows")
            .entities()
            .to_vec();
        assert_eq!(rows.len(), 1);
        assert_eq!(world.get::<Cyclomatic>(rows[0]), Some(&Cyclomatic(7)));
        assert_eq!(
            world.get::<FunctionKey>(rows[0]),
            Some(&FunctionKey {
                qualified: "f".into(),
                ordinal: 0
            })
        );
        for parsed in [changed, other_lang, absent] {
            assert!(world.get::<SourceText>(parsed).is_some());
            assert!(world.get::<FileFunctions>(parsed).is_none());
        }
        for (file, text) in [
            (same, "fn f() {}"),
            (changed, "fn f() { }"),
            (other_lang, "fn f() {}"),
            (absent, "fn f() {}"),
        ] {
            assert_eq!(world.get::<ContentHash>(file), Some(&ContentHash::of(text)));
        }
        let warm = world.resource::<WarmStart>();
        assert_eq!(warm.restored, 1);
        assert!(warm.files.is_empty(), "every record is used at most once");

        // Without a warm start, a new text only updates the hash.
        world.remove_resource::<WarmStart>();
        world
            .entity_mut(changed)
            .insert(SourceText(Arc::from("fn g() {}")));
        schedule.run(&mut world);
        assert_eq!(
            world.get::<ContentHash>(changed),
            Some(&ContentHash::of("fn g() {}"))
        );
        // A keystroke (the tree followed the edit: an incremental reparse, settled later) is not
        // hashed; the file is `IncrementalTree` until then, and never stored meanwhile.
        let tree = crate::analysis::parse_source(Language::Rust, "fn g() {}");
        world.entity_mut(changed).insert((
            SourceText(Arc::from("fn g() { }")),
            SyntaxTree(tree),
            TreeEdited,
        ));
        schedule.run(&mut world);
        assert_eq!(
            world.get::<ContentHash>(changed),
            Some(&ContentHash::of("fn g() {}"))
        );
    }
}
