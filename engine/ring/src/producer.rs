//! The producer: the engine's side of the ring. Never blocks: on a full ring a payload is
//! dropped, counted, and the ring flagged so the consumer asks for a resync.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use codepulse_components::DefectPayload;

use crate::layout::{self, Geometry, HEADER_SIZE, Word, flags};
use crate::location::{ensure_private_dir, paths_file, ring_path_for_root};
use crate::map::Mapping;
use crate::paths::PathWriter;
use crate::{DEFAULT_STALE_AFTER, RingError, monotonic_ns, own_pid, path_hash, pid_alive};

/// A resync the consumer asked for (see [`Producer::take_resync_request`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResyncRequest(pub u64);

/// The single writer of a ring.
#[derive(Debug)]
pub struct Producer {
    map: Mapping,
    geo: Geometry,
    /// The next counter to write (mirror of the `head` word, which only this side writes).
    head: u64,
    /// The consumer's `tail` as last read: the producer reads the shared word only when this
    /// cached value says the ring is full.
    tail_cache: u64,
    epoch: u64,
    drops: u64,
    flags: u64,
    paths: PathWriter,
    closed: bool,
}

/// What [`Producer::open`] found at the ring's path.
enum Existing {
    /// No usable file: create one. The epoch to start from (0 if unknown).
    Create { prior_epoch: u64 },
    /// A valid ring of the requested capacity: bump its epoch and go on at its head.
    Reuse(Mapping, Geometry),
    /// A valid ring of another capacity: mark it replaced and create a new file.
    Replace(Mapping),
}

impl Producer {
    /// Opens the ring of the workspace whose canonical root is `root`, at the default location
    /// (see [`crate::ring_path_for_root`]).
    pub fn for_root(root: &Path, capacity: u64) -> Result<Producer, RingError> {
        Producer::open(&ring_path_for_root(root), capacity)
    }

    /// Opens (or creates) the ring file `ring` with `capacity` slots (a power of two in
    /// 2..=2^24) and starts a new epoch. An existing ring of that capacity is reused: its
    /// counters go on (a consumer resumes where it was) and its epoch is bumped. A ring of
    /// another capacity, or a damaged one, is replaced by a new file renamed over the path (the
    /// old one, if valid, is flagged closed + replaced). Fails with
    /// [`RingError::ProducerBusy`] when another live producer owns the ring.
    pub fn open(ring: &Path, capacity: u64) -> Result<Producer, RingError> {
        layout::check_capacity(capacity)?;
        if let Some(dir) = ring.parent().filter(|d| !d.as_os_str().is_empty()) {
            ensure_private_dir(dir)?;
        }
        let paths = PathWriter::open(&paths_file(ring))?;
        let (map, geo, epoch) = match inspect(ring, capacity)? {
            Existing::Reuse(map, geo) => {
                let epoch = map.load(Word::Epoch, Acquire).wrapping_add(1).max(1);
                (map, geo, epoch)
            }
            Existing::Replace(old) => {
                let prior_epoch = old.load(Word::Epoch, Acquire);
                let new = create(ring, capacity)?;
                let flags = old.load(Word::Flags, Acquire);
                old.store(
                    Word::Flags,
                    flags | flags::CLOSED | flags::REPLACED,
                    Release,
                );
                (
                    new,
                    Geometry { capacity },
                    prior_epoch.wrapping_add(1).max(1),
                )
            }
            Existing::Create { prior_epoch } => (
                create(ring, capacity)?,
                Geometry { capacity },
                prior_epoch.wrapping_add(1).max(1),
            ),
        };
        let head = map.load(Word::Head, Acquire);
        let tail = map.load(Word::Tail, Acquire);
        // Validated by `inspect`, but the consumer may have written since: if the pair is out
        // of range now, start from "full" so the first push re-reads and re-checks the tail.
        let tail = if layout::check_indices(head, tail, geo.capacity).is_ok() {
            tail
        } else {
            head.saturating_sub(geo.capacity)
        };
        let drops = map.load(Word::Drops, Acquire);
        let mut producer = Producer {
            map,
            geo,
            head,
            tail_cache: tail,
            epoch,
            drops,
            flags: 0,
            paths,
            closed: false,
        };
        producer.start_epoch();
        Ok(producer)
    }

    /// Publishes this process as the ring's producer and the new epoch (last, with Release, so
    /// a consumer that sees the new epoch sees the rest).
    fn start_epoch(&mut self) {
        let m = &self.map;
        m.store(Word::ProducerPid, own_pid(), Relaxed);
        m.store(Word::HeartbeatNs, monotonic_ns(), Relaxed);
        m.store(Word::EpochStartHead, self.head, Relaxed);
        m.store(Word::PathsLen, self.paths.len(), Relaxed);
        m.store(Word::Flags, self.flags, Relaxed);
        m.store(Word::Epoch, self.epoch, Release);
    }

