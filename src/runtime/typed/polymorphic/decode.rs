//! Decoding a family: the variant chosen by `@odata.type` in one pass over the input.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::{Family, ODATA_TYPE, type_index};

pub(super) struct FamilyVisitor<F>(pub(super) PhantomData<F>);

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
