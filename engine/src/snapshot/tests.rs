//! The snapshot: its format (round trip; every flipped bit and every truncation rejected;
//! foreign snapshots told apart; no panic on anything with a valid checksum), its writing, and
//! the warm start it gives: a world restored from it equals a cold one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use bevy_ecs::prelude::*;
use codepulse_components::{
    AnalysisSettings, Cognitive, Config, ContentHash, Cyclomatic, DeadSymbolRatio, DeadSymbols,
    DefectPayload, FileFlags, FileFunctions, FileGate, FilePath, FileSymbolEntities, FileTdg,
    FileTotals, FunctionKey, FunctionName, FunctionSeverity, FunctionSpan, Language, LastPayload,
    Limits, Loc, MaxNesting, Outbox, Params, ParseErrors, Progress, Skipped, SourceCache,
    StoredFile, SymbolKind, SymbolName, SymbolSpan, Symbols, Tdg, WarmStart,
};
use codepulse_systems::GraphState;
use proptest::prelude::*;

use super::format::{self, FORMAT_VERSION, Header, MAGIC, Rejected};
use super::{Snapshots, collect, write_atomic};
use crate::world;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../systems/tests/fixtures")
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A tree of every language: the graph fixture projects (cross-file references, dead symbols)
/// and the metric fixtures (nested and same-named functions, syntax errors), plus a file that is
/// not UTF-8, an empty one and a binary one (skipped).
fn fixture_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("graph")).unwrap();
    copy_tree(&fixtures().join("graph"), &root.join("graph"));
    std::fs::create_dir_all(root.join("metrics")).unwrap();
    copy_tree(&fixtures().join("metrics"), &root.join("metrics"));
    std::fs::write(root.join("lossy.py"), b"# \xff\ndef f(x):\n    return x\n").unwrap();
    std::fs::write(root.join("empty.rs"), b"").unwrap();
    std::fs::write(root.join("binary.c"), b"int f\0() {}").unwrap();
    std::fs::write(root.join("broken.rs"), "fn f( {\n  if x { 1 \n").unwrap();
    dir
}

fn settings(root: &Path) -> AnalysisSettings {
    AnalysisSettings::new(std::fs::canonicalize(root).unwrap())
}

/// Thresholds low enough that most functions are at warning or error: many payloads to compare.
fn config() -> Config {
    let mut config = Config::default();
    config.thresholds.cyclomatic = Limits { warn: 1, error: 3 };
    config.thresholds.cognitive = Limits { warn: 1, error: 4 };
    config
}

/// The warm-up of `codepulse watch` on `root`, from `warm` if given: the world, and how many
/// files were parsed and restored.
fn warm_up(root: &Path, warm: Option<WarmStart>) -> (World, u64, u64) {
    world::init_task_pool(2);
    let progress = Progress::default();
    let mut world = world::build_world(settings(root), config(), progress.clone(), 2);
    world.insert_resource(SourceCache::with_budget(64 << 20));
    if let Some(warm) = warm {
        world.insert_resource(warm);
    }
    let mut schedule = world::analysis_schedule();
    world::run_until_settled(&mut world, &mut schedule);
    let restored = world
        .remove_resource::<WarmStart>()
        .map_or(0, |w| w.restored);
    let parsed = progress.parsed.load(Ordering::Relaxed);
    (world, parsed, restored)
}

fn header(root: &Path) -> Header {
    let settings = settings(root);
    Header::current(&settings.root, super::settings_hash(&settings))
}

/// The snapshot of `world` as the engine writes it, read back.
fn through_a_file(world: &mut World, root: &Path) -> WarmStart {
    let bytes = format::encode(&header(root), &collect(world));
    WarmStart::new(format::decode(&bytes, &header(root)).expect("a fresh snapshot is valid"))
}

#[derive(Debug, PartialEq)]
struct Function {
    key: FunctionKey,
    name: FunctionName,
    span: FunctionSpan,
    metrics: [u32; 5],
    tdg: Option<Tdg>,
    severity: Option<FunctionSeverity>,
}

#[derive(Debug, PartialEq)]
struct File {
    skipped: bool,
    hash: Option<ContentHash>,
    flags: Option<FileFlags>,
    totals: Option<FileTotals>,
    errors: Option<ParseErrors>,
    tdg: Option<FileTdg>,
    gate: Option<FileGate>,
    dead: Option<DeadSymbols>,
    ratio: Option<DeadSymbolRatio>,
    last: Option<LastPayload>,
    symbols: Option<String>,
    /// In the file's entity order.
    functions: Vec<Function>,
    /// (qualified name, kind, span, dead), in the file's entity order.
    symbol_entities: Vec<(String, SymbolKind, SymbolSpan, bool)>,
}

