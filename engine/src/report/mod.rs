//! The report: what a run found, read out of the world into plain, sorted data, and its two
//! renderings ([`json`], [`table`]).

pub mod json;
pub mod table;

use std::collections::HashMap;
use std::path::Path;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, Dead, DeadSymbolRatio, Diagnostics, FileFlags, FilePath, FileTotals,
    FunctionName, FunctionOf, FunctionSpan, Lang, Loc, MaxNesting, Params, ParseErrors, SkipReason,
    Skipped, SymbolKind, SymbolName, SymbolOf, SymbolSpan,
};
use serde::Serialize;

/// Everything a run reports. Field names are the JSON contract (fields may be added, never
/// renamed).
#[derive(Serialize, Debug)]
pub struct Report {
    pub root: String,
    pub files: Vec<FileReport>,
    pub skipped: Vec<SkippedFile>,
    pub diagnostics: Vec<DiagnosticReport>,
    pub summary: Summary,
}

#[derive(Serialize, Debug)]
pub struct FileReport {
    pub path: String,
    pub language: &'static str,
    pub parse_errors: u32,
    pub lossy_utf8: bool,
    pub totals: Totals,
    pub functions: Vec<FunctionReport>,
    /// Share of the file's symbols that could be dead that are (docs/graph.md).
    pub dead_symbol_ratio: f32,
    /// The symbols nothing references that are neither entry points nor exported, by line.
    pub dead_symbols: Vec<DeadSymbolReport>,
}

#[derive(Serialize, Debug, Clone)]
pub struct DeadSymbolReport {
    pub name: String,
    pub qualified_name: String,
    pub kind: &'static str,
    pub start_line: u32,
    pub end_line: u32,
}

#[derive(Serialize, Debug, Clone)]
pub struct FunctionReport {
    pub name: String,
    pub qualified_name: String,
    pub start_line: u32,
    pub end_line: u32,
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
    pub loc: u32,
    pub params: u32,
    #[serde(skip)]
    pub start_byte: u32,
}

/// Per-file aggregates ([`FileTotals`]).
#[derive(Serialize, Debug, Default)]
pub struct Totals {
    pub functions: u32,
    pub cyclomatic_sum: u32,
    pub cyclomatic_max: u32,
    pub cognitive_sum: u32,
    pub cognitive_max: u32,
    pub max_nesting: u32,
    pub function_loc_sum: u32,
    pub lines: u32,
}

#[derive(Serialize, Debug)]
pub struct SkippedFile {
    pub path: String,
    pub language: &'static str,
    /// `binary`, `too-large` or `unreadable`.
    pub reason: &'static str,
    pub detail: String,
}

#[derive(Serialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DiagnosticReport {
    pub path: String,
    pub kind: &'static str,
    pub message: String,
}

#[derive(Serialize, Debug, Default)]
pub struct Summary {
    /// Files analysed (not skipped).
    pub files: usize,
    pub functions: usize,
    pub skipped: usize,
    pub files_with_parse_errors: usize,
    pub lossy_utf8_files: usize,
    pub diagnostics: usize,
    /// Dead symbols, all files together.
    pub dead_symbols: usize,
}

