//! Positions in source text. Lines and columns are 1-based; columns count Unicode characters.

use std::num::NonZeroU32;
use std::sync::{Arc, OnceLock, RwLock};

mod packed;

#[cfg(test)]
pub(crate) use packed::far_stored_on_this_thread;

/// A point in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// A range in a source file: `start` inclusive, `end` exclusive.
///
/// Most spans are in the file of the object that holds them ([`FileId::HOLDER`]). An evaluated
/// object (a kustomize build, a Terraform module) also holds values that came from other files —
/// a patch, a variable's default — and their spans name that file, so a finding lands on the
/// line that produced the value.
///
/// Both positions are packed into 32 bits each ([`packed`]): read them with [`Span::start`] and
/// [`Span::end`].
#[derive(Clone, Copy)]
pub struct Span {
    start: packed::Packed,
    end: packed::Packed,
    pub file: FileId,
}

impl Default for Span {
    fn default() -> Span {
        Span { start: packed::Packed::ZERO, end: packed::Packed::ZERO, file: FileId::HOLDER }
    }
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start: packed::Packed::new(start), end: packed::Packed::new(end), file: FileId::HOLDER }
    }

    /// A zero-width span at `pos`.
    pub fn at(pos: Pos) -> Self {
        Span::new(pos, pos)
    }

    /// A zero-width span at the start of `line`, for objects that have no better anchor.
    pub fn line(line: u32) -> Self {
        Span::at(Pos { line, col: 1 })
    }

    /// The same range, in `file`.
    pub fn in_file(self, file: FileId) -> Self {
        Span { file, ..self }
    }

    /// Where the range starts.
    pub fn start(self) -> Pos {
        self.start.get()
    }

    /// Where the range ends (exclusive).
    pub fn end(self) -> Pos {
        self.end.get()
    }

    /// The same start and file, ending at `end`.
    pub fn with_end(self, end: Pos) -> Self {
        Span { end: packed::Packed::new(end), ..self }
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Span) -> bool {
        self.file == other.file && self.start.same(other.start) && self.end.same(other.end)
    }
}

impl Eq for Span {}

/// By start, then end, then file: the order of the positions, not of their packed forms.
impl Ord for Span {
    fn cmp(&self, other: &Span) -> std::cmp::Ordering {
        (self.start(), self.end(), self.file).cmp(&(other.start(), other.end(), other.file))
    }
}

impl PartialOrd for Span {
    fn partial_cmp(&self, other: &Span) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.start(), self.end(), self.file).hash(state);
    }
}

impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Span")
            .field("start", &self.start())
            .field("end", &self.end())
            .field("file", &self.file)
            .finish()
    }
}

/// The file a [`Span`] is in, when it is not the file of the object holding the span.
///
/// Ids index a process-wide, append-only table of display paths (files are few and live as long
/// as the run): spans stay `Copy` and small, and any layer can turn an id back into its path.
/// Ids are not stable across runs or threads; locations store paths, never ids.
/// Never zero, so that `Option<Span>` costs no more than a `Span` (the model holds several per
/// object).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(NonZeroU32);

impl Default for FileId {
    fn default() -> FileId {
        FileId::HOLDER
    }
}

#[derive(Default)]
struct FileTable {
    paths: Vec<Arc<str>>,
    /// foldhash: every span a warm run decodes from the cache in another file looks its path up.
    ids: foldhash::HashMap<Arc<str>, FileId>,
}

fn file_table() -> &'static RwLock<FileTable> {
    static TABLE: OnceLock<RwLock<FileTable>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

impl FileId {
    /// The file of the object that holds the span.
    pub const HOLDER: FileId = FileId(NonZeroU32::MIN);

    /// The id of the file displayed as `path`.
    pub fn of(path: &str) -> FileId {
        let table = file_table();
        if let Some(&id) = table.read().unwrap_or_else(|e| e.into_inner()).ids.get(path) {
            return id;
        }
        let mut table = table.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = table.ids.get(path) {
            return id;
        }
        let path: Arc<str> = Arc::from(path);
        table.paths.push(path.clone());
        // The first file is 2 (1 is the holder); the table's index is the id less 2.
        let id = u32::try_from(table.paths.len() + 1).ok().and_then(NonZeroU32::new).map_or(FileId::HOLDER, FileId);
        table.ids.insert(path, id);
        id
    }

