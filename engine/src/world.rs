//! Building the ECS world and the schedule that analyses it.

use std::time::{Duration, Instant};

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;
use bevy_tasks::{ComputeTaskPool, TaskPoolBuilder};
use codepulse_components::{
    AnalysisSettings, ChurnRequest, Config, Diagnostics, DiscoveryRequest, Outbox, PendingLoad,
    Progress, SettleRequest,
};
use codepulse_systems::parallel::WorkerThreads;
use codepulse_systems::{
    GraphState, aggregate_files, apply_edits, discover_files, evict_sources, extract_symbols,
    gate_files, load_sources, measure_functions, parse_files, remove_files, score_tdg, seed_churn,
    settle_trees, update_graph,
};

/// Wall time of the stages of the last schedule run, for the stage histograms (docs/observe.md).
/// The engine calls [`StageClock::start`] before a run; the `lap` systems between the stages
/// add the time since the previous lap to their stage.
#[derive(Resource, Debug)]
pub struct StageClock {
    last: Instant,
    pub spans: [Duration; StageClock::STAGES],
}

impl StageClock {
    /// apply (removals, settling, edits), parse (discovery, churn, loading, parsing), measure,
    /// graph (symbols, graph, dead symbols), tdg, gate (aggregates, gate, eviction).
    pub const STAGES: usize = 6;

    pub fn start(&mut self) {
        self.last = Instant::now();
        self.spans = [Duration::ZERO; Self::STAGES];
    }
}

impl Default for StageClock {
    fn default() -> Self {
        StageClock {
            last: Instant::now(),
            spans: [Duration::ZERO; Self::STAGES],
        }
    }
}

/// Ends stage `S` of the [`StageClock`] (and, with the `tracy` feature, its zone); stage `N`
/// comes next.
fn lap<const S: usize, const N: usize>(mut clock: ResMut<StageClock>) {
    let now = Instant::now();
    let since = now.saturating_duration_since(clock.last);
    clock.spans[S] += since;
    clock.last = now;
    #[cfg(feature = "tracy")]
    crate::tracy::next_stage(N);
}

/// Initialises the global compute task pool (used by the systems' `par_iter`) with `threads`
/// threads. The pool is process-wide: only the first call has an effect.
pub fn init_task_pool(threads: usize) {
    ComputeTaskPool::get_or_init(|| {
        TaskPoolBuilder::new()
            .num_threads(threads)
            .thread_name("codepulse".to_owned())
            .build()
    });
}

/// A world holding the settings, an empty diagnostics list and the shared progress counters.
pub fn build_world(
    settings: AnalysisSettings,
    config: Config,
    progress: Progress,
    threads: usize,
) -> World {
    let mut world = World::new();
    world.insert_resource(config);
    world.insert_resource(Outbox::default());
    world.insert_resource(WorkerThreads(threads));
    world.insert_resource(settings);
    world.insert_resource(Diagnostics::default());
    world.insert_resource(progress);
    world.insert_resource(DiscoveryRequest);
    world.insert_resource(ChurnRequest::default());
    world.insert_resource(StageClock::default());
    world.insert_resource(GraphState::default());
    world
}

/// Runs the schedule until discovery is done and no file waits to be loaded: one tick per
/// batch of sources (see `AnalysisSettings::load_batch_bytes`).
pub fn run_until_settled(world: &mut World, schedule: &mut Schedule) {
    let mut pending = world.query_filtered::<(), With<PendingLoad>>();
    loop {
        #[cfg(feature = "tracy")]
        let _tick = crate::tracy::Tick::start();
        run_tick(world, schedule);
        if !world.contains_resource::<DiscoveryRequest>() && pending.iter(world).next().is_none() {
            return;
        }
    }
}

/// One tick: runs the schedule, then drops the removed-component events it recorded. Without an
/// `App` around the world nothing else clears them, and every tick removes markers
/// (`PendingEdits`, `TreeEdited`, `TextChanges`, ...): a long-running engine's memory grew with
/// every tick (found by the soak of docs/benchmarks.md).
pub fn run_tick(world: &mut World, schedule: &mut Schedule) {
    schedule.run(world);
    world.clear_trackers();
}

/// The analysis pass, in tick order, on the single-threaded executor (parallelism lives inside
/// the systems). Running it again only picks up what changed: files not yet in the world, files
/// marked for removal or reloading, and edits. The cold pass (`analyze`, the warm-up of `watch`)
/// and every live tick run this same schedule.
pub fn analysis_schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    // Two chained groups (a tuple holds at most 20 systems), chained.
    let parse = (
        remove_files,
        settle_trees.run_if(resource_exists::<SettleRequest>),
        apply_edits,
        lap::<0, 1>,
        discover_files.run_if(resource_exists::<DiscoveryRequest>),
        seed_churn,
        load_sources,
        parse_files,
        lap::<1, 3>,
    )
        .chain();
    let measure = (
        // Extraction reads the edits' `TextChanges`, which `measure_functions` consumes; its
        // time counts in the graph stage.
        extract_symbols,
        lap::<3, 2>,
        measure_functions,
        lap::<2, 3>,
        update_graph,
        lap::<3, 4>,
        score_tdg,
        lap::<4, 5>,
        aggregate_files,
        gate_files,
        evict_sources,
        lap::<5, 6>,
    )
        .chain();
    schedule.add_systems((parse, measure).chain());
    schedule
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use codepulse_components::{
        FilePath, Lang, Language, OpenDocument, PendingEdits, SourceCache, SourceText, TextEdit,
    };

    use super::*;

    /// Regression (issue 4, the soak): removed-component events must not pile up over ticks.
    #[test]
    fn issue_4_ticks_do_not_accumulate_removed_component_events() {
        init_task_pool(1);
        let mut settings = AnalysisSettings::new(std::env::temp_dir());
        settings.languages = vec![Language::Rust];
        let mut world = build_world(settings, Config::default(), Progress::default(), 1);
        world.remove_resource::<DiscoveryRequest>();
        world.remove_resource::<ChurnRequest>();
        // Live: the document stays resident between ticks.
        world.insert_resource(SourceCache::with_budget(1 << 20));
        let file = world
            .spawn((
                FilePath {
                    absolute: "/w/a.rs".into(),
                    relative: "a.rs".into(),
                },
                Lang(Language::Rust),
                SourceText(Arc::from("fn f(x: bool) { if x {} }\n")),
                OpenDocument { version: 1 },
            ))
            .id();
        let mut schedule = analysis_schedule();
        let pending = |world: &World| -> usize {
            world
                .removed_components()
                .iter()
                .map(|(_, m)| m.len())
                .sum()
        };
        let mut most = 0;
        for i in 0..200 {
            let at = 16 + i % 2;
            world.entity_mut(file).insert(PendingEdits(vec![TextEdit {
                start: at,
                end: at,
                text: if i % 2 == 0 {
                    " ".into()
                } else {
                    String::new()
                },
            }]));
            run_tick(&mut world, &mut schedule);
            most = most.max(pending(&world));
        }
        assert!(
            most < 50,
            "{most} removed-component events held after a tick"
        );
    }
}
