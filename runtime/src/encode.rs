//! Percent-encoding sets, and the one function that applies them.
//!
//! Path expansion, query strings and API keys keep different sets of
//! characters as they are; each set is named here so that the redaction of
//! secrets can reproduce exactly the spellings the client writes. The
//! encoding itself is the `percent-encoding` crate's; anything outside ASCII
//! is always encoded, byte by byte, from its UTF-8 form.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Encodes all but RFC 3986 "unreserved": the characters that never need
/// encoding.
pub(crate) const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Query values keep, besides the unreserved characters, those that are
/// legal in a query (RFC 3986) and keep values such as
/// `fields=items(id,name)` or `user@example.com` readable. `&`, `=`, `+`,
/// `#`, `;`, `%` and space are encoded, since servers give them meaning.
pub(crate) const QUERY: &AsciiSet =
    &UNRESERVED.remove(b'/').remove(b':').remove(b'@').remove(b',').remove(b'$').remove(b'(').remove(b')').remove(b'*');

/// Unreserved characters and `/`: RFC 6570 reserved expansion with
/// the other reserved characters encoded.
pub(crate) const PATH_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Unreserved characters and RFC 6570's reserved set minus `? # [ ]`.
pub(crate) const PATH_RESERVED: &AsciiSet = &UNRESERVED
    .remove(b'/')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// Appends `input` to `out`, writing `%XX` for every byte in `set` and for
/// every byte outside ASCII.
pub(crate) fn percent_encode_into(out: &mut String, input: &str, set: &'static AsciiSet) {
    out.extend(utf8_percent_encode(input, set));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(input: &str, set: &'static AsciiSet) -> String {
        let mut out = String::new();
        percent_encode_into(&mut out, input, set);
        out
    }

    #[test]
    fn each_set_keeps_its_own_characters() {
        assert_eq!(encode("a b/é~", UNRESERVED), "a%20b%2F%C3%A9~");
        assert_eq!(encode("f=items(id,name)&u@x:y", QUERY), "f%3Ditems(id,name)%26u@x:y");
        assert_eq!(encode("a/b:c", PATH_SLASH), "a/b%3Ac");
        assert_eq!(encode("a/b:c?d#e[f]", PATH_RESERVED), "a/b:c%3Fd%23e%5Bf%5D");
    }

    #[test]
    fn never_keeps_non_ascii() {
        assert_eq!(encode("ü", PATH_RESERVED), "%C3%BC");
    }
}
