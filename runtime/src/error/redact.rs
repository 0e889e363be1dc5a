//! Removing a known secret from text that an error carries.

use crate::rpc::Status;

const MARK: &str = "[REDACTED]";

/// Replaces `secret` in `value`. Empty secrets are ignored, since replacing
/// the empty string would garble every message.
pub(super) fn text(value: &mut String, secret: &str) {
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
    fn empty_secret_changes_nothing() {
        let mut value = String::from("abc");
        text(&mut value, "");
        assert_eq!(value, "abc");
    }
}
