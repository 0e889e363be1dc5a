//! Long-running operations through the generated surface (`.wait`,
//! `operation_poller`, `wait_operation`, `response_as`, `metadata_as`)
//! against a real HTTP server on loopback (wiremock).
//!
//! The server plays a script of answers in order and counts requests, so
//! the tests check how many polls were sent and what each one saw rather
//! than how long anything took. Delays are a few milliseconds, and no
//! assertion depends on timing.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use discogen_apis::{vision_v1, workspaceevents_v1beta};
use discogen_runtime::lro::{DeadlineExceeded, DelayReason, OperationResult, PollDelay, PollPolicy, TypeUrl};
use discogen_runtime::rpc::Code;
use discogen_runtime::serde::Deserialize;
use discogen_runtime::ErrorKind;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const VISION_NAME: &str = "projects/p1/operations/o1";
const VISION_PATH: &str = "/v1/projects/p1/operations/o1";
const EVENTS_NAME: &str = "operations/abc";
const EVENTS_PATH: &str = "/v1beta/operations/abc";

/// Short delays so that a test with a few polls takes milliseconds.
fn quick() -> PollPolicy {
    PollPolicy::default().initial_delay(Duration::from_millis(5)).max_delay(Duration::from_millis(20))
}

// ---- server answers ----------------------------------------------------------

fn metadata(percent: u32) -> Value {
    json!({
        "@type": "type.googleapis.com/google.cloud.vision.v1.OperationMetadata",
        "state": if percent < 100 { "RUNNING" } else { "DONE" },
        "progressPercent": percent,
    })
}

fn pending(name: &str, percent: u32) -> Value {
    json!({"name": name, "done": false, "metadata": metadata(percent)})
}

fn succeeded(name: &str) -> Value {
    json!({
        "name": name,
        "done": true,
        "metadata": metadata(100),
        "response": {
            "@type": "type.googleapis.com/google.cloud.vision.v1.AsyncBatchAnnotateFilesResponse",
            "outputUri": "gs://bucket/out/",
            "pages": "12",
        },
    })
}

fn failed(name: &str) -> Value {
    json!({
        "name": name,
        "done": true,
        "error": {
            "code": 5,
            "message": "the input file is gone",
            "details": [{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "INPUT_MISSING",
                "domain": "vision.googleapis.com",
            }],
        },
    })
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn unavailable() -> ResponseTemplate {
    ResponseTemplate::new(503)
        .set_body_json(json!({"error": {"code": 503, "message": "try later", "status": "UNAVAILABLE"}}))
}

/// Answers with the scripted responses in order and repeats the last one.
struct Script(Mutex<Vec<ResponseTemplate>>, Mutex<usize>);

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let steps = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut next = self.1.lock().unwrap_or_else(PoisonError::into_inner);
        let step = steps.get(*next).or(steps.last()).cloned().unwrap_or_else(|| ResponseTemplate::new(500));
        *next += 1;
        step
    }
}

async fn scripted(steps: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(Script(Mutex::new(steps), Mutex::new(0))).mount(&server).await;
    server
}

/// The paths of all requests received, after checking each was a bodiless GET.
async fn polled_paths(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.expect("request recording is on by default");
    for request in &requests {
        assert_eq!(request.method.as_str(), "GET");
        assert!(request.body.is_empty());
        assert_eq!(request.url.query(), None);
    }
    requests.iter().map(|r| r.url.path().to_owned()).collect()
}

fn vision(server: &MockServer) -> Result<vision_v1::Client, discogen_runtime::Error> {
    vision_v1::Client::builder().root_url(server.uri()).bearer_token("tok").build()
}

fn events(server: &MockServer) -> Result<workspaceevents_v1beta::Client, discogen_runtime::Error> {
    workspaceevents_v1beta::Client::builder().root_url(server.uri()).bearer_token("tok").build()
}

