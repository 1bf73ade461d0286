//! The command line (clap derive).

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use codepulse_components::{AnalysisSettings, Config, Language};

/// codepulse: keeps a code base parsed and measured (cyclomatic and cognitive complexity,
/// nesting, lines and parameters of every function), live.
///
/// Exit codes: 0 ok; 1 internal error; 2 usage error or the root cannot be analysed.
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
    /// Attach to a workspace's ring and print its payloads as JSON lines (docs/ring.md).
    Tail(crate::tail::TailArgs),
}

impl Cli {
    /// The command to run. Without a subcommand codepulse watches `.`.
    pub fn into_command(self) -> Command {
        self.command
            .unwrap_or_else(|| Command::Watch(WatchArgs::default()))
    }
}

/// What a pass reads and how: shared by `analyze` and `watch`.
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// Worker threads [default: the number of available cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// Files larger than this many bytes are skipped.
    #[arg(long, value_name = "BYTES", default_value_t = AnalysisSettings::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,

    /// Do not follow symbolic links during discovery.
    #[arg(long)]
    pub no_follow_symlinks: bool,

    /// The configuration file [default: codepulse.toml at the root, if present]; `watch`
    /// reloads it when it changes.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Bytes of source loaded, parsed and measured per tick of a cold pass (`analyze`, the
    /// warm-up of `watch`); sources and trees are dropped after each tick, so this bounds memory.
    #[arg(long, value_name = "BYTES", default_value_t = AnalysisSettings::DEFAULT_LOAD_BATCH_BYTES)]
    pub batch_bytes: u64,
}

impl Default for SourceArgs {
    fn default() -> Self {
        SourceArgs {
            threads: None,
            max_file_size: AnalysisSettings::DEFAULT_MAX_FILE_SIZE,
            no_follow_symlinks: false,
            config: None,
            batch_bytes: AnalysisSettings::DEFAULT_LOAD_BATCH_BYTES,
        }
    }
}

impl SourceArgs {
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
        settings.follow_symlinks = !self.no_follow_symlinks;
        settings.load_batch_bytes = self.batch_bytes;
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

    /// The snapshot file (docs/snapshot.md): read at start so that files unchanged since it
    /// was written are not parsed again, written when idle after changes and on shutdown
    /// [default: `$XDG_CACHE_HOME/codepulse/snapshots/snapshot-<hash of the root>`].
    #[arg(long, value_name = "PATH")]
    pub snapshot: Option<PathBuf>,

    /// Neither read nor write a snapshot: every start is a cold start.
    #[arg(long, conflicts_with = "snapshot")]
    pub no_snapshot: bool,
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
            snapshot: None,
            no_snapshot: false,
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
}
