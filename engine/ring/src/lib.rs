//! codepulse's cross-process ring: [`DefectPayload`]s (64 bytes, one cache line each) in a
//! memory-mapped file, one [`Producer`] (the engine) and one [`Consumer`] (an editor bridge,
//! `codepulse tail`). docs/ring.md documents the file byte by byte.
//!
//! - Single producer, single consumer; `head` and `tail` are monotonically increasing `u64`
//!   counters on their own 128-byte lines, each written by one side only (Release) and read by
//!   the other (Acquire), each side caching the other's index.
//! - The producer never blocks: on a full ring it drops the payload, counts it and flags the
//!   ring so the consumer requests a resync ([`Consumer::request_resync`],
//!   [`Producer::take_resync_request`]).
//! - A consumer resolves `file_hash`es to paths from the append-only path table in the sibling
//!   file `<ring>.paths`, without talking to the engine.
//! - The ring of a workspace lives at a location derived from its canonical root
//!   ([`ring_path_for_root`]), so a consumer finds it from the tree alone.
//! - Every value read from the file is untrusted: a foreign, truncated or corrupted file is a
//!   [`RingError`], never a panic. The mapping is only accessed through atomics.

mod consumer;
mod layout;
mod location;
mod map;
mod paths;
mod producer;
#[cfg(test)]
mod tests;

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use codepulse_components::DefectPayload;
pub use consumer::{Consumer, ProducerState, Status};
pub use layout::{
    HEADER_SIZE, LAYOUT_VERSION, MAGIC, MAX_CAPACITY, MIN_CAPACITY, SLOT_SIZE, Word, flags,
};
pub use location::{
    RING_DIR_ENV, find_ring, path_hash, paths_file, ring_dir, ring_file_name, ring_path_for_root,
};
pub use paths::MAX_PATH_LEN;
pub use producer::{Producer, ResyncRequest};

/// The capacity `codepulse analyze --emit` uses unless configured (`ring_buffer_size`).
pub const DEFAULT_CAPACITY: u64 = 1 << 16;

/// A heartbeat older than this makes a live producer [`ProducerState::Stale`] (and lets a new
/// producer take over a ring whose recorded pid happens to be alive).
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(5);

/// Everything that can go wrong with a ring. Values read from the file that do not make sense
/// are reported here, never trusted.
#[derive(Debug, thiserror::Error)]
pub enum RingError {
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "no ring at `{path}`: no producer has run for this workspace (`codepulse analyze --emit` creates one)"
    )]
    NotFound { path: PathBuf },
    #[error(
        "the file is {len} bytes, shorter than the {expected}-byte ring header: truncated, or not a ring"
    )]
    TooShort { len: u64, expected: u64 },
    #[error("the file is {len} bytes but its header describes {expected}: truncated or corrupted")]
    LengthMismatch { len: u64, expected: u64 },
    #[error("foreign magic {found:#018x}: not a codepulse ring")]
    BadMagic { found: u64 },
    #[error("ring layout version {found}, this build reads version {expected}")]
    UnsupportedVersion { found: u64, expected: u64 },
    #[error("slot size {found} in the header, expected 64: corrupted or foreign")]
    BadSlotSize { found: u64 },
    #[error("header size {found} in the header, expected 4096: corrupted or foreign")]
    BadHeaderSize { found: u64 },
    #[error("capacity {capacity} is not a power of two between 2 and 2^24")]
    BadCapacity { capacity: u64 },
    #[error(
        "head {head} and tail {tail} cannot both hold in a ring of {capacity} slots: corrupted"
    )]
    BadIndices { head: u64, tail: u64, capacity: u64 },
    #[error("the ring's header changed its capacity while attached: corrupted")]
    HeaderChanged,
    #[error("another producer (pid {pid}) is running on this ring")]
    ProducerBusy { pid: u64 },
    #[error("another consumer (pid {pid}) is attached to this ring")]
    ConsumerBusy { pid: u64 },
    #[error("path table corrupted at byte {offset}: {reason}")]
    PathTable { offset: u64, reason: &'static str },
    #[error("a path of {len} bytes cannot be registered (1..=65535)")]
    PathTooLong { len: usize },
    #[error("refusing the ring directory `{path}`: {reason}")]
    InsecureDir { path: PathBuf, reason: &'static str },
}

impl RingError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> RingError {
        RingError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// CLOCK_MONOTONIC now, in nanoseconds: the clock of payload timestamps and heartbeats, the
/// same for every process on the machine.
#[inline]
pub fn monotonic_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    (t.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(t.tv_nsec as u64)
}

/// This process's pid, as stored in the header.
pub(crate) fn own_pid() -> u64 {
    u64::from(
        rustix::process::getpid()
            .as_raw_nonzero()
            .get()
            .unsigned_abs(),
    )
}

/// Whether a process with this pid exists (`kill(pid, 0)`). 0 and out-of-range values (from a
/// corrupted header) are "no process".
pub fn pid_alive(pid: u64) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e != rustix::io::Errno::SRCH,
    }
}
