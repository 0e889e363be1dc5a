//! A small "serialize as" layer for serde's `with` attribute.
//!
//! serde's `with` takes one module for a whole field, but a discovery field
//! such as `Option<Vec<i64>>` needs the int64 rule applied to the numbers deep
//! inside. A marker type that mirrors the field's shape
//! (`Option<Vec<I64>>`) names the rule at each level, and the impls below walk
//! both shapes together. This is the idea behind the `serde_with` crate,
//! reduced to the few shapes that generated code uses, to keep build time low.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes a `T` in the JSON form that the marker type chosen by `Self` stands for.
pub trait SerializeAs<T: ?Sized> {
    /// Serializes `source` with this rule.
    fn serialize_as<S: Serializer>(source: &T, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Reads a `T` from the JSON form that the marker type chosen by `Self` stands for.
pub trait DeserializeAs<'de, T>: Sized {
    /// Deserializes a `T` with this rule.
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>;
}

/// Entry point for `#[serde(with = "…::wire::As::<Marker>")]`.
///
/// `M` is a marker shape such as `Option<Vec<I64>>`; serde calls
/// [`As::serialize`] and [`As::deserialize`] with the field's own type.
pub struct As<M>(PhantomData<M>);

impl<M> As<M> {
    /// Serializes `value` with the rule `M`.
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: ?Sized,
        S: Serializer,
        M: SerializeAs<T>,
    {
        M::serialize_as(value, serializer)
    }

    /// Deserializes a `T` with the rule `M`.
    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        M: DeserializeAs<'de, T>,
    {
        M::deserialize_as(deserializer)
    }
}

/// Marker for "use the type's own serde impls", for leaves that need no rule.
pub struct Same;

impl<T: Serialize + ?Sized> SerializeAs<T> for Same {
    fn serialize_as<S: Serializer>(source: &T, serializer: S) -> Result<S::Ok, S::Error> {
        source.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> DeserializeAs<'de, T> for Same {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}

/// Borrows a value so that a container's serde impl (or a generated
/// struct's writer) applies rule `M` to it.
pub(crate) struct SerializeWith<'a, T: ?Sized, M> {
    value: &'a T,
    rule: PhantomData<M>,
}

impl<'a, T: ?Sized, M> SerializeWith<'a, T, M> {
    pub(crate) fn new(value: &'a T) -> Self {
        Self { value, rule: PhantomData }
    }
}

impl<T: ?Sized, M: SerializeAs<T>> Serialize for SerializeWith<'_, T, M> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        M::serialize_as(self.value, serializer)
    }
}

/// Holds a value that was read with rule `M`, so that containers, and the
/// readers of generated structs, can read it: `map.next_value::<ReadAs<_, Rule>>()?.0`.
pub struct ReadAs<T, M>(pub T, PhantomData<M>);

impl<'de, T, M: DeserializeAs<'de, T>> Deserialize<'de> for ReadAs<T, M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        M::deserialize_as(deserializer).map(|value| ReadAs(value, PhantomData))
    }
}

impl<T, M: SerializeAs<T>> SerializeAs<Option<T>> for Option<M> {
    fn serialize_as<S: Serializer>(source: &Option<T>, serializer: S) -> Result<S::Ok, S::Error> {
        match source {
            Some(value) => serializer.serialize_some(&SerializeWith::<T, M>::new(value)),
            None => serializer.serialize_none(),
        }
    }
}

impl<'de, T, M: DeserializeAs<'de, T>> DeserializeAs<'de, Option<T>> for Option<M> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
        let wrapped = Option::<ReadAs<T, M>>::deserialize(deserializer)?;
        Ok(wrapped.map(|w| w.0))
    }
}

impl<T, M: SerializeAs<T>> SerializeAs<Vec<T>> for Vec<M> {
    fn serialize_as<S: Serializer>(source: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(source.iter().map(SerializeWith::<T, M>::new))
    }
}

impl<'de, T, M: DeserializeAs<'de, T>> DeserializeAs<'de, Vec<T>> for Vec<M> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        let wrapped = Vec::<ReadAs<T, M>>::deserialize(deserializer)?;
        Ok(wrapped.into_iter().map(|w| w.0).collect())
    }
}

impl<K, T, M> SerializeAs<BTreeMap<K, T>> for BTreeMap<K, M>
where
    K: Serialize,
    M: SerializeAs<T>,
{
    fn serialize_as<S: Serializer>(source: &BTreeMap<K, T>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(source.iter().map(|(key, value)| (key, SerializeWith::<T, M>::new(value))))
    }
}

impl<'de, K, T, M> DeserializeAs<'de, BTreeMap<K, T>> for BTreeMap<K, M>
where
    K: Deserialize<'de> + Ord,
    M: DeserializeAs<'de, T>,
{
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<K, T>, D::Error> {
        let wrapped = BTreeMap::<K, ReadAs<T, M>>::deserialize(deserializer)?;
        Ok(wrapped.into_iter().map(|(k, w)| (k, w.0)).collect())
    }
}

impl<T, M: SerializeAs<T>> SerializeAs<Box<T>> for Box<M> {
    fn serialize_as<S: Serializer>(source: &Box<T>, serializer: S) -> Result<S::Ok, S::Error> {
        M::serialize_as(source, serializer)
    }
}

impl<'de, T, M: DeserializeAs<'de, T>> DeserializeAs<'de, Box<T>> for Box<M> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Box<T>, D::Error> {
        M::deserialize_as(deserializer).map(Box::new)
    }
}
