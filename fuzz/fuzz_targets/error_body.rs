#![no_main]
//! Fuzz target: see `o365::fuzzing::error_body` for the input and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| o365::fuzzing::error_body(data));
