//! The command line as users and CI see it: exit codes, formats, stdin, scope, config errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/common.rs"]
mod common;
use common::{git_ok, stderr, stdout, tree};

fn iblint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_iblint"));
    c.env_remove("NO_COLOR").env("COLUMNS", "100");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    iblint().current_dir(dir).args(args).output().expect("run iblint")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

const BROKEN_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    azure.workload.identity/use-identity-binding: \"true\"\nspec:\n  serviceAccountName: p\n  containers:\n    - name: c\n      image: x\n";
const CLEAN_SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: p\n";

#[test]
fn exit_0_when_clean_1_on_findings_2_on_errors() {
    let t = tree(&[("ok.yaml", CLEAN_SA), ("bad.yaml", BROKEN_POD)]);
    assert_eq!(code(&run_in(t.path(), &["check", "ok.yaml"])), 0);
    let bad = run_in(t.path(), &["check", "bad.yaml", "--no-color"]);
    assert_eq!(code(&bad), 1, "{}", stdout(&bad));
    assert!(stdout(&bad).contains("IB101"));
    let missing = run_in(t.path(), &["check", "nope.yaml"]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("nope.yaml"), "{}", stderr(&missing));
    assert_eq!(code(&run_in(t.path(), &["check", "--format", "xml", "."])), 2);
    assert_eq!(code(&run_in(t.path(), &["check", "--disable", "IB999", "."])), 2);
    assert_eq!(code(&run_in(t.path(), &["explain", "IB999"])), 2);
}

#[test]
fn a_broken_file_is_a_finding_not_an_error() {
    let t = tree(&[("broken.yaml", "a: [\n"), ("ok.yaml", CLEAN_SA)]);
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["findings"][0]["rule"], "IB001");
    assert_eq!(v["findings"][0]["location"]["path"], "broken.yaml");
}

#[test]
fn fail_on_controls_the_threshold() {
    let t = tree(&[("bad.yaml", BROKEN_POD)]);
    assert_eq!(code(&run_in(t.path(), &["check", ".", "--fail-on", "never"])), 0);
    assert_eq!(code(&run_in(t.path(), &["check", ".", "--fail-on", "note"])), 1);
    assert_eq!(code(&run_in(t.path(), &["check", ".", "--disable", "IB101"])), 0);
}

#[test]
fn reads_standard_input() {
    let mut child = iblint()
        .args(["check", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(BROKEN_POD.as_bytes()).expect("write stdin");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let f = v["findings"].as_array().expect("findings").iter().find(|f| f["rule"] == "IB101").expect("IB101");
    assert_eq!(f["location"]["path"], "<stdin>");
    assert_eq!(f["location"]["line"], 3);
}

#[test]
fn scope_resolves_references_but_reports_only_the_given_paths() {
    // The pod's file is given; the ServiceAccount it names lives elsewhere in the scope.
    let t = tree(&[
        ("apps/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    azure.workload.identity/use: \"true\"\nspec:\n  serviceAccountName: p\n  containers:\n    - name: c\n      image: x\n"),
        ("sa/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: p\n  labels:\n    bad: yes\n"),
    ]);
    let o = run_in(t.path(), &["check", "apps/pod.yaml", "--scope", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    assert!(findings.iter().all(|f| f["location"]["path"] == "apps/pod.yaml"), "{findings:?}");
    assert!(findings.iter().all(|f| f["rule"] != "IB204"), "ServiceAccount in scope must be found: {findings:?}");
    assert_eq!(v["summary"]["files"], 1);
}

#[test]
fn several_formats_in_one_run() {
    let t = tree(&[("bad.yaml", BROKEN_POD)]);
    let o = run_in(
        t.path(),
        &[
            "check",
            "bad.yaml",
            "--format",
            "sarif",
            "--output",
            "out.sarif",
            "--format",
            "json",
            "--output",
            "out.json",
            "--format",
            "github",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("::error file=bad.yaml,line="), "{}", stdout(&o));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("out.sarif")).expect("sarif")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("out.json")).expect("json file")).expect("json");
    assert_eq!(json["version"], 1);
    // Two formats to standard output is a usage error.
    assert_eq!(code(&run_in(t.path(), &["check", "bad.yaml", "--format", "sarif", "--format", "json"])), 2);
    // An --output alone takes its format from the extension.
    assert_eq!(code(&run_in(t.path(), &["check", "bad.yaml", "-o", "x.sarif"])), 1);
    let x: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("x.sarif")).expect("x")).expect("json");
    assert_eq!(x["version"], "2.1.0");
}

