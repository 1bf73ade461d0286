//! `load_sources`: reads the files marked [`PendingLoad`], in parallel on the compute task pool,
//! up to [`AnalysisSettings::load_batch_bytes`] per tick (the rest stays marked for the next
//! tick).
//!
//! A file becomes either [`SourceText`] + [`FileFlags`], or [`Skipped`] with its reason:
//! - not a regular file (a socket, a FIFO, a device) or a read error: [`SkipReason::Unreadable`];
//! - larger than [`AnalysisSettings::max_file_size`]: [`SkipReason::TooLarge`];
//! - a NUL byte in the first [`BINARY_SNIFF_LEN`] bytes: [`SkipReason::Binary`].
//!
//! Bytes that are not UTF-8 are decoded lossily and the file is flagged
//! [`FileFlags::LOSSY_UTF8`]. Each skip and each lossy decode is also a [`Diagnostic`].

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bevy_ecs::batching::BatchingStrategy;
use bevy_ecs::prelude::*;
use codepulse_components::{
    AnalysisSettings, Diagnostic, DiagnosticKind, Diagnostics, FileFlags, FilePath, PendingLoad,
    Progress, SkipReason, Skipped, SourceText, TextChanges, TreeEdited,
};

/// How many leading bytes are searched for a NUL byte to recognise a binary file.
pub const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Files of at least this many bytes are read through a memory map, smaller ones with `read`.
pub const MMAP_THRESHOLD: u64 = 256 * 1024;

/// What loading one file gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Loaded {
    Text { text: Arc<str>, lossy: bool },
    Skip(SkipReason),
}

/// File entities whose text must be read.
type Unloaded = With<PendingLoad>;

/// The system (see the module documentation).
pub fn load_sources(
    files: Query<(Entity, &FilePath), Unloaded>,
    settings: Res<AnalysisSettings>,
    commands: ParallelCommands,
    progress: Option<Res<Progress>>,
) {
    let max_file_size = settings.max_file_size;
    let budget = settings.load_batch_bytes;
    let taken = AtomicU64::new(0);
    let progress = progress.as_deref();
    files
        .par_iter()
        .batching_strategy(BatchingStrategy::new().batches_per_thread(16))
        .for_each(|(entity, path)| {
            // The tick's byte budget: once spent, the rest waits for the next tick (the first
            // file always loads, so every tick makes progress).
            if taken.load(Ordering::Relaxed) >= budget {
                return;
            }
            let loaded = load_file(&path.absolute, max_file_size);
            if let Loaded::Text { text, .. } = &loaded {
                taken.fetch_add(text.len() as u64, Ordering::Relaxed);
            }
            let diagnostic = load_diagnostic(&loaded, &path.relative);
            commands.command_scope(|mut commands| {
                match loaded {
                    Loaded::Text { text, lossy } => {
                        let flags = if lossy { FileFlags::LOSSY_UTF8 } else { 0 };
                        // A text read whole is parsed from scratch: whatever edits the old tree
                        // followed no longer apply.
                        commands
                            .entity(entity)
                            .remove::<(PendingLoad, Skipped, TreeEdited, TextChanges)>()
                            .insert((SourceText(text), FileFlags(flags)));
                    }
                    Loaded::Skip(reason) => {
                        commands
                            .entity(entity)
                            .remove::<PendingLoad>()
                            .insert(Skipped(reason));
                    }
                }
                if let Some(diagnostic) = diagnostic {
                    commands.queue(move |world: &mut World| {
                        world
                            .get_resource_or_init::<Diagnostics>()
                            .0
                            .push(diagnostic);
                    });
                }
            });
            if let Some(progress) = progress {
                progress.loaded.fetch_add(1, Ordering::Relaxed);
            }
        });
}

/// The warning that goes with a load result, if any.
pub fn load_diagnostic(loaded: &Loaded, path: &str) -> Option<Diagnostic> {
    let (kind, message) = match loaded {
        Loaded::Text { lossy: false, .. } => return None,
        Loaded::Text { lossy: true, .. } => (
            DiagnosticKind::LossyUtf8,
            "not valid UTF-8; invalid bytes were replaced (U+FFFD)".to_owned(),
        ),
        Loaded::Skip(SkipReason::Binary) => (
            DiagnosticKind::Binary,
            "binary file (NUL bytes); skipped".to_owned(),
        ),
        Loaded::Skip(SkipReason::TooLarge { size, limit }) => (
            DiagnosticKind::TooLarge,
            format!("{size} bytes, over the limit of {limit} bytes; skipped"),
        ),
        Loaded::Skip(SkipReason::Unreadable(why)) => (
            DiagnosticKind::Unreadable,
            format!("cannot read: {why}; skipped"),
        ),
    };
    Some(Diagnostic {
        kind,
        path: path.to_owned(),
        message,
    })
}

/// Loads one file (see the module documentation). Never panics; every failure is a skip.
pub fn load_file(path: &Path, max_file_size: u64) -> Loaded {
    match read_bytes(path, max_file_size) {
        Ok(Bytes::TooLarge(size)) => Loaded::Skip(SkipReason::TooLarge {
            size,
            limit: max_file_size,
        }),
        Ok(Bytes::Read(bytes)) => decode(&bytes),
        Ok(Bytes::Mapped(map)) => decode(&map),
        Err(why) => Loaded::Skip(SkipReason::Unreadable(why)),
    }
}

