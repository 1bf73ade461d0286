//! Measures the heap size of tree-sitter syntax trees per byte of source, the factor
//! `evict_sources` charges to the live engine's source cache for a resident file's tree
//! ([`codepulse_systems::lang::LangSpec::tree_bytes_per_source_byte`]), and checks the documented
//! factors still match what the grammars allocate.
//!
//! tree-sitter allocates through a counting allocator (mimalloc, counting `mi_usable_size`, so
//! the allocator's rounding is included, as in the engine, which gives tree-sitter mimalloc).
//! Per file: parse with a fresh parser, drop the parser, and the bytes still allocated are the
//! tree's. The factors are measured over the benchmark corpus of real code (tools/fetch-corpus.sh),
//! and must match it within 25%:
//!
//!     CODEPULSE_CORPUS=~/.cache/codepulse/corpus \
//!         cargo test -p codepulse-systems --test tree_size -- --nocapture
//!
//! Without `CODEPULSE_CORPUS` the test measures the metric fixtures, the bench samples and this
//! crate's sources: dense code with few comments, whose trees are denser than real code's, so
//! it only checks the factors are within 0.4–2.5× of them (it catches a grammar or tree-sitter
//! upgrade that changes tree sizes wholesale).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ffi::c_void;
use std::path::{Path, PathBuf};

use codepulse_components::Language;
use codepulse_systems::lang::{LangSpec, parser_language};

thread_local! {
    /// Bytes tree-sitter holds, counted on the thread that allocated or freed them (parsing and
    /// dropping below happen on one thread).
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn count(delta: i64) {
    LIVE.with(|live| live.set(live.get() + delta));
}

fn usable(p: *const c_void) -> i64 {
    if p.is_null() {
        return 0;
    }
    // SAFETY: `p` is a live block from mimalloc (this allocator family allocated it).
    #[allow(unsafe_code)]
    let size = unsafe { libmimalloc_sys::mi_usable_size(p) };
    i64::try_from(size).unwrap_or(i64::MAX)
}

#[allow(unsafe_code)]
unsafe extern "C" fn counting_malloc(size: usize) -> *mut c_void {
    // SAFETY: mimalloc's malloc has libc malloc's contract.
    let p = unsafe { libmimalloc_sys::mi_malloc(size) };
    count(usable(p));
    p
}

#[allow(unsafe_code)]
unsafe extern "C" fn counting_calloc(n: usize, size: usize) -> *mut c_void {
    // SAFETY: mimalloc's calloc has libc calloc's contract.
    let p = unsafe { libmimalloc_sys::mi_calloc(n, size) };
    count(usable(p));
    p
}

#[allow(unsafe_code)]
unsafe extern "C" fn counting_realloc(p: *mut c_void, size: usize) -> *mut c_void {
    let before = usable(p);
    // SAFETY: `p` is null or from this allocator family (installed before any tree-sitter
    // object existed), as realloc requires.
    let q = unsafe { libmimalloc_sys::mi_realloc(p, size) };
    if !q.is_null() || size == 0 {
        count(usable(q) - before);
    }
    q
}

#[allow(unsafe_code)]
unsafe extern "C" fn counting_free(p: *mut c_void) {
    count(-usable(p));
    // SAFETY: `p` is null or came from mimalloc.
    unsafe { libmimalloc_sys::mi_free(p) }
}

/// Bytes of the syntax tree of `source`.
fn tree_bytes(language: Language, source: &str) -> i64 {
    let start = LIVE.with(Cell::get);
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&parser_language(language))
        .expect("grammar");
    let tree = parser.parse(source, None).expect("parses");
    drop(parser);
    let bytes = LIVE.with(Cell::get) - start;
    drop(tree);
    assert_eq!(LIVE.with(Cell::get), start, "everything freed");
    bytes
}

/// Source files under `dirs`, recursively, sorted.
fn sources(mut dirs: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if Language::from_path(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn tree_bytes_per_source_byte_matches_the_documented_factors() {
    // SAFETY: the first thing this test binary (one test) does, before any parser or tree
    // exists; the four functions are one allocator family (mimalloc) with libc's contracts.
    #[allow(unsafe_code)]
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: counting_malloc,
            calloc: counting_calloc,
            realloc: counting_realloc,
            free: counting_free,
        }));
    }
    // (files, source bytes, tree bytes) per language.
    // With a corpus of real code, the documented factors must match it closely; the repository's
    // own files (dense test code, few comments) only bound them loosely.
    let (dirs, tolerance) = match std::env::var_os("CODEPULSE_CORPUS") {
        Some(corpus) => (vec![PathBuf::from(corpus)], 0.8..=1.25),
        None => {
            let base = Path::new(env!("CARGO_MANIFEST_DIR"));
            let dirs = ["tests/fixtures/metrics", "../benches/samples", "src"];
            (dirs.iter().map(|d| base.join(d)).collect(), 0.4..=2.5)
        }
    };
    let mut totals: BTreeMap<Language, (u32, i64, i64)> = BTreeMap::new();
    for path in sources(dirs) {
        let language = Language::from_path(&path).expect("language");
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        if source.is_empty() {
            continue;
        }
        let bytes = tree_bytes(language, &source);
        let t = totals.entry(language).or_default();
        *t = (t.0 + 1, t.1 + source.len() as i64, t.2 + bytes);
    }
    println!("language   files  source bytes  tree bytes  tree/source  documented");
    let mut off = Vec::new();
    for (language, (files, source, tree)) in &totals {
        let measured = *tree as f64 / *source as f64;
        let documented = LangSpec::get(*language).table.tree_bytes_per_source_byte;
        println!(
            "{:<10} {files:>5} {source:>13} {tree:>11} {measured:>12.2} {documented:>11}",
            language.name()
        );
        if !tolerance.contains(&(measured / f64::from(documented))) {
            off.push(format!(
                "{language}: measured {measured:.2}, documented {documented}"
            ));
        }
    }
    assert_eq!(totals.len(), Language::ALL.len(), "every language measured");
    assert!(off.is_empty(), "re-measure the tree factors: {off:?}");
}
