//! `codepulse query` and `codepulse context`, and the same questions asked over the live
//! protocol (`live/`): the symbol graph of an analysed world (`GraphState`), asked through
//! `codepulse_systems::graph` (docs/graph.md, "Queries"). The graph answers and renders; this
//! module builds the world, reads what the graph does not hold (doc comments from the files'
//! texts, metrics from the function rows) and prints.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, FileFunctions, FilePath, FunctionName, FunctionSpan, Lang, Loc,
    MaxNesting, Params, SourceText, Tdg,
};
use codepulse_systems::GraphState;
use codepulse_systems::graph::{
    self, Confidence, ContextExtras, Format, Lookup, Query, Request, SymbolId, SymbolInfo,
};
use serde_json::{Value, json};

use crate::UsageError;
use crate::cli::{
    AnswerFormat, ContextArgs, GraphArgs, MinConfidence, QueryArgs, QueryCommand, QueryOptions,
};
use crate::progress::ProgressLine;

/// The symbol asked about is unknown or ambiguous; the answer (with the candidates) was printed.
/// Exit code 3.
#[derive(Debug)]
pub struct Miss;

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the symbol is unknown or ambiguous")
    }
}

impl std::error::Error for Miss {}

/// An analysed world and where its files' texts are, for doc comments.
struct Analysed {
    world: World,
    texts: Texts,
}

/// Where the text of a file of the graph is read from.
enum Texts {
    /// Files under a root on disk.
    Disk,
    /// The sections of a dump.
    Dump(Box<crate::ingest::Ingested>),
}

/// `codepulse query`.
pub fn query(args: &QueryArgs) -> anyhow::Result<()> {
    let (request, options) = request_of(&args.query);
    let analysed = analyse(&options.graph)?;
    let graph = analysed.world.resource::<GraphState>().graph();
    let answer = graph::run(graph, &request);
    let rendered = match options.graph.format {
        AnswerFormat::Text => answer.render_text(),
        AnswerFormat::Json => answer.render_json() + "\n",
    };
    print(&rendered)?;
    if answer.is_error() {
        return Err(Miss.into());
    }
    Ok(())
}

/// `codepulse context`.
pub fn context(args: &ContextArgs) -> anyhow::Result<()> {
    let mut analysed = analyse(&args.graph)?;
    let format = match args.graph.format {
        AnswerFormat::Text => Format::Text,
        AnswerFormat::Json => Format::Json,
    };
    let texts = &analysed.texts;
    match brief(
        &mut analysed.world,
        &args.symbol,
        args.budget,
        format,
        |path| texts.read(path),
    ) {
        Ok(rendered) => print(&rendered),
        Err(BriefError::Budget(e)) => Err(UsageError(e.to_string()).into()),
        Err(BriefError::Miss(rendered)) => {
            print(&rendered)?;
            Err(Miss.into())
        }
    }
}

/// The request a `query` subcommand asks, and its options.
fn request_of(command: &QueryCommand) -> (Request, &QueryOptions) {
    let (query, options) = match command {
        QueryCommand::WhatImplements {
            symbol,
            transitive,
            options,
        } => (
            Query::WhatImplements {
                symbol: symbol.clone(),
                transitive: *transitive,
            },
            options,
        ),
        QueryCommand::Callers { symbol, options } => (
            Query::Callers {
                symbol: symbol.clone(),
            },
            options,
        ),
        QueryCommand::Callees { symbol, options } => (
            Query::Callees {
                symbol: symbol.clone(),
            },
            options,
        ),
        QueryCommand::WhereDefined { name, options } => {
            (Query::WhereDefined { name: name.clone() }, options)
        }
        QueryCommand::BlastRadius {
            symbol,
            depth,
            options,
        } => (
            Query::BlastRadius {
                symbol: symbol.clone(),
                depth: *depth,
            },
            options,
        ),
        QueryCommand::FindCycles { options } => (Query::FindCycles, options),
    };
    let min_confidence = options.min_confidence.map(|m| match m {
        MinConfidence::Exact => Confidence::Exact,
        MinConfidence::Inferred => Confidence::Inferred,
        MinConfidence::NameOnly => Confidence::NameOnly,
    });
    (
        Request {
            query,
            min_confidence,
        },
        options,
    )
}

/// The analysed world of `--root` (a cold pass, as `analyze`) or `--dump` (as `ingest`), with
/// its warnings on stderr.
fn analyse(args: &GraphArgs) -> anyhow::Result<Analysed> {
    let started = Instant::now();
    match &args.dump {
        Some(dump) => {
            let mut ingested = crate::ingest::world_from_dump(dump, &args.source.pass)?;
            let report = ingested.report();
            warn(&report);
            let world = std::mem::take(&mut ingested.world);
            Ok(Analysed {
                world,
                texts: Texts::Dump(Box::new(ingested)),
            })
        }
        None => {
            let root = crate::resolve_root(&args.root)?;
            let (config, _) = crate::config::load(&root, args.source.config())
                .map_err(|e| UsageError(e.to_string()))?;
            let settings = args.source.settings(root.clone(), &config);
            let (mut world, mut schedule, progress) =
                crate::new_pass(settings, config, &args.source.pass);
            let line = ProgressLine::start(progress, started);
            crate::world::run_until_settled(&mut world, &mut schedule);
            line.finish();
            let report = crate::report::Report::collect(&mut world, &root);
            warn(&report);
            Ok(Analysed {
                world,
                texts: Texts::Disk,
            })
        }
    }
}

fn warn(report: &crate::report::Report) {
    let mut err = std::io::stderr().lock();
    let _ = crate::report::write_warnings(&mut err, &report.diagnostics, crate::MAX_WARNINGS);
}

