//! Discovery's rules as a filter for file-system events: `discoverable`, `dir_is_walked` and
//! `watched_dirs` agree with what the walk (`discover_files`) finds, on a tree with nested
//! ignore files, whitelists, hidden and skipped directories, a disabled language and files that
//! no longer exist.

use std::path::{Path, PathBuf};

use bevy_ecs::prelude::*;
use codepulse_components::{AnalysisSettings, Diagnostics, DiscoveryRequest, FilePath, Language};
use codepulse_systems::{dir_is_walked, discover_files, discoverable, watched_dirs};

/// Ignore files: (path under the temp dir, content). The root is `outer/project`.
const IGNORE_FILES: &[(&str, &str)] = &[
    // Above the root: its patterns apply too, matched under the (canonical) root.
    (
        "outer/.gitignore",
        "project/src/from_parent.rs\n*.parent.rs\n",
    ),
    (
        "outer/project/.gitignore",
        "*.gen.rs\n!keep.gen.rs\n/top_only.py\ngen/\nlogs/\n!logs/keep.rs\n!.github/\n!scratch.rs\n",
    ),
    // `.ignore` wins over `.gitignore` (which whitelists scratch.rs).
    ("outer/project/.ignore", "scratch.rs\n"),
    ("outer/project/.git/info/exclude", "excluded.rs\n"),
    (
        "outer/project/sub/.gitignore",
        "*.py\n!main.py\n/local.rs\n",
    ),
    // Deeper files take precedence: re-includes what the root ignores.
    ("outer/project/sub/deep/.gitignore", "!*.gen.rs\n"),
];

/// Paths under the root, whether they exist, and the expected answer of `discoverable`
/// (Java is disabled).
const CASES: &[(&str, bool, Option<Language>)] = &[
    ("src/a.rs", true, Some(Language::Rust)),
    ("src/b.gen.rs", true, None),
    ("src/keep.gen.rs", true, Some(Language::Rust)),
    ("src/excluded.rs", true, None),
    ("src/scratch.rs", true, None),
    ("src/from_parent.rs", true, None),
    ("src/p.parent.rs", true, None),
    ("top_only.py", true, None),
    ("src/top_only.py", true, Some(Language::Python)),
    ("other.py", true, Some(Language::Python)),
    ("gen/x.rs", true, None),
    ("logs/keep.rs", true, None),
    ("sub/x.py", true, None),
    ("sub/main.py", true, Some(Language::Python)),
    ("sub/local.rs", true, None),
    ("sub/deep/local.rs", true, Some(Language::Rust)),
    ("sub/deep/z.gen.rs", true, Some(Language::Rust)),
    ("sub/deep/main.py", true, Some(Language::Python)),
    (".hidden/h.rs", true, None),
    (".hidden.rs", true, None),
    (".github/w.js", true, Some(Language::JavaScript)),
    ("target/t.rs", true, None),
    ("node_modules/m.js", true, None),
    ("sub/target/t.rs", true, None),
    ("sub/vendor/v.go", true, None),
    ("java/A.java", true, None),
    ("README.md", true, None),
    ("types.d.ts", true, None),
    ("web/app.tsx", true, Some(Language::Tsx)),
    // Deleted (or not yet created) files are judged by their path.
    ("src/gone.rs", false, Some(Language::Rust)),
    ("gen/gone.rs", false, None),
    ("target/gone.rs", false, None),
    ("new/deeper/n.go", false, Some(Language::Go)),
    ("new/.cache/n.go", false, None),
];

struct Tree {
    _dir: tempfile::TempDir,
    settings: AnalysisSettings,
}

fn tree() -> Tree {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in IGNORE_FILES {
        write(&dir.path().join(path), content);
    }
    let root = dir.path().join("outer/project");
    for (path, exists, _) in CASES {
        if *exists {
            write(&root.join(path), "x\n");
        }
    }
    let mut settings = AnalysisSettings::new(root);
    settings.languages.retain(|l| *l != Language::Java);
    Tree {
        _dir: dir,
        settings,
    }
}

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// Relative paths of what `discover_files` spawns.
fn walked(settings: &AnalysisSettings) -> Vec<String> {
    let mut world = World::new();
    world.insert_resource(settings.clone());
    world.insert_resource(Diagnostics::default());
    world.insert_resource(DiscoveryRequest);
    world.run_system_cached(discover_files).expect("runs");
    let mut files: Vec<String> = world
        .query::<&FilePath>()
        .iter(&world)
        .map(|p| p.relative.to_string())
        .collect();
    files.sort();
    files
}

