//! Pure analysis: from a syntax tree and a language table to functions and their metrics. The
//! systems call these; tests and benches call them directly. Nothing here touches the ECS.

mod functions;
mod walker;

use std::cell::RefCell;

use codepulse_components::Language;
use tree_sitter::{Node, Parser, Tree};

pub use functions::FunctionInfo;
pub use walker::{Metrics, Reuse, analyze_tree, analyze_tree_reusing, measure_function};

use crate::lang::{Class, LangSpec, parser_for};

/// One measured function, as reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionReport {
    pub name: String,
    pub qualified_name: String,
    /// 1-based line of the function's name.
    pub start_line: u32,
    /// 1-based last line.
    pub end_line: u32,
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
    pub loc: u32,
    pub params: u32,
}

/// The result of analysing one source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceReport {
    pub functions: Vec<FunctionReport>,
    /// Number of ERROR/MISSING nodes in the tree.
    pub parse_errors: u32,
}

thread_local! {
    static PARSERS: RefCell<Vec<(Language, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parses `source` as `language` with this thread's parser for that language. Never fails: a
/// text with syntax errors gives a tree with ERROR nodes.
pub fn parse_source(language: Language, source: &str) -> Tree {
    reparse_source(language, source, None)
}

/// Parses `source`, reusing `old`: the tree of the previous text, already adjusted with
/// `Tree::edit` for every edit that led to `source` (tree-sitter's incremental parsing).
///
/// The result may differ from a parse from scratch of the same text: how tree-sitter recovers
/// from a syntax error depends on the tree it started from, and even without errors an `extras`
/// node (a comment) can end up on another side of a boundary. Keystroke editing leaves syntax
/// errors most of the time, and parsing from scratch after each would cost a whole parse per
/// keystroke, so the live engine keeps the incremental tree and settles it instead: when idle it
/// parses such files from scratch once (`settle_trees`), and its state then equals a cold
/// analysis (`systems/tests/incremental.rs`).
pub fn reparse_source(language: Language, source: &str, old: Option<&Tree>) -> Tree {
    parse_with(language, source, old)
}

fn parse_with(language: Language, source: &str, old: Option<&Tree>) -> Tree {
    PARSERS.with_borrow_mut(|parsers| {
        let index = match parsers.iter().position(|(l, _)| *l == language) {
            Some(i) => i,
            None => {
                parsers.push((language, parser_for(language)));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[index].1;
        // `parse` returns None only without a language or after a cancellation, neither of
        // which is set; reset and retry once (from scratch) to be safe against a half-finished
        // parse.
        parser.parse(source, old).unwrap_or_else(|| {
            parser.reset();
            parser
                .parse(source, None)
                .expect("a parser with a language and no cancellation returns a tree")
        })
    })
}

/// Parses `source` as `language` and measures every function in it, in source order.
pub fn analyze_source(language: Language, source: &str) -> SourceReport {
    let spec = LangSpec::get(language);
    let tree = parse_source(language, source);
    let functions = analyze_tree(&tree, source, spec)
        .into_iter()
        .map(|(f, m)| FunctionReport {
            loc: loc(f.start_line, f.end_line),
            name: f.name,
            qualified_name: f.qualified_name,
            start_line: f.start_line,
            end_line: f.end_line,
            cyclomatic: m.cyclomatic,
            cognitive: m.cognitive,
            max_nesting: m.max_nesting,
            params: m.params,
        })
        .collect();
    SourceReport {
        functions,
        parse_errors: count_errors(&tree),
    }
}

/// Physical lines from the name's line to the last line.
pub fn loc(start_line: u32, end_line: u32) -> u32 {
    end_line.saturating_sub(start_line) + 1
}

/// The function or lambda node spanning exactly `start..end`.
pub fn find_function_node<'t>(
    tree: &'t Tree,
    start: usize,
    end: usize,
    spec: &LangSpec,
) -> Option<Node<'t>> {
    let mut node = tree.root_node().descendant_for_byte_range(start, end)?;
    loop {
        if node.start_byte() == start
            && node.end_byte() == end
            && matches!(
                spec.class(node.kind_id()),
                Class::Function(_) | Class::Lambda
            )
        {
            return Some(node);
        }
        if node.start_byte() < start || node.end_byte() > end {
            return None;
        }
        node = node.parent()?;
    }
}

/// Number of ERROR and MISSING nodes (0 without walking when the tree has none).
pub fn count_errors(tree: &Tree) -> u32 {
    let root = tree.root_node();
    if !root.has_error() {
        return 0;
    }
    let mut count = 0;
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        // Only subtrees that contain errors are worth descending into.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return count;
            }
        }
    }
}
