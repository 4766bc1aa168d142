//! Shell and PowerShell scripts — files, and the `run:`/`inlineScript:` steps of workflows —
//! read as they run: commands in order, variables assigned earlier (`NAME=…`, `export`,
//! `readonly`, `declare`, `local`, PowerShell `$x = …`, hashtables for splatting) and the
//! step's environment expanded into later commands, command substitutions scanned, here-documents
//! skipped. Whatever is only known at run time stays unknown.

mod commands;
mod powershell;
mod shell;
mod vars;
mod words;

use std::sync::Arc;

use crate::model::Objects;
use crate::source::iac::value::Text;
use commands::{recognize, Arg, Found};
use vars::{Var, Vars};
use words::{positioned, Command, Part, Word};

/// Which language a script is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// POSIX shell, bash.
    Shell,
    PowerShell,
}

impl Dialect {
    /// The dialect of a script file, by its name.
    pub fn of_file(display: &str) -> Dialect {
        let lower = display.to_ascii_lowercase();
        if lower.ends_with(".ps1") || lower.ends_with(".psm1") {
            Dialect::PowerShell
        } else {
            Dialect::Shell
        }
    }
}

/// A script and where it sits in its file.
pub struct Script<'a> {
    pub text: &'a str,
    pub path: &'a Arc<str>,
    pub dialect: Dialect,
    /// Lines and columns before the script's first character in the file (a workflow step).
    pub lines: u32,
    pub cols: u32,
    /// The environment the script starts with (workflow `env:`), each value with where it was
    /// written.
    pub env: &'a [(String, Text)],
}

/// Reads the credential writes and identity bindings of `script` into `out`. Returns the
/// variables it adds to the environment of the steps after it (`NAME=value >> $GITHUB_ENV`).
pub fn scan(script: &Script, out: &mut Objects) -> Vec<(String, Text)> {
    let chars = positioned(script.text, script.lines, script.cols);
    let commands = match script.dialect {
        Dialect::Shell => shell::commands(&chars),
        Dialect::PowerShell => powershell::commands(&chars),
    };
    let mut run = Run {
        vars: Vars::new(script.env, script.dialect == Dialect::PowerShell),
        path: script.path,
        out,
        exported: Vec::new(),
    };
    for command in &commands {
        match script.dialect {
            Dialect::Shell => run.shell(command),
            Dialect::PowerShell => run.powershell(command),
        }
    }
    run.exported
}

/// Words that precede a command without being it.
const SHELL_PREFIXES: &[&str] =
    &["if", "then", "else", "elif", "do", "while", "until", "!", "time", "sudo", "command", "exec", "nohup", "{", "}"];
const DECLARATIONS: &[&str] = &["export", "readonly", "local", "declare", "typeset"];

struct Run<'a> {
    vars: Vars,
    path: &'a Arc<str>,
    out: &'a mut Objects,
    exported: Vec<(String, Text)>,
}

