//! Safe on untrusted pull requests and hostile clusters: one test per promise of
//! `docs/security.md`, each a minimal reproduction of an attack through the real binary (or the
//! library where the binary cannot reach the case, such as coloured output).
//!
//! The GitHub Action's own cases (symlinked directory names, log injection through the printed
//! report, the base-branch config) are in `tests/action.rs`; bounded time and memory for hostile
//! files in `tests/hostile.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/common.rs"]
mod common;
use common::{text, tree};

fn iblint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iblint")).args(args).current_dir(dir).output().expect("run iblint")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)))
}

/// The characters of `s` a terminal would obey (C0 and C1 controls, DEL), other than line breaks
/// and tabs, and the Unicode bidirectional controls.
fn hostile_chars(s: &str) -> Vec<char> {
    let bidi =
        |c: char| matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    s.chars().filter(|&c| (c.is_control() && c != '\n' && c != '\t') || bidi(c)).collect()
}

// ─── Injection: control characters from input never reach a terminal ─────────────────────────

/// A workload whose name, label value and annotation carry ESC sequences (clear screen, window
/// title, hyperlink) and a bidi override; a broken file whose raw line (shown as the IB001
/// snippet) holds a right-to-left override; a file name with an ESC.
const ESCAPES: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"api\\e[2J\\e]0;PWNED\\a\"\n  \
                       namespace: team-a\nspec:\n  template:\n    metadata:\n      labels:\n        app: api\n      \
                       annotations:\n        azure.workload.identity/use-identity-binding: \"true\"\n        \
                       azure.workload.identity/skip-containers: \"a\\u202Eb\\x9b31m\"\n    spec:\n      \
                       serviceAccountName: \"sa\\e]8;;https://evil.example\\e\\\\\"\n      containers: [{name: api}]\n";

