//! The config file parser.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iblint::fuzz_targets::config(data));
