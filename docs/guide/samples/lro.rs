use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

// ANCHOR: wait
use std::time::Duration;

use discogen_apis::vision_v1::{self, model::Operation};
use vision_v1::runtime::lro::{OperationResult, PollPolicy};

async fn wait_for(client: &vision_v1::Client, name: &str) -> vision_v1::runtime::Result<Operation> {
    let policy = PollPolicy::new()
        .initial_delay(Duration::from_millis(10)) // first wait; doubles up to max_delay
        .max_delay(Duration::from_secs(5))
        .deadline(Duration::from_secs(60)); // 10 minutes by default
    let done = client.operations().get(name).wait(policy).await?;
    if let OperationResult::Failed(status) = done.result() {
        eprintln!("{name} failed: {}", status.message);
    }
    Ok(done)
}
// ANCHOR_END: wait

#[tokio::test]
async fn wait_polls_until_done() {
    let server = MockServer::start().await;
    let pending = json!({"name": "operations/o1", "done": false});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pending))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    let done = json!({"name": "operations/o1", "done": true, "response": {"@type": "type.googleapis.com/x.Y"}});
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(done)).mount(&server).await;
    let client = vision_v1::Client::builder().root_url(server.uri()).bearer_token("tok").build().unwrap();
    let op = wait_for(&client, "operations/o1").await.unwrap();
    assert!(matches!(op.result(), OperationResult::Succeeded(_)));
    assert_eq!(server.received_requests().await.unwrap().len(), 3, "two pending polls, then done");
}
