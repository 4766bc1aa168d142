//! `iblint fix`, shown on fixture pairs: for every fixable rule, `testdata/fix/<ID>/<case>.before.*`
//! (a file, or a directory of files) is copied, fixed with `iblint fix --unsafe --rule <ID>`, and
//! compared byte for byte with `<case>.after.*`; the fixed copy is linted again (the rule's
//! findings are gone, nothing new appears) and fixed once more (nothing changes). The pairs hold
//! the formatting a fix must keep: comments, flow style, CRLF, a byte order mark, 4-space
//! indentation, several documents, JSON.
//!
//! Writing the `after` files after an intended change: `IBLINT_BLESS=1 cargo test --test fix`,
//! then review `git diff testdata/fix/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn iblint(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint")).current_dir(dir).args(args).output().expect("run iblint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

/// Unsuppressed findings as `rule path: message`, counted (a multiset).
fn findings(dir: &Path, scope: &str) -> BTreeMap<String, usize> {
    let out = iblint(dir, &["check", scope, "--scope", scope, "--format", "json", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut all = BTreeMap::new();
    for f in v["findings"].as_array().expect("findings").iter().filter(|f| f["suppressed"].is_null()) {
        let key = format!("{} {}: {}", f["rule"].as_str().unwrap_or(""), f["location"]["path"], f["message"]);
        *all.entry(key).or_insert(0) += 1;
    }
    all
}

/// Every file under `dir`, by relative path, as bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in files(from) {
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(target, bytes).expect("write");
    }
}

/// A case: its `before` (file or directory), its `after`, and the name of the copy to fix.
struct Case {
    id: String,
    before: PathBuf,
    after: PathBuf,
    /// `<case>.yaml` for a file case (the copy's name), `None` for a directory case.
    file_name: Option<String>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let root = repo().join("testdata/fix");
    let mut ids: Vec<PathBuf> =
        std::fs::read_dir(&root).expect("testdata/fix").filter_map(|e| e.ok().map(|e| e.path())).collect();
    ids.sort();
    for dir in ids {
        let id = dir.file_name().and_then(|n| n.to_str()).expect("id").to_string();
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(&dir).expect("rule dir").filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for before in entries {
            let name = before.file_name().and_then(|n| n.to_str()).expect("name").to_string();
            let Some((case, ext)) = name.split_once(".before") else { continue };
            let after = dir.join(format!("{case}.after{ext}"));
            let file_name = before.is_file().then(|| format!("{case}{ext}"));
            out.push(Case { id: id.clone(), before, after, file_name });
        }
    }
    out
}

/// Copies a case's `before` into `work` (a file case as `<case>.<ext>`).
fn lay_out(case: &Case, work: &Path) {
    match &case.file_name {
        Some(name) => {
            std::fs::copy(&case.before, work.join(name)).expect("copy");
        }
        None => copy_tree(&case.before, work),
    }
}

/// The fixed copy against the case's `after` (or written there with IBLINT_BLESS=1).
fn compare(case: &Case, work: &Path) -> Option<String> {
    let bless = std::env::var_os("IBLINT_BLESS").is_some();
    match &case.file_name {
        Some(name) => {
            let got = std::fs::read(work.join(name)).expect("fixed file");
            if bless {
                std::fs::write(&case.after, &got).expect("bless");
                return None;
            }
            let want = std::fs::read(&case.after).unwrap_or_default();
            (got != want).then(|| {
                format!(
                    "{}: differs from {}:\n{}",
                    case.before.display(),
                    case.after.display(),
                    String::from_utf8_lossy(&got)
                )
            })
        }
        None => {
            let got = files(work);
            if bless {
                let _ = std::fs::remove_dir_all(&case.after);
                copy_tree(work, &case.after);
                return None;
            }
            let want = files(&case.after);
            (got != want).then(|| format!("{}: differs from {}", case.before.display(), case.after.display()))
        }
    }
}