/// Everything a client or a report can see of a world, entities aside.
#[derive(Debug, PartialEq)]
struct State {
    files: BTreeMap<String, File>,
    graph: String,
    indexes: String,
    /// The payloads of the warm-up, in the gate's order.
    payloads: Vec<DefectPayload>,
}

fn state(world: &mut World) -> State {
    let payloads = std::mem::take(&mut world.resource_mut::<Outbox>().payloads);
    let graph = world.resource::<GraphState>().graph();
    let (graph, indexes) = (graph.render(), graph.render_indexes());
    let mut files = world.query::<(
        &FilePath,
        Has<Skipped>,
        Option<&ContentHash>,
        Option<&FileFlags>,
        Option<&FileTotals>,
        Option<&ParseErrors>,
        Option<&FileTdg>,
        Option<&FileGate>,
        Option<&DeadSymbols>,
        Option<&DeadSymbolRatio>,
        Option<&LastPayload>,
        Option<&Symbols>,
        Option<&FileFunctions>,
        Option<&FileSymbolEntities>,
    )>();
    let mut functions = world.query::<(
        &FunctionKey,
        &FunctionName,
        &FunctionSpan,
        (&Cyclomatic, &Cognitive, &MaxNesting, &Loc, &Params),
        Option<&Tdg>,
        Option<&FunctionSeverity>,
    )>();
    let mut symbols = world.query::<(
        &SymbolName,
        &SymbolKind,
        &SymbolSpan,
        Has<codepulse_components::Dead>,
    )>();
    let world = &*world;
    let files = files
        .iter(world)
        .map(
            |(
                path,
                skipped,
                hash,
                flags,
                totals,
                errors,
                tdg,
                gate,
                dead,
                ratio,
                last,
                s,
                fs,
                ss,
            )| {
                let functions = fs
                    .map(FileFunctions::entities)
                    .unwrap_or_default()
                    .iter()
                    .map(|&e| {
                        let (key, name, span, (c, g, n, l, p), tdg, severity) =
                            functions.get(world, e).expect("a function row");
                        Function {
                            key: key.clone(),
                            name: name.clone(),
                            span: *span,
                            metrics: [c.0, g.0, n.0, l.0, p.0],
                            tdg: tdg.copied(),
                            severity: severity.copied(),
                        }
                    })
                    .collect();
                let symbol_entities = ss
                    .map(FileSymbolEntities::entities)
                    .unwrap_or_default()
                    .iter()
                    .map(|&e| {
                        let (name, kind, span, dead) = symbols.get(world, e).expect("a symbol");
                        (name.qualified.to_string(), *kind, *span, dead)
                    })
                    .collect();
                let file = File {
                    skipped,
                    hash: hash.copied(),
                    flags: flags.copied(),
                    totals: totals.copied(),
                    errors: errors.copied(),
                    tdg: tdg.copied(),
                    gate: gate.copied(),
                    dead: dead.copied(),
                    ratio: ratio.copied(),
                    last: last.copied(),
                    symbols: s.map(|s| s.0.render()),
                    functions,
                    symbol_entities,
                };
                (path.relative.to_string(), file)
            },
        )
        .collect();
    State {
        files,
        graph,
        indexes,
        payloads,
    }
}

/// `got` equals `want`, or the test fails naming the first difference (not the whole state).
fn assert_same(got: &State, want: &State, what: &str) {
    let paths: Vec<&String> = want.files.keys().chain(got.files.keys()).collect();
    for path in paths {
        assert_eq!(
            got.files.get(path),
            want.files.get(path),
            "{what}: `{path}`"
        );
    }
    assert_eq!(got.graph, want.graph, "{what}: the graph's edges");
    assert_eq!(got.indexes, want.indexes, "{what}: the graph's indexes");
    assert_eq!(got.payloads, want.payloads, "{what}: the payloads");
}

