//! Byte ranges in headers: `Range` on requests and on resumable upload's
//! `308` answers, `Content-Range` on partial downloads and upload chunks.

use std::fmt;
use std::ops::{Bound, RangeBounds};

use http::HeaderValue;

use crate::error::{Error, Result};

/// A `Content-Range: bytes START-END/TOTAL` value (`END` inclusive;
/// `TOTAL` absent when the server wrote `*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentRange {
    /// Offset of the first byte.
    pub start: u64,
    /// Offset of the last byte, inclusive.
    pub end: u64,
    /// Size of the whole media, when the server knows it.
    pub total: Option<u64>,
}

impl ContentRange {
    /// Parses a `Content-Range` header value; `None` when it is not a
    /// satisfied byte range.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix("bytes")?.trim_start();
        let (span, total) = rest.split_once('/')?;
        let (start, end) = span.split_once('-')?;
        let (start, end) = (number(start)?, number(end)?);
        let total = match total.trim() {
            "*" => None,
            t => Some(number(t)?),
        };
        (start <= end && total.is_none_or(|t| end < t)).then_some(Self { start, end, total })
    }
}

/// A run of ASCII digits, without sign or spaces inside.
fn number(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The byte range a download asks for: `start` and an inclusive `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub(crate) start: u64,
    pub(crate) end: Option<u64>,
}

impl Wanted {
    /// The range `bounds` describes, or an error when it is empty.
    pub(crate) fn from_bounds(bounds: impl RangeBounds<u64>) -> Result<Self> {
        let start = match bounds.start_bound() {
            Bound::Included(&s) => Some(s),
            Bound::Excluded(&s) => s.checked_add(1),
            Bound::Unbounded => Some(0),
        };
        let end = match bounds.end_bound() {
            Bound::Included(&e) => Some(Some(e)),
            Bound::Excluded(&e) => e.checked_sub(1).map(Some),
            Bound::Unbounded => Some(None),
        };
        match (start, end) {
            (Some(start), Some(end)) if end.is_none_or(|e| e >= start) => Ok(Self { start, end }),
            _ => Err(Error::invalid_argument("the download range is empty")),
        }
    }

    /// The `Range` request header.
    pub(crate) fn header(&self) -> HeaderValue {
        let text = match self.end {
            Some(end) => format!("bytes={}-{end}", self.start),
            None => format!("bytes={}-", self.start),
        };
        HeaderValue::try_from(text).unwrap_or(HeaderValue::from_static("bytes=0-"))
    }

    /// How many bytes the range holds, when it has an end.
    pub(crate) fn len(&self) -> Option<u64> {
        self.end.map(|e| e - self.start + 1)
    }
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(end) => write!(f, "{}-{end}", self.start),
            None => write!(f, "{}-", self.start),
        }
    }
}

/// How many bytes a resumable upload's server holds, from the `Range`
/// header of its `308` answer (`bytes=0-N` means N + 1 bytes; no header
/// means none).
pub(crate) fn persisted(range: Option<&HeaderValue>) -> Result<u64> {
    let Some(value) = range else { return Ok(0) };
    let bad = || {
        Error::decode(format!(
            "the upload server's `Range` header `{}` is not `bytes=0-N`",
            String::from_utf8_lossy(value.as_bytes()).escape_debug()
        ))
    };
    let text = value.to_str().map_err(|_| bad())?.trim();
    let span = text.strip_prefix("bytes=").unwrap_or(text);
    let (start, end) = span.split_once('-').ok_or_else(bad)?;
    match (number(start), number(end)) {
        (Some(0), Some(end)) => end.checked_add(1).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The `Content-Range` of an upload chunk of `len` bytes at `start`
/// (`len` may be 0 for a status query or an empty final chunk).
pub(crate) fn chunk_header(start: u64, len: u64, total: Option<u64>) -> HeaderValue {
    let total = total.map_or_else(|| "*".to_string(), |t| t.to_string());
    let text = if len == 0 { format!("bytes */{total}") } else { format!("bytes {start}-{}/{total}", start + len - 1) };
    HeaderValue::try_from(text).unwrap_or(HeaderValue::from_static("bytes */*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_parses_totals_and_refuses_nonsense() {
        assert_eq!(ContentRange::parse("bytes 0-9/10"), Some(ContentRange { start: 0, end: 9, total: Some(10) }));
        assert_eq!(ContentRange::parse("bytes 5-9/*"), Some(ContentRange { start: 5, end: 9, total: None }));
        for bad in ["bytes */10", "bytes 9-5/10", "bytes 0-10/10", "bytes -1-5/10", "items 0-1/2", "bytes 0-1", ""] {
            assert_eq!(ContentRange::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn persisted_counts_the_bytes_the_server_kept() {
        assert_eq!(persisted(None).unwrap(), 0);
        assert_eq!(persisted(Some(&HeaderValue::from_static("bytes=0-262143"))).unwrap(), 262_144);
        assert_eq!(persisted(Some(&HeaderValue::from_static("0-0"))).unwrap(), 1);
        for bad in ["bytes=5-9", "bytes=0-", "bytes=0-x", "bytes=0-18446744073709551615"] {
            let err = persisted(Some(&HeaderValue::from_static(bad))).expect_err(bad);
            assert!(err.to_string().contains("Range"), "{err}");
        }
    }

    #[test]
    fn chunk_headers_name_the_span_and_total() {
        assert_eq!(chunk_header(0, 10, Some(10)), "bytes 0-9/10");
        assert_eq!(chunk_header(262_144, 262_144, None), "bytes 262144-524287/*");
        assert_eq!(chunk_header(7, 0, Some(7)), "bytes */7");
        assert_eq!(chunk_header(0, 0, None), "bytes */*");
    }

    #[test]
    fn wanted_ranges_follow_rust_bounds() {
        assert_eq!(Wanted::from_bounds(5..).unwrap().header(), "bytes=5-");
        assert_eq!(Wanted::from_bounds(5..10).unwrap().header(), "bytes=5-9");
        assert_eq!(Wanted::from_bounds(5..=10).unwrap().len(), Some(6));
        assert_eq!(Wanted::from_bounds(..).unwrap(), Wanted { start: 0, end: None });
        assert!(Wanted::from_bounds(5..5).is_err());
        assert!(Wanted::from_bounds(0..0).is_err());
    }
}
