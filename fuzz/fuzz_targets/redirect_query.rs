#![no_main]
//! Fuzz target: see `o365::fuzzing::redirect_query` for the input and the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| o365::fuzzing::redirect_query(data));
