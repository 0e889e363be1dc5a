//! Removing a known secret from text that an error carries.

use std::error::Error as StdError;
use std::fmt;

use crate::encode::{percent_encode_into, QUERY, UNRESERVED};
use crate::rpc::Status;

const MARK: &str = "[REDACTED]";

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
pub(super) fn cut_tail(value: &mut String, secret: &str) {
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
pub(super) fn chain(source: &(dyn StdError + 'static)) -> String {
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
pub(super) struct RedactedSource(pub(super) String);

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

/// Replaces `secret` in `value`. Empty secrets are ignored, since replacing
/// the empty string would garble every message.
pub(crate) fn text(value: &mut String, secret: &str) {
    if !secret.is_empty() && value.contains(secret) {
        *value = value.replace(secret, MARK);
    }
}

/// Replaces `secret` in every string inside `value`, keys included.
pub(super) fn json(value: &mut serde_json::Value, secret: &str) {
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

/// Replaces `secret` everywhere in a decoded status.
pub(super) fn status(status: &mut Status, secret: &str) {
    text(&mut status.message, secret);
    if let Some(name) = &mut status.status {
        text(name, secret);
    }
    status.details.iter_mut().for_each(|d| json(d, secret));
    status.extra.values_mut().for_each(|v| json(v, secret));
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
    fn empty_secret_changes_nothing() {
        let mut value = String::from("abc");
        text(&mut value, "");
        assert_eq!(value, "abc");
    }
}
