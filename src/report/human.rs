//! Readable diagnostics with source snippets (miette), then notes and a summary line.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report, Severity};

use super::escape::{human as line, human_text as text_block, human_text_len};
use super::{byte_offset, Counts, RenderOptions, Sources};
use crate::docs;
use crate::finding::{Finding, Level, Location};
use crate::outcome::Outcome;

pub fn render(outcome: &Outcome, opts: &RenderOptions) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_links(false);
    let mut sources = Sources::new(outcome);
    let mut out = String::new();
    let shown = outcome.findings.iter().filter(|f| f.suppression.is_none());
    match &outcome.audit {
        None => shown.for_each(|f| render_one(&handler, &mut sources, f, &mut out)),
        Some(_) => {
            for (namespace, findings) in super::audit::by_namespace(shown) {
                out.push_str(&format!("── {} ──\n", line(&namespace)));
                findings.into_iter().for_each(|f| render_one(&handler, &mut sources, f, &mut out));
            }
        }
    }
    if opts.quiet {
        return out;
    }
    for n in &outcome.notes {
        out.push_str(&format!("note: {}: {}\n", line(&n.path), line(&n.message)));
    }
    if let Some(audit) = &outcome.audit {
        out.push_str(&super::audit::summary_table(outcome, audit));
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
    out
}

fn render_one(handler: &GraphicalReportHandler, sources: &mut Sources, f: &Finding, out: &mut String) {
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
    let mut diag =
        MietteDiagnostic::new(line(&f.message)).with_code(format!("{} {}", f.rule, name)).with_severity(severity);
    if !help.is_empty() {
        diag = diag.with_help(help);
    }
    let report = match &f.location {
        Location::File { path, span } => match sources.get(path) {
            Some(original) => {
                let shown = text_block(original);
                let start = shown_offset(original, &shown, span.start.line, span.start.col);
                let end =
                    if span.end.line > 0 { shown_offset(original, &shown, span.end.line, span.end.col) } else { start };
                let end =
                    if span.end.line == span.start.line && end > start { end } else { line_token_end(&shown, start) };
                let label = LabeledSpan::new(Some(label_for(f.level).into()), start, end.saturating_sub(start));
                Report::new(diag.with_labels([label]))
                    .with_source_code(NamedSource::new(line(path), shown.into_owned()))
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

/// The byte offset in `shown` (the escaped `original`) of a 1-based (line, character column)
/// position in `original`: escaping lengthens the characters it replaces, never the line count.
fn shown_offset(original: &str, shown: &str, line: u32, col: u32) -> usize {
    if original.len() == shown.len() {
        return byte_offset(shown, line, col);
    }
    let line_start = byte_offset(shown, line, 1);
    let Some(text) = original.split_inclusive('\n').nth(line.saturating_sub(1) as usize) else {
        return shown.len();
    };
    let chars: Vec<char> = text.trim_end_matches(['\n', '\r']).chars().collect();
    let within: usize = chars
        .iter()
        .take(col.saturating_sub(1) as usize)
        .enumerate()
        .map(|(i, c)| human_text_len(*c, chars.get(i + 1).copied()))
        .sum();
    (line_start + within).min(shown.len())
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
        Location::File { path, span } => format!("{}:{}:{}", line(path), span.start.line, span.start.col),
        Location::Logical { name } => line(name).into_owned(),
    }
}
