//! YAML source + model + every rule + every output format.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iblint::fuzz_targets::pipeline(data));
