//! The snapshot of `codepulse watch` (docs/snapshot.md): what the analysis computed from each
//! file's text, written to a file so that a restart on an unchanged tree parses nothing it
//! already knows.
//!
//! - [`format`]: the bytes (encode, and a decode that checks everything and trusts nothing);
//! - [`collect`]: the world's analysed files as records;
//! - [`load`] and [`write_atomic`]: the file (read whole; written to a temporary file in the same
//!   directory, synced, then renamed over the old one);
//! - [`Snapshots`]: when the live engine writes (idle after changes, debounced, on a
//!   background thread; and once more on a clean shutdown).
//!
//! The engine reads the snapshot before the warm-up and hands it to the world as a
//! [`WarmStart`](codepulse_components::WarmStart) resource; `restore_files` does the rest.

pub mod format;

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bevy_ecs::prelude::*;
use codepulse_components::{
    AnalysisSettings, Cognitive, ContentHash, Cyclomatic, FileFunctions, FilePath, FileTotals,
    FunctionKey, FunctionName, FunctionSpan, IncrementalTree, Lang, MaxNesting, Params,
    ParseErrors, PendingEdits, PendingLoad, PendingRemoval, Skipped, StoredFile, StoredFunction,
    Symbols, TreeEdited, path_hash,
};

pub use format::{Header, Rejected};

/// Overrides the directory snapshots are kept in (tests, sandboxes).
pub const SNAPSHOT_DIR_ENV: &str = "CODEPULSE_SNAPSHOT_DIR";

/// How long the engine must have been without changes before it writes a snapshot.
pub const QUIET: Duration = Duration::from_secs(30);

/// The directory of this user's snapshots: `$CODEPULSE_SNAPSHOT_DIR` if set, else
/// `$XDG_CACHE_HOME/codepulse/snapshots` when `XDG_CACHE_HOME` is an absolute path, else
/// `$HOME/.cache/codepulse/snapshots`, else a `snapshots` directory beside the rings.
pub fn snapshot_dir() -> PathBuf {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = env(SNAPSHOT_DIR_ENV) {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = env("XDG_CACHE_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return xdg.join("codepulse/snapshots");
    }
    if let Some(home) = env("HOME").map(PathBuf::from)
        && home.is_absolute()
    {
        return home.join(".cache/codepulse/snapshots");
    }
    codepulse_ring::ring_dir().join("snapshots")
}

/// The default snapshot of the workspace whose canonical root is `root`:
/// `<snapshot dir>/snapshot-<xxh3-64 of the root, 16 hex digits>` (the ring's naming).
pub fn default_path(root: &Path) -> PathBuf {
    snapshot_dir().join(format!("snapshot-{:016x}", path_hash(root)))
}

/// A hash of the settings that decide which files are analysed and how they are read: the
/// enabled languages, the size limit and whether symbolic links are followed. A snapshot
/// written under other settings is not used (one cold start after such a change).
pub fn settings_hash(settings: &AnalysisSettings) -> u64 {
    let mut key = Vec::with_capacity(32);
    for l in &settings.languages {
        key.extend_from_slice(l.name().as_bytes());
        key.push(0);
    }
    key.push(0xff);
    key.extend_from_slice(&settings.max_file_size.to_le_bytes());
    key.push(u8::from(settings.follow_symlinks));
    xxhash_rust::xxh3::xxh3_64(&key)
}

/// Reads and decodes the snapshot at `path` for `expected`. `Ok(None)` when there is none.
pub fn load(path: &Path, expected: &Header) -> Result<Option<Vec<StoredFile>>, Rejected> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Rejected::Unreadable(e.to_string())),
    };
    format::decode(&bytes, expected).map(Some)
}

