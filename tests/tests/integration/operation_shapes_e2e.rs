//! Operations whose state is a `status` enum (the `operation-compute`,
//! `-gke`, `-sql` and `-dns` fixtures), and the standard shape under its
//! newer name (`operation-longrunning`), polled to the end through their
//! generated `get` builders and the `Client`, against a loopback server
//! that answers a few pending states before the last one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use discogen_runtime::lro::{DeadlineExceeded, LongRunningOperation, OperationResult, PollPolicy};
use discogen_runtime::rpc::{Code, Detail};
use discogen_tests::fixtures::{operation_compute, operation_dns, operation_gke, operation_longrunning, operation_sql};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers the bodies in order; the last one repeats.
struct InTurn {
    bodies: Vec<Value>,
    served: AtomicUsize,
}

impl Respond for InTurn {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.served.fetch_add(1, Ordering::SeqCst).min(self.bodies.len() - 1);
        ResponseTemplate::new(200).set_body_json(&self.bodies[i])
    }
}

async fn serve(server: &MockServer, at: &str, bodies: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(InTurn { bodies, served: AtomicUsize::new(0) })
        .mount(server)
        .await;
}

fn quick() -> PollPolicy {
    PollPolicy::default().initial_delay(Duration::from_millis(1)).max_delay(Duration::from_millis(2))
}

async fn polls(server: &MockServer) -> Vec<String> {
    server.received_requests().await.expect("recorded").iter().map(|r| r.url.path().to_string()).collect()
}

#[tokio::test]
async fn a_zonal_compute_operation_is_polled_until_done_with_its_progress() {
    let server = MockServer::start().await;
    let at = "/opcompute/v1/projects/p1/zones/z1/operations/op-1";
    serve(
        &server,
        at,
        vec![
            json!({"name": "op-1", "status": "PENDING", "progress": 0}),
            json!({"name": "op-1", "status": "RUNNING", "progress": 40}),
            json!({"name": "op-1", "status": "RUNNING", "progress": 90}),
            json!({"name": "op-1", "status": "DONE", "progress": 100, "targetLink": "https://x/machines/m1"}),
        ],
    )
    .await;
    let client = operation_compute::Client::builder().root_url(server.uri()).build().expect("client");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress = seen.clone();

    let done = client
        .zone_operations()
        .get("p1", "z1", "op-1")
        .poller()
        .policy(quick())
        .on_progress(move |op: &operation_compute::model::Operation| progress.lock().unwrap().push(op.progress))
        .wait()
        .await
        .expect("finishes");

    assert!(done.is_done() && done.error_status().is_none());
    assert!(matches!(done.result(), OperationResult::Succeeded(None)));
    assert_eq!(polls(&server).await, vec![at; 4]);
    assert_eq!(*seen.lock().unwrap(), [Some(0), Some(40), Some(90), Some(100)]);
}

#[tokio::test]
async fn a_failed_compute_operation_maps_its_http_status_and_keeps_its_error_codes() {
    let server = MockServer::start().await;
    let at = "/opcompute/v1/projects/p1/regions/r1/operations/op-2";
    let failed = json!({
        "name": "op-2", "status": "DONE", "httpErrorStatusCode": 403, "httpErrorMessage": "FORBIDDEN",
        "error": {"errors": [{"code": "QUOTA_EXCEEDED", "message": "Quota 'CPUS' exceeded.", "location": "r1"}]}
    });
    serve(&server, at, vec![json!({"name": "op-2", "status": "RUNNING"}), failed]).await;
    let client = operation_compute::Client::builder().root_url(server.uri()).build().expect("client");

    let done = client.region_operations().get("p1", "r1", "op-2").wait(quick()).await.expect("finishes");

    let OperationResult::Failed(error) = done.result() else { panic!("a failure: {done:?}") };
    assert_eq!(error.errors.as_ref().map(Vec::len), Some(1));
    let status = done.error_status().expect("a status");
    assert_eq!((status.code_enum(), status.message.as_str()), (Code::PermissionDenied, "FORBIDDEN"));
    assert!(
        status.typed_details().iter().any(|d| matches!(d, Detail::ErrorInfo(i) if i.reason == "QUOTA_EXCEEDED")),
        "{status:?}"
    );
    assert_eq!(polls(&server).await.len(), 2);
}

