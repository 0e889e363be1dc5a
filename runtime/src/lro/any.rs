//! Decoding `google.protobuf.Any` payloads, such as an operation's
//! `response` and `metadata`, into the generated type they name.
//!
//! In JSON an `Any` is the message's own members plus an `@type` URL like
//! `type.googleapis.com/google.cloud.vision.v1.OperationMetadata`. The
//! discovery document only says "object", so the caller picks the Rust type
//! and this module checks that the URL agrees before decoding. Without the
//! check, serde would happily fill a wrong type with defaults, since every
//! generated field is optional.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::text::one_line;
use crate::wire::Object;

/// Longest type URL quoted in an error, in characters. Longer than usual
/// quotes, because the message name that matters comes last.
const TYPE_URL_CHARS: usize = 160;

/// The key holding the type URL inside an `Any`.
const TYPE_KEY: &str = "@type";

/// Names the discovery schema a generated type was made from, so that
/// `@type`d payloads can be checked against it.
///
/// Every generated struct has it through its [`Object`] impl, whose
/// `NAME` is the schema's name: one blanket impl here rather than one impl
/// per struct in each generated crate, which the compiler would have to
/// check one by one. Other types may implement it directly.
pub trait TypeUrl {
    /// The schema's name in the discovery document, such as
    /// `OperationMetadata` or `GoogleCloudVisionV1p2beta1OperationMetadata`.
    const SCHEMA_NAME: &'static str;
}

impl<T: Object> TypeUrl for T {
    const SCHEMA_NAME: &'static str = T::NAME;
}

/// Decodes an `Any` payload into `T` after checking that its `@type` names
/// `T`'s schema.
///
/// The `@type` matches when its message name (the part after the last `.`)
/// equals [`TypeUrl::SCHEMA_NAME`], or when the whole proto name written in
/// upper camel case does: discovery documents name messages from other
/// packages that way (`google.cloud.vision.v1p2beta1.OperationMetadata`
/// becomes `GoogleCloudVisionV1p2beta1OperationMetadata`).
///
/// The `@type` member itself is left out of what `T` sees: it describes the
/// envelope, not a field of the message, and leaving it in would land it in
/// the map of unknown members of generated types.
///
/// Well-known types with a special JSON form (`Duration`, `Timestamp`, ...)
/// wrap their value in a `value` member inside an `Any`; no generated schema
/// stands for those, so they are not unwrapped here.
///
/// # Errors
///
/// An [`crate::error::ErrorKind::Decode`] error when `@type` is missing, is not a
/// string, names another message, or the members do not fit `T`.
pub fn decode_any<T: TypeUrl + DeserializeOwned>(
    value: &BTreeMap<String, serde_json::Value>,
) -> crate::error::Result<T> {
    let type_url = match value.get(TYPE_KEY) {
        Some(serde_json::Value::String(url)) => url.as_str(),
        Some(_) => {
            return Err(Error::decode(format!(
                "expected an `@type` naming {} but `@type` is not a string",
                T::SCHEMA_NAME
            )))
        }
        None => {
            return Err(Error::decode(format!(
                "expected an `@type` naming {} but the value has no `@type`",
                T::SCHEMA_NAME
            )))
        }
    };
    if !names_schema(type_url, T::SCHEMA_NAME) {
        return Err(Error::decode(format!(
            "expected an `@type` naming {} but found {}",
            T::SCHEMA_NAME,
            shown(type_url)
        )));
    }
    let members: serde_json::Map<String, serde_json::Value> = value
        .iter()
        .filter(|(key, _)| key.as_str() != TYPE_KEY)
        .map(|(key, member)| (key.clone(), member.clone()))
        .collect();
    T::deserialize(serde_json::Value::Object(members)).map_err(|e| {
        Error::decode(format!("the value of type {} does not decode as {}: {e}", shown(type_url), T::SCHEMA_NAME))
            .with_source(e)
    })
}

/// `type_url` quoted for a message: escaped, on one line and bounded, since
/// it comes from the server.
fn shown(type_url: &str) -> String {
    format!("{:?}", one_line(type_url, TYPE_URL_CHARS))
}

/// Whether `type_url` names the discovery schema `schema`.
fn names_schema(type_url: &str, schema: &str) -> bool {
    // Everything up to the last `/` is the host the URL resolves against,
    // which says nothing about the message.
    let full_name = type_url.rsplit('/').next().unwrap_or(type_url);
    let message = full_name.rsplit('.').next().unwrap_or(full_name);
    if message.is_empty() {
        return false;
    }
    message == schema || is_camel_joined(full_name, schema)
}

