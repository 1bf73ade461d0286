//! The Technical Debt Gradient (TDG): one pure function from a function's metrics and its file's
//! inputs to a score in `[0.0, 3.0]`, higher = more debt (docs/tdg.md), and a batch form over
//! contiguous columns with AVX2 (x86-64) and NEON (aarch64) paths chosen at run time.
//!
//! # The formula
//!
//! Each input `x` earns `points × min(x / cap, 1)`: linear up to its cap, flat beyond it. The
//! points of all inputs add up to 3.0, and the sum is clamped to 3.0 against rounding:
//!
//! | input | cap | points | weight |
//! | --- | --- | --- | --- |
//! | cyclomatic | [`CYCLOMATIC_CAP`] = 30 | [`CYCLOMATIC_POINTS`] = 0.60 | 20 % |
//! | cognitive | [`COGNITIVE_CAP`] = 45 | [`COGNITIVE_POINTS`] = 0.90 | 30 % |
//! | max nesting | [`MAX_NESTING_CAP`] = 6 | [`MAX_NESTING_POINTS`] = 0.45 | 15 % |
//! | loc | [`LOC_CAP`] = 150 | [`LOC_POINTS`] = 0.30 | 10 % |
//! | params | [`PARAMS_CAP`] = 8 | [`PARAMS_POINTS`] = 0.15 | 5 % |
//! | dead-symbol ratio | [`DEAD_SYMBOL_RATIO_CAP`] = 1.0 | [`DEAD_SYMBOL_POINTS`] = 0.15 | 5 % |
//! | churn | [`CHURN_CAP`] = 30 | [`CHURN_POINTS`] = 0.45 | 15 % |
//!
//! # The exact arithmetic
//!
//! The scalar function [`tdg`] *is* the definition; every batch path performs the same IEEE-754
//! single-precision operations in the same order, so all paths agree bit for bit (the property
//! test checks it on every length 0..=70). Per input, with `k = points / cap` a constant:
//!
//! - a count `x: u32` is clamped to 2²⁴ (exactly representable; every cap is far below, so the
//!   clamp never changes a result) and converted to `f32` exactly: `f`;
//! - its term is `min(f × k, points)`;
//! - the dead-symbol ratio `d: f32` is first clamped into `[0, 1]` (`NaN` counts as 0): `d' =
//!   if d > 0 { d } else { 0 }`, `d'' = if d' < 1 { d' } else { 1 }`; its term is
//!   `min(d'' × k, points)`;
//! - the terms are added left to right in the table's order (no fused multiply-add), and the
//!   sum is clamped: `min(sum, 3.0)`.
//!
//! Every step is a correctly rounded multiplication by a positive constant, a `min`/`max`, or a
//! correctly rounded addition of two non-negative values: each is non-decreasing in its
//! operands, so the computed score (not only the real-valued formula) is monotone
//! non-decreasing in every input, lies in `[0, 3]`, and stops moving once an input reaches its
//! cap.

mod scalar;

#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(target_arch = "aarch64")]
mod neon;

#[cfg(test)]
mod tests;

/// Highest possible score.
pub const MAX_SCORE: f32 = 3.0;

/// Cyclomatic complexity at which its term is full.
pub const CYCLOMATIC_CAP: f32 = 30.0;
/// Cognitive complexity at which its term is full.
pub const COGNITIVE_CAP: f32 = 45.0;
/// Nesting depth at which its term is full.
pub const MAX_NESTING_CAP: f32 = 6.0;
/// Function length (lines) at which its term is full.
pub const LOC_CAP: f32 = 150.0;
/// Parameter count at which its term is full.
pub const PARAMS_CAP: f32 = 8.0;
/// Dead-symbol ratio at which its term is full (the ratio's own maximum).
pub const DEAD_SYMBOL_RATIO_CAP: f32 = 1.0;
/// Commits (+ live edits) in the churn window at which its term is full.
pub const CHURN_CAP: f32 = 30.0;

/// Points (share of [`MAX_SCORE`]) of cyclomatic complexity: 20 %.
pub const CYCLOMATIC_POINTS: f32 = 0.60;
/// Points of cognitive complexity: 30 %.
pub const COGNITIVE_POINTS: f32 = 0.90;
/// Points of nesting depth: 15 %.
pub const MAX_NESTING_POINTS: f32 = 0.45;
/// Points of function length: 10 %.
pub const LOC_POINTS: f32 = 0.30;
/// Points of parameter count: 5 %.
pub const PARAMS_POINTS: f32 = 0.15;
/// Points of the file's dead-symbol ratio: 5 %.
pub const DEAD_SYMBOL_POINTS: f32 = 0.15;
/// Points of the file's churn: 15 %.
pub const CHURN_POINTS: f32 = 0.45;

/// Counts above this are clamped before conversion to `f32` (2²⁴: every smaller `u32` converts
/// exactly, and every cap is far below it, so clamping never changes a score).
pub const COUNT_CLAMP: u32 = 1 << 24;

