//! The cache file: a magic line, the check sum of the index, the index (the build and options it
//! belongs to; each entry's key, dependencies, length and check sum), then each entry's encoded
//! result. Results are decoded only when a run asks for them, each on the thread that does, so a
//! warm run decodes in parallel.
//!
//! The check sums guard against damage, not against someone who can write the file (see
//! [`checksum`]): the index of a 10,000-app repository is ~2 MB, and a cryptographic hash of it
//! took a warm run ~7% of its processor time, before any result could be decoded.
//!
//! The file is replaced whole, through a temporary file renamed over it: a reader sees the old
//! file or the new one, never a mix, and two runs at once each leave a complete file.

use std::collections::HashMap;
use std::io::Write as _;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::deps::{checksum, Dep, Hash};

/// Its last byte is the format's version (4: spans stored flat).
const MAGIC: &[u8; 16] = b"iblint cache\0\0\0\x04";

/// One result's index entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Head {
    pub(crate) key: String,
    /// When the result was computed (ns since the epoch): times of dependencies modified around
    /// then are not trusted ([`super::deps::RACY`]).
    pub(crate) computed_ns: u64,
    pub(crate) deps: Vec<Dep>,
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

/// A cache file as read: its bytes and where each entry's result is in them.
#[derive(Default)]
pub(crate) struct Stored {
    pub(crate) bytes: Vec<u8>,
    pub(crate) entries: Vec<(Head, Range<usize>)>,
    pub(crate) by_key: HashMap<String, usize>,
}

impl Stored {
    /// The entries of the file at `path` if it is a cache file of `stamp`; empty otherwise (no
    /// file, another build's or options' file, a damaged one).
    pub(crate) fn read(path: &Path, stamp: &Hash) -> Stored {
        let Ok(bytes) = std::fs::read(path) else { return Stored::default() };
        Stored::parse(bytes, stamp).unwrap_or_default()
    }

    fn parse(bytes: Vec<u8>, stamp: &Hash) -> Option<Stored> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (sum, rest) = rest.split_first_chunk::<8>()?;
        let (index, blobs): (Index, &[u8]) = postcard::take_from_bytes(rest).ok()?;
        if checksum(&rest[..rest.len() - blobs.len()]) != u64::from_le_bytes(*sum) {
            return None;
        }
        if index.stamp != *stamp {
            return None;
        }
        let mut at = bytes.len() - blobs.len();
        let mut entries = Vec::with_capacity(index.entries.len());
        for head in index.entries {
            let end = at.checked_add(usize::try_from(head.len).ok()?)?;
            if end > bytes.len() {
                return None;
            }
            entries.push((head, at..end));
            at = end;
        }
        let by_key = entries.iter().enumerate().map(|(i, (h, _))| (h.key.clone(), i)).collect();
        Some(Stored { bytes, entries, by_key })
    }
}

/// Writes a cache file of `stamp` holding `entries` (each index entry with its encoded result).
pub(crate) fn write(path: &Path, stamp: &Hash, entries: Vec<(Head, &[u8])>) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("cache file without a directory"))?;
    let (heads, blobs): (Vec<Head>, Vec<&[u8]>) = entries.into_iter().unzip();
    let index = postcard::to_stdvec(&Index { stamp: *stamp, entries: heads }).map_err(std::io::Error::other)?;
    // Created readable by the owner only: results hold values that look secret.
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        out.write_all(MAGIC)?;
        out.write_all(&checksum(&index).to_le_bytes())?;
        out.write_all(&index)?;
        for blob in blobs {
            out.write_all(blob)?;
        }
        out.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(key: &str, len: usize) -> Head {
        Head { key: key.into(), computed_ns: 1, deps: Vec::new(), len: len as u64, sum: 0 }
    }

    #[test]
    fn entries_read_back_and_a_foreign_or_damaged_file_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let stamp = [7; 32];
        write(&path, &stamp, vec![(head("a", 3), b"abc".as_slice()), (head("b", 2), b"de".as_slice())]).unwrap();
        let stored = Stored::read(&path, &stamp);
        let (_, range) = &stored.entries[stored.by_key["b"]];
        assert_eq!(&stored.bytes[range.clone()], b"de");
        assert!(Stored::read(&path, &[8; 32]).entries.is_empty(), "another stamp");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(Stored::read(&path, &stamp).entries.is_empty(), "truncated");
        let mut changed = bytes.clone();
        changed[MAGIC.len() + 8] ^= 1;
        std::fs::write(&path, &changed).unwrap();
        assert!(Stored::read(&path, &stamp).entries.is_empty(), "index changed");
        std::fs::write(&path, b"garbage").unwrap();
        assert!(Stored::read(&path, &stamp).entries.is_empty(), "garbage");
    }
}
