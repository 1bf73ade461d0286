//! The ring file's layout (docs/ring.md is the byte-by-byte reference) and the checks that turn
//! an untrusted mapping into a [`Geometry`] or a [`RingError`].
//!
//! Every header field is a 64-bit word, read and written only through atomics, at a fixed byte
//! offset; [`Word`] names them. Three 128-byte lines separate who writes what:
//! line 0 (identity and producer status, producer), line 1 (head, producer), line 2 (tail and the
//! consumer's requests, consumer). Slots start at [`HEADER_SIZE`].

use crate::RingError;

/// `"CPLSRING"` as it appears in the file's first eight bytes.
pub const MAGIC: u64 = u64::from_ne_bytes(*b"CPLSRING");
/// Bumped whenever the header or slot layout changes incompatibly.
pub const LAYOUT_VERSION: u64 = 1;
/// Bytes of one slot: one [`codepulse_components::DefectPayload`].
pub const SLOT_SIZE: u64 = 64;
/// Bytes of the header page; slot 0 starts here.
pub const HEADER_SIZE: u64 = 4096;
/// The largest capacity a ring may have (2^24 slots: 1 GiB of slots).
pub const MAX_CAPACITY: u64 = 1 << 24;
/// The smallest capacity.
pub const MIN_CAPACITY: u64 = 2;

/// Bits of the `flags` word (producer-written).
pub mod flags {
    /// The producer closed the ring (clean exit): nothing more will be pushed in this epoch.
    pub const CLOSED: u64 = 1 << 0;
    /// Payloads were dropped on a full ring since the last resync began: the consumer's picture
    /// is incomplete and it should request a resync.
    pub const NEEDS_RESYNC: u64 = 1 << 1;
    /// A new producer replaced this file with a fresh one at the same path (different capacity,
    /// or this one was corrupted): reattach by path.
    pub const REPLACED: u64 = 1 << 2;
}

/// A header word, by byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Word {
    // Line 0: identity (written once at creation) and producer status.
    Magic = 0,
    Version = 8,
    SlotSize = 16,
    Capacity = 24,
    HeaderSize = 32,
    Epoch = 40,
    ProducerPid = 48,
    HeartbeatNs = 56,
    Flags = 64,
    Drops = 72,
    ResyncServed = 80,
    PathsLen = 88,
    EpochStartHead = 96,
    // Line 1: the producer's index.
    Head = 128,
    // Line 2: the consumer's index and requests.
    Tail = 256,
    ConsumerPid = 264,
    ResyncRequested = 272,
    ConsumerEpoch = 280,
}

impl Word {
    /// Index of the word in the mapping seen as `[AtomicU64]`.
    pub const fn index(self) -> usize {
        self as usize / 8
    }
}

const _: () =
    assert!((Word::Head as u64).is_multiple_of(128) && (Word::Tail as u64).is_multiple_of(128));
const _: () = assert!(Word::EpochStartHead as u64 + 8 <= Word::Head as u64);
const _: () = assert!(Word::ConsumerEpoch as u64 + 8 <= 384 && 384 <= HEADER_SIZE);

/// The validated shape of a ring: what the slots are and where they live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub capacity: u64,
}

impl Geometry {
    /// The file length a ring of `capacity` slots has.
    pub const fn file_len(capacity: u64) -> u64 {
        HEADER_SIZE + capacity * SLOT_SIZE
    }

    /// `capacity - 1`: slot index of counter `i` is `i & mask`.
    pub const fn mask(self) -> u64 {
        self.capacity - 1
    }

    /// Index (in u64 words) of slot `counter & mask`'s first word.
    #[inline]
    pub const fn slot_word(self, counter: u64) -> usize {
        ((HEADER_SIZE + (counter & self.mask()) * SLOT_SIZE) / 8) as usize
    }
}

/// Checks a capacity a producer was asked for.
pub fn check_capacity(capacity: u64) -> Result<(), RingError> {
    if capacity.is_power_of_two() && (MIN_CAPACITY..=MAX_CAPACITY).contains(&capacity) {
        Ok(())
    } else {
        Err(RingError::BadCapacity { capacity })
    }
}

/// Validates the identity words of a header against the file length. `read(word)` reads one
/// header word; `file_len` is the mapped length. Never trusts a value before checking it.
pub fn validate(read: impl Fn(Word) -> u64, file_len: u64) -> Result<Geometry, RingError> {
    if file_len < HEADER_SIZE {
        return Err(RingError::TooShort {
            len: file_len,
            expected: HEADER_SIZE,
        });
    }
    let magic = read(Word::Magic);
    if magic != MAGIC {
        return Err(RingError::BadMagic { found: magic });
    }
    let version = read(Word::Version);
    if version != LAYOUT_VERSION {
        return Err(RingError::UnsupportedVersion {
            found: version,
            expected: LAYOUT_VERSION,
        });
    }
    let slot_size = read(Word::SlotSize);
    if slot_size != SLOT_SIZE {
        return Err(RingError::BadSlotSize { found: slot_size });
    }
    let header_size = read(Word::HeaderSize);
    if header_size != HEADER_SIZE {
        return Err(RingError::BadHeaderSize { found: header_size });
    }
    let capacity = read(Word::Capacity);
    check_capacity(capacity)?;
    let expected = Geometry::file_len(capacity);
    if file_len != expected {
        return Err(RingError::LengthMismatch {
            len: file_len,
            expected,
        });
    }
    Ok(Geometry { capacity })
}

/// Checks a head/tail pair read from the mapping: `tail <= head <= tail + capacity`.
#[inline]
pub fn check_indices(head: u64, tail: u64, capacity: u64) -> Result<(), RingError> {
    if tail > head || head - tail > capacity {
        Err(RingError::BadIndices {
            head,
            tail,
            capacity,
        })
    } else {
        Ok(())
    }
}
