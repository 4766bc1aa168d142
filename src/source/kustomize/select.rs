//! Patch targets: `group`/`version`/`kind`/`name`/`namespace` (regular expressions matched
//! whole, against the original or the current identity) and label/annotation selectors in the
//! Kubernetes selector syntax (`app=api,tier in (web, api),!legacy`).

use regex::Regex;

use super::resource::Resource;
use crate::yaml::Node;

/// A patch's `target:` as written.
#[derive(Clone, Debug, Default)]
pub(super) struct Selector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
}

impl Selector {
    pub(super) fn read(node: &Node) -> Selector {
        let text = |k: &str| node.get(k).filter(|v| !v.is_null()).and_then(Node::as_str).unwrap_or("").to_string();
        Selector {
            group: text("group"),
            version: text("version"),
            kind: text("kind"),
            name: text("name"),
            namespace: text("namespace"),
            label_selector: text("labelSelector"),
            annotation_selector: text("annotationSelector"),
        }
    }

    /// The selector ready to match; a bad regular expression or selector is an error message.
    pub(super) fn compile(&self) -> Result<Compiled, String> {
        let pattern = |field: &str, p: &str| -> Result<Option<Regex>, String> {
            if p.is_empty() {
                return Ok(None);
            }
            Regex::new(&format!("^(?:{p})$")).map(Some).map_err(|e| format!("target {field} `{p}`: {e}"))
        };
        Ok(Compiled {
            group: pattern("group", &self.group)?,
            version: pattern("version", &self.version)?,
            kind: pattern("kind", &self.kind)?,
            name: pattern("name", &self.name)?,
            namespace: pattern("namespace", &self.namespace)?,
            labels: parse_selector(&self.label_selector).map_err(|e| format!("labelSelector: {e}"))?,
            annotations: parse_selector(&self.annotation_selector).map_err(|e| format!("annotationSelector: {e}"))?,
        })
    }
}

/// A compiled target.
pub(super) struct Compiled {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

impl Compiled {
    pub(super) fn matches(&self, r: &Resource) -> bool {
        let (cur, org) = (r.cur_id_ref(), r.org_id_ref());
        let is = |re: &Option<Regex>, a: &str, b: &str| re.as_ref().is_none_or(|re| re.is_match(a) || re.is_match(b));
        is(&self.namespace, org.effective_namespace(), cur.effective_namespace())
            && is(&self.name, org.name, cur.name)
            && is(&self.group, cur.group, cur.group)
            && is(&self.version, cur.version, cur.version)
            && is(&self.kind, cur.kind, cur.kind)
            && self.labels.iter().all(|req| req.matches(|k| r.meta_value("labels", k)))
            && self.annotations.iter().all(|req| req.matches(|k| r.meta_value("annotations", k)))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Op {
    Exists,
    NotExists,
    Equals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
}

#[derive(Clone, Debug, PartialEq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

impl Requirement {
    fn matches<'a>(&self, value_of: impl Fn(&str) -> Option<&'a str>) -> bool {
        let value = value_of(&self.key);
        let number = |v: &str| v.parse::<i64>().ok();
        match self.op {
            Op::Exists => value.is_some(),
            Op::NotExists => value.is_none(),
            Op::Equals | Op::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Op::NotEquals | Op::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Op::GreaterThan | Op::LessThan => {
                let (Some(v), Some(bound)) = (value.and_then(number), self.values.first().and_then(|b| number(b)))
                else {
                    return false;
                };
                if self.op == Op::GreaterThan {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    }
}

/// Parses a selector string; empty selects everything.
fn parse_selector(text: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (requirement, after) = parse_requirement(rest)?;
        out.push(requirement);
        rest = after.trim_start();
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return Err(format!("expected `,` at `{rest}`")),
        }
    }
    Ok(out)
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

fn parse_requirement(text: &str) -> Result<(Requirement, &str), String> {
    let (negated, text) = match text.strip_prefix('!') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let end = text.find(|c: char| !is_key_char(c)).unwrap_or(text.len());
    let (key, rest) = (text[..end].to_string(), text[end..].trim_start());
    if key.is_empty() {
        return Err(format!("expected a key at `{text}`"));
    }
    if negated {
        return Ok((Requirement { key, op: Op::NotExists, values: Vec::new() }, rest));
    }
    for (token, op) in
        [("==", Op::Equals), ("!=", Op::NotEquals), ("=", Op::Equals), (">", Op::GreaterThan), ("<", Op::LessThan)]
    {
        if let Some(after) = rest.strip_prefix(token) {
            let after = after.trim_start();
            let end = after.find(|c: char| c == ',' || c.is_whitespace()).unwrap_or(after.len());
            return Ok((Requirement { key, op, values: vec![after[..end].to_string()] }, &after[end..]));
        }
    }
    for (word, op) in [("notin", Op::NotIn), ("in", Op::In)] {
        let Some(after) = rest.strip_prefix(word).map(str::trim_start).filter(|a| a.starts_with('(')) else {
            continue;
        };
        let inner = &after[1..];
        let close = inner.find(')').ok_or_else(|| "a `(` is never closed".to_string())?;
        let values = inner[..close].split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        return Ok((Requirement { key, op, values }, &inner[close + 1..]));
    }
    Ok((Requirement { key, op: Op::Exists, values: Vec::new() }, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<&'static str> {
        let owned: Vec<(String, &'static str)> =
            pairs.iter().map(|(k, v)| (k.to_string(), &*Box::leak(v.to_string().into_boxed_str()))).collect();
        move |k| owned.iter().find(|(key, _)| key == k).map(|(_, v)| *v)
    }

    #[test]
    fn selector_syntax() {
        let sel = parse_selector("app=api, tier in (web, api),!legacy,env!=dev,rank>2").expect("parses");
        assert_eq!(sel.len(), 5);
        let ok = labels(&[("app", "api"), ("tier", "web"), ("env", "prod"), ("rank", "3")]);
        assert!(sel.iter().all(|r| r.matches(&ok)));
        let legacy = labels(&[("app", "api"), ("tier", "web"), ("legacy", "x"), ("rank", "3")]);
        assert!(!sel.iter().all(|r| r.matches(&legacy)));
        assert!(parse_selector("").expect("empty").is_empty());
        assert!(parse_selector("a in (b").is_err());
        let notin = parse_selector("a notin (x)").expect("parses");
        assert!(notin[0].matches(labels(&[])));
    }
}
