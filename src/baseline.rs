//! Baselines: a file recording the fingerprints of the findings a repository already has, so it can
//! adopt iblint and fail only on new problems. Fingerprints carry no line numbers (see
//! [`crate::fingerprint`]), so recorded findings stay matched when unrelated edits shift lines.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Suppression};

/// The justification baseline-matched findings carry (SARIF `suppressions`, kind `external`).
pub const JUSTIFICATION: &str = "baseline";

/// The baseline file. Only `fingerprint` is matched; rule, path and message are there so that a
/// reviewer can read what was accepted.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub tool: String,
    pub version: String,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read the baseline: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: not an iblint baseline file: {message}")]
    Parse { path: String, message: String },
}

impl Baseline {
    /// Records every finding that counts today (unsuppressed ones).
    pub fn of(findings: &[Finding]) -> Baseline {
        Baseline {
            tool: "iblint".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            findings: findings
                .iter()
                .filter(|f| f.suppression.is_none())
                .map(|f| Entry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.to_string(),
                    path: f.location.path().map(ToString::to_string).unwrap_or_default(),
                    message: f.message.clone(),
                })
                .collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| BaselineError::Read { path: shown.clone(), source })?;
        serde_json::from_str(&text).map_err(|e| BaselineError::Parse { path: shown, message: e.to_string() })
    }

    /// Pretty JSON with a trailing newline, so the file diffs well under version control.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Marks every unsuppressed finding whose fingerprint the baseline records as suppressed.
    pub fn apply(&self, findings: &mut [Finding]) {
        let known: HashSet<&str> = self.findings.iter().map(|e| e.fingerprint.as_str()).collect();
        for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
            if known.contains(f.fingerprint.as_str()) {
                f.suppression = Some(Suppression { in_source: false, justification: JUSTIFICATION.into() });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Level, Location};
    use crate::span::{Pos, Span};

    fn finding(line: u32, message: &str) -> Finding {
        let span = Span::new(Pos { line, col: 1 }, Pos { line, col: 5 });
        Finding::new("IB101", Level::Error, Location::File { path: "a.yaml".into(), span }, message)
    }

    #[test]
    fn matches_by_fingerprint_not_line() {
        let mut before = vec![finding(3, "old problem")];
        crate::fingerprint::assign(&mut before);
        let baseline = Baseline::of(&before);
        let mut after = vec![finding(9, "old problem"), finding(12, "new problem")];
        crate::fingerprint::assign(&mut after);
        baseline.apply(&mut after);
        assert!(after[0].suppression.is_some());
        assert!(after[1].suppression.is_none());
    }

    #[test]
    fn round_trips_through_json() {
        let mut findings = vec![finding(3, "old problem")];
        crate::fingerprint::assign(&mut findings);
        let text = Baseline::of(&findings).to_json();
        let parsed: Baseline = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.findings.first().map(|e| e.rule.as_str()), Some("IB101"));
    }
}
