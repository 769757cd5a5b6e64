//! Memory freed at start-up goes back to the system (issue 20: an idle server under 40 MB).
//! Building the routers builds every surface's OpenAPI description (about 15 MB of structures,
//! kept afterwards only as JSON text, `docs::router`); once start-up is done, both allocators are
//! asked to give back what they hold free: mimalloc (Rust's allocations, ops/adr/0037) and
//! glibc's (SQLite's and aws-lc's).

/// Returns the free pages of the allocators' heaps to the system (`mi_collect`, and glibc's
/// `malloc_trim` where glibc is the C library).
pub fn give_back_freed() {
    // SAFETY: mi_collect takes no pointers; it frees what the calling thread's heap and the
    // abandoned heaps hold free, and may be called at any time.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers and only releases memory the allocator holds free;
    // glibc allows it at any time, from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
