//! Proleptic Gregorian calendar arithmetic.
//!
//! `Timestamp` and `Date` need to turn a civil date into a day count and
//! back (HTTP dates go through `httpdate`). Pulling in chrono, time or jiff for that alone would cost more build
//! time than the rest of the runtime's own code, so the two conversions live
//! here. Both work on "days since 1970-01-01" and shift the year to start in
//! March, which puts the leap day at the very end of the year and lets a
//! closed formula find the day of the year.

/// Days in one 400-year cycle of the Gregorian calendar.
const DAYS_PER_ERA: i64 = 146_097;
/// Days from 0000-03-01 (the start of the shifted era) to 1970-01-01.
const EPOCH_OFFSET: i64 = 719_468;

/// Whether `year` has a 29th of February.
pub(crate) fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Number of days in `month` (1-12) of `year`; 0 for a month out of range.
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 for a valid date. Callers validate the date first.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // January and February count as months 10 and 11 of the previous year.
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    // 153 days cover each five-month run of 31/30/31/30/31 days.
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_ERA + day_of_era - EPOCH_OFFSET
}

/// The date `days` after 1970-01-01, as (year, month 1-12, day 1-31).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + EPOCH_OFFSET;
    let era = shifted.div_euclid(DAYS_PER_ERA);
    let day_of_era = shifted - era * DAYS_PER_ERA;
    // Undo the leap-day corrections to find the year inside the era.
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both values are small by construction (1..=12 and 1..=31).
    (year, month as u32, day as u32)
}

/// Reads exactly `len` ASCII digits at `start`; `None` if any is missing.
pub(crate) fn read_digits(bytes: &[u8], start: usize, len: usize) -> Option<u32> {
    let slice = bytes.get(start..start.checked_add(len)?)?;
    slice.iter().try_fold(0u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_day_zero() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
    }

    #[test]
    fn round_trip_across_four_centuries() {
        for days in (-800_000..3_000_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert!(d >= 1 && d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn leap_years() {
        assert!(is_leap_year(2000));
        assert!(!is_leap_year(1900));
        assert!(is_leap_year(2024));
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2024, 13), 0);
    }

    #[test]
    fn digits() {
        assert_eq!(read_digits(b"2024-", 0, 4), Some(2024));
        assert_eq!(read_digits(b"20x4", 0, 4), None);
        assert_eq!(read_digits(b"20", 0, 4), None);
        assert_eq!(read_digits(b"20", usize::MAX, 4), None);
    }
}
