//! Data-driven symbol-extraction tests: every source file in `tests/fixtures/symbols/` is
//! extracted (`graph::extract_symbols`) and its rendering (one line per definition, then one per
//! reference) must equal the snapshot next to it, `<file>.symbols` (`UPDATE_EXPECT=1` rewrites
//! the snapshots; read the diff: the snapshots are the specification). And no input panics the
//! extraction: every metric fixture and benchmark sample, whole and cut at random places.

use std::path::{Path, PathBuf};

use codepulse_components::Language;
use codepulse_systems::analysis::parse_source;
use codepulse_systems::graph::extract_symbols;
use proptest::prelude::*;

fn files_in(dir: &Path) -> Vec<(PathBuf, Language)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| {
            let path = e.ok()?.path();
            let language = Language::from_path(&path)?;
            Some((path, language))
        })
        .collect();
    out.sort();
    out
}

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn symbol_fixtures_match_their_snapshots() {
    let files = files_in(&manifest().join("tests/fixtures/symbols"));
    let languages: std::collections::HashSet<Language> = files.iter().map(|(_, l)| *l).collect();
    assert_eq!(
        languages.len(),
        Language::ALL.len(),
        "a symbol fixture per language"
    );
    for (path, language) in files {
        let source = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let tree = parse_source(language, &source);
        assert!(
            tree.root_node().has_error(),
            "{}: the fixture ends with a syntax error",
            path.display()
        );
        let rendered = extract_symbols(language, &tree, &source).render();
        let mut snapshot = path.clone().into_os_string();
        snapshot.push(".symbols");
        expect_test::expect_file![PathBuf::from(snapshot)].assert_eq(&rendered);
    }
}

fn corpus() -> Vec<(PathBuf, Language, String)> {
    let root = manifest();
    let mut files = files_in(&root.join("tests/fixtures/metrics"));
    files.extend(files_in(&root.join("../benches/samples")));
    files.extend(files_in(&root.join("tests/fixtures/symbols")));
    files
        .into_iter()
        .map(|(p, l)| {
            let text = std::fs::read_to_string(&p).expect("UTF-8");
            (p, l, text)
        })
        .collect()
}

/// Whole files: every definition has a name and sits inside its parent; every reference's
/// enclosing definition contains it.
#[test]
fn extraction_is_consistent_on_the_corpus() {
    for (path, language, text) in corpus() {
        let tree = parse_source(language, &text);
        let symbols = extract_symbols(language, &tree, &text);
        check(&path, &symbols);
    }
}

fn check(path: &Path, symbols: &codepulse_systems::graph::FileSymbols) {
    for d in &symbols.definitions {
        assert!(!d.name.is_empty(), "{}", path.display());
        assert!(d.qualified_name.ends_with(&d.name), "{}", path.display());
        assert!(d.signature.chars().count() <= 201, "{}", path.display());
        if let Some(p) = d.parent {
            let p = &symbols.definitions[p];
            assert!(
                p.start_byte <= d.start_byte && d.end_byte <= p.end_byte,
                "{}",
                path.display()
            );
        }
    }
    for r in &symbols.references {
        if let Some(e) = r.enclosing {
            let e = &symbols.definitions[e];
            assert!(
                e.start_byte <= r.start_byte && r.end_byte <= e.end_byte,
                "{}",
                path.display()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A file cut anywhere (mid-token, mid-character boundary adjusted) still extracts without
    /// panicking, and consistently.
    #[test]
    fn truncated_files_never_panic(pick in any::<prop::sample::Index>(), cut in 0.0f64..1.0) {
        thread_local! {
            static CORPUS: Vec<(PathBuf, Language, String)> = corpus();
        }
        CORPUS.with(|corpus| {
            let (path, language, text) = &corpus[pick.index(corpus.len())];
            let mut end = (text.len() as f64 * cut) as usize;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let text = &text[..end];
            let tree = parse_source(*language, text);
            let symbols = extract_symbols(*language, &tree, text);
            check(path, &symbols);
        });
    }
}
