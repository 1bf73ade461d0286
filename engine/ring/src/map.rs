//! The shared mapping, seen only as a slice of `AtomicU64` words: every read and write of the
//! ring, header and slots alike, is an atomic access, so whatever another process does to the
//! memory (even a misbehaving one writing at random) is not a data race in this process, only
//! values to validate. The two `unsafe` items of the crate live here.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::{MmapMut, MmapOptions};

use crate::RingError;
use crate::layout::Word;

/// A ring file mapped read-write and shared with the peer process.
#[derive(Debug)]
pub(crate) struct Mapping {
    map: MmapMut,
    file: File,
    path: PathBuf,
}

impl Mapping {
    /// Maps all of `file` (at least the header page long: the caller has checked).
    pub fn new(file: File, path: &Path) -> Result<Mapping, RingError> {
        let map = map_shared(&file).map_err(|e| RingError::io("map", path, e))?;
        Ok(Mapping {
            map,
            file,
            path: path.to_path_buf(),
        })
    }

    /// The mapping as 64-bit atomic words.
    #[allow(unsafe_code)]
    #[inline]
    pub fn words(&self) -> &[AtomicU64] {
        // SAFETY: the pointer comes from mmap (page-aligned, so aligned for AtomicU64) and
        // `len / 8` words lie inside the mapping, which lives as long as `self` (the returned
        // slice borrows `self`). `AtomicU64` has the size and alignment of `u64`, every bit
        // pattern is a valid value, and it allows shared mutation, so other processes writing
        // the same pages is allowed; this process never forms a `&[u8]` or `&mut [u8]` over
        // the mapping, only this atomic view.
        unsafe {
            std::slice::from_raw_parts(self.map.as_ptr().cast::<AtomicU64>(), self.map.len() / 8)
        }
    }

    #[inline]
    pub fn word(&self, w: Word) -> &AtomicU64 {
        &self.words()[w.index()]
    }

    #[inline]
    pub fn load(&self, w: Word, order: Ordering) -> u64 {
        self.word(w).load(order)
    }

    #[inline]
    pub fn store(&self, w: Word, value: u64, order: Ordering) {
        self.word(w).store(value, order);
    }

    /// Length of the mapping in bytes.
    pub fn len(&self) -> u64 {
        self.map.len() as u64
    }

    /// The file's length now (another process may have truncated it since it was mapped).
    pub fn file_len_now(&self) -> Result<u64, RingError> {
        self.file
            .metadata()
            .map(|m| m.len())
            .map_err(|e| RingError::io("stat", &self.path, e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[allow(unsafe_code)]
fn map_shared(file: &File) -> io::Result<MmapMut> {
    // SAFETY: memmap2 requires that the file is not truncated or resized while mapped, since
    // touching pages past the end raises SIGBUS. The ring files are created with mode 0600 in a
    // 0700 directory, so only this user's processes can do that, and no codepulse process ever
    // shrinks a ring file (a producer that needs a different size writes a new file and renames
    // it over the old path; the old inode stays mapped and intact). Concurrent writes by the
    // peer process are expected: the mapping is only ever accessed through `Mapping::words`.
    unsafe { MmapOptions::new().map_mut(file) }
}
