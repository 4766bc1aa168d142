//! Applies fixes to file texts: replacements become byte ranges again, a fix whose ranges touch
//! another's waits for the next round, identical edits (two findings fixed by the same change)
//! are made once.

use std::collections::HashMap;
use std::sync::Arc;

use super::resolve::without_bom;
use crate::finding::{FileChange, Fix};
use crate::span::SourceText;

/// One byte range of a file and its new text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Range {
    start: usize,
    end: usize,
    text: String,
}

impl Range {
    /// Two edits that cannot both be made: overlapping ranges, or two different insertions at
    /// one place (their order would be a guess).
    fn conflicts(&self, other: &Range) -> bool {
        if self == other {
            return false;
        }
        let overlap = self.start < other.end && other.start < self.end;
        let same_point = self.start == other.start && (self.start == self.end || other.start == other.end);
        overlap || same_point
    }
}

/// Edits accepted so far, per file, over the texts they apply to.
#[derive(Default)]
pub(super) struct Batch {
    texts: HashMap<Arc<str>, Text>,
    accepted: HashMap<Arc<str>, Vec<Range>>,
}

/// A file's text as edits read it: without its byte order mark, the start of each line found
/// once for all the fixes in it (finding them for each fix made a file with a fix in each of
/// its thousands of documents quadratic), and whether it had the mark.
struct Text {
    body: SourceText,
    bom: bool,
}

impl Text {
    fn new(text: &str) -> Text {
        let (body, bom) = without_bom(text);
        Text { body: SourceText::new(body), bom }
    }
}

impl Batch {
    /// Accepts `fix` when every file it changes can be read (`text_of`; a missing file is empty)
    /// and none of its edits conflicts with one accepted before. Returns whether it was accepted.
    pub(super) fn offer(&mut self, fix: &Fix, text_of: &dyn Fn(&str) -> Option<String>) -> bool {
        let mut ranges: Vec<(Arc<str>, Vec<Range>)> = Vec::new();
        for change in &fix.changes {
            let text = self
                .texts
                .entry(change.path.clone())
                .or_insert_with(|| Text::new(&text_of(&change.path).unwrap_or_default()));
            ranges.push((change.path.clone(), byte_ranges(&text.body, change)));
        }
        let clash = ranges.iter().any(|(path, rs)| {
            let taken = self.accepted.get(path).map(Vec::as_slice).unwrap_or_default();
            rs.iter().any(|r| taken.iter().any(|t| r.conflicts(t)))
        });
        if clash {
            return false;
        }
        for (path, rs) in ranges {
            let taken = self.accepted.entry(path).or_default();
            for r in rs {
                if !taken.contains(&r) {
                    taken.push(r);
                }
            }
        }
        true
    }

    /// The new text of every file an accepted fix changes, and its text before.
    pub(super) fn finish(mut self) -> Vec<(Arc<str>, String, String)> {
        let mut out = Vec::new();
        for (path, mut ranges) in self.accepted {
            let Some(text) = self.texts.remove(&path) else { continue };
            ranges.sort_by_key(|r| (r.start, r.end));
            let bom = if text.bom { "\u{feff}" } else { "" };
            let before = format!("{bom}{}", text.body.as_str());
            // The index goes before the new text is made: a large file's texts are most of the
            // memory a fix run holds.
            drop(text);
            let body = &before[bom.len()..];
            let mut after = String::with_capacity(before.len() + 64);
            after.push_str(bom);
            let mut at = 0;
            for r in &ranges {
                after.push_str(body.get(at..r.start).unwrap_or(""));
                after.push_str(&r.text);
                at = r.end.max(at);
            }
            after.push_str(body.get(at..).unwrap_or(""));
            out.push((path, before, after));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// The byte ranges (of the text without its byte order mark) a file change replaces.
fn byte_ranges(source: &SourceText, change: &FileChange) -> Vec<Range> {
    change
        .replacements
        .iter()
        .map(|r| {
            let start = source.offset(r.start);
            Range { start, end: source.offset(r.end).max(start), text: r.text.clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Applicability, Replacement};
    use crate::span::Pos;

    fn fix(line: u32, from: u32, to: u32, text: &str) -> Fix {
        Fix {
            description: String::new(),
            applicability: Applicability::Safe,
            changes: vec![FileChange {
                path: "a.yaml".into(),
                replacements: vec![Replacement {
                    start: Pos { line, col: from },
                    end: Pos { line, col: to },
                    text: text.into(),
                }],
            }],
        }
    }

    #[test]
    fn overlapping_fixes_wait_and_identical_ones_are_made_once() {
        let text = "\u{feff}a: x\nb: y\n";
        let read = |_: &str| Some(text.to_string());
        let mut batch = Batch::default();
        assert!(batch.offer(&fix(1, 4, 5, "\"x\""), &read));
        assert!(batch.offer(&fix(1, 4, 5, "\"x\""), &read), "the same edit again");
        assert!(!batch.offer(&fix(1, 3, 5, "z"), &read), "overlaps");
        assert!(batch.offer(&fix(2, 4, 5, "Y"), &read));
        let done = batch.finish();
        assert_eq!(done[0].2, "\u{feff}a: \"x\"\nb: Y\n");
    }
}
