//! Choosing the real files of the workspace to open: seeded, spread across languages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use codepulse_components::Language;

use crate::edits::{Doc, Style};
use crate::rng::Rng;

/// Directories the engine does not analyse (and hidden ones): never chosen.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "third_party",
    "site-packages",
    "venv",
    "target",
    "build",
    "dist",
    "out",
    "__pycache__",
];

/// One document the tool opens and edits.
#[derive(Debug)]
pub struct OpenDoc {
    /// Relative to the root, as sent in requests.
    pub rel: String,
    /// `rel` as a JSON string, quotes included.
    pub rel_json: String,
    /// `codepulse_components::path_hash` of the canonical absolute path (payloads name it).
    pub hash: u64,
    pub lang: Language,
    pub doc: Doc,
}

/// Every file of a supported language under `root` (canonical), sorted, with its size.
pub fn candidates(root: &Path) -> anyhow::Result<Vec<(PathBuf, Language, u64)>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot list `{}`", dir.display()))?;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                continue;
            }
            let ty = entry.file_type()?;
            let path = entry.path();
            if ty.is_dir() {
                if !SKIPPED_DIRS.contains(&name) {
                    stack.push(path);
                }
            } else if ty.is_file()
                && let Some(lang) = Language::from_path(&path)
            {
                out.push((path, lang, entry.metadata()?.len()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Chooses up to `n` files: languages in turn (rust, python, ...), a seeded random file of each
/// at a time, skipping files over `max_bytes`, not UTF-8, or with no editable line.
pub fn choose(
    root: &Path,
    n: usize,
    max_bytes: u64,
    rng: &Rng,
    lsp_fraction: f64,
    style: Style,
    version: u32,
) -> anyhow::Result<Vec<OpenDoc>> {
    let mut by_lang: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    for (path, lang, size) in candidates(root)? {
        if size > 0 && size <= max_bytes {
            let i = Language::ALL.iter().position(|&l| l == lang).unwrap_or(0);
            by_lang.entry(i).or_default().push(path);
        }
    }
    let mut pick = rng.fork(0x66696c6573);
    for files in by_lang.values_mut() {
        pick.shuffle(files);
        files.reverse(); // popped from the end
    }
    let mut out = Vec::new();
    while out.len() < n && by_lang.values().any(|f| !f.is_empty()) {
        for (&li, files) in by_lang.iter_mut() {
            if out.len() == n {
                break;
            }
            while let Some(path) = files.pop() {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let salt = out.len() as u64 + 1;
                let Some(doc) = Doc::new(text, version, rng.fork(salt), lsp_fraction, style) else {
                    continue;
                };
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                let mut rel_json = Vec::new();
                crate::edits::json_str(&mut rel_json, &rel);
                out.push(OpenDoc {
                    rel,
                    rel_json: String::from_utf8(rel_json).unwrap_or_default(),
                    hash: codepulse_components::path_hash(&path),
                    lang: Language::ALL[li],
                    doc,
                });
                break;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_across_languages_deterministically() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let body = "fn f() {\n    let x = 1;\n}\n";
        for (name, text) in [
            ("a/one.rs", body),
            ("a/two.rs", body),
            ("b/three.py", "def f():\n    return 1\n"),
            ("b/empty.py", ""),
            ("c/flat.go", "package x\n"),
            (".hidden/h.rs", body),
            ("node_modules/m.js", "function f() {\n  return 1;\n}\n"),
            ("d/x.js", "function f() {\n  return 1;\n}\n"),
            ("d/notes.txt", "  some text\n"),
        ] {
            let p = root.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let names = |seed| {
            choose(
                &root,
                10,
                1 << 20,
                &Rng::new(seed),
                0.2,
                Style::Keystroke,
                1,
            )
            .unwrap()
            .into_iter()
            .map(|d| d.rel)
            .collect::<Vec<_>>()
        };
        let a = names(1);
        assert_eq!(a, names(1));
        // One of each language first; no empty, hidden, skipped, unknown or uneditable file.
        assert_eq!(a.len(), 4, "{a:?}");
        assert!(a[0].ends_with(".rs") && a[1] == "b/three.py" && a[2] == "d/x.js");
        assert!(a[3].ends_with(".rs") && a[3] != a[0]);
        let two = choose(&root, 2, 1 << 20, &Rng::new(1), 0.2, Style::Keystroke, 1).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(
            two[0].hash,
            codepulse_components::path_hash(&root.join(&two[0].rel))
        );
    }
}
