//! `o365 schema TYPE | --operation NAME`: JSON Schema of the generated models, and the checks of
//! request bodies against it before anything is sent.

use o365::schema;
use serde_json::Value;

use crate::cli::SchemaArgs;
use crate::failure::{CliResult, Failure};

/// Prints the schema asked for.
pub fn run(args: SchemaArgs) -> CliResult {
    let schema = match (&args.operation, &args.model) {
        (Some(name), None) => schema::operation(name)
            .ok_or_else(|| {
                Failure::usage(format!(
                    "no typed operation `{name}` with a JSON body; similar: {}",
                    known_operations(name.rsplit(':').next().unwrap_or(name))
                ))
            })?
            .body_schema(),
        (None, Some(name)) => schema::model(name).ok_or_else(|| {
            Failure::usage(format!(
                "no model `{name}` in the enabled workloads (names as in the generated types, e.g. Message, Event)"
            ))
        })?,
        _ => {
            return Err(Failure::usage(format!(
                "give a model name (o365 schema Message) or --operation NAME (e.g. {})",
                known_operations("send_mail")
            )));
        }
    };
    let text = serde_json::to_string_pretty(schema.as_value())
        .map_err(|e| Failure::usage(format!("cannot print the schema: {e}")))?;
    use std::io::Write;
    writeln!(std::io::stdout().lock(), "{text}")
        .map_err(|e| Failure::io("cannot write to stdout", e))
}

/// The operations whose name contains `part` (all when it is empty), qualified by workload:
/// at most 20, with a count of the rest.
fn known_operations(part: &str) -> String {
    const SHOWN: usize = 20;
    let names: Vec<String> = schema::operations()
        .iter()
        .filter(|op| op.name.contains(part))
        .map(|op| format!("{}::{}", op.workload, op.name))
        .collect();
    if names.is_empty() {
        return "none with that name".into();
    }
    let mut text = names[..names.len().min(SHOWN)].join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// The path of `path_or_url` under the service root (`me/sendMail`).
fn service_path(path_or_url: &str) -> String {
    let path = match url::Url::parse(path_or_url) {
        Ok(url) => url.path().to_owned(),
        Err(_) => path_or_url.to_owned(),
    };
    let path = path.trim_start_matches('/');
    for version in ["v1.0/", "beta/"] {
        if let Some(rest) = path.split_once(version).map(|(_, r)| r) {
            return rest.to_owned();
        }
    }
    path.to_owned()
}

/// Checks a raw request's body against its operation's schema, when the operation is known:
/// a usage error naming the property, before anything is sent.
pub fn check_raw(method: &str, path_or_url: &str, body: &[u8]) -> CliResult {
    let path = service_path(path_or_url);
    let Some(operation) = schema::operation_for(method, &path) else {
        return Ok(());
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Failure::usage(format!(
            "the body of {} is not JSON: {e} (--no-validate sends it anyway)",
            operation.name
        ))
    })?;
    check(&operation, &value)
}

/// Checks a typed command's body against the operation `name`'s schema.
pub fn check_typed(name: &str, body: &impl serde::Serialize) -> CliResult {
    let value = serde_json::to_value(body)
        .map_err(|e| Failure::usage(format!("cannot encode the body: {e}")))?;
    check_value(name, &value)
}

/// Checks a JSON body against the operation `name`'s schema (`workload::name`).
pub fn check_value(name: &str, body: &Value) -> CliResult {
    match schema::operation(name) {
        Some(operation) => check(&operation, body),
        None => Ok(()),
    }
}

fn check(operation: &schema::Operation, body: &Value) -> CliResult {
    operation.check(body).map_err(|invalid| {
        Failure::usage(format!(
            "invalid body for {}::{} ({}): {invalid} (--no-validate skips this check)",
            operation.workload, operation.name, operation.body_type
        ))
    })
}
