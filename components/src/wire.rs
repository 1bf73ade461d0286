//! The wire types that leave the process: the 64-byte [`DefectPayload`] written into the
//! memory-mapped ring for an editor/LSP bridge in another process (docs/ring.md documents the
//! layout byte by byte). Plain data: no I/O here.

use std::path::PathBuf;

use bevy_ecs::resource::Resource;

/// What a payload says about its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PayloadKind {
    /// The file has functions at warning or error: show them.
    Defect = 1,
    /// The file is back to all-ok: remove its diagnostics.
    Cleared = 2,
    /// The engine re-emits the current state of every file after a resync request or drops.
    Resync = 3,
}

impl PayloadKind {
    pub fn from_u8(v: u8) -> Option<PayloadKind> {
        match v {
            1 => Some(PayloadKind::Defect),
            2 => Some(PayloadKind::Cleared),
            3 => Some(PayloadKind::Resync),
            _ => None,
        }
    }
}

/// A function's (and a file's) severity under the thresholds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Severity {
    #[default]
    Ok = 0,
    Warning = 1,
    Error = 2,
}

impl Severity {
    pub fn from_u8(v: u8) -> Option<Severity> {
        match v {
            0 => Some(Severity::Ok),
            1 => Some(Severity::Warning),
            2 => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Bits of [`DefectPayload::flags`]: which thresholds the worst function crosses.
pub mod payload_flags {
    pub const CYCLOMATIC: u8 = 1 << 0;
    pub const COGNITIVE: u8 = 1 << 1;
    pub const TDG: u8 = 1 << 2;
    /// The file has syntax errors (its metrics come from a tree with ERROR nodes).
    pub const SYNTAX_ERRORS: u8 = 1 << 3;
}

/// One record of the ring: the state of one file, 64 bytes, one cache line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(64))]
pub struct DefectPayload {
    /// xxh3-64 of the file's canonical absolute path (UTF-8 bytes).
    pub file_hash: u64,
    /// CLOCK_MONOTONIC nanoseconds when the payload was written.
    pub timestamp_ns: u64,
    /// Per-file sequence number, +1 for every payload of this file.
    pub seq: u32,
    /// The worst function's TDG score, 0.0..=3.0.
    pub tdg: f32,
    /// The worst function's cyclomatic complexity.
    pub cyclomatic: u32,
    /// The worst function's cognitive complexity.
    pub cognitive: u32,
    /// The file's dead symbols.
    pub dead_symbols: u32,
    /// 1-based first and last line of the worst function (0 in a `Cleared` payload).
    pub start_line: u32,
    pub end_line: u32,
    /// How many functions of the file are at warning / at error.
    pub warnings: u16,
    pub errors: u16,
    /// [`Severity`] of the file (its worst function).
    pub severity: u8,
    /// [`PayloadKind`].
    pub kind: u8,
    /// [`payload_flags`] bits.
    pub flags: u8,
    /// The language (index in `Language::ALL`).
    pub language: u8,
    /// The editor's document version the payload answers (0 for files read from disk).
    pub version: u32,
    pub reserved: [u8; 8],
}

const _: () = assert!(size_of::<DefectPayload>() == 64);
const _: () = assert!(DefectPayload::SIZE == 64);
const _: () = assert!(align_of::<DefectPayload>() == 64);

impl DefectPayload {
    /// Bytes of one payload (one ring slot, one cache line).
    pub const SIZE: usize = 64;

    /// The payload's bytes exactly as `#[repr(C)]` lays them out in memory (docs/ring.md): every
    /// field at its offset in the host's byte order, no padding (the fields fill all 64 bytes).
    #[inline]
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0..8].copy_from_slice(&self.file_hash.to_ne_bytes());
        b[8..16].copy_from_slice(&self.timestamp_ns.to_ne_bytes());
        b[16..20].copy_from_slice(&self.seq.to_ne_bytes());
        b[20..24].copy_from_slice(&self.tdg.to_bits().to_ne_bytes());
        b[24..28].copy_from_slice(&self.cyclomatic.to_ne_bytes());
        b[28..32].copy_from_slice(&self.cognitive.to_ne_bytes());
        b[32..36].copy_from_slice(&self.dead_symbols.to_ne_bytes());
        b[36..40].copy_from_slice(&self.start_line.to_ne_bytes());
        b[40..44].copy_from_slice(&self.end_line.to_ne_bytes());
        b[44..46].copy_from_slice(&self.warnings.to_ne_bytes());
        b[46..48].copy_from_slice(&self.errors.to_ne_bytes());
        b[48] = self.severity;
        b[49] = self.kind;
        b[50] = self.flags;
        b[51] = self.language;
        b[52..56].copy_from_slice(&self.version.to_ne_bytes());
        b[56..64].copy_from_slice(&self.reserved);
        b
    }

    /// The payload as eight 64-bit words: word `i` holds bytes `8i..8i+8` of
    /// [`DefectPayload::to_bytes`] in the host's byte order (what a 64-bit load from that offset
    /// of the `#[repr(C)]` struct reads). The ring moves slots as words, with atomics.
    #[inline]
    pub fn to_words(&self) -> [u64; 8] {
        [
            self.file_hash,
            self.timestamp_ns,
            pair(self.seq, self.tdg.to_bits()),
            pair(self.cyclomatic, self.cognitive),
            pair(self.dead_symbols, self.start_line),
            pair(
                self.end_line,
                u32::from_ne_bytes(concat2(
                    self.warnings.to_ne_bytes(),
                    self.errors.to_ne_bytes(),
                )),
            ),
            pair(
                u32::from_ne_bytes([self.severity, self.kind, self.flags, self.language]),
                self.version,
            ),
            u64::from_ne_bytes(self.reserved),
        ]
    }

    /// The inverse of [`DefectPayload::to_words`]; every word pattern is a valid payload.
    #[inline]
    pub fn from_words(w: &[u64; 8]) -> DefectPayload {
        let (seq, tdg) = unpair(w[2]);
        let (cyclomatic, cognitive) = unpair(w[3]);
        let (dead_symbols, start_line) = unpair(w[4]);
        let (end_line, counts) = unpair(w[5]);
        let counts = counts.to_ne_bytes();
        let (bytes, version) = unpair(w[6]);
        let [severity, kind, flags, language] = bytes.to_ne_bytes();
        DefectPayload {
            file_hash: w[0],
            timestamp_ns: w[1],
            seq,
            tdg: f32::from_bits(tdg),
            cyclomatic,
            cognitive,
            dead_symbols,
            start_line,
            end_line,
            warnings: u16::from_ne_bytes([counts[0], counts[1]]),
            errors: u16::from_ne_bytes([counts[2], counts[3]]),
            severity,
            kind,
            flags,
            language,
            version,
            reserved: w[7].to_ne_bytes(),
        }
    }

    /// The inverse of [`DefectPayload::to_bytes`]. Every bit pattern is a valid payload (the
    /// enum-like bytes stay raw `u8`s: [`PayloadKind::from_u8`] and [`Severity::from_u8`] say
    /// whether they hold a known value), so bytes read from another process need no check here.
    #[inline]
    pub fn from_bytes(b: &[u8; 64]) -> DefectPayload {
        fn u32_at(b: &[u8; 64], at: usize) -> u32 {
            u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
        }
        fn u16_at(b: &[u8; 64], at: usize) -> u16 {
            u16::from_ne_bytes([b[at], b[at + 1]])
        }
        fn u64_at(b: &[u8; 64], at: usize) -> u64 {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[at..at + 8]);
            u64::from_ne_bytes(w)
        }
        let mut reserved = [0u8; 8];
        reserved.copy_from_slice(&b[56..64]);
        DefectPayload {
            file_hash: u64_at(b, 0),
            timestamp_ns: u64_at(b, 8),
            seq: u32_at(b, 16),
            tdg: f32::from_bits(u32_at(b, 20)),
            cyclomatic: u32_at(b, 24),
            cognitive: u32_at(b, 28),
            dead_symbols: u32_at(b, 32),
            start_line: u32_at(b, 36),
            end_line: u32_at(b, 40),
            warnings: u16_at(b, 44),
            errors: u16_at(b, 46),
            severity: b[48],
            kind: b[49],
            flags: b[50],
            language: b[51],
            version: u32_at(b, 52),
            reserved,
        }
    }
}

