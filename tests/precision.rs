//! Precision, rule by rule: every rule `check` runs is run over every fixture and over the
//! real-world corpus, and a finding nobody expected fails the rule's test — a rule's precision
//! claim (`precision:` in `rules/<ID>.md`, shown in SARIF) is then checked, not asserted.
//!
//! - `<ID>/fixtures`: across the fixtures of *all* rules (`testdata/IB*/`), each finding of the
//!   rule must be marked `expect:` where it points. A rule that starts to fire on another rule's
//!   correct setup (cert-manager, KEDA, Flux, …) fails here, under its own name.
//! - `<ID>/realworld`: each finding of the rule on the real-world corpus (each repository linted on
//!   its own) must be listed, with the reason a reviewer accepts it, in
//!   `tests/realworld-reviewed.txt`; a listed finding the rule no longer reports fails too, so the
//!   list stays the truth. A new finding there is a possible false alarm: review it, then fix the
//!   rule or list the finding with its reason.
//!
//! `cargo test --test precision IB201` runs one rule's tests. Live rules (IB6xx) do not run in
//! `check`; their fake-cluster fixtures are audited by `tests/live_fixtures.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use iblint::rules::RULES;
use libtest_mimic::{Failed, Trial};

#[path = "support/listing.rs"]
mod listing;
#[path = "support/realworld.rs"]
mod realworld;
#[path = "support/rule_cases.rs"]
mod rule_cases;

use rule_cases::{case_findings, cases, files_of, is_live, markers, rule_dirs, testdata};

/// A finding as the tests compare it: rule, path, line (and column for fixtures).
type Place = (String, String, u32);

const REVIEWED: &str = "tests/realworld-reviewed.txt";

fn main() -> std::process::ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let rules: Vec<&'static str> = RULES.iter().map(|r| r.id()).filter(|id| !is_live(id)).collect();
    let mut trials =
        vec![Trial::test("reviewed-list/every-entry-is-well-formed", || reviewed().map(|_| ()).map_err(Failed::from))];
    for id in &rules {
        let id = *id;
        trials.push(Trial::test(format!("{id}/fixtures"), move || fixtures_precision(id)));
        trials.push(realworld::trial(format!("{id}/realworld"), move |corpus| realworld_precision(corpus, id)));
    }
    realworld::say_if_skipped(rules.len());
    libtest_mimic::run(&args, trials).exit_code()
}

/// Findings no marker expects, in every fixture of every rule, computed once for all rules:
/// (rule, "path:line:col").
fn unexpected_in_fixtures() -> &'static Vec<(String, String)> {
    static UNEXPECTED: OnceLock<Vec<(String, String)>> = OnceLock::new();
    UNEXPECTED.get_or_init(|| {
        let mut out = Vec::new();
        for dir in rule_dirs() {
            let rule = dir.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            for case in cases(&rule) {
                let found = case_findings(&case);
                for file in files_of(&case) {
                    let shown = file.strip_prefix(testdata()).unwrap_or(&file).to_string_lossy().replace('\\', "/");
                    let want = markers(&file);
                    for (_, r, line, col) in found.iter().filter(|(p, ..)| *p == shown) {
                        let expected =
                            want.iter().any(|(wr, wl, wc)| wr == r && wl == line && wc.is_none_or(|c| c == *col));
                        if !expected {
                            out.push((r.clone(), format!("{shown}:{line}:{col}")));
                        }
                    }
                }
            }
        }
        out
    })
}

fn fixtures_precision(id: &str) -> Result<(), Failed> {
    let unexpected: Vec<&str> =
        unexpected_in_fixtures().iter().filter(|(r, _)| r == id).map(|(_, at)| at.as_str()).collect();
    if unexpected.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{id} reports {} finding(s) in the fixtures that no `expect:` marker asks for (false alarms on setups \
         written as correct, or a marker missing):\n  {}",
        unexpected.len(),
        unexpected.join("\n  ")
    )
    .into())
}

/// The corpus's findings, each repository linted on its own as its users lint it, computed once:
/// (rule, path, line) → how many.
fn corpus_findings(corpus: &Path) -> &'static BTreeMap<Place, usize> {
    static FOUND: OnceLock<BTreeMap<Place, usize>> = OnceLock::new();
    FOUND.get_or_init(|| {
        let mut repositories: Vec<String> = std::fs::read_dir(corpus)
            .expect("corpus")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        repositories.sort();
        let mut out = BTreeMap::new();
        for repository in &repositories {
            let v = listing::check_json(corpus, &[repository, "--scope", repository]);
            for f in v["findings"].as_array().expect("findings") {
                let place = (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    f["location"]["path"].as_str().unwrap_or("").to_string(),
                    f["location"]["line"].as_u64().and_then(|l| u32::try_from(l).ok()).unwrap_or(0),
                );
                *out.entry(place).or_insert(0) += 1;
            }
        }
        out
    })
}

/// The reviewed list: (rule, path, line) → the reasons given, one per finding there.
fn reviewed() -> Result<BTreeMap<Place, Vec<String>>, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(REVIEWED);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{REVIEWED}: {e}"))?;
    let known: Vec<&str> = RULES.iter().map(|r| r.id()).collect();
    let mut out: BTreeMap<Place, Vec<String>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty()) {
        let at = || format!("{REVIEWED}:{}", i + 1);
        let (finding, reason) =
            line.split_once(" -- ").ok_or_else(|| format!("{}: `RULE path:line -- reason` expected", at()))?;
        let reason = reason.trim();
        if reason.len() < 20 {
            return Err(format!("{}: say why a reviewer accepts the finding", at()));
        }
        let (rule, place) = finding.trim().split_once(' ').ok_or_else(|| format!("{}: no path", at()))?;
        if !known.contains(&rule) {
            return Err(format!("{}: unknown rule {rule}", at()));
        }
        let (file, line) = place
            .rsplit_once(':')
            .and_then(|(f, l)| Some((f, l.parse::<u32>().ok()?)))
            .ok_or_else(|| format!("{}: `path:line` expected", at()))?;
        out.entry((rule.to_string(), file.to_string(), line)).or_default().push(reason.to_string());
    }
    Ok(out)
}

fn realworld_precision(corpus: &Path, id: &str) -> Result<(), String> {
    let reviewed = reviewed()?;
    let found = corpus_findings(corpus);
    let mut problems = Vec::new();
    for ((rule, file, line), &n) in found.iter().filter(|((r, ..), _)| r == id) {
        let listed = reviewed.get(&(rule.clone(), file.clone(), *line)).map_or(0, Vec::len);
        if n > listed {
            problems.push(format!(
                "not reviewed: {} finding(s) at {file}:{line} (add `{rule} {file}:{line} -- why it is right` to \
                 {REVIEWED}, or fix the false alarm)",
                n - listed
            ));
        }
    }
    for ((rule, file, line), reasons) in reviewed.iter().filter(|((r, ..), _)| r == id) {
        let n = found.get(&(rule.clone(), file.clone(), *line)).copied().unwrap_or(0);
        if n < reasons.len() {
            problems.push(format!(
                "listed but no longer reported: {} finding(s) at {file}:{line} (remove from {REVIEWED} if intended)",
                reasons.len() - n
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{id} on the real-world corpus:\n  {}", problems.join("\n  ")))
    }
}
