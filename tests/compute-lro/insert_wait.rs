//! Built by `.ci/compute-lro` beside a crate generated from the real
//! `compute.v1.json` with `--resource-features` (instances and zone
//! operations only): an instance is inserted and waited for against a
//! loopback server that answers as Compute does, an `Operation` that is
//! `PENDING`, then `RUNNING`, then `DONE`, polled at its zonal `get`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use discogen_runtime::lro::{OperationResult, PollPolicy};
use serde_json::json;
use wiremock::matchers::{method, path, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LINK: &str = "https://compute.googleapis.com/compute/v1/projects/p1/zones/us-central1-a/operations/op-1";
const ZONE: &str = "https://compute.googleapis.com/compute/v1/projects/p1/zones/us-central1-a";

fn operation(status: &str, progress: u32) -> serde_json::Value {
    json!({"kind": "compute#operation", "name": "op-1", "operationType": "insert", "status": status,
           "progress": progress, "zone": ZONE, "selfLink": LINK,
           "targetLink": format!("{ZONE}/instances/vm-1")})
}

/// PENDING on the first poll, RUNNING on the second, DONE after.
struct Polls(AtomicUsize);

impl Respond for Polls {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        let (status, progress) = [("PENDING", 0), ("RUNNING", 60)].get(n).copied().unwrap_or(("DONE", 100));
        ResponseTemplate::new(200).set_body_json(operation(status, progress))
    }
}

#[tokio::test]
async fn an_instance_is_inserted_and_waited_for() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/compute/v1/projects/p1/zones/us-central1-a/instances"))
        .respond_with(ResponseTemplate::new(200).set_body_json(operation("PENDING", 0)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v1/projects/p1/zones/us-central1-a/operations/op-1"))
        .and(query_param_is_missing("requestId"))
        .respond_with(Polls(AtomicUsize::new(0)))
        .expect(3)
        .mount(&server)
        .await;

    // The guide's example (docs/guide/src/lro.md), with the loopback server's URL as the root.
    // ANCHOR: insert
    let client = compute::Client::builder().root_url(server.uri()).bearer_token("token").build().expect("client");
    let instance = compute::model::Instance {
        name: Some("vm-1".into()),
        machine_type: Some("zones/us-central1-a/machineTypes/e2-small".into()),
        ..Default::default()
    };
    let policy = PollPolicy::default().initial_delay(Duration::from_millis(5)).deadline(Duration::from_secs(30));
    let done = client.instances().insert("p1", "us-central1-a", instance).wait(policy).await.expect("done");

    match done.result() {
        OperationResult::Succeeded(_) => {}
        other => panic!("the insert failed or is still running: {other:?}"),
    }
    // ANCHOR_END: insert
    assert_eq!(done.progress, Some(100));
    let requests = server.received_requests().await.expect("recorded");
    let insert = &requests[0];
    assert_eq!(insert.method.as_str(), "POST");
    let request_id = insert.url.query_pairs().find(|(k, _)| k == "requestId").map(|(_, v)| v.into_owned());
    assert!(request_id.is_some_and(|id| id.len() == 36), "the insert carries a request id");
    assert_eq!(requests.len(), 4, "one insert, three polls");
}
