//! The cache file: a magic line, each entry's encoded result, the index (the build and options it
//! belongs to; each entry's key, dependencies, place and check sum), then the index's length and
//! check sum.
//!
//! Neither side holds the results in memory. A run reads the index alone and then each result it
//! asks for, where it lies, on the thread that asks (a warm run decodes in parallel); a run
//! appends the results it computes to the file it is writing as soon as they are computed. On
//! 30,000 applications the results are ~66 MB, which a run holding them whole added to its peak:
//! over the memory the issue allows a run of that size (docs/performance.md, round fifteen).
//!
//! The check sums guard against damage, not against someone who can write the file (see
//! [`checksum`]): the index of a 10,000-app repository is ~2 MB, and a cryptographic hash of it
//! took a warm run ~7% of its processor time, before any result could be decoded.
//!
//! The file is replaced whole, through a temporary file renamed over it: a reader sees the old
//! file or the new one, never a mix, and two runs at once each leave a complete file. A reader
//! keeps the file it opened, so a run that renames another over it changes nothing it reads
//! (on Unix; Windows may refuse that rename while the file is open, and that run's cache is
//! then not written).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::deps::{checksum, Dep, Hash};

/// Its last byte is the format's version (5: results first, the index last).
const MAGIC: &[u8; 16] = b"iblint cache\0\0\0\x05";
/// The index's length and check sum, at the end of the file.
const TRAILER: u64 = 16;
/// Temporary files of runs that ended without renaming them (killed): removed after this long.
const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(3600);
const TEMPORARY_PREFIX: &str = ".tmp-";
/// How much of the old file a rewrite copies in one read, at most (plus one result).
const COPY_CHUNK: u64 = 1 << 20;

/// One result's index entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Head {
    pub(crate) key: String,
    /// When the result was computed (ns since the epoch): times of dependencies modified around
    /// then are not trusted ([`super::deps::RACY`]).
    pub(crate) computed_ns: u64,
    pub(crate) deps: Vec<Dep>,
    /// Where the encoded result starts in the file, and its length.
    pub(crate) at: u64,
    pub(crate) len: u64,
    /// The check sum of the encoded result ([`super::deps::checksum`]), checked before it is
    /// decoded: a damaged result must not decode into other facts.
    pub(crate) sum: u64,
}

#[derive(Serialize, Deserialize)]
struct Index {
    stamp: Hash,
    entries: Vec<Head>,
}

/// A cache file as opened: its index, and the file to read results from.
#[derive(Default)]
pub(crate) struct Stored {
    file: Option<File>,
    pub(crate) entries: Vec<Head>,
    pub(crate) by_key: HashMap<String, usize>,
}

impl Stored {
    /// The index of the file at `path` if it is a cache file of `stamp`; empty otherwise (no
    /// file, another build's or options' file, a damaged one).
    pub(crate) fn open(path: &Path, stamp: &Hash) -> Stored {
        let Ok(file) = File::open(path) else { return Stored::default() };
        Stored::read_index(file, stamp).unwrap_or_default()
    }

    fn read_index(file: File, stamp: &Hash) -> Option<Stored> {
        let len = file.metadata().ok()?.len();
        let mut magic = [0; MAGIC.len()];
        read_at(&file, &mut magic, 0).ok()?;
        if magic != *MAGIC {
            return None;
        }
        let mut trailer = [0; TRAILER as usize];
        read_at(&file, &mut trailer, len.checked_sub(TRAILER)?).ok()?;
        let (index_len, sum) = trailer.split_at(8);
        let index_len = u64::from_le_bytes(index_len.try_into().ok()?);
        let index_at = len.checked_sub(TRAILER)?.checked_sub(index_len)?;
        if index_at < MAGIC.len() as u64 {
            return None;
        }
        let mut index = vec![0; usize::try_from(index_len).ok()?];
        read_at(&file, &mut index, index_at).ok()?;
        if checksum(&index) != u64::from_le_bytes(sum.try_into().ok()?) {
            return None;
        }
        let index: Index = postcard::from_bytes(&index).ok()?;
        if index.stamp != *stamp {
            return None;
        }
        let inside = |h: &Head| h.at >= MAGIC.len() as u64 && h.at.checked_add(h.len).is_some_and(|e| e <= index_at);
        if !index.entries.iter().all(inside) {
            return None;
        }
        let by_key = index.entries.iter().enumerate().map(|(i, h)| (h.key.clone(), i)).collect();
        Some(Stored { file: Some(file), entries: index.entries, by_key })
    }