/// A world restored from a snapshot equals a cold one: function rows (in order), symbols, the
/// graph, dead columns and markers, gate state and the warm-up's payloads; and nothing was
/// parsed. After changes on disk, exactly the changed and new files are parsed, and the result
/// equals a cold analysis of the changed tree.
#[test]
fn issue_6_snapshot_restored_world_equals_cold_world() {
    let tree = fixture_tree();
    let root = tree.path();
    let (mut cold, parsed, _) = warm_up(root, None);
    let files = collect(&mut cold).len() as u64;
    assert!(
        files > 40,
        "only {files} analysed files in the fixture tree"
    );
    assert_eq!(
        parsed, files,
        "every file parsed once, and stored (the binary one is skipped)"
    );
    let warm = through_a_file(&mut cold, root);
    let cold_state = state(&mut cold);
    assert!(
        !cold_state.payloads.is_empty(),
        "the thresholds make payloads"
    );
    assert!(
        cold_state
            .files
            .values()
            .any(|f| f.dead.is_some_and(|d| d.0 > 0))
    );

    let (mut restored, parsed, restored_files) = warm_up(root, Some(warm));
    assert_eq!((parsed, restored_files), (0, files));
    assert_same(&state(&mut restored), &cold_state, "restored");

    // Changes on disk: one file edited (its symbols and metrics move, and so do the dead
    // symbols of the files it referenced), one removed, one added.
    let warm = through_a_file(&mut restored, root);
    let edited = root.join("graph/python/main.py");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(
        &edited,
        format!("{text}\ndef added(x):\n    if x:\n        return 1\n    return 2\n"),
    )
    .unwrap();
    std::fs::remove_file(root.join("metrics/rust_rules.rs")).unwrap();
    std::fs::write(
        root.join("new.go"),
        "package p\n\nfunc New(a int) int {\n\tif a > 1 {\n\t\treturn a\n\t}\n\treturn 0\n}\n",
    )
    .unwrap();
    let (mut after, parsed, restored_files) = warm_up(root, Some(warm));
    assert_eq!((parsed, restored_files), (2, files - 2));
    let (mut cold_after, ..) = warm_up(root, None);
    assert_same(
        &state(&mut after),
        &state(&mut cold_after),
        "restored after changes",
    );
}

/// Two small files: a snapshot small enough to corrupt exhaustively.
fn small_snapshot() -> (Vec<u8>, Header, Vec<StoredFile>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.rs"),
        "pub fn f(x: i32) -> i32 { if x > 0 { g() } else { 0 } }\nfn g() -> i32 { 1 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.py"),
        "import a\n\nclass C:\n    def m(self):\n        return a.f(1)\n",
    )
    .unwrap();
    let (mut world, ..) = warm_up(dir.path(), None);
    let files = collect(&mut world);
    let header = header(dir.path());
    (format::encode(&header, &files), header, files)
}

#[test]
fn issue_6_snapshot_round_trips() {
    let (bytes, header, files) = small_snapshot();
    assert_eq!(files.len(), 2);
    assert!(
        files
            .iter()
            .all(|f| !f.functions.is_empty() && !f.symbols.definitions.is_empty())
    );
    assert_eq!(format::decode(&bytes, &header), Ok(files));
}

