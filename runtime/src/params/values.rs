//! The two standard parameters whose values are a closed list in the
//! documents. Both stay open here, as generated enums do: a value this
//! crate does not list is kept as given.

use crate::wire::{QueryValue, UnknownValue};
use std::borrow::Cow;
use std::fmt;

/// The `alt` parameter: the format the server answers in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Alt {
    /// `json`, the default of JSON APIs.
    Json,
    /// `media`: the bytes of the media itself, for downloads.
    Media,
    /// `proto`: a protocol buffer.
    Proto,
    /// A value not listed above (some documents list `atom` or `csv`).
    UnknownValue(UnknownValue),
}

impl Alt {
    /// The value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Alt::Json => "json",
            Alt::Media => "media",
            Alt::Proto => "proto",
            Alt::UnknownValue(value) => value.as_str(),
        }
    }
}

impl From<&str> for Alt {
    fn from(value: &str) -> Self {
        match value {
            "json" => Alt::Json,
            "media" => Alt::Media,
            "proto" => Alt::Proto,
            other => Alt::UnknownValue(UnknownValue::__new(other)),
        }
    }
}

/// The `$.xgafv` parameter: which version of the error format to use.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Xgafv {
    /// `1`.
    V1,
    /// `2`.
    V2,
    /// A value not listed above.
    UnknownValue(UnknownValue),
}

impl Xgafv {
    /// The value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Xgafv::V1 => "1",
            Xgafv::V2 => "2",
            Xgafv::UnknownValue(value) => value.as_str(),
        }
    }
}

impl From<&str> for Xgafv {
    fn from(value: &str) -> Self {
        match value {
            "1" => Xgafv::V1,
            "2" => Xgafv::V2,
            other => Xgafv::UnknownValue(UnknownValue::__new(other)),
        }
    }
}

macro_rules! text_impls {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl QueryValue for $ty {
            fn to_query(&self) -> Cow<'_, str> {
                Cow::Borrowed(self.as_str())
            }
        }
    )*};
}

text_impls!(Alt, Xgafv);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_and_unlisted_values_read_back_as_sent() {
        for text in ["json", "media", "proto", "csv"] {
            assert_eq!(Alt::from(text).as_str(), text);
        }
        assert_eq!(Alt::from("media"), Alt::Media);
        assert!(matches!(Alt::from("atom"), Alt::UnknownValue(_)));
        assert_eq!(Xgafv::from("2"), Xgafv::V2);
        assert_eq!(Xgafv::from("3").to_string(), "3");
    }
}
