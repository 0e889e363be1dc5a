//! Reading the `Retry-After` response header.
//!
//! The header holds either a number of seconds or an HTTP date. Only the
//! IMF-fixdate form of the date is read (`Sun, 06 Nov 1994 08:49:37 GMT`):
//! RFC 9110 requires senders to use it, and the two obsolete forms are not
//! worth a parser here.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::civil::{days_from_civil, days_in_month, read_digits};

/// How long the header asks the client to wait, measured from `now`.
/// A date in the past means "now" and gives zero.
pub(crate) fn parse(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().map(Duration::from_secs);
    }
    let target = parse_imf_fixdate(value)?;
    let target = if target >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(target.unsigned_abs()))?
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(target.unsigned_abs()))?
    };
    Some(target.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Seconds since the Unix epoch for `Sun, 06 Nov 1994 08:49:37 GMT`.
fn parse_imf_fixdate(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let b = text.as_bytes();
    // The weekday is redundant, so only its shape is checked.
    let shape_ok = b.len() == 29
        && b[3] == b','
        && b[4] == b' '
        && b[7] == b' '
        && b[11] == b' '
        && b[16] == b' '
        && b[19] == b':'
        && b[22] == b':'
        && text.ends_with(" GMT");
    if !shape_ok {
        return None;
    }
    let day = read_digits(b, 5, 2)?;
    let month_name = text.get(8..11)?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u32 + 1;
    let year = i64::from(read_digits(b, 12, 4)?);
    let (hour, minute, second) = (read_digits(b, 17, 2)?, read_digits(b, 20, 2)?, read_digits(b, 23, 2)?);
    if day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_form() {
        assert_eq!(parse("120", UNIX_EPOCH), Some(Duration::from_secs(120)));
        assert_eq!(parse(" 0 ", UNIX_EPOCH), Some(Duration::ZERO));
        assert_eq!(parse("-5", UNIX_EPOCH), None);
        assert_eq!(parse("1.5", UNIX_EPOCH), None);
        assert_eq!(parse("", UNIX_EPOCH), None);
    }

    #[test]
    fn date_form_is_relative_to_now() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06T08:49:37Z
        let later = parse("Sun, 06 Nov 1994 08:50:07 GMT", now);
        assert_eq!(later, Some(Duration::from_secs(30)));
        let past = parse("Sun, 06 Nov 1994 08:00:00 GMT", now);
        assert_eq!(past, Some(Duration::ZERO));
    }

    #[test]
    fn malformed_dates() {
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT", UNIX_EPOCH), None);
        assert_eq!(parse("Sun, 31 Feb 1994 08:49:37 GMT", UNIX_EPOCH), None);
        assert_eq!(parse("Sun, 06 Foo 1994 08:49:37 GMT", UNIX_EPOCH), None);
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 UTC", UNIX_EPOCH), None);
    }
}
