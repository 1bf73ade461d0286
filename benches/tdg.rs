//! Criterion bench: the TDG batch (`codepulse_systems::tdg`) over 1M rows (and 16K rows, in
//! cache), the SIMD backend this CPU has (AVX2 on x86-64, NEON on aarch64) against the scalar
//! batch as compiled and against a truly row-at-a-time loop, on one core. Throughput is in rows
//! (elements).
//!
//!     cargo bench -p codepulse-systems --bench tdg             # full run
//!     cargo bench -p codepulse-systems --bench tdg -- --quick  # quick look

use std::hint::black_box;

use codepulse_systems::tdg::{Backend, Columns, tdg, tdg_batch_on};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ROWS: usize = 1 << 20;

/// Deterministic pseudo-random columns with realistic ranges (xorshift).
struct Data {
    columns: [Vec<u32>; 6],
    dead: Vec<f32>,
}

fn data() -> Data {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |below: u32| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(below)) as u32
    };
    let maxima = [40, 60, 8, 300, 10, 50];
    let columns = maxima.map(|max| (0..ROWS).map(|_| next(max)).collect::<Vec<u32>>());
    let dead = (0..ROWS).map(|_| next(1001) as f32 / 1000.0).collect();
    Data { columns, dead }
}

fn tdg_batch(c: &mut Criterion) {
    let data = data();
    let [cyc, cog, nest, loc, params, churn] = &data.columns;
    let simd = Backend::detect();
    // 1M rows (the target: 32 MB of columns, beyond the caches) and 16K rows (in L1/L2: the
    // kernels' compute limit).
    for (group_name, rows) in [("tdg_1M", ROWS), ("tdg_16K_in_cache", 1 << 14)] {
        let columns = Columns {
            cyclomatic: &cyc[..rows],
            cognitive: &cog[..rows],
            max_nesting: &nest[..rows],
            loc: &loc[..rows],
            params: &params[..rows],
            dead_symbol_ratio: &data.dead[..rows],
            churn: &churn[..rows],
        };
        let mut out = vec![0.0_f32; rows];
        let mut group = c.benchmark_group(group_name);
        group.throughput(Throughput::Elements(rows as u64));
        // The scalar batch as compiled: the formula is branch-free, so LLVM auto-vectorizes
        // this loop with the baseline target's SSE2 (4 lanes).
        group.bench_function("scalar", |b| {
            b.iter(|| tdg_batch_on(Backend::Scalar, black_box(&columns), black_box(&mut out)));
        });
        // Truly one row at a time: `black_box` on each result keeps LLVM from vectorizing.
        group.bench_function("scalar_row_at_a_time", |b| {
            b.iter(|| {
                let columns = black_box(&columns);
                for (i, slot) in out.iter_mut().enumerate() {
                    *slot = black_box(tdg(&columns.row(i)));
                }
            });
        });
        if simd != Backend::Scalar {
            group.bench_function(simd.name(), |b| {
                b.iter(|| tdg_batch_on(simd, black_box(&columns), black_box(&mut out)));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, tdg_batch);
criterion_main!(benches);
