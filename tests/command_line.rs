//! What a daily user of the command line relies on beyond linting: the version and the features
//! built in, shell completions and the manual page, rules named by id or by name everywhere (with
//! what was typed echoed back when it names no rule), commands that refuse options they would
//! ignore, paths holding nothing to lint (exit 2 unless `--allow-empty`), and notes only about
//! the paths given.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/common.rs"]
mod common;
#[path = "support/tools.rs"]
mod tools;
use common::{stderr, stdout, tree};

fn iblint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(dir)
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .expect("run iblint")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A Deployment that asks for workload identity without the pod label (IB101) and names a
/// ServiceAccount that is not there (IB204).
const UNLABELLED: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    \
                          metadata:\n      annotations:\n        azure.workload.identity/use-identity-binding: \"true\"\n    \
                          spec:\n      serviceAccountName: api\n      containers: [{name: api, image: api}]\n";

fn rules_found(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", ".", "--format", "compact", "--fail-on", "never"];
    all.extend_from_slice(args);
    let o = iblint(dir, &all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o).lines().filter_map(|l| l.split(' ').nth(2)).map(str::to_string).collect()
}

#[test]
fn version_and_features() {
    let features = if cfg!(feature = "live") { "(features: live)" } else { "(features: none" };
    for args in [&["--version"][..], &["version"][..]] {
        let o = iblint(&root(), args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let line = stdout(&o);
        assert!(line.starts_with(&format!("iblint {} ", env!("CARGO_PKG_VERSION"))), "{line}");
        assert!(line.contains(features), "{line}");
    }
}

#[test]
fn completions_for_every_shell_and_a_manual_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = iblint(&root(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for word in ["iblint", "check", "explain", "fail-on"] {
            assert!(script.contains(word), "{shell}: no `{word}` in the completions");
        }
        // Shells that complete values offer every format.
        if matches!(shell, "bash" | "zsh" | "fish") {
            assert!(script.contains("compact") && script.contains("junit"), "{shell}: formats not completed");
        }
    }
    // The bash script is valid bash.
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("iblint.bash");
    std::fs::write(&script, iblint(&root(), &["completions", "bash"]).stdout).expect("write");
    let bash = Command::new("bash").arg("-n").arg(&script).output().expect("bash");
    assert!(bash.status.success(), "{}", String::from_utf8_lossy(&bash.stderr));
    assert_eq!(iblint(&root(), &["completions", "tcsh"]).status.code(), Some(2));

    let o = iblint(&root(), &["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH iblint 1"), "{page}");
    for word in ["check", "audit", "explain", "completions", "\\-\\-fail\\-on"] {
        assert!(page.contains(word), "no `{word}` in the manual page");
    }
    // groff reads it without a warning, where groff is installed.
    let groff = Command::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).stdin(std::process::Stdio::piped()).spawn();
    if let Ok(mut child) = groff {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(page.as_bytes()).expect("write");
        let out = child.wait_with_output().expect("groff");
        assert!(out.status.success() && out.stderr.is_empty(), "groff: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The completion scripts loaded by the shells themselves: bash completes subcommands and
/// formats through the loaded function (called as bash calls it: command, word, previous word), zsh and fish accept the scripts' syntax (CI installs both).
#[test]
fn completions_load_in_real_shells() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = |shell: &str, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, iblint(&root(), &["completions", shell]).stdout).expect("write");
        path
    };
    let bash = script("bash", "iblint.bash");
    let complete = |words: &str, cword: u32| {
        let program = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             _iblint iblint \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            bash.display()
        );
        let o = Command::new("bash").args(["-c", &program]).output().expect("bash");
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let subcommands = complete("iblint ch", 1);
    assert!(subcommands.lines().any(|l| l == "check"), "{subcommands}");
    let formats = complete("iblint check --format j", 3);
    assert_eq!(formats.lines().collect::<Vec<_>>(), ["json", "junit"], "{formats}");

    if tools::require("zsh", &["--version"], "completions_load_in_real_shells (zsh)", "apt-get install zsh") {
        let zsh = script("zsh", "_iblint");
        let o = Command::new("zsh").arg("-n").arg(&zsh).output().expect("zsh");
        assert!(o.status.success(), "zsh: {}", stderr(&o));
    }
    if tools::require("fish", &["--version"], "completions_load_in_real_shells (fish)", "apt-get install fish") {
        let fish = script("fish", "iblint.fish");
        let o = Command::new("fish").arg("--no-execute").arg(&fish).output().expect("fish");
        assert!(o.status.success(), "fish: {}", stderr(&o));
    }
}

