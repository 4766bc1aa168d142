//! Snippets for miette without scanning the whole text: a file with thousands of findings is
//! indexed once (`SourceText`), and each finding reads only the lines around it.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::span::SourceText;

/// A named text that miette reads snippets from (shared, not copied, by every finding in it).
pub(super) struct Snippet {
    name: Arc<str>,
    text: Arc<SourceText>,
}

impl Snippet {
    pub(super) fn new(name: &Arc<str>, text: &Arc<SourceText>) -> Snippet {
        Snippet { name: name.clone(), text: text.clone() }
    }
}

impl SourceCode for Snippet {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        // miette's own reading of a `str` counts lines from byte 0; run it on the window of
        // lines the snippet can show, then move the answer back to whole-text coordinates.
        let text = &self.text;
        let first_line = text.line_of(span.offset()).saturating_sub(context_lines_before);
        let last_line = text.line_of(span.offset() + span.len().saturating_sub(1)) + context_lines_after + 1;
        let (lo, hi) = (text.line_start(first_line), text.line_start(last_line + 1));
        let window = text.as_str().as_bytes().get(lo..hi).ok_or(MietteError::OutOfBounds)?;
        let inner = SourceSpan::new(span.offset().saturating_sub(lo).into(), span.len());
        let contents = window.read_span(&inner, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            SourceSpan::new((contents.span().offset() + lo).into(), contents.span().len()),
            contents.line() + first_line,
            contents.column(),
            contents.line_count() + first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window gives miette exactly what reading the whole text gives it.
    #[test]
    fn windowed_reads_match_whole_text_reads() {
        let body: String = (1..=40).map(|i| format!("line {i}: value-{i}\r\n")).collect();
        let text = Arc::new(SourceText::new(body.clone()));
        let snippet = Snippet::new(&Arc::from("f.yaml"), &text);
        for (offset, len) in [(0, 4), (13, 5), (200, 7), (body.len() - 9, 3), (30, 40)] {
            for (before, after) in [(0, 0), (1, 1), (2, 3)] {
                let span = SourceSpan::new(offset.into(), len);
                let ours = snippet.read_span(&span, before, after).expect("window");
                let theirs = body.as_str().read_span(&span, before, after).expect("whole");
                let case = format!("offset {offset} len {len} context {before}/{after}");
                assert_eq!(ours.data(), theirs.data(), "{case}");
                assert_eq!(ours.span(), theirs.span(), "{case}");
                assert_eq!((ours.line(), ours.column()), (theirs.line(), theirs.column()), "{case}");
                assert_eq!(ours.name(), Some("f.yaml"));
            }
        }
    }
}
