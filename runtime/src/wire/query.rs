//! Turning values into query parameter text.

use std::borrow::Cow;

use super::number::non_finite_name;
use super::{Bytes, Date, Duration, FieldMask, Timestamp};

/// A value that can be sent as a query parameter.
///
/// The text is the value's wire form before percent-encoding; the request
/// builder encodes it. Generated enums implement this with their wire names.
pub trait QueryValue {
    /// The unencoded parameter text.
    fn to_query(&self) -> Cow<'_, str>;
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query(&self) -> Cow<'_, str> {
        (**self).to_query()
    }
}

impl QueryValue for str {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl QueryValue for String {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl QueryValue for bool {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

impl QueryValue for i32 {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for u32 {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for i64 {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for u64 {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for f64 {
    /// Non-finite values use the same names as in JSON (`NaN`, `Infinity`),
    /// not Rust's `inf`.
    fn to_query(&self) -> Cow<'_, str> {
        match non_finite_name(*self) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(self.to_string()),
        }
    }
}

impl QueryValue for f32 {
    fn to_query(&self) -> Cow<'_, str> {
        match non_finite_name(f64::from(*self)) {
            Some(name) => Cow::Borrowed(name),
            // Printing the f32 itself keeps its shortest form (0.1, not 0.10000000149011612).
            None => Cow::Owned(self.to_string()),
        }
    }
}

impl QueryValue for Timestamp {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for Duration {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for FieldMask {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for Date {
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl QueryValue for Bytes {
    /// Standard base64, the same text as in a JSON body. Its `+`, `/` and `=`
    /// are percent-encoded by the request builder, so the server decodes
    /// exactly this text, and the server reads either alphabet anyway.
    fn to_query(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_base64())
    }
}
