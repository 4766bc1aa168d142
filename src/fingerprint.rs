//! Stable finding fingerprints: no line numbers go in, so they survive unrelated edits.

use std::collections::HashMap;

use crate::finding::Finding;

/// FNV-1a, 64 bit: tiny, and stable across Rust releases (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Fills in `fingerprint` for every finding: rule, file, object and message, plus an occurrence
/// counter for findings that would otherwise collide. Expects findings sorted by position.
pub fn assign(findings: &mut [Finding]) {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for f in findings.iter_mut() {
        let object = f.object.as_ref().map(ToString::to_string).unwrap_or_default();
        let place = match &f.location {
            crate::finding::Location::File { path, .. } => path.to_string(),
            crate::finding::Location::Logical { name } => name.clone(),
        };
        let base = fnv1a(&[f.rule, &place, &object, &f.message]);
        let n = seen.entry(base).or_insert(0);
        *n += 1;
        f.fingerprint = format!("{base:016x}:{n}");
    }
}
