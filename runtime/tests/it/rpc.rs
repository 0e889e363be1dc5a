//! Google's error model: decoding error bodies and their details.

use std::collections::BTreeMap;

use discogen_runtime::rpc::{
    decode_details, BadRequest, Code, Detail, ErrorInfo, FieldViolation, Help, Link, LocalizedMessage, QuotaFailure,
    QuotaViolation, ResourceInfo, RetryInfo, Status,
};
use discogen_runtime::serde_json::{self, json};
use discogen_runtime::wire;

fn full_error_body() -> Vec<u8> {
    json!({
        "error": {
            "code": 429,
            "message": "Quota exceeded for quota metric 'Requests'.",
            "status": "RESOURCE_EXHAUSTED",
            "errors": [{"domain": "global", "reason": "rateLimitExceeded"}],
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {"service": "vision.googleapis.com", "consumer": "projects/1"}
                },
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12.5s"},
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": "name", "description": "must not be empty"},
                        {"field": "pageSize", "description": "too big", "reason": "TOO_BIG"}
                    ]
                },
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [{"subject": "project:1", "description": "daily limit"}]
                },
                {
                    "@type": "type.googleapis.com/google.rpc.ResourceInfo",
                    "resourceType": "operation",
                    "resourceName": "operations/1",
                    "owner": "project:1",
                    "description": "gone"
                },
                {
                    "@type": "type.googleapis.com/google.rpc.Help",
                    "links": [{"description": "Console", "url": "https://console.cloud.google.com"}]
                },
                {
                    "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                    "locale": "de-DE",
                    "message": "Kontingent überschritten"
                },
                {"@type": "type.googleapis.com/google.example.Unknown", "x": 1},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "soon"},
                {"no_type": true}
            ]
        }
    })
    .to_string()
    .into_bytes()
}

#[test]
fn error_body_decodes_into_status() {
    let status = Status::from_error_body(&full_error_body()).expect("an error body");
    assert_eq!(status.code, 429);
    assert_eq!(status.status.as_deref(), Some("RESOURCE_EXHAUSTED"));
    assert_eq!(status.code_enum(), Code::ResourceExhausted);
    assert_eq!(status.details.len(), 10);
    assert_eq!(status.extra.get("errors"), Some(&json!([{"domain": "global", "reason": "rateLimitExceeded"}])));
    assert_eq!(status.retry_delay(), Some(std::time::Duration::from_millis(12_500)));
    assert_eq!(status.to_string(), "RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Requests'.");
}

#[test]
fn every_detail_type_decodes_and_nothing_is_lost() {
    let status = Status::from_error_body(&full_error_body()).expect("an error body");
    let details = status.typed_details();
    assert_eq!(details.len(), status.details.len());
    assert_eq!(
        details[0],
        Detail::ErrorInfo(ErrorInfo {
            reason: "RATE_LIMIT_EXCEEDED".into(),
            domain: "googleapis.com".into(),
            metadata: BTreeMap::from([
                ("consumer".into(), "projects/1".into()),
                ("service".into(), "vision.googleapis.com".into()),
            ]),
        })
    );
    assert_eq!(
        details[1],
        Detail::RetryInfo(RetryInfo { retry_delay: Some("12.5s".parse::<wire::Duration>().expect("valid")) })
    );
    assert_eq!(
        details[2],
        Detail::BadRequest(BadRequest {
            field_violations: vec![
                FieldViolation { field: "name".into(), description: "must not be empty".into(), reason: None },
                FieldViolation {
                    field: "pageSize".into(),
                    description: "too big".into(),
                    reason: Some("TOO_BIG".into()),
                },
            ],
        })
    );
    assert_eq!(
        details[3],
        Detail::QuotaFailure(QuotaFailure {
            violations: vec![QuotaViolation { subject: "project:1".into(), description: "daily limit".into() }],
        })
    );
    assert_eq!(
        details[4],
        Detail::ResourceInfo(ResourceInfo {
            resource_type: "operation".into(),
            resource_name: "operations/1".into(),
            owner: "project:1".into(),
            description: "gone".into(),
        })
    );
    assert_eq!(
        details[5],
        Detail::Help(Help {
            links: vec![Link { description: "Console".into(), url: "https://console.cloud.google.com".into() }],
        })
    );
    assert_eq!(
        details[6],
        Detail::LocalizedMessage(LocalizedMessage {
            locale: "de-DE".into(),
            message: "Kontingent überschritten".into(),
        })
    );
    // Unknown type, undecodable known type and untyped object stay raw.
    assert_eq!(details[7], Detail::Other(status.details[7].clone()));
    assert_eq!(details[8], Detail::Other(status.details[8].clone()));
    assert_eq!(details[9], Detail::Other(json!({"no_type": true})));
}

#[test]
fn decode_details_handles_non_objects() {
    let details = decode_details(&[json!(1), json!("x"), json!(null)]);
    assert_eq!(details, vec![Detail::Other(json!(1)), Detail::Other(json!("x")), Detail::Other(json!(null))]);
}

