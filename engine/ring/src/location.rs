//! Where rings live and what they are called: the location is a pure function of the
//! workspace's canonical root, so a consumer finds the ring of the engine working on a tree
//! without being told.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::RingError;

/// Overrides the directory rings are created in and looked up from (tests, sandboxes).
pub const RING_DIR_ENV: &str = "CODEPULSE_RING_DIR";

/// xxh3-64 of a path's bytes: the `file_hash` of a payload about that file, and (for the
/// canonical workspace root) the name of its ring. Callers pass canonical absolute paths.
pub use codepulse_components::path_hash;

/// The directory that holds this user's rings: `$CODEPULSE_RING_DIR` if set, else
/// `$XDG_RUNTIME_DIR/codepulse` when `XDG_RUNTIME_DIR` is an absolute path, else
/// `/dev/shm/codepulse-<uid>` (or `<temp dir>/codepulse-<uid>` where there is no `/dev/shm`).
pub fn ring_dir() -> PathBuf {
    if let Some(dir) = non_empty_env(RING_DIR_ENV) {
        return PathBuf::from(dir);
    }
    if let Some(xdg) = non_empty_env("XDG_RUNTIME_DIR") {
        let xdg = PathBuf::from(xdg);
        if xdg.is_absolute() && xdg.is_dir() {
            return xdg.join("codepulse");
        }
    }
    let uid = rustix::process::getuid().as_raw();
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    base.join(format!("codepulse-{uid}"))
}

fn non_empty_env(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// The ring file of the workspace whose canonical root is `root`, in [`ring_dir`]:
/// `ring-<xxh3 of the root, 16 hex digits>`.
pub fn ring_path_for_root(root: &Path) -> PathBuf {
    ring_dir().join(ring_file_name(root))
}

/// `ring-<16 hex digits>`.
pub fn ring_file_name(root: &Path) -> String {
    format!("ring-{:016x}", path_hash(root))
}

/// The sibling file holding a ring's path table: `<ring file>.paths`.
pub fn paths_file(ring: &Path) -> PathBuf {
    let mut name = ring.as_os_str().to_os_string();
    name.push(".paths");
    PathBuf::from(name)
}

/// The ring of the workspace containing `start` (a canonical path): `start` itself or its
/// nearest ancestor for which a ring file exists. Returns the workspace root and the ring.
pub fn find_ring(start: &Path) -> Option<(PathBuf, PathBuf)> {
    let dir = ring_dir();
    start.ancestors().find_map(|root| {
        let ring = dir.join(ring_file_name(root));
        ring.is_file().then(|| (root.to_path_buf(), ring))
    })
}

/// Creates the ring directory (mode 0700) if needed and checks that it is a real directory
/// (not a symbolic link) owned by this user; closes it to others (mode 0700) if it is open.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), RingError> {
    if let Err(e) = fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        return Err(RingError::io("create the directory", dir, e));
    }
    let meta = fs::symlink_metadata(dir).map_err(|e| RingError::io("stat", dir, e))?;
    let insecure = |reason: &'static str| RingError::InsecureDir {
        path: dir.to_path_buf(),
        reason,
    };
    if !meta.file_type().is_dir() {
        return Err(insecure("not a directory (a symbolic link?)"));
    }
    if meta.uid() != rustix::process::getuid().as_raw() {
        return Err(insecure("owned by another user"));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        // Ours but open to others: close it.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| RingError::io("restrict the permissions of", dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_derive_from_the_root_alone() {
        let a = ring_file_name(Path::new("/home/u/project"));
        assert_eq!(a, ring_file_name(Path::new("/home/u/project")));
        assert_ne!(a, ring_file_name(Path::new("/home/u/project2")));
        assert!(a.starts_with("ring-") && a.len() == 5 + 16);
        assert_eq!(
            paths_file(Path::new("/x/ring-00ff")),
            PathBuf::from("/x/ring-00ff.paths")
        );
    }

    #[test]
    fn private_dir_is_created_0700_and_symlinks_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        ensure_private_dir(&dir).unwrap();
        let mode = fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        ensure_private_dir(&dir).unwrap();
        let mode = fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "an open directory of ours is closed");
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(tmp.path(), &link).unwrap();
        assert!(matches!(
            ensure_private_dir(&link),
            Err(RingError::InsecureDir { .. })
        ));
    }
}