fn lock<T>(shared: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---- typed payloads -------------------------------------------------------------

/// A payload type written by the test, as a user would for a schema the
/// discovery document does not describe.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(crate = "discogen_runtime::serde", rename_all = "camelCase")]
struct OperationMetadata {
    state: Option<String>,
    progress_percent: Option<u32>,
}

impl TypeUrl for OperationMetadata {
    const SCHEMA_NAME: &'static str = "OperationMetadata";
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(crate = "discogen_runtime::serde", rename_all = "camelCase")]
struct AsyncBatchAnnotateFilesResponse {
    output_uri: Option<String>,
    #[serde(default, with = "discogen_runtime::wire::As::<Option<discogen_runtime::wire::I64>>")]
    pages: Option<i64>,
}

impl TypeUrl for AsyncBatchAnnotateFilesResponse {
    const SCHEMA_NAME: &'static str = "AsyncBatchAnnotateFilesResponse";
}

// ---- waiting ----------------------------------------------------------------------

#[tokio::test]
async fn wait_polls_until_done_and_returns_the_response() -> TestResult {
    const PENDING: usize = 3;
    let mut steps: Vec<ResponseTemplate> = (0..PENDING).map(|i| ok(pending(VISION_NAME, 10 * i as u32))).collect();
    steps.push(ok(succeeded(VISION_NAME)));
    let server = scripted(steps).await;

    let op = vision(&server)?.projects().operations().get(VISION_NAME).wait(quick()).await?;

    assert_eq!(op, serde_json::from_value::<vision_v1::model::Operation>(succeeded(VISION_NAME))?);
    match op.result() {
        OperationResult::Succeeded(Some(response)) => {
            assert_eq!(response.get("outputUri"), Some(&json!("gs://bucket/out/")));
        }
        other => panic!("expected a response, got {other:?}"),
    }
    assert_eq!(polled_paths(&server).await, vec![VISION_PATH; PENDING + 1]);
    Ok(())
}

#[tokio::test]
async fn wait_on_each_vision_get_polls_its_own_path() -> TestResult {
    let names_and_paths = [
        ("operations/o2", "/v1/operations/o2"),
        ("locations/eu/operations/o3", "/v1/locations/eu/operations/o3"),
        ("projects/p1/locations/us/operations/o4", "/v1/projects/p1/locations/us/operations/o4"),
    ];
    for (index, (name, expected)) in names_and_paths.into_iter().enumerate() {
        let server = scripted(vec![ok(pending(name, 50)), ok(succeeded(name))]).await;
        let client = vision(&server)?;
        let op = match index {
            0 => client.operations().get(name).wait(quick()).await?,
            1 => client.locations().operations().get(name).wait(quick()).await?,
            _ => client.projects().locations().operations().get(name).wait(quick()).await?,
        };
        assert_eq!(op.name.as_deref(), Some(name));
        assert_eq!(polled_paths(&server).await, vec![expected; 2]);
    }
    Ok(())
}

#[tokio::test]
async fn an_operation_that_fails_is_an_ok_answer_with_a_failed_result() -> TestResult {
    let server = scripted(vec![ok(pending(EVENTS_NAME, 0)), ok(failed(EVENTS_NAME))]).await;

    let op = events(&server)?.operations().get(EVENTS_NAME).wait(quick()).await?;

    match op.result() {
        OperationResult::Failed(status) => {
            assert_eq!(status.code, 5);
            assert_eq!(status.code_enum(), Code::NotFound);
            assert_eq!(status.message, "the input file is gone");
            assert!(matches!(
                status.typed_details().as_slice(),
                [discogen_runtime::rpc::Detail::ErrorInfo(info)] if info.reason == "INPUT_MISSING"
            ));
        }
        other => panic!("expected a failed operation, got {other:?}"),
    }
    assert!(op.response_as::<AsyncBatchAnnotateFilesResponse>()?.is_none());
    assert_eq!(polled_paths(&server).await, vec![EVENTS_PATH; 2]);
    Ok(())
}

#[tokio::test]
async fn wait_operation_on_a_finished_operation_sends_nothing() -> TestResult {
    let server = scripted(vec![ok(pending(VISION_NAME, 0))]).await;
    let client = vision(&server)?;

    for finished in [succeeded(VISION_NAME), failed(VISION_NAME)] {
        let operation: vision_v1::model::Operation = serde_json::from_value(finished)?;
        let returned = client.wait_operation(operation.clone(), quick()).await?;
        assert_eq!(returned, operation);
    }
    // Done, even without a name to poll.
    let nameless = vision_v1::model::Operation { done: Some(true), ..Default::default() };
    assert_eq!(client.wait_operation(nameless.clone(), quick()).await?, nameless);

    assert!(polled_paths(&server).await.is_empty(), "no request for an operation already done");
    Ok(())
}

#[tokio::test]
async fn wait_operation_polls_a_pending_operation_by_its_name() -> TestResult {
    let name = "projects/p1/locations/eu/operations/o9";
    let server = scripted(vec![ok(pending(name, 30)), ok(succeeded(name))]).await;
    let client = vision(&server)?;

    let started: vision_v1::model::Operation = serde_json::from_value(pending(name, 0))?;
    let op = client.wait_operation(started, quick()).await?;

    assert_eq!(op.done, Some(true));
    assert_eq!(polled_paths(&server).await, vec!["/v1/projects/p1/locations/eu/operations/o9"; 2]);

    let server = scripted(vec![ok(succeeded(EVENTS_NAME))]).await;
    let started: workspaceevents_v1beta::model::Operation = serde_json::from_value(pending(EVENTS_NAME, 0))?;
    let op = events(&server)?.wait_operation(started, quick()).await?;
    assert_eq!(op.done, Some(true));
    assert_eq!(polled_paths(&server).await, vec![EVENTS_PATH]);
    Ok(())
}

#[tokio::test]
async fn wait_operation_refuses_a_pending_operation_it_cannot_poll() -> TestResult {
    let server = scripted(vec![ok(succeeded(VISION_NAME))]).await;
    let client = vision(&server)?;

    let nameless = vision_v1::model::Operation { done: Some(false), ..Default::default() };
    let error = client.wait_operation(nameless, quick()).await.expect_err("no name");
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);

    let foreign: vision_v1::model::Operation = serde_json::from_value(pending("spaces/s1/operations/o1", 0))?;
    let error = client.wait_operation(foreign, quick()).await.expect_err("unknown shape");
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(error.to_string().contains("spaces/s1/operations/o1"), "{error}");

    assert!(polled_paths(&server).await.is_empty());
    Ok(())
}

