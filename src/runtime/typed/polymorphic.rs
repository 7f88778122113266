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

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::{Map, Value};

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

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

struct FamilyVisitor<F>(PhantomData<F>);

impl<'de, F: Family> Visitor<'de> for FamilyVisitor<F> {
    type Value = F;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<F, A::Error> {
        let mut head: Vec<(Cow<'de, str>, Value)> = Vec::new();
        loop {
            let Some(key) = map.next_key_seed(Text)? else {
                return F::decode(0, Replay::new(head, None, None, map, None));
            };
            if key == ODATA_TYPE {
                let Some(odata_type) = map.next_value_seed(OptionalText)? else {
                    continue;
                };
                return match type_index::<F>(&odata_type) {
                    Some(index) => {
                        F::decode(index, Replay::new(head, Some(odata_type), None, map, None))
                    }
                    None => {
                        let mut object = Map::new();
                        for (key, value) in head {
                            object.insert(key.into_owned(), value);
                        }
                        object.insert(ODATA_TYPE.into(), Value::String(odata_type.into_owned()));
                        while let Some((key, value)) = map.next_entry::<String, Value>()? {
                            object.insert(key, value);
                        }
                        Ok(F::other(Value::Object(object)))
                    }
                };
            }
            if key.starts_with('@') {
                head.push((key, map.next_value()?));
                continue;
            }
            let seen = RefCell::new(None);
            let base = F::decode(0, Replay::new(head, None, Some(key), map, Some(&seen)))?;
            return match seen.into_inner() {
                None => Ok(base),
                Some(late) => retype(base, late).map_err(de::Error::custom),
            };
        }
    }
}

/// A value decoded as the base although its `@odata.type` (found late) names `odata_type`.
fn retype<F: Family>(base: F, odata_type: String) -> Result<F, serde_json::Error> {
    let index = type_index::<F>(&odata_type);
    if index == Some(0) {
        return Ok(base);
    }
    let mut value = serde_json::to_value(&base)?;
    if let Value::Object(object) = &mut value {
        object.insert(ODATA_TYPE.into(), Value::String(odata_type));
    }
    match index {
        Some(index) => F::decode(index, value),
        None => Ok(F::other(value)),
    }
}

/// A map key or string, borrowed from the input when it can be.
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// The value of `@odata.type`: a string, or `null` (taken as absent).
struct OptionalText;

impl<'de> DeserializeSeed<'de> for OptionalText {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(OptionalTextVisitor)
    }
}

struct OptionalTextVisitor;

impl<'de> Visitor<'de> for OptionalTextVisitor {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a type name or null")
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        Text.deserialize(deserializer).map(Some)
    }
}

/// Feeds `text` to `seed` as a string, borrowed when it is.
fn text_into<'de, S: DeserializeSeed<'de>, E: de::Error>(
    seed: S,
    text: Cow<'de, str>,
) -> Result<S::Value, E> {
    match text {
        Cow::Borrowed(s) => seed.deserialize(BorrowedStrDeserializer::new(s)),
        Cow::Owned(s) => seed.deserialize(StringDeserializer::new(s)),
    }
}

/// Where the value of the key just handed out comes from.
enum Next<'de> {
    Live,
    Held(Value),
    Type(Cow<'de, str>),
    Watched,
}

