//! Conversions between the wire's time types and the `time` crate's
//! (feature `time`). Both directions are `TryFrom`: each side has values the
//! other cannot hold, and a conversion must fail rather than panic or clamp.

use super::{Date, Duration, Timestamp, ValueError};

impl TryFrom<time::OffsetDateTime> for Timestamp {
    type Error = ValueError;

    /// Fails outside years 1 to 9999.
    fn try_from(time: time::OffsetDateTime) -> Result<Self, ValueError> {
        Timestamp::from_unix(time.unix_timestamp(), time.nanosecond())
    }
}

impl TryFrom<Timestamp> for time::OffsetDateTime {
    type Error = ValueError;

    /// The result is in UTC.
    fn try_from(time: Timestamp) -> Result<Self, ValueError> {
        let nanos = i128::from(time.seconds()) * 1_000_000_000 + i128::from(time.nanos());
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .map_err(|_| ValueError::new(format!("timestamp {time} is outside the time crate's range")))
    }
}

impl TryFrom<time::Duration> for Duration {
    type Error = ValueError;

    /// Fails beyond ±10 000 years, the wire format's limit.
    fn try_from(duration: time::Duration) -> Result<Self, ValueError> {
        // Both keep seconds and nanoseconds with one sign.
        Duration::new(duration.whole_seconds(), duration.subsec_nanoseconds())
    }
}

impl TryFrom<Duration> for time::Duration {
    type Error = ValueError;

    fn try_from(duration: Duration) -> Result<Self, ValueError> {
        // `time::Duration::new` panics on overflow; these checked steps cannot.
        time::Duration::seconds(duration.seconds())
            .checked_add(time::Duration::nanoseconds(i64::from(duration.nanos())))
            .ok_or_else(|| ValueError::new(format!("duration {duration} is outside the time crate's range")))
    }
}

impl TryFrom<time::Date> for Date {
    type Error = ValueError;

    /// Fails outside years 1 to 9999.
    fn try_from(date: time::Date) -> Result<Self, ValueError> {
        let year = u16::try_from(date.year())
            .map_err(|_| ValueError::new(format!("date {date} is outside years 1 to 9999")))?;
        Date::new(year, u8::from(date.month()), date.day())
    }
}

impl TryFrom<Date> for time::Date {
    type Error = ValueError;

    fn try_from(date: Date) -> Result<Self, ValueError> {
        let invalid = || ValueError::new(format!("date {date} is outside the time crate's range"));
        let month = time::Month::try_from(date.month()).map_err(|_| invalid())?;
        time::Date::from_calendar_date(i32::from(date.year()), month, date.day()).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_both_ways() {
        let wire: Timestamp = "2024-02-29T12:34:56.789Z".parse().unwrap();
        let converted = time::OffsetDateTime::try_from(wire).unwrap();
        assert_eq!((converted.year(), u8::from(converted.month()), converted.day()), (2024, 2, 29));
        assert_eq!(
            (converted.hour(), converted.minute(), converted.second(), converted.millisecond()),
            (12, 34, 56, 789)
        );
        assert_eq!(Timestamp::try_from(converted).unwrap(), wire);
        let before_year_1 = time::OffsetDateTime::from_unix_timestamp(-62_135_596_801).unwrap();
        assert!(Timestamp::try_from(before_year_1).is_err());
    }

    #[test]
    fn durations_both_ways() {
        for (seconds, nanos) in [(0, 0), (90, 500), (-90, -500), (0, -1), (-315_576_000_000, -999_999_999)] {
            let wire = Duration::new(seconds, nanos).unwrap();
            let converted = time::Duration::try_from(wire).unwrap();
            assert_eq!((converted.whole_seconds(), converted.subsec_nanoseconds()), (seconds, nanos));
            assert_eq!(Duration::try_from(converted).unwrap(), wire);
        }
        assert!(Duration::try_from(time::Duration::seconds(315_576_000_001)).is_err());
        assert!(Duration::try_from(time::Duration::MIN).is_err());
    }

    #[test]
    fn dates_both_ways() {
        let wire = Date::new(2024, 2, 29).unwrap();
        let converted = time::Date::try_from(wire).unwrap();
        assert_eq!((converted.year(), u8::from(converted.month()), converted.day()), (2024, 2, 29));
        assert_eq!(Date::try_from(converted).unwrap(), wire);
        let year_0 = time::Date::from_calendar_date(0, time::Month::January, 1).unwrap();
        assert!(Date::try_from(year_0).is_err());
    }
}
