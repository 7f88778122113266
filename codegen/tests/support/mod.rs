//! Helpers shared by the generator's tests (`mod support;`): generating and importing a
//! description and reading the result.

// Each test file uses some of them.
#![allow(dead_code)]

use o365_codegen::import::{Selection, import};
use o365_codegen::{Options, Output, generate};
use serde_json::Value;

/// The generated source of `spec` with `options`.
pub fn source(spec: &str, options: &Options) -> String {
    generate(spec, options).unwrap().source
}

/// The Rust method names of `out`'s operations, in description order.
pub fn methods(out: &Output) -> Vec<&str> {
    out.module
        .operations
        .iter()
        .map(|o| o.method.as_str())
        .collect()
}

/// The description `import` cuts from `source` with `selection`, parsed.
pub fn imported(source: &str, selection: &Selection) -> Value {
    parsed(&import(source, None, selection).unwrap())
}

/// A description's text (YAML or JSON) parsed.
pub fn parsed(text: &str) -> Value {
    o365_codegen::load::parse(text).unwrap()
}

/// The keys of a JSON object, in order.
pub fn keys(object: &Value) -> Vec<String> {
    object.as_object().unwrap().keys().cloned().collect()
}

/// `source` without whitespace and trailing commas, so assertions do not depend on formatting.
pub fn squeezed(source: &str) -> String {
    let text: String = source.split_whitespace().collect();
    text.replace(",)", ")")
}

/// Whether `source` contains `needle`, ignoring whitespace.
pub fn has(source: &str, needle: &str) -> bool {
    squeezed(source).contains(&squeezed(needle))
}
