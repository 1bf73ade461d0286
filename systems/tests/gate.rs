//! The threshold gate (docs/gate.md): what reaches the outbox, and when nothing does.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Config, FileGate, FilePath, Lang, Language, Outbox, PayloadKind, Severity, SourceText,
    path_hash,
};
use codepulse_systems::{aggregate_files, gate_files, measure_functions, parse_files};

/// A function with `n` sequential `if`s: cyclomatic n + 1, cognitive n.
fn function(name: &str, n: usize) -> String {
    let mut s = format!("fn {name}(x: i32) {{\n");
    for _ in 0..n {
        s.push_str("    if x > 0 {}\n");
    }
    s.push_str("}\n");
    s
}

struct Harness {
    world: World,
    schedule: Schedule,
    file: Entity,
}

impl Harness {
    fn new(text: &str) -> Harness {
        bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
        let mut world = World::new();
        world.insert_resource(Config::default());
        world.insert_resource(Outbox::default());
        let file = world
            .spawn((
                FilePath {
                    absolute: "/w/a.rs".into(),
                    relative: "a.rs".into(),
                },
                Lang(Language::Rust),
                SourceText(Arc::from(text)),
            ))
            .id();
        let mut schedule = Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.add_systems((parse_files, measure_functions, aggregate_files, gate_files).chain());
        Harness {
            world,
            schedule,
            file,
        }
    }

    /// Runs a tick (after setting the text, if given) and drains the outbox.
    fn tick(&mut self, text: Option<&str>) -> Vec<(PayloadKind, Severity, u32, u32, u32)> {
        if let Some(text) = text {
            self.world.get_mut::<SourceText>(self.file).expect("text").0 = Arc::from(text);
        }
        self.schedule.run(&mut self.world);
        let mut outbox = self.world.resource_mut::<Outbox>();
        let payloads = std::mem::take(&mut outbox.payloads);
        payloads
            .iter()
            .map(|p| {
                assert_eq!(p.file_hash, path_hash("/w/a.rs".as_ref()));
                let kind = PayloadKind::from_u8(p.kind).expect("kind");
                (
                    kind,
                    Severity::from_u8(p.severity).expect("severity"),
                    p.cyclomatic,
                    p.start_line,
                    p.seq,
                )
            })
            .collect()
    }
}

#[test]
fn first_pass_emits_only_files_that_fail_a_threshold() {
    let mut ok = Harness::new(&function("small", 3));
    assert_eq!(ok.tick(None), []);
    let mut warn = Harness::new(&format!("{}{}", function("small", 1), function("big", 11)));
    assert_eq!(
        warn.tick(None),
        [(PayloadKind::Defect, Severity::Warning, 12, 4, 1)]
    );
    let paths = &warn.world.resource::<Outbox>().paths;
    assert_eq!(
        paths.as_slice(),
        [(path_hash("/w/a.rs".as_ref()), "/w/a.rs".into())]
    );
}

#[test]
fn edits_that_change_nothing_visible_are_silent() {
    let mut h = Harness::new(&format!("{}{}", function("small", 1), function("big", 11)));
    assert_eq!(h.tick(None).len(), 1);
    // An ok function changes but stays ok; the warning function only moves down a line.
    let text = format!("{}{}", function("small", 2), function("big", 11));
    assert_eq!(h.tick(Some(&text)), []);
}

#[test]
fn a_changed_metric_of_a_function_at_warning_or_error_is_emitted() {
    let mut h = Harness::new(&function("big", 11));
    assert_eq!(
        h.tick(None),
        [(PayloadKind::Defect, Severity::Warning, 12, 1, 1)]
    );
    assert_eq!(
        h.tick(Some(&function("big", 12))),
        [(PayloadKind::Defect, Severity::Warning, 13, 1, 2)]
    );
    assert_eq!(
        h.tick(Some(&function("big", 25))),
        [(PayloadKind::Defect, Severity::Error, 26, 1, 3)]
    );
}

#[test]
fn returning_to_all_ok_emits_cleared_once() {
    let mut h = Harness::new(&function("big", 25));
    assert_eq!(h.tick(None).len(), 1);
    assert_eq!(
        h.tick(Some(&function("big", 2))),
        [(PayloadKind::Cleared, Severity::Ok, 0, 0, 2)]
    );
    assert_eq!(h.tick(Some(&function("big", 3))), []);
    let gate = *h.world.get::<FileGate>(h.file).expect("gated");
    assert_eq!(
        (gate.severity, gate.warnings, gate.errors),
        (Severity::Ok, 0, 0)
    );
}

