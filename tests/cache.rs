//! The incremental cache: a run that takes files' results from the cache reports exactly what a
//! run without it reports — after edits, renames, deletions, a touched file, a change of config
//! or of binary, a damaged cache file and two runs at once — and reads again only what changed.
//!
//! The repository is a git work tree holding every fixture of `testdata/` (manifests, kustomize
//! trees, Terraform, Bicep, ARM, scripts, workflows), so every evaluator's results are cached.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

#[path = "support/common.rs"]
mod common;
use common::copy_tree;

const BIN: &str = env!("CARGO_BIN_EXE_iblint");

/// A git work tree holding a copy of `testdata/`.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"), dir.path());
    common::git_ok(dir.path(), &["init", "-q"]);
    // As after a checkout made a while ago: times this recent are not trusted (racy), and their
    // files are compared by content, and their entries rewritten, until they age.
    age(dir.path());
    dir
}

fn age(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            age(&entry.path());
        } else {
            set_mtime(&entry.path(), SystemTime::now() - Duration::from_secs(3600));
        }
    }
}

/// `iblint check` in `dir` with timings on (they say what the cache did).
fn run_with(bin: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args(["check", "--format", "json", "--fail-on", "never"])
        .args(args)
        .current_dir(dir)
        .env("IBLINT_TIMINGS", "1")
        .env("XDG_CACHE_HOME", dir.join(".user-cache"))
        .output()
        .unwrap()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_with(Path::new(BIN), dir, args)
}

/// What the cache did: (reused, computed, dropped, written).
fn cache_line(out: &Output) -> (usize, usize, usize, bool) {
    let err = common::stderr(out);
    let line = err.lines().find_map(|l| l.strip_prefix("iblint timings: cache: ")).unwrap_or_else(|| {
        panic!("no cache line in:\n{err}");
    });
    let n: Vec<usize> = line.split(", ").take(3).map(|p| p.split(' ').next().unwrap().parse().unwrap()).collect();
    (n[0], n[1], n[2], line.ends_with(", written"))
}

