//! Reading and writing generated structs as JSON objects.
//!
//! Generated structs could derive their serde impls, but every struct keeps
//! the members it does not know in a map (the hidden field `__extra`, read
//! through [`Object::extra`]), and `#[serde(flatten)]`
//! makes the derived `Deserialize` buffer each member in serde's internal
//! `Content` tree before looking at it. That costs time on every response,
//! and the derived code is large enough to dominate the build time of a
//! generated crate. Here one visitor serves every struct: the generated code
//! is one `object!` invocation per struct, which expands to a `match` on
//! member names ([`Object::read_member`]) and a list of [`ObjectWriter`]
//! calls.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::adapt::{DeserializeAs, ReadAs, SerializeAs, SerializeWith};

/// A generated struct that is read from a JSON object member by member.
pub trait Object: Default {
    /// The type's name, for "expected …" messages.
    const NAME: &'static str;

    /// Reads the value of member `key` into its field and returns `true`,
    /// or returns `false` without reading anything when the struct has no
    /// field for `key`.
    fn read_member<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;

    /// Where members without a field are kept.
    fn extra_mut(&mut self) -> &mut BTreeMap<String, Value>;

    /// Writes the fields that are set, in declaration order. The kept
    /// members follow through [`ObjectWriter::end`].
    fn write_members<S: Serializer>(&self, object: &mut ObjectWriter<S>) -> Result<(), S::Error>;

    /// The JSON members the type has no field for, kept so that a round
    /// trip loses nothing. With the prelude in scope, `value.extra()` reads
    /// them on any generated struct.
    fn extra(&self) -> &BTreeMap<String, Value>;
}

/// Implements serde's `Serialize` and `Deserialize` for a type through its
/// [`Object`] impl. Generated code calls it once per struct; a blanket impl
/// is not possible, since both traits belong to serde.
#[macro_export]
#[doc(hidden)]
macro_rules! object_impls {
    ($name:ty) => {
        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::wire::read_object(deserializer)
            }
        }
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::wire::write_object(self, serializer)
            }
        }
    };
}

/// Implements [`Object`] and serde's traits for a generated struct from a
/// list of `"jsonName" => field` pairs; a pair ending in `as Rule` reads and
/// writes that field with the wire rule `Rule` (see [`super::As`]). The
/// struct must derive `Default` and have an `__extra` map.
///
/// The generator writes one of these per struct instead of the impls it
/// stands for: a list of names is quicker for it to produce and for a
/// reader to check than two functions with a statement per field, and the
/// compiler expands it to the same code.
#[macro_export]
#[doc(hidden)]
macro_rules! object {
    ($name:ident($schema:literal) {}) => {
        impl $crate::wire::Object for $name {
            const NAME: &'static str = $schema;
            fn read_member<'de, A: $crate::serde::de::MapAccess<'de>>(
                &mut self,
                _key: &str,
                _map: &mut A,
            ) -> ::std::result::Result<bool, A::Error> {
                ::std::result::Result::Ok(false)
            }
            fn write_members<S: $crate::serde::Serializer>(
                &self,
                _object: &mut $crate::wire::ObjectWriter<S>,
            ) -> ::std::result::Result<(), S::Error> {
                ::std::result::Result::Ok(())
            }
            $crate::__object_extra!();
        }
        $crate::object_impls!($name);
    };
    ($name:ident($schema:literal) { $($json:literal => $field:ident $(as $rule:ty)?),+ $(,)? }) => {
        impl $crate::wire::Object for $name {
            const NAME: &'static str = $schema;
            fn read_member<'de, A: $crate::serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> ::std::result::Result<bool, A::Error> {
                let read = match key {
                    $($json => $crate::__object_read!(self.$field, map $(, $rule)?),)+
                    _ => return ::std::result::Result::Ok(false),
                };
                read.map(|()| true)
            }
            fn write_members<S: $crate::serde::Serializer>(
                &self,
                object: &mut $crate::wire::ObjectWriter<S>,
            ) -> ::std::result::Result<(), S::Error> {
                $($crate::__object_write!(object, $json, &self.$field $(, $rule)?);)+
                object.status()
            }
            $crate::__object_extra!();
        }
        $crate::object_impls!($name);
    };
}

/// The two accessors of `object!` for the map of unknown members. The
/// field is `__extra`: the generator's names never start with an
/// underscore, so no member of a document can take it (a member called
/// `extra` keeps its name).
#[macro_export]
#[doc(hidden)]
macro_rules! __object_extra {
    () => {
        fn extra_mut(&mut self) -> &mut ::std::collections::BTreeMap<::std::string::String, $crate::serde_json::Value> {
            &mut self.__extra
        }
        fn extra(&self) -> &::std::collections::BTreeMap<::std::string::String, $crate::serde_json::Value> {
            &self.__extra
        }
    };
}

/// One arm of `object!`'s reader.
#[macro_export]
#[doc(hidden)]
macro_rules! __object_read {
    ($place:expr, $map:ident) => {
        $crate::wire::object::read_into($map, &mut $place)
    };
    ($place:expr, $map:ident, $rule:ty) => {
        $crate::wire::object::read_into_as::<_, _, ::std::option::Option<$rule>>($map, &mut $place)
    };
}