impl Run<'_> {
    fn shell(&mut self, command: &Command) {
        let words = &command.words;
        let mut i = 0;
        let declaration = words.first().and_then(Word::literal).is_some_and(|w| DECLARATIONS.contains(&w.as_str()));
        if declaration {
            i = 1;
            while words.get(i).and_then(Word::literal).is_some_and(|w| w.starts_with('-')) {
                i += 1;
            }
        }
        let mut assignments = Vec::new();
        while let Some(assignment) = words.get(i).and_then(assignment) {
            assignments.push(assignment);
            i += 1;
        }
        // `NAME=value` alone sets a variable; `NAME=value cmd` only sets it for `cmd`.
        if declaration || i == words.len() {
            for (name, value) in assignments {
                let text = self.vars.expand(&value);
                self.vars.set(&name, Var::Text(text));
            }
            return;
        }
        if words.get(i).and_then(Word::literal).as_deref() == Some("for") {
            // `for NAME in …`: the loop variable takes values only known when it runs.
            if let Some(name) = words.get(i + 1).and_then(Word::literal) {
                self.vars.set(&name, Var::Text(Text::unknown()));
            }
            return;
        }
        while words.get(i).and_then(Word::literal).is_some_and(|w| SHELL_PREFIXES.contains(&w.as_str())) {
            i += 1;
        }
        let args: Vec<Arg> = words[i..].iter().map(|w| self.arg(w)).collect();
        self.export(command, &args);
        self.found(&args);
    }

    fn powershell(&mut self, command: &Command) {
        let words = &command.words;
        if let (Some(name), Some("=")) =
            (words.first().and_then(Word::variable), words.get(1).and_then(Word::literal).as_deref())
        {
            let value = self.powershell_value(&words[2..]);
            self.vars.set(name, value);
            return;
        }
        let start = usize::from(words.first().and_then(Word::literal).is_some_and(|w| w == "&" || w == "."));
        let args = self.splatted(&words[start..]);
        self.export(command, &args);
        self.found(&args);
    }

    /// The value of `$x = …`: a hashtable, a string, strings joined with `+`, or — for a command
    /// (`$r = Invoke-RestMethod …`) — unknown, the command itself being read.
    fn powershell_value(&mut self, words: &[Word]) -> Var {
        if let [word] = words {
            if let Some(table) = self.vars.table(word) {
                return table;
            }
            let bare = !word.quoted && word.literal().is_some_and(|w| !w.starts_with(|c: char| c.is_ascii_digit()));
            if !bare {
                return Var::Text(self.vars.expand(word));
            }
        }
        let joined = words.iter().enumerate().all(|(k, w)| (k % 2 == 1) == (w.literal().as_deref() == Some("+")));
        if joined && words.len() % 2 == 1 && words.iter().step_by(2).all(|w| w.quoted) {
            let mut text = Text::default();
            for w in words.iter().step_by(2) {
                text.push(&self.vars.expand(w));
            }
            return Var::Text(text);
        }
        let args = self.splatted(words);
        self.found(&args);
        Var::Text(Text::unknown())
    }

    fn arg(&self, word: &Word) -> Arg {
        Arg { text: self.vars.expand(word), span: word.span() }
    }

    /// Arguments with `@name` splats replaced by `-Key value` pairs from the hashtable, the
    /// values placed at the splat (where the command uses them).
    fn splatted(&self, words: &[Word]) -> Vec<Arg> {
        let mut args = Vec::new();
        for word in words {
            let [Part::Splat(name)] = word.parts.as_slice() else {
                args.push(self.arg(word));
                continue;
            };
            match self.vars.get(name) {
                Some(Var::Table(entries)) => {
                    for (key, value, _) in entries {
                        args.push(Arg { text: Text::literal(&format!("-{key}"), None), span: word.span() });
                        args.push(Arg { text: value, span: word.span() });
                    }
                }
                _ => args.push(Arg { text: Text::unknown(), span: word.span() }),
            }
        }
        args
    }

    fn found(&mut self, args: &[Arg]) {
        if args.is_empty() {
            return;
        }
        match recognize(args, self.path) {
            Some(Found::Credential(fic)) => self.out.federated_credentials.push(*fic),
            Some(Found::Binding(binding)) => self.out.identity_bindings.push(binding),
            None => {}
        }
    }

    /// `echo "NAME=value" >> "$GITHUB_ENV"` (or PowerShell's `"NAME=value" >> $env:GITHUB_ENV`,
    /// `Add-Content -Path $env:GITHUB_ENV -Value "NAME=value"`): the later steps' environment.
    fn export(&mut self, command: &Command, args: &[Arg]) {
        let to_github_env = |w: &Word| {
            w.parts.iter().any(|p| match p {
                Part::Var { name, .. } => {
                    name.eq_ignore_ascii_case("GITHUB_ENV") || name.eq_ignore_ascii_case("env:github_env")
                }
                Part::Expression(e) => e == "env.GITHUB_ENV",
                _ => false,
            })
        };
        let first = args.first().and_then(|a| a.text.known()).unwrap_or_default().to_ascii_lowercase();
        let line: Option<Arg> =
            if command.redirects.iter().any(|(op, target)| op.starts_with(">>") && to_github_env(target)) {
                match first.as_str() {
                    "echo" | "printf" => args.get(1).cloned(),
                    _ => args.first().cloned(),
                }
            } else if first == "add-content" && command.words.iter().any(to_github_env) {
                commands::flag(args, &["-value"])
            } else {
                None
            };
        let Some(line) = line else { return };
        let (Some(name), Some(value)) = (line.text.until(&['=']).known(), line.text.after("=")) else { return };
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            self.exported.push((name, value));
        }
    }
}

/// `NAME=value` (the value's parts, its literal start moved past `=`).
fn assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(first, span)) = word.parts.first() else { return None };
    let (name, rest) = first.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return None;
    }
    let mut parts = Vec::with_capacity(word.parts.len());
    let shift = name.chars().count() as u32 + 1;
    let mut start = span.start();
    start.col += shift;
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_string(), crate::span::Span::new(start, span.end())));
    }
    parts.extend(word.parts[1..].iter().cloned());
    Some((name.to_string(), Word { parts, pos: start, end: word.end, quoted: word.quoted }))
}

#[cfg(test)]
mod tests;
