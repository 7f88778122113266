//! Encoding a known variant: `@odata.type` written first, the value's own left out.

use std::fmt;

use super::ODATA_TYPE;
use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};

/// A serializer that writes `"@odata.type"` first into the object it is given and drops the
/// object's own `@odata.type`; anything else passes through unchanged.
pub(super) struct Typed<S> {
    pub(super) inner: S,
    pub(super) odata_type: &'static str,
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
pub(super) struct TypedMap<M> {
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
pub(super) struct TypedStruct<St> {
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
