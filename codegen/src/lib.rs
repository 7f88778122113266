//! The o365 code generator: normalises a Microsoft 365 OpenAPI description (Graph, Outlook REST
//! v2.0, Business Central) and turns it into one Rust module: typify's models of the schemas and
//! a `Client` with one method per operation, each returning the runtime's `typed::Request`
//! (see `README.md` for the pipeline and why it is built this way).
//!
//! ```no_run
//! let spec = std::fs::read_to_string("spec/graph/v1.0/mail.yaml").unwrap();
//! let out = o365_codegen::generate(&spec, &o365_codegen::Options::default()).unwrap();
//! std::fs::write("mail.rs", out.source).unwrap();
//! println!("{} operations", out.module.operations.len());
//! ```

mod args;
pub mod casing;
pub mod check;
pub mod emit;
mod generate;
pub mod import;
pub mod load;
pub mod names;
pub mod passes;
pub mod reach;
pub mod shared;
mod shared_type;

use std::collections::{BTreeMap, BTreeSet};

pub use casing::Casing;
pub use generate::{
    Additions, GeneratedModule, Operation, Output, Pageable, Skipped, generate, normalise,
};

/// What the generator should produce. `Default` is the Graph configuration.
#[derive(Debug, Clone)]
pub struct Options {
    /// Wire casing of the protocol (Graph/Business Central: `Camel`, Office365: `Pascal`).
    pub casing: Casing,
    /// Names heck cannot convert, original → wire spelling; `None` uses
    /// [`casing::default_exceptions`].
    pub casing_exceptions: Option<BTreeMap<String, String>>,
    /// Type of the connection every generated `Client` holds (`crate::Connection`).
    pub inner_type: String,
    /// Hand-written type that replaces the error *body* (`ODataErrors.MainError`, the object
    /// inside `{"error": {...}}`).
    pub graph_error_type: String,
    /// Hand-written type that replaces the whole envelope (`ODataErrors.ODataError`,
    /// `{"error": ...}`), so every module shares one error type; `None` generates the envelope
    /// per module around [`Options::graph_error_type`].
    pub error_envelope_type: Option<String>,
    /// Path of the o365 runtime crate (`crate` inside o365, `o365` elsewhere): the operations'
    /// `typed::Request`, the `typed::CollectionPage` impls of collection pages and the
    /// `odata::ODataEntity` impls (`etag()`) of types with a flattened `extra` map. `None` emits
    /// the models only.
    pub runtime: Option<String>,
    /// operationId → Rust method name (from `spec/operations.toml`).
    pub renames: BTreeMap<String, String>,
    /// Passes to skip, by name (for leave-one-out tests).
    pub disabled_passes: BTreeSet<String>,
    /// Component schemas (by key) to take from a common module instead of generating them
    /// (see [`shared`]); the module's `types` re-exports the ones it uses.
    pub shared_types: BTreeMap<String, shared_type::SharedType>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            casing: Casing::Camel,
            casing_exceptions: None,
            inner_type: "crate::Connection".into(),
            graph_error_type: "crate::GraphError".into(),
            error_envelope_type: None,
            runtime: Some("crate".into()),
            renames: BTreeMap::new(),
            disabled_passes: BTreeSet::new(),
            shared_types: BTreeMap::new(),
        }
    }
}

/// Why generation failed.
#[derive(Debug)]
pub enum Error {
    /// The text is not YAML/JSON, or not an OpenAPI 3.0 document.
    Parse(String),
    /// Two operations would get the same Rust method name.
    NameCollision(String),
    /// typify rejected a schema, or the output is not valid Rust.
    Generate(String),
    /// An option is malformed (e.g. a type path that is not Rust syntax).
    Option(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Parse(m) => write!(f, "cannot read description: {m}"),
            Error::NameCollision(m) => write!(f, "operation name collision:\n{m}"),
            Error::Generate(m) => write!(f, "generation failed: {m}"),
            Error::Option(m) => write!(f, "bad option: {m}"),
        }
    }
}

impl std::error::Error for Error {}
