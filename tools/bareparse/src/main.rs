//! `bareparse [--threads N] [--max-size BYTES] PATH`: the benchmark baseline, "bare tree-sitter
//! parsing". It discovers the files codepulse would measure, with the same rules (the `ignore`
//! crate's standard filters: hidden entries, .gitignore (also outside git), .ignore, git
//! excludes; plus the vendored/build/cache directories codepulse skips; languages by extension) and parses each one with tree-sitter on N threads that pull from a
//! shared queue, and does nothing else: no function extraction, no metrics, no output per file.
//!
//! Prints files, bytes, parse errors and wall times to stdout; exit 2 on a usage error or a
//! missing PATH.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use codepulse_components::Language;
use codepulse_systems::SKIPPED_DIRS;
use codepulse_systems::lang::parser_language;

const USAGE: &str = "usage: bareparse [--threads N] [--max-size BYTES] PATH";

#[derive(Debug)]
struct Options {
    threads: usize,
    max_size: u64,
    root: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut max_size: u64 = 4 * 1024 * 1024;
    let mut root = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "-j" | "--threads" => {
                threads = value("--threads")?
                    .parse()
                    .map_err(|e| format!("--threads: {e}"))?;
            }
            "--max-size" => {
                max_size = value("--max-size")?
                    .parse()
                    .map_err(|e| format!("--max-size: {e}"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ if root.is_none() => root = Some(PathBuf::from(arg)),
            _ => return Err(format!("more than one PATH\n{USAGE}")),
        }
    }
    Ok(Options {
        threads: threads.max(1),
        max_size,
        root: root.unwrap_or_else(|| PathBuf::from(".")),
    })
}

/// The files to parse, with their language, in walk order.
fn discover(root: &Path, max_size: u64) -> Vec<(PathBuf, Language)> {
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(true)
        .hidden(true)
        .require_git(false)
        .follow_links(true)
        .max_filesize(Some(max_size))
        .filter_entry(|entry| {
            !(entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| SKIPPED_DIRS.contains(&name)))
        })
        .build();
    let mut files = Vec::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if let Some(language) = Language::from_path(entry.path()) {
            files.push((entry.into_path(), language));
        }
    }
    files
}

#[derive(Debug, Default)]
struct Totals {
    files: usize,
    bytes: u64,
    skipped: usize,
    with_errors: usize,
}

/// One worker: pulls the next index from the shared queue until it is exhausted.
fn work(files: &[(PathBuf, Language)], next: &AtomicUsize) -> Totals {
    let mut parser = tree_sitter::Parser::new();
    let mut current: Option<Language> = None;
    let mut totals = Totals::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some((path, language)) = files.get(i) else {
            return totals;
        };
        let Ok(source) = std::fs::read(path) else {
            totals.skipped += 1;
            continue;
        };
        // Binary files are skipped, as codepulse does.
        if source[..source.len().min(8192)].contains(&0) {
            totals.skipped += 1;
            continue;
        }
        if current != Some(*language) {
            parser
                .set_language(&parser_language(*language))
                .expect("grammar ABI matches tree-sitter");
            current = Some(*language);
        }
        match parser.parse(&source, None) {
            Some(tree) => {
                totals.files += 1;
                totals.bytes += source.len() as u64;
                if tree.root_node().has_error() {
                    totals.with_errors += 1;
                }
            }
            None => totals.skipped += 1,
        }
    }
}

// The same allocator as codepulse, so the comparison measures analysis, not allocators.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    codepulse_systems::alloc::install_mimalloc_for_tree_sitter();
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bareparse: {e}");
            std::process::exit(2);
        }
    };
    if !options.root.exists() {
        eprintln!(
            "bareparse: {}: no such file or directory",
            options.root.display()
        );
        std::process::exit(2);
    }
    let start = Instant::now();
    let files = discover(&options.root, options.max_size);
    let discovered = start.elapsed();

    let next = AtomicUsize::new(0);
    let totals: Vec<Totals> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..options.threads)
            .map(|_| scope.spawn(|| work(&files, &next)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker panicked"))
            .collect()
    });
    let wall = start.elapsed();

    let sum = totals.iter().fold(Totals::default(), |acc, t| Totals {
        files: acc.files + t.files,
        bytes: acc.bytes + t.bytes,
        skipped: acc.skipped + t.skipped,
        with_errors: acc.with_errors + t.with_errors,
    });
    println!(
        "files {} bytes {} skipped {} with_syntax_errors {} threads {} discover_ms {:.1} wall_ms {:.1}",
        sum.files,
        sum.bytes,
        sum.skipped,
        sum.with_errors,
        options.threads,
        discovered.as_secs_f64() * 1e3,
        wall.as_secs_f64() * 1e3,
    );
}
