//! One component per metric, so that each metric is its own column.
//!
//! The metric columns are `#[repr(transparent)]` over their number, so a contiguous table slice
//! of a column can be read as a slice of numbers (the TDG's SIMD batch does).

use bevy_ecs::component::Component;

/// McCabe cyclomatic complexity: 1 + decision points (docs/metrics.md).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Cyclomatic(pub u32);

/// Cognitive complexity per the SonarSource specification (docs/metrics.md).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Cognitive(pub u32);

/// Deepest nesting of control structures in the function.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
pub struct MaxNesting(pub u32);

/// Physical lines of the function, from the line of its name to its last line.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Loc(pub u32);

/// Number of declared parameters.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Params(pub u32);

/// Technical Debt Gradient of a function: a score in `[0.0, 3.0]`, higher = more debt, computed
/// by `score_tdg` from the function's metric columns and its file's [`Churn`] and
/// [`DeadSymbolRatio`] (formula, weights and a worked example in docs/tdg.md).
///
/// `score_tdg` marks a row changed only when its score really changed, writing the rows it
/// marks one by one; so this column deliberately has no bevy summary tick.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
#[repr(transparent)]
pub struct Tdg(pub f32);

/// Churn of a file: the commits that touched it in the last 90 days when the analysis root is
/// inside a git repository (read once at warm-up by `seed_churn`; merge commits are not
/// counted), plus one for every `save` and every change on disk of a file not open in an editor
/// that the live engine has seen ([`Churn::record_edit`]; keystrokes do not count). A file
/// without the component has churn 0.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Churn(pub u32);

impl Churn {
    /// Counts one more edit seen live (saturating).
    pub fn record_edit(&mut self) {
        self.0 = self.0.saturating_add(1);
    }
}

/// Share of a file's symbols that are dead (docs/graph.md, "Dead symbols"): dead symbols over
/// the symbols that could be dead, in `[0.0, 1.0]`; 0.0 for a file without such symbols (and for
/// a file without the component). Kept by `update_graph`; an input of the TDG.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
#[repr(transparent)]
pub struct DeadSymbolRatio(pub f32);

/// Number of a file's dead symbols (the payload's `dead_symbols`). Kept by `update_graph`.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(transparent)]
pub struct DeadSymbols(pub u32);

/// Per-file aggregate of its functions' [`Tdg`]: the maximum (0.0 for a file without
/// functions), so a file is as indebted as its worst function (docs/tdg.md).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
#[repr(transparent)]
pub struct FileTdg(pub f32);

/// A function's severity under the configured thresholds (the gate's column).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct FunctionSeverity(pub crate::Severity);