/// Loads a text already in memory (a section of a code dump, say) by the same rules as a file on
/// disk: over `max_file_size` it is [`SkipReason::TooLarge`], else it is decoded as a file is.
pub fn load_bytes(bytes: &[u8], max_file_size: u64) -> Loaded {
    let size = bytes.len() as u64;
    if size > max_file_size {
        return Loaded::Skip(SkipReason::TooLarge {
            size,
            limit: max_file_size,
        });
    }
    decode(bytes)
}

/// Decodes a file's bytes: binary check, then UTF-8 (lossily if need be).
fn decode(bytes: &[u8]) -> Loaded {
    if bytes[..bytes.len().min(BINARY_SNIFF_LEN)].contains(&0) {
        return Loaded::Skip(SkipReason::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Loaded::Text {
            text: Arc::from(text),
            lossy: false,
        },
        Err(_) => Loaded::Text {
            text: Arc::from(String::from_utf8_lossy(bytes).as_ref()),
            lossy: true,
        },
    }
}

enum Bytes {
    TooLarge(u64),
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

/// Reads a regular file's bytes, or says why not. The type is checked before opening, so a
/// FIFO never blocks the run.
fn read_bytes(path: &Path, max_file_size: u64) -> Result<Bytes, String> {
    let meta = fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!(
            "not a regular file ({})",
            file_kind(&meta.file_type())
        ));
    }
    if meta.len() > max_file_size {
        return Ok(Bytes::TooLarge(meta.len()));
    }
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    // The size may have changed since `metadata`; ask the open file.
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if size > max_file_size {
        return Ok(Bytes::TooLarge(size));
    }
    if size >= MMAP_THRESHOLD {
        return map(&file).map(Bytes::Mapped).map_err(|e| e.to_string());
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max_file_size {
        return Ok(Bytes::TooLarge(bytes.len() as u64));
    }
    Ok(Bytes::Read(bytes))
}

/// Maps a file read-only.
#[allow(unsafe_code)]
fn map(file: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: a memory map is only sound while no one else changes the file. If another process
    // truncates the file while it is mapped, touching the vanished pages raises SIGBUS; if it
    // writes to it, the bytes we see may change under us. The map lives only inside
    // `load_file`: its bytes are checked and copied into an owned `Arc<str>` at once, and the
    // map is dropped, so the window is a single pass over the file. For a read-only analysis
    // tool this is the usual trade-off (ripgrep makes the same one) for not copying large files
    // twice; small files, where a read is cheaper anyway, never take this path.
    unsafe { memmap2::Mmap::map(file) }
}

#[cfg(unix)]
fn file_kind(t: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_socket() {
        "socket"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_block_device() || t.is_char_device() {
        "device"
    } else if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn file_kind(t: &fs::FileType) -> &'static str {
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("codepulse-load-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn loads_text_and_classifies_bad_input() {
        let ok = temp("ok.rs", b"fn f() {}\n");
        assert_eq!(
            load_file(&ok, 100),
            Loaded::Text {
                text: Arc::from("fn f() {}\n"),
                lossy: false
            }
        );
        assert_eq!(
            load_file(&ok, 4),
            Loaded::Skip(SkipReason::TooLarge { size: 10, limit: 4 })
        );
        let bin = temp("bin.rs", b"fn\0f");
        assert_eq!(load_file(&bin, 100), Loaded::Skip(SkipReason::Binary));
        let lossy = temp("lossy.rs", b"// \xff\nfn f() {}\n");
        assert_eq!(
            load_file(&lossy, 100),
            Loaded::Text {
                text: Arc::from("// \u{fffd}\nfn f() {}\n"),
                lossy: true
            }
        );
        let missing = ok.with_file_name("missing.rs");
        assert!(matches!(
            load_file(&missing, 100),
            Loaded::Skip(SkipReason::Unreadable(_))
        ));
        let dir = ok.parent().unwrap().to_path_buf();
        assert!(matches!(
            load_file(&dir, 100),
            Loaded::Skip(SkipReason::Unreadable(_))
        ));
    }

    #[test]
    fn bytes_in_memory_follow_the_rules_of_files() {
        let cases: [(&[u8], u64, Loaded); 4] = [
            (
                b"fn f() {}\n",
                100,
                Loaded::Text {
                    text: Arc::from("fn f() {}\n"),
                    lossy: false,
                },
            ),
            (
                b"fn f() {}\n",
                4,
                Loaded::Skip(SkipReason::TooLarge { size: 10, limit: 4 }),
            ),
            (b"fn\0f", 100, Loaded::Skip(SkipReason::Binary)),
            (
                b"// \xff\n",
                100,
                Loaded::Text {
                    text: Arc::from("// \u{fffd}\n"),
                    lossy: true,
                },
            ),
        ];
        for (bytes, limit, want) in cases {
            assert_eq!(load_bytes(bytes, limit), want, "{bytes:?}");
        }
    }

    #[test]
    fn large_files_are_mapped_and_read_whole() {
        let text = "x\n".repeat(MMAP_THRESHOLD as usize);
        let big = temp("big.py", text.as_bytes());
        assert_eq!(
            load_file(&big, u64::MAX),
            Loaded::Text {
                text: Arc::from(text),
                lossy: false
            }
        );
    }
}