#[test]
fn human_output_shows_control_characters_and_bidi_overrides_escaped() {
    let dir = tree(&[
        ("app.yaml", ESCAPES),
        ("broken\u{1b}[1m.yaml", "a: b\u{202e}c\u{2066}\nb: [\n"),
        ("sub/\u{202e}lmay.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: true}\n"),
    ]);
    let out = iblint(dir.path(), &["check", ".", "--no-color", "--format", "human"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(hostile_chars(&stdout).is_empty(), "raw {:?} in\n{stdout}", hostile_chars(&stdout));
    for shown in
        ["api\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}", "broken\\u{1b}[1m.yaml", "a: b\\u{202e}c\\u{2066}", "\\u{202e}lmay"]
    {
        assert!(stdout.contains(shown), "`{shown}` not shown escaped in\n{stdout}");
    }
    // The IB001 label still points at its column after the escapes widened the line.
    assert!(stdout.contains("IB001"), "{stdout}");
}

/// The coloured human format (a terminal) escapes the same values; its own colours are the only
/// escape sequences (SGR `ESC [ … m`).
#[test]
fn coloured_human_output_emits_only_its_own_colours() {
    let dir = tree(&[("app.yaml", ESCAPES)]);
    let cwd = dir.path().canonicalize().expect("canonical");
    let opts = iblint::check::CheckOptions {
        paths: vec![".".into()],
        max_file_size: iblint::check::DEFAULT_MAX_FILE_SIZE,
        ..Default::default()
    };
    let outcome = iblint::check::run(&opts, &iblint::config::Config::default(), &cwd).expect("check");
    let render = iblint::report::RenderOptions { color: true, ..Default::default() };
    let out = iblint::report::render(iblint::report::Format::Human, &outcome, &render);
    assert!(out.contains("\u{1b}["), "coloured output has colours: {out}");
    for (i, _) in out.match_indices('\u{1b}') {
        let sequence = &out[i + 1..];
        let sgr = sequence.strip_prefix('[').is_some_and(|rest| {
            let params = rest.find(|c: char| !c.is_ascii_digit() && c != ';').unwrap_or(rest.len());
            rest[params..].starts_with('m')
        });
        assert!(sgr, "an escape sequence that is not a colour: {:?}", &sequence[..sequence.len().min(12)]);
    }
    let others: Vec<char> = hostile_chars(&out).into_iter().filter(|c| *c != '\u{1b}').collect();
    assert!(others.is_empty(), "{others:?} in {out}");
}

/// Error messages quote paths and tool output: escaped too.
#[test]
fn error_messages_show_control_characters_escaped() {
    let dir = tree(&[]);
    let out = iblint(dir.path(), &["check", "missing\u{1b}]0;PWNED\u{7}.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(hostile_chars(&stderr).is_empty(), "{stderr:?}");
    assert!(stderr.contains("missing\\u{1b}]0;PWNED\\u{7}.yaml"), "{stderr}");
}

/// `--format github`: one workflow command per finding, whatever the values hold (line breaks,
/// `::stop-commands::`, `##[error]`, `%0A` spelled out, ESC).
#[test]
fn github_format_values_cannot_start_or_split_a_workflow_command() {
    let hostile =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"x\\n::stop-commands::tok\\r\\n##[error]y\"\n  \
                   namespace: \"a%0A::error::z\"\nspec:\n  template:\n    metadata:\n      annotations:\n        \
                   azure.workload.identity/use-identity-binding: \"true\"\n    spec:\n      serviceAccountName: \
                   \"s\\e[2J\"\n";
    let dir = tree(&[("a\n::error file=x::y,z.yaml", hostile)]);
    let out = iblint(dir.path(), &["check", ".", "--format", "github"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let findings =
        json(&iblint(dir.path(), &["check", ".", "--format", "json"]))["findings"].as_array().map_or(0, Vec::len);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(findings > 0 && lines.len() == findings, "{findings} findings, {} lines:\n{stdout}", lines.len());
    for line in &lines {
        let command = line.split_once(' ').map_or("", |(c, _)| c);
        assert!(["::error", "::warning", "::notice"].contains(&command), "{line}");
        assert!(line.contains(" file=a%0A%3A%3Aerror file=x%3A%3Ay%2Cz.yaml,line="), "{line}");
        assert!(!line.contains('\r') && hostile_chars(line).is_empty(), "{line:?}");
    }
    assert!(stdout.contains("x%0A::stop-commands::tok%0D%0A##[error]y"), "{stdout}");
    assert!(stdout.contains("a%250A::error::z"), "{stdout}");
}

// ─── Injection: suggested fixes hold only values valid in place ──────────────────────────────

/// An identity-binding Deployment and its ServiceAccount, with `name`, `namespace` and `client-id`
/// written as given (YAML double-quoted scalars).
fn bound_pair(name: &str, namespace: &str, client_id: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: \"{namespace}\"\nspec:\n  template:\n    \
         metadata:\n      labels:\n        azure.workload.identity/use: \"true\"\n      annotations:\n        \
         azure.workload.identity/use-identity-binding: \"true\"\n    spec:\n      serviceAccountName: \"{name}\"\n      \
         containers: [{{name: api}}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: \"{name}\"\n  \
         namespace: \"{namespace}\"\n  annotations:\n    azure.workload.identity/client-id: \"{client_id}\"\n    \
         azure.workload.identity/tenant-id: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n"
    )
}

/// YAML that would add a binding of its own, were it pasted into the fix.
const INJECTED: &str = "x\\n    namespace: kube-system\\n---\\nkind: ClusterRoleBinding # PWNED";

fn finding<'a>(report: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == rule))
        .unwrap_or_else(|| panic!("no {rule} finding in {report}"))
}

#[test]
fn ib301_fix_uses_placeholders_for_invalid_ids_and_names_and_is_not_offered_to_tools() {
    let dir = tree(&[
        ("bad-id.yaml", &bound_pair("api", "team-a", &format!("not-a-guid\\\"]{INJECTED}"))),
        ("bad-name/app.yaml", &bound_pair(INJECTED, "team-b", "3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60")),
        ("good/app.yaml", &bound_pair("api", "team-c", "6f1c2a3b-9d8e-4f70-a1b2-c3d4e5f60718")),
    ]);
    let report = json(&iblint(dir.path(), &["check", ".", "--format", "json"]));
    let helps: Vec<(String, String)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "IB301")
        .map(|f| {
            (f["location"]["path"].as_str().unwrap_or("").to_string(), f["help"].as_str().unwrap_or("").to_string())
        })
        .collect();
    assert_eq!(helps.len(), 3, "{report}");
    for (path, help) in &helps {
        assert!(!help.contains("PWNED") && !help.contains("kube-system"), "{path}: {help}");
    }
    let help_of = |p: &str| helps.iter().find(|(path, _)| path == p).map(|(_, h)| h.as_str()).unwrap_or("");
    assert!(help_of("bad-id.yaml").contains("resources: [\"<client-id>\"]"), "{}", help_of("bad-id.yaml"));
    assert!(help_of("bad-id.yaml").contains("name: use-mi-<client-id>"));
    // The help's YAML is an indented block (4 spaces), like every fix in a help text.
    assert!(help_of("bad-name/app.yaml").contains("        name: <name>\n        namespace: team-b"));
    assert!(help_of("good/app.yaml").contains("        name: api\n        namespace: team-c"));

    // SARIF `fixes` are applied by tools: only the complete one is offered.
    let sarif: serde_json::Value =
        serde_json::from_slice(&iblint(dir.path(), &["check", ".", "--format", "sarif"]).stdout).expect("SARIF");
    let with_fixes: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["ruleId"] == "IB301" && r.get("fixes").is_some())
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert_eq!(with_fixes, ["good/app.yaml"]);
}

/// Every other help text that quotes a value into YAML or a command.
#[test]
fn help_texts_never_carry_input_yaml() {
    let deployment = |extra_meta: &str, pod: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: team-a\n{extra_meta}spec:\n  \
             template:\n    metadata:\n      labels:\n        azure.workload.identity/use: \"true\"\n{pod}"
        )
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "IB002",
            deployment("  labels:\n    \"k: v\\n    evil: PWNED\": true\n", "    spec: {serviceAccountName: api}\n"),
            "    <key>: \"true\"",
        ),
        (
            "IB108",
            deployment("", &format!("    spec:\n      serviceAccount: \"{INJECTED}\"\n")),
            "serviceAccountName: <name>",
        ),
        (
            "IB204",
            deployment("", &format!("    spec:\n      serviceAccountName: \"{INJECTED}\"\n")),
            "      name: <name>\n      namespace: team-a\n",
        ),
        (
            "IB110",
            deployment(
                "",
                &format!(
                    "      annotations:\n        azure.workload.identity/skip-containers: \"a,b\\\",{INJECTED}\"\n    spec:\n      \
                     serviceAccountName: api\n      containers: [{{name: a}}]\n"
                ),
            ),
            "skip-containers: \"a;<container>;<container>\"",
        ),
        (
            "IB003",
            deployment(
                "  annotations:\n    iblint.io/ignore: \"IB101,IB9\\\"\\n# PWNED\"\n",
                "    spec: {serviceAccountName: api}\n",
            ),
            "iblint.io/ignore: \"IB101,<rule-id>",
        ),
        (
            "IB103",
            deployment(
                &format!("  annotations:\n    azure.workload.identity/client-id: \"{INJECTED}\"\n"),
                "    spec: {serviceAccountName: api}\n",
            ),
            "azure.workload.identity/client-id: \"<client-id>\"",
        ),
        (
            "IB307",
            format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n  - verbs: \
                 [use-managed-identity]\n    apiGroups: [cid.wi.aks.azure.com]\n    resources: \
                 [3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: \
                 ClusterRoleBinding\nmetadata: {{name: b}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: \
                 ClusterRole, name: r}}\nsubjects:\n  - kind: ServiceAccount\n    name: \"{INJECTED}\"\n"
            ),
            "      name: <name>\n      namespace: <namespace>",
        ),
        (
            "IB404",
            "apiVersion: managedidentity.azure.com/v1api20230131\nkind: FederatedIdentityCredential\nmetadata: {name: f, \
             namespace: ns}\nspec:\n  issuer: \"https://eastus.oic.prod-aks.azure.com/t/c\\\"\\n# PWNED\"\n  subject: \
             system:serviceaccount:ns:sa\n  audiences: [api://AzureADTokenExchange]\n"
                .to_string(),
            "issuer: \"<issuer>/\"",
        ),
        (
            "IB306",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n  - verbs: \
             [use-managed-identity]\n    apiGroups: [cid.wi.aks.azure.com]\n    resources: \
             [3f2c1a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60]\n    resourceNames: [\"a\\\"]\\n# PWNED\"]\n"
                .to_string(),
            "resources: [\"<client-id>\"]   # and no resourceNames",
        ),
        (
            "IB302",
            bound_pair("api", "team-a", "x\\\"]\\n# PWNED")
                + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n  - \
                   verbs: [use-managed-identity]\n    apiGroups: [cid.wi.aks.azure.com]\n    resources: \
                   [\"x\\\"]\\n# PWNEX\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n\
                   metadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\n\
                   subjects: [{kind: ServiceAccount, name: api, namespace: team-a}]\n",
            "resources: [\"<client-id>\"]",
        ),
        (
            "IB501",
            format!(
                "apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: \"{INJECTED}\"\n  \
                 namespace: team-a\nspec:\n  type: 0\n  clientID: \"{INJECTED}\"\n  tenantID: \"{INJECTED}\"\n"
            ),
            "      name: <name>\n      namespace: team-a\n      annotations:\n        azure.workload.identity/client-id: \
             \"<client-id>\"\n        azure.workload.identity/tenant-id: \"<tenant-id>\"",
        ),
    ];
    for (rule, manifest, expected) in cases {
        let dir = tree(&[("case.yaml", &manifest)]);
        let report = json(&iblint(dir.path(), &["check", ".", "--format", "json"]));
        let help = finding(&report, rule)["help"].as_str().unwrap_or("").to_string();
        assert!(help.contains(expected), "{rule}: `{expected}` not in\n{help}");
        assert!(!help.contains("PWNED") && !help.contains("kube-system"), "{rule}: input in the fix:\n{help}");
    }
}

