//! TypeScript and TSX (tree-sitter-typescript 0.23): the JavaScript table plus TypeScript's own
//! class and field kinds. Overload signatures, `abstract` and interface methods have their own
//! kinds without bodies and are not functions.

use codepulse_components::Language;

use super::javascript::{CALLS, CASES, FUNCTIONS, IDENTIFIERS, JUMPS, LAMBDAS, LOOPS, UNNESTED};
use super::{BindingRule, ContainerRule, LangTable};

const BINDINGS: &[BindingRule] = &[
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
    BindingRule {
        parent: "pair",
        name: "key",
        value: "value",
    },
    BindingRule {
        parent: "public_field_definition",
        name: "name",
        value: "value",
    },
];
const CONTAINERS: &[ContainerRule] = &[
    ContainerRule {
        kind: "class_declaration",
        name: "name",
    },
    ContainerRule {
        kind: "abstract_class_declaration",
        name: "name",
    },
    ContainerRule {
        kind: "class",
        name: "name",
    },
    ContainerRule {
        kind: "internal_module",
        name: "name",
    },
];

pub(super) static TYPESCRIPT: LangTable = TYPESCRIPT_FIELDS;

pub(super) static TSX: LangTable = LangTable {
    language: Language::Tsx,
    ..TYPESCRIPT_FIELDS
};

/// TYPESCRIPT's fields, for TSX (a static cannot be used in another static's initialiser).
const TYPESCRIPT_FIELDS: LangTable = LangTable {
    language: Language::TypeScript,
    functions: FUNCTIONS,
    lambdas: LAMBDAS,
    bindings: BINDINGS,
    binding_lists: &[],
    containers: CONTAINERS,
    identifiers: IDENTIFIERS,
    not_params: &["comment"],
    param_tokens: &[],
    multi_name_params: &[],
    void_params: false,
    ifs: &["if_statement"],
    alternative: "alternative",
    else_clauses: &["else_clause"],
    elifs: &[],
    loops: LOOPS,
    comprehension_clauses: &[],
    switches: &["switch_statement"],
    cases: CASES,
    catches: &["catch_clause"],
    ternaries: &["ternary_expression"],
    logical_nodes: &["binary_expression"],
    and_ops: &["&&"],
    or_ops: &["||"],
    cyclomatic_only_ops: &["??"],
    cyclomatic_only_nodes: &[],
    parens: &["parenthesized_expression"],
    gotos: &[],
    jumps: JUMPS,
    calls: CALLS,
    self_receivers: &["this", "super"],
    unnested_fields: UNNESTED,
    comments: &["comment"],
    opaque_fields: &[],
    opaque: &[
        "comment",
        "string",
        "regex",
        "import_statement",
        "type_annotation",
        "type_arguments",
        "type_parameters",
        "interface_declaration",
        "type_alias_declaration",
    ],
    guard_field: None,
};
