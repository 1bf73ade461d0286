//! Per-language knowledge, as data: one [`LangTable`] per language (one file each), naming the
//! tree-sitter node kinds and fields that make functions, branches, loops, boolean operators and
//! nesting. The analysis code reads these tables and never matches on a language itself.
//!
//! A table is written with node-kind *names*; [`LangSpec::get`] compiles it once per process
//! into lookup arrays indexed by tree-sitter's numeric kind and field ids, so the walkers do one
//! array read per node.

use std::sync::OnceLock;

use codepulse_components::Language;

mod c;
mod cpp;
mod docs;
mod go;
mod java;
mod javascript;
mod python;
mod rust;
mod typescript;

pub use docs::markdown_tables;

use crate::graph::{DefKind, Visibility};

/// How the symbol extraction of a language decides a definition's export status (docs/graph.md).
#[derive(Clone, Copy, Debug)]
pub enum ExportRule {
    /// By the words of the definition's `@visibility` captures: exported when one is in
    /// `exported`, private when one is in `private`, else `otherwise` (Rust `pub`, Java
    /// `public`/`protected`, C/C++ `static`).
    Modifier {
        exported: &'static [&'static str],
        private: &'static [&'static str],
        otherwise: Visibility,
    },
    /// Python: a name with a leading underscore (not a `__dunder__`) is private, any other
    /// exported; at module level, when the module lists names (`__all__`, captured `@export`),
    /// exactly those are exported.
    Underscore,
    /// JS/TS: exported when a `@visibility` capture (the enclosing `export` statement) is
    /// present or the name is in an export list (`@export`), else private.
    ExportStatement,
    /// Go: exported when the name starts with an upper-case letter.
    Capitalised,
}

/// The symbol-extraction data of one language: its query (`queries/<language>/symbols.scm`)
/// and the export rules a query cannot express alone.
#[derive(Debug)]
pub struct SymbolRules {
    pub query: &'static str,
    pub export: ExportRule,
    /// A definition directly inside a definition of one of these kinds, with no
    /// `@visibility` capture of its own, takes that definition's status (trait and interface
    /// members, JS/TS class members).
    pub inherit_from: &'static [DefKind],
    /// A definition directly inside a definition of one of these kinds has an unknown status
    /// (C++ class members: access specifiers are positional, not part of the member).
    pub unknown_in: &'static [DefKind],
    /// A definition directly inside a definition of one of these kinds that implements
    /// something (a trait impl), with no modifier deciding, has an unknown status: it is as
    /// visible as the trait, which the resolution finds (Rust `impl Trait for T`).
    pub unknown_in_implementing: &'static [DefKind],
    /// Definitions of these kinds have an unknown status themselves (Rust impl blocks).
    pub unknown_kinds: &'static [DefKind],
    /// How references are resolved to definitions across files (docs/graph.md, "Resolution").
    pub resolve: ResolveRules,
    /// Where a definition's attributes, decorators or annotations stand.
    pub attributes: AttributeRules,
    /// What keeps a symbol alive besides references (docs/graph.md, "Dead symbols").
    pub dead: DeadRules,
}

/// Where a language writes attributes, decorators or annotations of a definition (Rust
/// `#[test]`, Python `@app.route(…)`, Java `@Override`, TypeScript `@Component(…)`).
#[derive(Debug)]
pub struct AttributeRules {
    /// Node kinds of one attribute; none: the language has no attributes.
    pub kinds: &'static [&'static str],
    /// Node kinds skipped between attributes preceding a definition (comments).
    pub skip: &'static [&'static str],
    /// Child kinds of a definition that hold its attributes (Java `modifiers`).
    pub holders: &'static [&'static str],
    /// The marker written around an attribute, removed from the recorded text (`#[`, `]`;
    /// `@`, ``).
    pub marker: (&'static str, &'static str),
}

impl AttributeRules {
    /// A language without attributes.
    pub const NONE: AttributeRules = AttributeRules {
        kinds: &[],
        skip: &[],
        holders: &[],
        marker: ("", ""),
    };
}

