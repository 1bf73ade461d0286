//! Criterion benches: per language, bare tree-sitter parsing and parse + measure
//! (`codepulse_systems::analysis::analyze_source`) of an embedded, function-rich sample
//! (`benches/samples/`, written for these benches). Throughput is in source bytes.
//!
//!     cargo bench -p codepulse-systems --bench analyze            # full run
//!     cargo bench -p codepulse-systems --bench analyze -- --quick # quick look
//!     cargo bench -p codepulse-systems --bench analyze -- rust/   # one language

use std::hint::black_box;

use codepulse_components::Language;
use codepulse_systems::analysis::analyze_source;
use codepulse_systems::lang::parser_language;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
        group.finish();
    }
}

criterion_group!(benches, per_language);
criterion_main!(benches);
