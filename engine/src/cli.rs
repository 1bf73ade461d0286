//! The command line (clap derive).

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use codepulse_components::{AnalysisSettings, Config, Language};

/// codepulse: keeps a code base parsed and measured (cyclomatic and cognitive complexity,
/// nesting, lines and parameters of every function), live.
///
/// Exit codes: 0 ok; 1 internal error; 2 usage error, or the root (or the dump) cannot be read;
/// 3 (`query`, `context`) the symbol is unknown or ambiguous.
#[derive(Parser, Debug)]
#[command(name = "codepulse", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Keep a directory tree measured, live: warm up, then apply editor edits (socket or
    /// stdin, docs/protocol.md) and changes on disk as they come, writing payloads to the
    /// workspace's ring (docs/ring.md) until SIGINT/SIGTERM. The default command.
    Watch(WatchArgs),
    /// Analyse a directory tree once and report the functions' metrics.
    Analyze(AnalyzeArgs),
    /// Analyse the files of a code dump (`FILE: path` markers, docs/ingest.md) and report as
    /// `analyze` does. The names in the dump are names only: nothing is read or written but
    /// the dump itself (and `--config`).
    Ingest(IngestArgs),
    /// Attach to a workspace's ring and print its payloads as JSON lines (docs/ring.md).
    Tail(crate::tail::TailArgs),
    /// Ask the symbol graph of a tree (or a dump): who calls, implements, depends on a symbol;
    /// its cycles (docs/graph.md, "Queries"). Exits 3 when the symbol is unknown or ambiguous
    /// (the candidates are printed).
    Query(QueryArgs),
    /// An LLM-ready brief of one symbol: signature, doc, metrics, callers, callees, types,
    /// trimmed to a token budget (docs/graph.md, "The context brief"). Exits 3 when the symbol
    /// is unknown or ambiguous (the candidates are printed).
    Context(ContextArgs),
}

impl Cli {
    /// The command to run. Without a subcommand codepulse watches `.`.
    pub fn into_command(self) -> Command {
        self.command
            .unwrap_or_else(|| Command::Watch(WatchArgs::default()))
    }
}

/// How a pass runs, whatever it reads: shared by `analyze`, `watch` and `ingest`.
#[derive(Args, Debug, Clone)]
pub struct PassArgs {
    /// Worker threads [default: the number of available cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// Files (dump sections) larger than this many bytes are skipped.
    #[arg(long, value_name = "BYTES", default_value_t = AnalysisSettings::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,

    /// The configuration file [default: `analyze` and `watch` read codepulse.toml at the root,
    /// if present; `ingest` uses the defaults]; `watch` reloads it when it changes.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Bytes of source loaded, parsed and measured per tick of a cold pass (`analyze`, `ingest`,
    /// the warm-up of `watch`); sources and trees are dropped after each tick, so this bounds
    /// memory.
    #[arg(long, value_name = "BYTES", default_value_t = AnalysisSettings::DEFAULT_LOAD_BATCH_BYTES)]
    pub batch_bytes: u64,
}

impl Default for PassArgs {
    fn default() -> Self {
        PassArgs {
            threads: None,
            max_file_size: AnalysisSettings::DEFAULT_MAX_FILE_SIZE,
            config: None,
            batch_bytes: AnalysisSettings::DEFAULT_LOAD_BATCH_BYTES,
        }
    }
}

impl PassArgs {
    /// The thread count: `--threads`, or the available parallelism.
    pub fn threads(&self) -> usize {
        self.threads
            .or_else(|| std::thread::available_parallelism().ok())
            .map_or(1, NonZeroUsize::get)
    }

    /// The settings of a pass over `root` with these options and the languages `config`
    /// enables.
    pub fn settings(&self, root: PathBuf, config: &Config) -> AnalysisSettings {
        let mut settings = AnalysisSettings::new(root);
        settings.languages = Language::ALL
            .into_iter()
            .filter(|l| config.language(*l).enabled)
            .collect();
        settings.max_file_size = self.max_file_size;
        settings.load_batch_bytes = self.batch_bytes;
        settings
    }
}

/// What a pass over a directory tree reads and how: shared by `analyze` and `watch`.
#[derive(Args, Debug, Clone, Default)]
pub struct SourceArgs {
    #[command(flatten)]
    pub pass: PassArgs,

    /// Do not follow symbolic links during discovery.
    #[arg(long)]
    pub no_follow_symlinks: bool,
}

impl SourceArgs {
    /// The thread count: `--threads`, or the available parallelism.
    pub fn threads(&self) -> usize {
        self.pass.threads()
    }

    /// The configuration file given with `--config`.
    pub fn config(&self) -> Option<&Path> {
        self.pass.config.as_deref()
    }

    /// The settings of a pass over `root` with these options and the languages `config`
    /// enables.
    pub fn settings(&self, root: PathBuf, config: &Config) -> AnalysisSettings {
        let mut settings = self.pass.settings(root, config);
        settings.follow_symlinks = !self.no_follow_symlinks;
        settings
    }
}

#[derive(Args, Debug, Clone)]
pub struct AnalyzeArgs {
    /// The directory (or file) to analyse.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// How many of the worst functions the table shows (0: all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,

    /// After the pass, write the gate's payloads to the workspace's ring (docs/ring.md), for
    /// `codepulse tail` or an editor bridge.
    #[arg(long)]
    pub emit: bool,
}

