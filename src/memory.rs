//! How the allocator and the kernel hand memory to a run, chosen by the run's shape.
//!
//! A run that builds its model from source texts frees each file's parse tree while other
//! threads allocate the next ones: with mimalloc's default 10 ms purge delay and the kernel's
//! transparent huge pages (`always` on many distributions), those frees stay resident and every
//! fresh 2 MB page is zeroed whole, however little of it is used. Measured on 10,000 apps
//! (docs/performance.md): peak RSS 180–210 MB with the defaults, ~125 MB with freed memory returned
//! at once and 4 KB pages, for the same or less processor time. A run that decodes its model from
//! the incremental cache allocates it in a few large blocks and frees little: there huge pages
//! are faster (a warm pre-commit run took ~40% longer without them), so it keeps the defaults.

/// mimalloc's `purge_delay` option (its position in `mi_option_t`, the same in mimalloc 2 and 3;
/// the bindings do not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc 3's `page_full_retain` option: how many empty pages of each size class a thread
/// keeps for itself before handing them back to the shared arena (mimalloc 2, not built here,
/// has no such option at this position).
const MI_OPTION_PAGE_FULL_RETAIN: libmimalloc_sys::mi_option_t = 36;

/// Freed memory goes back to the system at once (the audit frees large page texts and parse
/// trees while other threads allocate: ~250 MB peak for 10,000 pods with the default delay,
/// ~150 MB without, at the same speed).
pub fn release_memory_promptly() {
    // SAFETY: sets a process-wide option; mimalloc reads options atomically, and an allocator
    // other than mimalloc ignores it.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

/// Settings for a run that parses its sources (see the module's documentation).
pub fn tune_for_parsing() {
    release_memory_promptly();
    // With purging at once, an empty page a thread keeps is purged on its own, then faulted in
    // again by the next file's tree: ~8,000 `madvise` calls and a quarter of the processor time
    // in the kernel on 10,000 apps. Pages handed straight back to the arena are purged in
    // contiguous runs and reused from there: ~2,200 calls, 10% less wall time on 30,000 apps, the
    // same peak (docs/performance.md).
    // SAFETY: as in `release_memory_promptly`.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PAGE_FULL_RETAIN, 0) };
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag the kernel keeps for this process (and the tools it starts);
    // it changes how pages are backed, never their contents. An error (an old kernel) leaves the
    // default.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
