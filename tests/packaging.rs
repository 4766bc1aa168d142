//! What makes iblint installable and adoptable, as files of this repository: the licence Cargo.toml
//! declares, the changelog, security policy and contributing guide (whose commands name real tests),
//! the container image's Dockerfile (hadolint, a static build, a non-root distroless image), the CI
//! workflow's jobs, and the Homebrew formula the release attaches (every archive with its real
//! sha256, installing what the archives carry). The image is built and run by CI
//! (`.github/workflows/ci.yml`, job `container`): there is no container engine here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::Command;

use iblint::yaml::{parse_stream, Limits, Node};

#[path = "support/tools.rs"]
mod tools;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Node {
    let text = read(path);
    let mut docs = Vec::new();
    let outcome = parse_stream(&text, &Limits::default(), |d| docs.push(d));
    assert!(outcome.fatal.is_none() && outcome.problems.is_empty(), "{path}: {outcome:?}");
    docs.remove(0)
}

#[test]
fn licence_changelog_security_policy_and_contributing_guide() {
    let cargo = read("Cargo.toml");
    assert!(cargo.contains("\nlicense = \"MIT\"\n"), "Cargo.toml declares MIT");
    let licence = read("LICENSE");
    assert!(licence.starts_with("MIT License\n") && licence.contains("THE SOFTWARE IS PROVIDED \"AS IS\""));
    let version = env!("CARGO_PKG_VERSION");
    assert!(read("CHANGELOG.md").contains(&format!("\n## [{version}]")), "CHANGELOG.md has no section for {version}");
    assert!(read("SECURITY.md").contains("Report a vulnerability"));

    // Every test the guide tells a contributor to run exists.
    let guide = read("CONTRIBUTING.md");
    let named: Vec<&str> = guide
        .split("--test ")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next())
        .collect();
    assert!(named.len() >= 4, "{named:?}");
    for test in named {
        assert!(
            root().join(format!("tests/{test}.rs")).is_file(),
            "CONTRIBUTING.md names `--test {test}`, which is no test"
        );
    }
    for topic in
        ["## Adding or changing a rule", "## Run one rule's tests, or one test", "# expect: IB", ".expect", "RULES"]
    {
        assert!(guide.contains(topic), "CONTRIBUTING.md says nothing of {topic}");
    }
}

/// The instructions of the Dockerfile's stages, in order: (FROM line, instructions).
fn stages(dockerfile: &str) -> Vec<(String, Vec<String>)> {
    let joined = dockerfile.replace("\\\n", " ");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in joined.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some(from) = line.strip_prefix("FROM ") {
            out.push((from.to_string(), Vec::new()));
        } else if let Some((_, instructions)) = out.last_mut() {
            instructions.push(line.to_string());
        }
    }
    out
}

#[test]
fn the_dockerfile_builds_static_binaries_into_a_non_root_distroless_image() {
    let dockerfile = read("Dockerfile");
    let hadolint = tools::venv_tool("hadolint");
    if tools::require(
        hadolint.to_str().expect("path"),
        &["--version"],
        "the_dockerfile_builds_static_binaries_into_a_non_root_distroless_image",
        "./scripts/test installs it into .venv",
    ) {
        let out = Command::new(&hadolint).arg(root().join("Dockerfile")).output().expect("hadolint");
        assert!(out.status.success(), "hadolint: {}", String::from_utf8_lossy(&out.stdout));
    }
    let stages = stages(&dockerfile);
    assert_eq!(stages.len(), 2, "a build stage and the final image");
    let (build_from, build) = &stages[0];
    assert!(build_from.contains("-alpine") && build_from.ends_with(" AS build"), "musl by default: {build_from}");
    let cargo = build.iter().find(|i| i.contains("cargo build")).expect("the build stage runs cargo build");
    for flag in ["--locked", "--profile dist", "--features live"] {
        assert!(cargo.contains(flag), "cargo build without {flag}: {cargo}");
    }
    let (final_from, image) = &stages[1];
    assert!(
        final_from.starts_with("gcr.io/distroless/static") || final_from == "scratch",
        "the final image has no shell or libc: {final_from}"
    );
    assert!(image.iter().any(|i| i.starts_with("COPY --from=build ")), "{image:?}");
    let user = image.iter().rev().find_map(|i| i.strip_prefix("USER ")).expect("the image names its user");
    let uid: u32 =
        user.split(':').next().and_then(|u| u.parse().ok()).expect("a numeric user (Kubernetes runAsNonRoot)");
    assert_ne!(uid, 0, "the image runs as root");
    assert!(image.iter().any(|i| i == "ENTRYPOINT [\"/usr/local/bin/iblint\"]"), "{image:?}");

    let ignored = read(".dockerignore");
    for dir in ["target/", ".venv/", ".git/"] {
        assert!(ignored.lines().any(|l| l == dir), ".dockerignore keeps {dir} out of the build context");
    }
}

