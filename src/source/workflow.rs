//! GitHub Actions workflows (and composite actions) run scripts: every `run:` step in its shell
//! (`shell:`, `defaults.run.shell`, PowerShell on Windows runners), and the `inlineScript:` of
//! `azure/cli` (bash) and `azure/powershell` steps, with the environment each step sees —
//! `env:` at workflow, job and step level and what earlier steps wrote to `$GITHUB_ENV` — so
//! `$X` and `${{ env.X }}` expand to the value written there. Positions are the workflow's.

use std::sync::Arc;

use crate::model::Objects;
use crate::source::iac::script::{self, Dialect, Script};
use crate::source::iac::value::Text;
use crate::yaml::Node;

/// An environment: names and values in the order they apply (later ones win).
type Env = Vec<(String, Text)>;

/// Scans the scripts of the workflow (or composite action) `root` of the file `text`.
pub fn scan(root: &Node, text: &str, path: &Arc<str>, out: &mut Objects) {
    let lines: Vec<&str> = text.lines().collect();
    let workflow_env = env_of(root.get("env"), &Vec::new());
    let workflow_shell = root.path(&["defaults", "run", "shell"]).and_then(Node::as_str);
    if let Some(steps) = root.path(&["runs", "steps"]) {
        // A composite action: one job.
        job_steps(steps, &workflow_env, workflow_shell, false, &lines, path, out);
    }
    for (_, job) in root.get("jobs").and_then(Node::as_map).unwrap_or_default() {
        let env = env_of(job.get("env"), &workflow_env);
        let shell = job.path(&["defaults", "run", "shell"]).and_then(Node::as_str).or(workflow_shell);
        let windows = job.get("runs-on").is_some_and(mentions_windows);
        let Some(steps) = job.get("steps") else { continue };
        job_steps(steps, &env, shell, windows, &lines, path, out);
    }
}

fn mentions_windows(node: &Node) -> bool {
    match node.as_seq() {
        Some(items) => items.iter().any(mentions_windows),
        None => node.as_str().is_some_and(|s| s.to_ascii_lowercase().contains("windows")),
    }
}

fn job_steps(
    steps: &Node,
    job_env: &Env,
    default_shell: Option<&str>,
    windows: bool,
    lines: &[&str],
    path: &Arc<str>,
    out: &mut Objects,
) {
    // What steps append to `$GITHUB_ENV` is in the environment of the steps after them.
    let mut exported: Env = Vec::new();
    for step in steps.as_seq().unwrap_or_default() {
        let mut env = job_env.clone();
        env.extend(exported.iter().cloned());
        let env = env_of(step.get("env"), &env);
        let Some((body, dialect)) = script_of(step, default_shell, windows) else { continue };
        let Some(scalar) = body.as_scalar() else { continue };
        let (first_line, cols) = start_of(body, lines);
        let script = Script { text: &scalar.value, path, dialect, lines: first_line, cols, env: &env };
        exported.extend(script::scan(&script, out));
    }
}

/// The step's script and its language: `run:` in its shell, or an Azure action's
/// `with.inlineScript`. Shells that are not shell or PowerShell (`cmd`, `python`) are skipped.
fn script_of<'n>(step: &'n Node, default_shell: Option<&str>, windows: bool) -> Option<(&'n Node, Dialect)> {
    if let Some(run) = step.get("run") {
        let shell = step.get("shell").and_then(Node::as_str).or(default_shell);
        let dialect = match shell.map(|s| s.split_whitespace().next().unwrap_or_default().to_ascii_lowercase()) {
            Some(s) if s == "pwsh" || s == "powershell" => Dialect::PowerShell,
            Some(s) if s == "bash" || s == "sh" => Dialect::Shell,
            Some(_) => return None,
            None if windows => Dialect::PowerShell,
            None => Dialect::Shell,
        };
        return Some((run, dialect));
    }
    let uses = step.get("uses").and_then(Node::as_str)?.to_ascii_lowercase();
    let dialect = match uses.split('@').next()? {
        "azure/cli" => Dialect::Shell,
        "azure/powershell" => Dialect::PowerShell,
        _ => return None,
    };
    Some((step.path(&["with", "inlineScript"])?, dialect))
}