    /// The ring file.
    pub fn path(&self) -> &Path {
        self.map.path()
    }

    pub fn capacity(&self) -> u64 {
        self.geo.capacity
    }

    /// This producer's epoch (1 for a new ring, +1 on every start).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Payloads dropped on a full ring, over the ring's life.
    pub fn drops(&self) -> u64 {
        self.drops
    }

    /// Payloads pushed so far, over the ring's life (the `head` counter).
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Payloads written and not yet read by the consumer (the ring's fill), from a fresh read of
    /// the consumer's tail; the capacity when the tail is out of range (a broken consumer).
    pub fn backlog(&mut self) -> u64 {
        let cap = self.geo.capacity;
        let tail = self.map.load(Word::Tail, Acquire);
        if layout::check_indices(self.head, tail, cap).is_err() {
            return cap;
        }
        self.tail_cache = tail;
        self.head - tail
    }

    /// Whether `n` more payloads fit; reads the consumer's tail only if the cached one says no.
    #[inline]
    fn room(&mut self, n: u64) -> u64 {
        let cap = self.geo.capacity;
        let free = cap - (self.head - self.tail_cache);
        if free >= n {
            return free;
        }
        let tail = self.map.load(Word::Tail, Acquire);
        // The tail is the consumer's to write, so untrusted: a value out of range means a
        // broken consumer; treat the ring as full rather than overwrite unread slots.
        if layout::check_indices(self.head, tail, cap).is_err() {
            return 0;
        }
        self.tail_cache = tail;
        cap - (self.head - tail)
    }

    #[inline]
    fn write_slot(&self, counter: u64, p: &DefectPayload) {
        let at = self.geo.slot_word(counter);
        let slot = &self.map.words()[at..at + 8];
        for (word, value) in slot.iter().zip(p.to_words()) {
            word.store(value, Relaxed);
        }
    }

    /// Appends `p` if there is room; otherwise returns `false` without counting a drop (for
    /// callers that wait and retry, like the benchmark; the engine uses [`Producer::push`]).
    #[inline]
    pub fn try_push(&mut self, p: &DefectPayload) -> bool {
        if self.room(1) == 0 {
            return false;
        }
        self.write_slot(self.head, p);
        self.head += 1;
        self.map.store(Word::Head, self.head, Release);
        true
    }

    /// Appends `p`, never blocking. On a full ring the payload is dropped: the drop counter
    /// goes up and the ring is flagged `NEEDS_RESYNC`. Returns whether `p` was written.
    #[inline]
    pub fn push(&mut self, p: &DefectPayload) -> bool {
        if self.try_push(p) {
            return true;
        }
        self.record_drops(1);
        false
    }

    /// Appends as many of `ps` as fit, publishing the head once, and drops (counts, flags) the
    /// rest. Returns how many were written.
    pub fn push_batch(&mut self, ps: &[DefectPayload]) -> usize {
        let n = self.try_push_batch(ps);
        if n < ps.len() {
            self.record_drops((ps.len() - n) as u64);
        }
        n
    }

    /// Appends as many of `ps` as fit, publishing the head once; drops nothing.
    pub fn try_push_batch(&mut self, ps: &[DefectPayload]) -> usize {
        let n = (self.room(ps.len() as u64) as usize).min(ps.len());
        for (i, p) in ps[..n].iter().enumerate() {
            self.write_slot(self.head + i as u64, p);
        }
        if n > 0 {
            self.head += n as u64;
            self.map.store(Word::Head, self.head, Release);
        }
        n
    }

    fn record_drops(&mut self, n: u64) {
        self.drops += n;
        self.map.store(Word::Drops, self.drops, Relaxed);
        self.set_flags(self.flags | flags::NEEDS_RESYNC);
    }

    fn set_flags(&mut self, flags: u64) {
        self.flags = flags;
        // Release: a consumer that sees the flag sees the drop count written before it.
        self.map.store(Word::Flags, flags, Release);
    }

    /// Records `path` (canonical, absolute) in the path table unless it is there, and returns
    /// its hash (the `file_hash` of payloads about it). The entry is visible to consumers
    /// before this returns, so register paths before pushing payloads that name them.
    pub fn register_path(&mut self, path: &Path) -> Result<u64, RingError> {
        let hash = path_hash(path);
        if self.paths.append(hash, path)? {
            self.map.store(Word::PathsLen, self.paths.len(), Release);
        }
        Ok(hash)
    }

    /// Tells consumers this producer is alive (CLOCK_MONOTONIC now). Call it at least every
    /// second while running; consumers call a heartbeat older than
    /// [`DEFAULT_STALE_AFTER`] stale.
    pub fn heartbeat(&self) {
        self.map.store(Word::HeartbeatNs, monotonic_ns(), Release);
    }

    /// A resync the consumer requested and this producer has not served yet. Taking it clears
    /// `NEEDS_RESYNC` (drops during the re-emission set it again); the producer then pushes the
    /// current state of every file (kind `Resync`) and calls [`Producer::resync_done`].
    pub fn take_resync_request(&mut self) -> Option<ResyncRequest> {
        let requested = self.map.load(Word::ResyncRequested, Acquire);
        let served = self.map.load(Word::ResyncServed, Relaxed);
        if requested == served {
            return None;
        }
        self.set_flags(self.flags & !flags::NEEDS_RESYNC);
        Some(ResyncRequest(requested))
    }

    /// Marks the resync `req` as served: every payload of it has been pushed (or dropped, in
    /// which case `NEEDS_RESYNC` is set again).
    pub fn resync_done(&mut self, req: ResyncRequest) {
        self.map.store(Word::ResyncServed, req.0, Release);
    }

    /// Marks the ring closed: consumers drain what is left and know nothing more comes in this
    /// epoch. Also done on drop.
    pub fn close(mut self) {
        self.mark_closed();
    }

    fn mark_closed(&mut self) {
        if !self.closed {
            self.closed = true;
            self.heartbeat();
            self.set_flags(self.flags | flags::CLOSED);
        }
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.mark_closed();
    }
}

/// Looks at what is at `ring`: nothing, a reusable ring, a ring to replace, or garbage.
fn inspect(ring: &Path, capacity: u64) -> Result<Existing, RingError> {
    let file = match OpenOptions::new().read(true).write(true).open(ring) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Ok(Existing::Create { prior_epoch: 0 });
        }
        Err(e) => return Err(RingError::io("open", ring, e)),
    };
    let len = file
        .metadata()
        .map_err(|e| RingError::io("stat", ring, e))?
        .len();
    if len < HEADER_SIZE {
        return Ok(Existing::Create { prior_epoch: 0 });
    }
    let map = Mapping::new(file, ring)?;
    let geo = match layout::validate(|w| map.load(w, Acquire), map.len()) {
        Ok(geo) => geo,
        // Not a ring we can read: start over, past whatever epoch it claims if it is ours.
        Err(_) => {
            let prior_epoch = if map.load(Word::Magic, Acquire) == layout::MAGIC {
                map.load(Word::Epoch, Acquire)
            } else {
                0
            };
            return Ok(Existing::Create { prior_epoch });
        }
    };
    let pid = map.load(Word::ProducerPid, Acquire);
    let closed = map.load(Word::Flags, Acquire) & flags::CLOSED != 0;
    let beat_age = monotonic_ns().saturating_sub(map.load(Word::HeartbeatNs, Acquire));
    if !closed
        && pid != own_pid()
        && pid_alive(pid)
        && u128::from(beat_age) < DEFAULT_STALE_AFTER.as_nanos()
    {
        return Err(RingError::ProducerBusy { pid });
    }
    let head = map.load(Word::Head, Acquire);
    let tail = map.load(Word::Tail, Acquire);
    if layout::check_indices(head, tail, geo.capacity).is_err() {
        let prior_epoch = map.load(Word::Epoch, Acquire);
        return Ok(Existing::Create { prior_epoch });
    }
    if geo.capacity == capacity {
        Ok(Existing::Reuse(map, geo))
    } else {
        Ok(Existing::Replace(map))
    }
}

/// Writes a fresh ring next to `ring` and renames it over `ring` (atomically: a consumer sees
/// the old file or the complete new one).
fn create(ring: &Path, capacity: u64) -> Result<Mapping, RingError> {
    let mut tmp_name = ring.as_os_str().to_os_string();
    tmp_name.push(format!(".tmp-{}", own_pid()));
    let tmp = PathBuf::from(tmp_name);
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let file: File = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| RingError::io("create", &tmp, e))?;
        file.set_len(Geometry::file_len(capacity))
            .map_err(|e| RingError::io("size", &tmp, e))?;
        let map = Mapping::new(file, ring)?;
        map.store(Word::Version, layout::LAYOUT_VERSION, Relaxed);
        map.store(Word::SlotSize, layout::SLOT_SIZE, Relaxed);
        map.store(Word::Capacity, capacity, Relaxed);
        map.store(Word::HeaderSize, HEADER_SIZE, Relaxed);
        map.store(Word::Magic, layout::MAGIC, Release);
        std::fs::rename(&tmp, ring).map_err(|e| RingError::io("rename into", ring, e))?;
        Ok(map)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
