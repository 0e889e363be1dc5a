//! Removing a known secret from text that an error carries.
//!
//! A secret is matched in free text only as a whole token: where the
//! secret starts (ends) with a letter, digit or `_`, the character before
//! (after) it must not be one, so that a short token never eats into
//! ordinary words. With a token `t`, "could not connect" stays as it is,
//! and "token t expired" becomes "token [REDACTED] expired". A `%XX`
//! escape right before the secret counts as a separator (`%3D` is an
//! encoded `=`, as in a URL echoed inside another).

use std::error::Error as StdError;
use std::fmt;

use super::MARK;
use crate::encode::{percent_encode_into, QUERY, UNRESERVED};

/// The shortest start of a secret that is hidden when a cut-off excerpt
/// ends with it. Shorter ones say nothing about the secret, and matching
/// them would mark ordinary text.
const MIN_TAIL: usize = 4;

/// The spellings in which `secret` can come back from a server: as sent
/// in a header, and percent-encoded the two ways the client writes query
/// values (an API key in `key=` is encoded; a server echoing the URL then
/// shows the encoded form).
pub(crate) fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string()];
    for set in [UNRESERVED, QUERY] {
        let mut encoded = String::with_capacity(secret.len() * 3);
        percent_encode_into(&mut encoded, secret, set);
        if !out.contains(&encoded) {
            out.push(encoded);
        }
    }
    out
}

/// Hides the start of `secret` at the very end of `value`, for text that
/// was cut to a fixed length and may have cut a secret in two.
pub(crate) fn cut_tail(value: &mut String, secret: &str) {
    let starts = secret.char_indices().map(|(i, _)| i).skip(MIN_TAIL).collect::<Vec<_>>();
    for end in starts.into_iter().rev() {
        if value.ends_with(&secret[..end]) {
            value.truncate(value.len() - end);
            value.push_str(MARK);
            return;
        }
    }
}

/// The `Display` text of `source` and of every cause below it.
pub(crate) fn chain(source: &(dyn StdError + 'static)) -> String {
    let mut text = source.to_string();
    let mut next = source.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

/// A cause whose text held a secret, kept as its scrubbed text only.
pub(crate) struct RedactedSource(pub(crate) String);

impl fmt::Display for RedactedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RedactedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl StdError for RedactedSource {}

/// Replaces every whole-token occurrence of `secret` in `value` (see the
/// module's docs). Empty secrets are ignored, since replacing the empty
/// string would garble every message.
pub(crate) fn text(value: &mut String, secret: &str) {
    if secret.is_empty() || !value.contains(secret) {
        return;
    }
    let mut out = String::with_capacity(value.len());
    // `value[copied..]` is not in `out` yet; the search goes on at `from`.
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = value[from..].find(secret) {
        let start = from + found;
        let end = start + secret.len();
        if is_whole_token(value, start, end) {
            out.push_str(&value[copied..start]);
            out.push_str(MARK);
            copied = end;
            from = end;
        } else {
            // One character on, so that an occurrence overlapping this one
            // is still found.
            from = start + value[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if copied > 0 {
        out.push_str(&value[copied..]);
        *value = out;
    }
}

/// A letter, digit or `_`: a character that continues a word.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `text[start..end]` stands as a token of its own: no word
/// character runs into it across an edge where it has a word character.
fn is_whole_token(text: &str, start: usize, end: usize) -> bool {
    let (before, found, after) = (&text[..start], &text[start..end], &text[end..]);
    let open_start = found.starts_with(is_word) && before.ends_with(is_word) && !ends_with_escape(before);
    let open_end = found.ends_with(is_word) && after.starts_with(is_word);
    !open_start && !open_end
}

/// Whether `text` ends with a `%XX` escape.
fn ends_with_escape(text: &str) -> bool {
    match text.as_bytes() {
        [.., b'%', high, low] => high.is_ascii_hexdigit() && low.is_ascii_hexdigit(),
        _ => false,
    }
}

/// Replaces `secret` in every string inside `value`, keys included.
pub(crate) fn json(value: &mut serde_json::Value, secret: &str) {
    match value {
        serde_json::Value::String(s) => text(s, secret),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|item| json(item, secret)),
        serde_json::Value::Object(map) => {
            let needs_new_keys = !secret.is_empty() && map.keys().any(|k| k.contains(secret));
            if needs_new_keys {
                let old = std::mem::take(map);
                for (mut key, item) in old {
                    text(&mut key, secret);
                    map.insert(key, item);
                }
            }
            map.values_mut().for_each(|item| json(item, secret));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_json_is_scrubbed() {
        let mut value = serde_json::json!({
            "a": ["x SECRET y", {"SECRET": "SECRET"}],
            "n": 1
        });
        json(&mut value, "SECRET");
        assert!(!value.to_string().contains("SECRET"));
        assert_eq!(value["a"][0], "x [REDACTED] y");
    }

    #[test]
    fn a_secret_cut_at_the_end_is_hidden() {
        let mut value = String::from("xxxxSECR");
        cut_tail(&mut value, "SECRET");
        assert_eq!(value, "xxxx[REDACTED]");
        // Too short a start to mean anything is left alone.
        let mut value = String::from("xxxxSEC");
        cut_tail(&mut value, "SECRET");
        assert_eq!(value, "xxxxSEC");
    }

    #[test]
    fn encoded_forms_are_covered() {
        assert_eq!(forms("a b/c"), ["a b/c", "a%20b%2Fc", "a%20b/c"]);
        assert_eq!(forms("plain"), ["plain"]);
    }

    #[test]
    fn a_secret_is_matched_only_as_a_whole_token() {
        // A one-letter token must not eat into words.
        let mut value = String::from("could not connect: t");
        text(&mut value, "t");
        assert_eq!(value, "could not connect: [REDACTED]");
        for (before, secret, after) in [
            ("token t expired", "t", "token [REDACTED] expired"),
            ("key=K3Y&alt=json", "K3Y", "key=[REDACTED]&alt=json"),
            ("\"K3Y\"", "K3Y", "\"[REDACTED]\""),
            ("K3Y", "K3Y", "[REDACTED]"),
            ("xK3Y K3Yx x_K3Y K3Y_", "K3Y", "xK3Y K3Yx x_K3Y K3Y_"),
            ("a%3DK3Y%26b", "K3Y", "a%3D[REDACTED]%26b"),
            ("Bearer ya29.a-b.", "ya29.a-b", "Bearer [REDACTED]."),
            // Edges that are not word characters need no separator.
            ("abc==def", "==", "abc[REDACTED]def"),
            ("ttt t", "t", "ttt [REDACTED]"),
            ("é K3Y é", "K3Y", "é [REDACTED] é"),
            ("éK3Y", "K3Y", "éK3Y"),
        ] {
            let mut value = before.to_owned();
            text(&mut value, secret);
            assert_eq!(value, after, "{before:?} without {secret:?}");
        }
    }

    #[test]
    fn empty_secret_changes_nothing() {
        let mut value = String::from("abc");
        text(&mut value, "");
        assert_eq!(value, "abc");
    }
}
