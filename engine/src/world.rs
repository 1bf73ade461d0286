//! Building the ECS world and the schedule that analyses it.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::SingleThreadedExecutor;
use bevy_tasks::{ComputeTaskPool, TaskPoolBuilder};
use codepulse_components::{AnalysisSettings, Diagnostics, Progress};
use codepulse_systems::{
    aggregate_files, discover_files, extract_functions, load_sources, measure_functions,
    parse_files,
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
pub fn build_world(settings: AnalysisSettings, progress: Progress) -> World {
    let mut world = World::new();
    world.insert_resource(settings);
    world.insert_resource(Diagnostics::default());
    world.insert_resource(progress);
    world
}

/// The analysis pass, in tick order, on the single-threaded executor (parallelism lives inside
/// the systems). Running it again only picks up files not yet in the world.
pub fn analysis_schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.add_systems(
        (
            discover_files,
            load_sources,
            parse_files,
            extract_functions,
            measure_functions,
            aggregate_files,
        )
            .chain(),
    );
    schedule
}
