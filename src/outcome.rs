//! What a run produced — findings, notes and what was read — as every reporter sees it, whether
//! it came from `check` or `audit`.

use crate::finding::Finding;
use crate::model::{Inventory, SkipNote};
use crate::source::render::Rendered;

/// Display name of standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// The result of a run: sorted findings (suppressed ones included) and skip notes.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub notes: Vec<SkipNote>,
    /// Standard input's text, for snippets.
    pub stdin_text: Option<String>,
    /// Rendered texts (`--kustomize`, `--helm`), for snippets.
    pub rendered: Vec<Rendered>,
    pub files_read: usize,
    /// Secret-looking values of the inputs, masked in snippets (`crate::redact`).
    pub secrets: Vec<String>,
    /// The model the findings came from, kept so the command line can skip freeing it at exit.
    pub inventory: Inventory,
    /// Set by `audit`: what was audited and what could not be checked.
    pub audit: Option<AuditSummary>,
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
}