/// JavaScript and TypeScript: exports are `export` statements; `constructor` runs with its
/// class; a decorated class or member is registered by its framework.
const ECMASCRIPT_DEAD: DeadRules = DeadRules {
    exports: Exports::Visibility,
    entry_names: &[],
    entry_names_anywhere: true,
    entry_attributes: &["*"],
    kept_attributes: &[],
    entry_dirs: &[],
    entry_files: &[],
    entry_suffixes: &[],
    entry_prefixes: &[],
    live_names: &["constructor"],
    dunder_names: false,
    constructors_named_like_container: false,
};

/// C and C++: `main` is the entry point; external linkage exports.
const C_DEAD: DeadRules = DeadRules {
    exports: Exports::Visibility,
    entry_names: &["main"],
    entry_names_anywhere: true,
    entry_attributes: &[],
    kept_attributes: &[],
    entry_dirs: &[],
    entry_files: &[],
    entry_suffixes: &[],
    entry_prefixes: &[],
    live_names: &[],
    dunder_names: false,
    constructors_named_like_container: false,
};

/// How a language exports a symbol, for dead-symbol detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exports {
    /// By the definition's extracted status: `exported` is exported.
    Visibility,
    /// Rust: the modifier is exactly `pub` (a member of a trait without one inherits the
    /// trait's), no enclosing definition is a function, every enclosing inline module is
    /// `pub`, and the file's module is declared `pub mod` all the way from the library root
    /// (`src/lib.rs` beside the file's `src/`). Items of binary-only crates are not exported.
    RustModulePath,
}

/// What keeps a symbol alive besides references: entry points and exports (docs/graph.md,
/// "Dead symbols"), per language.
#[derive(Debug)]
pub struct DeadRules {
    pub exports: Exports,
    /// Top-level definitions of these names are entry points (`main`, Go `init`): in any
    /// file when `entry_names_anywhere`, else in entry files only (Rust: crate roots).
    pub entry_names: &'static [&'static str],
    pub entry_names_anywhere: bool,
    /// Attributes that make a definition an entry point: a pattern `p` matches an attribute
    /// whose path (the text before `(`) is `p`; `p(a)` matches when the arguments also list
    /// `a`; `*` matches any attribute.
    pub entry_attributes: &'static [&'static str],
    /// Attributes that keep a definition and everything inside it alive (Rust
    /// `allow(dead_code)`), matched like `entry_attributes`.
    pub kept_attributes: &'static [&'static str],
    /// Entry files: a path with one of these directories (`tests`, `benches`), with one of
    /// these file names (`build.rs`, `main.rs`), or ending with one of these suffixes
    /// (`_test.go`).
    pub entry_dirs: &'static [&'static str],
    pub entry_files: &'static [&'static str],
    pub entry_suffixes: &'static [&'static str],
    /// In entry files, top-level definitions whose name starts with one of these are entry
    /// points (Go `Test`, `Benchmark`; Python `test`).
    pub entry_prefixes: &'static [&'static str],
    /// Definitions of these names are never judged (JS `constructor`, Rust's anonymous
    /// `const _: () = assert!(…)`).
    pub live_names: &'static [&'static str],
    /// Definitions named `__x__` are never dead (Python's protocol methods, `__all__`,
    /// `__version__`).
    pub dunder_names: bool,
    /// A member named like its container is a constructor, alive with it (Java).
    pub constructors_named_like_container: bool,
}

/// How a language scopes names across files, for the graph's resolution (`graph::resolve`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Module tree from file paths (`src/a/b.rs` is `crate::a::b`), `use` paths with
    /// `crate::`/`self::`/`super::`.
    RustCrate,
    /// A module per file (`a/b.py` is `a.b`); `from m import n`, `import m` + `m.f`.
    PythonModule,
    /// A module per file; relative import specifiers resolved to files.
    JsModule,
    /// A package per directory; imports name packages by path.
    GoPackage,
    /// A package per directory; imports name classes (`a.b.C`) or packages (`a.b.*`).
    JavaPackage,
    /// `#include "x.h"` resolved relative to the file; external linkage across files.
    CInclude,
}

/// The resolution data of a language.
#[derive(Debug)]
pub struct ResolveRules {
    pub scope: Scope,
    /// Built-in and conventional type-parameter names never resolved (no edge, even when a
    /// file defines the same name): `Self`, `T`, Go's predeclared types, Java `String`.
    pub builtins: &'static [&'static str],
    /// Receivers that name the enclosing type (`self`, `this`).
    pub self_receivers: &'static [&'static str],
}

