use super::{Context, Rule, Sink};
use crate::finding::Location;
use crate::model::FailureCause;
use crate::span::Span;

/// IB001: a file that cannot be read or parsed, pointing at the error's position.
pub(super) struct UnparseableManifest;

impl Rule for UnparseableManifest {
    fn id(&self) -> &'static str {
        "IB001"
    }

    fn check(&self, cx: &Context, sink: &mut Sink) {
        for failure in &cx.inventory.parse_failures {
            let location = Location::File { path: failure.path.clone(), span: Span::new(failure.pos, failure.pos) };
            let (message, help) = match failure.cause {
                FailureCause::Syntax => (
                    format!("{} cannot be parsed: {}", failure.path, failure.message),
                    "Fix the syntax at this position; the rest of the tree was still linted. Helm chart sources \
                     are linted after rendering (`iblint check --helm CHART`).",
                ),
                FailureCause::Refused => (
                    format!("{}: {}", failure.path, failure.message),
                    "Remove the entry that closes the cycle; the rest of the tree was still linted.",
                ),
            };
            sink.emit(location, message).help(help);
        }
    }
}
