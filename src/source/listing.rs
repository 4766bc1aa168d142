//! The walked files as the phases after the load need them: each file's display path, whether
//! findings are reported for it, and where it is, for the fixes and snippets that read it again.
//!
//! The walk's own list holds a path per file beside its display path. Nearly every path is the
//! working directory joined with the display path, and the list lived through the rules, at the
//! run's peak: ~70 bytes a file (30,000 applications: ~2 MB of peak RSS). A listing keeps a path
//! only for a file that is not there (outside the working directory, a name that is not UTF-8).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::files::{FileEntry, FileKind};

pub struct Listing {
    /// Display paths, sorted, with whether the file is reported and what kind of file it is.
    files: Vec<(Arc<str>, bool, FileKind)>,
    /// The paths that are not the working directory joined with the display path.
    elsewhere: HashMap<Arc<str>, PathBuf>,
    cwd: PathBuf,
}

impl Listing {
    /// The listing of the walked `files`, display paths relative to `cwd`.
    pub fn new(files: Vec<FileEntry>, cwd: &Path) -> Listing {
        let mut elsewhere = HashMap::new();
        let mut listed: Vec<(Arc<str>, bool, FileKind)> = files
            .into_iter()
            .map(|f| {
                if !joins_to(cwd, &f.display, &f.path) {
                    elsewhere.insert(f.display.clone(), f.path);
                }
                (f.display, f.reported, f.kind)
            })
            .collect();
        listed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Listing { files: listed, elsewhere, cwd: cwd.to_path_buf() }
    }

    /// Whether `display` is a listed file whose findings are reported.
    pub fn is_reported(&self, display: &str) -> bool {
        self.find(display).is_some_and(|(_, reported, _)| *reported)
    }

    /// Whether `display` is a listed manifest whose findings are not reported.
    pub fn is_unreported_manifest(&self, display: &str) -> bool {
        self.find(display).is_some_and(|(_, reported, kind)| !reported && *kind == FileKind::Manifest)
    }

    fn find(&self, display: &str) -> Option<&(Arc<str>, bool, FileKind)> {
        let i = self.files.binary_search_by(|(d, _, _)| d.as_ref().cmp(display)).ok()?;
        self.files.get(i)
    }

    /// Whether every listed file is reported.
    pub fn reports_all(&self) -> bool {
        self.files.iter().all(|(_, reported, _)| *reported)
    }

    /// How many listed files are reported.
    pub fn reported(&self) -> usize {
        self.files.iter().filter(|(_, reported, _)| *reported).count()
    }

    /// Where the file shown as `display` is (a display path not listed is taken as relative to
    /// the working directory).
    pub fn path_of(&self, display: &str) -> PathBuf {
        self.elsewhere.get(display).cloned().unwrap_or_else(|| self.cwd.join(display))
    }
}

/// Whether `path` is `cwd`, `/` and `display`, byte for byte (what `cwd.join(display)` makes of a
/// display path, which is `/`-separated; elsewhere a path is kept as it is).
fn joins_to(cwd: &Path, display: &str, path: &Path) -> bool {
    let (cwd, path) = (cwd.as_os_str().as_encoded_bytes(), path.as_os_str().as_encoded_bytes());
    cfg!(unix)
        && path
            .strip_prefix(cwd)
            .and_then(|rest| rest.strip_prefix(b"/"))
            .is_some_and(|rest| rest == display.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, display: &str, reported: bool) -> FileEntry {
        FileEntry { path: PathBuf::from(path), display: Arc::from(display), kind: FileKind::Manifest, reported }
    }

    #[test]
    fn files_are_found_where_the_walk_found_them() {
        let cwd = Path::new("/repo");
        let listing = Listing::new(
            vec![
                entry("/repo/b/x.yaml", "b/x.yaml", true),
                entry("/repo/a.yaml", "a.yaml", false),
                entry("/elsewhere/c.yaml", "../elsewhere/c.yaml", true),
            ],
            cwd,
        );
        assert_eq!(listing.path_of("b/x.yaml"), Path::new("/repo/b/x.yaml"));
        assert_eq!(listing.path_of("../elsewhere/c.yaml"), Path::new("/elsewhere/c.yaml"));
        assert_eq!(listing.elsewhere.len(), 1, "only the path that is not cwd/display is kept");
        assert!(listing.is_reported("b/x.yaml") && listing.is_reported("../elsewhere/c.yaml"));
        assert!(!listing.is_reported("a.yaml") && !listing.is_reported("missing.yaml"));
        assert_eq!(listing.reported(), 2);
        assert!(!listing.reports_all());
        assert!(listing.is_unreported_manifest("a.yaml"));
        assert!(!listing.is_unreported_manifest("b/x.yaml") && !listing.is_unreported_manifest("missing.yaml"));
        let terraform = FileEntry { kind: FileKind::Terraform, ..entry("/repo/main.tf", "main.tf", false) };
        assert!(!Listing::new(vec![terraform], cwd).is_unreported_manifest("main.tf"));
    }
}
