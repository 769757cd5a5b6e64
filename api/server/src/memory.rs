//! Memory freed at start-up goes back to the system (issue 20: an idle server under 40 MB).
//! Building the routers builds every surface's OpenAPI description (about 15 MB of structures,
//! kept afterwards only as JSON text, `docs::router`); glibc keeps memory freed in the middle
//! of its heap for later allocations, so once start-up is done it is asked to give it back.

/// Returns the free pages of the allocator's heaps to the system (glibc's `malloc_trim`);
/// elsewhere nothing.
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers and only releases memory the allocator holds free;
    // glibc allows it at any time, from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
