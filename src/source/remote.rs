//! What `--kustomize` and `--helm` would fetch from the network.
//!
//! A pull request controls its kustomizations and charts: a `resources:` entry such as
//! `github.com/org/repo//deploy?ref=main` makes `kubectl kustomize` clone a repository, a values
//! file given as a URL makes `helm template` download it. Neither tool has an offline switch, so
//! the references are found here, before the tool runs, and refused unless `--allow-remote` is
//! given. The tools also run with their proxies pointed at a closed local port (see
//! [`offline_environment`]), so that what this scan does not recognise still cannot reach out.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::yaml::{parse_stream, Limits, Node};

/// The file names kustomize reads a kustomization from.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Fields whose entries are kustomizations or resources: anything that is not a local path is
/// fetched as a remote target.
const TARGET_FIELDS: &[&str] = &["resources", "bases", "components"];

/// Fields (and their entries' fields) that the loader reads from a path, which may be a URL.
const PATH_FIELDS: &[&str] = &[
    "crds",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "patchesStrategicMerge",
    "patches",
    "patchesJson6902",
    "replacements",
    "openapi",
    "helmCharts",
    "helmGlobals",
];

/// Generators read files from `files:` (`key=path`), `envs:` and `env:`; their `literals:` are
/// values, URLs included, and not fetched.
const GENERATORS: &[&str] = &["configMapGenerator", "secretGenerator"];
const GENERATOR_FILE_FIELDS: &[&str] = &["files", "envs", "env"];

/// Kustomizations read at most, however the tree refers to itself.
const MAX_KUSTOMIZATIONS: usize = 10_000;

/// A reference that would be fetched: the file that makes it and the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteRef {
    pub file: PathBuf,
    pub reference: String,
}

impl std::fmt::Display for RemoteRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.reference)
    }
}

/// Whether `value` names something on the network: a URL, an scp-style git address, or a
/// `host/org/repo?ref=` target.
pub fn looks_remote(value: &str) -> bool {
    let v = value.trim();
    let first = v.split('/').next().unwrap_or("");
    v.contains("://")
        || v.starts_with("git@")
        || v.starts_with("git::")
        || v.contains("?ref=")
        || v.contains("?version=")
        || (first.contains('.') && first != "." && first != ".." && v.contains("//"))
}

/// `host.name/path` (kustomize fetches `github.com/org/repo` as a repository when no such local
/// path exists).
fn host_like(entry: &str) -> bool {
    entry.split_once('/').is_some_and(|(first, _)| first.contains('.') && first != "." && first != "..")
}

/// The remote references in the kustomization at `dir` and every local kustomization it uses.
pub fn kustomize_remote_refs(dir: &Path) -> Vec<RemoteRef> {
    let mut found = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut queue = vec![dir.to_path_buf()];
    while let Some(dir) = queue.pop() {
        let Ok(canonical) = dir.canonicalize() else { continue };
        if seen.len() >= MAX_KUSTOMIZATIONS || !seen.insert(canonical) {
            continue;
        }
        let Some(file) = KUSTOMIZATION_FILES.iter().map(|n| dir.join(n)).find(|p| p.is_file()) else { continue };
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        parse_stream(&text, &Limits::default(), |root| {
            for (key, value) in root.as_map().unwrap_or_default() {
                let field = key.as_str().unwrap_or("");
                if TARGET_FIELDS.contains(&field) {
                    for entry in value.as_seq().unwrap_or_default().iter().filter_map(Node::as_str) {
                        let local = dir.join(entry);
                        if looks_remote(entry) || (!local.exists() && host_like(entry)) {
                            found.push(RemoteRef { file: file.clone(), reference: entry.to_string() });
                        } else if local.is_dir() {
                            queue.push(local);
                        }
                    }
                } else if PATH_FIELDS.contains(&field) {
                    remote_strings(value, &file, &mut found);
                } else if GENERATORS.contains(&field) {
                    for generator in value.as_seq().unwrap_or_default() {
                        for name in GENERATOR_FILE_FIELDS {
                            if let Some(files) = generator.get(name) {
                                remote_strings(files, &file, &mut found);
                            }
                        }
                    }
                }
            }
        });
    }
    found
}

