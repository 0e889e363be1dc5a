//! serde impls for the fixed structs of this module, without serde's derive.
//!
//! Deriving would pull `serde_derive`, and with it `syn`, `quote` and
//! `proc-macro2`, into the build of every program that uses a generated
//! client; `serde` itself could not start compiling before them. These
//! structs are few and flat, so a small macro does the same job.
//!
//! The behaviour matches `#[serde(default)]`: a missing member keeps the
//! field's default, unknown members are skipped, and a member of the wrong
//! type is an error. When writing, a field listed with `if <predicate>` is
//! left out unless the predicate holds.

/// `json_struct!(Type { field: "jsonName" [if predicate], ... })`.
macro_rules! json_struct {
    ($name:ident { $($field:ident : $json:literal $(if $keep:path)?),* $(,)? }) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if true $(&& $keep(&self.$field))? {
                        map.serialize_entry($json, &self.$field)?;
                    }
                )*
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Fields;
                impl<'de> ::serde::de::Visitor<'de> for Fields {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<crate::wire::object::Str<'de>>()? {
                            match key.as_str() {
                                $($json => out.$field = map.next_value()?,)*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }
    };
}

pub(crate) use json_struct;

/// For `if` clauses: a list is written only when it has entries.
pub(crate) fn not_empty<T>(list: &[T]) -> bool {
    !list.is_empty()
}