impl Default for AnalyzeArgs {
    fn default() -> Self {
        AnalyzeArgs {
            path: PathBuf::from("."),
            source: SourceArgs::default(),
            format: Format::Table,
            top: 20,
            emit: false,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct IngestArgs {
    /// The code dump to read; `-` reads it from stdin.
    #[arg(value_name = "DUMP")]
    pub dump: PathBuf,

    #[command(flatten)]
    pub pass: PassArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// How many of the worst functions the table shows (0: all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
}

/// Where the graph comes from and how answers are printed: shared by `query` and `context`.
#[derive(Args, Debug, Clone)]
pub struct GraphArgs {
    /// The directory (or file) whose graph is asked.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub root: PathBuf,

    /// Ask the graph of a code dump instead (docs/ingest.md); `-` reads it from stdin.
    #[arg(long, value_name = "DUMP", conflicts_with = "root")]
    pub dump: Option<PathBuf>,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = AnswerFormat::Text)]
    pub format: AnswerFormat,
}

/// The format of a graph answer.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFormat {
    /// Lines for people.
    Text,
    /// One JSON object.
    Json,
}

/// The least sure edges a query follows (docs/graph.md, "Confidence").
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinConfidence {
    Exact,
    Inferred,
    NameOnly,
}

#[derive(Args, Debug, Clone)]
pub struct QueryArgs {
    #[command(subcommand)]
    pub query: QueryCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum QueryCommand {
    /// The definitions implementing or extending a trait, interface or class.
    WhatImplements {
        /// The trait, interface or class (a name, `Type::member`, `path:line`, `path:name`).
        symbol: String,
        /// Also their implementors in turn, with distances.
        #[arg(long)]
        transitive: bool,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The symbols calling a symbol.
    Callers {
        symbol: String,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The symbols a symbol calls.
    Callees {
        symbol: String,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Every definition matching a name.
    WhereDefined {
        name: String,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// Who is affected if a symbol changes: reverse calls, uses and implements edges, with
    /// distances.
    BlastRadius {
        symbol: String,
        /// How many edges away.
        #[arg(long, value_name = "N", default_value_t = codepulse_systems::graph::DEFAULT_BLAST_DEPTH)]
        depth: u32,
        #[command(flatten)]
        options: QueryOptions,
    },
    /// The strongly connected components of the call/use graph.
    FindCycles {
        #[command(flatten)]
        options: QueryOptions,
    },
}

#[derive(Args, Debug, Clone)]
pub struct QueryOptions {
    /// Ignore edges less sure than this [default: name-only for the one-step lists, inferred
    /// for blast-radius and find-cycles].
    #[arg(long, value_enum, value_name = "CONFIDENCE")]
    pub min_confidence: Option<MinConfidence>,

    #[command(flatten)]
    pub graph: GraphArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ContextArgs {
    /// The symbol (a name, `Type::member`, `path:line`, `path:name`, or a label
    /// `path:qualified_name@Lline` as answers print them).
    pub symbol: String,

    /// At most this many tokens (estimated as characters / 4) [default: no limit].
    #[arg(long, value_name = "TOKENS")]
    pub budget: Option<usize>,

    #[command(flatten)]
    pub graph: GraphArgs,
}

#[derive(Args, Debug, Clone)]
pub struct WatchArgs {
    /// The directory to watch.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    #[command(flatten)]
    pub source: SourceArgs,

    /// The protocol socket [default: beside the workspace's ring, `<ring>.sock`].
    #[arg(long, value_name = "PATH", conflicts_with = "stdin")]
    pub socket: Option<PathBuf>,

    /// Read protocol messages from stdin and write replies to stdout instead of a socket; the
    /// end of stdin stops the engine.
    #[arg(long)]
    pub stdin: bool,

    /// Do not watch the file system (only protocol messages change the engine's state).
    #[arg(long)]
    pub no_watch_files: bool,

    /// Serve Prometheus metrics (`GET /metrics`, docs/observe.md) on this address, e.g.
    /// 127.0.0.1:9464. Only loopback addresses unless --metrics-allow-remote.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,

    /// Allow --metrics-addr to bind a non-loopback address (the metrics name files' counts,
    /// not their contents, but are unauthenticated).
    #[arg(long, requires = "metrics_addr")]
    pub metrics_allow_remote: bool,
}

impl Default for WatchArgs {
    fn default() -> Self {
        WatchArgs {
            path: PathBuf::from("."),
            source: SourceArgs::default(),
            socket: None,
            stdin: false,
            no_watch_files: false,
            metrics_addr: None,
            metrics_allow_remote: false,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A table of the worst functions and a summary.
    Table,
    /// Every file and function (the machine contract).
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        <Cli as CommandFactory>::command().debug_assert();
    }

    #[test]
    fn no_arguments_watches_the_current_directory() {
        let Command::Watch(args) = Cli::parse_from(["codepulse"]).into_command() else {
            panic!("not watch");
        };
        assert_eq!(args.path, PathBuf::from("."));
        assert!(!args.stdin);
    }

    #[test]
    fn ingest_takes_a_dump_and_the_pass_options() {
        let cli = Cli::parse_from([
            "codepulse",
            "ingest",
            "-",
            "--format",
            "json",
            "--top",
            "5",
            "-j",
            "2",
            "--max-file-size",
            "10",
            "--batch-bytes",
            "7",
            "--config",
            "c.toml",
        ]);
        let Command::Ingest(args) = cli.into_command() else {
            panic!("not ingest");
        };
        assert_eq!(args.dump, PathBuf::from("-"));
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.top, 5);
        assert_eq!(args.pass.threads(), 2);
        assert_eq!(args.pass.max_file_size, 10);
        assert_eq!(args.pass.batch_bytes, 7);
        assert_eq!(args.pass.config, Some(PathBuf::from("c.toml")));
        // Discovery's options mean nothing to a dump.
        assert!(
            Cli::try_parse_from(["codepulse", "ingest", "d.txt", "--no-follow-symlinks"]).is_err()
        );
    }
}
