//! The path table: an append-only sibling file `<ring>.paths` that maps a payload's
//! `file_hash` back to the file's path, so a consumer never has to ask the engine.
//!
//! Entries, back to back, each padded to a multiple of 8 bytes (host byte order):
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 8 | `hash`: xxh3-64 of the path bytes |
//! | 8 | 4 | `len`: path length in bytes, 1..=65535 |
//! | 12 | 4 | reserved, 0 |
//! | 16 | len | the path's bytes (Unix, not necessarily UTF-8) |
//! | 16+len | 0..7 | zero padding |
//!
//! The producer appends with `pwrite` and then publishes the table's committed length in the
//! ring header's `paths_len` word (Release); a consumer reads (`pread`) only up to the
//! `paths_len` it loaded (Acquire), so it never sees half an entry. Every entry is checked: a
//! hash that does not match its bytes, a zero or oversized length or a table shorter than its
//! committed length is a [`RingError::PathTable`] error.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::RingError;

/// The longest path an entry may hold.
pub const MAX_PATH_LEN: usize = 65535;
const ENTRY_HEADER: usize = 16;
/// A consumer reads at most this much of the table at once.
const MAX_READ: u64 = 256 << 20;

fn padded(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// One encoded entry.
fn encode(hash: u64, path: &[u8]) -> Vec<u8> {
    let mut e = Vec::with_capacity(ENTRY_HEADER + padded(path.len()));
    e.extend_from_slice(&hash.to_ne_bytes());
    e.extend_from_slice(&(path.len() as u32).to_ne_bytes());
    e.extend_from_slice(&0u32.to_ne_bytes());
    e.extend_from_slice(path);
    e.resize(ENTRY_HEADER + padded(path.len()), 0);
    e
}

/// The entries of `bytes` (the table from byte `base` on), up to the first invalid one.
struct Parsed {
    entries: Vec<(u64, PathBuf)>,
    /// Bytes of `bytes` made of whole valid entries.
    valid: usize,
    /// The first problem: byte offset in the table and what is wrong.
    error: Option<(u64, &'static str)>,
}

fn parse(bytes: &[u8], base: u64) -> Parsed {
    let mut entries = Vec::new();
    let mut at = 0usize;
    let error = loop {
        let rest = &bytes[at..];
        if rest.is_empty() {
            break None;
        }
        if rest.len() < ENTRY_HEADER {
            break Some("an entry is cut short");
        }
        let hash = u64::from_ne_bytes(rest[0..8].try_into().unwrap_or_default());
        let len = u32::from_ne_bytes(rest[8..12].try_into().unwrap_or_default()) as usize;
        if len == 0 || len > MAX_PATH_LEN {
            break Some("an entry has an invalid length");
        }
        let size = ENTRY_HEADER + padded(len);
        if rest.len() < size {
            break Some("an entry is cut short");
        }
        let path = &rest[ENTRY_HEADER..ENTRY_HEADER + len];
        if xxhash_rust::xxh3::xxh3_64(path) != hash {
            break Some("an entry's hash does not match its path");
        }
        entries.push((hash, PathBuf::from(OsStr::from_bytes(path))));
        at += size;
    };
    Parsed {
        entries,
        valid: at,
        error: error.map(|reason| (base + at as u64, reason)),
    }
}

/// The producer's side: appends entries for paths not yet in the table.
#[derive(Debug)]
pub(crate) struct PathWriter {
    file: File,
    path: PathBuf,
    len: u64,
    known: HashSet<u64>,
}

impl PathWriter {
    /// Opens (or creates, mode 0600) the table and loads its hashes. A damaged tail (a crash in
    /// the middle of an append, or corruption) is cut off: the producer owns the table.
    pub fn open(path: &Path) -> Result<PathWriter, RingError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| RingError::io("open", path, e))?;
        let bytes = std::fs::read(path).map_err(|e| RingError::io("read", path, e))?;
        let parsed = parse(&bytes, 0);
        if parsed.valid < bytes.len() {
            file.set_len(parsed.valid as u64)
                .map_err(|e| RingError::io("truncate", path, e))?;
        }
        Ok(PathWriter {
            file,
            path: path.to_path_buf(),
            len: parsed.valid as u64,
            known: parsed.entries.into_iter().map(|(h, _)| h).collect(),
        })
    }

    /// The committed length of the table.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Appends `path` under `hash` unless it is already there; returns whether it appended.
    pub fn append(&mut self, hash: u64, path: &Path) -> Result<bool, RingError> {
        if self.known.contains(&hash) {
            return Ok(false);
        }
        let bytes = path.as_os_str().as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_PATH_LEN {
            return Err(RingError::PathTooLong { len: bytes.len() });
        }
        let entry = encode(hash, bytes);
        self.file
            .write_all_at(&entry, self.len)
            .map_err(|e| RingError::io("write", &self.path, e))?;
        self.len += entry.len() as u64;
        self.known.insert(hash);
        Ok(true)
    }
}

