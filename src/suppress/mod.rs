//! Suppressions: the `iblint.io/ignore` annotation on an object, `iblint:ignore` comments in
//! the file a finding points into ([`inline`]), and config entries by path or object. Suppressed findings keep their place in the output (SARIF `suppressions`); they no
//! longer count toward the exit code.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::Config;
use crate::finding::{Finding, Location, Suppression};
use crate::model::{Inventory, ObjectRef, IGNORE_ANNOTATION};

pub mod inline;

/// A parsed `iblint.io/ignore` value (also the text of an `iblint:ignore` comment):
/// `"IB301,IB305 expires=2026-06-30 -- reason"`, rules by id or by name, the expiry optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreAnnotation {
    /// Rule ids; a name that is no rule is kept as written (IB003 reports it); empty means
    /// every rule (`*` or `all`).
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: not applied on or after this date.
    pub expires: Option<String>,
    /// An `expires=` value that is not a date (the suppression is then not applied).
    pub bad_expiry: Option<String>,
}

impl IgnoreAnnotation {
    pub fn parse(value: &str) -> IgnoreAnnotation {
        let (ids, reason) = match value.split_once("--") {
            Some((ids, reason)) => (ids, Some(reason.trim().to_string()).filter(|r| !r.is_empty())),
            None => (value, None),
        };
        let (mut expires, mut bad_expiry) = (None, None);
        let mut rules = Vec::new();
        for item in ids.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()) {
            if let Some(date) = item.strip_prefix("expires=") {
                match crate::config::is_date(date) {
                    true => expires = Some(date.to_string()),
                    false => bad_expiry = Some(date.to_string()),
                }
            } else if item != "*" && !item.eq_ignore_ascii_case("all") {
                rules.push(crate::rules::lookup(item).map_or_else(|| item.to_string(), str::to_string));
            }
        }
        IgnoreAnnotation { rules, reason, expires, bad_expiry }
    }

    /// Whether the suppression applies on `today` (`YYYY-MM-DD`): it has a reason and has not
    /// expired.
    pub fn applies(&self, today: &str) -> bool {
        self.reason.is_some() && self.bad_expiry.is_none() && self.expires.as_deref().is_none_or(|d| d > today)
    }

    pub fn covers(&self, rule: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| r == rule)
    }
}

/// What is wrong with a config suppression (reported by IB003, `rules/suppression_problem.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSuppressionProblem {
    /// No `reason`: not applied.
    NoReason { at: Location },
    /// `expires` is past: not applied.
    Expired { at: Location, expires: String },
    /// Applied, but matched no finding.
    MatchedNothing { at: Location },
}

/// Applies annotation and config suppressions to `findings` (all findings of the scope, so that
/// "matched nothing" is judged on the whole tree) and returns what is wrong with config
/// suppressions.
pub fn apply(
    findings: &mut [Finding],
    inventory: &Inventory,
    config: &Config,
    today: &str,
) -> Vec<ConfigSuppressionProblem> {
    let mut by_object: HashMap<(Option<Arc<str>>, ObjectRef), IgnoreAnnotation> = HashMap::new();
    for meta in inventory.metas() {
        if let Some(e) = meta.annotations.get(IGNORE_ANNOTATION) {
            let ignore = IgnoreAnnotation::parse(&e.value);
            if ignore.applies(today) {
                by_object.insert((meta.origin.path().cloned(), meta.object_ref()), ignore);
            }
        }
    }
    for f in findings.iter_mut() {
        let Some(object) = &f.object else { continue };
        let key = (f.origin.clone().or_else(|| f.location.path().cloned()), object.clone());
        if let Some(ignore) = by_object.get(&key).filter(|i| i.covers(f.rule)) {
            f.suppression =
                Some(Suppression { in_source: true, justification: ignore.reason.clone().unwrap_or_default() });
        }
    }

    let mut problems = Vec::new();
    let config_path = config.path.clone().unwrap_or_else(|| Arc::from(".iblint.yaml"));
    // Each finding's object as suppressions name it (`Deployment team-a/api`), written once: a
    // config of thousands of suppressions by object wrote it again for every pair.
    let object_names: Vec<Option<String>> = if config.suppressions.iter().any(|s| !s.objects.is_empty()) {
        findings.iter().map(|f| f.object.as_ref().map(ToString::to_string)).collect()
    } else {
        Vec::new()
    };
    for s in &config.suppressions {
        let at = Location::File { path: config_path.clone(), span: s.span };
        let Some(reason) = &s.reason else {
            problems.push(ConfigSuppressionProblem::NoReason { at });
            continue;
        };
        if let Some(expires) = s.expires.as_deref().filter(|e| *e <= today) {
            problems.push(ConfigSuppressionProblem::Expired { at, expires: expires.to_string() });
            continue;
        }
        let mut matched = 0usize;
        for (i, f) in findings.iter_mut().enumerate().filter(|(_, f)| f.suppression.is_none()) {
            let rule_ok = s.rules.is_empty() || s.rules.iter().any(|r| r == f.rule);
            let path_ok = s.paths.is_empty() || f.location.path().is_some_and(|p| s.path_globs.is_match(p.as_ref()));
            let object_ok = s.objects.is_empty()
                || object_names.get(i).and_then(Option::as_ref).is_some_and(|n| s.objects.contains(n));
            if rule_ok && path_ok && object_ok {
                f.suppression = Some(Suppression { in_source: false, justification: reason.clone() });
                matched += 1;
            }
        }
        if matched == 0 {
            problems.push(ConfigSuppressionProblem::MatchedNothing { at });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ignore_annotations() {
        let i = IgnoreAnnotation::parse("IB301, ib305 -- legacy app, tracked in OPS-1");
        assert_eq!(i.rules, vec!["IB301", "IB305"]);
        let named = IgnoreAnnotation::parse("missing-identity-grant,IB30x -- named");
        assert_eq!(named.rules, vec!["IB301", "IB30x"]);
        let dated = IgnoreAnnotation::parse("IB301 expires=2026-06-30 -- until the move");
        assert_eq!((dated.rules.len(), dated.expires.as_deref()), (1, Some("2026-06-30")));
        assert!(dated.applies("2026-06-29") && !dated.applies("2026-06-30"));
        let bad = IgnoreAnnotation::parse("IB301 expires=June -- r");
        assert_eq!(bad.bad_expiry.as_deref(), Some("June"));
        assert!(!bad.applies("2026-01-01"));
        assert_eq!(i.reason.as_deref(), Some("legacy app, tracked in OPS-1"));
        assert!(i.covers("IB305") && !i.covers("IB101"));
        assert_eq!(IgnoreAnnotation::parse("IB301").reason, None);
        assert_eq!(IgnoreAnnotation::parse("IB301 --  ").reason, None);
        assert!(IgnoreAnnotation::parse("* -- generated").covers("IB101"));
    }
}