/// The symbol-extraction data of a language.
pub fn symbol_rules(language: Language) -> &'static SymbolRules {
    match language {
        Language::Rust => &rust::SYMBOLS,
        Language::Python => &python::SYMBOLS,
        Language::JavaScript => &javascript::SYMBOLS,
        Language::TypeScript | Language::Tsx => &typescript::SYMBOLS,
        Language::C => &c::SYMBOLS,
        Language::Cpp => &cpp::SYMBOLS,
        Language::Go => &go::SYMBOLS,
        Language::Java => &java::SYMBOLS,
    }
}

/// Where a language writes documentation comments, as data for `graph::doc_comment_above`
/// (docs/graph.md, "Queries": the context brief).
#[derive(Debug)]
pub struct DocComments {
    /// Prefixes of doc line comments, on the lines directly above a definition (`///`).
    pub line: &'static [&'static str],
    /// Doc block comments `(open, close)` ending on the line directly above (`/**`, `*/`).
    pub block: &'static [(&'static str, &'static str)],
    /// Prefixes of lines skipped between a comment and its definition (attributes, decorators,
    /// annotations, template heads).
    pub skip: &'static [&'static str],
    /// Documentation written inside the definition, which comes first when present.
    pub inner: InnerDoc,
}

/// Documentation inside a definition's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InnerDoc {
    None,
    /// Python: a string literal as the first statement of the body (after the header's `:`).
    Docstring,
    /// Rust `//!`: line comments with these prefixes first in the body (after the first `{`
    /// outside parentheses and brackets).
    LineComments(&'static [&'static str]),
}

/// The doc-comment data of a language.
pub fn doc_comments(language: Language) -> &'static DocComments {
    match language {
        Language::Rust => &rust::DOCS,
        Language::Python => &python::DOCS,
        Language::JavaScript => &javascript::DOCS,
        Language::TypeScript | Language::Tsx => &typescript::DOCS,
        Language::C => &c::DOCS,
        Language::Cpp => &cpp::DOCS,
        Language::Go => &go::DOCS,
        Language::Java => &java::DOCS,
    }
}

