//! The incremental cache of `iblint check`: what each file (or each group of files an evaluator
//! reads together) turned into, so that the next run reads again only what changed.
//!
//! A result is stored under a key (the file and how it is read; the evaluation and the files in
//! scope that decide its input) with everything it was computed from ([`deps::Dep`]); it is used
//! again only while every one of those holds. The whole file belongs to one build of iblint and
//! one set of options that shape results ([`stamp`]): another build, another configuration,
//! another working directory start from empty. A file that cannot be read or does not check out
//! is the same as no file. Results are the model objects sources produce; rules always run
//! again, over every object, so findings are those of a run without the cache.

mod deps;
mod place;
mod store;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use deps::Stat;
use deps::{Dep, Hash};
pub use place::cache_file;
use store::{Head, Stored, Writer};

use crate::source::loader::Loader;

/// A run's view of the cache: the results stored by earlier runs, and those of this one.
pub struct Cache {
    file: PathBuf,
    stamp: Hash,
    /// When this run began: results computed now are stamped with it (see [`deps::RACY`]).
    started_ns: u64,
    stored: Stored,
    /// Stored entries this run used (the others are dropped when the file is written).
    used: Vec<AtomicBool>,
    /// Stored entries whose files' times moved with their content unchanged.
    refreshed: Mutex<Vec<(usize, Vec<Dep>)>>,
    /// Results computed by this run: their index entries, and the file they are written to as
    /// they come (created with the first; `Err` once it cannot be).
    fresh: Mutex<(Vec<Head>, Option<std::io::Result<Writer>>)>,
    computed: AtomicUsize,
    reused: AtomicUsize,
}

/// The hash of what, besides files, decides results: the build and the options.
pub fn stamp(parts: &[&[u8]]) -> [u8; 32] {
    let mut all = Vec::new();
    for p in parts {
        all.extend_from_slice(&(p.len() as u64).to_le_bytes());
        all.extend_from_slice(p);
    }
    deps::hash(&all)
}

/// What a run did with the cache, for `IBLINT_TIMINGS` and the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub reused: usize,
    pub computed: usize,
    pub dropped: usize,
    pub written: bool,
}

impl Cache {
    /// The cache in `file` for runs of `stamp` (empty when there is none that fits).
    pub fn open(file: PathBuf, stamp: [u8; 32]) -> Cache {
        let started_ns = deps::nanos(std::time::SystemTime::now());
        let stored = Stored::open(&file, &stamp);
        let used = stored.entries.iter().map(|_| AtomicBool::new(false)).collect();
        Cache {
            file,
            stamp,
            started_ns,
            stored,
            used,
            refreshed: Mutex::default(),
            fresh: Mutex::default(),
            computed: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
        }
    }

    /// The stored result for `key` if everything it was computed from is unchanged.
    fn lookup<T: DeserializeOwned>(&self, key: &str, loader: &dyn Loader) -> Option<T> {
        let &index = self.stored.by_key.get(key)?;
        let head = &self.stored.entries[index];
        let mut moved = false;
        let mut deps = Vec::new();
        for dep in &head.deps {
            match deps::check(dep, head.computed_ns, loader) {
                Ok(None) => deps.push(dep.clone()),
                Ok(Some(now)) => {
                    moved = true;
                    deps.push(now);
                }
                Err(()) => return None,
            }
        }
        let value = postcard::from_bytes(&self.stored.result(head)?).ok()?;
        self.used[index].store(true, Ordering::Relaxed);
        self.reused.fetch_add(1, Ordering::Relaxed);
        if moved {
            lock(&self.refreshed).push((index, deps));
        }
        Some(value)
    }

