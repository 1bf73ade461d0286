//! `score_tdg`: the Technical Debt Gradient of every function whose inputs changed
//! ([`Tdg`], docs/tdg.md), in batch over the metric columns, and each affected file's
//! aggregate ([`FileTdg`] = the maximum of its functions' scores).
//!
//! A function is re-scored when one of its metric columns changed (`Changed<Cyclomatic>`, …,
//! `Changed<Params>`), or when its file's [`Churn`] or [`DeadSymbolRatio`] changed. [`Tdg`] is
//! written, and marked changed, only on rows whose score really moved, so a downstream
//! `Changed<Tdg>` sees exactly those.
//!
//! # How the batch reads the columns
//!
//! The rows whose metrics changed are scored **in place on the table's column slices**
//! (`Query::contiguous_iter_mut`): per table, the rows whose metric ticks are newer than the
//! system's last run form runs of consecutive rows (a file's functions are spawned together, so
//! an edit typically dirties one run); each run's five metric columns go to the SIMD batch
//! as they lie in the table, with no copy (the metric components are `#[repr(transparent)]`
//! over `u32`). Only the two per-file inputs are gathered per row, into scratch columns (a
//! file lookup per change of file along the run). [`Tdg`] is taken with
//! `bypass_change_detection` and only the rows whose value changed get this run's change tick.
//!
//! Two smaller paths gather into scratch columns and scatter back with `set_if_neq`: the
//! functions of files whose churn or dead-symbol ratio changed (reached through
//! [`FileFunctions`], wherever their rows lie), and rows that have no [`Tdg`] yet (they get one
//! inserted with their score).
//!
//! [`FileTdg`] is recomputed for the files one of whose functions' scores changed, whose
//! function set changed (`Changed<FileFunctions>`, or `FileFunctions` removed with the last
//! function), or that were re-parsed this tick (`Changed<SyntaxTree>`, so a file without
//! functions gets its 0.0).

use std::panic::Location;

use bevy_ecs::change_detection::{ContiguousMut, ContiguousRef, Tick};
use bevy_ecs::prelude::*;
use codepulse_components::{
    Churn, Cognitive, Cyclomatic, DeadSymbolRatio, FileFunctions, FileTdg, FunctionOf, Loc,
    MaxNesting, Params, SyntaxTree, Tdg,
};
use hashbrown::{HashMap, HashSet};

use crate::tdg::{Columns, tdg_batch};

type Scored = (
    Entity,
    &'static FunctionOf,
    Ref<'static, Cyclomatic>,
    Ref<'static, Cognitive>,
    Ref<'static, MaxNesting>,
    Ref<'static, Loc>,
    Ref<'static, Params>,
    &'static mut Tdg,
);

type Unscored = (
    Entity,
    &'static FunctionOf,
    &'static Cyclomatic,
    &'static Cognitive,
    &'static MaxNesting,
    &'static Loc,
    &'static Params,
);

type FileInputsData = (Option<&'static Churn>, Option<&'static DeadSymbolRatio>);
type FileInputsChanged = Or<(Changed<Churn>, Changed<DeadSymbolRatio>)>;
type Reshaped = Or<(Changed<FileFunctions>, Changed<SyntaxTree>)>;

/// Reusable scratch columns (kept between runs so a tick allocates nothing once warm).
#[derive(Debug, Default)]
pub struct Scratch {
    rows: Vec<Entity>,
    cyclomatic: Vec<u32>,
    cognitive: Vec<u32>,
    max_nesting: Vec<u32>,
    loc: Vec<u32>,
    params: Vec<u32>,
    dead_symbol_ratio: Vec<f32>,
    churn: Vec<u32>,
    out: Vec<f32>,
}

impl Scratch {
    /// Appends one row's inputs (metric columns, then the file's churn and dead-symbol ratio).
    fn push_row(&mut self, entity: Entity, metrics: [u32; 5], churn: u32, dead_symbol_ratio: f32) {
        let [cyclomatic, cognitive, max_nesting, loc, params] = metrics;
        self.rows.push(entity);
        self.cyclomatic.push(cyclomatic);
        self.cognitive.push(cognitive);
        self.max_nesting.push(max_nesting);
        self.loc.push(loc);
        self.params.push(params);
        self.churn.push(churn);
        self.dead_symbol_ratio.push(dead_symbol_ratio);
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.cyclomatic.clear();
        self.cognitive.clear();
        self.max_nesting.clear();
        self.loc.clear();
        self.params.clear();
        self.dead_symbol_ratio.clear();
        self.churn.clear();
        self.out.clear();
    }

