//! `discover_files`: walks [`AnalysisSettings::root`] and spawns one file entity per source file.
//!
//! The walk uses the `ignore` crate (the walker behind ripgrep): `.gitignore` (also outside a
//! git repository), `.ignore`, `.git/info/exclude` and the global git excludes are respected,
//! hidden entries are skipped, and so are the directories named in [`SKIPPED_DIRS`]. The root
//! itself is never filtered out. Symbolic links are followed when
//! [`AnalysisSettings::follow_symlinks`] is set; a link that points back to one of its ancestors
//! is reported as a [`DiagnosticKind::SymlinkLoop`] and not followed, and a file reachable
//! through several paths is kept once, under its smallest relative path.
//!
//! Entries that are neither directories nor symbolic links (regular files, but also sockets and
//! FIFOs with a source extension) become file entities; `load_sources` skips what it cannot
//! read and says why, so nothing is dropped silently.
//!
//! The walk runs on several threads; its results are sorted by relative path before entities
//! are spawned, so the order of discovery never shows in the output.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bevy_ecs::prelude::*;
use codepulse_components::{
    AnalysisSettings, Diagnostic, DiagnosticKind, Diagnostics, DiscoveryRequest, FilePath, Lang,
    Language, PendingLoad, Progress,
};
use hashbrown::{HashMap, HashSet};
use ignore::{WalkBuilder, WalkState};

/// Directory names that are never descended into (below the root): dependencies, vendored
/// code, build output, caches and version-control metadata. Matched exactly against a
/// directory's file name. Hidden directories (`.name`) are skipped anyway; the hidden names
/// here document intent and keep them skipped should hidden filtering ever be relaxed.
pub const SKIPPED_DIRS: &[&str] = &[
    // version control
    ".git",
    ".hg",
    ".svn",
    // dependencies and vendored code
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "third_party",
    "site-packages",
    ".venv",
    "venv",
    // build output
    "target",
    "build",
    "dist",
    "out",
    // caches
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
    ".gradle",
    ".next",
];

/// Whether a directory with this name is skipped (see [`SKIPPED_DIRS`]).
pub fn is_skipped_dir(name: &OsStr) -> bool {
    name.to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n))
}

/// A source file found by [`walk`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    /// The path as walked (under the root, not canonicalised).
    pub absolute: PathBuf,
    /// The path relative to the root with `/` separators.
    pub relative: String,
    pub language: Language,
}

/// What [`walk`] found: files sorted by relative path and de-duplicated, and the trouble met.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<FoundFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The system: walks the root and spawns `(FilePath, Lang, PendingLoad)` for every file not
/// already present. It runs while a [`DiscoveryRequest`] exists and consumes it.
pub fn discover_files(
    mut commands: Commands,
    settings: Res<AnalysisSettings>,
    existing: Query<&FilePath>,
    mut diagnostics: ResMut<Diagnostics>,
    progress: Option<Res<Progress>>,
) {
    let threads = bevy_tasks::ComputeTaskPool::try_get().map_or(1, |pool| pool.thread_num());
    let discovery = walk(&settings, threads);
    let known: HashSet<&str> = existing.iter().map(|p| &*p.relative).collect();
    commands.remove_resource::<DiscoveryRequest>();
    let new: Vec<(FilePath, Lang, PendingLoad)> = discovery
        .files
        .into_iter()
        .filter(|f| !known.contains(f.relative.as_str()))
        .map(|f| {
            let path = FilePath {
                absolute: f.absolute,
                relative: f.relative.into_boxed_str(),
            };
            (path, Lang(f.language), PendingLoad)
        })
        .collect();
    if let Some(progress) = progress {
        progress
            .discovered
            .fetch_add(new.len() as u64, Ordering::Relaxed);
    }
    commands.spawn_batch(new);
    diagnostics.0.extend(discovery.diagnostics);
}

/// One result of the walk, gathered per walker thread.
enum Found {
    File {
        absolute: PathBuf,
        language: Language,
    },
    Trouble(Diagnostic),
}

/// Gathers a walker thread's results locally and hands them over when the thread is done.
struct Collector {
    local: Vec<Found>,
    sink: Arc<Mutex<Vec<Found>>>,
}

impl Drop for Collector {
    fn drop(&mut self) {
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        sink.append(&mut self.local);
    }
}

