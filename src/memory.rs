//! How the allocator and the kernel hand memory to a run, chosen by the run's shape.
//!
//! A run that builds its model from source texts frees each file's parse tree while other
//! threads allocate the next ones. With the kernel's transparent huge pages (`always` on many
//! distributions) every fresh 2 MB page is zeroed whole, however little of it is used: such a run
//! asks for 4 KB pages. During the load, freed memory waits 10 ms before it goes back to the
//! system, so the next file's tree reuses the last one's pages instead of faulting in new ones.
//! Against returning every free at once (docs/performance.md, round seven): ~8% less processor
//! time and a quarter less kernel time at 10,000 apps, 4–10% less processor time at 100,000, for
//! peaks 2–10 MB higher. Once the load ends, what it freed is given back at once, and so is every
//! later free ([`return_freed_memory`]): the index and the rules add to the model from then on.
//! A run that decodes its model from the incremental cache asks for 4 KB pages too, and its
//! freed memory waits and goes back as a parsing run's does ([`tune_for_decoding`]).

use std::sync::atomic::{AtomicBool, Ordering};

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

/// How long freed memory waits in a run that parses: long enough for the next file's tree to
/// reuse the last one's pages, short enough that the load's peak holds little more than what it
/// uses (mimalloc 3's own default, 1 s, held ~60 MB more at 100,000 apps).
const PARSING_PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Set by [`delay_purges`]: freed memory waits before it goes back to the system.
static PURGE_DELAYED: AtomicBool = AtomicBool::new(false);

/// Freed memory waits [`PARSING_PURGE_DELAY_MS`] before it goes back to the system, and what a
/// load freed goes back when it ends ([`return_freed_memory`]).
fn delay_purges() {
    PURGE_DELAYED.store(true, Ordering::Relaxed);
    // Unless the environment chose a delay (the tests that count the memory a run holds choose 0).
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: as in `release_memory_promptly`.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PARSING_PURGE_DELAY_MS) };
    }
}

/// Settings for a run that parses its sources (see the module's documentation).
pub fn tune_for_parsing() {
    delay_purges();
    // An empty page a thread keeps for itself is purged on its own, then faulted in again by the
    // next file's tree (~8,000 `madvise` calls on 10,000 apps when purging at once). Pages handed
    // straight back to the arena are purged in contiguous runs and reused from there.
    // SAFETY: as in `release_memory_promptly`.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PAGE_FULL_RETAIN, 0) };
    small_pages();
}

/// The kernel backs this process's memory with 4 KB pages, not transparent huge pages (which
/// mimalloc asks for on its large blocks, and which some kernels give to every mapping).
fn small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag the kernel keeps for this process (and the tools it starts);
    // it changes how pages are backed, never their contents. An error (an old kernel) leaves the
    // default.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Settings for a run that decodes its model from the incremental cache: freed memory waits as
/// in a parsing run, and what the load freed goes back when it ends ([`return_freed_memory`]).
/// With mimalloc's own delay (1 s) a warm run on 30,000 apps held the buffers its decoding freed
/// through the rules: 200–263 MB at its peak. It asks for 4 KB pages as a parsing run does:
/// with huge pages a warm run on 30,000 apps peaked at 179–199 MB against 138–144 MB without, at
/// the same speed, and a warm pre-commit run took as long (docs/performance.md, round sixteen;
/// round three measured huge pages ~40% faster for that run, when it read the cache file whole).
pub fn tune_for_decoding() {
    delay_purges();
    small_pages();
}

/// Gives back what a step of the load freed, now, in a run tuned for parsing or decoding: called
/// by the evaluators when they end, whose working set (Terraform's parsed modules, a kustomize
/// build's trees) is several times what they yield. The files still loading meanwhile would
/// otherwise grow the model beside it: with the load twice as fast since round twenty-two, the
/// 30,000-app peak moved by up to 15 MB from run to run with how the two overlapped.
pub fn collect_freed() {
    if PURGE_DELAYED.load(Ordering::Relaxed) {
        // SAFETY: as in `return_freed_memory`.
        unsafe { libmimalloc_sys::mi_collect(true) };
    }
}

/// Gives the pages freed so far back to the system now, in a run tuned for parsing or decoding
/// (elsewhere it does nothing). Called when the load ends: the parse trees and texts it freed would
/// otherwise still be resident while the index and the rules' shared answers are built, at the
/// run's peak.
pub fn return_freed_memory() {
    if PURGE_DELAYED.load(Ordering::Relaxed) {
        // SAFETY: asks mimalloc to collect its free pages; it takes its own locks, and any
        // thread may call it at any time.
        unsafe { libmimalloc_sys::mi_collect(true) };
        // No file's tree follows to reuse what the phases after the load free (their working
        // tables, the findings' drafts), and those phases hold the run's peak on a large
        // repository: what they free goes back at once.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            release_memory_promptly();
        }
    }
}
