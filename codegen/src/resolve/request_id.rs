//! AIP-4235: request ids that the client fills in.
//!
//! Many methods (most of Compute's, and those of Cloud SQL, Dataproc, TPU
//! and others) take a `requestId` query parameter that the server uses to
//! recognise a request it has already carried out. When the caller sets
//! none, the generated builder sends a new UUID v4 instead, the same on
//! every retry of the call, and lets the call be retried although it may be
//! a `POST`. Discovery documents do not carry AIP-4235's `UUID4` field
//! annotation, so the parameter's description decides: it must speak of
//! retries, duplicates or idempotency, of a second request with the same id
//! being ignored, or ask for a UUID. A required one is the caller's to
//! choose and still makes the call safe to retry. A `requestId` documented
//! only as an identifier ("used for debugging", "to identify requests") is
//! left to the caller.

use crate::discovery::Schema;
use crate::ir::{Location, Param, Ty};

/// What the parameter's docs say about it, when it is optional.
pub(super) const NOTE: &str = "Left unset, the client sends a new UUID v4 here, the same on every retry of the call, so that the server carries out the request once and the call can be retried safely (AIP-4235).";

/// The same, when the caller must give it.
pub(super) const NOTE_REQUIRED: &str =
    "The server carries out a request with a given id once, so the client retries the call safely (AIP-4235).";

/// Whether `param` (with its document entry `schema`) is an idempotency
/// key: the client fills it in when it is optional and left unset, and
/// retries the call either way.
pub(super) fn qualifies(param: &Param, schema: Option<&Schema>) -> bool {
    if param.json_name != "requestId" || param.location != Location::Query || param.ty != Ty::String || param.repeated {
        return false;
    }
    let description = schema.and_then(|s| s.description.as_deref()).unwrap_or("").to_ascii_lowercase();
    ["retry", "retries", "retried", "ignore the request", "idempot", "duplicat", "second request", "valid uuid"]
        .iter()
        .any(|phrase| description.contains(phrase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Docs;

    fn param(json: &str) -> Param {
        Param {
            json_name: json.into(),
            rust_name: "request_id".into(),
            location: Location::Query,
            ty: Ty::String,
            repeated: false,
            arg: crate::ir::ArgKind::IntoString,
            pattern: None,
            doc: Docs::default(),
        }
    }

    fn described(text: &str) -> Schema {
        serde_json::from_value(serde_json::json!({ "type": "string", "description": text })).expect("schema")
    }

    #[test]
    fn only_documented_idempotency_keys_qualify() {
        let key = described("Specify a unique id so that a retried request is not carried out twice.");
        assert!(qualifies(&param("requestId"), Some(&key)));
        for text in ["Must be a valid UUID.", "If the server receives a second request with it, that is ignored."] {
            assert!(qualifies(&param("requestId"), Some(&described(text))), "{text}");
        }
        assert!(!qualifies(&param("requestId"), Some(&described("An id to identify requests."))));
        assert!(!qualifies(&param("requestId"), None));
        assert!(!qualifies(&param("clientRequestId"), Some(&key)));
        let mut in_path = param("requestId");
        in_path.location = Location::Path;
        assert!(!qualifies(&in_path, Some(&key)));
    }
}
