//! The compact format: one line per finding, `path:line:col: level IBxxx message`, as compilers
//! print them, so editors jump to the line and `grep`/`awk` read the fields. Suppressed findings,
//! notes about skipped files and the summary are left out; an audit that could not read
//! everything says so on a last line, `CONTEXT: warning audit-incomplete …`, so the format never
//! shows a silent pass.

use crate::finding::Location;
use crate::outcome::{Fleet, Outcome};

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in outcome.findings.iter().filter(|f| f.suppression.is_none()) {
        let at = match &f.location {
            Location::File { path, span } => format!("{}:{}:{}", one_line(path), span.start().line, span.start().col),
            Location::Logical { name } => one_line(name),
        };
        out.push_str(&format!("{at}: {} {} {}\n", f.level, f.rule, one_line(&f.message)));
    }
    if let Some(audit) = &outcome.audit {
        if let Some(message) = super::audit::incomplete_message(audit) {
            out.push_str(&incomplete_line(&audit.context, &message));
        }
    }
    out
}

/// Each cluster's findings (their locations name the context), and a line for each cluster that
/// could not be audited.
pub fn fleet(fleet: &Fleet) -> String {
    let mut out = String::new();
    for m in &fleet.members {
        match &m.outcome {
            Ok(outcome) => out.push_str(&render(outcome)),
            Err(error) => {
                out.push_str(&incomplete_line(&m.context, &format!("could not audit context {}: {error}", m.context)))
            }
        }
    }
    out
}

fn incomplete_line(context: &str, message: &str) -> String {
    format!("{}: warning audit-incomplete {}\n", one_line(context), one_line(message))
}

/// A finding is one line, whatever its values hold: line breaks and other control characters
/// from the input are written as `\u{…}` escapes.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}