    /// Scores the gathered rows into `self.out`.
    fn score(&mut self) {
        self.out.clear();
        self.out.resize(self.rows.len(), 0.0);
        let columns = Columns {
            cyclomatic: &self.cyclomatic,
            cognitive: &self.cognitive,
            max_nesting: &self.max_nesting,
            loc: &self.loc,
            params: &self.params,
            dead_symbol_ratio: &self.dead_symbol_ratio,
            churn: &self.churn,
        };
        tdg_batch(&columns, &mut self.out);
    }
}

/// The system (see the module docs).
#[allow(clippy::too_many_arguments)]
pub fn score_tdg(
    mut commands: Commands,
    mut scored: Query<Scored>,
    unscored: Query<Unscored, Without<Tdg>>,
    file_inputs_changed: Query<Option<&FileFunctions>, FileInputsChanged>,
    file_inputs: Query<FileInputsData>,
    reshaped: Query<Entity, Reshaped>,
    mut emptied: RemovedComponents<FileFunctions>,
    file_functions: Query<&FileFunctions>,
    mut file_tdg: Query<&mut FileTdg>,
    mut scratch: Local<Scratch>,
) {
    let inputs = FileInputs(&file_inputs);
    let mut dirty_files: HashSet<Entity> = reshaped.iter().collect();
    // A file whose last function went loses `FileFunctions` altogether.
    dirty_files.extend(emptied.read());

    // 1. Rows whose metrics changed: in place on the table's columns.
    if score_changed_rows_in_place(&mut scored, inputs, &mut scratch, &mut dirty_files).is_err() {
        // Not reachable with table-stored components; kept so a storage change degrades to the
        // gather path instead of failing.
        let changed: Vec<Entity> = scored
            .iter()
            .filter(|(_, _, c, g, n, l, p, _)| {
                c.is_changed()
                    || g.is_changed()
                    || n.is_changed()
                    || l.is_changed()
                    || p.is_changed()
            })
            .map(|row| row.0)
            .collect();
        gather_and_scatter(
            &changed,
            &mut scored,
            inputs,
            &mut scratch,
            &mut dirty_files,
        );
    }

    // 2. Every function of a file whose churn or dead-symbol ratio changed.
    let of_changed_files: Vec<Entity> = file_inputs_changed
        .iter()
        .flatten()
        .flat_map(|functions| functions.entities().iter().copied())
        .collect();
    gather_and_scatter(
        &of_changed_files,
        &mut scored,
        inputs,
        &mut scratch,
        &mut dirty_files,
    );

    // 3. Rows without a score yet: insert one.
    let mut pending: HashMap<Entity, f32> = HashMap::new();
    scratch.clear();
    for (entity, of, cyc, cog, nest, loc, params) in &unscored {
        let (churn, dead) = inputs.get(of.0);
        scratch.push_row(entity, [cyc.0, cog.0, nest.0, loc.0, params.0], churn, dead);
        dirty_files.insert(of.0);
    }
    if !scratch.rows.is_empty() {
        scratch.score();
        for (&entity, &score) in scratch.rows.iter().zip(&scratch.out) {
            pending.insert(entity, score);
            commands.entity(entity).try_insert(Tdg(score));
        }
    }

    // 4. The per-file aggregate: the worst function.
    for file in dirty_files {
        let worst = file_functions
            .get(file)
            .map(|functions| {
                functions
                    .entities()
                    .iter()
                    .filter_map(|e| {
                        pending
                            .get(e)
                            .copied()
                            .or_else(|| scored.get(*e).ok().map(|row| row.7.0))
                    })
                    .fold(0.0_f32, f32::max)
            })
            .unwrap_or(0.0);
        match file_tdg.get_mut(file) {
            Ok(mut current) => {
                current.set_if_neq(FileTdg(worst));
            }
            Err(_) => {
                commands.entity(file).try_insert(FileTdg(worst));
            }
        }
    }
}

/// Looks up a file's churn and dead-symbol ratio (0 when the file has none).
#[derive(Clone, Copy)]
struct FileInputs<'a, 'w, 's>(&'a Query<'w, 's, FileInputsData>);

impl FileInputs<'_, '_, '_> {
    fn get(self, file: Entity) -> (u32, f32) {
        self.0.get(file).map_or((0, 0.0), |(churn, dead)| {
            (churn.map_or(0, |c| c.0), dead.map_or(0.0, |d| d.0))
        })
    }
}

