//! Plans become fixes: each edit is computed on its file's text ([`super::layout`]) as byte ranges,
//! then told as line/column replacements (what SARIF and `iblint fix` share).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use super::layout::{ByteEdit, Layout, LayoutError, Parsed};
use super::plan::{Op, Plan};
use crate::finding::{FileChange, Finding, Fix, Replacement};

/// Where the texts come from and where appended documents go.
pub struct Sources<'a> {
    /// The text of a file by display path (`None`: unreadable; a file that does not exist yet
    /// reads as empty only when it is `append_to`).
    pub text_of: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// `--grants-file`: documents a fix appends go to this file instead of the one named.
    pub append_to: Option<Arc<str>>,
}

/// The text without a byte order mark (positions never count it), and whether it had one.
pub fn without_bom(text: &str) -> (&str, bool) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, true),
        None => (text, false),
    }
}

/// Turns every finding's plans into fixes; plans that cannot be computed are dropped.
pub fn resolve_all(findings: &mut [Finding], sources: &Sources) {
    use rayon::prelude::*;
    let files = Files::default();
    findings.par_iter_mut().filter(|f| !f.plans.is_empty()).for_each(|f| {
        let plans = std::mem::take(&mut f.plans);
        f.fixes.extend(plans.iter().filter_map(|p| resolve_in(p, sources, &files).ok()));
    });
}

/// Each file's text as fixes read it, read, indexed and parsed once however many fixes edit it
/// (`None`: unreadable). A thread that asks for a file another is reading waits for it: two
/// threads reading one large file at once each parsed it whole, taking twice the time and
/// the memory of one parse.
#[derive(Default)]
struct Files(Mutex<HashMap<Arc<str>, Arc<FileCell>>>);

/// One file's parse, made by the first thread that needs it.
type FileCell = OnceLock<Option<Arc<Parsed>>>;

impl Files {
    fn get(&self, path: &Arc<str>, sources: &Sources) -> Option<Arc<Parsed>> {
        let cell = self.0.lock().unwrap_or_else(|e| e.into_inner()).entry(path.clone()).or_default().clone();
        // Read outside the map's lock: other files are read meanwhile.
        cell.get_or_init(|| (sources.text_of)(path).map(|text| Arc::new(Parsed::new(without_bom(&text).0)))).clone()
    }
}

/// The fix a plan makes, computed on the current texts.
pub fn resolve(plan: &Plan, sources: &Sources) -> Result<Fix, LayoutError> {
    resolve_in(plan, sources, &Files::default())
}

fn resolve_in(plan: &Plan, sources: &Sources, files: &Files) -> Result<Fix, LayoutError> {
    let mut by_file: BTreeMap<Arc<str>, Vec<&Op>> = BTreeMap::new();
    for edit in &plan.edits {
        let path = match (&edit.op, &sources.append_to) {
            (Op::Append { .. }, Some(to)) => to.clone(),
            _ => edit.path.clone(),
        };
        by_file.entry(path).or_default().push(&edit.op);
    }
    let mut changes = Vec::new();
    for (path, ops) in by_file {
        let appending = sources.append_to.as_ref() == Some(&path);
        let parsed = match files.get(&path, sources) {
            Some(parsed) => parsed,
            None if appending => Arc::new(Parsed::new("")),
            None => return Err(LayoutError::Moved),
        };
        let text = parsed.text();
        let json = path.to_ascii_lowercase().ends_with(".json");
        let is_yaml = json || [".yaml", ".yml"].iter().any(|e| path.to_ascii_lowercase().ends_with(e));
        let mut layout = Layout::with(text, parsed.clone(), json);
        let mut edits: Vec<ByteEdit> = Vec::new();
        for op in ops {
            let edit = match op {
                Op::Rewrite { at, old, new } => layout.rewrite(at.start(), at.end(), old, new)?,
                Op::Quote { at, value } => layout.quote(at.start(), at.end(), value)?,
                Op::Insert { parent, path, key, value } if is_yaml => {
                    layout.insert(parent.start(), path, key, value)?
                }
                Op::Remove { key } if is_yaml => layout.remove(key.start())?,
                Op::Append { text: docs } if is_yaml && !json => layout.append(docs),
                _ => return Err(LayoutError::Unsupported),
            };
            if !edits.contains(&edit) {
                edits.push(edit);
            }
        }
        edits.sort();
        if edits.windows(2).any(|w| w[0].end > w[1].start) {
            return Err(LayoutError::Unsupported); // one fix never edits the same text twice
        }
        let replacements = edits
            .into_iter()
            .map(|e| Replacement { start: parsed.pos(e.start), end: parsed.pos(e.end), text: e.text })
            .collect();
        changes.push(FileChange { path, replacements });
    }
    Ok(Fix { description: plan.description.clone(), applicability: plan.applicability, changes })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::finding::{Applicability, Level, Location};
    use crate::fix::plan::Edit;
    use crate::span::{Pos, Span};

    /// Many fixes in one file, resolved by several threads: the file is read (and parsed) once,
    /// and each fix edits its own document.
    #[test]
    fn a_file_is_read_once_however_many_threads_fix_it() {
        const DOCS: u32 = 64;
        let text: String = (0..DOCS).map(|i| format!("metadata:\n  name: a{i}\n---\n")).collect();
        let reads = AtomicUsize::new(0);
        let text_of = |_: &str| {
            reads.fetch_add(1, Ordering::SeqCst);
            Some(text.clone())
        };
        let sources = Sources { text_of: &text_of, append_to: None };
        let path: Arc<str> = "all.yaml".into();
        let mut findings: Vec<Finding> = (0..DOCS)
            .map(|i| {
                let parent = Span::at(Pos { line: 1 + 3 * i, col: 1 });
                let mut f = Finding::new("IB101", Level::Error, Location::in_file(&path, parent), "m");
                let op = Op::Insert { parent, path: Vec::new(), key: "k".into(), value: format!("{i}") };
                f.plan(Some(Plan {
                    description: "d".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit { path: path.clone(), op }],
                }));
                f
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        pool.install(|| resolve_all(&mut findings, &sources));
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        for (i, f) in findings.iter().enumerate() {
            let replacements = &f.fixes[0].changes[0].replacements;
            assert_eq!(replacements[0].start.line, 3 + 3 * i as u32, "fix {i}");
            assert!(replacements[0].text.contains(&format!("k: \"{i}\"")), "fix {i}: {replacements:?}");
        }
    }
}
