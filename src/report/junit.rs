//! The JUnit XML format, for CI systems that show test reports (Jenkins, GitLab, Azure Pipelines,
//! CircleCI): valid against the Jenkins/Surefire JUnit schema (junit-10.xsd).
//!
//! Each file (or live object) with findings is a `<testsuite>` named by its path; each finding is
//! a `<testcase>` named `IBxxx rule-name at path:line:col` with the path as `classname`, holding
//! a `<failure>` whose `type` is the level and whose text is the message, the help and the
//! related locations. Suppressed findings are `<skipped>` with their justification. A run without
//! findings is one passing test case, so a report always shows that the linter ran. An audit
//! that could not read everything its rules need (or a fleet's cluster that could not be audited)
//! is a test case in `<error>`: the check did not run, which is not a pass.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::docs;
use crate::finding::{Finding, Location};
use crate::outcome::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let parts: Vec<Suites> = match &outcome.fleet {
        Some(fleet) => fleet
            .members
            .iter()
            .map(|m| match &m.outcome {
                Ok(member) => suites(member),
                Err(error) => not_run(&m.context, &format!("could not audit context {}: {error}", m.context)),
            })
            .collect(),
        None => vec![suites(outcome)],
    };
    let tests: usize = parts.iter().map(|p| p.tests).sum();
    let failures: usize = parts.iter().map(|p| p.failures).sum();
    let errors: usize = parts.iter().map(|p| p.errors).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"iblint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">");
    for part in &parts {
        out.push_str(&part.xml);
    }
    out.push_str("</testsuites>\n");
    out
}

/// `<testsuite>` elements and their counts.
struct Suites {
    tests: usize,
    failures: usize,
    errors: usize,
    xml: String,
}

/// An outcome's suites: one per file or live object with findings (or one passing test case),
/// and for an audit that could not read everything, a test case in error.
fn suites(outcome: &Outcome) -> Suites {
    let mut suites: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        suites.entry(location_name(&f.location, false)).or_default().push(f);
    }
    let failures = outcome.findings.iter().filter(|f| f.suppression.is_none()).count();
    let mut out = String::new();
    if suites.is_empty() {
        let name = match &outcome.audit {
            Some(audit) => format!("no findings in context {}", audit.context),
            None => {
                let files = outcome.files_read;
                format!("no findings in {files} file{}", if files == 1 { "" } else { "s" })
            }
        };
        let _ = writeln!(out, "  <testsuite name=\"iblint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">");
        let _ = writeln!(out, "    <testcase name=\"{}\" classname=\"iblint\"/>", attr(&name));
        out.push_str("  </testsuite>\n");
    }
    for (name, findings) in &suites {
        let skipped = findings.iter().filter(|f| f.suppression.is_some()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{skipped}\">",
            attr(name),
            findings.len(),
            findings.len() - skipped
        );
        for f in findings {
            testcase(f, name, &mut out);
        }
        out.push_str("  </testsuite>\n");
    }
    let mut part = Suites { tests: outcome.findings.len().max(1), failures, errors: 0, xml: out };
    let incomplete = outcome.audit.as_ref().and_then(|a| Some((a, super::audit::incomplete_message(a)?)));
    if let Some((audit, message)) = incomplete {
        let error = not_run(&audit.context, &message);
        part.tests += error.tests;
        part.errors += error.errors;
        part.xml.push_str(&error.xml);
    }
    part
}

/// A check that could not run (a list of the audit not read, a cluster not reached): a test case
/// in error, which CI systems show apart from failures.
fn not_run(context: &str, message: &str) -> Suites {
    let suite = format!("audit of context {context}");
    let mut xml = String::new();
    let _ =
        writeln!(xml, "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">", attr(&suite));
    let _ = writeln!(xml, "    <testcase name=\"audit complete\" classname=\"{}\">", attr(&suite));
    let _ = writeln!(xml, "      <error type=\"incomplete\" message=\"{}\">{}</error>", attr(message), text(message));
    xml.push_str("    </testcase>\n  </testsuite>\n");
    Suites { tests: 1, failures: 0, errors: 1, xml }
}

fn testcase(f: &Finding, suite: &str, out: &mut String) {
    let rule_name = docs::get(f.rule).map_or("", |d| d.name.as_str());
    let name = format!("{} {rule_name} at {}", f.rule, location_name(&f.location, true));
    let _ = writeln!(out, "    <testcase name=\"{}\" classname=\"{}\">", attr(&name), attr(suite));
    match &f.suppression {
        Some(s) => {
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", attr(&format!("suppressed: {}", s.justification)));
        }
        None => {
            let mut body = format!("{}: {} {} {}", location_name(&f.location, true), f.level, f.rule, f.message);
            if !f.help.is_empty() {
                body.push_str("\n\n");
                body.push_str(&f.help);
            }
            for r in &f.related {
                let _ = write!(body, "\nrelated: {}: {}", location_name(&r.location, true), r.message);
            }
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                f.level,
                attr(&f.message),
                text(&body)
            );
        }
    }
    out.push_str("    </testcase>\n");
}

/// A file's path (with `:line:col` when `position`), or a live object's logical name.
fn location_name(l: &Location, position: bool) -> String {
    match l {
        Location::File { path, span } if position => format!("{path}:{}:{}", span.start().line, span.start().col),
        Location::File { path, .. } => path.to_string(),
        Location::Logical { name } => name.clone(),
    }
}

/// Element text: markup escaped, and characters XML 1.0 cannot carry written as `\u{…}`.
fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value: as [`text`], with quotes and line breaks escaped too (a parser would turn
/// a literal line break into a space).
fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if !allowed_in_xml(c) || c == '\r' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// XML 1.0's `Char` production, less the line breaks and tabs handled above.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_characters_xml_cannot_carry() {
        assert_eq!(attr("a<b>&\"c\"\nd"), "a&lt;b&gt;&amp;&quot;c&quot;&#10;d");
        assert_eq!(text("x\u{1b}[31m\u{0}y\n"), "x\\u{1b}[31m\\u{0}y\n");
        assert_eq!(text("\u{FFFE}"), "\\u{fffe}");
    }
}