/// Walks `settings.root` on up to `threads` threads (see the module documentation).
pub fn walk(settings: &AnalysisSettings, threads: usize) -> Discovery {
    let root = settings.root.as_path();
    let follow = settings.follow_symlinks;
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(true)
        .hidden(true)
        .require_git(false)
        .follow_links(follow)
        .threads(threads.max(1))
        .filter_entry(|entry| {
            entry.depth() == 0
                || !entry.file_type().is_some_and(|t| t.is_dir())
                || !is_skipped_dir(entry.file_name())
        });

    let sink = Arc::new(Mutex::new(Vec::new()));
    let saw_symlink = AtomicBool::new(false);
    builder.build_parallel().run(|| {
        let mut collector = Collector {
            local: Vec::new(),
            sink: Arc::clone(&sink),
        };
        let saw_symlink = &saw_symlink;
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    if let Some(err) = entry.error() {
                        collector.local.push(Found::Trouble(diagnostic(root, err)));
                    }
                    if entry.path_is_symlink() {
                        saw_symlink.store(true, Ordering::Relaxed);
                    }
                    let Some(file_type) = entry.file_type() else {
                        return WalkState::Continue; // stdin: never walked here
                    };
                    if file_type.is_dir() || file_type.is_symlink() {
                        // A symlink still reported as such is one we do not follow.
                        return WalkState::Continue;
                    }
                    let language = Language::from_path(entry.path())
                        .filter(|l| settings.languages.contains(l));
                    if let Some(language) = language {
                        let absolute = entry.into_path();
                        collector.local.push(Found::File { absolute, language });
                    }
                }
                Err(err) => collector.local.push(Found::Trouble(diagnostic(root, &err))),
            }
            WalkState::Continue
        })
    });

    let found = std::mem::take(&mut *sink.lock().unwrap_or_else(PoisonError::into_inner));
    let mut discovery = Discovery::default();
    for item in found {
        match item {
            Found::File { absolute, language } => {
                let relative = relative_path(root, &absolute);
                discovery.files.push(FoundFile {
                    absolute,
                    relative,
                    language,
                });
            }
            Found::Trouble(d) => discovery.diagnostics.push(d),
        }
    }
    discovery
        .files
        .sort_unstable_by(|a, b| a.relative.cmp(&b.relative));
    discovery.files.dedup_by(|a, b| a.relative == b.relative);
    if follow && saw_symlink.load(Ordering::Relaxed) {
        dedup_by_identity(&mut discovery.files);
    }
    discovery
        .diagnostics
        .sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    discovery.diagnostics.dedup();
    discovery
}

/// Keeps one of the files that are the same file on disk: the one at its real location (not
/// reached through a link) if it is under the root, else the one with the smallest relative
/// path. Candidates share a device and inode; they are confirmed by their canonical paths.
fn dedup_by_identity(files: &mut Vec<FoundFile>) {
    let mut groups: HashMap<FileIdentity, Vec<usize>> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        if let Some(id) = file_identity(&f.absolute) {
            groups.entry(id).or_default().push(i);
        }
    }
    let mut drop = vec![false; files.len()];
    for members in groups.values().filter(|m| m.len() > 1) {
        // Members are in relative-path order; unresolvable paths are kept (better twice than
        // not at all).
        let mut keep: HashMap<PathBuf, usize> = HashMap::new();
        for &i in members {
            let Ok(canonical) = std::fs::canonicalize(&files[i].absolute) else {
                continue;
            };
            let real = files[i].absolute == canonical;
            match keep.entry(canonical) {
                hashbrown::hash_map::Entry::Vacant(slot) => {
                    slot.insert(i);
                }
                hashbrown::hash_map::Entry::Occupied(mut slot) => {
                    if real {
                        drop[*slot.get()] = true;
                        slot.insert(i);
                    } else {
                        drop[i] = true;
                    }
                }
            }
        }
    }
    let mut i = 0;
    files.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}

#[cfg(unix)]
type FileIdentity = (u64, u64);

#[cfg(unix)]
fn file_identity(path: &Path) -> Option<FileIdentity> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
type FileIdentity = PathBuf;

#[cfg(not(unix))]
fn file_identity(path: &Path) -> Option<FileIdentity> {
    std::fs::canonicalize(path).ok()
}

