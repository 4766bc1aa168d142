//! What a cached result depends on — the files, directory listings and existence checks its
//! evaluation read — and whether each is still as it was.
//!
//! A file is unchanged when its size and modification time are those recorded, or, when they
//! are not (a checkout, `touch`) or cannot be trusted, when its content has the recorded hash. A
//! time is not trusted when the file was modified within [`RACY`] of the moment the result was
//! computed: a second write in the same clock tick could keep size and time and change the
//! content (git's "racily clean" entries).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::source::loader::{LoadError, Loader};

/// Modification times this close to the moment a result was computed are checked by content.
pub(crate) const RACY: Duration = Duration::from_secs(2);

pub(crate) type Hash = [u8; 32];

pub(crate) fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// A check sum against accidental damage (a disk error, a truncated or overwritten file), where a
/// cryptographic hash would cost a warm run more than everything else it reads: results are
/// not trusted input to defend (who can write `.git/` can change the repository itself).
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x1b1a_7c4c).hash_one(bytes)
}

/// Nanoseconds since the Unix epoch (0 for earlier times, which are then never trusted).
pub(crate) fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// A file's size and modification time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    pub(crate) size: u64,
    pub(crate) mtime_ns: u64,
}

impl Stat {
    pub fn of(meta: &std::fs::Metadata) -> Stat {
        Stat { size: meta.len(), mtime_ns: meta.modified().map_or(0, nanos) }
    }

    fn read(path: &Path) -> Option<Stat> {
        std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| Stat::of(&m))
    }

    /// Whether this time can stand for the content of a result computed at `computed_ns`.
    fn trusted_at(self, computed_ns: u64) -> bool {
        let racy = u64::try_from(RACY.as_nanos()).unwrap_or(u64::MAX);
        self.mtime_ns != 0 && self.mtime_ns.saturating_add(racy) < computed_ns
    }
}

/// One thing a result was computed from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Dep {
    /// A file's content.
    File { path: PathBuf, stat: Stat, hash: Hash },
    /// A file that could not be read, and why (a missing patch, one too large).
    Unreadable { path: PathBuf, error: String },
    /// The sorted entries of a directory (or why it could not be listed).
    Listing { path: PathBuf, hash: Hash },
    /// Whether a path is a directory.
    IsDir { path: PathBuf, is_dir: bool },
}

impl Dep {
    /// Sorts a result's dependencies (by path, then kind) so that equal results store equal entries.
    fn order(&self) -> (&Path, u8) {
        match self {
            Dep::File { path, .. } => (path, 0),
            Dep::Unreadable { path, .. } => (path, 1),
            Dep::Listing { path, .. } => (path, 2),
            Dep::IsDir { path, .. } => (path, 3),
        }
    }
}

/// Whether `dep` still holds. `Ok(Some(stat))` when it does but the file's time moved (the entry
/// is kept with the new time); `Err(())` when it does not.
pub(crate) fn check(dep: &Dep, computed_ns: u64, loader: &dyn Loader) -> Result<Option<Dep>, ()> {
    match dep {
        Dep::File { path, stat, hash: recorded } => {
            let now = Stat::read(path).ok_or(())?;
            if now == *stat && stat.trusted_at(computed_ns) {
                return Ok(None);
            }
            if now.size != stat.size {
                return Err(());
            }
            let bytes = std::fs::read(path).map_err(|_| ())?;
            if hash(&bytes) != *recorded {
                return Err(());
            }
            // Kept with the time seen now (and, once it is no longer recent, trusted again).
            Ok(Some(Dep::File { path: path.clone(), stat: now, hash: *recorded }))
        }
        Dep::Unreadable { path, error } => match loader.read(path) {
            Err(e) if e.to_string() == *error => Ok(None),
            _ => Err(()),
        },
        Dep::Listing { path, hash: recorded } => {
            (listing_hash(loader.list(path)) == *recorded).then_some(None).ok_or(())
        }
        Dep::IsDir { path, is_dir } => (loader.is_dir(path) == *is_dir).then_some(None).ok_or(()),
    }
}

fn listing_hash(listing: Result<Vec<PathBuf>, LoadError>) -> Hash {
    let mut h = Sha256::new();
    match listing {
        Ok(entries) => {
            for e in entries {
                h.update(e.as_os_str().as_encoded_bytes());
                h.update([0]);
            }
        }
        Err(e) => h.update(format!("\u{1}{e}")),
    }
    h.finalize().into()
}

/// A loader that notes everything an evaluation reads, for the cache entry of its result.
pub(crate) struct Recording<'a> {
    inner: &'a dyn Loader,
    deps: Mutex<Vec<Dep>>,
}

impl<'a> Recording<'a> {
    pub(crate) fn new(inner: &'a dyn Loader) -> Recording<'a> {
        Recording { inner, deps: Mutex::default() }
    }

    /// What was read, each thing once, in a stable order.
    pub(crate) fn into_deps(self) -> Vec<Dep> {
        let mut deps = self.deps.into_inner().unwrap_or_else(|e| e.into_inner());
        deps.sort_by(|a, b| a.order().cmp(&b.order()));
        deps.dedup();
        deps
    }

    fn note(&self, dep: Dep) {
        self.deps.lock().unwrap_or_else(|e| e.into_inner()).push(dep);
    }
}

impl Loader for Recording<'_> {
    fn read(&self, path: &Path) -> Result<Arc<str>, LoadError> {
        // The time is taken before the text: a write in between shows as a newer time next run
        // (then the content is compared), never as an old time with new content.
        let stat = Stat::read(path);
        let result = self.inner.read(path);
        match (&result, stat) {
            (Ok(text), Some(stat)) => {
                self.note(Dep::File { path: path.to_path_buf(), stat, hash: hash(text.as_bytes()) })
            }
            // Read but no longer a file: a result that cannot be checked later.
            (Ok(_), None) => self.note(Dep::Unreadable { path: path.to_path_buf(), error: String::new() }),
            (Err(e), _) => self.note(Dep::Unreadable { path: path.to_path_buf(), error: e.to_string() }),
        }
        result
    }

    fn list(&self, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
        let result = self.inner.list(dir);
        self.note(Dep::Listing { path: dir.to_path_buf(), hash: listing_hash(result.clone()) });
        result
    }

    fn is_dir(&self, path: &Path) -> bool {
        let is_dir = self.inner.is_dir(path);
        self.note(Dep::IsDir { path: path.to_path_buf(), is_dir });
        is_dir
    }

    fn display(&self, path: &Path) -> Arc<str> {
        self.inner.display(path)
    }
}
