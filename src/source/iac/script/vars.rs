//! Script variables: what earlier assignments and the workflow's `env:` set, and the expansion
//! of words with them. Values keep where their text was written; every value is bounded in size
//! (a line `A=$A$A` repeated forty times ends as unknown, not as a string of a trillion bytes).

use std::collections::HashMap;

use super::words::{Part, Word};
use crate::source::iac::value::Text;
use crate::span::Span;

/// A variable's value: text, or a PowerShell hashtable (for splatting).
#[derive(Clone, Debug)]
pub(super) enum Var {
    Text(Text),
    /// Keys with their values and the span of the value's word.
    Table(Vec<(String, Text, Span)>),
}

/// The variables in scope at a point of a script.
#[derive(Clone, Debug, Default)]
pub(super) struct Vars {
    vars: HashMap<String, Var>,
    /// The environment the workflow gives the step (`env:` at workflow, job and step level):
    /// what `${{ env.X }}` and PowerShell's `$env:X` read.
    env: HashMap<String, Text>,
    /// PowerShell: names ignore case (stored in lower case).
    ignore_case: bool,
}

impl Vars {
    /// Variables starting from the step's environment (which a shell also sees as variables).
    pub(super) fn new(env: &[(String, Text)], ignore_case: bool) -> Vars {
        let mut vars = Vars { ignore_case, ..Vars::default() };
        for (name, value) in env {
            vars.env.insert(name.clone(), value.clone());
            if !ignore_case {
                vars.vars.insert(name.clone(), Var::Text(value.clone()));
            }
        }
        vars
    }

    fn key(&self, name: &str) -> String {
        if self.ignore_case {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        }
    }

    pub(super) fn set(&mut self, name: &str, value: Var) {
        if let Some(env_name) = self.ignore_case.then(|| env_name(name)).flatten() {
            if let Var::Text(t) = &value {
                self.env.insert(env_name.to_string(), t.clone());
            }
            return;
        }
        let key = self.key(name);
        self.vars.insert(key, value);
    }

    pub(super) fn get(&self, name: &str) -> Option<Var> {
        if let Some(env_name) = self.ignore_case.then(|| env_name(name)).flatten() {
            return self.env_var(env_name).map(Var::Text);
        }
        let name = name.strip_prefix("script:").or_else(|| name.strip_prefix("global:")).unwrap_or(name);
        self.vars.get(&self.key(name)).cloned()
    }

    fn env_var(&self, name: &str) -> Option<Text> {
        match self.env.get(name) {
            Some(t) => Some(t.clone()),
            None => self.env.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()),
        }
    }

    /// The text of a word with its variables expanded.
    pub(super) fn expand(&self, word: &Word) -> Text {
        self.expand_parts(&word.parts)
    }

    fn expand_parts(&self, parts: &[Part]) -> Text {
        let mut text = Text::default();
        for part in parts {
            match part {
                Part::Lit(s, span) => text.push_str(s, Some(*span)),
                Part::Var { name, default } => match (self.get(name), default) {
                    (Some(Var::Text(v)), None) => text.push(&v),
                    (Some(Var::Text(v)), Some(_)) if !v.is_empty() => text.push(&v),
                    // `${NAME:-default}` with NAME unset or empty: the script's own default.
                    (Some(Var::Text(_)) | None, Some(default)) => text.push(&self.expand_parts(default)),
                    _ => text.push(&Text::unknown()),
                },
                Part::Expression(e) => text.push(&self.expression(e)),
                Part::Table(_) | Part::Splat(_) | Part::Unknown => text.push(&Text::unknown()),
            }
        }
        text
    }

    /// A GitHub Actions expression: `env.NAME` and string literals are known; `secrets`,
    /// `inputs`, `matrix`, … are not.
    pub(super) fn expression(&self, e: &str) -> Text {
        let e = e.trim();
        if let Some(name) = e.strip_prefix("env.").filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_')) {
            return self.env_var(name).unwrap_or_else(Text::unknown);
        }
        match e.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            Some(literal) if !literal.contains('\'') => Text::literal(literal, None),
            _ => Text::unknown(),
        }
    }

    /// A PowerShell hashtable word's entries, expanded.
    pub(super) fn table(&self, word: &Word) -> Option<Var> {
        match word.parts.as_slice() {
            [Part::Table(entries)] => {
                Some(Var::Table(entries.iter().map(|(k, w)| (k.clone(), self.expand(w), w.span())).collect()))
            }
            _ => None,
        }
    }
}

/// `env:NAME` → `NAME` (PowerShell's environment drive).
fn env_name(name: &str) -> Option<&str> {
    name.get(..4).filter(|p| p.eq_ignore_ascii_case("env:")).map(|_| &name[4..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Pos;

    fn word(parts: Vec<Part>) -> Word {
        Word { parts, pos: Pos::default(), end: Pos::default(), quoted: true }
    }

    fn lit(s: &str) -> Part {
        Part::Lit(s.into(), Span::default())
    }

    fn var(name: &str) -> Part {
        Part::Var { name: name.into(), default: None }
    }

    #[test]
    fn expansion_defaults_and_environment() {
        let env = [("FIC".to_string(), Text::literal("from-env", None))];
        let mut vars = Vars::new(&env, false);
        assert_eq!(vars.expand(&word(vec![lit("x-"), var("FIC")])).known().as_deref(), Some("x-from-env"));
        assert_eq!(vars.expand(&word(vec![Part::Expression("env.FIC".into())])).known().as_deref(), Some("from-env"));
        assert!(!vars.expand(&word(vec![var("UNSET")])).is_known());
        let default = Part::Var { name: "UNSET".into(), default: Some(vec![lit("dflt")]) };
        assert_eq!(vars.expand(&word(vec![default])).known().as_deref(), Some("dflt"));
        vars.set("A", Var::Text(Text::unknown()));
        let default = Part::Var { name: "A".into(), default: Some(vec![lit("dflt")]) };
        assert!(!vars.expand(&word(vec![default])).is_known());
        assert!(!vars.expand(&word(vec![Part::Expression("secrets.X".into())])).is_known());
    }

    #[test]
    fn doubling_forty_times_stays_bounded() {
        let mut vars = Vars::new(&[], false);
        vars.set("A", Var::Text(Text::literal("ab", None)));
        for _ in 0..40 {
            let doubled = vars.expand(&word(vec![var("A"), var("A")]));
            vars.set("A", Var::Text(doubled));
        }
        let Some(Var::Text(a)) = vars.get("A") else { panic!("not text") };
        assert!(!a.is_known());
    }

    #[test]
    fn powershell_names_ignore_case_and_read_the_environment() {
        let env = [("Suffix".to_string(), Text::literal("s", None))];
        let mut vars = Vars::new(&env, true);
        vars.set("Name", Var::Text(Text::literal("n", None)));
        assert_eq!(vars.expand(&word(vec![var("name"), var("env:SUFFIX")])).known().as_deref(), Some("ns"));
        vars.set("env:NEW", Var::Text(Text::literal("v", None)));
        assert_eq!(vars.expression("env.NEW").known().as_deref(), Some("v"));
    }
}
