//! Line breaking for the human format: prose is wrapped to the terminal, code never is.
//!
//! A help text is prose paragraphs and indented blocks (the YAML to add, a command to run). A
//! block line, a path or an identifier broken in two cannot be copied any more, so only prose is
//! wrapped, only at spaces, and a `backticked` span or a word longer than the line (a path, a
//! URL) is moved whole to a line of its own rather than broken.

/// `text` with each prose line (one that does not start with whitespace) filled to `width`
/// columns; indented lines are kept exactly.
pub(super) fn prose(text: &str, width: usize) -> String {
    let width = width.max(20);
    let mut out = String::with_capacity(text.len() + text.len() / width.max(1));
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.starts_with([' ', '\t']) || line.chars().count() <= width {
            out.push_str(line);
        } else {
            fill(line, width, &mut out);
        }
    }
    out
}

/// Greedy fill of one prose line.
fn fill(line: &str, width: usize, out: &mut String) {
    let mut column = 0;
    for word in words(line) {
        let len = word.chars().count();
        if column > 0 && column + 1 + len > width {
            out.push('\n');
            column = 0;
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
    }
}

/// The words of a prose line: runs of non-spaces, where a space inside a backticked span does
/// not end the word.
fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut in_code = false;
    for (i, c) in line.char_indices() {
        if c == '`' {
            in_code = !in_code;
        }
        match (c == ' ' && !in_code, start) {
            (true, Some(s)) => {
                out.push(&line[s..i]);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_wraps_at_spaces_only() {
        let text = "Put the label on the pod template of Deployment team-a/orders-with-a-long-name now";
        let wrapped = prose(text, 24);
        assert!(wrapped.lines().all(|l| l.chars().count() <= 24 || !l.contains(' ')), "{wrapped}");
        assert_eq!(wrapped.replace('\n', " "), text);
        assert!(wrapped.contains("team-a/orders-with-a-long-name"), "{wrapped}");
    }

    #[test]
    fn code_spans_paths_and_blocks_stay_whole() {
        let text = "Run `az account show --query tenantId -o tsv` then see charts/api/templates/deployment.yaml:12:3 \
                    here:\n\n    metadata:\n      annotations:\n        azure.workload.identity/tenant-id: \"<tenant-id>\"";
        let wrapped = prose(text, 20);
        assert!(wrapped.contains("`az account show --query tenantId -o tsv`"), "{wrapped}");
        assert!(wrapped.contains("\ncharts/api/templates/deployment.yaml:12:3\n"), "{wrapped}");
        assert!(wrapped.ends_with(
            "\n\n    metadata:\n      annotations:\n        azure.workload.identity/tenant-id: \"<tenant-id>\""
        ));
    }

    #[test]
    fn short_lines_are_untouched() {
        assert_eq!(prose("a b\n\n  c d", 40), "a b\n\n  c d");
        assert_eq!(prose("", 40), "");
    }
}
