//! Computes the analysis fingerprint of this build (`CODEPULSE_ANALYSIS_FINGERPRINT`, 16 hex
//! digits), which a snapshot records and checks (docs/snapshot.md): a hash of every source file
//! of the components and the systems (the data model, the language tables and queries, the
//! measurement and extraction code) and of the tree-sitter grammar versions in `Cargo.lock`.
//! A build whose analysis could compute anything differently gets another fingerprint, and
//! reads an older build's snapshot as foreign.

use std::fs;
use std::path::{Path, PathBuf};

/// FNV-1a, 64 bits: no dependency, and only ever compared with itself.
struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// A length-prefixed field, so that concatenations cannot collide.
    fn field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest.parent().expect("engine/ is inside the workspace");
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    let mut found = false;
    for crate_dir in ["components/src", "systems/src"] {
        let dir = workspace.join(crate_dir);
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        files.sort();
        for file in files {
            let Ok(text) = fs::read(&file) else { continue };
            found = true;
            let rel = file.strip_prefix(workspace).unwrap_or(&file);
            hash.field(rel.to_string_lossy().as_bytes());
            hash.field(&text);
        }
    }
    let lock = workspace.join("Cargo.lock");
    println!("cargo::rerun-if-changed={}", lock.display());
    if let Ok(lock) = fs::read_to_string(&lock) {
        for package in lock.split("[[package]]") {
            if package.trim_start().starts_with("name = \"tree-sitter") {
                hash.field(package.trim().as_bytes());
            }
        }
    }
    if !found {
        println!(
            "cargo::warning=no analysis sources beside the engine: snapshots are told apart by \
             version only"
        );
    }
    hash.field(
        std::env::var("CARGO_PKG_VERSION")
            .unwrap_or_default()
            .as_bytes(),
    );
    println!(
        "cargo::rustc-env=CODEPULSE_ANALYSIS_FINGERPRINT={:016x}",
        hash.0
    );
}