#[test]
fn every_fixture_pair_is_fixed_byte_for_byte_and_relints_clean() {
    let mut problems = Vec::new();
    let all = cases();
    assert!(all.len() >= 15, "fixture pairs are missing");
    for case in &all {
        let tmp = tempfile::tempdir().expect("tempdir");
        let work = tmp.path();
        lay_out(case, work);
        let before = findings(work, ".");
        assert!(
            before.keys().any(|k| k.starts_with(&format!("{} ", case.id))),
            "{}: the before file has no {} finding: {before:#?}",
            case.before.display(),
            case.id
        );
        let out = iblint(work, &["fix", ".", "--unsafe", "--rule", &case.id, "--fail-on", "never"]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", case.before.display());
        assert!(stderr.contains("fixed "), "{}: {stderr}", case.before.display());
        problems.extend(compare(case, work));
        let after = findings(work, ".");
        for (key, n) in &after {
            if key.starts_with(&format!("{} ", case.id)) {
                problems.push(format!("{}: still reported after the fix: {key}", case.before.display()));
            } else if before.get(key).copied().unwrap_or(0) < *n {
                problems.push(format!("{}: new after the fix: {key}", case.before.display()));
            }
        }
        let again = iblint(work, &["fix", ".", "--unsafe", "--diff", "--fail-on", "never"]);
        if !again.stdout.is_empty() {
            problems.push(format!(
                "{}: a second run still changes:\n{}",
                case.before.display(),
                String::from_utf8_lossy(&again.stdout)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Every rule that plans a fix has fixture pairs (a fix nobody has seen applied is not a fix).
#[test]
fn every_fixable_rule_has_fixture_pairs() {
    let with_pairs: Vec<String> = cases().into_iter().map(|c| c.id).collect();
    // The rules whose findings in the rule fixtures carry a SARIF fix, and those known to.
    let mut fixable: std::collections::BTreeSet<String> =
        ["IB002", "IB101", "IB102", "IB103", "IB104", "IB114", "IB202", "IB203", "IB301", "IB302"]
            .map(String::from)
            .into();
    let out = iblint(&repo(), &["check", "testdata", "--scope", "testdata", "--format", "sarif", "--fail-on", "never"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    for r in sarif["runs"][0]["results"].as_array().expect("results") {
        if r["fixes"].as_array().is_some_and(|f| !f.is_empty()) {
            fixable.insert(r["ruleId"].as_str().unwrap_or("").to_string());
        }
    }
    for id in fixable {
        assert!(with_pairs.contains(&id), "testdata/fix/{id}/ has no before/after pair");
    }
}

// ─── The command line ─────────────────────────────────────────────────────────────────────────

fn case_dir(rel: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("testdata/fix").join(rel), tmp.path());
    tmp
}

fn case_file(rel: &str, name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(repo().join("testdata/fix").join(rel), tmp.path().join(name)).expect("copy");
    tmp
}

#[test]
fn diff_and_dry_run_change_nothing_and_tell_what_would_change() {
    let tmp = case_file("IB102/label-on-deployment-metadata.before.yaml", "app.yaml");
    let before = std::fs::read(tmp.path().join("app.yaml")).expect("read");
    let diff = iblint(tmp.path(), &["fix", "--diff"]);
    assert_eq!(diff.status.code(), Some(1), "changes pending");
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.starts_with("--- a/app.yaml\n+++ b/app.yaml\n@@ "), "{text}");
    assert!(
        text.contains("\n-  labels:\n-    azure.workload.identity/use: \"true\"   # the webhook never sees this\n"),
        "{text}"
    );
    assert!(text.contains("\n+        azure.workload.identity/use: \"true\"\n"), "{text}");
    let dry = iblint(tmp.path(), &["fix", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(1));
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(text.contains("would fix app.yaml:7:5: IB102 Put `azure.workload.identity/use` on the pod template labels of Deployment team-a/api"), "{text}");
    assert!(text.ends_with("\nwould fix 1 finding in 1 file; 0 remain\n"), "{text}");
    assert_eq!(std::fs::read(tmp.path().join("app.yaml")).expect("read"), before, "nothing written");
}

#[test]
fn fix_writes_reports_and_exits_by_what_remains() {
    let tmp = case_file("IB301/no-grant.before.yaml", "app.yaml");
    // The default applies safe fixes only: the grant stays a finding.
    let out = iblint(tmp.path(), &["fix", "--no-color"]);
    assert_eq!(out.status.code(), Some(1), "IB301 remains");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.ends_with("fixed 0 findings in 0 files; 1 remains\n"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("IB301"), "the remaining finding is shown");
    // --unsafe adds it.
    let out = iblint(tmp.path(), &["fix", "--unsafe"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("fixed app.yaml:29:40: IB301 Grant ServiceAccount team-a/api the use of managed identity"),
        "{stderr}"
    );
    assert!(stderr.contains("(unsafe)"), "{stderr}");
    assert!(stderr.ends_with("fixed 1 finding in 1 file; 0 remain\n"), "{stderr}");
}

#[test]
fn grants_go_to_the_grants_file_when_asked() {
    let tmp = case_dir("IB301/two-accounts-one-identity.before");
    let a = std::fs::read(tmp.path().join("a.yaml")).expect("read");
    let out = iblint(tmp.path(), &["fix", "--unsafe", "--grants-file", "rbac/identity-grants.yaml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.ends_with("fixed 2 findings in 1 file; 0 remain\n"), "{stderr}");
    assert_eq!(std::fs::read(tmp.path().join("a.yaml")).expect("read"), a, "the manifests are untouched");
    let grants = std::fs::read_to_string(tmp.path().join("rbac/identity-grants.yaml")).expect("grants file");
    assert!(grants.starts_with("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"), "{grants}");
    assert!(grants.contains(
        "    name: api\n    namespace: team-a\n  - kind: ServiceAccount\n    name: api\n    namespace: team-b\n"
    ));
}

#[test]
fn rule_filter_and_unknown_rules() {
    let tmp = case_file("IB104/capitalised-and-typo.before.yaml", "app.yaml");
    let out = iblint(tmp.path(), &["fix", "--rule", "IB002", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).ends_with("fixed 0 findings in 0 files; 2 remain\n"));
    let out = iblint(tmp.path(), &["fix", "--rule", "IB999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `IB999`"));
    let out = iblint(tmp.path(), &["fix", "--rule", "use-label-not-tru", "--diff"]);
    assert_eq!(out.status.code(), Some(2), "a misspelt rule name is an error, not an empty filter");
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `use-label-not-true`?"));
    let out = iblint(tmp.path(), &["fix", "--rule", "use-label-not-true", "--fail-on", "never"]);
    assert_eq!(out.status.code(), Some(0), "rules are named by id or by name");
    assert!(String::from_utf8_lossy(&out.stderr).ends_with("fixed 2 findings in 1 file; 0 remain\n"));
    let out = iblint(tmp.path(), &["fix", "-"]);
    assert_eq!(out.status.code(), Some(2), "standard input cannot be fixed");
}

#[cfg(unix)]
#[test]
fn fixed_files_keep_their_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = case_file("IB002/multi-document.before.yaml", "app.yaml");
    let path = tmp.path().join("app.yaml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = iblint(tmp.path(), &["fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

// ─── The realworld corpus ─────────────────────────────────────────────────────────────────────

fn realworld() -> PathBuf {
    std::env::var_os("IBLINT_REALWORLD").map(PathBuf::from).unwrap_or_else(|| repo().join("../shared/realworld"))
}

/// Fixing a copy of every repository of the corpus: every file still parses and no finding is
/// added.
#[test]
fn fixing_the_realworld_corpus_adds_no_finding() {
    let corpus = realworld();
    if !corpus.is_dir() {
        // Asked for (CI sets it), the corpus must be there; otherwise a fresh clone skips.
        assert!(
            std::env::var_os("IBLINT_REALWORLD").is_none(),
            "IBLINT_REALWORLD={} is no directory",
            corpus.display()
        );
        println!("skipped: no realworld corpus at {} (set IBLINT_REALWORLD)", corpus.display());
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_tree(&corpus, tmp.path());
    let mut repositories: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("corpus")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    repositories.sort();
    let mut problems = Vec::new();
    let mut fixed = 0;
    for repository in &repositories {
        let before = findings(tmp.path(), repository);
        let out = iblint(tmp.path(), &["fix", repository, "--scope", repository, "--fail-on", "never"]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(0), "{repository}: {stderr}");
        fixed += stderr.lines().filter(|l| l.starts_with("fixed ") && l.contains(": IB")).count();
        for (key, n) in findings(tmp.path(), repository) {
            if key.starts_with("IB001 ") || before.get(&key).copied().unwrap_or(0) < n {
                problems.push(format!("{repository}: {key}"));
            }
        }
    }
    println!("realworld: {fixed} fixes applied in {} repositories", repositories.len());
    assert!(problems.is_empty(), "new after fixing:\n{}", problems.join("\n"));
}
