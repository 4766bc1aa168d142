//! `.iblint.yaml`: rules on/off and levels, excludes, allowed tenants, suppressions.
//!
//! Parsed with the project's own span-keeping YAML tree so every error points at its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::finding::Level;
use crate::span::{Pos, Span};
use crate::yaml::{parse_stream, Limits, Node, NodeKind};

/// File names looked for, upward from the working directory.
pub const CONFIG_NAMES: &[&str] = &[".iblint.yaml", ".iblint.yml"];

/// What the config says about one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    On,
    Level(Level),
}

/// A suppression entry of the config file.
#[derive(Clone, Debug, Default)]
pub struct ConfigSuppression {
    /// Rule ids (the config may name rules by id or by name); empty means every rule.
    pub rules: Vec<String>,
    /// Globs on the finding's path, as written.
    pub paths: Vec<String>,
    /// `paths`, compiled with the same rules as `--exclude` ([`crate::glob`]).
    pub path_globs: globset::GlobSet,
    /// Objects as `Kind namespace/name` or `Kind name`.
    pub objects: Vec<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: not applied on or after this date.
    pub expires: Option<String>,
    /// The entry's position in the config file.
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Display path of the file it was read from.
    pub path: Option<Arc<str>>,
    pub rules: BTreeMap<String, (RuleSetting, Span)>,
    pub exclude: Vec<String>,
    pub tenants: Vec<String>,
    pub namespace: Option<String>,
    pub suppressions: Vec<ConfigSuppression>,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}:{}:{}: {message}", pos.line, pos.col)]
pub struct ConfigError {
    pub path: String,
    pub pos: Pos,
    pub message: String,
}

/// The nearest config file at or above `dir`, up to the root of the git work tree holding `dir`:
/// a config above the repository (in a parent checkout, the runner's home) is not the
/// repository's and must not switch its checks off.
pub fn find(dir: &Path) -> Option<PathBuf> {
    for d in dir.ancestors() {
        if let Some(found) = CONFIG_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
            return Some(found);
        }
        if d.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Reads and parses a config file.
pub fn load(path: &Path, display: Arc<str>) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: display.to_string(),
        pos: Pos { line: 1, col: 1 },
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, display)
}

/// Parses config text; unknown keys are errors (they are usually typos).
pub fn parse(text: &str, display: Arc<str>) -> Result<Config, ConfigError> {
    let err = |pos: Pos, message: String| ConfigError { path: display.to_string(), pos, message };
    let mut docs = Vec::new();
    let outcome = parse_stream(text, &Limits::default(), |n| docs.push(n));
    if let Some(e) = outcome.fatal {
        return Err(err(e.pos, e.message));
    }
    if let Some(p) = outcome.problems.into_iter().next() {
        return Err(err(p.pos, p.message));
    }
    let mut config = Config { path: Some(display.clone()), ..Config::default() };
    let Some(root) = docs.into_iter().next() else { return Ok(config) };
    if root.is_null() {
        return Ok(config);
    }
    let entries = root.as_map().ok_or_else(|| err(root.span.start(), "the config must be a mapping".into()))?;
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        match key {
            "rules" => config.rules = parse_rules(v).map_err(|(p, m)| err(p, m))?,
            "exclude" => config.exclude = globs(v).map_err(|(p, m)| err(p, m))?.0,
            "tenants" => config.tenants = strings(v).map_err(|(p, m)| err(p, m))?,
            "namespace" => config.namespace = Some(scalar(v).map_err(|(p, m)| err(p, m))?),
            "suppressions" => {
                let items = v.as_seq().ok_or_else(|| err(v.span.start(), "`suppressions` must be a list".into()))?;
                for item in items {
                    config.suppressions.push(parse_suppression(item).map_err(|(p, m)| err(p, m))?);
                }
            }
            other => {
                return Err(err(
                    k.span.start(),
                    format!("unknown key `{other}` (expected rules, exclude, tenants, namespace or suppressions)"),
                ))
            }
        }
    }
    Ok(config)
}

type Fail = (Pos, String);

fn scalar(v: &Node) -> Result<String, Fail> {
    match &v.kind {
        NodeKind::Scalar(s) => Ok(s.value.to_string()),
        _ => Err((v.span.start(), "expected a single value".into())),
    }
}

/// A list of strings, or a single string.
fn strings(v: &Node) -> Result<Vec<String>, Fail> {
    match &v.kind {
        NodeKind::Seq(items) => items.iter().map(scalar).collect(),
        NodeKind::Scalar(s) if !v.is_null() => Ok(vec![s.value.to_string()]),
        NodeKind::Scalar(_) => Ok(Vec::new()),
        NodeKind::Map(_) => Err((v.span.start(), "expected a list of strings".into())),
    }
}

