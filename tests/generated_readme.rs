//! The README's typed example is the code of `examples/typed_calls.rs` (between its
//! `README: begin`/`README: end` markers, one indent less), which `cargo test` builds when its
//! features are on and which runs against the emulator; so the README shows code that compiles.

/// The example's marked lines, dedented by one level.
fn example_snippet() -> String {
    let example = include_str!("../examples/typed_calls.rs");
    let (_, rest) = example
        .split_once("// README: begin\n")
        .expect("begin marker");
    let (body, _) = rest.split_once("    // README: end").expect("end marker");
    body.lines()
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_readme_typed_example_is_the_compiled_example() {
    let readme = include_str!("../README.md");
    let snippet = example_snippet();
    assert!(snippet.contains("conn.mail()") || snippet.contains(".mail()"));
    let block = format!("```rust,ignore\n{}\n```", snippet.trim_end());
    assert!(
        readme.contains(&block),
        "README.md's typed example differs from examples/typed_calls.rs; paste:\n{block}"
    );
}
