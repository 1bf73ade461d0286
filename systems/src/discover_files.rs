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
//!
//! The live engine watches the tree for changes with the same rules: [`watched_dirs`] lists the
//! directories the walk descends into, [`dir_is_walked`] judges a new directory and
//! [`discoverable`] a changed, created or deleted file, without walking.

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
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder, WalkState};

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

/// The walker of [`walk`] and [`watched_dirs`], with discovery's filters.
fn walker(settings: &AnalysisSettings) -> WalkBuilder {
    let mut builder = WalkBuilder::new(&settings.root);
    builder
        .standard_filters(true)
        .hidden(true)
        .require_git(false)
        .follow_links(settings.follow_symlinks)
        .filter_entry(|entry| {
            entry.depth() == 0
                || !entry.file_type().is_some_and(|t| t.is_dir())
                || !is_skipped_dir(entry.file_name())
        });
    builder
}

/// Walks `settings.root` on up to `threads` threads (see the module documentation).
pub fn walk(settings: &AnalysisSettings, threads: usize) -> Discovery {
    let root = settings.root.as_path();
    let follow = settings.follow_symlinks;
    let mut builder = walker(settings);
    builder.threads(threads.max(1));

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

/// The language of the file at `path` when [`walk`] would discover a file there, `None`
/// otherwise: for filtering file-system events. `path` is absolute (a relative path is taken
/// relative to the root) and need not exist any more (a deleted file is judged by its path).
///
/// The same rules as the walk: under the root; no component below the root hidden (`.name`,
/// unless an ignore file whitelists it) and no directory on the way in [`SKIPPED_DIRS`]; an
/// enabled language by extension; not a directory (nor a symbolic link when links are not
/// followed, nor a directory reached through one); and not ignored. Ignore rules are the walk's
/// (the `ignore` crate's, with `require_git(false)`): the `.ignore`, `.gitignore` and
/// `.git/info/exclude` files of every directory from the root down to the file and of the root's
/// ancestors, deeper files first, `.ignore` over `.gitignore` over `exclude` over the global git
/// excludes, `!pattern` whitelists, and nothing below an ignored directory.
///
/// Differences from the walk: a file reachable through several symbolic links is `Some` under
/// each of its paths (the walk keeps one of them), and a broken link is `Some` (the walk
/// reports it). Every call reads the ignore files on the way (a few `stat`s and small reads per
/// directory level), so this suits filtering events, not bulk listing.
pub fn discoverable(settings: &AnalysisSettings, path: &Path) -> Option<Language> {
    let language = Language::from_path(path).filter(|l| settings.languages.contains(l))?;
    let path = under_root(settings, path)?;
    let metadata = if settings.follow_symlinks {
        std::fs::metadata(&path)
    } else {
        std::fs::symlink_metadata(&path)
    };
    if metadata.is_ok_and(|m| m.is_dir() || m.file_type().is_symlink()) {
        return None;
    }
    // A root that is a file is walked as itself.
    (path == settings.root || IgnoreRules::new(settings).admits(&path, false)).then_some(language)
}

/// Whether the walk descends into the directory `dir` (absolute, or relative to the root): the
/// root itself, or a directory below it that passes the rules of [`discoverable`]. For a
/// directory created while watching.
pub fn dir_is_walked(settings: &AnalysisSettings, dir: &Path) -> bool {
    let Some(dir) = under_root(settings, dir) else {
        return false;
    };
    dir == settings.root || IgnoreRules::new(settings).admits(&dir, true)
}

/// The directories to watch (non-recursively) for the files [`walk`] discovers: the root and
/// every directory the walk descends into, sorted. Empty when the root is a file.
pub fn watched_dirs(settings: &AnalysisSettings) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = walker(settings)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_dir()))
        .map(ignore::DirEntry::into_path)
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    dirs
}

/// `path` made absolute against the root, if it is the root or below it (plain names only).
fn under_root(settings: &AnalysisSettings, path: &Path) -> Option<PathBuf> {
    let path = settings.root.join(path);
    let relative = path.strip_prefix(&settings.root).ok()?;
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(path)
}

/// The ignore files of one directory, as the walk reads them.
struct DirRules {
    ignore: Gitignore,
    git: Gitignore,
    exclude: Gitignore,
}

impl DirRules {
    fn read(dir: &Path) -> DirRules {
        DirRules {
            ignore: ignore_file(dir, &dir.join(".ignore")),
            git: ignore_file(dir, &dir.join(".gitignore")),
            exclude: git_common_dir(dir).map_or_else(Gitignore::empty, |git| {
                ignore_file(dir, &git.join("info/exclude"))
            }),
        }
    }

