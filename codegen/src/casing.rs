//! The per-protocol `wire_case` pass. typify takes wire names from the description, so the
//! protocol's key casing is set here, before generation: property keys and `required` entries
//! are rewritten (see [`Casing::convert`]), and string enum values get a capital first letter
//! for Pascal protocols. OData annotations (`@odata.*`) and protocol envelopes keep their spelling in every
//! protocol: `ODataErrors.*` schemas entirely, and `value` / `@odata.*` of `*CollectionResponse`.

use std::collections::BTreeMap;

use heck::{ToLowerCamelCase, ToPascalCase};
use serde_json::{Map, Value};

use crate::passes::walk;

/// How a protocol spells JSON keys on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Casing {
    /// Leave keys as the description spells them.
    #[default]
    Keep,
    /// `camelCase` (Microsoft Graph, Business Central).
    Camel,
    /// `PascalCase` (Outlook REST v2.0, the `Office365` protocol).
    Pascal,
}

impl Casing {
    /// Converts one key: `@…` annotations never change; then `exceptions` (keyed by the
    /// original name); names made of letters and digits only (already camel/Pascal) change the
    /// case of their first letter, because heck's word splitting would mangle acronyms
    /// (`azureADDeviceId` → `azureAdDeviceId`, `sizeInKB` → `sizeInKb`); other names
    /// (`snake_case`, `kebab-case`) go through heck.
    pub fn convert(self, name: &str, exceptions: &BTreeMap<String, String>) -> String {
        if name.starts_with('@') || self == Casing::Keep {
            return name.to_string();
        }
        if let Some(fixed) = exceptions.get(name) {
            return fixed.clone();
        }
        if name.chars().all(char::is_alphanumeric) {
            return self.first_letter(name);
        }
        match self {
            Casing::Keep => name.to_string(),
            Casing::Camel => name.to_lower_camel_case(),
            Casing::Pascal => name.to_pascal_case(),
        }
    }

    /// Converts one enum value. Values are data, so only `Pascal` touches them, and only by the
    /// first letter of a plain alphanumeric value (Graph `normal` → Outlook `Normal`; `-INF`
    /// and `remote_Control_Software` stay as they are).
    pub fn convert_enum_value(self, value: &str) -> String {
        if self == Casing::Pascal && value.chars().all(char::is_alphanumeric) {
            self.first_letter(value)
        } else {
            value.to_string()
        }
    }

    fn first_letter(self, name: &str) -> String {
        let mut chars = name.chars();
        let Some(first) = chars.next() else {
            return String::new();
        };
        let first: String = match self {
            Casing::Keep => first.to_string(),
            Casing::Camel => first.to_lowercase().collect(),
            Casing::Pascal => first.to_uppercase().collect(),
        };
        first + chars.as_str()
    }
}

/// Names whose protocol spelling is not what heck produces, per casing. Keys are the names as
/// written in our descriptions (either casing), values the wire spelling.
pub fn default_exceptions(casing: Casing) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = match casing {
        Casing::Keep => &[],
        // heck alone would split "UId" into "U" + "Id" and give "iCalUid" / "ICalUid".
        Casing::Camel => &[("ICalUId", "iCalUId"), ("i_cal_u_id", "iCalUId")],
        Casing::Pascal => &[("iCalUId", "ICalUId"), ("i_cal_u_id", "ICalUId")],
    };
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Rewrites the document's wire names to `casing`; returns the number of names changed.
pub fn wire_case(doc: &mut Value, casing: Casing, exceptions: &BTreeMap<String, String>) -> usize {
    if casing == Casing::Keep {
        return 0;
    }
    let mut count = 0;
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            if name.contains("ODataErrors") {
                continue;
            }
            let envelope = name.ends_with("CollectionResponse");
            walk::visit(schema, &mut |s| {
                count += case_schema(s, casing, exceptions, envelope)
            });
        }
    }
    walk::for_each_inline_schema(doc, &mut |s| {
        count += case_schema(s, casing, exceptions, false)
    });
    count
}

fn case_schema(
    schema: &mut Map<String, Value>,
    casing: Casing,
    exceptions: &BTreeMap<String, String>,
    envelope: bool,
) -> usize {
    let keep = |name: &str| name.starts_with('@') || (envelope && name == "value");
    let mut count = 0;
    let mut convert = |name: &str| {
        let new = if keep(name) {
            name.to_string()
        } else {
            casing.convert(name, exceptions)
        };
        count += usize::from(new != name);
        new
    };
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        let mut cased = Map::new();
        for (name, prop) in std::mem::take(props) {
            // Never fold two properties into one key: the first spelling wins.
            cased.entry(convert(&name)).or_insert(prop);
        }
        *props = cased;
    }
    if let Some(Value::Array(required)) = schema.get_mut("required") {
        for name in required.iter_mut() {
            if let Some(s) = name.as_str() {
                *name = Value::String(convert(s));
            }
        }
    }
    let is_string = schema.get("type").and_then(Value::as_str) == Some("string");
    if let (true, Some(Value::Array(values))) = (is_string, schema.get_mut("enum")) {
        for value in values.iter_mut() {
            if let Some(s) = value.as_str() {
                let new = casing.convert_enum_value(s);
                count += usize::from(new != s);
                *value = Value::String(new);
            }
        }
    }
    count
}