#[tokio::test]
async fn a_global_compute_operation_that_never_finishes_stops_at_the_deadline() {
    let server = MockServer::start().await;
    let at = "/opcompute/v1/projects/p1/global/operations/op-3";
    serve(&server, at, vec![json!({"name": "op-3", "status": "RUNNING", "progress": 10})]).await;
    let client = operation_compute::Client::builder().root_url(server.uri()).build().expect("client");

    let error = client
        .global_operations()
        .get("p1", "op-3")
        .wait(quick().deadline(Duration::from_millis(50)))
        .await
        .expect_err("runs past the deadline");

    let late = DeadlineExceeded::<operation_compute::model::Operation>::from_error(&error).expect("a deadline error");
    assert_eq!(late.last_operation().and_then(|op| op.progress), Some(10));
    assert!(polls(&server).await.len() >= 2);
}

#[tokio::test]
async fn a_gke_operation_is_routed_by_project_and_zone_and_its_error_is_a_status() {
    let server = MockServer::start().await;
    let at = "/v1/projects/p1/zones/us-central1-a/operations/op-4";
    let link = "https://opgke.example.com/v1/projects/p1/zones/us-central1-a/operations/op-4";
    let op = |status: &str| json!({"name": "op-4", "status": status, "zone": "us-central1-a", "selfLink": link});
    let mut failed = op("DONE");
    failed["error"] = json!({"code": 9, "message": "node pool busy"});
    serve(&server, at, vec![op("RUNNING"), op("ABORTING"), failed]).await;
    let client = operation_gke::Client::builder().root_url(server.uri()).build().expect("client");
    let started: operation_gke::model::Operation = serde_json::from_value(op("PENDING")).expect("operation");

    let done = client.wait_operation(started, quick()).await.expect("finishes");

    let status = done.error_status().expect("failed");
    assert_eq!((status.code_enum(), status.message.as_str()), (Code::FailedPrecondition, "node pool busy"));
    assert!(matches!(done.result(), OperationResult::Failed(_)));
    assert_eq!(polls(&server).await, vec![at; 3], "ABORTING is not the end");
}

#[tokio::test]
async fn a_gke_operation_by_project_zone_and_id_polls_from_its_builder() {
    let server = MockServer::start().await;
    let at = "/v1/projects/p1/zones/z1/operations/op-5";
    serve(&server, at, vec![json!({"name": "op-5", "status": "PENDING"}), json!({"name": "op-5", "status": "DONE"})])
        .await;
    let client = operation_gke::Client::builder().root_url(server.uri()).build().expect("client");

    let done = client.projects().zones().operations().get("p1", "z1", "op-5").wait(quick()).await.expect("done");

    assert!(matches!(done.result(), OperationResult::Succeeded(None)));
    assert_eq!(polls(&server).await, vec![at; 2]);
}

#[tokio::test]
async fn a_cloud_sql_operation_reads_its_error_list() {
    let server = MockServer::start().await;
    let at = "/v1/projects/p1/operations/op-6";
    let failed = json!({"name": "op-6", "status": "DONE", "error": {"kind": "sql#operationErrors",
        "errors": [{"kind": "sql#operationError", "code": "INSTANCE_ALREADY_EXISTS", "message": "taken"}]}});
    serve(&server, at, vec![json!({"name": "op-6", "status": "PENDING"}), failed]).await;
    let client = operation_sql::Client::builder().root_url(server.uri()).build().expect("client");

    let done = client.operations().get("p1", "op-6").wait(quick()).await.expect("finishes");

    let status = done.error_status().expect("failed");
    assert_eq!((status.code_enum(), status.message.as_str()), (Code::Unknown, "taken"));
    assert!(status
        .typed_details()
        .iter()
        .any(|d| matches!(d, Detail::ErrorInfo(i) if i.reason == "INSTANCE_ALREADY_EXISTS")));
}

