//! The children of the collections the parser has open.
//!
//! A list per collection that grows by doubling reallocates several times, then once more to
//! shed its spare room when the collection ends: most collections hold a handful of children, and
//! those reallocations were a good part of building a tree. The children of every open collection
//! (of one kind) are kept in one list instead, innermost collection last, and each collection's
//! own list is allocated once, when it ends, at exactly its size. That list grows to what a file
//! needs once, and is reused by every collection after.
//!
//! A long collection does not stay whole in that list: its children move out in chunks of a
//! fixed size, so that the moment it ends holds twice its children, not the list's doubled room
//! beside the copy (the peak of a file of short tokens, each a node of ~60 bytes, would be three
//! times their size).

/// Children a collection keeps in the shared list before they move to a chunk of their own: small
/// collections (almost all) never leave it, and a chunk of nodes (~30–60 KB) is a size the
/// allocator reuses at once.
const CHUNK: usize = 512;

/// The children of the open collections of one kind (see the module's documentation).
#[derive(Debug)]
pub(super) struct Children<T> {
    shared: Vec<T>,
}

/// Where one open collection's children are: its full chunks, in order, then the shared list
/// from `from` on.
#[derive(Debug)]
pub(super) struct Open<T> {
    from: usize,
    full: Vec<Vec<T>>,
}

impl<T> Children<T> {
    pub(super) fn new() -> Self {
        Children { shared: Vec::new() }
    }

    /// A collection opens: its children come after those of the collections around it.
    pub(super) fn open(&self) -> Open<T> {
        Open { from: self.shared.len(), full: Vec::new() }
    }

    /// Adds a child to `open`, the innermost open collection.
    pub(super) fn push(&mut self, open: &mut Open<T>, item: T) {
        if self.shared.len() - open.from == CHUNK {
            let mut chunk = Vec::with_capacity(CHUNK);
            chunk.extend(self.shared.drain(open.from..));
            open.full.push(chunk);
        }
        self.shared.push(item);
    }

    /// The innermost open collection ends: its children in order, in a list with no room to spare.
    pub(super) fn close(&mut self, open: Open<T>) -> Vec<T> {
        let Open { from, full } = open;
        if full.is_empty() {
            return self.shared.split_off(from);
        }
        let mut all = Vec::with_capacity(full.len() * CHUNK + self.shared.len() - from);
        for chunk in full {
            all.extend(chunk);
        }
        all.extend(self.shared.drain(from..));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_keep_their_order_apart_from_the_collections_around_them_with_no_spare_room() {
        for count in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let mut children = Children::new();
            let mut outer = children.open();
            children.push(&mut outer, usize::MAX);
            let mut inner = children.open();
            (0..count).for_each(|i| children.push(&mut inner, i));
            let all = children.close(inner);
            assert_eq!(all, (0..count).collect::<Vec<_>>());
            assert_eq!(all.capacity(), count);
            // A collection's chunks hold its own children only: the one around it is whole.
            children.push(&mut outer, count);
            assert_eq!(children.close(outer), [usize::MAX, count]);
            assert!(children.shared.is_empty());
        }
    }

    #[test]
    fn a_long_collection_leaves_the_shared_list_a_chunk_at_a_time() {
        let mut children = Children::new();
        let mut open = children.open();
        (0..10 * CHUNK + 3).for_each(|i| children.push(&mut open, i));
        assert_eq!(open.full.len(), 10);
        assert!(open.full.iter().all(|c| c.len() == CHUNK && c.capacity() == CHUNK));
        assert_eq!(children.shared.len(), 3);
        assert!(children.shared.capacity() <= 2 * CHUNK, "the shared list never holds a whole long collection");
        assert_eq!(children.close(open), (0..10 * CHUNK + 3).collect::<Vec<_>>());
    }
}
