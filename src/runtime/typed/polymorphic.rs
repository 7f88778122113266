//! The runtime half of the generated polymorphic models (`AnyAttachment`, `AnyMessage`, …):
//! choosing the variant by `@odata.type` when decoding and writing it back when encoding.
//!
//! A generated family is an enum with one variant per known type (the base type first) plus
//! `Other(serde_json::Value)`. It implements [`Family`] and forwards its `Deserialize` to
//! [`deserialize`] and its `Serialize` to [`serialize`], so the generated code per enum stays a
//! few lines.
//!
//! Decoding is one pass over the input, without buffering the object:
//!
//! * Leading control entries (`@odata.etag`, `@odata.id`, …) are held (they are small) until
//!   `@odata.type` or the first property shows up.
//! * `@odata.type` before the first property (the way Graph writes it): the variant is known, and
//!   it decodes straight from the input (held entries replayed first). An unknown type becomes
//!   `Other` holding the whole object in input order.
//! * A property first, or no `@odata.type` at all: the object decodes as the base type while
//!   watching for a late `@odata.type`. If one arrives naming another type, the decoded base
//!   value is re-encoded and decoded again as that type (rare: Graph does not write it so).

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::Deserializer;
use serde::ser::Serializer;
use serde_json::{Map, Value};

mod decode;
mod encode;

use decode::FamilyVisitor;
use encode::Typed;

/// The member naming an object's type.
pub const ODATA_TYPE: &str = "@odata.type";

/// A generated polymorphic enum.
pub trait Family: Sized + Serialize {
    /// The `@odata.type` of each known variant (`#microsoft.graph.fileAttachment`), the base type
    /// first; the index of a type is what [`Family::decode`] receives.
    const TYPES: &'static [&'static str];

    /// Decodes the known variant `index` of [`Family::TYPES`] (any other index: the base).
    fn decode<'de, D: Deserializer<'de>>(index: usize, deserializer: D) -> Result<Self, D::Error>;

    /// The variant keeping an object of a type not in [`Family::TYPES`].
    fn other(value: Value) -> Self;
}

/// The index in `F::TYPES` of `odata_type` (with or without the leading `#`).
pub fn type_index<F: Family>(odata_type: &str) -> Option<usize> {
    let wanted = odata_type.strip_prefix('#').unwrap_or(odata_type);
    F::TYPES
        .iter()
        .position(|known| known.strip_prefix('#').unwrap_or(known) == wanted)
}

/// The members of an object kept in `Other`, as its annotations (`ODataEntity` of a family);
/// none for a value that is not an object.
pub fn other_annotations(value: &Value) -> &Map<String, Value> {
    static NONE: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    value.as_object().unwrap_or(&NONE)
}

/// The `@odata.type` of an object kept in `Other`.
pub fn other_type(value: &Value) -> Option<&str> {
    value.get(ODATA_TYPE)?.as_str()
}

/// `Deserialize` of a family: picks the variant by `@odata.type`.
pub fn deserialize<'de, F: Family, D: Deserializer<'de>>(deserializer: D) -> Result<F, D::Error> {
    deserializer.deserialize_map(FamilyVisitor(PhantomData))
}

/// `Serialize` of a known variant: `value` with `"@odata.type": odata_type` written first, and
/// any `@odata.type` of its own (a field or an entry of its `extra` map) left out.
pub fn serialize<S: Serializer, T: Serialize + ?Sized>(
    serializer: S,
    odata_type: &'static str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    value.serialize(Typed {
        inner: serializer,
        odata_type,
    })
}