// Slopes: points per unit of input (`points / cap`), computed once at compile time.
const CYCLOMATIC_SLOPE: f32 = CYCLOMATIC_POINTS / CYCLOMATIC_CAP;
const COGNITIVE_SLOPE: f32 = COGNITIVE_POINTS / COGNITIVE_CAP;
const MAX_NESTING_SLOPE: f32 = MAX_NESTING_POINTS / MAX_NESTING_CAP;
const LOC_SLOPE: f32 = LOC_POINTS / LOC_CAP;
const PARAMS_SLOPE: f32 = PARAMS_POINTS / PARAMS_CAP;
const DEAD_SYMBOL_SLOPE: f32 = DEAD_SYMBOL_POINTS / DEAD_SYMBOL_RATIO_CAP;
const CHURN_SLOPE: f32 = CHURN_POINTS / CHURN_CAP;

/// The inputs of one function's score.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Inputs {
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub max_nesting: u32,
    pub loc: u32,
    pub params: u32,
    /// The file's dead-symbol ratio, in `[0, 1]` (outside values and `NaN` are clamped). Zero
    /// until the symbol-graph issue computes it.
    pub dead_symbol_ratio: f32,
    /// The file's churn: commits in the window plus edits seen live.
    pub churn: u32,
}

/// The TDG of one function: a score in `[0.0, 3.0]`, higher = more debt, monotone
/// non-decreasing in every input and saturating at each input's cap (module docs, docs/tdg.md).
pub fn tdg(inputs: &Inputs) -> f32 {
    scalar::row(
        inputs.cyclomatic,
        inputs.cognitive,
        inputs.max_nesting,
        inputs.loc,
        inputs.params,
        inputs.dead_symbol_ratio,
        inputs.churn,
    )
}

/// The inputs of many functions as columns: row `i` of every slice is function `i`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Columns<'a> {
    pub cyclomatic: &'a [u32],
    pub cognitive: &'a [u32],
    pub max_nesting: &'a [u32],
    pub loc: &'a [u32],
    pub params: &'a [u32],
    /// Per row: the dead-symbol ratio of the row's file.
    pub dead_symbol_ratio: &'a [f32],
    /// Per row: the churn of the row's file.
    pub churn: &'a [u32],
}

impl Columns<'_> {
    /// Whether every column has exactly `len` rows.
    pub fn all_have_len(&self, len: usize) -> bool {
        [
            self.cyclomatic.len(),
            self.cognitive.len(),
            self.max_nesting.len(),
            self.loc.len(),
            self.params.len(),
            self.dead_symbol_ratio.len(),
            self.churn.len(),
        ]
        .iter()
        .all(|&l| l == len)
    }

    /// Row `i` as [`Inputs`].
    pub fn row(&self, i: usize) -> Inputs {
        Inputs {
            cyclomatic: self.cyclomatic[i],
            cognitive: self.cognitive[i],
            max_nesting: self.max_nesting[i],
            loc: self.loc[i],
            params: self.params[i],
            dead_symbol_ratio: self.dead_symbol_ratio[i],
            churn: self.churn[i],
        }
    }
}

/// Which implementation of the batch runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One row at a time, any CPU.
    Scalar,
    /// 8 rows at a time with AVX2 (x86-64, detected at run time).
    Avx2,
    /// 4 rows at a time with NEON (aarch64).
    Neon,
}

impl Backend {
    /// The fastest backend this CPU supports (detected once per call; cheap: the standard
    /// library caches the CPU's features).
    pub fn detect() -> Backend {
        if Backend::Avx2.is_available() {
            Backend::Avx2
        } else if Backend::Neon.is_available() {
            Backend::Neon
        } else {
            Backend::Scalar
        }
    }

    /// Whether this backend can run on this CPU.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "aarch64")]
            Backend::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Avx2 => "avx2",
            Backend::Neon => "neon",
        }
    }
}

/// Scores every row of `columns` into `out`, on the fastest backend this CPU supports.
///
/// # Panics
/// If a column's length differs from `out.len()`.
pub fn tdg_batch(columns: &Columns<'_>, out: &mut [f32]) {
    tdg_batch_on(Backend::detect(), columns, out);
}

/// Scores every row of `columns` into `out` with the given backend; a backend this CPU does not
/// support falls back to [`Backend::Scalar`]. All backends give bit-identical results.
///
/// # Panics
/// If a column's length differs from `out.len()`.
pub fn tdg_batch_on(backend: Backend, columns: &Columns<'_>, out: &mut [f32]) {
    assert!(
        columns.all_have_len(out.len()),
        "tdg_batch: every column must have out.len() = {} rows",
        out.len()
    );
    match backend {
        #[cfg(target_arch = "x86_64")]
        Backend::Avx2 if backend.is_available() => x86::batch(columns, out),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon if backend.is_available() => neon::batch(columns, out),
        _ => scalar::batch(columns, out),
    }
}