#[test]
fn removing_the_failing_function_clears_the_file() {
    let mut h = Harness::new(&format!("{}{}", function("small", 1), function("big", 25)));
    assert_eq!(h.tick(None).len(), 1);
    assert_eq!(
        h.tick(Some(&function("small", 1))),
        [(PayloadKind::Cleared, Severity::Ok, 0, 0, 2)]
    );
}

#[test]
fn a_configuration_change_regates_every_file() {
    let mut h = Harness::new(&function("mid", 8));
    assert_eq!(h.tick(None), []);
    h.world.resource_mut::<Config>().thresholds.cyclomatic.warn = 5;
    assert_eq!(
        h.tick(None),
        [(PayloadKind::Defect, Severity::Warning, 9, 1, 1)]
    );
    h.world
        .resource_mut::<Config>()
        .language_mut(Language::Rust)
        .complexity_multiplier = 2.0;
    assert_eq!(
        h.tick(None),
        [(PayloadKind::Cleared, Severity::Ok, 0, 0, 2)]
    );
}

/// Through the whole pipeline (parse → measure → score_tdg → gate): every function gets a TDG
/// score and a Defect payload carries the worst function's.
#[test]
fn tdg_is_scored_and_carried_by_the_payload() {
    use codepulse_components::{FunctionName, Tdg};
    use codepulse_systems::score_tdg;

    let mut h = Harness::new(&format!("{}{}", function("small", 1), function("big", 25)));
    h.schedule = Schedule::default();
    h.schedule
        .set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
    h.schedule.add_systems(
        (
            parse_files,
            measure_functions,
            score_tdg,
            aggregate_files,
            gate_files,
        )
            .chain(),
    );
    h.schedule.run(&mut h.world);
    let mut q = h.world.query::<(&FunctionName, &Tdg)>();
    let mut scores: Vec<(String, f32)> = q
        .iter(&h.world)
        .map(|(n, t)| (n.qualified.to_string(), t.0))
        .collect();
    scores.sort_by(|a, b| a.0.cmp(&b.0));
    let [(big, big_tdg), (small, small_tdg)] = scores.as_slice() else {
        panic!("{scores:?}")
    };
    assert_eq!((big.as_str(), small.as_str()), ("big", "small"));
    assert!(*big_tdg > *small_tdg && *small_tdg > 0.0, "{scores:?}");
    assert!((0.0..=3.0).contains(big_tdg));
    let outbox = h.world.resource::<Outbox>();
    let [payload] = outbox.payloads.as_slice() else {
        panic!("{:?}", outbox.payloads)
    };
    assert_eq!(payload.tdg, *big_tdg);
    assert_eq!(payload.cyclomatic, 26);
}

/// Spawns a Rust file at `/w/<name>` into the harness's world.
fn spawn_file(world: &mut World, name: &str, text: &str) -> Entity {
    world
        .spawn((
            FilePath {
                absolute: format!("/w/{name}").into(),
                relative: name.into(),
            },
            Lang(Language::Rust),
            SourceText(Arc::from(text)),
        ))
        .id()
}

/// Runs a tick and drains the outbox: (file hash, kind, cyclomatic, seq) per payload.
fn tick_all(h: &mut Harness) -> Vec<(u64, PayloadKind, u32, u32)> {
    h.schedule.run(&mut h.world);
    let mut outbox = h.world.resource_mut::<Outbox>();
    outbox.paths.clear();
    std::mem::take(&mut outbox.payloads)
        .iter()
        .map(|p| {
            let kind = PayloadKind::from_u8(p.kind).expect("kind");
            (p.file_hash, kind, p.cyclomatic, p.seq)
        })
        .collect()
}

/// Hot reload: the engine replaces the `Config` resource; the next tick re-gates every file.
#[test]
fn a_new_config_resource_regates_every_file() {
    let mut h = Harness::new(&function("mid", 8));
    spawn_file(&mut h.world, "b.rs", &function("other", 6));
    let (a, b) = (path_hash("/w/a.rs".as_ref()), path_hash("/w/b.rs".as_ref()));
    assert_eq!(tick_all(&mut h), []);

    let mut lower = Config::default();
    lower.thresholds.cyclomatic.warn = 5;
    h.world.insert_resource(lower);
    let mut payloads = tick_all(&mut h);
    payloads.sort_by_key(|p| p.0 != a);
    assert_eq!(
        payloads,
        [
            (a, PayloadKind::Defect, 9, 1),
            (b, PayloadKind::Defect, 7, 1)
        ]
    );
    assert_eq!(tick_all(&mut h), [], "nothing changed since");

    h.world.insert_resource(Config::default());
    let mut payloads = tick_all(&mut h);
    payloads.sort_by_key(|p| p.0 != a);
    assert_eq!(
        payloads,
        [
            (a, PayloadKind::Cleared, 0, 2),
            (b, PayloadKind::Cleared, 0, 2)
        ]
    );
}