/// The consumer's side: the entries read so far, extended on demand.
#[derive(Debug)]
pub(crate) struct PathReader {
    path: PathBuf,
    file: Option<File>,
    read: u64,
    map: HashMap<u64, PathBuf>,
}

impl PathReader {
    pub fn new(path: PathBuf) -> PathReader {
        PathReader {
            path,
            file: None,
            read: 0,
            map: HashMap::new(),
        }
    }

    pub fn get(&self, hash: u64) -> Option<&Path> {
        self.map.get(&hash).map(PathBuf::as_path)
    }

    /// Reads the entries between what was read and `committed` (the header's `paths_len`).
    pub fn refresh(&mut self, committed: u64) -> Result<(), RingError> {
        let bad = |offset: u64, reason: &'static str| RingError::PathTable { offset, reason };
        if committed == self.read {
            return Ok(());
        }
        if committed < self.read {
            return Err(bad(committed, "the committed length went backwards"));
        }
        let want = committed - self.read;
        if want > MAX_READ {
            return Err(bad(self.read, "the committed length is implausibly large"));
        }
        if self.file.is_none() {
            match File::open(&self.path) {
                Ok(f) => self.file = Some(f),
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    return Err(bad(0, "the table file is missing"));
                }
                Err(e) => return Err(RingError::io("open", &self.path, e)),
            }
        }
        let Some(file) = &self.file else {
            return Ok(());
        };
        let mut buf = vec![0u8; want as usize];
        match file.read_exact_at(&mut buf, self.read) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                return Err(bad(
                    self.read,
                    "the file is shorter than its committed length",
                ));
            }
            Err(e) => return Err(RingError::io("read", &self.path, e)),
        }
        let parsed = parse(&buf, self.read);
        if let Some((offset, reason)) = parsed.error {
            return Err(bad(offset, reason));
        }
        self.map.extend(parsed.entries);
        self.read = committed;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_are_padded() {
        let tmp = tempfile::tempdir().unwrap();
        let table = tmp.path().join("t.paths");
        let mut w = PathWriter::open(&table).unwrap();
        let a = Path::new("/src/a.rs");
        let b = Path::new("/src/some/longer/path/b.py");
        let ha = crate::path_hash(a);
        let hb = crate::path_hash(b);
        assert!(w.append(ha, a).unwrap());
        assert!(!w.append(ha, a).unwrap(), "a path is appended once");
        assert!(w.append(hb, b).unwrap());
        assert_eq!(w.len() % 8, 0);
        assert_eq!(w.len(), std::fs::metadata(&table).unwrap().len());

        let mut r = PathReader::new(table.clone());
        assert_eq!(r.get(ha), None);
        r.refresh(w.len()).unwrap();
        assert_eq!(r.get(ha), Some(a));
        assert_eq!(r.get(hb), Some(b));

        // Reopening keeps the entries (no duplicates after a producer restart).
        let mut w2 = PathWriter::open(&table).unwrap();
        assert_eq!(w2.len(), w.len());
        assert!(!w2.append(hb, b).unwrap());
    }

    #[test]
    fn damaged_tables_are_errors_for_readers_and_cut_by_writers() {
        let tmp = tempfile::tempdir().unwrap();
        let table = tmp.path().join("t.paths");
        let mut w = PathWriter::open(&table).unwrap();
        let a = Path::new("/a");
        w.append(crate::path_hash(a), a).unwrap();
        let good = w.len();

        // A wrong hash.
        let mut bytes = std::fs::read(&table).unwrap();
        bytes.extend_from_slice(&encode(12345, b"/b"));
        std::fs::write(&table, &bytes).unwrap();
        let mut r = PathReader::new(table.clone());
        let err = r.refresh(bytes.len() as u64).unwrap_err();
        assert!(
            matches!(err, RingError::PathTable { offset, .. } if offset == good),
            "{err}"
        );

        // Committed beyond the end of the file.
        let mut r = PathReader::new(table.clone());
        assert!(matches!(
            r.refresh(bytes.len() as u64 + 64),
            Err(RingError::PathTable { .. })
        ));
        // A committed length going backwards.
        let mut r = PathReader::new(table.clone());
        r.refresh(good).unwrap();
        assert!(r.refresh(good - 8).is_err());

        // The writer cuts the bad entry off and goes on.
        let w = PathWriter::open(&table).unwrap();
        assert_eq!(w.len(), good);
        assert_eq!(std::fs::metadata(&table).unwrap().len(), good);

        // A missing table is an error once something is committed.
        let mut r = PathReader::new(tmp.path().join("none"));
        r.refresh(0).unwrap();
        assert!(matches!(r.refresh(24), Err(RingError::PathTable { .. })));
    }
}
