//! `gate_files`: decides what is worth telling an editor (docs/gate.md).
//!
//! Every function gets a [`FunctionSeverity`] (ok / warning / error) from the configured
//! thresholds. A file is re-gated when any of its function rows changed, a function appeared or
//! vanished, its count of dead symbols ([`DeadSymbols`]) changed, or the configuration changed. A payload goes to the [`Outbox`] when:
//! - the file has functions at warning/error and either the severity of one of its functions
//!   changed, a metric of a function at warning/error changed or its count of dead symbols
//!   changed (its fingerprint moved): a `Defect` payload describing the worst function and
//!   carrying the file's dead symbols;
//! - the file returned to all-ok: a `Cleared` payload, so a client removes its diagnostics.
//!
//! Nothing else is emitted: an edit that changes nothing a client would show stays silent.
//!
//! A payload carries the editor's document version of an open file ([`OpenDocument`]; 0 for a
//! file read from disk) and is also kept as the file's [`LastPayload`], which
//! [`resync_payloads`] re-emits.

use std::hash::{Hash, Hasher};

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Config, Cyclomatic, DeadSymbols, DefectPayload, FileFunctions, FileGate, FilePath,
    FunctionKey, FunctionSeverity, FunctionSpan, Lang, Language, LastPayload, OpenDocument, Outbox,
    ParseErrors, PayloadKind, Severity, Tdg, language_index, path_hash, payload_flags,
};
use hashbrown::HashSet;

type ChangedRows = Or<(Changed<Cyclomatic>, Changed<Cognitive>, Changed<Tdg>)>;

type Row = (
    &'static FunctionKey,
    &'static FunctionSpan,
    &'static Cyclomatic,
    &'static Cognitive,
    Option<&'static Tdg>,
    Option<&'static mut FunctionSeverity>,
);

type FileColumns = (
    &'static FilePath,
    &'static Lang,
    Option<&'static FileFunctions>,
    Option<&'static FileGate>,
    Option<&'static ParseErrors>,
    Option<&'static OpenDocument>,
    Option<&'static DeadSymbols>,
);

