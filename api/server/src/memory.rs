//! Memory freed at start-up goes back to the system (issue 20: an idle server under 40 MB).
//! Building the routers builds every surface's OpenAPI description (about 15 MB of structures,
//! kept afterwards only as JSON text, `docs::router`); once start-up is done, both allocators are
//! asked to give back what they hold free: mimalloc (Rust's allocations, ops/adr/0037) and
//! glibc's (SQLite's and aws-lc's).

/// Returns the free pages of the allocators' heaps to the system (`mi_collect`, and glibc's
/// `malloc_trim` where glibc is the C library).
pub fn give_back_freed() {
    // SAFETY: mi_collect takes no pointers and may be called at any time; it collects the calling
    // thread's heap (the one that built the routers) and purges the arenas' free pages.
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

/// Turns transparent huge pages off for the process (`PR_SET_THP_DISABLE`), as mimalloc's own
/// build option does. Built with `no_thp`, mimalloc no longer asks for huge pages, but a host whose
/// huge pages are `always` would still back its 2 MiB-aligned regions with them: an idle server
/// then held 64–68 MiB instead of about 40 (ops/adr/0037). Elsewhere nothing.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes integers only and changes only how the kernel
    // backs this process's memory.
    unsafe {
        if libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0 {
            tracing::debug!("transparent huge pages could not be turned off for the process");
        }
    }
}
