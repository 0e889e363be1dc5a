//! Reading the `Retry-After` response header.
//!
//! The header holds either a number of seconds or an HTTP date; `httpdate`
//! reads the date in all three forms RFC 9110 asks recipients to accept.

use std::time::{Duration, SystemTime};

/// How long the header asks the client to wait, measured from `now`.
/// A date in the past means "now" and gives zero.
pub(crate) fn parse(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().map(Duration::from_secs);
    }
    let target = httpdate::parse_http_date(value).ok()?;
    Some(target.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

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
    fn obsolete_date_forms_are_read_too() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06T08:49:37Z
        assert_eq!(parse("Sunday, 06-Nov-94 08:50:07 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse("Sun Nov  6 08:50:07 1994", now), Some(Duration::from_secs(30)));
    }

    #[test]
    fn malformed_dates() {
        assert_eq!(parse("Sun, 31 Feb 1994 08:49:37 GMT", UNIX_EPOCH), None);
        assert_eq!(parse("Sun, 06 Foo 1994 08:49:37 GMT", UNIX_EPOCH), None);
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 UTC", UNIX_EPOCH), None);
    }
}
