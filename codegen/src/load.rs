//! Reading descriptions: YAML or JSON text into a `serde_json::Value` (the passes' model) and
//! from there into the typed `openapiv3::OpenAPI` that progenitor takes.

use serde_json::Value;

use crate::Error;

/// Parses YAML or JSON text (JSON is YAML) into a JSON value. Mapping keys that YAML reads as
/// numbers or booleans (`200:`) become strings, as OpenAPI requires.
pub fn parse(text: &str) -> Result<Value, Error> {
    let yaml: yaml_serde::Value =
        yaml_serde::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
    yaml_to_json(yaml)
}

fn yaml_to_json(yaml: yaml_serde::Value) -> Result<Value, Error> {
    use yaml_serde::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).map_err(|e| Error::Parse(e.to_string()))?,
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, value) in map {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::Parse(format!("unsupported mapping key {other:?}")));
                    }
                };
                out.insert(key, yaml_to_json(value)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// Converts the (normalised) JSON model into progenitor's input type.
pub fn to_openapi(doc: &Value) -> Result<openapiv3::OpenAPI, Error> {
    serde_json::from_value(doc.clone()).map_err(|e| Error::Parse(format!("not OpenAPI 3.0: {e}")))
}
