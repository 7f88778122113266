//! JSON Schema of the generated models (feature `schemars`), and request bodies checked
//! against it.
//!
//! Every generated model derives [`schemars::JsonSchema`] when the feature is on, so the schema
//! carries the wire names in the protocol's casing (`toRecipients` for Graph, `ToRecipients`
//! for Outlook REST), `@odata.type` included. A polymorphic family (`AnyMessage`,
//! `AnyAttachment`, …) is a `oneOf` over its variants, each pinned to its `@odata.type`, plus any
//! object of another type (see [`family_schema`]).
//!
//! * [`model`]: a model's schema by name (`Message`, or qualified `office365_mail::Message`),
//!   searching the enabled workloads.
//! * [`operation`] / [`operation_for`]: the request body schema of every generated operation
//!   that takes a JSON body (by method name, or by HTTP method and path), from the tables the
//!   generator writes beside each workload's `Client`.
//! * [`validate`]: a body against a schema, naming the first offending property
//!   ([`Invalid`]); the validator is the `jsonschema` crate (draft 2020-12).
//!
//! What knows no workload (the [`Operation`] entry, [`family_schema`], [`validate`]) lies in the
//! runtime, beneath the generated code that names it; this module adds the lookups over the
//! generated workloads.

use serde_json::Value;

pub use crate::runtime::schema::{Invalid, Operation, Schema, family_schema, of, validate};

/// Calls `$callback!(feature, module)` for every generated workload, Graph first.
macro_rules! each_workload {
    ($callback:ident) => {
        $callback!("graph-mail", mail);
        $callback!("graph-calendar", calendar);
        $callback!("graph-contacts", contacts);
        $callback!("graph-drive", drive);
        $callback!("graph-users", users);
        $callback!("graph-groups", groups);
        $callback!("graph-teams", teams);
        $callback!("graph-planner", planner);
        $callback!("graph-todo", todo);
        $callback!("graph-people", people);
        $callback!("graph-onenote", onenote);
        $callback!("graph-sites", sites);
        $callback!("graph-subscriptions", subscriptions);
        $callback!("office365-mail", office365_mail);
        $callback!("business-central", business_central);
    };
}

/// Splits `workload::name` (or `workload.name`; the workload as its module or feature name,
/// `office365_mail` or `office365-mail`, `mail` or `graph-mail`) from a bare `name`.
fn qualified(name: &str) -> (Option<String>, &str) {
    match name.rsplit_once("::").or_else(|| name.rsplit_once('.')) {
        Some((workload, name)) => {
            let module = workload.strip_prefix("graph-").unwrap_or(workload);
            (Some(module.replace('-', "_")), name)
        }
        None => (None, name),
    }
}

/// The schema of the model named `name` (its Rust name, e.g. `Message`, `Event`,
/// `Recipient`, optionally qualified by workload: `office365_mail::Message`), from the first
/// enabled workload that has it (then the common types).
#[cfg_attr(not(feature = "codegen"), allow(unused_variables))]
pub fn model(name: &str) -> Option<Schema> {
    let (workload, name) = qualified(name);
    #[allow(unused_mut)]
    let mut found: Option<Schema> = None;
    macro_rules! search {
        ($feature:literal, $module:ident) => {
            #[cfg(feature = $feature)]
            if found.is_none() && workload.as_deref().is_none_or(|w| w == stringify!($module)) {
                found = crate::generated::$module::types::json_schema(name);
            }
        };
    }
    each_workload!(search);
    #[cfg(feature = "codegen")]
    if found.is_none() && workload.as_deref().is_none_or(|w| w == "common") {
        found = crate::generated::common::types::json_schema(name);
    }
    found
}

/// Every operation with a JSON body of the enabled workloads, in workload order.
pub fn operations() -> Vec<Operation> {
    #[allow(unused_mut)]
    let mut all = Vec::new();
    macro_rules! table {
        ($feature:literal, $module:ident) => {
            #[cfg(feature = $feature)]
            all.extend(
                crate::generated::$module::BODY_OPERATIONS
                    .iter()
                    .map(|op| op.in_workload(stringify!($module))),
            );
        };
    }
    each_workload!(table);
    all
}

/// The operation named `name`: its generated method name, optionally qualified by its workload
/// (`mail::send_mail`, `users::send_mail`); unqualified, the first enabled workload that has it.
pub fn operation(name: &str) -> Option<Operation> {
    let (workload, name) = qualified(name);
    operations()
        .into_iter()
        .find(|op| op.name == name && workload.as_deref().is_none_or(|w| w == op.workload))
}

/// The operation `method path` is, if known (`path` relative to the service root, e.g.
/// `me/sendMail`): the most specific match.
pub fn operation_for(method: &str, path: &str) -> Option<Operation> {
    let mut best: Option<(usize, Operation)> = None;
    for op in operations() {
        if let Some(score) = op.matches(method, path)
            && best.is_none_or(|(b, _)| score > b)
        {
            best = Some((score, op));
        }
    }
    best.map(|(_, op)| op)
}

/// Checks `body` against the request schema of the operation `method path` (relative to the
/// service root, e.g. `POST me/sendMail`), when [`operation_for`] knows it; `Ok` for an
/// operation it does not know.
pub fn check_body(method: &str, path: &str, body: &Value) -> Result<(), Invalid> {
    match operation_for(method, path) {
        Some(operation) => operation.check(body),
        None => Ok(()),
    }
}
