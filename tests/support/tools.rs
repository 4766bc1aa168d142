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

/// A tool of the project's `.venv` (made by scripts/test) when it is there, else `name` on PATH.
pub fn venv_tool(name: &str) -> std::path::PathBuf {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv").join("bin").join(name);
    if venv.exists() {
        venv
    } else {
        std::path::PathBuf::from(name)
    }
}

/// Asserts that `xml` is valid against the Jenkins/Surefire JUnit schema (junit-10.xsd, which
/// scripts/test puts in .venv/share), with Python `xmlschema`. Without the schema the check is
/// skipped with a line saying so, or fails under CI.
pub fn assert_valid_junit(name: &str, xml: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let xsd = root.join(".venv/share/junit-10.xsd");
    if !xsd.is_file() {
        assert!(std::env::var_os("CI").is_none(), "CI must have {} (scripts/test fetches it)", xsd.display());
        let _ =
            writeln!(std::io::stderr(), "skipped the JUnit schema check: no {} (run ./scripts/test)", xsd.display());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(format!("{name}.xml"));
    std::fs::write(&file, xml).expect("write");
    let check = Command::new(venv_tool("python3"))
        .args(["-c", "import sys, xmlschema; xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])"])
        .arg(&xsd)
        .arg(&file)
        .output()
        .expect("python3");
    assert!(check.status.success(), "{name}: {}\n{xml}", String::from_utf8_lossy(&check.stderr));
}
