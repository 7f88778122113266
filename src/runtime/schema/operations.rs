//! The typed operations whose request body schema is known: the ones the command line's
//! shortcuts and the emulator use, by generated method name and by HTTP method and path.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use super::validate::{Invalid, check, compile};

/// A typed operation with a JSON request body.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The generated method name (`send_mail`, `create_event`).
    pub name: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path under the service root: `{user}` is `me` or `users/{id-or-upn}`, `{id}` any
    /// one segment.
    pub path: &'static str,
    /// The body's model (`SendMailBody`, `Event`).
    pub body_type: &'static str,
    schema: fn() -> Schema,
}

impl Operation {
    /// The request body's JSON Schema (draft 2020-12).
    pub fn body_schema(&self) -> Schema {
        (self.schema)()
    }

    /// Checks `body` against [`Operation::body_schema`] (the compiled schema is kept).
    pub fn check(&self, body: &Value) -> Result<(), Invalid> {
        static COMPILED: OnceLock<Mutex<HashMap<&'static str, Arc<Validator>>>> = OnceLock::new();
        let cache = COMPILED.get_or_init(Default::default);
        let cached = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(self.name)
            .cloned();
        let validator = match cached {
            Some(v) => v,
            None => {
                let v = Arc::new(compile(&self.body_schema())?);
                cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(self.name, v.clone());
                v
            }
        };
        check(&validator, body)
    }

    /// Whether `method path` (path relative to the service root, without query) is this
    /// operation.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let path = path.split('?').next().unwrap_or_default().trim_matches('/');
        let mut segments: Vec<&str> = path.split('/').collect();
        let mut template: Vec<&str> = self.path.split('/').collect();
        if template.first() == Some(&"{user}") {
            template.remove(0);
            match segments.as_slice() {
                ["me", ..] => {
                    segments.remove(0);
                }
                ["users", _, ..] => {
                    segments.drain(..2);
                }
                _ => return false,
            }
        }
        template.len() == segments.len()
            && template
                .iter()
                .zip(&segments)
                .all(|(t, s)| *t == "{id}" && !s.is_empty() || t.eq_ignore_ascii_case(s))
    }
}

#[allow(dead_code)] // without a workload feature
fn root<T: JsonSchema>() -> Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

#[allow(unused_macros)] // without a workload feature
macro_rules! op {
    ($name:literal, $method:literal, $path:literal, $module:ident :: $ty:ident) => {
        Operation {
            name: $name,
            method: $method,
            path: $path,
            body_type: stringify!($ty),
            schema: root::<crate::generated::$module::types::$ty>,
        }
    };
}

/// Every known operation of the enabled workloads.
pub fn operations() -> Vec<Operation> {
    #[allow(unused_mut)]
    let mut all = Vec::new();
    #[cfg(feature = "graph-mail")]
    all.extend([
        op!("send_mail", "POST", "{user}/sendMail", mail::SendMailBody),
        op!(
            "create_message",
            "POST",
            "{user}/messages",
            mail::AnyMessage
        ),
        op!(
            "create_mail_folder_message",
            "POST",
            "{user}/mailFolders/{id}/messages",
            mail::AnyMessage
        ),
        op!(
            "update_message",
            "PATCH",
            "{user}/messages/{id}",
            mail::Message
        ),
        op!(
            "move_message",
            "POST",
            "{user}/messages/{id}/move",
            mail::O365Destination
        ),
    ]);
    #[cfg(feature = "graph-calendar")]
    all.extend([
        op!("create_event", "POST", "{user}/events", calendar::Event),
        op!(
            "update_event",
            "PATCH",
            "{user}/events/{id}",
            calendar::Event
        ),
    ]);
    #[cfg(feature = "graph-contacts")]
    all.extend([
        op!(
            "create_contact",
            "POST",
            "{user}/contacts",
            contacts::Contact
        ),
        op!(
            "update_contact",
            "PATCH",
            "{user}/contacts/{id}",
            contacts::Contact
        ),
    ]);
    all
}

/// The operation named `name` (its generated method name).
pub fn operation(name: &str) -> Option<Operation> {
    operations().into_iter().find(|op| op.name == name)
}

/// The operation `method path` is, if known (`path` relative to the service root).
pub fn operation_for(method: &str, path: &str) -> Option<Operation> {
    operations().into_iter().find(|op| op.matches(method, path))
}
