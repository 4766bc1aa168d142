//! iblint: a linter for Azure Workload Identity and AKS identity bindings.
//!
//! The pipeline: [`source`] turns files into [`model`] objects, [`rules`] read the model and emit
//! [`finding::Finding`]s, and [`report`] formats them.

// An item that nothing outside its module tree can reach is `pub(crate)` (or narrower), so the
// compiler reports it when it falls out of use.
#![warn(unreachable_pub)]

#[cfg(feature = "live")]
pub mod audit;
pub mod baseline;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod docs;
pub mod finding;
pub mod fingerprint;
pub mod fix;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod glob;
pub mod map;
pub mod memory;
pub mod model;
pub mod outcome;
pub mod redact;
pub mod report;
pub mod rules;
pub mod source;
pub mod span;
pub mod suppress;
pub mod timings;
pub mod write_file;
pub mod yaml;