    fn record<T: Serialize>(&self, key: String, deps: Vec<Dep>, value: &T) {
        self.computed.fetch_add(1, Ordering::Relaxed);
        // A result that cannot be encoded or written is simply not cached.
        let Ok(bytes) = postcard::to_stdvec(value) else { return };
        let (len, sum) = (bytes.len() as u64, deps::checksum(&bytes));
        let mut fresh = lock(&self.fresh);
        let (heads, writer) = &mut *fresh;
        let writer = writer.get_or_insert_with(|| place::prepare(&self.file).and_then(|()| Writer::create(&self.file)));
        let Ok(at) = writer.as_mut().map_err(|_| ()).and_then(|w| w.append(&bytes).map_err(|_| ())) else {
            return;
        };
        heads.push(Head { key, computed_ns: self.started_ns, deps, at, len, sum });
    }

    /// The result of evaluating files through `loader`: stored, or computed by `evaluate` (whose
    /// reads are noted as the result's dependencies). `key` names the evaluation and everything
    /// else it depends on (which files are in scope).
    pub fn evaluation<T: Serialize + DeserializeOwned>(
        &self,
        key: String,
        loader: &dyn Loader,
        evaluate: impl FnOnce(&dyn Loader) -> T,
    ) -> T {
        if let Some(hit) = self.lookup(&key, loader) {
            return hit;
        }
        let recording = deps::Recording::new(loader);
        let value = evaluate(&recording);
        self.record(key, recording.into_deps(), &value);
        value
    }

    /// The result of loading the one file at `path`: stored, or computed by `load`, which
    /// returns with it the file's size and time (taken before it was read) and content, when it
    /// read it whole (a file it could not read is not cached).
    pub fn file<T: Serialize + DeserializeOwned>(
        &self,
        key: String,
        path: &Path,
        loader: &dyn Loader,
        load: impl FnOnce() -> (T, Option<(Stat, Hash)>),
    ) -> T {
        if let Some(hit) = self.lookup(&key, loader) {
            return hit;
        }
        let (value, read) = load();
        if let Some((stat, hash)) = read {
            self.record(key, vec![Dep::File { path: path.to_path_buf(), stat, hash }], &value);
        }
        value
    }

    /// Replaces the cache file with the entries this run used or computed, when they differ from
    /// what it holds. A cache that cannot be written is left as it is (a read-only checkout).
    pub fn save(self) -> Summary {
        let (fresh, writer) = self.fresh.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut refreshed = self.refreshed.into_inner().unwrap_or_else(|e| e.into_inner());
        let used: Vec<bool> = self.used.iter().map(|u| u.load(Ordering::Relaxed)).collect();
        let dropped = used.iter().filter(|u| !**u).count();
        let computed = self.computed.into_inner();
        let mut summary = Summary { reused: self.reused.into_inner(), computed, dropped, written: false };
        if computed == 0 && dropped == 0 && refreshed.is_empty() {
            return summary;
        }
        refreshed.sort_by_key(|(i, _)| *i);
        let mut refreshed = refreshed.into_iter().peekable();
        let mut kept = Vec::with_capacity(used.len() - dropped);
        for (i, head) in self.stored.entries.iter().enumerate() {
            if !used[i] {
                continue;
            }
            let mut head = head.clone();
            if let Some((_, deps)) = refreshed.next_if(|(r, _)| *r == i) {
                head.deps = deps;
                head.computed_ns = self.started_ns;
            }
            kept.push(head);
        }
        let writer = match writer {
            Some(writer) => writer,
            None => place::prepare(&self.file).and_then(|()| Writer::create(&self.file)),
        };
        let written = writer.and_then(|mut writer| {
            let mut entries = writer.copy(&self.stored, kept)?;
            entries.extend(fresh);
            // Closed before the new file replaces it: Windows refuses to replace an open file.
            drop(self.stored);
            writer.finish(&self.file, &self.stamp, entries)
        });
        summary.written = written.is_ok();
        summary
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The hash of a file's content, for [`Cache::file`].
pub fn content_hash(bytes: &[u8]) -> [u8; 32] {
    deps::hash(bytes)
}
