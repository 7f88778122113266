//! The typed operations that take a JSON body, from every enabled workload's generated
//! `BODY_OPERATIONS` table: found by generated method name (optionally qualified by workload,
//! `mail::send_mail`) or by HTTP method and path.

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
    /// generated tables, filled by [`operations`].
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
                    .map(|op| Operation {
                        workload: stringify!($module),
                        ..*op
                    }),
            );
        };
    }
    super::each_workload!(table);
    all
}

/// The operation named `name`: its generated method name, optionally qualified by its workload
/// (`mail::send_mail`, `users::send_mail`); unqualified, the first enabled workload that has it.
pub fn operation(name: &str) -> Option<Operation> {
    let (workload, name) = super::qualified(name);
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
