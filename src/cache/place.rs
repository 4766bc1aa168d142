//! Where the cache lives: in the git directory of the work tree being checked (`.git/iblint/`,
//! never committed, removed with the clone), else in the user's cache directory.

use std::path::{Path, PathBuf};

/// Cache files kept in the user's cache directory, the most recently written: one per working
/// directory, and runs outside git work trees (temporary directories) must not fill the disk.
const KEEP_IN_USER_DIR: usize = 32;

/// The cache file for runs in `cwd` (absolute, canonical); `None` when there is nowhere to put it.
pub fn cache_file(cwd: &Path) -> Option<PathBuf> {
    let dir = git_dir(cwd).map(|g| g.join("iblint")).or_else(user_cache_dir)?;
    // Results name files relative to the working directory: one file per directory.
    let id = super::deps::hash(cwd.as_os_str().as_encoded_bytes());
    let name: String = id[..8].iter().map(|b| format!("{b:02x}")).collect();
    Some(dir.join(format!("check-{name}.bin")))
}

/// The git directory of the work tree holding `dir`: `.git` itself, or where a `.git` file
/// points (a linked work tree, a submodule).
fn git_dir(dir: &Path) -> Option<PathBuf> {
    for d in dir.ancestors() {
        let dot_git = d.join(".git");
        if dot_git.is_dir() {
            return Some(dot_git);
        }
        if dot_git.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
            let target = d.join(target);
            return target.is_dir().then_some(target);
        }
    }
    None
}

fn user_cache_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Caches"))
    } else {
        env("XDG_CACHE_HOME").filter(|p| p.is_absolute()).or_else(|| env("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("iblint"))
}

/// Creates the cache's directory (readable by its owner only) and, in the user's cache
/// directory, removes the oldest files beyond [`KEEP_IN_USER_DIR`].
pub(super) fn prepare(file: &Path) -> std::io::Result<()> {
    let dir = file.parent().ok_or_else(|| std::io::Error::other("cache file without a directory"))?;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    if dir.parent().and_then(Path::file_name).is_some_and(|n| n == ".git") {
        return Ok(());
    }
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("check-"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() >= KEEP_IN_USER_DIR {
        files.sort();
        for (_, old) in files.iter().take(files.len() + 1 - KEEP_IN_USER_DIR) {
            if old != file {
                let _ = std::fs::remove_file(old);
            }
        }
    }
    Ok(())
}