/// One statement of `object!`'s writer.
#[macro_export]
#[doc(hidden)]
macro_rules! __object_write {
    ($object:ident, $json:literal, $value:expr) => {
        $object.put($json, $value)
    };
    ($object:ident, $json:literal, $value:expr, $rule:ty) => {
        $object.put_as::<$rule, _>($json, $value)
    };
}

// The two readers and `ObjectWriter::put` below exist for `object!`: each
// field's line expands to one plain call, without a `?`. The desugaring of
// `?` is trait solving at every use, and with a line per field in every
// struct it was a measurable share of a generated crate's build (12 % of
// the Vision crate in an A/B); the error is checked once per object.

/// Reads the current member's value into `slot`.
#[doc(hidden)]
pub fn read_into<'de, A: MapAccess<'de>, T: Deserialize<'de>>(map: &mut A, slot: &mut T) -> Result<(), A::Error> {
    *slot = map.next_value()?;
    Ok(())
}

/// Reads the current member's value into `slot` with the wire rule `M`.
#[doc(hidden)]
pub fn read_into_as<'de, A: MapAccess<'de>, T, M: DeserializeAs<'de, T>>(
    map: &mut A,
    slot: &mut T,
) -> Result<(), A::Error> {
    *slot = map.next_value::<ReadAs<T, M>>()?.0;
    Ok(())
}

/// Serializes any [`Object`]: its set fields, then its kept members.
pub fn write_object<T: Object, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let mut object = ObjectWriter::new(serializer)?;
    value.write_members(&mut object)?;
    object.end(value.extra())
}

/// Deserializes any [`Object`]: known members go to their fields, the
/// others into the `extra` map. A repeated member keeps its last value,
/// as `serde_json::Value` does.
pub fn read_object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object ({})", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if !out.read_member(&key.0, &mut map)? {
                let value: Value = map.next_value()?;
                out.extra_mut().insert(key.0.into_owned(), value);
            }
        }
        Ok(out)
    }
}

/// A string that borrows from the input when it can. serde's own impl for
/// `Cow<str>` always copies, which would cost an allocation per member name
/// and per enum value.
pub(crate) struct Str<'de>(Cow<'de, str>);

impl Str<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v)))
    }
}

/// Deserializes an open enum from its JSON string through its `From<&str>`,
/// which maps values it does not list to its catch-all variant.
pub fn read_enum<'de, T: for<'a> From<&'a str>, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let value = Str::deserialize(deserializer)?;
    Ok(T::from(&value.0))
}

/// Writes a generated struct as a JSON object: the fields that are set, in
/// declaration order, then the members kept in `extra`.
pub struct ObjectWriter<S: Serializer> {
    map: S::SerializeMap,
    error: Option<S::Error>,
}

impl<S: Serializer> ObjectWriter<S> {
    /// Starts the object.
    pub fn new(serializer: S) -> Result<Self, S::Error> {
        Ok(Self { map: serializer.serialize_map(None)?, error: None })
    }

    /// Writes member `key` if `value` is set.
    pub fn field<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) -> Result<(), S::Error> {
        match value {
            Some(value) => self.map.serialize_entry(key, value),
            None => Ok(()),
        }
    }

    /// Writes member `key` with the wire rule `M` (see [`super::As`]) if
    /// `value` is set.
    pub fn field_as<M: SerializeAs<T>, T>(&mut self, key: &'static str, value: &Option<T>) -> Result<(), S::Error> {
        match value {
            Some(value) => self.map.serialize_entry(key, &SerializeWith::<T, M>::new(value)),
            None => Ok(()),
        }
    }

    /// [`field`](Self::field), keeping the first error for
    /// [`status`](Self::status) instead of returning it; later calls then
    /// write nothing.
    #[doc(hidden)]
    pub fn put<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if self.error.is_none() {
            let result = self.field(key, value);
            self.keep(result);
        }
    }

    /// [`field_as`](Self::field_as), keeping the first error like [`put`](Self::put).
    #[doc(hidden)]
    pub fn put_as<M: SerializeAs<T>, T>(&mut self, key: &'static str, value: &Option<T>) {
        if self.error.is_none() {
            let result = self.field_as::<M, T>(key, value);
            self.keep(result);
        }
    }

    fn keep(&mut self, result: Result<(), S::Error>) {
        if let Err(e) = result {
            self.error = Some(e);
        }
    }

    /// The first error kept by [`put`](Self::put) or [`put_as`](Self::put_as).
    #[doc(hidden)]
    pub fn status(&mut self) -> Result<(), S::Error> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Writes the members kept in `extra` and ends the object.
    pub fn end(mut self, extra: &BTreeMap<String, Value>) -> Result<S::Ok, S::Error> {
        for (key, value) in extra {
            self.map.serialize_entry(key, value)?;
        }
        self.map.end()
    }
}
