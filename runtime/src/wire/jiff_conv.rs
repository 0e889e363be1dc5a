//! Conversions between the wire's time types and jiff's (feature `jiff`).
//! Both directions are `TryFrom`: each side has values the other cannot
//! hold, and a conversion must fail rather than panic or clamp.

use super::{Date, Duration, Timestamp, ValueError};

impl TryFrom<jiff::Timestamp> for Timestamp {
    type Error = ValueError;

    /// Fails before year 1 (jiff reaches to year -9999).
    fn try_from(time: jiff::Timestamp) -> Result<Self, ValueError> {
        let nanos = time.subsec_nanosecond();
        // jiff gives a negative fraction before 1970; the wire's is never negative.
        let (seconds, nanos) =
            if nanos < 0 { (time.as_second() - 1, nanos + 1_000_000_000) } else { (time.as_second(), nanos) };
        let nanos =
            u32::try_from(nanos).map_err(|_| ValueError::new(format!("timestamp {time} has a bad fraction")))?;
        Timestamp::from_unix(seconds, nanos)
    }
}

impl TryFrom<Timestamp> for jiff::Timestamp {
    type Error = ValueError;

    fn try_from(time: Timestamp) -> Result<Self, ValueError> {
        let out_of_range = || ValueError::new(format!("timestamp {time} is outside jiff's range"));
        let nanos = i32::try_from(time.nanos()).map_err(|_| out_of_range())?;
        jiff::Timestamp::new(time.seconds(), nanos).map_err(|_| out_of_range())
    }
}

impl TryFrom<jiff::SignedDuration> for Duration {
    type Error = ValueError;

    /// Fails beyond ±10 000 years, the wire format's limit.
    fn try_from(duration: jiff::SignedDuration) -> Result<Self, ValueError> {
        // Both keep seconds and nanoseconds with one sign.
        Duration::new(duration.as_secs(), duration.subsec_nanos())
    }
}

impl From<Duration> for jiff::SignedDuration {
    /// Always fits: the wire's ±10 000 years are far inside jiff's range,
    /// and the nanoseconds are already below one second.
    fn from(duration: Duration) -> Self {
        jiff::SignedDuration::new(duration.seconds(), duration.nanos())
    }
}

impl TryFrom<jiff::civil::Date> for Date {
    type Error = ValueError;

    /// Fails before year 1.
    fn try_from(date: jiff::civil::Date) -> Result<Self, ValueError> {
        let invalid = || ValueError::new(format!("date {date} is outside years 1 to 9999"));
        let year = u16::try_from(date.year()).map_err(|_| invalid())?;
        let month = u8::try_from(date.month()).map_err(|_| invalid())?;
        let day = u8::try_from(date.day()).map_err(|_| invalid())?;
        Date::new(year, month, day)
    }
}

impl TryFrom<Date> for jiff::civil::Date {
    type Error = ValueError;

    fn try_from(date: Date) -> Result<Self, ValueError> {
        let invalid = || ValueError::new(format!("date {date} is outside jiff's range"));
        let year = i16::try_from(date.year()).map_err(|_| invalid())?;
        let month = i8::try_from(date.month()).map_err(|_| invalid())?;
        let day = i8::try_from(date.day()).map_err(|_| invalid())?;
        jiff::civil::Date::new(year, month, day).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_both_ways() {
        for text in ["2024-02-29T12:34:56.789Z", "1969-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z"] {
            let wire: Timestamp = text.parse().unwrap();
            let converted = jiff::Timestamp::try_from(wire).unwrap();
            assert_eq!(
                converted.as_nanosecond(),
                i128::from(wire.seconds()) * 1_000_000_000 + i128::from(wire.nanos())
            );
            assert_eq!(Timestamp::try_from(converted).unwrap(), wire, "{text}");
        }
        assert!(Timestamp::try_from(jiff::Timestamp::MIN).is_err());
        assert!(Timestamp::try_from(jiff::Timestamp::new(-62_135_596_801, 0).unwrap()).is_err());
    }

    #[test]
    fn durations_both_ways() {
        for (seconds, nanos) in [(0, 0), (90, 500), (-90, -500), (0, -1), (315_576_000_000, 999_999_999)] {
            let wire = Duration::new(seconds, nanos).unwrap();
            let converted = jiff::SignedDuration::from(wire);
            assert_eq!((converted.as_secs(), converted.subsec_nanos()), (seconds, nanos));
            assert_eq!(Duration::try_from(converted).unwrap(), wire);
        }
        assert!(Duration::try_from(jiff::SignedDuration::from_secs(315_576_000_001)).is_err());
        assert!(Duration::try_from(jiff::SignedDuration::MIN).is_err());
    }

    #[test]
    fn dates_both_ways() {
        let wire = Date::new(2024, 2, 29).unwrap();
        let converted = jiff::civil::Date::try_from(wire).unwrap();
        assert_eq!(converted, jiff::civil::date(2024, 2, 29));
        assert_eq!(Date::try_from(converted).unwrap(), wire);
        assert!(Date::try_from(jiff::civil::date(0, 1, 1)).is_err());
        assert!(Date::try_from(jiff::civil::date(-44, 3, 15)).is_err());
    }
}