#[tokio::test]
async fn a_cloud_dns_operation_finishes_on_lower_case_done() {
    let server = MockServer::start().await;
    let at = "/v1/projects/p1/managedZones/mz/operations/7";
    serve(
        &server,
        at,
        vec![
            json!({"id": "7", "status": "pending"}),
            json!({"id": "7", "status": "pending"}),
            json!({"id": "7", "status": "done"}),
        ],
    )
    .await;
    let client = operation_dns::Client::builder().root_url(server.uri()).build().expect("client");

    let done = client.managed_zone_operations().get("p1", "mz", "7").wait(quick()).await.expect("finishes");

    assert_eq!(done.operation_name(), Some("7"));
    assert!(matches!(done.result(), OperationResult::Succeeded(None)));
    assert_eq!(polls(&server).await.len(), 3);
}

#[test]
fn an_operation_of_an_unknown_shape_gets_no_poller_and_a_warning() {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/operation-unknown.json"))
        .expect("fixture");
    let out = discogen::generate(&source, &discogen::Options::default()).expect("generates");
    assert!(
        out.warnings().iter().any(|w| w.contains("schemas.Operation") && w.contains("no poller")),
        "{:?}",
        out.warnings()
    );
    let resources = out.file("resources.rs").expect("resources.rs");
    assert!(!resources.contents().contains("fn poller") && !resources.contents().contains("fn wait"));
}

fn compute_op(name: &str, status: &str, scope: Option<(&str, &str)>) -> Value {
    let base = "https://opcompute.example.com/opcompute/v1/projects/p1";
    let mut op = json!({"name": name, "status": status});
    let link = match scope {
        Some((kind, place)) => {
            op[kind] = json!(format!("{base}/{kind}s/{place}"));
            format!("{base}/{kind}s/{place}/operations/{name}")
        }
        None => format!("{base}/global/operations/{name}"),
    };
    op["selfLink"] = json!(link);
    op
}

#[tokio::test]
async fn an_insert_waits_for_its_operation_through_the_zonal_get() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/opcompute/v1/projects/p1/zones/z1/machines"))
        .respond_with(ResponseTemplate::new(200).set_body_json(compute_op("op-8", "PENDING", Some(("zone", "z1")))))
        .expect(1)
        .mount(&server)
        .await;
    let at = "/opcompute/v1/projects/p1/zones/z1/operations/op-8";
    serve(
        &server,
        at,
        vec![compute_op("op-8", "RUNNING", Some(("zone", "z1"))), compute_op("op-8", "DONE", Some(("zone", "z1")))],
    )
    .await;
    let client = operation_compute::Client::builder().root_url(server.uri()).build().expect("client");
    let machine = operation_compute::model::Machine { name: Some("m1".into()), ..Default::default() };

    let done = client.machines().insert("p1", "z1", machine).wait(quick()).await.expect("inserted and done");

    assert!(done.is_done());
    let seen = polls(&server).await;
    assert_eq!(seen, ["/opcompute/v1/projects/p1/zones/z1/machines", at, at]);
}

#[tokio::test]
async fn the_client_routes_regional_and_global_operations_by_their_fields() {
    let server = MockServer::start().await;
    let regional = "/opcompute/v1/projects/p1/regions/r1/operations/op-9";
    let global = "/opcompute/v1/projects/p1/global/operations/op-10";
    serve(&server, regional, vec![compute_op("op-9", "DONE", Some(("region", "r1")))]).await;
    serve(&server, global, vec![compute_op("op-10", "DONE", None)]).await;
    let client = operation_compute::Client::builder().root_url(server.uri()).build().expect("client");

    let r = client.wait_operation(
        serde_json::from_value(compute_op("op-9", "RUNNING", Some(("region", "r1")))).unwrap(),
        quick(),
    );
    assert!(r.await.expect("regional").is_done());
    let fetched = client.get_operation(&serde_json::from_value(compute_op("op-10", "RUNNING", None)).unwrap()).await;
    assert!(fetched.expect("global").is_done());
    assert_eq!(polls(&server).await, [regional, global]);
}

