//! Fixes: rules plan them ([`Plan`]: edits of keys, values and mappings at model spans), the file
//! texts turn plans into byte-exact replacements ([`resolve`]), and `iblint fix` applies them
//! ([`run`]) — the same replacements SARIF `fixes` carry. Nothing is ever re-serialised: what a
//! fix does not touch keeps its comments, quotes, indentation, line endings and byte order mark.

mod apply;
pub mod command;
mod layout;
mod plan;
mod resolve;
pub mod run;

pub use layout::LayoutError;
pub use plan::{is_writable, Edit, Op, Plan};
pub use resolve::{resolve, resolve_all, without_bom, Sources};
