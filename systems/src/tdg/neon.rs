//! The NEON batch (aarch64): 4 rows per iteration, the remainder (< 4 rows) on the scalar path.
//! Every operation mirrors `scalar::row` (same operations, same order, no fused multiply-add):
//! `fmin` equals `scalar::min_ps` on the non-NaN values it is given, and the dead-symbol ratio
//! is clamped with `fmaxnm`/`fminnm`, which turn `NaN` into 0 like `scalar::clamp_ratio`.
//!
//! Not compiled on the development machine (x86-64, no aarch64 target installed): kept to the
//! plainest intrinsics, one per scalar operation.

use std::arch::aarch64::{
    float32x4_t, uint32x4_t, vaddq_f32, vcvtq_f32_u32, vdupq_n_f32, vdupq_n_u32, vld1q_f32,
    vld1q_u32, vmaxnmq_f32, vminnmq_f32, vminq_f32, vminq_u32, vmulq_f32, vst1q_f32,
};

use super::scalar;
use super::{
    CHURN_POINTS, CHURN_SLOPE, COGNITIVE_POINTS, COGNITIVE_SLOPE, COUNT_CLAMP, CYCLOMATIC_POINTS,
    CYCLOMATIC_SLOPE, Columns, DEAD_SYMBOL_POINTS, DEAD_SYMBOL_SLOPE, LOC_POINTS, LOC_SLOPE,
    MAX_NESTING_POINTS, MAX_NESTING_SLOPE, MAX_SCORE, PARAMS_POINTS, PARAMS_SLOPE,
};

const LANES: usize = 4;

/// Runs the NEON kernel. The caller has checked that NEON is available and that every column
/// has `out.len()` rows.
#[allow(unsafe_code)]
pub(super) fn batch(columns: &Columns<'_>, out: &mut [f32]) {
    // SAFETY: `tdg_batch_on` only calls this after `is_aarch64_feature_detected!("neon")`.
    unsafe { kernel(columns, out) }
}

/// # Safety
/// The CPU supports NEON; every column has `out.len()` rows.
#[allow(unsafe_code)]
#[target_feature(enable = "neon")]
unsafe fn kernel(columns: &Columns<'_>, out: &mut [f32]) {
    let n = out.len();
    assert!(columns.all_have_len(n));
    let full = n - n % LANES;
    let mut i = 0;
    while i < full {
        // SAFETY: `i + 4 <= full <= n` and every column (and `out`) has `n` rows (asserted
        // above); `vld1q`/`vst1q` have no alignment requirement beyond the element's.
        unsafe {
            let cyc = vld1q_u32(columns.cyclomatic.as_ptr().add(i));
            let cog = vld1q_u32(columns.cognitive.as_ptr().add(i));
            let nest = vld1q_u32(columns.max_nesting.as_ptr().add(i));
            let loc = vld1q_u32(columns.loc.as_ptr().add(i));
            let params = vld1q_u32(columns.params.as_ptr().add(i));
            let churn = vld1q_u32(columns.churn.as_ptr().add(i));
            let dead = vld1q_f32(columns.dead_symbol_ratio.as_ptr().add(i));

            let mut acc = count_term(cyc, CYCLOMATIC_SLOPE, CYCLOMATIC_POINTS);
            acc = vaddq_f32(acc, count_term(cog, COGNITIVE_SLOPE, COGNITIVE_POINTS));
            acc = vaddq_f32(acc, count_term(nest, MAX_NESTING_SLOPE, MAX_NESTING_POINTS));
            acc = vaddq_f32(acc, count_term(loc, LOC_SLOPE, LOC_POINTS));
            acc = vaddq_f32(acc, count_term(params, PARAMS_SLOPE, PARAMS_POINTS));
            let dead = vminnmq_f32(vmaxnmq_f32(dead, vdupq_n_f32(0.0)), vdupq_n_f32(1.0));
            acc = vaddq_f32(
                acc,
                vminq_f32(
                    vmulq_f32(dead, vdupq_n_f32(DEAD_SYMBOL_SLOPE)),
                    vdupq_n_f32(DEAD_SYMBOL_POINTS),
                ),
            );
            acc = vaddq_f32(acc, count_term(churn, CHURN_SLOPE, CHURN_POINTS));
            vst1q_f32(
                out.as_mut_ptr().add(i),
                vminq_f32(acc, vdupq_n_f32(MAX_SCORE)),
            );
        }
        i += LANES;
    }
    scalar::rows_from(columns, out, full);
}

/// One count term for 4 rows: `min(cvt(min_u32(x, 2²⁴)) × slope, points)`.
#[allow(unsafe_code)]
#[inline]
#[target_feature(enable = "neon")]
unsafe fn count_term(x: uint32x4_t, slope: f32, points: f32) -> float32x4_t {
    // SAFETY: register-only NEON operations; the caller guarantees the CPU has NEON.
    unsafe {
        let f = vcvtq_f32_u32(vminq_u32(x, vdupq_n_u32(COUNT_CLAMP)));
        vminq_f32(vmulq_f32(f, vdupq_n_f32(slope)), vdupq_n_f32(points))
    }
}
