//! [`Patch`]: an update body that can clear properties. Generated models skip `None` fields when
//! serialized, so `None` means "leave unchanged"; `Patch::set_null` sends an explicit `null`.

use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};

/// The body of an update (PATCH): the model's set fields, plus explicit `null` for every
/// property named with [`Patch::set_null`].
///
/// ```
/// use o365::typed::Patch;
/// #[derive(serde::Serialize)]
/// struct Contact { #[serde(rename = "givenName", skip_serializing_if = "Option::is_none")] given_name: Option<String> }
/// let body = Patch::new(Contact { given_name: Some("Adele".into()) }).set_null("jobTitle");
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"givenName":"Adele","jobTitle":null}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Patch<T> {
    value: T,
    nulls: Vec<String>,
}

impl<T> Patch<T> {
    /// An update that sends the set fields of `value`.
    pub fn new(value: T) -> Patch<T> {
        Patch {
            value,
            nulls: Vec::new(),
        }
    }

    /// Also sends `"property": null` (the wire name, e.g. `jobTitle`), which clears it.
    pub fn set_null(mut self, property: impl Into<String>) -> Patch<T> {
        self.nulls.push(property.into());
        self
    }

    /// The model.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The properties that will be sent as `null`.
    pub fn nulls(&self) -> &[String] {
        &self.nulls
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Patch<T> {
        Patch::new(value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.nulls.is_empty() {
            return self.value.serialize(serializer);
        }
        let serde_json::Value::Object(fields) =
            serde_json::to_value(&self.value).map_err(S::Error::custom)?
        else {
            return Err(S::Error::custom(
                "only an object can be sent with null properties",
            ));
        };
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in fields.iter().filter(|(k, _)| !self.nulls.contains(k)) {
            map.serialize_entry(name, value)?;
        }
        for name in &self.nulls {
            map.serialize_entry(name, &serde_json::Value::Null)?;
        }
        map.end()
    }
}