/// Two `u32`s as the `u64` whose memory holds `lo` at the lower address, then `hi`.
#[inline(always)]
fn pair(lo: u32, hi: u32) -> u64 {
    if cfg!(target_endian = "little") {
        u64::from(lo) | u64::from(hi) << 32
    } else {
        u64::from(lo) << 32 | u64::from(hi)
    }
}

/// The inverse of [`pair`].
#[inline(always)]
fn unpair(w: u64) -> (u32, u32) {
    if cfg!(target_endian = "little") {
        (w as u32, (w >> 32) as u32)
    } else {
        ((w >> 32) as u32, w as u32)
    }
}

#[inline(always)]
fn concat2(a: [u8; 2], b: [u8; 2]) -> [u8; 4] {
    [a[0], a[1], b[0], b[1]]
}

/// What the threshold gate decided to tell clients during a tick: the payloads to emit, in
/// order, and the files whose paths a client must be able to resolve (`(xxh3 of the canonical
/// path, canonical path)`, see [`DefectPayload::file_hash`]). The gate fills it; the engine's emit
/// step drains it into the ring (paths first, then payloads).
#[derive(Resource, Clone, Debug, Default)]
pub struct Outbox {
    pub payloads: Vec<DefectPayload>,
    pub paths: Vec<(u64, PathBuf)>,
}