impl Report {
    /// Reads the report out of an analysed world: files sorted by path, functions by start
    /// line, skipped files by path, diagnostics by path.
    pub fn collect(world: &mut World, root: &Path) -> Report {
        let mut functions: HashMap<Entity, Vec<FunctionReport>> = HashMap::new();
        let mut query = world.query::<(
            &FunctionOf,
            &FunctionName,
            &FunctionSpan,
            &Cyclomatic,
            &Cognitive,
            &MaxNesting,
            &Loc,
            &Params,
        )>();
        for (of, name, span, cyc, cog, nest, loc, params) in query.iter(world) {
            functions.entry(of.0).or_default().push(FunctionReport {
                name: name.name.to_string(),
                qualified_name: name.qualified.to_string(),
                start_line: span.start_line,
                end_line: span.end_line,
                cyclomatic: cyc.0,
                cognitive: cog.0,
                max_nesting: nest.0,
                loc: loc.0,
                params: params.0,
                start_byte: span.start_byte,
            });
        }

        let mut dead: HashMap<Entity, Vec<DeadSymbolReport>> = HashMap::new();
        let mut query = world
            .query_filtered::<(&SymbolOf, &SymbolName, &SymbolKind, &SymbolSpan), With<Dead>>();
        for (of, name, kind, span) in query.iter(world) {
            dead.entry(of.0).or_default().push(DeadSymbolReport {
                name: name.name.to_string(),
                qualified_name: name.qualified.to_string(),
                kind: kind.0.name(),
                start_line: span.start_line,
                end_line: span.end_line,
            });
        }

        let mut files = Vec::new();
        let mut skipped = Vec::new();
        let mut query = world.query::<(
            Entity,
            &FilePath,
            &Lang,
            Option<&Skipped>,
            Option<&ParseErrors>,
            Option<&FileFlags>,
            Option<&FileTotals>,
            Option<&DeadSymbolRatio>,
        )>();
        for (entity, path, lang, skip, errors, flags, totals, ratio) in query.iter(world) {
            if let Some(Skipped(reason)) = skip {
                let (reason, detail) = match reason {
                    SkipReason::Binary => ("binary", "binary file".to_owned()),
                    SkipReason::TooLarge { size, limit } => (
                        "too-large",
                        format!("{size} bytes, over the limit of {limit} bytes"),
                    ),
                    SkipReason::Unreadable(why) => ("unreadable", why.clone()),
                };
                skipped.push(SkippedFile {
                    path: path.relative.to_string(),
                    language: lang.0.name(),
                    reason,
                    detail,
                });
                continue;
            }
            let mut rows = functions.remove(&entity).unwrap_or_default();
            rows.sort_by(|a, b| {
                (a.start_line, a.start_byte, &a.qualified_name).cmp(&(
                    b.start_line,
                    b.start_byte,
                    &b.qualified_name,
                ))
            });
            files.push(FileReport {
                path: path.relative.to_string(),
                language: lang.0.name(),
                parse_errors: errors.map_or(0, |e| e.0),
                lossy_utf8: flags.is_some_and(|f| f.contains(FileFlags::LOSSY_UTF8)),
                totals: totals.copied().map(Totals::from).unwrap_or_default(),
                functions: rows,
                dead_symbol_ratio: ratio.map_or(0.0, |r| r.0),
                dead_symbols: {
                    let mut d = dead.remove(&entity).unwrap_or_default();
                    d.sort_by(|a, b| {
                        (a.start_line, &a.qualified_name).cmp(&(b.start_line, &b.qualified_name))
                    });
                    d
                },
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        skipped.sort_by(|a, b| a.path.cmp(&b.path));

        let mut diagnostics: Vec<DiagnosticReport> = world
            .get_resource::<Diagnostics>()
            .map(|d| {
                d.0.iter()
                    .map(|d| DiagnosticReport {
                        path: d.path.clone(),
                        kind: d.kind.name(),
                        message: d.message.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        diagnostics.sort();
        diagnostics.dedup();

        let summary = Summary {
            files: files.len(),
            functions: files.iter().map(|f| f.functions.len()).sum(),
            skipped: skipped.len(),
            files_with_parse_errors: files.iter().filter(|f| f.parse_errors > 0).count(),
            lossy_utf8_files: files.iter().filter(|f| f.lossy_utf8).count(),
            diagnostics: diagnostics.len(),
            dead_symbols: files.iter().map(|f| f.dead_symbols.len()).sum(),
        };
        Report {
            root: root.display().to_string(),
            files,
            skipped,
            diagnostics,
            summary,
        }
    }
}

impl From<FileTotals> for Totals {
    fn from(t: FileTotals) -> Totals {
        Totals {
            functions: t.functions,
            cyclomatic_sum: t.cyclomatic_sum,
            cyclomatic_max: t.cyclomatic_max,
            cognitive_sum: t.cognitive_sum,
            cognitive_max: t.cognitive_max,
            max_nesting: t.max_nesting,
            function_loc_sum: t.function_loc_sum,
            lines: t.lines,
        }
    }
}

/// Writes the diagnostics to `out` as `codepulse: warning: <path>: <message>` lines, at most
/// `cap` of them, then `... and N more` if some were left out.
pub fn write_warnings(
    out: &mut impl std::io::Write,
    diagnostics: &[DiagnosticReport],
    cap: usize,
) -> std::io::Result<()> {
    for d in diagnostics.iter().take(cap) {
        let message = d.message.replace(['\n', '\r'], " ");
        writeln!(out, "codepulse: warning: {}: {message}", d.path)?;
    }
    if diagnostics.len() > cap {
        writeln!(
            out,
            "codepulse: warning: ... and {} more",
            diagnostics.len() - cap
        )?;
    }
    Ok(())
}
