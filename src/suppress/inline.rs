//! Inline suppressions: a comment `iblint:ignore IB401 -- reason` in the file a finding points
//! into, on the finding's line or on a comment line just above it. For Terraform, Bicep, scripts,
//! workflows and manifests alike, read from the finding's file text, so no source evaluator has to
//! know about them.
//!
//! The comment takes the annotation's value (`IB401,managed-fic-touched expires=2026-06-30 --
//! reason`, [`IgnoreAnnotation`]) and its rules: a reason is required (without one the comment is
//! not applied), rules are named by id or by name, and past its `expires` date it is not applied.
//! Each of those is reported by IB003 at the comment.
//!
//! Comment markers: `#` and `//` in Terraform, `//` in Bicep, `#` in shell, PowerShell and YAML.
//! A shell or PowerShell command continued over several lines (`\`, `` ` ``) cannot hold a comment
//! inside it, so the comment may also sit above the command's first line.

use std::path::Path;

use super::IgnoreAnnotation;
use crate::finding::{Finding, Location, Suppression};
use crate::outcome::Texts;
use crate::source::files::FileKind;
use crate::span::{Pos, SourceText, Span};

/// What introduces an inline suppression after the comment marker.
pub const MARKER: &str = "iblint:ignore";

/// How far above a finding the first line of its continued command is looked for.
const MAX_CONTINUED_LINES: usize = 500;

/// What is wrong with an inline suppression (reported by IB003).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InlineProblem {
    /// No reason after `--`: not applied.
    NoReason { at: Location, rules: Vec<String> },
    /// A rule name that is no rule.
    UnknownRule { at: Location, name: String },
    /// `expires=` is past: not applied.
    Expired { at: Location, expires: String },
    /// `expires=` is not a date: not applied.
    BadExpiry { at: Location, value: String },
}

/// A suppression comment found on a line.
struct Comment {
    ignore: IgnoreAnnotation,
    at: Location,
}

/// Applies inline suppressions to the unsuppressed findings whose files are in `texts`, and
/// returns what is wrong with the comments beside them (each reported once): rule names that are
/// no rule, and the reason or expiry of the comments that would apply.
pub fn apply(findings: &mut [Finding], texts: &Texts, today: &str) -> Vec<InlineProblem> {
    let mut problems = Vec::new();
    // Comments whose rule names were checked, and those whose reason and expiry were.
    let (mut named, mut judged): (Vec<Location>, Vec<Location>) = (Vec::new(), Vec::new());
    for f in findings.iter_mut().filter(|f| f.suppression.is_none()) {
        let Location::File { path, span } = &f.location else { continue };
        let Some(text) = texts.get(path) else { continue };
        let Some(markers) = FileKind::of(Path::new(path.as_ref())).map(comment_markers) else { continue };
        let continued = continuation_of(path);
        for comment in candidates(text, span.start().line, markers, continued).into_iter().flatten() {
            let Comment { ignore, at } = comment_at(path, text, comment.0);
            if !named.contains(&at) {
                named.push(at.clone());
                // A misspelt rule is why a comment beside a finding did not suppress it: said
                // whichever rule the finding is.
                for name in ignore.rules.iter().filter(|r| crate::rules::by_id(r).is_none()) {
                    problems.push(InlineProblem::UnknownRule { at: at.clone(), name: name.clone() });
                }
            }
            if !ignore.covers(f.rule) {
                continue;
            }
            let problem = problem_of(&ignore, &at, today);
            debug_assert_eq!(problem.is_none(), ignore.applies(today));
            if !judged.contains(&at) {
                judged.push(at.clone());
                problems.extend(problem.iter().cloned());
            }
            if problem.is_none() {
                f.suppression =
                    Some(Suppression { in_source: true, justification: ignore.reason.clone().unwrap_or_default() });
                break;
            }
        }
    }
    problems
}

/// Why a comment is not applied, if it is not.
fn problem_of(ignore: &IgnoreAnnotation, at: &Location, today: &str) -> Option<InlineProblem> {
    if ignore.reason.is_none() {
        return Some(InlineProblem::NoReason { at: at.clone(), rules: ignore.rules.clone() });
    }
    if let Some(value) = &ignore.bad_expiry {
        return Some(InlineProblem::BadExpiry { at: at.clone(), value: value.clone() });
    }
    match &ignore.expires {
        Some(date) if date.as_str() <= today => Some(InlineProblem::Expired { at: at.clone(), expires: date.clone() }),
        _ => None,
    }
}

/// The comment markers of a kind of file.
fn comment_markers(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Terraform => &["#", "//"],
        FileKind::Bicep | FileKind::BicepParams => &["//"],
        FileKind::Script | FileKind::Manifest => &["#"],
    }
}

