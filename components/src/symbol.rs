//! The symbol model: what the graph's extraction finds in one file (definitions and
//! references), as plain data. Extraction and resolution are systems' business
//! (`codepulse_systems::graph`); docs/graph.md describes the model.

use std::fmt::Write as _;

/// What a definition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefKind {
    Function,
    Method,
    Struct,
    Class,
    Enum,
    Trait,
    Interface,
    /// A Rust `impl` block (named by its type).
    Impl,
    /// Modules, namespaces, packages.
    Module,
    Const,
    Static,
    /// Module-level variables.
    Variable,
    /// Type aliases (`type`, `typedef`, `using`).
    TypeAlias,
}

impl DefKind {
    pub const ALL: [DefKind; 13] = [
        DefKind::Function,
        DefKind::Method,
        DefKind::Struct,
        DefKind::Class,
        DefKind::Enum,
        DefKind::Trait,
        DefKind::Interface,
        DefKind::Impl,
        DefKind::Module,
        DefKind::Const,
        DefKind::Static,
        DefKind::Variable,
        DefKind::TypeAlias,
    ];

    /// The name in captures (`@definition.<name>`) and in renderings.
    pub fn name(self) -> &'static str {
        match self {
            DefKind::Function => "function",
            DefKind::Method => "method",
            DefKind::Struct => "struct",
            DefKind::Class => "class",
            DefKind::Enum => "enum",
            DefKind::Trait => "trait",
            DefKind::Interface => "interface",
            DefKind::Impl => "impl",
            DefKind::Module => "module",
            DefKind::Const => "const",
            DefKind::Static => "static",
            DefKind::Variable => "variable",
            DefKind::TypeAlias => "type",
        }
    }

    pub fn from_name(name: &str) -> Option<DefKind> {
        DefKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Whether a definition is visible outside its file/module, by the language's rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    Exported,
    Private,
    Unknown,
}

impl Visibility {
    pub fn name(self) -> &'static str {
        match self {
            Visibility::Exported => "exported",
            Visibility::Private => "private",
            Visibility::Unknown => "unknown",
        }
    }
}

/// What a reference is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    /// A call site (`f()`, `a.b()`, `Foo::new()`, `new Foo()`).
    Call,
    /// A type named in a signature, field, annotation or expression.
    Type,
    /// An import (`use`, `import`, `from x import y`, `#include`).
    Import,
    /// A name used as a value: a function passed as an argument (`map(f)`), a constant
    /// (`LIMIT`), a name inside a macro invocation.
    Value,
}

impl RefKind {
    pub const ALL: [RefKind; 4] = [
        RefKind::Call,
        RefKind::Type,
        RefKind::Import,
        RefKind::Value,
    ];

    /// The name in captures (`@reference.<name>`) and in renderings.
    pub fn name(self) -> &'static str {
        match self {
            RefKind::Call => "call",
            RefKind::Type => "type",
            RefKind::Import => "import",
            RefKind::Value => "value",
        }
    }

    pub fn from_name(name: &str) -> Option<RefKind> {
        RefKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One definition found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub kind: DefKind,
    pub name: String,
    /// Enclosing definitions' names and the name, joined by the language's separator (`::`
    /// for Rust and C++, `.` elsewhere), as the function metrics name functions.
    pub qualified_name: String,
    pub visibility: Visibility,
    /// The visibility modifier as written (`pub(crate)`, `public static`, `static`), if any.
    pub modifier: Option<String>,
    /// The declaration head up to its body, whitespace collapsed, at most
    /// [`SIGNATURE_CAP`] characters.
    pub signature: String,
    /// Implemented traits/interfaces and base classes, as written.
    pub implements: Vec<String>,
    /// Attributes, decorators and annotations on the definition, as written without their
    /// markers (`#[…]`, `@`) and with whitespace collapsed: `test`, `cfg(test)`,
    /// `tokio::main`, `app.route("/")`, `Override`.
    pub attributes: Vec<String>,
    /// Byte span of the definition node.
    pub start_byte: usize,
    pub end_byte: usize,
    /// 1-based first and last line.
    pub start_line: u32,
    pub end_line: u32,
    /// Index of the innermost enclosing definition in [`FileSymbols::definitions`].
    pub parent: Option<usize>,
}

