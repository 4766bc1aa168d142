//! The krew plugin manifest that the release publishes: every platform the release workflow
//! builds, the right archive URL, its real sha256, and the plugin binary's name.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::Command;

use iblint::yaml::{parse_stream, Limits, Node};

const TARGETS: &[(&str, &str, &str)] = &[
    ("linux", "amd64", "x86_64-unknown-linux-musl"),
    ("linux", "arm64", "aarch64-unknown-linux-musl"),
    ("darwin", "amd64", "x86_64-apple-darwin"),
    ("darwin", "arm64", "aarch64-apple-darwin"),
    ("windows", "amd64", "x86_64-pc-windows-msvc"),
    ("windows", "arm64", "aarch64-pc-windows-msvc"),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_string()
}

fn manifest(tag: &str, dist: &Path) -> Node {
    let out = Command::new(root().join("scripts/krew-manifest"))
        .args([tag, dist.to_str().expect("utf-8 path")])
        .env("IBLINT_REPOSITORY", "example/iblint")
        .output()
        .expect("run scripts/krew-manifest");
    assert!(out.status.success(), "krew-manifest failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8 manifest");
    let mut docs = Vec::new();
    let outcome = parse_stream(&text, &Limits::default(), |d| docs.push(d));
    assert!(outcome.fatal.is_none() && outcome.problems.is_empty(), "not valid YAML: {outcome:?}\n{text}");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn s<'a>(node: &'a Node, path: &[&str]) -> &'a str {
    node.path(path).and_then(Node::as_str).unwrap_or_else(|| panic!("missing {path:?}"))
}

#[test]
fn the_manifest_names_every_release_archive_with_its_checksum() {
    let dist = tempfile::tempdir().expect("tempdir");
    for (_, _, target) in TARGETS {
        std::fs::write(dist.path().join(format!("iblint-v1.2.3-{target}.tar.gz")), format!("archive for {target}"))
            .expect("write archive");
    }
    let m = manifest("v1.2.3", dist.path());
    assert_eq!(s(&m, &["apiVersion"]), "krew.googlecontainertools.github.com/v1alpha2");
    assert_eq!(s(&m, &["kind"]), "Plugin");
    assert_eq!(s(&m, &["metadata", "name"]), "iblint", "the plugin is invoked as `kubectl iblint`");
    assert_eq!(s(&m, &["spec", "version"]), "v1.2.3");
    assert!(s(&m, &["spec", "shortDescription"]).len() < 60);
    let platforms = m.path(&["spec", "platforms"]).and_then(Node::as_seq).expect("platforms");
    assert_eq!(platforms.len(), TARGETS.len());
    for (p, (os, arch, target)) in platforms.iter().zip(TARGETS) {
        assert_eq!(s(p, &["selector", "matchLabels", "os"]), *os);
        assert_eq!(s(p, &["selector", "matchLabels", "arch"]), *arch);
        let asset = format!("iblint-v1.2.3-{target}.tar.gz");
        assert_eq!(s(p, &["uri"]), format!("https://github.com/example/iblint/releases/download/v1.2.3/{asset}"));
        assert_eq!(s(p, &["sha256"]), sha256(&dist.path().join(&asset)));
        let exe = if *os == "windows" { ".exe" } else { "" };
        assert_eq!(s(p, &["bin"]), format!("kubectl-iblint{exe}"));
    }
}

#[test]
fn the_release_workflow_builds_every_platform_the_manifest_lists() {
    let workflow = std::fs::read_to_string(root().join(".github/workflows/release.yml")).expect("release.yml");
    for (_, _, target) in TARGETS {
        assert!(workflow.contains(&format!("target: {target}")), "release.yml does not build {target}");
    }
    assert!(workflow.contains("scripts/krew-manifest"), "the release attaches the krew manifest");
}

#[test]
fn a_missing_archive_fails_instead_of_writing_a_wrong_checksum() {
    let dist = tempfile::tempdir().expect("tempdir");
    let out = Command::new(root().join("scripts/krew-manifest"))
        .args(["v1.0.0", dist.path().to_str().unwrap_or(".")])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is missing"));
}
