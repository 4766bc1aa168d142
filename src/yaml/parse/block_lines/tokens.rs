//! The tokens of a line as the line scanner reads them: dashes, keys, plain scalars.

use saphyr_parser::ScalarStyle;

use super::Declined;

/// saphyr-parser's limit on a key's length (an implicit key: YAML 1.2, section 7.4.2).
const MAX_KEY_LEN: usize = 1024;

/// Whether `rest` starts with a sequence item's dash (`-` then a blank or the end of the line).
pub(super) fn is_dash(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.first() == Some(&b'-') && matches!(b.get(1), None | Some(b' '))
}

/// The column of an item's content after its dash at `dash`, if the item has any.
pub(super) fn after_dash(line: &str, dash: usize) -> Option<usize> {
    let content = skip_spaces(line, dash + 1);
    (content < line.len() && line.as_bytes()[content] != b'#').then_some(content)
}

pub(super) fn skip_spaces(line: &str, from: usize) -> usize {
    from + line.as_bytes().get(from..).map_or(0, |b| b.iter().take_while(|&&b| b == b' ').count())
}

/// A mapping key on a line: where it starts (at its quote, if quoted), its text, its style, and
/// the column of its colon.
pub(super) struct Key {
    pub(super) start: usize,
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) style: ScalarStyle,
    pub(super) colon: usize,
}

/// The key that starts at column `col`, if one does: a word of letters, digits and `_ . / -`
/// (not starting with `-`), or a one-line quoted text without escapes, then `:` and a blank or
/// the end of the line.
pub(super) fn key_at(line: &str, col: usize) -> Option<Key> {
    let bytes = line.as_bytes();
    let first = *bytes.get(col)?;
    let (from, to, colon, style) = if matches!(first, b'"' | b'\'') {
        let close = col + 1 + bytes[col + 1..].iter().position(|&b| b == first || b == b'\\')?;
        let style = if first == b'"' { ScalarStyle::DoubleQuoted } else { ScalarStyle::SingleQuoted };
        (col + 1, close, close + 1, style)
    } else if first.is_ascii_alphanumeric() || matches!(first, b'_' | b'.' | b'/') {
        let word = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-');
        let to = col + bytes[col..].iter().take_while(|b| word(b)).count();
        (col, to, to, ScalarStyle::Plain)
    } else {
        return None;
    };
    let ends = bytes.get(colon) == Some(&b':') && matches!(bytes.get(colon + 1), None | Some(b' '));
    (ends && colon - col <= MAX_KEY_LEN).then_some(Key { start: col, from, to, style, colon })
}

/// Where a plain scalar starting at `col` of a block line ends (before trailing blanks and a
/// comment), if it is one this scanner reads: it starts with a character that begins no other
/// token (or with a `-` before one that is not a blank), and holds no `: ` (a key) and no ` #` but its comment.
pub(super) fn plain_end(line: &str, col: usize) -> Result<usize, Declined> {
    let bytes = line.as_bytes();
    let first = bytes[col];
    let starts_other = matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    );
    if starts_other && !(first == b'-' && bytes.get(col + 1).is_some_and(|&b| b != b' ')) {
        return Err(Declined);
    }
    let comment = memchr::memmem::find(&bytes[col..], b" #").map_or(bytes.len(), |i| col + i);
    let end = col + line[col..comment].trim_end_matches(' ').len();
    let text = &bytes[col..end];
    if memchr::memmem::find(text, b": ").is_some() || text.ends_with(b":") {
        return Err(Declined);
    }
    Ok(end)
}

/// Where a plain scalar inside a flow sequence ends (before trailing blanks): it starts with a
/// letter, a digit, `_ / .` or a `-` before a letter or digit, and holds no `, [ ] { } : #`.
pub(super) fn flow_plain_end(line: &str, col: usize) -> Result<usize, Declined> {
    let bytes = line.as_bytes();
    let starts = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'.');
    let dash_word = bytes.get(col) == Some(&b'-') && bytes.get(col + 1).is_some_and(u8::is_ascii_alphanumeric);
    if !(bytes.get(col).is_some_and(starts) || dash_word) {
        return Err(Declined);
    }
    let len =
        bytes[col..].iter().take_while(|&&b| !matches!(b, b',' | b'[' | b']' | b'{' | b'}' | b':' | b'#')).count();
    Ok(col + line[col..col + len].trim_end_matches(' ').len())
}
