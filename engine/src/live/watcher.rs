//! File watching (the `notify` crate): every directory discovery walks is watched on its own
//! (non-recursively, so ignored trees such as `target/` or `node_modules/` cost no watches), and
//! raw events are debounced: paths touched within [`QUIET`] of each other (at most [`MAX_WAIT`]
//! after the first) form one batch, each path once, with whether it exists at the end. An
//! editor's save storm (write a temporary file, rename it over the original, touch metadata) is
//! one change. Paths that discovery would skip (ignored, hidden, unsupported) are dropped here;
//! a new directory is watched and scanned for the files it brought.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use codepulse_components::AnalysisSettings;
use codepulse_systems::{dir_is_walked, discoverable, watched_dirs};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use hashbrown::{HashMap, HashSet};
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::input::{FileChange, Input};

/// A batch closes once no event came for this long...
pub const QUIET: Duration = Duration::from_millis(30);
/// ...or this long after its first event, whichever comes first.
pub const MAX_WAIT: Duration = Duration::from_millis(250);

/// Keeps the watcher alive (dropping it stops watching).
#[derive(Debug)]
pub struct FileWatcher {
    _thread: std::thread::JoinHandle<()>,
    pub watched: usize,
}

/// Starts watching `settings.root` (and `config`, the configuration file, wherever it is).
pub fn spawn(
    settings: AnalysisSettings,
    config: PathBuf,
    inputs: Sender<Input>,
) -> anyhow::Result<FileWatcher> {
    let (raw_tx, raw_rx) = crossbeam_channel::unbounded();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = raw_tx.send(event);
    })
    .context("cannot start watching files")?;
    let mut watched = HashSet::new();
    for dir in watched_dirs(&settings) {
        if watcher.watch(&dir, RecursiveMode::NonRecursive).is_ok() {
            watched.insert(dir);
        }
    }
    if let Some(dir) = config.parent()
        && !watched.contains(dir)
        && dir.is_dir()
    {
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch `{}`", dir.display()))?;
        watched.insert(dir.to_path_buf());
    }
    let count = watched.len();
    let mut state = Debouncer {
        settings,
        config,
        watcher,
        watched,
        touched: HashMap::new(),
    };
    let thread = std::thread::Builder::new()
        .name("codepulse-watch".into())
        .spawn(move || state.run(&raw_rx, &inputs))
        .context("cannot start the file-watching thread")?;
    Ok(FileWatcher {
        _thread: thread,
        watched: count,
    })
}

struct Debouncer {
    settings: AnalysisSettings,
    config: PathBuf,
    watcher: RecommendedWatcher,
    watched: HashSet<PathBuf>,
    /// Paths touched in the open batch (the value is unused; insertion is what matters).
    touched: HashMap<PathBuf, ()>,
}

impl Debouncer {
    fn run(&mut self, raw: &Receiver<notify::Result<notify::Event>>, inputs: &Sender<Input>) {
        let mut first: Option<Instant> = None;
        let mut last = Instant::now();
        loop {
            let event = match first {
                None => raw.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(first) => {
                    let deadline = (last + QUIET).min(first + MAX_WAIT);
                    raw.recv_deadline(deadline)
                }
            };
            match event {
                Ok(Ok(event)) => {
                    if self.note(&event) {
                        last = Instant::now();
                        first.get_or_insert(last);
                    }
                }
                // An overflowed or failed watch: nothing to batch (the next event still works).
                Ok(Err(_)) => {}
                Err(RecvTimeoutError::Timeout) => {
                    first = None;
                    if !self.flush(inputs) {
                        return;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Notes an event's paths; false if it is of no interest (reads, metadata-only access).
    fn note(&mut self, event: &notify::Event) -> bool {
        match event.kind {
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => return false,
            _ => {}
        }
        for path in &event.paths {
            self.touched.insert(path.clone(), ());
        }
        !event.paths.is_empty()
    }

    /// Closes the batch: sends the file changes and a configuration change; false when the
    /// engine is gone.
    fn flush(&mut self, inputs: &Sender<Input>) -> bool {
        let at = Instant::now();
        let touched: Vec<PathBuf> = self.touched.drain().map(|(p, ())| p).collect();
        let mut changes = Vec::new();
        let mut config_changed = false;
        for path in touched {
            if path == self.config {
                config_changed = true;
                continue;
            }
            let meta = std::fs::symlink_metadata(&path);
            match meta {
                Ok(meta) if meta.is_dir() => self.new_dir(&path, &mut changes),
                Ok(_) => {
                    if discoverable(&self.settings, &path).is_some() {
                        changes.push(FileChange { path, exists: true });
                    }
                }
                Err(_) => {
                    // Gone: a file, or a directory with files in it (the engine knows which).
                    if self.watched.remove(&path) {
                        let _ = self.watcher.unwatch(&path);
                    }
                    if path.starts_with(&self.settings.root) {
                        changes.push(FileChange {
                            path,
                            exists: false,
                        });
                    }
                }
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        changes.dedup();
        if !changes.is_empty() && inputs.send(Input::Files { changes, at }).is_err() {
            return false;
        }
        !config_changed || inputs.send(Input::ConfigChanged { at }).is_ok()
    }

    /// A directory appeared (created, or renamed into the tree): watch it and everything below
    /// that discovery walks, and report the files it holds.
    fn new_dir(&mut self, dir: &Path, changes: &mut Vec<FileChange>) {
        if self.watched.contains(dir) || !dir_is_walked(&self.settings, dir) {
            return;
        }
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            if self.watched.contains(&dir) {
                continue;
            }
            if self
                .watcher
                .watch(&dir, RecursiveMode::NonRecursive)
                .is_ok()
            {
                self.watched.insert(dir.clone());
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                match entry.file_type() {
                    Ok(t) if t.is_dir() => {
                        if dir_is_walked(&self.settings, &path) {
                            stack.push(path);
                        }
                    }
                    Ok(_) => {
                        if discoverable(&self.settings, &path).is_some() {
                            changes.push(FileChange { path, exists: true });
                        }
                    }
                    Err(_) => {}
                }
            }
        }
    }
}
