//! The data of codepulse's ECS world: components (one small, plain struct per column) and
//! resources. This crate knows nothing of systems, schedules, the CLI or I/O; it only says
//! what the rows and columns are.
//!
//! Entities:
//! - a **file** entity carries [`FilePath`], [`Lang`], and once loaded [`SourceText`],
//!   [`SyntaxTree`], [`ParseErrors`], [`FileTotals`]; a file that could not be analysed carries
//!   [`Skipped`] instead.
//! - a **function** entity carries [`FunctionOf`] (its file), [`FunctionName`], [`FunctionSpan`],
//!   [`FunctionKey`] and one component per metric: [`Cyclomatic`], [`Cognitive`],
//!   [`MaxNesting`], [`Loc`], [`Params`].
//! - a **symbol** entity (a definition of the symbol graph) carries [`SymbolOf`] (its file),
//!   [`SymbolName`], [`SymbolKind`], [`SymbolVisibility`], [`SymbolSpan`], [`GraphNode`] (its id
//!   in the graph, which holds the edges) and, when nothing uses it, [`Dead`]. A file carries its
//!   extracted [`Symbols`] and its [`DeadSymbols`] and [`DeadSymbolRatio`] columns.
//!
//! In the live engine a file may also carry [`OpenDocument`], [`Recency`], [`PendingRemoval`]
//! and [`LastPayload`], and the world holds a [`SourceCache`].

mod config;
mod file;
mod function;
mod language;
mod live;
mod metrics;
mod resources;
mod symbol;
mod wire;

pub use config::{Config, LanguageConfig, Limits, Thresholds, language_index};
pub use file::{
    EditedRegion, FileFlags, FileGate, FilePath, FileTotals, IncrementalTree, Lang, ParseErrors,
    PendingEdits, PendingLoad, SkipReason, Skipped, SourceText, SyntaxTree, TextChanges, TextEdit,
    TreeEdited,
};
pub use function::{FileFunctions, FunctionKey, FunctionName, FunctionOf, FunctionSpan};
pub use language::Language;
pub use live::{LastPayload, OpenDocument, PendingRemoval, Recency, SourceCache};
pub use metrics::{
    Churn, Cognitive, Cyclomatic, DeadSymbolRatio, DeadSymbols, FileTdg, FunctionSeverity, Loc,
    MaxNesting, Params, Tdg,
};
pub use resources::{
    AnalysisSettings, ChurnRequest, Diagnostic, DiagnosticKind, Diagnostics, DiscoveryRequest,
    Progress, ProgressCounters, SettleRequest,
};
pub use symbol::{
    Dead, DefKind, Definition, FileSymbolEntities, FileSymbols, GraphNode, RefKind, Reference,
    SIGNATURE_CAP, SymbolKind, SymbolName, SymbolOf, SymbolSpan, SymbolVisibility, Symbols,
    Visibility,
};
pub use wire::{DefectPayload, Outbox, PayloadKind, Severity, path_hash, payload_flags};
