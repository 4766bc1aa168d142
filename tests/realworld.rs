//! iblint over the real-world corpus (`IBLINT_REALWORLD`, default `../shared/realworld/`):
//! unmodified public files from 21 repositories that use workload identity. No crash, no parse
//! error on a file it should skip, and the complete list of findings is pinned in a snapshot so
//! every change to what it reports there is reviewed. The findings come from linting each
//! repository on its own, as its users do: a ServiceAccount of one repository is no answer to a
//! Pod of another.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;

use serde_json::Value;

#[path = "support/listing.rs"]
mod listing;
#[path = "support/realworld.rs"]
mod realworld;

fn main() -> std::process::ExitCode {
    realworld::run(vec![
        ("realworld_corpus_is_linted_without_parse_errors", realworld_corpus_is_linted_without_parse_errors),
        ("realworld_findings_are_the_reviewed_ones", realworld_findings_are_the_reviewed_ones),
        ("realworld_sources_list_the_corpus", realworld_sources_list_the_corpus),
        ("realworld_fetch_rebuilds_the_corpus_from_the_sources", realworld_fetch_rebuilds_the_corpus_from_the_sources),
    ])
}

fn realworld_corpus_is_linted_without_parse_errors(corpus: &Path) {
    let v = listing::check_json(corpus, &[".", "--scope", "."]);
    let findings = v["findings"].as_array().expect("findings");
    let ib001: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "IB001").collect();
    assert!(ib001.is_empty(), "parse errors on files that should be read or skipped: {ib001:#?}");
    assert!(v["summary"]["files"].as_u64().unwrap_or(0) > 100, "the corpus was not walked");
}

fn realworld_findings_are_the_reviewed_ones(corpus: &Path) {
    let mut repositories: Vec<String> = std::fs::read_dir(corpus)
        .expect("corpus")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    repositories.sort();
    let mut lines: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for repository in &repositories {
        let (findings, repository_notes) =
            listing::findings_then_notes(&listing::check_json(corpus, &[repository, "--scope", repository]));
        lines.extend(findings);
        notes.extend(repository_notes);
    }
    lines.extend(notes);
    insta::assert_snapshot!("realworld_findings_are_the_reviewed_ones", lines.join("\n"));
}

/// tests/realworld-sources.tsv (what scripts/realworld-fetch rebuilds the corpus from where it is
/// not given) names exactly the corpus's files.
fn realworld_sources_list_the_corpus(corpus: &Path) {
    let list = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld-sources.tsv"))
        .expect("tests/realworld-sources.tsv");
    let mut listed: Vec<String> = list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            assert_eq!(fields.len(), 4, "folder, repository, commit, path: {l}");
            assert_eq!(fields[2].len(), 40, "a full commit id: {l}");
            format!("{}/{}", fields[0], fields[3])
        })
        .collect();
    listed.sort();
    let mut present = Vec::new();
    let mut stack = vec![corpus.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "SOURCES.md") {
                present.push(path.strip_prefix(corpus).expect("under corpus").to_string_lossy().replace('\\', "/"));
            }
        }
    }
    present.sort();
    assert_eq!(listed, present, "tests/realworld-sources.tsv and the corpus differ");
}

/// scripts/realworld-fetch, as GitHub CI runs it, with the corpus's own files laid out as the
/// raw-file host serves them (`<repository>/<commit>/<path>`, a licence as LICENSE.md where the
/// repository names it so) behind a file:// URL: every listed file arrives, byte for byte, where
/// the tests read it.
fn realworld_fetch_rebuilds_the_corpus_from_the_sources(corpus: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("tests/realworld-sources.tsv")).expect("sources");
    let host = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for line in list.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let [folder, repository, commit, path] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("folder, repository, commit, path: {line}")
        };
        // Some repositories name their licence LICENSE.md (the corpus keeps it as LICENSE).
        let upstream =
            if repository == "Azure-Samples/aks-workload-identity" && path == "LICENSE" { "LICENSE.md" } else { path };
        let served = host.path().join(repository).join(commit).join(upstream);
        std::fs::create_dir_all(served.parent().expect("parent")).expect("mkdir");
        std::fs::copy(corpus.join(folder).join(path), &served).expect("copy");
        files.push(format!("{folder}/{path}"));
    }
    let fetched = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(root.join("scripts/realworld-fetch"))
        .arg(fetched.path())
        .env("IBLINT_REALWORLD_BASE", format!("file://{}", host.path().display()))
        .output()
        .expect("scripts/realworld-fetch");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("realworld-fetch: {} files into {}", files.len(), fetched.path().display())
    );
    for file in &files {
        let got = std::fs::read(fetched.path().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(got == std::fs::read(corpus.join(file)).expect("corpus file"), "{file} differs");
    }
}