/// Lines and columns before a scalar's first character: a block scalar (`|`, `>`) starts on the
/// next line at its indentation; any other on its own position.
fn start_of(node: &Node, lines: &[&str]) -> (u32, u32) {
    let line = node.span.start().line;
    let block = lines.get((line as usize).saturating_sub(1)).is_some_and(|l| {
        l.chars().nth((node.span.start().col as usize).saturating_sub(1)).is_some_and(|c| c == '|' || c == '>')
    });
    if !block {
        return (line.saturating_sub(1), node.span.start().col.saturating_sub(1));
    }
    let indent =
        lines.iter().skip(line as usize).find(|l| !l.trim().is_empty()).map_or(0, |l| l.len() - l.trim_start().len());
    (line, indent as u32)
}

/// An `env:` mapping on top of `outer`: each value with where it is written; `${{ env.X }}`
/// inside a value reads `outer`, any other expression is unknown.
fn env_of(node: Option<&Node>, outer: &Env) -> Env {
    let mut env = outer.clone();
    for (k, v) in node.and_then(Node::as_map).unwrap_or_default() {
        let (Some(name), Some(value)) = (k.as_str(), v.as_str()) else { continue };
        env.push((name.to_string(), expand(value, v, outer)));
    }
    env
}

fn expand(value: &str, node: &Node, outer: &Env) -> Text {
    let mut text = Text::default();
    let mut rest = value;
    while let Some(at) = rest.find("${{") {
        text.push_str(&rest[..at], Some(node.span));
        let Some(end) = rest[at..].find("}}") else { return Text::unknown() };
        let expression = rest[at + 3..at + end].trim();
        let known = expression
            .strip_prefix("env.")
            .and_then(|name| outer.iter().rev().find(|(k, _)| k == name))
            .map(|(_, v)| v.clone());
        text.push(&known.unwrap_or_else(Text::unknown));
        rest = &rest[at + end + 2..];
    }
    text.push_str(rest, Some(node.span));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Limits};

    fn scan_text(text: &str) -> Objects {
        let mut out = Objects::default();
        parse_stream(text, &Limits::default(), |root| scan(&root, text, &Arc::from("w.yml"), &mut out));
        out
    }

    #[test]
    fn environment_at_three_levels_and_github_env() {
        let text = "env:\n  IDENTITY: orders\njobs:\n  clean:\n    runs-on: ubuntu-latest\n    env:\n      PREFIX: aks-identity\n    steps:\n      - run: echo \"SUFFIX=binding\" >> \"$GITHUB_ENV\"\n      - env:\n          FIC: ${{ env.PREFIX }}-${{ env.SUFFIX }}\n        run: |\n          az identity federated-credential delete \\\n            --identity-name \"${{ env.IDENTITY }}\" --name \"$FIC\" --yes\n";
        let out = scan_text(text);
        assert_eq!(out.federated_credentials.len(), 1);
        let f = &out.federated_credentials[0];
        assert_eq!(f.name.as_ref().map(|n| n.value.as_str()), Some("aks-identity-binding"));
        assert_eq!(f.name.as_ref().map(|n| (n.span.start().line, n.span.start().col)), Some((14, 58)));
        assert_eq!(f.name_source.map(|s| (s.start().line, s.start().col)), Some((7, 15)));
        assert_eq!(f.identity_text().as_deref(), Some("orders"));
    }

    #[test]
    fn azure_actions_and_shells() {
        let text = "jobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - uses: azure/cli@v2\n        with:\n          inlineScript: |\n            az identity federated-credential delete -n aks-identity-binding --identity-name id\n      - uses: Azure/powershell@v2\n        with:\n          azPSVersion: latest\n          inlineScript: Remove-AzFederatedIdentityCredential -Name 'aks-identity-binding' -IdentityName id -ResourceGroupName rg\n      - run: $n = 'aks-identity-binding'; Remove-AzFederatedIdentityCredential -Name $n -IdentityName id -ResourceGroupName rg\n      - run: az identity federated-credential delete -n aks-identity-binding --identity-name id\n        shell: cmd\n";
        let out = scan_text(text);
        let at: Vec<(u32, u32)> = out
            .federated_credentials
            .iter()
            .filter_map(|f| f.name.as_ref())
            .map(|n| (n.span.start().line, n.span.start().col))
            .collect();
        assert_eq!(at, [(8, 56), (12, 68), (13, 86)]);
    }
}
