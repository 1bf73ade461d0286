//! `aggregate_files`: derives each file's [`FileTotals`] from its function rows, for the files
//! that were re-parsed or whose function rows changed.

use std::sync::atomic::Ordering;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, FileFunctions, FileTotals, FunctionOf, Loc, MaxNesting, Progress,
    SourceText, SyntaxTree,
};
use hashbrown::HashSet;

type ChangedRows = Or<(
    Changed<Cyclomatic>,
    Changed<Cognitive>,
    Changed<MaxNesting>,
    Changed<Loc>,
)>;

pub fn aggregate_files(
    mut commands: Commands,
    reparsed: Query<Entity, Changed<SyntaxTree>>,
    changed_rows: Query<&FunctionOf, ChangedRows>,
    files: Query<(
        Option<&SourceText>,
        Option<&FileFunctions>,
        Option<&FileTotals>,
    )>,
    rows: Query<(&Cyclomatic, &Cognitive, &MaxNesting, &Loc)>,
    progress: Option<Res<Progress>>,
) {
    let mut dirty: HashSet<Entity> = reparsed.iter().collect();
    dirty.extend(changed_rows.iter().map(|of| of.0));
    for file in dirty {
        let Ok((text, functions, old)) = files.get(file) else {
            continue;
        };
        // Without its text (evicted), a file keeps the line count it had.
        let lines = text.map_or_else(|| old.map_or(0, |t| t.lines), |t| line_count(&t.0));
        let mut totals = FileTotals {
            lines,
            ..FileTotals::default()
        };
        for &function in functions.map(FileFunctions::entities).unwrap_or_default() {
            let Ok((cyclomatic, cognitive, nesting, loc)) = rows.get(function) else {
                continue;
            };
            totals.functions += 1;
            totals.cyclomatic_sum += cyclomatic.0;
            totals.cyclomatic_max = totals.cyclomatic_max.max(cyclomatic.0);
            totals.cognitive_sum += cognitive.0;
            totals.cognitive_max = totals.cognitive_max.max(cognitive.0);
            totals.max_nesting = totals.max_nesting.max(nesting.0);
            totals.function_loc_sum += loc.0;
        }
        if old != Some(&totals) {
            commands.entity(file).insert(totals);
        }
        if let Some(progress) = &progress {
            progress.measured.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Physical lines: a final line without a newline counts; an empty text has 0.
fn line_count(text: &str) -> u32 {
    let newlines = text.bytes().filter(|&b| b == b'\n').count();
    let last = usize::from(!text.is_empty() && !text.ends_with('\n'));
    u32::try_from(newlines + last).unwrap_or(u32::MAX)
}
