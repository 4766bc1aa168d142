//! Rule documentation: `rules/<ID>.md`, embedded at build time. The front matter is the single
//! source of rule metadata (name, level, tags, precision, security severity, summary).

use std::sync::OnceLock;

use crate::finding::Level;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// One rule's documentation and metadata.
#[derive(Debug, Clone)]
pub struct RuleDoc {
    pub id: &'static str,
    pub name: String,
    pub level: Level,
    pub tags: Vec<String>,
    /// SARIF precision: `very-high`, `high`, `medium`, `low`.
    pub precision: String,
    pub security_severity: Option<String>,
    pub summary: String,
    /// The Markdown body after the front matter.
    pub body: &'static str,
}

impl RuleDoc {
    pub fn is_security(&self) -> bool {
        self.tags.iter().any(|t| t == "security")
    }

    /// The body as plain text (headings and fences kept, which read fine in a terminal).
    pub fn text(&self) -> &str {
        self.body.trim()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("rules/{id}.md: {message}")]
pub struct DocError {
    pub id: String,
    pub message: String,
}

/// Every rule document, parsed once.
pub fn all() -> &'static [RuleDoc] {
    static DOCS: OnceLock<Vec<RuleDoc>> = OnceLock::new();
    DOCS.get_or_init(|| RULE_DOCS.iter().map(|(id, text)| parse(id, text).unwrap_or_else(|e| broken(id, e))).collect())
}

/// A document whose front matter is broken still yields a usable entry; `tests/docs.rs` fails on it.
fn broken(id: &'static str, e: DocError) -> RuleDoc {
    RuleDoc {
        id,
        name: format!("broken-doc: {}", e.message),
        level: Level::Error,
        tags: Vec::new(),
        precision: "low".into(),
        security_severity: None,
        summary: String::new(),
        body: "",
    }
}

/// The document of rule `id`.
pub fn get(id: &str) -> Option<&'static RuleDoc> {
    all().iter().find(|d| d.id.eq_ignore_ascii_case(id))
}

/// Parses the front matter (`key: value` lines between `---` fences).
pub fn parse(id: &'static str, text: &'static str) -> Result<RuleDoc, DocError> {
    let err = |m: &str| DocError { id: id.to_string(), message: m.to_string() };
    let rest = text.strip_prefix("---\n").ok_or_else(|| err("missing front matter"))?;
    let end = rest.find("\n---\n").ok_or_else(|| err("unterminated front matter"))?;
    let (front, body) = (&rest[..end], &rest[end + 5..]);
    let mut doc = RuleDoc {
        id,
        name: String::new(),
        level: Level::Error,
        tags: Vec::new(),
        precision: "high".into(),
        security_severity: None,
        summary: String::new(),
        body,
    };
    let mut seen_id = false;
    for line in front.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once(':').ok_or_else(|| err(&format!("bad front matter line `{line}`")))?;
        let value = value.trim().trim_matches('"');
        match key.trim() {
            "id" if value == id => seen_id = true,
            "id" => return Err(err(&format!("id `{value}` does not match the file name"))),
            "name" => doc.name = value.to_string(),
            "level" => doc.level = Level::parse(value).ok_or_else(|| err("level must be error, warning or note"))?,
            "tags" => {
                doc.tags = value
                    .trim_matches(['[', ']'])
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            "precision" => doc.precision = value.to_string(),
            "security-severity" => doc.security_severity = Some(value.to_string()),
            "summary" => doc.summary = value.to_string(),
            other => return Err(err(&format!("unknown front matter key `{other}`"))),
        }
    }
    if !seen_id || doc.name.is_empty() || doc.summary.is_empty() {
        return Err(err("front matter needs id, name and summary"));
    }
    for section in ["## What it flags", "## Why it matters", "## Precision", "## Example", "## Fix", "## References"] {
        if !body.contains(section) {
            return Err(err(&format!("missing section `{section}`")));
        }
    }
    // The precision section states the claim SARIF carries, then what it rests on.
    let claim = match doc.precision.as_str() {
        "very-high" => "Very high:",
        "high" => "High:",
        "medium" => "Medium:",
        "low" => "Low:",
        other => return Err(err(&format!("precision `{other}` is not very-high, high, medium or low"))),
    };
    let stated = body.split("## Precision\n").nth(1).is_some_and(|s| s.starts_with(claim));
    if !stated {
        return Err(err(&format!("the `## Precision` section must open with `{claim}` (the front matter's claim)")));
    }
    Ok(doc)
}
