//! The `## Example` and `## Fix` blocks of every `rules/<ID>.md` are real inputs, linted here:
//! each fenced block is written to a file of its own (the fence language picks the file type) and
//! checked on its own. Every Example block must produce exactly its rule (any number of findings,
//! no other rule); every Fix block must declare something iblint reads and produce nothing at all
//! (suppressed findings do not count, as they do not for the exit code). So `iblint explain` never shows an
//! example that does not trigger the rule, or a fix that trades one finding for another.
//!
//! Fence languages: `yaml` → `.yaml`, `json` → `.json`, `hcl`/`terraform` → `.tf`, `bicep` →
//! `.bicep`, `bash`/`sh` → `.sh`, `powershell` → `.ps1`. A `yaml` block whose first line is
//! `# .iblint.yaml` is not linted: it is the config the other blocks of its section run with.
//!
//! Live rules (tag `live`, IB6xx) describe cluster state: `tests/rule_examples_live.rs` audits
//! their blocks through the fake API server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use iblint::check::{self, CheckOptions};
use iblint::config::Config;
use iblint::docs;

#[path = "support/rule_docs.rs"]
mod rule_docs;

use rule_docs::{blocks, doc_line, section, verdict, Block, CONFIG_MARKER};

/// What linting one block gave: its unsuppressed findings (rule, line, message) and whether it
/// declared anything iblint models (a Fix must be a complete input, not a fragment that iblint
/// skips).
struct Linted {
    findings: Vec<String>,
    models_something: bool,
}

/// Lints `block` as a file of its own with `config`.
fn lint(block: &Block, config: &Config) -> Linted {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join(format!("example.{}", block.extension().expect("a lintable fence")));
    std::fs::write(&file, &block.text).expect("write the block");
    let opts = CheckOptions { paths: vec![file.clone()], scope: Some(file), ..CheckOptions::default() };
    let outcome = check::run(&opts, config, dir.path()).expect("check runs");
    let findings = outcome
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .map(|f| {
            let line = f.location.span().map_or(0, |s| s.start().line);
            format!("{} at block line {line}: {}", f.rule, f.message)
        })
        .collect();
    let inventory = &outcome.inventory;
    let models_something = inventory.metas().next().is_some()
        || !inventory.federated_credentials.is_empty()
        || !inventory.identity_bindings.is_empty();
    Linted { findings, models_something }
}

/// The config a section's `# .iblint.yaml` block gives, else the default.
fn config_of(id: &str, section: &[Block]) -> Config {
    let Some(block) = section.iter().find(|b| b.is_config()) else { return Config::default() };
    iblint::config::parse(&block.text, format!("rules/{id}.md config").into())
        .unwrap_or_else(|e| panic!("rules/{id}.md: the {CONFIG_MARKER} block does not parse: {e}"))
}

/// The problems of one section: its blocks linted, each compared with what it must produce.
fn section_problems(id: &str, heading: &str, body: &str, must_produce: Option<&str>) -> Vec<String> {
    let all = blocks(section(body, heading));
    let config = config_of(id, &all);
    let linted: Vec<&Block> = all.iter().filter(|b| !b.is_config()).collect();
    if linted.is_empty() {
        return vec![format!("rules/{id}.md {heading}: no fenced block")];
    }
    let mut problems = Vec::new();
    for block in linted {
        let at = format!("rules/{id}.md line {} ({heading}, ```{})", doc_line(id, body, block.line), block.lang);
        if block.extension().is_none() {
            problems.push(format!("{at}: the fence language does not name a file type iblint reads"));
            continue;
        }
        let Linted { findings: found, models_something } = lint(block, &config);
        if must_produce.is_none() && !models_something {
            problems.push(format!("{at}: declares nothing iblint reads (a fragment?): show the whole fixed input"));
        } else if let Some(wrong) = verdict(&found, must_produce) {
            problems.push(format!("{at}: {wrong}"));
        }
    }
    problems
}

#[test]
fn every_example_produces_exactly_its_rule_and_every_fix_nothing() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for doc in docs::all().iter().filter(|d| !d.tags.iter().any(|t| t == "live")) {
        problems.extend(section_problems(doc.id, "## Example", doc.body, Some(doc.id)));
        problems.extend(section_problems(doc.id, "## Fix", doc.body, None));
        checked += 1;
    }
    assert!(checked > 30, "only {checked} rule docs found");
    assert!(problems.is_empty(), "{} rule doc blocks are wrong:\n  {}", problems.len(), problems.join("\n  "));
}

#[test]
fn blocks_are_read_with_their_fence_language_and_line() {
    let body = "## Example\nText.\n```yaml\na: 1\n```\n\n```sh\necho\n```\n## Fix\n```bicep\nx\n```\n";
    let example = blocks(section(body, "## Example"));
    let langs: Vec<(&str, &str, usize)> = example.iter().map(|b| (b.lang.as_str(), b.text.as_str(), b.line)).collect();
    assert_eq!(langs, [("yaml", "a: 1\n", 4), ("sh", "echo\n", 8)]);
    assert_eq!(blocks(section(body, "## Fix"))[0].extension(), Some("bicep"));
}
