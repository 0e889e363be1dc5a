use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

// ANCHOR: errors
use discogen_apis::vision_v1::{self, prelude::*};
use vision_v1::runtime::rpc::Code;
use vision_v1::runtime::{Error, ErrorKind};

/// What a program might tell its user about a failed call.
fn explain(error: &Error) -> String {
    match error.kind() {
        // The server answered outside 2xx: Google's error body is decoded.
        ErrorKind::Http => match error.status() {
            Some(status) if status.code_enum() == Code::NotFound => format!("no such thing: {}", status.message),
            Some(status) => format!("{} ({})", status.code_enum(), status.message),
            None => format!("HTTP {:?}", error.http_status()),
        },
        ErrorKind::Timeout | ErrorKind::Transport => format!("network trouble, transient: {}", error.is_transient()),
        _ => error.to_string(),
    }
}
// ANCHOR_END: errors

#[tokio::test]
async fn a_google_error_body_is_decoded() {
    let server = MockServer::start().await;
    let body = json!({"error": {"code": 404, "message": "Operation not found", "status": "NOT_FOUND"}});
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404).set_body_json(body)).mount(&server).await;
    let client = vision_v1::Client::builder().root_url(server.uri()).bearer_token("tok").build().unwrap();
    let error = client.operations().get("operations/gone").fields("name").send().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Http);
    assert!(!error.is_transient());
    assert_eq!(explain(&error), "no such thing: Operation not found");
}