/// The object again, for the variant's own `Deserialize`: the held entries, the `@odata.type`
/// entry (if it was read), the key read before deciding (if any), then the rest of the input.
struct Replay<'a, 'de, A> {
    head: std::vec::IntoIter<(Cow<'de, str>, Value)>,
    odata_type: Option<Cow<'de, str>>,
    pending: Option<Cow<'de, str>>,
    live: A,
    watch: Option<&'a RefCell<Option<String>>>,
    next: Next<'de>,
}

impl<'a, 'de, A> Replay<'a, 'de, A> {
    fn new(
        head: Vec<(Cow<'de, str>, Value)>,
        odata_type: Option<Cow<'de, str>>,
        pending: Option<Cow<'de, str>>,
        live: A,
        watch: Option<&'a RefCell<Option<String>>>,
    ) -> Self {
        Replay {
            head: head.into_iter(),
            odata_type,
            pending,
            live,
            watch,
            next: Next::Live,
        }
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.head.next() {
            self.next = Next::Held(value);
            return text_into(seed, key).map(Some);
        }
        if let Some(odata_type) = self.odata_type.take() {
            self.next = Next::Type(odata_type);
            return seed
                .deserialize(BorrowedStrDeserializer::new(ODATA_TYPE))
                .map(Some);
        }
        if let Some(key) = self.pending.take() {
            self.next = Next::Live;
            return text_into(seed, key).map(Some);
        }
        if self.watch.is_none() {
            self.next = Next::Live;
            return self.live.next_key_seed(seed);
        }
        match self.live.next_key_seed(Text)? {
            None => Ok(None),
            Some(key) => {
                self.next = if key == ODATA_TYPE {
                    Next::Watched
                } else {
                    Next::Live
                };
                text_into(seed, key).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match std::mem::replace(&mut self.next, Next::Live) {
            Next::Live => self.live.next_value_seed(seed),
            Next::Held(value) => seed.deserialize(value).map_err(de::Error::custom),
            // As a `Value`, so an `Option<String>` field (which asks for an option) accepts it.
            Next::Type(odata_type) => seed
                .deserialize(Value::String(odata_type.into_owned()))
                .map_err(de::Error::custom),
            Next::Watched => {
                let value: Value = self.live.next_value()?;
                if let (Value::String(odata_type), Some(watch)) = (&value, self.watch) {
                    *watch.borrow_mut() = Some(odata_type.clone());
                }
                seed.deserialize(value).map_err(de::Error::custom)
            }
        }
    }
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Replay<'_, 'de, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/// A serializer that writes `"@odata.type"` first into the object it is given and drops the
/// object's own `@odata.type`; anything else passes through unchanged.
struct Typed<S> {
    inner: S,
    odata_type: &'static str,
}

impl<S: Serializer> Serializer for Typed<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = TypedMap<S::SerializeMap>;
    type SerializeStruct = TypedStruct<S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        let mut map = self.inner.serialize_map(len.map(|n| n + 1))?;
        map.serialize_entry(ODATA_TYPE, self.odata_type)?;
        Ok(TypedMap {
            inner: map,
            skip_value: false,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let mut inner = self.inner.serialize_struct(name, len + 1)?;
        inner.serialize_field(ODATA_TYPE, self.odata_type)?;
        Ok(TypedStruct { inner })
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }

    fn serialize_bool(self, v: bool) -> Result<S::Ok, S::Error> {
        self.inner.serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<S::Ok, S::Error> {
        self.inner.serialize_i64(v)
    }
    fn serialize_u8(self, v: u8) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<S::Ok, S::Error> {
        self.inner.serialize_u64(v)
    }
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.inner.serialize_f32(v)
    }
    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        self.inner.serialize_f64(v)
    }
    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.inner.serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.inner.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        self.inner.serialize_bytes(v)
    }
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_none()
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, value)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<S::SerializeSeq, S::Error> {
        self.inner.serialize_seq(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<S::SerializeTuple, S::Error> {
        self.inner.serialize_tuple(len)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<S::SerializeTupleStruct, S::Error> {
        self.inner.serialize_tuple_struct(name, len)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<S::SerializeTupleVariant, S::Error> {
        self.inner
            .serialize_tuple_variant(name, index, variant, len)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<S::SerializeStructVariant, S::Error> {
        self.inner
            .serialize_struct_variant(name, index, variant, len)
    }
}

/// A map (a struct with a flattened `extra`, or a map) after the injected `@odata.type`.
struct TypedMap<M> {
    inner: M,
    skip_value: bool,
}

impl<M: SerializeMap> SerializeMap for TypedMap<M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), M::Error> {
        if is_odata_type(key) {
            self.skip_value = true;
            return Ok(());
        }
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), M::Error> {
        if std::mem::take(&mut self.skip_value) {
            return Ok(());
        }
        self.inner.serialize_value(value)
    }

    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), M::Error> {
        if is_odata_type(key) {
            return Ok(());
        }
        self.inner.serialize_entry(key, value)
    }

    fn end(self) -> Result<M::Ok, M::Error> {
        self.inner.end()
    }
}

/// A struct (without a flattened map) after the injected `@odata.type`.
struct TypedStruct<St> {
    inner: St,
}

impl<St: SerializeStruct> SerializeStruct for TypedStruct<St> {
    type Ok = St::Ok;
    type Error = St::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), St::Error> {
        if key == ODATA_TYPE {
            return Ok(());
        }
        self.inner.serialize_field(key, value)
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), St::Error> {
        self.inner.skip_field(key)
    }

    fn end(self) -> Result<St::Ok, St::Error> {
        self.inner.end()
    }
}

/// Whether a map key serialises as the string `@odata.type`.
fn is_odata_type<T: Serialize + ?Sized>(key: &T) -> bool {
    key.serialize(KeyProbe).unwrap_or(false)
}

/// Serialises a key only far enough to compare it with `@odata.type`.
struct KeyProbe;

#[derive(Debug)]
struct NotText;

impl fmt::Display for NotText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a string key")
    }
}

impl std::error::Error for NotText {}

impl ser::Error for NotText {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        NotText
    }
}

impl Serializer for KeyProbe {
    type Ok = bool;
    type Error = NotText;
    type SerializeSeq = Impossible<bool, NotText>;
    type SerializeTuple = Impossible<bool, NotText>;
    type SerializeTupleStruct = Impossible<bool, NotText>;
    type SerializeTupleVariant = Impossible<bool, NotText>;
    type SerializeMap = Impossible<bool, NotText>;
    type SerializeStruct = Impossible<bool, NotText>;
    type SerializeStructVariant = Impossible<bool, NotText>;

    fn serialize_str(self, v: &str) -> Result<bool, NotText> {
        Ok(v == ODATA_TYPE)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<bool, NotText> {
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_i8(self, _: i8) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_i16(self, _: i16) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_i32(self, _: i32) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_i64(self, _: i64) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_u8(self, _: u8) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_u16(self, _: u16) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_u32(self, _: u32) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_u64(self, _: u64) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_f32(self, _: f32) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_f64(self, _: f64) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_char(self, _: char) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_none(self) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_unit(self) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, NotText> {
        Ok(false)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotText> {
        Err(NotText)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotText> {
        Err(NotText)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotText> {
        Err(NotText)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotText> {
        Err(NotText)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotText> {
        Err(NotText)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotText> {
        Err(NotText)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotText> {
        Err(NotText)
    }
}
