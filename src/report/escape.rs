//! Escaping of input-derived text for the formats people read in a terminal or a CI log.
//!
//! A file name, a label value, a snippet line or an API server's error message is written by
//! whoever wrote the input, and may hold bytes that a terminal obeys rather than prints: ESC and
//! CSI/OSC sequences (colours, cursor moves, window titles, hyperlinks), other C0/C1 controls,
//! and the Unicode bidirectional controls that make text read differently from what it is
//! ("Trojan Source"). The human format passes every such value through [`human`] (single-line
//! values) or [`human_text`] (help texts and snippets, which keep their line breaks); the
//! `github` format through [`github_data`] / [`github_property`]. JSON and SARIF escape through
//! serde_json. Escaped characters are shown as Rust writes them: `\u{1b}`.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must never reach a terminal or a log as it is (line breaks are decided by the
/// caller).
pub fn is_hostile(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidirectional formatting: marks, embeddings, overrides and isolates.
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // Line and paragraph separators: line breaks to some renderers.
        | '\u{2028}' | '\u{2029}')
}

/// How a character is written: itself, or `\u{…}` when it is hostile.
fn escape_char(c: char, out: &mut String) {
    // Writing into a String cannot fail.
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

fn escape_with(s: &str, keep: impl Fn(char, Option<char>) -> bool) -> Cow<'_, str> {
    let needs = |c: char, next: Option<char>| is_hostile(c) && !keep(c, next);
    let mut chars = s.chars().peekable();
    let mut first_bad = None;
    let mut offset = 0;
    while let Some(c) = chars.next() {
        if needs(c, chars.peek().copied()) {
            first_bad = Some(offset);
            break;
        }
        offset += c.len_utf8();
    }
    let Some(start) = first_bad else { return Cow::Borrowed(s) };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..start]);
    let mut chars = s[start..].chars().peekable();
    while let Some(c) = chars.next() {
        if needs(c, chars.peek().copied()) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A single-line value for the human format (a path, a message, an object name, an error from a
/// server): every hostile character escaped, line breaks and tabs included, so one value is one
/// line and cannot start a line of its own.
pub fn human(s: &str) -> Cow<'_, str> {
    escape_with(s, |_, _| false)
}

/// A multi-line text for the human format (help texts, snippet sources): like [`human`], but
/// newlines, tabs and the `\r` of a `\r\n` line ending stay.
pub fn human_text(s: &str) -> Cow<'_, str> {
    escape_with(s, |c, next| c == '\n' || c == '\t' || (c == '\r' && next == Some('\n')))
}

/// The number of bytes [`human_text`] writes for `c` followed by `next`.
pub fn human_text_len(c: char, next: Option<char>) -> usize {
    let kept = c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'));
    if is_hostile(c) && !kept {
        format!("{:x}", c as u32).len() + 4
    } else {
        c.len_utf8()
    }
}

/// A workflow command's message (`::error …::MESSAGE`): hostile characters escaped as in the
/// human format, except line breaks, which the runner's own escaping carries (`%0A`), and `%`
/// so that no `%0A` in the input turns into a line break.
pub fn github_data(s: &str) -> String {
    let kept = escape_with(s, |c, _| c == '\n' || c == '\r' || c == '\t');
    kept.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value (`file=…`, `title=…`): as [`github_data`], and `:` and
/// `,`, which would end the value.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_and_bidi_overrides_are_shown_escaped() {
        assert_eq!(human("a\u{1b}[31mred\u{7}"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(human("\u{9b}2J \u{202e}txt.exe"), "\\u{9b}2J \\u{202e}txt.exe");
        assert_eq!(human("line\nbreak\ttab\r"), "line\\u{a}break\\u{9}tab\\u{d}");
        assert_eq!(human("\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}"), "\\u{2066}\\u{2069}\\u{200e}\\u{200f}\\u{61c}");
        assert!(matches!(human("plain ünïcödé ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn texts_keep_their_lines_but_not_lone_carriage_returns() {
        assert_eq!(human_text("a\r\nb\n\tc\rd\u{1b}]0;t\u{7}"), "a\r\nb\n\tc\\u{d}d\\u{1b}]0;t\\u{7}");
        let text = "x\u{1b}y\r\n\rz";
        let chars: Vec<char> = text.chars().collect();
        let total: usize = chars.iter().enumerate().map(|(i, c)| human_text_len(*c, chars.get(i + 1).copied())).sum();
        assert_eq!(total, human_text(text).len());
    }

    #[test]
    fn workflow_commands_cannot_be_split_or_started_from_data() {
        let hostile = "x\n::stop-commands::t\r\n##[error]y 100%0A\u{1b}[1m";
        let data = github_data(hostile);
        assert!(!data.contains('\n') && !data.contains('\r') && !data.contains('\u{1b}'), "{data}");
        assert_eq!(data, "x%0A::stop-commands::t%0D%0A##[error]y 100%250A\\u{1b}[1m");
        assert_eq!(github_property("a:b,c\nd"), "a%3Ab%2Cc%0Ad");
    }
}