    /// The encoded result of `head` (one of this file's entries), if it can be read and its
    /// check sum holds.
    pub(crate) fn result(&self, head: &Head) -> Option<Vec<u8>> {
        let mut bytes = vec![0; usize::try_from(head.len).ok()?];
        read_at(self.file.as_ref()?, &mut bytes, head.at).ok()?;
        (checksum(&bytes) == head.sum).then_some(bytes)
    }
}

/// A cache file being written: results are appended as they come, the index when it is done.
pub(crate) struct Writer {
    out: BufWriter<File>,
    temporary: tempfile::TempPath,
    at: u64,
}

impl Writer {
    /// A new file beside `path`, which replaces it when [`Writer::finish`]ed (and is removed if
    /// it is not).
    pub(crate) fn create(path: &Path) -> std::io::Result<Writer> {
        let dir = path.parent().ok_or_else(|| std::io::Error::other("cache file without a directory"))?;
        remove_stale_temporaries(dir);
        // Created readable by the owner only: results hold values that look secret.
        let (file, temporary) = tempfile::Builder::new().prefix(TEMPORARY_PREFIX).tempfile_in(dir)?.into_parts();
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(MAGIC)?;
        Ok(Writer { out, temporary, at: MAGIC.len() as u64 })
    }

    /// Appends an encoded result; returns where it starts.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> std::io::Result<u64> {
        self.out.write_all(bytes)?;
        let at = self.at;
        self.at += bytes.len() as u64;
        Ok(at)
    }

    /// Appends the results of `from`'s entries `heads` (all of them read and checked by this run)
    /// and returns the entries, pointing to their new places. Results that lie side by side
    /// are copied in one read: a run after a one-file edit copies all the others.
    pub(crate) fn copy(&mut self, from: &Stored, mut heads: Vec<Head>) -> std::io::Result<Vec<Head>> {
        heads.sort_by_key(|h| h.at);
        let mut buf = Vec::new();
        let mut i = 0;
        while i < heads.len() {
            let start = heads[i].at;
            let mut end = start + heads[i].len;
            let mut j = i + 1;
            while j < heads.len() && heads[j].at == end && end - start < COPY_CHUNK {
                end += heads[j].len;
                j += 1;
            }
            buf.resize(usize::try_from(end - start).map_err(std::io::Error::other)?, 0);
            let file = from.file.as_ref().ok_or_else(|| std::io::Error::other("no cache file to copy from"))?;
            read_at(file, &mut buf, start)?;
            let to = self.append(&buf)?;
            heads[i..j].iter_mut().for_each(|h| h.at = h.at - start + to);
            i = j;
        }
        Ok(heads)
    }

    /// Writes the index of `stamp` with `entries` (whose results this file holds) and puts the
    /// file in place of `path`.
    pub(crate) fn finish(mut self, path: &Path, stamp: &Hash, entries: Vec<Head>) -> std::io::Result<()> {
        let index = postcard::to_stdvec(&Index { stamp: *stamp, entries }).map_err(std::io::Error::other)?;
        self.out.write_all(&index)?;
        self.out.write_all(&(index.len() as u64).to_le_bytes())?;
        self.out.write_all(&checksum(&index).to_le_bytes())?;
        self.out.flush()?;
        self.temporary.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Removes temporary files that runs killed before renaming them left behind.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(listing) = std::fs::read_dir(dir) else { return };
    for entry in listing.flatten() {
        let stale = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
        if entry.file_name().to_string_lossy().starts_with(TEMPORARY_PREFIX)
            && stale.is_some_and(|age| age > STALE_TEMPORARY)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Fills `buf` from `file` at `at`, leaving the file's position alone (threads read at once).
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            match std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], at + done as u64)? {
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n => done += n,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(key: &str) -> Head {
        Head { key: key.into(), computed_ns: 1, deps: Vec::new(), at: 0, len: 0, sum: 0 }
    }

    fn write(path: &Path, stamp: &Hash, results: &[(&str, &[u8])]) {
        let mut writer = Writer::create(path).unwrap();
        let heads = results
            .iter()
            .map(|(key, bytes)| {
                let at = writer.append(bytes).unwrap();
                Head { at, len: bytes.len() as u64, sum: checksum(bytes), ..head(key) }
            })
            .collect();
        writer.finish(path, stamp, heads).unwrap();
    }

    fn writer_for(path: &Path) -> Writer {
        Writer::create(path).unwrap()
    }

    fn result(stored: &Stored, key: &str) -> Option<Vec<u8>> {
        stored.result(&stored.entries[stored.by_key[key]])
    }

    #[test]
    fn entries_read_back_and_a_foreign_or_damaged_file_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let stamp = [7; 32];
        write(&path, &stamp, &[("a", b"abc"), ("b", b"de")]);
        let stored = Stored::open(&path, &stamp);
        assert_eq!(result(&stored, "b").as_deref(), Some(b"de".as_slice()));
        assert_eq!(result(&stored, "a").as_deref(), Some(b"abc".as_slice()));
        assert!(Stored::open(&path, &[8; 32]).entries.is_empty(), "another stamp");
        let bytes = std::fs::read(&path).unwrap();
        let reads_as_empty = |what: &str, damaged: &[u8]| {
            std::fs::write(&path, damaged).unwrap();
            assert!(Stored::open(&path, &stamp).entries.is_empty(), "{what}");
        };
        reads_as_empty("truncated", &bytes[..bytes.len() - 1]);
        reads_as_empty("cut short of its results", &bytes[..MAGIC.len() + 2]);
        let mut changed = bytes.clone();
        changed[bytes.len() - TRAILER as usize - 3] ^= 1;
        reads_as_empty("index changed", &changed);
        let mut longer = bytes.clone();
        longer[bytes.len() - TRAILER as usize..][..8].copy_from_slice(&u64::MAX.to_le_bytes());
        reads_as_empty("an index longer than the file", &longer);
        reads_as_empty("garbage", b"garbage");
        reads_as_empty("empty", b"");
    }

    /// A damaged result is refused on its own: the others still read.
    #[test]
    fn a_damaged_result_is_refused_by_its_check_sum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        write(&path, &[1; 32], &[("a", b"abc"), ("b", b"de")]);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[MAGIC.len() + 1] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let stored = Stored::open(&path, &[1; 32]);
        assert_eq!(result(&stored, "a"), None);
        assert_eq!(result(&stored, "b").as_deref(), Some(b"de".as_slice()));
    }

    /// The file a run opened stays readable when another run replaces it, and a run that copies
    /// results from it gets them whole, side by side or not. (Windows may refuse to replace an
    /// open file: there the other run's cache is not written, and nothing is read wrong.)
    #[cfg(unix)]
    #[test]
    fn results_are_copied_from_the_file_opened_even_after_it_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        write(&path, &[1; 32], &[("a", b"abc"), ("b", b"de"), ("gone", b"xyz"), ("d", b"fgh")]);
        let stored = Stored::open(&path, &[1; 32]);
        write(&path, &[1; 32], &[("c", b"other")]);
        let mut writer = Writer::create(&path).unwrap();
        let at = writer.append(b"new").unwrap();
        let wanted = stored.entries.iter().filter(|h| h.key != "gone").rev().cloned().collect();
        let mut kept = writer.copy(&stored, wanted).unwrap();
        kept.push(Head { at, len: 3, sum: checksum(b"new"), ..head("n") });
        writer.finish(&path, &[1; 32], kept).unwrap();
        let reread = Stored::open(&path, &[1; 32]);
        for (key, bytes) in [("a", b"abc".as_slice()), ("b", b"de"), ("d", b"fgh"), ("n", b"new")] {
            assert_eq!(result(&reread, key).as_deref(), Some(bytes), "{key}");
        }
        assert!(!reread.by_key.contains_key("c") && !reread.by_key.contains_key("gone"));
        // Nothing to copy from a file that did not open (none, or another build's).
        assert!(writer_for(&path).copy(&Stored::default(), Vec::new()).unwrap().is_empty());
    }

    /// A writer that is not finished leaves nothing behind; one a killed run left is removed
    /// once it is old.
    #[test]
    fn temporary_files_do_not_outlive_their_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let mut writer = Writer::create(&path).unwrap();
        writer.append(b"abc").unwrap();
        drop(writer);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let left = dir.path().join(".tmp-killed");
        std::fs::write(&left, b"x").unwrap();
        let recent = dir.path().join(".tmp-running");
        std::fs::write(&recent, b"x").unwrap();
        let old = std::time::SystemTime::now() - STALE_TEMPORARY * 2;
        File::options().write(true).open(&left).unwrap().set_modified(old).unwrap();
        drop(Writer::create(&path).unwrap());
        assert!(!left.exists(), "a killed run's file is removed");
        assert!(recent.exists(), "a running run's file is kept");
    }
}
