use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ANCHOR: call
use discogen_apis::vision_v1::{self, model::Operation, prelude::*};

async fn get_operation(client: &vision_v1::Client, name: &str) -> vision_v1::runtime::Result<Operation> {
    client
        .operations()
        .get(name)
        .fields("name,done") // a standard parameter, from the prelude
        .quota_user("reports")
        .send()
        .await
}
// ANCHOR_END: call

#[tokio::test]
async fn a_call_sends_its_standard_parameters_and_decodes_the_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/operations/o1"))
        .and(query_param("fields", "name,done"))
        .and(query_param("quotaUser", "reports"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"name": "operations/o1", "done": true, "later": 7})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = vision_v1::Client::builder().root_url(server.uri()).bearer_token("tok").build().unwrap();
    let op = get_operation(&client, "operations/o1").await.unwrap();
    assert_eq!(op.name.as_deref(), Some("operations/o1"));
    // ANCHOR: extra
    // A member the document does not describe is kept, and read through
    // `extra()` (the prelude brings it into scope).
    assert_eq!(op.extra().get("later"), Some(&json!(7)));
    // ANCHOR_END: extra
}

#[test]
fn build_request_shows_the_request_without_sending_it() {
    // ANCHOR: build_request
    let client = vision_v1::Client::builder().bearer_token("tok").build().unwrap();
    let request = client.operations().get("operations/o1").fields("name").build_request().unwrap();
    assert_eq!(request.method(), "GET");
    assert_eq!(request.uri(), "https://vision.googleapis.com/v1/operations/o1?fields=name");
    // ANCHOR_END: build_request
}
