//! Field masks (discovery `format: google-fieldmask`).

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A list of field paths, written on the wire as one comma-joined string.
///
/// The empty string stands for the empty list (and not for one empty path),
/// so an empty mask survives a round trip.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldMask(pub Vec<String>);

impl FieldMask {
    /// The paths in the mask.
    pub fn paths(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for FieldMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, path) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(path)?;
        }
        Ok(())
    }
}

impl FromStr for FieldMask {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Infallible> {
        if text.is_empty() {
            return Ok(Self::default());
        }
        Ok(Self(text.split(',').map(str::to_owned).collect()))
    }
}

impl From<Vec<String>> for FieldMask {
    fn from(paths: Vec<String>) -> Self {
        Self(paths)
    }
}

impl<S: Into<String>> FromIterator<S> for FieldMask {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Self(iter.into_iter().map(Into::into).collect())
    }
}

impl Serialize for FieldMask {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct FieldMaskVisitor;

impl Visitor<'_> for FieldMaskVisitor {
    type Value = FieldMask;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a comma-separated list of field paths")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<FieldMask, E> {
        let Ok(mask) = value.parse();
        Ok(mask)
    }
}

impl<'de> Deserialize<'de> for FieldMask {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(FieldMaskVisitor)
    }
}
