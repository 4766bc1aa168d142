//! Values no reader looks at, read past without building their tree.
//!
//! An object's `metadata.managedFields` (which client last wrote which field) is often as long as
//! the rest of what an API server sends for it, and nothing reads it. When an [`Unread`] policy
//! says a value is never read ([`Unread::skips`]), the builder takes its events without making
//! nodes, and leaves the entry out of its mapping. What the whole tree would have checked of the
//! value is still checked, at the same positions: each of its mappings' keys for duplicates (and
//! its own key, with its mapping's), the node budget and the nesting depth; and what it would
//! cost to copy counts towards the alias budgets of an anchored mapping around it. What the
//! policy cannot vouch for has the stream read again whole, as a contradicted `kind` does: an
//! anchor or an alias inside, a merge key, a scalar the policy must read (which secret collection
//! may take), and a key that is not a scalar (what an unquoted Go template action parses as: a file
//! holding one is not linted as a manifest).
//!
//! [`Unread`]: super::Unread

use compact_str::CompactString;
use saphyr_parser::{Event, ScalarStyle};

use super::{Builder, Cost, Frame, Left, Node, NodeKind, ParseError};
use crate::span::Pos;

/// A value being read past, if any: its open collections and their keys. Kept by the builder
/// from one value to the next, so that reading one past allocates nothing once these have grown.
#[derive(Default)]
pub(super) struct Skipping {
    /// Its open collections, outermost first; empty when no value is being read past.
    open: Vec<Open>,
    /// The keys of its open mappings so far, innermost mapping's last (see [`Open::keys_from`]):
    /// the text of each and where it starts, in source order, as the duplicate check takes them
    /// (what a pruned mapping keeps of the entries it leaves out).
    keys: Left,
    /// What its node would cost: one per node, and its scalars' bytes.
    cost: Cost,
}

/// One open collection of a value being read past.
struct Open {
    start: Pos,
    /// For a mapping, where its keys start in [`Skipping::keys`], and whether its next child is a
    /// key (children alternate: key, value); `None` for a sequence.
    keys_from: Option<(usize, bool)>,
}

impl Skipping {
    /// Whether a value is being read past.
    pub(super) fn active(&self) -> bool {
        !self.open.is_empty()
    }

    /// Where each open collection starts, outermost first.
    pub(super) fn open_starts(&self) -> impl Iterator<Item = Pos> + '_ {
        self.open.iter().map(|o| o.start)
    }

    /// Opens a collection inside the value (or the value itself).
    fn open(&mut self, mapping: bool, start: Pos) {
        let keys_from = mapping.then_some((self.keys.len(), true));
        self.open.push(Open { start, keys_from });
    }

    /// Notes a child of the innermost collection; returns whether it is a mapping's key.
    fn child(&mut self) -> bool {
        match self.open.last_mut().and_then(|o| o.keys_from.as_mut()) {
            Some((_, next_is_key)) => {
                let is_key = *next_is_key;
                *next_is_key = !is_key;
                is_key
            }
            None => false,
        }
    }

    /// The key of the value that comes next in the innermost collection, if it is a mapping.
    fn last_key(&self) -> Option<&str> {
        let (from, _) = self.open.last()?.keys_from?;
        Some(self.keys[from..].last()?.0.as_str())
    }

    /// Forgets the value (what the stream holds is read again whole).
    fn clear(&mut self) {
        self.open.clear();
        self.keys.clear();
        self.cost = Cost::default();
    }
}

impl Builder<'_> {
    /// Whether the collection about to open is the value of an entry the policy says nothing
    /// reads: its key is a scalar, and the mapping holding it is the value of a scalar key or an
    /// item of a sequence that is. Never in a Secret: secret collection takes every scalar of a
    /// Secret's data, however deep (a `kind: Secret` read later has the stream read whole).
    pub(super) fn skips_next_value(&self) -> bool {
        let Some(unread) = self.unread else { return false };
        if self.kind.as_deref() == Some("Secret") {
            return false;
        }
        match self.stack.as_slice() {
            [.., Frame::Map { key: Some(parent), .. }, Frame::Map { key: Some(key), .. }] => {
                matches!((parent.as_str(), key.as_str()), (Some(parent), Some(key)) if unread.skips(parent, key))
            }
            [.., Frame::Map { key: Some(list), .. }, Frame::Seq { .. }, Frame::Map { key: Some(key), .. }] => {
                matches!((list.as_str(), key.as_str()), (Some(list), Some(key)) if unread.skips_in_item(list, key))
            }
            _ => false,
        }
    }

    /// Starts reading past the collection (a mapping or a sequence) opening at `start`.
    pub(super) fn start_skipping(&mut self, mapping: bool, start: Pos) -> Result<(), ParseError> {
        self.check_depth(self.stack.len(), start)?;
        // A later `kind` key that says otherwise (a Secret after all) has the stream read whole.
        match &self.kind {
            Some(_) => self.pruned_for.clone_from(&self.kind),
            None => self.read_past_before_kind = true,
        }
        self.skipping.clear();
        self.skipping.open(mapping, start);
        Ok(())
    }

    /// Takes one event of the value being read past.
    pub(super) fn skip(&mut self, event: Event<'_>, start: Pos) -> Result<(), ParseError> {
        let Some(unread) = self.unread else { return Ok(()) };
        let skipping = &mut self.skipping;
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let kept = if skipping.child() {
                    skipping.keys.push((CompactString::from(&*value), start));
                    matches!(style, ScalarStyle::Plain) && value == "<<" // a merge key
                } else {
                    unread.must_read(skipping.last_key().unwrap_or(""), &value)
                };
                if anchor != 0 || kept {
                    self.misjudge();
                    return Ok(());
                }
                skipping.cost.add(Cost { nodes: 1, bytes: value.len() });
                self.nodes += 1;
                self.check_node_budget(start)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                // (`child()` last: a collection as a key is read whole.)
                if anchor != 0 || skipping.child() {
                    self.misjudge();
                    return Ok(());
                }
                let depth = self.stack.len() + skipping.open.len();
                self.check_depth(depth, start)?;
                self.skipping.open(matches!(event, Event::MappingStart(..)), start);
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => self.close_skipped(),
            Event::Alias(_) => {
                self.misjudge();
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {
                Ok(())
            }
        }
    }

    /// The innermost open collection of the value read past ends; once the value itself ends,
    /// its entry is left out of its mapping.
    fn close_skipped(&mut self) -> Result<(), ParseError> {
        let Some(closed) = self.skipping.open.pop() else { return Ok(()) };
        self.skipping.cost.add(Cost::ONE);
        if let Some((from, _)) = closed.keys_from {
            // Taken out for the check (which may note a problem), then given back without them.
            let mut keys = std::mem::take(&mut self.skipping.keys);
            self.check_duplicates(keys[from..].iter().map(|(k, p)| (Some(k.as_str()), *p)), keys.len() - from);
            keys.truncate(from);
            self.skipping.keys = keys;
        }
        self.nodes += 1;
        self.check_node_budget(closed.start)?;
        if !self.skipping.active() {
            let cost = std::mem::take(&mut self.skipping.cost);
            if let Some(Frame::Map { key, left, cost: total, .. }) = self.stack.last_mut() {
                if let Some(Node { span, kind: NodeKind::Scalar(name) }) = key.take() {
                    left.push((name.value, span.start()));
                }
                total.add(cost);
            }
        }
        Ok(())
    }

    /// What the value read past holds needs the whole tree: the stream is read again.
    fn misjudge(&mut self) {
        self.misjudged = true;
        self.skipping.clear();
    }
}