/// Writes `bytes` to `path` so that the file is always either the old snapshot or the new
/// one: to `<path>.tmp-<pid>` in the same directory (created 0700 if missing), mode 0600,
/// synced, renamed over `path`, and the directory synced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let mut name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?
        .to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    let temp = dir.join(name);
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Every analysed file of the world that is settled, as a record, by path. Left out (they are
/// evaluated afresh at the next start): skipped files, files waiting to be loaded, edited or
/// removed, and files whose tree came from an incremental reparse (not yet settled: their rows
/// may differ from a cold parse's).
pub fn collect(world: &mut World) -> Vec<StoredFile> {
    let mut files = world.query_filtered::<(
        &FilePath,
        &Lang,
        &ContentHash,
        &FileTotals,
        &ParseErrors,
        &Symbols,
        Option<&FileFunctions>,
    ), (
        Without<Skipped>,
        Without<PendingLoad>,
        Without<PendingEdits>,
        Without<PendingRemoval>,
        Without<IncrementalTree>,
        Without<TreeEdited>,
    )>();
    let mut rows = world.query::<(
        &FunctionKey,
        &FunctionName,
        &FunctionSpan,
        &Cyclomatic,
        &Cognitive,
        &MaxNesting,
        &Params,
    )>();
    let world = &*world;
    let mut out: Vec<StoredFile> = files
        .iter(world)
        .map(|(path, lang, hash, totals, errors, symbols, functions)| {
            let mut functions: Vec<StoredFunction> = functions
                .map(FileFunctions::entities)
                .unwrap_or_default()
                .iter()
                .filter_map(|&e| rows.get(world, e).ok())
                .map(|(key, name, span, cyc, cog, nest, params)| StoredFunction {
                    name: name.clone(),
                    ordinal: key.ordinal,
                    span: *span,
                    cyclomatic: cyc.0,
                    cognitive: cog.0,
                    max_nesting: nest.0,
                    params: params.0,
                })
                .collect();
            // The walk's order, in which a cold pass spawns them.
            functions.sort_unstable_by_key(|f| (f.span.start_byte, f.span.depth));
            StoredFile {
                path: path.relative.clone(),
                language: lang.0,
                hash: *hash,
                totals: *totals,
                parse_errors: *errors,
                functions,
                symbols: symbols.0.clone(),
            }
        })
        .collect();
    out.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    out
}

/// What one write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    pub bytes: usize,
    /// Collecting the records from the world (the engine thread's part).
    pub collected: Duration,
    /// Encoding and writing (a background thread's part, when idle).
    pub took: Duration,
}

/// Encodes and writes a snapshot of `files`, collected in `collected`.
fn encode_and_write(
    path: &Path,
    header: &Header,
    files: &[StoredFile],
    collected: Duration,
) -> io::Result<Written> {
    let start = Instant::now();
    let bytes = format::encode(header, files);
    write_atomic(path, &bytes)?;
    Ok(Written {
        files: files.len(),
        bytes: bytes.len(),
        collected,
        took: start.elapsed(),
    })
}

/// The records of `world`, and how long collecting them took.
fn timed_collect(world: &mut World) -> (Vec<StoredFile>, Duration) {
    let start = Instant::now();
    let files = collect(world);
    (files, start.elapsed())
}

/// When the live engine writes its snapshot: once it has been quiet for [`QUIET`] after a
/// change (on a background thread: the engine thread only collects the records), and on a
/// clean shutdown if anything changed since the last write.
#[derive(Debug)]
pub struct Snapshots {
    pub path: PathBuf,
    header: Header,
    /// The world changed since the snapshot on disk was written (or read).
    dirty: bool,
    last_change: Instant,
    writing: Option<JoinHandle<io::Result<Written>>>,
    /// Snapshots written by this run.
    pub writes: u64,
}

impl Snapshots {
    pub fn new(path: PathBuf, header: Header) -> Snapshots {
        Snapshots {
            path,
            header,
            dirty: false,
            last_change: Instant::now(),
            writing: None,
            writes: 0,
        }
    }

    /// The world changed at `now` (a tick ran).
    pub fn changed(&mut self, now: Instant) {
        self.dirty = true;
        self.last_change = now;
    }

    /// Whether a write is due at `now`: something changed, nothing changed for [`QUIET`], and
    /// no write is under way.
    pub fn due(&self, now: Instant) -> bool {
        self.dirty
            && self.writing.is_none()
            && now.saturating_duration_since(self.last_change) >= QUIET
    }

    /// Collects the records and writes them on a background thread.
    pub fn write_in_background(&mut self, world: &mut World) {
        let (files, collected) = timed_collect(world);
        let (path, header) = (self.path.clone(), self.header.clone());
        self.dirty = false;
        self.writing = Some(std::thread::spawn(move || {
            encode_and_write(&path, &header, &files, collected)
        }));
    }

    /// The result of a background write that has finished, if any.
    pub fn poll(&mut self) -> Option<io::Result<Written>> {
        if !self.writing.as_ref()?.is_finished() {
            return None;
        }
        self.join()
    }

    fn join(&mut self) -> Option<io::Result<Written>> {
        let result = match self.writing.take()?.join() {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the writing thread panicked")),
        };
        self.writes += u64::from(result.is_ok());
        Some(result)
    }

    /// On shutdown: waits for a write under way, then writes the current state if it changed
    /// since. What each of them did, in order.
    pub fn finish(&mut self, world: &mut World) -> Vec<io::Result<Written>> {
        let mut done: Vec<_> = self.join().into_iter().collect();
        if self.dirty {
            self.dirty = false;
            let (files, collected) = timed_collect(world);
            let result = encode_and_write(&self.path, &self.header, &files, collected);
            self.writes += u64::from(result.is_ok());
            done.push(result);
        }
        done
    }
}

#[cfg(test)]
mod tests;
