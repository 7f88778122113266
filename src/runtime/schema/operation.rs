//! A typed operation that takes a JSON body, as an entry of the `BODY_OPERATIONS` table the
//! generator writes beside each workload's `Client`: its name, method, path template and body
//! schema, with the path matching and the (cached) body check. The lookups over every enabled
//! workload's table are in [`crate::schema`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use super::validate::{Invalid, check, compile};

/// A typed operation with a JSON request body.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The workload module it is generated in (`mail`, `office365_mail`); empty in the
    /// generated tables, filled by [`operations`](crate::schema::operations).
    pub workload: &'static str,
    /// The generated method name (`send_mail`, `create_event`).
    pub name: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The description's path template (`/me/messages/{message-id}/move`).
    pub path: &'static str,
    /// The body's model (`SendMailBody`, `Event`).
    pub body_type: &'static str,
    schema: fn() -> Schema,
}

/// The JSON Schema (draft 2020-12) of a model type, as a root schema with its definitions.
pub fn of<T: JsonSchema>() -> Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>()
}

impl Operation {
    /// A table entry (used by the generated `BODY_OPERATIONS`).
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        method: &'static str,
        path: &'static str,
        body_type: &'static str,
        schema: fn() -> Schema,
    ) -> Operation {
        Operation {
            workload: "",
            name,
            method,
            path,
            body_type,
            schema,
        }
    }

    /// The same entry, attributed to the workload module whose table holds it.
    #[cfg_attr(not(feature = "codegen"), allow(dead_code))]
    pub(crate) const fn in_workload(self, workload: &'static str) -> Operation {
        Operation { workload, ..self }
    }

    /// The request body's JSON Schema (draft 2020-12).
    pub fn body_schema(&self) -> Schema {
        (self.schema)()
    }

    /// Checks `body` against [`Operation::body_schema`] (the compiled schema is kept).
    pub fn check(&self, body: &Value) -> Result<(), Invalid> {
        type Cache = Mutex<HashMap<(&'static str, &'static str), Arc<Validator>>>;
        static COMPILED: OnceLock<Cache> = OnceLock::new();
        let cache = COMPILED.get_or_init(Default::default);
        let key = (self.workload, self.name);
        let cached = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        let validator = match cached {
            Some(v) => v,
            None => {
                let v = Arc::new(compile(&self.body_schema())?);
                cache
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, v.clone());
                v
            }
        };
        check(&validator, body)
    }

    /// How well `method path` (path relative to the service root, query ignored) matches this
    /// operation: `None` when it does not, else the number of literal segments that matched
    /// (the most specific operation wins).
    pub fn matches(&self, method: &str, path: &str) -> Option<usize> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let path = path.split('?').next().unwrap_or_default().trim_matches('/');
        let segments = path.split('/');
        let template = self.path.trim_matches('/').split('/');
        if segments.clone().count() != template.clone().count() {
            return None;
        }
        let mut literal = 0;
        for (t, s) in template.zip(segments) {
            if t.starts_with('{') && t.ends_with('}') {
                if s.is_empty() {
                    return None;
                }
            } else if same_segment(t, s) {
                literal += 1;
            } else {
                return None;
            }
        }
        Some(literal)
    }
}

/// A literal segment, case-insensitive; an action may be written with or without its
/// `microsoft.graph.` namespace.
fn same_segment(template: &str, segment: &str) -> bool {
    fn bare(s: &str) -> &str {
        const NAMESPACE: &str = "microsoft.graph.";
        match s.get(..NAMESPACE.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(NAMESPACE) => &s[NAMESPACE.len()..],
            _ => s,
        }
    }
    bare(template).eq_ignore_ascii_case(bare(segment))
}
