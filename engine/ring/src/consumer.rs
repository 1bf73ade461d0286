//! The consumer: attaches to a ring another process produces, pops payloads, resolves file
//! hashes to paths, and watches the producer (restart, death, close, drops).

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::Path;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::time::Duration;

use codepulse_components::DefectPayload;

use crate::layout::{self, Geometry, HEADER_SIZE, Word, flags};
use crate::location::{paths_file, ring_path_for_root};
use crate::map::Mapping;
use crate::paths::PathReader;
use crate::{DEFAULT_STALE_AFTER, RingError, monotonic_ns, own_pid, pid_alive};

/// How the producer looks from the consumer's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProducerState {
    /// Running: its process exists and its heartbeat is fresh.
    Alive,
    /// It closed the ring (a clean exit): nothing more comes in this epoch.
    Closed,
    /// A new producer replaced this file by a new one at the same path: attach again.
    Replaced,
    /// Its process is gone without closing the ring (crashed or killed).
    Dead,
    /// Its process exists but has not beaten for `age` (hung, or a recycled pid).
    Stale { age: Duration },
}

/// A snapshot of the header, and what changed since the previous [`Consumer::check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    pub epoch: u64,
    /// `Some((old, new))` when the producer restarted (the epoch changed) since this consumer
    /// last looked, or since the previous consumer of this ring last looked.
    pub restarted: Option<(u64, u64)>,
    pub producer: ProducerState,
    pub producer_pid: u64,
    /// Payloads dropped on a full ring, over the ring's life, and since the previous check.
    pub drops: u64,
    pub new_drops: u64,
    /// The producer dropped payloads since its last resync: request one.
    pub needs_resync: bool,
    /// The latest resync request this consumer made and the latest the producer served.
    pub resync_requested: u64,
    pub resync_served: u64,
    /// Payloads waiting to be popped.
    pub backlog: u64,
}

/// The single reader of a ring.
#[derive(Debug)]
pub struct Consumer {
    map: Mapping,
    geo: Geometry,
    /// The next counter to read (mirror of the `tail` word, which only this side writes).
    tail: u64,
    /// The producer's head as last read.
    head_cache: u64,
    /// The epoch seen at the previous check (or recorded by the previous consumer).
    seen_epoch: u64,
    seen_drops: u64,
    paths: PathReader,
    stale_after: Duration,
    /// `(device, inode)` of the mapped file.
    identity: Option<(u64, u64)>,
}

impl Consumer {
    /// Attaches to the ring of the workspace whose canonical root is `root`.
    pub fn attach_root(root: &Path) -> Result<Consumer, RingError> {
        Consumer::attach(&ring_path_for_root(root))
    }

