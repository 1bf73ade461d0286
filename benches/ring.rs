//! In-process cost of the ring's two sides (registered by engine/ring/Cargo.toml): a push and a
//! pop on one thread, one at a time and in batches. The cross-process figures (throughput and
//! one-way latency between two pinned processes) come from tools/ring-bench.sh.

use std::hint::black_box;
use std::path::PathBuf;

use codepulse_ring::{Consumer, DefectPayload, Producer};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn ring_dir() -> tempfile::TempDir {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).expect("a temp dir in /dev/shm")
    } else {
        tempfile::tempdir().expect("a temp dir")
    }
}

fn payload(i: u64) -> DefectPayload {
    DefectPayload {
        file_hash: i,
        timestamp_ns: i,
        seq: i as u32,
        cyclomatic: 12,
        cognitive: 20,
        ..DefectPayload::default()
    }
}

fn bench(c: &mut Criterion) {
    let dir = ring_dir();
    let ring = dir.path().join("ring-bench");
    let mut producer = Producer::open(&ring, 4096).expect("ring");
    let mut consumer = Consumer::attach(&ring).expect("attach");

    let mut g = c.benchmark_group("ring");
    g.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    g.bench_function("push+pop", |b| {
        b.iter(|| {
            i += 1;
            assert!(producer.push(black_box(&payload(i))));
            black_box(consumer.pop().expect("pop"))
        })
    });

    const BATCH: usize = 256;
    let batch: Vec<DefectPayload> = (0..BATCH as u64).map(payload).collect();
    let mut out = Vec::with_capacity(BATCH);
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("push_batch+pop_batch/256", |b| {
        b.iter(|| {
            assert_eq!(producer.push_batch(black_box(&batch)), BATCH);
            out.clear();
            consumer.pop_batch(&mut out, BATCH).expect("pop");
            black_box(out.len())
        })
    });
    g.bench_function("push×256+pop×256", |b| {
        b.iter(|| {
            for p in &batch {
                producer.push(black_box(p));
            }
            for _ in 0..BATCH {
                black_box(consumer.pop().expect("pop"));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
