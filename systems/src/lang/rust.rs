//! Rust (tree-sitter-rust 0.24).

use codepulse_components::Language;

use super::{
    BindingRule, CallRule, CaseRule, ContainerRule, FunctionRule, JumpRule, LangTable, NameFrom,
};

pub(super) static TABLE: LangTable = LangTable {
    language: Language::Rust,
    functions: &[FunctionRule {
        kind: "function_item",
        name: NameFrom::Field("name"),
        requires: Some("body"),
        receiver: None,
    }],
    lambdas: &["closure_expression"],
    bindings: &[
        BindingRule {
            parent: "let_declaration",
            name: "pattern",
            value: "value",
        },
        BindingRule {
            parent: "assignment_expression",
            name: "left",
            value: "right",
        },
    ],
    binding_lists: &[],
    containers: &[
        ContainerRule {
            kind: "mod_item",
            name: "name",
        },
        ContainerRule {
            kind: "impl_item",
            name: "type",
        },
        ContainerRule {
            kind: "trait_item",
            name: "name",
        },
    ],
    identifiers: &["identifier"],
    not_params: &["line_comment", "block_comment", "attribute_item"],
    param_tokens: &[],
    multi_name_params: &[],
    void_params: false,
    ifs: &["if_expression"],
    alternative: "alternative",
    else_clauses: &["else_clause"],
    elifs: &[],
    loops: &["for_expression", "while_expression", "loop_expression"],
    comprehension_clauses: &[],
    switches: &["match_expression"],
    cases: &[CaseRule::Wildcard("match_arm")],
    catches: &[],
    ternaries: &[],
    logical_nodes: &["binary_expression", "let_chain"],
    and_ops: &["&&"],
    or_ops: &["||"],
    cyclomatic_only_ops: &[],
    cyclomatic_only_nodes: &["try_expression"],
    parens: &["parenthesized_expression"],
    gotos: &[],
    jumps: &[
        JumpRule {
            kind: "break_expression",
            label: "label",
        },
        JumpRule {
            kind: "continue_expression",
            label: "label",
        },
    ],
    calls: &[CallRule {
        kind: "call_expression",
        callee: "function",
        receiver: None,
    }],
    self_receivers: &["self", "Self"],
    unnested_fields: &["condition", "value", "pattern"],
    comments: &["line_comment", "block_comment"],
    opaque_fields: &[],
    opaque: &[
        "token_tree",
        "line_comment",
        "block_comment",
        "string_literal",
        "raw_string_literal",
        "attribute_item",
        "inner_attribute_item",
        "use_declaration",
    ],
    guard_field: None,
    tree_bytes_per_source_byte: 28,
};

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: include_str!("queries/rust/symbols.scm"),
    export: super::ExportRule::Modifier {
        exported: &["pub"],
        private: &[],
        otherwise: crate::graph::Visibility::Private,
    },
    inherit_from: &[crate::graph::DefKind::Trait],
    unknown_in: &[],
    unknown_in_implementing: &[crate::graph::DefKind::Impl],
    unknown_kinds: &[crate::graph::DefKind::Impl],
    resolve: super::ResolveRules {
        scope: super::Scope::RustCrate,
        builtins: &[
            "Self",
            "self",
            "Option",
            "Some",
            "None",
            "Result",
            "Ok",
            "Err",
            "Vec",
            "String",
            "Box",
            "str",
            "bool",
            "char",
            "u8",
            "u16",
            "u32",
            "u64",
            "u128",
            "usize",
            "i8",
            "i16",
            "i32",
            "i64",
            "i128",
            "isize",
            "f32",
            "f64",
            "T",
            "U",
            "E",
            "K",
            "V",
            "Default",
            "Clone",
            "Copy",
            "Debug",
            "PartialEq",
            "Eq",
            "Hash",
            "Iterator",
            "From",
            "Into",
        ],
        self_receivers: &["self", "Self"],
    },
};

/// Doc comments: `///` and `/** */` above (past attributes); `//!` first in a module body.
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &["///"],
    block: &[("/**", "*/")],
    skip: &["#["],
    inner: super::InnerDoc::LineComments(&["//!"]),
};
