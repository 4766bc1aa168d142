//! `iblint fix`: lint, apply the fixes that do not touch each other, lint the result again (in
//! memory) and repeat until nothing is left to fix; then report what changed and what remains.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::apply::Batch;
use crate::check::{self, CheckError, CheckOptions, Outcome, Overlay};
use crate::config::Config;
use crate::finding::{Applicability, Fix, Location};
use crate::yaml::{parse_stream, Limits};

/// Rounds of lint-and-fix before giving up on convergence (each round applies every fix that
/// does not touch another; later rounds fix what an earlier fix revealed or made possible).
const MAX_ROUNDS: usize = 10;

/// What `iblint fix` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    pub check: CheckOptions,
    /// Apply unsafe fixes too (`--unsafe`).
    pub unsafe_fixes: bool,
    /// Only these rules' fixes (`--rule`); empty: every rule's.
    pub rules: Vec<String>,
}

/// A fix that was applied, as it was described and where its finding was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub rule: &'static str,
    pub location: Location,
    pub description: String,
    pub applicability: Applicability,
}

/// A file the fixes change: its text before (`None`: it did not exist) and after.
#[derive(Clone, Debug)]
pub struct Changed {
    pub path: Arc<str>,
    pub before: Option<String>,
    pub after: String,
}

/// The result: what was applied, the changed files (not yet written), and the lint of the fixed
/// tree.
pub struct FixReport {
    pub applied: Vec<Applied>,
    pub changed: Vec<Changed>,
    pub outcome: Outcome,
}

/// Runs the fix loop in `cwd`; nothing is written (see [`write`]).
pub fn run(opts: &FixOptions, config: &Config, cwd: &Path) -> Result<FixReport, CheckError> {
    let cwd = cwd.canonicalize().map_err(CheckError::Cwd)?;
    let mut rules: Vec<&'static str> = Vec::new();
    for r in opts.rules.iter().flat_map(|r| r.split(',')).map(str::trim).filter(|r| !r.is_empty()) {
        rules.push(crate::rules::resolve(r)?);
    }
    let mut overlay: Overlay = HashMap::new();
    let mut originals: HashMap<Arc<str>, Option<String>> = HashMap::new();
    let mut rejected: HashSet<(&'static str, String)> = HashSet::new();
    let mut applied = Vec::new();
    let mut round = 0;
    let outcome = loop {
        let mut check_opts = opts.check.clone();
        check_opts.overlay = Some(Arc::new(overlay.clone()));
        let outcome = check::run(&check_opts, config, &cwd)?;
        round += 1;
        if round > MAX_ROUNDS {
            break outcome;
        }
        let text_of = |display: &str| -> Option<String> {
            match overlay.get(display) {
                Some(t) => Some(t.to_string()),
                None => std::fs::read_to_string(cwd.join(display)).ok(),
            }
        };
        let mut batch = Batch::default();
        let mut taken: Vec<(Applied, &Fix)> = Vec::new();
        for f in outcome.findings.iter().filter(|f| f.suppression.is_none()) {
            if !rules.is_empty() && !rules.contains(&f.rule) {
                continue;
            }
            let wanted = f.fixes.iter().find(|fix| {
                (opts.unsafe_fixes || fix.applicability == Applicability::Safe)
                    && !rejected.contains(&(f.rule, fix.description.clone()))
            });
            if let Some(fix) = wanted.filter(|fix| batch.offer(fix, &text_of)) {
                let record = Applied {
                    rule: f.rule,
                    location: f.location.clone(),
                    description: fix.description.clone(),
                    applicability: fix.applicability,
                };
                taken.push((record, fix));
            }
        }
        if taken.is_empty() {
            break outcome;
        }
        let broken = apply_batch(batch, &mut overlay, &mut originals, &cwd);
        for (record, fix) in taken {
            if fix.changes.iter().any(|c| broken.contains(&c.path)) {
                rejected.insert((record.rule, record.description));
            } else {
                applied.push(record);
            }
        }
    };
    let mut changed: Vec<Changed> = originals
        .into_iter()
        .filter_map(|(path, before)| {
            let after = overlay.get(&path)?.to_string();
            (before.as_deref() != Some(after.as_str())).then_some(Changed { path, before, after })
        })
        .collect();
    changed.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(FixReport { applied, changed, outcome })
}

/// Puts the batch's new texts into the overlay, except where an edit made a file that parsed
/// unparseable (those files keep their text); returns those files.
fn apply_batch(
    batch: Batch,
    overlay: &mut Overlay,
    originals: &mut HashMap<Arc<str>, Option<String>>,
    cwd: &Path,
) -> HashSet<Arc<str>> {
    let mut broken = HashSet::new();
    for (path, before, after) in batch.finish() {
        if is_yaml(&path) && parses(&before) && !parses(&after) {
            broken.insert(path);
            continue;
        }
        originals.entry(path.clone()).or_insert_with(|| std::fs::read_to_string(cwd.join(path.as_ref())).ok());
        overlay.insert(path, Arc::from(after));
    }
    broken
}

fn is_yaml(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".yaml", ".yml", ".json"].iter().any(|e| lower.ends_with(e))
}

fn parses(text: &str) -> bool {
    parse_stream(text, &Limits::default(), |_| {}).fatal.is_none()
}

/// Writes the changed files (creating a new file's directory), keeping each file's permissions.
pub fn write(changed: &[Changed], cwd: &Path) -> Result<(), String> {
    for c in changed {
        let path = cwd.join(c.path.as_ref());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", c.path))?;
        }
        let permissions = std::fs::metadata(&path).ok().map(|m| m.permissions());
        crate::write_file::write_file(&path, c.after.as_bytes()).map_err(|e| format!("{}: {e}", c.path))?;
        if let Some(p) = permissions {
            std::fs::set_permissions(&path, p).map_err(|e| format!("{}: {e}", c.path))?;
        }
    }
    Ok(())
}

/// A unified diff of every changed file (`a/` and `b/` prefixes, as `git apply` takes it).
pub fn unified_diff(changed: &[Changed]) -> String {
    let mut out = String::new();
    for c in changed {
        let before = c.before.as_deref().unwrap_or("");
        let old_name = if c.before.is_some() { format!("a/{}", c.path) } else { "/dev/null".to_string() };
        let diff = similar::TextDiff::from_lines(before, c.after.as_str());
        out.push_str(&diff.unified_diff().context_radius(3).header(&old_name, &format!("b/{}", c.path)).to_string());
    }
    out
}
