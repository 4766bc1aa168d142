//! Which files a kustomize build could take, known before any kustomization is read.
//!
//! A build reads a resource or patch file only inside the directory of the kustomization that
//! lists it (kustomize's load restrictor; see `Context::resource` and `patch::load`), so a file
//! with no kustomization file in its directory or any directory above it is taken by no build,
//! whatever the kustomizations say. Such files can be loaded while the builds run.

use foldhash::{HashMap, HashMapExt};
use std::path::{Path, PathBuf};

use crate::source::loader::Loader;

/// Answers per directory (a tree has far fewer directories than files).
pub struct Reach<'a> {
    loader: &'a dyn Loader,
    /// Whether the directory or one above it holds a kustomization file.
    under_kustomization: HashMap<PathBuf, bool>,
}

impl<'a> Reach<'a> {
    pub fn new(loader: &'a dyn Loader) -> Reach<'a> {
        Reach { loader, under_kustomization: HashMap::new() }
    }

    /// Whether some build could take the file at `path` (absolute). A kustomization file that
    /// cannot be read still counts: the answer may only err towards "could".
    pub fn may_take(&mut self, path: &Path) -> bool {
        path.parent().is_some_and(|dir| self.under_kustomization(dir))
    }

    fn under_kustomization(&mut self, dir: &Path) -> bool {
        if let Some(&known) = self.under_kustomization.get(dir) {
            return known;
        }
        let here = super::kustomization::present_in(self.loader, dir).next().is_some();
        let answer = here || dir.parent().is_some_and(|up| self.under_kustomization(up));
        self.under_kustomization.insert(dir.to_path_buf(), answer);
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::loader::MemLoader;

    #[test]
    fn only_files_under_a_kustomization_directory_can_be_taken() {
        let loader = MemLoader::new([
            ("/repo/base/kustomization.yaml", "resources: [app.yaml]\n"),
            ("/repo/base/app.yaml", ""),
            ("/repo/base/nested/deeper/patch.yaml", ""),
            ("/repo/overlays/prod/Kustomization", "resources: [../../base]\n"),
            ("/repo/apps/plain.yaml", ""),
            ("/repo/top.yaml", ""),
        ]);
        let mut reach = Reach::new(&loader);
        assert!(reach.may_take(Path::new("/repo/base/app.yaml")));
        assert!(reach.may_take(Path::new("/repo/base/nested/deeper/patch.yaml")));
        assert!(reach.may_take(Path::new("/repo/overlays/prod/patch.yaml")));
        assert!(!reach.may_take(Path::new("/repo/apps/plain.yaml")));
        assert!(!reach.may_take(Path::new("/repo/top.yaml")));
        assert!(!reach.may_take(Path::new("/repo/overlays/other.yaml")));
    }
}
