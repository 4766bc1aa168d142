//! An index of the positions of a model's objects by a key read from each object: the keys are
//! not stored, only positions.
//!
//! Maps keyed by copies of the names (a `Text` of 24 bytes and a position per object, in a map
//! for each namespace) took ~2 MB for each of the ServiceAccount and role indexes at 30,000
//! applications, built after the load at the run's peak. Here a table slot is 4 bytes, and the
//! key is read again from the object whenever two must be compared.

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

/// No next position.
const END: u32 = u32::MAX;

/// A position in one of the model's vectors, as its indexes store it (a model of four billion
/// objects could not be held in memory).
pub(crate) fn position(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[derive(Debug, Default)]
pub(crate) struct Keyed {
    /// The first position of each key.
    table: HashTable<u32>,
    /// For each position, the next one with the same key, in order (`END` after the last, and
    /// for positions without a key).
    next: Vec<u32>,
}

fn hash_of<K: Hash>(key: &K) -> u64 {
    foldhash::quality::FixedState::with_seed(0x6b65_7965).hash_one(key)
}

impl Keyed {
    /// Indexes positions `0..len` by `key_of` (positions whose key is `None` are left out).
    pub(crate) fn build<K: Hash + Eq>(len: usize, key_of: impl Fn(usize) -> Option<K>) -> Keyed {
        let mut keyed = Keyed { table: HashTable::new(), next: vec![END; len] };
        // From the last to the first, each position goes in front of its key's list: the lists
        // come out in order.
        for i in (0..len.min(END as usize)).rev() {
            let Some(key) = key_of(i) else { continue };
            let hash = hash_of(&key);
            match keyed.table.find_mut(hash, |&j| key_of(j as usize).as_ref() == Some(&key)) {
                Some(first) => {
                    keyed.next[i] = *first;
                    *first = i as u32;
                }
                None => {
                    keyed.table.insert_unique(hash, i as u32, |&j| key_of(j as usize).map_or(0, |k| hash_of(&k)));
                }
            }
        }
        keyed.table.shrink_to_fit(|&j| key_of(j as usize).map_or(0, |k| hash_of(&k)));
        keyed
    }

    /// The positions whose key is `key`, in order; `key_of` must be the function the index was
    /// built with.
    pub(crate) fn get<K: Hash + Eq>(&self, key: &K, key_of: impl Fn(usize) -> Option<K>) -> Positions<'_> {
        let first = self.table.find(hash_of(key), |&j| key_of(j as usize).as_ref() == Some(key));
        Positions { next: &self.next, at: first.copied().unwrap_or(END) }
    }
}

/// The positions of one key of a [`Keyed`] index (it borrows no key, so a lookup by a borrowed
/// name can outlive the name).
pub(crate) struct Positions<'s> {
    next: &'s [u32],
    at: u32,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let here = self.at;
        self.at = *self.next.get(here as usize)?;
        Some(here as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_come_back_by_key_in_order() {
        const NAMES: [&str; 7] = ["a", "b", "a", "c", "", "a", "b"];
        // The empty name has no key.
        fn key_of(i: usize) -> Option<&'static str> {
            Some(NAMES[i]).filter(|n| !n.is_empty())
        }
        let keyed = Keyed::build(NAMES.len(), key_of);
        let got = |k: &'static str| keyed.get(&k, key_of).collect::<Vec<_>>();
        assert_eq!(got("a"), [0, 2, 5]);
        assert_eq!(got("b"), [1, 6]);
        assert_eq!(got("c"), [3]);
        assert!(got("").is_empty() && got("d").is_empty());
        assert!(Keyed::default().get(&"a", key_of).next().is_none());
    }
}
