//! A kustomize build over a small tree whose kustomization, resource or patch is the input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iblint::fuzz_targets::kustomize(data));
