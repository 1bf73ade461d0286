//! Churn from git history: how many commits touched each file in a recent window.
//!
//! Read with `gix` (no `git` process): the commits reachable from `HEAD` whose committer time
//! lies within the window are walked newest first; each non-merge commit's tree is compared
//! with its parent's (the first commit's with the empty tree), descending only into subtrees
//! whose ids differ, and every path added, modified or deleted counts one commit. Merge commits
//! are not counted: the commits they merge are (as with `git log --no-merges`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gix::ObjectId;
use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;

/// Why the history could not be read. A root outside any git repository is not an error.
#[derive(Debug, thiserror::Error)]
pub enum ChurnError {
    /// The analysis root could not be resolved.
    #[error("cannot resolve {path}: {source}")]
    Root {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The repository exists but a step of reading it failed.
    #[error("cannot read the git history of {repo}: {what}: {message}")]
    History {
        repo: PathBuf,
        what: &'static str,
        message: String,
    },
}

/// Commits that touched each file under `repo_root` within `since` of now, keyed by the path
/// relative to `repo_root` (the analysis root, which may be a subdirectory of the repository's
/// work tree). Files no commit touched are absent. A root outside any git repository, a bare
/// repository and a repository without commits give an empty map.
pub fn commits_per_path(
    repo_root: &Path,
    since: Duration,
) -> Result<HashMap<PathBuf, u32>, ChurnError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let cutoff = i64::try_from(now.saturating_sub(since).as_secs()).unwrap_or(i64::MAX);
    commits_per_path_since(repo_root, cutoff)
}

/// [`commits_per_path`] with the window's start as seconds since the Unix epoch.
pub fn commits_per_path_since(
    repo_root: &Path,
    cutoff_seconds: i64,
) -> Result<HashMap<PathBuf, u32>, ChurnError> {
    let root = repo_root
        .canonicalize()
        .map_err(|source| ChurnError::Root {
            path: repo_root.to_owned(),
            source,
        })?;
    let Some(top) = enclosing_repository(&root) else {
        return Ok(HashMap::new());
    };
    let fail = |what: &'static str| {
        let repo = top.clone();
        move |e: gix::Error| ChurnError::History {
            repo,
            what,
            message: e.to_string(),
        }
    };
    let repo = gix::discover(&root).map_err(fail("opening the repository"))?;
    let Some(workdir) = repo.workdir() else {
        return Ok(HashMap::new()); // bare: no files to attribute churn to
    };
    let workdir = workdir.canonicalize().map_err(|source| ChurnError::Root {
        path: workdir.to_owned(),
        source,
    })?;
    // The analysis root relative to the work tree, as git spells paths ('/'-separated).
    let prefix: Vec<u8> = match root.strip_prefix(&workdir) {
        Ok(rel) => {
            let rel = gix::path::into_bstr(rel).map_err(fail("reading the root's path"))?;
            gix::path::to_unix_separators(rel).to_vec()
        }
        Err(_) => return Ok(HashMap::new()),
    };
    let head = repo.head().map_err(fail("reading HEAD"))?;
    let Some(head_id) = head.id() else {
        return Ok(HashMap::new()); // no commits yet
    };

    let mut counts: HashMap<PathBuf, u32> = HashMap::new();
    let walk = repo
        .rev_walk([head_id.detach()])
        .sorting(Sorting::ByCommitTimeCutoff {
            order: CommitTimeOrder::NewestFirst,
            seconds: cutoff_seconds,
        })
        .all()
        .map_err(fail("walking the history"))?;
    for info in walk {
        let info = info.map_err(fail("walking the history"))?;
        let commit = info.object().map_err(fail("reading a commit"))?;
        let time = commit.time().map_err(fail("reading a commit's time"))?;
        if time.seconds < cutoff_seconds {
            continue;
        }
        let parents: Vec<ObjectId> = commit.parent_ids().map(|id| id.detach()).collect();
        if parents.len() > 1 {
            continue; // a merge: its branch's own commits are counted
        }
        let new_tree = commit.tree_id().map_err(fail("reading a commit"))?.detach();
        let old_tree = match parents.first() {
            Some(&parent) => Some(
                repo.find_commit(parent)
                    .map_err(fail("reading a parent commit"))?
                    .tree_id()
                    .map_err(fail("reading a parent commit"))?
                    .detach(),
            ),
            None => None,
        };
        changed_paths(&repo, old_tree, Some(new_tree), &prefix, &mut |path| {
            *counts.entry(path).or_insert(0) += 1;
        })
        .map_err(fail("comparing trees"))?;
    }
    Ok(counts)
}

