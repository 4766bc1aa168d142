//! A one-line progress indicator on standard error while a large cluster is listed; silent when
//! standard error is not a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Default)]
pub struct Progress {
    objects: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
}

impl Progress {
    pub fn add_objects(&self, n: usize) {
        self.objects.fetch_add(n, Ordering::Relaxed);
    }

    pub fn add_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn objects(&self) -> usize {
        self.objects.load(Ordering::Relaxed)
    }

    /// Starts redrawing the line every 200 ms until [`Progress::finish`], if stderr is a terminal.
    pub fn show(&self) {
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
    pub fn finish(&self) {
        if !self.done.swap(true, Ordering::Relaxed) && std::io::stderr().is_terminal() {
            let _ = std::io::stderr().write_all(b"\r\x1b[K");
        }
    }
}
