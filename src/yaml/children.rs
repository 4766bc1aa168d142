//! The children of a collection while the parser reads them.
//!
//! A list that grows by doubling leaves behind every buffer it outgrew (as much again as its
//! final size, which the allocator hands back to the system only after a while), ends with up to
//! half its room unused, and trimming it copies it once more: for a file of short tokens, each a
//! node of ~80 bytes, what a file cost jumped with the item count at every power of two. Children
//! are collected in chunks of a fixed size instead, and copied once into a list of exactly their
//! number when the collection ends: twice the children's size at the peak, whatever the count,
//! and the next chunks reuse the memory of the ones already copied.

/// Children per chunk: small collections (almost all) never leave their first chunk, and a
/// chunk of nodes (~40 KB) is a size the allocator reuses at once.
const CHUNK: usize = 512;

#[derive(Debug)]
pub(super) struct Children<T> {
    full: Vec<Vec<T>>,
    last: Vec<T>,
}

impl<T> Children<T> {
    pub(super) fn new() -> Self {
        Children { full: Vec::new(), last: Vec::new() }
    }

    pub(super) fn push(&mut self, item: T) {
        if self.last.len() == CHUNK {
            let chunk = std::mem::replace(&mut self.last, Vec::with_capacity(CHUNK));
            self.full.push(chunk);
        }
        self.last.push(item);
    }

    pub(super) fn last(&self) -> Option<&T> {
        self.last.last()
    }

    /// The children in order, in a list with no room to spare.
    pub(super) fn into_vec(self) -> Vec<T> {
        let Children { full, mut last } = self;
        if full.is_empty() {
            last.shrink_to_fit();
            return last;
        }
        let mut all = Vec::with_capacity(full.len() * CHUNK + last.len());
        for chunk in full {
            all.extend(chunk);
        }
        all.extend(last);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_keep_their_order_and_list_has_no_spare_room() {
        for count in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let mut children = Children::new();
            (0..count).for_each(|i| children.push(i));
            assert_eq!(children.last().copied(), count.checked_sub(1));
            let all = children.into_vec();
            assert_eq!(all, (0..count).collect::<Vec<_>>());
            assert_eq!(all.capacity(), count);
        }
    }
}
