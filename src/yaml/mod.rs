//! A span-preserving YAML tree built from `saphyr-parser` events.
//!
//! Kubernetes manifests, the config file and JSON (a YAML subset) all go through here. The tree
//! keeps the position of every key and value so rules can point at the exact line, and the
//! builder enforces budgets (alias expansion, nesting depth) so hostile input becomes a parse
//! error instead of a hang or a stack overflow.

mod children;
mod edit;
mod json;
mod node;
mod parse;
mod prune;

pub use json::to_json;
pub use node::{Node, NodeKind, Scalar, ScalarType};
pub use parse::{parse_stream, parse_stream_pruned, streams_read_by_lines, Limits, ParseError, StreamOutcome};
pub use prune::Unread;

/// The last document of `text`, for unit tests of what edits and reads trees.
#[cfg(test)]
pub(crate) fn test_document(text: &str) -> Node {
    let mut out = None;
    parse_stream(text, &Limits::default(), |n| out = Some(n));
    out.expect("a document")
}
