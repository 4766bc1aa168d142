//! Plain `check` on kustomize trees: what is not built is a note (remote bases, generators), a
//! line several roots deploy is one finding naming them all, a file given alone gets exactly the
//! findings its roots give it (a root kustomization given alone, every finding of its build), and
//! runaway trees stop with a note.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::{Path, PathBuf};

use iblint::check::{self, CheckOptions, Outcome};
use iblint::config::Config;
use iblint::finding::{Finding, Location};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn check_in(cwd: &Path, paths: &[&str], scope: Option<&str>) -> Outcome {
    let opts = CheckOptions {
        paths: paths.iter().map(PathBuf::from).collect(),
        scope: scope.map(PathBuf::from),
        ..CheckOptions::default()
    };
    check::run(&opts, &Config::default(), cwd).expect("check runs")
}

fn place(f: &Finding) -> String {
    match &f.location {
        Location::File { path, span } => {
            format!("{} {path}:{}:{} {}", f.rule, span.start().line, span.start().col, f.message)
        }
        Location::Logical { name } => format!("{} {name} {}", f.rule, f.message),
    }
}

/// The kustomization roots a finding's related locations name as deploying its line.
fn deployed_by(f: &Finding) -> Vec<String> {
    f.related
        .iter()
        .filter(|r| r.message.starts_with("deployed by the kustomize build of"))
        .map(|r| r.location.path().map(|p| p.to_string()).unwrap_or_default())
        .collect()
}

const DEPLOYMENT_WITH_BOOLEAN_LABEL: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels:
        app: api
        azure.workload.identity/use: true
    spec:
      serviceAccountName: api
      containers: [{name: api, image: api}]
";

/// The first build that lists a file keeps its parsed documents rather than a copy: a second
/// kustomization listing the same file directly must still build it whole.
#[test]
fn a_file_two_kustomizations_list_directly_is_in_both_builds() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "apps/kustomization.yaml", "namespace: all\nresources: [team/deployment.yaml]\n");
    write(dir.path(), "apps/team/kustomization.yaml", "namespace: team\nresources: [deployment.yaml]\n");
    write(dir.path(), "apps/team/deployment.yaml", DEPLOYMENT_WITH_BOOLEAN_LABEL);
    let outcome = check_in(dir.path(), &["."], None);
    let ib002: Vec<&Finding> = outcome.findings.iter().filter(|f| f.rule == "IB002").collect();
    assert_eq!(ib002.len(), 1, "{:#?}", outcome.findings.iter().map(place).collect::<Vec<_>>());
    assert!(place(ib002[0]).starts_with("IB002 apps/team/deployment.yaml:12:38 "), "{}", place(ib002[0]));
    let roots = deployed_by(ib002[0]);
    assert_eq!(roots, ["apps/kustomization.yaml", "apps/team/kustomization.yaml"]);
}

#[test]
fn a_line_three_overlays_deploy_is_one_finding_naming_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "base/kustomization.yaml", "resources: [deployment.yaml]\n");
    write(dir.path(), "base/deployment.yaml", DEPLOYMENT_WITH_BOOLEAN_LABEL);
    for env in ["dev", "staging", "prod"] {
        write(
            dir.path(),
            &format!("overlays/{env}/kustomization.yaml"),
            &format!("namespace: {env}\nresources: [../../base]\n"),
        );
    }
    let outcome = check_in(dir.path(), &["."], None);
    let ib002: Vec<&Finding> = outcome.findings.iter().filter(|f| f.rule == "IB002").collect();
    assert_eq!(ib002.len(), 1, "{:#?}", outcome.findings.iter().map(place).collect::<Vec<_>>());
    assert!(place(ib002[0]).starts_with("IB002 base/deployment.yaml:12:38 "), "{}", place(ib002[0]));
    let roots = deployed_by(ib002[0]);
    assert_eq!(
        roots,
        ["overlays/dev/kustomization.yaml", "overlays/prod/kustomization.yaml", "overlays/staging/kustomization.yaml"]
    );
    // The message is the first root's (by path): it names the object as that overlay deploys it.
    assert!(ib002[0].message.contains("Deployment dev/api"), "{}", ib002[0].message);
}

