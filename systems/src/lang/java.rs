//! Java (tree-sitter-java 0.23).

use codepulse_components::Language;

use super::{
    BindingRule, CallRule, CaseRule, ContainerRule, FunctionRule, JumpRule, LangTable, NameFrom,
};

pub(super) static TABLE: LangTable = LangTable {
    language: Language::Java,
    functions: &[
        FunctionRule {
            kind: "method_declaration",
            name: NameFrom::Field("name"),
            requires: Some("body"),
            receiver: None,
        },
        FunctionRule {
            kind: "constructor_declaration",
            name: NameFrom::Field("name"),
            requires: Some("body"),
            receiver: None,
        },
        FunctionRule {
            kind: "compact_constructor_declaration",
            name: NameFrom::Field("name"),
            requires: Some("body"),
            receiver: None,
        },
    ],
    lambdas: &["lambda_expression"],
    bindings: &[
        BindingRule {
            parent: "variable_declarator",
            name: "name",
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
            kind: "class_declaration",
            name: "name",
        },
        ContainerRule {
            kind: "interface_declaration",
            name: "name",
        },
        ContainerRule {
            kind: "enum_declaration",
            name: "name",
        },
        ContainerRule {
            kind: "record_declaration",
            name: "name",
        },
        ContainerRule {
            kind: "annotation_type_declaration",
            name: "name",
        },
    ],
    identifiers: &["identifier"],
    not_params: &["line_comment", "block_comment", "receiver_parameter"],
    param_tokens: &[],
    multi_name_params: &[],
    void_params: false,
    ifs: &["if_statement"],
    alternative: "alternative",
    else_clauses: &[],
    elifs: &[],
    loops: &[
        "for_statement",
        "enhanced_for_statement",
        "while_statement",
        "do_statement",
    ],
    comprehension_clauses: &[],
    switches: &["switch_expression"],
    cases: &[CaseRule::DefaultWhenFirst("switch_label", "default")],
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    logical_nodes: &["binary_expression"],
    and_ops: &["&&"],
    or_ops: &["||"],
    cyclomatic_only_ops: &[],
    cyclomatic_only_nodes: &[],
    parens: &["parenthesized_expression"],
    gotos: &[],
    jumps: &[
        JumpRule {
            kind: "break_statement",
            label: "identifier",
        },
        JumpRule {
            kind: "continue_statement",
            label: "identifier",
        },
    ],
    calls: &[CallRule {
        kind: "method_invocation",
        callee: "name",
        receiver: Some("object"),
    }],
    self_receivers: &["this", "super"],
    unnested_fields: &["condition", "init", "update", "value", "dimensions"],
    comments: &["line_comment", "block_comment"],
    opaque_fields: &[],
    opaque: &[
        "line_comment",
        "block_comment",
        "string_literal",
        "import_declaration",
        "package_declaration",
        "marker_annotation",
        "annotation",
    ],
    guard_field: None,
    tree_bytes_per_source_byte: 11,
};

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: include_str!("queries/java/symbols.scm"),
    export: super::ExportRule::Modifier {
        exported: &["public", "protected"],
        private: &["private"],
        otherwise: crate::graph::Visibility::Private,
    },
    inherit_from: &[crate::graph::DefKind::Interface],
    unknown_in: &[],
    unknown_in_implementing: &[],
    unknown_kinds: &[],
    resolve: super::ResolveRules {
        scope: super::Scope::JavaPackage,
        builtins: &[
            "String",
            "Object",
            "Integer",
            "Long",
            "Double",
            "Boolean",
            "List",
            "Map",
            "Set",
            "ArrayList",
            "HashMap",
            "Override",
            "T",
            "E",
            "K",
            "V",
        ],
        self_receivers: &["this"],
    },
    attributes: super::AttributeRules {
        kinds: &["marker_annotation", "annotation"],
        skip: &[],
        holders: &["modifiers"],
        marker: ("@", ""),
    },
    dead: super::DeadRules {
        exports: super::Exports::Visibility,
        entry_names: &["main"],
        entry_names_anywhere: true,
        entry_attributes: &[
            "Override",
            "Test",
            "ParameterizedTest",
            "RepeatedTest",
            "TestFactory",
            "BeforeEach",
            "AfterEach",
            "BeforeAll",
            "AfterAll",
            "Before",
            "After",
            "BeforeClass",
            "AfterClass",
        ],
        kept_attributes: &["SuppressWarnings(unused)"],
        entry_dirs: &[],
        entry_files: &[],
        entry_suffixes: &[],
        entry_prefixes: &[],
        live_names: &[],
        dunder_names: false,
        constructors_named_like_container: true,
    },
};

/// Doc comments: Javadoc `/** */` above (past annotations).
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &[],
    block: &[("/**", "*/")],
    skip: &["@"],
    inner: super::InnerDoc::None,
};
