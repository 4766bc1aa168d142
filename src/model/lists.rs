//! Many short lists in one vector, for the model's indexes.
//!
//! An index maps each key (a ServiceAccount's namespace and name, a subject's) to the objects that
//! have it, and nearly every key has one. A `Vec` per key took 24 bytes in the map and an
//! allocation of its own: 100,000 applications' indexes spent ~25 MB on them. Here a key holds a
//! [`List`] (two positions, 8 bytes) into a [`Lists`] shared by the whole index, whose items are
//! chained in the order they were added.

use std::collections::hash_map::{Entry, HashMap};
use std::hash::{BuildHasher, Hash};

/// Where one key's items are in a [`Lists`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct List {
    first: u32,
    last: u32,
}

/// The items of every [`List`] of an index, each with the position of the next item of its list.
#[derive(Debug)]
pub(crate) struct Lists<T> {
    items: Vec<(T, u32)>,
}

impl<T> Default for Lists<T> {
    fn default() -> Lists<T> {
        Lists { items: Vec::new() }
    }
}

/// No next item.
const END: u32 = u32::MAX;

impl<T: Copy> Lists<T> {
    /// A new list holding `item`.
    pub(crate) fn start(&mut self, item: T) -> List {
        let at = self.push(item);
        List { first: at, last: at }
    }

    /// Adds `item` at the end of `list`.
    pub(crate) fn append(&mut self, list: &mut List, item: T) {
        let at = self.push(item);
        if let Some(last) = self.items.get_mut(list.last as usize) {
            last.1 = at;
        }
        list.last = at;
    }

    /// Adds `item` to the list of `key` in `index`, starting one for a new key.
    pub(crate) fn add_to<K: Hash + Eq, S: BuildHasher>(&mut self, index: &mut HashMap<K, List, S>, key: K, item: T) {
        match index.entry(key) {
            Entry::Occupied(mut list) => self.append(list.get_mut(), item),
            Entry::Vacant(slot) => {
                slot.insert(self.start(item));
            }
        }
    }

    fn push(&mut self, item: T) -> u32 {
        // Positions are u32: an index of four billion objects could not be built in memory.
        let at = u32::try_from(self.items.len()).unwrap_or(END - 1);
        self.items.push((item, END));
        at
    }

    /// The items of `list`, in the order they were added.
    pub(crate) fn iter(&self, list: List) -> impl Iterator<Item = T> + '_ {
        let mut next = list.first;
        std::iter::from_fn(move || {
            let (item, after) = *self.items.get(next as usize)?;
            // Items only ever link forward: a list ends even if positions ran out.
            next = if after > next { after } else { END };
            Some(item)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{List, Lists};

    #[test]
    fn interleaved_lists_keep_their_own_items_in_order() {
        let mut lists = Lists::default();
        let mut index: HashMap<&str, List> = HashMap::new();
        for i in 0..5 {
            lists.add_to(&mut index, if i % 2 == 0 { "a" } else { "b" }, i);
        }
        lists.add_to(&mut index, "b", 9);
        assert_eq!(lists.iter(index["a"]).collect::<Vec<_>>(), [0, 2, 4]);
        assert_eq!(lists.iter(index["b"]).collect::<Vec<_>>(), [1, 3, 9]);
    }
}