/// Every single flipped bit and every truncation of a snapshot is rejected, never used.
#[test]
fn issue_6_snapshot_every_flipped_bit_and_every_truncation_is_rejected() {
    let (bytes, header, _) = small_snapshot();
    assert!(bytes.len() > 200, "{} bytes", bytes.len());
    for at in 0..bytes.len() {
        for bit in 0..8 {
            let mut corrupt = bytes.clone();
            corrupt[at] ^= 1 << bit;
            assert!(
                format::decode(&corrupt, &header).is_err(),
                "bit {bit} of byte {at} flipped and accepted"
            );
        }
    }
    for len in 0..bytes.len() {
        assert!(
            format::decode(&bytes[..len], &header).is_err(),
            "truncated to {len} bytes and accepted"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(format::decode(&longer, &header).is_err());
}

/// Re-seals `bytes` with a valid checksum (to reach the checks after it).
fn reseal(bytes: &mut Vec<u8>) {
    bytes.truncate(bytes.len() - 8);
    let sum = xxhash_rust::xxh3::xxh3_64(bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
}

/// A snapshot of another build, root or settings, an older format or another file is told
/// apart, and says why.
#[test]
fn issue_6_snapshot_foreign_snapshots_are_rejected_with_the_reason() {
    let (bytes, header, files) = small_snapshot();
    let other = |h: Header| format::decode(&format::encode(&h, &files), &header);
    assert!(matches!(
        other(Header {
            fingerprint: header.fingerprint ^ 1,
            ..header.clone()
        }),
        Err(Rejected::Build { .. })
    ));
    assert!(matches!(
        other(Header {
            version: "0.0.1".into(),
            ..header.clone()
        }),
        Err(Rejected::Build { .. })
    ));
    assert_eq!(
        other(Header {
            root: "/elsewhere".into(),
            ..header.clone()
        }),
        Err(Rejected::Root("/elsewhere".into()))
    );
    assert_eq!(
        other(Header {
            settings: header.settings ^ 1,
            ..header.clone()
        }),
        Err(Rejected::Settings)
    );
    let mut version = bytes.clone();
    version[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    reseal(&mut version);
    assert_eq!(
        format::decode(&version, &header),
        Err(Rejected::Version(FORMAT_VERSION + 1))
    );
    let mut magic = bytes.clone();
    magic[0] = b'X';
    assert_eq!(format::decode(&magic, &header), Err(Rejected::BadMagic));
    assert_eq!(format::decode(b"CPLS", &header), Err(Rejected::TooShort(4)));
    let mut sum = bytes.clone();
    *sum.last_mut().unwrap() ^= 1;
    assert_eq!(format::decode(&sum, &header), Err(Rejected::Checksum));
    assert_eq!(bytes[..8], MAGIC);
    // The settings that decide which files are read are part of the key.
    let mut s = settings(Path::new("."));
    let base = super::settings_hash(&s);
    s.max_file_size += 1;
    assert_ne!(super::settings_hash(&s), base);
    s = settings(Path::new("."));
    s.languages.retain(|&l| l != Language::Go);
    assert_ne!(super::settings_hash(&s), base);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the records' bytes (with a valid checksum, as a bug or a hostile file could
    /// give), decoding returns records or a reason, and never panics.
    #[test]
    fn issue_6_snapshot_decoding_anything_sealed_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let (bytes, header, _) = SMALL.with(|s| s.clone());
        let mut bytes = bytes;
        for (at, byte, how) in edits {
            let body = bytes.len() - 8;
            let i = at.index(body);
            match how {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        reseal(&mut bytes);
        let _ = format::decode(&bytes, &header);
    }
}

thread_local! {
    static SMALL: (Vec<u8>, Header, Vec<StoredFile>) = small_snapshot();
}

/// A write replaces the snapshot whole, private to its owner, and leaves no temporary file.
#[test]
fn issue_6_snapshot_writes_are_atomic_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/snapshot-x");
    write_atomic(&path, b"first").unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["snapshot-x"]);
}

/// Writes wait for quiet after a change and happen once per change; shutdown writes only what
/// changed since.
#[test]
fn issue_6_snapshot_writes_are_debounced() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("a.rs"), "fn f() {}\n").unwrap();
    let (mut world, ..) = warm_up(tree.path(), None);
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("snap");
    let mut s = Snapshots::new(path.clone(), header(tree.path()));
    let t0 = std::time::Instant::now();
    assert!(!s.due(t0 + super::QUIET * 2), "nothing changed");
    assert!(s.finish(&mut world).is_empty());
    s.changed(t0);
    assert!(!s.due(t0 + super::QUIET / 2));
    assert!(s.due(t0 + super::QUIET));
    s.write_in_background(&mut world);
    assert!(!s.due(t0 + super::QUIET * 2), "written");
    let done = s.finish(&mut world);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].as_ref().unwrap().files, 1);
    assert_eq!(s.writes, 1);
    s.changed(t0);
    let done = s.finish(&mut world);
    assert_eq!(done.len(), 1, "a change since is written on shutdown");
    assert_eq!(s.writes, 2);
    let files = super::load(&path, &header(tree.path())).unwrap().unwrap();
    assert_eq!(files, collect(&mut world));
}

/// A file edited live is left out of the snapshot while its tree comes from an incremental
/// reparse, and is stored once settled, with the hash of its edited text and the records a cold
/// analysis of that text gives.
#[test]
fn issue_6_snapshot_edited_files_are_stored_once_settled() {
    use codepulse_components::{
        IncrementalTree, OpenDocument, PendingEdits, SettleRequest, SourceText, TextEdit,
    };
    let tree = fixture_tree();
    let root = tree.path();
    let rel = "graph/python/main.py";
    let (mut world, ..) = warm_up(root, None);
    let mut schedule = world::analysis_schedule();
    let file = world
        .query::<(Entity, &FilePath)>()
        .iter(&world)
        .find(|(_, p)| &*p.relative == rel)
        .map(|(e, _)| e)
        .expect("the file");
    let text = std::fs::read_to_string(root.join(rel)).unwrap();
    world
        .entity_mut(file)
        .insert((SourceText(text.clone().into()), OpenDocument { version: 1 }));
    world::run_tick(&mut world, &mut schedule);
    let added = "\ndef added(x):\n    if x:\n        return 1\n    return 2\n";
    world.entity_mut(file).insert(PendingEdits(vec![TextEdit {
        start: text.len(),
        end: text.len(),
        text: added.into(),
    }]));
    world::run_tick(&mut world, &mut schedule);
    assert!(world.get::<IncrementalTree>(file).is_some());
    let stored = |world: &mut World| collect(world).into_iter().find(|f| &*f.path == rel);
    assert_eq!(stored(&mut world), None, "not stored while unsettled");

    world.insert_resource(SettleRequest);
    world::run_tick(&mut world, &mut schedule);
    let settled = stored(&mut world).expect("stored once settled");
    std::fs::write(root.join(rel), format!("{text}{added}")).unwrap();
    let (mut cold, ..) = warm_up(root, None);
    let want = stored(&mut cold).unwrap();
    assert_eq!(settled.hash, ContentHash::of(&format!("{text}{added}")));
    assert_eq!(settled, want);
}