/// Checks `args` with the cache, and without it: the reports must be byte-identical. Returns
/// what the cache did.
fn same_as_without_cache(dir: &Path, args: &[&str]) -> (usize, usize, usize, bool) {
    let cached = run(dir, args);
    let mut plain_args = args.to_vec();
    plain_args.push("--no-cache");
    let plain = run(dir, &plain_args);
    assert!(plain.status.success(), "{}", common::stderr(&plain));
    assert_eq!(common::stdout(&cached), common::stdout(&plain), "the cache changed the report of {args:?}");
    assert!(!common::stderr(&plain).contains("timings: cache"), "--no-cache used the cache");
    cache_line(&cached)
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("check-"))
        .collect()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn warm_runs_report_what_cold_runs_report_through_edits_renames_and_deletions() {
    let repo = repository();
    let dir = repo.path();

    let (reused, computed, _, written) = same_as_without_cache(dir, &["."]);
    assert_eq!(reused, 0);
    assert!(computed > 300 && written, "the first run fills the cache: {computed} results");
    let files = cache_files(&dir.join(".git/iblint"));
    assert_eq!(files.len(), 1, "one cache file in the git directory");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the cache holds values that look secret: owner only ({mode:o})");
    }

    let (reused, computed, dropped, written) = same_as_without_cache(dir, &["."]);
    assert_eq!((computed, dropped, written), (0, 0, false), "nothing changed: nothing read again");
    assert!(reused > 300);

    // A manifest loaded on its own: only it is read again.
    edit(&dir.join("IB101/pass.labelled.yaml"), "azure.workload.identity/use", "azure.workload.identity/uses");
    let (_, computed, dropped, written) = same_as_without_cache(dir, &["."]);
    assert_eq!((computed, dropped, written), (1, 1, true));

    // A kustomize base, a Terraform variables file, a Bicep parameter file, a script.
    edit(&dir.join("IB301/pass.kustomize-namespace-moves-account/base/serviceaccount.yaml"), "name: api", "name: api2");
    edit(&dir.join("IB401/fail.tf-tfvars/terraform.tfvars"), "aks-identity-binding", "aks-identity-binding2");
    same_as_without_cache(dir, &["."]);
    edit(&dir.join("IB401/fail.tf-tfvars/terraform.tfvars"), "aks-identity-binding2", "aks-identity-binding");
    let (_, computed, _, _) = same_as_without_cache(dir, &["."]);
    assert!(computed >= 1, "the Terraform module is evaluated again");

    // A file renamed, one deleted, one added: the evaluators' scope changed.
    std::fs::rename(dir.join("IB102/fail.annotation-instead-of-label.yaml"), dir.join("IB102/renamed.yaml")).unwrap();
    std::fs::remove_file(dir.join("IB103/fail.client-id-on-pod-template.yaml")).unwrap();
    std::fs::write(dir.join("IB104/new.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n").unwrap();
    let (_, _, dropped, written) = same_as_without_cache(dir, &["."]);
    assert!(dropped >= 2 && written, "the renamed and deleted files' entries are dropped");

    // Every time moved (as by a checkout that rewrote the files): the contents decide.
    age(dir);
    let (_, computed, _, written) = same_as_without_cache(dir, &["."]);
    assert_eq!((computed, written), (0, true), "same contents: reused, with their new times stored");

    // Touched, not changed: the content decides, and the new time is kept.
    let touched = dir.join("IB105/fail.enabled.yaml");
    let text = std::fs::read(&touched).unwrap();
    std::fs::write(&touched, text).unwrap();
    set_mtime(&touched, SystemTime::now() - Duration::from_secs(3600));
    let (_, computed, _, written) = same_as_without_cache(dir, &["."]);
    assert_eq!((computed, written), (0, true), "same content: reused, with its new time stored");
    let (_, computed, _, written) = same_as_without_cache(dir, &["."]);
    assert_eq!((computed, written), (0, false));

    // The pre-commit shape: a few files given, the rest of the work tree read for context.
    let staged = [
        "IB301/pass.kustomize-namespace-moves-account/base/serviceaccount.yaml",
        "IB101/pass.labelled.yaml",
        "IB401/fail.terraform.tf",
    ];
    let (reused, computed, _, _) = same_as_without_cache(dir, &staged);
    assert!(reused > 300 && computed == 0, "the given files' results come from the cache too");
    for threads in ["1", "8"] {
        let out = Command::new(BIN)
            .args(["--threads", threads, "check", ".", "--format", "sarif", "--fail-on", "never", "--no-color"])
            .current_dir(dir)
            .output()
            .unwrap();
        let plain = Command::new(BIN)
            .args(["--threads", "2", "check", ".", "--format", "sarif", "--fail-on", "never", "--no-cache"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert_eq!(out.stdout, plain.stdout, "SARIF with the cache and {threads} threads");
    }
}

fn set_mtime(path: &Path, when: SystemTime) {
    std::fs::File::options().write(true).open(path).unwrap().set_modified(when).unwrap();
}

/// A file changed twice within one tick of the clock keeps its size and time: its result was
/// computed too recently for the time to be trusted, so its content is compared.
#[test]
fn a_change_that_keeps_size_and_time_is_seen_while_the_time_is_recent() {
    let repo = repository();
    let dir = repo.path();
    let file = dir.join("IB101/pass.labelled.yaml");
    let recent = SystemTime::now();
    set_mtime(&file, recent);
    same_as_without_cache(dir, &["."]);
    edit(&file, "azure.workload.identity/use", "azure.workload.identity/usx");
    set_mtime(&file, recent);
    let (_, computed, _, _) = same_as_without_cache(dir, &["."]);
    assert_eq!(computed, 1, "the edit was seen");
}

#[test]
fn a_config_change_or_another_build_starts_afresh() {
    let repo = repository();
    let dir = repo.path();
    same_as_without_cache(dir, &["."]);
    std::fs::write(dir.join(".iblint.yaml"), "namespace: elsewhere\n").unwrap();
    let (reused, ..) = same_as_without_cache(dir, &["."]);
    assert_eq!(reused, 0, "the config changed");
    let (reused, computed, ..) = same_as_without_cache(dir, &["."]);
    assert_eq!(computed, 0, "the new config's results are kept");
    assert!(reused > 300);

    // Another build of iblint (here: another copy of the binary, with its own time).
    let other = tempfile::tempdir().unwrap();
    let copy = other.path().join("iblint");
    std::fs::copy(BIN, &copy).unwrap();
    set_mtime(&copy, SystemTime::now() - Duration::from_secs(60));
    let (reused, ..) = cache_line(&run_with(&copy, dir, &["."]));
    assert_eq!(reused, 0, "another build does not read this build's results");
    assert_eq!(common::stdout(&run_with(&copy, dir, &["."])), common::stdout(&run(dir, &[".", "--no-cache"])));
}

#[test]
fn a_damaged_cache_file_is_ignored_and_rebuilt() {
    let repo = repository();
    let dir = repo.path();
    same_as_without_cache(dir, &["."]);
    let file = cache_files(&dir.join(".git/iblint")).pop().unwrap();
    let good = std::fs::read(&file).unwrap();
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 2].to_vec()),
        // The results come first, then the index, then its length and check sum.
        ("a result changed", {
            let mut b = good.clone();
            b[60] ^= 0x55;
            b
        }),
        ("the index changed", {
            let mut b = good.clone();
            let i = b.len() - 100;
            b[i] ^= 0x55;
            b
        }),
        ("the index's length changed", {
            let mut b = good.clone();
            let i = b.len() - 12;
            b[i] ^= 0x55;
            b
        }),
        ("empty", Vec::new()),
        ("not a cache", b"apiVersion: v1\n".to_vec()),
    ];
    for (what, bytes) in damages {
        std::fs::write(&file, &bytes).unwrap();
        let (_, computed, _, written) = same_as_without_cache(dir, &["."]);
        assert!(computed >= 1 && written, "{what}: results computed again and the file rewritten");
        let (_, computed, _, _) = same_as_without_cache(dir, &["."]);
        assert_eq!(computed, 0, "{what}: the rewritten file is used");
    }
}

