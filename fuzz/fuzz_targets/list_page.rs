//! A list page as an API server sends it, read as JSON and as YAML.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iblint::fuzz_targets::list_page(data));