/// The line-continuation characters of a kind of file (shell `\`, PowerShell `` ` ``); workflow
/// `run:` steps are shell inside YAML.
fn continuation_of(path: &str) -> &'static [char] {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".ps1") || lower.ends_with(".psm1") {
        &['`']
    } else if [".tf", ".tfvars", ".bicep", ".bicepparam", ".json"].iter().any(|e| lower.ends_with(e)) {
        &[]
    } else {
        &['\\']
    }
}

/// The 0-based lines that may hold a suppression of a finding on 1-based `line`, with the byte
/// offset of the comment marker on each: the line itself (a trailing comment), the comment line
/// above it, and — for a continued command — the comment line above the command's first line.
fn candidates(text: &SourceText, line: u32, markers: &[&str], continued: &[char]) -> [Option<(usize, usize)>; 3] {
    let Some(own) = (line as usize).checked_sub(1).filter(|&l| l < text.line_count()) else { return [None; 3] };
    let line_text = |l: usize| text.as_str()[text.line_start(l)..text.line_start(l + 1)].trim_end_matches(['\n', '\r']);
    let trailing = comment_in(line_text(own), markers).map(|at| (own, at));
    let above = |l: usize| -> Option<(usize, usize)> {
        let prev = l.checked_sub(1)?;
        let t = line_text(prev);
        let at = comment_in(t, markers)?;
        // Only a line that is nothing but the comment speaks for the next line.
        t[..at].trim().is_empty().then_some((prev, at))
    };
    let mut first = own;
    // Bounded, so a file of continued lines costs no more than this per finding.
    while let Some(prev) = first.checked_sub(1).filter(|&p| own - p <= MAX_CONTINUED_LINES) {
        if continued.is_empty() || !line_text(prev).trim_end().ends_with(continued) {
            break;
        }
        first = prev;
    }
    [trailing, above(own), if first != own { above(first) } else { None }]
}

/// The byte offset of the comment marker that introduces `iblint:ignore` on `line`.
fn comment_in(line: &str, markers: &[&str]) -> Option<usize> {
    let found = line.find(MARKER)?;
    let before = line[..found].trim_end();
    markers.iter().find(|m| before.ends_with(**m)).map(|m| before.len() - m.len())
}

/// The suppression comment on 0-based `line`, parsed.
fn comment_at(path: &std::sync::Arc<str>, text: &SourceText, line: usize) -> Comment {
    let start = text.line_start(line);
    let line_text = text.as_str()[start..text.line_start(line + 1)].trim_end_matches(['\n', '\r']);
    let found = line_text.find(MARKER).unwrap_or(0);
    let value = &line_text[found + MARKER.len()..];
    // A block comment's closing mark (`*/`, `#>`) is not part of the reason.
    let value = value.trim().trim_end_matches("*/").trim_end_matches("#>");
    let col = line_text[..found].chars().count() as u32 + 1;
    let pos = Pos { line: line as u32 + 1, col };
    let end = Pos { line: pos.line, col: line_text.chars().count() as u32 + 1 };
    Comment {
        ignore: IgnoreAnnotation::parse(value),
        at: Location::File { path: path.clone(), span: Span::new(pos, end) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, line: u32, markers: &[&str], continued: &[char]) -> Vec<usize> {
        candidates(&SourceText::new(text), line, markers, continued).into_iter().flatten().map(|(l, _)| l + 1).collect()
    }

    #[test]
    fn the_line_the_comment_line_above_and_above_a_continued_command() {
        let sh = "az identity federated-credential delete \\\n  --name aks-identity-binding \\\n  --yes\n";
        assert!(lines(sh, 2, &["#"], &['\\']).is_empty());
        let sh = format!("# iblint:ignore IB401 -- test cleanup\n{sh}");
        assert_eq!(lines(&sh, 3, &["#"], &['\\']), [1]);
        let tf = "resource \"x\" \"y\" {\n  # iblint:ignore IB401 -- r\n  name = \"aks-identity-binding\" // iblint:ignore IB401 -- r\n}\n";
        assert_eq!(lines(tf, 3, &["#", "//"], &[]), [3, 2]);
        // Code above with its own trailing comment does not speak for the next line.
        let code = "a = 1 # iblint:ignore IB401 -- r\nb = 2\n";
        assert!(lines(code, 2, &["#"], &[]).is_empty());
        // The marker must follow a comment mark of the file's language.
        assert_eq!(comment_in("name: x # iblint:ignore IB1", &["#"]), Some(8));
        assert_eq!(comment_in("name = \"iblint:ignore\"", &["#"]), None);
        assert_eq!(comment_in("// iblint:ignore IB1", &["#"]), None);
    }
}
