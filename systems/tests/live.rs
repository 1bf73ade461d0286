//! What the live engine relies on beyond a cold pass: the source cache's LRU residency
//! (`evict_sources` with a `SourceCache`) and the removal of deleted files (`remove_files`).

use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Config, Cyclomatic, FileFunctions, FileGate, FilePath, FunctionOf, Lang, Language,
    OpenDocument, Outbox, PayloadKind, PendingRemoval, Recency, Severity, SourceCache, SourceText,
    SyntaxTree, TreeEdited, language_index, path_hash,
};
use codepulse_systems::{
    aggregate_files, evict_sources, gate_files, measure_functions, parse_files, remove_files,
    resident_bytes,
};

fn schedule() -> Schedule {
    bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
    let mut schedule = Schedule::default();
    schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
    schedule.add_systems(
        (
            remove_files,
            parse_files,
            measure_functions,
            aggregate_files,
            gate_files,
            evict_sources,
        )
            .chain(),
    );
    schedule
}

fn world() -> World {
    let mut world = World::new();
    world.insert_resource(Config::default());
    world.insert_resource(Outbox::default());
    world
}

/// A Rust file of `functions` small functions.
fn text(functions: usize) -> String {
    (0..functions)
        .map(|i| format!("fn f{i}(x: bool) {{ if x {{}} }}\n"))
        .collect()
}

/// A file of the cache scenario: name, its `Recency` (none: loaded cold), open in an editor,
/// number of functions.
struct CachedFile {
    name: &'static str,
    recency: Option<u64>,
    open: bool,
    functions: usize,
}

const fn file(name: &'static str, recency: Option<u64>, open: bool, n: usize) -> CachedFile {
    CachedFile {
        name,
        recency,
        open,
        functions: n,
    }
}

fn bytes_of(files: &[CachedFile], names: &[&str]) -> u64 {
    files
        .iter()
        .filter(|f| names.contains(&f.name))
        .map(|f| resident_bytes(Language::Rust, text(f.functions).len()))
        .sum()
}

fn spawn(world: &mut World, f: &CachedFile) -> Entity {
    let mut e = world.spawn((
        FilePath {
            absolute: format!("/w/{}", f.name).into(),
            relative: f.name.into(),
        },
        Lang(Language::Rust),
        SourceText(Arc::from(text(f.functions))),
    ));
    if let Some(r) = f.recency {
        e.insert(Recency(r));
    }
    if f.open {
        e.insert(OpenDocument { version: 7 });
    }
    e.id()
}

/// Files resident after a tick, sorted.
fn resident(world: &mut World) -> Vec<String> {
    let mut q = world.query_filtered::<&FilePath, (With<SourceText>, With<SyntaxTree>)>();
    let mut names: Vec<String> = q.iter(world).map(|p| p.relative.to_string()).collect();
    names.sort();
    names
}

