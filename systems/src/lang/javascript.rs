//! JavaScript and JSX (tree-sitter-javascript 0.25). TypeScript shares most of this table
//! (see `typescript.rs`).

use codepulse_components::Language;

use super::{
    BindingRule, CallRule, CaseRule, ContainerRule, FunctionRule, JumpRule, LangTable, NameFrom,
};

const FUNCTIONS: &[FunctionRule] = &[
    FunctionRule {
        kind: "function_declaration",
        name: NameFrom::Field("name"),
        requires: Some("body"),
        receiver: None,
    },
    FunctionRule {
        kind: "generator_function_declaration",
        name: NameFrom::Field("name"),
        requires: Some("body"),
        receiver: None,
    },
    FunctionRule {
        kind: "method_definition",
        name: NameFrom::Field("name"),
        requires: Some("body"),
        receiver: None,
    },
];
const LAMBDAS: &[&str] = &[
    "arrow_function",
    "function_expression",
    "generator_function",
];
const CASES: &[CaseRule] = &[CaseRule::Always("switch_case")];
const JUMPS: &[JumpRule] = &[
    JumpRule {
        kind: "break_statement",
        label: "statement_identifier",
    },
    JumpRule {
        kind: "continue_statement",
        label: "statement_identifier",
    },
];
const CALLS: &[CallRule] = &[CallRule {
    kind: "call_expression",
    callee: "function",
    receiver: None,
}];
const IDENTIFIERS: &[&str] = &[
    "identifier",
    "property_identifier",
    "private_property_identifier",
    "shorthand_property_identifier",
    "string_fragment",
];
const UNNESTED: &[&str] = &[
    "condition",
    "value",
    "left",
    "right",
    "initializer",
    "increment",
];
const LOOPS: &[&str] = &[
    "for_statement",
    "for_in_statement",
    "while_statement",
    "do_statement",
];

/// The JavaScript table; TypeScript and TSX are built from it (`typescript.rs`).
pub(super) const JAVASCRIPT: LangTable = LangTable {
    language: Language::JavaScript,
    functions: FUNCTIONS,
    lambdas: LAMBDAS,
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
        BindingRule {
            parent: "pair",
            name: "key",
            value: "value",
        },
        BindingRule {
            parent: "field_definition",
            name: "property",
            value: "value",
        },
    ],
    binding_lists: &[],
    containers: &[
        ContainerRule {
            kind: "class_declaration",
            name: "name",
        },
        ContainerRule {
            kind: "class",
            name: "name",
        },
    ],
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
    opaque: &["comment", "string", "regex", "import_statement"],
    guard_field: None,
    tree_bytes_per_source_byte: 14,
};

pub(super) static TABLE: LangTable = JAVASCRIPT;

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: concat!(
        include_str!("queries/javascript/symbols.scm"),
        "\n",
        include_str!("queries/ecmascript/exports-and-references.scm"),
    ),
    export: super::ExportRule::ExportStatement,
    inherit_from: &[crate::graph::DefKind::Class],
    unknown_in: &[],
    unknown_in_implementing: &[],
    unknown_kinds: &[],
    resolve: super::ResolveRules {
        scope: super::Scope::JsModule,
        builtins: &[
            "Object", "Array", "String", "Number", "Promise", "Error", "Map", "Set", "console",
            "require",
        ],
        self_receivers: &["this"],
    },
    attributes: super::AttributeRules {
        kinds: &["decorator"],
        skip: &["comment"],
        holders: &[],
        marker: ("@", ""),
    },
    dead: super::ECMASCRIPT_DEAD,
};

/// Doc comments: JSDoc `/** */` above (past decorators).
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &[],
    block: &[("/**", "*/")],
    skip: &["@"],
    inner: super::InnerDoc::None,
};
