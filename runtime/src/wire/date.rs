//! Calendar dates without a time (discovery `format: date`).

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::civil::{days_in_month, read_digits};
use super::ValueError;
use crate::text::quoted;

/// A date in the proleptic Gregorian calendar, written `YYYY-MM-DD`.
///
/// Years run from 1 to 9999, the range a four-digit year can hold without a
/// sign. Fields are ordered so that the derived ordering is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, if it exists in the calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, ValueError> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && u32::from(day) <= days_in_month(i64::from(year), u32::from(month));
        if valid {
            Ok(Self { year, month, day })
        } else {
            Err(ValueError::new(format!("invalid date: {year:04}-{month:02}-{day:02} is not in the calendar")))
        }
    }

    /// The year, 1 to 9999.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-';
        let parts = (read_digits(bytes, 0, 4), read_digits(bytes, 5, 2), read_digits(bytes, 8, 2));
        match parts {
            // The digit counts bound the values, so the narrowing is exact.
            (Some(year), Some(month), Some(day)) if shape_ok => Self::new(year as u16, month as u8, day as u8)
                .map_err(|_| ValueError::new(format!("invalid date {}: no such day in the calendar", quoted(text)))),
            _ => Err(ValueError::new(format!("invalid date {}: expected YYYY-MM-DD", quoted(text)))),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date string YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Date, E> {
        value.parse().map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DateVisitor)
    }
}