#[test]
fn the_source_cache_keeps_recent_files_within_its_budget_and_open_ones_always() {
    // (what, files, budget in resident files' bytes (besides `extra`), resident after the tick)
    type Case = (
        &'static str,
        &'static [CachedFile],
        &'static [&'static str],
        &'static [&'static str],
    );
    const THREE: &[CachedFile] = &[
        file("a.rs", Some(1), false, 4),
        file("b.rs", Some(2), false, 4),
        file("c.rs", Some(3), false, 4),
        file("open.rs", Some(1), true, 6),
        file("cold.rs", None, false, 1),
    ];
    const BIG_NEWEST: &[CachedFile] = &[
        file("a.rs", Some(1), false, 1),
        file("b.rs", Some(2), false, 1),
        file("c.rs", Some(3), false, 9),
        file("open.rs", None, true, 1),
    ];
    let cases: &[Case] = &[
        (
            "the budget fits two of three: the oldest goes",
            THREE,
            &["open.rs", "b.rs", "c.rs"],
            &["b.rs", "c.rs", "open.rs"],
        ),
        (
            "everything fits, but a file no live input touched is evicted",
            THREE,
            &["open.rs", "a.rs", "b.rs", "c.rs", "cold.rs"],
            &["a.rs", "b.rs", "c.rs", "open.rs"],
        ),
        (
            "over budget with the open file alone: it stays, nothing else",
            THREE,
            &["a.rs"],
            &["open.rs"],
        ),
        (
            "least recently used first: the newest does not fit, so nothing older stays",
            BIG_NEWEST,
            &["open.rs", "a.rs", "b.rs"],
            &["open.rs"],
        ),
    ];
    for &(what, files, budget, want) in cases {
        let mut world = world();
        let budget = bytes_of(files, budget);
        world.insert_resource(SourceCache {
            clock: 3,
            ..SourceCache::with_budget(budget)
        });
        let entities: Vec<Entity> = files.iter().map(|f| spawn(&mut world, f)).collect();
        schedule().run(&mut world);
        assert_eq!(resident(&mut world), want, "{what}");

        let pinned: Vec<&str> = files.iter().filter(|f| f.open).map(|f| f.name).collect();
        assert_eq!(
            *world.resource::<SourceCache>(),
            SourceCache {
                budget_bytes: budget,
                clock: 3,
                resident_files: want.len() as u32,
                resident_bytes: bytes_of(files, want),
                pinned_files: pinned.len() as u32,
                pinned_bytes: bytes_of(files, &pinned),
            },
            "{what}: gauges"
        );
        for (f, &e) in files.iter().zip(&entities) {
            let kept = want.contains(&f.name);
            let entity = world.entity(e);
            assert_eq!(entity.contains::<SourceText>(), kept, "{what}: {}", f.name);
            // An evicted file forgets when it was edited; a kept one remembers.
            let recency = entity.get::<Recency>().map(|r| r.0);
            assert_eq!(recency, f.recency.filter(|_| kept || f.open), "{what}");
            assert!(!entity.contains::<TreeEdited>());
            // Metric rows stay whatever happens to the text.
            let functions = entity.get::<FileFunctions>().map(|f| f.entities().len());
            assert_eq!(functions, Some(f.functions), "{what}: {}", f.name);
        }
    }
}

#[test]
fn an_older_file_is_evicted_when_a_newer_edit_needs_its_room() {
    let files = [
        file("a.rs", Some(1), false, 3),
        file("b.rs", Some(2), false, 3),
    ];
    let mut world = world();
    world.insert_resource(SourceCache::with_budget(bytes_of(
        &files,
        &["a.rs", "b.rs"],
    )));
    let entities: Vec<Entity> = files.iter().map(|f| spawn(&mut world, f)).collect();
    let mut schedule = schedule();
    schedule.run(&mut world);
    assert_eq!(resident(&mut world), ["a.rs", "b.rs"]);

    // The engine brings c.rs in as the most recent edit: a.rs, the least recent, makes room.
    let c = spawn(&mut world, &file("c.rs", Some(3), false, 3));
    schedule.run(&mut world);
    assert_eq!(resident(&mut world), ["b.rs", "c.rs"]);
    assert!(world.get::<Recency>(entities[0]).is_none());
    // Editing b.rs again makes c.rs the least recent.
    let b = entities[1];
    world.entity_mut(b).insert(Recency(4));
    world.get_mut::<SourceText>(b).expect("resident").0 = Arc::from(text(3).replace('x', "y"));
    schedule.run(&mut world);
    assert_eq!(resident(&mut world), ["b.rs", "c.rs"]);
    let d = spawn(&mut world, &file("d.rs", Some(5), false, 3));
    schedule.run(&mut world);
    assert_eq!(resident(&mut world), ["b.rs", "d.rs"]);
    assert!(world.get::<Recency>(c).is_none());
    assert_eq!(world.get::<Recency>(d), Some(&Recency(5)));
    assert_eq!(world.resource::<SourceCache>().resident_files, 2);
}