    /// The display path of the file; `None` for [`FileId::HOLDER`].
    pub fn path(self) -> Option<Arc<str>> {
        let index = usize::try_from(self.0.get()).ok()?.checked_sub(2)?;
        file_table().read().unwrap_or_else(|e| e.into_inner()).paths.get(index).cloned()
    }
}

/// Stored (in the incremental cache) as the file's display path, since ids are not stable
/// across runs: `None` for [`FileId::HOLDER`].
impl serde::Serialize for FileId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.path().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for FileId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<FileId, D::Error> {
        let path: Option<&str> = serde::Deserialize::deserialize(deserializer)?;
        Ok(path.map_or(FileId::HOLDER, FileId::of))
    }
}

/// Stored (in the incremental cache) as one flat tuple, the end line as a distance from the
/// start line (most spans are on one line: one byte). A warm run decodes a million spans: in the
/// derived form (two nested structs) they took an eighth of its instructions.
impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut tuple = serializer.serialize_tuple(5)?;
        let (start, end) = (self.start(), self.end());
        tuple.serialize_element(&start.line)?;
        tuple.serialize_element(&start.col)?;
        // Wrapping: a span is never stored in a form that cannot come back exactly.
        tuple.serialize_element(&end.line.wrapping_sub(start.line))?;
        tuple.serialize_element(&end.col)?;
        tuple.serialize_element(&self.file)?;
        tuple.end()
    }
}

impl<'de> serde::Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Span, D::Error> {
        struct Flat;
        impl<'de> serde::de::Visitor<'de> for Flat {
            type Value = Span;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a span: start line and column, line distance, end column, file")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Span, A::Error> {
                let mut next = |i: usize| -> Result<u32, A::Error> {
                    seq.next_element()?.ok_or_else(|| serde::de::Error::invalid_length(i, &self))
                };
                let (line, col, lines, end_col) = (next(0)?, next(1)?, next(2)?, next(3)?);
                let file = seq.next_element()?.ok_or_else(|| serde::de::Error::invalid_length(4, &self))?;
                let end = Pos { line: line.wrapping_add(lines), col: end_col };
                Ok(Span::new(Pos { line, col }, end).in_file(file))
            }
        }
        deserializer.deserialize_tuple(5, Flat)
    }
}

/// Converts byte offsets of a text into 1-based line / character-column positions.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Every character is one byte: a column is a byte count (evaluators ask for the positions
    /// of many expressions in files that are almost always ASCII).
    ascii: bool,
}

/// The byte offset where each line of `text` starts. Runs once per file read: `memchr` finds each
/// newline a word or a vector at a time, where `match_indices` set up a new search at every line.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect()
}

/// The 1-based position of byte `offset` of `text` (clamped to it), whose lines start at `starts`.
/// In a text known to be `ascii`, a column is a byte count.
fn position(text: &str, starts: &[usize], offset: usize, ascii: bool) -> Pos {
    let offset = offset.min(text.len());
    let line = starts.partition_point(|&s| s <= offset).max(1);
    let start = starts[line - 1];
    let col = match text.get(start..offset) {
        Some(s) if !ascii => s.chars().count(),
        _ => offset - start,
    };
    Pos { line: line as u32, col: col as u32 + 1 }
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex { text, starts: line_starts(text), ascii: text.is_ascii() }
    }

    /// The position of byte `offset` (clamped to the text).
    pub fn pos(&self, offset: usize) -> Pos {
        position(self.text, &self.starts, offset, self.ascii)
    }

    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.pos(range.start), self.pos(range.end))
    }
}

