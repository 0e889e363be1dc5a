//! Signed spans of time (discovery `format: google-duration`).

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::timestamp::write_fraction;
use super::ValueError;
use crate::text::quoted;

const NANOS_PER_SECOND: i32 = 1_000_000_000;
/// About 10,000 years, the bound of `google.protobuf.Duration`.
const MAX_SECONDS: i64 = 315_576_000_000;

/// A signed span of time with nanosecond precision, written like `"1.5s"`.
///
/// Unlike `std::time::Duration` it can be negative (`"-0.000000001s"`).
/// Seconds and nanos always share a sign, so the derived ordering is the
/// numeric one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    seconds: i64,
    nanos: i32,
}

impl Duration {
    /// The empty span.
    pub const ZERO: Duration = Duration { seconds: 0, nanos: 0 };

    /// A span from seconds and nanoseconds that share a sign, within about
    /// 10,000 years either way.
    pub fn new(seconds: i64, nanos: i32) -> Result<Self, ValueError> {
        if nanos <= -NANOS_PER_SECOND || nanos >= NANOS_PER_SECOND {
            return Err(ValueError::new(format!("duration nanos {nanos} must be within ±999999999")));
        }
        if (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0) {
            return Err(ValueError::new(format!("duration seconds {seconds} and nanos {nanos} must share a sign")));
        }
        if !(-MAX_SECONDS..=MAX_SECONDS).contains(&seconds) {
            return Err(ValueError::new(format!("duration of {seconds}s exceeds the range of about 10000 years")));
        }
        Ok(Self { seconds, nanos })
    }

    /// A span of whole seconds.
    pub fn from_secs(seconds: i64) -> Result<Self, ValueError> {
        Self::new(seconds, 0)
    }

    /// Whole seconds, with the span's sign.
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds beyond [`Duration::seconds`], with the span's sign.
    pub fn nanos(&self) -> i32 {
        self.nanos
    }

    /// Whether the span points backwards in time.
    pub fn is_negative(&self) -> bool {
        self.seconds < 0 || self.nanos < 0
    }
}

fn parse_duration(text: &str) -> Result<Duration, &'static str> {
    const SHAPE: &str = "expected seconds with an `s` suffix, such as 1.5s or -3s";
    let body = text.strip_suffix('s').ok_or(SHAPE)?;
    let (negative, unsigned) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SHAPE);
    }
    let seconds: i64 = whole.parse().map_err(|_| "the number of seconds is too large")?;
    let nanos = match fraction {
        None => 0,
        Some(digits) if (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) => {
            let value: i32 = digits.parse().map_err(|_| SHAPE)?;
            value * 10i32.pow(9 - digits.len() as u32)
        }
        Some(_) => return Err("the fraction of a second must have 1 to 9 digits"),
    };
    let (seconds, nanos) = if negative { (-seconds, -nanos) } else { (seconds, nanos) };
    Duration::new(seconds, nanos).map_err(|_| "the duration exceeds about 10000 years")
}

impl FromStr for Duration {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        parse_duration(text).map_err(|why| ValueError::new(format!("invalid duration {}: {why}", quoted(text))))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_negative() {
            f.write_str("-")?;
        }
        write!(f, "{}", self.seconds.unsigned_abs())?;
        write_fraction(f, self.nanos.unsigned_abs())?;
        f.write_str("s")
    }
}

impl TryFrom<std::time::Duration> for Duration {
    type Error = ValueError;

    /// Fails for spans beyond about 10,000 years.
    fn try_from(span: std::time::Duration) -> Result<Self, ValueError> {
        let seconds = i64::try_from(span.as_secs())
            .map_err(|_| ValueError::new("duration exceeds the range of about 10000 years"))?;
        // subsec_nanos is below one billion, so it fits an i32.
        Self::new(seconds, span.subsec_nanos() as i32)
    }
}

impl TryFrom<Duration> for std::time::Duration {
    type Error = ValueError;

    /// Fails for negative spans, which `std::time::Duration` cannot hold.
    fn try_from(span: Duration) -> Result<Self, ValueError> {
        if span.is_negative() {
            return Err(ValueError::new(format!("negative duration {span} has no std::time::Duration")));
        }
        Ok(std::time::Duration::new(span.seconds.unsigned_abs(), span.nanos.unsigned_abs()))
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration string such as \"1.5s\"")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Duration, E> {
        value.parse().map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DurationVisitor)
    }
}