#[test]
fn remote_bases_and_unsupported_fields_are_one_note_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "app/kustomization.yaml",
        "resources:\n  - https://github.com/example/platform//base?ref=v1\n  - github.com/example/other/base\n  - deployment.yaml\nconfigMapGenerator:\n  - name: settings\n    literals: [a=b]\nreplacements: []\nhelmCharts:\n  - name: x\n",
    );
    write(dir.path(), "app/deployment.yaml", DEPLOYMENT_WITH_BOOLEAN_LABEL);
    let outcome = check_in(dir.path(), &["."], None);
    let notes: Vec<&str> =
        outcome.notes.iter().filter(|n| n.path == "app/kustomization.yaml").map(|n| n.message.as_str()).collect();
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert!(notes
        .iter()
        .any(|n| n.starts_with("remote `https://github.com/example/platform//base?ref=v1` is not fetched")));
    assert!(notes.iter().any(|n| n.starts_with("remote `github.com/example/other/base` is not fetched")));
    assert!(
        notes.iter().any(|n| n.starts_with("`configMapGenerator`, `helmCharts` are not evaluated")),
        "one note names every unsupported field with content: {notes:#?}"
    );
    // The rest of the kustomization is built and linted.
    assert!(outcome.findings.iter().any(|f| f.rule == "IB002" && place(f).contains("app/deployment.yaml:12")));
}

/// Every case directory under testdata/ that holds a kustomization.
fn kustomize_cases() -> Vec<PathBuf> {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    for rule in std::fs::read_dir(&testdata).expect("testdata").flatten() {
        for case in std::fs::read_dir(rule.path()).into_iter().flatten().flatten() {
            let p = case.path();
            if p.is_dir() && files_under(&p).iter().any(|f| f.ends_with("kustomization.yaml")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_file_given_alone_gets_the_findings_its_roots_give_it() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let cases = kustomize_cases();
    assert!(cases.len() >= 10, "kustomize fixture trees: {cases:?}");
    for case in cases {
        let scope = case.strip_prefix(&testdata).expect("under testdata").to_string_lossy().replace('\\', "/");
        let whole = check_in(&testdata, &[&scope], Some(&scope));
        for file in files_under(&case) {
            let rel = file.strip_prefix(&testdata).expect("under testdata").to_string_lossy().replace('\\', "/");
            // Its own findings; for a root kustomization, those of its build too.
            let expected: Vec<String> = whole
                .findings
                .iter()
                .filter(|f| f.location.path().is_some_and(|p| **p == *rel) || f.builds.iter().any(|b| **b == *rel))
                .map(place)
                .collect();
            let alone = check_in(&testdata, &[&rel], Some(&scope));
            let got: Vec<String> = alone.findings.iter().map(place).collect();
            assert_eq!(got, expected, "{rel} given alone (scope {scope})");
        }
    }
}

#[test]
fn a_runaway_tree_stops_with_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let depth = iblint::source::kustomize::MAX_DEPTH + 5;
    for i in 0..depth {
        write(dir.path(), &format!("l{i}/kustomization.yaml"), &format!("resources: [../l{}]\n", i + 1));
    }
    write(dir.path(), &format!("l{depth}/kustomization.yaml"), "resources: [deployment.yaml]\n");
    write(dir.path(), &format!("l{depth}/deployment.yaml"), DEPLOYMENT_WITH_BOOLEAN_LABEL);
    let outcome = check_in(dir.path(), &["."], None);
    let note = outcome.notes.iter().find(|n| n.path == "l0/kustomization.yaml").expect("a note on the root");
    assert!(note.message.contains("kustomize build stopped") && note.message.contains("deep"), "{}", note.message);
    // Its files are linted as they stand.
    assert!(
        outcome.findings.iter().any(|f| f.rule == "IB002"),
        "{:?}",
        outcome.findings.iter().map(place).collect::<Vec<_>>()
    );
}
