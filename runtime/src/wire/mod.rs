//! How discovery types travel as JSON.
//!
//! Discovery describes some values as JSON strings that are really numbers,
//! times or binary data. This module has the types and serde adapters that
//! generated structs use for them:
//!
//! - [`As`] with the markers [`Same`], [`I64`], [`U64`], [`F64`] and [`F32`]
//!   maps plain Rust numbers to Google's JSON forms, also inside `Option`,
//!   `Vec`, `BTreeMap` and `Box`;
//! - [`Bytes`], [`Timestamp`], [`Duration`], [`FieldMask`] and [`Date`] are
//!   value types with their own serde impls;
//! - [`UnknownValue`] keeps an enum value the generated code does not list;
//! - [`QueryValue`] turns a value into the text of a query parameter;
//! - [`Object`], [`read_object`] and [`ObjectWriter`] carry generated
//!   structs to and from JSON objects, keeping unknown members.
//!
//! Every reader accepts what Google documents and fails with a clear message
//! otherwise; a value that does not parse never becomes a default.

mod adapt;
mod base64_bytes;
#[cfg(feature = "chrono")]
mod chrono_conv;
mod civil;
mod date;
mod duration;
mod field_mask;
#[cfg(feature = "jiff")]
mod jiff_conv;
mod number;
#[doc(hidden)]
pub mod object;
mod query;
#[cfg(feature = "time")]
mod time_conv;
mod timestamp;
mod unknown;

use std::fmt;

pub use adapt::{As, DeserializeAs, ReadAs, Same, SerializeAs};
pub use base64_bytes::Bytes;
pub use date::Date;
pub use duration::Duration;
pub use field_mask::FieldMask;
pub use number::{F32, F64, I64, U64};
pub use object::{read_enum, read_object, write_object, Object, ObjectWriter};
pub use query::QueryValue;
pub use timestamp::Timestamp;
pub use unknown::UnknownValue;

/// A value that could not be parsed or converted.
///
/// Returned by the `FromStr` and `TryFrom` impls of the value types. Inside
/// serde the same text becomes the deserializer's error message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    message: String,
}

impl ValueError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}
