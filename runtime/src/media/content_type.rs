//! The check on a caller's media type before it goes into a header.

use http::HeaderValue;

use crate::error::{Error, Result};

/// A content type must be a single header value: no CR/LF can sneak a
/// header or a body part in through it.
pub(crate) fn header(content_type: &str) -> Result<HeaderValue> {
    let invalid = || Error::invalid_argument(format!("`{}` is not a valid content type", content_type.escape_debug()));
    if content_type.is_empty() || content_type.contains(['\r', '\n']) {
        return Err(invalid());
    }
    HeaderValue::from_str(content_type).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::header;

    #[test]
    fn line_breaks_and_empty_types_are_refused() {
        assert!(header("text/plain").is_ok());
        assert!(header("").is_err());
        assert!(header("text/plain\r\nX-Evil: 1").is_err());
        assert!(header("text/plain\n").is_err());
    }
}
