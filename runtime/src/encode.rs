//! Percent-encoding with a caller-chosen set of bytes left as they are.
//!
//! Path expansion and query strings keep different sets of characters, so the
//! one encoder takes the rule as a function. Anything outside ASCII is always
//! encoded, byte by byte, from its UTF-8 form.

use std::fmt::Write as _;

/// RFC 3986 "unreserved": the characters that never need encoding.
pub(crate) fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Appends `input` to `out`, writing `%XX` for every byte that `keep` rejects.
pub(crate) fn percent_encode_into(out: &mut String, input: &str, keep: impl Fn(u8) -> bool) {
    for &byte in input.as_bytes() {
        if byte.is_ascii() && keep(byte) {
            out.push(char::from(byte));
        } else {
            // Writing into a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_outside_the_keep_set() {
        let mut out = String::new();
        percent_encode_into(&mut out, "a b/é~", is_unreserved);
        assert_eq!(out, "a%20b%2F%C3%A9~");
    }

    #[test]
    fn never_keeps_non_ascii_even_if_asked() {
        let mut out = String::new();
        percent_encode_into(&mut out, "ü", |_| true);
        assert_eq!(out, "%C3%BC");
    }
}
