//! Reporters: the only code that formats output. Each adapts the project's `Finding` to a format.

mod audit;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
mod snippet;

use std::str::FromStr;

use crate::finding::Level;
use crate::outcome::Outcome;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Sarif,
    Json,
    Github,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "human" => Ok(Format::Human),
            "sarif" => Ok(Format::Sarif),
            "json" => Ok(Format::Json),
            "github" => Ok(Format::Github),
            other => Err(format!("unknown format `{other}` (human, sarif, json, github)")),
        }
    }
}

impl Format {
    /// The format a file name implies (`.sarif`, `.json`), for `--output` without `--format`.
    pub fn from_extension(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".sarif") || lower.ends_with(".sarif.json") {
            Some(Format::Sarif)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
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
        Format::Human => human::render(outcome, opts),
        Format::Sarif => sarif::render(outcome, opts),
        Format::Json => json::render(outcome),
        Format::Github => github::render(outcome),
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
