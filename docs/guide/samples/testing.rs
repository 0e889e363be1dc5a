// ANCHOR: code
// The code under test: it takes the client, so a test can point it at a
// server of its own.
use discogen_apis::vision_v1::{self, prelude::*};

async fn is_done(client: &vision_v1::Client, name: &str) -> vision_v1::runtime::Result<bool> {
    let op = client.operations().get(name).fields("done").send().await?;
    Ok(op.done.unwrap_or(false))
}
// ANCHOR_END: code

// ANCHOR: test
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn is_done_asks_for_done_only_and_reads_it() {
    let server = MockServer::start().await; // a real HTTP server on 127.0.0.1
    Mock::given(method("GET"))
        .and(path("/v1/operations/o1"))
        .and(query_param("fields", "done"))
        .and(header("authorization", "Bearer test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"done": true})))
        .expect(1) // checked when the server is dropped
        .mount(&server)
        .await;
    // Plain http is allowed for loopback root URLs.
    let client = vision_v1::Client::builder().root_url(server.uri()).bearer_token("test-token").build().unwrap();
    assert!(is_done(&client, "operations/o1").await.unwrap());
}
// ANCHOR_END: test
