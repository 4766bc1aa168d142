//! A position in 32 bits, so that a span (two positions and a file) is 12 bytes, not 20.
//!
//! The model holds a span for every name, key and value a rule can point at: about 70 an
//! application in a typical repository, so eight bytes each is half a kilobyte an application
//! (docs/performance.md, round eleven). Three layouts are stored in place, told apart by the two
//! top bits: lines below 2^19 with columns below 2^11 (every position of a manifest written by
//! hand); lines below 16 with columns below 2^26 (machine-written JSON on one line: every page the
//! API server sends, a minified ARM template); and lines below 2^24 with columns below 2^6 (a
//! generated file of more than half a million lines). Any other position is stored once in a
//! process-wide table, and the packed value holds its index: exact, only slower to read back.
//! That table lives as long as the process, so what fits in place must not go there: a file of a
//! million tiny documents put four million positions in it.

use std::sync::{OnceLock, RwLock};

use super::Pos;

/// Set, alone of the two top bits, in a packed value that holds an index into the table of
/// [`far`] positions.
const FAR: u32 = 1 << 31;
/// Set, alone, in a packed value of the one-line layout (few lines, wide columns).
const WIDE: u32 = 1 << 30;
/// Both top bits: the layout of many lines with narrow columns.
const TALL: u32 = FAR | WIDE;
const COL_BITS: u32 = 11;
const COL_LIMIT: u32 = 1 << COL_BITS;
const LINE_LIMIT: u32 = 1 << (30 - COL_BITS);
const WIDE_COL_BITS: u32 = 26;
const WIDE_COL_LIMIT: u32 = 1 << WIDE_COL_BITS;
const WIDE_LINE_LIMIT: u32 = 1 << (30 - WIDE_COL_BITS);
const TALL_COL_BITS: u32 = 6;
const TALL_COL_LIMIT: u32 = 1 << TALL_COL_BITS;
const TALL_LINE_LIMIT: u32 = 1 << (30 - TALL_COL_BITS);

/// A [`Pos`], packed. Two packed values of the same position can differ (a far position stored
/// twice has two indexes): compare and hash the unpacked position.
#[derive(Clone, Copy)]
pub(super) struct Packed(u32);

/// Positions that do not fit in place, by index. Append-only for the life of the process, as
/// file ids are: the values holding indexes can be anywhere in the model.
fn far() -> &'static RwLock<Vec<Pos>> {
    static TABLE: OnceLock<RwLock<Vec<Pos>>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

