//! Rendering with external tools: `kubectl kustomize` / `kustomize build` for `--kustomize DIR`,
//! `helm template` for `--helm CHART`. The rendered text goes through the same pipeline as
//! standard input, split into named pieces:
//!
//! - kustomize output is one piece named `kustomize:<DIR>`; lines are those of the tool's output.
//! - helm output is split at its `# Source: <chart>/templates/<file>` comments, one piece per
//!   template, named `helm:<template file>` (below the chart directory the user gave). Lines are
//!   those of that template's rendered output as `helm template --show-only templates/<file>`
//!   prints it: the name says which template, the line is in its rendered document.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::remote::{self, RemoteRef};

/// Rendered text with the name findings on it are reported under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub display: String,
    pub text: String,
}

/// What to render.
#[derive(Clone, Debug)]
pub enum RenderRequest {
    Kustomize { dir: PathBuf },
    Helm(HelmRequest),
}

#[derive(Clone, Debug, Default)]
pub struct HelmRequest {
    /// A chart directory, archive or repository reference, passed to helm as given.
    pub chart: String,
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
    pub release: Option<String>,
    pub namespace: Option<String>,
}

/// What a render may do.
#[derive(Clone, Copy, Debug)]
pub struct RenderLimits {
    /// Output beyond this many bytes stops the tool and is an error (`--max-file-size`).
    pub max_output: u64,
    /// `--allow-remote`: let the tools fetch remote bases, charts and values.
    pub allow_remote: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "{what} would fetch from the network, which iblint does not allow by default (a pull request could point \
         it anywhere):\n{}\nVendor these into the repository, or pass --allow-remote to let the tool fetch them",
        list(refs)
    )]
    Remote { what: &'static str, refs: Vec<RemoteRef> },
    #[error("`{command}` printed more than {max} bytes (--max-file-size): stopped, nothing linted")]
    TooLarge { command: String, max: u64 },
    #[error("{what} needs {tools} on PATH, and none was found: install it, or render yourself and pipe the output to `iblint check -`")]
    ToolMissing { what: &'static str, tools: &'static str },
    #[error("`{command}` failed ({status}):\n{stderr}")]
    Failed { command: String, status: String, stderr: String },
    #[error("`{command}` could not be run: {source}")]
    Spawn { command: String, source: std::io::Error },
}

fn list(refs: &[RemoteRef]) -> String {
    refs.iter().map(|r| format!("  {r}")).collect::<Vec<_>>().join("\n")
}

/// Runs the tool for `request` and returns the named pieces of its output.
pub fn render(request: &RenderRequest, cwd: &Path, limits: RenderLimits) -> Result<Vec<Rendered>, RenderError> {
    match request {
        RenderRequest::Kustomize { dir } => {
            let cmd = kustomize_command(dir)?;
            if !limits.allow_remote {
                let refs = remote::kustomize_remote_refs(&cwd.join(dir));
                if !refs.is_empty() {
                    return Err(RenderError::Remote { what: "--kustomize", refs });
                }
            }
            let text = run(cmd, cwd, limits)?;
            Ok(vec![Rendered { display: format!("kustomize:{}", shown(dir)), text }])
        }
        RenderRequest::Helm(helm) => {
            let cmd = helm_command(helm)?;
            if !limits.allow_remote {
                let refs = remote::helm_remote_refs(&helm.chart, &helm.values, cwd);
                if !refs.is_empty() {
                    return Err(RenderError::Remote { what: "--helm", refs });
                }
            }
            let text = run(cmd, cwd, limits)?;
            Ok(split_helm_output(&text, &chart_dir_prefix(&helm.chart, cwd)))
        }
    }
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/").trim_end_matches('/').to_string()
}

/// `kubectl kustomize DIR` when kubectl is installed, else `kustomize build DIR`.
fn kustomize_command(dir: &Path) -> Result<Command, RenderError> {
    if let Some(kubectl) = find_on_path("kubectl") {
        let mut cmd = Command::new(kubectl);
        cmd.arg("kustomize").arg(dir);
        return Ok(cmd);
    }
    if let Some(kustomize) = find_on_path("kustomize") {
        let mut cmd = Command::new(kustomize);
        cmd.arg("build").arg(dir);
        return Ok(cmd);
    }
    Err(RenderError::ToolMissing { what: "--kustomize", tools: "`kubectl` or `kustomize`" })
}

fn helm_command(helm: &HelmRequest) -> Result<Command, RenderError> {
    let exe = find_on_path("helm").ok_or(RenderError::ToolMissing { what: "--helm", tools: "`helm`" })?;
    let mut cmd = Command::new(exe);
    cmd.arg("template");
    if let Some(release) = &helm.release {
        cmd.arg(release);
    }
    cmd.arg(&helm.chart);
    for v in &helm.values {
        cmd.arg("--values").arg(v);
    }
    for s in &helm.set {
        cmd.arg("--set").arg(s);
    }
    if let Some(ns) = &helm.namespace {
        cmd.arg("--namespace").arg(ns);
    }
    Ok(cmd)
}

/// How much of a failing tool's error output is kept for the message.
const MAX_STDERR: u64 = 64 * 1024;