/// Every string under `node` that looks remote.
fn remote_strings(node: &Node, file: &Path, found: &mut Vec<RemoteRef>) {
    if let Some(s) = node.as_str() {
        // Generator file entries are `key=path`.
        let path = s.split_once('=').map_or(s, |(_, p)| p);
        if looks_remote(s) || looks_remote(path) {
            found.push(RemoteRef { file: file.to_path_buf(), reference: s.to_string() });
        }
    }
    for item in node.as_seq().unwrap_or_default() {
        remote_strings(item, file, found);
    }
    for (_, value) in node.as_map().unwrap_or_default() {
        remote_strings(value, file, found);
    }
}

/// The remote references of a `helm template` run: a chart that is not a local directory or
/// archive (`repo/chart`, `oci://…`, a URL), and values files given as URLs.
pub fn helm_remote_refs(chart: &str, values: &[PathBuf], cwd: &Path) -> Vec<RemoteRef> {
    let mut found = Vec::new();
    if looks_remote(chart) || !cwd.join(chart).exists() {
        found.push(RemoteRef { file: PathBuf::from("--helm"), reference: chart.to_string() });
    }
    for v in values {
        let shown = v.to_string_lossy();
        if looks_remote(&shown) {
            found.push(RemoteRef { file: PathBuf::from("--values"), reference: shown.into_owned() });
        }
    }
    found
}

/// Environment for a tool that must not reach the network: every proxy variable Go's HTTP
/// client and git honour points at a closed port, nothing is exempt from the proxy, and git
/// may use local repositories only.
pub fn offline_environment() -> Vec<(&'static str, &'static str)> {
    const NOWHERE: &str = "http://127.0.0.1:9";
    vec![
        ("HTTP_PROXY", NOWHERE),
        ("HTTPS_PROXY", NOWHERE),
        ("ALL_PROXY", NOWHERE),
        ("http_proxy", NOWHERE),
        ("https_proxy", NOWHERE),
        ("all_proxy", NOWHERE),
        ("NO_PROXY", ""),
        ("no_proxy", ""),
        ("GIT_ALLOW_PROTOCOL", "file"),
        ("GIT_TERMINAL_PROMPT", "0"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_looking_references() {
        for r in [
            "https://github.com/org/repo/deploy?ref=v1",
            "github.com/org/repo//deploy?ref=main",
            "git@github.com:org/repo.git",
            "git::https://example.com/repo",
            "oci://registry.example.com/charts/app",
            "ssh://git@example.com/repo",
            "example.com/org/repo//path",
        ] {
            assert!(looks_remote(r), "{r}");
        }
        for l in ["../base", "deployment.yaml", "./overlays/prod", "app.v1.yaml", "config/a.b/c.yaml"] {
            assert!(!looks_remote(l), "{l}");
        }
    }

    #[test]
    fn finds_remote_targets_and_paths_through_local_bases() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("base")).expect("mkdir");
        std::fs::create_dir_all(root.join("overlay")).expect("mkdir");
        std::fs::write(root.join("base/app.yaml"), "kind: ConfigMap\n").expect("write");
        std::fs::write(
            root.join("base/kustomization.yaml"),
            "resources:\n  - app.yaml\n  - github.com/org/repo//x?ref=v1\nconfigMapGenerator:\n  - name: c\n    literals: \
             [URL=https://api.example.com]\n    files: [conf=https://example.com/conf]\n",
        )
        .expect("write");
        std::fs::write(
            root.join("overlay/kustomization.yaml"),
            "resources: [../base, missing.yaml, example.org/team/repo]\npatches:\n  - path: https://example.com/patch.yaml\n",
        )
        .expect("write");
        let found: Vec<String> =
            kustomize_remote_refs(&root.join("overlay")).iter().map(|r| r.reference.clone()).collect();
        assert_eq!(
            found,
            [
                "example.org/team/repo",
                "https://example.com/patch.yaml",
                "github.com/org/repo//x?ref=v1",
                "conf=https://example.com/conf"
            ]
        );
    }
}
