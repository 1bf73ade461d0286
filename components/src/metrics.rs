//! One component per metric, so that each metric is its own column.

use bevy_ecs::component::Component;

/// McCabe cyclomatic complexity: 1 + decision points (docs/metrics.md).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cyclomatic(pub u32);

/// Cognitive complexity per the SonarSource specification (docs/metrics.md).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cognitive(pub u32);

/// Deepest nesting of control structures in the function.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct MaxNesting(pub u32);

/// Physical lines of the function, from the line of its name to its last line.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc(pub u32);

/// Number of declared parameters.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Params(pub u32);
