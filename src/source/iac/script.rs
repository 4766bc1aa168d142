//! Shell and PowerShell scripts: `az identity federated-credential create|update|delete`,
//! `New-/Update-/Remove-AzFederatedIdentityCredential(s)`, and `az rest`/`curl`/`Invoke-*` calls
//! on `.../federatedIdentityCredentials/<name>`. Line continuations, quoting and variables set to
//! a literal earlier in the same script are understood; anything else stays unresolved.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{FederatedCredential, FicAction, IdentityBindingResource, Objects, Origin, Str};
use crate::span::{Pos, Span};

/// A word of a command with the position where it starts.
#[derive(Clone, Debug)]
struct Word {
    text: String,
    pos: Pos,
    /// The word contained a `$` expansion that could not be resolved.
    unresolved: bool,
}

/// Maps a script's own line numbers to the file's (for scripts embedded in YAML).
#[derive(Clone, Copy, Debug, Default)]
pub struct Offset {
    pub lines: u32,
    pub cols: u32,
}

/// Finds every credential command and identity binding command in `text`.
pub fn scan(text: &str, path: &Arc<str>, offset: Offset, out: &mut Objects) {
    let mut vars: HashMap<String, String> = HashMap::new();
    for logical in logical_lines(text, offset) {
        for command in split_commands(words(&logical, &vars)) {
            record_assignment(&command, &mut vars);
            if let Some(fic) = credential_command(&command, path) {
                out.federated_credentials.push(fic);
            } else if let Some(binding) = identity_binding_command(&command, path) {
                out.identity_bindings.push(binding);
            }
        }
    }
}

/// `az aks identity-binding create --managed-identity-resource-id ID --cluster-name C --name N`.
fn identity_binding_command(command: &[Word], path: &Arc<str>) -> Option<IdentityBindingResource> {
    let start = command.iter().position(|w| w.text == "az")?;
    let args = &command[start..];
    let head: Vec<String> = args.iter().take(4).map(|w| w.text.to_ascii_lowercase()).collect();
    if head != ["az", "aks", "identity-binding", "create"] {
        return None;
    }
    Some(IdentityBindingResource {
        display: "az aks identity-binding create".into(),
        origin: Origin::File(path.clone()),
        anchor: Span::new(args[0].pos, args[0].pos),
        name: flag_value(args, &["--name", "-n"]),
        identity: flag_value(args, &["--managed-identity-resource-id"]).map(|s| s.value.into()),
        cluster: flag_value(args, &["--cluster-name"]).map(|s| s.value.into()),
    })
}

