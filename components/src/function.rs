use bevy_ecs::component::Component;
use bevy_ecs::entity::Entity;

/// Relates a function entity to the file entity it is defined in.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
#[relationship(relationship_target = FileFunctions)]
pub struct FunctionOf(pub Entity);

/// The function entities of a file (maintained by bevy's relationship hooks). Despawning the
/// file despawns its functions.
#[derive(Component, Debug, Default)]
#[relationship_target(relationship = FunctionOf, linked_spawn)]
pub struct FileFunctions(Vec<Entity>);

impl FileFunctions {
    pub fn entities(&self) -> &[Entity] {
        &self.0
    }
}

/// A function's name as written, and its qualified name (enclosing modules, types and
/// functions joined by the language's separator, e.g. `Type::f` or `Class.method`).
#[derive(Component, Clone, Debug, PartialEq, Eq)]
pub struct FunctionName {
    pub name: Box<str>,
    pub qualified: Box<str>,
}

/// The stable identity of a function within its file: its qualified name and the ordinal among
/// functions of the same qualified name in that file (0 for the first). An edit that leaves a
/// function's identity in place keeps its entity.
#[derive(Component, Clone, Debug, PartialEq, Eq, Hash)]
pub struct FunctionKey {
    pub qualified: Box<str>,
    pub ordinal: u32,
}

/// Where a function is: the byte range of its syntax node (the node whose body is measured),
/// the 1-based line of its name and the 1-based last line.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionSpan {
    pub start_byte: u32,
    pub end_byte: u32,
    pub start_line: u32,
    pub end_line: u32,
    /// Nesting depth among functions: 0 for a function not inside another function.
    pub depth: u16,
}