/// A payload answers the editor's document version of an open file (0 for a file from disk),
/// and is kept as the file's `LastPayload`.
#[test]
fn payloads_carry_the_document_version_and_are_kept_as_last_payload() {
    use codepulse_components::{LastPayload, OpenDocument};

    let mut h = Harness::new(&function("big", 11));
    h.world
        .entity_mut(h.file)
        .insert(OpenDocument { version: 4 });
    h.schedule.run(&mut h.world);
    let payloads = std::mem::take(&mut h.world.resource_mut::<Outbox>().payloads);
    let [first] = payloads[..] else {
        panic!("one payload: {payloads:?}")
    };
    assert_eq!((first.kind, first.version), (PayloadKind::Defect as u8, 4));
    assert_eq!(
        h.world.get::<LastPayload>(h.file),
        Some(&LastPayload(first))
    );

    h.world
        .entity_mut(h.file)
        .insert(OpenDocument { version: 5 });
    assert_eq!(
        h.tick(Some(&function("big", 25))),
        [(PayloadKind::Defect, Severity::Error, 26, 1, 2)]
    );
    let last = h.world.get::<LastPayload>(h.file).expect("kept").0;
    assert_eq!((last.seq, last.cyclomatic, last.version), (2, 26, 5));

    // Closed: the file is the disk's again.
    h.world.entity_mut(h.file).remove::<OpenDocument>();
    assert_eq!(h.tick(Some(&function("big", 2))).len(), 1);
    let last = h.world.get::<LastPayload>(h.file).expect("kept").0;
    assert_eq!(
        (last.kind, last.seq, last.version),
        (PayloadKind::Cleared as u8, 3, 0)
    );
}

/// `resync_payloads`: the last payload of every file not at ok, as `Resync`, by path.
#[test]
fn resync_reemits_the_last_payload_of_every_file_not_at_ok() {
    use codepulse_components::LastPayload;
    use codepulse_systems::resync_payloads;

    let mut h = Harness::new(&function("big", 25)); // a.rs: error
    let z = spawn_file(&mut h.world, "z.rs", &function("mid", 12)); // warning
    spawn_file(&mut h.world, "m.rs", &function("small", 1)); // ok, never emitted
    let cleared = spawn_file(&mut h.world, "c.rs", &function("big", 30));
    assert_eq!(tick_all(&mut h).len(), 3);
    h.world.get_mut::<SourceText>(cleared).expect("text").0 = Arc::from(function("big", 1));
    assert_eq!(tick_all(&mut h).len(), 1, "c.rs cleared");
    // The engine stamps what it writes; a resync payload is stamped again when re-written.
    h.world
        .get_mut::<LastPayload>(z)
        .expect("emitted")
        .0
        .timestamp_ns = 42;

    let resync = resync_payloads(&mut h.world);
    let summary: Vec<(u64, u8, u8, u32, u32, u64)> = resync
        .iter()
        .map(|p| {
            let severity = p.severity;
            (
                p.file_hash,
                p.kind,
                severity,
                p.cyclomatic,
                p.seq,
                p.timestamp_ns,
            )
        })
        .collect();
    let resync_kind = PayloadKind::Resync as u8;
    assert_eq!(
        summary,
        [
            (path_hash("/w/a.rs".as_ref()), resync_kind, 2, 26, 1, 0),
            (path_hash("/w/z.rs".as_ref()), resync_kind, 1, 13, 1, 0),
        ]
    );
    // Otherwise exactly the last payload.
    let last = h.world.get::<LastPayload>(z).expect("emitted").0;
    assert_eq!(
        resync[1],
        codepulse_components::DefectPayload {
            kind: resync_kind,
            timestamp_ns: 0,
            ..last
        }
    );
    assert_eq!(
        tick_all(&mut h),
        [],
        "a resync changes nothing in the world"
    );
}