/// Physical lines joined at `\` (shell) and `` ` `` (PowerShell) continuations, each character
/// with its position in the file.
fn logical_lines(text: &str, offset: Offset) -> Vec<Vec<(char, Pos)>> {
    let mut out = Vec::new();
    let mut current: Vec<(char, Pos)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u32 + 1 + offset.lines;
        let trimmed = line.trim_end();
        let (body, continues) = match trimmed.strip_suffix('\\').or_else(|| trimmed.strip_suffix('`')) {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        for (c, ch) in body.chars().enumerate() {
            current.push((ch, Pos { line: line_no, col: c as u32 + 1 + offset.cols }));
        }
        current.push((' ', Pos { line: line_no, col: body.chars().count() as u32 + 1 + offset.cols }));
        if !continues {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Splits a logical line into words: quotes group, `#` starts a comment, `;`, `|`, `&&`, `||`
/// separate commands; `$VAR`/`${VAR}` expand from `vars`.
fn words(line: &[(char, Pos)], vars: &HashMap<String, String>) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let (c, pos) = line[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        if matches!(c, ';' | '|' | '&') {
            let mut sep = c.to_string();
            if i + 1 < line.len() && line[i + 1].0 == c {
                sep.push(c);
                i += 1;
            }
            out.push(Word { text: sep, pos, unresolved: false });
            i += 1;
            continue;
        }
        let mut text = String::new();
        let mut unresolved = false;
        let mut quote: Option<char> = None;
        while i < line.len() {
            let ch = line[i].0;
            match quote {
                Some(q) if ch == q => quote = None,
                Some('\'') => text.push(ch),
                None if ch == '\'' || ch == '"' => quote = Some(ch),
                None if ch.is_whitespace() || matches!(ch, ';' | '|' | '&') => break,
                _ if ch == '$' => {
                    if line.get(i + 1).is_some_and(|n| n.0 == '(') {
                        unresolved = true; // command substitution: not known before running
                    }
                    let (name, used) = variable_at(&line[i + 1..]);
                    match vars.get(&name) {
                        Some(v) if !name.is_empty() => text.push_str(v),
                        _ if name.is_empty() => text.push('$'),
                        _ => {
                            unresolved = true;
                            text.push('$');
                            text.push_str(&name);
                        }
                    }
                    i += used;
                }
                _ => text.push(ch),
            }
            i += 1;
        }
        out.push(Word { text, pos, unresolved });
    }
    out
}

/// The variable name after a `$` (`NAME` or `{NAME}`) and how many characters it used.
fn variable_at(rest: &[(char, Pos)]) -> (String, usize) {
    if rest.first().map(|c| c.0) == Some('{') {
        let name: String = rest[1..].iter().map(|c| c.0).take_while(|&c| c != '}').collect();
        return (name.clone(), name.chars().count() + 2);
    }
    let name: String = rest.iter().map(|c| c.0).take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let n = name.chars().count();
    (name, n)
}

fn split_commands(words: Vec<Word>) -> Vec<Vec<Word>> {
    let mut out = vec![Vec::new()];
    for w in words {
        if matches!(w.text.as_str(), ";" | "|" | "||" | "&&" | "&") {
            out.push(Vec::new());
        } else if let Some(last) = out.last_mut() {
            last.push(w);
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

/// `NAME=literal` (with `export`/`local`/`readonly`) and PowerShell `$Name = 'literal'`.
fn record_assignment(command: &[Word], vars: &mut HashMap<String, String>) {
    let words: Vec<&Word> =
        command.iter().skip_while(|w| matches!(w.text.as_str(), "export" | "local" | "readonly" | "declare")).collect();
    if let [w] = words.as_slice() {
        if let Some((name, value)) = w.text.split_once('=') {
            if is_name(name) && !w.unresolved && !value.contains("$(") {
                vars.insert(name.to_string(), value.to_string());
            }
        }
    }
    if let [name, eq, value] = words.as_slice() {
        if eq.text == "=" && !value.unresolved {
            if let Some(n) = name.text.strip_prefix('$').filter(|n| is_name(n)) {
                vars.insert(n.to_string(), value.text.clone());
            }
        }
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn credential_command(command: &[Word], path: &Arc<str>) -> Option<FederatedCredential> {
    let texts: Vec<&str> = command.iter().map(|w| w.text.as_str()).collect();
    let start = texts.iter().position(|t| {
        *t == "az"
            || t.to_ascii_lowercase().contains("azfederatedidentitycredential")
            || *t == "curl"
            || t.eq_ignore_ascii_case("Invoke-RestMethod")
            || t.eq_ignore_ascii_case("Invoke-AzRestMethod")
    })?;
    let args = &command[start..];
    let head: Vec<String> = args.iter().take(4).map(|w| w.text.to_ascii_lowercase()).collect();
    let (display, action, name_flags, identity_flags): (String, FicAction, &[&str], &[&str]) =
        if head.len() >= 4 && head[..3] == ["az", "identity", "federated-credential"] {
            let action = match head[3].as_str() {
                "create" => FicAction::Create,
                "update" => FicAction::Update,
                "delete" => FicAction::Delete,
                _ => return None,
            };
            (format!("az identity federated-credential {}", head[3]), action, &["--name", "-n"], &["--identity-name"])
        } else if head[0].contains("azfederatedidentitycredential") {
            let action = match head[0].split('-').next() {
                Some("new") => FicAction::Create,
                Some("update") => FicAction::Update,
                Some("remove") => FicAction::Delete,
                _ => return None,
            };
            (args[0].text.clone(), action, &["-name"], &["-identityname"])
        } else {
            return rest_call(args, path);
        };
    let mut fic = blank(display, action, path, args[0].pos);
    fic.name = flag_value(args, name_flags);
    if fic.name.is_none() {
        fic.unresolved_name = flag_word(args, name_flags).map(|w| Span::at(w.pos));
    }
    fic.identity = flag_value(args, identity_flags).map(|s| s.value.into());
    fic.issuer = flag_value(args, &["--issuer", "-issuer"]);
    fic.subject = flag_value(args, &["--subject", "-subject"]);
    fic.audiences = flag_value(args, &["--audiences", "--audience", "-audience"]).into_iter().collect();
    Some(fic)
}

fn blank(display: String, action: FicAction, path: &Arc<str>, pos: Pos) -> FederatedCredential {
    FederatedCredential {
        display,
        origin: Origin::File(path.clone()),
        meta: None,
        action,
        name: None,
        name_source: None,
        unresolved_name: None,
        anchor: Span::new(pos, pos),
        identity: None,
        issuer: None,
        subject: None,
        audiences: Vec::new(),
        reconcile_skip: false,
        repeated: false,
        trail: Vec::new(),
        deployment: None,
    }
}

/// The value of the first of `flags` (`--name x`, `--name=x`, PowerShell `-Name x`); unresolved
/// variables give no value.
fn flag_value(args: &[Word], flags: &[&str]) -> Option<Str> {
    let w = flag_word(args, flags)?;
    if w.unresolved {
        return None;
    }
    let value = match w.text.split_once('=') {
        Some((flag, v)) if flags.iter().any(|f| flag.eq_ignore_ascii_case(f)) => v,
        _ => w.text.as_str(),
    };
    Some(Str { value: value.into(), span: Span::at(w.pos) })
}

/// The word that holds the value of the first of `flags`, resolved or not.
fn flag_word<'a>(args: &'a [Word], flags: &[&str]) -> Option<&'a Word> {
    args.iter().enumerate().find_map(|(i, w)| {
        let lower = w.text.to_ascii_lowercase();
        flags.iter().find_map(|flag| {
            if lower == *flag {
                args.get(i + 1)
            } else {
                lower.starts_with(&format!("{flag}=")).then_some(w)
            }
        })
    })
}

/// `az rest`, `curl`, `Invoke-RestMethod` with a writing method on a credential URL.
fn rest_call(args: &[Word], path: &Arc<str>) -> Option<FederatedCredential> {
    let is_az_rest = args.first()?.text == "az" && args.get(1).is_some_and(|w| w.text == "rest");
    if args.first()?.text == "az" && !is_az_rest {
        return None;
    }
    let url = args.iter().find(|w| w.text.to_ascii_lowercase().contains("/federatedidentitycredentials/"))?;
    let method = args
        .iter()
        .enumerate()
        .find(|(_, w)| {
            matches!(w.text.to_ascii_lowercase().as_str(), "--method" | "-m" | "-x" | "--request" | "-method")
        })
        .and_then(|(i, _)| args.get(i + 1))
        .map(|w| w.text.to_ascii_uppercase());
    let action = match method.as_deref() {
        Some("DELETE") => FicAction::Delete,
        Some("PUT") => FicAction::Create,
        Some("PATCH") => FicAction::Update,
        _ => return None, // GET (the default) reads: no touch
    };
    let lower = url.text.to_ascii_lowercase();
    let at = lower.find("/federatedidentitycredentials/")? + "/federatedidentitycredentials/".len();
    let name: String = url.text[at..].chars().take_while(|c| !matches!(c, '?' | '/' | '"' | '\'')).collect();
    let tool = if is_az_rest { "az rest" } else { args[0].text.as_str() };
    let mut fic = blank(format!("{tool} {}", method.unwrap_or_default()), action, path, args[0].pos);
    if !url.unresolved || !name.contains('$') {
        fic.name = Some(Str { value: name.into(), span: Span::new(url.pos, url.pos) });
    }
    Some(fic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(text: &str) -> Vec<FederatedCredential> {
        let mut out = Objects::default();
        scan(text, &Arc::from("s.sh"), Offset::default(), &mut out);
        out.federated_credentials
    }

    #[test]
    fn multi_line_az_with_variables() {
        let f = scan_text("NAME=aks-identity-binding\n# az identity federated-credential delete -n x\naz identity federated-credential delete \\\n  --identity-name id \\\n  --name \"$NAME\" --yes\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].action, FicAction::Delete);
        let n = f[0].name.as_ref().unwrap();
        assert_eq!(n.value, "aks-identity-binding");
        assert_eq!((n.span.start.line, n.span.start.col), (5, 10));
        assert_eq!(f[0].identity.as_deref(), Some("id"));
    }

    #[test]
    fn unresolved_names_stay_unknown() {
        let f = scan_text("az identity federated-credential create --name \"$(date)\" --identity-name id\naz identity federated-credential create -n \"$UNSET\"\n");
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.name.is_none()));
    }

    #[test]
    fn powershell_and_rest() {
        let f = scan_text("$n = 'aks-identity-binding'\nRemove-AzFederatedIdentityCredentials -ResourceGroupName rg -IdentityName id `\n  -Name $n\naz rest --method delete --url \"https://management.azure.com/x/userAssignedIdentities/id/federatedIdentityCredentials/aks-identity-binding?api-version=2023-01-31\"\naz rest --url https://x/federatedIdentityCredentials/aks-identity-binding\n");
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].name.as_ref().unwrap().value, "aks-identity-binding");
        assert_eq!(f[0].name.as_ref().unwrap().span.start.line, 3);
        assert_eq!(f[1].action, FicAction::Delete);
        assert_eq!(f[1].name.as_ref().unwrap().value, "aks-identity-binding");
    }
}
