//! `google.longrunning.Operation`, shared by every API whose document has
//! exactly its shape.
//!
//! The generator used to write this struct, its accessors and its
//! [`LongRunningOperation`] impl into each crate: about eighty identical
//! lines per API. A document whose `Operation` schema (or
//! `GoogleLongrunningOperation`, as newer documents call it) has exactly
//! these five members, with an `error` that is `google.rpc.Status`, now
//! gets a type alias of this one instead, as `Status` already is of
//! [`rpc::Status`]. The fields keep their names and types, so code written
//! against the generated struct compiles against this one unchanged.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{decode_any, LongRunningOperation, OperationResult, TypeUrl};
use crate::rpc;

/// A long-running operation started by an API call.
///
/// Read its state with [`Operation::result`], decode its payloads with
/// [`Operation::response_as`] and [`Operation::metadata_as`], or hand it to
/// the generated `Client::wait_operation` to poll it until it finishes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Operation {
    /// `false` or missing while the operation runs; `true` once it has
    /// finished, when either `error` or `response` is set.
    pub done: Option<bool>,
    /// Set when the operation failed or was cancelled.
    pub error: Option<rpc::Status>,
    /// Service-specific data such as progress or a creation time, as an
    /// `Any` (with an `@type`). The method that starts the operation names
    /// its type; decode it with [`Operation::metadata_as`].
    pub metadata: Option<BTreeMap<String, Value>>,
    /// The server-assigned name, by which the operation is polled.
    pub name: Option<String>,
    /// The result of a successful operation, as an `Any`; decode it with
    /// [`Operation::response_as`].
    pub response: Option<BTreeMap<String, Value>>,
    /// JSON members not listed above, kept so that a round trip loses
    /// nothing; read them with `extra()` (the prelude brings it in scope),
    /// as on every generated struct.
    #[doc(hidden)]
    pub __extra: BTreeMap<String, Value>,
}

impl Operation {
    /// Which of its three states the operation is in.
    ///
    /// A finished operation that carries an error has failed, even if it
    /// also carries a response, as Google's clients read it.
    pub fn result(&self) -> OperationResult<'_, rpc::Status> {
        match (self.done, &self.error) {
            (Some(true), Some(error)) => OperationResult::Failed(error),
            (Some(true), None) => OperationResult::Succeeded(self.response.as_ref()),
            _ => OperationResult::Pending,
        }
    }

    /// Decodes `response` as `T` after checking that its `@type` names `T`.
    pub fn response_as<T: TypeUrl + DeserializeOwned>(&self) -> crate::error::Result<Option<T>> {
        self.response.as_ref().map(decode_any::<T>).transpose()
    }

    /// Decodes `metadata` as `T` after checking that its `@type` names `T`.
    pub fn metadata_as<T: TypeUrl + DeserializeOwned>(&self) -> crate::error::Result<Option<T>> {
        self.metadata.as_ref().map(decode_any::<T>).transpose()
    }
}

impl LongRunningOperation for Operation {
    fn is_done(&self) -> bool {
        self.done == Some(true)
    }

    fn operation_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn error_status(&self) -> Option<rpc::Status> {
        self.error.clone()
    }
}

// The message's own name: an `@type` of `google.longrunning.Operation`
// ends with it, so `decode_any::<Operation>` accepts that payload whichever
// name the document gave the schema.
crate::object! {
    Operation("Operation") {
        "done" => done,
        "error" => error,
        "metadata" => metadata,
        "name" => name,
        "response" => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Object;
    use serde_json::json;

    fn read(value: Value) -> Operation {
        serde_json::from_value(value).expect("an operation")
    }

    #[test]
    fn reads_and_writes_the_json_form_losing_nothing() {
        let wire = json!({
            "name": "operations/42",
            "done": true,
            "response": {"@type": "type.googleapis.com/x.Thing", "id": 7},
            "metadata": {"@type": "type.googleapis.com/x.Meta"},
            "somethingNew": [1, 2],
        });
        let op = read(wire.clone());
        assert_eq!(op.name.as_deref(), Some("operations/42"));
        assert_eq!(op.extra().get("somethingNew"), Some(&json!([1, 2])));
        assert_eq!(serde_json::to_value(&op).unwrap(), wire);
        assert_eq!(serde_json::to_value(Operation::default()).unwrap(), json!({}));
    }

    #[test]
    fn result_tells_pending_success_and_failure_apart() {
        assert!(read(json!({"name": "a"})).result().is_pending());
        assert!(read(json!({"done": false})).result().is_pending());
        let ok = read(json!({"done": true, "response": {"@type": "t/x.Y"}}));
        assert!(matches!(ok.result(), OperationResult::Succeeded(Some(_))));
        assert!(matches!(read(json!({"done": true})).result(), OperationResult::Succeeded(None)));
        let failed = read(json!({"done": true, "error": {"code": 9, "message": "no"}, "response": {}}));
        match failed.result() {
            OperationResult::Failed(status) => assert_eq!(status.code_enum(), rpc::Code::FailedPrecondition),
            other => panic!("expected a failure, got {other:?}"),
        }
        assert_eq!(failed.error_status().map(|s| s.message), Some("no".to_owned()));
        assert!(failed.is_done());
    }

    #[test]
    fn payloads_decode_by_their_type_url() {
        #[derive(Debug, Default, PartialEq)]
        struct Thing {
            id: Option<i64>,
            __extra: BTreeMap<String, Value>,
        }
        crate::object! { Thing("Thing") { "id" => id } }
        let op = read(json!({"done": true, "response": {"@type": "type.googleapis.com/x.Thing", "id": 7}}));
        assert_eq!(op.response_as::<Thing>().unwrap().and_then(|t| t.id), Some(7));
        let wrong = read(json!({"done": true, "response": {"@type": "type.googleapis.com/x.Other"}}));
        assert!(wrong.response_as::<Thing>().is_err());
        assert_eq!(op.metadata_as::<Thing>().unwrap(), None);
        // An operation inside an `Any` names the longrunning message.
        let nested = json!({"@type": "type.googleapis.com/google.longrunning.Operation", "name": "n"});
        let nested: BTreeMap<String, Value> = serde_json::from_value(nested).unwrap();
        assert_eq!(decode_any::<Operation>(&nested).unwrap().name.as_deref(), Some("n"));
    }
}