#[test]
fn rules_are_named_by_id_or_by_name_everywhere() {
    let t = tree(&[("app.yaml", UNLABELLED)]);
    assert_eq!(rules_found(t.path(), &[]), ["IB101", "IB204"]);
    for disable in ["IB101", "ib101", "missing-use-label", "Missing-Use-Label"] {
        assert_eq!(rules_found(t.path(), &["--disable", disable]), ["IB204"], "--disable {disable}");
    }
    assert_eq!(rules_found(t.path(), &["--disable", "missing-use-label,service-account-not-found"]), [] as [&str; 0]);

    // The config file: rule settings and suppressions by name.
    std::fs::write(t.path().join(".iblint.yaml"), "rules:\n  service-account-not-found: off\n").expect("write");
    assert_eq!(rules_found(t.path(), &[]), ["IB101"]);
    assert_eq!(rules_found(t.path(), &["--enable", "service-account-not-found"]), ["IB101", "IB204"]);
    std::fs::write(
        t.path().join(".iblint.yaml"),
        "suppressions:\n  - rules: [missing-use-label]\n    paths: [app.yaml]\n    reason: migrating\n",
    )
    .expect("write");
    assert_eq!(rules_found(t.path(), &[]), ["IB204"]);
    std::fs::remove_file(t.path().join(".iblint.yaml")).expect("rm");

    // The annotation.
    let annotated = UNLABELLED.replace(
        "metadata:\n  name: api\n",
        "metadata:\n  name: api\n  annotations:\n    iblint.io/ignore: \"missing-use-label -- pods come from a chart\"\n",
    );
    std::fs::write(t.path().join("app.yaml"), annotated).expect("write");
    assert_eq!(rules_found(t.path(), &[]), ["IB204"]);

    // `explain` by name.
    let o = iblint(&root(), &["explain", "grant-id-mismatch"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("IB302 grant-id-mismatch"), "{}", stdout(&o));
}

#[test]
fn an_unknown_rule_name_echoes_what_was_typed() {
    let t = tree(&[("app.yaml", UNLABELLED)]);
    let cases: [(&[&str], &str); 4] = [
        (
            &["check", ".", "--disable", "Missing-Use-Lable"],
            "unknown rule `Missing-Use-Lable`; did you mean `missing-use-label`?",
        ),
        (&["check", ".", "--enable", "IB999"], "unknown rule `IB999`"),
        (&["explain", "no-such-rule"], "unknown rule `no-such-rule` (see `iblint rules`)"),
        (&["explain", "ib30"], "unknown rule `ib30`"),
    ];
    for (args, message) in cases {
        let o = iblint(t.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
    std::fs::write(t.path().join(".iblint.yaml"), "rules:\n  missing-use-labels: off\n").expect("write");
    let o = iblint(t.path(), &["check", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".iblint.yaml:2:3: unknown rule `missing-use-labels`"), "{}", stderr(&o));
}

#[test]
fn commands_that_lint_nothing_refuse_the_options_they_would_ignore() {
    let cases: [&[&str]; 6] = [
        &["rules", "--format", "json"],
        &["rules", "--disable", "IB101"],
        &["explain", "IB101", "--output", "x.txt"],
        &["explain", "IB101", "--fail-on", "warning"],
        &["version", "--threads", "2"],
        &["completions", "bash", "--config", "x.yaml"],
    ];
    for args in cases {
        let o = iblint(&root(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        let flag = args.iter().find(|a| a.starts_with("--")).expect("flag");
        assert!(stderr(&o).contains(&format!("takes no {flag}")), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    assert!(!root().join("x.txt").exists());
}

#[test]
fn paths_with_nothing_to_lint_are_exit_2_unless_allowed() {
    let t = tree(&[
        ("docs/README.md", "# nothing for iblint\n"),
        ("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        ("chart/templates/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n"),
        ("apps/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n"),
    ]);
    let o = iblint(t.path(), &["check", "docs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error: no files to lint under docs"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    // A chart's files are read, and skipped with a note saying what to do instead: not silent.
    let o = iblint(t.path(), &["check", "chart"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("note: chart: Helm chart sources are templates"), "{}", stdout(&o));
    let empty = t.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let o = iblint(t.path(), &["check", "docs", "empty"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no files to lint under docs, empty"), "{}", stderr(&o));
    let o = iblint(t.path(), &["check", "docs", "empty", "--allow-empty"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).ends_with("0 errors, 0 warnings, 0 notes in 0 files\n"), "{}", stdout(&o));
    assert_eq!(iblint(t.path(), &["check", "docs", "apps"]).status.code(), Some(0));
    // Standard input is something to lint, even when empty.
    let stdin = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .current_dir(t.path())
        .args(["check", "-"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(stdin.status.code(), Some(0), "{}{}", stdout(&stdin), stderr(&stdin));
}

#[test]
fn notes_are_only_about_files_under_the_given_paths() {
    // From inside a directory of the repository, `.` is that directory: the skipped chart and the
    // Go templates elsewhere in the repository (the scope) are not mentioned.
    let dir = root().join("testdata/realworld-shapes/pod-identity");
    let o = iblint(&dir, &["check", ".", "--format", "json", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let notes: Vec<&str> = v["notes"].as_array().expect("notes").iter().filter_map(|n| n["path"].as_str()).collect();
    assert_eq!(notes, ["test/load/deployment-template.yml"]);
    let o = iblint(&dir, &["check", "demo", "--fail-on", "never"]);
    assert!(!stdout(&o).contains("note:"), "{}", stdout(&o));
}
