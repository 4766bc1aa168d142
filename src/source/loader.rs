//! How evaluators read the files they follow — a kustomization's resources and patches, a
//! Terraform module's sources, a Bicep module — through one small trait, so tests feed them
//! strings and every read of a run obeys the same size limit and is done once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("no such file or directory")]
    NotFound,
    #[error("larger than {max} bytes (--max-file-size)")]
    TooLarge { max: u64 },
    #[error("not UTF-8 text")]
    NotText,
    #[error("{0}")]
    Io(String),
}

/// Reads files for evaluators. Paths are absolute, as the walk found them (canonical).
pub trait Loader: Sync {
    /// The text of the file at `path`.
    fn read(&self, path: &Path) -> Result<Arc<str>, LoadError>;
    /// The entries of the directory at `path`, sorted.
    fn list(&self, dir: &Path) -> Result<Vec<PathBuf>, LoadError>;
    /// Whether `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// How findings name the file: relative to the working directory, `/`-separated.
    fn display(&self, path: &Path) -> Arc<str>;
}

/// The file system, with a size limit; each file is read once per run.
pub struct FsLoader {
    cwd: PathBuf,
    max_file_size: u64,
    texts: Mutex<HashMap<PathBuf, Result<Arc<str>, LoadError>>>,
    /// Texts that stand in for files, by display path (`iblint fix` before it writes).
    overlay: Option<Arc<HashMap<Arc<str>, Arc<str>>>>,
}

impl FsLoader {
    pub fn new(cwd: &Path, max_file_size: u64) -> FsLoader {
        FsLoader { cwd: cwd.to_path_buf(), max_file_size, texts: Mutex::default(), overlay: None }
    }

    /// The same loader, reading the overlay's texts instead of those files.
    pub fn with_overlay(self, overlay: Option<Arc<HashMap<Arc<str>, Arc<str>>>>) -> FsLoader {
        FsLoader { overlay, ..self }
    }

    fn read_uncached(&self, path: &Path) -> Result<Arc<str>, LoadError> {
        let meta = std::fs::metadata(path).map_err(io_error)?;
        // A FIFO or a device would block the read, or never end: evaluators probe names they
        // did not walk to (kustomization files above a directory, a module's sources).
        if !meta.is_file() {
            return Err(LoadError::Io("not a regular file".into()));
        }
        if meta.len() > self.max_file_size {
            return Err(LoadError::TooLarge { max: self.max_file_size });
        }
        let bytes = std::fs::read(path).map_err(io_error)?;
        let text = String::from_utf8(bytes).map_err(|_| LoadError::NotText)?;
        Ok(Arc::from(text))
    }
}

fn io_error(e: std::io::Error) -> LoadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound,
        _ => LoadError::Io(e.to_string()),
    }
}

impl Loader for FsLoader {
    fn read(&self, path: &Path) -> Result<Arc<str>, LoadError> {
        if let Some(text) = self.overlay.as_ref().and_then(|o| o.get(&self.display(path))) {
            return Ok(text.clone());
        }
        if let Some(hit) = self.texts.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
            return hit.clone();
        }
        // Read outside the lock: other threads read other files meanwhile. Two threads may
        // read the same file at once; both get the same text.
        let result = self.read_uncached(path);
        self.texts.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_path_buf(), result.clone());
        result
    }

    fn list(&self, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
        let mut out: Vec<PathBuf> =
            std::fs::read_dir(dir).map_err(io_error)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        out.sort();
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn display(&self, path: &Path) -> Arc<str> {
        super::files::display_path(path, &self.cwd)
    }
}

/// Files held in memory, for tests: paths are absolute, displayed relative to `/`.
#[derive(Default)]
pub struct MemLoader {
    files: HashMap<PathBuf, Arc<str>>,
}

impl MemLoader {
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> MemLoader {
        MemLoader { files: files.into_iter().map(|(p, t)| (Path::new("/").join(p), Arc::from(t))).collect() }
    }
}

impl Loader for MemLoader {
    fn read(&self, path: &Path) -> Result<Arc<str>, LoadError> {
        self.files.get(path).cloned().ok_or(LoadError::NotFound)
    }

    fn list(&self, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
        let mut out: Vec<PathBuf> = self
            .files
            .keys()
            .filter_map(|p| {
                let rest = p.strip_prefix(dir).ok()?;
                let first = rest.components().next()?;
                Some(dir.join(first))
            })
            .collect();
        if out.is_empty() && !self.is_dir(dir) {
            return Err(LoadError::NotFound);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p != path && p.starts_with(path))
    }

    fn display(&self, path: &Path) -> Arc<str> {
        let rel = path.strip_prefix("/").unwrap_or(path);
        Arc::from(rel.to_string_lossy().replace('\\', "/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_loader_reads_lists_and_displays() {
        let fs = MemLoader::new([("base/kustomization.yaml", "resources: [sa.yaml]"), ("base/sa.yaml", "kind: x")]);
        assert_eq!(fs.read(Path::new("/base/sa.yaml")).as_deref(), Ok("kind: x"));
        assert_eq!(fs.read(Path::new("/base/missing.yaml")), Err(LoadError::NotFound));
        assert!(fs.is_dir(Path::new("/base")));
        assert!(!fs.is_dir(Path::new("/base/sa.yaml")));
        assert_eq!(
            fs.list(Path::new("/base")),
            Ok(vec![PathBuf::from("/base/kustomization.yaml"), PathBuf::from("/base/sa.yaml")])
        );
        assert_eq!(fs.list(Path::new("/")), Ok(vec![PathBuf::from("/base")]));
        assert_eq!(fs.display(Path::new("/base/sa.yaml")).as_ref(), "base/sa.yaml");
    }

    #[test]
    fn file_system_loader_enforces_the_size_limit_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, "x".repeat(100)).expect("write");
        let fs = FsLoader::new(dir.path(), 10);
        assert_eq!(fs.read(&path), Err(LoadError::TooLarge { max: 10 }));
        assert_eq!(FsLoader::new(dir.path(), 1000).read(&path).map(|t| t.len()), Ok(100));
        assert_eq!(fs.display(&path).as_ref(), "big.yaml");
    }
}