/// How a function definition node names its function.
#[derive(Clone, Copy, Debug)]
pub enum NameFrom {
    /// The text of the child in this field.
    Field(&'static str),
    /// C/C++: follow the `declarator` fields down to the innermost function declarator; its
    /// own `declarator` is the name, possibly qualified (`A::f`) or wrapped (attributes).
    Declarator(&'static DeclaratorRule),
}

/// The C/C++ declarator grammar, for [`NameFrom::Declarator`].
#[derive(Debug)]
pub struct DeclaratorRule {
    /// The declarator that holds a parameter list (`f(int a)`).
    pub function: &'static str,
    /// Declarators that hold their inner declarator without a field (`(*f)`).
    pub parenthesized: &'static str,
    /// A qualified name, with `scope` and `name` fields (`A::f`), if the language has them.
    pub qualified: Option<&'static str>,
    /// Name kinds taken whole (`~A`, `operator==`), besides the identifiers.
    pub whole_names: &'static [&'static str],
}

/// A node kind that defines a named function.
#[derive(Clone, Copy, Debug)]
pub struct FunctionRule {
    pub kind: &'static str,
    pub name: NameFrom,
    /// The node is only a function when this field is present (a body); `None`: always.
    pub requires: Option<&'static str>,
    /// Go methods: the field holding the receiver, whose type qualifies the name.
    pub receiver: Option<&'static str>,
}

/// A node kind that binds an anonymous function (closure, lambda, arrow function, function
/// expression) to a name: the function is the child in `value`, the name is in `name`.
#[derive(Clone, Copy, Debug)]
pub struct BindingRule {
    pub parent: &'static str,
    pub name: &'static str,
    pub value: &'static str,
}

/// A node kind that contributes a segment to qualified names (module, namespace, class, impl).
#[derive(Clone, Copy, Debug)]
pub struct ContainerRule {
    pub kind: &'static str,
    /// The field holding the name; a container without it (anonymous) contributes nothing.
    pub name: &'static str,
}

/// A switch/match arm kind and when it is the default arm (which does not count).
#[derive(Clone, Copy, Debug)]
pub enum CaseRule {
    /// Always a counted case (defaults have their own kind, which is not listed).
    Always(&'static str),
    /// The default when it has no child in this field (C `case_statement` without `value`).
    DefaultWithoutField(&'static str, &'static str),
    /// The default when its first child is this token (Java `switch_label` `default`).
    DefaultWhenFirst(&'static str, &'static str),
    /// A match arm; the default when its pattern (first named child) is exactly `_` and it has
    /// no guard.
    Wildcard(&'static str),
}

/// A `break`/`continue` kind and the kind of its label child; the jump counts for cognitive
/// complexity only when the label is there.
#[derive(Clone, Copy, Debug)]
pub struct JumpRule {
    pub kind: &'static str,
    pub label: &'static str,
}

/// A call kind and how to find the callee's name and receiver.
#[derive(Clone, Copy, Debug)]
pub struct CallRule {
    pub kind: &'static str,
    /// The field with the callee expression (`function`), or with the method name when
    /// `receiver` is set (Java `method_invocation`: `name` + `object`).
    pub callee: &'static str,
    pub receiver: Option<&'static str>,
}

/// The data table of one language.
#[derive(Debug)]
pub struct LangTable {
    pub language: Language,

    // --- functions ---
    pub functions: &'static [FunctionRule],
    /// Anonymous function kinds: entities when bound by a [`BindingRule`], else part of the
    /// enclosing function (adding nesting).
    pub lambdas: &'static [&'static str],
    pub bindings: &'static [BindingRule],
    /// Kinds of list nodes that a binding may hold on both sides (Go `a, f := 1, func(){}`):
    /// the name is taken at the same position as the value.
    pub binding_lists: &'static [&'static str],
    pub containers: &'static [ContainerRule],
    /// Kinds whose text is a name (identifiers); a binding name of another kind is reduced to
    /// its `property`/`attribute`/`field`/`name` child (`module.exports.f = ...` names `f`).
    pub identifiers: &'static [&'static str],
    /// Child kinds of a parameter list that are not parameters (comments, separators).
    pub not_params: &'static [&'static str],
    /// Anonymous tokens in a parameter list that are parameters (C++ `...`).
    pub param_tokens: &'static [&'static str],
    /// Parameter declaration kinds that declare one parameter per `name` field (Go `a, b int`).
    pub multi_name_params: &'static [&'static str],
    /// A parameter list that is exactly `(void)` declares none (C, C++).
    pub void_params: bool,

    // --- decision points and structure ---
    pub ifs: &'static [&'static str],
    /// The field of an `if` holding its `else`/`else if`/`elif` part.
    pub alternative: &'static str,
    pub else_clauses: &'static [&'static str],
    pub elifs: &'static [&'static str],
    pub loops: &'static [&'static str],
    /// Python comprehension `for` and `if` clauses.
    pub comprehension_clauses: &'static [&'static str],
    pub switches: &'static [&'static str],
    pub cases: &'static [CaseRule],
    pub catches: &'static [&'static str],
    pub ternaries: &'static [&'static str],
    /// Binary/boolean operator node kinds; the operator is the child in `operator`, or (for
    /// Rust let chains) bare `&&` tokens among the children.
    pub logical_nodes: &'static [&'static str],
    pub and_ops: &'static [&'static str],
    pub or_ops: &'static [&'static str],
    /// Short-circuit operators that count for cyclomatic complexity only (`??`).
    pub cyclomatic_only_ops: &'static [&'static str],
    /// Kinds that are decision points for cyclomatic complexity only (Rust `?`).
    pub cyclomatic_only_nodes: &'static [&'static str],
    pub parens: &'static [&'static str],
    pub gotos: &'static [&'static str],
    pub jumps: &'static [JumpRule],
    pub calls: &'static [CallRule],
    /// Receivers through which a call is still a call of the function itself (`self`, `this`).
    pub self_receivers: &'static [&'static str],
    /// Fields of a nesting structure that stay at the structure's own level (conditions).
    pub unnested_fields: &'static [&'static str],
    /// Comment kinds (skipped when looking for the `if` inside an `else`).
    pub comments: &'static [&'static str],
    /// Fields whose subtree is not code of the function and is not measured: (parent kind,
    /// field), e.g. the condition of a C `#if`.
    pub opaque_fields: &'static [(&'static str, &'static str)],
    /// Kinds whose subtrees hold nothing that is counted or named (comments, plain string
    /// literals, imports, macro token trees, attributes, type annotations): not walked into.
    pub opaque: &'static [&'static str],
    /// The field of a match arm holding its guard (Python `case x if c:`): a comprehension-clause
    /// kind there is a guard, not a comprehension clause.
    pub guard_field: Option<&'static str>,

    // --- memory ---
    /// Heap bytes of a syntax tree per byte of source, measured over real code (the benchmark
    /// corpus; `systems/tests/tree_size.rs` says how and checks it). The live engine's source
    /// cache charges a resident file `text length × (1 + this)`.
    pub tree_bytes_per_source_byte: u32,
}