/// Whether `schema` is `full_name`'s dotted parts, each with its first
/// letter capitalised, run together.
fn is_camel_joined(full_name: &str, schema: &str) -> bool {
    let mut rest = schema;
    for part in full_name.split('.') {
        let mut chars = part.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        let Some(after) = rest.strip_prefix(first.to_ascii_uppercase()) else {
            return false;
        };
        let Some(after) = after.strip_prefix(chars.as_str()) else {
            return false;
        };
        rest = after;
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[derive(Debug, serde::Deserialize)]
    struct OperationMetadata {
        state: Option<String>,
        #[serde(flatten)]
        extra: BTreeMap<String, serde_json::Value>,
    }

    impl TypeUrl for OperationMetadata {
        const SCHEMA_NAME: &'static str = "OperationMetadata";
    }

    #[derive(Debug, serde::Deserialize)]
    struct GoogleCloudVisionV1p2beta1OperationMetadata {}

    impl TypeUrl for GoogleCloudVisionV1p2beta1OperationMetadata {
        const SCHEMA_NAME: &'static str = "GoogleCloudVisionV1p2beta1OperationMetadata";
    }

    fn object(json: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn matching_type_decodes_without_the_type_key() {
        let value = object(serde_json::json!({
            "@type": "type.googleapis.com/google.cloud.vision.v1.OperationMetadata",
            "state": "RUNNING",
            "createTime": "2024-01-01T00:00:00Z",
        }));
        let decoded = decode_any::<OperationMetadata>(&value).ok();
        let decoded = decoded.as_ref();
        assert_eq!(decoded.and_then(|m| m.state.as_deref()), Some("RUNNING"));
        assert_eq!(decoded.map(|m| m.extra.contains_key("@type")), Some(false));
        assert_eq!(decoded.map(|m| m.extra.contains_key("createTime")), Some(true));
    }

    #[test]
    fn package_qualified_schema_names_match() {
        let value = object(serde_json::json!({
            "@type": "type.googleapis.com/google.cloud.vision.v1p2beta1.OperationMetadata",
        }));
        assert!(decode_any::<GoogleCloudVisionV1p2beta1OperationMetadata>(&value).is_ok());
        // The short name matches too: it is how the API's own package is named.
        assert!(decode_any::<OperationMetadata>(&value).is_ok());
    }

    #[test]
    fn mismatch_says_expected_and_found() {
        let value = object(serde_json::json!({
            "@type": "type.googleapis.com/google.cloud.vision.v1.BatchOperationMetadata",
        }));
        let error = decode_any::<OperationMetadata>(&value).err();
        assert_eq!(error.as_ref().map(Error::kind), Some(ErrorKind::Decode));
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("OperationMetadata"), "{message}");
        assert!(message.contains("v1.BatchOperationMetadata"), "{message}");
    }

    #[test]
    fn missing_or_odd_type_is_a_decode_error() {
        for json in [
            serde_json::json!({"state": "RUNNING"}),
            serde_json::json!({"@type": 7}),
            serde_json::json!({"@type": ""}),
            serde_json::json!({"@type": "type.googleapis.com/"}),
            serde_json::json!({"@type": "google.cloud.vision.v1."}),
        ] {
            let error = decode_any::<OperationMetadata>(&object(json.clone())).err();
            assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Decode), "{json}");
        }
    }

    #[test]
    fn members_of_the_wrong_shape_are_a_decode_error() {
        let value = object(serde_json::json!({
            "@type": "type.googleapis.com/google.cloud.vision.v1.OperationMetadata",
            "state": 42,
        }));
        let error = decode_any::<OperationMetadata>(&value).err();
        assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::Decode));
    }

    #[test]
    fn camel_joining() {
        assert!(is_camel_joined("google.longrunning.Operation", "GoogleLongrunningOperation"));
        assert!(!is_camel_joined("google.longrunning.Operation", "GoogleLongrunning"));
        assert!(!is_camel_joined("google.longrunning.Operation", "GoogleLongrunningOperationX"));
        assert!(!is_camel_joined("google..Operation", "GoogleOperation"));
        assert!(!is_camel_joined("", ""));
    }
}
