//! A one-line progress indicator on standard error while a large cluster is listed; silent when
//! standard error is not a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Shared by every list of an audit: counts for the progress line, and the permits that bound
/// how many pages are parsed at once.
#[derive(Clone)]
pub(super) struct Progress {
    objects: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
    parsers: Arc<tokio::sync::Semaphore>,
}

impl Default for Progress {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Progress {
            objects: Arc::default(),
            requests: Arc::default(),
            done: Arc::default(),
            parsers: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }
}

impl Progress {
    /// Waits for a turn to parse a page.
    pub(super) async fn parse_permit(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.parsers.clone().acquire_owned().await.ok()
    }

    pub(super) fn add_objects(&self, n: usize) {
        self.objects.fetch_add(n, Ordering::Relaxed);
    }

    pub(super) fn add_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn objects(&self) -> usize {
        self.objects.load(Ordering::Relaxed)
    }

    /// Starts redrawing the line every 200 ms until [`Progress::finish`], if stderr is a terminal.
    pub(super) fn show(&self) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if me.done.load(Ordering::Relaxed) {
                    break;
                }
                let line = format!(
                    "\riblint: listed {} objects ({} requests)…",
                    me.objects(),
                    me.requests.load(Ordering::Relaxed)
                );
                let _ = std::io::stderr().write_all(line.as_bytes());
            }
        });
    }

    /// Stops and clears the line.
    pub(super) fn finish(&self) {
        if !self.done.swap(true, Ordering::Relaxed) && std::io::stderr().is_terminal() {
            let _ = std::io::stderr().write_all(b"\r\x1b[K");
        }
    }
}