impl Texts {
    /// The text of a file of the graph, by its relative path (for a file on disk, its absolute
    /// path is the world's).
    fn read(&self, file: &TextOf<'_>) -> Option<String> {
        match self {
            Texts::Disk => std::fs::read_to_string(file.absolute).ok(),
            Texts::Dump(dump) => dump.text(file.relative),
        }
    }
}

/// A file whose text is wanted: its absolute path (on disk, or a dump's label) and its name
/// relative to the root (a dump's section name).
pub struct TextOf<'a> {
    pub absolute: &'a Path,
    pub relative: &'a str,
}

/// Why there is no brief.
pub enum BriefError {
    /// The budget cannot hold the symbol's identity.
    Budget(graph::ContextError),
    /// The symbol is unknown or ambiguous: the rendered candidates.
    Miss(String),
}

/// The context brief of `symbol` in `world`'s graph, rendered in `format` within `budget`
/// tokens. `read` gives a file's text when the world does not hold it (for its doc comment).
pub fn brief(
    world: &mut World,
    symbol: &str,
    budget: Option<usize>,
    format: Format,
    read: impl Fn(&TextOf<'_>) -> Option<String>,
) -> Result<String, BriefError> {
    let state = world.resource::<GraphState>();
    let graph = state.graph();
    let id = match graph::lookup(graph, symbol) {
        Lookup::Found(id) => id,
        Lookup::Ambiguous(ids) => return Err(BriefError::Miss(miss(graph, symbol, &ids, format))),
        Lookup::NotFound => return Err(BriefError::Miss(miss(graph, symbol, &[], format))),
    };
    let extras = extras(world, id, read);
    let graph = world.resource::<GraphState>().graph();
    let context = graph::context(graph, id, extras, format, budget).map_err(BriefError::Budget)?;
    Ok(match format {
        Format::Text => context.render(),
        Format::Json => context.render() + "\n",
    })
}

/// The rendering of a missed lookup: the candidates (none: unknown).
fn miss(graph: &graph::SymbolGraph, asked: &str, ids: &[SymbolId], format: Format) -> String {
    let candidates: Vec<SymbolInfo> = ids.iter().map(|&id| SymbolInfo::of(graph, id)).collect();
    match format {
        Format::Text if candidates.is_empty() => format!("no symbol matches `{asked}`\n"),
        Format::Text => {
            let mut out = format!(
                "`{asked}` is ambiguous: {} candidates (name one by file:name, file:line or a qualified name)\n",
                candidates.len()
            );
            for c in &candidates {
                out.push_str(&format!("  {}  {}\n", c.label(), c.kind.name()));
            }
            out
        }
        Format::Json => {
            let error = if candidates.is_empty() {
                "not-found"
            } else {
                "ambiguous"
            };
            let list: Vec<Value> = candidates
                .iter()
                .map(|c| {
                    json!({
                        "label": c.label(),
                        "file": c.file,
                        "qualified_name": c.qualified_name,
                        "kind": c.kind.name(),
                        "start_line": c.start_line,
                    })
                })
                .collect();
            json!({"symbol": asked, "error": error, "candidates": list}).to_string() + "\n"
        }
    }
}

/// The doc comment (from the file's text) and the metrics (the function row of the symbol, if
/// it is a function, and whether it is dead) of a symbol of the graph.
fn extras(
    world: &mut World,
    id: SymbolId,
    read: impl Fn(&TextOf<'_>) -> Option<String>,
) -> ContextExtras {
    let state = world.resource::<GraphState>();
    let graph = state.graph();
    let symbol = graph.symbol(id).expect("a found symbol").clone();
    let dead = state.is_dead(id);
    let Some(file) = state.file_entity(&symbol.file) else {
        return ContextExtras::default();
    };
    let mut extras = ContextExtras::default();
    if let (Some(path), Some(lang)) = (world.get::<FilePath>(file), world.get::<Lang>(file)) {
        let text = match world.get::<SourceText>(file) {
            Some(text) => Some(text.0.to_string()),
            None => read(&TextOf {
                absolute: &path.absolute,
                relative: &path.relative,
            }),
        };
        // A text changed since the analysis would misplace the doc: only a text of the same
        // length is trusted (the span's bytes must be there).
        extras.doc = text
            .filter(|t| t.len() >= symbol.end_byte)
            .and_then(|t| graph::doc_comment_above(lang.0, &t, symbol.start_byte));
    }
    let functions: Vec<Entity> = world
        .get::<FileFunctions>(file)
        .map(|f| f.entities().to_vec())
        .unwrap_or_default();
    let mut rows = world.query::<(
        &FunctionName,
        &FunctionSpan,
        &Cyclomatic,
        &Cognitive,
        &MaxNesting,
        &Loc,
        &Params,
        Option<&Tdg>,
    )>();
    for f in functions {
        let Ok((name, span, cyc, cog, nest, loc, params, tdg)) = rows.get(world, f) else {
            continue;
        };
        let same = *name.qualified == *symbol.qualified_name
            && span.start_line >= symbol.start_line
            && span.end_line <= symbol.end_line;
        if !same {
            continue;
        }
        extras.metrics = vec![
            ("cyclomatic".into(), cyc.0.to_string()),
            ("cognitive".into(), cog.0.to_string()),
            ("max_nesting".into(), nest.0.to_string()),
            ("loc".into(), loc.0.to_string()),
            ("params".into(), params.0.to_string()),
        ];
        if let Some(t) = tdg {
            extras.metrics.push(("tdg".into(), format!("{:.2}", t.0)));
        }
        break;
    }
    extras
        .metrics
        .push(("dead".into(), if dead { "yes" } else { "no" }.into()));
    extras
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => anyhow::Context::context(other, "cannot write the answer"),
    }
}
