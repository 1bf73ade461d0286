//! Building the ECS world and the schedule that analyses it.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;
use bevy_tasks::{ComputeTaskPool, TaskPoolBuilder};
use codepulse_components::{
    AnalysisSettings, ChurnRequest, Config, Diagnostics, DiscoveryRequest, Outbox, PendingLoad,
    Progress, SettleRequest,
};
use codepulse_systems::parallel::WorkerThreads;
use codepulse_systems::{
    aggregate_files, apply_edits, discover_files, evict_sources, gate_files, load_sources,
    measure_functions, parse_files, remove_files, score_tdg, seed_churn, settle_trees,
};

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
    world
}

/// Runs the schedule until discovery is done and no file waits to be loaded: one tick per
/// batch of sources (see `AnalysisSettings::load_batch_bytes`).
pub fn run_until_settled(world: &mut World, schedule: &mut Schedule) {
    let mut pending = world.query_filtered::<(), With<PendingLoad>>();
    loop {
        schedule.run(world);
        if !world.contains_resource::<DiscoveryRequest>() && pending.iter(world).next().is_none() {
            return;
        }
    }
}

/// The analysis pass, in tick order, on the single-threaded executor (parallelism lives inside
/// the systems). Running it again only picks up what changed: files not yet in the world, files
/// marked for removal or reloading, and edits. The cold pass (`analyze`, the warm-up of `watch`)
/// and every live tick run this same schedule.
pub fn analysis_schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.add_systems(
        (
            remove_files,
            settle_trees.run_if(resource_exists::<SettleRequest>),
            apply_edits,
            discover_files.run_if(resource_exists::<DiscoveryRequest>),
            seed_churn,
            load_sources,
            parse_files,
            measure_functions,
            score_tdg,
            aggregate_files,
            gate_files,
            evict_sources,
        )
            .chain(),
    );
    schedule
}