#[tokio::test]
async fn on_progress_sees_every_operation_in_order() -> TestResult {
    let percents = [0, 25, 50, 75];
    let mut steps: Vec<ResponseTemplate> = percents.iter().map(|p| ok(pending(VISION_NAME, *p))).collect();
    steps.push(ok(succeeded(VISION_NAME)));
    let server = scripted(steps).await;
    let client = vision(&server)?;

    let seen = Arc::new(Mutex::new(Vec::<vision_v1::model::Operation>::new()));
    let delays = Arc::new(Mutex::new(Vec::<PollDelay>::new()));
    let (seen_in_hook, delays_in_hook) = (Arc::clone(&seen), Arc::clone(&delays));
    let op = client
        .operation_poller(VISION_NAME)?
        .policy(quick())
        .on_progress(move |op| lock(&seen_in_hook).push(op.clone()))
        .on_delay(move |delay| lock(&delays_in_hook).push(delay.clone()))
        .wait()
        .await?;

    let seen = lock(&seen).clone();
    let progress: Vec<Option<u32>> = seen
        .iter()
        .map(|op| op.metadata_as::<OperationMetadata>().ok().flatten().and_then(|m| m.progress_percent))
        .collect();
    assert_eq!(progress, vec![Some(0), Some(25), Some(50), Some(75), Some(100)]);
    assert_eq!(seen.last(), Some(&op), "the final operation is reported too");
    assert!(seen[..percents.len()].iter().all(|op| op.done == Some(false)));

    let delays = lock(&delays).clone();
    assert_eq!(delays.len(), percents.len(), "one sleep after each pending poll");
    for (index, delay) in delays.iter().enumerate() {
        assert_eq!(delay.attempt, index as u32 + 1);
        assert_eq!(delay.reason, DelayReason::Pending);
        assert!(delay.delay >= Duration::from_millis(1));
    }
    assert_eq!(polled_paths(&server).await, vec![VISION_PATH; percents.len() + 1]);
    Ok(())
}

/// An operation type of the user's own, not the one the poller ran on.
#[derive(Deserialize)]
struct OtherOperation {}

impl discogen_runtime::lro::LongRunningOperation for OtherOperation {
    fn is_done(&self) -> bool {
        true
    }
    fn operation_name(&self) -> Option<&str> {
        None
    }
    fn error_status(&self) -> Option<discogen_runtime::rpc::Status> {
        None
    }
}

