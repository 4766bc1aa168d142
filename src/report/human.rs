//! Readable diagnostics with source snippets (miette), then notes and a summary line.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report, Severity};

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
                out.push_str(&format!("── {namespace} ──\n"));
                findings.into_iter().for_each(|f| render_one(&handler, &mut sources, f, &mut out));
            }
        }
    }
    if opts.quiet {
        return out;
    }
    for n in &outcome.notes {
        out.push_str(&format!("note: {}: {}\n", n.path, n.message));
    }
    if let Some(audit) = &outcome.audit {
        out.push_str(&super::audit::summary_table(outcome, audit));
    }
    let c = Counts::of(outcome);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let scope = match &outcome.audit {
        Some(a) => format!("{} in context {}", plural(a.objects, "object"), a.context),
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
    let mut help = f.help.clone();
    for r in &f.related {
        help.push_str(&format!("\nrelated: {}: {}", location_text(&r.location), r.message));
    }
    let mut diag =
        MietteDiagnostic::new(f.message.clone()).with_code(format!("{} {}", f.rule, name)).with_severity(severity);
    if !help.is_empty() {
        diag = diag.with_help(help);
    }
    let report = match &f.location {
        Location::File { path, span } => match sources.get(path) {
            Some(text) => {
                let start = byte_offset(text, span.start.line, span.start.col);
                let end = if span.end.line > 0 { byte_offset(text, span.end.line, span.end.col) } else { start };
                let end =
                    if span.end.line == span.start.line && end > start { end } else { line_token_end(text, start) };
                let label = LabeledSpan::new(Some(label_for(f.level).into()), start, end.saturating_sub(start));
                Report::new(diag.with_labels([label]))
                    .with_source_code(NamedSource::new(path.as_ref(), text.to_string()))
            }
            None => Report::new(diag.with_help(format!("at {}", location_text(&f.location)))),
        },
        Location::Logical { name } => Report::new(diag.with_url(name.clone())),
    };
    let mut s = String::new();
    if handler.render_report(&mut s, report.as_ref()).is_err() {
        s = format!("{}: {} [{}]\n", location_text(&f.location), f.message, f.rule);
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
        Location::File { path, span } => format!("{}:{}:{}", path, span.start.line, span.start.col),
        Location::Logical { name } => name.clone(),
    }
}