#[test]
fn status_is_tolerant_of_missing_fields() {
    let status = Status::from_error_body(br#"{"error": {}}"#).expect("an error object");
    assert_eq!(status, Status::default());
    let status = Status::from_error_body(br#"{"error": {"message": "boom"}}"#).expect("object");
    assert_eq!(status.message, "boom");
    assert_eq!(status.code_enum(), Code::Ok);
}

#[test]
fn non_error_bodies_are_not_statuses() {
    for body in [
        &b"<html>502</html>"[..],
        b"",
        b"{}",
        b"[]",
        br#"{"error": "invalid_grant"}"#,
        br#"{"error": {"code": "x"}}"#,
        b"null",
    ] {
        assert!(Status::from_error_body(body).is_none(), "{body:?}");
    }
}

#[test]
fn array_wrapped_error_bodies_are_read() {
    let body = br#"[{"error": {"code": 404, "message": "nope", "status": "NOT_FOUND"}}]"#;
    let status = Status::from_error_body(body).expect("an error body");
    assert_eq!(status.code_enum(), Code::NotFound);
}

#[test]
fn status_round_trips_through_serde() {
    let status = Status::from_error_body(&full_error_body()).expect("an error body");
    let value = serde_json::to_value(&status).expect("serializes");
    let back: Status = serde_json::from_value(value).expect("deserializes");
    assert_eq!(back, status);
}

#[test]
fn codes() {
    assert_eq!(Code::from(5), Code::NotFound);
    assert_eq!(Code::from(16), Code::Unauthenticated);
    assert_eq!(Code::from(17), Code::Other(17));
    assert_eq!(Code::from(-1), Code::Other(-1));
    assert_eq!(Code::Unknown.as_i32(), 2);
    assert_eq!(i32::from(Code::DataLoss), 15);
    assert_eq!(Code::Other(99).as_i32(), 99);
    assert_eq!(Code::NotFound.to_string(), "NOT_FOUND");
    assert_eq!(Code::Other(99).to_string(), "CODE(99)");
    assert_eq!(Code::from_name("FAILED_PRECONDITION"), Some(Code::FailedPrecondition));
    assert_eq!(Code::from_name("not_found"), None);
    for n in 0..=16 {
        let code = Code::from(n);
        assert_eq!(code.as_i32(), n);
        assert_eq!(code.name().and_then(Code::from_name), Some(code));
    }
}

#[test]
fn code_enum_handles_both_meanings_of_code() {
    let grpc = Status { code: 5, ..Status::default() };
    assert_eq!(grpc.code_enum(), Code::NotFound);
    let http = Status { code: 404, ..Status::default() };
    assert_eq!(http.code_enum(), Code::NotFound);
    let named = Status { code: 400, status: Some("FAILED_PRECONDITION".into()), ..Status::default() };
    assert_eq!(named.code_enum(), Code::FailedPrecondition);
    let odd = Status { code: 418, ..Status::default() };
    assert_eq!(odd.code_enum(), Code::Other(418));
}

#[test]
fn negative_retry_delay_is_ignored() {
    let status =
        Status { details: vec![json!({"@type": RetryInfo::TYPE_URL, "retryDelay": "-1s"})], ..Status::default() };
    assert_eq!(status.retry_delay(), None);
}

#[test]
fn from_serializable_converts_generated_statuses() {
    /// Shaped like the `Status` a generated crate has: every field optional.
    #[derive(discogen_runtime::serde::Serialize)]
    #[serde(crate = "::discogen_runtime::serde")]
    struct GeneratedStatus {
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<i32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        details: Option<Vec<BTreeMap<String, serde_json::Value>>>,
        #[serde(flatten)]
        extra: BTreeMap<String, serde_json::Value>,
    }

    let generated = GeneratedStatus {
        code: Some(5),
        message: Some("gone".into()),
        details: Some(vec![BTreeMap::from([
            ("@type".to_owned(), json!(ErrorInfo::TYPE_URL)),
            ("reason".to_owned(), json!("DELETED")),
        ])]),
        extra: BTreeMap::from([("future".to_owned(), json!(1))]),
    };
    let status = Status::from_serializable(&generated);
    assert_eq!(status.code_enum(), Code::NotFound);
    assert_eq!(status.message, "gone");
    assert_eq!(status.extra.get("future"), Some(&json!(1)));
    assert!(matches!(&status.typed_details()[0], Detail::ErrorInfo(info) if info.reason == "DELETED"));

    let empty = Status::from_serializable(&GeneratedStatus {
        code: None,
        message: None,
        details: None,
        extra: BTreeMap::new(),
    });
    assert_eq!(empty, Status::default());

    let unreadable = Status::from_serializable(&json!("not an object"));
    assert_eq!(unreadable.code_enum(), Code::Unknown);
    assert!(unreadable.message.contains("could not be read"));
}
