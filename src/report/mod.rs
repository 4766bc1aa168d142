//! Reporters: the only code that formats output. Each adapts the project's `Finding` to a format.

mod audit;
pub mod compact;
pub mod escape;
mod fleet;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
mod snippet;
mod summary;
mod wrap;

use crate::finding::Level;
use crate::outcome::Outcome;

/// An output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, notes, a table per rule and a summary
    Human,
    /// One line per finding: `path:line:col: level IBxxx message`
    Compact,
    /// SARIF 2.1.0 (GitHub code scanning)
    Sarif,
    /// iblint's documented JSON
    Json,
    /// GitHub Actions workflow commands (annotations)
    Github,
    /// JUnit XML (CI test reports)
    Junit,
}

impl Format {
    /// The format a file name implies (`.sarif`, `.json`, `.xml`), for `--output` without
    /// `--format`.
    pub fn from_extension(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".sarif") || lower.ends_with(".sarif.json") {
            Some(Format::Sarif)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".xml") {
            Some(Format::Junit)
        } else {
            None
        }
    }
}

/// How to render.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub color: bool,
    /// Terminal width for the human format.
    pub width: usize,
    /// `automationDetails.id` category prefix for SARIF (`iblint/check/`).
    pub automation_id: String,
    /// Human format: findings only, no notes, tables or summary.
    pub quiet: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { color: false, width: 100, automation_id: "iblint/check/".into(), quiet: false }
    }
}

/// Renders `outcome` in `format`.
pub fn render(format: Format, outcome: &Outcome, opts: &RenderOptions) -> String {
    match format {
        Format::Human => match &outcome.fleet {
            Some(fleet) => fleet::human(fleet, opts),
            None => human::render(outcome, opts),
        },
        Format::Compact => match &outcome.fleet {
            Some(fleet) => compact::fleet(fleet),
            None => compact::render(outcome),
        },
        Format::Sarif => sarif::render(outcome, opts),
        Format::Json => json::render(outcome),
        Format::Github => match &outcome.fleet {
            Some(fleet) => fleet::github(fleet),
            None => github::render(outcome),
        },
        Format::Junit => junit::render(outcome),
    }
}

/// Counts of unsuppressed findings per level, and of suppressed ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
    pub suppressed: usize,
}

impl Counts {
    pub fn of(outcome: &Outcome) -> Counts {
        let mut c = Counts::default();
        for f in &outcome.findings {
            match (f.suppression.is_some(), f.level) {
                (true, _) => c.suppressed += 1,
                (false, Level::Error) => c.error += 1,
                (false, Level::Warning) => c.warning += 1,
                (false, Level::Note) => c.note += 1,
            }
        }
        c
    }
}
