#![no_main]
//! Fuzz target: see `o365::fuzzing::token_cache` for the input and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| o365::fuzzing::token_cache(data));