/// The `run:` texts of a workflow job's steps.
fn runs(workflow: &Node, job: &str) -> String {
    let steps = workflow.path(&["jobs", job, "steps"]).and_then(Node::as_seq).unwrap_or_else(|| panic!("job {job}"));
    steps.iter().filter_map(|s| s.path(&["run"]).and_then(Node::as_str)).collect::<Vec<_>>().join("\n")
}

#[test]
fn ci_runs_the_suite_other_platforms_the_package_and_the_image() {
    let ci = yaml(".github/workflows/ci.yml");
    assert!(ci.path(&["on", "push"]).is_some() && ci.path(&["on", "pull_request"]).is_some());
    let linux = runs(&ci, "linux");
    assert!(linux.contains("scripts/realworld-fetch ../shared/realworld"), "the corpus where .ci/run looks: {linux}");
    assert!(linux.lines().any(|l| l.trim() == ".ci/run"), "{linux}");
    for tool in ["time", "groff", "zsh", "fish"] {
        assert!(linux.split_whitespace().any(|w| w == tool), "the tests need {tool} under CI: {linux}");
    }
    let platforms: Vec<&str> = ci
        .path(&["jobs", "unit-tests", "strategy", "matrix", "os"])
        .and_then(Node::as_seq)
        .expect("unit-test platforms")
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert!(platforms.iter().any(|p| p.starts_with("macos")) && platforms.iter().any(|p| p.starts_with("windows")));
    assert!(runs(&ci, "unit-tests").contains("cargo test --locked --all-features --lib"));
    assert!(runs(&ci, "package").contains("cargo publish --locked --dry-run"));
    let container = runs(&ci, "container");
    assert!(container.contains("docker build") && container.contains("docker run"), "{container}");
}

const BREW_TARGETS: &[&str] =
    &["aarch64-apple-darwin", "x86_64-apple-darwin", "aarch64-unknown-linux-musl", "x86_64-unknown-linux-musl"];

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_string()
}

