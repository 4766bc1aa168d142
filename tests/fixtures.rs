//! The table-driven fixture test: every `testdata/<ID>/{pass,fail}.*` file (or case directory)
//! is linted on its own, and its findings must be exactly the `expect:` markers it carries.
//!
//! A marker is a comment on the line the finding must point at: `# expect: IB101` (or `// expect:`),
//! several ids separated by commas, `IB101@7` to pin the column too. JSON files, which have no
//! comments, list `RULE LINE[@COL]` lines in a sibling `<file>.expect`. A `pass.*` fixture must not
//! produce its directory's rule; a `fail.*` fixture must produce it. Either way nothing unmarked
//! may appear: a fixture is a promise of no false alarms as much as of a true one. A case directory
//! may hold a `.iblint.yaml` config (for rules that read settings, such as allowed tenants).
//!
//! Each case is a test of its own, named `<ID>/<case>`: `cargo test --test fixtures IB301` runs
//! one rule's cases, `cargo test --test fixtures IB301/fail.no-grant.yaml` one case.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;

use libtest_mimic::{Failed, Trial};

#[path = "support/rule_cases.rs"]
mod rule_cases;

// Live rules (IB6xx) have fake-cluster fixtures, audited by `tests/live_fixtures.rs`.
use rule_cases::{case_findings as findings, cases, files_of, markers, rule_dirs, testdata, Expect};

fn main() -> std::process::ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let mut trials = Vec::new();
    for dir in rule_dirs() {
        let rule = dir.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let dir_cases = cases(&rule);
        let has = |prefix: &str| dir_cases.iter().any(|c| name_of(c).starts_with(prefix));
        let (has_fail, has_pass) = (has("fail."), has("pass."));
        let name = format!("{rule}/has-pass-and-fail-cases");
        trials.push(Trial::test(name, move || match (has_fail, has_pass) {
            (true, true) => Ok(()),
            (false, _) => Err("no fail fixture".into()),
            (_, false) => Err("no pass fixture".into()),
        }));
        for case in dir_cases {
            let rule = rule.clone();
            trials.push(Trial::test(format!("{rule}/{}", name_of(&case)), move || check_case(&rule, &case)));
        }
    }
    assert!(trials.len() > 1, "no fixtures found under {}", testdata().display());
    libtest_mimic::run(&args, trials).exit_code()
}

fn name_of(case: &Path) -> String {
    case.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// One case: its findings, file by file, must be exactly its markers; a fail case must produce
/// its directory's rule and a pass case must not.
fn check_case(rule: &str, case: &Path) -> Result<(), Failed> {
    let mut failures = Vec::new();
    let is_fail = name_of(case).starts_with("fail.");
    let got_all = findings(case);
    let mut saw_rule = false;
    for file in files_of(case) {
        let display = file.strip_prefix(testdata()).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        let want = markers(&file);
        let got: Vec<_> = got_all.iter().filter(|(p, ..)| *p == display).collect();
        saw_rule |= got.iter().any(|(_, r, ..)| r == rule);
        let got_set: Expect = got
            .iter()
            .map(|(_, r, l, c)| {
                let pinned = want.iter().any(|(wr, wl, wc)| wr == r && wl == l && wc.is_some());
                (r.clone(), *l, pinned.then_some(*c))
            })
            .collect();
        if got_set != want {
            failures.push(format!(
                "{display}:\n    expected {:?}\n    found    {:?}",
                want,
                got.iter().map(|(_, r, l, c)| format!("{r}@{l}:{c}")).collect::<Vec<_>>()
            ));
        }
    }
    if is_fail && !saw_rule {
        failures.push(format!("{}: a fail fixture must produce {rule}", case.display()));
    }
    if !is_fail && saw_rule {
        failures.push(format!("{}: a pass fixture must not produce {rule}", case.display()));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}