#[tokio::test]
async fn a_deadline_that_runs_out_keeps_the_last_operation() -> TestResult {
    let server = scripted(vec![ok(pending(VISION_NAME, 10)), ok(pending(VISION_NAME, 20))]).await;
    let client = vision(&server)?;

    let policy = quick().deadline(Duration::from_millis(150));
    let error = client.projects().operations().get(VISION_NAME).wait(policy).await.expect_err("never done");

    assert_eq!(error.kind(), ErrorKind::Deadline, "{error:?}");
    let details = DeadlineExceeded::<vision_v1::model::Operation>::from_error(&error).expect("the deadline details");
    let last = details.last_operation().expect("at least one answer came");
    assert_eq!(last.done, Some(false));
    assert_eq!(last.name.as_deref(), Some(VISION_NAME));
    assert!(details.last_error().is_none(), "the polls themselves all succeeded");
    assert!(details.elapsed() >= Duration::from_millis(150));

    let polls = polled_paths(&server).await;
    assert_eq!(details.polls() as usize, polls.len(), "the poller and the server count alike");
    assert!(polls.iter().all(|p| p == VISION_PATH));
    let expected_percent = if polls.len() == 1 { 10 } else { 20 };
    let last_percent = last.metadata_as::<OperationMetadata>()?.and_then(|m| m.progress_percent);
    assert_eq!(last_percent, Some(expected_percent), "the most recent answer is kept");

    // Both APIs have exactly the longrunning shape, so both name the
    // runtime's one type; another operation type finds nothing rather than
    // the wrong value.
    let shared = DeadlineExceeded::<workspaceevents_v1beta::model::Operation>::from_error(&error);
    assert_eq!(shared.and_then(|d| d.last_operation()).and_then(|op| op.name.as_deref()), Some(VISION_NAME));
    assert!(DeadlineExceeded::<OtherOperation>::from_error(&error).is_none());
    Ok(())
}

#[tokio::test]
async fn a_zero_deadline_allows_exactly_one_poll() -> TestResult {
    let server = scripted(vec![ok(pending(EVENTS_NAME, 0))]).await;

    let policy = quick().deadline(Duration::ZERO);
    let error = events(&server)?.operations().get(EVENTS_NAME).wait(policy).await.expect_err("never done");

    assert_eq!(error.kind(), ErrorKind::Deadline);
    let details = DeadlineExceeded::<workspaceevents_v1beta::model::Operation>::from_error(&error).expect("details");
    assert_eq!(details.polls(), 1);
    assert!(details.last_operation().is_some());
    assert_eq!(polled_paths(&server).await, vec![EVENTS_PATH]);
    Ok(())
}

#[tokio::test]
async fn transient_failures_are_retried_and_permanent_ones_are_not() -> TestResult {
    let server = scripted(vec![unavailable(), unavailable(), ok(succeeded(VISION_NAME))]).await;
    let op = vision(&server)?.projects().operations().get(VISION_NAME).wait(quick()).await?;
    assert_eq!(op.done, Some(true));
    assert_eq!(polled_paths(&server).await.len(), 3);

    let not_found = ResponseTemplate::new(404)
        .set_body_json(json!({"error": {"code": 404, "message": "no such operation", "status": "NOT_FOUND"}}));
    let server = scripted(vec![ok(pending(VISION_NAME, 5)), not_found, ok(succeeded(VISION_NAME))]).await;
    let error = vision(&server)?.projects().operations().get(VISION_NAME).wait(quick()).await.expect_err("404");
    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.status().map(|s| s.message.as_str()), Some("no such operation"));
    assert_eq!(polled_paths(&server).await.len(), 2, "a permanent error stops the polling");

    let server = scripted(vec![unavailable(), ok(succeeded(VISION_NAME))]).await;
    let policy = quick().transient_retries(0);
    let error = vision(&server)?.projects().operations().get(VISION_NAME).wait(policy).await.expect_err("503");
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(polled_paths(&server).await.len(), 1, "no retry budget, no retry");
    Ok(())
}

#[tokio::test]
async fn a_refused_name_fails_the_wait_before_any_request() -> TestResult {
    let server = scripted(vec![ok(succeeded(VISION_NAME))]).await;
    let error = vision(&server)?.projects().operations().get("other/x").wait(quick()).await.expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(polled_paths(&server).await.is_empty());
    Ok(())
}

// ---- typed response and metadata ----------------------------------------------------

