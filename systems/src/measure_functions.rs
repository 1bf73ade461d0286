//! `measure_functions`: finds and measures the functions of every re-parsed file, in parallel,
//! with one walk per file (`analysis::analyze_tree`), and keeps one entity per function.
//!
//! A function keeps its entity as long as its [`FunctionKey`] (qualified name and ordinal)
//! survives; every column ([`FunctionName`], [`FunctionSpan`] and each metric) is written only
//! when its value changes, so `Changed<Cyclomatic>` and friends mark exactly the rows whose
//! metric moved. Functions that vanished are despawned, new ones spawned.
//!
//! Finding and measuring are one system because they are one walk: a second walk over every
//! function's subtree cost as much as the first (docs/benchmarks.md).

use std::sync::Mutex;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, FileFunctions, FunctionKey, FunctionName, FunctionOf, FunctionSpan,
    Lang, Loc, MaxNesting, Params, SourceText, SyntaxTree, Tdg,
};
use hashbrown::HashMap;

use crate::analysis::{self, FunctionInfo, Metrics, loc};
use crate::lang::LangSpec;
use crate::parallel::{self, WorkerThreads};

type Measured = Vec<(FunctionInfo, Metrics)>;

type Row = (
    FunctionOf,
    FunctionKey,
    FunctionName,
    FunctionSpan,
    Cyclomatic,
    Cognitive,
    MaxNesting,
    Loc,
    Params,
    Tdg,
);

type Columns = (
    &'static FunctionKey,
    &'static mut FunctionName,
    &'static mut FunctionSpan,
    &'static mut Cyclomatic,
    &'static mut Cognitive,
    &'static mut MaxNesting,
    &'static mut Loc,
    &'static mut Params,
);

pub fn measure_functions(
    mut commands: Commands,
    files: Query<(Entity, &Lang, &SourceText, &SyntaxTree), Changed<SyntaxTree>>,
    file_functions: Query<&FileFunctions>,
    mut functions: Query<Columns>,
    threads: Option<Res<WorkerThreads>>,
) {
    let mut work: Vec<(Entity, &Lang, &SourceText, &SyntaxTree)> = files.iter().collect();
    // Largest first, so that the threads finish together.
    work.sort_unstable_by_key(|(_, _, text, _)| std::cmp::Reverse(text.0.len()));
    let measured: Mutex<Vec<(Entity, Measured)>> = Mutex::new(Vec::with_capacity(work.len()));
    parallel::for_each(
        &work,
        threads.map_or(1, |t| t.0),
        |&(entity, lang, text, tree)| {
            let rows = analysis::analyze_tree(&tree.0, &text.0, LangSpec::get(lang.0));
            measured
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((entity, rows));
        },
    );
    let measured = measured.into_inner().unwrap_or_else(|e| e.into_inner());

    for (file, rows) in measured {
        let keyed = with_keys(rows);
        match file_functions.get(file) {
            Ok(existing) if !existing.entities().is_empty() => {
                reconcile(
                    &mut commands,
                    file,
                    existing.entities(),
                    keyed,
                    &mut functions,
                );
            }
            _ => {
                let rows: Vec<Row> = keyed
                    .into_iter()
                    .map(|(key, (info, m))| row(file, key, &info, &m))
                    .collect();
                commands.spawn_batch(rows);
            }
        }
    }
}

/// Pairs each function with its key: its qualified name and ordinal among same-named ones.
fn with_keys(rows: Measured) -> Vec<(FunctionKey, (FunctionInfo, Metrics))> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    rows.into_iter()
        .map(|(info, metrics)| {
            let ordinal = seen.entry(info.qualified_name.clone()).or_insert(0);
            let key = FunctionKey {
                qualified: info.qualified_name.as_str().into(),
                ordinal: *ordinal,
            };
            *ordinal += 1;
            (key, (info, metrics))
        })
        .collect()
}

fn name_of(info: &FunctionInfo) -> FunctionName {
    FunctionName {
        name: info.name.as_str().into(),
        qualified: info.qualified_name.as_str().into(),
    }
}

fn span_of(info: &FunctionInfo) -> FunctionSpan {
    FunctionSpan {
        start_byte: u32::try_from(info.start_byte).unwrap_or(u32::MAX),
        end_byte: u32::try_from(info.end_byte).unwrap_or(u32::MAX),
        start_line: info.start_line,
        end_line: info.end_line,
        depth: info.depth,
    }
}

fn row(file: Entity, key: FunctionKey, info: &FunctionInfo, m: &Metrics) -> Row {
    (
        FunctionOf(file),
        key,
        name_of(info),
        span_of(info),
        Cyclomatic(m.cyclomatic),
        Cognitive(m.cognitive),
        MaxNesting(m.max_nesting),
        Loc(loc(info.start_line, info.end_line)),
        Params(m.params),
        // Scored by `score_tdg` in the same tick; present from the start so new rows take its
        // in-place column path.
        Tdg::default(),
    )
}

/// Updates a file's existing function entities in place, spawning new ones and despawning the
/// ones whose key is gone.
fn reconcile(
    commands: &mut Commands,
    file: Entity,
    existing: &[Entity],
    keyed: Vec<(FunctionKey, (FunctionInfo, Metrics))>,
    functions: &mut Query<Columns>,
) {
    let mut by_key: HashMap<FunctionKey, Entity> = HashMap::with_capacity(existing.len());
    for &entity in existing {
        if let Ok((key, ..)) = functions.get(entity) {
            by_key.insert(key.clone(), entity);
        }
    }
    let mut new_rows = Vec::new();
    for (key, (info, m)) in keyed {
        let Some(entity) = by_key.remove(&key) else {
            new_rows.push(row(file, key, &info, &m));
            continue;
        };
        let Ok((_, mut name, mut span, mut cyc, mut cog, mut nest, mut lines, mut params)) =
            functions.get_mut(entity)
        else {
            continue;
        };
        name.set_if_neq(name_of(&info));
        span.set_if_neq(span_of(&info));
        cyc.set_if_neq(Cyclomatic(m.cyclomatic));
        cog.set_if_neq(Cognitive(m.cognitive));
        nest.set_if_neq(MaxNesting(m.max_nesting));
        lines.set_if_neq(Loc(loc(info.start_line, info.end_line)));
        params.set_if_neq(Params(m.params));
    }
    for (_, gone) in by_key {
        commands.entity(gone).despawn();
    }
    commands.spawn_batch(new_rows);
}