#[allow(clippy::too_many_arguments)]
pub fn gate_files(
    mut commands: Commands,
    config: Res<Config>,
    changed_rows: Query<&codepulse_components::FunctionOf, ChangedRows>,
    changed_sets: Query<Entity, Changed<FileFunctions>>,
    changed_dead: Query<Entity, (Changed<DeadSymbols>, With<FileFunctions>)>,
    all_files: Query<Entity, With<FileFunctions>>,
    files: Query<FileColumns>,
    mut rows: Query<Row>,
    mut outbox: ResMut<Outbox>,
) {
    let dirty: HashSet<Entity> = if config.is_changed() {
        all_files.iter().collect()
    } else {
        changed_rows
            .iter()
            .map(|of| of.0)
            .chain(changed_sets.iter())
            .chain(changed_dead.iter())
            .collect()
    };
    let mut dirty: Vec<Entity> = dirty.into_iter().collect();
    dirty.sort_unstable();
    for file in dirty {
        let Ok((path, lang, functions, gate, parse_errors, open, dead)) = files.get(file) else {
            continue;
        };
        let functions = functions.map(FileFunctions::entities).unwrap_or_default();
        let mut summary = summarize(&config, lang.0, functions, &mut rows, &mut commands);
        summary.dead_symbols = dead.map_or(0, |d| d.0);
        if summary.severity != Severity::Ok {
            let mut hasher = std::hash::DefaultHasher::new();
            ("dead", summary.dead_symbols).hash(&mut hasher);
            summary.fingerprint ^= hasher.finish();
        }
        let old = gate.copied().unwrap_or_default();
        let mut new = FileGate {
            severity: summary.severity,
            warnings: summary.warnings,
            errors: summary.errors,
            fingerprint: summary.fingerprint,
            ..old
        };
        let kind = match (old.severity, summary.severity) {
            (Severity::Ok, Severity::Ok) => None,
            (_, Severity::Ok) => Some(PayloadKind::Cleared),
            _ if old.severity != summary.severity || old.fingerprint != summary.fingerprint => {
                Some(PayloadKind::Defect)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            new.seq = old.seq.wrapping_add(1);
            let hash = path_hash(&path.absolute);
            if !new.path_registered {
                outbox.paths.push((hash, path.absolute.clone()));
                new.path_registered = true;
            }
            let syntax = parse_errors.is_some_and(|e| e.0 > 0);
            let mut p = payload(kind, hash, lang.0, &new, &summary, &config, syntax);
            p.version = open.map_or(0, |o| o.version);
            outbox.payloads.push(p);
            commands.entity(file).insert(LastPayload(p));
        }
        if gate != Some(&new) {
            commands.entity(file).insert(new);
        }
    }
}

/// What the gate computed for one file.
#[derive(Debug, Default)]
struct Summary {
    severity: Severity,
    warnings: u16,
    errors: u16,
    fingerprint: u64,
    /// The file's dead symbols.
    dead_symbols: u32,
    /// The worst function: highest severity, then cognitive, then cyclomatic.
    worst: Option<Worst>,
}

#[derive(Debug, Clone, Copy)]
struct Worst {
    severity: Severity,
    cyclomatic: u32,
    cognitive: u32,
    tdg: f32,
    tdg_scored: Option<f32>,
    start_line: u32,
    end_line: u32,
}

fn summarize(
    config: &Config,
    language: Language,
    functions: &[Entity],
    rows: &mut Query<Row>,
    commands: &mut Commands,
) -> Summary {
    let mut summary = Summary::default();
    // Order-independent: the fingerprint XORs one hash per non-ok function.
    let mut fingerprint = 0u64;
    for &function in functions {
        let Ok((key, span, cyc, cog, tdg, severity_column)) = rows.get_mut(function) else {
            continue;
        };
        let tdg = tdg.map(|t| t.0);
        let severity = config.severity(language, cyc.0, cog.0, tdg);
        match severity_column {
            Some(mut column) => {
                column.set_if_neq(FunctionSeverity(severity));
            }
            None => {
                commands.entity(function).insert(FunctionSeverity(severity));
            }
        }
        match severity {
            Severity::Ok => continue,
            Severity::Warning => summary.warnings = summary.warnings.saturating_add(1),
            Severity::Error => summary.errors = summary.errors.saturating_add(1),
        }
        let mut hasher = std::hash::DefaultHasher::new();
        (key, severity, cyc.0, cog.0, tdg.map(f32::to_bits)).hash(&mut hasher);
        fingerprint ^= hasher.finish();
        summary.severity = summary.severity.max(severity);
        let candidate = Worst {
            severity,
            cyclomatic: cyc.0,
            cognitive: cog.0,
            tdg: tdg.unwrap_or(0.0),
            tdg_scored: tdg,
            start_line: span.start_line,
            end_line: span.end_line,
        };
        let better = summary.worst.is_none_or(|w| {
            (
                candidate.severity,
                candidate.cognitive,
                candidate.cyclomatic,
            ) > (w.severity, w.cognitive, w.cyclomatic)
        });
        if better {
            summary.worst = Some(candidate);
        }
    }
    summary.fingerprint = fingerprint;
    summary
}

fn payload(
    kind: PayloadKind,
    hash: u64,
    language: Language,
    gate: &FileGate,
    summary: &Summary,
    config: &Config,
    syntax_errors: bool,
) -> DefectPayload {
    let mut p = DefectPayload {
        file_hash: hash,
        seq: gate.seq,
        warnings: gate.warnings,
        errors: gate.errors,
        severity: gate.severity as u8,
        kind: kind as u8,
        language: u8::try_from(language_index(language)).unwrap_or(u8::MAX),
        ..DefectPayload::default()
    };
    if syntax_errors {
        p.flags |= payload_flags::SYNTAX_ERRORS;
    }
    if let (PayloadKind::Defect, Some(w)) = (kind, summary.worst) {
        p.tdg = w.tdg;
        p.cyclomatic = w.cyclomatic;
        p.cognitive = w.cognitive;
        p.start_line = w.start_line;
        p.end_line = w.end_line;
        p.dead_symbols = summary.dead_symbols;
        let bits = [
            payload_flags::CYCLOMATIC,
            payload_flags::COGNITIVE,
            payload_flags::TDG,
        ];
        let severities =
            config.metric_severities(language, w.cyclomatic, w.cognitive, w.tdg_scored);
        for (bit, severity) in bits.into_iter().zip(severities) {
            if severity != Severity::Ok {
                p.flags |= bit;
            }
        }
    }
    p
}

/// The current state of every file a client should be showing diagnostics for (its
/// [`FileGate`] severity is not ok): its [`LastPayload`] as a `Resync` payload (timestamp 0, to
/// be stamped when written), sorted by relative path. Files at ok are not included: after a
/// resync a client shows nothing for them.
pub fn resync_payloads(world: &mut World) -> Vec<DefectPayload> {
    let mut files = world.query::<(&FilePath, &FileGate, &LastPayload)>();
    let mut current: Vec<(&str, DefectPayload)> = files
        .iter(world)
        .filter(|(_, gate, _)| gate.severity != Severity::Ok)
        .map(|(path, _, last)| {
            let p = DefectPayload {
                kind: PayloadKind::Resync as u8,
                timestamp_ns: 0,
                ..last.0
            };
            (&*path.relative, p)
        })
        .collect();
    current.sort_unstable_by(|a, b| a.0.cmp(b.0));
    current.into_iter().map(|(_, p)| p).collect()
}
