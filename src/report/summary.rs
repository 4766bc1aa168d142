//! The table of findings per rule that ends a human report (`check` and `audit` alike).

use std::collections::BTreeMap;

use crate::docs;
use crate::finding::Level;
use crate::outcome::Outcome;

/// One row per rule with unsuppressed findings: id, name, highest level, count; empty when there
/// are none.
pub(super) fn rule_table(outcome: &Outcome) -> String {
    let mut per_rule: BTreeMap<&str, (Level, usize)> = BTreeMap::new();
    for f in outcome.findings.iter().filter(|f| f.suppression.is_none()) {
        let entry = per_rule.entry(f.rule).or_insert((f.level, 0));
        entry.0 = entry.0.max(f.level);
        entry.1 += 1;
    }
    if per_rule.is_empty() {
        return String::new();
    }
    let mut out = format!("{:<6}  {:<30}  {:<7}  {:>8}\n", "rule", "name", "level", "findings");
    for (rule, (level, count)) in &per_rule {
        let name = docs::get(rule).map_or("", |d| d.name.as_str());
        out.push_str(&format!("{rule:<6}  {name:<30}  {:<7}  {count:>8}\n", level.as_str()));
    }
    out
}