/// A list of path globs, each checked where it is written: a glob that does not parse is an
/// error at its line, never dropped (an empty list of paths would match every path).
fn globs(v: &Node) -> Result<(Vec<String>, globset::GlobSet), Fail> {
    let items: Vec<&Node> = match &v.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![v],
    };
    let written = strings(v)?;
    for (item, glob) in items.iter().zip(&written) {
        crate::glob::path_globs([glob.as_str()]).map_err(|e| (item.span.start(), e.to_string()))?;
    }
    let set =
        crate::glob::path_globs(written.iter().map(String::as_str)).map_err(|e| (v.span.start(), e.to_string()))?;
    Ok((written, set))
}

fn parse_rules(v: &Node) -> Result<BTreeMap<String, (RuleSetting, Span)>, Fail> {
    let map = v
        .as_map()
        .ok_or((v.span.start(), "`rules` must map rule ids or names to off, on, error, warning or note".to_string()))?;
    let mut out = BTreeMap::new();
    for (k, val) in map {
        let id =
            crate::rules::resolve(k.as_str().unwrap_or("")).map_err(|e| (k.span.start(), e.to_string()))?.to_string();
        let setting = match scalar(val)?.to_ascii_lowercase().as_str() {
            "off" | "false" | "no" | "disabled" => RuleSetting::Off,
            "on" | "true" | "yes" | "enabled" => RuleSetting::On,
            other => RuleSetting::Level(Level::parse(other).ok_or((
                val.span.start(),
                format!("`{other}` is not a rule setting (off, on, error, warning, note)"),
            ))?),
        };
        out.insert(id, (setting, k.span));
    }
    Ok(out)
}

fn parse_suppression(item: &Node) -> Result<ConfigSuppression, Fail> {
    let map = item.as_map().ok_or((item.span.start(), "a suppression must be a mapping".to_string()))?;
    let mut s = ConfigSuppression { span: item.span, ..ConfigSuppression::default() };
    for (k, v) in map {
        match k.as_str().unwrap_or("") {
            "rules" => {
                // By id or by name; `*` is every rule (as is leaving `rules` out).
                for named in strings(v)?.iter().filter(|r| r.trim() != "*") {
                    let id = crate::rules::resolve(named).map_err(|e| (v.span.start(), e.to_string()))?;
                    s.rules.push(id.to_string());
                }
            }
            "paths" => (s.paths, s.path_globs) = globs(v)?,
            "objects" => s.objects = strings(v)?,
            "reason" => s.reason = Some(scalar(v)?).filter(|r| !r.trim().is_empty()),
            "expires" => {
                let date = scalar(v)?;
                if !is_date(&date) {
                    return Err((v.span.start(), format!("`expires` must be a date YYYY-MM-DD, not `{date}`")));
                }
                s.expires = Some(date);
            }
            other => {
                return Err((
                    k.span.start(),
                    format!("unknown suppression key `{other}` (expected rules, paths, objects, reason, expires)"),
                ))
            }
        }
    }
    if s.paths.is_empty() && s.objects.is_empty() {
        return Err((item.span.start(), "a suppression needs `paths` or `objects`".into()));
    }
    Ok(s)
}

/// Whether `s` is a `YYYY-MM-DD` date.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Config, ConfigError> {
        parse(text, Arc::from(".iblint.yaml"))
    }

    #[test]
    fn parses_a_full_config() {
        let c = p("rules:\n  IB101: off\n  ib002: warning\nexclude: [vendor/**]\ntenants: [t]\nsuppressions:\n  - rules: [IB001]\n    paths: [legacy/**]\n    reason: migrating\n    expires: 2999-01-01\n").unwrap();
        assert_eq!(c.rules["IB101"].0, RuleSetting::Off);
        assert_eq!(c.rules["IB002"].0, RuleSetting::Level(Level::Warning));
        assert_eq!(c.suppressions[0].reason.as_deref(), Some("migrating"));
        assert_eq!(c.suppressions[0].span.start().line, 7);
    }

    #[test]
    fn errors_point_at_the_bad_line() {
        let e = p("rules:\n  IB101: off\nexclued: []\n").unwrap_err();
        assert_eq!(e.pos.line, 3);
        let e = p("rules:\n  IB999: off\n").unwrap_err();
        assert_eq!(e.pos.line, 2);
        let e = p("rules:\n  IB101: sometimes\n").unwrap_err();
        assert_eq!(e.pos.line, 2);
        let e = p("rules: [\n").unwrap_err();
        assert!(e.pos.line >= 1);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
        assert_eq!(today().len(), 10);
    }
}
