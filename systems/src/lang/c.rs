//! C (tree-sitter-c 0.24).

use codepulse_components::Language;

use super::{CallRule, CaseRule, DeclaratorRule, FunctionRule, LangTable, NameFrom};

pub(super) static DECLARATORS: DeclaratorRule = DeclaratorRule {
    function: "function_declarator",
    parenthesized: "parenthesized_declarator",
    qualified: None,
    whole_names: &[],
};

pub(super) static TABLE: LangTable = LangTable {
    language: Language::C,
    functions: &[FunctionRule {
        kind: "function_definition",
        name: NameFrom::Declarator(&DECLARATORS),
        requires: Some("body"),
        receiver: None,
    }],
    lambdas: &[],
    bindings: &[],
    binding_lists: &[],
    containers: &[],
    identifiers: &["identifier", "field_identifier"],
    not_params: &["comment"],
    param_tokens: &["..."],
    multi_name_params: &[],
    void_params: true,
    ifs: &["if_statement"],
    alternative: "alternative",
    else_clauses: &["else_clause"],
    elifs: &[],
    loops: &["for_statement", "while_statement", "do_statement"],
    comprehension_clauses: &[],
    switches: &["switch_statement"],
    cases: &[CaseRule::DefaultWithoutField("case_statement", "value")],
    catches: &[],
    ternaries: &["conditional_expression"],
    logical_nodes: &["binary_expression"],
    and_ops: &["&&"],
    or_ops: &["||"],
    cyclomatic_only_ops: &[],
    cyclomatic_only_nodes: &[],
    parens: &["parenthesized_expression"],
    gotos: &["goto_statement"],
    jumps: &[],
    calls: &[CallRule {
        kind: "call_expression",
        callee: "function",
        receiver: None,
    }],
    self_receivers: &[],
    unnested_fields: &["condition", "initializer", "update"],
    comments: &["comment"],
    opaque_fields: &[("preproc_if", "condition"), ("preproc_elif", "condition")],
    opaque: &["comment", "string_literal", "preproc_include"],
    guard_field: None,
    tree_bytes_per_source_byte: 15,
};

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: include_str!("queries/c/symbols.scm"),
    export: super::ExportRule::Modifier {
        exported: &[],
        private: &["static"],
        otherwise: crate::graph::Visibility::Exported,
    },
    inherit_from: &[],
    unknown_in: &[],
    unknown_in_implementing: &[],
    unknown_kinds: &[],
    resolve: super::ResolveRules {
        scope: super::Scope::CInclude,
        builtins: &["printf", "malloc", "free", "size_t", "FILE", "NULL"],
        self_receivers: &[],
    },
    attributes: super::AttributeRules::NONE,
    dead: super::C_DEAD,
};

/// Doc comments: Doxygen `///`, `//!`, `/** */`, `/*! */` above.
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &["///", "//!"],
    block: &[("/**", "*/"), ("/*!", "*/")],
    skip: &[],
    inner: super::InnerDoc::None,
};
