//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.

use crate::docs;
use crate::finding::{Level, Location};
use crate::outcome::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in outcome.findings.iter().filter(|f| f.suppression.is_none()) {
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let name = docs::get(f.rule).map_or("", |d| d.name.as_str());
        let title = format!("{} {}", f.rule, name);
        let mut props = Vec::new();
        let mut message = f.message.clone();
        match &f.location {
            Location::File { path, span } => {
                props.push(format!("file={}", escape_property(path)));
                props.push(format!("line={}", span.start.line));
                props.push(format!("col={}", span.start.col));
                if span.end.line >= span.start.line && span.end.line > 0 {
                    props.push(format!("endLine={}", span.end.line));
                    if span.end.line == span.start.line && span.end.col > span.start.col {
                        props.push(format!("endColumn={}", span.end.col));
                    }
                }
            }
            Location::Logical { name } => message = format!("{name}: {message}"),
        }
        props.push(format!("title={}", escape_property(&title)));
        if !f.help.is_empty() {
            message.push_str("\n\n");
            message.push_str(&f.help);
        }
        out.push_str(&format!("::{command} {}::{}\n", props.join(","), escape_data(&message)));
    }
    out
}

/// Escaping of a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