/// One reference found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: RefKind,
    /// The referenced name as written (callee, type, imported name or path).
    pub name: String,
    /// The receiver or qualifier as written (`a` in `a.b()`, `Foo` in `Foo::new()`, the module
    /// of `from m import n`).
    pub receiver: Option<String>,
    pub start_byte: usize,
    pub end_byte: usize,
    /// 1-based line.
    pub line: u32,
    /// The visibility modifier of a re-exporting import, as written (`pub` in `pub use`).
    pub modifier: Option<String>,
    /// Index of the innermost definition whose span contains the reference.
    pub enclosing: Option<usize>,
}

/// The definitions (in source order, outer before inner) and references (in source order) of
/// one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSymbols {
    pub definitions: Vec<Definition>,
    pub references: Vec<Reference>,
    /// Whether the file lists the names it exports (Python `__all__`, JS/TS `export {…}` or
    /// `export default name`): the export status of its module-level definitions then depends
    /// on the whole file.
    pub has_export_list: bool,
}

/// Longest signature kept, in characters.
pub const SIGNATURE_CAP: usize = 200;

impl FileSymbols {
    /// A readable rendering: one line per definition, then one per reference (the fixtures'
    /// snapshots).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.definitions {
            let _ = write!(
                out,
                "def {} {} {} L{}-{}",
                d.kind.name(),
                d.qualified_name,
                d.visibility.name(),
                d.start_line,
                d.end_line
            );
            if let Some(m) = &d.modifier {
                let _ = write!(out, " mod=`{m}`");
            }
            if !d.implements.is_empty() {
                let _ = write!(out, " implements={}", d.implements.join(","));
            }
            if !d.attributes.is_empty() {
                let _ = write!(out, " attrs=`{}`", d.attributes.join("` `"));
            }
            let _ = writeln!(out, " sig=`{}`", d.signature);
        }
        for r in &self.references {
            let _ = write!(out, "ref {} {}", r.kind.name(), r.name);
            if let Some(recv) = &r.receiver {
                let _ = write!(out, " recv={recv}");
            }
            if let Some(m) = &r.modifier {
                let _ = write!(out, " mod=`{m}`");
            }
            let within = r
                .enclosing
                .map_or("<file>", |i| self.definitions[i].qualified_name.as_str());
            let _ = writeln!(out, " L{} in={within}", r.line);
        }
        out
    }
}

/// The symbols extracted from a file's current syntax tree (`extract_symbols`): the input of
/// the symbol graph. Shared, since the graph's resolution and the snapshot read it.
#[derive(bevy_ecs::component::Component, Clone, Debug, PartialEq, Eq)]
pub struct Symbols(pub std::sync::Arc<FileSymbols>);

/// Relates a symbol entity to the file entity it is defined in.
#[derive(bevy_ecs::component::Component, Clone, Copy, Debug, PartialEq, Eq)]
#[relationship(relationship_target = FileSymbolEntities)]
pub struct SymbolOf(pub bevy_ecs::entity::Entity);

/// The symbol entities of a file (maintained by bevy's relationship hooks). Despawning the file
/// despawns its symbols.
#[derive(bevy_ecs::component::Component, Debug, Default)]
#[relationship_target(relationship = SymbolOf, linked_spawn)]
pub struct FileSymbolEntities(Vec<bevy_ecs::entity::Entity>);

impl FileSymbolEntities {
    pub fn entities(&self) -> &[bevy_ecs::entity::Entity] {
        &self.0
    }
}

/// A symbol's name and qualified name (as in [`Definition`]).
#[derive(bevy_ecs::component::Component, Clone, Debug, PartialEq, Eq)]
pub struct SymbolName {
    pub name: Box<str>,
    pub qualified: Box<str>,
}

/// What a symbol is.
#[derive(bevy_ecs::component::Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolKind(pub DefKind);

/// A symbol's export status.
#[derive(bevy_ecs::component::Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolVisibility(pub Visibility);

/// Where a symbol is: the byte range of its definition and its 1-based first and last lines.
#[derive(bevy_ecs::component::Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolSpan {
    pub start_byte: u32,
    pub end_byte: u32,
    pub start_line: u32,
    pub end_line: u32,
}

/// The symbol's id in the symbol graph (the graph holds the edges and the indexes).
#[derive(bevy_ecs::component::Component, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GraphNode(pub u32);

/// Marks a symbol that nothing references and that is neither an entry point nor exported
/// (docs/graph.md, "Dead symbols").
#[derive(bevy_ecs::component::Component, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dead;
