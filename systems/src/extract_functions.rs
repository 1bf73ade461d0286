//! `extract_functions`: finds the functions of every re-parsed file and keeps one entity per
//! function. A function keeps its entity as long as its [`FunctionKey`] (qualified name and
//! ordinal) survives: its [`FunctionName`] is written only when it differs and its
//! [`FunctionSpan`] is rewritten, so that `measure_functions` re-measures the functions of
//! re-parsed files while unchanged metric columns stay unmarked. Vanished functions are
//! despawned.

use std::sync::Mutex;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, FileFunctions, FunctionKey, FunctionName, FunctionOf, FunctionSpan,
    Lang, Loc, MaxNesting, Params, SourceText, SyntaxTree,
};
use hashbrown::HashMap;

use crate::analysis::{self, FunctionInfo};
use crate::lang::LangSpec;

type Extracted = Vec<(Entity, Vec<FunctionInfo>)>;

pub fn extract_functions(
    mut commands: Commands,
    files: Query<(Entity, &Lang, &SourceText, &SyntaxTree), Changed<SyntaxTree>>,
    file_functions: Query<&FileFunctions>,
    mut functions: Query<(&FunctionKey, &mut FunctionName, &mut FunctionSpan)>,
) {
    let extracted: Mutex<Extracted> = Mutex::new(Vec::new());
    files.par_iter().for_each(|(entity, lang, text, tree)| {
        let infos = analysis::extract_functions(&tree.0, &text.0, LangSpec::get(lang.0));
        extracted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((entity, infos));
    });
    let extracted = extracted.into_inner().unwrap_or_else(|e| e.into_inner());

    for (file, infos) in extracted {
        let keyed = with_keys(infos);
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
                let rows: Vec<_> = keyed
                    .into_iter()
                    .map(|(key, info)| row(file, key, &info))
                    .collect();
                commands.spawn_batch(rows);
            }
        }
    }
}

/// Pairs each function with its key: its qualified name and ordinal among same-named ones.
fn with_keys(infos: Vec<FunctionInfo>) -> Vec<(FunctionKey, FunctionInfo)> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    infos
        .into_iter()
        .map(|info| {
            let ordinal = seen.entry(info.qualified_name.clone()).or_insert(0);
            let key = FunctionKey {
                qualified: info.qualified_name.as_str().into(),
                ordinal: *ordinal,
            };
            *ordinal += 1;
            (key, info)
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
);

fn row(file: Entity, key: FunctionKey, info: &FunctionInfo) -> Row {
    (
        FunctionOf(file),
        key,
        name_of(info),
        span_of(info),
        Cyclomatic::default(),
        Cognitive::default(),
        MaxNesting::default(),
        Loc::default(),
        Params::default(),
    )
}

/// Updates a file's existing function entities in place, spawning new ones and despawning the
/// ones whose key is gone.
fn reconcile(
    commands: &mut Commands,
    file: Entity,
    existing: &[Entity],
    keyed: Vec<(FunctionKey, FunctionInfo)>,
    functions: &mut Query<(&FunctionKey, &mut FunctionName, &mut FunctionSpan)>,
) {
    let mut by_key: HashMap<FunctionKey, Entity> = HashMap::with_capacity(existing.len());
    for &entity in existing {
        if let Ok((key, _, _)) = functions.get(entity) {
            by_key.insert(key.clone(), entity);
        }
    }
    let mut new_rows = Vec::new();
    for (key, info) in keyed {
        match by_key.remove(&key).and_then(|e| functions.get_mut(e).ok()) {
            Some((_, mut name, mut span)) => {
                name.set_if_neq(name_of(&info));
                // Always written: the text inside an unmoved span may have changed, and
                // `measure_functions` re-measures what is marked here (its columns are written
                // only when a value really changes).
                *span = span_of(&info);
            }
            None => new_rows.push(row(file, key, &info)),
        }
    }
    for (_, gone) in by_key {
        commands.entity(gone).despawn();
    }
    commands.spawn_batch(new_rows);
}
