//! Regression: a 10,000-deep nesting of `if`s is measured without a stack overflow (the walkers
//! use a cursor and explicit stacks, not recursion), with the exact values.

use codepulse_components::Language;
use codepulse_systems::analysis::analyze_source;

const DEPTH: u32 = 10_000;

fn nested_ifs(open: &str, close: &str, head: &str, tail: &str) -> String {
    let mut source = String::from(head);
    for _ in 0..DEPTH {
        source.push_str(open);
    }
    for _ in 0..DEPTH {
        source.push_str(close);
    }
    source.push_str(tail);
    source
}

#[test]
fn ten_thousand_nested_ifs_in_every_brace_language() {
    let cases = [
        (Language::C, "int f(int x) {\n", "}\n"),
        (Language::Cpp, "int f(int x) {\n", "}\n"),
        (Language::Java, "class A { int f(int x) {\n", "} }\n"),
        (Language::JavaScript, "function f(x) {\n", "}\n"),
        (Language::TypeScript, "function f(x: number) {\n", "}\n"),
        (Language::Go, "package p\nfunc f(x int) {\n", "}\n"),
        (Language::Rust, "fn f(x: i32) {\n", "}\n"),
    ];
    for (language, head, tail) in cases {
        let open = if language == Language::Go || language == Language::Rust {
            "if x > 0 {\n"
        } else {
            "if (x > 0) {\n"
        };
        let source = nested_ifs(open, "}\n", head, tail);
        let report = analyze_source(language, &source);
        assert_eq!(report.parse_errors, 0, "{language}");
        let [f] = report.functions.as_slice() else {
            panic!("{language}: one function expected")
        };
        assert_eq!(f.cyclomatic, DEPTH + 1, "{language}");
        assert_eq!(f.cognitive, DEPTH * (DEPTH + 1) / 2, "{language}");
        assert_eq!(f.max_nesting, DEPTH, "{language}");
    }
}
