//! The error of an operation that reports its state in a `status` enum
//! (Compute, Deployment Manager, GKE, Cloud SQL, Cloud DNS) rather than in
//! `done`, turned into the `rpc::Status` every API shares.
//!
//! Such an operation may carry an `error` object in either of two forms —
//! a `google.rpc.Status` (GKE) or a list of `errors[]` with a `code` such
//! as `QUOTA_EXCEEDED`, a `message` and a `location` (Compute, Cloud SQL) —
//! and beside it the HTTP status the failure would have had
//! (`httpErrorStatusCode`, `httpErrorMessage`).

use std::collections::BTreeMap;

use crate::rpc::{Code, ErrorInfo, Status};

/// The operation's failure as an `rpc::Status`, or `None` when it reports
/// none.
///
/// The code is the canonical one for `http_status` (Google's mapping), or
/// the `error`'s own when it is a status, else `UNKNOWN`. The message is
/// `http_message`, else the messages of `errors[]` joined. Each entry of
/// `errors[]` becomes an `ErrorInfo` detail whose `reason` is its `code` and
/// whose metadata holds its `message` and `location`, so that a caller can
/// match `QUOTA_EXCEEDED` and the like.
pub fn status_from_operation_error(
    http_status: Option<i32>,
    http_message: Option<&str>,
    error: Option<serde_json::Value>,
) -> Option<Status> {
    let http_code = http_status.filter(|s| *s >= 400).and_then(|s| u16::try_from(s).ok());
    let error = error.filter(|e| e.as_object().is_some_and(|o| !o.is_empty()));
    if error.is_none() && http_code.is_none() {
        return None;
    }
    let mut status = Status::default();
    let entries = error.as_ref().and_then(|e| e.get("errors")).and_then(serde_json::Value::as_array);
    match (&error, entries) {
        (Some(_), Some(entries)) => {
            let mut messages = Vec::new();
            for entry in entries {
                let text = |key: &str| entry.get(key).and_then(serde_json::Value::as_str).unwrap_or_default();
                if !text("message").is_empty() {
                    messages.push(text("message").to_string());
                }
                let mut metadata = BTreeMap::new();
                for key in ["message", "location"] {
                    if !text(key).is_empty() {
                        metadata.insert(key.to_string(), text(key).to_string());
                    }
                }
                let info = ErrorInfo { reason: text("code").to_string(), domain: String::new(), metadata };
                status.details.push(info_detail(&info));
            }
            status.message = messages.join("; ");
            status.code = Code::Unknown.as_i32();
        }
        (Some(e), None) => {
            status = Status::from_serializable(e);
        }
        (None, _) => status.code = Code::Unknown.as_i32(),
    }
    if let Some(code) = http_code.and_then(Code::from_http_status) {
        status.code = code.as_i32();
        status.status = Some(code.to_string());
    }
    if let Some(message) = http_message.filter(|m| !m.is_empty()) {
        status.message = message.to_string();
    }
    if status.message.is_empty() {
        status.message = "the operation failed".to_string();
    }
    Some(status)
}

/// An `ErrorInfo` as the JSON detail `rpc::Status` keeps.
fn info_detail(info: &ErrorInfo) -> serde_json::Value {
    serde_json::json!({
        "@type": ErrorInfo::TYPE_URL,
        "reason": info.reason,
        "domain": info.domain,
        "metadata": info.metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::Detail;
    use serde_json::json;

    #[test]
    fn compute_errors_keep_their_codes_as_reasons() {
        let error = json!({"errors": [
            {"code": "QUOTA_EXCEEDED", "message": "Quota 'CPUS' exceeded.", "location": "us-central1"},
            {"code": "RESOURCE_NOT_READY", "message": "not yet"}
        ]});
        let status = status_from_operation_error(Some(403), Some("FORBIDDEN"), Some(error)).expect("a failure");
        assert_eq!(status.code_enum(), Code::PermissionDenied);
        assert_eq!(status.message, "FORBIDDEN");
        let reasons: Vec<String> = status
            .typed_details()
            .into_iter()
            .filter_map(|d| match d {
                Detail::ErrorInfo(info) => Some(info.reason),
                _ => None,
            })
            .collect();
        assert_eq!(reasons, ["QUOTA_EXCEEDED", "RESOURCE_NOT_READY"]);

        let without_http = status_from_operation_error(
            None,
            None,
            Some(json!({"errors": [{"code": "X", "message": "m1"}, {"message": "m2"}]})),
        );
        let without_http = without_http.expect("a failure");
        assert_eq!((without_http.code_enum(), without_http.message.as_str()), (Code::Unknown, "m1; m2"));
    }

    #[test]
    fn a_status_shaped_error_is_taken_as_it_is() {
        let error = json!({"code": 9, "message": "node pool busy", "details": []});
        let status = status_from_operation_error(None, None, Some(error)).expect("a failure");
        assert_eq!((status.code_enum(), status.message.as_str()), (Code::FailedPrecondition, "node pool busy"));
    }

    #[test]
    fn no_error_means_no_failure() {
        assert!(status_from_operation_error(None, None, None).is_none());
        assert!(status_from_operation_error(Some(200), None, Some(json!({}))).is_none());
        let http_only = status_from_operation_error(Some(404), None, None).expect("a failure");
        assert_eq!((http_only.code_enum(), http_only.message.as_str()), (Code::NotFound, "the operation failed"));
    }
}

/// The last `/`-separated segment of a URL or name: `us-central1-a` of
/// `https://…/projects/p/zones/us-central1-a`, and a plain name as it is.
/// `None` for an absent or empty value.
pub fn last_segment(value: Option<&str>) -> Option<&str> {
    value?.trim_end_matches('/').rsplit('/').next().filter(|s| !s.is_empty())
}

/// The segment after `key` in a URL or name: `p1` for `projects` in
/// `https://…/projects/p1/zones/z/operations/o`. `None` when `key` is not
/// there or nothing follows it.
pub fn segment_after<'a>(value: Option<&'a str>, key: &str) -> Option<&'a str> {
    let mut segments = value?.split('/');
    segments.by_ref().find(|s| *s == key)?;
    segments.next().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod segment_tests {
    use super::*;

    #[test]
    fn segments_of_operation_urls() {
        let link = Some("https://compute.example.com/compute/v1/projects/p1/zones/z1/operations/op-1");
        assert_eq!(segment_after(link, "projects"), Some("p1"));
        assert_eq!(segment_after(link, "regions"), None);
        assert_eq!(segment_after(Some("a/projects/"), "projects"), None);
        assert_eq!(last_segment(Some("https://x/zones/us-central1-a")), Some("us-central1-a"));
        assert_eq!(last_segment(Some("us-central1-a")), Some("us-central1-a"));
        assert_eq!(last_segment(Some("")), None);
        assert_eq!(last_segment(None), None);
    }
}
