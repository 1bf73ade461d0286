//! What the systems' tests share: the fixture trees and how to read them. Each test file
//! includes this module and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use codepulse_components::Language;

/// `systems/tests/fixtures/<name>`.
pub fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The names of the directories right under `root` (one fixture project each), sorted.
pub fn projects_in(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| {
            let p = e.ok()?.path();
            p.is_dir()
                .then(|| p.file_name()?.to_str().map(str::to_string))?
        })
        .collect();
    names.sort();
    names
}

/// The source files below `dir`, in path order: their path relative to `dir` (with `/`),
/// language and text. Files of no supported language are left out.
pub fn source_files(dir: &Path) -> Vec<(String, Language, String)> {
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let language = Language::from_path(&p)?;
            let text = std::fs::read_to_string(&p).expect("UTF-8");
            let rel = p
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, language, text))
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = e.expect("entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}
