//! Request bodies checked against a schema with the `jsonschema` crate, reporting the first
//! offending property by its wire path.

use std::fmt;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use schemars::Schema;
use serde_json::Value;

/// Why a body does not match its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The offending property as a wire path (`message.toRecipients[0].emailAddress`); empty
    /// for the body itself.
    pub property: String,
    /// What is wrong with it (`42 is not of type "string"`, `"subject" is a required property`).
    pub message: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.property.is_empty() {
            write!(f, "the body is invalid: {}", self.message)
        } else {
            write!(f, "property `{}`: {}", self.property, self.message)
        }
    }
}

impl std::error::Error for Invalid {}

/// Checks `body` against `schema`; the error names the first offending property.
pub fn validate(schema: &Schema, body: &Value) -> Result<(), Invalid> {
    let validator = compile(schema)?;
    check(&validator, body)
}

pub(super) fn compile(schema: &Schema) -> Result<Validator, Invalid> {
    jsonschema::validator_for(schema.as_value()).map_err(|e| Invalid {
        property: String::new(),
        message: format!("the schema does not compile: {e}"),
    })
}

pub(super) fn check(validator: &Validator, body: &Value) -> Result<(), Invalid> {
    let errors: Vec<ValidationError<'_>> = validator.iter_errors(body).collect();
    match deepest(errors.iter()) {
        None => Ok(()),
        Some(error) => Err(describe(error)),
    }
}

/// The error furthest into the body, looking inside `oneOf`/`anyOf` branches: the branch that
/// got furthest is the one the body meant (a message with a wrong `subject` fails the base
/// branch at `subject`, the derived ones at their `@odata.type`).
fn deepest<'a, 'b>(
    errors: impl Iterator<Item = &'a ValidationError<'b>>,
) -> Option<&'a ValidationError<'b>>
where
    'b: 'a,
{
    let mut best: Option<(&'a ValidationError<'b>, usize)> = None;
    for error in errors {
        let inner = match error.kind() {
            ValidationErrorKind::OneOfNotValid { context }
            | ValidationErrorKind::AnyOf { context } => context
                .iter()
                .filter_map(|branch| deepest(branch.iter()))
                .max_by_key(|e| depth(e)),
            _ => None,
        };
        let candidate = inner.unwrap_or(error);
        let d = depth(candidate);
        if best.is_none_or(|(_, bd)| d > bd) {
            best = Some((candidate, d));
        }
    }
    best.map(|(e, _)| e)
}

fn depth(error: &ValidationError<'_>) -> usize {
    let path = error.instance_path().as_str();
    let segments = path.split('/').filter(|s| !s.is_empty()).count();
    // A missing property is one level below the object that misses it; an error about
    // `@odata.type` only says the body is another variant, so it ranks below others as deep.
    let (segments, about_type) = match error.kind() {
        ValidationErrorKind::Required { property } => (segments + 1, property == ODATA_TYPE),
        _ => (segments, path.ends_with(ODATA_TYPE)),
    };
    segments * 2 + usize::from(!about_type)
}

const ODATA_TYPE: &str = crate::typed::polymorphic::ODATA_TYPE;

fn describe(error: &ValidationError<'_>) -> Invalid {
    let mut property = wire_path(error.instance_path().as_str());
    if let ValidationErrorKind::Required {
        property: Value::String(name),
    } = error.kind()
    {
        if !property.is_empty() {
            property.push('.');
        }
        property.push_str(name);
    }
    Invalid {
        property,
        message: error.to_string(),
    }
}

/// A JSON pointer (`/message/toRecipients/0`) as `message.toRecipients[0]`.
fn wire_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(value: Value) -> Schema {
        Schema::from(value.as_object().unwrap().clone())
    }

    #[test]
    fn names_the_offending_property() {
        let s = schema(json!({
            "type": "object",
            "required": ["message"],
            "properties": {"message": {"type": "object", "properties": {
                "subject": {"type": ["string", "null"]},
                "to": {"type": "array", "items": {"type": "object", "required": ["address"]}}
            }}}
        }));
        assert_eq!(validate(&s, &json!({"message": {"subject": "hi"}})), Ok(()));
        let wrong = validate(&s, &json!({"message": {"subject": 42}})).unwrap_err();
        assert_eq!(wrong.property, "message.subject");
        assert!(wrong.message.contains("42"), "{wrong}");
        let missing = validate(&s, &json!({"message": {"to": [{}]}})).unwrap_err();
        assert_eq!(missing.property, "message.to[0].address");
        let root = validate(&s, &json!({})).unwrap_err();
        assert_eq!(root.property, "message");
        assert_eq!(wire_path("/a~1b/0/c"), "a/b[0].c");
    }
}