/// What a node kind is, for the walkers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Class {
    #[default]
    Other,
    Function(u8),
    Lambda,
    Binding(u8),
    Container(u8),
    If,
    Else,
    Elif,
    Loop,
    ComprehensionClause,
    Switch,
    Case(u8),
    Catch,
    Ternary,
    Logical,
    CyclomaticOnly,
    Paren,
    Goto,
    Jump(u8),
    Call(u8),
    BindingList,
    /// A node with [`LangTable::opaque_fields`].
    OpaqueParent(u8),
    /// A node of [`LangTable::opaque`]: its subtree is not walked.
    Opaque,
}

/// A [`LangTable`] compiled against its grammar: classes by kind id, fields by id.
#[derive(Debug)]
pub struct LangSpec {
    pub table: &'static LangTable,
    pub grammar: tree_sitter::Language,
    classes: Vec<Class>,
    identifier: Vec<bool>,
    comment: Vec<bool>,
    not_param: Vec<bool>,
    multi_name_param: Vec<bool>,
    unnested_field: Vec<bool>,
    pub field_alternative: Option<u16>,
    pub field_operator: Option<u16>,
    pub field_guard: Option<u16>,
    /// Field ids of [`LangTable::opaque_fields`], same order.
    pub opaque_field_ids: Vec<Option<u16>>,
    /// Field ids of each [`CallRule`]'s callee, same order.
    pub call_callee_ids: Vec<Option<u16>>,
}