/// `-o` naming a device or a pipe writes into it: renaming a file over it (as regular outputs
/// are written) would replace `/dev/null` with a plain file for the whole machine.
#[cfg(unix)]
#[test]
fn output_to_a_named_pipe_writes_into_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let t = tree(&[("bad.yaml", BROKEN_POD)]);
    let fifo = t.path().join("report.pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo (coreutils)");
    assert!(made.success());
    // The reader blocks until a writer opens the pipe; if iblint renamed a file over the pipe
    // instead, the thread stays blocked and the assertions below fail first.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the pipe"))
    };
    let o = run_in(t.path(), &["check", "bad.yaml", "--format", "json", "-o", "report.pipe"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let kind = std::fs::symlink_metadata(&fifo).expect("stat").file_type();
    assert!(kind.is_fifo(), "the pipe was replaced by a {kind:?}");
    let json: serde_json::Value = serde_json::from_str(&reader.join().expect("reader")).expect("json");
    assert_eq!(json["version"], 1);
}

#[test]
fn a_closed_stdout_pipe_exits_quietly() {
    let t = tree(&[("bad.yaml", BROKEN_POD)]);
    for i in 0..200 {
        std::fs::write(t.path().join(format!("b{i}.yaml")), BROKEN_POD).expect("write");
    }
    let mut child = iblint()
        .current_dir(t.path())
        .args(["check", ".", "--no-color"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.code().is_some(), "killed by a signal");
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn config_errors_are_exit_2_with_the_line() {
    let t = tree(&[(".iblint.yaml", "rules:\n  IB101: off\nsupressions: []\n"), ("bad.yaml", BROKEN_POD)]);
    let o = run_in(t.path(), &["check", "."]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains(".iblint.yaml:3:1"), "{}", stderr(&o));
}

#[test]
fn config_turns_rules_off_and_changes_levels_found_upward() {
    let t = tree(&[(".iblint.yaml", "rules:\n  IB101: warning\n"), ("sub/bad.yaml", BROKEN_POD)]);
    let o = iblint().current_dir(t.path().join("sub")).args(["check", ".", "--format", "json"]).output().expect("run");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let f = v["findings"].as_array().expect("findings").iter().find(|f| f["rule"] == "IB101").expect("IB101").clone();
    assert_eq!(f["level"], "warning");
    let off = tree(&[(".iblint.yaml", "rules:\n  IB101: off\n"), ("bad.yaml", BROKEN_POD)]);
    let o = run_in(off.path(), &["check", ".", "--format", "json"]);
    assert!(!stdout(&o).contains("\"IB101\""));
    let o = run_in(off.path(), &["check", ".", "--format", "json", "--enable", "IB101"]);
    assert!(stdout(&o).contains("\"IB101\""));
}

#[test]
fn suppressions_by_annotation_and_config() {
    let annotated = BROKEN_POD.replace(
        "  annotations:\n",
        "  annotations:\n    iblint.io/ignore: \"IB101 -- migrated by the platform team next sprint\"\n",
    );
    let t = tree(&[("bad.yaml", &annotated)]);
    let o = run_in(t.path(), &["check", "bad.yaml", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let f = v["findings"].as_array().expect("findings").iter().find(|f| f["rule"] == "IB101").expect("IB101").clone();
    assert_eq!(f["suppressed"]["kind"], "inSource");

    let no_reason = BROKEN_POD.replace("  annotations:\n", "  annotations:\n    iblint.io/ignore: \"IB101\"\n");
    let t = tree(&[("bad.yaml", &no_reason)]);
    let o = run_in(t.path(), &["check", "bad.yaml", "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("\"IB003\""), "{}", stdout(&o));

    let t = tree(&[
        (".iblint.yaml", "suppressions:\n  - rules: [IB101]\n    paths: [\"legacy/**\"]\n    reason: legacy\n  - rules: [IB101]\n    paths: [\"nothing/**\"]\n    reason: stale\n  - rules: [IB101]\n    paths: [\"old/**\"]\n    reason: was temporary\n    expires: 2001-01-01\n"),
        ("legacy/bad.yaml", BROKEN_POD),
        ("old/bad.yaml", BROKEN_POD),
    ]);
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let fs = v["findings"].as_array().expect("findings");
    let by = |path: &str, rule: &str| {
        fs.iter().filter(|f| f["location"]["path"] == path && f["rule"] == rule).cloned().collect::<Vec<_>>()
    };
    assert_eq!(by("legacy/bad.yaml", "IB101")[0]["suppressed"]["kind"], "external");
    assert!(by("old/bad.yaml", "IB101")[0]["suppressed"].is_null(), "expired suppression still applied");
    let ib003 = by(".iblint.yaml", "IB003");
    assert_eq!(ib003.len(), 2, "{ib003:?}");
    assert_eq!(ib003[0]["location"]["line"], 5);
    assert_eq!(ib003[1]["location"]["line"], 8);
}

/// A config suppression by object suppresses that object's findings and no other's; one naming
/// an object nothing is about matched nothing.
#[test]
fn suppressions_by_object_name_only_that_object() {
    let in_namespace =
        |ns: &str, name: &str| BROKEN_POD.replace("  name: p\n", &format!("  name: {name}\n  namespace: {ns}\n"));
    let config = "suppressions:\n  - rules: [IB101]\n    objects: [\"Pod team-a/p\"]\n    reason: migrating\n  - objects: [\"Pod team-a/nobody\"]\n    reason: stale\n";
    let t = tree(&[
        (".iblint.yaml", config),
        ("a.yaml", &in_namespace("team-a", "p")),
        ("b.yaml", &in_namespace("team-b", "p")),
    ]);
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let fs = v["findings"].as_array().expect("findings");
    let ib101 = |path: &str| fs.iter().find(|f| f["location"]["path"] == path && f["rule"] == "IB101").cloned();
    assert_eq!(ib101("a.yaml").expect("IB101 in a.yaml")["suppressed"]["kind"], "external", "{fs:?}");
    assert!(ib101("b.yaml").expect("IB101 in b.yaml")["suppressed"].is_null(), "{fs:?}");
    let stale: Vec<_> = fs.iter().filter(|f| f["rule"] == "IB003").collect();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0]["location"]["line"], 5);
}

#[test]
fn rules_and_explain() {
    let o = iblint().args(["rules"]).output().expect("run");
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).lines().any(|l| l.starts_with("IB101  missing-use-label")), "{}", stdout(&o));
    let o = iblint().args(["explain", "ib101"]).output().expect("run");
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("## Why it matters"));
}

