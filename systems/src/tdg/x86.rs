//! The AVX2 batch: 8 rows per iteration, the remainder (< 8 rows) on the scalar path. Every
//! operation mirrors `scalar::row` (same operations, same order, no fused multiply-add), so the
//! results are bit-identical.

use std::arch::x86_64::{
    __m256, __m256i, _mm256_add_ps, _mm256_cvtepi32_ps, _mm256_loadu_ps, _mm256_loadu_si256,
    _mm256_max_ps, _mm256_min_epu32, _mm256_min_ps, _mm256_mul_ps, _mm256_set1_epi32,
    _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps,
};

use super::scalar;
use super::{
    CHURN_POINTS, CHURN_SLOPE, COGNITIVE_POINTS, COGNITIVE_SLOPE, COUNT_CLAMP, CYCLOMATIC_POINTS,
    CYCLOMATIC_SLOPE, Columns, DEAD_SYMBOL_POINTS, DEAD_SYMBOL_SLOPE, LOC_POINTS, LOC_SLOPE,
    MAX_NESTING_POINTS, MAX_NESTING_SLOPE, MAX_SCORE, PARAMS_POINTS, PARAMS_SLOPE,
};

const LANES: usize = 8;

/// Runs the AVX2 kernel. The caller has checked that AVX2 and FMA are available and that every
/// column has `out.len()` rows.
#[allow(unsafe_code)]
pub(super) fn batch(columns: &Columns<'_>, out: &mut [f32]) {
    debug_assert!(super::Backend::Avx2.is_available());
    // SAFETY: `tdg_batch_on` only calls this after `Backend::Avx2.is_available()`, i.e. after
    // `is_x86_feature_detected!("avx2")` and `("fma")` returned true on this CPU.
    unsafe { kernel(columns, out) }
}

/// Loads 8 `u32` at `column[i..i + 8]`.
///
/// # Safety
/// `i + 8 <= column.len()`, and the CPU supports AVX2.
#[allow(unsafe_code)]
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn load_u32(column: &[u32], i: usize) -> __m256i {
    debug_assert!(i + LANES <= column.len());
    // SAFETY: the caller guarantees `column[i..i + 8]` is in bounds; `loadu` has no alignment
    // requirement.
    unsafe { _mm256_loadu_si256(column.as_ptr().add(i).cast::<__m256i>()) }
}

/// One count term for 8 rows: `min(cvt(min_u32(x, 2²⁴)) × slope, points)`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn count_term(x: __m256i, clamp: __m256i, slope: f32, points: f32) -> __m256 {
    // After the unsigned clamp every lane is ≤ 2²⁴ < 2³¹, so the signed conversion is exact.
    let f = _mm256_cvtepi32_ps(_mm256_min_epu32(x, clamp));
    _mm256_min_ps(
        _mm256_mul_ps(f, _mm256_set1_ps(slope)),
        _mm256_set1_ps(points),
    )
}

/// # Safety
/// The CPU supports AVX2 and FMA; every column has `out.len()` rows.
#[allow(unsafe_code)]
#[target_feature(enable = "avx2,fma")]
unsafe fn kernel(columns: &Columns<'_>, out: &mut [f32]) {
    let n = out.len();
    assert!(columns.all_have_len(n));
    let clamp = _mm256_set1_epi32(COUNT_CLAMP as i32);
    let zero = _mm256_setzero_ps();
    let one = _mm256_set1_ps(1.0);
    let max = _mm256_set1_ps(MAX_SCORE);
    let full = n - n % LANES;
    let mut i = 0;
    while i < full {
        // Loads and the store below: `i + 8 <= full <= n` and every column (and `out`) has `n`
        // rows (asserted above); AVX2 is enabled on this function and the caller guarantees
        // the CPU has it.
        // SAFETY: as just said, `[i, i + 8)` is in bounds of every column, on an AVX2 CPU.
        let (cyc, cog, nest, loc, params, churn, dead) = unsafe {
            (
                load_u32(columns.cyclomatic, i),
                load_u32(columns.cognitive, i),
                load_u32(columns.max_nesting, i),
                load_u32(columns.loc, i),
                load_u32(columns.params, i),
                load_u32(columns.churn, i),
                _mm256_loadu_ps(columns.dead_symbol_ratio.as_ptr().add(i)),
            )
        };
        let mut acc = count_term(cyc, clamp, CYCLOMATIC_SLOPE, CYCLOMATIC_POINTS);
        acc = _mm256_add_ps(
            acc,
            count_term(cog, clamp, COGNITIVE_SLOPE, COGNITIVE_POINTS),
        );
        acc = _mm256_add_ps(
            acc,
            count_term(nest, clamp, MAX_NESTING_SLOPE, MAX_NESTING_POINTS),
        );
        acc = _mm256_add_ps(acc, count_term(loc, clamp, LOC_SLOPE, LOC_POINTS));
        acc = _mm256_add_ps(acc, count_term(params, clamp, PARAMS_SLOPE, PARAMS_POINTS));
        // maxps(d, 0) returns 0 for NaN and for d <= 0, like `scalar::clamp_ratio`.
        let dead = _mm256_min_ps(_mm256_max_ps(dead, zero), one);
        acc = _mm256_add_ps(
            acc,
            _mm256_min_ps(
                _mm256_mul_ps(dead, _mm256_set1_ps(DEAD_SYMBOL_SLOPE)),
                _mm256_set1_ps(DEAD_SYMBOL_POINTS),
            ),
        );
        acc = _mm256_add_ps(acc, count_term(churn, clamp, CHURN_SLOPE, CHURN_POINTS));
        let score = _mm256_min_ps(acc, max);
        // SAFETY: `out[i..i + 8]` is in bounds (`out` has `n` rows), on an AVX2 CPU.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(i), score) };
        i += LANES;
    }
    scalar::rows_from(columns, out, full);
}
