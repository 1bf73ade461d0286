//! The scalar definition of one row, and the scalar batch. The SIMD paths mirror [`row`]
//! operation for operation.

use super::{
    CHURN_POINTS, CHURN_SLOPE, COGNITIVE_POINTS, COGNITIVE_SLOPE, COUNT_CLAMP, CYCLOMATIC_POINTS,
    CYCLOMATIC_SLOPE, Columns, DEAD_SYMBOL_POINTS, DEAD_SYMBOL_SLOPE, LOC_POINTS, LOC_SLOPE,
    MAX_NESTING_POINTS, MAX_NESTING_SLOPE, MAX_SCORE, PARAMS_POINTS, PARAMS_SLOPE,
};

/// `if a < b { a } else { b }`: the semantics of x86 `minps` (and of NEON `fmin` on the
/// non-NaN values it is given here).
#[inline(always)]
pub(super) fn min_ps(a: f32, b: f32) -> f32 {
    if a < b { a } else { b }
}

/// One count's term: `min(clamp(x) × slope, points)`.
#[inline(always)]
fn count_term(x: u32, slope: f32, points: f32) -> f32 {
    // Exact: every u32 ≤ 2²⁴ is an f32.
    let f = x.min(COUNT_CLAMP) as f32;
    min_ps(f * slope, points)
}

/// The dead-symbol ratio clamped into `[0, 1]`, `NaN` as 0 (x86 `maxps(d, 0)` then
/// `minps(·, 1)`; NEON `fmaxnm`, `fminnm`).
#[inline(always)]
pub(super) fn clamp_ratio(d: f32) -> f32 {
    let d = if d > 0.0 { d } else { 0.0 };
    min_ps(d, 1.0)
}

/// The score of one row: the terms added left to right, clamped to [`MAX_SCORE`].
#[inline(always)]
pub(super) fn row(
    cyclomatic: u32,
    cognitive: u32,
    max_nesting: u32,
    loc: u32,
    params: u32,
    dead_symbol_ratio: f32,
    churn: u32,
) -> f32 {
    let mut acc = count_term(cyclomatic, CYCLOMATIC_SLOPE, CYCLOMATIC_POINTS);
    acc += count_term(cognitive, COGNITIVE_SLOPE, COGNITIVE_POINTS);
    acc += count_term(max_nesting, MAX_NESTING_SLOPE, MAX_NESTING_POINTS);
    acc += count_term(loc, LOC_SLOPE, LOC_POINTS);
    acc += count_term(params, PARAMS_SLOPE, PARAMS_POINTS);
    acc += min_ps(
        clamp_ratio(dead_symbol_ratio) * DEAD_SYMBOL_SLOPE,
        DEAD_SYMBOL_POINTS,
    );
    acc += count_term(churn, CHURN_SLOPE, CHURN_POINTS);
    min_ps(acc, MAX_SCORE)
}

/// Rows `start..` of `columns` into `out[start..]`, one at a time (the scalar batch, and the
/// remainder of the SIMD batches). Lengths are checked by the caller.
#[inline(always)]
pub(super) fn rows_from(columns: &Columns<'_>, out: &mut [f32], start: usize) {
    let n = out.len();
    // Re-sliced to `n` so the compiler sees every index is in bounds.
    let (cyc, cog, nest) = (
        &columns.cyclomatic[..n],
        &columns.cognitive[..n],
        &columns.max_nesting[..n],
    );
    let (loc, params, dead, churn) = (
        &columns.loc[..n],
        &columns.params[..n],
        &columns.dead_symbol_ratio[..n],
        &columns.churn[..n],
    );
    for i in start..n {
        out[i] = row(
            cyc[i], cog[i], nest[i], loc[i], params[i], dead[i], churn[i],
        );
    }
}

/// The scalar batch.
pub(super) fn batch(columns: &Columns<'_>, out: &mut [f32]) {
    rows_from(columns, out, 0);
}
