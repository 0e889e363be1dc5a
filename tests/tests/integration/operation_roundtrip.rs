//! The `Operation` and `Status` of both generated APIs against every JSON
//! shape the product brief describes. A round trip must keep every member,
//! `@type` and unknown keys included.

use discogen_apis::{vision_v1, workspaceevents_v1beta};
use discogen_runtime::prelude::*;
use serde_json::{json, Value};

fn shapes() -> Vec<(&'static str, Value)> {
    vec![
        ("pending", json!({"name": "operations/abc", "done": false})),
        (
            "pending with metadata",
            json!({
                "name": "projects/p1/operations/o1",
                "metadata": {"@type": "type.googleapis.com/google.cloud.vision.v1.OperationMetadata", "state": "RUNNING", "createTime": "2024-05-03T10:00:00Z"}
            }),
        ),
        (
            "failed",
            json!({
                "name": "operations/abc",
                "done": true,
                "error": {
                    "code": 5,
                    "message": "not there",
                    "details": [
                        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "GONE", "domain": "googleapis.com", "metadata": {"k": "v"}},
                        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}
                    ]
                }
            }),
        ),
        (
            "succeeded",
            json!({
                "name": "operations/abc",
                "done": true,
                "response": {"@type": "type.googleapis.com/google.cloud.vision.v1.AsyncBatchAnnotateFilesResponse", "responses": [{"outputConfig": {"batchSize": 2}}]}
            }),
        ),
        (
            "unknown members",
            json!({"name": "operations/x", "done": false, "futureField": {"nested": [1, 2, 3]}, "error": {"code": 3, "newThing": true}}),
        ),
    ]
}

#[test]
fn vision_operation_round_trips_every_shape() {
    for (label, input) in shapes() {
        let op: vision_v1::model::Operation =
            serde_json::from_value(input.clone()).unwrap_or_else(|e| panic!("{label}: {e}"));
        let back = serde_json::to_value(&op).expect("serializes");
        assert_eq!(back, input, "{label}: round trip changed the JSON");
    }
}

#[test]
fn workspaceevents_operation_round_trips_every_shape() {
    for (label, input) in shapes() {
        let op: workspaceevents_v1beta::model::Operation =
            serde_json::from_value(input.clone()).unwrap_or_else(|e| panic!("{label}: {e}"));
        let back = serde_json::to_value(&op).expect("serializes");
        assert_eq!(back, input, "{label}: round trip changed the JSON");
    }
}

#[test]
fn typed_fields_decode_as_expected() {
    let shapes = shapes();
    let failed: vision_v1::model::Operation = serde_json::from_value(shapes[2].1.clone()).expect("decodes");
    assert_eq!(failed.done, Some(true));
    let error = failed.error.as_ref().expect("error is set");
    // The document's `Status` is the runtime's `rpc::Status`: no conversion.
    let _: &discogen_runtime::rpc::Status = error;
    assert_eq!(error.code, 5);
    assert_eq!(error.message, "not there");
    assert_eq!(error.details.len(), 2);
    assert_eq!(error.details[0]["@type"], "type.googleapis.com/google.rpc.ErrorInfo");
    assert_eq!(error.code_enum(), discogen_runtime::rpc::Code::NotFound);
    assert_eq!(error.typed_details().len(), 2);

    let unknown: vision_v1::model::Operation = serde_json::from_value(shapes[4].1.clone()).expect("decodes");
    assert_eq!(unknown.extra()["futureField"], json!({"nested": [1, 2, 3]}));
    assert_eq!(unknown.error.as_ref().expect("error").extra["newThing"], json!(true));
}

#[test]
fn result_tells_the_three_states_apart() {
    use discogen_runtime::lro::OperationResult;
    let shapes = shapes();
    let pending: vision_v1::model::Operation = serde_json::from_value(shapes[0].1.clone()).unwrap();
    assert!(matches!(pending.result(), OperationResult::Pending));
    let failed: vision_v1::model::Operation = serde_json::from_value(shapes[2].1.clone()).unwrap();
    assert!(matches!(failed.result(), OperationResult::Failed(s) if s.code == 5));
    let done: vision_v1::model::Operation = serde_json::from_value(shapes[3].1.clone()).unwrap();
    match done.result() {
        OperationResult::Succeeded(Some(response)) => {
            assert_eq!(response["responses"][0]["outputConfig"]["batchSize"], 2)
        }
        other => panic!("expected success with a response, got {other:?}"),
    }
}

#[test]
fn wrong_types_fail_clearly() {
    let err = serde_json::from_value::<vision_v1::model::Operation>(json!({"done": "yes"})).unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
    let err = serde_json::from_value::<vision_v1::model::Status>(json!({"code": "five"})).unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
}
