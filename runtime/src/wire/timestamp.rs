//! Points in time as RFC 3339 text (`google-datetime`, `date-time`).
//!
//! A small type of our own rather than chrono, time or jiff: the runtime only
//! needs to parse, print and convert to `SystemTime`, and each of those
//! crates would add more build time than all of this file's callers.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::civil::{civil_from_days, days_from_civil, days_in_month, read_digits};
use super::ValueError;
use crate::text::quoted;

const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_SECOND: u32 = 1_000_000_000;
/// 0001-01-01T00:00:00Z, the earliest instant a four-digit year can show.
const MIN_SECONDS: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z, the latest whole second a four-digit year can show.
const MAX_SECONDS: i64 = 253_402_300_799;

/// An instant in UTC with nanosecond precision.
///
/// Stored as seconds and nanoseconds since 1970-01-01T00:00:00Z, in the range
/// of years 1 to 9999 (the range of `google.protobuf.Timestamp`). Reading
/// accepts any UTC offset and 0 to 9 fraction digits and normalises to UTC.
/// Printing uses `Z` and 0, 3, 6 or 9 fraction digits, whichever is the
/// shortest exact form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp { seconds: 0, nanos: 0 };

    /// The instant `seconds` and `nanos` after the Unix epoch.
    ///
    /// `nanos` must be below one billion and the result must fall in years
    /// 1 to 9999.
    pub fn from_unix(seconds: i64, nanos: u32) -> Result<Self, ValueError> {
        if nanos >= NANOS_PER_SECOND {
            return Err(ValueError::new(format!("timestamp nanos {nanos} must be below 1000000000")));
        }
        if !(MIN_SECONDS..=MAX_SECONDS).contains(&seconds) {
            return Err(ValueError::new(format!(
                "timestamp {seconds}s from the Unix epoch is outside years 1 to 9999"
            )));
        }
        Ok(Self { seconds, nanos })
    }

    /// The current time from the system clock.
    ///
    /// Falls back to the nearest end of the range if the clock is set outside
    /// years 1 to 9999.
    pub fn now() -> Self {
        Self::try_from(SystemTime::now()).unwrap_or_else(|_| {
            // Only a badly wrong clock gets here; which end follows from the sign.
            if SystemTime::now() < UNIX_EPOCH {
                Self { seconds: MIN_SECONDS, nanos: 0 }
            } else {
                Self { seconds: MAX_SECONDS, nanos: NANOS_PER_SECOND - 1 }
            }
        })
    }

    /// Whole seconds since the Unix epoch (negative before 1970).
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds after [`Timestamp::seconds`], always in `0..1_000_000_000`.
    pub fn nanos(&self) -> u32 {
        self.nanos
    }
}

/// Parses RFC 3339's `date-time`, returning seconds and nanos in UTC.
fn parse_rfc3339(text: &str) -> Result<Timestamp, &'static str> {
    const SHAPE: &str = "expected an RFC 3339 date-time such as 2024-01-31T12:00:00Z";
    let b = text.as_bytes();
    let separators_ok =
        b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && matches!(b[10], b'T' | b't') && b[13] == b':' && b[16] == b':';
    if !separators_ok {
        return Err(SHAPE);
    }
    let field = |start, len| read_digits(b, start, len).ok_or(SHAPE);
    let (year, month, day) = (field(0, 4)?, field(5, 2)?, field(8, 2)?);
    let (hour, minute, second) = (field(11, 2)?, field(14, 2)?, field(17, 2)?);

    let mut pos = 19;
    let mut nanos = 0u32;
    if b[pos] == b'.' {
        pos += 1;
        let digits = b[pos..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return Err("the fraction of a second must have 1 to 9 digits");
        }
        nanos = field(pos, digits)? * 10u32.pow((9 - digits) as u32);
        pos += digits;
    }

    let offset_seconds = match b.get(pos) {
        Some(b'Z' | b'z') if b.len() == pos + 1 => 0,
        Some(&sign @ (b'+' | b'-')) if b.len() == pos + 6 && b[pos + 3] == b':' => {
            let (hours, minutes) = (field(pos + 1, 2)?, field(pos + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return Err("the UTC offset is out of range");
            }
            let magnitude = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return Err("expected a UTC offset such as Z or +01:00 after the time"),
    };

    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(i64::from(year), month) {
        return Err("no such day in the calendar");
    }
    // Google smears leap seconds, so a 60th second never appears on the wire.
    if hour > 23 || minute > 59 || second > 59 {
        return Err("the time of day is out of range");
    }

    let days = days_from_civil(i64::from(year), month, day);
    let local = days * SECONDS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second);
    Timestamp::from_unix(local - offset_seconds, nanos).map_err(|_| "the instant is outside years 1 to 9999 in UTC")
}

impl FromStr for Timestamp {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        parse_rfc3339(text).map_err(|why| ValueError::new(format!("invalid timestamp {}: {why}", quoted(text))))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = self.seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        write_fraction(f, self.nanos)?;
        f.write_str("Z")
    }
}

/// Writes `.fff`, `.ffffff` or `.fffffffff`, the shortest that is exact, or
/// nothing for a whole second. Shared with [`super::Duration`].
pub(crate) fn write_fraction(f: &mut fmt::Formatter<'_>, nanos: u32) -> fmt::Result {
    if nanos == 0 {
        Ok(())
    } else if nanos % 1_000_000 == 0 {
        write!(f, ".{:03}", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        write!(f, ".{:06}", nanos / 1_000)
    } else {
        write!(f, ".{nanos:09}")
    }
}

impl TryFrom<SystemTime> for Timestamp {
    type Error = ValueError;

    fn try_from(time: SystemTime) -> Result<Self, ValueError> {
        let out_of_range = || ValueError::new("system time is outside years 1 to 9999");
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => {
                let seconds = i64::try_from(after.as_secs()).map_err(|_| out_of_range())?;
                Self::from_unix(seconds, after.subsec_nanos()).map_err(|_| out_of_range())
            }
            Err(before) => {
                // `before` is how far the time lies before the epoch; borrow a
                // second when there are nanos so that nanos stay positive.
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).map_err(|_| out_of_range())?;
                let (seconds, nanos) = match before.subsec_nanos() {
                    0 => (-whole, 0),
                    n => (-whole - 1, NANOS_PER_SECOND - n),
                };
                Self::from_unix(seconds, nanos).map_err(|_| out_of_range())
            }
        }
    }
}

impl TryFrom<Timestamp> for SystemTime {
    type Error = ValueError;

    /// Fails only where the platform's `SystemTime` cannot hold the instant
    /// (some platforms start their clock in 1601).
    fn try_from(time: Timestamp) -> Result<Self, ValueError> {
        let whole = std::time::Duration::from_secs(time.seconds.unsigned_abs());
        let nanos = std::time::Duration::from_nanos(u64::from(time.nanos));
        let result = if time.seconds >= 0 {
            UNIX_EPOCH.checked_add(whole + nanos)
        } else {
            UNIX_EPOCH.checked_sub(whole).and_then(|t| t.checked_add(nanos))
        };
        result.ok_or_else(|| ValueError::new(format!("{time} cannot be held by SystemTime here")))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Timestamp, E> {
        value.parse().map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TimestampVisitor)
    }
}
