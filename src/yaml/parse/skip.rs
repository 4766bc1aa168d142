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
//! anchor or an alias inside, a merge key, a scalar the policy keeps (which secret collection may
//! take), and a key that is not a scalar (what an unquoted Go template action parses as: a file
//! holding one is not linted as a manifest).
//!
//! [`Unread`]: super::Unread

use compact_str::CompactString;
use saphyr_parser::{Event, ScalarStyle};

use super::{Builder, Cost, Frame, Left, Node, NodeKind, ParseError};
use crate::span::Pos;

/// A value being read past.
pub(super) struct Skipping {
    /// Its open collections, outermost first.
    open: Vec<Open>,
    /// What its node would cost: one per node, and its scalars' bytes.
    cost: Cost,
}

/// One open collection of a value being read past.
struct Open {
    start: Pos,
    /// A mapping's keys so far; `None` for a sequence.
    keys: Option<Keys>,
}

/// The keys of a mapping read past, as the duplicate check takes them: the text of each and where
/// it starts, in source order (what a pruned mapping keeps of the entries it leaves out).
struct Keys {
    seen: Left,
    /// Whether the mapping's next child is a key (children alternate: key, value).
    next_is_key: bool,
}

impl Skipping {
    /// Where each open collection starts, outermost first.
    pub(super) fn open_starts(&self) -> impl Iterator<Item = Pos> + '_ {
        self.open.iter().map(|o| o.start)
    }
}

impl Open {
    fn new(mapping: bool, start: Pos) -> Open {
        let keys = mapping.then(|| Keys { seen: Left::new(), next_is_key: true });
        Open { start, keys }
    }

    /// Notes a child of this collection; returns whether it is a mapping's key.
    fn child(&mut self) -> bool {
        match &mut self.keys {
            Some(keys) => {
                let is_key = keys.next_is_key;
                keys.next_is_key = !is_key;
                is_key
            }
            None => false,
        }
    }

    /// Notes the key `text` starting at `start`.
    fn key(&mut self, text: &str, start: Pos) {
        if let Some(keys) = &mut self.keys {
            keys.seen.push((CompactString::from(text), start));
        }
    }

    /// The key of the value that comes next.
    fn last_key(&self) -> Option<&str> {
        Some(self.keys.as_ref()?.seen.last()?.0.as_str())
    }
}

impl Builder<'_> {
    /// Whether the collection about to open is the value of an entry the policy says nothing
    /// reads: its key is a scalar, and the mapping holding it is the value of a scalar key.
    pub(super) fn skips_next_value(&self) -> bool {
        let Some(unread) = self.unread else { return false };
        let [.., Frame::Map { key: Some(parent), .. }, Frame::Map { key: Some(key), .. }] = self.stack.as_slice()
        else {
            return false;
        };
        match (parent.as_str(), key.as_str()) {
            (Some(parent), Some(key)) => unread.skips(parent, key),
            _ => false,
        }
    }

    /// Starts reading past the collection (a mapping or a sequence) opening at `start`.
    pub(super) fn start_skipping(&mut self, mapping: bool, start: Pos) -> Result<(), ParseError> {
        self.check_depth(self.stack.len(), start)?;
        self.skipping = Some(Skipping { open: vec![Open::new(mapping, start)], cost: Cost::default() });
        Ok(())
    }

    /// Takes one event of the value being read past.
    pub(super) fn skip(&mut self, event: Event<'_>, start: Pos) -> Result<(), ParseError> {
        let (Some(skipping), Some(unread)) = (self.skipping.as_mut(), self.unread) else { return Ok(()) };
        let Some(top) = skipping.open.last_mut() else { return Ok(()) };
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let plain = matches!(style, ScalarStyle::Plain);
                let kept = if top.child() {
                    top.key(&value, start);
                    plain && value == "<<" // a merge key
                } else {
                    unread.keeps(top.last_key().unwrap_or(""), &value)
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
                // (`top.child()` last: a collection as a key is read whole.)
                if anchor != 0 || top.child() {
                    self.misjudge();
                    return Ok(());
                }
                let depth = self.stack.len() + skipping.open.len();
                self.check_depth(depth, start)?;
                let mapping = matches!(event, Event::MappingStart(..));
                if let Some(skipping) = self.skipping.as_mut() {
                    skipping.open.push(Open::new(mapping, start));
                }
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
        let Some(skipping) = self.skipping.as_mut() else { return Ok(()) };
        let Some(closed) = skipping.open.pop() else { return Ok(()) };
        skipping.cost.add(Cost::ONE);
        let done = skipping.open.is_empty();
        if let Some(keys) = closed.keys {
            self.check_duplicates(keys.seen.iter().map(|(k, p)| (Some(k.as_str()), *p)), keys.seen.len());
        }
        self.nodes += 1;
        self.check_node_budget(closed.start)?;
        if done {
            let cost = self.skipping.take().map_or(Cost::default(), |s| s.cost);
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
        self.skipping = None;
    }
}
