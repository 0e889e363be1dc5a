//! The catch-all of generated enums.

use std::fmt;

/// An enum value the generated code does not list, kept exactly as the
/// server sent it.
///
/// It is opaque on purpose: code cannot build one or match on its text in a
/// pattern, so when a later revision of the document lists the value as a
/// variant of its own, programs that compare through the enum's `as_str()`
/// or `From<&str>` keep working, and none silently stops matching.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// Only generated code makes these, from a value it does not list; an
    /// `UnknownValue` holding a listed value would not equal its variant.
    #[doc(hidden)]
    pub fn __new(value: &str) -> Self {
        Self(value.into())
    }

    /// The value as it appears in JSON.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