/// The nearest ancestor of `dir` (itself included) holding a `.git` entry.
fn enclosing_repository(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// One level of a tree: `(name, is_tree, id)` per entry.
fn entries(
    repo: &gix::Repository,
    tree: Option<ObjectId>,
) -> gix::Result<Vec<(Vec<u8>, bool, ObjectId)>> {
    let Some(id) = tree else {
        return Ok(Vec::new());
    };
    let tree = repo.find_tree(id)?;
    let decoded = tree.decode()?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| (e.filename.to_vec(), e.mode.is_tree(), e.oid.to_owned()))
        .collect())
}

/// Whether `path` (repo-relative) can hold or be under `prefix` (both '/'-separated; an empty
/// prefix is the whole work tree).
fn relevant(path: &[u8], prefix: &[u8]) -> bool {
    let (short, long) = if path.len() <= prefix.len() {
        (path, prefix)
    } else {
        (prefix, path)
    };
    short.is_empty()
        || (long.starts_with(short) && (long.len() == short.len() || long[short.len()] == b'/'))
}

/// Calls `record` with every file path under `prefix` (relative to it) that differs between
/// two trees: added, deleted or modified. Subtrees with equal ids are skipped; no recursion
/// (an explicit stack), so any depth is safe.
fn changed_paths(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &[u8],
    record: &mut dyn FnMut(PathBuf),
) -> gix::Result<()> {
    let mut stack: Vec<(Vec<u8>, Option<ObjectId>, Option<ObjectId>)> =
        vec![(Vec::new(), old, new)];
    let mut emit = |path: &[u8]| {
        if !relevant(path, prefix) || path.len() <= prefix.len() {
            return;
        }
        let rel = if prefix.is_empty() {
            path
        } else {
            &path[prefix.len() + 1..]
        };
        if let Ok(p) = gix::path::from_byte_slice(rel) {
            record(p.to_path_buf());
        }
    };
    while let Some((dir, old, new)) = stack.pop() {
        if old == new {
            continue;
        }
        let old_entries = entries(repo, old)?;
        let new_entries = entries(repo, new)?;
        let join = |name: &[u8]| {
            let mut path = dir.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(name);
            path
        };
        let olds: HashMap<&[u8], (bool, ObjectId)> = old_entries
            .iter()
            .map(|(name, is_tree, id)| (name.as_slice(), (*is_tree, *id)))
            .collect();
        let mut seen_in_new: Vec<&[u8]> = Vec::with_capacity(new_entries.len());
        for (name, is_tree, id) in &new_entries {
            seen_in_new.push(name);
            let before = olds.get(name.as_slice()).copied();
            if before == Some((*is_tree, *id)) {
                continue;
            }
            let path = join(name);
            if !relevant(&path, prefix) {
                continue;
            }
            let old_tree = before.and_then(|(t, id)| t.then_some(id));
            if *is_tree {
                stack.push((path.clone(), old_tree, Some(*id)));
                if matches!(before, Some((false, _))) {
                    emit(&path); // a file replaced by a directory
                }
            } else {
                emit(&path);
                if let Some(old_tree) = old_tree {
                    stack.push((path, Some(old_tree), None)); // a directory replaced by a file
                }
            }
        }
        for (name, is_tree, id) in &old_entries {
            if seen_in_new.contains(&name.as_slice()) {
                continue;
            }
            let path = join(name);
            if !relevant(&path, prefix) {
                continue;
            }
            if *is_tree {
                stack.push((path, Some(*id), None));
            } else {
                emit(&path);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::process::Command;

    use super::*;

    /// Runs git in `dir` (test set-up only: the code under test reads history with gix).
    pub(crate) fn git(dir: &Path, args: &[&str], date: Option<&str>) {
        let mut cmd = Command::new("git");
        cmd.current_dir(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        if let Some(date) = date {
            cmd.env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date);
        }
        let out = cmd.output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn commit(dir: &Path, message: &str, date: Option<&str>) {
        git(dir, &["add", "-A"], None);
        git(dir, &["commit", "-q", "-m", message], date);
    }

    const NINETY_DAYS: Duration = Duration::from_secs(90 * 24 * 3600);

    /// A repository: an old commit (outside the window), then recent commits touching files
    /// in the root and in a subdirectory, a deletion, and a merge.
    pub(crate) fn fixture() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"], None);
        write(dir, "old.rs", "fn old() {}\n");
        write(dir, "src/a.rs", "fn a() {}\n");
        commit(dir, "ancient", Some("2000-01-01T00:00:00Z"));
        write(dir, "src/a.rs", "fn a() { 1 }\n");
        write(dir, "src/b.rs", "fn b() {}\n");
        commit(dir, "one", None);
        write(dir, "src/a.rs", "fn a() { 2 }\n");
        write(dir, "src/deep/c.rs", "fn c() {}\n");
        write(dir, "gone.rs", "fn g() {}\n");
        commit(dir, "two", None);
        std::fs::remove_file(dir.join("gone.rs")).unwrap();
        commit(dir, "three", None);
        // A side branch merged back: its commit counts once, the merge not at all.
        git(dir, &["checkout", "-q", "-b", "side"], None);
        write(dir, "src/b.rs", "fn b() { 1 }\n");
        commit(dir, "side", None);
        git(dir, &["checkout", "-q", "main"], None);
        write(dir, "src/deep/c.rs", "fn c() { 1 }\n");
        commit(dir, "main again", None);
        git(dir, &["merge", "-q", "--no-edit", "--no-ff", "side"], None);
        tmp
    }

    #[test]
    fn counts_recent_commits_per_file() {
        let repo = fixture();
        let counts = commits_per_path(repo.path(), NINETY_DAYS).unwrap();
        let get = |p: &str| counts.get(Path::new(p)).copied();
        assert_eq!(get("src/a.rs"), Some(2), "{counts:?}");
        assert_eq!(get("src/b.rs"), Some(2), "{counts:?}");
        assert_eq!(get("src/deep/c.rs"), Some(2), "{counts:?}");
        assert_eq!(get("gone.rs"), Some(2), "added then deleted: {counts:?}");
        assert_eq!(get("old.rs"), None, "only touched long ago: {counts:?}");
        assert_eq!(counts.len(), 4, "{counts:?}");
    }

    #[test]
    fn a_window_reaching_back_far_enough_counts_the_old_commit() {
        let repo = fixture();
        let counts = commits_per_path_since(repo.path(), 0).unwrap();
        assert_eq!(counts.get(Path::new("old.rs")), Some(&1));
        assert_eq!(counts.get(Path::new("src/a.rs")), Some(&3));
    }

    #[test]
    fn paths_are_relative_to_a_subdirectory_root() {
        let repo = fixture();
        let counts = commits_per_path(&repo.path().join("src"), NINETY_DAYS).unwrap();
        let mut keys: Vec<_> = counts.keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                PathBuf::from("a.rs"),
                PathBuf::from("b.rs"),
                PathBuf::from("deep/c.rs")
            ]
        );
        assert_eq!(counts[Path::new("deep/c.rs")], 2);
    }

    #[test]
    fn outside_a_repository_or_without_commits_is_empty_not_an_error() {
        let plain = tempfile::tempdir().unwrap();
        write(plain.path(), "x.rs", "fn x() {}\n");
        assert!(
            commits_per_path(plain.path(), NINETY_DAYS)
                .unwrap()
                .is_empty()
        );

        let unborn = tempfile::tempdir().unwrap();
        git(unborn.path(), &["init", "-q"], None);
        assert!(
            commits_per_path(unborn.path(), NINETY_DAYS)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_missing_root_is_an_error() {
        let err = commits_per_path(Path::new("/no/such/codepulse/root"), NINETY_DAYS).unwrap_err();
        assert!(matches!(err, ChurnError::Root { .. }), "{err}");
    }

    #[test]
    fn relevance_of_paths_to_a_prefix() {
        assert!(relevant(b"src", b"src/x"));
        assert!(relevant(b"src/x/a.rs", b"src/x"));
        assert!(relevant(b"anything", b""));
        assert!(!relevant(b"srcx", b"src"));
        assert!(!relevant(b"other/a.rs", b"src"));
    }
}
