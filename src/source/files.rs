//! Finding the files to read: walking paths and the reference scope, honouring ignore files,
//! excludes and Helm chart directories.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use crate::model::SkipNote;

/// What kind of source a file is, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.yaml`, `.yml`, `.json`: Kubernetes manifests (and ARM templates, workflow YAML).
    Manifest,
    /// `.tf`, `.tf.json`, `.tfvars`, `.tfvars.json`: evaluated a module (directory) at a time.
    Terraform,
    Bicep,
    /// `.bicepparam`: parameter values for a Bicep file (evaluated with the file it `using`s).
    BicepParams,
    /// `.sh`, `.bash`, `.ps1`, `.psm1`.
    Script,
}

impl FileKind {
    /// A word for the kind (in cache keys).
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Manifest => "manifest",
            FileKind::Terraform => "terraform",
            FileKind::Bicep => "bicep",
            FileKind::BicepParams => "bicepparam",
            FileKind::Script => "script",
        }
    }

    pub fn of(path: &Path) -> Option<FileKind> {
        // Asked of every file a walk meets (twice): the name is found once (a path's components
        // are parsed again at each ask), and compared in place, ASCII case ignored.
        let name = path.file_name()?.to_str()?;
        if crate::source::iac::terraform::is_terraform_name(name) {
            return Some(FileKind::Terraform);
        }
        let ext = Path::new(name).extension()?.to_str()?;
        let any = |names: &[&str]| names.iter().any(|n| ext.eq_ignore_ascii_case(n));
        Some(if any(&["yaml", "yml", "json"]) {
            FileKind::Manifest
        } else if any(&["bicep"]) {
            FileKind::Bicep
        } else if any(&["bicepparam"]) {
            FileKind::BicepParams
        } else if any(&["sh", "bash", "ps1", "psm1"]) {
            FileKind::Script
        } else {
            return None;
        })
    }
}

/// A file to read.
#[derive(Clone, Debug)]
pub struct FileEntry {
    pub path: PathBuf,
    /// Relative to the working directory where possible, `/`-separated.
    pub display: Arc<str>,
    pub kind: FileKind,
    /// Findings are reported only for files under the paths the user gave.
    pub reported: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

pub struct WalkOptions<'a> {
    pub paths: &'a [PathBuf],
    /// The tree indexed for references; `None`: the git work tree holding the paths, else the paths.
    pub scope: Option<&'a Path>,
    pub excludes: &'a GlobSet,
    /// The working directory, canonicalized.
    pub cwd: &'a Path,
    /// `--follow-symlinks`: follow symbolic links wherever they lead. Otherwise a given path
    /// whose links lead out of the scope is skipped with a note, and links met in the walk are
    /// not followed (what they point to inside the scope is read under its own name).
    pub follow_symlinks: bool,
}

pub struct Walked {
    pub files: Vec<FileEntry>,
    pub notes: Vec<SkipNote>,
}

/// Lists every file to read, sorted by display path.
pub fn walk(opts: &WalkOptions) -> Result<Walked, WalkError> {
    let scope = match opts.scope {
        Some(s) => Some(
            opts.cwd.join(s).canonicalize().map_err(|e| WalkError::Io { path: s.display().to_string(), source: e })?,
        ),
        // Where the paths are as written, not where their links lead: a link out of the
        // repository must not move the scope with it.
        None => opts.paths.first().and_then(|p| git_work_tree(&lexical(&opts.cwd.join(p)))),
    };
    let mut targets = Vec::new();
    let mut link_notes = Vec::new();
    for p in opts.paths {
        let abs = opts.cwd.join(p);
        let canon = abs.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => WalkError::NotFound { path: p.display().to_string() },
            _ => WalkError::Io { path: p.display().to_string(), source: e },
        })?;
        let inside = |dir: &Path| lexical(&abs).starts_with(dir) && !canon.starts_with(dir);
        // Outside a repository and without --scope, the working directory is the bound.
        let bound = scope.as_deref().unwrap_or(opts.cwd);
        if !opts.follow_symlinks && inside(bound) {
            link_notes.push(SkipNote {
                path: display_path(&lexical(&abs), opts.cwd).to_string(),
                message: format!(
                    "a symbolic link to {}, outside {}: not followed (--follow-symlinks to follow it)",
                    canon.display(),
                    display_path(bound, opts.cwd)
                ),
            });
            continue;
        }
        targets.push(canon);
    }
    let mut roots: Vec<PathBuf> = scope.iter().cloned().collect();
    roots.extend(targets.iter().filter(|t| scope.as_ref().is_none_or(|s| !t.starts_with(s))).cloned());

    let found = Mutex::new(Vec::<PathBuf>::new());
    let notes = Mutex::new(Vec::<SkipNote>::new());
    for root in &roots {
        if root.is_file() {
            found.lock().map_err(|_| poisoned())?.push(root.clone());
            continue;
        }
        walk_dir(root, opts, &found, &notes);
    }
    // Files named explicitly are read even when an ignore rule would skip them.
    for t in &targets {
        if t.is_file() {
            found.lock().map_err(|_| poisoned())?.push(t.clone());
        }
    }
    let mut paths = found.into_inner().map_err(|_| poisoned())?;
    // Only to drop duplicates (the order is the display paths', below): bytes compare faster
    // than path components.
    paths.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    paths.dedup();
    let mut files: Vec<FileEntry> = paths
        .into_iter()
        .filter_map(|path| {
            let kind = FileKind::of(&path)?;
            let reported = targets.iter().any(|t| path.starts_with(t));
            let display = display_path(&path, opts.cwd);
            if !opts.excludes.is_empty() && !targets.contains(&path) && opts.excludes.is_match(display.as_ref()) {
                return None;
            }
            Some(FileEntry { path, display, kind, reported })
        })
        .collect();
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let mut notes = notes.into_inner().map_err(|_| poisoned())?;
    notes.extend(link_notes);
    notes.sort();
    notes.dedup();
    Ok(Walked { files, notes })
}