    fn matchers(&self) -> [&Gitignore; 3] {
        [&self.ignore, &self.git, &self.exclude]
    }
}

/// The patterns of `file`, relative to `dir`; none when it does not exist. Unreadable or
/// invalid lines are skipped, as in the walk.
fn ignore_file(dir: &Path, file: &Path) -> Gitignore {
    if !file.exists() {
        return Gitignore::empty();
    }
    let mut builder = GitignoreBuilder::new(dir);
    // A partly invalid file keeps its valid patterns (the walk only reports the rest).
    let _partial = builder.add(file);
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// Where a `.git` in `dir` keeps `info/exclude`: `.git` itself, or for a worktree (`.git` is a
/// file naming its git dir) the common git dir.
fn git_common_dir(dir: &Path) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    if !std::fs::metadata(&dot_git).ok()?.is_file() {
        return Some(dot_git);
    }
    let first_line = |path: &Path| -> Option<String> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(text.lines().next()?.to_owned())
    };
    let git_dir = PathBuf::from(first_line(&dot_git)?.strip_prefix("gitdir: ")?);
    let common = first_line(&git_dir.join("commondir"))?;
    Some(if common.starts_with('.') {
        git_dir.join(common)
    } else {
        PathBuf::from(common)
    })
}

/// The ignore rules that apply under a root: those of the root's ancestors, of the global git
/// excludes, and (read on the way down by [`IgnoreRules::admits`]) those of the directories
/// from the root down.
struct IgnoreRules<'a> {
    settings: &'a AnalysisSettings,
    /// The canonical root, under which the ancestors' patterns match (as in the walk).
    canonical_root: Option<PathBuf>,
    /// The ancestors' rules, nearest first.
    above: Vec<DirRules>,
    global: Gitignore,
}

impl<'a> IgnoreRules<'a> {
    fn new(settings: &'a AnalysisSettings) -> IgnoreRules<'a> {
        let canonical_root = std::fs::canonicalize(&settings.root).ok();
        let above = canonical_root
            .iter()
            .flat_map(|root| root.ancestors().skip(1))
            .map(DirRules::read)
            .collect();
        IgnoreRules {
            settings,
            canonical_root,
            above,
            global: Gitignore::global().0,
        }
    }

    /// Whether the walk reaches `path` (strictly below the root): every directory on the way is
    /// descended into, and `path` itself (a directory when `is_dir`) is not filtered out.
    fn admits(&self, path: &Path, is_dir: bool) -> bool {
        let root = self.settings.root.as_path();
        let Ok(relative) = path.strip_prefix(root) else {
            return false;
        };
        let names: Vec<&OsStr> = relative.iter().collect();
        let mut below = vec![DirRules::read(root)];
        let mut current = root.to_path_buf();
        for (i, name) in names.iter().enumerate() {
            current.push(name);
            let last = i + 1 == names.len();
            let entry_is_dir = !last || is_dir;
            let link =
                std::fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink());
            if link && !self.settings.follow_symlinks {
                return false;
            }
            if entry_is_dir && is_skipped_dir(name) {
                return false;
            }
            let relative = current.strip_prefix(root).unwrap_or(&current);
            let matched = self.matched(&below, &current, relative, entry_is_dir);
            let hidden = name.to_str().is_some_and(|n| n.starts_with('.'));
            if matched.is_ignore() || (matched.is_none() && hidden) {
                return false;
            }
            if !last {
                below.push(DirRules::read(&current));
            }
        }
        true
    }

    /// The ignore match of `path` (`relative` to the root) under the rules of the directories
    /// `below` (root first) and above the root: per kind of file the nearest match wins, then
    /// `.ignore` over `.gitignore` over `exclude` over the global excludes.
    fn matched(&self, below: &[DirRules], path: &Path, relative: &Path, is_dir: bool) -> Match<()> {
        let mut found = [Match::None, Match::None, Match::None];
        let mut consult = |rules: &DirRules, path: &Path| {
            for (slot, matcher) in found.iter_mut().zip(rules.matchers()) {
                if slot.is_none() {
                    *slot = matcher.matched(path, is_dir).map(|_| ());
                }
            }
        };
        for rules in below.iter().rev() {
            consult(rules, path);
        }
        if let Some(canonical_root) = &self.canonical_root {
            let canonical = canonical_root.join(relative);
            for rules in &self.above {
                consult(rules, &canonical);
            }
        }
        let [ignore, git, exclude] = found;
        ignore
            .or(git)
            .or(exclude)
            .or(self.global.matched(path, is_dir).map(|_| ()))
    }
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
