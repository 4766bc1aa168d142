//! Writing a report, a baseline or a fixed file to the path the user named.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` as a user who typed `> path` expects, without ever leaving a
/// truncated file behind:
/// - a symbolic link is followed: what it points to is written, and the link stays a link;
/// - a path that exists and is no regular file (`/dev/stderr`, a character device, a named
///   pipe) is written into: renaming a file over it would replace the device or pipe with a
///   plain file for every other program on the machine;
/// - a regular file is replaced at once (a temporary file in the same directory, renamed into
///   place) and keeps its permissions (a script stays executable, a private file private);
/// - a new file gets `rw-r--r--` less the umask, as the shell gives it.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = resolve_links(path);
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_file() => replace(&target, bytes, Some(meta.permissions())),
        Ok(meta) if meta.is_dir() => Err(std::io::Error::other("is a directory")),
        Ok(_) => std::fs::OpenOptions::new().write(true).open(&target)?.write_all(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => replace(&target, bytes, None),
        Err(e) => Err(e),
    }
}

/// Where `path` leads once every symbolic link on it is followed (the link's own path when it
/// cannot be, e.g. a loop: the rename then fails or replaces the link, as `mv` would).
fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    // The limit the kernel applies to a path's links (ELOOP past it).
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(next) => {
                let base = current.parent().unwrap_or(Path::new(""));
                current = base.join(next);
            }
            Err(_) => return current,
        }
    }
    path.to_path_buf()
}

fn replace(path: &Path, bytes: &[u8], kept: Option<std::fs::Permissions>) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created with this mode, the umask applies as it does for any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if let Some(permissions) = kept {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
