//! Criterion benches: per language, of an embedded, function-rich sample (`benches/samples/`,
//! written for these benches): bare tree-sitter parsing (`parse`), finding and measuring the
//! functions of a parsed tree (`measure`), both (`parse+measure`,
//! `codepulse_systems::analysis::analyze_source`), and the incremental reparse after one typed
//! character (`reparse-one-char`). Throughput is in source bytes.
//!
//!     cargo bench -p codepulse-systems --bench analyze            # full run
//!     cargo bench -p codepulse-systems --bench analyze -- --quick # quick look
//!     cargo bench -p codepulse-systems --bench analyze -- rust/   # one language
//!     cargo bench -p codepulse-systems --bench analyze -- incremental/  # live edits
//!
//! The `incremental` group edits one character of a large Rust file (the sample 40 times, each
//! copy in its own module, about 275 KB): the incremental reparse alone, the reparse followed by
//! measuring the whole file (what `measure_functions` does), the reparse followed by the changed
//! ranges and measuring only the one function they touch (the least any partial re-measurement
//! must do), and a whole ECS tick (`apply_edits` → `parse_files` → `measure_functions`).

use std::hint::black_box;
use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Diagnostics, FilePath, Lang, Language, PendingEdits, SourceText, TextEdit,
};
use codepulse_systems::analysis::{
    analyze_source, analyze_tree, measure_function, parse_source, reparse_source,
};
use codepulse_systems::lang::{Class, LangSpec, parser_language};
use codepulse_systems::{
    GraphState, apply_edits, apply_text_edits, extract_symbols, measure_functions, parse_files,
    update_graph,
};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const SAMPLES: [(Language, &str); 9] = [
    (Language::Rust, include_str!("samples/rust.rs")),
    (Language::Python, include_str!("samples/python.py")),
    (Language::JavaScript, include_str!("samples/javascript.js")),
    (Language::TypeScript, include_str!("samples/typescript.ts")),
    (Language::Tsx, include_str!("samples/tsx.tsx")),
    (Language::C, include_str!("samples/c.c")),
    (Language::Cpp, include_str!("samples/cpp.cpp")),
    (Language::Go, include_str!("samples/go.go")),
    (Language::Java, include_str!("samples/java.java")),
];

fn per_language(c: &mut Criterion) {
    for (language, source) in SAMPLES {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&parser_language(language))
            .expect("grammar ABI matches tree-sitter");
        let tree = parser.parse(source, None).expect("sample parses");
        assert!(
            !tree.root_node().has_error(),
            "benches/samples for {language} has syntax errors"
        );

        assert!(
            !analyze_source(language, source).functions.is_empty(),
            "no functions found in the {language} sample"
        );

        let mut group = c.benchmark_group(language.name());
        group.throughput(Throughput::Bytes(source.len() as u64));
        group.bench_function("parse", |b| {
            b.iter(|| parser.parse(black_box(source), None).expect("parses"));
        });
        group.bench_function("parse+measure", |b| {
            b.iter(|| analyze_source(language, black_box(source)));
        });
        let spec = LangSpec::get(language);
        group.bench_function("measure", |b| {
            b.iter(|| analyze_tree(black_box(&tree), source, spec));
        });
        // One keystroke in the middle of the sample: a space typed after the first `(` of its
        // second half, then the incremental reparse from the edited tree.
        let middle = source.len() / 2;
        let at = middle + source[middle..].find('(').expect("a parenthesis") + 1;
        let keystroke = TextEdit {
            start: at,
            end: at,
            text: " ".into(),
        };
        let (typed, input_edits) =
            apply_text_edits(source, std::slice::from_ref(&keystroke)).expect("fits");
        group.bench_function("reparse-one-char", |b| {
            b.iter_batched(
                || tree.clone(),
                |mut old| {
                    for e in &input_edits {
                        old.edit(e);
                    }
                    reparse_source(language, black_box(&typed), Some(&old))
                },
                BatchSize::SmallInput,
            );
        });
        group.finish();
    }
}

/// The Rust sample 40 times, each copy in its own module.
fn large_rust() -> String {
    (0..40)
        .map(|i| format!("mod copy{i} {{\n{}\n}}\n", SAMPLES[0].1))
        .collect()
}

fn incremental(c: &mut Criterion) {
    bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
    let language = Language::Rust;
    let spec = LangSpec::get(language);
    let source = large_rust();
    let tree = parse_source(language, &source);
    assert!(!tree.root_node().has_error());
    // `if c` → `if !c` in a function in the middle of the file.
    let middle = source.len() / 2;
    let at = middle + source[middle..].find("if ").expect("an if") + "if ".len();
    let insert = TextEdit {
        start: at,
        end: at,
        text: "!".into(),
    };
    let (edited, input_edits) =
        apply_text_edits(&source, std::slice::from_ref(&insert)).expect("fits");
    let reparse = |old: &mut tree_sitter::Tree| {
        for e in &input_edits {
            old.edit(e);
        }
        reparse_source(language, &edited, Some(old))
    };

    let mut group = c.benchmark_group("incremental");
    group.throughput(Throughput::Bytes(source.len() as u64));
    group.bench_function("rust-large/reparse", |b| {
        b.iter_batched(
            || tree.clone(),
            |mut old| reparse(&mut old),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("rust-large/reparse+measure-file", |b| {
        b.iter_batched(
            || tree.clone(),
            |mut old| {
                let new = reparse(&mut old);
                analyze_tree(&new, &edited, spec)
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("rust-large/reparse+changed-ranges+measure-one", |b| {
        b.iter_batched(
            || tree.clone(),
            |mut old| {
                let new = reparse(&mut old);
                let mut metrics = Vec::new();
                for range in old.changed_ranges(&new) {
                    let mut node = new
                        .root_node()
                        .descendant_for_byte_range(range.start_byte, range.end_byte);
                    while let Some(n) = node {
                        if matches!(spec.class(n.kind_id()), Class::Function(_)) {
                            metrics.push(measure_function(n, &edited, spec, "f", "m::f"));
                            break;
                        }
                        node = n.parent();
                    }
                }
                metrics
            },
            BatchSize::SmallInput,
        );
    });

    // A whole tick, alternately inserting and deleting the character.
    let mut world = World::new();
    world.init_resource::<Diagnostics>();
    let file = world
        .spawn((
            FilePath {
                absolute: "/w/large.rs".into(),
                relative: "large.rs".into(),
            },
            Lang(language),
            SourceText(Arc::from(source.as_str())),
        ))
        .id();
    let delete = TextEdit {
        start: at,
        end: at + 1,
        text: String::new(),
    };
    // Without and with the graph stage (symbol extraction, graph update, dead symbols).
    for (name, graph) in [("rust-large/tick", false), ("rust-large/tick+graph", true)] {
        let mut schedule = Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        if graph {
            world.init_resource::<GraphState>();
            schedule.add_systems(
                (
                    apply_edits,
                    parse_files,
                    extract_symbols,
                    measure_functions,
                    update_graph,
                )
                    .chain(),
            );
        } else {
            schedule.add_systems((apply_edits, parse_files, measure_functions).chain());
        }
        schedule.run(&mut world);
        let mut step = 0usize;
        group.bench_function(name, |b| {
            b.iter(|| {
                let edit = if step.is_multiple_of(2) {
                    &insert
                } else {
                    &delete
                };
                step += 1;
                world
                    .entity_mut(file)
                    .insert(PendingEdits(vec![edit.clone()]));
                schedule.run(&mut world);
                world.clear_trackers();
            });
        });
    }
    group.finish();
}

criterion_group!(benches, per_language, incremental);
criterion_main!(benches);
