//! JSON Schema of the generated models (feature `schemars`), and request bodies checked
//! against it.
//!
//! Every generated model derives [`schemars::JsonSchema`] when the feature is on, so the schema
//! carries the wire names (`toRecipients`, `@odata.type`). A polymorphic family (`AnyMessage`,
//! `AnyAttachment`, …) is a `oneOf` over its variants, each pinned to its `@odata.type`, plus any
//! object of another type (see [`family_schema`]).
//!
//! * [`model`]: a model's schema by name (`Message`, `Event`), searching the enabled workloads.
//! * [`operation`] / [`operation_for`]: the request body schema of the typed operations the
//!   table in [`operations`] knows (by method name, or by HTTP method and path).
//! * [`validate`]: a body against a schema, naming the first offending property
//!   ([`Invalid`]); the validator is the `jsonschema` crate (draft 2020-12).

mod family;
mod operations;
mod validate;

pub use family::family_schema;
pub use operations::{Operation, operation, operation_for, operations};
pub use schemars::Schema;
pub use validate::{Invalid, check_body, validate};

/// The schema of the model named `name` (its Rust name, e.g. `Message`, `Event`,
/// `Recipient`), from the first enabled workload that has it (then the common types).
#[cfg_attr(not(feature = "codegen"), allow(unused_variables))]
pub fn model(name: &str) -> Option<Schema> {
    #[allow(unused_mut)]
    let mut found: Option<Schema> = None;
    macro_rules! search {
        ($feature:literal, $module:ident) => {
            #[cfg(feature = $feature)]
            if found.is_none() {
                found = crate::generated::$module::types::json_schema(name);
            }
        };
    }
    search!("graph-mail", mail);
    search!("graph-calendar", calendar);
    search!("graph-contacts", contacts);
    search!("graph-drive", drive);
    search!("graph-users", users);
    search!("graph-groups", groups);
    search!("graph-teams", teams);
    search!("graph-planner", planner);
    search!("graph-todo", todo);
    search!("graph-people", people);
    search!("graph-onenote", onenote);
    search!("graph-sites", sites);
    search!("graph-subscriptions", subscriptions);
    #[cfg(feature = "codegen")]
    if found.is_none() {
        found = crate::generated::common::types::json_schema(name);
    }
    found
}