/// The file hash of a payload: xxh3-64 of the path's bytes (the canonical absolute path).
pub fn path_hash(path: &std::path::Path) -> u64 {
    use std::os::unix::ffi::OsStrExt;
    xxhash_rust::xxh3::xxh3_64(path.as_os_str().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn layout_matches_the_documented_offsets() {
        assert_eq!(offset_of!(DefectPayload, file_hash), 0);
        assert_eq!(offset_of!(DefectPayload, timestamp_ns), 8);
        assert_eq!(offset_of!(DefectPayload, seq), 16);
        assert_eq!(offset_of!(DefectPayload, tdg), 20);
        assert_eq!(offset_of!(DefectPayload, cyclomatic), 24);
        assert_eq!(offset_of!(DefectPayload, cognitive), 28);
        assert_eq!(offset_of!(DefectPayload, dead_symbols), 32);
        assert_eq!(offset_of!(DefectPayload, start_line), 36);
        assert_eq!(offset_of!(DefectPayload, end_line), 40);
        assert_eq!(offset_of!(DefectPayload, warnings), 44);
        assert_eq!(offset_of!(DefectPayload, errors), 46);
        assert_eq!(offset_of!(DefectPayload, severity), 48);
        assert_eq!(offset_of!(DefectPayload, kind), 49);
        assert_eq!(offset_of!(DefectPayload, flags), 50);
        assert_eq!(offset_of!(DefectPayload, language), 51);
        assert_eq!(offset_of!(DefectPayload, version), 52);
        assert_eq!(offset_of!(DefectPayload, reserved), 56);
    }

    #[test]
    fn bytes_round_trip_and_place_fields_at_their_offsets() {
        let p = DefectPayload {
            file_hash: 0x0102_0304_0506_0708,
            timestamp_ns: 42,
            seq: 7,
            tdg: 1.75,
            cyclomatic: 12,
            cognitive: 31,
            dead_symbols: 3,
            start_line: 10,
            end_line: 99,
            warnings: 2,
            errors: 1,
            severity: Severity::Error as u8,
            kind: PayloadKind::Defect as u8,
            flags: payload_flags::COGNITIVE | payload_flags::TDG,
            language: 4,
            version: 5,
            reserved: [9; 8],
        };
        let b = p.to_bytes();
        assert_eq!(DefectPayload::from_bytes(&b), p);
        assert_eq!(&b[0..8], &p.file_hash.to_ne_bytes());
        assert_eq!(&b[20..24], &1.75f32.to_bits().to_ne_bytes());
        assert_eq!(b[48], 2);
        assert_eq!(b[49], 1);
        assert_eq!(b[50], 0b110);
        // Words are the bytes, eight at a time, in host order.
        let words = p.to_words();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(w.to_ne_bytes(), b[8 * i..8 * i + 8], "word {i}");
        }
        assert_eq!(DefectPayload::from_words(&words), p);
        // Any bytes decode (no invalid bit patterns), and decode back to themselves.
        let junk: [u8; 64] = std::array::from_fn(|i| (i as u8).wrapping_mul(37));
        assert_eq!(DefectPayload::from_bytes(&junk).to_bytes(), junk);
        let junk_words: [u64; 8] =
            std::array::from_fn(|i| (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        assert_eq!(
            DefectPayload::from_words(&junk_words).to_words(),
            junk_words
        );
    }
}
