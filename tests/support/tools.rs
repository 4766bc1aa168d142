//! Tools a test needs from the machine. A missing one skips the test with a line saying what
//! was skipped and why; under CI (`CI` set) it fails the test instead, so a CI machine that lost a
//! tool cannot pass by skipping.
#![allow(dead_code)]

use std::io::Write;
use std::process::Command;

/// Whether `tool` runs (`tool probe...` exits 0). When it does not, says so — past the test
/// harness's output capture, so a plain `cargo test` shows it — or panics under CI.
pub fn require(tool: &str, probe: &[&str], test: &str, how_to_get_it: &str) -> bool {
    if Command::new(tool).args(probe).output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{test} needs `{tool}` and CI must have it ({how_to_get_it})");
    let _ = writeln!(std::io::stderr(), "skipped {test}: `{tool}` is not installed ({how_to_get_it})");
    false
}