/// A whole text with the start of every line, shared by everything that shows parts of it (a
/// file's snippets in every finding): positions become offsets without scanning from byte 0.
#[derive(Debug)]
pub struct SourceText {
    text: Arc<str>,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl SourceText {
    pub fn new(text: impl Into<Arc<str>>) -> SourceText {
        let text = text.into();
        let starts = line_starts(&text);
        SourceText { text, starts }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The number of lines (a final line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte offset where 0-based `line` starts (the text's end past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The 1-based position of byte `offset` (clamped to the text), as [`LineIndex::pos`] gives it.
    pub fn pos(&self, offset: usize) -> Pos {
        position(&self.text, &self.starts, offset, false)
    }

    /// The byte offset of a 1-based (line, character column) position, clamped to the line's
    /// text (without its line break); past the last line, the text's end.
    pub fn offset(&self, pos: Pos) -> usize {
        let Some(line) = (pos.line as usize).checked_sub(1).filter(|&l| l < self.starts.len()) else {
            return self.text.len();
        };
        let start = self.starts[line];
        let content = self.text[start..self.line_start(line + 1)].trim_end_matches(['\n', '\r']);
        let within: usize = content.chars().take(pos.col.saturating_sub(1) as usize).map(char::len_utf8).sum();
        start + within
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_to_positions() {
        let idx = LineIndex::new("ab\nçd\n");
        assert_eq!(idx.pos(0), Pos { line: 1, col: 1 });
        assert_eq!(idx.pos(3), Pos { line: 2, col: 1 });
        assert_eq!(idx.pos(5), Pos { line: 2, col: 2 });
        assert_eq!(idx.pos(100), Pos { line: 3, col: 1 });
    }

    /// An ASCII text's positions are counted in bytes: the same positions as counting characters.
    #[test]
    fn ascii_positions_are_those_characters_give() {
        let text = "a = 1\n\nlocals {\n  b = \"x\"\n}";
        let idx = LineIndex::new(text);
        assert!(idx.ascii);
        for offset in 0..text.len() + 3 {
            assert_eq!(idx.pos(offset), position(text, &idx.starts, offset, false), "offset {offset}");
        }
        assert_eq!(idx.pos(9), Pos { line: 3, col: 3 });
    }

    #[test]
    fn source_text_turns_positions_into_offsets() {
        let t = SourceText::new("ab\r\nçd\nlast");
        assert_eq!(t.line_count(), 3);
        assert_eq!(t.offset(Pos { line: 1, col: 1 }), 0);
        assert_eq!(t.offset(Pos { line: 1, col: 9 }), 2, "clamped before the line break");
        assert_eq!(t.offset(Pos { line: 2, col: 2 }), 6, "columns count characters");
        assert_eq!(t.offset(Pos { line: 3, col: 5 }), 12);
        assert_eq!(t.offset(Pos { line: 9, col: 1 }), 12);
        assert_eq!((t.line_of(0), t.line_of(4), t.line_of(8), t.line_of(99)), (0, 1, 2, 2));
        assert_eq!(t.line_start(2), 8);
        let index = LineIndex::new(t.as_str());
        for offset in 0..16 {
            assert_eq!(t.pos(offset), index.pos(offset), "offset {offset}");
        }
    }

    #[test]
    fn an_absent_span_costs_no_more_than_a_span() {
        assert_eq!(std::mem::size_of::<Option<Span>>(), std::mem::size_of::<Span>());
    }

    #[test]
    fn file_ids_name_their_paths() {
        let a: Arc<str> = Arc::from("overlays/prod/patch.yaml");
        let id = FileId::of(&a);
        assert_ne!(id, FileId::HOLDER);
        assert_eq!(FileId::of(&Arc::from("overlays/prod/patch.yaml")), id);
        assert_eq!(id.path().as_deref(), Some("overlays/prod/patch.yaml"));
        assert_eq!(FileId::HOLDER.path(), None);
        assert_ne!(FileId::of(&Arc::from("base/sa.yaml")), id);
    }

    /// The incremental cache stores spans in a form of their own: every span comes back exactly,
    /// one whose end is before its start included, and a single-line span takes one byte for
    /// its line distance.
    #[test]
    fn spans_come_back_from_the_cache_encoding_exactly() {
        let at = |line, col| Pos { line, col };
        let spans = [
            Span::new(at(3, 7), at(3, 19)),
            Span::new(at(10, 1), at(42, 3)).in_file(FileId::of("base/deployment.yaml")),
            Span::new(at(9, 5), at(2, 1)),
            Span::new(at(u32::MAX, u32::MAX), at(0, 0)),
            Span::default(),
        ];
        for span in spans {
            let bytes = postcard::to_stdvec(&span).unwrap();
            assert_eq!(postcard::from_bytes::<Span>(&bytes).unwrap(), span, "{span:?}");
        }
        assert_eq!(postcard::to_stdvec(&spans[0]).unwrap(), [3, 7, 0, 19, 0]);
        assert!(postcard::from_bytes::<Span>(&[3, 7, 0, 19]).is_err(), "a truncated span is an error");
    }
}