/// Every file and directory under `root`, recursively, without following links.
fn everything(root: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut files, mut dirs) = (Vec::new(), vec![root.to_path_buf()]);
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if entry.file_type().expect("type").is_dir() {
                dirs.push(path.clone());
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    dirs.sort();
    (files, dirs)
}

#[test]
fn discoverable_follows_the_walks_rules() {
    let t = tree();
    let root = &t.settings.root;
    for (path, _, want) in CASES {
        assert_eq!(discoverable(&t.settings, &root.join(path)), *want, "{path}");
        // A relative path is relative to the root.
        assert_eq!(discoverable(&t.settings, Path::new(path)), *want, "{path}");
    }
    let outside = root.parent().expect("outer").join("elsewhere/a.rs");
    write(&outside, "x\n");
    assert_eq!(
        discoverable(&t.settings, &outside),
        None,
        "outside the root"
    );
    assert_eq!(
        discoverable(&t.settings, &root.join("../elsewhere/a.rs")),
        None
    );
    assert_eq!(
        discoverable(&t.settings, Path::new("/elsewhere/a.rs")),
        None
    );
    // A directory is not a file, whatever its name.
    std::fs::create_dir_all(root.join("dir.rs")).expect("mkdir");
    assert_eq!(discoverable(&t.settings, &root.join("dir.rs")), None);

    let dirs = [
        (".", true),
        ("src", true),
        ("sub/deep", true),
        (".github", true),
        ("new/deeper", true),
        ("gen", false),
        ("logs", false),
        (".hidden", false),
        ("target", false),
        ("sub/target", false),
        ("node_modules", false),
        ("new/.cache", false),
        ("..", false),
    ];
    for (dir, want) in dirs {
        assert_eq!(dir_is_walked(&t.settings, &root.join(dir)), want, "{dir}");
    }
}

#[test]
fn discoverable_and_dir_is_walked_agree_with_the_walk() {
    let t = tree();
    let root = &t.settings.root;
    let (files, dirs) = everything(root);
    let mut filtered: Vec<String> = files
        .iter()
        .filter(|f| discoverable(&t.settings, f).is_some())
        .map(|f| {
            let relative = f.strip_prefix(root).expect("under the root");
            relative.to_str().expect("UTF-8").to_owned()
        })
        .collect();
    filtered.sort();
    let walked = walked(&t.settings);
    assert_eq!(filtered, walked);
    let expected = CASES.iter().filter(|c| c.1 && c.2.is_some()).count();
    assert_eq!(walked.len(), expected, "{walked:?}");

    let mut watched: Vec<PathBuf> = dirs
        .into_iter()
        .filter(|d| dir_is_walked(&t.settings, d))
        .collect();
    watched.sort();
    assert_eq!(watched, watched_dirs(&t.settings));
    assert!(watched.contains(root) && watched.contains(&root.join(".github")));
    assert!(!watched.contains(&root.join(".git")));
}

#[cfg(unix)]
#[test]
fn links_are_followed_only_when_the_settings_say_so() {
    let mut t = tree();
    let root = t.settings.root.clone();
    std::os::unix::fs::symlink(root.join("src"), root.join("linked")).expect("link");
    std::os::unix::fs::symlink(root.join("src/a.rs"), root.join("alias.rs")).expect("link");
    for follow in [true, false] {
        t.settings.follow_symlinks = follow;
        let want = follow.then_some(Language::Rust);
        assert_eq!(discoverable(&t.settings, &root.join("linked/a.rs")), want);
        assert_eq!(discoverable(&t.settings, &root.join("alias.rs")), want);
        assert_eq!(dir_is_walked(&t.settings, &root.join("linked")), follow);
        assert_eq!(
            watched_dirs(&t.settings).contains(&root.join("linked")),
            follow
        );
    }
}