/// The peak resident memory of a run, in MB, from its timings (the process's own high-water mark).
fn peak_mb(out: &Output) -> f64 {
    let err = common::stderr(out);
    let last = err.lines().filter_map(|l| l.rsplit_once(", peak ")).next_back().unwrap_or_else(|| panic!("{err}"));
    last.1.trim_end_matches(" MB)").parse().unwrap()
}

/// A run holds neither the results it reads from the cache nor those it writes to it: its peak is
/// that of a run without the cache, give or take the index. (Both used to hold the whole file:
/// 66 MB more at 30,000 applications, over the memory allowed.)
#[test]
fn the_cache_file_is_never_held_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    for f in 0..800 {
        let accounts: String = (0..40)
            .map(|i| {
                format!(
                    "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{f}-{i}\n  namespace: team-{f}\n  \
                     labels: {{app: app-{i}, team: team-{f}, tier: backend, owner: platform-{i}}}\n  annotations:\n    \
                     azure.workload.identity/client-id: 00000000-0000-0000-0000-{f:06}{i:06}\n    \
                     azure.workload.identity/tenant-id: 11111111-1111-1111-1111-111111111111\n    \
                     description: {}\n",
                    "the account of one application of one team, described at some length; ".repeat(4)
                )
            })
            .collect();
        std::fs::write(dir.path().join(format!("accounts-{f:03}.yaml")), accounts).unwrap();
    }
    common::git_ok(dir.path(), &["init", "-q"]);
    age(dir.path());
    let peak = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(["check", ".", "--format", "json", "--fail-on", "never"])
            .args(args)
            .current_dir(dir.path())
            .env("IBLINT_TIMINGS", "1")
            // Freed memory goes back at once: the peak counts what the run holds.
            .env("MIMALLOC_PURGE_DELAY", "0")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", common::stderr(&out));
        peak_mb(&out)
    };
    let without = peak(&["--no-cache"]);
    let filling = peak(&[]);
    let file = cache_files(&dir.path().join(".git/iblint")).pop().unwrap();
    let cache_mb = (std::fs::metadata(&file).unwrap().len() >> 20) as f64;
    let reading = peak(&[]);
    eprintln!(
        "peak without the cache {without} MB, filling it {filling} MB, reading it {reading} MB; file {cache_mb} MB"
    );
    assert!(cache_mb >= 12.0, "a cache file large enough to show: {cache_mb} MB");
    // Holding the file cost a run filling the cache 1.1 times its size, one reading it 1.5 times
    // (the bytes, and the model decoded from them, which takes a little more than the model a run
    // without the cache loads: here 0.4 times the file's size).
    assert!(filling <= without + cache_mb / 4.0, "filling the cache: {filling} MB against {without} MB");
    assert!(reading <= without + cache_mb * 0.6, "reading the cache: {reading} MB against {without} MB");
}

#[test]
fn two_runs_at_once_both_report_correctly_and_leave_a_usable_cache() {
    let repo = repository();
    let dir = repo.path();
    let expected = common::stdout(&run(dir, &[".", "--no-cache"]));
    for round in 0..3 {
        if round > 0 {
            edit(&dir.join("IB101/pass.labelled.yaml"), "kind: ", "kind:  ");
        }
        let spawn = || {
            Command::new(BIN)
                .args(["check", ".", "--format", "json", "--fail-on", "never"])
                .current_dir(dir)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let expected = if round == 0 { expected.clone() } else { common::stdout(&run(dir, &[".", "--no-cache"])) };
        assert_eq!(common::stdout(&a), expected, "round {round}, first run");
        assert_eq!(common::stdout(&b), expected, "round {round}, second run");
        let (_, computed, _, _) = same_as_without_cache(dir, &["."]);
        assert_eq!(computed, 0, "round {round}: the file either run left is complete");
    }
}

#[test]
fn outside_git_the_user_cache_directory_holds_it_and_no_cache_writes_nothing() {
    let dir = common::tree(&[("sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n")]);
    let user = dir.path().join(".user-cache/iblint");
    run(dir.path(), &[".", "--no-cache"]);
    assert!(cache_files(&user).is_empty(), "--no-cache writes nothing");
    let (_, computed, _, written) = same_as_without_cache(dir.path(), &["."]);
    assert!(computed == 1 && written);
    assert_eq!(cache_files(&user).len(), 1, "in $XDG_CACHE_HOME/iblint");
    assert!(!dir.path().join(".git").exists());
}
