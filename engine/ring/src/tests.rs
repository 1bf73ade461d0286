//! In-process tests of the ring: both sides in one process, the file poked directly to corrupt
//! it. The cross-process tests are in tests/ring.rs.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use codepulse_components::{DefectPayload, PayloadKind};

use crate::{Consumer, Producer, ProducerState, RingError, Word, flags};

fn payload(i: u64) -> DefectPayload {
    DefectPayload {
        file_hash: i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        timestamp_ns: i,
        seq: i as u32,
        tdg: i as f32 / 7.0,
        cyclomatic: (i % 97) as u32,
        cognitive: (i % 89) as u32,
        start_line: (i % 1000) as u32 + 1,
        end_line: (i % 1000) as u32 + 10,
        kind: PayloadKind::Defect as u8,
        reserved: i.to_ne_bytes(),
        ..DefectPayload::default()
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    ring: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ring = dir.path().join("rings").join("ring-test");
    Fixture { _dir: dir, ring }
}

fn poke(ring: &Path, offset: u64, value: u64) {
    let f = OpenOptions::new().write(true).open(ring).unwrap();
    f.write_all_at(&value.to_ne_bytes(), offset).unwrap();
}

fn peek(ring: &Path, offset: u64) -> u64 {
    let f = OpenOptions::new().read(true).open(ring).unwrap();
    let mut b = [0u8; 8];
    f.read_exact_at(&mut b, offset).unwrap();
    u64::from_ne_bytes(b)
}

#[test]
fn wraps_around_many_times_in_order() {
    let fx = fixture();
    let mut p = Producer::open(&fx.ring, 8).unwrap();
    let mut c = Consumer::attach(&fx.ring).unwrap();
    let mut next_in = 0u64;
    let mut next_out = 0u64;
    let mut out = Vec::new();
    // Uneven bursts on both sides so the indices wrap at every offset of the ring.
    for round in 0..5_000u64 {
        for _ in 0..(round % 9) {
            if p.try_push(&payload(next_in)) {
                next_in += 1;
            }
        }
        if round % 3 == 0 {
            while let Some(got) = c.pop().unwrap() {
                assert_eq!(got, payload(next_out));
                next_out += 1;
            }
        } else {
            out.clear();
            c.pop_batch(&mut out, (round % 5) as usize).unwrap();
            for got in &out {
                assert_eq!(*got, payload(next_out));
                next_out += 1;
            }
        }
    }
    while let Some(got) = c.pop().unwrap() {
        assert_eq!(got, payload(next_out));
        next_out += 1;
    }
    assert_eq!(next_out, next_in);
    assert!(next_in > 8 * 1000, "wrapped {} times", next_in / 8);
    assert_eq!(p.drops(), 0);
    assert_eq!(c.check().unwrap().backlog, 0);
}

#[test]
fn a_full_ring_drops_counts_and_asks_for_a_resync() {
    let fx = fixture();
    let mut p = Producer::open(&fx.ring, 4).unwrap();
    let mut c = Consumer::attach(&fx.ring).unwrap();
    let pushed: Vec<bool> = (0..10).map(|i| p.push(&payload(i))).collect();
    assert_eq!(
        pushed,
        [
            true, true, true, true, false, false, false, false, false, false
        ]
    );
    assert_eq!(p.drops(), 6);
    assert_eq!(p.push_batch(&[payload(10), payload(11)]), 0);
    assert_eq!(p.drops(), 8);

    let st = c.check().unwrap();
    assert!(st.needs_resync);
    assert_eq!((st.drops, st.new_drops, st.backlog), (8, 8, 4));
    // The payloads that fit are intact and in order: the oldest are kept, the newest dropped.
    for i in 0..4 {
        assert_eq!(c.pop().unwrap(), Some(payload(i)));
    }
    assert_eq!(c.pop().unwrap(), None);

    // Resync: the consumer asks, the producer takes the request (clearing the flag),
    // re-emits, and marks it served.
    assert_eq!(p.take_resync_request(), None);
    let token = c.request_resync();
    let req = p.take_resync_request().expect("the request is seen");
    assert_eq!(req.0, token);
    assert!(!c.check().unwrap().needs_resync);
    let resync = DefectPayload {
        kind: PayloadKind::Resync as u8,
        ..payload(100)
    };
    assert_eq!(p.push_batch(&[resync, resync]), 2);
    p.resync_done(req);
    assert_eq!(p.take_resync_request(), None);
    let st = c.check().unwrap();
    assert_eq!((st.resync_requested, st.resync_served), (token, token));
    assert_eq!((st.new_drops, st.backlog), (0, 2));
    assert_eq!(
        c.pop().unwrap().map(|p| p.kind),
        Some(PayloadKind::Resync as u8)
    );

    // Space again: pushes succeed, and a partial batch writes what fits.
    assert_eq!(p.push_batch(&(0..6).map(payload).collect::<Vec<_>>()), 3);
    assert_eq!(p.drops(), 11);
    assert!(c.check().unwrap().needs_resync);
}

#[test]
fn restart_bumps_the_epoch_and_keeps_the_stream() {
    let fx = fixture();
    let mut p = Producer::open(&fx.ring, 16).unwrap();
    assert_eq!(p.epoch(), 1);
    for i in 0..5 {
        assert!(p.push(&payload(i)));
    }
    p.close();
    {
        let mut c = Consumer::attach(&fx.ring).unwrap();
        let st = c.check().unwrap();
        assert_eq!(
            (st.epoch, st.restarted, st.producer),
            (1, None, ProducerState::Closed)
        );
        assert_eq!(c.pop().unwrap(), Some(payload(0)));
        assert_eq!(c.pop().unwrap(), Some(payload(1)));
    } // the consumer goes away mid-stream

    let mut p = Producer::open(&fx.ring, 16).unwrap();
    assert_eq!(p.epoch(), 2);
    assert_eq!(p.head(), 5, "the counters go on");
    assert!(p.push(&payload(5)));
    let mut c = Consumer::attach(&fx.ring).unwrap();
    assert_eq!(c.tail(), 2, "a new consumer resumes at the stored tail");
    let st = c.check().unwrap();
    assert_eq!(
        st.restarted,
        Some((1, 2)),
        "the restart is reported across consumers"
    );
    assert_eq!(st.producer, ProducerState::Alive);
    assert_eq!(peek(&fx.ring, Word::EpochStartHead as u64), 5);
    for i in 2..6 {
        assert_eq!(c.pop().unwrap(), Some(payload(i)));
    }
    assert_eq!(c.check().unwrap().restarted, None);
}

#[test]
fn another_capacity_replaces_the_file_and_old_consumers_notice() {
    let fx = fixture();
    let p = Producer::open(&fx.ring, 8).unwrap();
    drop(p);
    let mut old = Consumer::attach(&fx.ring).unwrap();
    let p = Producer::open(&fx.ring, 32).unwrap();
    assert_eq!(p.epoch(), 2);
    assert_eq!(p.capacity(), 32);
    assert_eq!(old.check().unwrap().producer, ProducerState::Replaced);
    assert!(old.superseded());
    drop(old);
    let mut c = Consumer::attach(&fx.ring).unwrap();
    assert_eq!(c.capacity(), 32);
    assert!(!c.superseded());
    assert_eq!(c.check().unwrap().epoch, 2);
}

#[test]
fn producer_liveness_closed_dead_stale() {
    let fx = fixture();
    let p = Producer::open(&fx.ring, 4).unwrap();
    let mut c = Consumer::attach(&fx.ring).unwrap();
    assert_eq!(c.check().unwrap().producer, ProducerState::Alive);
    c.set_stale_after(Duration::ZERO);
    std::thread::sleep(Duration::from_millis(2));
    assert!(matches!(
        c.check().unwrap().producer,
        ProducerState::Stale { .. }
    ));
    p.heartbeat();
    c.set_stale_after(Duration::from_secs(60));
    assert_eq!(c.check().unwrap().producer, ProducerState::Alive);

    // A pid that no longer exists: a process that has exited and been reaped.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = u64::from(child.id());
    child.wait().unwrap();
    poke(&fx.ring, Word::ProducerPid as u64, dead);
    assert_eq!(c.check().unwrap().producer, ProducerState::Dead);
    poke(&fx.ring, Word::ProducerPid as u64, u64::MAX);
    assert_eq!(c.check().unwrap().producer, ProducerState::Dead);

    p.close();
    assert_eq!(c.check().unwrap().producer, ProducerState::Closed);
}

#[test]
fn one_consumer_at_a_time() {
    let fx = fixture();
    let _p = Producer::open(&fx.ring, 4).unwrap();
    let c = Consumer::attach(&fx.ring).unwrap();
    drop(c);
    assert_eq!(
        peek(&fx.ring, Word::ConsumerPid as u64),
        0,
        "released on drop"
    );
    // A live process other than this one holds the ring.
    let other = u64::from(std::os::unix::process::parent_id());
    poke(&fx.ring, Word::ConsumerPid as u64, other);
    match Consumer::attach(&fx.ring) {
        Err(RingError::ConsumerBusy { pid }) => assert_eq!(pid, other),
        r => panic!("expected ConsumerBusy, got {r:?}"),
    }
    // A dead one does not.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = u64::from(child.id());
    child.wait().unwrap();
    poke(&fx.ring, Word::ConsumerPid as u64, dead);
    Consumer::attach(&fx.ring).unwrap();
}

#[test]
fn paths_resolve_through_the_table() {
    let fx = fixture();
    let mut p = Producer::open(&fx.ring, 4).unwrap();
    let mut c = Consumer::attach(&fx.ring).unwrap();
    let a = Path::new("/work/src/a.rs");
    let ha = p.register_path(a).unwrap();
    assert_eq!(ha, crate::path_hash(a));
    assert_eq!(c.resolve(ha).unwrap(), Some(a));
    assert_eq!(c.resolve(12345).unwrap(), None);
    // Registered later, found later (the reader extends its view on a miss).
    let b = Path::new("/work/src/b with spaces/ü.py");
    let hb = p.register_path(b).unwrap();
    assert_eq!(c.resolve(hb).unwrap(), Some(b));
    assert_eq!(p.register_path(b).unwrap(), hb);
    // A restarted producer keeps the table.
    drop(p);
    let mut p = Producer::open(&fx.ring, 4).unwrap();
    let mut c2 = Consumer::attach(&fx.ring).unwrap();
    assert_eq!(c2.resolve(hb).unwrap(), Some(b));
    assert!(p.push(&DefectPayload {
        file_hash: ha,
        ..DefectPayload::default()
    }));
    drop(c);
    let got = c2.pop().unwrap().unwrap();
    assert_eq!(c2.resolve(got.file_hash).unwrap(), Some(a));
    // A committed length past the end of the table is an error, not a panic.
    poke(&fx.ring, Word::PathsLen as u64, 1 << 20);
    assert!(matches!(
        c2.resolve(777).unwrap_err(),
        RingError::PathTable { .. }
    ));
}

/// A closed, valid ring with 3 payloads, and what attaching says after `corrupt`.
fn attach_after(corrupt: impl FnOnce(&Path)) -> Result<Consumer, RingError> {
    let fx = fixture();
    let mut p = Producer::open(&fx.ring, 8).unwrap();
    for i in 0..3 {
        p.push(&payload(i));
    }
    p.close();
    corrupt(&fx.ring);
    let r = Consumer::attach(&fx.ring);
    drop(fx);
    r
}

#[test]
fn corrupted_headers_are_clear_errors() {
    use RingError::*;
    let set = |w: Word, v: u64| move |ring: &Path| poke(ring, w as u64, v);
    let set_len = |len: u64| {
        move |ring: &Path| {
            OpenOptions::new()
                .write(true)
                .open(ring)
                .unwrap()
                .set_len(len)
                .unwrap()
        }
    };
    let err = |r: Result<Consumer, RingError>| r.expect_err("attach must fail");

    assert!(matches!(
        err(attach_after(set(Word::Magic, 0x4141))),
        BadMagic { found: 0x4141 }
    ));
    assert!(matches!(
        err(attach_after(set(Word::Version, 99))),
        UnsupportedVersion {
            found: 99,
            expected: 1
        }
    ));
    assert!(matches!(
        err(attach_after(set(Word::SlotSize, 128))),
        BadSlotSize { found: 128 }
    ));
    assert!(matches!(
        err(attach_after(set(Word::HeaderSize, 0))),
        BadHeaderSize { found: 0 }
    ));
    assert!(matches!(
        err(attach_after(set(Word::Capacity, 12))),
        BadCapacity { capacity: 12 }
    ));
    assert!(matches!(
        err(attach_after(set(Word::Capacity, 0))),
        BadCapacity { capacity: 0 }
    ));
    assert!(matches!(
        err(attach_after(set(Word::Capacity, u64::MAX))),
        BadCapacity { .. }
    ));
    // A power of two that does not match the file's length.
    assert!(matches!(
        err(attach_after(set(Word::Capacity, 16))),
        LengthMismatch {
            len: 4608,
            expected: 5120
        }
    ));
    assert!(matches!(
        err(attach_after(set_len(100))),
        TooShort { len: 100, .. }
    ));
    assert!(matches!(
        err(attach_after(set_len(0))),
        TooShort { len: 0, .. }
    ));
    assert!(matches!(
        err(attach_after(set_len(4096 + 64))),
        LengthMismatch { .. }
    ));
    assert!(matches!(
        err(attach_after(set_len(1 << 20))),
        LengthMismatch { .. }
    ));
    // Indices: tail past head, and head more than a capacity ahead.
    assert!(matches!(
        err(attach_after(set(Word::Tail, 4))),
        BadIndices {
            head: 3,
            tail: 4,
            capacity: 8
        }
    ));
    assert!(matches!(
        err(attach_after(set(Word::Head, 100))),
        BadIndices {
            head: 100,
            tail: 0,
            ..
        }
    ));
    assert!(matches!(
        err(attach_after(set(Word::Head, u64::MAX))),
        BadIndices { .. }
    ));
    // A file of random bytes.
    assert!(matches!(
        err(attach_after(|ring: &Path| {
            let junk: Vec<u8> = (0..8192u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
            std::fs::write(ring, junk).unwrap();
        })),
        BadMagic { .. }
    ));
    // Messages say what is wrong.
    let msg = err(attach_after(set(Word::Magic, 1))).to_string();
    assert!(msg.contains("not a codepulse ring"), "{msg}");
}

#[test]
fn corruption_after_attach_is_an_error_not_a_crash() {
    let fx = fixture();
    let mut p = Producer::open(&fx.ring, 8).unwrap();
    let mut c = Consumer::attach(&fx.ring).unwrap();
    p.push(&payload(0));
    // The head jumps further than the capacity.
    poke(&fx.ring, Word::Head as u64, 1_000);
    assert!(matches!(
        c.pop(),
        Err(RingError::BadIndices { head: 1000, .. })
    ));
    let mut out = Vec::new();
    assert!(c.pop_batch(&mut out, 8).is_err());
    // The identity words are re-checked.
    poke(&fx.ring, Word::Head as u64, 1);
    poke(&fx.ring, Word::Magic as u64, 7);
    assert!(matches!(c.check(), Err(RingError::BadMagic { found: 7 })));
    // A producer facing a corrupted tail treats the ring as full instead of overwriting.
    poke(&fx.ring, Word::Magic as u64, crate::MAGIC);
    poke(&fx.ring, Word::Tail as u64, 50);
    for i in 0..20 {
        p.push(&payload(i));
    }
    assert!(p.drops() > 0);
    drop(c);
    // A new producer replaces a ring whose indices are corrupted.
    drop(p);
    let p = Producer::open(&fx.ring, 8).unwrap();
    assert_eq!((p.head(), p.epoch()), (0, 2));
    assert_eq!(peek(&fx.ring, Word::Flags as u64) & flags::CLOSED, 0);
}

#[test]
fn a_damaged_file_at_the_path_is_replaced_by_a_producer() {
    let fx = fixture();
    std::fs::create_dir_all(fx.ring.parent().unwrap()).unwrap();
    std::fs::write(&fx.ring, b"not a ring").unwrap();
    let p = Producer::open(&fx.ring, 4).unwrap();
    assert_eq!(p.epoch(), 1);
    drop(p);
    Consumer::attach(&fx.ring).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&fx.ring).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn bad_capacities_are_refused() {
    let fx = fixture();
    for cap in [0, 1, 3, 100, (1 << 24) + 1, 1 << 25] {
        assert!(matches!(
            Producer::open(&fx.ring, cap),
            Err(RingError::BadCapacity { .. })
        ));
    }
    assert!(matches!(
        Consumer::attach(&fx.ring),
        Err(RingError::NotFound { .. })
    ));
}
