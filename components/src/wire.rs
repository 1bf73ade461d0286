//! The wire types that leave the process: the 64-byte [`DefectPayload`] written into the
//! memory-mapped ring for an editor/LSP bridge in another process (docs/ring.md documents the
//! layout byte by byte). Plain data: no I/O here.

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
const _: () = assert!(align_of::<DefectPayload>() == 64);