fn poisoned() -> WalkError {
    WalkError::Io { path: String::new(), source: std::io::Error::other("walker thread panicked") }
}

fn walk_dir(root: &Path, opts: &WalkOptions, found: &Mutex<Vec<PathBuf>>, notes: &Mutex<Vec<SkipNote>>) {
    let cwd = opts.cwd.to_path_buf();
    let cwd_for_errors = opts.cwd.to_path_buf();
    let excludes = opts.excludes.clone();
    let notes_filter = Arc::new(Mutex::new(Vec::<SkipNote>::new()));
    let nf = Arc::clone(&notes_filter);
    WalkBuilder::new(root)
        .hidden(false)
        .follow_links(opts.follow_symlinks)
        .filter_entry(move |e| {
            let name = e.file_name();
            if name == ".git" || name == "node_modules" {
                return false;
            }
            // Display paths only when something reads them (most runs exclude nothing).
            if !excludes.is_empty() && excludes.is_match(display_path(e.path(), &cwd).as_ref()) {
                return false;
            }
            if e.file_type().is_some_and(|t| t.is_dir()) && e.path().join("Chart.yaml").is_file() {
                if let Ok(mut n) = nf.lock() {
                    n.push(helm_chart_note(&display_path(e.path(), &cwd)));
                }
                return false;
            }
            true
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(e) => {
                        if e.file_type().is_some_and(|t| t.is_file()) && FileKind::of(e.path()).is_some() {
                            if let Ok(mut f) = found.lock() {
                                f.push(e.into_path());
                            }
                        }
                    }
                    // What cannot be listed or read (permissions, a path too long, a link loop)
                    // is said, never silently left out.
                    Err(e) => {
                        if let Ok(mut n) = notes.lock() {
                            n.push(walk_error_note(&e, root, &cwd_for_errors));
                        }
                    }
                }
                WalkState::Continue
            })
        });
    let extra: Vec<SkipNote> = notes_filter.lock().map(|e| e.clone()).unwrap_or_default();
    if let Ok(mut n) = notes.lock() {
        n.extend(extra);
    }
}