/// Runs `cmd` in `cwd`, reading at most `limits.max_output` bytes of its output (a larger output
/// stops the tool); a non-zero exit is an error carrying the tool's own message. Without
/// `--allow-remote`, the tool runs with no way out to the network.
fn run(mut cmd: Command, cwd: &Path, limits: RenderLimits) -> Result<String, RenderError> {
    let command = describe(&cmd);
    if !limits.allow_remote {
        cmd.envs(remote::offline_environment());
    }
    let spawn_error = |source| RenderError::Spawn { command: command.clone(), source };
    let mut child = cmd
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error)?;
    let stderr = child.stderr.take().map(|pipe| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut pipe = pipe;
            let _ = pipe.by_ref().take(MAX_STDERR).read_to_end(&mut kept);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink()); // the rest is drained, not kept
            kept
        })
    });
    let mut stdout = Vec::new();
    let read = match child.stdout.take() {
        Some(pipe) => pipe.take(limits.max_output.saturating_add(1)).read_to_end(&mut stdout).map(|_| ()),
        None => Ok(()),
    };
    if read.is_ok() && stdout.len() as u64 > limits.max_output {
        let _ = child.kill();
        let _ = child.wait();
        return Err(RenderError::TooLarge { command, max: limits.max_output });
    }
    let status = child.wait().map_err(spawn_error)?;
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    read.map_err(spawn_error)?;
    if !status.success() {
        return Err(RenderError::Failed {
            command,
            status: status.to_string(),
            stderr: String::from_utf8_lossy(&stderr).trim_end().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&stdout).into_owned())
}

fn describe(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program()).file_name().unwrap_or(cmd.get_program()).to_string_lossy();
    let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    format!("{program} {}", args.join(" "))
}

/// The first executable called `name` on PATH (with Windows' extensions there).
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let names: Vec<String> = if cfg!(windows) {
        vec![format!("{name}.exe"), format!("{name}.cmd"), name.to_string()]
    } else {
        vec![name.to_string()]
    };
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// Where the templates of a chart directory are, as display paths start: `charts/app/` for
/// `--helm ./charts/app`. Helm names templates `<chart name>/templates/…`; that first segment is
/// replaced by this prefix. Charts that are not local directories keep helm's names (empty prefix).
fn chart_dir_prefix(chart: &str, cwd: &Path) -> Option<String> {
    let dir = cwd.join(chart);
    if !dir.join("Chart.yaml").is_file() {
        return None;
    }
    let canon_cwd = cwd.canonicalize().ok()?;
    let canon = dir.canonicalize().ok()?;
    Some(super::files::display_path(&canon, &canon_cwd).to_string())
}

/// Splits `helm template` output at its `# Source:` comments, one piece per template file (the
/// documents of one template joined in order, each with its `---` and `# Source:` lines, exactly
/// as `--show-only` prints them). Text before the first `# Source:` keeps the chart's name.
pub fn split_helm_output(text: &str, chart_dir: &Option<String>) -> Vec<Rendered> {
    let mut pieces: Vec<Rendered> = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending = String::new();
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") {
            pending.push_str(line);
            continue;
        }
        if let Some(source) = bare.strip_prefix("# Source: ") {
            let display = template_display(source.trim(), chart_dir);
            let index = match pieces.iter().position(|p| p.display == display) {
                Some(i) => i,
                None => {
                    pieces.push(Rendered { display, text: String::new() });
                    pieces.len() - 1
                }
            };
            current = Some(index);
        }
        let index = match current {
            Some(i) => i,
            None => {
                pieces.push(Rendered { display: "helm:rendered".into(), text: String::new() });
                let i = pieces.len() - 1;
                current = Some(i);
                i
            }
        };
        if let Some(piece) = pieces.get_mut(index) {
            piece.text.push_str(&pending);
            piece.text.push_str(line);
        }
        pending.clear();
    }
    pieces
}

/// `app/templates/sa.yaml` → `helm:charts/app/templates/sa.yaml` when the chart is `charts/app`.
/// The `helm:` prefix says the position is in rendered text: a finding must not land on an
/// unrelated line of the template file (in a pull request diff, say).
fn template_display(source: &str, chart_dir: &Option<String>) -> String {
    let template = match (chart_dir, source.split_once('/')) {
        (Some(dir), Some((_, rest))) if dir != "." => format!("{dir}/{rest}"),
        (Some(_), Some((_, rest))) => rest.to_string(),
        _ => source.to_string(),
    };
    format!("{HELM_PREFIX}{template}")
}

/// Display-path prefix of rendered Helm output.
pub const HELM_PREFIX: &str = "helm:";

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "---\n# Source: app/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n\
                          ---\n# Source: app/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\n\
                          ---\n# Source: app/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n";

    #[test]
    fn splits_by_template_and_keeps_show_only_lines() {
        let pieces = split_helm_output(OUTPUT, &Some("charts/app".into()));
        let names: Vec<&str> = pieces.iter().map(|p| p.display.as_str()).collect();
        assert_eq!(names, ["helm:charts/app/templates/sa.yaml", "helm:charts/app/templates/deploy.yaml"]);
        let sa = pieces.first().map(|p| p.text.as_str()).unwrap_or_default();
        assert!(sa.starts_with("---\n# Source: app/templates/sa.yaml\napiVersion: v1\n"));
        assert_eq!(sa.matches("kind: ServiceAccount").count(), 2);
    }

    #[test]
    fn remote_charts_keep_helm_names() {
        let pieces = split_helm_output(OUTPUT, &None);
        assert_eq!(pieces.first().map(|p| p.display.as_str()), Some("helm:app/templates/sa.yaml"));
    }
}
