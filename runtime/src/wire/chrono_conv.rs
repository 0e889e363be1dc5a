//! Conversions between the wire's time types and chrono's (feature `chrono`).
//!
//! chrono's types reach much further than the wire's (years 1 to 9999,
//! durations up to 10 000 years), so only the way into the wire types can
//! fail; the way out is `TryFrom` too, so that no conversion can panic
//! whatever chrono's limits become.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{Date, Duration, Timestamp, ValueError};

impl TryFrom<DateTime<Utc>> for Timestamp {
    type Error = ValueError;

    /// Fails outside years 1 to 9999, and on a leap second (which the wire
    /// format cannot hold).
    fn try_from(time: DateTime<Utc>) -> Result<Self, ValueError> {
        Timestamp::from_unix(time.timestamp(), time.timestamp_subsec_nanos())
    }
}

impl TryFrom<Timestamp> for DateTime<Utc> {
    type Error = ValueError;

    fn try_from(time: Timestamp) -> Result<Self, ValueError> {
        DateTime::from_timestamp(time.seconds(), time.nanos())
            .ok_or_else(|| ValueError::new(format!("timestamp {time} is outside chrono's range")))
    }
}

impl TryFrom<TimeDelta> for Duration {
    type Error = ValueError;

    /// Fails beyond ±10 000 years, the wire format's limit.
    fn try_from(delta: TimeDelta) -> Result<Self, ValueError> {
        // `subsec_nanos` has the sign of the whole, as the wire format wants.
        Duration::new(delta.num_seconds(), delta.subsec_nanos())
    }
}

impl TryFrom<Duration> for TimeDelta {
    type Error = ValueError;

    fn try_from(duration: Duration) -> Result<Self, ValueError> {
        let out_of_range = || ValueError::new(format!("duration {duration} is outside chrono's range"));
        let seconds = TimeDelta::try_seconds(duration.seconds()).ok_or_else(out_of_range)?;
        seconds.checked_add(&TimeDelta::nanoseconds(i64::from(duration.nanos()))).ok_or_else(out_of_range)
    }
}

impl TryFrom<NaiveDate> for Date {
    type Error = ValueError;

    /// Fails outside years 1 to 9999.
    fn try_from(date: NaiveDate) -> Result<Self, ValueError> {
        use chrono::Datelike as _;
        let year = u16::try_from(date.year())
            .map_err(|_| ValueError::new(format!("date {date} is outside years 1 to 9999")))?;
        // Month and day always fit in u8; `Date::new` checks the year.
        Date::new(year, date.month() as u8, date.day() as u8)
    }
}

impl TryFrom<Date> for NaiveDate {
    type Error = ValueError;

    fn try_from(date: Date) -> Result<Self, ValueError> {
        NaiveDate::from_ymd_opt(i32::from(date.year()), u32::from(date.month()), u32::from(date.day()))
            .ok_or_else(|| ValueError::new(format!("date {date} is outside chrono's range")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_both_ways() {
        let wire: Timestamp = "2024-02-29T12:34:56.789Z".parse().unwrap();
        let chrono = DateTime::<Utc>::try_from(wire).unwrap();
        let expected = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap().and_hms_milli_opt(12, 34, 56, 789).unwrap();
        assert_eq!(chrono.naive_utc(), expected);
        assert_eq!(Timestamp::try_from(chrono).unwrap(), wire);
        // Year 10000 and year 0 are outside the wire format.
        let late = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        assert!(Timestamp::try_from(late).is_err());
        let early = NaiveDate::from_ymd_opt(0, 12, 31).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        assert!(Timestamp::try_from(early).is_err());
        // A leap second is refused, not clamped.
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        assert!(Timestamp::try_from(leap.and_utc()).is_err());
    }

    #[test]
    fn durations_both_ways() {
        for (seconds, nanos) in [(0, 0), (90, 500), (-90, -500), (0, -1), (315_576_000_000, 999_999_999)] {
            let wire = Duration::new(seconds, nanos).unwrap();
            let delta = TimeDelta::try_from(wire).unwrap();
            assert_eq!(
                i128::from(delta.num_seconds()) * 1_000_000_000 + i128::from(delta.subsec_nanos()),
                i128::from(seconds) * 1_000_000_000 + i128::from(nanos)
            );
            assert_eq!(Duration::try_from(delta).unwrap(), wire);
        }
        let too_long = TimeDelta::try_seconds(315_576_000_001).unwrap();
        assert!(Duration::try_from(too_long).is_err());
        assert!(Duration::try_from(-too_long).is_err());
    }

    #[test]
    fn dates_both_ways() {
        let wire = Date::new(2024, 2, 29).unwrap();
        let naive = NaiveDate::try_from(wire).unwrap();
        assert_eq!(naive, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(Date::try_from(naive).unwrap(), wire);
        assert!(Date::try_from(NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap()).is_err());
        assert!(Date::try_from(NaiveDate::from_ymd_opt(0, 1, 1).unwrap()).is_err());
        assert!(Date::try_from(NaiveDate::from_ymd_opt(-5, 1, 1).unwrap()).is_err());
    }
}
