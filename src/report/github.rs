//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.

use super::escape::{github_data, github_property};
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
                props.push(format!("file={}", github_property(path)));
                props.push(format!("line={}", span.start().line));
                props.push(format!("col={}", span.start().col));
                if span.end().line >= span.start().line && span.end().line > 0 {
                    props.push(format!("endLine={}", span.end().line));
                    if span.end().line == span.start().line && span.end().col > span.start().col {
                        props.push(format!("endColumn={}", span.end().col));
                    }
                }
            }
            Location::Logical { name } => message = format!("{name}: {message}"),
        }
        props.push(format!("title={}", github_property(&title)));
        if !f.help.is_empty() {
            message.push_str("\n\n");
            message.push_str(&f.help);
        }
        out.push_str(&format!("::{command} {}::{}\n", props.join(","), github_data(&message)));
    }
    if let Some(message) = outcome.audit.as_ref().and_then(super::audit::incomplete_message) {
        out.push_str(&format!(
            "::warning title={}::{}\n",
            github_property("iblint audit incomplete"),
            github_data(&message)
        ));
    }
    out
}
