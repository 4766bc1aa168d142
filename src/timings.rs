//! `IBLINT_TIMINGS=1` prints how long each phase of a run took, on stderr: the first question
//! when a figure of `bench/run.sh` moves, answered without a profiler.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The instant timing started, when the variable is set.
fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("IBLINT_TIMINGS").filter(|v| v != "0").map(|_| Instant::now()))
}

/// Prints a line about the run (what the cache did) when timings are on.
pub fn note(what: std::fmt::Arguments) {
    if start().is_some() {
        eprintln!("iblint timings: {what}");
    }
}

/// A phase that reports its duration when dropped (nothing when timings are off).
pub struct Phase {
    name: &'static str,
    began: Option<Instant>,
}

/// Starts timing `name`: `let _t = timings::phase("load");`.
pub fn phase(name: &'static str) -> Phase {
    Phase { name, began: start().map(|_| Instant::now()) }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let (Some(began), Some(origin)) = (self.began, start()) {
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            eprintln!(
                "iblint timings: {:<14} {:8.1} ms (ends at {:8.1} ms)",
                self.name,
                ms(began.elapsed()),
                ms(origin.elapsed())
            );
        }
    }
}
