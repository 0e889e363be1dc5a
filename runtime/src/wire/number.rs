//! Markers for numbers whose JSON form differs from serde's default.
//!
//! Google writes 64-bit integers as JSON strings, because JavaScript loses
//! precision past 2^53, and writes non-finite floats as the strings `"NaN"`,
//! `"Infinity"` and `"-Infinity"`, because JSON has no literal for them.
//! Readers use `deserialize_any`: inside a struct with `#[serde(flatten)]`
//! serde first buffers the input, and only `deserialize_any` lets the buffered
//! value say whether it was a number or a string.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

use super::{DeserializeAs, SerializeAs};
use crate::text::quoted;

/// Marker: an `i64` written as a JSON string, read from a string or a number.
pub struct I64;

/// Marker: a `u64` written as a JSON string, read from a string or a number.
pub struct U64;

/// Marker: an `f64` written as a number, or as `"NaN"`, `"Infinity"` or
/// `"-Infinity"`; read from numbers, those strings and numeric strings.
pub struct F64;

/// Marker: an `f32` with the same rules as [`F64`]. Finite values beyond the
/// range of `f32` are refused rather than turned into infinity.
pub struct F32;

/// What the integer visitor needs from `i64` and `u64`.
trait WireInt: Sized + Copy + fmt::Display + FromStr + TryFrom<i64> + TryFrom<u64> {
    /// The discovery format name, used in messages.
    const FORMAT: &'static str;

    /// The value of a float with no fractional part, if it is in range.
    fn from_whole_float(value: f64) -> Option<Self>;
}

impl WireInt for i64 {
    const FORMAT: &'static str = "int64";

    fn from_whole_float(value: f64) -> Option<Self> {
        // 2^63 is exactly representable; every whole float below it fits.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        (value.fract() == 0.0 && (-LIMIT..LIMIT).contains(&value)).then_some(value as i64)
    }
}

impl WireInt for u64 {
    const FORMAT: &'static str = "uint64";

    fn from_whole_float(value: f64) -> Option<Self> {
        const LIMIT: f64 = 18_446_744_073_709_551_616.0;
        (value.fract() == 0.0 && (0.0..LIMIT).contains(&value)).then_some(value as u64)
    }
}

struct IntVisitor<T>(PhantomData<T>);

impl<T: WireInt> IntVisitor<T> {
    fn out_of_range<E: de::Error>(value: impl fmt::Display) -> E {
        E::custom(format_args!("{} value {value} is out of range", T::FORMAT))
    }
}

impl<T: WireInt> Visitor<'_> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an {} as a decimal string or a number", T::FORMAT)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        T::try_from(value).map_err(|_| Self::out_of_range(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        T::try_from(value).map_err(|_| Self::out_of_range(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<T, E> {
        // serde_json reads `5.0` and `1e3` as floats; protobuf's JSON mapping
        // accepts them for integers when they are whole numbers.
        T::from_whole_float(value)
            .ok_or_else(|| E::custom(format_args!("{} value {value} is not a whole number in range", T::FORMAT)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        value.parse().map_err(|_| E::custom(format_args!("invalid {} string {}", T::FORMAT, quoted(value))))
    }
}

impl SerializeAs<i64> for I64 {
    fn serialize_as<S: Serializer>(source: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(source)
    }
}

impl<'de> DeserializeAs<'de, i64> for I64 {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        deserializer.deserialize_any(IntVisitor::<i64>(PhantomData))
    }
}

impl SerializeAs<u64> for U64 {
    fn serialize_as<S: Serializer>(source: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(source)
    }
}

impl<'de> DeserializeAs<'de, u64> for U64 {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_any(IntVisitor::<u64>(PhantomData))
    }
}

/// The JSON string for a non-finite float, or `None` for a finite one.
pub(crate) fn non_finite_name(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value.is_infinite() {
        Some(if value > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        None
    }
}

/// Parses the string forms a float may take on the wire.
fn parse_float_text(text: &str) -> Option<f64> {
    match text {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    // Rust's parser also takes "inf", "nan" and "infinity" in any case;
    // allowing only number characters keeps to the documented spellings.
    let numeric =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if numeric {
        text.parse().ok()
    } else {
        None
    }
}

/// Reads an `f64`; `F32` narrows the result afterwards.
struct FloatVisitor(&'static str);

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} as a number, a numeric string, \"NaN\", \"Infinity\" or \"-Infinity\"", self.0)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
        Ok(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<f64, E> {
        parse_float_text(value).ok_or_else(|| E::custom(format_args!("invalid {} string {}", self.0, quoted(value))))
    }
}

fn serialize_float<S: Serializer>(value: f64, serializer: S) -> Result<S::Ok, S::Error> {
    match non_finite_name(value) {
        Some(name) => serializer.serialize_str(name),
        None => serializer.serialize_f64(value),
    }
}

impl SerializeAs<f64> for F64 {
    fn serialize_as<S: Serializer>(source: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_float(*source, serializer)
    }
}

impl<'de> DeserializeAs<'de, f64> for F64 {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(FloatVisitor("double"))
    }
}

impl SerializeAs<f32> for F32 {
    fn serialize_as<S: Serializer>(source: &f32, serializer: S) -> Result<S::Ok, S::Error> {
        match non_finite_name(f64::from(*source)) {
            Some(name) => serializer.serialize_str(name),
            // serialize_f32 keeps the shortest text for the f32 itself
            // (0.1, not 0.10000000149011612).
            None => serializer.serialize_f32(*source),
        }
    }
}

impl<'de> DeserializeAs<'de, f32> for F32 {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<f32, D::Error> {
        let wide = deserializer.deserialize_any(FloatVisitor("float"))?;
        let narrow = wide as f32;
        if wide.is_finite() && narrow.is_infinite() {
            return Err(de::Error::custom(format_args!("float value {wide} is out of range")));
        }
        Ok(narrow)
    }
}