/// Pass 1: per table, the runs of rows whose metric ticks are newer than the last run go to the
/// batch straight from the column slices; `Tdg` is written (and its tick set) only where the
/// score moved. `Err` if the query cannot be iterated contiguously.
fn score_changed_rows_in_place(
    scored: &mut Query<Scored>,
    inputs: FileInputs<'_, '_, '_>,
    scratch: &mut Scratch,
    dirty_files: &mut HashSet<Entity>,
) -> Result<(), ()> {
    let chunks = scored.contiguous_iter_mut().map_err(|_| ())?;
    for (_entities, of, cyc, cog, nest, loc, params, tdg) in chunks {
        let is_dirty = dirty_rows(
            (cyc.last_run_tick(), cyc.this_run_tick()),
            &[
                cyc.changed_ticks_slice(),
                cog.changed_ticks_slice(),
                nest.changed_ticks_slice(),
                loc.changed_ticks_slice(),
                params.changed_ticks_slice(),
            ],
        );
        let (values, mut ticks) = ContiguousMut::bypass_change_detection_split(tdg);
        let this_run = ticks.this_run();
        let (cyc, cog, nest, loc, params) = (
            as_u32(ContiguousRef::into_inner(cyc)),
            as_u32(ContiguousRef::into_inner(cog)),
            as_u32(ContiguousRef::into_inner(nest)),
            as_u32(ContiguousRef::into_inner(loc)),
            as_u32(ContiguousRef::into_inner(params)),
        );
        let mut start = 0;
        while start < is_dirty.len() {
            if !is_dirty[start] {
                start += 1;
                continue;
            }
            let end = start + is_dirty[start..].iter().take_while(|&&d| d).count();
            let run = start..end;
            // The per-file inputs of the run, looked up once per change of file.
            scratch.churn.clear();
            scratch.dead_symbol_ratio.clear();
            let mut last: Option<(Entity, (u32, f32))> = None;
            for function_of in &of[run.clone()] {
                let file_values = match last {
                    Some((file, v)) if file == function_of.0 => v,
                    _ => {
                        let v = inputs.get(function_of.0);
                        last = Some((function_of.0, v));
                        v
                    }
                };
                scratch.churn.push(file_values.0);
                scratch.dead_symbol_ratio.push(file_values.1);
            }
            scratch.out.clear();
            scratch.out.resize(run.len(), 0.0);
            let columns = Columns {
                cyclomatic: &cyc[run.clone()],
                cognitive: &cog[run.clone()],
                max_nesting: &nest[run.clone()],
                loc: &loc[run.clone()],
                params: &params[run.clone()],
                dead_symbol_ratio: &scratch.dead_symbol_ratio,
                churn: &scratch.churn,
            };
            tdg_batch(&columns, &mut scratch.out);
            for (k, &score) in scratch.out.iter().enumerate() {
                let row = start + k;
                if values[row].0 != score {
                    values[row] = Tdg(score);
                    ticks.changed_mut()[row] = this_run;
                    ticks
                        .changed_by_mut()
                        .map(|by| by[row] = Location::caller());
                    dirty_files.insert(of[row].0);
                }
            }
            start = end;
        }
    }
    Ok(())
}

/// Per row of a table chunk: whether any of the given change-tick columns is newer than the
/// system's last run.
fn dirty_rows((last_run, this_run): (Tick, Tick), ticks: &[&[Tick]]) -> Vec<bool> {
    let mut dirty = vec![false; ticks.first().map_or(0, |t| t.len())];
    for column in ticks {
        for (d, tick) in dirty.iter_mut().zip(column.iter()) {
            *d |= tick.is_newer_than(last_run, this_run);
        }
    }
    dirty
}

/// Gathers the given function rows into the scratch columns, scores them, and writes `Tdg`
/// with `set_if_neq` (so only moved scores are marked changed).
fn gather_and_scatter(
    rows: &[Entity],
    scored: &mut Query<Scored>,
    inputs: FileInputs<'_, '_, '_>,
    scratch: &mut Scratch,
    dirty_files: &mut HashSet<Entity>,
) {
    if rows.is_empty() {
        return;
    }
    scratch.clear();
    for &entity in rows {
        let Ok((_, of, cyc, cog, nest, loc, params, _)) = scored.get(entity) else {
            continue; // no Tdg yet: scored by the insert path
        };
        let (churn, dead) = inputs.get(of.0);
        scratch.push_row(entity, [cyc.0, cog.0, nest.0, loc.0, params.0], churn, dead);
    }
    scratch.score();
    for (&entity, &score) in scratch.rows.iter().zip(&scratch.out) {
        if let Ok((_, of, .., mut tdg)) = scored.get_mut(entity)
            && tdg.set_if_neq(Tdg(score))
        {
            dirty_files.insert(of.0);
        }
    }
}