#[test]
fn the_homebrew_formula_installs_each_platforms_archive_with_its_checksum() {
    let dist = tempfile::tempdir().expect("tempdir");
    for target in BREW_TARGETS {
        std::fs::write(dist.path().join(format!("iblint-v1.2.3-{target}.tar.gz")), format!("archive for {target}"))
            .expect("write archive");
    }
    let out = Command::new(root().join("scripts/homebrew-formula"))
        .args(["v1.2.3", dist.path().to_str().expect("utf-8")])
        .env("IBLINT_REPOSITORY", "example/iblint")
        .output()
        .expect("scripts/homebrew-formula");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let formula = String::from_utf8(out.stdout).expect("utf-8");
    assert!(formula.starts_with("class Iblint < Formula\n"), "{formula}");
    assert!(formula.contains("\n  version \"1.2.3\"\n") && formula.contains("\n  license \"MIT\"\n"), "{formula}");

    // Each archive sits in the block of its platform, with its own checksum.
    for (os, arch, target) in [
        ("on_macos", "on_arm", "aarch64-apple-darwin"),
        ("on_macos", "on_intel", "x86_64-apple-darwin"),
        ("on_linux", "on_arm", "aarch64-unknown-linux-musl"),
        ("on_linux", "on_intel", "x86_64-unknown-linux-musl"),
    ] {
        let block = formula.split(&format!("  {os} do\n")).nth(1).expect(os).split("\n  end\n").next().expect("end");
        let inner =
            block.split(&format!("    {arch} do\n")).nth(1).expect(arch).split("\n    end").next().expect("end");
        let asset = format!("iblint-v1.2.3-{target}.tar.gz");
        assert_eq!(
            inner,
            format!(
                "      url \"https://github.com/example/iblint/releases/download/v1.2.3/{asset}\"\n      sha256 \"{}\"",
                sha256(&dist.path().join(&asset))
            )
        );
    }

    // It installs what the release archives carry.
    let release = read(".github/workflows/release.yml");
    let tar = release.lines().find(|l| l.contains("tar -czf")).expect("the release packs archives");
    for (installed, packed) in [
        ("bin.install \"iblint\", \"kubectl-iblint\"", "\"iblint$exe\" \"kubectl-iblint$exe\""),
        ("man1.install \"iblint.1\"", "iblint.1"),
        ("completions/iblint.bash", "completions"),
    ] {
        assert!(formula.contains(installed), "{formula}");
        assert!(tar.contains(packed), "{tar}");
    }
    for file in ["completions/iblint.bash", "completions/_iblint", "completions/iblint.fish", "iblint.1"] {
        assert!(release.contains(&format!("> \"$out/{file}\"")), "release.yml does not write {file}");
        assert!(formula.contains(&format!("\"{file}\"")), "the formula does not install {file}");
    }
    assert!(release.contains("scripts/homebrew-formula \"$TAG\" dist > dist/iblint.rb"));
    assert!(release.contains("sha256sum -- *.tar.gz > SHA256SUMS"));

    // Ruby reads it (GitHub's runners have Ruby).
    if tools::require("ruby", &["--version"], "the_homebrew_formula_…", "apt-get install ruby") {
        let path = dist.path().join("iblint.rb");
        std::fs::write(&path, &formula).expect("write");
        let o = Command::new("ruby").arg("-c").arg(&path).output().expect("ruby");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    // A missing archive fails instead of writing a formula without it.
    std::fs::remove_file(dist.path().join("iblint-v1.2.3-x86_64-apple-darwin.tar.gz")).expect("remove");
    let out = Command::new(root().join("scripts/homebrew-formula"))
        .args(["v1.2.3", dist.path().to_str().expect("utf-8")])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("iblint-v1.2.3-x86_64-apple-darwin.tar.gz is missing"));
}

/// Every pre-commit hook hands iblint exactly the files it reads: their `files` patterns, evaluated
/// by Python's `re` as pre-commit does, agree with iblint's own choice on names of every kind.
#[test]
fn the_pre_commit_hooks_select_the_files_iblint_reads() {
    let names = [
        "deploy/app.yaml",
        "a.YML",
        "azuredeploy.json",
        "main.tf",
        "prod.tfvars",
        "x.auto.tfvars.json",
        "main.bicep",
        "main.bicepparam",
        "run.sh",
        "run.bash",
        "Deploy.PS1",
        "mod.psm1",
        "README.md",
        "main.go",
        "Dockerfile",
        "values.yaml.tpl",
        "tf",
        "notes.txt",
    ];
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_seq().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().map(|h| s(h, "id")).collect();
    assert!(ids.contains(&"iblint") && ids.contains(&"iblint-system"), "{ids:?}");
    let python = tools::venv_tool("python3");
    for hook in hooks {
        let pattern = hook.path(&["files"]).and_then(Node::as_str).expect("files");
        let program = "import re, sys\nfor n in sys.argv[2:]: print(bool(re.search(sys.argv[1], n)))";
        let mut args = vec!["-c", program, pattern];
        args.extend(names);
        let out = Command::new(&python).args(&args).output().expect("python3");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let selected = String::from_utf8_lossy(&out.stdout).lines().map(|l| l == "True").collect::<Vec<_>>();
        for (name, hook_takes) in names.iter().zip(selected) {
            let read = iblint::source::files::FileKind::of(Path::new(name)).is_some();
            assert_eq!(hook_takes, read, "{}: `{pattern}` on {name}", s(hook, "id"));
        }
    }
}

fn s<'a>(node: &'a Node, key: &str) -> &'a str {
    node.path(&[key]).and_then(Node::as_str).unwrap_or("?")
}
