//! Readable diagnostics with source snippets (miette), then notes, a table of findings per rule
//! and a summary line.
//!
//! Each finding starts with its level in words, its rule id and name (`error IB301
//! missing-identity-grant`) besides miette's symbol. Prose is wrapped to the terminal by
//! [`super::wrap`], never a path, an identifier or a line of the YAML to add: miette's own
//! wrapping (which breaks words and hyphenated names) is off.

use std::collections::HashMap;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, Report, Severity};

use super::escape::{human as line, human_text as text_block, human_text_len};
use super::snippet::Snippet;
use super::{Counts, RenderOptions};
use crate::docs;
use crate::finding::{Finding, Level, Location};
use crate::outcome::Outcome;
use crate::span::{Pos, SourceText};

pub fn render(outcome: &Outcome, opts: &RenderOptions) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler =
        GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_links(false).with_wrap_lines(false);
    let mut sources = Shown::new(outcome);
    let mut out = String::new();
    let shown = outcome.findings.iter().filter(|f| f.suppression.is_none());
    match &outcome.audit {
        None => shown.for_each(|f| render_one(&handler, opts.width, &mut sources, f, &mut out)),
        Some(_) => {
            for (namespace, findings) in super::audit::by_namespace(shown) {
                out.push_str(&format!("── {} ──\n", line(&namespace)));
                findings.into_iter().for_each(|f| render_one(&handler, opts.width, &mut sources, f, &mut out));
            }
        }
    }
    if !opts.quiet {
        summary(outcome, &mut out);
    }
    // Said even with -q: a quiet pass must not hide that the audit could not check everything.
    if let Some(message) = outcome.audit.as_ref().and_then(super::audit::incomplete_message) {
        out.push_str(&format!("warning: {}\n", line(&message)));
    }
    out
}

/// Notes, the audit's tables and the count line.
fn summary(outcome: &Outcome, out: &mut String) {
    for n in &outcome.notes {
        out.push_str(&format!("note: {}: {}\n", line(&n.path), line(&n.message)));
    }
    match &outcome.audit {
        Some(audit) => out.push_str(&super::audit::summary_table(outcome, audit)),
        None => {
            let table = super::summary::rule_table(outcome);
            if !table.is_empty() {
                out.push('\n');
                out.push_str(&table);
                out.push('\n');
            }
        }
    }
    let c = Counts::of(outcome);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let scope = match &outcome.audit {
        Some(a) => format!("{} in context {}", plural(a.objects, "object"), line(&a.context)),
        None => plural(outcome.files_read, "file"),
    };
    out.push_str(&format!(
        "{}, {}, {}{} in {}\n",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        plural(c.note, "note"),
        if c.suppressed > 0 { format!(" ({} suppressed)", c.suppressed) } else { String::new() },
        scope,
    ));
}

/// The texts snippets show, escaped once per file (not once per finding).
struct Shown<'a> {
    outcome: &'a Outcome,
    escaped: HashMap<&'a str, ShownText>,
}

struct ShownText {
    original: Arc<SourceText>,
    /// `original` with hostile characters escaped; the same text when there were none.
    shown: Arc<SourceText>,
}

impl<'a> Shown<'a> {
    fn new(outcome: &'a Outcome) -> Self {
        Shown { outcome, escaped: HashMap::new() }
    }

    fn get(&mut self, path: &'a str) -> Option<&ShownText> {
        if !self.escaped.contains_key(path) {
            let original = self.outcome.texts.get(path)?.clone();
            let shown = match text_block(original.as_str()) {
                std::borrow::Cow::Borrowed(_) => original.clone(),
                std::borrow::Cow::Owned(escaped) => Arc::new(SourceText::new(escaped)),
            };
            self.escaped.insert(path, ShownText { original, shown });
        }
        self.escaped.get(path)
    }
}

impl ShownText {
    /// The byte offset in the shown text of a position in the original: escaping lengthens the
    /// characters it replaces, never the line count.
    fn offset(&self, pos: Pos) -> usize {
        if Arc::ptr_eq(&self.original, &self.shown) {
            return self.shown.offset(pos);
        }
        let Some(line) = (pos.line as usize).checked_sub(1).filter(|&l| l < self.original.line_count()) else {
            return self.shown.as_str().len();
        };
        let text = &self.original.as_str()[self.original.line_start(line)..self.original.line_start(line + 1)];
        let chars: Vec<char> = text.trim_end_matches(['\n', '\r']).chars().collect();
        let within: usize = chars
            .iter()
            .take(pos.col.saturating_sub(1) as usize)
            .enumerate()
            .map(|(i, c)| human_text_len(*c, chars.get(i + 1).copied()))
            .sum();
        (self.shown.line_start(line) + within).min(self.shown.as_str().len())
    }
}

/// miette's margins: `  × ` before a message, `  help: ` before a help text.
const MESSAGE_MARGIN: usize = 4;
const HELP_MARGIN: usize = 8;

fn render_one<'a>(
    handler: &GraphicalReportHandler,
    width: usize,
    sources: &mut Shown<'a>,
    f: &'a Finding,
    out: &mut String,
) {
    let name = docs::get(f.rule).map_or("", |d| d.name.as_str());
    let severity = match f.level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Note => Severity::Advice,
    };
    // Every value below may come from the input: escaped before miette lays it out.
    let mut help = text_block(&f.help).into_owned();
    for r in &f.related {
        help.push_str(&format!("\nrelated: {}: {}", location_text(&r.location), line(&r.message)));
    }
    let message = super::wrap::prose(&line(&f.message), width.saturating_sub(MESSAGE_MARGIN));
    let mut diag =
        MietteDiagnostic::new(message).with_code(format!("{} {} {}", f.level, f.rule, name)).with_severity(severity);
    if !help.is_empty() {
        diag = diag.with_help(super::wrap::prose(&help, width.saturating_sub(HELP_MARGIN)));
    }
    let report = match &f.location {
        Location::File { path, span } => match sources.get(path) {
            Some(text) => {
                let start = text.offset(span.start());
                let end = if span.end().line > 0 { text.offset(span.end()) } else { start };
                let end = if span.end().line == span.start().line && end > start {
                    end
                } else {
                    line_token_end(text.shown.as_str(), start)
                };
                let label = LabeledSpan::new(Some(label_for(f.level).into()), start, end.saturating_sub(start));
                let name: Arc<str> = Arc::from(line(path));
                Report::new(diag.with_labels([label])).with_source_code(Snippet::new(&name, &text.shown))
            }
            None => Report::new(diag.with_help(format!("at {}", location_text(&f.location)))),
        },
        Location::Logical { name } => Report::new(diag.with_url(line(name))),
    };
    let mut s = String::new();
    if handler.render_report(&mut s, report.as_ref()).is_err() {
        s = format!("{}: {} [{}]\n", location_text(&f.location), line(&f.message), f.rule);
    }
    out.push_str(&s);
}

/// The end of the token starting at `start` (to the end of the line at most), so a label
/// underlines a key or value rather than one character.
fn line_token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    let token = rest[..line_end].trim_end();
    start + token.len().max(1).min(rest.len())
}

fn label_for(level: Level) -> &'static str {
    match level {
        Level::Error => "here",
        Level::Warning => "here",
        Level::Note => "note",
    }
}

pub fn location_text(l: &Location) -> String {
    match l {
        Location::File { path, span } => format!("{}:{}:{}", line(path), span.start().line, span.start().col),
        Location::Logical { name } => line(name).into_owned(),
    }
}