/// A metric component that is `#[repr(transparent)]` over `u32`.
trait U32Column: Component {}
impl U32Column for Cyclomatic {}
impl U32Column for Cognitive {}
impl U32Column for MaxNesting {}
impl U32Column for Loc {}
impl U32Column for Params {}

/// A column slice of a metric component as the numbers it wraps.
#[allow(unsafe_code)]
fn as_u32<T: U32Column>(column: &[T]) -> &[u32] {
    const { assert!(size_of::<T>() == size_of::<u32>() && align_of::<T>() == align_of::<u32>()) };
    // SAFETY: every `U32Column` is a `#[repr(transparent)]` newtype over `u32`
    // (components/src/metrics.rs), so `[T]` and `[u32]` of the same length have the same
    // layout and validity; the lifetime and length carry over.
    unsafe { std::slice::from_raw_parts(column.as_ptr().cast::<u32>(), column.len()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tdg::{Inputs, tdg};

    #[derive(Resource, Default, Debug)]
    struct Seen {
        tdg: Vec<Entity>,
        file_tdg: Vec<Entity>,
    }

    fn record(
        mut seen: ResMut<Seen>,
        tdg: Query<Entity, Changed<Tdg>>,
        file_tdg: Query<Entity, Changed<FileTdg>>,
    ) {
        seen.tdg = tdg.iter().collect();
        seen.tdg.sort();
        seen.file_tdg = file_tdg.iter().collect();
        seen.file_tdg.sort();
    }

    fn schedule() -> Schedule {
        let mut schedule = Schedule::default();
        schedule.add_systems((score_tdg, record).chain());
        schedule
    }

    type Metrics = [u32; 5];

    fn spawn_function(world: &mut World, file: Entity, m: Metrics, with_tdg: bool) -> Entity {
        let mut e = world.spawn((
            FunctionOf(file),
            Cyclomatic(m[0]),
            Cognitive(m[1]),
            MaxNesting(m[2]),
            Loc(m[3]),
            Params(m[4]),
        ));
        if with_tdg {
            e.insert(Tdg::default());
        }
        e.id()
    }

    /// The score the definition gives the function's current columns.
    fn expected(world: &World, function: Entity) -> f32 {
        let file = world.get::<FunctionOf>(function).unwrap().0;
        tdg(&Inputs {
            cyclomatic: world.get::<Cyclomatic>(function).unwrap().0,
            cognitive: world.get::<Cognitive>(function).unwrap().0,
            max_nesting: world.get::<MaxNesting>(function).unwrap().0,
            loc: world.get::<Loc>(function).unwrap().0,
            params: world.get::<Params>(function).unwrap().0,
            dead_symbol_ratio: world.get::<DeadSymbolRatio>(file).map_or(0.0, |d| d.0),
            churn: world.get::<Churn>(file).map_or(0, |c| c.0),
        })
    }

    fn score(world: &World, function: Entity) -> f32 {
        world.get::<Tdg>(function).expect("scored").0
    }

    fn file_score(world: &World, file: Entity) -> f32 {
        world.get::<FileTdg>(file).expect("aggregated").0
    }

    #[test]
    fn scores_every_function_and_takes_the_worst_per_file() {
        let mut world = World::new();
        world.init_resource::<Seen>();
        let hot = world.spawn(Churn(6)).id();
        let cold = world.spawn_empty().id();
        // The worked example of docs/tdg.md, in a file with churn 6: 1.11.
        let example = spawn_function(&mut world, hot, [12, 18, 3, 60, 4], true);
        let small = spawn_function(&mut world, hot, [1, 0, 0, 3, 0], false);
        let other = spawn_function(&mut world, cold, [12, 18, 3, 60, 4], true);
        schedule().run(&mut world);

        assert!((score(&world, example) - 1.11).abs() < 1e-6);
        for f in [example, small, other] {
            assert_eq!(score(&world, f), expected(&world, f));
        }
        assert!(
            score(&world, other) < score(&world, example),
            "churn counts"
        );
        assert_eq!(file_score(&world, hot), score(&world, example));
        assert_eq!(file_score(&world, cold), score(&world, other));
        assert_eq!(world.resource::<Seen>().tdg.len(), 3);
    }

    #[test]
    fn marks_only_rows_whose_score_moved() {
        let mut world = World::new();
        world.init_resource::<Seen>();
        let file = world.spawn(Churn(2)).id();
        let moves = spawn_function(&mut world, file, [5, 5, 1, 10, 1], true);
        let saturated = spawn_function(&mut world, file, [40, 5, 1, 10, 1], true);
        let untouched = spawn_function(&mut world, file, [2, 1, 1, 5, 0], true);
        let mut schedule = schedule();
        schedule.run(&mut world);

        // A metric change that moves the score, and one beyond the cap that does not.
        world.get_mut::<Cognitive>(moves).unwrap().0 = 9;
        world.get_mut::<Cyclomatic>(saturated).unwrap().0 = 50;
        let before = score(&world, saturated);
        schedule.run(&mut world);
        assert_eq!(world.resource::<Seen>().tdg, vec![moves]);
        assert_eq!(score(&world, moves), expected(&world, moves));
        assert_eq!(score(&world, saturated), before);

        // Nothing changed: nothing marked, the file's aggregate untouched.
        schedule.run(&mut world);
        assert!(world.resource::<Seen>().tdg.is_empty());
        assert!(world.resource::<Seen>().file_tdg.is_empty());
        assert_eq!(score(&world, untouched), expected(&world, untouched));
    }

    #[test]
    fn a_change_of_churn_or_dead_symbols_rescores_the_files_functions() {
        let mut world = World::new();
        world.init_resource::<Seen>();
        let edited = world.spawn(Churn(1)).id();
        let quiet = world.spawn(Churn(1)).id();
        let a = spawn_function(&mut world, edited, [3, 2, 1, 10, 1], true);
        let b = spawn_function(&mut world, quiet, [3, 2, 1, 10, 1], true);
        let c = spawn_function(&mut world, edited, [8, 9, 2, 40, 2], true);
        let mut schedule = schedule();
        schedule.run(&mut world);
        let file_before = file_score(&world, edited);

        world.get_mut::<Churn>(edited).unwrap().record_edit();
        schedule.run(&mut world);
        assert_eq!(world.resource::<Seen>().tdg, {
            let mut v = vec![a, c];
            v.sort();
            v
        });
        assert_eq!(world.resource::<Seen>().file_tdg, vec![edited]);
        assert!(file_score(&world, edited) > file_before);
        for f in [a, b, c] {
            assert_eq!(score(&world, f), expected(&world, f));
        }

        world.entity_mut(quiet).insert(DeadSymbolRatio(0.5));
        schedule.run(&mut world);
        assert_eq!(world.resource::<Seen>().tdg, vec![b]);
        assert_eq!(score(&world, b), expected(&world, b));
    }

    /// Many rows over interleaved files, a scattered subset changed: every score equals the
    /// definition, whatever the runs of dirty rows look like in the table.
    #[test]
    fn in_place_runs_agree_with_the_definition() {
        let mut world = World::new();
        world.init_resource::<Seen>();
        let files: Vec<Entity> = (0..3).map(|i| world.spawn(Churn(i * 7)).id()).collect();
        let functions: Vec<Entity> = (0..100u32)
            .map(|i| {
                let m = [i % 37, (i * 7) % 50, i % 7, (i * 13) % 200, i % 9];
                spawn_function(&mut world, files[(i % 3) as usize], m, true)
            })
            .collect();
        let mut schedule = schedule();
        schedule.run(&mut world);
        let mut changed = Vec::new();
        for (k, &f) in functions.iter().enumerate() {
            if k % 5 == 0 || (20..37).contains(&k) || k == 99 {
                world.get_mut::<Loc>(f).unwrap().0 += 3;
                changed.push(f);
            }
        }
        schedule.run(&mut world);
        for &f in &functions {
            assert_eq!(score(&world, f), expected(&world, f));
        }
        let seen = &world.resource::<Seen>().tdg;
        assert!(seen.iter().all(|e| changed.contains(e)));
        for &file in &files {
            let worst = functions
                .iter()
                .filter(|&&f| world.get::<FunctionOf>(f).unwrap().0 == file)
                .map(|&f| score(&world, f))
                .fold(0.0, f32::max);
            assert_eq!(file_score(&world, file), worst);
        }
    }

    #[test]
    fn a_file_that_lost_its_functions_drops_to_zero() {
        let mut world = World::new();
        world.init_resource::<Seen>();
        let file = world.spawn(Churn(3)).id();
        let f = spawn_function(&mut world, file, [9, 9, 2, 30, 2], true);
        let mut schedule = schedule();
        schedule.run(&mut world);
        assert!(file_score(&world, file) > 0.0);
        world.despawn(f);
        schedule.run(&mut world);
        assert_eq!(file_score(&world, file), 0.0);
    }
}
