//! tree-sitter's C core allocating with mimalloc. A binary that calls
//! [`install_mimalloc_for_tree_sitter`] first thing in `main` (and declares
//! `#[global_allocator] static A: mimalloc::MiMalloc = mimalloc::MiMalloc;`) allocates every
//! syntax-tree node with mimalloc: a cold pass allocates and frees each node separately, and
//! with glibc's allocator the frees and the heap consolidation they trigger cost several percent
//! of the pass (docs/benchmarks.md).

use std::ffi::c_void;

#[allow(unsafe_code)]
unsafe extern "C" fn ts_malloc(size: usize) -> *mut c_void {
    // SAFETY: mimalloc's malloc has libc malloc's contract.
    unsafe { libmimalloc_sys::mi_malloc(size) }
}

#[allow(unsafe_code)]
unsafe extern "C" fn ts_calloc(count: usize, size: usize) -> *mut c_void {
    // SAFETY: mimalloc's calloc has libc calloc's contract.
    unsafe { libmimalloc_sys::mi_calloc(count, size) }
}

#[allow(unsafe_code)]
unsafe extern "C" fn ts_realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: `ptr` comes from this same allocator family (installed before any tree-sitter
    // object exists), as realloc requires.
    unsafe { libmimalloc_sys::mi_realloc(ptr, size) }
}

#[allow(unsafe_code)]
unsafe extern "C" fn ts_free(ptr: *mut c_void) {
    // SAFETY: as for `ts_realloc`: `ptr` is null or came from mimalloc.
    unsafe { libmimalloc_sys::mi_free(ptr) }
}

/// Makes tree-sitter allocate with mimalloc. Must run first in `main`, before any tree-sitter
/// object exists.
pub fn install_mimalloc_for_tree_sitter() {
    // SAFETY: called once, at the start of `main` on the main thread, before any parser, tree or
    // query exists; the four functions are one allocator family with libc's alignment, and
    // mimalloc never returns null for a non-zero size short of out-of-memory (as libc).
    #[allow(unsafe_code)]
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: ts_malloc,
            calloc: ts_calloc,
            realloc: ts_realloc,
            free: ts_free,
        }));
    }
}

/// Returns the memory mimalloc holds freed but still committed to the OS, as far as this
/// thread's heap and the shared arenas go. mimalloc purges freed memory lazily, on later
/// allocations; an idle engine allocates nothing, so without this its RSS would stay at its
/// busiest. The live engine calls it after the warm-up and when it goes idle.
pub fn release_free_memory() {
    // SAFETY: `mi_collect` only walks mimalloc's own heap and arena metadata; it may be called
    // from any thread at any time (mimalloc's documentation), and `force` just makes it purge
    // now instead of after the purge delay.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
