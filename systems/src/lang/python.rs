//! Python (tree-sitter-python 0.25).

use codepulse_components::Language;

use super::{BindingRule, CallRule, CaseRule, ContainerRule, FunctionRule, LangTable, NameFrom};

pub(super) static TABLE: LangTable = LangTable {
    language: Language::Python,
    functions: &[FunctionRule {
        kind: "function_definition",
        name: NameFrom::Field("name"),
        requires: Some("body"),
        receiver: None,
    }],
    lambdas: &["lambda"],
    bindings: &[BindingRule {
        parent: "assignment",
        name: "left",
        value: "right",
    }],
    binding_lists: &[],
    containers: &[ContainerRule {
        kind: "class_definition",
        name: "name",
    }],
    identifiers: &["identifier"],
    not_params: &["comment", "keyword_separator", "positional_separator"],
    param_tokens: &[],
    multi_name_params: &[],
    void_params: false,
    ifs: &["if_statement"],
    alternative: "alternative",
    else_clauses: &["else_clause"],
    elifs: &["elif_clause"],
    loops: &["for_statement", "while_statement"],
    comprehension_clauses: &["for_in_clause", "if_clause"],
    switches: &["match_statement"],
    cases: &[CaseRule::Wildcard("case_clause")],
    catches: &["except_clause"],
    ternaries: &["conditional_expression"],
    logical_nodes: &["boolean_operator"],
    and_ops: &["and"],
    or_ops: &["or"],
    cyclomatic_only_ops: &[],
    cyclomatic_only_nodes: &[],
    parens: &["parenthesized_expression"],
    gotos: &[],
    jumps: &[],
    calls: &[CallRule {
        kind: "call",
        callee: "function",
        receiver: None,
    }],
    self_receivers: &["self", "cls"],
    unnested_fields: &["condition", "subject", "left", "right"],
    comments: &["comment"],
    opaque_fields: &[],
    opaque: &[
        "comment",
        "import_statement",
        "import_from_statement",
        "future_import_statement",
    ],
    guard_field: Some("guard"),
    tree_bytes_per_source_byte: 22,
};

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: include_str!("queries/python/symbols.scm"),
    export: super::ExportRule::Underscore,
    inherit_from: &[crate::graph::DefKind::Class],
    unknown_in: &[],
    unknown_in_implementing: &[],
    unknown_kinds: &[],
    resolve: super::ResolveRules {
        scope: super::Scope::PythonModule,
        builtins: &[
            "int",
            "float",
            "str",
            "bool",
            "bytes",
            "list",
            "dict",
            "set",
            "tuple",
            "object",
            "None",
            "print",
            "len",
            "range",
            "isinstance",
            "super",
            "List",
            "Dict",
            "Optional",
            "Any",
            "T",
        ],
        self_receivers: &["self", "cls"],
    },
    attributes: super::AttributeRules {
        kinds: &["decorator"],
        skip: &["comment"],
        holders: &[],
        marker: ("@", ""),
    },
    dead: super::DeadRules {
        exports: super::Exports::Visibility,
        entry_names: &[],
        entry_names_anywhere: true,
        // A decorated function is registered somewhere (routes, fixtures, properties).
        entry_attributes: &["*"],
        kept_attributes: &[],
        entry_dirs: &["tests"],
        entry_files: &["conftest.py", "__main__.py"],
        entry_suffixes: &["_test.py"],
        entry_prefixes: &["test", "Test"],
        live_names: &[],
        dunder_names: true,
        constructors_named_like_container: false,
    },
};

/// Doc comments: the docstring; else `#` lines above (past decorators), as pydoc reads them.
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &["#"],
    block: &[],
    skip: &["@"],
    inner: super::InnerDoc::Docstring,
};
