use std::time::Duration;

use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

// ANCHOR: retries
use discogen_apis::vision_v1::{self, prelude::*};
use vision_v1::runtime::retry::RetryPolicy;

fn client(root_url: &str) -> vision_v1::runtime::Result<vision_v1::Client> {
    vision_v1::Client::builder()
        .root_url(root_url)
        .bearer_token("tok")
        .timeout(Duration::from_secs(20)) // each request; 60 s by default
        // Every call of this client: 3 attempts, 10 s in all, waits from 50 ms.
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(3)
                .time_limit(Duration::from_secs(10))
                .initial_delay(Duration::from_millis(50)),
        )
        .build()
}

async fn once(client: &vision_v1::Client) -> vision_v1::runtime::Result<()> {
    // One call of its own: no retries at all.
    client.operations().get("operations/o1").retry_policy(RetryPolicy::never()).send().await?;
    Ok(())
}
// ANCHOR_END: retries

#[tokio::test]
async fn a_503_is_retried_under_the_clients_policy_and_not_under_never() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "operations/o1", "done": true})))
        .mount(&server)
        .await;
    let client = client(&server.uri()).unwrap();
    let op = client.operations().get("operations/o1").send().await.unwrap();
    assert_eq!(op.done, Some(true));
    assert_eq!(server.received_requests().await.unwrap().len(), 2, "one 503, then the retry");

    server.reset().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let error = once(&client).await.unwrap_err();
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "RetryPolicy::never() sends once");
}
