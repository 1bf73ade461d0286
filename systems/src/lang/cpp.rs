//! C++ (tree-sitter-cpp 0.23).

use codepulse_components::Language;

use super::{
    BindingRule, CallRule, CaseRule, ContainerRule, DeclaratorRule, FunctionRule, LangTable,
    NameFrom,
};

pub(super) static DECLARATORS: DeclaratorRule = DeclaratorRule {
    function: "function_declarator",
    parenthesized: "parenthesized_declarator",
    qualified: Some("qualified_identifier"),
    whole_names: &["destructor_name", "operator_name", "operator_cast"],
};

pub(super) static TABLE: LangTable = LangTable {
    language: Language::Cpp,
    functions: &[FunctionRule {
        kind: "function_definition",
        name: NameFrom::Declarator(&DECLARATORS),
        requires: Some("body"),
        receiver: None,
    }],
    lambdas: &["lambda_expression"],
    bindings: &[
        BindingRule {
            parent: "init_declarator",
            name: "declarator",
            value: "value",
        },
        BindingRule {
            parent: "field_declaration",
            name: "declarator",
            value: "default_value",
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
            kind: "namespace_definition",
            name: "name",
        },
        ContainerRule {
            kind: "class_specifier",
            name: "name",
        },
        ContainerRule {
            kind: "struct_specifier",
            name: "name",
        },
        ContainerRule {
            kind: "union_specifier",
            name: "name",
        },
    ],
    identifiers: &["identifier", "field_identifier"],
    not_params: &["comment"],
    param_tokens: &["..."],
    multi_name_params: &[],
    void_params: true,
    ifs: &["if_statement"],
    alternative: "alternative",
    else_clauses: &["else_clause"],
    elifs: &[],
    loops: &[
        "for_statement",
        "for_range_loop",
        "while_statement",
        "do_statement",
    ],
    comprehension_clauses: &[],
    switches: &["switch_statement"],
    cases: &[CaseRule::DefaultWithoutField("case_statement", "value")],
    catches: &["catch_clause"],
    ternaries: &["conditional_expression"],
    logical_nodes: &["binary_expression"],
    and_ops: &["&&", "and"],
    or_ops: &["||", "or"],
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
    self_receivers: &["this"],
    unnested_fields: &["condition", "initializer", "update", "right"],
    comments: &["comment"],
    opaque_fields: &[("preproc_if", "condition"), ("preproc_elif", "condition")],
    opaque: &[
        "comment",
        "string_literal",
        "raw_string_literal",
        "preproc_include",
    ],
    guard_field: None,
    tree_bytes_per_source_byte: 19,
};

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: include_str!("queries/cpp/symbols.scm"),
    export: super::ExportRule::Modifier {
        exported: &[],
        private: &["static"],
        otherwise: crate::graph::Visibility::Exported,
    },
    inherit_from: &[],
    unknown_in: &[crate::graph::DefKind::Class, crate::graph::DefKind::Struct],
    unknown_in_implementing: &[],
    unknown_kinds: &[],
    resolve: super::ResolveRules {
        scope: super::Scope::CInclude,
        builtins: &[
            "printf", "malloc", "free", "size_t", "std", "string", "vector", "T",
        ],
        self_receivers: &["this"],
    },
    attributes: super::AttributeRules::NONE,
    dead: super::C_DEAD,
};

/// Doc comments: Doxygen `///`, `//!`, `/** */`, `/*! */` above (past template heads and attributes).
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &["///", "//!"],
    block: &[("/**", "*/"), ("/*!", "*/")],
    skip: &["template", "["],
    inner: super::InnerDoc::None,
};