#[tokio::test]
async fn response_and_metadata_decode_by_their_type_url() -> TestResult {
    let server = scripted(vec![ok(succeeded(VISION_NAME))]).await;
    let op = vision(&server)?.get_operation(VISION_NAME).await?;

    let response = op.response_as::<AsyncBatchAnnotateFilesResponse>()?;
    assert_eq!(
        response,
        Some(AsyncBatchAnnotateFilesResponse { output_uri: Some("gs://bucket/out/".into()), pages: Some(12) })
    );
    let metadata = op.metadata_as::<OperationMetadata>()?;
    assert_eq!(metadata, Some(OperationMetadata { state: Some("DONE".into()), progress_percent: Some(100) }));

    // The wrong type for the `@type` is refused, naming both.
    let error = op.response_as::<OperationMetadata>().expect_err("mismatched @type");
    assert_eq!(error.kind(), ErrorKind::Decode);
    let shown = error.to_string();
    assert!(shown.contains("OperationMetadata"), "{shown}");
    assert!(shown.contains("google.cloud.vision.v1.AsyncBatchAnnotateFilesResponse"), "{shown}");
    let error = op.metadata_as::<AsyncBatchAnnotateFilesResponse>().expect_err("mismatched @type");
    assert_eq!(error.kind(), ErrorKind::Decode);
    Ok(())
}

#[tokio::test]
async fn payloads_without_a_usable_type_url_are_refused_or_absent() -> TestResult {
    let served = json!({
        "name": EVENTS_NAME,
        "done": true,
        "metadata": {"progressPercent": 100},
        "response": {"@type": "type.googleapis.com/google.cloud.vision.v1.AsyncBatchAnnotateFilesResponse", "pages": "many"},
    });
    let server = scripted(vec![ok(served)]).await;
    let op = events(&server)?.operations().get(EVENTS_NAME).send().await?;

    let error = op.metadata_as::<OperationMetadata>().expect_err("no @type");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("no `@type`"), "{error}");

    let error = op.response_as::<AsyncBatchAnnotateFilesResponse>().expect_err("bad int64");
    assert_eq!(error.kind(), ErrorKind::Decode, "a matching @type with bad members still fails");

    let bare = workspaceevents_v1beta::model::Operation { done: Some(true), ..Default::default() };
    assert!(bare.response_as::<AsyncBatchAnnotateFilesResponse>()?.is_none());
    assert!(bare.metadata_as::<OperationMetadata>()?.is_none());
    assert!(matches!(bare.result(), OperationResult::Succeeded(None)));
    Ok(())
}

#[tokio::test]
async fn a_retry_delay_from_the_server_is_honoured() -> TestResult {
    let throttled = ResponseTemplate::new(429).set_body_json(json!({
        "error": {
            "code": 429,
            "message": "slow down",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.080s"}],
        },
    }));
    let server = scripted(vec![throttled, ok(succeeded(EVENTS_NAME))]).await;
    let delays = Arc::new(Mutex::new(Vec::<PollDelay>::new()));
    let delays_in_hook = Arc::clone(&delays);

    let op = events(&server)?
        .operations()
        .get(EVENTS_NAME)
        .poller()
        .policy(quick())
        .on_delay(move |delay| lock(&delays_in_hook).push(delay.clone()))
        .wait()
        .await?;

    assert_eq!(op.done, Some(true));
    let delays = lock(&delays).clone();
    assert_eq!(delays.len(), 1);
    assert_eq!(delays[0].reason, DelayReason::Retrying);
    assert_eq!(delays[0].server_asked, Some(Duration::from_millis(80)));
    assert!(delays[0].delay >= Duration::from_millis(80), "{:?}", delays[0]);
    assert_eq!(polled_paths(&server).await, vec![EVENTS_PATH; 2]);
    Ok(())
}

#[tokio::test]
async fn a_poll_slower_than_the_request_timeout_is_retried() -> TestResult {
    let slow = ok(pending(VISION_NAME, 0)).set_delay(Duration::from_secs(10));
    let server = scripted(vec![slow, ok(succeeded(VISION_NAME))]).await;

    // Far apart, so that only the scripted delay can run out of time, however
    // busy the machine is.
    let policy = quick().request_timeout(Duration::from_millis(500));
    let op = vision(&server)?.projects().operations().get(VISION_NAME).wait(policy).await?;

    assert_eq!(op.done, Some(true));
    assert_eq!(polled_paths(&server).await, vec![VISION_PATH; 2], "the timed-out poll and its retry");
    Ok(())
}
