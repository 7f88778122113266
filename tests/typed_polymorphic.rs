//! `typed::polymorphic` with an enum shaped like the emitter's output: decode each variant,
//! re-encode, unknown types kept byte for byte.

use o365::typed::polymorphic::{self, Family};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
struct Attachment {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
struct FileAttachment {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "contentBytes", skip_serializing_if = "Option::is_none")]
    content_bytes: Option<String>,
    #[serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")]
    odata_type: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq)]
enum AnyAttachment {
    Attachment(Attachment),
    FileAttachment(FileAttachment),
    Other(Value),
}

impl Family for AnyAttachment {
    const TYPES: &'static [&'static str] = &[
        "#microsoft.graph.attachment",
        "#microsoft.graph.fileAttachment",
    ];
    fn decode<'de, D: Deserializer<'de>>(index: usize, d: D) -> Result<Self, D::Error> {
        Ok(match index {
            1 => Self::FileAttachment(Deserialize::deserialize(d)?),
            _ => Self::Attachment(Deserialize::deserialize(d)?),
        })
    }
    fn other(value: Value) -> Self {
        Self::Other(value)
    }
}

impl<'de> Deserialize<'de> for AnyAttachment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        polymorphic::deserialize(d)
    }
}

impl Serialize for AnyAttachment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Attachment(v) => polymorphic::serialize(s, "#microsoft.graph.attachment", v),
            Self::FileAttachment(v) => {
                polymorphic::serialize(s, "#microsoft.graph.fileAttachment", v)
            }
            Self::Other(v) => v.serialize(s),
        }
    }
}

/// A page with a flattened map, as the generated collection responses have.
#[derive(Debug, Deserialize, Serialize)]
struct Page {
    value: Vec<AnyAttachment>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[test]
fn variants_by_odata_type_inside_a_flattened_page() {
    let text = r##"{"@odata.context":"x","value":[
        {"@odata.type":"#microsoft.graph.fileAttachment","@odata.etag":"e","id":"1","name":"a.txt","contentBytes":"aGk="},
        {"@odata.etag":"e","id":"2","name":"plain"},
        {"@odata.type":"#microsoft.graph.referenceAttachment","id":"3","name":"link","isFolder":false},
        {"id":"4","name":"late","@odata.type":"#microsoft.graph.fileAttachment","contentBytes":"eA=="}
    ]}"##;
    let page: Page = serde_json::from_str(text).unwrap();
    let AnyAttachment::FileAttachment(file) = &page.value[0] else {
        panic!("{:?}", page.value[0])
    };
    assert_eq!(file.content_bytes.as_deref(), Some("aGk="));
    assert_eq!(file.extra["@odata.etag"], "e");
    assert!(
        matches!(&page.value[1], AnyAttachment::Attachment(a) if a.name.as_deref() == Some("plain"))
    );
    assert!(matches!(&page.value[2], AnyAttachment::Other(_)));
    let AnyAttachment::FileAttachment(late) = &page.value[3] else {
        panic!("{:?}", page.value[3])
    };
    assert_eq!(late.content_bytes.as_deref(), Some("eA=="));
    // re-encoded: @odata.type first, once
    let out = serde_json::to_string(&page.value[0]).unwrap();
    assert!(
        out.starts_with(r##"{"@odata.type":"#microsoft.graph.fileAttachment""##),
        "{out}"
    );
    assert_eq!(out.matches("@odata.type").count(), 1, "{out}");
    let back: Value = serde_json::from_str(&out).unwrap();
    let original: Value = serde_json::from_str(text).unwrap();
    assert_eq!(back, original["value"][0]);
    let plain: Value = serde_json::to_value(&page.value[1]).unwrap();
    assert_eq!(
        plain,
        json!({"@odata.type": "#microsoft.graph.attachment", "@odata.etag": "e", "id": "2", "name": "plain"})
    );
}

#[test]
fn unknown_type_round_trips_byte_for_byte() {
    let text = r##"{"@odata.etag":"e","@odata.type":"#microsoft.graph.referenceAttachment","id":"3","name":"link","nested":{"b":[1,2.5,null],"a":"x"}}"##;
    let any: AnyAttachment = serde_json::from_str(text).unwrap();
    assert!(matches!(any, AnyAttachment::Other(_)));
    assert_eq!(serde_json::to_string(&any).unwrap(), text);
    // also from a Value (not the streaming deserializer)
    let via: AnyAttachment = serde_json::from_value(serde_json::from_str(text).unwrap()).unwrap();
    assert_eq!(via, any);
}
