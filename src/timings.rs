//! `IBLINT_TIMINGS=1` prints how long each phase of a run took, and the process's resident memory
//! when it ended, on stderr: the first question when a figure of `bench/run.sh` moves (and which
//! phase holds the peak), answered without a profiler.

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
            let resident = memory_kib()
                .map(|(now, peak)| {
                    format!(", {:.1} MB resident, peak {:.1} MB", now as f64 / 1024.0, peak as f64 / 1024.0)
                })
                .unwrap_or_default();
            eprintln!(
                "iblint timings: {:<14} {:8.1} ms (ends at {:8.1} ms{resident})",
                self.name,
                ms(began.elapsed()),
                ms(origin.elapsed())
            );
        }
    }
}

/// The process's resident memory and its peak so far in KiB (`VmRSS`, `VmHWM`), where the system
/// says (Linux). The peak shows a phase whose memory rose and fell before it ended.
fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    Some((status_kib(&status, "VmRSS:")?, status_kib(&status, "VmHWM:")?))
}

fn status_kib(status: &str, field: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.trim_start_matches(field).trim().trim_end_matches("kB").trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_resident_size_is_read_from_the_status_line() {
        let status = "Name:\tiblint\nVmPeak:\t  200000 kB\nVmHWM:\t   90112 kB\nVmRSS:\t   87172 kB\n";
        assert_eq!(super::status_kib(status, "VmRSS:"), Some(87172));
        assert_eq!(super::status_kib(status, "VmHWM:"), Some(90112));
        assert_eq!(super::status_kib("Name:\tiblint\n", "VmRSS:"), None);
    }
}