#[test]
fn without_a_source_cache_every_file_is_evicted() {
    let mut world = world();
    let files = [
        file("a.rs", Some(1), false, 2),
        file("open.rs", Some(2), true, 2),
        file("cold.rs", None, false, 2),
    ];
    let entities: Vec<Entity> = files.iter().map(|f| spawn(&mut world, f)).collect();
    schedule().run(&mut world);
    assert_eq!(resident(&mut world), Vec::<String>::new());
    for e in entities {
        assert!(!world.entity(e).contains::<SourceText>());
        assert_eq!(
            world.get::<FileFunctions>(e).map(|f| f.entities().len()),
            Some(2)
        );
    }
}

/// A payload as (file hash, kind, severity, seq, language, version, warnings + errors).
type Said = (u64, PayloadKind, Severity, u32, u8, u32, u16);

/// The payloads in the outbox, and how many paths came with them.
fn drain(world: &mut World) -> (Vec<Said>, usize) {
    let mut outbox = world.resource_mut::<Outbox>();
    let payloads = std::mem::take(&mut outbox.payloads)
        .into_iter()
        .map(|p| {
            (
                p.file_hash,
                PayloadKind::from_u8(p.kind).expect("kind"),
                Severity::from_u8(p.severity).expect("severity"),
                p.seq,
                p.language,
                p.version,
                p.warnings + p.errors,
            )
        })
        .collect();
    (payloads, std::mem::take(&mut outbox.paths).len())
}

#[test]
fn a_deleted_file_is_cleared_and_despawned_with_its_functions() {
    let mut world = world();
    // `bad` fails a threshold (one Defect payload, path registered), `fine` never emitted.
    let bad_text = format!(
        "fn big(x: i32) {{\n{}}}\nfn small() {{}}\n",
        "    if x > 0 {}\n".repeat(25)
    );
    let bad = world
        .spawn((
            FilePath {
                absolute: "/w/bad.rs".into(),
                relative: "bad.rs".into(),
            },
            Lang(Language::Rust),
            SourceText(Arc::from(bad_text)),
            OpenDocument { version: 9 },
        ))
        .id();
    let fine = world
        .spawn((
            FilePath {
                absolute: "/w/fine.py".into(),
                relative: "fine.py".into(),
            },
            Lang(Language::Python),
            SourceText(Arc::from("def f():\n    pass\n")),
        ))
        .id();
    let mut schedule = schedule();
    schedule.run(&mut world);
    let (payloads, paths) = drain(&mut world);
    let bad_hash = path_hash("/w/bad.rs".as_ref());
    let rust = language_index(Language::Rust) as u8;
    assert_eq!(
        payloads,
        [(
            bad_hash,
            PayloadKind::Defect,
            Severity::Error,
            1,
            rust,
            9,
            1
        )]
    );
    assert_eq!(paths, 1);
    let functions_before = world.query::<&FunctionOf>().iter(&world).count();
    assert_eq!(functions_before, 3);

    world.entity_mut(bad).insert(PendingRemoval);
    world.entity_mut(fine).insert(PendingRemoval);
    schedule.run(&mut world);
    let (payloads, paths) = drain(&mut world);
    let python = language_index(Language::Python) as u8;
    assert_eq!(
        payloads,
        [
            // seq follows the file's last payload; version 0: the document is gone.
            (bad_hash, PayloadKind::Cleared, Severity::Ok, 2, rust, 0, 0),
            // Never emitted: still cleared (a client may remember an earlier run), and its path
            // registered first.
            (
                path_hash("/w/fine.py".as_ref()),
                PayloadKind::Cleared,
                Severity::Ok,
                1,
                python,
                0,
                0
            ),
        ]
    );
    assert_eq!(paths, 1, "only the never-registered path");
    assert!(world.get_entity(bad).is_err() && world.get_entity(fine).is_err());
    let left = world
        .query::<(&FunctionOf, &Cyclomatic, &Cognitive)>()
        .iter(&world)
        .count();
    assert_eq!(left, 0, "functions are despawned with their file");
    assert_eq!(world.query::<&FileGate>().iter(&world).count(), 0);

    // Nothing left to say on the next tick.
    schedule.run(&mut world);
    assert_eq!(drain(&mut world), (vec![], 0));
}
