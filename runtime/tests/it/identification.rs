//! The headers that identify a caller, as a loopback server receives them:
//! `x-goog-api-client` on every request, `x-goog-user-project` from
//! `ClientBuilder::quota_project`, and a `User-Agent` the caller chose.

use crate::common;

use common::{get, Api, Operation};
use discogen_runtime::client::API_CLIENT;
use discogen_runtime::ClientBuilder;
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SCOPES: &[&str] = &[];

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "operations/x", "done": true})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn every_request_names_rust_and_this_library() {
    let server = server().await;
    let Api(client) = ClientBuilder::<Api>::new().root_url(server.uri()).build().unwrap();
    client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    let value = request.headers["x-goog-api-client"].to_str().unwrap();
    assert_eq!(value, API_CLIENT);
    assert!(
        value.starts_with("gl-rust/1.") && value.ends_with(concat!(" gdcl/", env!("CARGO_PKG_VERSION"))),
        "{value}"
    );
    assert!(!request.headers.contains_key("x-goog-user-project"), "no quota project unless one is set");
    assert!(request.headers["user-agent"].to_str().unwrap().starts_with("discogen-runtime/"));
}

#[tokio::test]
async fn quota_project_and_user_agent_are_sent_as_set() {
    let server = server().await;
    let Api(client) = ClientBuilder::<Api>::new()
        .root_url(server.uri())
        .bearer_token("t")
        .quota_project("billing-project-1")
        .user_agent("my-tool/2.0")
        .build()
        .unwrap();
    client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.headers["x-goog-user-project"], "billing-project-1");
    assert_eq!(request.headers["user-agent"], "my-tool/2.0 (gzip)");
    assert_eq!(request.headers["authorization"], "Bearer t");

    let refused = ClientBuilder::<Api>::new().root_url(server.uri()).quota_project("bad\nproject").build();
    let message = refused.err().expect("a quota project that cannot be a header is refused").to_string();
    assert!(message.contains("quota project"), "{message}");
}
