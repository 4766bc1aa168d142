//! Every file source (YAML, Terraform, Bicep, scripts): the first byte picks the source.
#![no_main]

use iblint::fuzz_targets::{source, SOURCES};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((&pick, rest)) = data.split_first() {
        let (name, kind) = SOURCES[pick as usize % SOURCES.len()];
        source(kind, name, rest);
    }
});