    /// Attaches to the ring file `ring`, checks every header value it relies on, and resumes
    /// at the stored tail (where the previous consumer stopped). Fails with
    /// [`RingError::ConsumerBusy`] if another live consumer is attached.
    pub fn attach(ring: &Path) -> Result<Consumer, RingError> {
        let file = match OpenOptions::new().read(true).write(true).open(ring) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(RingError::NotFound {
                    path: ring.to_path_buf(),
                });
            }
            Err(e) => return Err(RingError::io("open", ring, e)),
        };
        let len = file
            .metadata()
            .map_err(|e| RingError::io("stat", ring, e))?
            .len();
        if len < HEADER_SIZE {
            return Err(RingError::TooShort {
                len,
                expected: HEADER_SIZE,
            });
        }
        let identity = {
            use std::os::unix::fs::MetadataExt;
            file.metadata().ok().map(|m| (m.dev(), m.ino()))
        };
        let map = Mapping::new(file, ring)?;
        let geo = layout::validate(|w| map.load(w, Acquire), map.len())?;
        let head = map.load(Word::Head, Acquire);
        let tail = map.load(Word::Tail, Acquire);
        layout::check_indices(head, tail, geo.capacity)?;
        claim(&map)?;
        let epoch = map.load(Word::Epoch, Acquire);
        let recorded = map.load(Word::ConsumerEpoch, Relaxed);
        Ok(Consumer {
            geo,
            tail,
            head_cache: head,
            seen_epoch: if recorded == 0 { epoch } else { recorded },
            seen_drops: map.load(Word::Drops, Relaxed),
            paths: PathReader::new(paths_file(ring)),
            stale_after: DEFAULT_STALE_AFTER,
            identity,
            map,
        })
    }

    /// The ring file.
    pub fn path(&self) -> &Path {
        self.map.path()
    }

    pub fn capacity(&self) -> u64 {
        self.geo.capacity
    }

    /// Whether the ring's path now names another file than the one this consumer mapped (a
    /// producer replaced it, or it was removed): attach again to follow the new one.
    pub fn superseded(&self) -> bool {
        file_identity(self.map.path()) != self.identity
    }

    /// How old a heartbeat may be before [`ProducerState::Stale`].
    pub fn set_stale_after(&mut self, d: Duration) {
        self.stale_after = d;
    }

    /// The next counter this consumer reads (payloads consumed over the ring's life).
    pub fn tail(&self) -> u64 {
        self.tail
    }

    /// Reads the producer's head and checks it against the tail. Returns whether anything waits.
    fn refresh_head(&mut self) -> Result<bool, RingError> {
        let head = self.map.load(Word::Head, Acquire);
        layout::check_indices(head, self.tail, self.geo.capacity)?;
        self.head_cache = head;
        Ok(head > self.tail)
    }

    #[inline]
    fn read_slot(&self, counter: u64) -> DefectPayload {
        let at = self.geo.slot_word(counter);
        let slot = &self.map.words()[at..at + 8];
        let mut words = [0u64; 8];
        for (value, word) in words.iter_mut().zip(slot) {
            *value = word.load(Relaxed);
        }
        DefectPayload::from_words(&words)
    }

    /// The next payload, or `None` when the ring is empty. An error means the header is
    /// corrupted (the head moved out of range): nothing more can be trusted.
    #[inline]
    pub fn pop(&mut self) -> Result<Option<DefectPayload>, RingError> {
        if self.tail == self.head_cache && !self.refresh_head()? {
            return Ok(None);
        }
        let p = self.read_slot(self.tail);
        self.tail += 1;
        self.map.store(Word::Tail, self.tail, Release);
        Ok(Some(p))
    }

    /// Appends up to `max` waiting payloads to `out`, publishing the tail once. Returns how
    /// many it appended (0: the ring is empty).
    pub fn pop_batch(
        &mut self,
        out: &mut Vec<DefectPayload>,
        max: usize,
    ) -> Result<usize, RingError> {
        if self.tail == self.head_cache && !self.refresh_head()? {
            return Ok(0);
        }
        let n = (self.head_cache - self.tail).min(max as u64);
        out.reserve(n as usize);
        for i in 0..n {
            out.push(self.read_slot(self.tail + i));
        }
        self.tail += n;
        self.map.store(Word::Tail, self.tail, Release);
        Ok(n as usize)
    }

    /// The path of the file whose `file_hash` is `hash`, from the path table (read further on
    /// demand). `None` if the producer never registered it.
    pub fn resolve(&mut self, hash: u64) -> Result<Option<&Path>, RingError> {
        if self.paths.get(hash).is_none() {
            let committed = self.map.load(Word::PathsLen, Acquire);
            self.paths.refresh(committed)?;
        }
        Ok(self.paths.get(hash))
    }

    /// Asks the producer for a resync (a re-emission of every file's current state, kind
    /// `Resync`). Returns the request's token: the resync is complete once
    /// [`Status::resync_served`] reaches it.
    pub fn request_resync(&mut self) -> u64 {
        let token = self
            .map
            .load(Word::ResyncRequested, Relaxed)
            .wrapping_add(1);
        self.map.store(Word::ResyncRequested, token, Release);
        token
    }

    /// Re-reads the header: the producer's state, restarts, drops, resync progress. Also checks
    /// that the identity words and the file length still hold (another process may have
    /// overwritten or truncated the file).
    pub fn check(&mut self) -> Result<Status, RingError> {
        let geo = layout::validate(|w| self.map.load(w, Acquire), self.map.file_len_now()?)?;
        if geo != self.geo {
            return Err(RingError::HeaderChanged);
        }
        let m = &self.map;
        let epoch = m.load(Word::Epoch, Acquire);
        let flags = m.load(Word::Flags, Acquire);
        let drops = m.load(Word::Drops, Relaxed);
        let pid = m.load(Word::ProducerPid, Relaxed);
        let beat = m.load(Word::HeartbeatNs, Relaxed);
        let resync_served = m.load(Word::ResyncServed, Acquire);
        let resync_requested = m.load(Word::ResyncRequested, Relaxed);
        let producer = if flags & flags::REPLACED != 0 {
            ProducerState::Replaced
        } else if flags & flags::CLOSED != 0 {
            ProducerState::Closed
        } else if !pid_alive(pid) {
            ProducerState::Dead
        } else {
            let age = Duration::from_nanos(monotonic_ns().saturating_sub(beat));
            if age > self.stale_after {
                ProducerState::Stale { age }
            } else {
                ProducerState::Alive
            }
        };
        let restarted = (epoch != self.seen_epoch).then_some((self.seen_epoch, epoch));
        self.seen_epoch = epoch;
        m.store(Word::ConsumerEpoch, epoch, Relaxed);
        let new_drops = drops.wrapping_sub(self.seen_drops);
        self.seen_drops = drops;
        self.refresh_head()?;
        Ok(Status {
            epoch,
            restarted,
            producer,
            producer_pid: pid,
            drops,
            new_drops,
            needs_resync: flags & flags::NEEDS_RESYNC != 0,
            resync_requested,
            resync_served,
            backlog: self.head_cache - self.tail,
        })
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        let _ = self
            .map
            .word(Word::ConsumerPid)
            .compare_exchange(own_pid(), 0, Release, Relaxed);
    }
}

/// Records this process as the ring's consumer unless another live one is.
fn claim(map: &Mapping) -> Result<(), RingError> {
    let me = own_pid();
    let word = map.word(Word::ConsumerPid);
    let current = word.load(Acquire);
    if current != 0 && current != me && pid_alive(current) {
        return Err(RingError::ConsumerBusy { pid: current });
    }
    word.compare_exchange(current, me, Release, Acquire)
        .map(drop)
        .map_err(|pid| RingError::ConsumerBusy { pid })
}

/// `(device, inode)` of the file at `path`.
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}