/// `path` relative to `root`, with `/` separators; a root that is itself a file is named by its
/// file name.
pub fn relative_path(root: &Path, path: &Path) -> String {
    let Ok(rel) = path.strip_prefix(root) else {
        return path.to_string_lossy().into_owned();
    };
    if rel.as_os_str().is_empty() {
        return path
            .file_name()
            .unwrap_or(path.as_os_str())
            .to_string_lossy()
            .into_owned();
    }
    let mut out = String::with_capacity(rel.as_os_str().len());
    for part in rel.components() {
        if let Component::Normal(name) = part {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&name.to_string_lossy());
        }
    }
    out
}

/// Turns a walk error into a diagnostic: a loop is a [`DiagnosticKind::SymlinkLoop`], anything
/// else a [`DiagnosticKind::Discovery`] on the path it concerns.
fn diagnostic(root: &Path, err: &ignore::Error) -> Diagnostic {
    let mut path: Option<&Path> = None;
    let mut err = err;
    loop {
        match err {
            ignore::Error::WithPath {
                path: p,
                err: inner,
            } => {
                path.get_or_insert(p);
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            ignore::Error::Partial(errs) if errs.len() == 1 => err = &errs[0],
            _ => break,
        }
    }
    if let ignore::Error::Loop { ancestor, child } = err {
        return Diagnostic {
            kind: DiagnosticKind::SymlinkLoop,
            path: relative_path(root, child),
            message: format!(
                "symbolic link loop: it leads back to `{}`; not followed",
                display_relative(root, ancestor)
            ),
        };
    }
    let broken_link = path.is_some_and(|p| {
        std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) && !p.exists()
    });
    let message = if broken_link {
        format!("broken symbolic link ({err}); skipped")
    } else {
        err.to_string()
    };
    Diagnostic {
        kind: DiagnosticKind::Discovery,
        path: path.map_or_else(|| ".".to_owned(), |p| display_relative(root, p)),
        message,
    }
}

/// Like [`relative_path`], but the root itself is `.`.
fn display_relative(root: &Path, path: &Path) -> String {
    if path == root {
        ".".to_owned()
    } else {
        relative_path(root, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn settings(root: &Path) -> AnalysisSettings {
        AnalysisSettings::new(root.to_path_buf())
    }

    #[test]
    fn relative_paths_use_slashes_and_name_a_file_root() {
        let root = Path::new("/r");
        assert_eq!(relative_path(root, Path::new("/r/a/b.rs")), "a/b.rs");
        assert_eq!(
            relative_path(Path::new("/r/x.rs"), Path::new("/r/x.rs")),
            "x.rs"
        );
    }

    #[test]
    fn walk_skips_vendored_hidden_and_ignored_and_sorts() {
        let dir = std::env::temp_dir().join(format!("codepulse-discover-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for d in ["src/z", "node_modules/x", ".hidden", "build", "gen"] {
            fs::create_dir_all(dir.join(d)).unwrap();
        }
        for f in [
            "src/z/b.rs",
            "src/a.py",
            "node_modules/x/i.js",
            ".hidden/h.go",
            "build/o.c",
            "gen/g.ts",
            "README.md",
        ] {
            fs::write(dir.join(f), "x").unwrap();
        }
        fs::write(dir.join(".gitignore"), "gen/\n").unwrap();
        let found = walk(&settings(&dir), 2);
        let names: Vec<&str> = found.files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(names, ["src/a.py", "src/z/b.rs"]);
        assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn walk_reports_symlink_loops_and_dedups_linked_files() {
        let dir = std::env::temp_dir().join(format!("codepulse-loop-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("a")).unwrap();
        fs::write(dir.join("a/f.rs"), "fn f() {}").unwrap();
        std::os::unix::fs::symlink("..", dir.join("a/loop")).unwrap();
        std::os::unix::fs::symlink("a/f.rs", dir.join("0.rs")).unwrap();
        let found = walk(&settings(&dir), 1);
        let names: Vec<&str> = found.files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(names, ["a/f.rs"]);
        assert_eq!(found.diagnostics.len(), 1, "{:?}", found.diagnostics);
        assert_eq!(found.diagnostics[0].kind, DiagnosticKind::SymlinkLoop);
        assert_eq!(found.diagnostics[0].path, "a/loop");

        let mut no_follow = settings(&dir);
        no_follow.follow_symlinks = false;
        let found = walk(&no_follow, 1);
        let names: Vec<&str> = found.files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(names, ["a/f.rs"]);
        assert!(found.diagnostics.is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