/// The note for a file or directory the walk could not read.
fn walk_error_note(error: &ignore::Error, root: &Path, cwd: &Path) -> SkipNote {
    fn path_of(error: &ignore::Error) -> Option<&Path> {
        match error {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => path_of(err),
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    fn cause(error: &ignore::Error) -> String {
        match error {
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => cause(err),
            ignore::Error::Loop { ancestor, .. } => format!("a symbolic link loop back to {}", ancestor.display()),
            other => other.to_string(),
        }
    }
    SkipNote {
        path: display_path(path_of(error).unwrap_or(root), cwd).to_string(),
        message: format!("could not be read ({}): skipped", cause(error)),
    }
}

/// `path` with `.` and `..` resolved by name, links left as they are (`Path::canonicalize`
/// follows them).
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The note for a skipped Helm chart source directory.
pub fn helm_chart_note(dir: &str) -> SkipNote {
    SkipNote {
        path: dir.to_string(),
        message: format!(
            "Helm chart sources are templates, not manifests: skipped; lint the rendered output with \
             `iblint check --helm {dir}` or `helm template {dir} | iblint check -`"
        ),
    }
}

/// The git work tree holding `path`, if any.
pub fn git_work_tree(path: &Path) -> Option<PathBuf> {
    let start = if path.is_file() { path.parent()? } else { path };
    start.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

/// `path` relative to `cwd` (both canonical), `/`-separated; `..` where it lies outside.
pub fn display_path(path: &Path, cwd: &Path) -> Arc<str> {
    match plainly_below(path, cwd) {
        Some(display) => Arc::from(display),
        None => display_path_by_components(path, cwd),
    }
}

/// The part of `path` after `cwd/` when it is already a display path: UTF-8, and nothing but
/// names between its slashes (what the walk makes of every file below the working directory).
/// Taking paths apart component by component costs thousands of instructions a file, and runs
/// on every file of the scope, a warm pre-commit run included.
fn plainly_below<'a>(path: &'a Path, cwd: &Path) -> Option<&'a str> {
    if !cfg!(unix) {
        return None;
    }
    let below = path.as_os_str().as_encoded_bytes().strip_prefix(cwd.as_os_str().as_encoded_bytes())?;
    let below = std::str::from_utf8(below.strip_prefix(b"/")?).ok()?;
    below.split('/').all(|name| !matches!(name, "" | "." | "..")).then_some(below)
}

fn display_path_by_components(path: &Path, cwd: &Path) -> Arc<str> {
    let rel = relative_to(path, cwd);
    let mut out = String::new();
    for c in rel.components() {
        let part = match c {
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::Normal(s) => s.to_string_lossy(),
            Component::CurDir => continue,
            Component::ParentDir => "..".into(),
            Component::Prefix(p) => p.as_os_str().to_string_lossy(),
        };
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part);
    }
    if out.is_empty() {
        out.push('.');
    }
    out.into()
}

/// `path` relative to `base`, climbing with `..` past their common ancestor.
fn relative_to(path: &Path, base: &Path) -> PathBuf {
    if let Ok(rel) = path.strip_prefix(base) {
        return rel.to_path_buf();
    }
    if !path.is_absolute() || !base.is_absolute() {
        return path.to_path_buf();
    }
    let common = path.components().zip(base.components()).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in base.components().skip(common) {
        rel.push("..");
    }
    for c in path.components().skip(common) {
        rel.push(c);
    }
    rel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_to_the_working_directory() {
        let cwd = Path::new("/work/main");
        assert_eq!(&*display_path(Path::new("/work/main/apps/a.yaml"), cwd), "apps/a.yaml");
        assert_eq!(&*display_path(Path::new("/work/shared/x/b.yaml"), cwd), "../shared/x/b.yaml");
        assert_eq!(&*display_path(Path::new("/work/main"), cwd), ".");
    }

    #[test]
    fn the_plain_path_shortcut_agrees_with_the_components() {
        let cwd = Path::new("/work/main");
        for path in [
            "/work/main/apps/a.yaml",
            "/work/main/a",
            "/work/main/apps//a.yaml",
            "/work/main/./apps/a.yaml",
            "/work/main/apps/../b.yaml",
            "/work/main/apps/",
            "/work/main/",
            "/work/mainframe/a.yaml",
            "/work/main/.github/workflows/ci.yml",
            "/work/main/dir with space/é.yaml",
            "/other/a.yaml",
        ] {
            let path = Path::new(path);
            assert_eq!(display_path(path, cwd), display_path_by_components(path, cwd), "{}", path.display());
        }
        assert_eq!(plainly_below(Path::new("/work/main/apps/a.yaml"), cwd), Some("apps/a.yaml"));
        assert_eq!(plainly_below(Path::new("/work/mainframe/a.yaml"), cwd), None);
    }

    /// Kinds come from names, ASCII case ignored, with the extension as `Path::extension` reads it.
    #[test]
    fn kinds_come_from_names_as_the_extension_reads_them() {
        let cases = [
            ("apps/a.yaml", Some(FileKind::Manifest)),
            ("apps/A.YML", Some(FileKind::Manifest)),
            ("azuredeploy.parameters.Json", Some(FileKind::Manifest)),
            ("..yaml", Some(FileKind::Manifest)),
            (".yaml", None),
            ("yaml", None),
            ("a.", None),
            ("infra/Main.TF", Some(FileKind::Terraform)),
            ("prod.auto.tfvars.json", Some(FileKind::Terraform)),
            ("main.bicep", Some(FileKind::Bicep)),
            ("main.BicepParam", Some(FileKind::BicepParams)),
            ("deploy.PS1", Some(FileKind::Script)),
            ("notes.md", None),
            ("dir/", None),
        ];
        for (name, kind) in cases {
            assert_eq!(FileKind::of(Path::new(name)), kind, "{name}");
            let by_extension = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            if kind.is_some_and(|k| k != FileKind::Terraform) {
                assert!(by_extension.is_some(), "{name}: Path::extension agrees there is one");
            }
        }
    }
}
