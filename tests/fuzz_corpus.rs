//! The fuzz targets' seed corpus (`fuzz/corpus/<target>/`), replayed on stable: every input
//! through the same `o365::fuzzing` function the cargo-fuzz target calls (no panic, invariants
//! kept). Inputs found by fuzzing that once failed are added to the corpus and stay here.

use std::path::Path;

#[path = "../fuzz/token_response_cache.rs"]
mod token_response_cache;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 3, "{target}: the corpus holds seeds");
    for input in inputs {
        let data = std::fs::read(&input).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target} panicked on {}", input.display());
    }
}

#[test]
fn token_cache_corpus() {
    replay("token_cache", o365::fuzzing::token_cache);
}

#[test]
fn token_response_corpus() {
    replay("token_response", o365::fuzzing::token_response);
    replay(
        "token_response",
        token_response_cache::token_response_into_cache,
    );
}

#[test]
fn odata_page_corpus() {
    replay("odata_page", o365::fuzzing::odata_page);
}

#[test]
fn error_body_corpus() {
    replay("error_body", o365::fuzzing::error_body);
}

#[test]
fn retry_after_corpus() {
    replay("retry_after", o365::fuzzing::retry_after);
}

#[test]
fn redirect_query_corpus() {
    replay("redirect_query", o365::fuzzing::redirect_query);
}
