//! What a run produced — findings, notes and what was read — as every reporter sees it, whether
//! it came from `check` or `audit`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::finding::Finding;
use crate::model::{Inventory, SkipNote};
use crate::span::SourceText;

/// Display name of standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// The result of a run: sorted findings (suppressed ones included) and skip notes.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub notes: Vec<SkipNote>,
    /// The texts findings point into, for snippets (only those holding an inline suppression
    /// when no output shows snippets: `CheckOptions::without_snippets`).
    pub texts: Texts,
    pub files_read: usize,
    /// Masks the secret-looking values of the inputs (`crate::redact`), built once per run.
    pub scrubber: crate::redact::Scrubber,
    /// The model the findings came from (for `map` and the audit); empty when the run was asked
    /// to give its storage back early (`CheckOptions::release_model`).
    pub inventory: Inventory,
    /// Set by `audit`: what was audited and what could not be checked.
    pub audit: Option<AuditSummary>,
    /// Set by a fleet audit (`--contexts`, `--all-contexts`): one outcome per cluster; the
    /// outcome holding it has no findings of its own.
    pub fleet: Option<Fleet>,
}

impl Outcome {
    /// The audit could not read everything its rules need (exit 3 unless `--allow-incomplete`):
    /// a list was refused or failed, or a cluster of the fleet could not be audited at all.
    pub fn is_incomplete(&self) -> bool {
        self.audit.as_ref().is_some_and(AuditSummary::is_incomplete)
            || self
                .fleet
                .as_ref()
                .is_some_and(|f| f.members.iter().any(|m| m.outcome.as_ref().map_or(true, Outcome::is_incomplete)))
    }
}

/// The clusters of a fleet audit, in the order asked.
#[derive(Debug, Default)]
pub struct Fleet {
    pub members: Vec<FleetMember>,
}

/// One cluster of a fleet: its outcome, or why it could not be audited (unreachable, bad
/// credentials).
#[derive(Debug)]
pub struct FleetMember {
    pub context: String,
    pub outcome: Result<Outcome, String>,
}

/// What an audit read, and what it could not.
#[derive(Debug, Default, Clone)]
pub struct AuditSummary {
    pub context: String,
    pub server: String,
    /// Objects listed.
    pub objects: usize,
    /// Pods among them.
    pub pods: usize,
    /// Lists that were forbidden, with the rules skipped because of them.
    pub unavailable: Vec<crate::model::Unavailable>,
    /// SubjectAccessReviews asked (`None`: skipped).
    pub access_reviews: Option<usize>,
    /// What to try when nothing could be read cluster-wide (`-n NAMESPACE`).
    pub hint: Option<String>,
}

impl AuditSummary {
    /// Some list the rules need was refused or failed.
    pub fn is_incomplete(&self) -> bool {
        self.unavailable.iter().any(crate::model::Unavailable::makes_incomplete)
    }
}

/// The texts of the files findings point into, secret-looking values masked: read once after
/// linting, and only for files that have findings, so reporters do no I/O and no copying.
#[derive(Clone, Debug, Default)]
pub struct Texts(HashMap<Arc<str>, Arc<SourceText>>);

impl Texts {
    pub fn get(&self, path: &str) -> Option<&Arc<SourceText>> {
        self.0.get(path)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }

    pub fn insert(&mut self, path: Arc<str>, text: SourceText) {
        self.0.insert(path, Arc::new(text));
    }

    pub fn extend(&mut self, other: Texts) {
        self.0.extend(other.0);
    }
}