impl LangSpec {
    /// The compiled table of `language` (compiled on first use, then shared).
    pub fn get(language: Language) -> &'static LangSpec {
        static SPECS: [OnceLock<LangSpec>; 9] = [const { OnceLock::new() }; 9];
        let index = Language::ALL
            .iter()
            .position(|l| *l == language)
            .expect("every language is in ALL");
        SPECS[index].get_or_init(|| LangSpec::compile(table(language)))
    }

    fn compile(table: &'static LangTable) -> LangSpec {
        let grammar = parser_language(table.language);
        let count = grammar.node_kind_count();
        let mut classes = vec![Class::Other; count];
        let mut identifier = vec![false; count];
        let mut comment = vec![false; count];
        let mut not_param = vec![false; count];
        let mut multi_name_param = vec![false; count];
        for id in 0..count as u16 {
            let Some(kind) = grammar.node_kind_for_id(id) else {
                continue;
            };
            let named = grammar.node_kind_is_named(id);
            let is = |list: &[&str]| named && list.contains(&kind);
            let position = |pos: Option<usize>| pos.map(|p| u8::try_from(p).expect("small tables"));
            identifier[id as usize] = is(table.identifiers);
            comment[id as usize] = is(table.comments);
            not_param[id as usize] = is(table.not_params) || is(table.comments);
            multi_name_param[id as usize] = is(table.multi_name_params);
            let class = if is(table.opaque) {
                Class::Opaque
            } else if let Some(i) =
                position(table.functions.iter().position(|r| named && r.kind == kind))
            {
                Class::Function(i)
            } else if is(table.lambdas) {
                Class::Lambda
            } else if is(table.ifs) {
                Class::If
            } else if is(table.else_clauses) {
                Class::Else
            } else if is(table.elifs) {
                Class::Elif
            } else if is(table.loops) {
                Class::Loop
            } else if is(table.comprehension_clauses) {
                Class::ComprehensionClause
            } else if is(table.switches) {
                Class::Switch
            } else if let Some(i) = position(
                table
                    .cases
                    .iter()
                    .position(|r| named && case_kind(r) == kind),
            ) {
                Class::Case(i)
            } else if is(table.catches) {
                Class::Catch
            } else if is(table.ternaries) {
                Class::Ternary
            } else if is(table.logical_nodes) {
                Class::Logical
            } else if is(table.cyclomatic_only_nodes) {
                Class::CyclomaticOnly
            } else if is(table.parens) {
                Class::Paren
            } else if is(table.gotos) {
                Class::Goto
            } else if let Some(i) =
                position(table.jumps.iter().position(|r| named && r.kind == kind))
            {
                Class::Jump(i)
            } else if let Some(i) =
                position(table.calls.iter().position(|r| named && r.kind == kind))
            {
                Class::Call(i)
            } else if let Some(i) = position(
                table
                    .bindings
                    .iter()
                    .position(|r| named && r.parent == kind),
            ) {
                Class::Binding(i)
            } else if let Some(i) = position(
                table
                    .containers
                    .iter()
                    .position(|r| named && r.kind == kind),
            ) {
                Class::Container(i)
            } else if let Some(i) = position(
                table
                    .opaque_fields
                    .iter()
                    .position(|(k, _)| named && *k == kind),
            ) {
                Class::OpaqueParent(i)
            } else if is(table.binding_lists) {
                Class::BindingList
            } else {
                Class::Other
            };
            classes[id as usize] = class;
        }
        let field_count = grammar.field_count();
        let mut unnested_field = vec![false; field_count + 1];
        for id in 1..=field_count as u16 {
            if let Some(name) = grammar.field_name_for_id(id) {
                unnested_field[id as usize] = table.unnested_fields.contains(&name);
            }
        }
        LangSpec {
            table,
            field_alternative: grammar
                .field_id_for_name(table.alternative)
                .map(|f| f.get()),
            field_operator: grammar.field_id_for_name("operator").map(|f| f.get()),
            field_guard: table
                .guard_field
                .and_then(|g| grammar.field_id_for_name(g))
                .map(|f| f.get()),
            call_callee_ids: table
                .calls
                .iter()
                .map(|c| grammar.field_id_for_name(c.callee).map(|f| f.get()))
                .collect(),
            opaque_field_ids: table
                .opaque_fields
                .iter()
                .map(|(_, f)| grammar.field_id_for_name(f).map(|f| f.get()))
                .collect(),
            grammar,
            classes,
            identifier,
            comment,
            not_param,
            multi_name_param,
            unnested_field,
        }
    }

    /// The declarator grammar of a language whose functions are named by declarators (C, C++).
    pub fn declarator_rule(&self) -> Option<&'static DeclaratorRule> {
        self.table.functions.iter().find_map(|f| match f.name {
            NameFrom::Declarator(rule) => Some(rule),
            NameFrom::Field(_) => None,
        })
    }

    /// The class of a node kind id.
    #[inline]
    pub fn class(&self, kind_id: u16) -> Class {
        self.classes
            .get(kind_id as usize)
            .copied()
            .unwrap_or_default()
    }

    #[inline]
    pub fn is_identifier(&self, kind_id: u16) -> bool {
        self.identifier
            .get(kind_id as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether a kind is a comment (whatever its class: comments are usually also opaque).
    #[inline]
    pub fn is_comment(&self, kind_id: u16) -> bool {
        self.comment.get(kind_id as usize).copied().unwrap_or(false)
    }

    #[inline]
    pub fn is_not_param(&self, kind_id: u16) -> bool {
        self.not_param
            .get(kind_id as usize)
            .copied()
            .unwrap_or(false)
    }

    #[inline]
    pub fn is_multi_name_param(&self, kind_id: u16) -> bool {
        self.multi_name_param
            .get(kind_id as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether a child in this field of a nesting structure stays at the structure's level.
    #[inline]
    pub fn is_unnested_field(&self, field_id: Option<u16>) -> bool {
        field_id.is_some_and(|f| {
            self.unnested_field
                .get(f as usize)
                .copied()
                .unwrap_or(false)
        })
    }
}

fn case_kind(rule: &CaseRule) -> &'static str {
    match *rule {
        CaseRule::Always(k)
        | CaseRule::DefaultWithoutField(k, _)
        | CaseRule::DefaultWhenFirst(k, _)
        | CaseRule::Wildcard(k) => k,
    }
}

/// The data table of a language.
pub fn table(language: Language) -> &'static LangTable {
    match language {
        Language::Rust => &rust::TABLE,
        Language::Python => &python::TABLE,
        Language::JavaScript => &javascript::TABLE,
        Language::TypeScript => &typescript::TYPESCRIPT,
        Language::Tsx => &typescript::TSX,
        Language::C => &c::TABLE,
        Language::Cpp => &cpp::TABLE,
        Language::Go => &go::TABLE,
        Language::Java => &java::TABLE,
    }
}

/// The tree-sitter grammar of a language.
pub fn parser_language(language: Language) -> tree_sitter::Language {
    match language {
        Language::Rust => tree_sitter_rust::LANGUAGE.into(),
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::C => tree_sitter_c::LANGUAGE.into(),
        Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        Language::Go => tree_sitter_go::LANGUAGE.into(),
        Language::Java => tree_sitter_java::LANGUAGE.into(),
    }
}

/// A parser set to a language's grammar.
pub fn parser_for(language: Language) -> tree_sitter::Parser {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&LangSpec::get(language).grammar)
        .expect("the bundled grammars match the tree-sitter version");
    parser
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every node kind a table names exists in its grammar: a typo in a table would otherwise
    /// silently measure nothing.
    #[test]
    fn every_named_kind_exists_in_its_grammar() {
        for language in Language::ALL {
            let t = table(language);
            let grammar = parser_language(language);
            let exists = |kind: &str| grammar.id_for_node_kind(kind, true) != 0;
            let field_exists = |field: &str| grammar.field_id_for_name(field).is_some();
            let mut kinds: Vec<&str> = Vec::new();
            kinds.extend(t.functions.iter().map(|r| r.kind));
            kinds.extend(t.lambdas);
            kinds.extend(t.bindings.iter().map(|r| r.parent));
            kinds.extend(t.binding_lists);
            kinds.extend(t.containers.iter().map(|r| r.kind));
            kinds.extend(t.identifiers);
            kinds.extend(t.not_params.iter().filter(|k| !k.starts_with('_')));
            kinds.extend(t.multi_name_params);
            kinds.extend(t.ifs);
            kinds.extend(t.else_clauses);
            kinds.extend(t.elifs);
            kinds.extend(t.loops);
            kinds.extend(t.comprehension_clauses);
            kinds.extend(t.switches);
            kinds.extend(t.cases.iter().map(case_kind));
            kinds.extend(t.catches);
            kinds.extend(t.ternaries);
            kinds.extend(t.logical_nodes);
            kinds.extend(t.cyclomatic_only_nodes);
            kinds.extend(t.parens);
            kinds.extend(t.gotos);
            kinds.extend(t.jumps.iter().map(|r| r.kind));
            kinds.extend(t.jumps.iter().map(|r| r.label));
            kinds.extend(t.calls.iter().map(|r| r.kind));
            kinds.extend(t.comments);
            kinds.extend(t.opaque_fields.iter().map(|(k, _)| *k));
            kinds.extend(t.opaque);
            for kind in kinds {
                assert!(
                    exists(kind),
                    "{language}: no node kind `{kind}` in the grammar"
                );
            }
            let mut fields: Vec<&str> = vec![t.alternative];
            fields.extend(t.unnested_fields.iter().filter(|f| field_exists(f)));
            fields.extend(t.bindings.iter().flat_map(|r| [r.name, r.value]));
            fields.extend(t.containers.iter().map(|r| r.name));
            fields.extend(t.calls.iter().map(|r| r.callee));
            fields.extend(t.calls.iter().filter_map(|r| r.receiver));
            fields.extend(t.opaque_fields.iter().map(|(_, f)| *f));
            fields.extend(t.guard_field);
            for r in t.functions {
                match r.name {
                    NameFrom::Field(f) => fields.push(f),
                    NameFrom::Declarator(d) => {
                        assert!(
                            exists(d.function)
                                && exists(d.parenthesized)
                                && d.qualified.is_none_or(exists),
                            "{language}"
                        );
                        assert!(d.whole_names.iter().all(|k| exists(k)), "{language}");
                    }
                }
                fields.extend(r.requires);
                fields.extend(r.receiver);
            }
            for field in fields {
                assert!(
                    field_exists(field),
                    "{language}: no field `{field}` in the grammar"
                );
            }
        }
    }
}
