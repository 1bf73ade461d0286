//! Go (tree-sitter-go 0.25).

use codepulse_components::Language;

use super::{BindingRule, CallRule, CaseRule, FunctionRule, JumpRule, LangTable, NameFrom};

pub(super) static TABLE: LangTable = LangTable {
    language: Language::Go,
    functions: &[
        FunctionRule {
            kind: "function_declaration",
            name: NameFrom::Field("name"),
            requires: Some("body"),
            receiver: None,
        },
        FunctionRule {
            kind: "method_declaration",
            name: NameFrom::Field("name"),
            requires: Some("body"),
            receiver: Some("receiver"),
        },
    ],
    lambdas: &["func_literal"],
    bindings: &[
        BindingRule {
            parent: "short_var_declaration",
            name: "left",
            value: "right",
        },
        BindingRule {
            parent: "assignment_statement",
            name: "left",
            value: "right",
        },
        BindingRule {
            parent: "var_spec",
            name: "name",
            value: "value",
        },
    ],
    binding_lists: &["expression_list"],
    containers: &[],
    identifiers: &["identifier", "field_identifier"],
    not_params: &["comment"],
    param_tokens: &[],
    multi_name_params: &["parameter_declaration", "variadic_parameter_declaration"],
    void_params: false,
    ifs: &["if_statement"],
    alternative: "alternative",
    else_clauses: &[],
    elifs: &[],
    loops: &["for_statement"],
    comprehension_clauses: &[],
    switches: &[
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
    ],
    cases: &[
        CaseRule::Always("expression_case"),
        CaseRule::Always("type_case"),
        CaseRule::Always("communication_case"),
    ],
    catches: &[],
    ternaries: &[],
    logical_nodes: &["binary_expression"],
    and_ops: &["&&"],
    or_ops: &["||"],
    cyclomatic_only_ops: &[],
    cyclomatic_only_nodes: &[],
    parens: &["parenthesized_expression"],
    gotos: &["goto_statement"],
    jumps: &[
        JumpRule {
            kind: "break_statement",
            label: "label_name",
        },
        JumpRule {
            kind: "continue_statement",
            label: "label_name",
        },
    ],
    calls: &[CallRule {
        kind: "call_expression",
        callee: "function",
        receiver: None,
    }],
    self_receivers: &[],
    unnested_fields: &["condition", "initializer", "value", "update", "alias"],
    comments: &["comment"],
    opaque_fields: &[],
    opaque: &[
        "comment",
        "import_declaration",
        "package_clause",
        "interpreted_string_literal",
        "raw_string_literal",
    ],
    guard_field: None,
    tree_bytes_per_source_byte: 27,
};

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: include_str!("queries/go/symbols.scm"),
    export: super::ExportRule::Capitalised,
    inherit_from: &[],
    unknown_in: &[],
    unknown_in_implementing: &[],
    unknown_kinds: &[],
    resolve: super::ResolveRules {
        scope: super::Scope::GoPackage,
        builtins: &[
            "bool",
            "byte",
            "rune",
            "int",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "uintptr",
            "float32",
            "float64",
            "complex64",
            "complex128",
            "string",
            "error",
            "any",
            "comparable",
            "len",
            "cap",
            "make",
            "new",
            "append",
            "copy",
            "delete",
            "panic",
            "recover",
            "print",
            "println",
            "T",
        ],
        self_receivers: &[],
    },
};

/// Doc comments: `//` lines directly above (Go doc comments).
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &["//"],
    block: &[],
    skip: &[],
    inner: super::InnerDoc::None,
};