// ─── Bounded cost: standard input and rendered output obey --max-file-size ───────────────────

/// An endless standard input is read no further than the limit, then refused (exit 2).
#[test]
fn standard_input_obeys_the_file_size_limit() {
    let dir = tree(&[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_iblint"))
        .args(["check", "-", "--max-file-size", "100000"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    // Writes until iblint stops reading: it never would if it read to the end.
    let writer = std::thread::spawn(move || {
        let chunk = "a: b\n".repeat(1000);
        let mut written = 0usize;
        while std::io::Write::write_all(&mut stdin, chunk.as_bytes()).is_ok() {
            written += chunk.len();
            if written > 1 << 30 {
                break;
            }
        }
        written
    });
    let out = child.wait_with_output().expect("wait");
    let written = writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("standard input is larger than 100000 bytes"), "{}", text(&out.stderr));
    assert!(written < 1 << 30, "standard input was read to the end");
}

/// A stand-in for `kubectl` / `helm` that records its arguments and proxy settings, and prints
/// `output` (a manifest) `times` times.
fn fake_tool(dir: &Path, name: &str, output: &str, times: usize) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let log = dir.join(format!("{name}.log"));
    let script = format!(
        "#!/bin/sh\necho \"$@ HTTPS_PROXY=$HTTPS_PROXY GIT_ALLOW_PROTOCOL=$GIT_ALLOW_PROTOCOL\" >> '{}'\ni=0\nwhile [ $i -lt {times} ]; \
         do printf '%s\\n' '{output}'; i=$((i+1)); done\n",
        log.display()
    );
    let path = bin.join(name);
    std::fs::write(&path, script).expect("write tool");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    log
}

fn with_tools(dir: &Path, args: &[&str]) -> Output {
    let path = format!("{}:{}", dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    Command::new(env!("CARGO_BIN_EXE_iblint")).args(args).current_dir(dir).env("PATH", path).output().expect("run")
}

#[cfg(unix)]
#[test]
fn rendered_output_obeys_the_file_size_limit() {
    let dir = tree(&[("deploy/kustomization.yaml", "resources: [cm.yaml]\n"), ("deploy/cm.yaml", "kind: ConfigMap\n")]);
    fake_tool(dir.path(), "kubectl", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---", 100_000);
    let out = with_tools(dir.path(), &["check", "--kustomize", "deploy", "--max-file-size", "100000"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("printed more than 100000 bytes (--max-file-size)"), "{}", text(&out.stderr));
}

// ─── Files and paths: remote bases, charts and values are refused by default ─────────────────

#[cfg(unix)]
#[test]
fn kustomize_remote_resources_are_refused_unless_allowed() {
    let dir = tree(&[
        ("base/kustomization.yaml", "resources:\n  - https://github.com/org/repo//deploy?ref=main\n"),
        ("overlay/kustomization.yaml", "resources: [../base]\n"),
    ]);
    let log = fake_tool(dir.path(), "kubectl", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}", 1);
    let out = with_tools(dir.path(), &["check", "--kustomize", "overlay"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--kustomize would fetch from the network"), "{stderr}");
    assert!(stderr.contains("kustomization.yaml: https://github.com/org/repo//deploy?ref=main"), "{stderr}");
    assert!(!log.exists(), "the tool ran although a remote base was refused");

    // A local tree renders, with the tool's network turned off.
    std::fs::write(dir.path().join("base/kustomization.yaml"), "resources: []\n").expect("write");
    let out = with_tools(dir.path(), &["check", "--kustomize", "overlay"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let seen = std::fs::read_to_string(&log).expect("the tool ran");
    assert!(seen.contains("kustomize overlay HTTPS_PROXY=http://127.0.0.1:9 GIT_ALLOW_PROTOCOL=file"), "{seen}");

    // --allow-remote: not scanned, the tool's environment untouched.
    std::fs::write(dir.path().join("base/kustomization.yaml"), "resources: [github.com/org/repo//x?ref=v1]\n")
        .expect("write");
    std::fs::remove_file(&log).expect("rm");
    let out = with_tools(dir.path(), &["check", "--kustomize", "overlay", "--allow-remote"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let seen = std::fs::read_to_string(&log).expect("the tool ran");
    assert!(!seen.contains("127.0.0.1:9"), "{seen}");
}

#[cfg(unix)]
#[test]
fn helm_remote_charts_and_values_are_refused_unless_allowed() {
    let dir = tree(&[("chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n")]);
    let log = fake_tool(dir.path(), "helm", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}", 1);
    for args in [
        vec!["check", "--helm", "oci://registry.example.com/charts/app"],
        vec!["check", "--helm", "bitnami/nginx"],
        vec!["check", "--helm", "chart", "-f", "https://example.com/values.yaml"],
    ] {
        let out = with_tools(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("--helm would fetch from the network"), "{}", text(&out.stderr));
    }
    assert!(!log.exists(), "helm ran although the chart or values were remote");
    let out = with_tools(dir.path(), &["check", "--helm", "chart"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(&log).expect("helm ran").contains("HTTPS_PROXY=http://127.0.0.1:9"));
}

// ─── Files and paths: --output writes through links and keeps permissions ────────────────────

const UNQUOTED_LABEL: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: true}\n";

/// The mode a new file created with `0644` gets under this process's umask (the binary inherits it).
#[cfg(unix)]
fn mode_0644_less_umask(dir: &Path) -> u32 {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let probe = dir.join("umask-probe");
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o644).open(&probe).expect("probe");
    let mode = std::fs::metadata(&probe).expect("stat").permissions().mode() & 0o777;
    std::fs::remove_file(probe).expect("remove probe");
    mode
}

/// A report replaced in place keeps the permissions the file had (a private file stays private,
/// a fixed script stays executable); a new one gets 0644 less the umask, not a temporary file's
/// 0600.
#[cfg(unix)]
#[test]
fn output_keeps_the_mode_of_an_existing_file_and_new_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("app.yaml", UNQUOTED_LABEL)]);
    let mode = |name: &str| std::fs::metadata(dir.path().join(name)).expect("stat").permissions().mode() & 0o777;
    let existing = dir.path().join("private.json");
    std::fs::write(&existing, "old").expect("write");
    std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    for name in ["private.json", "new.json"] {
        let out = iblint(dir.path(), &["check", "app.yaml", "--format", "json", "-o", name]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let written = std::fs::read_to_string(dir.path().join(name)).expect("read");
        assert!(written.contains("\"IB002\""), "{name}: {written}");
    }
    assert_eq!(mode("private.json"), 0o640);
    assert_eq!(mode("new.json"), mode_0644_less_umask(dir.path()));
}

/// `-o` naming a symbolic link writes the file it points to (replaced whole, its mode kept, or
/// created when missing); the link stays a link.
#[cfg(unix)]
#[test]
fn output_through_a_symbolic_link_writes_its_target() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("app.yaml", UNQUOTED_LABEL), ("reports/kept.json", "old")]);
    let kept = dir.path().join("reports/kept.json");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::symlink("reports/kept.json", dir.path().join("report.json")).expect("symlink");
    std::os::unix::fs::symlink("reports/created.json", dir.path().join("dangling.json")).expect("symlink");
    for link in ["report.json", "dangling.json"] {
        let out = iblint(dir.path(), &["check", "app.yaml", "--format", "json", "-o", link]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let meta = std::fs::symlink_metadata(dir.path().join(link)).expect("stat");
        assert!(meta.file_type().is_symlink(), "{link} was replaced by a {:?}", meta.file_type());
    }
    for target in ["reports/kept.json", "reports/created.json"] {
        let written = std::fs::read_to_string(dir.path().join(target)).expect("read");
        assert!(written.contains("\"IB002\""), "{target}: {written}");
    }
    assert_eq!(std::fs::metadata(&kept).expect("stat").permissions().mode() & 0o777, 0o600);
}

// ─── Files and paths: symbolic links, walker errors and the config a tree may bring ──────────

fn notes(out: &Output) -> Vec<(String, String)> {
    json(out)["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| (n["path"].as_str().unwrap_or("").to_string(), n["message"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn finding_paths(out: &Output) -> Vec<String> {
    json(out)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["location"]["path"].as_str().map(str::to_string))
        .collect()
}

/// A pull request that adds `deploy` as a link to a directory outside the repository (the
/// runner's home, another checkout) gets a note, not that directory's files linted and quoted in
/// the log; `--follow-symlinks` follows it.
#[cfg(unix)]
#[test]
fn symbolic_links_leaving_the_scope_are_not_followed_unless_asked() {
    let outside = tree(&[("private/app.yaml", UNQUOTED_LABEL)]);
    let repo = tree(&[(".git/HEAD", "ref: refs/heads/main\n"), ("ok/app.yaml", UNQUOTED_LABEL)]);
    std::os::unix::fs::symlink(outside.path().join("private"), repo.path().join("deploy")).expect("symlink");
    let out = iblint(repo.path(), &["check", "deploy", "ok", "--format", "json"]);
    assert_eq!(finding_paths(&out), ["ok/app.yaml"], "{}", text(&out.stdout));
    let notes = notes(&out);
    assert!(notes.iter().any(|(path, message)| path == "deploy" && message.contains("--follow-symlinks")), "{notes:?}");
    let followed = iblint(repo.path(), &["check", "deploy", "--follow-symlinks", "--format", "json"]);
    assert_eq!(followed.status.code(), Some(1), "{}", text(&followed.stderr));
    assert_eq!(finding_paths(&followed).len(), 1, "{}", text(&followed.stdout));
}

/// A directory the walk cannot list (here: deeper than PATH_MAX, made one relative step at a
/// time) is a note naming it, never silently left out; the rest is linted.
#[cfg(unix)]
#[test]
fn walker_errors_are_notes_naming_the_path() {
    let dir = tree(&[("app.yaml", UNQUOTED_LABEL)]);
    let name = "d".repeat(200);
    let script = format!("for i in $(seq 1 25); do mkdir {name} && cd {name} || exit 1; done; echo 'a: 1' > deep.yaml");
    let made = Command::new("bash").arg("-c").arg(&script).current_dir(dir.path()).status().expect("bash");
    assert!(made.success());
    let out = iblint(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(finding_paths(&out), ["app.yaml"]);
    let notes = notes(&out);
    assert!(
        notes
            .iter()
            .any(|(path, message)| path.starts_with(&format!("{name}/")) && message.contains("could not be read")),
        "{notes:?}"
    );
}

/// `.iblint.yaml` is looked for up to the repository root, not above it: a config in a parent
/// directory (another checkout, the runner's home) cannot switch a repository's checks off.
#[test]
fn config_discovery_stops_at_the_repository_root() {
    let dir = tree(&[
        (".iblint.yaml", "exclude: [\"**\"]\nrules:\n  IB002: off\n"),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/app.yaml", UNQUOTED_LABEL),
    ]);
    let out = iblint(&dir.path().join("repo"), &["check", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(finding_paths(&out), ["app.yaml"]);
}

/// A config that turns every rule off, or excludes every file, passes whatever the files hold:
/// it is said on standard error.
#[test]
fn a_config_that_checks_nothing_is_a_warning() {
    let all_off: String =
        std::iter::once("rules:\n".to_string()).chain(rule_ids().iter().map(|id| format!("  {id}: off\n"))).collect();
    let dir = tree(&[(".iblint.yaml", all_off.as_str()), ("app.yaml", UNQUOTED_LABEL)]);
    let out = iblint(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning: .iblint.yaml turns every rule off"), "{}", text(&out.stderr));

    let dir = tree(&[(".iblint.yaml", "exclude: [\"deploy/**\"]\n"), ("deploy/app.yaml", UNQUOTED_LABEL)]);
    let out = iblint(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning: .iblint.yaml excludes every file"), "{}", text(&out.stderr));

    // A config that leaves something to check says nothing.
    let dir = tree(&[(".iblint.yaml", "exclude: [\"vendor\"]\nrules:\n  IB002: off\n"), ("app.yaml", UNQUOTED_LABEL)]);
    let out = iblint(dir.path(), &["check", "."]);
    assert!(!text(&out.stderr).contains("warning"), "{}", text(&out.stderr));
}

fn rule_ids() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_iblint")).arg("rules").output().expect("iblint rules");
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| id.starts_with("IB"))
        .map(str::to_string)
        .collect()
}

// ─── No leaks: secret masking in every shape, and nothing else masked ────────────────────────

#[test]
fn secrets_are_masked_in_every_shape_and_format_and_non_secrets_are_not() {
    let dir = tree(&[
        (
            "flow.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns, annotations: \
             {azure.workload.identity/use-identity-binding: \"true\"}}\nspec:\n  automountServiceAccountToken: true\n  \
             serviceAccountName: missing-sa\n  containers: [{name: c, image: i, env: [{name: DB_PASSWORD, value: \
             flow-secret-one}]}]\n",
        ),
        ("minified.json", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},\"data\":{\"k\":\"bWluaWZpZWQtc2VjcmV0\"}"),
        (
            "block.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  config: |\n    password=block-secret-two\n    \
             user=block-user-line\n  other: [\n",
        ),
        ("comment.yaml", "apiVersion: v1\nkind: Secret # the database\nmetadata:\n  name: s\ndata:\n  k: Y29tbWVudC1zZWNyZXQ=\n  j: [\n"),
        ("flow-broken.yaml", "{kind: Secret, metadata: {name: s}, stringData: {k: flow-broken-secret-four}, x: [\n"),
    ]);
    let secrets = [
        "flow-secret-one",
        "bWluaWZpZWQtc2VjcmV0",
        "block-secret-two",
        "block-user-line",
        "Y29tbWVudC1zZWNyZXQ=",
        "flow-broken-secret-four",
    ];
    for format in ["human", "json", "sarif", "github"] {
        let out = iblint(dir.path(), &["check", ".", "--no-color", "--format", format]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", text(&out.stderr));
        for secret in secrets {
            assert!(!stdout.contains(secret), "{format} prints `{secret}`:\n{stdout}");
        }
    }
    let human = text(&iblint(dir.path(), &["check", ".", "--no-color"]).stdout);
    // Every broken file is shown, masked, in its IB001 snippet; a boolean is never masked.
    for shown in [
        "\"data\":{\"k\":\"********************\"}",
        "  k: ********************\n",
        "stringData: {k: ***********************}",
        "automountServiceAccountToken: true",
        "value: ***************",
    ] {
        assert!(human.contains(shown), "`{shown}` not in\n{human}");
    }
}