#[test]
fn helm_chart_sources_are_skipped_with_one_note() {
    let t = tree(&[
        ("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        ("chart/templates/dep.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n"),
        ("loose/templates/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n"),
        ("plain/sa.yaml", CLEAN_SA),
    ]);
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["findings"].as_array().expect("findings").len(), 0);
    let notes: Vec<String> =
        v["notes"].as_array().expect("notes").iter().map(|n| n["path"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(notes, vec!["chart", "loose"]);
}

#[test]
fn excludes_from_flags_and_config() {
    let t = tree(&[
        (".iblint.yaml", "exclude: [vendor]\n"),
        ("vendor/x/bad.yaml", BROKEN_POD),
        ("gen/bad.yaml", BROKEN_POD),
    ]);
    let o = run_in(t.path(), &["check", ".", "--exclude", "gen/**"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn gitignored_files_are_skipped_but_named_files_are_read() {
    let t = tree(&[(".gitignore", "generated/\n"), ("generated/bad.yaml", BROKEN_POD), ("ok.yaml", CLEAN_SA)]);
    git_ok(t.path(), &["init", "-q"]);
    assert_eq!(code(&run_in(t.path(), &["check", "."])), 0);
    assert_eq!(code(&run_in(t.path(), &["check", "generated/bad.yaml"])), 1);
}

#[test]
fn notes_concern_only_the_given_paths() {
    let t = tree(&[
        ("apps/ok.yaml", CLEAN_SA),
        ("other/templates/dep.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.n }}\n"),
    ]);
    let o = run_in(t.path(), &["check", "apps", "--scope", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(0), "{v}");
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(1), "{v}");
}

/// A glob that does not parse is a config error at its line: dropped, it would leave an empty
/// list of paths that suppresses every finding.
#[test]
fn invalid_globs_in_the_config_are_errors_at_their_line() {
    let suppression = "suppressions:\n  - rules: [IB101]\n    paths:\n      - legacy/**\n      - \"vendor/[oops\"\n    reason: vendored\n";
    let t = tree(&[(".iblint.yaml", suppression), ("bad.yaml", BROKEN_POD)]);
    let o = run_in(t.path(), &["check", "."]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stderr(&o).contains(".iblint.yaml:5:9"), "{}", stderr(&o));
    assert!(stderr(&o).contains("vendor/[oops"), "{}", stderr(&o));
    let t = tree(&[(".iblint.yaml", "exclude:\n  - ok\n  - \"a/{b\"\n"), ("bad.yaml", BROKEN_POD)]);
    let o = run_in(t.path(), &["check", "."]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stderr(&o).contains(".iblint.yaml:3:5"), "{}", stderr(&o));
    // Suppression paths follow --exclude's rules: a bare directory name matches it anywhere.
    let t = tree(&[
        (".iblint.yaml", "suppressions:\n  - rules: [IB101]\n    paths: [legacy]\n    reason: migrating\n"),
        ("apps/legacy/bad.yaml", BROKEN_POD),
    ]);
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let ib101 = v["findings"].as_array().expect("findings").iter().find(|f| f["rule"] == "IB101").cloned();
    assert_eq!(ib101.expect("IB101")["suppressed"]["kind"], "external");
}

/// Configured levels apply to every finding of a rule, IB003's config-file findings included.
#[test]
fn configured_levels_apply_to_config_suppression_findings() {
    let config =
        "rules:\n  IB003: error\nsuppressions:\n  - rules: [IB101]\n    paths: [\"nothing/**\"]\n    reason: stale\n";
    let t = tree(&[(".iblint.yaml", config), ("bad.yaml", BROKEN_POD)]);
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let ib003: Vec<_> = v["findings"].as_array().expect("findings").iter().filter(|f| f["rule"] == "IB003").collect();
    assert_eq!(ib003.len(), 1, "{ib003:?}");
    assert_eq!(ib003[0]["level"], "error");
    let t = tree(&[(".iblint.yaml", &config.replace("IB003: error", "IB003: off")), ("bad.yaml", BROKEN_POD)]);
    let o = run_in(t.path(), &["check", ".", "--format", "json"]);
    assert!(!stdout(&o).contains("\"IB003\""), "{}", stdout(&o));
}
