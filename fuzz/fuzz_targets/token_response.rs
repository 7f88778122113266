#![no_main]
//! Fuzz target: see `o365::fuzzing::token_response` (the reply decoded) and
//! `fuzz/token_response_cache.rs` (the reply fed into a token cache) for the invariants.

#[path = "../token_response_cache.rs"]
mod token_response_cache;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    o365::fuzzing::token_response(data);
    token_response_cache::token_response_into_cache(data);
});
