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
//!
//! After an edit (the file carries [`TextChanges`]), only the functions the edits or the syntax
//! changes touch are walked: a function that no other function encloses and that nothing
//! touched keeps its rows and those of the functions nested in it, found again at their place in
//! the text before the edits and moved by the edits before them; the walk does not enter it.
//! Its name and qualified name are taken anew (an edit outside it may rename it, e.g. its
//! `impl` or class), and when they differ from its row's it is walked after all. The result is
//! a whole walk's (`systems/tests/incremental.rs`), at the cost of walking only what changed and
//! the code between functions.

use std::sync::Mutex;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, FileFunctions, FunctionKey, FunctionName, FunctionOf, FunctionSpan,
    Lang, Loc, MaxNesting, Params, SourceText, SyntaxTree, Tdg, TextChanges,
};
use hashbrown::HashMap;

use crate::ZoneFile;
use crate::analysis::{self, FunctionInfo, Metrics, loc};
use crate::lang::LangSpec;
use crate::parallel::{self, WorkerThreads};
use tree_sitter::Node;

type Measured = Vec<(FunctionInfo, Metrics)>;

pub(crate) type Row = (
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

type Work<'w> = (
    Entity,
    &'w Lang,
    &'w SourceText,
    &'w SyntaxTree,
    Option<&'w TextChanges>,
    ZoneFile<'w>,
);

pub fn measure_functions(
    mut commands: Commands,
    files: Query<Work<'static>, Changed<SyntaxTree>>,
    file_functions: Query<&FileFunctions>,
    mut functions: Query<Columns>,
    threads: Option<Res<WorkerThreads>>,
) {
    let mut work: Vec<Work> = files.iter().collect();
    // Largest first, so that the threads finish together.
    work.sort_unstable_by_key(|(_, _, text, ..)| std::cmp::Reverse(text.0.len()));
    // The current rows of edited files, which the walk may keep.
    let before: Vec<Option<Vec<OldRow>>> = work
        .iter()
        .map(|&(file, _, _, _, changes, _)| {
            changes?;
            let existing = file_functions.get(file).ok()?.entities();
            Some(old_rows(existing, &functions))
        })
        .collect();
    let items: Vec<(&Work, Option<&Vec<OldRow>>)> =
        work.iter().zip(before.iter().map(Option::as_ref)).collect();
    let measured: Mutex<Vec<(Entity, Measured)>> = Mutex::new(Vec::with_capacity(work.len()));
    parallel::for_each(
        &items,
        threads.map_or(1, |t| t.0),
        |&(&(entity, lang, text, tree, changes, file), old)| {
            file_zone!("measure_file", file);
            let spec = LangSpec::get(lang.0);
            let rows = match (changes, old) {
                (Some(changes), Some(old)) => {
                    let mut reuse =
                        |node: Node<'_>, info: &FunctionInfo| reused(changes, old, node, info);
                    analysis::analyze_tree_reusing(&tree.0, &text.0, spec, &mut reuse)
                }
                _ => analysis::analyze_tree(&tree.0, &text.0, spec),
            };
            measured
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((entity, rows));
        },
    );
    let measured = measured.into_inner().unwrap_or_else(|e| e.into_inner());
    for &(file, _, _, _, changes, _) in &work {
        if changes.is_some() {
            commands.entity(file).remove::<TextChanges>();
        }
    }
    drop(before);

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

/// A function's current row, borrowed from the world.
struct OldRow<'w> {
    name: &'w FunctionName,
    span: FunctionSpan,
    metrics: Metrics,
}

/// The rows of `existing`, in the walk's order (by start, a function before those nested in it).
fn old_rows<'w>(existing: &[Entity], functions: &'w Query<Columns>) -> Vec<OldRow<'w>> {
    let mut rows: Vec<OldRow> = existing
        .iter()
        .filter_map(|&e| functions.get(e).ok())
        .map(|(_, name, span, cyc, cog, nest, _, params)| OldRow {
            name,
            span: *span,
            metrics: Metrics {
                cyclomatic: cyc.0,
                cognitive: cog.0,
                max_nesting: nest.0,
                params: params.0,
            },
        })
        .collect();
    rows.sort_unstable_by_key(|r| (r.span.start_byte, r.span.depth));
    rows
}

/// The rows of the function at `node` (named `info` now) and of the functions nested in it,
/// when nothing touched it since `old` was measured: found at its place before the edits, moved
/// to where it is now. `None` (walk it) when it was touched or its row is not found as it is.
fn reused(
    changes: &TextChanges,
    old: &[OldRow],
    node: Node<'_>,
    info: &FunctionInfo,
) -> Option<Measured> {
    let (start, end) = (node.start_byte(), node.end_byte());
    if changes.touches(start, end) {
        return None;
    }
    let old_start = u32::try_from(changes.to_old(start)).ok()?;
    let at = old.partition_point(|r| r.span.start_byte < old_start);
    let own = old.get(at)?;
    let same = own.span.start_byte == old_start
        && own.span.depth == 0
        && (own.span.end_byte - own.span.start_byte) as usize == end - start
        && *own.name.name == *info.name
        && *own.name.qualified == *info.qualified_name;
    if !same {
        return None;
    }
    let bytes = |b: u32| (b - old_start) as usize + start;
    let line_shift = i64::from(info.end_line) - i64::from(own.span.end_line);
    let line = |l: u32| u32::try_from(i64::from(l) + line_shift).unwrap_or(0);
    let mut rows = vec![(info.clone(), own.metrics)];
    for nested in old[at + 1..]
        .iter()
        .take_while(|r| r.span.start_byte < own.span.end_byte)
    {
        if nested.span.end_byte > own.span.end_byte || nested.span.depth == 0 {
            return None;
        }
        let info = FunctionInfo {
            name: nested.name.name.to_string(),
            qualified_name: nested.name.qualified.to_string(),
            start_byte: bytes(nested.span.start_byte),
            end_byte: bytes(nested.span.end_byte),
            start_line: line(nested.span.start_line),
            end_line: line(nested.span.end_line),
            depth: nested.span.depth,
        };
        rows.push((info, nested.metrics));
    }
    Some(rows)
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
    function_row(file, key, name_of(info), span_of(info), m)
}

/// A function entity's components (`restore_files` spawns stored rows with it too, so a
/// restored row is a measured one's).
pub(crate) fn function_row(
    file: Entity,
    key: FunctionKey,
    name: FunctionName,
    span: FunctionSpan,
    m: &Metrics,
) -> Row {
    (
        FunctionOf(file),
        key,
        name,
        span,
        Cyclomatic(m.cyclomatic),
        Cognitive(m.cognitive),
        MaxNesting(m.max_nesting),
        Loc(loc(span.start_line, span.end_line)),
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
