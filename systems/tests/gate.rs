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
