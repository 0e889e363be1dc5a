//! AIP-4235 request ids through a generated client (the `request-id`
//! fixture) against a loopback server that fails the first try with `503`,
//! as a busy front end does, and then succeeds.

use std::time::Duration;

use discogen_runtime::retry::RetryPolicy;
use discogen_tests::fixtures::request_id as api;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> api::Client {
    let policy = RetryPolicy::new().initial_delay(Duration::from_millis(1));
    api::Client::builder().root_url(server.uri()).retry_policy(policy).build().expect("client builds")
}

/// `503` to the first request, then `200` with a machine.
async fn busy_then_fine(server: &MockServer) {
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"error": {"code": 503, "message": "busy"}})))
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "m1"})))
        .mount(server)
        .await;
}

/// The `requestId` of every request the server received.
async fn request_ids(server: &MockServer) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.query_pairs().find(|(k, _)| k == "requestId").map(|(_, v)| v.into_owned()))
        .collect()
}

#[tokio::test]
async fn an_insert_gets_a_uuid_and_is_retried_with_the_same_one() {
    let server = MockServer::start().await;
    busy_then_fine(&server).await;
    let machine = api::model::Machine { name: Some("m1".into()), ..Default::default() };

    let created = client(&server).machines().insert("z1", machine).send().await.expect("retried POST succeeds");

    assert_eq!(created.name.as_deref(), Some("m1"));
    let ids = request_ids(&server).await;
    assert_eq!(ids.len(), 2, "the POST was sent again after the 503");
    let id = ids[0].clone().expect("a request id was sent");
    assert_eq!(ids[1].as_ref(), Some(&id), "the retry carries the same id");
    assert!(id.len() == 36 && id.as_bytes()[14] == b'4', "a UUID v4: {id}");
}

#[tokio::test]
async fn a_request_id_the_caller_sets_is_kept_and_a_new_call_gets_a_new_one() {
    let server = MockServer::start().await;
    busy_then_fine(&server).await;
    let machines = client(&server);
    let machines = machines.machines();

    machines.insert("z1", Default::default()).request_id("chosen-1").send().await.expect("retried");
    machines.insert("z1", Default::default()).send().await.expect("second call");
    machines.insert("z1", Default::default()).send().await.expect("third call");

    let ids = request_ids(&server).await;
    assert_eq!(ids[..2], [Some("chosen-1".to_string()), Some("chosen-1".to_string())]);
    assert_ne!(ids[2], ids[3], "each call has its own id: {ids:?}");
}

#[tokio::test]
async fn a_required_request_id_makes_the_call_retryable_too() {
    let server = MockServer::start().await;
    busy_then_fine(&server).await;

    client(&server).machines().reserve("r-7").send().await.expect("retried POST succeeds");

    assert_eq!(request_ids(&server).await, [Some("r-7".to_string()), Some("r-7".to_string())]);
}

#[tokio::test]
async fn a_request_id_that_is_only_a_tag_neither_is_filled_in_nor_makes_a_post_retryable() {
    let server = MockServer::start().await;
    busy_then_fine(&server).await;

    let error = client(&server).machines().restart("m1").send().await.expect_err("a POST is not sent twice");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(request_ids(&server).await, [None]);
}