#[tokio::test]
async fn an_operation_whose_fields_name_no_route_is_refused_before_sending() {
    let server = MockServer::start().await;
    let client = operation_compute::Client::builder().root_url(server.uri()).build().expect("client");
    let no_project = operation_compute::model::Operation {
        name: Some("op-11".into()),
        status: Some(operation_compute::model::OperationStatus::Running),
        ..Default::default()
    };

    let error = client.wait_operation(no_project, quick()).await.expect_err("no route");

    assert!(error.to_string().contains("name none of the operation `get`s"), "{error}");
    assert!(polls(&server).await.is_empty());
}

#[tokio::test]
async fn a_cloud_sql_operation_is_routed_by_the_project_of_its_self_link() {
    let server = MockServer::start().await;
    let at = "/v1/projects/p7/operations/op-12";
    let link = "https://opsql.example.com/v1/projects/p7/operations/op-12";
    serve(&server, at, vec![json!({"name": "op-12", "status": "DONE", "selfLink": link})]).await;
    let client = operation_sql::Client::builder().root_url(server.uri()).build().expect("client");
    let started = json!({"name": "op-12", "status": "PENDING", "selfLink": link});

    let done = client.wait_operation(serde_json::from_value(started).unwrap(), quick()).await.expect("done");

    assert!(done.is_done());
    assert_eq!(polls(&server).await, [at]);
}

#[tokio::test]
async fn the_standard_shape_is_the_runtime_type_and_waits_from_the_call_that_started_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/reports:render"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "operations/r1"})))
        .expect(1)
        .mount(&server)
        .await;
    let at = "/v1/operations/r1";
    let report = json!({"@type": "type.googleapis.com/oplong.v1.Report", "pages": 12});
    serve(
        &server,
        at,
        vec![
            json!({"name": "operations/r1", "done": false, "metadata": {"@type": "t/oplong.v1.Progress"}}),
            json!({"name": "operations/r1", "done": true, "response": report}),
        ],
    )
    .await;
    let client = operation_longrunning::Client::builder().root_url(server.uri()).build().expect("client");
    let request = operation_longrunning::model::RenderRequest { title: Some("q3".into()), ..Default::default() };

    let done: discogen_runtime::lro::Operation = client.reports().render(request).wait(quick()).await.expect("done");

    assert!(matches!(done.result(), OperationResult::Succeeded(Some(_))));
    let rendered = done.response_as::<operation_longrunning::model::Report>().expect("a Report").expect("a response");
    assert_eq!(rendered.pages, Some(12));
    assert_eq!(polls(&server).await, ["/v1/reports:render", at, at]);
}

#[tokio::test]
async fn a_failed_standard_operation_is_a_failed_result_and_an_operation_with_more_members_keeps_its_struct() {
    let server = MockServer::start().await;
    let failed = json!({"name": "operations/r2", "done": true, "error": {"code": 8, "message": "quota"}});
    serve(&server, "/v1/operations/r2", vec![failed]).await;
    let client = operation_longrunning::Client::builder().root_url(server.uri()).build().expect("client");

    let op = client.operations().get("operations/r2").poller().policy(quick()).wait().await.expect("an answer");
    match op.result() {
        OperationResult::Failed(status) => {
            assert_eq!((status.code_enum(), status.message.as_str()), (Code::ResourceExhausted, "quota"))
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(op.error_status().map(|s| s.code), Some(8));

    // `itemCount` makes it another type, which keeps its own field and still
    // reads its state.
    let batch: operation_longrunning::model::BatchOperation =
        serde_json::from_value(json!({"name": "operations/b", "done": true, "itemCount": 3})).expect("decodes");
    assert_eq!(batch.item_count, Some(3));
    assert!(matches!(batch.result(), OperationResult::Succeeded(None)));
}