#[cfg(test)]
thread_local! {
    /// Far positions stored by this thread: tests run on threads of their own, so a test can
    /// tell that what it parsed never reached the table (the table itself is shared).
    static FAR_STORED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many far positions this thread has stored.
#[cfg(test)]
pub(crate) fn far_stored_on_this_thread() -> usize {
    FAR_STORED.with(std::cell::Cell::get)
}

impl Packed {
    pub(super) const ZERO: Packed = Packed(0);

    /// Inlined where spans are made (two for every node the parser builds); the table is out of
    /// line.
    #[inline]
    pub(super) fn new(pos: Pos) -> Packed {
        if pos.line < LINE_LIMIT && pos.col < COL_LIMIT {
            return Packed(pos.line << COL_BITS | pos.col);
        }
        if pos.line < WIDE_LINE_LIMIT && pos.col < WIDE_COL_LIMIT {
            return Packed(WIDE | pos.line << WIDE_COL_BITS | pos.col);
        }
        Packed::tall_or_far(pos)
    }

    /// A position of a file of many lines, else one stored in the table of far positions.
    #[cold]
    #[inline(never)]
    fn tall_or_far(pos: Pos) -> Packed {
        if pos.line < TALL_LINE_LIMIT && pos.col < TALL_COL_LIMIT {
            return Packed(TALL | pos.line << TALL_COL_BITS | pos.col);
        }
        #[cfg(test)]
        FAR_STORED.with(|n| n.set(n.get() + 1));
        let mut table = far().write().unwrap_or_else(|e| e.into_inner());
        match u32::try_from(table.len()) {
            Ok(index) if index < WIDE => {
                table.push(pos);
                Packed(FAR | index)
            }
            // A billion far positions (8 GB of them) would come first: never reached, but a
            // clamped position is still a position.
            _ => Packed((pos.line.min(LINE_LIMIT - 1)) << COL_BITS | pos.col.min(COL_LIMIT - 1)),
        }
    }

    #[inline]
    pub(super) fn get(self) -> Pos {
        if self.0 & (FAR | WIDE) == 0 {
            return Pos { line: self.0 >> COL_BITS, col: self.0 & (COL_LIMIT - 1) };
        }
        if self.0 & FAR == 0 {
            let line = (self.0 & !WIDE) >> WIDE_COL_BITS;
            return Pos { line, col: self.0 & (WIDE_COL_LIMIT - 1) };
        }
        self.get_tall_or_far()
    }

    #[cold]
    #[inline(never)]
    fn get_tall_or_far(self) -> Pos {
        if self.0 & TALL == TALL {
            let line = (self.0 & !TALL) >> TALL_COL_BITS;
            return Pos { line, col: self.0 & (TALL_COL_LIMIT - 1) };
        }
        let table = far().read().unwrap_or_else(|e| e.into_inner());
        table.get((self.0 & !FAR) as usize).copied().unwrap_or_default()
    }

    /// Whether this holds an index into the table (the same position may then be held twice).
    fn in_table(self) -> bool {
        self.0 & TALL == FAR
    }

    /// Whether both are the same position. A position that fits a layout in place has one packed
    /// value (the first layout it fits); one in the table may have several.
    pub(super) fn same(self, other: Packed) -> bool {
        self.0 == other.0 || ((self.in_table() || other.in_table()) && self.get() == other.get())
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Packed, Pos, COL_LIMIT, FAR, LINE_LIMIT, TALL_COL_LIMIT, TALL_LINE_LIMIT, WIDE_COL_LIMIT, WIDE_LINE_LIMIT,
    };

    /// Every position comes back exactly, whether stored in place or in the table.
    #[test]
    fn positions_come_back_as_they_went_in() {
        let positions = [
            (0, 0),
            (1, 1),
            (LINE_LIMIT - 1, COL_LIMIT - 1),
            (LINE_LIMIT, 1),
            (1, COL_LIMIT),
            (7, 250_000),
            (WIDE_LINE_LIMIT - 1, WIDE_COL_LIMIT - 1),
            (WIDE_LINE_LIMIT, COL_LIMIT),
            (1, WIDE_COL_LIMIT),
            (LINE_LIMIT, TALL_COL_LIMIT - 1),
            (TALL_LINE_LIMIT - 1, 1),
            (TALL_LINE_LIMIT, 1),
            (LINE_LIMIT, TALL_COL_LIMIT),
            (u32::MAX, u32::MAX),
        ];
        for (line, col) in positions {
            let pos = Pos { line, col };
            assert_eq!(Packed::new(pos).get(), pos, "{line}:{col}");
        }
    }

    /// The positions of a one-line JSON document (an API server's page of objects, megabytes
    /// long) are stored in place: the table would otherwise grow by two entries for every value
    /// of every page, for the whole run.
    #[test]
    fn one_line_json_needs_no_table() {
        for (line, col) in [(1, 2048), (1, 3_000_000), (15, WIDE_COL_LIMIT - 1)] {
            assert_eq!(Packed::new(Pos { line, col }).0 & FAR, 0, "{line}:{col}");
        }
        let stored = super::far_stored_on_this_thread();
        assert_ne!(Packed::new(Pos { line: 16, col: 2048 }).0 & FAR, 0);
        assert_eq!(super::far_stored_on_this_thread(), stored + 1);
    }

    /// The positions of a file of millions of short lines (a generated bundle, a stream of a
    /// million tiny documents) are stored in place: the table lives as long as the process.
    #[test]
    fn a_file_of_millions_of_lines_needs_no_table() {
        let stored = super::far_stored_on_this_thread();
        for (line, col) in [(LINE_LIMIT, 1), (2_000_000, 5), (TALL_LINE_LIMIT - 1, TALL_COL_LIMIT - 1)] {
            let packed = Packed::new(Pos { line, col });
            assert!(!packed.in_table(), "{line}:{col}");
            assert!(packed.same(Packed::new(Pos { line, col })));
            assert!(!packed.same(Packed::new(Pos { line, col: col - 1 })));
        }
        assert_eq!(super::far_stored_on_this_thread(), stored);
        assert!(Packed::new(Pos { line: 2_000_000, col: 80 }).in_table());
        assert_eq!(super::far_stored_on_this_thread(), stored + 1);
    }

    /// A far position stored twice has two indexes, and is still the same position.
    #[test]
    fn a_far_position_stored_twice_is_the_same_position() {
        let far = Pos { line: 30, col: 90_000 };
        let (a, b) = (Packed::new(far), Packed::new(far));
        assert_ne!(a.0, b.0);
        assert!(a.same(b));
        assert!(!a.same(Packed::new(Pos { line: 30, col: 90_001 })));
        assert!(!a.same(Packed::new(Pos { line: 3, col: 9 })));
        assert!(Packed::new(Pos { line: 3, col: 9 }).same(Packed::new(Pos { line: 3, col: 9 })));
    }
}
