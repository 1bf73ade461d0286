//! TypeScript and TSX (tree-sitter-typescript 0.23): the JavaScript table plus TypeScript's own
//! class and field kinds. Overload signatures, `abstract` and interface methods have their own
//! kinds without bodies and are not functions.

use codepulse_components::Language;

use super::javascript::JAVASCRIPT;
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
    // JSX elements make denser trees than TypeScript's (tests/tree_size.rs).
    tree_bytes_per_source_byte: 22,
    ..TYPESCRIPT_FIELDS
};

/// The JavaScript table with TypeScript's binding, class and namespace kinds, and its type
/// syntax not walked into.
const TYPESCRIPT_FIELDS: LangTable = LangTable {
    language: Language::TypeScript,
    bindings: BINDINGS,
    containers: CONTAINERS,
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
    ..JAVASCRIPT
};

/// Symbol extraction (docs/graph.md): the query and the export rules.
pub(super) static SYMBOLS: super::SymbolRules = super::SymbolRules {
    query: concat!(
        include_str!("queries/typescript/symbols.scm"),
        "\n",
        include_str!("queries/ecmascript/exports-and-references.scm"),
        "\n",
        include_str!("queries/typescript/types.scm"),
    ),
    export: super::ExportRule::ExportStatement,
    inherit_from: &[
        crate::graph::DefKind::Class,
        crate::graph::DefKind::Interface,
    ],
    unknown_in: &[],
    unknown_in_implementing: &[],
    unknown_kinds: &[],
    resolve: super::ResolveRules {
        scope: super::Scope::JsModule,
        builtins: &[
            "Object", "Array", "String", "Number", "Promise", "Error", "Map", "Set", "Record",
            "Partial", "Readonly", "T", "U", "K", "V", "string", "number", "boolean", "void",
            "any", "unknown", "never",
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

/// Doc comments: TSDoc `/** */` above (past decorators).
pub(super) static DOCS: super::DocComments = super::DocComments {
    line: &[],
    block: &[("/**", "*/")],
    skip: &["@"],
    inner: super::InnerDoc::None,
};
